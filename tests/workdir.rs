//! A throw-away work directory that runs the real `followup` binary (after xsv's tests/workdir.rs).

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub struct Workdir {
    _tmp: tempfile::TempDir,
    pub dir: PathBuf,
}

/// The repository root (where followup.toml and sample_data/ live).
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

impl Workdir {
    pub fn new() -> Workdir {
        let tmp = tempfile::Builder::new()
            .prefix("followup-test-")
            .tempdir()
            .unwrap();
        let dir = tmp.path().to_path_buf();
        Workdir { _tmp: tmp, dir }
    }

    /// A work directory holding a copy of `tests/fixtures/<name>`.
    pub fn fixture(name: &str) -> Workdir {
        let wd = Workdir::new();
        copy_dir(&repo().join("tests/fixtures").join(name), &wd.dir);
        wd
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.join(rel)
    }

    pub fn write(&self, rel: &str, bytes: impl AsRef<[u8]>) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, bytes).unwrap();
    }

    pub fn read(&self, rel: &str) -> String {
        std::fs::read_to_string(self.path(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
    }

    /// The ingest ledger, its shards merged: `{"files": {path: entry}}`.
    pub fn ledger(&self) -> serde_json::Value {
        let mut files = serde_json::Map::new();
        let mut shards = vec![self.path("lake/_ingest/ledger.json")];
        if let Ok(rd) = std::fs::read_dir(self.path("lake/_ingest/ledger")) {
            shards.extend(rd.map(|e| e.unwrap().path()));
        }
        for p in shards {
            let Ok(text) = std::fs::read_to_string(&p) else {
                continue;
            };
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            files.extend(v["files"].as_object().unwrap().clone());
        }
        serde_json::json!({ "files": files })
    }

    pub fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_followup"));
        cmd.current_dir(&self.dir)
            .args(args)
            .env_remove("FOLLOWUP_HASH_KEY")
            .env_remove("FOLLOWUP_CONFIG")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Run and return the output, whatever the status.
    pub fn output(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Run, assert success, return stdout; on failure print everything.
    pub fn run(&self, args: &[&str]) -> Run {
        let out = self.output(args);
        let run = Run::from(args, out);
        if run.code != 0 {
            panic!("expected success\n{run}");
        }
        run
    }

    /// Run, assert the given exit code.
    pub fn run_code(&self, args: &[&str], code: i32) -> Run {
        let run = Run::from(args, self.output(args));
        if run.code != code {
            panic!("expected exit code {code}\n{run}");
        }
        run
    }

    /// Every file below `rel` with its bytes, sorted by path (for byte-identity checks).
    pub fn snapshot(&self, rel: &str) -> Vec<(String, Vec<u8>)> {
        let mut out = Vec::new();
        walk(&self.path(rel), &self.path(rel), &mut out);
        out.sort();
        out
    }
}

/// Assert two snapshots hold the same files with the same bytes; name the differences.
pub fn assert_same(a: &[(String, Vec<u8>)], b: &[(String, Vec<u8>)], what: &str) {
    let names = |s: &[(String, Vec<u8>)]| s.iter().map(|(p, _)| p.clone()).collect::<Vec<_>>();
    assert_eq!(names(a), names(b), "{what}: different files");
    let differing: Vec<&String> = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x.1 != y.1)
        .map(|(x, _)| &x.0)
        .collect();
    assert!(
        differing.is_empty(),
        "{what}: bytes differ in {differing:?}"
    );
}

pub struct Run {
    pub args: Vec<String>,
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    fn from(args: &[&str], out: Output) -> Run {
        Run {
            args: args.iter().map(|s| s.to_string()).collect(),
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "command: followup {}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        )
    }
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap() {
        let e = e.unwrap();
        let dest = to.join(e.file_name());
        if e.file_type().unwrap().is_dir() {
            copy_dir(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).unwrap();
        }
    }
}

fn walk(root: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd {
        let e = e.unwrap();
        // The cache of export stamps differs with every copy of the exports.
        if e.file_name() == ".stamps.tsv" {
            continue;
        }
        if e.file_type().unwrap().is_dir() {
            walk(root, &e.path(), out);
        } else {
            let rel = e
                .path()
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .into_owned();
            out.push((rel, std::fs::read(e.path()).unwrap()));
        }
    }
}

/// Rows of a CSV (a leading byte-order mark skipped) as maps from column name
/// to value.
pub fn csv_rows(text: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    let text = text.trim_start_matches('\u{feff}');
    let mut r = csv::Reader::from_reader(text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    r.records()
        .map(|rec| {
            header
                .iter()
                .cloned()
                .zip(rec.unwrap().iter().map(str::to_string))
                .collect()
        })
        .collect()
}
