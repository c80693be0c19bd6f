//! `followup check`: validate the config and see how exports would map, writing nothing.

use crate::cli::Cli;
use crate::error::{EXIT_DATA, EXIT_OK};
use crate::ingest::{self, profile};
use crate::privacy::Hasher;
use anyhow::Result;
use std::fmt::Write;
use std::path::PathBuf;

/// Validate the configuration and dry-run exports through their profiles.
///
/// For each file (default: every file in the exports folder) prints the matching
/// profile, how many rows would map cleanly, how many would be quarantined and why,
/// and vendor values that have no mapping, with counts. Writes nothing.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  followup check\n  followup check ~/Downloads/calls_export.csv\n  followup check --profiles"
)]
pub struct Args {
    /// Files to check (default: the exports folder).
    pub files: Vec<PathBuf>,
    /// List the active source profiles and exit.
    #[arg(long)]
    pub profiles: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let config = super::load_config(cli)?;
    let profiles = profile::load_active(&config)?;
    let mut out = String::new();
    writeln!(
        out,
        "config {}: ok ({} practice(s), {} active profile(s))",
        config.path.display(),
        config.practices.len(),
        profiles.len()
    )?;
    if args.profiles {
        for p in &profiles {
            writeln!(
                out,
                "  {:<26} {:<12} {}  {}",
                p.name(),
                p.table().name(),
                p.def.pattern,
                p.def.description
            )?;
        }
        print!("{out}");
        return Ok(EXIT_OK);
    }
    let hasher = Hasher::from_config(&config.privacy)?;
    let files = if args.files.is_empty() {
        ingest::discover(&config.paths.exports)?
    } else {
        args.files
            .iter()
            .map(|p| ingest::export_file(&config.paths.exports, p.clone()))
            .collect()
    };
    let files = ingest::expand_manifests(files, &config.paths.exports)?;
    let mut problems = false;
    let phones = ingest::map::PhoneCache::default();
    let limits = ingest::map::Limits::from_config(&config)?;
    for f in &files {
        let Some(profile) = ingest::select_profile(&profiles, f) else {
            problems = true;
            match &f.resource_type {
                Some(t) => writeln!(
                    out,
                    "{}: {t} (listed in a bulk-data manifest): no active profile reads {t}",
                    f.rel
                )?,
                None => writeln!(out, "{}: matches no source profile", f.rel)?,
            }
            continue;
        };
        let bytes = match std::fs::read(&f.path) {
            Ok(b) => b,
            Err(e) => {
                problems = true;
                writeln!(
                    out,
                    "{}: unreadable: {}",
                    f.rel,
                    ingest::unreadable(&f.path, &e)
                )?;
                continue;
            }
        };
        let a = ingest::analyse(f, &bytes, profile, &config, &hasher, &phones, &limits);
        if let Some(e) = &a.file_error {
            problems = true;
            writeln!(out, "{}: profile {}: unreadable: {e}", f.rel, a.profile)?;
            continue;
        }
        write!(
            out,
            "{}: profile {} -> {}: {} row(s), {} map cleanly, {} would be quarantined",
            f.rel,
            a.profile,
            a.table,
            a.read(),
            a.rows.len(),
            a.rejects.len()
        )?;
        if a.merged > 0 {
            write!(out, ", {} call leg(s) merged into their call", a.merged)?;
        }
        if a.superseded > 0 {
            write!(
                out,
                ", {} older version(s) of a record superseded (duplicates)",
                a.superseded
            )?;
        }
        writeln!(out)?;
        for w in &a.warnings {
            writeln!(out, "  warning: {w}")?;
        }
        for r in &a.rejects {
            problems = true;
            let col = r
                .column
                .as_deref()
                .map(|c| format!(", column `{}`", ingest::shape::header_name(c)))
                .unwrap_or_default();
            writeln!(out, "  line {}{col}: {}", r.line, r.reason)?;
        }
        // Vendor codes of enumerated columns are not PHI; they are what a profile
        // needs. A value that does not read as a code (a phone number in a row whose
        // fields shifted) is shown by its shape and a keyed tag, never as written.
        for (col, values) in &a.unmapped {
            for (v, n) in values {
                let shown = if ingest::shape::is_code(v) {
                    format!("{v:?}")
                } else {
                    format!("a value ({}, {})", ingest::shape::shape(v), hasher.tag(v))
                };
                writeln!(
                    out,
                    "  unmapped value in `{}`: {shown} ({n} row(s))",
                    ingest::shape::header_name(col)
                )?;
            }
        }
    }
    print!("{out}");
    Ok(if problems { EXIT_DATA } else { EXIT_OK })
}
