//! Workload against capacity by weekday × hour block and lane, per week.
//!
//! Each attempt's work is placed in the block where it falls due: the first at
//! the task's clock start, each retry where the attempt rules make it ready
//! after the previous one (as if every attempt were made when it fell due), so
//! the load does not depend on how well the period was staffed. Capacity is the
//! roster's open time in the block; a person in several lanes counts in each
//! in equal parts.

use super::history::{block_of, Model, PracticeRules};
use super::replay::{Rules, Staff};
use std::collections::BTreeMap;

/// One (weekday, hour, lane) block, per week.
#[derive(Debug, Clone, Default)]
pub struct Row {
    pub tasks: f64,
    pub attempts: f64,
    pub workload_min: f64,
    /// Rostered minutes, before inbound calls.
    pub rostered_min: f64,
    /// Rostered minutes less answered inbound talk time.
    pub capacity_min: f64,
    /// Minutes added by the recommendation.
    pub added_min: f64,
}

impl Row {
    /// Workload as a share of the capacity as worked (None without capacity).
    pub fn load_ratio(&self) -> Option<f64> {
        (self.capacity_min > 0.0).then(|| self.workload_min / self.capacity_min)
    }
}

pub type Key = (u8, u8, String);

/// Open seconds of `staff` per (weekday, hour) inside the period.
fn open_by_block(m: &Model, spans: &[(i64, i64)], end: i64, into: &mut BTreeMap<(u8, u8), f64>) {
    for &(a, b) in spans {
        let mut t = a;
        while t < b.min(end) {
            let next = ((t / 3600) + 1) * 3600;
            let piece = next.min(b).min(end) - t;
            *into.entry(block_of(&m.practice, t)).or_default() += piece as f64;
            t = next;
        }
    }
}

/// The end of the period: midnight after its last day (seconds).
fn period_end(m: &Model) -> i64 {
    super::history::local_s(
        m.practice.tz,
        m.to.succ_opt().expect("date"),
        chrono::NaiveTime::MIN,
    )
}

/// The workload table; `added` are the recommended assistants.
pub fn table(m: &Model, rules: &PracticeRules, added: &[Staff]) -> BTreeMap<Key, Row> {
    let weeks = m.weeks();
    let mut rows: BTreeMap<Key, Row> = BTreeMap::new();
    for job in &m.jobs {
        let lane = &m.lanes[job.queue];
        if job.withdrawn_at.is_some() || job.carried {
            continue;
        }
        let Some(start) = m.cal.clock_start(job.arrive * 1_000_000) else {
            continue;
        };
        let mut t = start / 1_000_000;
        for n in 1..=job.attempts {
            let (d, h) = block_of(&m.practice, t);
            let r = rows.entry((d, h, lane.clone())).or_default();
            if n == 1 {
                r.tasks += 1.0 / weeks;
            }
            r.attempts += 1.0 / weeks;
            r.workload_min += rules.handle_s(job.category, n) as f64 / 60.0 / weeks;
            match rules.retry(job.queue, job.category, n, t) {
                Some((next, _)) => t = next,
                None => break,
            }
        }
    }
    let end = period_end(m);
    let lanes_of = |works: &[bool]| -> Vec<String> {
        m.lanes
            .iter()
            .zip(works)
            .filter(|(_, &w)| w)
            .map(|(l, _)| l.clone())
            .collect()
    };
    let mut add = |spans: &[(i64, i64)], works: &[bool], f: &dyn Fn(&mut Row, f64)| {
        let lanes = lanes_of(works);
        let mut by = BTreeMap::new();
        open_by_block(m, spans, end, &mut by);
        for ((d, h), secs) in by {
            for l in &lanes {
                let r = rows.entry((d, h, l.clone())).or_default();
                f(r, secs / 60.0 / weeks / lanes.len() as f64);
            }
        }
    };
    for (i, st) in m.staff.iter().enumerate() {
        add(m.rostered[i].spans(), &st.works, &|r, v| {
            r.rostered_min += v
        });
        add(st.open.spans(), &st.works, &|r, v| r.capacity_min += v);
    }
    for st in added {
        add(st.open.spans(), &st.works, &|r, v| r.added_min += v);
    }
    rows
}
