//! Tasks and patient records: how tasks are created and change status, the
//! ways they leave the queue without anyone calling (duplicates, impatient
//! patients, a clean-up after a bad week), and the versions written out at the
//! end of each period.

use super::calendar::{self, Ts, BUSINESS_DAY, DAY, HOUR, MINUTE};
use super::model::*;
use super::names;
use super::sim::{Caller, Ev, Sim};
use rand::Rng;

/// Where a task is in its workflow, which decides what the next touch is.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Stage {
    Outreach,
    Callback,
    Reply,
    WrongNumber,
    AfterInsurance,
}

pub(super) struct Task {
    pub(super) row: TaskRow,
    /// The lane that works it now; a routed clinical question changes it.
    pub(super) work: Cat,
    pub(super) stage: Stage,
    /// Bumped whenever the next step is replanned, so stale queue entries and
    /// events are ignored instead of searched for and removed.
    pub(super) gen: u32,
    pub(super) attempts: u8,
    pub(super) first_attempt: Option<Ts>,
    /// Attempt after which this task is closed too early (0: never); always
    /// below the category's maximum.
    pub(super) give_up_after: u8,
    pub(super) extra_attempt: bool,
    /// The next attempt is a call the patient is owed: one they asked for, or
    /// the call after an insurance review. Later tries follow the rule again.
    pub(super) call_owed: bool,
    pub(super) unclear: bool,
    pub(super) reply_channel: Channel,
    pub(super) dirty: bool,
}

pub(super) struct Patient {
    pub(super) first: u16,
    pub(super) last: u16,
    pub(super) phone: u64,
    pub(super) style: u8,
    pub(super) channel: Pref,
    pub(super) window: Window,
    pub(super) do_not_call: bool,
    pub(super) bad_phone: bool,
    pub(super) updated: Ts,
    pub(super) dirty: bool,
    pub(super) open_missed: Option<u32>,
}

impl Sim {
    pub(super) fn touch(&mut self, k: u32, at: Ts) {
        let t = &mut self.tasks[k as usize];
        t.row.updated = t.row.updated.max(at);
        if !t.dirty {
            t.dirty = true;
            self.dirty_tasks.push(k);
        }
    }

    pub(super) fn set_status(&mut self, k: u32, status: Status, at: Ts) {
        let t = &mut self.tasks[k as usize];
        t.row.status = status;
        t.row.status_at = at;
        if status.terminal() {
            t.row.closed = Some(at);
            t.gen += 1;
            let p = t.row.patient as usize;
            if self.patients[p].open_missed == Some(k) {
                self.patients[p].open_missed = None;
            }
        }
        self.touch(k, at);
    }

    pub(super) fn touch_patient(&mut self, p: u32, at: Ts) {
        let pt = &mut self.patients[p as usize];
        pt.updated = pt.updated.max(at);
        if !pt.dirty {
            pt.dirty = true;
            self.dirty_patients.push(p);
        }
    }

    pub(super) fn touch_appt(&mut self, a: u32, at: Ts) {
        let ap = &mut self.appts[a as usize];
        ap.row.updated = ap.row.updated.max(at);
        if !ap.dirty {
            ap.dirty = true;
            self.dirty_appts.push(a);
        }
    }

    pub(super) fn new_patient(&mut self, updated: Ts) -> u32 {
        let r = &mut self.rng;
        let area = if r.gen_bool(0.8) {
            self.area
        } else {
            names::AREA_CODES[r.gen_range(0..names::AREA_CODES.len())]
        };
        let channel = draw_channel(r);
        let window = draw_window(r);
        let p = Patient {
            first: r.gen_range(0..names::FIRST.len() as u16),
            last: r.gen_range(0..names::LAST.len() as u16),
            phone: names::phone(r, area),
            style: r.gen_range(0..3),
            channel,
            window,
            do_not_call: r.gen_bool(0.03),
            bad_phone: r.gen_bool(0.04),
            updated,
            dirty: false,
            open_missed: None,
        };
        self.patients.push(p);
        let id = self.patients.len() as u32 - 1;
        self.active.push(id);
        if self.panel > 0 && self.active.len() > self.panel {
            // Someone else (not the newcomer, last) leaves the practice.
            let leaves = self.rng.gen_range(0..self.active.len() - 1);
            self.active.swap_remove(leaves);
        }
        self.touch_patient(id, updated);
        id
    }

    /// A patient of the practice, at random.
    pub(super) fn random_patient(&mut self) -> u32 {
        self.active[self.rng.gen_range(0..self.active.len())]
    }

    /// The practice's existing patients; the first period's file carries them all
    /// so the contact list is complete from the start.
    pub(super) fn seed_patients(&mut self) {
        let n = (2400.0 * self.scale.of(Queue::FrontDesk)).round() as usize;
        for _ in 0..n.max(50) {
            let back = self.rng.gen_range(1..900) * DAY + self.rng.gen_range(8 * HOUR..18 * HOUR);
            self.new_patient(self.start - back);
        }
        self.panel = self.active.len();
    }

    /// A patient changes one preference, drawn as a new patient's is, so the mix
    /// of preferences stays the same over time (the simulation is stationary).
    pub(super) fn update_preferences(&mut self, p: u32, t: Ts) {
        let r = &mut self.rng;
        let pt = &mut self.patients[p as usize];
        if r.gen_bool(0.5) {
            pt.channel = draw_channel(r);
        } else {
            pt.window = draw_window(r);
        }
        self.touch_patient(p, t);
    }

    pub(super) fn create_task(
        &mut self,
        t: Ts,
        cat: Cat,
        patient: Option<u32>,
        line: Queue,
        barrier: Option<Barrier>,
    ) -> u32 {
        let patient = match patient {
            Some(p) => p,
            None if cat == Cat::NewPatient || (cat == Cat::Referral && self.rng.gen_bool(0.6)) => {
                self.new_patient(t)
            }
            None => self.random_patient(),
        };
        // A planted routing sends the category's new tasks of some hours to
        // another lane, whose people then work them.
        let routed = self.routes[calendar::weekday_of(t)][calendar::hour_of(t) as usize]
            [cat as usize]
            .filter(|&q| q != cat.queue());
        let line = routed.unwrap_or(line);
        let work = match line {
            _ if routed.is_some() => line.lane(),
            Queue::FrontDesk => cat,
            // A missed call on another line is worked by that line's people.
            other if cat == Cat::MissedCall => other.lane(),
            _ => cat,
        };
        let urgent = self.rng.gen_bool(match cat {
            Cat::InsuranceDocuments => 0.10,
            Cat::Referral => 0.085,
            Cat::ClinicalQuestion => 0.15,
            Cat::NewPatient => 0.04,
            _ => 0.02,
        });
        let target = if urgent {
            cat.urgent_target()
        } else {
            cat.target()
        };
        let deadline = self.cal.add(t, target);
        let due = (cat != Cat::CareGap).then_some(deadline);
        let workers: Vec<StaffIx> = (0..self.staff.len())
            .filter(|&s| self.staff[s].works[work as usize])
            .map(|s| s as StaffIx)
            .collect();
        let assigned = if workers.is_empty() || self.rng.gen_bool(0.12) {
            None
        } else {
            Some(workers[self.rng.gen_range(0..workers.len())])
        };
        // A few tasks are closed after fewer attempts than their rule allows
        // (impossible when the rule allows only one).
        let max = self.rules[cat as usize].max;
        let give_up_after = if self.rng.gen_bool(0.085) && max > 1 {
            self.rng.gen_range(1..max)
        } else {
            0
        };
        let k = self.tasks.len() as u32;
        self.tasks.push(Task {
            row: TaskRow {
                period: 0,
                id: k,
                patient,
                phone: self.patients[patient as usize].phone,
                cat,
                created: t,
                due,
                assigned,
                queue: line,
                urgent,
                status: Status::Open,
                status_at: t,
                closed: None,
                callback: None,
                barrier,
                appointment: None,
                updated: t,
            },
            work,
            stage: Stage::Outreach,
            gen: 0,
            attempts: 0,
            first_attempt: None,
            give_up_after,
            extra_attempt: self.rng.gen_bool(0.04),
            call_owed: false,
            unclear: cat == Cat::Referral && self.rng.gen_bool(0.08),
            reply_channel: Channel::Text,
            dirty: false,
        });
        self.touch(k, t);
        if cat == Cat::MissedCall {
            self.patients[patient as usize].open_missed = Some(k);
        }
        if self.rng.gen_bool(0.02) {
            let at = self.cal.add(t, self.rng.gen_range(30 * MINUTE..6 * HOUR));
            self.push(at, Ev::Duplicate { task: k });
        }
        if matches!(cat, Cat::NewPatient | Cat::MissedCall) {
            let at = self.cal.add(t, self.rng.gen_range(90 * MINUTE..4 * HOUR));
            self.push(at, Ev::Nudge { task: k });
        }
        self.schedule_ready(k, t, deadline);
        k
    }

    /// When the queue has run days behind, someone clears out what is no longer
    /// worth a call: it keeps a bad month from turning into a permanent backlog,
    /// and it leaves the early closures the discipline reports look for.
    pub(super) fn clean_up(&mut self, now: Ts) {
        let mut stale = Vec::new();
        for set in &self.ready {
            for &(deadline, k, gen) in set.iter() {
                if self.cal.between(deadline, now) <= 3 * BUSINESS_DAY {
                    break;
                }
                if self.is_live(k, gen) {
                    stale.push(k);
                }
            }
        }
        stale.sort_unstable();
        for k in stale {
            let task = &self.tasks[k as usize];
            let (status, note) = match (task.attempts, task.row.cat) {
                (0, Cat::NewPatient) => (
                    Status::Cancelled,
                    "no response in 3 days, assume pt went elsewhere",
                ),
                (0, _) => (Status::Cancelled, "stale, closed in queue cleanup"),
                _ => (Status::UnableToReach, "queue cleanup"),
            };
            let by = task.row.assigned;
            let at = now + self.rng.gen_range(0..20 * MINUTE);
            self.set_status(k, status, at);
            self.status_change(k, at, by, note);
        }
    }

    /// Someone who asked for a call and has not had one tries the office
    /// again, or gives up and books elsewhere.
    pub(super) fn nudge(&mut self, k: u32, t: Ts) {
        let task = &self.tasks[k as usize];
        if task.row.closed.is_some() || task.attempts > 0 {
            return;
        }
        let (line, patient, by) = (task.row.queue, task.row.patient, task.row.assigned);
        let r: f64 = self.rng.gen();
        if r < 0.35 {
            let at = if self.cal.is_open(t) {
                t
            } else {
                self.cal.next_open(t) + self.rng.gen_range(0..HOUR)
            };
            self.push(
                at,
                Ev::Call {
                    line,
                    caller: Caller::Patient(patient),
                    about: Some(k),
                },
            );
        } else if r < 0.42 && task.row.cat == Cat::NewPatient {
            self.set_status(k, Status::Cancelled, t);
            self.status_change(k, t, by, "pt called back, scheduled elsewhere");
        }
    }

    /// Some tasks turn out to duplicate another one and are cancelled unworked.
    pub(super) fn cancel_duplicate(&mut self, k: u32, t: Ts) {
        let task = &self.tasks[k as usize];
        if task.row.closed.is_some() || task.attempts > 0 {
            return;
        }
        let by = task.row.assigned;
        self.set_status(k, Status::Cancelled, t);
        let note = if self.rng.gen_bool(0.5) {
            "dup task"
        } else {
            "duplicate, pt already scheduled"
        };
        self.status_change(k, t, by, note);
    }

    /// A plain status change in the activity report: no channel, no result.
    pub(super) fn status_change(&mut self, k: u32, at: Ts, by: Option<StaffIx>, note: &str) {
        let note = note.to_string();
        self.activity(
            k,
            at,
            Channel::StatusChange,
            false,
            Outcome::None,
            by,
            note,
            None,
        );
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn activity(
        &mut self,
        task: u32,
        at: Ts,
        channel: Channel,
        incoming: bool,
        outcome: Outcome,
        staff: Option<StaffIx>,
        note: String,
        callback: Option<Ts>,
    ) {
        if at >= self.end {
            return;
        }
        self.next_activity += 1;
        self.out.activities.push(ActivityRow {
            period: self.period_of(at),
            id: self.next_activity,
            task,
            at,
            channel,
            incoming,
            outcome,
            staff,
            note,
            callback,
        });
    }

    /// The lead-in is over and the first written day begins: forget what changed
    /// during the lead-in, except that the first period's task file lists every
    /// task still open (with its real creation time, like a backlog report run
    /// on the first day) and the first period's patients file the whole patient
    /// list, as a run without a lead-in does. An appointment or a closed task
    /// is written when it next changes, like the visits booked before `start`
    /// in a run without a lead-in. Anything already stamped on or after the
    /// first written day stays marked.
    pub(super) fn begin_written(&mut self) {
        let from = self.written;
        for k in std::mem::take(&mut self.dirty_tasks) {
            self.tasks[k as usize].dirty = false;
        }
        for k in 0..self.tasks.len() as u32 {
            let t = &mut self.tasks[k as usize];
            if t.row.closed.is_none() || t.row.updated >= from {
                t.dirty = true;
                self.dirty_tasks.push(k);
            }
        }
        for a in std::mem::take(&mut self.dirty_appts) {
            let ap = &mut self.appts[a as usize];
            if ap.row.updated >= from {
                self.dirty_appts.push(a);
            } else {
                ap.dirty = false;
            }
        }
        for p in 0..self.patients.len() as u32 {
            let pt = &mut self.patients[p as usize];
            if !pt.dirty {
                pt.dirty = true;
                self.dirty_patients.push(p);
            }
        }
    }

    /// Emit the current state of everything that changed in the period now ending.
    pub(super) fn flush(&mut self) {
        let period = self.period;
        self.dirty_tasks.sort_unstable();
        for k in std::mem::take(&mut self.dirty_tasks) {
            let t = &mut self.tasks[k as usize];
            t.dirty = false;
            self.out.tasks.push(TaskRow {
                period,
                ..t.row.clone()
            });
        }
        self.dirty_appts.sort_unstable();
        for a in std::mem::take(&mut self.dirty_appts) {
            let ap = &mut self.appts[a as usize];
            ap.dirty = false;
            self.out.appointments.push(ApptRow {
                period,
                ..ap.row.clone()
            });
        }
        self.dirty_patients.sort_unstable();
        for p in std::mem::take(&mut self.dirty_patients) {
            let pt = &mut self.patients[p as usize];
            pt.dirty = false;
            self.out.patients.push(PatientRow {
                period,
                patient: p,
                first: pt.first,
                last: pt.last,
                phone: pt.phone,
                style: pt.style,
                channel: pt.channel,
                window: pt.window,
                do_not_call: pt.do_not_call,
                updated: pt.updated,
            });
        }
    }

    pub(super) fn finish(mut self) -> SimOutput {
        self.out.facts = self
            .tasks
            .iter()
            .map(|t| TaskFact {
                cat: t.row.cat,
                created: t.row.created,
                first_attempt: t.first_attempt,
                attempts: t.attempts,
                status: t.row.status,
            })
            .collect();
        self.out.staff_busy = self.staff.iter().map(|s| s.busy).collect();
        self.out.patient_names = self.patients.iter().map(|p| (p.first, p.last)).collect();
        let (lead_in, from) = (self.lead_in_days(), self.written);
        let o = &mut self.out;
        if lead_in > 0 {
            // Calls and activity during the lead-in are not written.
            o.calls.retain(|r| r.start >= from);
            o.activities.retain(|r| r.at >= from);
        }
        o.calls.sort_by_key(|r| (r.period, r.start, r.id));
        o.activities.sort_by_key(|r| (r.period, r.at, r.id));
        // Rows were numbered as the simulation recorded them, which is not quite
        // time order; a phone system numbers calls as they start.
        let mut sessions = vec![0u32; self.next_session as usize + 1];
        let mut next_session = 0;
        for (i, r) in o.calls.iter_mut().enumerate() {
            r.id = i as u32 + 1;
            let s = &mut sessions[r.session as usize];
            if *s == 0 {
                next_session += 1;
                *s = next_session;
            }
            r.session = *s;
        }
        for (i, r) in o.activities.iter_mut().enumerate() {
            r.id = i as u32 + 1;
        }
        o.tasks.sort_by_key(|r| (r.period, r.updated, r.id));
        o.appointments.sort_by_key(|r| (r.period, r.updated, r.id));
        o.patients.sort_by_key(|r| (r.period, r.updated, r.patient));
        self.out
    }
}

/// A patient's preferred channel, as the practice's patients are spread over them.
fn draw_channel(r: &mut impl Rng) -> Pref {
    match r.gen_range(0..100) {
        0..=54 => Pref::Phone,
        55..=79 => Pref::Sms,
        80..=89 => Pref::Email,
        _ => Pref::Portal,
    }
}

/// A patient's preferred time of day, as the practice's patients are spread.
fn draw_window(r: &mut impl Rng) -> Window {
    match r.gen_range(0..100) {
        0..=44 => Window::Any,
        45..=69 => Window::Morning,
        70..=89 => Window::Afternoon,
        _ => Window::Evening,
    }
}
