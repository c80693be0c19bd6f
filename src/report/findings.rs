//! "What needs attention": findings generated from the data, each a typed value
//! with its evidence, worded by `Display`.

use super::input::{BacklogRow, BarrierRow, BottleneckRow, Measures};
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;
use std::fmt;

/// One finding and its evidence.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// A slip the bottleneck finder found, worded by it, with its priced
    /// fixes and the heatmap cells it comes from.
    Bottleneck(BottleneckRow),
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
            Finding::Bottleneck(b) => f.write_str(&b.text),
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
    // The finder's slips lead, as it worded them (with the categories' labels).
    let mut found: Vec<Finding> = data
        .bottlenecks
        .iter()
        .cloned()
        .map(Finding::Bottleneck)
        .collect();
    let sundays: Vec<NaiveDate> = weeks.iter().map(|(_, s)| *s).collect();
    found.extend(growing_backlogs(&data.backlog, &sundays));
    found.extend(doubled_barriers(&data.barriers, week, &prev));
    found.extend(early_closures(&data.categories));
    found
        .into_iter()
        .map(|f| f.labelled(|c| data.label(c)))
        .collect()
}
