//! `followup report`: the weekly report and its charts.

use crate::cli::Cli;
use crate::error::EXIT_OK;
use crate::lake::Lake;
use crate::report;
use anyhow::Result;
use std::path::PathBuf;

/// Render the weekly report: HTML (self-contained, printable) and Markdown, with
/// per-category and cross-category charts as SVG and PNG.
///
/// Computes the metrics tables for the 13 weeks ending with the week (into
/// <out>/<week>/metrics) and the staffing view of the same weeks (into
/// <out>/<week>/staffing, see `followup staffing`) and renders only from them. Default week: the last
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
    let _lock = crate::publish::RunLock::acquire(&config.paths.runs, "report")?;
    let monday = match args.week {
        Some(m) => m,
        None => report::last_complete_week(crate::pipeline::days::latest_day(&config, &lake)?),
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| config.paths.reports.clone());
    let (r, written) = crate::pipeline::weekly::weekly_report(&config, monday, &out)?;
    if !cli.quiet {
        eprintln!(
            "report {}: {} and {} with {} chart(s); {} finding(s)",
            r.week,
            written.html.display(),
            written.markdown.display(),
            written.charts,
            r.findings.len()
        );
    }
    Ok(EXIT_OK)
}
