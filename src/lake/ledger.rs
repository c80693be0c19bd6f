//! The ingest ledger: which export files the lake already holds, by content hash.
//!
//! It lets a nightly run skip files it has already ingested, and records each
//! file's counts. It holds no timestamps, so a re-run leaves it byte-identical.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Counts for one export file.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    pub read: u64,
    pub stored: u64,
    pub quarantined: u64,
    pub duplicates: u64,
    /// Call legs merged into the record of their logical call (by an adapter).
    #[serde(default, skip_serializing_if = "is_zero")]
    pub merged: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Counts {
    pub fn add(&mut self, o: &Counts) {
        self.read += o.read;
        self.stored += o.stored;
        self.quarantined += o.quarantined;
        self.duplicates += o.duplicates;
        self.merged += o.merged;
    }
    /// read = stored + quarantined + duplicates + merged legs.
    pub fn balanced(&self) -> bool {
        self.read == self.stored + self.quarantined + self.duplicates + self.merged
    }
}

/// One ingested file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    pub sha256: String,
    pub profile: String,
    pub table: String,
    #[serde(flatten)]
    pub counts: Counts,
}

/// All ingested files, by path relative to the exports folder.
///
/// Stored in shards, one per top-level folder of the exports (a practice's
/// folder): `_ingest/ledger/<folder>.json`, and `_ingest/ledger.json` for files
/// at the top of the exports folder. A batch of ingest rewrites only the shards
/// of the files it read, so the ledger of a year of daily exports (hundreds of
/// thousands of files) is not rewritten with every batch. A ledger written whole
/// into `ledger.json` by an earlier version is read, and split into shards at the
/// next ingest that stores something.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ledger {
    pub files: BTreeMap<String, Entry>,
    /// Shards changed since the ledger was loaded or last staged (`None`: the top).
    #[serde(skip)]
    dirty: BTreeSet<Option<String>>,
}

/// The shard a file's entry is kept in: its top-level folder, if it has one.
fn shard_of(rel: &str) -> Option<String> {
    rel.split_once('/').map(|(top, _)| top.to_string())
}

impl Ledger {
    /// The top shard (files at the top of the exports folder; before sharding, every file).
    pub fn path(lake_root: &Path) -> PathBuf {
        lake_root.join("_ingest").join("ledger.json")
    }

    /// Where the shards of top-level folders are kept.
    pub fn shards_dir(lake_root: &Path) -> PathBuf {
        lake_root.join("_ingest").join("ledger")
    }

    fn shard_path(lake_root: &Path, shard: &Option<String>) -> PathBuf {
        match shard {
            None => Self::path(lake_root),
            Some(top) => Self::shards_dir(lake_root).join(format!("{top}.json")),
        }
    }

    pub fn load(lake_root: &Path) -> Result<Ledger> {
        let mut ledger = Ledger::default();
        let top = Self::path(lake_root);
        if let Some(whole) = read_shard(&top)? {
            // Entries of folders in the top file were written before sharding:
            // each goes to its shard (and out of the top file) at the next stage.
            for rel in whole.files.keys() {
                if let Some(s) = shard_of(rel) {
                    ledger.dirty.insert(Some(s));
                    ledger.dirty.insert(None);
                }
            }
            ledger.files = whole.files;
        }
        let dir = Self::shards_dir(lake_root);
        let mut shards = match std::fs::read_dir(&dir) {
            Ok(rd) => rd
                .map(|e| e.map(|e| e.path()))
                .collect::<std::io::Result<Vec<_>>>()
                .with_context(|| format!("listing {}", dir.display()))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e).with_context(|| format!("listing {}", dir.display())),
        };
        shards.retain(|p| {
            p.extension().is_some_and(|x| x == "json")
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        });
        shards.sort();
        // Read and parsed side by side (one shard per practice folder); merged
        // in the shards' order.
        use rayon::prelude::*;
        let read: Vec<_> = shards.par_iter().map(|p| read_shard(p)).collect();
        for shard in read {
            if let Some(shard) = shard? {
                ledger.files.extend(shard.files);
            }
        }
        Ok(ledger)
    }

    /// Record a file's entry (its shard is rewritten at the next stage).
    pub fn insert(&mut self, rel: String, entry: Entry) {
        self.dirty.insert(shard_of(&rel));
        self.files.insert(rel, entry);
    }

    /// Write every shard at once, outside a batch commit.
    pub fn save(&mut self, lake_root: &Path) -> Result<()> {
        for shard in self.all_shards() {
            super::write_bytes_atomic(&Self::shard_path(lake_root, &shard), &self.bytes(&shard)?)?;
        }
        self.dirty.clear();
        Ok(())
    }

    /// Stage the changed shards in a batch commit, with the lake rows they account for.
    pub fn stage(&mut self, lake_root: &Path, commit: &mut super::commit::Commit) -> Result<()> {
        for shard in std::mem::take(&mut self.dirty) {
            let path = Self::shard_path(lake_root, &shard);
            let tmp = super::write_bytes_tmp(&path, &self.bytes(&shard)?)?;
            commit.rename(super::commit::Area::Lake, &tmp, &path)?;
        }
        Ok(())
    }

    fn all_shards(&self) -> BTreeSet<Option<String>> {
        let mut all: BTreeSet<_> = self.files.keys().map(|r| shard_of(r)).collect();
        all.insert(None);
        all
    }

    /// One shard's file: `{"files": {...}}` with that shard's entries, sorted by path.
    fn bytes(&self, shard: &Option<String>) -> Result<Vec<u8>> {
        #[derive(Serialize)]
        struct Shard<'a> {
            files: BTreeMap<&'a str, &'a Entry>,
        }
        let files = match shard {
            // A folder's entries are the contiguous keys from "<top>/" up to
            // "<top>0" ('0' follows '/').
            Some(top) => self
                .files
                .range(format!("{top}/")..format!("{top}0"))
                .map(|(rel, e)| (rel.as_str(), e))
                .collect(),
            None => self
                .files
                .iter()
                .filter(|(rel, _)| shard_of(rel).is_none())
                .map(|(rel, e)| (rel.as_str(), e))
                .collect(),
        };
        let mut text = serde_json::to_vec_pretty(&Shard { files })?;
        text.push(b'\n');
        Ok(text)
    }
}

/// One shard file's entries, or `None` when it does not exist.
fn read_shard(p: &Path) -> Result<Option<Ledger>> {
    match std::fs::read(p) {
        Ok(b) => serde_json::from_slice(&b).map(Some).with_context(|| {
            format!(
                "{} is damaged; delete it to re-ingest the exports it lists",
                p.display()
            )
        }),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", p.display())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(sha: &str) -> Entry {
        Entry {
            sha256: sha.into(),
            profile: "p".into(),
            table: "calls".into(),
            counts: Counts::default(),
        }
    }

    #[test]
    fn entries_are_kept_in_one_shard_per_top_level_folder() {
        let dir = tempfile::tempdir().unwrap();
        let mut l = Ledger::default();
        l.insert("p001/a.csv".into(), entry("1"));
        l.insert("p001/sub/b.csv".into(), entry("2"));
        l.insert("p0010/c.csv".into(), entry("3"));
        l.insert("top.csv".into(), entry("4"));
        l.save(dir.path()).unwrap();
        let shard = |name: &str| {
            let v: serde_json::Value = serde_json::from_slice(
                &std::fs::read(Ledger::shards_dir(dir.path()).join(name)).unwrap(),
            )
            .unwrap();
            v["files"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect::<Vec<_>>()
        };
        assert_eq!(shard("p001.json"), ["p001/a.csv", "p001/sub/b.csv"]);
        assert_eq!(shard("p0010.json"), ["p0010/c.csv"]);
        let top: serde_json::Value =
            serde_json::from_slice(&std::fs::read(Ledger::path(dir.path())).unwrap()).unwrap();
        assert_eq!(top["files"].as_object().unwrap().len(), 1);
        let back = Ledger::load(dir.path()).unwrap();
        assert_eq!(back.files, l.files);
    }

    #[test]
    fn a_ledger_written_whole_is_read_and_split_at_the_next_stage() {
        let dir = tempfile::tempdir().unwrap();
        let mut whole = BTreeMap::new();
        whole.insert("p001/a.csv".to_string(), entry("1"));
        whole.insert("top.csv".to_string(), entry("2"));
        let text = serde_json::to_vec_pretty(&serde_json::json!({ "files": whole })).unwrap();
        std::fs::create_dir_all(dir.path().join("_ingest")).unwrap();
        std::fs::write(Ledger::path(dir.path()), text).unwrap();
        let mut l = Ledger::load(dir.path()).unwrap();
        assert_eq!(l.files, whole);
        let mut commit = crate::lake::commit::Commit::new(dir.path(), &dir.path().join("q"));
        l.stage(dir.path(), &mut commit).unwrap();
        commit.commit().unwrap();
        assert!(Ledger::shards_dir(dir.path()).join("p001.json").exists());
        let top = std::fs::read_to_string(Ledger::path(dir.path())).unwrap();
        assert!(
            !top.contains("p001/a.csv") && top.contains("top.csv"),
            "{top}"
        );
        assert_eq!(Ledger::load(dir.path()).unwrap().files, whole);
    }
}
