//! Publishing finished outputs atomically, and the lock that keeps two runs apart.
//!
//! A stage writes a whole output folder (a report, a day's lists) into a staging
//! folder next to its final place, then swaps it in with one `renameat2(…,
//! RENAME_EXCHANGE)`: a reader sees the old folder or the new one, never a
//! half-written one, and a run killed at any point leaves at most a staging folder
//! that the next run removes.

use crate::lake::create_private_dir;
use anyhow::{bail, Context, Result};
use std::fs::File;
use std::io::{Read, Seek, Write};
use std::path::{Path, PathBuf};

/// A folder being written, to be swapped into place by [`Staging::publish`].
#[derive(Debug)]
pub struct Staging {
    /// `<parent>/.staging-<name>`: removed after publishing.
    pub root: PathBuf,
    /// `<root>/<name>`: write the output here.
    pub dir: PathBuf,
    dest: PathBuf,
}

impl Staging {
    /// A fresh staging folder for `dest` (a leftover from a killed run is removed).
    pub fn new(dest: &Path) -> Result<Staging> {
        let parent = dest.parent().context("output folder has a parent")?;
        let name = dest
            .file_name()
            .and_then(|n| n.to_str())
            .context("output folder has a name")?;
        create_private_dir(parent)?;
        let root = parent.join(format!(".staging-{name}"));
        if root.exists() {
            std::fs::remove_dir_all(&root)
                .with_context(|| format!("removing leftover {}", root.display()))?;
        }
        let dir = root.join(name);
        create_private_dir(&dir)?;
        crate::lake::durable::defer_under(&root);
        Ok(Staging {
            root,
            dir,
            dest: dest.to_path_buf(),
        })
    }

    /// Swap the staged folder into place; the previous version is removed after.
    pub fn publish(self) -> Result<PathBuf> {
        // What was written inside is made durable here, all at once.
        crate::lake::durable::sync_tree(&self.root)?;
        crate::failpoint::hit("before-publish");
        if self.dest.exists() {
            exchange(&self.dir, &self.dest)?;
            crate::failpoint::hit("after-exchange");
        } else {
            std::fs::rename(&self.dir, &self.dest).with_context(|| {
                format!("renaming {} to {}", self.dir.display(), self.dest.display())
            })?;
        }
        std::fs::remove_dir_all(&self.root)
            .with_context(|| format!("removing {}", self.root.display()))?;
        crate::lake::durable::end_deferred(&self.root);
        if let Some(parent) = self.dest.parent() {
            if let Ok(d) = File::open(parent) {
                let _ = d.sync_all();
            }
        }
        Ok(self.dest)
    }
}

/// Atomically exchange two paths (Linux `renameat2` with `RENAME_EXCHANGE`).
#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let ca = CString::new(a.as_os_str().as_bytes())?;
    let cb = CString::new(b.as_os_str().as_bytes())?;
    // SAFETY: both are valid NUL-terminated paths; AT_FDCWD resolves them as given.
    let rc = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            ca.as_ptr(),
            libc::AT_FDCWD,
            cb.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if rc != 0 {
        let err = std::io::Error::last_os_error();
        return Err(err).with_context(|| format!("swapping {} into {}", a.display(), b.display()));
    }
    Ok(())
}

/// Elsewhere: move the old folder aside, then rename (a short window without it).
#[cfg(not(target_os = "linux"))]
fn exchange(a: &Path, b: &Path) -> Result<()> {
    let aside = b.with_extension("old");
    std::fs::rename(b, &aside)?;
    std::fs::rename(a, b)?;
    std::fs::rename(&aside, a)?;
    Ok(())
}

/// Held while a run writes outputs; released when dropped or when the process dies.
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

impl RunLock {
    /// Take the lock in `runs_dir`, or fail naming the run that holds it.
    pub fn acquire(runs_dir: &Path, command: &str) -> Result<RunLock> {
        create_private_dir(runs_dir)?;
        let path = runs_dir.join("followup.lock");
        let mut file = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .with_context(|| format!("opening the lock file {}", path.display()))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => {
                let mut holder = String::new();
                let _ = file.read_to_string(&mut holder);
                let holder = holder.trim();
                bail!(
                    "another followup run is writing outputs ({}); wait for it to finish, or if no such process is running, try again (the lock is released when that process ends) — lock file {}",
                    if holder.is_empty() { "holder unknown" } else { holder },
                    path.display()
                );
            }
            Err(std::fs::TryLockError::Error(e)) => {
                return Err(e).with_context(|| format!("locking {}", path.display()))
            }
        }
        file.set_len(0)?;
        file.rewind()?;
        write!(
            file,
            "`followup {command}`, pid {}, started {}",
            std::process::id(),
            chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ")
        )?;
        file.flush()?;
        Ok(RunLock { _file: file })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_in_a_staging_folder_are_synced_when_it_is_published() {
        let tmp = tempfile::tempdir().unwrap();
        let dest = tmp.path().join("out").join("2026-W47");
        let staging = Staging::new(&dest).unwrap();
        let inside = staging.dir.join("metrics").join("by_week.csv");
        crate::lake::write_bytes_atomic(&inside, b"week,n\n").unwrap();
        // Deferred to the publish: inside the staging folder, not beside it.
        assert!(crate::lake::durable::deferred(&inside));
        assert!(crate::lake::durable::deferred(&staging.dir));
        assert!(!crate::lake::durable::deferred(
            &tmp.path().join("out").join("other")
        ));
        assert!(!crate::lake::durable::deferred(&dest));
        let done = staging.publish().unwrap();
        assert_eq!(done, dest);
        assert_eq!(
            std::fs::read(dest.join("metrics").join("by_week.csv")).unwrap(),
            b"week,n\n"
        );
        // Published: the same path no longer counts as staged.
        let again = Staging::new(&dest).unwrap();
        let root = again.root.clone();
        assert!(crate::lake::durable::deferred(&root.join("x")));
        again.publish().unwrap();
        assert!(!crate::lake::durable::deferred(&root.join("x")));
        assert!(!root.exists());
    }
}
