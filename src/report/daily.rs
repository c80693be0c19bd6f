//! The daily review: what yesterday's requests look like and what is waiting at
//! the close, rendered every night by `followup nightly` from the same metrics
//! tables as the weekly report.

use super::data::{grouped, lookup, scan};
use super::markup::Table;
use super::{minutes, num, pct, tables, Report};
use crate::config::Config;
use anyhow::Result;
use chrono::{Duration, NaiveDate};
use polars::prelude::{col, lit, when};
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
/// (computed with outcomes up to the end of `observed_to`).
pub fn build(
    config: &Config,
    day: NaiveDate,
    observed_to: NaiveDate,
    metrics_dir: &Path,
) -> Result<Report> {
    let facts = scan(metrics_dir, "task_facts")?;
    let recent = facts
        .clone()
        .filter(
            col("created_date")
                .gt_eq(lit(day - Duration::days(7)))
                .and(col("created_date").lt_eq(lit(day))),
        )
        .with_column(
            when(col("created_date").eq(lit(day)))
                .then(lit("day"))
                .otherwise(lit("prior"))
                .alias("period"),
        );
    let by = grouped(recent.clone(), &["period"])?;
    let mut headlines = Table::new(&["measure", "this day", "the 7 days before"]);
    let rows: [(&str, &str, u8); 6] = [
        ("tasks", "requests", 0),
        (
            "within_target_share",
            "share first attempted within target",
            1,
        ),
        (
            "median_minutes_to_first_attempt",
            "median time to first attempt (business time)",
            2,
        ),
        ("contact_rate", "patients reached", 1),
        ("completion_rate", "tasks completed", 1),
        ("booking_rate", "tasks that booked an appointment", 1),
    ];
    for (name, label, kind) in rows {
        let fmt = |v| match kind {
            1 => pct(v),
            2 => minutes(v),
            _ => num(v),
        };
        headlines.push(vec![
            label.to_string(),
            fmt(lookup(&by, "period", "day", name)?),
            fmt(lookup(&by, "period", "prior", name)?),
        ]);
    }
    let day_facts = facts.filter(col("created_date").eq(lit(day)));
    let mut waits = tables::longest_waits(config, &day_facts, day)?;
    waits.title = "The 20 longest waits among the day's requests".into();
    waits.text = vec!["Business time from the request to its first attempt; for requests not yet attempted, to the end of the day.".into()];
    let sections = vec![
        tables::daily_review(config, metrics_dir, &scan(metrics_dir, "task_facts")?, day)?,
        waits,
        tables::data_quality(config, metrics_dir)?,
    ];
    Ok(Report {
        title: format!("Follow-up daily review, {}", day.format("%A %Y-%m-%d")),
        week: day.to_string(),
        subtitle: format!(
            "requests created on {day}, outcomes observed to the end of {observed_to}; the 7 days before for comparison"
        ),
        headlines,
        findings: Vec::new(),
        no_findings: "The weekly report carries the findings; this page is the day's review.".into(),
        sections,
        charts: Vec::new(),
    })
}
