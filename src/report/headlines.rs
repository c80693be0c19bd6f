//! The weekly report's headline numbers: each outcome for the latest week old
//! enough to have it (docs/METRICS.md, "maturity"), against the four weeks
//! before that week, with n, the change's 95% interval and a plain verdict; the
//! trend of mature weeks only. A week not yet mature is said to be so, with the
//! day it matures, never shown as a low rate. The interval allows for weeks: a
//! practice's requests of one week share its queue, so both sides' counts are
//! shrunk by the design effect of the four weeks' practice-weeks (from
//! `by_day`; docs/METRICS.md, "Comparison"), or taken as they are when the
//! metrics have no `by_day`.

use super::input::{DayCounts, Measures, WeekData};
use super::markup::{sparkline, Table};
use super::{minutes, num, pct, week_label};
use crate::config::{Age, Config, Maturity};
use crate::metrics::compare::{verdict, Direction};
use crate::metrics::stats::{design_effect, newcombe_clustered, Share};
use crate::model::clock::Calendar;
use chrono::{Duration, NaiveDate};

/// Weeks a headline is compared with: the four before its week.
pub const BASELINE_WEEKS: i64 = 4;

/// A share at a fixed age: its rate and n in a week's measures (empty rate:
/// not yet mature).
type ShareOf = fn(&Measures) -> (Option<f64>, Option<f64>);

/// Which outcome a share headline is, for its age and the day it matures.
#[derive(Clone, Copy)]
enum Outcome {
    WithinTarget,
    Aged(fn(&Maturity) -> Age),
}

/// The share headlines, in the table's order.
fn shares() -> [(&'static str, &'static str, ShareOf, Outcome); 5] {
    [
        (
            "share first attempted within target",
            "within target",
            |m| {
                let decided = m.undecided == Some(0.0);
                (m.within_target_share.filter(|_| decided), m.due)
            },
            Outcome::WithinTarget,
        ),
        (
            "patients reached",
            "reached",
            |m| (m.reached_in_age_rate, m.tasks),
            Outcome::Aged(|a| a.reached),
        ),
        (
            "tasks completed",
            "completed",
            |m| (m.completed_in_age_rate, m.tasks),
            Outcome::Aged(|a| a.completed),
        ),
        (
            "tasks that booked an appointment",
            "booked",
            |m| (m.booked_in_age_rate, m.tasks),
            Outcome::Aged(|a| a.booked),
        ),
        (
            "visits kept",
            "kept",
            |m| (m.kept_in_age_rate, m.visits_in_age),
            Outcome::Aged(|a| a.kept),
        ),
    ]
}

/// "within 3 business days" when every category of every practice has that age
/// for the outcome, else "within each category's age".
fn age_words(config: &Config, age: fn(&Maturity) -> Age) -> String {
    let mut ages = config
        .practices
        .iter()
        .flat_map(|p| p.categories.values().map(|c| age(&c.maturity)));
    match ages.next() {
        Some(first) if ages.all(|a| a == first) => format!("within {first}"),
        _ => "within each category's age".into(),
    }
}

/// When a week of requests (Monday `monday`) is old enough for `outcome` in
/// every category of every practice: the end of the age (or the deadline) of a
/// request made at the week's last instant, as a local date of the first
/// practice. None when past any calendar.
fn matures_on(config: &Config, monday: NaiveDate, outcome: Outcome) -> Option<NaiveDate> {
    let sunday = monday + Duration::days(6);
    let mut latest: Option<i64> = None;
    for p in &config.practices {
        let cal = Calendar::new(p, monday, sunday + Duration::days(400));
        let last = crate::model::day::last_instant(p, sunday);
        for c in p.categories.values() {
            let end = match outcome {
                Outcome::WithinTarget => cal.deadline(last, c.target),
                Outcome::Aged(age) => cal.age_end(last, age(&c.maturity)),
            }?;
            latest = latest.max(Some(end));
        }
    }
    let p = config.practices.first()?;
    Some(crate::model::facts::local(p, latest?).0)
}

/// The measures of `week` (an ISO week label) over every category, if any.
pub(super) fn of<'a>(data: &'a WeekData, week: &str) -> Option<&'a Measures> {
    data.weekly
        .iter()
        .find(|(w, _)| w.as_deref() == Some(week))
        .map(|(_, m)| m)
}

/// The measures of `category` in `week`, if any.
pub(super) fn of_category<'a>(
    data: &'a WeekData,
    category: &str,
    week: &str,
) -> Option<&'a Measures> {
    data.category_weeks
        .iter()
        .find(|(c, w, _)| c.as_deref() == Some(category) && w.as_deref() == Some(week))
        .map(|(_, _, m)| m)
}

fn monday_of(week: &str) -> Option<NaiveDate> {
    super::parse_week(week).ok()
}

/// The latest of `weeks` (newest last) whose `value` is known.
pub(super) fn latest_known<T>(
    weeks: &[(String, NaiveDate)],
    value: impl Fn(&str) -> Option<T>,
) -> Option<(&str, T)> {
    weeks
        .iter()
        .rev()
        .find_map(|(w, _)| value(w).map(|v| (w.as_str(), v)))
}

/// The four weeks before `week`, oldest first.
fn baseline(week: &str) -> Vec<String> {
    let Some(monday) = monday_of(week) else {
        return Vec::new();
    };
    (1..=BASELINE_WEEKS)
        .rev()
        .map(|k| week_label(monday - Duration::weeks(k)))
        .collect()
}

/// "W46" for "2026-W46".
pub(super) fn short(week: &str) -> &str {
    week.get(5..).unwrap_or(week)
}

/// "W46" for "2026-W46", with the week's holidays on days the first practice
/// would otherwise be open ("W46 (holiday Wed)"): a week with fewer
/// business days is a reason for a change, not noise.
fn week_cell(config: &Config, week: &str) -> String {
    let Some((p, monday)) = config.practices.first().zip(monday_of(week)) else {
        return short(week).to_string();
    };
    let closed: Vec<String> = (0..7)
        .map(|k| monday + Duration::days(k))
        .filter(|&d| p.is_holiday(d) && !p.hours.day(chrono::Datelike::weekday(&d)).is_empty())
        .map(|d| d.format("%a").to_string())
        .collect();
    if closed.is_empty() {
        short(week).to_string()
    } else {
        format!("{} (holiday {})", short(week), closed.join(", "))
    }
}

/// The design effect of `share_of` over the practice-weeks of `weeks`: each
/// practice's days (`by_day`, each day's (x_d, n_d) rounded to whole tasks like
/// the weeks' counts) summed by practice and ISO week, one cluster each. 1 when
/// there are fewer than two (a metrics folder without `by_day`, or a single
/// week of one practice).
fn weeks_effect(days: &[DayCounts], weeks: &[String], share_of: ShareOf) -> f64 {
    let mut by: std::collections::BTreeMap<(Option<&str>, String), (f64, f64)> =
        std::collections::BTreeMap::new();
    for d in days {
        let week = crate::model::local_time::iso_week(d.date);
        if !weeks.contains(&week) {
            continue;
        }
        let (rate, n) = share_of(&d.measures);
        if let (Some(rate), Some(n)) = (rate, n) {
            let (x, n) = counts(rate, n);
            let c = by.entry((d.practice_id.as_deref(), week)).or_default();
            c.0 += x as f64;
            c.1 += n as f64;
        }
    }
    design_effect(&by.into_values().collect::<Vec<_>>())
}

/// A share's successes and n, rounded to whole tasks.
fn counts(rate: f64, n: f64) -> (u64, u64) {
    ((rate * n).round() as u64, n.round() as u64)
}

fn signed_pts(v: f64) -> String {
    let p = (v * 100.0).round();
    if p == 0.0 {
        "0 pts".into()
    } else {
        format!("{p:+.0} pts").replace('-', "−")
    }
}

/// The headline table and the notes under it (the weeks not yet mature).
pub fn table(
    config: &Config,
    data: &WeekData,
    weeks: &[(String, NaiveDate)],
) -> (Table, Vec<String>) {
    let mut t = Table::new(&[
        "measure",
        "week",
        "value (n)",
        "the 4 weeks before (n)",
        "change (95% interval)",
        "verdict",
        "13-week trend",
        "goal",
    ]);
    let mut notes = Vec::new();
    let this = &weeks[weeks.len() - 1].0;
    counts_row(
        config,
        &mut t,
        data,
        weeks,
        "requests",
        |m| m.tasks,
        |_| true,
    );
    let mut young = Vec::new();
    for (label, short_name, share_of, outcome) in shares() {
        let (label, goal) = match outcome {
            Outcome::WithinTarget => (label.to_string(), pct(Some(data.goal))),
            Outcome::Aged(age) => (format!("{label} {}", age_words(config, age)), String::new()),
        };
        let at = |w: &str| of(data, w).and_then(|m| share_of(m).0.zip(share_of(m).1));
        let trend: Vec<Option<f64>> = weeks.iter().map(|(w, _)| at(w).map(|v| v.0)).collect();
        if at(this).is_none() && of(data, this).is_some() {
            if let Some(d) = matures_on(config, data.monday, outcome) {
                young.push(format!("{short_name} on {}", d.format("%a %m-%d")));
            }
        }
        let Some((week, (rate, n))) = latest_known(weeks, at) else {
            t.push(vec![
                label,
                "–".into(),
                "not yet mature".into(),
                "–".into(),
                "–".into(),
                "–".into(),
                share_spark(&trend),
                goal,
            ]);
            continue;
        };
        let (x, n) = counts(rate, n);
        let (mut xb, mut nb) = (0u64, 0u64);
        let mut pooled = Vec::new();
        for w in baseline(week) {
            if let Some((r, m)) = at(&w) {
                let (a, b) = counts(r, m);
                xb += a;
                nb += b;
                pooled.push(w);
            }
        }
        let before = (nb > 0).then(|| xb as f64 / nb as f64);
        // Requests of the same weeks share a queue: both sides take the design
        // effect of the spread between the mature weeks of the report's window
        // before the week (up to twelve: four are too few to measure it; the
        // week alone cannot show spread between weeks, so its requests are
        // taken to cluster as theirs do).
        let history: Vec<String> = weeks
            .iter()
            .map(|(w, _)| w.clone())
            .filter(|w| w.as_str() < week && at(w).is_some())
            .collect();
        let deff = weeks_effect(&data.days, &history, share_of);
        let side = |x: u64, n: u64| Share {
            x: x as f64,
            n: n as f64,
            deff,
        };
        let ci = newcombe_clustered(side(x, n), side(xb, nb));
        let change = match (before, ci) {
            (Some(b), Some((lo, hi))) => format!(
                "{} ({} to {})",
                signed_pts(rate - b),
                signed_pts(lo).trim_end_matches(" pts"),
                signed_pts(hi)
            ),
            (Some(b), None) => signed_pts(rate - b),
            _ => "–".into(),
        };
        t.push(vec![
            label,
            week_cell(config, week),
            format!("{} (n={n})", pct(Some(rate))),
            before.map_or("–".into(), |b| format!("{} (n={nb})", pct(Some(b)))),
            change,
            verdict(ci, Direction::Higher).to_string(),
            share_spark(&trend),
            goal,
        ]);
    }
    if !young.is_empty() {
        notes.push(format!(
            "{} is too recent for some outcomes: it matures for {}. Those rows show the latest week that has matured.",
            short(this),
            young.join(", ")
        ));
    }
    notes.push(
        "Each outcome is judged at a fixed age (docs/METRICS.md, \"maturity\"), for the latest week whose requests are all that old, \
         against the four weeks before it; the verdict is \"no detectable change\" when the change's 95% interval holds zero \
         (an interval that allows for requests of the same week sharing that week's queue, as much as the four weeks differ from one another). \
         Times are read from each week's Kaplan–Meier curve, requests still waiting included; they are compared with the average of the four weeks' values."
            .into(),
    );
    times_row(
        config,
        &mut t,
        data,
        weeks,
        "median time to first attempt (business time)",
        |w| w.median_minutes,
    );
    times_row(
        config,
        &mut t,
        data,
        weeks,
        "90th percentile time to first attempt (business time)",
        |w| w.p90_minutes,
    );
    counts_row(
        config,
        &mut t,
        data,
        weeks,
        "closed before the approved attempts",
        |m| m.closed_unable_early,
        // Tasks close over days: counted once the week is mature for completion.
        |m| m.completed_in_age_rate.is_some(),
    );
    (t, notes)
}

/// A sparkline of shares on a fixed 0–100% scale, so that noise of a few points
/// draws as the small move it is.
fn share_spark(trend: &[Option<f64>]) -> String {
    let mut v: Vec<Option<f64>> = trend.to_vec();
    v.push(Some(0.0));
    v.push(Some(1.0));
    let s: String = sparkline(&v).chars().collect();
    s.chars().take(trend.len()).collect()
}

/// A count of the latest week `mature` says is (the report's week for
/// requests) against the average of the four weeks before it.
fn counts_row(
    config: &Config,
    t: &mut Table,
    data: &WeekData,
    weeks: &[(String, NaiveDate)],
    label: &str,
    value: fn(&Measures) -> Option<f64>,
    mature: fn(&Measures) -> bool,
) {
    let at = |w: &str| of(data, w).filter(|m| mature(m)).and_then(value);
    let Some((week, _)) = latest_known(weeks, at) else {
        return;
    };
    let before: Vec<f64> = baseline(week).iter().filter_map(|w| at(w)).collect();
    let avg = (!before.is_empty()).then(|| before.iter().sum::<f64>() / before.len() as f64);
    let this = at(week);
    let trend: Vec<Option<f64>> = weeks.iter().map(|(w, _)| at(w)).collect();
    t.push(vec![
        label.into(),
        week_cell(config, week),
        num(this),
        avg.map_or("–".into(), |a| format!("{} a week", num(Some(a.round())))),
        match (this, avg) {
            (Some(a), Some(b)) if a == b.round() => "0".into(),
            (Some(a), Some(b)) => format!("{:+.0}", a - b.round()).replace('-', "−"),
            _ => "–".into(),
        },
        "–".into(),
        sparkline(&trend),
        String::new(),
    ]);
}

/// A time read from each week's Kaplan–Meier curve: the latest week where it is
/// known, against the average of the four weeks before (no interval: the weeks'
/// curves are not pooled).
fn times_row(
    config: &Config,
    t: &mut Table,
    data: &WeekData,
    weeks: &[(String, NaiveDate)],
    label: &str,
    value: fn(&super::input::Waiting) -> Option<f64>,
) {
    let at = |w: &str| {
        data.waiting
            .iter()
            .find(|(x, _)| x.as_deref() == Some(w))
            .and_then(|(_, v)| Some((value(v)?, v.tasks?)))
    };
    let trend: Vec<Option<f64>> = weeks.iter().map(|(w, _)| at(w).map(|v| v.0)).collect();
    let Some((week, (v, n))) = latest_known(weeks, at) else {
        t.push(vec![
            label.into(),
            "–".into(),
            "not yet known".into(),
            "–".into(),
            "–".into(),
            "–".into(),
            sparkline(&trend),
            String::new(),
        ]);
        return;
    };
    let before: Vec<(f64, f64)> = baseline(week).iter().filter_map(|w| at(w)).collect();
    let avg =
        (!before.is_empty()).then(|| before.iter().map(|b| b.0).sum::<f64>() / before.len() as f64);
    let nb: f64 = before.iter().map(|b| b.1).sum();
    t.push(vec![
        label.into(),
        week_cell(config, week),
        format!("{} (n={})", minutes(Some(v)), num(Some(n))),
        avg.map_or("–".into(), |a| {
            format!("{} (n={})", minutes(Some(a)), num(Some(nb)))
        }),
        match avg {
            Some(a) => {
                let d = v - a;
                let sign = if d < 0.0 { "−" } else { "+" };
                format!("{sign}{}", minutes(Some(d.abs())))
            }
            None => "–".into(),
        },
        "–".into(),
        sparkline(&trend),
        String::new(),
    ]);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(practice: &str, date: &str, tasks: f64, reached: f64) -> DayCounts {
        DayCounts {
            practice_id: Some(practice.into()),
            date: date.parse().unwrap(),
            measures: Measures {
                tasks: Some(tasks),
                reached_in_age_rate: Some(reached / tasks),
                ..Measures::default()
            },
        }
    }

    /// Days are summed into practice-weeks, and only the weeks asked for count.
    #[test]
    fn the_design_effect_is_of_practice_weeks() {
        let reached: ShareOf = |m| (m.reached_in_age_rate, m.tasks);
        let days = vec![
            // W45: practice a 8+8 of 10+10 (16/20), b 2 of 10.
            day("a", "2026-11-02", 10.0, 8.0),
            day("a", "2026-11-03", 10.0, 8.0),
            day("b", "2026-11-02", 10.0, 2.0),
            // W46: practice a 10 of 20 in one day.
            day("a", "2026-11-09", 20.0, 10.0),
            // W47: not asked for.
            day("a", "2026-11-16", 20.0, 0.0),
        ];
        let weeks = ["2026-W45".to_string(), "2026-W46".to_string()];
        // Clusters (16, 20), (2, 10), (10, 20): p = 28/50 = 0.56; spread
        // (16 − 11.2)² + (2 − 5.6)² + (10 − 11.2)² = 37.44; 3/2 · 37.44 ÷ 2500 =
        // 0.022464 against 0.56 · 0.44 ÷ 50 = 0.004928: deff 4.5584.
        let deff = weeks_effect(&days, &weeks, reached);
        assert!((deff - 4.558_441_558).abs() < 1e-6, "{deff}");
        // Summed by week: the two days of a's W45 are one cluster, not two.
        assert_eq!(
            weeks_effect(&days, &["2026-W45".to_string()], reached),
            design_effect(&[(16.0, 20.0), (2.0, 10.0)])
        );
        // One practice-week: nothing to measure spread with.
        assert_eq!(weeks_effect(&days, &["2026-W46".to_string()], reached), 1.0);
    }
}
