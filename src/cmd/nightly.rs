//! `followup nightly`: every stage, in order, with a manifest.

use crate::cli::Cli;
use crate::error::EXIT_OK;
use crate::logging::{Progress, Verbosity};
use crate::pipeline::nightly::{self, Request, Ui, STAGES};
use crate::publish::RunLock;
use anyhow::Result;
use chrono::NaiveDate;
use std::sync::Mutex;

/// Run the nightly job: ingest → metrics → report → lists.
///
/// Ingests new exports, computes the metrics for the 13 weeks up to the data day,
/// renders the daily review (every night) and the weekly report (on the night whose
/// data day is `nightly.weekly_report_day`, default Sunday), builds the call lists
/// for the next business day, and writes a run manifest (inputs with hashes, row
/// counts, stage timings, warnings, outputs) to <runs>/<data day>/manifest.json.
///
/// Safe to run again: unchanged exports are skipped and outputs are replaced whole.
/// Outputs are swapped into place atomically, so a killed run never leaves a
/// half-written report or list. A second run while one is going is refused.
/// A failing stage stops the run with exit status 1 and names the stage.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  followup nightly\n  followup nightly --date 2026-11-20\n\nCron (every night at 02:30):\n  30 2 * * *  cd /srv/followup && followup nightly -q"
)]
pub struct Args {
    /// The day the data runs through (default: the latest day the exports cover).
    #[arg(long)]
    pub date: Option<NaiveDate>,
}

struct Terminal {
    v: Verbosity,
    /// The bar of the stage running (a fresh one per stage).
    bar: Mutex<Progress>,
}

impl Terminal {
    fn bar(&self) -> std::sync::MutexGuard<'_, Progress> {
        // A panic while drawing leaves the bar usable: it holds no invariant.
        self.bar.lock().unwrap_or_else(|e| e.into_inner())
    }
}

impl Ui for Terminal {
    fn stage(&self, i: usize, name: &str) {
        let unit = if name == "metrics" {
            "practices"
        } else {
            "files"
        };
        let label = STAGES[i];
        let old = std::mem::replace(&mut *self.bar(), Progress::new(label, unit, self.v));
        old.clear();
        if !self.v.quiet {
            eprintln!("nightly [{}/{}] {name}", i + 1, STAGES.len());
        }
    }
    fn note(&self, line: &str) {
        if !self.v.quiet {
            self.bar().println(&format!("  {line}"));
        }
    }
    fn progress(&self, done: usize, total: usize) {
        self.bar().update(done, total);
    }
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let config = super::load_config(cli)?;
    let lock = RunLock::acquire(&config.paths.runs, "nightly")?;
    crate::failpoint::hit("locked");
    let ui = Terminal {
        v: cli.verbosity(),
        bar: Mutex::new(Progress::when(false, "", "")),
    };
    let started = std::time::Instant::now();
    let m = nightly::run(&config, &Request { date: args.date }, &ui);
    ui.bar().clear();
    let m = m?;
    drop(lock);
    if !cli.quiet {
        for w in &m.warnings {
            eprintln!("warning: {w}");
        }
        eprintln!(
            "nightly: done in {:.1} s; {} output file(s); data through {}",
            started.elapsed().as_secs_f64(),
            m.outputs.len(),
            m.data_day
        );
    }
    Ok(EXIT_OK)
}
