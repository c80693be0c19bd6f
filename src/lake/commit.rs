//! Committing a batch of ingest writes together: the lake partitions a batch of
//! export files touched, their quarantine files and the ledger entries that say
//! they are in.
//!
//! Every new file is first written and synced under its temporary name. Then a
//! journal listing the renames (and the quarantine files to remove) is written
//! atomically: that is the commit point. Then the renames are made and the journal
//! is removed. A run killed before the journal exists leaves only temporary files,
//! which the next run removes (`recover`), and the lake, quarantine and ledger are
//! as before the batch: the files are read again, with the same outcome. A run
//! killed after it finds the journal and finishes the renames. Either way the next
//! run ends with exactly what an uninterrupted run writes.

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Which root a journal path is relative to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Area {
    Lake,
    Quarantine,
}

/// One step of a commit, with paths relative to their area's root.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "lowercase")]
enum Op {
    Rename {
        area: Area,
        tmp: String,
        dest: String,
    },
    Remove {
        area: Area,
        path: String,
    },
}

/// The writes of one batch, staged and not yet in view.
#[derive(Debug)]
pub struct Commit {
    lake: PathBuf,
    quarantine: PathBuf,
    ops: Vec<Op>,
}

/// Where the journal of a commit in progress lives.
pub fn journal_path(lake: &Path) -> PathBuf {
    lake.join("_ingest").join("commit.json")
}

impl Commit {
    pub fn new(lake: &Path, quarantine: &Path) -> Commit {
        Commit {
            lake: lake.to_path_buf(),
            quarantine: quarantine.to_path_buf(),
            ops: Vec::new(),
        }
    }

    fn root(&self, area: Area) -> &Path {
        match area {
            Area::Lake => &self.lake,
            Area::Quarantine => &self.quarantine,
        }
    }

    fn rel(&self, area: Area, p: &Path) -> Result<String> {
        let rel = p.strip_prefix(self.root(area)).with_context(|| {
            format!("{} is not under {}", p.display(), self.root(area).display())
        })?;
        Ok(rel.to_string_lossy().into_owned())
    }

    /// A file written under its temporary name, to be renamed to `dest` at commit.
    pub fn rename(&mut self, area: Area, tmp: &Path, dest: &Path) -> Result<()> {
        let op = Op::Rename {
            area,
            tmp: self.rel(area, tmp)?,
            dest: self.rel(area, dest)?,
        };
        self.ops.push(op);
        Ok(())
    }

    /// A file to remove at commit (a quarantine file whose export now has no rejects).
    pub fn remove(&mut self, area: Area, path: &Path) -> Result<()> {
        let op = Op::Remove {
            area,
            path: self.rel(area, path)?,
        };
        self.ops.push(op);
        Ok(())
    }

    /// Write the journal (the commit point), make the renames, drop the journal.
    pub fn commit(self) -> Result<()> {
        if self.ops.is_empty() {
            return Ok(());
        }
        let journal = journal_path(&self.lake);
        let text = serde_json::to_vec(&self.ops)?;
        super::write_bytes_atomic(&journal, &text)?;
        crate::failpoint::hit("ingest-committed");
        self.apply()?;
        std::fs::remove_file(&journal)
            .with_context(|| format!("removing {}", journal.display()))?;
        Ok(())
    }

    /// Make every step; a step already made (a rerun after a kill) is skipped.
    fn apply(&self) -> Result<()> {
        for (i, op) in self.ops.iter().enumerate() {
            match op {
                Op::Rename { area, tmp, dest } => {
                    let (tmp, dest) = (self.root(*area).join(tmp), self.root(*area).join(dest));
                    if tmp.exists() {
                        super::publish(&tmp, &dest)?;
                    }
                }
                Op::Remove { area, path } => {
                    let path = self.root(*area).join(path);
                    match std::fs::remove_file(&path) {
                        Ok(()) => {}
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                        Err(e) => {
                            return Err(e).with_context(|| format!("removing {}", path.display()))
                        }
                    }
                }
            }
            if i == 0 {
                crate::failpoint::hit("ingest-first-rename");
            }
        }
        Ok(())
    }
}

/// Before an ingest writes anything (holding the run lock): finish a commit a dead
/// run had made, then remove every temporary file a dead run left in the lake and
/// the quarantine. Returns how many leftovers were removed.
pub fn recover(lake: &Path, quarantine: &Path) -> Result<usize> {
    let journal = journal_path(lake);
    match std::fs::read(&journal) {
        Ok(bytes) => {
            let ops: Vec<Op> = serde_json::from_slice(&bytes).with_context(|| {
                format!(
                    "{} is damaged (it lists the renames of an ingest that was stopped); remove it and the lake's `.tmp-` files, then ingest again",
                    journal.display()
                )
            })?;
            let c = Commit {
                lake: lake.to_path_buf(),
                quarantine: quarantine.to_path_buf(),
                ops,
            };
            c.apply()?;
            std::fs::remove_file(&journal)
                .with_context(|| format!("removing {}", journal.display()))?;
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", journal.display())),
    }
    let mut removed = 0;
    for root in [lake, quarantine] {
        removed += sweep(root)?;
    }
    Ok(removed)
}

/// Remove the temporary files (`.<name>.tmp-<pid>`) below `dir`.
pub fn sweep(dir: &Path) -> Result<usize> {
    let rd = match std::fs::read_dir(dir) {
        Ok(rd) => rd,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(0),
        Err(e) => return Err(e).with_context(|| format!("listing {}", dir.display())),
    };
    let mut removed = 0;
    // Folders are swept side by side (a lake of 200 practices has some 17 000).
    let mut folders = Vec::new();
    for e in rd {
        let e = e?;
        let ft = e.file_type()?;
        if ft.is_dir() {
            folders.push(e.path());
            continue;
        }
        let name = e.file_name().to_string_lossy().into_owned();
        let leftover = name.starts_with('.')
            && name
                .rsplit_once(super::TMP_MARK)
                .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|b| b.is_ascii_digit()));
        if leftover {
            std::fs::remove_file(e.path())
                .with_context(|| format!("removing the leftover {}", e.path().display()))?;
            removed += 1;
        }
    }
    use rayon::prelude::*;
    let below: Vec<Result<usize>> = folders.par_iter().map(|d| sweep(d)).collect();
    for n in below {
        removed += n?;
    }
    Ok(removed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_journal_is_finished_and_leftovers_are_swept() {
        let tmp = tempfile::tempdir().unwrap();
        let (lake, q) = (tmp.path().join("lake"), tmp.path().join("quarantine"));
        let part = lake.join("calls/practice_id=p001/month=2026-11");
        std::fs::create_dir_all(&part).unwrap();
        std::fs::create_dir_all(q.join("p001")).unwrap();
        let staged = part.join(".data.parquet.tmp-41");
        std::fs::write(&staged, "new").unwrap();
        std::fs::write(q.join("p001/x.csv.quarantine.csv"), "old").unwrap();
        let mut c = Commit::new(&lake, &q);
        c.rename(Area::Lake, &staged, &part.join("data.parquet"))
            .unwrap();
        c.remove(Area::Quarantine, &q.join("p001/x.csv.quarantine.csv"))
            .unwrap();
        // As if killed right after the commit point: the journal is there.
        crate::lake::write_bytes_atomic(&journal_path(&lake), &serde_json::to_vec(&c.ops).unwrap())
            .unwrap();
        // And a dead run's leftover that no journal names.
        std::fs::write(q.join("p001/.y.csv.quarantine.csv.tmp-7"), "junk").unwrap();
        assert_eq!(recover(&lake, &q).unwrap(), 1);
        assert_eq!(
            std::fs::read_to_string(part.join("data.parquet")).unwrap(),
            "new"
        );
        assert!(!q.join("p001/x.csv.quarantine.csv").exists());
        assert!(!journal_path(&lake).exists());
        assert!(!staged.exists());
        assert_eq!(
            recover(&lake, &q).unwrap(),
            0,
            "a second recovery finds nothing"
        );
    }
}
