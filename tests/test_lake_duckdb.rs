//! The lake is readable as-is by DuckDB with hive partitioning.
//!
//! Uses the `duckdb` Python package: the system's if importable, otherwise one
//! installed from PyPI into a virtualenv under the cargo target folder (once).

mod workdir;

use std::path::PathBuf;
use std::process::Command;
use workdir::Workdir;

/// DuckDB's pinned version for the test virtualenv.
const DUCKDB: &str = "duckdb==2.0.0";

fn python_with_duckdb() -> PathBuf {
    let system = PathBuf::from("python3");
    let ok = |py: &PathBuf| {
        Command::new(py)
            .args(["-c", "import duckdb"])
            .output()
            .is_ok_and(|o| o.status.success())
    };
    if ok(&system) {
        return system;
    }
    let venv = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("duckdb-venv");
    let py = venv.join("bin/python");
    if ok(&py) {
        return py;
    }
    let status = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("python3 is needed for the DuckDB test");
    assert!(status.success(), "python3 -m venv failed");
    let out = Command::new(&py)
        .args(["-m", "pip", "install", "--quiet", DUCKDB])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "pip install {DUCKDB} failed (the DuckDB test needs PyPI once):\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    py
}

#[test]
fn duckdb_reads_the_lake_with_hive_partitioning() {
    let wd = Workdir::fixture("mini");
    wd.run(&["ingest"]);
    let script = r#"
import duckdb, sys
lake = sys.argv[1]
con = duckdb.connect()
out = []
for t in ["calls", "tasks", "attempts", "appointments", "contacts"]:
    n = con.sql(f"SELECT count(*) FROM read_parquet('{lake}/{t}/**/*.parquet', hive_partitioning = true, hive_types = {{'practice_id': VARCHAR}})").fetchall()[0][0]
    out.append(f"{t}={n}")
cols = con.sql(f"DESCRIBE SELECT * FROM read_parquet('{lake}/tasks/**/*.parquet', hive_partitioning = true)").fetchall()
types = {c[0]: c[1] for c in cols}
out.append("created_at=" + types["created_at"])
out.append("month=" + types["month"])
row = con.sql(f"SELECT task_id, status, practice_id FROM read_parquet('{lake}/tasks/**/*.parquet', hive_partitioning = true) ORDER BY task_id LIMIT 1").fetchall()[0]
out.append("first=" + ",".join(row))
print(" ".join(out))
"#;
    let out = Command::new(python_with_duckdb())
        .args(["-c", script])
        .arg(wd.path("lake"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "duckdb failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.trim(),
        "calls=3 tasks=3 attempts=3 appointments=2 contacts=2 created_at=TIMESTAMP WITH TIME ZONE month=VARCHAR first=T-1,scheduled,p001"
    );
}
