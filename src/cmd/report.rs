//! `followup report`: the weekly report and its charts.

use crate::cli::Cli;
use crate::error::{UsageError, EXIT_OK};
use crate::lake::Lake;
use crate::metrics::{self, Options};
use crate::report;
use anyhow::Result;
use chrono::Duration;
use std::path::PathBuf;

/// Render the weekly report: HTML (self-contained, printable) and Markdown, with
/// per-category and cross-category charts as SVG and PNG.
///
/// Computes the metrics tables for the 13 weeks ending with the week (into
/// <out>/<week>/metrics) and renders only from them. Default week: the last
/// complete ISO week in the lake.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  followup report\n  followup report --week 2026-W47 --out reports/"
)]
pub struct Args {
    /// ISO week, e.g. 2026-W47 (default: the last complete week in the lake).
    #[arg(long, value_parser = report::parse_week)]
    pub week: Option<chrono::NaiveDate>,
    /// Output folder (default: the config's reports folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let config = super::load_config(cli)?;
    let lake = Lake::new(&config.paths.lake);
    let monday = match args.week {
        Some(m) => m,
        None => report::last_complete_week(
            super::metrics::latest_task_date(&config, &lake)?.ok_or_else(|| {
                UsageError(format!(
                    "the lake at {} holds no tasks; run `followup ingest` first",
                    lake.root.display()
                ))
            })?,
        ),
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| config.paths.reports.clone());
    let week = metrics::facts::iso_week(monday);
    let metrics_dir = out.join(&week).join("metrics");
    let base = config
        .path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(std::path::Path::new("."));
    let opts = Options {
        from: monday - Duration::weeks(report::TREND_WEEKS - 1),
        to: monday + Duration::days(6),
        as_of: None,
        out: metrics_dir.clone(),
        queries: base.join("queries"),
        compare: None,
        csv: metrics::CsvTables::All,
    };
    metrics::run(&config, &opts, &|stage| {
        tracing::info!("report: metrics: {stage}")
    })?;
    let r = report::build(&config, monday, &metrics_dir)?;
    let written = report::write(&r, &out)?;
    if !cli.quiet {
        eprintln!(
            "report {week}: {} and {} with {} chart(s); {} finding(s)",
            written.html.display(),
            written.markdown.display(),
            written.charts,
            r.findings.len()
        );
    }
    Ok(EXIT_OK)
}
