//! Recognising an unchanged export without reading it.
//!
//! A nightly run sees every export of the year again; reading and hashing each
//! one to learn that it has not changed costs as much as the ingest itself. So
//! the lake keeps a cache, `_ingest/.stamps.tsv`: for each export its content
//! hash with the file's stamp when it was read, the size, modification time,
//! change time and inode (the same facts git's index and rsync trust). A file
//! whose stamp is unchanged has the hash recorded with it, and is not read.
//!
//! - Any write to a file changes its change time, which no tool can set back, so
//!   a rewritten file is read again even when its size and modification time are
//!   restored. Copying or moving the exports folder changes the stamps too: every
//!   file is then read once more, and recognised by its hash.
//! - A file modified within the last two seconds before the run started is not
//!   cached (the clock may not have ticked between two writes of the same size).
//! - The cache is a cache: missing or damaged, it is ignored (every file is read
//!   and hashed, as without it) and rewritten at the end of the run. It is a
//!   hidden file because its stamps differ between two copies of the same
//!   exports while the lake does not.
//!
//! Format: one line per export, sorted by path, with tab-separated fields
//! `sha256 size mtime_ns ctime_ns inode path`.

use anyhow::Result;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// What identifies one version of a file without reading it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    pub bytes: u64,
    pub mtime_ns: i128,
    pub ctime_ns: i128,
    pub inode: u64,
}

impl Stamp {
    /// The stamp of a file's metadata (`None` where the platform lacks change times).
    pub fn of(m: &std::fs::Metadata) -> Option<Stamp> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let ns = |s: i64, n: i64| s as i128 * 1_000_000_000 + n as i128;
            Some(Stamp {
                bytes: m.len(),
                mtime_ns: ns(m.mtime(), m.mtime_nsec()),
                ctime_ns: ns(m.ctime(), m.ctime_nsec()),
                inode: m.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            let _ = m;
            None
        }
    }
}

/// How recent a write may be and still be trusted to have finished.
const SETTLE: Duration = Duration::from_secs(2);

/// The cache: export path → (stamp, content hash).
#[derive(Debug, Default)]
pub struct Stamps {
    /// polars' hasher: a year of 200 practices' daily files is 366 000
    /// names, each looked up twice a run.
    files: polars::prelude::PlHashMap<String, (Stamp, String)>,
    /// Whether anything changed since the cache was read (unchanged, it is
    /// not written again: 44 MB for a year of 200 practices' daily files).
    changed: bool,
}

impl Stamps {
    pub fn path(lake_root: &Path) -> PathBuf {
        lake_root.join("_ingest").join(".stamps.tsv")
    }

    /// The cache as the last run left it (empty if there is none or it is damaged).
    pub fn load(lake_root: &Path) -> Stamps {
        let Ok(text) = std::fs::read_to_string(Self::path(lake_root)) else {
            return Stamps::default();
        };
        let mut files = polars::prelude::PlHashMap::default();
        for line in text.lines() {
            match parse_line(line) {
                Some((rel, stamp, sha)) => {
                    files.insert(rel, (stamp, sha));
                }
                // Damaged: started again, and written whole at the next save.
                None => {
                    return Stamps {
                        files: Default::default(),
                        changed: true,
                    }
                }
            }
        }
        Stamps {
            files,
            changed: false,
        }
    }

    /// The content hash of `rel`, if the file still has the stamp it had when hashed.
    pub fn sha256(&self, rel: &str, stamp: &Stamp) -> Option<&str> {
        self.files
            .get(rel)
            .filter(|(s, _)| s == stamp)
            .map(|(_, sha)| sha.as_str())
    }

    /// Remember a file's hash under its stamp, unless it was written too recently
    /// before `started` to be sure the stamp has settled.
    pub fn record(&mut self, rel: &str, stamp: Stamp, sha256: &str, started: SystemTime) {
        let settled = |ns: i128| {
            let at = SystemTime::UNIX_EPOCH
                + Duration::from_nanos(u64::try_from(ns.max(0)).unwrap_or(u64::MAX));
            at + SETTLE <= started
        };
        if rel.contains(['\t', '\n', '\r']) {
            return;
        }
        if settled(stamp.mtime_ns) && settled(stamp.ctime_ns) {
            if self
                .files
                .get(rel)
                .is_some_and(|(s, sha)| *s == stamp && sha == sha256)
            {
                return;
            }
            self.files
                .insert(rel.to_string(), (stamp, sha256.to_string()));
            self.changed = true;
        } else if self.files.remove(rel).is_some() {
            self.changed = true;
        }
    }

    /// Forget the files not in `keep` (exports deleted since).
    pub fn retain(&mut self, keep: impl Fn(&str) -> bool) {
        let before = self.files.len();
        self.files.retain(|rel, _| keep(rel));
        self.changed |= self.files.len() != before;
    }

    /// Write the cache (atomically; it is rebuilt by the next run if this fails).
    pub fn save(&self, lake_root: &Path) -> Result<()> {
        if !self.changed && Self::path(lake_root).exists() {
            return Ok(());
        }
        let mut rels: Vec<&String> = self.files.keys().collect();
        rels.sort();
        let mut text = String::with_capacity(rels.len() * 128);
        for rel in rels {
            let (s, sha) = &self.files[rel];
            use std::fmt::Write;
            let _ = writeln!(
                text,
                "{sha}\t{}\t{}\t{}\t{}\t{rel}",
                s.bytes, s.mtime_ns, s.ctime_ns, s.inode
            );
        }
        crate::lake::write_bytes_atomic(&Self::path(lake_root), text.as_bytes())
    }
}

fn parse_line(line: &str) -> Option<(String, Stamp, String)> {
    let mut f = line.splitn(6, '\t');
    let sha = f.next()?;
    if sha.len() != 64 || !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let stamp = Stamp {
        bytes: f.next()?.parse().ok()?,
        mtime_ns: f.next()?.parse().ok()?,
        ctime_ns: f.next()?.parse().ok()?,
        inode: f.next()?.parse().ok()?,
    };
    let rel = f.next().filter(|r| !r.is_empty())?;
    Some((rel.to_string(), stamp, sha.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SHA: &str = "ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12ab12";

    fn stamp_of(p: &Path) -> Stamp {
        Stamp::of(&std::fs::metadata(p).unwrap()).unwrap()
    }

    fn later() -> SystemTime {
        SystemTime::now() + Duration::from_secs(60)
    }

    /// A folder with one export, known as `p/a.csv`, its stamp recorded and saved.
    fn one_saved() -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.csv");
        std::fs::write(&f, "x,y\n").unwrap();
        let mut s = Stamps::default();
        s.record("p/a.csv", stamp_of(&f), SHA, later());
        s.save(dir.path()).unwrap();
        (dir, f)
    }

    #[test]
    fn an_unchanged_file_is_known_by_its_stamp_after_a_save_and_load() {
        let (dir, f) = one_saved();
        let back = Stamps::load(dir.path());
        assert_eq!(back.sha256("p/a.csv", &stamp_of(&f)), Some(SHA));
        assert_eq!(back.sha256("p/b.csv", &stamp_of(&f)), None);
    }

    #[test]
    fn the_cache_is_written_again_only_when_something_changed() {
        let (dir, f) = one_saved();
        let path = Stamps::path(dir.path());
        // The same file seen again, and a file forgotten that was never there:
        // nothing to write (the cache is written by replacing it, so its inode
        // shows whether it was).
        use std::os::unix::fs::MetadataExt;
        let inode = || std::fs::metadata(&path).unwrap().ino();
        let first = inode();
        let mut back = Stamps::load(dir.path());
        back.record("p/a.csv", stamp_of(&f), SHA, later());
        back.retain(|_| true);
        back.save(dir.path()).unwrap();
        assert_eq!(inode(), first);
        // A damaged cache is rewritten whole.
        std::fs::write(&path, "not a stamp\n").unwrap();
        let mut damaged = Stamps::load(dir.path());
        assert_eq!(damaged.sha256("p/a.csv", &stamp_of(&f)), None);
        damaged.record("p/a.csv", stamp_of(&f), SHA, later());
        damaged.save(dir.path()).unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().starts_with(SHA));
        // A new hash, and a file forgotten, are written.
        let mut s = Stamps::load(dir.path());
        s.record("p/a.csv", stamp_of(&f), &SHA.replace('a', "c"), later());
        s.save(dir.path()).unwrap();
        assert!(std::fs::read_to_string(&path).unwrap().starts_with("cb12"));
        let mut s = Stamps::load(dir.path());
        s.retain(|_| false);
        s.save(dir.path()).unwrap();
        assert_eq!(std::fs::read_to_string(&path).unwrap(), "");
    }

    #[test]
    fn a_rewrite_that_keeps_size_and_modification_time_is_still_seen() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.csv");
        std::fs::write(&f, "x,1\n").unwrap();
        let before = stamp_of(&f);
        let mut s = Stamps::default();
        s.record("a.csv", before, SHA, later());
        // Same size, and the modification time set back to what it was.
        std::thread::sleep(Duration::from_millis(20));
        std::fs::write(&f, "x,2\n").unwrap();
        let file = std::fs::File::options().write(true).open(&f).unwrap();
        let t =
            SystemTime::UNIX_EPOCH + Duration::from_nanos(u64::try_from(before.mtime_ns).unwrap());
        file.set_modified(t).unwrap();
        drop(file);
        let after = stamp_of(&f);
        assert_eq!(
            (after.bytes, after.mtime_ns),
            (before.bytes, before.mtime_ns)
        );
        assert_eq!(s.sha256("a.csv", &after), None, "the change time differs");
    }

    #[test]
    fn a_file_written_just_before_the_run_is_not_cached() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("a.csv");
        std::fs::write(&f, "x\n").unwrap();
        let mut s = Stamps::default();
        s.record("a.csv", stamp_of(&f), SHA, SystemTime::now());
        assert_eq!(s.sha256("a.csv", &stamp_of(&f)), None);
    }

    #[test]
    fn a_damaged_cache_is_ignored() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("_ingest")).unwrap();
        std::fs::write(Stamps::path(dir.path()), "not\ta cache\n").unwrap();
        assert!(Stamps::load(dir.path()).files.is_empty());
    }
}
