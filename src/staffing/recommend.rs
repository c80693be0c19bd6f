//! The recommendation: the fewest added virtual-assistant hours, in weekday ×
//! hour blocks and lanes, that bring every category a virtual assistant may work
//! to its target share in the replay.
//!
//! Greedy with a replay per candidate: blocks are ranked by the misses they could
//! have prevented (each missed task credits the business hours between its
//! arrival and its deadline, split evenly), the best few are replayed, and the
//! hour that most reduces the shortfall is kept. Then every kept hour is tried
//! for removal (reverse delete), so no hour in the answer is redundant. Greedy is
//! not guaranteed minimal; the result is checked by replay, not assumed.

use super::history::{Model, PracticeRules};
use super::replay::{Outcome, Staff};
use super::spec::Addition;
use super::{run, shares};
use crate::config::Span;
use chrono::NaiveTime;
use std::collections::BTreeMap;

/// Candidates replayed per step.
const BEAM: usize = 6;

/// Added assistant hours per week: (weekday 1 = Monday, hour, lane) -> assistants.
pub type Plan = BTreeMap<(u8, u8, String), u32>;

/// What the search found.
#[derive(Debug, Clone)]
pub struct Recommendation {
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
    pub fn hours(&self) -> u32 {
        self.plan.values().sum()
    }
}

/// A plan as `--add` specs, so a planner (or a test) can replay exactly what was
/// recommended: per lane and weekday, the k-th assistant works each run of
/// consecutive hours with at least k assistants; equal runs are one spec.
pub fn plan_specs(plan: &Plan) -> Vec<Addition> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let mut runs: BTreeMap<(String, u8, u8, u8), u32> = BTreeMap::new();
    let groups: std::collections::BTreeSet<(String, u8)> =
        plan.keys().map(|k| (k.2.clone(), k.0)).collect();
    for (lane, d) in groups {
        let hours: BTreeMap<u8, u32> = plan
            .iter()
            .filter(|(k, _)| k.2 == lane && k.0 == d)
            .map(|(k, &n)| (k.1, n))
            .collect();
        let top = hours.values().copied().max().unwrap_or(0);
        for level in 1..=top {
            let mut start: Option<u8> = None;
            for h in 0..=24u8 {
                let on = hours.get(&h).is_some_and(|&n| n >= level);
                match (on, start) {
                    (true, None) => start = Some(h),
                    (false, Some(a)) => {
                        *runs.entry((lane.clone(), d, a, h)).or_default() += 1;
                        start = None;
                    }
                    _ => {}
                }
            }
        }
    }
    runs.into_iter()
        .map(|((lane, d, a, b), n)| {
            let span = Span {
                start: hour_span(a).start,
                end: hour_span(b - 1).end,
            };
            Addition {
                text: format!(
                    "{} {}-{} {lane} {n}",
                    DAYS[(d as usize - 1) % 7],
                    span.start.format("%H:%M"),
                    if b == 24 {
                        "24:00".to_string()
                    } else {
                        span.end.format("%H:%M").to_string()
                    }
                ),
                days: vec![(d as usize - 1) % 7],
                span,
                work: vec![lane],
                count: n,
            }
        })
        .collect()
}

/// Staff for a plan: exactly the staff its `--add` specs give.
pub fn plan_staff(m: &Model, plan: &Plan) -> Vec<Staff> {
    super::added_staff(m, &plan_specs(plan)).expect("a plan names only lanes assistants may work")
}

fn hour_span(h: u8) -> Span {
    let t = |h: u32| {
        NaiveTime::from_hms_opt(h, 0, 0)
            .unwrap_or(NaiveTime::from_hms_opt(23, 59, 59).expect("valid"))
    };
    Span {
        start: t(h as u32),
        end: t(h as u32 + 1),
    }
}

/// (weekday 1 = Monday, hour) blocks fully inside business hours.
pub fn business_blocks(m: &Model) -> Vec<(u8, u8)> {
    let mut v = Vec::new();
    for d in 0..7 {
        for s in &m.practice.hours.0[d] {
            for h in 0..24u32 {
                use chrono::Timelike;
                // "24:00" is stored as 23:59:59.
                let end = match s.end.num_seconds_from_midnight() {
                    86_399 => 86_400,
                    e => e,
                };
                let fits = h * 3600 >= s.start.num_seconds_from_midnight() && (h + 1) * 3600 <= end;
                if fits {
                    v.push((d as u8 + 1, h as u8));
                }
            }
        }
    }
    v
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

/// Search for the plan. `target` is the share every category should reach.
pub fn recommend(m: &Model, rules: &PracticeRules, target: f64, extra: &[Staff]) -> Recommendation {
    let n = m.categories.len();
    let base = run(m, rules, extra);
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
    let mut search = Search {
        m,
        rules,
        extra,
        need,
        va,
        va_lane: va_lanes(m),
        blocks: business_blocks(m),
        replays: 1,
    };
    let base_short = shortfall(&base_sh, &search.need, &search.va);
    let (mut plan, mut cur, cur_short) = search.grow(base, base_short);
    if cur_short == 0 {
        (plan, cur) = search.prune(plan, cur);
    }
    Recommendation {
        plan,
        reached: cur_short == 0,
        licensed_short,
        not_capacity,
        outcome: cur,
        replays: search.replays,
    }
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
    /// Replays run, the roster as worked included.
    replays: usize,
}

impl Search<'_> {
    /// Replay the roster with the what-ifs and `plan`: the outcome and the
    /// shortfall of the searched categories against what they need.
    fn eval(&mut self, plan: &Plan) -> (Outcome, u32) {
        let m = self.m;
        let mut staff = self.extra.to_vec();
        staff.extend(plan_staff(m, plan));
        let out = run(m, self.rules, &staff);
        let sh = shares(&m.jobs, |j| out.met(&m.jobs, j), m.categories.len());
        let s = shortfall(&sh, &self.need, &self.va);
        self.replays += 1;
        (out, s)
    }

    /// Greedy growth from an empty plan whose replay is `cur` with shortfall
    /// `cur_short`: while there is a shortfall and the plan is under
    /// `staffing.max_va_hours`, replay the best [`BEAM`] candidate hours and
    /// keep the one that most reduces the shortfall; stop when none does.
    /// Returns the plan, its replay and its shortfall.
    fn grow(&mut self, mut cur: Outcome, mut cur_short: u32) -> (Plan, Outcome, u32) {
        let m = self.m;
        let cap = m.practice.staffing.max_va_hours;
        let mut plan = Plan::new();
        while cur_short > 0 && plan.values().sum::<u32>() < cap {
            let sh = shares(&m.jobs, |j| cur.met(&m.jobs, j), m.categories.len());
            let mut best: Option<(u32, (u8, u8, String), Outcome)> = None;
            for (_, key) in self.candidates(&cur, &sh).into_iter().take(BEAM) {
                let mut p = plan.clone();
                *p.entry(key.clone()).or_default() += 1;
                let (out, s) = self.eval(&p);
                if best.as_ref().map_or(true, |b| s < b.0) {
                    best = Some((s, key, out));
                }
            }
            match best {
                Some((s, key, out)) if s < cur_short => {
                    *plan.entry(key).or_default() += 1;
                    cur = out;
                    cur_short = s;
                }
                _ => {
                    tracing::debug!(
                        "recommend: no candidate improves the shortfall {cur_short}: {:?}",
                        sh.iter().zip(&self.need).collect::<Vec<_>>()
                    );
                    break;
                }
            }
        }
        (plan, cur, cur_short)
    }

    /// Candidate (weekday, hour, lane) blocks for one more assistant hour, best
    /// first: each task of a short searched category missed in `cur` and
    /// waiting in an assistant's lane credits the business-hour blocks between
    /// its arrival and its deadline (at most 48), split evenly; ties by key.
    fn candidates(&self, cur: &Outcome, sh: &[(u32, u32)]) -> Vec<(f64, (u8, u8, String))> {
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
        let mut cands: Vec<(f64, (u8, u8, String))> = credit
            .into_iter()
            .map(|((d, h, q), c)| (c, (d, h, m.lanes[q].clone())))
            .collect();
        cands.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
        cands
    }

    /// Reverse delete on a plan that reaches the target: try removing each
    /// assistant hour, last key first, and keep the removal when the replay
    /// still has no shortfall. Returns the plan and its replay.
    fn prune(&mut self, mut plan: Plan, mut cur: Outcome) -> (Plan, Outcome) {
        let keys: Vec<_> = plan.keys().cloned().collect();
        for key in keys.iter().rev() {
            let mut p = plan.clone();
            let e = p.get_mut(key).expect("key");
            *e -= 1;
            if *e == 0 {
                p.remove(key);
            }
            let (out, s) = self.eval(&p);
            if s == 0 {
                plan = p;
                cur = out;
            }
        }
        (plan, cur)
    }
}
