//! Which profile reads a file when the config does not say: `init` picks a
//! built-in profile for each export, and `check` names the closest profile for
//! a file no active profile reads, with the columns it lacks. Also: exports that
//! look like a second copy of another.

use super::profile::{ColumnSource, Profile};
use super::read::{self, Parsed};
use std::collections::{BTreeMap, BTreeSet};

/// Records looked at to see which fields a JSON export has.
const SAMPLE_RECORDS: usize = 50;

/// Whether the file has source column `name` (a CSV header, or a field of one of
/// the first JSON records).
fn has(parsed: &Parsed, name: &str) -> bool {
    parsed.header.iter().any(|h| h == name)
        || parsed
            .records
            .iter()
            .take(SAMPLE_RECORDS)
            .any(|r| r.fields.get(&parsed.header, name).is_some())
}

/// Source columns the profile's column map reads (`[…]` names are made by an
/// adapter, not read from the file), and which of them the file has.
fn columns(profile: &Profile, parsed: &Parsed) -> (usize, Vec<String>) {
    let mut present = 0;
    let mut missing = BTreeSet::new();
    let need = |name: &str, present: &mut usize, missing: &mut BTreeSet<String>| {
        if name.starts_with('[') {
            return;
        }
        if has(parsed, name) {
            *present += 1;
        } else {
            missing.insert(name.to_string());
        }
    };
    for src in profile.sources.iter().flatten() {
        match src {
            ColumnSource::FirstOf { first_of } => {
                // One of them is enough; name the first when none is there.
                let real: Vec<&String> = first_of.iter().filter(|f| !f.starts_with('[')).collect();
                if real.iter().any(|f| has(parsed, f)) {
                    present += 1;
                } else if let Some(f) = real.first() {
                    missing.insert(f.to_string());
                }
            }
            other => {
                for f in other.fields() {
                    need(f, &mut present, &mut missing);
                }
            }
        }
    }
    if let Some(c) = &profile.def.practice_column {
        need(c, &mut present, &mut missing);
    }
    (present, missing.into_iter().collect())
}

/// The profile that comes closest to reading a file, and the columns it lacks.
#[derive(Debug, Clone, PartialEq)]
pub struct Closest {
    pub profile: String,
    pub missing: Vec<String>,
}

/// Among `profiles`, the one whose reader parses the file and that lacks the
/// fewest of its columns (then: has the most; then: listed first). None when no
/// profile finds a single one of its columns.
pub fn closest<'a>(
    profiles: impl IntoIterator<Item = &'a Profile>,
    bytes: &[u8],
) -> Option<Closest> {
    let mut best: Option<(usize, usize, Closest)> = None;
    for p in profiles {
        let Ok(parsed) = read::parse(bytes, p) else {
            continue;
        };
        let (present, missing) = columns(p, &parsed);
        if present == 0 {
            continue;
        }
        let better = match &best {
            None => true,
            Some((m, pr, _)) => (missing.len(), usize::MAX - present) < (*m, usize::MAX - *pr),
        };
        if better {
            best = Some((
                missing.len(),
                present,
                Closest {
                    profile: p.name().to_string(),
                    missing,
                },
            ));
        }
    }
    best.map(|(_, _, c)| c)
}

/// The practice ids a file's rows name when read with `profile`: its practice
/// column's values, the file's first folder, or the profile's fixed id.
pub fn practice_ids(profile: &Profile, rel: &str, bytes: &[u8]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    if let Some(id) = &profile.def.practice_id {
        out.insert(id.clone());
    } else if profile.def.practice_folder {
        if let Some((folder, _)) = rel.split_once('/') {
            out.insert(folder.to_string());
        }
    } else if let (Some(col), Ok(parsed)) =
        (&profile.def.practice_column, read::parse(bytes, profile))
    {
        for r in &parsed.records {
            if let Some(v) = r.fields.get(&parsed.header, col) {
                let v = v.trim();
                if !v.is_empty() {
                    out.insert(v.to_string());
                }
            }
        }
    }
    out
}

/// An export that looks like a second copy of another.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Duplicate {
    /// The copy (the later name in sorted order, or the `(1)` name).
    pub copy: String,
    pub original: String,
    /// Same bytes (ingest then skips it as already seen, or counts its rows as
    /// duplicates); otherwise only the name says it is a copy.
    pub same_bytes: bool,
}

/// The file name without a browser's or a file manager's copy mark:
/// `tasks (1).csv`, `tasks copy.csv`, `tasks - Copy.csv` → `tasks.csv`.
fn without_copy_mark(rel: &str) -> Option<String> {
    let (dir, name) = match rel.rsplit_once('/') {
        Some((d, n)) => (format!("{d}/"), n),
        None => (String::new(), rel),
    };
    let (stem, ext) = match name.rsplit_once('.') {
        Some((s, e)) => (s, format!(".{e}")),
        None => (name, String::new()),
    };
    let base = if let Some(open) = stem
        .strip_suffix(')')
        .and_then(|s| s.rfind(" (").map(|i| (s, i)))
    {
        let (s, i) = open;
        s[i + 2..]
            .chars()
            .all(|c| c.is_ascii_digit())
            .then(|| &s[..i])?
    } else if let Some(s) = stem
        .strip_suffix(" copy")
        .or_else(|| stem.strip_suffix(" - Copy"))
    {
        s
    } else {
        return None;
    };
    Some(format!("{dir}{base}{ext}"))
}

/// Suspected duplicate exports among `(rel, sha256)` pairs: files with the same
/// bytes, and `(1)` / `copy` names beside their original. Sorted by copy.
pub fn duplicates(files: &[(String, String)]) -> Vec<Duplicate> {
    let mut by_hash: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (rel, sha) in files {
        by_hash.entry(sha.as_str()).or_default().push(rel.as_str());
    }
    let names: BTreeSet<&str> = files.iter().map(|(r, _)| r.as_str()).collect();
    let mut out: BTreeMap<String, Duplicate> = BTreeMap::new();
    for group in by_hash.values_mut() {
        group.sort_by_key(|r| (without_copy_mark(r).is_some(), *r));
        for copy in &group[1..] {
            out.insert(
                copy.to_string(),
                Duplicate {
                    copy: copy.to_string(),
                    original: group[0].to_string(),
                    same_bytes: true,
                },
            );
        }
    }
    for (rel, _) in files {
        if out.contains_key(rel) {
            continue;
        }
        if let Some(orig) = without_copy_mark(rel).filter(|o| names.contains(o.as_str())) {
            out.insert(
                rel.clone(),
                Duplicate {
                    copy: rel.clone(),
                    original: orig,
                    same_bytes: false,
                },
            );
        }
    }
    out.into_values().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn copy_marks_are_recognised() {
        assert_eq!(
            without_copy_mark("p001/tasks_2026-11-09 (1).csv").as_deref(),
            Some("p001/tasks_2026-11-09.csv")
        );
        assert_eq!(
            without_copy_mark("calls copy.csv").as_deref(),
            Some("calls.csv")
        );
        assert_eq!(without_copy_mark("calls (final).csv"), None);
        assert_eq!(without_copy_mark("calls_2026.csv"), None);
    }

    #[test]
    fn duplicates_by_bytes_and_by_name() {
        let f = |r: &str, h: &str| (r.to_string(), h.to_string());
        let d = duplicates(&[
            f("a/tasks (1).csv", "x"),
            f("a/tasks.csv", "x"),
            f("a/calls (1).csv", "y"),
            f("a/calls.csv", "z"),
            f("a/other.csv", "w"),
        ]);
        assert_eq!(
            d,
            vec![
                Duplicate {
                    copy: "a/calls (1).csv".into(),
                    original: "a/calls.csv".into(),
                    same_bytes: false
                },
                Duplicate {
                    copy: "a/tasks (1).csv".into(),
                    original: "a/tasks.csv".into(),
                    same_bytes: true
                },
            ]
        );
    }
}
