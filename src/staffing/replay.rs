//! The capacity replay: a deterministic discrete-event simulation of deferred
//! callback work. Tasks arrive as they did; each person on the roster works, in
//! the time they are open, the ready attempt with the earliest working deadline
//! (the team's learned one, `policy`, else the target's) among the lanes they
//! work (ties by task order, so reruns give the same bytes);
//! retries become ready when the attempt rules allow. No randomness: the number
//! of attempts a task needs is the number history shows it took.

use crate::model::spans::{Cursor, Spans};
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// Disjoint, sorted open intervals of one person, in seconds since the epoch
/// (`model::spans`, here built from intervals in any order).
#[derive(Debug, Clone, Default)]
pub struct OpenTime(Spans);

impl std::ops::Deref for OpenTime {
    type Target = Spans;
    fn deref(&self) -> &Spans {
        &self.0
    }
}

impl OpenTime {
    /// Build from intervals in any order; overlapping ones are merged.
    pub fn new(spans: Vec<(i64, i64)>) -> OpenTime {
        OpenTime(Spans::merged(spans))
    }

    /// These intervals minus `busy` (e.g. answered inbound calls).
    pub fn minus(&self, mut busy: Vec<(i64, i64)>) -> OpenTime {
        busy.sort_unstable();
        let mut out = Vec::with_capacity(self.spans().len());
        let mut j = 0;
        for &(a, b) in self.spans() {
            let mut cur = a;
            while j < busy.len() && busy[j].1 <= cur {
                j += 1;
            }
            let mut k = j;
            while k < busy.len() && busy[k].0 < b {
                if busy[k].0 > cur {
                    out.push((cur, busy[k].0));
                }
                cur = cur.max(busy[k].1);
                k += 1;
            }
            if cur < b {
                out.push((cur, b));
            }
        }
        OpenTime::new(out)
    }
}

/// One task to be worked.
#[derive(Debug, Clone)]
pub struct Job {
    /// Index into the category list (attempt rules, results).
    pub category: usize,
    /// The queue (lane) it waits in: who may work it.
    pub queue: usize,
    /// When it can first be worked (its creation).
    pub arrive: i64,
    /// First-attempt deadline (None: no target): what the share within target
    /// is counted against.
    pub deadline: Option<i64>,
    /// The working deadline that orders its first attempt in the queue: the
    /// team's learned one (`policy`), else `deadline` (None: worked last).
    pub order: Option<i64>,
    /// Attempts it takes (from history, at least 1).
    pub attempts: u32,
    /// A task resolved without any outreach (e.g. the patient called in) stops
    /// needing work at this instant.
    pub withdrawn_at: Option<i64>,
    /// Whether it counts toward the share within target (due in the period).
    pub counted: bool,
    /// Created before the period and still waiting for its first attempt when
    /// the period starts: the backlog the staff start with. Worked in the
    /// replay, never counted, and not part of the period's workload.
    pub carried: bool,
}

/// One person (or virtual assistant) and the queues (lanes) they work.
#[derive(Debug, Clone)]
pub struct Staff {
    /// Who it is: read only in a replay's debug output.
    #[allow(dead_code)]
    pub name: String,
    pub works: Vec<bool>,
    pub open: OpenTime,
}

/// The rules the replay needs from the practice, as functions of time.
pub trait Rules {
    /// Seconds of work for attempt `n` (1-based) of a task in `category`.
    fn handle_s(&self, category: usize, n: u32) -> i64;
    /// After attempt `n` on a task of `category` waiting in `queue`, made at
    /// `at`: when the next one becomes ready and its working deadline.
    fn retry(&self, queue: usize, category: usize, n: u32, at: i64) -> Option<(i64, i64)>;
}

/// What happened in a replay.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// Start of each job's first attempt.
    pub first: Vec<Option<i64>>,
    /// Attempts made per job (what the replay did, checked by its tests).
    #[cfg_attr(not(test), allow(dead_code))]
    pub made: Vec<u32>,
    /// Seconds each staff member spent on attempts.
    #[cfg_attr(not(test), allow(dead_code))]
    pub busy_s: Vec<i64>,
}

impl Outcome {
    /// Whether job `j` was first attempted by its deadline (None: not counted).
    pub fn met(&self, jobs: &[Job], j: usize) -> Option<bool> {
        let job = &jobs[j];
        if !job.counted {
            return None;
        }
        Some(match (self.first[j], job.deadline) {
            (Some(f), Some(d)) => f <= d,
            (Some(_), None) => true,
            (None, _) => false,
        })
    }
}

/// The due instant of an attempt with no deadline: after every real one.
const NO_DEADLINE: i64 = i64::MAX / 4;

/// Attempts not yet ready, as (ready, job, attempt n, due): every job's first
/// attempt in the order they arrive, and the retries queued so far, soonest
/// ready on top. Only which attempts are ready by an instant matters (the
/// lanes order them by due), so the first attempts need no heap: a cursor
/// walks them sorted once.
struct Pending {
    firsts: Vec<(i64, usize, u32, i64)>,
    next: usize,
    retries: BinaryHeap<Reverse<(i64, usize, u32, i64)>>,
}

impl Pending {
    fn new(jobs: &[Job]) -> Pending {
        let mut firsts: Vec<_> = (jobs.iter().enumerate())
            .map(|(j, job)| (job.arrive, j, 1, job.order.unwrap_or(NO_DEADLINE)))
            .collect();
        // Jobs come in task order with the carried backlog after: a few
        // sorted runs, which the stable sort merges in one pass (the keys are
        // distinct, so it sorts as an unstable sort would).
        firsts.sort();
        Pending {
            firsts,
            next: 0,
            retries: BinaryHeap::new(),
        }
    }

    /// The soonest instant an attempt becomes ready (None: none pending).
    fn soonest(&self) -> Option<i64> {
        let first = self.firsts.get(self.next).map(|x| x.0);
        let retry = self.retries.peek().map(|r| r.0 .0);
        first.into_iter().chain(retry).min()
    }

    /// Take every attempt ready at or before `t`, in no particular order.
    fn take_ready(&mut self, t: i64, mut take: impl FnMut((i64, usize, u32, i64))) {
        while let Some(&x) = self.firsts.get(self.next).filter(|x| x.0 <= t) {
            self.next += 1;
            take(x);
        }
        while let Some(&Reverse(x)) = self.retries.peek().filter(|r| r.0 .0 <= t) {
            self.retries.pop();
            take(x);
        }
    }
}

/// When each person is next free, soonest first (ties: lowest staff index),
/// for the people waiting on the clock. A person waits at most once at a
/// time, and a roster is a few people, so a scan of one instant per person
/// beats a heap: a replay asks this for every step of every person.
struct Free(Vec<i64>);

/// Not waiting on the clock (nothing left open, or dormant).
const NOT_WAITING: i64 = i64::MAX;

impl Free {
    /// Each person's first open instant at or after `start`; a person never
    /// open from `start` on does not wait.
    fn new(staff: &[Staff], start: i64) -> Free {
        Free(
            (staff.iter())
                .map(|st| st.open.next_open(start).unwrap_or(NOT_WAITING))
                .collect(),
        )
    }

    /// The soonest (instant, person), no longer waiting.
    fn pop(&mut self) -> Option<(i64, usize)> {
        let (mut best, mut at) = (None, NOT_WAITING);
        for (s, &t) in self.0.iter().enumerate() {
            if t < at {
                (best, at) = (Some(s), t);
            }
        }
        let s = best?;
        self.0[s] = NOT_WAITING;
        Some((at, s))
    }

    /// Person `s`, not waiting, waits until `t`.
    fn push(&mut self, t: i64, s: usize) {
        debug_assert_eq!(self.0[s], NOT_WAITING, "a person waits once");
        self.0[s] = t;
    }
}

/// Replay `jobs` (sorted or not) with `staff` under `rules`: whenever a person
/// is free, the attempts ready by then join their lane's queue, and the person
/// takes the ready attempt with the earliest due instant (then lowest job
/// index) among the lanes they work, dropping first attempts withdrawn by then;
/// a retry is queued when the rules allow one. A person with nothing ready
/// waits until the next pending attempt is ready or, with none pending, until
/// a retry is queued.
pub fn replay(jobs: &[Job], staff: &[Staff], rules: &dyn Rules, n_queues: usize) -> Outcome {
    let mut first = vec![None; jobs.len()];
    let mut made = vec![0u32; jobs.len()];
    let mut busy_s = vec![0i64; staff.len()];
    let mut pending = Pending::new(jobs);
    // Per lane, (due, job, attempt n), earliest due on top.
    let mut ready: Vec<BinaryHeap<Reverse<(i64, usize, u32)>>> = vec![BinaryHeap::new(); n_queues];
    let start = pending.soonest().unwrap_or(0);
    let mut free = Free::new(staff, start);
    // Each person's place in their open time, which only moves forward.
    let mut at = vec![Cursor::default(); staff.len()];
    let mut dormant: Vec<usize> = Vec::new();
    while let Some((t, s)) = free.pop() {
        pending.take_ready(t, |(_, j, n, due)| {
            ready[jobs[j].queue].push(Reverse((due, j, n)))
        });
        let st = &staff[s];
        let mut best: Option<(i64, usize, u32)> = None;
        for (c, q) in ready.iter_mut().enumerate() {
            if !st.works.get(c).copied().unwrap_or(false) {
                continue;
            }
            // Drop tasks resolved without outreach before anyone got to them.
            while let Some(&Reverse((due, j, n))) = q.peek() {
                if n == 1 && jobs[j].withdrawn_at.is_some_and(|w| w <= t) {
                    q.pop();
                    continue;
                }
                if best.map_or(true, |b| (due, j) < (b.0, b.1)) {
                    best = Some((due, j, n));
                }
                break;
            }
        }
        match best {
            Some((_, j, n)) => {
                // The best is the top of its lane.
                ready[jobs[j].queue].pop();
                if n == 1 {
                    first[j] = Some(t);
                }
                made[j] = n;
                let h = rules.handle_s(jobs[j].category, n).max(1);
                busy_s[s] += h;
                if n < jobs[j].attempts {
                    if let Some((r, d)) = rules.retry(jobs[j].queue, jobs[j].category, n, t) {
                        pending.retries.push(Reverse((r.max(t + 1), j, n + 1, d)));
                        for d in dormant.drain(..) {
                            let open = &staff[d].open;
                            if let Some(x) = open.next_open_near(&mut at[d], r.max(t + 1)) {
                                free.push(x, d);
                            }
                        }
                    }
                }
                let cur = &mut at[s];
                if let Some(next) =
                    (st.open.advance_near(cur, t, h)).and_then(|e| st.open.next_open_near(cur, e))
                {
                    free.push(next, s);
                }
            }
            None => match pending.soonest() {
                Some(r) => {
                    if let Some(x) = st.open.next_open_near(&mut at[s], r.max(t + 1)) {
                        free.push(x, s);
                    }
                }
                None => dormant.push(s),
            },
        }
    }
    Outcome {
        first,
        made,
        busy_s,
    }
}

/// Backlog carried: first attempts ready but not yet started at each instant in
/// `at` (sorted), per queue.
pub fn backlog(jobs: &[Job], out: &Outcome, at: &[i64], n_queues: usize) -> Vec<Vec<u32>> {
    backlog_by(jobs, out, at, n_queues, |j| j.queue)
}

/// [`backlog`] counted under `key(job)` < `n` (its queue, its category).
pub fn backlog_by(
    jobs: &[Job],
    out: &Outcome,
    at: &[i64],
    n: usize,
    key: impl Fn(&Job) -> usize,
) -> Vec<Vec<u32>> {
    let mut counts = vec![vec![0u32; n]; at.len()];
    for (j, job) in jobs.iter().enumerate() {
        let end = out.first[j]
            .or(job.withdrawn_at)
            .unwrap_or(i64::MAX)
            .min(job.withdrawn_at.unwrap_or(i64::MAX));
        let a = at.partition_point(|&x| x < job.arrive);
        let b = at.partition_point(|&x| x < end);
        let k = key(job);
        for row in counts.iter_mut().take(b).skip(a) {
            row[k] += 1;
        }
    }
    counts
}

#[cfg(test)]
#[path = "replay_tests.rs"]
mod tests;
