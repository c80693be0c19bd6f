//! The attempt rule: what an outreach attempt on a task is, and where counting
//! stops. Written once here; task facts, the discipline flags, tomorrow's lists
//! and the staffing view all take a task's attempts from `merge`
//! (docs/METRICS.md, "attempts").
//!
//! - An **attempt row** is outreach when it has a channel, is not inbound and is
//!   not a status change (`is_outreach`).
//! - An **outbound call** in the call log to the task's number, from the task's
//!   creation to its closure (or *as of*), is outreach too.
//! - A phone attempt row and an outbound call that record the same action are
//!   one attempt: each phone row, in time order, takes the earliest call not yet
//!   taken that started within [`PAIR_MINUTES`] of it (staff log a call after
//!   it ends, or just before dialling). A call a row of one task took is that
//!   task's: another task with the same number does not count it (`claim`).
//! - An attempt happens at the earlier of its row and its call.
//! - Counting stops at the first contact the task's outreach made
//!   (`until_contact`, `stop_contact`): an attempt row whose outcome reached the
//!   patient (any direction: an inbound reply logged on the task), or a call
//!   alone (no row records it) that connected (`Attempt::reached`). A connected
//!   call whose row says otherwise (a wrong number, a message left with
//!   someone) did not reach the patient. The attempt that reached the patient
//!   counts; outreach after it is follow-up. An answered call *from* the number reaches the patient for
//!   the contact rate but does not stop the counting: the call log cannot say it
//!   was about this task. The lists count the attempts since the last such
//!   contact (`since_contact`): a new round of calling.

use super::domain::Outcome;

/// A phone attempt row and a call-log call at most this many minutes apart are
/// one attempt.
pub const PAIR_MINUTES: i64 = 30;
const PAIR_US: i64 = PAIR_MINUTES * 60_000_000;

/// Attempt-row outcomes that mean the patient was reached (docs/METRICS.md,
/// "contact-rate"), whatever the row's direction: an inbound reply that says so
/// is the patient reached.
pub const CONTACT_OUTCOMES: [Outcome; 6] = [
    Outcome::Reached,
    Outcome::Scheduled,
    Outcome::CallbackSet,
    Outcome::Declined,
    Outcome::ClinicalReview,
    Outcome::InsuranceReview,
];

/// Whether an attempt-row outcome means the patient was reached.
pub fn is_contact(o: Outcome) -> bool {
    CONTACT_OUTCOMES.contains(&o)
}

/// Whether an attempt row is outreach: it has a channel, it is not inbound, and
/// it is not a status change.
pub fn is_outreach(has_channel: bool, inbound: bool, status_change: bool) -> bool {
    has_channel && !inbound && !status_change
}

/// Where an attempt was seen first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The task activity export (an attempt row), possibly with its call.
    Attempt,
    /// The call log alone, or the call log earlier than the row that records it.
    CallLog,
}

impl Source {
    pub fn as_str(self) -> &'static str {
        match self {
            Source::Attempt => "attempt",
            Source::CallLog => "call_log",
        }
    }
}

/// One outreach attempt: an attempt row, a call, or both.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Attempt {
    /// The attempt row's index in the caller's frame, and its instant.
    pub row: Option<(usize, i64)>,
    /// The call's index in the caller's frame, and its start.
    pub call: Option<(usize, i64)>,
}

impl Attempt {
    /// When the attempt was made: the earlier of its row and its call.
    pub fn at(&self) -> i64 {
        match (self.row, self.call) {
            (Some((_, r)), Some((_, c))) => r.min(c),
            (Some((_, r)), None) => r,
            (None, Some((_, c))) => c,
            (None, None) => unreachable!("an attempt has a row or a call"),
        }
    }

    /// Whether this attempt reached the patient: its row's outcome says so, or,
    /// for a call no row records, the call connected.
    pub fn reached(
        &self,
        row_reached: impl Fn(usize) -> bool,
        call_connected: impl Fn(usize) -> bool,
    ) -> bool {
        match (self.row, self.call) {
            (Some((j, _)), _) => row_reached(j),
            (None, Some((k, _))) => call_connected(k),
            (None, None) => false,
        }
    }

    /// The row wins a tie: it carries the channel, outcome and note.
    pub fn source(&self) -> Source {
        match (self.row, self.call) {
            (Some((_, r)), Some((_, c))) if c < r => Source::CallLog,
            (Some(_), _) => Source::Attempt,
            _ => Source::CallLog,
        }
    }
}

/// Scratch space for `claim` and `merge`, reused from task to task: a run over a
/// year of tasks would otherwise allocate several small vectors per task.
#[derive(Debug, Default)]
pub struct Scratch {
    taken: Vec<bool>,
    paired: Vec<Option<usize>>,
    out: Vec<Attempt>,
}

impl Scratch {
    /// For each phone row of `rows`, in order, the position in `calls` of the call
    /// it records: the earliest one not yet taken (nor `held` by another task)
    /// that started within [`PAIR_MINUTES`] of it. Left in `self.paired`.
    fn pair(
        &mut self,
        rows: &[(usize, i64, bool)],
        calls: &[(usize, i64)],
        held: impl Fn(usize) -> bool,
    ) {
        self.taken.clear();
        self.taken.resize(calls.len(), false);
        self.paired.clear();
        for &(_, at, phone) in rows {
            let k = if phone {
                let taken = &self.taken;
                calls
                    .iter()
                    .enumerate()
                    .position(|(k, &(j, c))| !taken[k] && !held(j) && (c - at).abs() <= PAIR_US)
            } else {
                None
            };
            if let Some(k) = k {
                self.taken[k] = true;
            }
            self.paired.push(k);
        }
    }

    /// Mark the calls `task`'s phone rows record as the task's in `owner`
    /// (indexed by the call's index), skipping calls another task holds. Run
    /// over every task before `merge`, so that a call recorded by one task's row
    /// is not also counted by another task with the same number (`unclaimed`).
    pub fn claim(
        &mut self,
        task: u32,
        rows: &[(usize, i64, bool)],
        calls: &[(usize, i64)],
        owner: &mut [Option<u32>],
    ) {
        if calls.is_empty() || !rows.iter().any(|r| r.2) {
            return;
        }
        self.pair(rows, calls, |j| owner[j].is_some_and(|t| t != task));
        for k in self.paired.iter().flatten() {
            owner[calls[*k].0] = Some(task);
        }
    }

    /// A task's outreach rows as (index, at, is a phone row), and its outbound
    /// calls as (index, start), each in time order, merged into its attempts in
    /// time order (ties: the row first). Leave out the calls another task
    /// claimed first.
    pub fn merge(&mut self, rows: &[(usize, i64, bool)], calls: &[(usize, i64)]) -> &[Attempt] {
        self.pair(rows, calls, |_| false);
        self.out.clear();
        for (&(j, at, _), k) in rows.iter().zip(&self.paired) {
            self.out.push(Attempt {
                row: Some((j, at)),
                call: k.map(|k| calls[k]),
            });
        }
        for (&c, _) in calls.iter().zip(&self.taken).filter(|(_, &t)| !t) {
            self.out.push(Attempt {
                row: None,
                call: Some(c),
            });
        }
        let key = |a: &Attempt| (a.at(), a.row.is_none());
        if self.out.windows(2).any(|w| key(&w[0]) > key(&w[1])) {
            self.out.sort_by_key(key);
        }
        &self.out
    }
}

/// `Scratch::claim` with scratch space of its own.
pub fn claim(
    task: u32,
    rows: &[(usize, i64, bool)],
    calls: &[(usize, i64)],
    owner: &mut [Option<u32>],
) {
    Scratch::default().claim(task, rows, calls, owner)
}

/// Whether `task` may count a call: no other task's row recorded it.
pub fn unclaimed(task: u32, call: usize, owner: &[Option<u32>]) -> bool {
    owner[call].is_none_or(|t| t == task)
}

/// `Scratch::merge` with scratch space of its own.
pub fn merge(rows: &[(usize, i64, bool)], calls: &[(usize, i64)]) -> Vec<Attempt> {
    Scratch::default().merge(rows, calls).to_vec()
}

/// The contact counting stops at: the earlier of the first row logged on the task
/// whose outcome reached the patient (an attempt, or an inbound reply) and the
/// first attempt that reached the patient (`Attempt::reached`).
pub fn stop_contact(row_contact: Option<i64>, reaching_attempt: Option<i64>) -> Option<i64> {
    row_contact.into_iter().chain(reaching_attempt).min()
}

/// The attempts to reach the patient: those at or before the first contact (all of
/// them when the patient was never reached).
pub fn until_contact(attempts: &[Attempt], first_contact: Option<i64>) -> &[Attempt] {
    match first_contact {
        Some(c) => &attempts[..attempts.partition_point(|a| a.at() <= c)],
        None => attempts,
    }
}

/// The attempts of the current round: those strictly after the last contact
/// (all of them when the patient was never reached).
pub fn since_contact(attempts: &[Attempt], last_contact: Option<i64>) -> &[Attempt] {
    match last_contact {
        Some(c) => &attempts[attempts.partition_point(|a| a.at() <= c)..],
        None => attempts,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIN: i64 = 60_000_000;

    #[test]
    fn a_phone_row_and_its_call_are_one_attempt_at_the_earlier_instant() {
        // Row logged at 10:10 for a call started at 09:55 (15 min before): one
        // attempt at 09:55 from the call log. A call at 13:00 with no row: a
        // second attempt. An sms row at 13:05 pairs with nothing.
        let rows = [(0, 70 * MIN, true), (1, 245 * MIN, false)];
        let calls = [(7, 55 * MIN), (8, 240 * MIN)];
        let a = merge(&rows, &calls);
        assert_eq!(a.len(), 3);
        assert_eq!((a[0].at(), a[0].source()), (55 * MIN, Source::CallLog));
        assert_eq!(a[0].row.map(|r| r.0), Some(0));
        assert_eq!(
            (a[1].at(), a[1].row, a[1].source()),
            (240 * MIN, None, Source::CallLog)
        );
        assert_eq!(
            (a[2].at(), a[2].call, a[2].source()),
            (245 * MIN, None, Source::Attempt)
        );
    }

    #[test]
    fn a_row_and_a_call_at_the_same_instant_are_sourced_to_the_row() {
        let a = merge(&[(0, 10 * MIN, true)], &[(3, 10 * MIN)]);
        assert_eq!(a.len(), 1);
        assert_eq!(a[0].source(), Source::Attempt);
    }

    #[test]
    fn calls_further_apart_than_the_pairing_limit_are_their_own_attempts() {
        let rows = [(0, 100 * MIN, true)];
        let calls = [(1, 100 * MIN - PAIR_US - 1), (2, 100 * MIN + PAIR_US + 1)];
        let a = merge(&rows, &calls);
        assert_eq!(a.len(), 3);
        // Two rows, one call between them: the first row takes it.
        let a = merge(
            &[(0, 10 * MIN, true), (1, 20 * MIN, true)],
            &[(5, 15 * MIN)],
        );
        assert_eq!(a.len(), 2);
        assert_eq!(a[0].call, Some((5, 15 * MIN)));
        assert_eq!(a[1].call, None);
    }

    #[test]
    fn a_connected_call_reaches_the_patient_only_if_its_row_says_so() {
        // Row 0 (wrong number) records call 5, which connected; call 6 connected
        // with no row.
        let a = merge(&[(0, 10 * MIN, true)], &[(5, 9 * MIN), (6, 60 * MIN)]);
        let row_reached = |_j: usize| false;
        let connected = |_k: usize| true;
        assert!(!a[0].reached(row_reached, connected));
        assert!(a[1].reached(row_reached, connected));
    }

    #[test]
    fn a_call_another_task_recorded_is_not_counted_twice() {
        // Tasks 0 and 1 share a number. Task 0's row at 10:05 records the 10:00
        // call; task 1 has no rows: it counts only the 14:00 call.
        let calls = [(0, 600 * MIN), (1, 840 * MIN)];
        let mut owner = vec![None; 2];
        claim(0, &[(0, 605 * MIN, true)], &calls, &mut owner);
        claim(1, &[], &calls, &mut owner);
        assert_eq!(owner, [Some(0), None]);
        let mine: Vec<(usize, i64)> = calls
            .iter()
            .copied()
            .filter(|&(j, _)| unclaimed(1, j, &owner))
            .collect();
        assert_eq!(merge(&[], &mine).len(), 1);
        // Task 0 still pairs its row with its call.
        let a = merge(&[(0, 605 * MIN, true)], &calls);
        assert_eq!((a.len(), a[0].call), (2, Some((0, 600 * MIN))));
    }

    #[test]
    fn counting_stops_at_the_first_contact_and_restarts_after_the_last() {
        assert_eq!(stop_contact(Some(30), Some(20)), Some(20));
        assert_eq!(stop_contact(None, Some(20)), Some(20));
        assert_eq!(stop_contact(None, None), None);
        let a = merge(&[(0, 10, false), (1, 20, false), (2, 30, false)], &[]);
        assert_eq!(
            until_contact(&a, Some(20)).len(),
            2,
            "the reaching attempt counts"
        );
        assert_eq!(until_contact(&a, Some(5)).len(), 0);
        assert_eq!(until_contact(&a, None).len(), 3);
        assert_eq!(since_contact(&a, Some(20)).len(), 1, "strictly after");
        assert_eq!(since_contact(&a, None).len(), 3);
    }

    #[test]
    fn outreach_needs_a_channel_and_is_neither_inbound_nor_a_status_change() {
        assert!(is_outreach(true, false, false));
        assert!(!is_outreach(false, false, false));
        assert!(!is_outreach(true, true, false));
        assert!(!is_outreach(true, false, true));
    }
}
