//! `followup findings`: where the follow-up queue slips, why, and what would fix it.

use crate::cli::Cli;
use crate::error::{UsageError, EXIT_OK};
use crate::findings::{self, scan::Params};
use crate::lake::Lake;
use anyhow::Result;
use chrono::NaiveDate;

/// Find the bottlenecks: the category × weekday × hours where the share
/// within target falls, the causes measured in those hours, and the fixes
/// priced by the staffing replay.
///
/// Every category × weekday × block of business hours (by the local time of
/// the task's clock start) is tested against the same category's other
/// blocks: a one-sided two-proportion z-test on counts widened by their
/// design effect over days, Holm-corrected over every block tried; a block
/// needs --min-n due tasks on at least 4 days, and a fall of at least
/// --min-drop points. Slipping blocks are merged into spans ("Mon–Tue
/// 11:00–15:00"). For each span the inbound load, competing work, roster,
/// unowned or misrouted requests and arrivals are measured against their
/// baseline, and the causes at least 1.5 times worse are named. Then the
/// period is replayed with one assistant in the span, the category routed to
/// another lane, and the lane's busiest other work moved out of the span, and
/// the share predicted for the span is printed with the calibration gap.
/// Definitions: docs/METRICS.md, "bottleneck findings".
///
/// Reads the lake (run `followup ingest` first). Cost: the task facts of the
/// period, plus about three replays of the period per finding (seconds for a
/// practice-quarter). Aggregates only: categories, hours and staff user ids,
/// never a patient, number or note.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  followup findings\n  followup findings --from 2026-08-24 --to 2026-11-22 --json\n  followup findings --block-hours 2"
)]
pub struct Args {
    /// First day (default: 12 weeks before the Monday of --to, as `followup staffing`).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last day (default: the latest day on which a task was created).
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Width of the blocks of hours tested (1 to 12; default 1).
    #[arg(long, default_value_t = 1)]
    pub block_hours: u8,
    /// Due tasks a block needs to be tried (default 15).
    #[arg(long, default_value_t = 15)]
    pub min_n: u32,
    /// The smallest fall in the share within target, in percentage points, that is a finding (default 15).
    #[arg(long, default_value_t = 15.0)]
    pub min_drop: f64,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

impl Args {
    fn params(&self) -> Result<Params, UsageError> {
        if !(1..=12).contains(&self.block_hours) {
            return Err(UsageError(format!(
                "--block-hours {}: a width from 1 to 12 hours, e.g. 1 or 2",
                self.block_hours
            )));
        }
        if self.min_n < 2 {
            return Err(UsageError(format!(
                "--min-n {}: at least 2 due tasks a block, e.g. 15",
                self.min_n
            )));
        }
        if !(self.min_drop > 0.0 && self.min_drop <= 100.0) {
            return Err(UsageError(format!(
                "--min-drop {}: percentage points above 0 and at most 100, e.g. 15",
                self.min_drop
            )));
        }
        Ok(Params {
            width: self.block_hours,
            min_n: self.min_n,
            min_drop: self.min_drop / 100.0,
            ..Params::default()
        })
    }
}

/// The default period: 12 weeks before the Monday of `to`, to `to`.
pub fn period(
    config: &crate::config::Config,
    lake: &Lake,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
) -> Result<(NaiveDate, NaiveDate)> {
    let to = match to {
        Some(d) => d,
        None => crate::pipeline::days::latest_day(config, lake)?,
    };
    let from = from.unwrap_or_else(|| {
        use chrono::Datelike;
        let monday = to - chrono::Duration::days(to.weekday().num_days_from_monday() as i64);
        monday - chrono::Duration::weeks(12)
    });
    if to < from {
        return Err(UsageError("--to is before --from".into()).into());
    }
    Ok((from, to))
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let config = super::load_config(cli)?;
    let params = args.params()?;
    let lake = Lake::new(&config.paths.lake);
    let (from, to) = period(&config, &lake, args.from, args.to)?;
    let started = std::time::Instant::now();
    let store = crate::model::store::Store::retaining();
    let all = findings::all(&config, &lake, (from, to), &params, &store)?;
    if args.json {
        crate::error::stdout(&(serde_json::to_string_pretty(&all)? + "\n"))?;
    } else {
        crate::error::stdout(&findings::text::text(&all))?;
    }
    if !cli.quiet {
        let n: usize = all.iter().map(|f| f.findings.len()).sum();
        eprintln!(
            "findings: {from} to {to}: {n} finding(s) ({:.1}s)",
            started.elapsed().as_secs_f64()
        );
    }
    Ok(EXIT_OK)
}
