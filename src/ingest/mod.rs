//! Ingest: exports → canonical rows → the lake, with every rejected row in quarantine.

pub mod adapters;
mod analyse;
pub mod callers;
pub mod guess;
mod manifest;
pub mod map;
pub mod parse;
pub mod profile;
pub mod quarantine;
pub mod read;
pub mod shape;
pub mod stamps;
pub mod worked_list;

use crate::config::Config;
use crate::lake::commit::{Area, Commit};
use crate::lake::ledger::{Counts, Entry as LedgerEntry, Ledger};
use crate::lake::row::Row;
use crate::lake::schema::Table;
use crate::lake::{Lake, Outcome, Partition};
use crate::privacy::Hasher;
pub use analyse::{analyse, Analysed};
use anyhow::{Context, Result};
pub use manifest::expand_manifests;
use profile::Profile;
use rayon::prelude::*;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// An export file found in the inbox.
#[derive(Debug, Clone)]
pub struct ExportFile {
    pub path: PathBuf,
    /// Path relative to the exports folder, with `/` separators.
    pub rel: String,
    /// The FHIR resource type a bulk-data manifest says the file holds.
    pub resource_type: Option<String>,
}

/// List every export file below `root`, sorted, skipping hidden and temporary files.
///
/// Symbolic links are followed: a link to a file is read under the link's own path
/// (so its practice folder still names the practice), a link to a folder is walked
/// (unless it points back up the tree, which would never end), and a link whose target is
/// missing is listed, so ingest refuses it by name instead of skipping it.
pub fn discover(root: &Path) -> Result<Vec<ExportFile>> {
    if !root.exists() {
        return Err(crate::error::UsageError(format!(
            "the exports folder {} does not exist; create it and put the exports there, or set [paths] exports in the config",
            root.display()
        ))
        .into());
    }
    let mut out = Vec::new();
    let mut stack = vec![(root.to_path_buf(), String::new())];
    while let Some((dir, rel_dir)) = stack.pop() {
        let entries = std::fs::read_dir(&dir)
            .with_context(|| format!("listing exports folder {}", dir.display()))?;
        for e in entries {
            let e = e?;
            let name = e.file_name().to_string_lossy().into_owned();
            if name.starts_with('.') || name.ends_with(".tmp") {
                continue;
            }
            let rel = if rel_dir.is_empty() {
                name
            } else {
                format!("{rel_dir}/{name}")
            };
            let mut ft = e.file_type()?;
            if ft.is_symlink() {
                match std::fs::metadata(e.path()) {
                    // A link to a folder above it would be walked for ever.
                    Ok(m) if m.is_dir() && is_cycle(&dir, &e.path()) => continue,
                    Ok(m) => ft = m.file_type(),
                    Err(_) => {
                        out.push(ExportFile {
                            path: e.path(),
                            rel,
                            resource_type: None,
                        });
                        continue;
                    }
                }
            }
            if ft.is_dir() {
                stack.push((e.path(), rel));
            } else if ft.is_file() {
                out.push(ExportFile {
                    path: e.path(),
                    rel,
                    resource_type: None,
                });
            }
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

/// Whether a link to a folder points at the folder it is in or one above it.
fn is_cycle(dir: &Path, link: &Path) -> bool {
    match (dir.canonicalize(), link.canonicalize()) {
        (Ok(here), Ok(target)) => here.starts_with(target),
        _ => true,
    }
}

/// Describe a file given on the command line (relative to the inbox when inside it).
pub fn export_file(root: &Path, path: PathBuf) -> ExportFile {
    // A path given relative to the working directory is still inside the exports
    // folder when both resolve to it (its practice folder then names the practice).
    // Only the folder is resolved: a symbolic link keeps its own name and place.
    let resolved = path.file_name().and_then(|name| {
        let dir = path.parent().filter(|d| !d.as_os_str().is_empty());
        Some(
            dir.unwrap_or(Path::new("."))
                .canonicalize()
                .ok()?
                .join(name),
        )
    });
    let (path, root) = match (resolved, root.canonicalize()) {
        (Some(p), Ok(r)) if p.starts_with(&r) => (p, r),
        _ => (path, root.to_path_buf()),
    };
    let root = root.as_path();
    let rel = path
        .strip_prefix(root)
        .unwrap_or(&path)
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/");
    let rel = if path.starts_with(root) {
        rel
    } else {
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or(rel)
    };
    ExportFile {
        path,
        rel,
        resource_type: None,
    }
}

/// The first active profile whose pattern matches.
pub fn match_profile<'a>(profiles: &'a [Profile], rel: &str) -> Option<&'a Profile> {
    profiles.iter().find(|p| p.matches(rel))
}

/// The profile that reads a file: for a file listed in a bulk-data manifest, the
/// active profile for its resource type; otherwise the first whose pattern matches.
pub fn select_profile<'a>(profiles: &'a [Profile], f: &ExportFile) -> Option<&'a Profile> {
    match &f.resource_type {
        Some(t) => profiles
            .iter()
            .find(|p| p.def.resource_type.as_deref() == Some(t.as_str())),
        None => match_profile(profiles, &f.rel),
    }
}

/// What one ingest run did.
#[derive(Debug, Default)]
pub struct Report {
    /// Per file ingested in this run.
    pub files: BTreeMap<String, LedgerEntry>,
    pub by_table: BTreeMap<Table, Counts>,
    pub skipped_unchanged: u64,
    pub unmatched: Vec<String>,
    /// (file, reason) for files that could not be read at all; copied to quarantine.
    pub rejected_files: Vec<(String, String)>,
    /// (file, line, column, reason) — no values.
    pub reject_lines: Vec<(String, u64, Option<String>, String)>,
    pub warnings: Vec<(String, String)>,
    pub partitions_written: u64,
    /// Size and content hash of every export matched to a profile, read or
    /// recognised by its stamp (for the run manifest, without reading it again).
    pub hashes: BTreeMap<String, (u64, String)>,
}

impl Report {
    pub fn total(&self) -> Counts {
        let mut c = Counts::default();
        for t in self.by_table.values() {
            c.add(t);
        }
        c
    }
}

/// Ingest the given files (or, if `files` is None, the whole exports folder).
pub fn run(
    config: &Config,
    profiles: &[Profile],
    hasher: &Hasher,
    files: Option<Vec<ExportFile>>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Result<Report> {
    let lake = Lake::new(&config.paths.lake);
    let limits = map::Limits::from_config(config)?;
    // Finish what a killed run committed, and clear what it left half-done. The
    // caller holds the run lock, so no other run is writing.
    let leftovers = crate::lake::commit::recover(&lake.root, &config.paths.quarantine)?
        + crate::lake::commit::sweep(&config.paths.runs)?;
    if leftovers > 0 {
        tracing::info!("ingest: removed {leftovers} temporary file(s) a stopped run left");
    }
    let started = std::time::SystemTime::now();
    let whole_folder = files.is_none();
    // The ledger and the stamps are read while the exports are listed.
    let ((ledger, stamps), files) = rayon::join(
        || {
            rayon::join(
                || Ledger::load(&lake.root),
                || stamps::Stamps::load(&lake.root),
            )
        },
        || -> Result<Vec<ExportFile>> {
            let files = match files {
                Some(f) => f,
                None => discover(&config.paths.exports)?,
            };
            expand_manifests(files, &config.paths.exports)
        },
    );
    let (mut ledger, mut stamps, files) = (ledger?, stamps, files?);
    let mut report = Report::default();
    // Match profiles first, then read and map a batch of files at a time, in
    // parallel; memory holds one batch of rows. Files are sorted by path, so a
    // batch mostly touches one practice's partitions.
    let mut matched: Vec<Matched> = Vec::new();
    let metadata: Vec<_> = files
        .par_iter()
        .map(|f| select_profile(profiles, f).map(|profile| (profile, std::fs::metadata(&f.path))))
        .collect();
    for (f, found) in files.iter().zip(metadata) {
        match found {
            Some((profile, metadata)) => match metadata {
                Ok(m) => matched.push(Matched {
                    file: f,
                    profile,
                    bytes: m.len(),
                    stamp: stamps::Stamp::of(&m),
                }),
                // Refused by name, never skipped: a link to a file that is gone.
                Err(e) => report
                    .rejected_files
                    .push((f.rel.clone(), unreadable(&f.path, &e))),
            },
            None => report.unmatched.push(f.rel.clone()),
        }
    }
    // Batches are sized by the bytes they read: a file its stamp says is
    // unchanged and already in the ledger is not read.
    let known = |m: &Matched| -> Option<String> {
        let sha = stamps.sha256(&m.file.rel, m.stamp.as_ref()?)?;
        let entry = ledger.files.get(&m.file.rel)?;
        (entry.sha256 == sha).then(|| sha.to_string())
    };
    // Each file with the hash it is recognised by (its stamp's, when the
    // stamp says it is unchanged) and the hash the ledger holds for it.
    type Planned<'a> = (Matched<'a>, Option<String>, Option<String>);
    let mut batches: Vec<Vec<Planned>> = vec![Vec::new()];
    let mut size = 0u64;
    for m in matched {
        let sha = known(&m);
        if sha.is_none() {
            if size >= BATCH_BYTES {
                batches.push(Vec::new());
                size = 0;
            }
            size += m.bytes;
        }
        let in_ledger = match sha {
            None => ledger.files.get(&m.file.rel).map(|e| e.sha256.clone()),
            Some(_) => None,
        };
        batches
            .last_mut()
            .expect("one batch")
            .push((m, sha, in_ledger));
    }
    if batches.iter().flatten().any(|(_, sha, _)| sha.is_none()) {
        // A file to read: its numbers need the phone metadata.
        parse::load_phone_metadata_in_background();
    }
    let total = files.len();
    // Files read and mapped so far, counted as each finishes (on any thread), so
    // a progress bar moves within a batch too.
    let done = std::sync::atomic::AtomicUsize::new(0);
    progress(0, total);
    type ReadResult = Result<(String, Option<(Analysed, Option<Vec<u8>>)>)>;
    let read_batch = |batch: &[Planned]| -> Vec<ReadResult> {
        batch
            .par_iter()
            .map(|(m, known_sha, in_ledger)| {
                let finished = || {
                    let n = done.fetch_add(1, std::sync::atomic::Ordering::Relaxed) + 1;
                    progress(n.min(total.saturating_sub(1)), total);
                };
                if let Some(sha) = known_sha {
                    finished();
                    return Ok((sha.clone(), None));
                }
                let f = m.file;
                let bytes = std::fs::read(&f.path)
                    .with_context(|| format!("reading {}", f.path.display()))?;
                let sha = hex::encode(Sha256::digest(&bytes));
                if in_ledger.as_ref() == Some(&sha) {
                    finished();
                    return Ok((sha, None));
                }
                let phones = map::PhoneCache::default();
                let mut a = analyse::analyse_hashed(
                    f,
                    &bytes,
                    sha.clone(),
                    m.profile,
                    config,
                    hasher,
                    &phones,
                    &limits,
                );
                a.callers = callers::rows(&a, &phones, hasher);
                finished();
                let keep = a.file_error.is_some().then_some(bytes);
                Ok((sha, Some((a, keep))))
            })
            .collect()
    };
    let read_batch = &read_batch;
    let mut seen: Vec<(String, Option<stamps::Stamp>, u64, String)> = Vec::new();
    std::thread::scope(|scope| -> Result<()> {
        let mut batches = batches.iter();
        let mut next = batches.next().map(|b| (b, read_batch(b)));
        while let Some((batch, results)) = next.take() {
            // The next batch is read and mapped while this one is merged into
            // the lake: the merge leaves cores idle while it writes.
            let ahead = batches
                .next()
                .map(|b| (b, scope.spawn(move || read_batch(b))));
            let mut analysed = Vec::new();
            for ((m, ..), r) in batch.iter().zip(results) {
                let (sha, read) = r?;
                seen.push((m.file.rel.clone(), m.stamp, m.bytes, sha));
                match read {
                    None => report.skipped_unchanged += 1,
                    Some((a, unreadable)) => {
                        if let (Some(reason), Some(bytes)) = (&a.file_error, unreadable) {
                            crate::lake::write_bytes_atomic(
                                &config.paths.quarantine.join(&a.rel),
                                &bytes,
                            )?;
                            report.rejected_files.push((a.rel.clone(), reason.clone()));
                        }
                        analysed.push(a);
                    }
                }
            }
            merge_batch(config, &lake, &mut ledger, &mut report, analysed)?;
            next = ahead.map(|(b, h)| (b, crate::workers::joined(h)));
        }
        Ok(())
    })?;
    // Remember what was seen, for the next run and for the run manifest.
    if whole_folder {
        let listed: polars::prelude::PlHashSet<&str> =
            seen.iter().map(|(rel, ..)| rel.as_str()).collect();
        stamps.retain(|rel| listed.contains(rel));
    }
    for (rel, stamp, _, sha) in &seen {
        if let Some(stamp) = stamp {
            stamps.record(rel, *stamp, sha, started);
        }
    }
    // Built at once from the files in order (inserting them one by one was a
    // tenth of recognising a year of 200 practices' exports).
    report.hashes = seen
        .into_iter()
        .map(|(rel, _, bytes, sha)| (rel, (bytes, sha)))
        .collect();
    if let Err(e) = stamps.save(&lake.root) {
        tracing::warn!("ingest: could not save the cache of export stamps ({e:#}); the next run reads every export again");
    }
    // A year's ledger and stamps are hundreds of thousands of strings.
    crate::workers::drop_aside((ledger, stamps));
    progress(total, total);
    Ok(report)
}

/// Why a listed export cannot be read, for the summary.
pub fn unreadable(path: &Path, e: &std::io::Error) -> String {
    let link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
    if link && e.kind() == std::io::ErrorKind::NotFound {
        "a symbolic link whose target does not exist; fix the link or remove it".into()
    } else {
        format!("cannot be read ({e}); check its permissions")
    }
}

/// An export file matched to the profile that reads it.
struct Matched<'a> {
    file: &'a ExportFile,
    profile: &'a Profile,
    bytes: u64,
    stamp: Option<stamps::Stamp>,
}

/// Export bytes read before their rows are merged into the lake.
const BATCH_BYTES: u64 = 64 << 20;

/// Merge one batch of analysed files into the lake and record them.
fn merge_batch(
    config: &Config,
    lake: &Lake,
    ledger: &mut Ledger,
    report: &mut Report,
    mut analysed: Vec<Analysed>,
) -> Result<()> {
    if analysed.is_empty() {
        return Ok(());
    }
    // Group accepted rows by partition, in file order, remembering which file each came from.
    let mut by_partition: BTreeMap<Partition, (Vec<usize>, Vec<Row>)> = BTreeMap::new();
    for (fi, a) in analysed.iter_mut().enumerate() {
        for row in std::mem::take(&mut a.rows) {
            let e = by_partition
                .entry(Lake::partition_of(a.table, &row))
                .or_default();
            e.0.push(fi);
            e.1.push(row);
        }
        // Derived rows (callers) are no file's rows: they join no file's
        // counts (their partitions list no file), and commit with the batch.
        for row in std::mem::take(&mut a.callers) {
            let e = by_partition.entry(Lake::partition_of(Table::Callers, &row));
            e.or_default().1.push(row);
        }
    }
    let mut counts: Vec<Counts> = analysed
        .iter()
        .map(|a| Counts {
            read: a.read(),
            quarantined: a.rejects.len() as u64,
            duplicates: a.superseded,
            merged: a.merged,
            ..Counts::default()
        })
        .collect();
    // A batch's partitions, quarantine files and ledger entries are written under
    // temporary names and committed together (lake::commit): a kill at any moment
    // leaves the lake, quarantine and ledger as before the batch, or as after it.
    let mut commit = Commit::new(&lake.root, &config.paths.quarantine);
    // Partitions are independent: merge them in parallel (on plain threads:
    // each reads and writes Parquet, see `workers`), then count in order.
    type Staged<'a> = (Vec<Outcome>, &'a Vec<usize>, Option<(PathBuf, PathBuf)>);
    let parts: Vec<_> = by_partition.iter().collect();
    let merged: Vec<Staged> = crate::workers::map(&parts, |&(part, (files, rows))| {
        let (outcomes, staged) = lake.merge_staged(part.table, &lake.partition_dir(part), rows)?;
        crate::failpoint::hit("ingest-partition-staged");
        Ok((outcomes, files, staged))
    })
    .into_iter()
    .collect::<Result<_>>()?;
    for (outcomes, files, staged) in merged {
        if let Some((tmp, dest)) = staged {
            commit.rename(Area::Lake, &tmp, &dest)?;
        }
        if outcomes.iter().any(|o| *o == Outcome::Stored) {
            report.partitions_written += 1;
        }
        for (&fi, o) in files.iter().zip(outcomes) {
            match o {
                Outcome::Stored => counts[fi].stored += 1,
                Outcome::Duplicate => counts[fi].duplicates += 1,
            }
        }
    }

    // A batch's rows, millions of small strings, are freed beside the next
    // batch's reading rather than before it (a twentieth of ingest's time,
    // spent on this thread alone while the other cores waited).
    crate::workers::drop_aside(by_partition);
    for (a, c) in analysed.iter().zip(counts) {
        debug_assert!(c.balanced(), "{}: {c:?}", a.rel);
        quarantine::stage(&config.paths.quarantine, &a.rel, &a.rejects, &mut commit)?;
        for r in &a.rejects {
            report
                .reject_lines
                .push((a.rel.clone(), r.line, r.column.clone(), r.reason.clone()));
        }
        for w in &a.warnings {
            report.warnings.push((a.rel.clone(), w.clone()));
        }
        report.by_table.entry(a.table).or_default().add(&c);
        let entry = LedgerEntry {
            sha256: a.sha256.clone(),
            profile: a.profile.clone(),
            table: a.table.to_string(),
            counts: c,
        };
        ledger.insert(a.rel.clone(), entry.clone());
        report.files.insert(a.rel.clone(), entry);
    }
    // Record progress: a run stopped later re-reads only the files after this batch.
    ledger.stage(&lake.root, &mut commit)?;
    crate::failpoint::hit("ingest-staged");
    commit.commit()
}
