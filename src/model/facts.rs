//! task_facts: one row per task, following docs/METRICS.md exactly.

pub use super::fact_columns::ts_col;
use super::fact_columns::Cols;
use super::facts_inputs::{Appointments, Attempts, Calls, Claims, Tasks};
use super::load::{Inputs, Window};
pub use super::local_time::{iso_week, local, LocalDays};
use super::notes::{classify, NoteQuality};
use super::numbers::Numbers;
use crate::config::{Category, Config};
use crate::model::attempts;
use crate::model::clock::{Calendar, Calendars};
use crate::model::domain::{AppointmentStatus, Channel, Status};
use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate};
use polars::prelude::DataFrame;
use polars::prelude::PlHashMap as HashMap;

/// Facts for every loaded task; `in_range` marks those created in the window.
pub struct Facts {
    pub df: DataFrame,
    pub in_range: Vec<bool>,
}

/// Rows grouped by a key, stored contiguously: the rows of key `k` are
/// `rows[start[k]..start[k + 1]]`. Keys are dense ids (numbered from the tasks by
/// `KeyIds` here, from the calls' numbers in `missed::items`, from the key tuples
/// in `group`), so a lookup is an index rather than a hash of two strings, and no
/// key owns an allocation.
pub(crate) struct Buckets {
    start: Vec<u32>,
    rows: Vec<u32>,
}

impl Buckets {
    /// Bucket the rows whose key id is known, keeping row order within a key.
    pub(crate) fn new(keys: usize, ids: impl Iterator<Item = Option<u32>> + Clone) -> Buckets {
        let mut start = vec![0u32; keys + 1];
        for k in ids.clone().flatten() {
            start[k as usize + 1] += 1;
        }
        for k in 0..keys {
            start[k + 1] += start[k];
        }
        let mut fill = start.clone();
        let mut rows = vec![0u32; start[keys] as usize];
        for (i, k) in ids.enumerate() {
            if let Some(k) = k {
                let at = &mut fill[k as usize];
                rows[*at as usize] = i as u32;
                *at += 1;
            }
        }
        Buckets { start, rows }
    }

    pub(crate) fn get(&self, key: Option<u32>) -> &[u32] {
        match key {
            Some(k) => {
                &self.rows[self.start[k as usize] as usize..self.start[k as usize + 1] as usize]
            }
            None => &[],
        }
    }

    /// Put each key's rows in time order (empty first; ties in row order), as
    /// sorting the frame by (practice_id, key, at) would give them.
    pub(crate) fn sort_each_by(&mut self, at: &[Option<i64>]) {
        for k in 0..self.start.len() - 1 {
            let (a, b) = (self.start[k] as usize, self.start[k + 1] as usize);
            self.rows[a..b].sort_by_key(|&j| at[j as usize]);
        }
    }
}

pub fn build(config: &Config, cals: &Calendars, inputs: &Inputs, w: Window) -> Result<Facts> {
    build_with(config, cals, inputs, &Numbers::new(&inputs.calls)?, w)
}

/// `build`, with the call log's numbers already counted. A run builds a
/// practice's facts through its `store::Store`, which counts and logs them.
pub fn build_with(
    config: &Config,
    cals: &Calendars,
    inputs: &Inputs,
    numbers: &Numbers,
    w: Window,
) -> Result<Facts> {
    compute(config, cals, inputs, numbers, w)
}

fn compute(
    config: &Config,
    cals: &Calendars,
    inputs: &Inputs,
    numbers: &Numbers,
    w: Window,
) -> Result<Facts> {
    let t = Tasks::read(config, inputs)?;
    let a = Attempts::read(inputs, &t, numbers)?;
    let c = Calls::read(inputs, numbers)?;
    let ap = Appointments::read(inputs)?;
    let mut scratch = attempts::Scratch::default();
    let claims = Claims::new(&t, &a, &c, &mut scratch, w);
    let targets = targets(config, cals);
    let ctx = Ctx {
        config,
        cals,
        w,
        t: &t,
        a: &a,
        c: &c,
        ap: &ap,
        claims: &claims,
        targets: &targets,
    };
    let mut work = Work {
        scratch,
        ..Default::default()
    };
    let n = inputs.tasks.height();
    let mut rows = Rows {
        in_range: Vec::with_capacity(n),
        week_idx: Vec::with_capacity(n),
        ..Default::default()
    };
    // Tasks come sorted by practice: look the practice up when it changes.
    let mut practice: Option<PracticeState> = None;
    for i in 0..n {
        let p_id = t.pid[i].context("task without practice_id")?;
        if practice.as_ref().map_or(true, |s| s.id != p_id) {
            practice = Some(ctx.practice(p_id)?);
        }
        let state = practice.as_mut().expect("set above");
        rows.push(&ctx, state, &mut work, i)?;
    }
    let Rows {
        mut f,
        week_labels,
        week_idx,
        in_range,
        ..
    } = rows;
    f.iso_week = week_idx.iter().map(|&k| week_labels[k].as_str()).collect();
    let df = f.into_frame(&inputs.tasks)?;
    Ok(Facts { df, in_range })
}

/// Target labels, formatted once per category rather than once per task.
fn targets<'a>(config: &'a Config, cals: &Calendars) -> HashMap<(&'a str, &'a str), String> {
    config
        .practices
        .iter()
        .filter(|p| cals.0.contains_key(&p.id))
        .flat_map(|p| {
            p.categories
                .iter()
                .map(move |(name, c)| ((p.id.as_str(), name.as_str()), c.target.to_string()))
        })
        .collect()
}

/// Everything a task's facts are computed from.
struct Ctx<'a> {
    config: &'a Config,
    cals: &'a Calendars,
    w: Window,
    t: &'a Tasks<'a>,
    a: &'a Attempts<'a>,
    c: &'a Calls,
    ap: &'a Appointments<'a>,
    claims: &'a Claims,
    targets: &'a HashMap<(&'a str, &'a str), String>,
}

/// The practice of the tasks being walked: its calendar, local days, and its
/// category (and target label) of each category code.
struct PracticeState<'a> {
    id: &'a str,
    cal: &'a Calendar,
    clock: LocalDays<'a>,
    cat_of: Vec<Option<(&'a Category, Option<&'a str>)>>,
}

impl<'a> Ctx<'a> {
    fn practice(&self, p_id: &'a str) -> Result<PracticeState<'a>> {
        let p = self
            .config
            .practice(p_id)
            .with_context(|| format!("practice {p_id} is in the lake but not in the config"))?;
        let cat_of = (self.t.cat_names.iter())
            .map(|&name| {
                let label = self.targets.get(&(p_id, name)).map(String::as_str);
                p.categories.get(name).map(|c| (c, label))
            })
            .collect();
        Ok(PracticeState {
            id: p_id,
            cal: &self.cals.0[p_id],
            clock: LocalDays::new(p),
            cat_of,
        })
    }
}

/// Scratch space reused from task to task.
#[derive(Default)]
struct Work<'a> {
    scratch: attempts::Scratch,
    calls_out: Vec<(usize, i64)>,
    candidates: Vec<usize>,
    days: Vec<i64>,
    // Notes repeat heavily: classify each distinct text once.
    note_quality: HashMap<&'a str, NoteQuality>,
}

/// The facts as they are filled, with the ISO week labels seen.
#[derive(Default)]
struct Rows<'a> {
    f: Cols<'a>,
    weeks: HashMap<NaiveDate, usize>,
    week_labels: Vec<String>,
    week_idx: Vec<usize>,
    in_range: Vec<bool>,
}

impl<'a> Rows<'a> {
    /// Task `i`'s facts.
    fn push(
        &mut self,
        ctx: &Ctx<'a>,
        state: &mut PracticeState<'a>,
        work: &mut Work<'a>,
        i: usize,
    ) -> Result<()> {
        let (t, w, cal) = (ctx.t, ctx.w, state.cal);
        let cat_and_label = t.category[i].and_then(|k| state.cat_of[k as usize]);
        let cat = cat_and_label.map(|c| c.0);
        let created_at = t.created[i].context("task without created_at")?;
        let (cdate, wd, hour) = state.clock.at(created_at);
        self.in_range
            .push(cdate >= w.from_date && cdate <= w.to_date);
        let out = outreach(ctx, work, i, cat, cal)?;
        let deadline = cat.and_then(|c| cal.deadline(created_at, c.target));
        let met = match (out.first_attempt, deadline) {
            (Some(fa), Some(d)) => Some(fa <= d),
            (None, Some(d)) if d <= w.as_of => Some(false),
            _ => None,
        };
        let f = &mut self.f;
        f.created_date.push(cdate.num_days_from_ce() - EPOCH_DAYS);
        let (weeks, labels) = (&mut self.weeks, &mut self.week_labels);
        self.week_idx.push(*weeks.entry(cdate).or_insert_with(|| {
            labels.push(iso_week(cdate));
            labels.len() - 1
        }));
        f.weekday.push(wd as i32);
        f.hour.push(hour as i32);
        f.clock_start.push(cal.clock_start(created_at));
        f.deadline.push(deadline);
        f.target.push(cat_and_label.and_then(|c| c.1));
        f.minutes_first.push(
            out.first_attempt
                .map(|fa| cal.minutes_between(created_at, fa)),
        );
        f.met.push(met);
        let closed_at = t.closure(i);
        f.terminal.push(t.terminal(i));
        f.closed_at.push(closed_at);
        f.minutes_completion
            .push(closed_at.map(|x| cal.minutes_between(created_at, x)));
        // How long the task was watched: to its closure or as of, whichever is first.
        f.minutes_observed
            .push(cal.minutes_between(created_at, t.window_end(i, w)).max(0.0));
        f.unowned.push(t.owner[i].is_none());
        out.push_into(f);
        let visit = appointment(ctx, work, f, (i, state.id));
        // Outcomes at a fixed age (docs/METRICS.md, "maturity"): empty until the
        // age has ended by as of.
        let ages = cat.map(|c| c.maturity).unwrap_or_default();
        let ended = |age| cal.age_end(created_at, age).filter(|&e| e <= w.as_of);
        let by = |age, at: Option<i64>| ended(age).map(|e| at.is_some_and(|x| x <= e));
        f.reached_in_age.push(by(ages.reached, out.first_contact));
        f.completed_in_age.push(by(ages.completed, closed_at));
        f.booked_in_age.push(by(ages.booked, visit.booked_at));
        let in_age = by(ages.kept, visit.start);
        f.visit_in_age.push(in_age);
        f.kept_in_age.push(
            in_age
                .filter(|&v| v)
                .and(visit.status.map(AppointmentStatus::is_kept)),
        );
        Ok(())
    }
}

/// When a task's appointment was booked and when and how its visit went, for the
/// outcomes at a fixed age.
struct Visit {
    /// The first of its candidate appointments' creation; for a booking on the
    /// task's word alone, the task's closure.
    booked_at: Option<i64>,
    start: Option<i64>,
    status: Option<AppointmentStatus>,
}

/// What a task's attempts give (model::attempts).
struct Outreach {
    first_attempt: Option<i64>,
    source: Option<&'static str>,
    first_contact: Option<i64>,
    attempts: usize,
    left_message: bool,
    discipline: Discipline,
    notes: (i32, i32, i32),
}

impl Outreach {
    fn push_into(&self, f: &mut Cols) {
        f.first_attempt.push(self.first_attempt);
        f.source.push(self.source);
        f.attempts.push(self.attempts as i32);
        f.first_contact.push(self.first_contact);
        f.reached.push(self.first_contact.is_some());
        f.left_message.push(self.left_message);
        let d = &self.discipline;
        f.closed_unable_early.push(d.closed_unable_early);
        f.early.push(d.early);
        f.over_max.push(d.over_max);
        f.final_ok.push(d.final_ok);
        f.poor.push(self.notes.0);
        f.partial.push(self.notes.1);
        f.complete.push(self.notes.2);
    }
}

/// The task's attempts: outreach rows from its creation, and outbound calls to
/// its number from its creation to its closure (or as of) that no other task's
/// row recorded, merged; counted up to the first contact its outreach made.
fn outreach<'a>(
    ctx: &Ctx<'a>,
    work: &mut Work<'a>,
    i: usize,
    cat: Option<&Category>,
    cal: &Calendar,
) -> Result<Outreach> {
    let (t, a, c, claims) = (ctx.t, ctx.a, ctx.c, ctx.claims);
    let created_at = t.created[i].context("task without created_at")?;
    let window_end = t.window_end(i, ctx.w);
    let rows = a.by_task.get(a.task_key[i]);
    let out_rows = &claims.rows[claims.rows_at[i]..claims.rows_at[i + 1]];
    work.calls_out.clear();
    work.calls_out.extend(
        claims.calls[claims.calls_at[i]..claims.calls_at[i + 1]]
            .iter()
            .copied()
            .filter(|&(j, _)| attempts::unclaimed(i as u32, j, &claims.owner)),
    );
    let all = work.scratch.merge(out_rows, &work.calls_out);

    // Contact: a row logged on the task (any direction) whose outcome reached
    // the patient, an attempt that reached the patient (its row's outcome; a
    // call alone that connected), or an answered call from the patient's
    // number. Counting attempts stops at the first of the first two.
    let contact_row = (rows.iter().map(|&j| j as usize))
        .filter(|&j| a.contact[j])
        .filter_map(|j| a.at[j].filter(|&x| x >= created_at))
        .next();
    let reaching = all
        .iter()
        .find(|x| x.reached(|j| a.contact[j], |k| c.connected[k]))
        .map(|x| x.at());
    let contact_in = (c.inbound.get(a.phone_key[i]).iter().map(|&j| j as usize))
        .filter(|&j| c.connected[j] && c.at[j].is_some_and(|x| x >= created_at && x <= window_end))
        .find_map(|j| c.at[j]);
    let stop = attempts::stop_contact(contact_row, reaching);
    let counted = attempts::until_contact(all, stop);
    Ok(Outreach {
        first_attempt: all.first().map(|x| x.at()),
        source: all.first().map(|x| x.source().as_str()),
        first_contact: stop.into_iter().chain(contact_in).min(),
        attempts: counted.len(),
        // A message left by any of the task's outreach (from its creation, by as of).
        left_message: all.iter().any(|x| {
            x.row.is_some_and(|(j, _)| a.left_message[j])
                || x.call.is_some_and(|(j, _)| c.voicemail[j])
        }),
        discipline: discipline(ctx, counted, (i, cat, cal), &mut work.days),
        notes: notes(a, counted, &mut work.note_quality),
    })
}

/// Attempt discipline against the category's rules, over the counted attempts.
struct Discipline {
    closed_unable_early: bool,
    early: bool,
    over_max: bool,
    final_ok: Option<bool>,
}

fn discipline(
    ctx: &Ctx,
    counted: &[attempts::Attempt],
    (i, cat, cal): (usize, Option<&Category>, &Calendar),
    days: &mut Vec<i64>,
) -> Discipline {
    let (max, gap, final_channel) = cat
        .map(|c| {
            (
                c.max_attempts as usize,
                c.min_gap_days as i64,
                c.final_channel.as_str(),
            )
        })
        .unwrap_or((usize::MAX, 0, ""));
    let n = counted.len();
    days.clear();
    if gap > 0 {
        days.extend(
            counted
                .iter()
                .filter_map(|x| cal.business_day_index(x.at())),
        );
    }
    let channel_of = |x: &attempts::Attempt| match x.row {
        Some((j, _)) => ctx.a.channel[j],
        None => Some(Channel::Phone.as_str()),
    };
    Discipline {
        closed_unable_early: ctx.t.status[i] == Some(Status::UnableToReach) && n < max,
        early: gap > 0 && days.windows(2).any(|d| d[1] - d[0] < gap),
        over_max: n > max,
        final_ok: (n >= max && max != usize::MAX)
            .then(|| channel_of(&counted[max - 1]) == Some(final_channel)),
    }
}

/// The counted attempts' notes by quality: (poor, partial, complete).
fn notes<'a>(
    a: &Attempts<'a>,
    counted: &[attempts::Attempt],
    note_quality: &mut HashMap<&'a str, NoteQuality>,
) -> (i32, i32, i32) {
    let (mut poor, mut partial, mut complete) = (0, 0, 0);
    for &(j, _) in counted.iter().filter_map(|x| x.row.as_ref()) {
        let quality = match a.note[j] {
            None => classify(None),
            Some(note) => *note_quality
                .entry(note)
                .or_insert_with(|| classify(Some(note))),
        };
        match quality {
            NoteQuality::Poor => poor += 1,
            NoteQuality::Partial => partial += 1,
            NoteQuality::Complete => complete += 1,
        }
    }
    (poor, partial, complete)
}

/// The task's appointment: booked (an appointment, or an appointment_id the
/// export does not hold: booked by the task's word, kept unknown) and kept.
fn appointment<'a>(
    ctx: &Ctx<'a>,
    work: &mut Work,
    f: &mut Cols<'a>,
    (i, p_id): (usize, &str),
) -> Visit {
    let (t, ap) = (ctx.t, ctx.ap);
    let (appt, unknown_ref) = ap.of_task(&mut work.candidates, (p_id, t.appt_ref[i], t.tid[i]));
    let appt_status = appt.and_then(|j| ap.status[j]);
    let kept = appt.and_then(|j| {
        // Empty until the visit's start has passed, or while its status is
        // unknown (seen before its first exported version).
        ap.start[j].filter(|&s| s <= ctx.w.as_of)?;
        appt_status.map(AppointmentStatus::is_kept)
    });
    f.booked.push(appt.is_some() || unknown_ref);
    f.kept.push(kept);
    f.appt_id.push(
        appt.and_then(|j| ap.id[j])
            .or(t.appt_ref[i].filter(|_| unknown_ref)),
    );
    f.appt_status
        .push(appt_status.map(AppointmentStatus::as_str));
    let booked_at = if unknown_ref {
        t.closure(i)
    } else {
        work.candidates.iter().filter_map(|&j| ap.created[j]).min()
    };
    f.booked_at.push(booked_at);
    Visit {
        booked_at,
        start: appt.and_then(|j| ap.start[j]),
        status: appt_status,
    }
}

/// Days from 0001-01-01 to 1970-01-01, to store dates as polars `Date`.
pub const EPOCH_DAYS: i32 = 719_163;

#[cfg(test)]
#[path = "facts_tests.rs"]
mod tests;
