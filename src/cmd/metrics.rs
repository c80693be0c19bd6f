//! `followup metrics`: task facts, missed-call reconciliation, backlog, recovery and
//! aggregates for a date range, as Parquet and CSV plus summary.json.

use crate::cli::Cli;
use crate::error::{UsageError, EXIT_OK};
use crate::lake::Lake;
use crate::metrics::{self, Options};
use anyhow::Result;
use chrono::NaiveDate;
use std::path::PathBuf;

/// Compute the metrics tables for a date range (tasks created in it, local dates).
///
/// Writes task_facts, missed_calls, missed_calls_daily/_weekly, backlog_daily,
/// recovery/_weekly, barriers_weekly, the by_* aggregates, one table per
/// queries/*.sql, and summary.json (headline numbers, each naming its definition in
/// docs/METRICS.md). Every query is planned before the heavy work: a query that does
/// not parse or names an unknown column fails the run at once.
///
/// Cost: reads the tasks open in the range and their attempts, calls and
/// appointments; memory grows with the tasks in the range, not the whole lake.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  followup metrics\n  followup metrics --from 2026-11-16 --to 2026-11-22 --out reports/metrics\n  followup metrics --before 2026-09-01..2026-09-30 --after 2026-10-01..2026-10-31\n  followup metrics --from 2025-11-24 --to 2026-11-23 --csv summary"
)]
pub struct Args {
    /// First day (default: 12 weeks before --to, on a Monday).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last day (default: the latest day on which a task was created).
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Observe outcomes up to this instant, RFC 3339 (default: the end of --to).
    #[arg(long, value_parser = parse_instant)]
    pub as_of: Option<i64>,
    /// Output folder (default: <reports>/metrics).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Folder of .sql files, each becoming a table (default: queries/ beside the config).
    #[arg(long)]
    pub queries: Option<PathBuf>,
    /// A "before" range for the comparison table, FROM..TO. It is observed for as
    /// long after its end as the after range is (its own, earlier *as of*), which
    /// computes its practices a second time; it must end no later than --after.
    #[arg(long, value_parser = parse_range, requires = "after")]
    pub before: Option<(NaiveDate, NaiveDate)>,
    /// An "after" range for the comparison table, FROM..TO, observed up to the
    /// run's *as of*. The table (values, change, 95% interval, n, verdict per
    /// headline and per category) is also printed to stdout.
    #[arg(long, value_parser = parse_range, requires = "before")]
    pub after: Option<(NaiveDate, NaiveDate)>,
    /// Which tables get a CSV beside their Parquet. `summary` leaves out the
    /// row-level tables (task_facts, missed_calls, recovery): at year scale their
    /// CSV is gigabytes and most of the run's writing time, and the Parquet holds
    /// the same rows. Without their CSV, an old one in --out is removed.
    #[arg(long, value_enum, default_value_t = metrics::CsvTables::All)]
    pub csv: metrics::CsvTables,
    /// Also write overall_weekly and overall_category_weekly: the aggregates of
    /// every practice together (what the weekly report reads). They hold every
    /// task's facts in memory at once: about 0.8 GiB more for 200 practices ×
    /// a year.
    #[arg(long)]
    pub overall: bool,
}

fn parse_instant(s: &str) -> Result<i64, String> {
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|d| d.timestamp_micros())
        .map_err(|e| format!("{s}: {e}; use e.g. 2026-11-23T07:00:00-05:00"))
}

pub(crate) fn parse_range(s: &str) -> Result<(NaiveDate, NaiveDate), String> {
    let (a, b) = s
        .split_once("..")
        .ok_or_else(|| format!("{s}: write a range as FROM..TO, e.g. 2026-09-01..2026-09-30"))?;
    let d = |x: &str| x.parse::<NaiveDate>().map_err(|e| format!("{x}: {e}"));
    let (a, b) = (d(a)?, d(b)?);
    if b < a {
        return Err(format!("{s}: the range ends before it starts"));
    }
    Ok((a, b))
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let config = super::load_config(cli)?;
    let lake = Lake::new(&config.paths.lake);
    let to = match args.to {
        Some(d) => d,
        None => crate::pipeline::days::latest_day(&config, &lake)?,
    };
    let from = args.from.unwrap_or_else(|| {
        use chrono::Datelike;
        let monday = to - chrono::Duration::days(to.weekday().num_days_from_monday() as i64);
        monday - chrono::Duration::weeks(12)
    });
    if to < from {
        return Err(UsageError("--to is before --from".into()).into());
    }
    let base = config.dir();
    let opts = Options {
        from,
        to,
        as_of: args.as_of,
        out: args
            .out
            .clone()
            .unwrap_or_else(|| config.paths.reports.join("metrics")),
        queries: args.queries.clone().unwrap_or_else(|| base.join("queries")),
        compare: args.before.zip(args.after),
        csv: args.csv,
        overall: args.overall,
    };
    let quiet = cli.quiet;
    let started = std::time::Instant::now();
    let bar = crate::logging::Progress::new("metrics", "practices", cli.verbosity());
    let summary = metrics::run_with(
        &config,
        &opts,
        &|stage| {
            if !quiet {
                tracing::info!("metrics: {:>6.1}s {stage}", started.elapsed().as_secs_f64());
            }
        },
        &|d, t| bar.update(d, t),
    );
    bar.clear();
    let summary = summary?;
    if let Some(cmp) = &summary.comparison {
        // The comparison is the data this command was asked for: stdout.
        print!("{}", metrics::compare::text(cmp)?);
    }
    if !quiet {
        let tasks = summary.tables.get("task_facts").copied().unwrap_or(0);
        eprintln!(
            "metrics: {from} to {to}: {tasks} task(s), {} table(s) in {} ({:.1}s)",
            summary.tables.len(),
            opts.out.display(),
            started.elapsed().as_secs_f64()
        );
        for h in &summary.headlines {
            if let Some(v) = h.value {
                eprintln!("  {:<36} {v}", h.name);
            }
        }
    }
    Ok(EXIT_OK)
}
