//! `followup lists`: tomorrow's call lists per lane and owner.

use crate::cli::Cli;
use crate::error::EXIT_OK;
use crate::lake::Lake;
use crate::lists;
use crate::publish::RunLock;
use anyhow::Result;
use chrono::NaiveDate;
use std::path::PathBuf;

/// Build the call lists for the next business day after the data day.
///
/// One list per lane and owner from the open tasks, the attempt rules, the missed
/// calls nobody returned and the contacts table, in the documented priority order
/// (docs/LISTS.md), with a capacity line per owner. Writes, per practice, a CSV per
/// owner (UTF-8 with BOM, safe to open in Excel), the manager's lists, a printable
/// lists.html and lists.xlsx, all readable only by their owner: lists hold patient
/// names, numbers and notes.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  followup lists\n  followup lists --date 2026-11-20 --out /secure/lists"
)]
pub struct Args {
    /// The day the data runs through (default: the latest day in the lake); the lists are for the next business day.
    #[arg(long)]
    pub date: Option<NaiveDate>,
    /// Output folder (default: the config's lists folder); lists go to <out>/<list date>/<practice>/.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let config = super::load_config(cli)?;
    let lake = Lake::new(&config.paths.lake);
    let _lock = RunLock::acquire(&config.paths.runs, "lists")?;
    let day = match args.date {
        Some(d) => d,
        None => crate::pipeline::days::latest_day(&config, &lake)?,
    };
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| config.paths.lists.clone());
    let built = lists::build_all(&config, &lake, day)?;
    let written = lists::publish(&built, &out)?;
    if !cli.quiet {
        eprintln!("lists: data through {day}");
        for l in &built {
            for line in lists::write::summary(l) {
                eprintln!("  {line}");
            }
        }
        for d in &written {
            eprintln!("lists written to {}", d.display());
        }
    }
    Ok(EXIT_OK)
}
