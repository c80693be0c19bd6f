//! The export files, exactly as docs/SAMPLE-EXPORTS.md describes them: one file
//! per kind per period, each built in memory and moved into place atomically so
//! a reader never sees half a file.

use super::calendar::{fmt_call, fmt_iso, fmt_minute, fmt_second, Ts, DAY};
use super::mess::{self, Kind, Plan};
use super::model::*;
use super::names;
use super::PracticeSim;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use serde::Serialize;
use std::io::Write;
use std::path::Path;

const CALL_HEADER: [&str; 13] = [
    "Call ID",
    "Session ID",
    "Practice",
    "Direction",
    "Start Time",
    "Answer Time",
    "End Time",
    "Duration",
    "Result",
    "From",
    "To",
    "Extension",
    "Queue",
];
const TASK_HEADER: [&str; 18] = [
    "Task ID",
    "Practice",
    "MRN",
    "Patient Name",
    "Patient Phone",
    "Task Type",
    "Created",
    "Due",
    "Assigned To",
    "Queue",
    "Priority",
    "Status",
    "Status Date",
    "Closed",
    "Callback Requested",
    "Barrier",
    "Appointment ID",
    "Last Updated",
];
const ACTIVITY_HEADER: [&str; 10] = [
    "Activity ID",
    "Task ID",
    "Practice",
    "Date/Time",
    "Type",
    "Direction",
    "Result",
    "User",
    "Note",
    "Callback Date",
];

/// Rows and files one practice produced.
#[derive(Default)]
pub(super) struct Written {
    pub(super) files: u64,
    pub(super) rows: [u64; 5],
}

pub(super) const KINDS: [&str; 5] = ["calls", "tasks", "activity", "appointments", "patients"];

pub(super) fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = Path::new(&tmp);
    std::fs::write(tmp, bytes).with_context(|| format!("writing {}", tmp.display()))?;
    std::fs::rename(tmp, path).with_context(|| format!("renaming {} into place", tmp.display()))?;
    Ok(())
}

/// Split rows sorted by period into one slice per period.
pub(super) fn by_period<T>(rows: &[T], periods: u32, period: impl Fn(&T) -> u32) -> Vec<&[T]> {
    let mut out = Vec::with_capacity(periods as usize);
    let mut rest = rows;
    for p in 0..periods {
        let n = rest.partition_point(|r| period(r) <= p);
        let (now, later) = rest.split_at(n);
        out.push(now);
        rest = later;
    }
    out
}

struct Ctx<'a> {
    practice: &'a PracticeSim,
    sim: &'a SimOutput,
    mess: Option<&'a Plan>,
}

fn set(f: &mut Vec<u8>, s: &str) {
    f.clear();
    f.extend_from_slice(s.as_bytes());
}

fn set_id(f: &mut Vec<u8>, prefix: char, practice: &str, n: u32) {
    f.clear();
    let _ = write!(f, "{prefix}-{practice}-{n:06}");
}

fn set_time(f: &mut Vec<u8>, t: Option<Ts>, fmt: fn(Ts, &mut Vec<u8>)) {
    f.clear();
    if let Some(t) = t {
        fmt(t, f);
    }
}

fn set_number(f: &mut Vec<u8>, n: Number, style: u8) {
    f.clear();
    match n {
        Number::Anonymous => f.extend_from_slice(b"Anonymous"),
        Number::Phone(p) => names::push_phone(p, style, f),
    }
}

impl Ctx<'_> {
    fn staff(&self, s: Option<StaffIx>) -> &str {
        s.and_then(|s| self.practice.staff.get(s as usize))
            .map_or("", |s| s.id.as_str())
    }

    fn breaks(&self, kind: Kind, period: u32, row: usize, fields: &mut [Vec<u8>]) {
        if let Some(b) = self.mess.and_then(|m| m.at(kind, period, row)) {
            mess::apply(b, fields);
        }
    }

    fn calls(&self, period: u32, rows: &[CallRow]) -> Result<Vec<u8>> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(b"\xef\xbb\xbf".to_vec());
        w.write_record(CALL_HEADER)?;
        let pid = self.practice.id.as_str();
        let mut f = vec![Vec::new(); CALL_HEADER.len()];
        // On an outbound call From is the practice's own line, which nobody
        // reads as a patient's number; a short From goes on the nearest inbound call.
        let mut breaks = self
            .mess
            .map_or_else(Vec::new, |m| m.planned(Kind::Calls, period));
        for b in breaks.iter_mut().filter(|b| b.1 == mess::Break::ShortFrom) {
            let inbound = |&i: &usize| rows[i].direction == Direction::Inbound;
            if let Some(i) = (b.0..rows.len()).find(inbound) {
                b.0 = i;
            } else if let Some(i) = (0..b.0).rev().find(inbound) {
                b.0 = i;
            }
        }
        for (i, r) in rows.iter().enumerate() {
            set_id(&mut f[0], 'C', pid, r.id);
            set_id(&mut f[1], 'S', pid, r.session);
            set(&mut f[2], pid);
            set(
                &mut f[3],
                if r.direction == Direction::Inbound {
                    "Inbound"
                } else {
                    "Outbound"
                },
            );
            set_time(&mut f[4], Some(r.start), fmt_call);
            set_time(&mut f[5], r.answer, fmt_call);
            set_time(&mut f[6], Some(r.end), fmt_call);
            set(&mut f[7], &(r.end - r.start).to_string());
            set(&mut f[8], r.result.label());
            // The switch formats the main number one way and callers every which way.
            let mixed = (r.id % 3) as u8;
            let (from_style, to_style) = match r.direction {
                Direction::Inbound => (mixed, 1),
                Direction::Outbound => (1, mixed),
            };
            set_number(&mut f[9], r.from, from_style);
            set_number(&mut f[10], r.to, to_style);
            set(&mut f[11], self.staff(r.staff));
            set(&mut f[12], r.queue.call_label());
            for &(_, b) in breaks.iter().filter(|b| b.0 == i) {
                mess::apply(b, &mut f);
            }
            w.write_record(&f)?;
        }
        Ok(w.into_inner()?)
    }

    fn tasks(&self, period: u32, rows: &[TaskRow]) -> Result<Vec<u8>> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        w.write_record(TASK_HEADER)?;
        let pid = self.practice.id.as_str();
        let mut f = vec![Vec::new(); TASK_HEADER.len()];
        for (i, r) in rows.iter().enumerate() {
            set_id(&mut f[0], 'T', pid, r.id + 1);
            set(&mut f[1], pid);
            f[2].clear();
            let _ = write!(f[2], "MRN{:07}", self.sim.mrn_base + r.patient);
            f[3].clear();
            if let Some(p) = self.sim.patient_names.get(r.patient as usize) {
                let _ = write!(
                    f[3],
                    "{}, {}",
                    names::LAST[p.1 as usize],
                    names::FIRST[p.0 as usize]
                );
            }
            f[4].clear();
            names::push_task_phone(r.phone, &mut f[4]);
            set(&mut f[5], r.cat.label());
            set_time(&mut f[6], Some(r.created), fmt_minute);
            set_time(&mut f[7], r.due, fmt_minute);
            set(&mut f[8], self.staff(r.assigned));
            set(&mut f[9], r.queue.task_label());
            set(&mut f[10], if r.urgent { "Urgent" } else { "Routine" });
            set(&mut f[11], r.status.label());
            set_time(&mut f[12], Some(r.status_at), fmt_minute);
            set_time(&mut f[13], r.closed, fmt_minute);
            set_time(&mut f[14], r.callback, fmt_minute);
            set(&mut f[15], r.barrier.map_or("", |b| b.label()));
            f[16].clear();
            if let Some(a) = r.appointment {
                set_id(&mut f[16], 'A', pid, a + 1);
            }
            set_time(&mut f[17], Some(r.updated), fmt_second);
            self.breaks(Kind::Tasks, period, i, &mut f);
            w.write_record(&f)?;
        }
        Ok(w.into_inner()?)
    }

    fn activity(&self, period: u32, rows: &[ActivityRow]) -> Result<Vec<u8>> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::Any(b'\n'))
            .from_writer(Vec::new());
        w.write_record(ACTIVITY_HEADER)?;
        let pid = self.practice.id.as_str();
        let mut f = vec![Vec::new(); ACTIVITY_HEADER.len()];
        for (i, r) in rows.iter().enumerate() {
            set_id(&mut f[0], 'X', pid, r.id);
            set_id(&mut f[1], 'T', pid, r.task + 1);
            set(&mut f[2], pid);
            set_time(&mut f[3], Some(r.at), fmt_second);
            set(&mut f[4], r.channel.label());
            set(&mut f[5], if r.incoming { "Incoming" } else { "Outgoing" });
            set(&mut f[6], r.outcome.label());
            set(&mut f[7], self.staff(r.staff));
            set(&mut f[8], &r.note);
            set_time(&mut f[9], r.callback, fmt_minute);
            self.breaks(Kind::Activity, period, i, &mut f);
            w.write_record(&f)?;
        }
        let mut bytes = w.into_inner()?;
        if self.mess.and_then(|m| m.truncated_activity) == Some(period) {
            mess::truncate_last_row(&mut bytes);
        }
        Ok(bytes)
    }

    fn appointments(&self, rows: &[ApptRow]) -> Result<Vec<u8>> {
        #[derive(Serialize)]
        struct Json<'a> {
            #[serde(rename = "apptId")]
            appt_id: String,
            practice: &'a str,
            mrn: String,
            created: &'a str,
            start: &'a str,
            status: &'static str,
            #[serde(rename = "cancelReason")]
            cancel_reason: Option<&'static str>,
            provider: &'static str,
            #[serde(rename = "type")]
            kind: &'static str,
            #[serde(rename = "taskId")]
            task_id: Option<String>,
            updated: &'a str,
        }
        let pid = self.practice.id.as_str();
        let tz = self.practice.tz;
        let mut out = b"[".to_vec();
        let (mut c, mut s, mut u) = (Vec::new(), Vec::new(), Vec::new());
        for (i, r) in rows.iter().enumerate() {
            for (buf, t) in [(&mut c, r.created), (&mut s, r.start), (&mut u, r.updated)] {
                buf.clear();
                fmt_iso(tz, t, buf);
            }
            let obj = Json {
                appt_id: format!("A-{pid}-{:06}", r.id + 1),
                practice: pid,
                mrn: format!("MRN{:07}", self.sim.mrn_base + r.patient),
                created: std::str::from_utf8(&c)?,
                start: std::str::from_utf8(&s)?,
                status: r.status.label(),
                cancel_reason: r.cancel_reason,
                provider: names::PROVIDERS[r.provider as usize],
                kind: r.kind.label(),
                task_id: r.task.map(|t| format!("T-{pid}-{:06}", t + 1)),
                updated: std::str::from_utf8(&u)?,
            };
            out.extend_from_slice(if i == 0 { b"\n" } else { b",\n" });
            serde_json::to_writer(&mut out, &obj)?;
        }
        out.extend_from_slice(b"\n]\n");
        Ok(out)
    }

    fn patients(&self, rows: &[PatientRow]) -> Result<Vec<u8>> {
        #[derive(Serialize)]
        struct Json<'a> {
            mrn: String,
            practice: &'a str,
            first_name: &'static str,
            last_name: &'static str,
            phone: &'a str,
            preferred_channel: &'static str,
            preferred_window: &'static str,
            do_not_call: bool,
            updated: &'a str,
        }
        let mut out = Vec::new();
        let (mut phone, mut updated) = (Vec::new(), Vec::new());
        for r in rows {
            phone.clear();
            names::push_phone(r.phone, r.style, &mut phone);
            updated.clear();
            fmt_iso(self.practice.tz, r.updated, &mut updated);
            let obj = Json {
                mrn: format!("MRN{:07}", self.sim.mrn_base + r.patient),
                practice: &self.practice.id,
                first_name: names::FIRST[r.first as usize],
                last_name: names::LAST[r.last as usize],
                phone: std::str::from_utf8(&phone)?,
                preferred_channel: r.channel.label(),
                preferred_window: r.window.label(),
                do_not_call: r.do_not_call,
                updated: std::str::from_utf8(&updated)?,
            };
            serde_json::to_writer(&mut out, &obj)?;
            out.push(b'\n');
        }
        Ok(out)
    }
}

/// Write every period's files for one practice.
pub(super) fn practice_files(
    practice: &PracticeSim,
    sim: &SimOutput,
    dir: &Path,
    first: NaiveDate,
    period_days: u32,
    periods: u32,
    mess: Option<&Plan>,
) -> Result<Written> {
    std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
    let ctx = Ctx {
        practice,
        sim,
        mess,
    };
    let calls = by_period(&sim.calls, periods, |r| r.period);
    let tasks = by_period(&sim.tasks, periods, |r| r.period);
    let acts = by_period(&sim.activities, periods, |r| r.period);
    let appts = by_period(&sim.appointments, periods, |r| r.period);
    let pats = by_period(&sim.patients, periods, |r| r.period);
    let mut written = Written::default();
    for p in 0..periods {
        let date = first + chrono::Duration::seconds(p as Ts * period_days as Ts * DAY);
        let d = date.format("%Y-%m-%d");
        let i = p as usize;
        let files: [(String, Vec<u8>, usize); 5] = [
            (
                format!("calls_{d}.csv"),
                ctx.calls(p, calls[i])?,
                calls[i].len(),
            ),
            (
                format!("tasks_{d}.csv"),
                ctx.tasks(p, tasks[i])?,
                tasks[i].len(),
            ),
            (
                format!("activity_{d}.csv"),
                ctx.activity(p, acts[i])?,
                acts[i].len(),
            ),
            (
                format!("appointments_{d}.json"),
                ctx.appointments(appts[i])?,
                appts[i].len(),
            ),
            (
                format!("patients_{d}.ndjson"),
                ctx.patients(pats[i])?,
                pats[i].len(),
            ),
        ];
        for (k, (name, bytes, rows)) in files.iter().enumerate() {
            write_atomic(&dir.join(name), bytes)?;
            written.files += 1;
            written.rows[k] += *rows as u64;
        }
        if mess.and_then(|m| m.duplicate_tasks) == Some(p) {
            // The same export delivered twice, byte for byte, under a copy's name.
            write_atomic(&dir.join(format!("tasks_{d} (1).csv")), &files[1].1)?;
            written.files += 1;
        }
    }
    Ok(written)
}
