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

impl Entry {
    /// The kind of problem: the reason before any detail (`:`, `;` or `(`).
    pub fn reason_kind(&self) -> &str {
        self.reason
            .split([':', ';', '('])
            .next()
            .unwrap_or("")
            .trim()
    }

    /// A value the source profile does not map (the row is kept, the value flagged).
    pub fn is_unmapped(&self) -> bool {
        self.reason.starts_with("unmapped value")
    }
}

/// Every entry of every quarantine file under `quarantine_root`, files in path
/// order, as written (values and raw records still neutralised). A missing
/// folder, or a file or record that cannot be read, contributes nothing.
pub fn read_all(quarantine_root: &Path) -> Vec<Entry> {
    let mut out = Vec::new();
    read_into(quarantine_root, &mut out);
    out
}

fn read_into(dir: &Path, out: &mut Vec<Entry>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut paths: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    paths.sort();
    for p in paths {
        if p.is_dir() {
            read_into(&p, out);
        } else if p.to_string_lossy().ends_with(".quarantine.csv") {
            let Ok(mut r) = csv::Reader::from_path(&p) else {
                continue;
            };
            out.extend(r.records().flatten().map(|rec| {
                let cell = |i: usize| rec.get(i).unwrap_or("").to_string();
                let some = |i: usize| Some(cell(i)).filter(|s| !s.is_empty());
                Entry {
                    line: rec.get(1).and_then(|l| l.parse().ok()).unwrap_or(0),
                    column: some(2),
                    value: some(3),
                    reason: cell(4),
                    raw_record: cell(5),
                }
            }));
        }
    }
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
    fn what_is_written_reads_back_typed() {
        let dir = tempfile::tempdir().unwrap();
        let entry = |line, reason: &str| Entry {
            line,
            column: Some("status".into()),
            value: Some("open?".into()),
            reason: reason.into(),
            raw_record: "t1,open?".into(),
        };
        let a = vec![entry(2, "unmapped value: open? (status)")];
        let b = vec![entry(7, "bad date; expected YYYY-MM-DD"), entry(9, "no id")];
        write(dir.path(), "p001/tasks_b.csv", &b).unwrap();
        write(dir.path(), "p001/tasks_a.csv", &a).unwrap();
        let got = read_all(dir.path());
        assert_eq!(got, [a, b].concat());
        let kinds: Vec<&str> = got.iter().map(Entry::reason_kind).collect();
        assert_eq!(kinds, ["unmapped value", "bad date", "no id"]);
        assert!(got[0].is_unmapped() && !got[1].is_unmapped());
        assert!(read_all(&dir.path().join("nowhere")).is_empty());
    }

    #[test]
    fn formulas_are_neutralised() {
        assert_eq!(neutralise("=HYPERLINK(\"x\")"), "'=HYPERLINK(\"x\")");
        assert_eq!(neutralise("+1 617"), "'+1 617");
        assert_eq!(neutralise("plain"), "plain");
    }
}
