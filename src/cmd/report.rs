//! `followup report`: the weekly report and its charts, or (`--pilot`) the pilot review.

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
/// <out>/<week>/metrics), the staffing view of the same weeks (into
/// <out>/<week>/staffing, see `followup staffing`) and the bottleneck findings
/// of those weeks (see `followup findings`; they lead "What needs attention")
/// and renders only from them. Default week: the last complete ISO week in
/// the lake.
///
/// With `--pilot A..B C..D`: the pilot review instead, one page (pilot.html and
/// pilot.md in <out>/pilot-<A>-<D>/) comparing the two ranges as `followup
/// metrics --before A..B --after C..D` does (equal follow-up, 95% intervals, n,
/// verdicts; its tables in <out>/pilot-<A>-<D>/metrics), observed up to the end of
/// the later of D and the latest data day.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  followup report\n  followup report --week 2026-W47 --out reports/\n  followup report --pilot 2026-09-28..2026-10-25 2026-10-26..2026-11-22"
)]
pub struct Args {
    /// ISO week, e.g. 2026-W47 (default: the last complete week in the lake).
    #[arg(long, value_parser = report::parse_week)]
    pub week: Option<chrono::NaiveDate>,
    /// Output folder (default: the config's reports folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Render the pilot review of two ranges, BEFORE AFTER, each FROM..TO (the
    /// before range must end no later than the after range).
    #[arg(long, num_args = 2, value_names = ["BEFORE", "AFTER"],
          value_parser = super::metrics::parse_range, conflicts_with = "week")]
    pub pilot: Option<Vec<(chrono::NaiveDate, chrono::NaiveDate)>>,
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let config = super::load_config(cli)?;
    let lake = Lake::new(&config.paths.lake);
    let _lock = crate::publish::RunLock::acquire(&config.paths.runs, "report")?;
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| config.paths.reports.clone());
    if let Some(p) = &args.pilot {
        let latest = crate::pipeline::days::latest_day(&config, &lake)?;
        let w = crate::pipeline::pilot::pilot_report(&config, p[0], p[1], latest, &out)?;
        if !cli.quiet {
            eprintln!(
                "report --pilot: {} and {}",
                w.html.display(),
                w.markdown.display()
            );
        }
        return Ok(EXIT_OK);
    }
    let monday = match args.week {
        Some(m) => m,
        None => report::last_complete_week(crate::pipeline::days::latest_day(&config, &lake)?),
    };
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
