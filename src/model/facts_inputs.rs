//! What task facts read from the loaded inputs, as plain vectors read once per
//! build: the tasks' and attempts' columns (statuses and outcomes as codes), the
//! calls by number, the appointments by id and by task, and which task's phone
//! row recorded each call (`model::attempts::claim`).

use super::attempts;
use super::domain::{AppointmentStatus, CallOutcome, Channel, Direction, Outcome, Status};
use super::facts::Buckets;
use super::load::{codes, parsed, strs, times, Inputs, Window};
use super::numbers::Numbers;
use super::rules;
use crate::config::Config;
use anyhow::Result;
use polars::prelude::PlHashMap as HashMap;

pub(super) type Key<'a> = (&'a str, &'a str);

/// The tasks' columns.
pub(super) struct Tasks<'a> {
    pub pid: Vec<Option<&'a str>>,
    pub tid: Vec<Option<&'a str>>,
    pub phone: Vec<Option<&'a str>>,
    /// Every category name the config knows, sorted; `category` codes index it.
    pub cat_names: Vec<&'a str>,
    pub category: Vec<Option<u8>>,
    /// The status, or None for an empty cell or one the lake does not know.
    pub status: Vec<Option<Status>>,
    pub owner: Vec<Option<&'a str>>,
    pub appt_ref: Vec<Option<&'a str>>,
    pub created: Vec<Option<i64>>,
    pub closed_raw: Vec<Option<i64>>,
    pub status_at: Vec<Option<i64>>,
}

impl<'a> Tasks<'a> {
    pub fn read(config: &'a Config, inputs: &'a Inputs) -> Result<Tasks<'a>> {
        let t = &inputs.tasks;
        let mut cat_names: Vec<&str> = config
            .practices
            .iter()
            .flat_map(|p| p.categories.keys().map(String::as_str))
            .collect();
        cat_names.sort_unstable();
        cat_names.dedup();
        Ok(Tasks {
            pid: strs(t, "practice_id")?,
            tid: strs(t, "task_id")?,
            phone: strs(t, "phone_key")?,
            category: codes(t, "category", &cat_names)?,
            cat_names,
            status: parsed(t, "status")?,
            owner: strs(t, "owner")?,
            appt_ref: strs(t, "appointment_id")?,
            created: times(t, "created_at")?,
            closed_raw: times(t, "closed_at")?,
            status_at: times(t, "status_at")?,
        })
    }

    /// Whether the task's status ends it (`model::rules`).
    pub fn terminal(&self, i: usize) -> bool {
        self.status[i].is_some_and(Status::is_terminal)
    }

    /// A terminal task's closure (the export's, else its status time).
    pub fn closure(&self, i: usize) -> Option<i64> {
        if self.terminal(i) {
            self.closed_raw[i].or(self.status_at[i])
        } else {
            None
        }
    }

    /// The end of a task's window: its closure or as of, whichever is first.
    pub fn window_end(&self, i: usize, w: Window) -> i64 {
        self.closure(i).unwrap_or(w.as_of).min(w.as_of)
    }
}

/// The attempts' columns, outcomes compared once per row rather than once per
/// task that looks at it.
pub(super) struct Attempts<'a> {
    pub at: Vec<Option<i64>>,
    pub channel: Vec<Option<&'a str>>,
    pub note: Vec<Option<&'a str>>,
    pub contact: Vec<bool>,
    pub left_message: Vec<bool>,
    pub outreach: Vec<bool>,
    pub phone: Vec<bool>,
    /// Each task's rows (by `TaskKeys`), in time order.
    pub by_task: Buckets,
    /// Each task's key, and each task's number's key in the call log.
    pub task_key: Vec<Option<u32>>,
    pub phone_key: Vec<Option<u32>>,
}

impl<'a> Attempts<'a> {
    pub fn read(inputs: &'a Inputs, t: &Tasks<'a>, numbers: &Numbers) -> Result<Attempts<'a>> {
        let a = &inputs.attempts;
        let a_pid = strs(a, "practice_id")?;
        let a_tid = strs(a, "task_id")?;
        let at = times(a, "at")?;
        let channel = strs(a, "channel")?;
        let dir = parsed::<Direction>(a, "direction")?;
        let outcome = parsed::<Outcome>(a, "outcome")?;
        // Each task's attempts (by its practice and task id) and the calls with
        // its number, as dense ids.
        let mut keys = TaskKeys::default();
        let n = t.pid.len();
        let task_key: Vec<Option<u32>> = (0..n).map(|i| keys.insert(t.pid[i], t.tid[i])).collect();
        let phone_key = (0..n).map(|i| numbers.get(t.pid[i], t.phone[i])).collect();
        let a_key: Vec<Option<u32>> = (0..a.height())
            .map(|j| keys.get(a_pid[j], a_tid[j]))
            .collect();
        let mut by_task = Buckets::new(keys.0.len(), a_key.iter().copied());
        by_task.sort_each_by(&at);
        Ok(Attempts {
            contact: (outcome.iter())
                .map(|o| o.is_some_and(attempts::is_contact))
                .collect(),
            left_message: (outcome.iter())
                .map(|o| *o == Some(Outcome::LeftMessage))
                .collect(),
            outreach: (0..a.height())
                .map(|j| {
                    attempts::is_outreach(
                        channel[j].is_some(),
                        dir[j] == Some(Direction::Inbound),
                        outcome[j] == Some(Outcome::StatusChange),
                    )
                })
                .collect(),
            phone: (channel.iter())
                .map(|c| *c == Some(Channel::Phone.as_str()))
                .collect(),
            note: strs(a, "note")?,
            at,
            channel,
            by_task,
            task_key,
            phone_key,
        })
    }
}

/// Dense ids for the (practice_id, key) pairs of the tasks.
#[derive(Default)]
struct TaskKeys<'a>(HashMap<Key<'a>, u32>);

impl<'a> TaskKeys<'a> {
    fn insert(&mut self, p: Option<&'a str>, k: Option<&'a str>) -> Option<u32> {
        let key = (p?, k?);
        let next = self.0.len() as u32;
        Some(*self.0.entry(key).or_insert(next))
    }
    fn get(&self, p: Option<&str>, k: Option<&str>) -> Option<u32> {
        self.0.get(&(p?, k?)).copied()
    }
}

/// The calls: start, outcome, and the outbound and inbound calls per number (in
/// time order: the frame is sorted by time).
pub(super) struct Calls {
    pub at: Vec<Option<i64>>,
    pub connected: Vec<bool>,
    pub voicemail: Vec<bool>,
    pub outbound: Buckets,
    pub inbound: Buckets,
}

impl Calls {
    pub fn read(inputs: &Inputs, numbers: &Numbers) -> Result<Calls> {
        let c = &inputs.calls;
        let dir = parsed::<Direction>(c, "direction")?;
        let outcome = parsed::<CallOutcome>(c, "outcome")?;
        let direction = |want: Option<Direction>| {
            let dir = &dir;
            (numbers.of_call.iter().enumerate()).map(move |(j, k)| k.filter(|_| dir[j] == want))
        };
        Ok(Calls {
            at: times(c, "started_at")?,
            connected: (outcome.iter())
                .map(|o| *o == Some(CallOutcome::Connected))
                .collect(),
            voicemail: (outcome.iter())
                .map(|o| *o == Some(CallOutcome::Voicemail))
                .collect(),
            outbound: Buckets::new(numbers.list.len(), direction(Some(Direction::Outbound))),
            inbound: Buckets::new(numbers.list.len(), direction(Some(Direction::Inbound))),
        })
    }
}

/// The appointments by id and by the task they name, entered-in-error ones left
/// out (they never count and never hide a valid one).
pub(super) struct Appointments<'a> {
    pub id: Vec<Option<&'a str>>,
    pub status: Vec<Option<AppointmentStatus>>,
    pub created: Vec<Option<i64>>,
    pub start: Vec<Option<i64>>,
    by_id: HashMap<Key<'a>, usize>,
    by_task: HashMap<Key<'a>, Vec<usize>>,
    known: polars::prelude::PlHashSet<Key<'a>>,
}

impl<'a> Appointments<'a> {
    pub fn read(inputs: &'a Inputs) -> Result<Appointments<'a>> {
        let ap = &inputs.appointments;
        let pid = strs(ap, "practice_id")?;
        let id = strs(ap, "appointment_id")?;
        let task = strs(ap, "task_id")?;
        let status = parsed::<AppointmentStatus>(ap, "status")?;
        let mut by_id: HashMap<Key, usize> = HashMap::default();
        let mut by_task: HashMap<Key, Vec<usize>> = HashMap::default();
        let mut known: polars::prelude::PlHashSet<Key> = Default::default();
        for i in 0..ap.height() {
            if let (Some(p), Some(id)) = (pid[i], id[i]) {
                known.insert((p, id));
            }
            if status[i].is_some_and(AppointmentStatus::is_entered_in_error) {
                continue;
            }
            if let (Some(p), Some(id)) = (pid[i], id[i]) {
                by_id.insert((p, id), i);
            }
            if let (Some(p), Some(task)) = (pid[i], task[i]) {
                by_task.entry((p, task)).or_default().push(i);
            }
        }
        Ok(Appointments {
            id,
            status,
            created: times(ap, "created_at")?,
            start: times(ap, "start_at")?,
            by_id,
            by_task,
            known,
        })
    }

    /// The task's appointment (model::rules::appointment_rank): its own
    /// appointment_id, or any appointment naming the task; and whether its
    /// appointment_id is one the export does not hold (or holds only as entered
    /// in error).
    pub fn of_task(
        &self,
        candidates: &mut Vec<usize>,
        (p_id, appt_ref, tid): (&str, Option<&str>, Option<&str>),
    ) -> (Option<usize>, bool) {
        candidates.clear();
        candidates.extend(appt_ref.and_then(|a| self.by_id.get(&(p_id, a))).copied());
        if let Some(v) = tid.and_then(|t| self.by_task.get(&(p_id, t))) {
            candidates.extend(v.iter().copied());
        }
        let rank = |j: usize| {
            (
                rules::appointment_rank(self.status[j]),
                self.created[j],
                std::cmp::Reverse(self.id[j]),
            )
        };
        let appt = candidates.iter().copied().max_by_key(|&j| rank(j));
        let unknown_ref =
            appt.is_none() && appt_ref.is_some_and(|a| !self.known.contains(&(p_id, a)));
        (appt, unknown_ref)
    }
}

/// Each task's outreach rows and the calls to its number in its window (as
/// ranges into two flat lists), and which task's row recorded each call
/// (model::attempts::claim).
pub(super) struct Claims {
    pub rows: Vec<(usize, i64, bool)>,
    pub rows_at: Vec<usize>,
    pub calls: Vec<(usize, i64)>,
    pub calls_at: Vec<usize>,
    pub owner: Vec<Option<u32>>,
}

impl Claims {
    pub fn new(
        t: &Tasks,
        a: &Attempts,
        c: &Calls,
        scratch: &mut attempts::Scratch,
        w: Window,
    ) -> Claims {
        let mut out = Claims {
            rows: Vec::new(),
            rows_at: vec![0],
            calls: Vec::new(),
            calls_at: vec![0],
            owner: vec![None; c.at.len()],
        };
        for i in 0..t.pid.len() {
            if let Some(created_at) = t.created[i] {
                let window_end = t.window_end(i, w);
                let (r0, c0) = (out.rows.len(), out.calls.len());
                out.rows.extend(
                    (a.by_task.get(a.task_key[i]).iter().map(|&j| j as usize)).filter_map(|j| {
                        let at = a.at[j].filter(|&x| x >= created_at)?;
                        a.outreach[j].then_some((j, at, a.phone[j]))
                    }),
                );
                out.calls.extend(
                    (c.outbound.get(a.phone_key[i]).iter().map(|&j| j as usize)).filter_map(|j| {
                        Some((j, c.at[j].filter(|&x| x >= created_at && x <= window_end)?))
                    }),
                );
                scratch.claim(i as u32, &out.rows[r0..], &out.calls[c0..], &mut out.owner);
            }
            out.rows_at.push(out.rows.len());
            out.calls_at.push(out.calls.len());
        }
        out
    }
}
