//! The team's working policy, learned from the period's history instead of
//! assumed (docs/STAFFING.md, "The team's policy").
//!
//! The replay orders the ready work of a lane by a *working deadline*. Assumed,
//! that is the task's target deadline (earliest deadline first). Learned, it is
//! what the team shows it treats as its own deadline:
//!
//! - **Which work comes first.** For each lane, category and urgency (routine,
//!   urgent), the upper quartile ([`QUANTILE_PCT`]) of the business time from a
//!   task's clock start to its first attempt, over the period's tasks of that
//!   kind that were attempted. A first
//!   attempt's working deadline is its clock start plus that wait: a category the
//!   team reaches in twenty minutes goes before one it lets sit for two days,
//!   whatever their targets say.
//! - **How retries are deferred.** For each lane and category, the upper quartile of the business time
//!   from when the attempt rules allow a retry to when it was made, over
//!   consecutive outreach attempt rows on a task (a retry made early counts 0).
//!   A retry becomes ready when the rules allow it, and its working deadline is
//!   that plus the learned delay.
//! - **How long an attempt takes** is measured per category already
//!   (`metrics::handles`).
//!
//! A lane's kind with fewer than [`MIN_TASKS`] observations takes the
//! category's over all lanes; with fewer than that too, the assumed rule (its
//! target deadline; the ready day's close).

use crate::metrics::handles::Worked;
use crate::model::clock::Calendar;
use crate::model::columns::{parsed, strs, times};
use crate::model::domain::{Direction, Outcome};
use crate::model::facts::Facts;
use anyhow::Result;
use polars::prelude::DataFrame;
use std::collections::HashMap;

/// Observations below which a kind keeps the assumed rule.
pub const MIN_TASKS: usize = 20;

/// The quantile of the observed waits taken as the team's working deadline.
/// Worked earliest-deadline-first with slack, tasks are taken anywhere before
/// their working deadline, so the observed waits spread below it: their upper
/// quartile estimates it, and unlike the maximum it is not moved by a bad week.
/// On the sample (seeds 1, 2, 3) the median left care gaps 28–29 points
/// better in the replay than measured, the 90th percentile referrals 24 worse;
/// the upper quartile kept every category within 11.3 points (docs/STAFFING.md).
pub const QUANTILE_PCT: usize = 75;

/// What was learned about one kind of work: a category in a lane.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Kind {
    /// The working wait before a first attempt, business µs: [routine, urgent].
    pub wait_us: [Option<i64>; 2],
    /// Tasks each wait was learned from.
    pub wait_n: [usize; 2],
    /// How long past the attempt rules a retry was made, business µs.
    pub retry_us: Option<i64>,
    /// Retries the delay was learned from.
    pub retry_n: usize,
}

/// The learned policy: per lane (`Model::lanes`), per category
/// (`Model::categories`), what that lane's people were seen to do; with the
/// category over all lanes where one lane saw too little.
#[derive(Debug, Clone, Default)]
pub struct Policy {
    pub kinds: Vec<Vec<Kind>>,
    /// The category over all lanes.
    pub pooled: Vec<Kind>,
}

/// The observations of one kind.
#[derive(Default, Clone)]
struct Seen {
    wait: [Vec<i64>; 2],
    retry: Vec<i64>,
}

impl Seen {
    fn kind(&self) -> Kind {
        Kind {
            wait_us: [quantile(&self.wait[0]), quantile(&self.wait[1])],
            wait_n: [self.wait[0].len(), self.wait[1].len()],
            retry_us: quantile(&self.retry),
            retry_n: self.retry.len(),
        }
    }
}

/// The [`QUANTILE_PCT`] quantile of `v`: the value at index
/// ⌊(n − 1) × 75 ÷ 100⌋ of the sorted values. None under [`MIN_TASKS`].
fn quantile(v: &[i64]) -> Option<i64> {
    if v.len() < MIN_TASKS {
        return None;
    }
    let mut v = v.to_vec();
    v.sort_unstable();
    Some(v[(v.len() - 1) * QUANTILE_PCT / 100])
}

impl Policy {
    /// Learn from the period's worked tasks (`worked`, rows of `f`, each in the
    /// lane it waited in) and the outreach attempt rows of `attempts` (the
    /// activity log the facts read); `rule_ready(category, at µs)` is when the
    /// attempt rules allow the next attempt after one at `at`.
    pub fn learn(
        cal: &Calendar,
        (n_lanes, n_categories): (usize, usize),
        f: &Facts,
        worked: &[Worked],
        attempts: &DataFrame,
        rule_ready: impl Fn(usize, i64) -> Option<i64>,
    ) -> Result<Policy> {
        let df = &f.df;
        let start = times(df, "clock_start_at")?;
        let first = times(df, "first_attempt_at")?;
        let priority = strs(df, "priority")?;
        let task_id = strs(df, "task_id")?;
        let mut seen = vec![vec![Seen::default(); n_categories]; n_lanes];
        let mut kind_of: HashMap<&str, (usize, usize)> = HashMap::new();
        for w in worked {
            let i = w.row;
            if let Some(id) = task_id[i] {
                kind_of.insert(id, (w.queue, w.category));
            }
            if let (Some(s), Some(a)) = (start[i], first[i]) {
                let u = usize::from(priority[i] == Some("urgent"));
                seen[w.queue][w.category].wait[u].push(cal.micros_between(s, a).max(0));
            }
        }
        // Outreach rows per worked task, in time order.
        let a_tid = strs(attempts, "task_id")?;
        let a_at = times(attempts, "at")?;
        let channel = strs(attempts, "channel")?;
        let dir = parsed::<Direction>(attempts, "direction")?;
        let outcome = parsed::<Outcome>(attempts, "outcome")?;
        let mut by_task: HashMap<&str, Vec<i64>> = HashMap::new();
        for j in 0..attempts.height() {
            let outreach = crate::model::attempts::is_outreach(
                channel[j].is_some(),
                dir[j] == Some(Direction::Inbound),
                outcome[j] == Some(Outcome::StatusChange),
            );
            if let (true, Some(id), Some(at)) = (outreach, a_tid[j], a_at[j]) {
                if kind_of.contains_key(id) {
                    by_task.entry(id).or_default().push(at);
                }
            }
        }
        let mut ids: Vec<&&str> = by_task.keys().collect();
        ids.sort_unstable();
        for id in ids {
            let mut v = by_task[*id].clone();
            v.sort_unstable();
            let (q, c) = kind_of[*id];
            for p in v.windows(2) {
                if let Some(r) = rule_ready(c, p[0]) {
                    seen[q][c].retry.push(cal.micros_between(r, p[1]).max(0));
                }
            }
        }
        let mut all = vec![Seen::default(); n_categories];
        for lane in &seen {
            for (c, k) in lane.iter().enumerate() {
                for u in 0..2 {
                    all[c].wait[u].extend_from_slice(&k.wait[u]);
                }
                all[c].retry.extend_from_slice(&k.retry);
            }
        }
        Ok(Policy {
            kinds: (seen.iter())
                .map(|lane| lane.iter().map(Seen::kind).collect())
                .collect(),
            pooled: all.iter().map(Seen::kind).collect(),
        })
    }

    /// The learned wait before a first attempt on `category` in `lane` (urgent
    /// or routine): the lane's, else the category's over all lanes; None when
    /// too few were observed (its target deadline orders it).
    pub fn wait(&self, lane: usize, category: usize, urgent: bool) -> Option<i64> {
        let u = usize::from(urgent);
        let own = self.kinds.get(lane)?.get(category)?.wait_us[u];
        own.or(self.pooled.get(category)?.wait_us[u])
    }

    /// The learned delay of a retry past the attempt rules, likewise.
    pub fn retry(&self, lane: usize, category: usize) -> Option<i64> {
        let own = self.kinds.get(lane)?.get(category)?.retry_us;
        own.or(self.pooled.get(category)?.retry_us)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::facts::ts_col;
    use chrono::{NaiveDate, TimeZone};
    use polars::prelude::{Column, IntoColumn, NamedFrom, Series};

    #[test]
    fn the_quantile_is_the_upper_quartile_and_needs_enough_observations() {
        assert_eq!(quantile(&[5; MIN_TASKS - 1]), None);
        // 1..=21 in any order: index ⌊20 × 0.75⌋ = 15 of the sorted, i.e. 16.
        let v: Vec<i64> = (1..=MIN_TASKS as i64 + 1).rev().collect();
        assert_eq!(quantile(&v), Some(16));
        // 1..=20: index ⌊19 × 0.75⌋ = 14, i.e. 15.
        let v: Vec<i64> = (1..=MIN_TASKS as i64).collect();
        assert_eq!(quantile(&v), Some(15));
    }

    /// Local New York wall-clock time on a November 2026 day to µs.
    fn ny(day: u32, h: u32, m: u32) -> i64 {
        let n = NaiveDate::from_ymd_opt(2026, 11, day)
            .unwrap()
            .and_hms_opt(h, m, 0)
            .unwrap();
        chrono_tz::America::New_York
            .from_local_datetime(&n)
            .earliest()
            .unwrap()
            .timestamp_micros()
    }

    fn str_col(name: &str, v: Vec<Option<&str>>) -> Column {
        Series::new(name.into(), v).into_column()
    }

    #[test]
    fn learns_the_wait_per_lane_and_the_retry_delay_past_the_rules() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("followup.toml");
        let p = Config::load(&path).unwrap().practices.remove(0);
        let cal = Calendar::new(
            &p,
            NaiveDate::from_ymd_opt(2026, 10, 1).unwrap(),
            NaiveDate::from_ymd_opt(2026, 12, 31).unwrap(),
        );
        // Lane 0 works category 0 with waits of 1..=20 business minutes from
        // 09:00 on Monday 2 November; lane 1 works it with a 3-hour wait, seen
        // only five times (too few: it takes the category over both lanes).
        // Every task of lane 0 has a retry 30 business minutes past the rule's
        // ready instant (the rule here: an hour after the attempt), one of them
        // across the 12:00–13:00 closure.
        let (mut ids, mut start, mut first, mut prio) = (vec![], vec![], vec![], vec![]);
        let mut worked = Vec::new();
        let (mut a_id, mut a_at) = (vec![], vec![]);
        let names: Vec<String> = (0..25).map(|k| format!("T{k}")).collect();
        for k in 0..25usize {
            let lane = usize::from(k >= 20);
            let s = ny(2, 9, 0);
            let wait_min = if lane == 0 { k as i64 + 1 } else { 180 };
            let a = cal.add_minutes(s, wait_min).unwrap();
            ids.push(Some(names[k].as_str()));
            start.push(Some(s));
            first.push(Some(a));
            prio.push(Some("routine"));
            worked.push(Worked {
                row: k,
                category: 0,
                queue: lane,
                attempts: 2,
            });
            if lane == 0 {
                let second = if k == 0 {
                    // 11:30 + 1 h = 12:30 (closed): ready 13:00, made 13:30.
                    ny(2, 11, 30)
                } else {
                    a
                };
                let retry = cal.add_minutes(second + 3_600_000_000, 30).unwrap();
                a_id.extend([Some(names[k].as_str()); 2]);
                a_at.extend([Some(second), Some(retry)]);
            }
        }
        let df = DataFrame::new(
            25,
            vec![
                str_col("task_id", ids),
                ts_col("clock_start_at", start).unwrap(),
                ts_col("first_attempt_at", first).unwrap(),
                str_col("priority", prio),
            ],
        )
        .unwrap();
        let n = a_id.len();
        let attempts = DataFrame::new(
            n,
            vec![
                str_col("task_id", a_id),
                ts_col("at", a_at).unwrap(),
                str_col("channel", vec![Some("phone"); n]),
                str_col("direction", vec![Some("outbound"); n]),
                str_col("outcome", vec![Some("no_answer"); n]),
            ],
        )
        .unwrap();
        let f = Facts {
            df,
            in_range: vec![true; 25],
        };
        let rule = |_c: usize, at: i64| cal.add_minutes(at, 60);
        let pol = Policy::learn(&cal, (2, 1), &f, &worked, &attempts, rule).unwrap();
        let min = 60_000_000;
        // Lane 0: waits 1..=20 min, the upper quartile (index 14) is 15 min.
        assert_eq!(pol.kinds[0][0].wait_n, [20, 0]);
        assert_eq!(pol.wait(0, 0, false), Some(15 * min));
        // Lane 1 saw five: it takes the category over both lanes, whose 25
        // waits are 1..=20 and five of 180: index ⌊24 × 0.75⌋ = 18, i.e. 19 min.
        assert_eq!(pol.kinds[1][0].wait_us[0], None);
        assert_eq!(pol.wait(1, 0, false), Some(19 * min));
        // Nobody urgent: no learned wait, the target deadline orders them.
        assert_eq!(pol.wait(0, 0, true), None);
        // Every retry came 30 business minutes after the rule allowed it, the
        // one across the closure included.
        assert_eq!(pol.kinds[0][0].retry_n, 20);
        assert_eq!(pol.retry(0, 0), Some(30 * min));
        assert_eq!(pol.retry(1, 0), Some(30 * min));
    }
}
