//! `followup check`: validate the config and see how exports would map, writing nothing.

use crate::cli::Cli;
use crate::error::{EXIT_DATA, EXIT_OK};
use crate::ingest::profile::Profile;
use crate::ingest::{self, guess, profile};
use crate::privacy::Hasher;
use anyhow::Result;
use std::collections::BTreeMap;
use std::fmt::Write;
use std::path::PathBuf;

/// Validate the configuration and dry-run exports through their profiles.
///
/// For each file (default: every file in the exports folder) prints the matching
/// profile, how many rows would map cleanly, how many would be quarantined and why,
/// and vendor values that have no mapping, with counts. Ends with a summary: per
/// file the profile that reads it (or, for a file none reads, the closest profile
/// and the columns it lacks), rows clean and quarantined; the unmapped values with
/// counts; suspected duplicate exports (same bytes, or a `(1)` copy); and a
/// one-line verdict. Writes nothing.
///
/// Exit status 1 only when an ingest would lose something: a row that would be
/// quarantined, or a file that no profile reads or that cannot be read. A
/// duplicate export or an unknown column alone exits 0.
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
    /// Print only the closing summary, not a line per file and per problem row.
    #[arg(long)]
    pub brief: bool,
}

/// What the summary says about one file.
enum Outcome {
    Read {
        profile: String,
        clean: usize,
        quarantined: usize,
        missing: Vec<String>,
    },
    Unreadable {
        profile: String,
    },
    NoProfile {
        closest: Option<guess::Closest>,
        manifest_type: Option<String>,
    },
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let config = super::load_config(cli)?;
    // Listing the profiles is how one finds which to activate, so it works
    // before any is.
    let profiles = if args.profiles && config.sources.profiles.is_empty() {
        Vec::new()
    } else {
        profile::load_active(&config)?
    };
    let mut out = String::new();
    writeln!(
        out,
        "config {}: ok ({} practice(s), {} active profile(s))",
        config.path.display(),
        config.practices.len(),
        profiles.len()
    )?;
    if args.profiles {
        let line = |out: &mut String, name: &str, table: &str, pattern: &str, about: &str| {
            writeln!(out, "  {name:<26} {table:<12} {pattern}  {about}")
        };
        for p in &profiles {
            line(
                &mut out,
                p.name(),
                p.table().name(),
                &p.def.pattern,
                &p.def.description,
            )?;
        }
        let inactive: Vec<_> = profile::builtin_defs()
            .into_iter()
            .filter(|d| !profiles.iter().any(|p| p.name() == d.name))
            .collect();
        if !inactive.is_empty() {
            writeln!(
                out,
                "built in, not active (add to [sources] profiles to use):"
            )?;
            for d in &inactive {
                line(
                    &mut out,
                    &d.name,
                    d.table.name(),
                    &d.pattern,
                    &d.description,
                )?;
            }
        }
        crate::error::stdout(&out)?;
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
    if files.is_empty() {
        writeln!(
            out,
            "verdict: nothing to check: no export files in {}; copy the exports there (or name files) and check again",
            config.paths.exports.display()
        )?;
        crate::error::stdout(&out)?;
        return Ok(EXIT_OK);
    }
    // Every known profile, active first, to name the closest for an unread file.
    let mut known: Vec<Profile> = profiles.clone();
    for def in profile::builtin_defs() {
        if !known.iter().any(|p| p.name() == def.name) {
            if let Ok(p) = Profile::compile(def, std::path::Path::new("<built-in>")) {
                known.push(p);
            }
        }
    }
    let phones = ingest::map::PhoneCache::default();
    let mut outcomes: Vec<(String, Outcome)> = Vec::new();
    let mut hashes: Vec<(String, String)> = Vec::new();
    // (profile, column, value) -> rows
    let mut unmapped: BTreeMap<(String, String, String), u64> = BTreeMap::new();
    let limits = ingest::map::Limits::from_config(&config)?;
    for f in &files {
        let bytes = match std::fs::read(&f.path) {
            Ok(b) => b,
            Err(e) => {
                writeln!(
                    out,
                    "{}: unreadable: {}",
                    f.rel,
                    ingest::unreadable(&f.path, &e)
                )?;
                outcomes.push((
                    f.rel.clone(),
                    Outcome::Unreadable {
                        profile: "-".into(),
                    },
                ));
                continue;
            }
        };
        hashes.push((
            f.rel.clone(),
            hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
        ));
        let Some(profile) = ingest::select_profile(&profiles, f) else {
            match &f.resource_type {
                Some(t) => writeln!(
                    out,
                    "{}: {t} (listed in a bulk-data manifest): no active profile reads {t}",
                    f.rel
                )?,
                None => writeln!(out, "{}: matches no source profile", f.rel)?,
            }
            outcomes.push((
                f.rel.clone(),
                Outcome::NoProfile {
                    closest: guess::closest(&known, &bytes),
                    manifest_type: f.resource_type.clone(),
                },
            ));
            continue;
        };
        let a = ingest::analyse(f, &bytes, profile, &config, &hasher, &phones, &limits);
        if let Some(e) = &a.file_error {
            writeln!(out, "{}: profile {}: unreadable: {e}", f.rel, a.profile)?;
            outcomes.push((
                f.rel.clone(),
                Outcome::Unreadable {
                    profile: a.profile.clone(),
                },
            ));
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
                let col = ingest::shape::header_name(col);
                writeln!(out, "  unmapped value in `{col}`: {shown} ({n} row(s))")?;
                *unmapped
                    .entry((a.profile.clone(), col.to_string(), shown))
                    .or_default() += n;
            }
        }
        outcomes.push((
            f.rel.clone(),
            Outcome::Read {
                profile: a.profile.clone(),
                clean: a.rows.len(),
                quarantined: a.rejects.len(),
                missing: a.missing.clone(),
            },
        ));
    }
    if args.brief {
        // Keep the config line; the summary says the rest.
        out.truncate(out.find('\n').map_or(0, |i| i + 1));
    }
    let lost = summary(&mut out, &outcomes, &unmapped, &guess::duplicates(&hashes))?;
    crate::error::stdout(&out)?;
    Ok(if lost { EXIT_DATA } else { EXIT_OK })
}

/// The closing summary; returns whether an ingest would lose something.
fn summary(
    out: &mut String,
    outcomes: &[(String, Outcome)],
    unmapped: &BTreeMap<(String, String, String), u64>,
    dups: &[guess::Duplicate],
) -> Result<bool> {
    writeln!(out, "\nsummary")?;
    let w = outcomes
        .iter()
        .map(|(r, _)| r.chars().count())
        .max()
        .unwrap_or(4)
        .max(4);
    let pw = outcomes
        .iter()
        .filter_map(|(_, o)| match o {
            Outcome::Read { profile, .. } | Outcome::Unreadable { profile } => Some(profile.len()),
            Outcome::NoProfile { .. } => None,
        })
        .max()
        .unwrap_or(7)
        .max(7);
    writeln!(
        out,
        "  {:<w$}  {:<pw$}  {:>8}  {:>11}",
        "file", "profile", "clean", "quarantined"
    )?;
    let (mut rows_lost, mut files_lost, mut unread, mut clean_total) =
        (0usize, 0usize, 0usize, 0usize);
    for (rel, o) in outcomes {
        match o {
            Outcome::Read {
                profile,
                clean,
                quarantined,
                missing,
            } => {
                clean_total += clean;
                rows_lost += quarantined;
                files_lost += usize::from(*quarantined > 0);
                write!(
                    out,
                    "  {rel:<w$}  {profile:<pw$}  {clean:>8}  {quarantined:>11}"
                )?;
                if !missing.is_empty() {
                    write!(out, "  missing columns {}", missing.join(", "))?;
                }
                writeln!(out)?;
            }
            Outcome::Unreadable { profile } => {
                unread += 1;
                writeln!(out, "  {rel:<w$}  {profile:<pw$}  unreadable (see above)")?;
            }
            Outcome::NoProfile {
                closest,
                manifest_type,
            } => {
                unread += 1;
                let what = match (closest, manifest_type) {
                    (_, Some(t)) => format!("no active profile reads {t}"),
                    (Some(c), None) if c.missing.is_empty() => format!(
                        "no profile — closest: {}, which reads every column: add it to [sources] profiles (or widen its pattern)",
                        c.profile
                    ),
                    (Some(c), None) => format!(
                        "no profile — closest: {}, missing columns {}",
                        c.profile,
                        c.missing.join(", ")
                    ),
                    (None, None) => "no profile — none reads any of its columns".to_string(),
                };
                writeln!(out, "  {rel:<w$}  {what}")?;
            }
        }
    }
    if !unmapped.is_empty() {
        writeln!(
            out,
            "unmapped values (add each to its profile's [values.<column>], or fix the export):"
        )?;
        for ((profile, col, v), n) in unmapped {
            writeln!(out, "  {profile} `{col}`: {v} in {n} row(s)")?;
        }
    }
    if !dups.is_empty() {
        writeln!(out, "suspected duplicate exports:")?;
        for d in dups {
            if d.same_bytes {
                writeln!(
                    out,
                    "  {}: same bytes as {} (its rows count as duplicates; nothing is lost, but it can be deleted)",
                    d.copy, d.original
                )?;
            } else {
                writeln!(
                    out,
                    "  {}: named as a copy of {} but different bytes (the later version of a row wins; check it is not a mistaken export)",
                    d.copy, d.original
                )?;
            }
        }
    }
    let lost = rows_lost > 0 || unread > 0;
    let mut verdict = if lost {
        let mut parts = Vec::new();
        if rows_lost > 0 {
            parts.push(format!(
                "{rows_lost} row(s) in {files_lost} file(s) would be quarantined"
            ));
        }
        if unread > 0 {
            parts.push(format!("{unread} file(s) would not be read"));
        }
        format!(
            "verdict: something would be lost: {}; fix the exports or the profiles above and check again",
            parts.join(", ")
        )
    } else {
        format!(
            "verdict: ok: {} file(s), every one read by a profile, {clean_total} row(s), each maps cleanly",
            outcomes.len()
        )
    };
    if !dups.is_empty() {
        write!(verdict, " ({} suspected duplicate export(s))", dups.len())?;
    }
    writeln!(out, "{verdict}")?;
    Ok(lost)
}
