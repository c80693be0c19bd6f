//! The daily review: what yesterday's requests look like and what is waiting at
//! the close, rendered every night by `followup nightly` from the same metrics
//! tables as the weekly report.

use super::input::{DayData, FactRow};
use super::markup::Table;
use super::{minutes, num, pct, tables, Report};
use crate::config::{Age, Config};
use crate::metrics::survival::kaplan_meier;
use crate::model::clock::Calendar;
use anyhow::Result;
use chrono::{Duration, NaiveDate};
use std::path::Path;

/// Calendar days before the reviewed day whose business days it is compared with.
pub const PRIOR_DAYS: i64 = 28;

/// Whether any practice is open on `d` (not a holiday, with business hours).
fn is_business_day(config: &Config, d: NaiveDate) -> bool {
    config
        .practices
        .iter()
        .any(|p| !p.is_holiday(d) && !p.hours.day(chrono::Datelike::weekday(&d)).is_empty())
}

/// The business days of any practice in `first..=last`, in order.
pub fn business_days(config: &Config, first: NaiveDate, last: NaiveDate) -> Vec<NaiveDate> {
    first
        .iter_days()
        .take_while(|d| *d <= last)
        .filter(|d| is_business_day(config, *d))
        .collect()
}

/// The day a review covers: the last business day on or before `day` of any
/// practice (a Sunday night reviews Friday).
pub fn review_day(config: &Config, day: NaiveDate) -> NaiveDate {
    (0..14)
        .map(|k| day - Duration::days(k))
        .find(|d| is_business_day(config, *d))
        .unwrap_or(day)
}

/// Build the daily review of `day` from the metrics tables in `metrics_dir`
/// (computed with outcomes up to the end of `observed_to`): read, then build.
pub fn build(
    config: &Config,
    day: NaiveDate,
    observed_to: NaiveDate,
    metrics_dir: &Path,
) -> Result<Report> {
    Ok(build_from(
        config,
        &super::data::read_day(config, day, observed_to, metrics_dir)?,
    ))
}

/// How a row of the day's measures is formatted.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Share,
    Minutes,
}

/// The median time to first attempt from the Kaplan–Meier curve of `facts`
/// (docs/METRICS.md, "time-to-event"), and the tasks it is over.
fn median_wait(facts: &[FactRow]) -> (Option<f64>, usize) {
    let mut obs: Vec<(f64, bool)> = facts.iter().filter_map(|r| r.waits.map(|w| w[0])).collect();
    let n = obs.len();
    (kaplan_meier(&mut obs).median(), n)
}

/// When a task's outcome happened (None: not by *as of*).
pub(super) type Event = fn(&FactRow) -> Option<i64>;

/// The share of `facts` whose `event` happened within `follow_up` business days
/// of each request (`model::clock::Calendar::age_end`, the end of an outcome
/// age: the close of the N-th business day after the day its clock starts), over
/// the requests whose age has ended by the end of `observed_to` (the others are
/// not yet judged), and that n (docs/METRICS.md, "daily-comparison").
pub(super) fn at_follow_up(
    config: &Config,
    facts: &[FactRow],
    (follow_up, observed_to): (u32, NaiveDate),
    event: Event,
) -> (Option<f64>, usize) {
    let first = facts.iter().filter_map(|r| r.created_date).min();
    let mut cals: std::collections::BTreeMap<&str, Option<(Calendar, i64)>> = Default::default();
    let (mut hit, mut n) = (0usize, 0usize);
    for r in facts {
        let (Some(id), Some(created), Some(first)) =
            (r.practice_id.as_deref(), r.created_at, first)
        else {
            continue;
        };
        let cal = cals.entry(id).or_insert_with(|| {
            config.practice(id).map(|p| {
                let cal = Calendar::new(
                    p,
                    first - Duration::days(1),
                    observed_to + Duration::days(60),
                );
                (cal, crate::model::day::last_instant(p, observed_to))
            })
        });
        let Some((cal, as_of)) = cal.as_ref() else {
            continue;
        };
        let Some(end) = cal
            .age_end(created, Age::BusinessDays(follow_up))
            .filter(|e| e <= as_of)
        else {
            continue;
        };
        n += 1;
        hit += event(r).is_some_and(|x| x <= end) as usize;
    }
    ((n > 0).then(|| hit as f64 / n as f64), n)
}

/// The daily review from its typed data: the day against the average business
/// day of the four weeks before (docs/METRICS.md, "daily-comparison").
pub fn build_from(config: &Config, data: &DayData) -> Report {
    let day = data.day;
    let days = data.prior_days.len();
    let mut headlines = Table::new(&[
        "measure",
        "this day",
        "n",
        "average business day, 4 weeks before",
        "n (4 weeks)",
    ]);
    let (d, p) = (&data.day_measures, &data.prior_measures);
    let count = |v: Option<f64>| v.map(|v| v.to_string()).unwrap_or_else(|| "–".into());
    let rows: [(
        &str,
        Kind,
        Option<f64>,
        Option<f64>,
        Option<f64>,
        Option<f64>,
    ); 2] = [
        (
            "share first attempted within target",
            Kind::Share,
            d.within_target_share,
            d.due,
            p.within_target_share,
            p.due,
        ),
        (
            "median time to first attempt (business time)",
            Kind::Minutes,
            None,
            None,
            None,
            None,
        ),
    ];
    // The day's requests have been observed for `follow_up` business days
    // after their day: the four weeks' requests are judged at that same age.
    let follow_up = business_days(config, day + Duration::days(1), data.observed_to).len() as u32;
    let after = match follow_up {
        0 => "by the close of their business day".to_string(),
        1 => "by the close of the next business day".to_string(),
        k => format!("within {k} business days"),
    };
    let outcomes: [(&str, Event); 3] = [
        ("patients reached", |r| r.first_contact_at),
        ("tasks completed", |r| r.closed_at),
        ("tasks that booked an appointment", |r| r.booked_at),
    ];
    let per_day = p.tasks.filter(|_| days > 0).map(|t| t / days as f64);
    headlines.push(vec![
        "requests".into(),
        num(d.tasks.or(Some(0.0))),
        String::new(),
        num(per_day.map(|v| (v * 10.0).round() / 10.0)),
        format!("{} over {days} days", count(p.tasks.or(Some(0.0)))),
    ]);
    for (label, kind, this, n, prior, prior_n) in rows {
        let (this, n, prior, prior_n) = if kind == Kind::Minutes {
            let ((a, na), (b, nb)) = (median_wait(&data.facts), median_wait(&data.prior_facts));
            (a, Some(na as f64), b, Some(nb as f64))
        } else {
            (this, n, prior, prior_n)
        };
        let fmt = |v| match kind {
            Kind::Share => pct(v),
            Kind::Minutes => minutes(v),
        };
        headlines.push(vec![
            label.to_string(),
            fmt(this),
            count(n.or(Some(0.0))),
            fmt(prior),
            count(prior_n.or(Some(0.0))),
        ]);
    }
    for (label, event) in outcomes {
        let age = (follow_up, data.observed_to);
        let (this, n) = at_follow_up(config, &data.facts, age, event);
        let (prior, prior_n) = at_follow_up(config, &data.prior_facts, age, event);
        headlines.push(vec![
            format!("{label} {after}"),
            pct(this),
            n.to_string(),
            pct(prior),
            prior_n.to_string(),
        ]);
    }
    headlines.numeric = vec![false, true, true, true, true];
    let mut waits = tables::longest_waits(config, &data.facts, day);
    waits.title = "The 20 longest waits among the day's requests".into();
    waits.text = vec!["Business time from the request to its first attempt; for requests not yet attempted, to the end of the day.".into()];
    let sections = vec![
        tables::daily_review(&data.review),
        tables::urgent_items(&data.review),
        waits,
        tables::list_adherence(day, &data.adherence),
        tables::data_quality(&data.quality),
    ];
    let first = data
        .prior_days
        .first()
        .map(|d| d.to_string())
        .unwrap_or_default();
    let last = data
        .prior_days
        .last()
        .map(|d| d.to_string())
        .unwrap_or_default();
    Report {
        title: format!("Follow-up daily review, {}", day.format("%A %Y-%m-%d")),
        week: day.to_string(),
        subtitle: format!(
            "requests created on {day}, outcomes observed to the end of {}; compared with the average business day of the 4 weeks before ({days} business days, {first} to {last}: requests per day, shares of all their requests pooled)",
            data.observed_to
        ),
        headlines,
        headline_notes: Vec::new(),
        findings: Vec::new(),
        no_findings: "The weekly report carries the findings; this page is the day's review.".into(),
        sections,
        charts: Vec::new(),
    }
}
