//! Reading and mapping one export file with its profile (nothing written yet):
//! the header checks, the adapter, and each record mapped to a row or a
//! quarantine entry.

use super::map::{self, Mapper};
use super::profile::Profile;
use super::{adapters, quarantine, read, shape, ExportFile};
use crate::config::Config;
use crate::lake::row::Row;
use crate::lake::schema::Table;
use crate::privacy::Hasher;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;

/// One export file, read and mapped (nothing written yet).
#[derive(Debug)]
pub struct Analysed {
    pub rel: String,
    pub sha256: String,
    pub profile: String,
    pub table: Table,
    pub rows: Vec<Row>,
    /// The callers rows ingest derives from a call log's rows (`callers::rows`).
    pub callers: Vec<Row>,
    pub rejects: Vec<quarantine::Entry>,
    /// Problems worth one line each (unknown columns); never values.
    pub warnings: Vec<String>,
    /// Set when nothing in the file could be read as rows.
    pub file_error: Option<String>,
    /// Per canonical column, vendor values that had no mapping, with counts.
    pub unmapped: BTreeMap<String, BTreeMap<String, u64>>,
    /// Call legs an adapter merged into their logical call (counted, not stored).
    pub merged: u64,
    /// Older copies of a record replaced by a later one in the same file (duplicates).
    pub superseded: u64,
    /// Columns the profile reads that the file's header lacks (every row is then
    /// quarantined, naming the first).
    pub missing: Vec<String>,
    read: u64,
}

impl Analysed {
    /// Rows read (before the rows are moved into the lake).
    pub fn read(&self) -> u64 {
        self.read
    }
}

/// Read and map one file with its profile.
pub fn analyse(
    file: &ExportFile,
    bytes: &[u8],
    profile: &Profile,
    config: &Config,
    hasher: &Hasher,
    phones: &map::PhoneCache,
    limits: &map::Limits,
) -> Analysed {
    let sha256 = hex::encode(Sha256::digest(bytes));
    analyse_hashed(file, bytes, sha256, profile, config, hasher, phones, limits)
}

/// [`analyse`] of a file whose SHA-256 (hex) the caller has already computed
/// (ingest hashes every export it reads to recognise it).
#[allow(clippy::too_many_arguments)]
pub fn analyse_hashed(
    file: &ExportFile,
    bytes: &[u8],
    sha256: String,
    profile: &Profile,
    config: &Config,
    hasher: &Hasher,
    phones: &map::PhoneCache,
    limits: &map::Limits,
) -> Analysed {
    let mut a = Analysed {
        rel: file.rel.clone(),
        sha256,
        profile: profile.name().to_string(),
        table: profile.table(),
        rows: Vec::new(),
        callers: Vec::new(),
        rejects: Vec::new(),
        warnings: Vec::new(),
        file_error: None,
        unmapped: BTreeMap::new(),
        merged: 0,
        superseded: 0,
        missing: Vec::new(),
        read: 0,
    };
    let mut parsed = match read::parse(bytes, profile) {
        Ok(p) => p,
        Err(e) => {
            a.file_error = Some(e.to_string());
            return a;
        }
    };
    for b in std::mem::take(&mut parsed.bad) {
        a.rejects.push(quarantine::Entry {
            line: b.line,
            column: b.column,
            value: None,
            reason: b.reason,
            raw_record: b.raw,
        });
    }
    a.warnings.append(&mut parsed.warnings);
    let Some(missing) = check_columns(&mut a, &mut parsed, profile) else {
        return a;
    };
    let adapted = adapters::apply(profile, &mut parsed, &mut a.rejects);
    a.merged = adapted.merged;
    a.superseded = adapted.superseded;
    let mapper = Mapper::new(
        profile,
        config,
        hasher,
        &parsed.header,
        &file.rel,
        phones,
        limits,
        read::has_controls(bytes),
    );
    map_records(
        &mut a,
        &mapper,
        std::mem::take(&mut parsed.records),
        &missing,
    );
    a.missing = missing;
    a.rejects.sort_by_key(|r| r.line);
    a.read = (a.rows.len() + a.rejects.len()) as u64 + a.merged + a.superseded;
    a
}

/// A CSV whose first line holds none of the columns the profile reads: it has no
/// header (or one from another export). Every line is quarantined, the first too.
fn no_header(a: &mut Analysed, parsed: read::Parsed, profile: &Profile, reads: usize) {
    let reason = format!(
        "the file's first line is not a header: it names none of the {reads} columns profile `{}` reads (was the header row left out, or are the columns named differently?); add the header line and re-export",
        profile.name()
    );
    a.rejects.push(quarantine::Entry {
        line: 1,
        column: None,
        value: None,
        reason: reason.clone(),
        raw_record: parsed.header_line,
    });
    for rec in parsed.records {
        a.rejects.push(quarantine::Entry {
            line: rec.line,
            column: None,
            value: None,
            reason: reason.clone(),
            raw_record: rec.raw,
        });
    }
    a.rejects.sort_by_key(|r| r.line);
    a.read = a.rejects.len() as u64;
}

/// The header checks: a first line that is not a header quarantines every line;
/// a duplicated column the profile reads refuses the file (both: `None`, with
/// `a` filled in). Otherwise warnings for unknown and duplicated columns, and
/// the columns the profile reads that the header lacks.
fn check_columns(
    a: &mut Analysed,
    parsed: &mut read::Parsed,
    profile: &Profile,
) -> Option<Vec<String>> {
    // Columns the profile needs but the CSV header lacks: every row is rejected,
    // naming the column, rather than stored with holes.
    let known = profile.known_fields();
    let reads = profile.read_fields();
    let mut missing = Vec::new();
    if !parsed.header.is_empty() {
        if !reads.iter().any(|f| parsed.header.iter().any(|h| h == f)) {
            // A data row taken for the header: its values are never echoed as
            // column names; every line is quarantined (line 1 included).
            no_header(a, std::mem::take(parsed), profile, reads.len());
            return None;
        }
        for (i, h) in parsed.header.iter().enumerate() {
            let Some(j) = parsed.header[..i].iter().position(|x| x == h) else {
                continue;
            };
            if reads.contains(&h.as_str()) {
                a.file_error = Some(format!(
                    "columns {} and {} are both named `{}` and profile `{}` reads that column: it cannot tell which is meant; rename one and re-export",
                    j + 1,
                    i + 1,
                    shape::header_name(h),
                    profile.name()
                ));
                return None;
            }
            a.warnings.push(format!(
                "columns {} and {} are both named `{}`; neither is read",
                j + 1,
                i + 1,
                shape::header_name(h)
            ));
        }
        // Fields in brackets are derived by the adapter (which adds them as
        // columns); columns an adapter reads are optional (a vendor's exports
        // differ: RingCentral's simple and detailed downloads).
        for f in &reads {
            if !f.starts_with('[') && !parsed.header.iter().any(|h| h == f) {
                missing.push(f.to_string());
            }
        }
        for h in &parsed.header {
            if !known.contains(&h.as_str()) {
                a.warnings.push(format!(
                    "unknown column `{}` is not read; map it in profile `{}` or add it to its `ignore` list",
                    shape::header_name(h),
                    profile.name()
                ));
            }
        }
    } else if let Some(first) = parsed.records.first() {
        if let read::Fields::Json(map) = &first.fields {
            for k in map.keys() {
                if !known
                    .iter()
                    .any(|f| f.split('.').next() == Some(k.as_str()))
                {
                    a.warnings.push(format!(
                        "unknown field `{}` is not read; map it in profile `{}` or add it to its `ignore` list",
                        shape::header_name(k),
                        profile.name()
                    ));
                }
            }
        }
    }
    Some(missing)
}

/// Map each record to a row, or quarantine it with the reason (every record,
/// naming the first missing column, when the header lacks one the profile reads).
fn map_records(a: &mut Analysed, mapper: &Mapper, records: Vec<read::Record>, missing: &[String]) {
    for rec in records {
        if let Some(col) = missing.first() {
            a.rejects.push(quarantine::Entry {
                line: rec.line,
                column: Some(col.clone()),
                value: None,
                reason: format!(
                    "the file has no column `{col}` that profile `{}` reads; fix the export or the profile",
                    mapper.profile.name()
                ),
                raw_record: rec.raw,
            });
            continue;
        }
        match mapper.map(&rec) {
            Ok(row) => a.rows.push(row),
            Err(e) => {
                if e.reason.starts_with("unmapped value") {
                    if let Some(col) = &e.column {
                        *a.unmapped
                            .entry(col.clone())
                            .or_default()
                            .entry(e.value.clone().unwrap_or_default())
                            .or_default() += 1;
                    }
                }
                a.rejects.push(quarantine::Entry {
                    line: rec.line,
                    column: e.column,
                    value: e.value,
                    reason: e.reason,
                    raw_record: rec.raw,
                });
            }
        }
    }
}
