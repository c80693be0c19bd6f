//! `followup ingest`: exports → lake, rejected rows → quarantine.

use crate::cli::Cli;
use crate::error::{EXIT_DATA, EXIT_OK};
use crate::ingest::{self, profile, Report};
use crate::lake::ledger::Counts;
use crate::logging::Progress;
use crate::privacy::Hasher;
use anyhow::Result;
use std::path::PathBuf;

/// Ingest exports into the Parquet lake.
///
/// Reads every file in the exports folder (or the FILES given), maps each with the
/// first active source profile whose pattern matches, and merges the rows into the
/// lake: the latest `updated_at` wins per key, an identical row is a duplicate. A
/// file already ingested with the same content is skipped, so running it again
/// changes nothing. Every rejected row goes to the quarantine folder with its file,
/// line, column, raw value and reason. Prints read = stored + quarantined + duplicates
/// (+ call legs merged into their logical call, for phone systems that log each leg).
///
/// Cost: each touched month partition is read and rewritten once per run.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  followup ingest\n  followup ingest --strict exports/p001/tasks_2026-11-16.csv"
)]
pub struct Args {
    /// Ingest only these files (default: the whole exports folder).
    pub files: Vec<PathBuf>,
    /// Exit with status 1 if any row was quarantined or any file matched no profile.
    #[arg(long)]
    pub strict: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let config = super::load_config(cli)?;
    let profiles = profile::load_active(&config)?;
    let hasher = Hasher::from_config(&config.privacy)?;
    for f in &args.files {
        if !f.is_file() {
            return Err(crate::error::UsageError(format!("{}: no such file", f.display())).into());
        }
    }
    let files = (!args.files.is_empty()).then(|| {
        args.files
            .iter()
            .map(|p| ingest::export_file(&config.paths.exports, p.clone()))
            .collect()
    });
    // The same lock as `nightly`: two runs never write the lake at once.
    let _lock = crate::publish::RunLock::acquire(&config.paths.runs, "ingest")?;
    let progress = Progress::new("ingest", "files", cli.verbosity());
    let report = ingest::run(&config, &profiles, &hasher, files, &|d, t| {
        progress.update(d, t)
    })?;
    progress.clear();
    if !cli.quiet {
        eprint!("{}", summary(&report, &config.paths.quarantine));
    }
    let dirty = report.total().quarantined > 0
        || !report.unmatched.is_empty()
        || !report.rejected_files.is_empty();
    Ok(if args.strict && dirty {
        EXIT_DATA
    } else {
        EXIT_OK
    })
}

/// The human summary: counts per table, then one line per problem (no values).
pub fn summary(r: &Report, quarantine: &std::path::Path) -> String {
    use std::fmt::Write;
    let mut s = String::new();
    let _ = writeln!(
        s,
        "ingest: {} file(s) ingested, {} unchanged since last ingest, {} matched no profile",
        r.files.len(),
        r.skipped_unchanged,
        r.unmatched.len()
    );
    // Merged call legs are shown only when an adapter merged some.
    let legs = r.total().merged > 0;
    let line = |s: &mut String, name: &str, c: &Counts| {
        let _ = write!(
            s,
            "  {name:<13} read {:>8}  stored {:>8}  quarantined {:>6}  duplicates {:>7}",
            c.read, c.stored, c.quarantined, c.duplicates
        );
        let _ = if legs {
            writeln!(s, "  merged legs {:>6}", c.merged)
        } else {
            writeln!(s)
        };
    };
    for (t, c) in &r.by_table {
        line(&mut s, t.name(), c);
    }
    line(&mut s, "total", &r.total());
    for f in &r.unmatched {
        let _ = writeln!(s, "warning: {f}: matches no source profile; add a profile for it or move it out of the exports folder");
    }
    for (f, reason) in &r.rejected_files {
        let copy = quarantine.join(f);
        let _ = if copy.is_file() {
            writeln!(
                s,
                "error: {f}: {reason} (file copied to {})",
                copy.display()
            )
        } else {
            writeln!(s, "error: {f}: {reason}")
        };
    }
    for (f, w) in &r.warnings {
        let _ = writeln!(s, "warning: {f}: {w}");
    }
    const SHOWN: usize = 20;
    for (f, line_no, col, reason) in r.reject_lines.iter().take(SHOWN) {
        let col = col
            .as_deref()
            .map(|c| format!(", column `{}`", ingest::shape::header_name(c)))
            .unwrap_or_default();
        let _ = writeln!(s, "quarantined: {f} line {line_no}{col}: {reason}");
    }
    if r.reject_lines.len() > SHOWN {
        let _ = writeln!(
            s,
            "quarantined: … and {} more",
            r.reject_lines.len() - SHOWN
        );
    }
    if !r.reject_lines.is_empty() {
        let _ = writeln!(s, "quarantined rows are in {}", quarantine.display());
    }
    s
}
