//! The report's charts: what each one shows, from the week's typed data.

use super::charts::{self, Chart, Spec};
use super::input::{FactRow, Measures, WeekData};
use crate::metrics::backlog::AGE_BUCKETS;
use anyhow::Result;
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;

fn bars(x: Vec<String>, series: Vec<(String, Vec<f64>)>, y_label: &str, x_label: &str) -> Spec {
    Spec::Bars {
        x,
        series,
        stacked: false,
        y_label: y_label.into(),
        x_label: x_label.into(),
        x_ref: None,
        y_ref: None,
        percent: false,
    }
}

/// `spec`'s series stacked rather than side by side.
fn stacked(mut spec: Spec) -> Spec {
    if let Spec::Bars { stacked, .. } = &mut spec {
        *stacked = true;
    }
    spec
}

/// Mean of the known `met_target` values of `rows`; none when none is known.
fn share_within<'a>(rows: impl Iterator<Item = &'a FactRow>) -> Option<f64> {
    let (hits, n) = rows
        .filter_map(|r| r.met_target)
        .fold((0.0, 0.0), |(h, n), v| {
            (h + f64::from(u8::from(v)), n + 1.0)
        });
    (n > 0.0).then(|| hits / n)
}

/// Speed-to-patient distribution, bins scaled to the target.
fn speed(mine: &[&FactRow], target: crate::config::Target) -> Spec {
    let target_min = match target {
        crate::config::Target::Minutes(m) => m as f64,
        _ => 480.0,
    };
    let bin = (target_min / 3.0).max(5.0);
    let nbins = 12usize;
    let mut counts = vec![0.0; nbins];
    for m in mine.iter().filter_map(|r| r.minutes_to_first_attempt) {
        counts[((m / bin) as usize).min(nbins - 1)] += 1.0;
    }
    let x: Vec<String> = (0..nbins)
        .map(|i| {
            if i + 1 == nbins {
                format!("≥{:.0}", i as f64 * bin)
            } else {
                format!("{:.0}–{:.0}", i as f64 * bin, (i + 1) as f64 * bin)
            }
        })
        .collect();
    // Bin i is centred on i: its lower edge is at i − 0.5.
    let x_ref = matches!(target, crate::config::Target::Minutes(_)).then(|| {
        (
            target_min / bin - 0.5,
            format!("target {target_min:.0} min"),
        )
    });
    Spec::Bars {
        x,
        series: vec![("requests".into(), counts)],
        stacked: false,
        y_label: "requests".into(),
        x_label: "business minutes to first attempt".into(),
        x_ref,
        y_ref: None,
        percent: false,
    }
}

/// Share within target by day of creation, Monday to Sunday.
fn share_by_day(mine: &[&FactRow], monday: NaiveDate, goal: f64) -> Spec {
    let days: Vec<NaiveDate> = (0..7).map(|d| monday + Duration::days(d)).collect();
    let vals = days
        .iter()
        .map(|d| share_within(mine.iter().copied().filter(|r| r.created_date == Some(*d))))
        .collect();
    Spec::Lines {
        x: days.iter().map(|d| d.format("%a %d").to_string()).collect(),
        series: vec![("within target".into(), vals)],
        y_label: "share within target".into(),
        x_label: "day the request was created".into(),
        y_ref: Some((goal, format!("goal {:.0}%", goal * 100.0))),
        percent: true,
    }
}

fn funnel(mine: &[&FactRow]) -> Spec {
    let count = |f: fn(&FactRow) -> bool| mine.iter().filter(|r| f(r)).count() as f64;
    let stages = ["tasks", "attempted", "reached", "booked", "kept"];
    let vals = vec![
        mine.len() as f64,
        count(|r| r.attempted),
        count(|r| r.reached),
        count(|r| r.booked),
        count(|r| r.kept),
    ];
    bars(
        stages.iter().map(|s| s.to_string()).collect(),
        vec![("requests".into(), vals)],
        "requests",
        "stage",
    )
}

/// Open tasks of `cat` at each day's close of the week, by age, and whether
/// no close had any.
fn backlog(data: &WeekData, cat: &str) -> (Spec, bool) {
    let sunday = data.monday + Duration::days(6);
    let mut by_date: BTreeMap<NaiveDate, Vec<f64>> = BTreeMap::new();
    for r in data
        .backlog
        .iter()
        .filter(|r| r.category.as_deref() == Some(cat) && r.date >= data.monday && r.date <= sunday)
    {
        let sums = by_date
            .entry(r.date)
            .or_insert_with(|| vec![0.0; AGE_BUCKETS.len()]);
        for (s, a) in sums.iter_mut().zip(&r.ages) {
            *s += *a as f64;
        }
    }
    let series = AGE_BUCKETS
        .iter()
        .enumerate()
        .map(|(k, (_, n))| {
            let name = n
                .trim_start_matches("age_")
                .replace('_', "–")
                .replace("–plus", "+");
            (name, by_date.values().map(|v| v[k]).collect())
        })
        .collect();
    let x = by_date
        .keys()
        .map(|d| d.format("%a %d").to_string())
        .collect();
    let spec = stacked(bars(x, series, "open tasks", "business day"));
    (spec, by_date.is_empty())
}

/// The four charts of one category's section.
pub(super) fn category_charts(
    data: &WeekData,
    cat: &str,
    target: crate::config::Target,
    week: &str,
) -> Result<Vec<Chart>> {
    let mine: Vec<&FactRow> = data
        .facts
        .iter()
        .filter(|r| r.category.as_deref() == Some(cat))
        .collect();
    let empty_msg = format!("No {cat} requests in {week}");
    let empty = mine.is_empty().then_some(empty_msg.as_str());
    let unattempted = mine.iter().all(|r| r.minutes_to_first_attempt.is_none());
    let (backlog, no_backlog) = backlog(data, cat);
    Ok(vec![
        charts::render(
            &format!("{cat}_speed"),
            &format!("{cat}: time to first attempt, {week}"),
            &speed(&mine, target),
            empty.or(unattempted.then_some("No request was attempted this week")),
        )?,
        charts::render(
            &format!("{cat}_share_by_day"),
            &format!("{cat}: share within target by day of creation"),
            &share_by_day(&mine, data.monday, data.goal),
            empty,
        )?,
        charts::render(
            &format!("{cat}_funnel"),
            &format!("{cat}: requested → attempted → reached → booked → kept"),
            &funnel(&mine),
            empty,
        )?,
        charts::render(
            &format!("{cat}_backlog"),
            &format!("{cat}: open at each day's close, by age"),
            &backlog,
            no_backlog.then_some("No open tasks at any close this week"),
        )?,
    ])
}

/// Share within target by weekday (Monday to Friday) × hour (7 to 18) of creation.
fn heatmap(facts: &[FactRow]) -> Spec {
    let hours: Vec<i32> = (7..19).collect();
    let values = (1..=5)
        .map(|d| {
            hours
                .iter()
                .map(|&h| {
                    share_within(
                        facts
                            .iter()
                            .filter(|r| r.created_weekday == Some(d) && r.created_hour == Some(h)),
                    )
                })
                .collect()
        })
        .collect();
    Spec::Heatmap {
        rows: ["Mon", "Tue", "Wed", "Thu", "Fri"]
            .map(String::from)
            .to_vec(),
        cols: hours.iter().map(|h| format!("{h}")).collect(),
        values,
        x_label: "hour the request was created (local)".into(),
        y_label: "weekday".into(),
    }
}

/// Per trend week, the sum of `value` over the rows of that week.
fn weekly<T>(
    weeks: &[(String, NaiveDate)],
    rows: &[T],
    week: impl Fn(&T) -> Option<&str>,
    value: impl Fn(&T) -> f64,
) -> Vec<f64> {
    weeks
        .iter()
        .map(|(w, _)| {
            rows.iter()
                .filter(|r| week(r) == Some(w.as_str()))
                .map(&value)
                .sum()
        })
        .collect()
}

fn barriers(data: &WeekData, weeks: &[(String, NaiveDate)], names: Vec<String>) -> (Spec, bool) {
    let mut barrier_names: Vec<&str> = data
        .barriers
        .iter()
        .filter_map(|b| b.barrier.as_deref())
        .collect();
    barrier_names.sort_unstable();
    barrier_names.dedup();
    let series = barrier_names
        .iter()
        .map(|&b| {
            let one: Vec<_> = data
                .barriers
                .iter()
                .filter(|r| r.barrier.as_deref() == Some(b))
                .collect();
            (
                b.to_string(),
                weekly(weeks, &one, |r| r.iso_week.as_deref(), |r| r.tasks),
            )
        })
        .collect();
    let spec = stacked(bars(names, series, "tasks with a barrier", "ISO week"));
    (spec, barrier_names.is_empty())
}

fn discipline(data: &WeekData, weeks: &[(String, NaiveDate)], names: Vec<String>) -> Spec {
    let by_week = |m: fn(&Measures) -> Option<f64>| {
        weekly(
            weeks,
            &data.weekly,
            |(w, _)| w.as_deref(),
            |(_, v)| m(v).unwrap_or(0.0),
        )
    };
    let series = vec![
        (
            "closed before approved attempts".to_string(),
            by_week(|m| m.closed_unable_early),
        ),
        (
            "attempt sooner than the rule's gap".to_string(),
            by_week(|m| m.early_attempts),
        ),
        (
            "more attempts than allowed".to_string(),
            by_week(|m| m.over_max_attempts),
        ),
        (
            "final attempt by another channel".to_string(),
            by_week(|m| m.final_channel_misses),
        ),
    ];
    bars(names, series, "tasks", "ISO week")
}

/// The charts across categories: the heatmap, barriers, attempt discipline and missed calls.
pub(super) fn across_charts(
    data: &WeekData,
    weeks: &[(String, NaiveDate)],
    week: &str,
) -> Result<Vec<Chart>> {
    let names: Vec<String> = weeks.iter().map(|(w, _)| w[5..].to_string()).collect();
    let (barriers, no_barriers) = barriers(data, weeks, names.clone());
    let missed = |f: fn(&super::input::MissedWeek) -> f64| {
        weekly(weeks, &data.missed, |m| m.iso_week.as_deref(), f)
    };
    let returns = bars(
        names.clone(),
        vec![
            ("callbacks owed".into(), missed(|m| m.callbacks_owed)),
            ("returned".into(), missed(|m| m.returned)),
        ],
        "callbacks",
        "ISO week",
    );
    Ok(vec![
        charts::render(
            "heatmap_within_target",
            &format!("Share within target by weekday × hour of creation, {week}"),
            &heatmap(&data.facts),
            data.facts.is_empty().then_some("No requests this week"),
        )?,
        charts::render(
            "barriers_by_week",
            "Barriers by week",
            &barriers,
            no_barriers.then_some("No barriers recorded"),
        )?,
        charts::render(
            "attempt_discipline",
            "Attempt-discipline violations by week",
            &discipline(data, weeks, names),
            data.weekly.is_empty().then_some("No tasks"),
        )?,
        charts::render(
            "missed_call_returns",
            "Missed calls: callbacks owed and returned, by week",
            &returns,
            data.missed.is_empty().then_some("No missed calls"),
        )?,
    ])
}
