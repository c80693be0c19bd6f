//! The daily review: what yesterday's requests look like and what is waiting at
//! the close, rendered every night by `followup nightly` from the same metrics
//! tables as the weekly report.

use super::input::{DayData, Measure};
use super::markup::Table;
use super::{minutes, num, pct, tables, Report};
use crate::config::Config;
use anyhow::Result;
use chrono::{Duration, NaiveDate};
use std::path::Path;

/// The day a review covers: the last business day on or before `day` of any
/// practice (a Sunday night reviews Friday).
pub fn review_day(config: &Config, day: NaiveDate) -> NaiveDate {
    config
        .practices
        .iter()
        .filter_map(|p| {
            (0..14).map(|k| day - Duration::days(k)).find(|d| {
                !p.is_holiday(*d) && !p.hours.day(chrono::Datelike::weekday(d)).is_empty()
            })
        })
        .max()
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

/// The daily review from its typed data.
pub fn build_from(config: &Config, data: &DayData) -> Report {
    let day = data.day;
    let mut headlines = Table::new(&["measure", "this day", "the 7 days before"]);
    let rows: [(Measure, &str, u8); 6] = [
        (|m| m.tasks, "requests", 0),
        (
            |m| m.within_target_share,
            "share first attempted within target",
            1,
        ),
        (
            |m| m.median_minutes_to_first_attempt,
            "median time to first attempt (business time)",
            2,
        ),
        (|m| m.contact_rate, "patients reached", 1),
        (|m| m.completion_rate, "tasks completed", 1),
        (|m| m.booking_rate, "tasks that booked an appointment", 1),
    ];
    for (measure, label, kind) in rows {
        let fmt = |v| match kind {
            1 => pct(v),
            2 => minutes(v),
            _ => num(v),
        };
        headlines.push(vec![
            label.to_string(),
            fmt(measure(&data.day_measures)),
            fmt(measure(&data.prior_measures)),
        ]);
    }
    let mut waits = tables::longest_waits(config, &data.facts, day);
    waits.title = "The 20 longest waits among the day's requests".into();
    waits.text = vec!["Business time from the request to its first attempt; for requests not yet attempted, to the end of the day.".into()];
    let sections = vec![
        tables::daily_review(&data.review),
        waits,
        tables::data_quality(&data.quality),
    ];
    Report {
        title: format!("Follow-up daily review, {}", day.format("%A %Y-%m-%d")),
        week: day.to_string(),
        subtitle: format!(
            "requests created on {day}, outcomes observed to the end of {}; the 7 days before for comparison",
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
