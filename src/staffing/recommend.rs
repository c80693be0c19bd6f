//! The recommendation: the fewest paid virtual-assistant hours, bought as
//! shifts (a configured length, starting on the hour, on a weekday pattern, for
//! one or more lanes), that bring every category a virtual assistant may work to
//! its target share in the replay.
//!
//! Greedy with a replay per candidate: each missed task credits the business
//! hours between its arrival and its deadline (split evenly); a candidate shift
//! scores the credit of its hours and lanes per paid hour; the best few are
//! replayed, and the shift that most reduces the shortfall per paid hour is
//! kept. Then every kept shift is tried for removal (reverse delete) and for a
//! shorter length, so no hour in the answer is redundant. Greedy is not
//! guaranteed minimal; the result is checked by replay, not assumed.

use super::history::{Model, PracticeRules};
use super::replay::{Outcome, Staff};
pub use super::shift::{
    business_blocks, patterns, plan_blocks, plan_specs, plan_staff, shift_lines, Plan, Shift,
};
use super::{run, shares};
use rayon::prelude::*;
use std::collections::BTreeMap;

/// Candidates replayed per step.
const BEAM: usize = 6;

/// What the search found.
#[derive(Debug, Clone)]
pub struct Recommendation {
    /// The shifts to buy, one assistant each, in the order found.
    pub shifts: Vec<Shift>,
    /// The shifts hour by hour ([`plan_blocks`]).
    pub plan: Plan,
    /// Whether every VA-workable category reaches its target in replay.
    pub reached: bool,
    /// Categories below target that no virtual assistant may work (licensed).
    pub licensed_short: Vec<String>,
    /// Categories below target as measured whose replay with the roster as
    /// worked already meets it: the shortfall is not for lack of hours.
    pub not_capacity: Vec<String>,
    pub outcome: Outcome,
    pub replays: usize,
}

impl Recommendation {
    /// Paid assistant hours a week.
    pub fn hours(&self) -> u32 {
        self.shifts.iter().map(Shift::paid_hours).sum()
    }
}

/// Met counts each category needs in replay so that the calibrated prediction
/// ([`super::predicted`]) reaches the target share: the replayed misses may be
/// at most (1 − target) × due × replayed misses ÷ measured misses, both of the
/// roster as worked.
pub fn required(m: &Model, base: &[(u32, u32)], target: f64) -> Vec<u32> {
    let measured = shares(
        &m.jobs,
        |j| m.measured[j].filter(|_| m.jobs[j].counted),
        m.categories.len(),
    );
    base.iter()
        .zip(&measured)
        .map(|(&(bm, due), &(mm, _))| {
            let (base_miss, meas_miss) = ((due - bm) as f64, due.saturating_sub(mm) as f64);
            let allowed = if meas_miss > 0.0 && base_miss > 0.0 {
                (1.0 - target) * due as f64 * base_miss / meas_miss
            } else {
                (1.0 - target) * due as f64
            };
            (due as f64 - allowed - 1e-9).ceil().clamp(0.0, due as f64) as u32
        })
        .collect()
}

fn shortfall(got: &[(u32, u32)], need: &[u32], va: &[bool]) -> u32 {
    got.iter()
        .zip(need)
        .zip(va)
        .filter(|(_, &v)| v)
        .map(|((g, n), _)| n.saturating_sub(g.0))
        .sum()
}

/// Search for the plan. `target` is the share every category should reach;
/// `base` is the replay of the roster as worked with `extra` (`super::run`),
/// the search's first replay, which the caller has already run.
pub fn recommend(
    m: &Model,
    rules: &PracticeRules,
    target: f64,
    extra: &[Staff],
    base: Outcome,
) -> Recommendation {
    let n = m.categories.len();
    let base_sh = shares(&m.jobs, |j| base.met(&m.jobs, j), n);
    let need = required(m, &base_sh, target);
    let licensed: Vec<bool> = m
        .categories
        .iter()
        .map(|c| m.practice.categories[c].licensed)
        .collect();
    let licensed_short = (0..n)
        .filter(|&c| licensed[c] && base_sh[c].0 < need[c])
        .map(|c| m.categories[c].clone())
        .collect();
    let measured = shares(&m.jobs, |j| m.measured[j].filter(|_| m.jobs[j].counted), n);
    let goal = |(met, due): (u32, u32)| met as f64 >= target * due as f64 - 1e-9;
    let not_capacity: Vec<String> = (0..n)
        .filter(|&c| !goal(measured[c]) && goal(base_sh[c]))
        .map(|c| m.categories[c].clone())
        .collect();
    // Only categories the replay says lack hours are searched for.
    let va: Vec<bool> = (0..n).map(|c| !licensed[c] && !goal(base_sh[c])).collect();
    let blocks = business_blocks(m);
    let va_lane = va_lanes(m);
    let mut search = Search {
        m,
        rules,
        extra,
        need,
        va,
        shifts: all_shifts(m, &blocks, &va_lane),
        va_lane,
        blocks,
        replays: 1,
    };
    let base_short = shortfall(&base_sh, &search.need, &search.va);
    let (mut shifts, mut cur, cur_short) = search.grow(base, base_short);
    if cur_short == 0 {
        (shifts, cur) = search.prune(shifts, cur);
    }
    Recommendation {
        plan: plan_blocks(m, &shifts),
        shifts,
        reached: cur_short == 0,
        licensed_short,
        not_capacity,
        outcome: cur,
        replays: search.replays,
    }
}

/// Every shift the search may buy: each configured length, starting on each
/// business hour, on every business weekday together (Mon-Fri for most
/// practices) or on one weekday, for one assistant lane or all of them.
fn all_shifts(m: &Model, open: &[(u8, u8)], va_lane: &[bool]) -> Vec<Shift> {
    let lanes: Vec<String> = (m.lanes.iter().zip(va_lane))
        .filter(|(_, v)| **v)
        .map(|(l, _)| l.clone())
        .collect();
    let mut lane_sets: Vec<Vec<String>> = lanes.iter().map(|l| vec![l.clone()]).collect();
    if lanes.len() > 1 {
        lane_sets.push(lanes.clone());
    }
    let weekdays: Vec<usize> = (0..7)
        .filter(|d| open.iter().any(|b| b.0 as usize == d + 1))
        .collect();
    let mut patterns: Vec<Vec<usize>> = vec![weekdays.clone()];
    if weekdays.len() > 1 {
        patterns.extend(weekdays.iter().map(|d| vec![*d]));
    }
    let starts: std::collections::BTreeSet<u8> = open.iter().map(|b| b.1).collect();
    let mut out = Vec::new();
    for days in &patterns {
        for &start in &starts {
            for &hours in &m.practice.staffing.shift_hours {
                for lanes in &lane_sets {
                    let s = Shift {
                        days: days.clone(),
                        start,
                        hours: hours as u8,
                        lanes: lanes.clone(),
                    };
                    if s.blocks(open).is_some() {
                        out.push(s);
                    }
                }
            }
        }
    }
    out
}

/// Lanes an assistant may work (by lane index): not licensed, and holding no
/// licensed category.
fn va_lanes(m: &Model) -> Vec<bool> {
    m.lanes
        .iter()
        .map(|l| {
            let lane = &m.practice.lanes[l];
            !lane.licensed
                && !lane
                    .categories
                    .iter()
                    .any(|c| m.practice.categories[c].licensed)
        })
        .collect()
}

/// The state of one search: what each category needs in replay, which
/// categories and lanes it may add assistants for, and the replays run so far.
struct Search<'a> {
    m: &'a Model,
    rules: &'a PracticeRules<'a>,
    /// Staff added to the roster before any plan (the what-ifs).
    extra: &'a [Staff],
    /// Met count each category needs in replay ([`required`]).
    need: Vec<u32>,
    /// Categories searched for: an assistant may work them and the replay of
    /// the roster as worked misses their target.
    va: Vec<bool>,
    /// Lanes an assistant may work ([`va_lanes`]).
    va_lane: Vec<bool>,
    /// Hour blocks fully inside business hours ([`business_blocks`]).
    blocks: Vec<(u8, u8)>,
    /// The shifts it may buy ([`all_shifts`]).
    shifts: Vec<Shift>,
    /// Replays run, the roster as worked included.
    replays: usize,
}

impl Search<'_> {
    /// Replay the roster with the what-ifs and `shifts`: the outcome and the
    /// shortfall of the searched categories against what they need.
    fn eval(&mut self, shifts: &[Shift]) -> (Outcome, u32) {
        self.replays += 1;
        self.replay(shifts)
    }

    /// [`Search::eval`] without counting the replay: the part candidates can
    /// run side by side.
    fn replay(&self, shifts: &[Shift]) -> (Outcome, u32) {
        let m = self.m;
        let mut staff = self.extra.to_vec();
        staff.extend(plan_staff(m, shifts));
        let out = run(m, self.rules, &staff);
        let sh = shares(&m.jobs, |j| out.met(&m.jobs, j), m.categories.len());
        let s = shortfall(&sh, &self.need, &self.va);
        (out, s)
    }

    /// Whether `shifts` keep every hour at or under the assistants cap.
    fn within_cap(&self, shifts: &[Shift]) -> bool {
        let cap = self.m.practice.staffing.max_assistants_per_hour;
        let mut n: BTreeMap<(u8, u8), u32> = BTreeMap::new();
        for s in shifts {
            for b in s.blocks(&self.blocks).unwrap_or_default() {
                *n.entry(b).or_default() += 1;
            }
        }
        n.values().all(|&k| k <= cap)
    }

    /// Greedy growth from no shifts, whose replay is `cur` with shortfall
    /// `cur_short`: while there is a shortfall and the paid hours stay under
    /// `staffing.max_va_hours`, replay the [`BEAM`] candidate shifts with the
    /// most credit per paid hour and keep the one that most reduces the
    /// shortfall per paid hour; stop when none reduces it.
    fn grow(&mut self, mut cur: Outcome, mut cur_short: u32) -> (Vec<Shift>, Outcome, u32) {
        let m = self.m;
        let cap = m.practice.staffing.max_va_hours;
        let mut plan: Vec<Shift> = Vec::new();
        while cur_short > 0 {
            let paid: u32 = plan.iter().map(Shift::paid_hours).sum();
            let sh = shares(&m.jobs, |j| cur.met(&m.jobs, j), m.categories.len());
            let credit = self.credit(&cur, &sh);
            let mut cands: Vec<(f64, Shift)> = Vec::new();
            for s in &self.shifts {
                if paid + s.paid_hours() > cap {
                    continue;
                }
                let mut with = plan.clone();
                with.push(s.clone());
                if !self.within_cap(&with) {
                    continue;
                }
                let blocks = s.blocks(&self.blocks).unwrap_or_default();
                let c: f64 = blocks
                    .iter()
                    .flat_map(|b| {
                        s.lanes.iter().filter_map(|l| {
                            let q = m.lanes.iter().position(|x| x == l)?;
                            credit.get(&(b.0, b.1, q)).copied()
                        })
                    })
                    .sum();
                if c > 0.0 {
                    cands.push((c / s.paid_hours() as f64, s.clone()));
                }
            }
            cands.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
            // The beam's replays are independent: run them side by side, then
            // weigh them in the beam's order.
            let beam: Vec<Shift> = cands.into_iter().take(BEAM).map(|c| c.1).collect();
            let tried: Vec<(Outcome, u32)> = beam
                .par_iter()
                .map(|s| {
                    let mut p = plan.clone();
                    p.push(s.clone());
                    self.replay(&p)
                })
                .collect();
            self.replays += tried.len();
            let mut best: Option<(f64, Shift, Outcome, u32)> = None;
            for (s, (out, short)) in beam.into_iter().zip(tried) {
                if short >= cur_short {
                    continue;
                }
                let gain = (cur_short - short) as f64 / s.paid_hours() as f64;
                if best.as_ref().map_or(true, |b| gain > b.0) {
                    best = Some((gain, s, out, short));
                }
            }
            match best {
                Some((_, s, out, short)) => {
                    plan.push(s);
                    cur = out;
                    cur_short = short;
                }
                None => {
                    tracing::debug!(
                        "recommend: no shift improves the shortfall {cur_short}: {:?}",
                        sh.iter().zip(&self.need).collect::<Vec<_>>()
                    );
                    break;
                }
            }
        }
        (plan, cur, cur_short)
    }

    /// Credit per (weekday, hour, lane index): each task of a short searched
    /// category missed in `cur` and waiting in an assistant's lane credits the
    /// business-hour blocks between its arrival and its deadline (at most 48),
    /// split evenly.
    fn credit(&self, cur: &Outcome, sh: &[(u32, u32)]) -> BTreeMap<(u8, u8, usize), f64> {
        let m = self.m;
        let short_cat: Vec<bool> = (0..m.categories.len())
            .map(|c| self.va[c] && sh[c].0 < self.need[c])
            .collect();
        let mut credit: BTreeMap<(u8, u8, usize), f64> = BTreeMap::new();
        for (j, job) in m.jobs.iter().enumerate() {
            if !short_cat[job.category]
                || !self.va_lane[job.queue]
                || cur.met(&m.jobs, j) != Some(false)
            {
                continue;
            }
            let Some(dl) = job.deadline else { continue };
            let mut hit = Vec::new();
            let mut t = (job.arrive / 3600) * 3600;
            while t < dl && hit.len() < 48 {
                let b = super::history::block_of(&m.practice, t);
                if self.blocks.contains(&b) {
                    hit.push(b);
                }
                t += 3600;
            }
            for b in &hit {
                *credit.entry((b.0, b.1, job.queue)).or_default() += 1.0 / hit.len() as f64;
            }
        }
        credit
    }

    /// On a plan that reaches the target: try removing each shift, last first,
    /// keeping a removal when the replay still has no shortfall; then try each
    /// kept shift at a shorter configured length (same days and lanes, any
    /// start inside it), keeping the first that still has none.
    fn prune(&mut self, mut plan: Vec<Shift>, mut cur: Outcome) -> (Vec<Shift>, Outcome) {
        for i in (0..plan.len()).rev() {
            let mut p = plan.clone();
            p.remove(i);
            let (out, s) = self.eval(&p);
            if s == 0 {
                plan = p;
                cur = out;
            }
        }
        for i in 0..plan.len() {
            let s = plan[i].clone();
            let inside = s.blocks(&self.blocks).unwrap_or_default();
            let shorter: Vec<Shift> = (self.shifts.iter())
                .filter(|c| c.days == s.days && c.lanes == s.lanes && c.hours < s.hours)
                .filter(|c| {
                    c.blocks(&self.blocks)
                        .is_some_and(|b| b.iter().all(|x| inside.contains(x)))
                })
                .cloned()
                .collect();
            for c in shorter {
                let mut p = plan.clone();
                p[i] = c;
                let (out, short) = self.eval(&p);
                if short == 0 {
                    plan = p;
                    cur = out;
                    break;
                }
            }
        }
        (plan, cur)
    }
}
