//! Durability of written files: each synced as it is finished, or, under a
//! folder published whole (`publish::Staging`), all synced at once before the
//! folder is swapped in: there, syncing one by one only waits on the disk
//! twice per file for nothing (measured in BENCHMARKS.md, issue 26).

use anyhow::{Context, Result};
use std::fs::File;
use std::path::{Path, PathBuf};

/// The folders of this process whose files are synced later, together.
static STAGED: std::sync::Mutex<Vec<PathBuf>> = std::sync::Mutex::new(Vec::new());

/// Files written under `root` from now on are not synced one by one:
/// whoever called this syncs the folder with [`sync_tree`] before relying on
/// it (`publish::Staging`: before swapping the folder into place, and a run
/// killed first leaves only a staging folder, which the next run removes).
pub fn defer_under(root: &Path) {
    let mut staged = STAGED.lock().unwrap_or_else(|e| e.into_inner());
    if !staged.iter().any(|r| r == root) {
        staged.push(root.to_path_buf());
    }
}

/// Undo [`defer_under`].
pub fn end_deferred(root: &Path) {
    (STAGED.lock().unwrap_or_else(|e| e.into_inner())).retain(|r| r != root);
}

/// Whether files written at `path` are synced later ([`defer_under`]).
pub fn deferred(path: &Path) -> bool {
    let staged = STAGED.lock().unwrap_or_else(|e| e.into_inner());
    staged.iter().any(|root| path.starts_with(root))
}

/// Make a file just written durable, unless that is deferred ([`defer_under`]).
pub fn sync_file(file: &File, path: &Path) -> Result<()> {
    if deferred(path) {
        return Ok(());
    }
    file.sync_all()
        .with_context(|| format!("syncing {}", path.display()))
}

/// Make a folder's entries (a rename into it) durable, unless that is
/// deferred. Best effort, as a folder cannot be synced everywhere.
pub fn sync_dir(dir: &Path) {
    if deferred(dir) {
        return;
    }
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// Sync every file and folder under `root` (and `root`): several at once, as
/// each waits on the disk rather than the processor.
pub fn sync_tree(root: &Path) -> Result<()> {
    let mut all = vec![root.to_path_buf()];
    let mut i = 0;
    while i < all.len() {
        if all[i].is_dir() {
            let d = all[i].clone();
            for e in std::fs::read_dir(&d).with_context(|| format!("listing {}", d.display()))? {
                all.push(e?.path());
            }
        }
        i += 1;
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let sync = |p: &Path| -> Result<()> {
        let f = File::open(p).with_context(|| format!("opening {}", p.display()))?;
        match f.sync_all() {
            Ok(()) => Ok(()),
            // Some file systems cannot sync a folder; its files are synced.
            Err(_) if p.is_dir() => Ok(()),
            Err(e) => Err(e).with_context(|| format!("syncing {}", p.display())),
        }
    };
    std::thread::scope(|s| {
        let workers: Vec<_> = (0..SYNC_THREADS.min(all.len()))
            .map(|_| {
                s.spawn(|| -> Result<()> {
                    loop {
                        let k = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        let Some(p) = all.get(k) else { return Ok(()) };
                        sync(p)?;
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .try_for_each(|w| w.join().expect("a sync thread does not panic"))
    })
}

/// How many files [`sync_tree`] syncs at once.
const SYNC_THREADS: usize = 8;
