//! The weekly report: headline numbers against targets, a section per category,
//! findings, the longest waits, the daily review and data quality, as one
//! self-contained HTML file and the same content in Markdown, with charts as SVG
//! (inline) and PNG. Everything is read from the metrics tables.

pub mod charts;
pub mod daily;
pub mod data;
mod figures;
pub mod findings;
pub(crate) use crate::render::markup;
mod render;
pub mod staffing;
mod tables;

use crate::config::Config;
use anyhow::{Context, Result};
use charts::{Chart, Spec};
use chrono::{Datelike, Duration, NaiveDate};
use data::{f64s, grouped, scan, strings};
use markup::{sparkline, Table};
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// Weeks of trend in the report.
pub const TREND_WEEKS: i64 = 13;

/// A finished report, ready to render.
pub struct Report {
    pub title: String,
    pub week: String,
    pub subtitle: String,
    pub headlines: Table,
    pub findings: Vec<String>,
    /// Shown when there are no findings.
    pub no_findings: String,
    pub sections: Vec<Section>,
    pub charts: Vec<Chart>,
}

/// A titled part of the report: text, an optional table, chart indexes.
pub struct Section {
    pub title: String,
    pub text: Vec<String>,
    pub table: Option<Table>,
    pub charts: Vec<usize>,
}

/// Parse `2026-W47` into the Monday of that ISO week.
pub fn parse_week(s: &str) -> Result<NaiveDate, String> {
    let (y, w) = s
        .split_once("-W")
        .ok_or_else(|| format!("{s}: write an ISO week as YYYY-Www, e.g. 2026-W47"))?;
    let (y, w): (i32, u32) = (
        y.parse().map_err(|_| format!("{s}: bad year"))?,
        w.parse().map_err(|_| format!("{s}: bad week"))?,
    );
    NaiveDate::from_isoywd_opt(y, w, chrono::Weekday::Mon)
        .ok_or_else(|| format!("{s}: no such ISO week"))
}

/// The last complete ISO week on or before `latest` (a Sunday completes its week).
pub fn last_complete_week(latest: NaiveDate) -> NaiveDate {
    let monday = latest - Duration::days(latest.weekday().num_days_from_monday() as i64);
    if latest.weekday() == chrono::Weekday::Sun {
        monday
    } else {
        monday - Duration::weeks(1)
    }
}

fn week_label(monday: NaiveDate) -> String {
    crate::metrics::facts::iso_week(monday)
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{:.0}%", v * 100.0))
        .unwrap_or_else(|| "–".into())
}

pub(super) fn num(v: Option<f64>) -> String {
    v.map(|v| {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        }
    })
    .unwrap_or_else(|| "–".into())
}

pub(super) fn minutes(v: Option<f64>) -> String {
    v.map(|m| {
        if m >= 120.0 {
            format!("{:.1} h", m / 60.0)
        } else {
            format!("{m:.0} min")
        }
    })
    .unwrap_or_else(|| "–".into())
}

/// Build the report for the ISO week starting `monday` from metrics tables in `metrics_dir`.
pub fn build(config: &Config, monday: NaiveDate, metrics_dir: &Path) -> Result<Report> {
    let sunday = monday + Duration::days(6);
    let week = week_label(monday);
    let prev = week_label(monday - Duration::weeks(1));
    let weeks: Vec<(String, NaiveDate)> = (0..TREND_WEEKS)
        .rev()
        .map(|k| {
            let m = monday - Duration::weeks(k);
            (week_label(m), m + Duration::days(6))
        })
        .collect();
    let goal = config
        .practices
        .first()
        .map(|p| p.target_share)
        .unwrap_or(0.9);
    let facts = scan(metrics_dir, "task_facts")?;
    let week_facts = facts.clone().filter(col("iso_week").eq(lit(week.as_str())));
    let mut charts: Vec<Chart> = Vec::new();
    let mut sections = Vec::new();

    // Headline numbers, week over week, with the 13-week trend.
    let by_week = grouped(facts.clone(), &["iso_week"])?;
    let labels = strings(&by_week, "iso_week")?;
    let at = |w: &str| labels.iter().position(|l| l.as_deref() == Some(w));
    let mut headlines = Table::new(&[
        "measure",
        "this week",
        "last week",
        "change",
        "13-week trend",
        "goal",
    ]);
    let rows: [(&str, &str, bool); 9] = [
        ("tasks", "requests", false),
        (
            "within_target_share",
            "share first attempted within target",
            true,
        ),
        (
            "median_minutes_to_first_attempt",
            "median time to first attempt (business time)",
            false,
        ),
        (
            "p90_minutes_to_first_attempt",
            "90th percentile time to first attempt (business time)",
            false,
        ),
        ("contact_rate", "patients reached", true),
        ("completion_rate", "tasks completed", true),
        ("booking_rate", "tasks that booked an appointment", true),
        ("kept_rate", "booked appointments kept", true),
        (
            "closed_unable_early",
            "closed before the approved attempts",
            false,
        ),
    ];
    for (col_name, label, share) in rows {
        let vals = f64s(&by_week, col_name)?;
        let this = at(&week).and_then(|i| vals[i]);
        let last = at(&prev).and_then(|i| vals[i]);
        let trend: Vec<Option<f64>> = weeks
            .iter()
            .map(|(w, _)| at(w).and_then(|i| vals[i]))
            .collect();
        let change = match (this, last) {
            (Some(a), Some(b)) if share => format!("{:+.0} pts", (a - b) * 100.0),
            (Some(a), Some(b)) if col_name.contains("minutes") => format!("{:+.0} min", a - b),
            (Some(a), Some(b)) => format!("{:+.0}", a - b),
            _ => "–".into(),
        };
        let fmt = |v| {
            if share {
                pct(v)
            } else if col_name.contains("minutes") {
                minutes(v)
            } else {
                num(v)
            }
        };
        let goal_cell = if col_name == "within_target_share" {
            pct(Some(goal))
        } else {
            String::new()
        };
        headlines.push(vec![
            label.to_string(),
            fmt(this),
            fmt(last),
            change,
            sparkline(&trend),
            goal_cell,
        ]);
    }
    let trend_share: Vec<Option<f64>> = {
        let v = f64s(&by_week, "within_target_share")?;
        weeks
            .iter()
            .map(|(w, _)| at(w).and_then(|i| v[i]))
            .collect()
    };
    let week_names: Vec<String> = weeks.iter().map(|(w, _)| w[5..].to_string()).collect();
    charts.push(charts::render(
        "trend_within_target",
        "Share first attempted within target, 13 weeks",
        &Spec::Lines {
            x: week_names.clone(),
            series: vec![("all categories".into(), trend_share.clone())],
            y_label: "share within target".into(),
            x_label: "ISO week".into(),
            y_ref: Some((goal, format!("goal {:.0}%", goal * 100.0))),
            percent: true,
        },
        trend_share
            .iter()
            .all(Option::is_none)
            .then_some("No requests in these weeks"),
    )?);

    // Findings.
    let slips = findings::afternoon_slips(&week_facts, 14)?;
    let mut found: Vec<String> = slips.iter().map(|s| s.text.clone()).collect();
    if !slips.is_empty() {
        let ex: Vec<&str> = slips.iter().map(|s| s.category.as_str()).collect();
        found.extend(findings::competing_work(&week_facts, 14, &ex)?);
    }
    found.extend(findings::growing_backlogs(
        &scan(metrics_dir, "backlog_daily")?,
        &weeks,
    )?);
    found.extend(findings::doubled_barriers(
        &scan(metrics_dir, "barriers_weekly")?,
        &week,
        &prev,
    )?);
    found.extend(findings::early_closures(&week_facts)?);

    // One section per category.
    let by_cat = grouped(week_facts.clone(), &["category"])?;
    let cat_names = strings(&by_cat, "category")?;
    let mut cat_table = Table::new(&[
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
    let mut cat_sections = Vec::new();
    for p_cat in config
        .practices
        .first()
        .map(|p| p.categories.values().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        let name = p_cat.name.as_str();
        let i = cat_names.iter().position(|c| c.as_deref() == Some(name));
        let get =
            |c: &str| -> Result<Option<f64>> { Ok(i.and_then(|i| f64s(&by_cat, c).ok()?[i])) };
        cat_table.push(vec![
            name.to_string(),
            p_cat.target.to_string(),
            num(get("tasks")?),
            minutes(get("median_minutes_to_first_attempt")?),
            minutes(get("p90_minutes_to_first_attempt")?),
            pct(get("within_target_share")?),
            pct(get("contact_rate")?),
            pct(get("completion_rate")?),
            pct(get("booking_rate")?),
            pct(get("kept_rate")?),
        ]);
        let first = charts.len();
        charts.extend(figures::category_charts(
            metrics_dir,
            &week_facts,
            name,
            p_cat.target,
            goal,
            monday,
            &week,
        )?);
        cat_sections.push(Section {
            title: format!("Category: {name}"),
            text: vec![format!(
                "Target: {}; {} attempts at most, {} business day(s) apart, final attempt by {}.",
                p_cat.target, p_cat.max_attempts, p_cat.min_gap_days, p_cat.final_channel
            )],
            table: None,
            charts: (first..charts.len()).collect(),
        });
    }
    sections.push(Section {
        title: "Categories this week".into(),
        text: vec!["Outcomes are observed up to the end of the week, so the latest requests have had the least time to be reached, completed or booked.".into()],
        table: Some(cat_table),
        charts: vec![],
    });
    sections.extend(cat_sections);

    // Across categories.
    let first = charts.len();
    charts.extend(figures::across_charts(
        metrics_dir,
        &week_facts,
        &weeks,
        &week,
    )?);
    sections.push(Section {
        title: "Across categories".into(),
        text: vec!["Heatmap cells are the share of requests created in that weekday and hour that were first attempted within target (blue: in target, vermillion: missed; grey: no requests).".into()],
        table: None,
        charts: (first..charts.len()).collect(),
    });

    sections.push(tables::longest_waits(config, &week_facts, sunday)?);
    sections.push(tables::daily_review(config, metrics_dir, &facts, sunday)?);
    sections.push(tables::data_quality(config, metrics_dir)?);

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
            goal * 100.0
        ),
        headlines,
        findings: found,
        no_findings: "Nothing crossed a threshold this week.".into(),
        sections,
        charts,
    })
}

/// Files written by `write`.
pub struct Written {
    pub html: PathBuf,
    pub markdown: PathBuf,
    pub charts: usize,
}

/// Render and write `<out>/<week>/report.html`, `report.md` and `charts/*.svg|png`.
pub fn write(report: &Report, out: &Path) -> Result<Written> {
    let dir = out.join(&report.week);
    let charts_dir = dir.join("charts");
    std::fs::create_dir_all(&charts_dir)
        .with_context(|| format!("creating {}", charts_dir.display()))?;
    for c in &report.charts {
        crate::lake::write_bytes_atomic(
            &charts_dir.join(format!("{}.svg", c.name)),
            c.svg.as_bytes(),
        )?;
        crate::lake::write_bytes_atomic(&charts_dir.join(format!("{}.png", c.name)), &c.png)?;
    }
    let html = dir.join("report.html");
    let md = dir.join("report.md");
    crate::lake::write_bytes_atomic(&html, render::html(report).as_bytes())?;
    crate::lake::write_bytes_atomic(&md, render::markdown(report).as_bytes())?;
    Ok(Written {
        html,
        markdown: md,
        charts: report.charts.len(),
    })
}
