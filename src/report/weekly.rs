//! The weekly report, built from the week's typed data (`input::WeekData`):
//! headline numbers against the goal, findings, a section per category, the
//! charts across categories, the longest waits, the daily review and data quality.

use super::charts::{self, Chart, Spec};
use super::input::{Measure, WeekData};
use super::markup::{sparkline, Table};
use super::{figures, findings, minutes, num, pct, tables, week_label, Report, Section};
use crate::config::Config;
use anyhow::Result;
use chrono::{Duration, NaiveDate};

/// A headline row: the measure, its label, and how it is formatted.
#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Count,
    Share,
    Minutes,
}

const HEADLINES: [(Measure, &str, Kind); 9] = [
    (|m| m.tasks, "requests", Kind::Count),
    (
        |m| m.within_target_share,
        "share first attempted within target",
        Kind::Share,
    ),
    (
        |m| m.median_minutes_to_first_attempt,
        "median time to first attempt (business time)",
        Kind::Minutes,
    ),
    (
        |m| m.p90_minutes_to_first_attempt,
        "90th percentile time to first attempt (business time)",
        Kind::Minutes,
    ),
    (|m| m.contact_rate, "patients reached", Kind::Share),
    (|m| m.completion_rate, "tasks completed", Kind::Share),
    (
        |m| m.booking_rate,
        "tasks that booked an appointment",
        Kind::Share,
    ),
    (|m| m.kept_rate, "booked appointments kept", Kind::Share),
    (
        |m| m.closed_unable_early,
        "closed before the approved attempts",
        Kind::Count,
    ),
];

/// The trend weeks, oldest first: (ISO week, its Sunday).
pub fn trend_weeks(monday: NaiveDate) -> Vec<(String, NaiveDate)> {
    (0..super::TREND_WEEKS)
        .rev()
        .map(|k| {
            let m = monday - Duration::weeks(k);
            (week_label(m), m + Duration::days(6))
        })
        .collect()
}

/// `measure` of `week` in the weekly aggregates.
fn of_week(data: &WeekData, week: &str, measure: Measure) -> Option<f64> {
    data.weekly
        .iter()
        .find(|(w, _)| w.as_deref() == Some(week))
        .and_then(|(_, m)| measure(m))
}

/// Headline numbers, week over week, with the 13-week trend.
fn headlines(data: &WeekData, weeks: &[(String, NaiveDate)]) -> Table {
    let week = &weeks[weeks.len() - 1].0;
    let prev = week_label(data.monday - Duration::weeks(1));
    let mut t = Table::new(&[
        "measure",
        "this week",
        "last week",
        "change",
        "13-week trend",
        "goal",
    ]);
    for (measure, label, kind) in HEADLINES {
        let this = of_week(data, week, measure);
        let last = of_week(data, &prev, measure);
        let trend: Vec<Option<f64>> = weeks
            .iter()
            .map(|(w, _)| of_week(data, w, measure))
            .collect();
        let change = match (this, last, kind) {
            (Some(a), Some(b), Kind::Share) => format!("{:+.0} pts", (a - b) * 100.0),
            (Some(a), Some(b), Kind::Minutes) => format!("{:+.0} min", a - b),
            (Some(a), Some(b), Kind::Count) => format!("{:+.0}", a - b),
            _ => "–".into(),
        };
        let fmt = |v| match kind {
            Kind::Share => pct(v),
            Kind::Minutes => minutes(v),
            Kind::Count => num(v),
        };
        let is_goal = label == HEADLINES[1].1;
        t.push(vec![
            label.to_string(),
            fmt(this),
            fmt(last),
            change,
            sparkline(&trend),
            if is_goal {
                pct(Some(data.goal))
            } else {
                String::new()
            },
        ]);
    }
    t
}

/// The 13-week trend of the share within target, against the goal.
fn trend_chart(data: &WeekData, weeks: &[(String, NaiveDate)]) -> Result<Chart> {
    let share: Vec<Option<f64>> = weeks
        .iter()
        .map(|(w, _)| of_week(data, w, |m| m.within_target_share))
        .collect();
    let goal = data.goal;
    charts::render(
        "trend_within_target",
        "Share first attempted within target, 13 weeks",
        &Spec::Lines {
            x: weeks.iter().map(|(w, _)| w[5..].to_string()).collect(),
            series: vec![("all categories".into(), share.clone())],
            y_label: "share within target".into(),
            x_label: "ISO week".into(),
            y_ref: Some((goal, format!("goal {:.0}%", goal * 100.0))),
            percent: true,
        },
        share
            .iter()
            .all(Option::is_none)
            .then_some("No requests in these weeks"),
    )
}

/// The categories table and one section per category of the first practice, with its charts.
fn categories(
    config: &Config,
    data: &WeekData,
    week: &str,
    charts: &mut Vec<Chart>,
) -> Result<Vec<Section>> {
    let mut table = Table::new(&[
        "category",
        "target",
        "requests",
        "median",
        "p90",
        "within target",
        "reached",
        "completed",
        "booked",
        "kept",
    ]);
    let mut sections = Vec::new();
    let cats = config
        .practices
        .first()
        .map(|p| p.categories.values().collect::<Vec<_>>());
    for p_cat in cats.unwrap_or_default() {
        let name = p_cat.name.as_str();
        let m = data
            .categories
            .iter()
            .find(|(c, _)| c.as_deref() == Some(name))
            .map(|(_, m)| m.clone())
            .unwrap_or_default();
        table.push(vec![
            data.label(name),
            p_cat.target.to_string(),
            num(m.tasks),
            minutes(m.median_minutes_to_first_attempt),
            minutes(m.p90_minutes_to_first_attempt),
            pct(m.within_target_share),
            pct(m.contact_rate),
            pct(m.completion_rate),
            pct(m.booking_rate),
            pct(m.kept_rate),
        ]);
        let first = charts.len();
        charts.extend(figures::category_charts(data, name, p_cat.target, week)?);
        sections.push(Section {
            title: format!("Category: {}", data.label(name)),
            text: vec![format!(
                "Target: {}; {} attempts at most, {} business day(s) apart, final attempt by {}.",
                p_cat.target, p_cat.max_attempts, p_cat.min_gap_days, p_cat.final_channel
            )],
            table: None,
            charts: (first..charts.len()).collect(),
        });
    }
    sections.insert(0, Section {
        title: "Categories this week".into(),
        text: vec![
            "Outcomes are observed up to the end of the week, so the latest requests have had the least time to be reached, completed or booked.".into(),
            format!(
                "Each category's charts: time to first attempt (business time from the request for a target in minutes or hours; for a same-day or next-day target, business time before or after each request's own deadline; the grey bar counts requests not attempted by the end of the week; the dashed line is the target). Share still waiting: of the week's requests, the share not yet first attempted, reached or completed t business hours after the request, counting those still open (Kaplan–Meier, docs/METRICS.md \"time-to-event\"); the dashed line is the target (for a same-day or next-day target, the median request's deadline). A category with fewer than {} requests in the week shows \"too few requests\" in place of these charts: its numbers are in the table above.",
                data.min_n.max(1)
            ),
        ],
        table: Some(table),
        charts: vec![],
    });
    Ok(sections)
}

/// Build the weekly report from its typed data.
pub fn build(config: &Config, data: &WeekData) -> Result<Report> {
    let monday = data.monday;
    let sunday = monday + Duration::days(6);
    let week = week_label(monday);
    let weeks = trend_weeks(monday);
    let mut charts = vec![trend_chart(data, &weeks)?];
    let found = findings::all(data, &weeks);
    let mut sections = categories(config, data, &week, &mut charts)?;
    let first = charts.len();
    charts.extend(figures::across_charts(data, &weeks, &week)?);
    sections.push(Section {
        title: "Across categories".into(),
        text: vec![format!(
            "Heatmap cells are the share of requests created in that weekday and hour that were first attempted within target (blue: in target, vermillion: missed; grey: no requests), with the number of requests (n) it is a share of: a share of a few requests says little. Hatched cells are hours the practice is closed{}; a request made then starts its clock at the next opening.",
            config
                .practices
                .first()
                .map(|p| format!(" ({})", p.name))
                .unwrap_or_default()
        )],
        table: None,
        charts: (first..charts.len()).collect(),
    });
    sections.push(tables::longest_waits(config, &data.facts, sunday));
    sections.push(tables::daily_review(&data.review));
    sections.push(tables::data_quality(&data.quality));
    let practices: Vec<&str> = config.practices.iter().map(|p| p.name.as_str()).collect();
    Ok(Report {
        title: format!("Follow-up weekly report, {week}"),
        week: week.clone(),
        subtitle: format!(
            "{} to {} · {} · goal: {:.0}% of requests first attempted within target",
            monday,
            sunday,
            if practices.len() <= 3 {
                practices.join(", ")
            } else {
                format!("{} practices", practices.len())
            },
            data.goal * 100.0
        ),
        headlines: headlines(data, &weeks),
        findings: found,
        no_findings: "Nothing crossed a threshold this week.".into(),
        sections,
        charts,
    })
}
