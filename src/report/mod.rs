//! The weekly report: headline numbers against targets, a section per category,
//! findings, the longest waits, the daily review and data quality, as one
//! self-contained HTML file and the same content in Markdown, with charts as SVG
//! (inline) and PNG. Everything is read from the metrics tables by one reader
//! (`data`) into typed values (`input`); building (`weekly`, `daily`) and
//! rendering (`render`, `charts`) are pure functions of those values.

pub mod adherence;
pub mod charts;
pub mod daily;
pub mod data;
mod figures;
pub mod findings;
mod headlines;
pub mod input;
mod outcomes;
pub mod pilot;
pub(crate) use crate::render::markup;
pub mod render;
pub mod staffing;
mod tables;
#[cfg(test)]
mod tests;
pub mod weekly;

use anyhow::{Context, Result};
use charts::Chart;
use chrono::{Datelike, Duration, NaiveDate};
use findings::Finding;
use markup::Table;
use std::path::{Path, PathBuf};

/// Weeks of trend in the report.
pub const TREND_WEEKS: i64 = 13;

/// A finished report, ready to render.
pub struct Report {
    pub title: String,
    pub week: String,
    pub subtitle: String,
    pub headlines: Table,
    /// Said under the headline table (weeks not yet mature, how times are read).
    pub headline_notes: Vec<String>,
    pub findings: Vec<Finding>,
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
