//! Quarantine: every rejected row, with file, line, column, raw value and reason.
//!
//! One CSV per export file that had rejects, mirroring the export's path under the
//! quarantine folder, owner-only (it holds raw values, which may be PHI). Fix the
//! rows and drop a corrected export in the inbox: a newer version replaces by key.

use crate::lake::commit::{Area, Commit};
use crate::lake::{write_bytes_atomic, write_bytes_tmp};
use anyhow::Result;
use std::path::{Path, PathBuf};

/// One rejected record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub line: u64,
    pub column: Option<String>,
    pub value: Option<String>,
    pub reason: String,
    pub raw_record: String,
}

pub const HEADER: [&str; 6] = [
    "source_file",
    "line",
    "column",
    "raw_value",
    "reason",
    "raw_record",
];

/// Where the quarantine file for an export lives.
pub fn path_for(quarantine_root: &Path, rel: &str) -> PathBuf {
    quarantine_root.join(format!("{rel}.quarantine.csv"))
}

/// Write (or, when there are no entries, remove) the quarantine file for one export.
pub fn write(quarantine_root: &Path, rel: &str, entries: &[Entry]) -> Result<Option<PathBuf>> {
    let path = path_for(quarantine_root, rel);
    if entries.is_empty() {
        match std::fs::remove_file(&path) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(e.into()),
        }
        return Ok(None);
    }
    write_bytes_atomic(&path, &bytes(rel, entries)?)?;
    Ok(Some(path))
}

/// Stage the quarantine file for one export (or its removal) in a batch commit,
/// so it appears together with the export's lake rows and ledger entry.
pub fn stage(
    quarantine_root: &Path,
    rel: &str,
    entries: &[Entry],
    commit: &mut Commit,
) -> Result<()> {
    let path = path_for(quarantine_root, rel);
    if entries.is_empty() {
        if path.exists() {
            commit.remove(Area::Quarantine, &path)?;
        }
        return Ok(());
    }
    let tmp = write_bytes_tmp(&path, &bytes(rel, entries)?)?;
    commit.rename(Area::Quarantine, &tmp, &path)
}

fn bytes(rel: &str, entries: &[Entry]) -> Result<Vec<u8>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(HEADER)?;
    for e in entries {
        w.write_record([
            rel,
            &e.line.to_string(),
            e.column.as_deref().unwrap_or(""),
            &neutralise(e.value.as_deref().unwrap_or("")),
            &e.reason,
            &neutralise(&e.raw_record),
        ])?;
    }
    w.into_inner().map_err(|e| anyhow::anyhow!("{e}"))
}

/// Make a cell inert in a spreadsheet: a leading `=`, `+`, `-`, `@`, tab or CR would
/// start a formula, so such a cell gets a leading `'` (remove it to recover the value).
pub fn neutralise(s: &str) -> std::borrow::Cow<'_, str> {
    match s.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{s}").into(),
        _ => s.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+1 617"), "'+1 617");
        assert_eq!(neutralise("plain"), "plain");
    }
}
