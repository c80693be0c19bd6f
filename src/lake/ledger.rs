//! The ingest ledger: which export files the lake already holds, by content hash.
//!
//! It lets a nightly run skip files it has already ingested, and records each
//! file's counts. It holds no timestamps, so a re-run leaves it byte-identical.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
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
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct Ledger {
    pub files: BTreeMap<String, Entry>,
}

impl Ledger {
    pub fn path(lake_root: &Path) -> PathBuf {
        lake_root.join("_ingest").join("ledger.json")
    }

    pub fn load(lake_root: &Path) -> Result<Ledger> {
        let p = Self::path(lake_root);
        match std::fs::read(&p) {
            Ok(b) => serde_json::from_slice(&b).with_context(|| {
                format!(
                    "{} is damaged; delete it to re-ingest every export",
                    p.display()
                )
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Ledger::default()),
            Err(e) => Err(e).with_context(|| format!("reading {}", p.display())),
        }
    }

    pub fn save(&self, lake_root: &Path) -> Result<()> {
        super::write_bytes_atomic(&Self::path(lake_root), &self.bytes()?)
    }

    /// Stage the ledger in a batch commit, with the lake rows it accounts for.
    pub fn stage(&self, lake_root: &Path, commit: &mut super::commit::Commit) -> Result<()> {
        let path = Self::path(lake_root);
        let tmp = super::write_bytes_tmp(&path, &self.bytes()?)?;
        commit.rename(super::commit::Area::Lake, &tmp, &path)
    }

    fn bytes(&self) -> Result<Vec<u8>> {
        let mut text = serde_json::to_vec_pretty(self)?;
        text.push(b'\n');
        Ok(text)
    }
}
