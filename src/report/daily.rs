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

/// Build the daily review of `day` from the metrics tables in `metrics_dir`.
pub fn build(config: &Config, day: NaiveDate, metrics_dir: &Path) -> Result<Report> {
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
    let sections = vec![
        tables::daily_review(metrics_dir, &scan(metrics_dir, "task_facts")?, day)?,
        tables::longest_waits(config, &day_facts, day)?,
        tables::data_quality(config, metrics_dir)?,
    ];
    Ok(Report {
        title: format!("Follow-up daily review, {}", day.format("%A %Y-%m-%d")),
        week: day.to_string(),
        subtitle: format!(
            "requests created on {day}, outcomes observed to the end of that day; the 7 days before for comparison"
        ),
        headlines,
        findings: Vec::new(),
        no_findings: "The weekly report carries the findings; this page is the day's review.".into(),
        sections,
        charts: Vec::new(),
    })
}
