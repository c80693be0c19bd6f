//! "What needs attention": findings generated from the data, each a typed value
//! with its evidence, worded by `Display`.

use super::input::{BacklogRow, BarrierRow, FactRow, Measures};
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;
use std::fmt;

/// Minimum tasks on each side of a comparison before it is called a finding.
const MIN_N: f64 = 10.0;

fn pct(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// One finding and its evidence.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// A minute-target category whose share within target drops from `hour`.
    AfternoonSlip {
        category: String,
        /// The target as task_facts writes it ("30 business minutes").
        target: String,
        hour: i32,
        before: f64,
        after: f64,
        n_before: u64,
        n_after: u64,
    },
    /// Categories peaking in the same `hour`–17:00 block: (category, share of its weekday requests).
    CompetingWork {
        hour: i32,
        peaks: Vec<(String, f64)>,
    },
    /// An owner's open backlog at four weeks' last closes, growing each week.
    GrowingBacklog { owner: String, open: [i64; 4] },
    DoubledBarrier {
        barrier: String,
        week: String,
        prev: String,
        now: u64,
        before: u64,
    },
    /// Tasks closed as unable to reach before the approved attempts, per category.
    EarlyClosures { by_category: Vec<(String, u64)> },
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::AfternoonSlip { category, target, hour, before, after, n_before, n_after } => write!(
                f,
                "{category}: {} within {} for requests created from {hour}:00 vs {} before ({n_after} vs {n_before} requests).",
                pct(*after),
                target.replace(" business minutes", " min"),
                pct(*before),
            ),
            Finding::CompetingWork { hour, peaks } => {
                let peaks: Vec<String> = peaks
                    .iter()
                    .map(|(c, s)| format!("{c} ({} of its weekday requests)", pct(*s)))
                    .collect();
                write!(
                    f,
                    "Work that peaks in the same {hour}:00–17:00 block competes for the same staff: {}.",
                    peaks.join(", ")
                )
            }
            Finding::GrowingBacklog { owner, open: v } => write!(
                f,
                "Backlog of {owner} grew three weeks running: {} → {} → {} → {} open at the week's last close.",
                v[0], v[1], v[2], v[3]
            ),
            Finding::DoubledBarrier { barrier, week, prev, now, before } => write!(
                f,
                "Barrier {barrier} doubled: {now} tasks in {week} vs {before} in {prev}."
            ),
            Finding::EarlyClosures { by_category } => {
                let parts: Vec<String> =
                    by_category.iter().map(|(c, n)| format!("{c} {n}")).collect();
                write!(
                    f,
                    "Closed as unable to reach before the approved attempts were made: {}.",
                    parts.join(", ")
                )
            }
        }
    }
}

impl Finding {
    /// The same finding with its category names as `label` gives them (the
    /// config's labels), for a person to read; built on names, worded in labels.
    pub fn labelled(self, label: impl Fn(&str) -> String) -> Finding {
        match self {
            Finding::AfternoonSlip {
                category,
                target,
                hour,
                before,
                after,
                n_before,
                n_after,
            } => Finding::AfternoonSlip {
                category: label(&category),
                target,
                hour,
                before,
                after,
                n_before,
                n_after,
            },
            Finding::CompetingWork { hour, peaks } => Finding::CompetingWork {
                hour,
                peaks: peaks.into_iter().map(|(c, s)| (label(&c), s)).collect(),
            },
            Finding::EarlyClosures { by_category } => Finding::EarlyClosures {
                by_category: by_category
                    .into_iter()
                    .map(|(c, n)| (label(&c), n))
                    .collect(),
            },
            other => other,
        }
    }
}

/// Mean of the known values and how many there were.
#[derive(Default, Clone, Copy)]
struct Share {
    hits: f64,
    n: f64,
}

impl Share {
    fn add(&mut self, v: Option<bool>) {
        if let Some(v) = v {
            self.n += 1.0;
            self.hits += f64::from(u8::from(v));
        }
    }

    fn mean(self) -> Option<f64> {
        (self.n > 0.0).then(|| self.hits / self.n)
    }
}

/// Share within target before and after `hour` for each minute-target category.
pub fn afternoon_slips(week_facts: &[FactRow], hour: i32) -> Vec<Finding> {
    // (category, target) → (before, from `hour`); a row with no hour is neither.
    let mut groups: BTreeMap<(Option<&str>, Option<&str>), [Share; 2]> = BTreeMap::new();
    for r in week_facts {
        let minutes = r
            .target
            .as_deref()
            .is_some_and(|t| t.ends_with("business minutes"));
        let Some(h) = r.created_hour.filter(|_| minutes) else {
            continue;
        };
        let key = (r.category.as_deref(), r.target.as_deref());
        groups.entry(key).or_default()[usize::from(h >= hour)].add(r.met_target);
    }
    let mut out = Vec::new();
    for ((category, target), [early, late]) in groups {
        let (Some(a), Some(b)) = (early.mean(), late.mean()) else {
            continue;
        };
        if early.n >= MIN_N && late.n >= MIN_N && a - b >= 0.2 {
            out.push(Finding::AfternoonSlip {
                category: category.unwrap_or("?").to_string(),
                target: target.unwrap_or("").to_string(),
                hour,
                before: a,
                after: b,
                n_before: early.n as u64,
                n_after: late.n as u64,
            });
        }
    }
    out
}

/// Which other categories peak in the same afternoon block (their share of the day's volume).
pub fn competing_work(week_facts: &[FactRow], hour: i32, exclude: &[&str]) -> Option<Finding> {
    let mut groups: BTreeMap<Option<&str>, (f64, f64)> = BTreeMap::new();
    for r in week_facts {
        let (Some(d), Some(h)) = (r.created_weekday, r.created_hour) else {
            continue;
        };
        // Weekday business hours only: night-time web requests would dilute every share.
        if d <= 5 && (8..17).contains(&h) {
            let g = groups.entry(r.category.as_deref()).or_default();
            g.0 += f64::from(u8::from(h >= hour));
            g.1 += 1.0;
        }
    }
    // The block is (17 - hour) of 9 business hours: a category with a quarter more
    // than that share of its weekday requests in the block is peaking there.
    let fair = (17 - hour) as f64 / 9.0;
    let peaks: Vec<(String, f64)> = groups
        .into_iter()
        .map(|(c, (block, n))| (c.unwrap_or_default().to_string(), block / n, n))
        .filter(|(c, share, n)| {
            !exclude.contains(&c.as_str()) && *n >= MIN_N && *share >= 1.25 * fair
        })
        .map(|(c, share, _)| (c, share))
        .collect();
    (!peaks.is_empty()).then_some(Finding::CompetingWork { hour, peaks })
}

/// Owners whose open backlog at the week's last close grew three weeks running.
pub fn growing_backlogs(backlog: &[BacklogRow], sundays: &[NaiveDate]) -> Vec<Finding> {
    // Open tasks per owner at each week's last business-day close.
    let per_week: Vec<BTreeMap<String, i64>> = sundays
        .iter()
        .rev()
        .take(4)
        .rev()
        .map(|&sunday| {
            let monday = sunday - Duration::days(6);
            let in_week = || {
                backlog
                    .iter()
                    .filter(|r| r.date >= monday && r.date <= sunday)
            };
            let last = in_week().map(|r| r.date).max();
            let mut open = BTreeMap::new();
            for r in in_week().filter(|r| Some(r.date) == last) {
                let owner = r.owner.clone().unwrap_or_else(|| "(unassigned)".into());
                *open.entry(owner).or_default() += r.open;
            }
            open
        })
        .collect();
    if per_week.len() != 4 {
        return Vec::new();
    }
    per_week[3]
        .keys()
        .filter_map(|owner| {
            let v: Vec<i64> = per_week
                .iter()
                .map(|m| m.get(owner).copied().unwrap_or(0))
                .collect();
            (v[0] < v[1] && v[1] < v[2] && v[2] < v[3]).then(|| Finding::GrowingBacklog {
                owner: owner.clone(),
                open: [v[0], v[1], v[2], v[3]],
            })
        })
        .collect()
}

/// Barriers that at least doubled week over week (and reached 5).
pub fn doubled_barriers(barriers: &[BarrierRow], week: &str, prev: &str) -> Vec<Finding> {
    let mut tasks: BTreeMap<&str, [f64; 2]> = BTreeMap::new();
    for r in barriers {
        let (Some(b), Some(w)) = (r.barrier.as_deref(), r.iso_week.as_deref()) else {
            continue;
        };
        if w == week || w == prev {
            tasks.entry(b).or_default()[usize::from(w == prev)] += r.tasks;
        }
    }
    tasks
        .into_iter()
        .filter(|(_, [now, before])| *now >= 5.0 && *now >= 2.0 * before.max(1.0))
        .map(|(name, [now, before])| Finding::DoubledBarrier {
            barrier: name.to_string(),
            week: week.to_string(),
            prev: prev.to_string(),
            now: now as u64,
            before: before as u64,
        })
        .collect()
}

/// Tasks closed as unable to reach before the approved attempts were made, from
/// the week's category aggregates.
pub fn early_closures(categories: &[(Option<String>, Measures)]) -> Option<Finding> {
    let by_category: Vec<(String, u64)> = categories
        .iter()
        .filter_map(|(c, m)| Some((c.clone()?, m.closed_unable_early?)))
        .filter(|(_, v)| *v > 0.0)
        .map(|(c, v)| (c, v as u64))
        .collect();
    (!by_category.is_empty()).then_some(Finding::EarlyClosures { by_category })
}

/// Every finding of the week, in the report's order.
pub fn all(data: &super::input::WeekData, weeks: &[(String, NaiveDate)]) -> Vec<Finding> {
    let week = &weeks[weeks.len() - 1].0;
    let prev = crate::metrics::facts::iso_week(data.monday - Duration::weeks(1));
    let mut found = afternoon_slips(&data.facts, 14);
    if !found.is_empty() {
        let ex: Vec<&str> = found
            .iter()
            .filter_map(|f| match f {
                Finding::AfternoonSlip { category, .. } => Some(category.as_str()),
                _ => None,
            })
            .collect();
        found.extend(competing_work(&data.facts, 14, &ex));
    }
    let sundays: Vec<NaiveDate> = weeks.iter().map(|(_, s)| *s).collect();
    found.extend(growing_backlogs(&data.backlog, &sundays));
    found.extend(doubled_barriers(&data.barriers, week, &prev));
    found.extend(early_closures(&data.categories));
    found
        .into_iter()
        .map(|f| f.labelled(|c| data.label(c)))
        .collect()
}
