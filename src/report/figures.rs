//! The report's charts: what each one shows, from the week's typed data.

use super::charts::{self, Chart, Spec, XRef};
use super::input::{FactRow, Measures, WeekData};
use crate::config::{Target, WeekHours};
use crate::metrics::backlog::AGE_BUCKETS;
use crate::metrics::survival::{kaplan_meier, Curve};
use anyhow::Result;
use chrono::{Duration, NaiveDate, NaiveTime};
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
        muted: None,
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

/// The unit a length of business time reads in on a chart.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Unit {
    Min,
    Hour,
    Day,
}

impl Unit {
    /// Whole business days from one day on, hours from one hour on, else minutes.
    fn of(m: f64, day: f64) -> Unit {
        if m >= day && (m / day).fract().abs() < 1e-9 {
            Unit::Day
        } else if m >= 60.0 {
            Unit::Hour
        } else {
            Unit::Min
        }
    }

    fn amount(self, m: f64, day: f64) -> String {
        let v = match self {
            Unit::Min => m,
            Unit::Hour => m / 60.0,
            Unit::Day => m / day,
        };
        if (v - v.round()).abs() < 1e-9 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        }
    }

    fn name(self, one: bool) -> &'static str {
        match (self, one) {
            (Unit::Min, _) => "min",
            (Unit::Hour, true) => "hour",
            (Unit::Hour, false) => "hours",
            (Unit::Day, true) => "day",
            (Unit::Day, false) => "days",
        }
    }
}

/// Business minutes in words: "30 min", "4 hours", "2 days" (a day being
/// `day` business minutes, the practice's usual open day).
pub(super) fn humane(m: f64, day: f64) -> String {
    if m.abs() < 1e-9 {
        return "0".into();
    }
    let u = Unit::of(m, day);
    let a = u.amount(m, day);
    format!("{a} {}", u.name(a == "1"))
}

/// The label of the bin of waits from `lo` to `hi` business minutes (`None`:
/// open-ended), on two lines: the amounts, then the unit ("15–30" / "min",
/// "1–2" / "hours", "over" / "2 days"). A range reads in its lower end's unit
/// ("30–60 min", "4–8 hours"), so no label mixes two.
pub(super) fn bin_label(lo: f64, hi: Option<f64>, day: f64) -> String {
    // −0 (a deadline's own edge, negated) reads as 0.
    let lo = lo + 0.0;
    match hi {
        None => format!("over\n{}", humane(lo, day)),
        Some(hi) => {
            let u = if lo > 0.0 {
                Unit::of(lo, day)
            } else {
                Unit::of(hi, day)
            };
            let u = if u == Unit::Day && (hi / day).fract().abs() > 1e-9 {
                Unit::Hour
            } else {
                u
            };
            let b = u.amount(hi, day);
            format!("{}–{b}\n{}", u.amount(lo, day), u.name(b == "1"))
        }
    }
}

/// Bin edges (business minutes) for waits against a minute target `t`: a
/// ladder of humane lengths from half the target on, with the target among
/// them, at most 8 (so at most 10 bars with "over" and "not attempted").
pub(super) fn minute_edges(t: f64, day: f64) -> Vec<f64> {
    let mut e: Vec<f64> = [5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 240.0]
        .into_iter()
        .filter(|&m| m < day)
        .chain([day, 2.0 * day, 5.0 * day])
        .filter(|&m| m >= t / 2.0)
        .chain([t])
        .collect();
    e.sort_by(f64::total_cmp);
    e.dedup();
    e.truncate(8);
    e
}

/// Bin edges for the first attempt against its deadline (business minutes,
/// negative before it): a day, 4 hours and an hour either side, then two days after.
pub(super) fn deadline_edges(day: f64) -> Vec<f64> {
    let mut e: Vec<f64> = [-day, -240.0, -60.0, 0.0, 60.0, 240.0, day, 2.0 * day]
        .into_iter()
        .filter(|m| m.abs() <= day)
        .chain([2.0 * day])
        .collect();
    e.sort_by(f64::total_cmp);
    e.dedup();
    e
}

/// Index of the bin of `v`: bins are `(e[i-1], e[i]]`, the first everything up
/// to `e[0]`, the last everything over the last edge. Right-closed, as a first
/// attempt exactly at the target meets it.
fn bin_of(v: f64, edges: &[f64]) -> usize {
    edges.iter().position(|&e| v <= e).unwrap_or(edges.len())
}

/// Time to first attempt as bars, with the requests never attempted by *as
/// of* as a last, grey bar, and the target marked. A minute target's bars are
/// business time from the request; a same-day or next-day target's are
/// business time from the deadline (before it, left of the line; after it,
/// right), since its deadline is a different length of business time for
/// each request.
pub(super) fn speed(mine: &[&FactRow], target: Target, day: f64) -> Spec {
    // Where a request's first attempt falls on the chart's axis.
    type Place = fn(&FactRow) -> Option<f64>;
    let (edges, value, desc): (Vec<f64>, Place, String) = match target {
        Target::Minutes(t) => (
            minute_edges(t as f64, day),
            |r| r.minutes_to_first_attempt,
            "business time from the request to its first attempt".into(),
        ),
        _ => (
            deadline_edges(day),
            |r| Some(r.minutes_to_first_attempt? - r.minutes_to_deadline?),
            "business time of the first attempt before or after its deadline".into(),
        ),
    };
    let nb = edges.len() + 1;
    let mut counts = vec![0.0; nb + 1];
    let mut not_attempted = vec![0.0; nb + 1];
    for r in mine {
        match (r.attempted, value(r)) {
            (false, _) => not_attempted[nb] += 1.0,
            (true, Some(v)) => counts[bin_of(v, &edges)] += 1.0,
            // Attempted, with no deadline to place it against: not charted.
            (true, None) => {}
        }
    }
    let mut x: Vec<String> = (0..nb)
        .map(|i| {
            let lo = if i == 0 { None } else { Some(edges[i - 1]) };
            let hi = edges.get(i).copied();
            match (lo, hi) {
                // Before the deadline: the distance from it, nearer first.
                (lo, Some(h)) if h <= 0.0 => match lo {
                    Some(l) => bin_label(-h, Some(-l), day),
                    None => bin_label(-h, None, day),
                },
                (None, Some(h)) => bin_label(0.0, Some(h), day),
                (Some(l), Some(h)) => bin_label(l, Some(h), day),
                (Some(l), None) => bin_label(l, None, day),
                (None, None) => String::new(),
            }
        })
        .collect();
    x.push("not\nattempted".into());
    let at = edges.iter().position(|&e| match target {
        Target::Minutes(t) => e == t as f64,
        _ => e == 0.0,
    });
    let x_ref = at.map(|k| match target {
        Target::Minutes(t) => XRef {
            at: k as f64 + 0.5,
            label: format!("target {}", humane(t as f64, day)),
            before: format!("within {}", humane(t as f64, day)),
            after: "later".into(),
        },
        _ => XRef {
            at: k as f64 + 0.5,
            label: format!("deadline: {target}"),
            before: "by the deadline".into(),
            after: "after it".into(),
        },
    });
    Spec::Bars {
        x,
        series: vec![
            ("first attempted".into(), counts),
            ("not attempted by the end of the week".into(), not_attempted),
        ],
        stacked: true,
        y_label: "requests".into(),
        x_label: format!("{desc} (a business day is {})", humane(day, f64::INFINITY)),
        x_ref,
        y_ref: None,
        percent: false,
        muted: Some(1),
    }
}

/// Where the target lies on a waiting curve's axis (business minutes from
/// the request): a minute target's length; for a same-day or next-day
/// target, the median of the requests' deadlines (each its own length of
/// business time). None when no request has a deadline.
fn target_position(mine: &[&FactRow], target: Target) -> Option<f64> {
    match target {
        Target::Minutes(t) => Some(t as f64),
        _ => {
            let mut d: Vec<f64> = mine.iter().filter_map(|r| r.minutes_to_deadline).collect();
            d.sort_by(f64::total_cmp);
            d.get(d.len().checked_sub(1)? / 2).copied()
        }
    }
}

/// A Kaplan–Meier curve as a step polyline from (0, 100%) to `end`.
fn polyline(c: &Curve, end: f64) -> Vec<(f64, f64)> {
    let mut pts = vec![(0.0, 1.0)];
    let mut s = 1.0;
    for step in c.steps.iter().take_while(|st| st.t <= end) {
        pts.push((step.t, s));
        s = step.survival;
        pts.push((step.t, s));
    }
    pts.push((end, s));
    pts
}

/// A humane step for ticks up to `x_max` (at most 8 of them): minutes, hours
/// within a day, then whole days (past two days, days only, so that no axis
/// reads "12 hours" after "1 day").
fn tick_step(x_max: f64, day: f64) -> f64 {
    [5.0, 10.0, 15.0, 30.0, 60.0, 120.0, 240.0]
        .into_iter()
        .filter(|&m| m < day && x_max <= 2.0 * day)
        .chain([
            day,
            2.0 * day,
            5.0 * day,
            10.0 * day,
            20.0 * day,
            50.0 * day,
        ])
        .find(|&s| x_max / s <= 8.0)
        .unwrap_or(100.0 * day)
}

/// A tick at `v` on an axis to `x_max` with ticks `step` apart, in one unit
/// for the whole axis: days when the step is whole days, else hours when the
/// axis reaches two hours ("0.5 hours", "8 hours"), else minutes ("70 min").
pub(super) fn tick_label(v: f64, step: f64, x_max: f64, day: f64) -> String {
    if v.abs() < 1e-9 {
        return "0".into();
    }
    let u = if Unit::of(step, day) == Unit::Day {
        Unit::Day
    } else if x_max >= 120.0 {
        Unit::Hour
    } else {
        Unit::Min
    };
    let a = u.amount(v, day);
    format!("{a} {}", u.name(a == "1"))
}

/// The share of the week's requests still waiting for a first attempt, for
/// contact and for completion, t business minutes after the request
/// (Kaplan–Meier, `metrics::survival`, over the waits `report::data` read),
/// with the target and the goal (at most 1 − goal still waiting then).
pub(super) fn waiting(mine: &[&FactRow], target: Target, day: f64, goal: f64) -> Spec {
    let names = ["first attempt", "contact (patient reached)", "completion"];
    let curves: Vec<Curve> = (0..3)
        .map(|e| {
            kaplan_meier(
                &mut mine
                    .iter()
                    .filter_map(|r| r.waits.map(|w| w[e]))
                    .collect::<Vec<_>>(),
            )
        })
        .collect();
    let longest = mine
        .iter()
        .filter_map(|r| r.waits.map(|w| w[0].0))
        .fold(0.0, f64::max);
    let target_at = target_position(mine, target);
    let t = target_at.unwrap_or(60.0);
    // Wide enough for the target twice over and for nine in ten first
    // attempts (or, when fewer were made, the longest first-attempt wait).
    let want = (2.0 * t)
        .max(curves[0].p90().unwrap_or(longest))
        .max(t * 1.25);
    let step = tick_step(want, day);
    let x_max = (want / step).ceil().max(1.0) * step;
    let series = names
        .iter()
        .zip(&curves)
        .enumerate()
        .map(|(e, (name, c))| {
            // Each curve is drawn as far as its longest wait (known up to then).
            let end = mine
                .iter()
                .filter_map(|r| r.waits.map(|w| w[e].0))
                .fold(0.0, f64::max);
            (name.to_string(), polyline(c, end.min(x_max)))
        })
        .collect();
    let ticks = (0..)
        .map(|k| k as f64 * step)
        .take_while(|&v| v <= x_max + 1e-9)
        .map(|v| (v, tick_label(v, step, x_max, day)))
        .collect();
    Spec::Steps {
        series,
        x_max,
        ticks,
        x_ref: target_at.map(|at| XRef {
            at,
            label: match target {
                Target::Minutes(_) => format!("target {}", humane(at, day)),
                _ => format!(
                    "the median request's deadline ({target}), {} after it",
                    tick_label(at, step, x_max, day)
                ),
            },
            before: String::new(),
            after: String::new(),
        }),
        y_ref: Some((
            1.0 - goal,
            format!(
                "goal: at most {:.0}% waiting for a first attempt at the target",
                (1.0 - goal) * 100.0
            ),
        )),
        y_label: "share still waiting".into(),
        x_label: format!(
            "business time since the request (a business day is {})",
            humane(day, f64::INFINITY)
        ),
    }
}

/// Share within target by day of creation, Monday to Sunday.
fn share_by_day(mine: &[&FactRow], monday: NaiveDate, goal: f64) -> Spec {
    let days: Vec<NaiveDate> = (0..7).map(|d| monday + Duration::days(d)).collect();
    let vals = days
        .iter()
        .map(|d| share_within(mine.iter().copied().filter(|r| r.created_date == Some(*d))))
        .collect();
    let n = |d: &NaiveDate| mine.iter().filter(|r| r.created_date == Some(*d)).count();
    Spec::Lines {
        x: days
            .iter()
            .map(|d| format!("{}\nn={}", d.format("%a %d"), n(d)))
            .collect(),
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

/// The message a category chart shows instead of its bars or lines when the
/// week has no requests of the category, or fewer than `min_n`.
pub(super) fn too_few(n: usize, min_n: u32, week: &str) -> Option<String> {
    let min_n = min_n.max(1) as usize;
    if n == 0 {
        Some(format!("No requests in {week}"))
    } else if n < min_n {
        Some(format!(
            "Too few requests (n={n}) to chart: charts need {min_n} or more"
        ))
    } else {
        None
    }
}

/// The charts of one category's section: time to first attempt, the waiting
/// curves, share within target by day, the funnel, the backlog. Those of the
/// week's requests say so when there are fewer than `min_n` of them.
pub(super) fn category_charts(
    data: &WeekData,
    cat: &str,
    target: Target,
    week: &str,
) -> Result<Vec<Chart>> {
    let mine: Vec<&FactRow> = data
        .facts
        .iter()
        .filter(|r| r.category.as_deref() == Some(cat))
        .collect();
    let label = data.label(cat);
    let few = too_few(mine.len(), data.min_n, week);
    let few = few.as_deref();
    let day = if data.day_minutes > 0.0 {
        data.day_minutes
    } else {
        480.0
    };
    let (backlog, no_backlog) = backlog(data, cat);
    Ok(vec![
        charts::render(
            &format!("{cat}_speed"),
            &format!("{label}: time to first attempt, {week}"),
            &speed(&mine, target, day),
            few,
        )?,
        charts::render(
            &format!("{cat}_waiting"),
            &format!("{label}: share still waiting, {week}"),
            &waiting(&mine, target, day, data.goal),
            few,
        )?,
        charts::render(
            &format!("{cat}_share_by_day"),
            &format!("{label}: share within target by day of creation"),
            &share_by_day(&mine, data.monday, data.goal),
            few,
        )?,
        charts::render(
            &format!("{cat}_funnel"),
            &format!("{label}: requested → attempted → reached → booked → kept"),
            &funnel(&mine),
            few,
        )?,
        charts::render(
            &format!("{cat}_backlog"),
            &format!("{label}: open at each day's close, by age"),
            &backlog,
            no_backlog.then_some("No open tasks at any close this week"),
        )?,
    ])
}

/// Whether a practice with `hours` is closed for the whole of hour `h` on
/// weekday `d` (1 = Monday).
fn closed_hour(hours: &WeekHours, d: i32, h: u32) -> bool {
    let Ok(wd) = chrono::Weekday::try_from((d - 1) as u8) else {
        return false;
    };
    let from = NaiveTime::from_hms_opt(h, 0, 0).expect("an hour");
    let to = NaiveTime::from_hms_opt(h + 1, 0, 0);
    !hours
        .day(wd)
        .iter()
        .any(|s| s.end > from && to.is_none_or(|to| s.start < to))
}

/// Share within target by weekday (Monday to Friday) × hour (7 to 18, or
/// wider to take in the practice's hours) of creation, each cell's n, and
/// which hours the practice is closed for.
pub(super) fn heatmap(facts: &[FactRow], hours: Option<&WeekHours>) -> Spec {
    let spans = hours.iter().flat_map(|h| h.0.iter().flatten());
    let (first, last) = spans.fold((7, 18), |(a, b): (u32, u32), s| {
        use chrono::Timelike;
        (a.min(s.start.hour().saturating_sub(1)), b.max(s.end.hour()))
    });
    let hours_shown: Vec<u32> = (first..=last.min(23)).collect();
    let cells = |d: i32, h: u32| {
        facts
            .iter()
            .filter(move |r| r.created_weekday == Some(d) && r.created_hour == Some(h as i32))
    };
    let values = (1..=5)
        .map(|d| {
            hours_shown
                .iter()
                .map(|&h| share_within(cells(d, h)))
                .collect()
        })
        .collect();
    let counts = (1..=5)
        .map(|d| hours_shown.iter().map(|&h| cells(d, h).count()).collect())
        .collect();
    let closed = (1..=5)
        .map(|d| {
            hours_shown
                .iter()
                .map(|&h| hours.is_some_and(|w| closed_hour(w, d, h)))
                .collect()
        })
        .collect();
    Spec::Heatmap {
        rows: ["Mon", "Tue", "Wed", "Thu", "Fri"]
            .map(String::from)
            .to_vec(),
        cols: hours_shown.iter().map(|h| format!("{h}")).collect(),
        values,
        counts,
        closed,
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
            &heatmap(&data.facts, data.hours.as_ref()),
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
