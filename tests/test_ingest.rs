//! `followup ingest` on small fixtures: counts, quarantine, idempotency, versions.

mod workdir;

use workdir::{assert_same, Workdir};

fn totals_line(stderr: &str) -> String {
    stderr
        .lines()
        .find(|l| l.trim_start().starts_with("total"))
        .unwrap_or_else(|| panic!("no total line in\n{stderr}"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[test]
fn mini_fixture_counts_balance_and_match_the_readme() {
    let wd = Workdir::fixture("mini");
    let run = wd.run(&["ingest"]);
    assert_eq!(
        totals_line(&run.stderr),
        "total read 20 stored 14 quarantined 5 duplicates 1",
        "{run}"
    );
    // Each broken row is named by file, line and column, without its value.
    for expected in [
        "p001/calls_2026-11-02.csv line 5, column `From`: not a phone number",
        "p001/calls_2026-11-02.csv line 6, column `Result`: unmapped value for outcome",
        "p001/tasks_2026-11-02.csv line 4, column `Created`: unparsable timestamp",
        "p001/tasks_2026-11-02.csv line 5, column `Task ID`: missing required value for task_id",
        "p001/tasks_2026-11-02.csv line 6, column `Status`: unmapped value for status",
    ] {
        assert!(run.stderr.contains(expected), "missing `{expected}`\n{run}");
    }
    for phi in ["Doe", "Jane", "617", "MRN00", "Pending??", "2026-13-45"] {
        assert!(!run.stderr.contains(phi), "stderr leaks `{phi}`\n{run}");
    }
    // The quarantine keeps the raw value and the whole record.
    let q = wd.read("quarantine/p001/tasks_2026-11-02.csv.quarantine.csv");
    assert!(
        q.starts_with("source_file,line,column,raw_value,reason,raw_record\n"),
        "{q}"
    );
    assert!(
        q.contains("p001/tasks_2026-11-02.csv,4,Created,2026-13-45 25:00,"),
        "{q}"
    );
    assert!(q.contains("Pending??"), "{q}");
    assert_eq!(q.lines().count(), 4, "{q}");
    // The ledger records per-file counts.
    let ledger = wd.ledger();
    assert!(
        ledger["files"].get("p001/tasks_2026-11-03.csv").is_some(),
        "{ledger}"
    );
    // Kept per practice folder.
    assert!(wd
        .read("lake/_ingest/ledger/p001.json")
        .contains("\"p001/tasks_2026-11-03.csv\""));
}

#[test]
fn second_ingest_changes_nothing() {
    let wd = Workdir::fixture("mini");
    wd.run(&["ingest"]);
    let lake = wd.snapshot("lake");
    let quarantine = wd.snapshot("quarantine");
    assert!(lake.iter().any(|(p, _)| p.ends_with("data.parquet")));
    let run = wd.run(&["ingest"]);
    assert!(
        run.stderr.contains("0 file(s) ingested, 6 unchanged"),
        "{run}"
    );
    assert_same(&wd.snapshot("lake"), &lake, "lake after a second run");
    assert_same(
        &wd.snapshot("quarantine"),
        &quarantine,
        "quarantine after a second run",
    );
    // Even forgetting the ledger, re-reading every file stores nothing new.
    std::fs::remove_dir_all(wd.path("lake/_ingest/ledger")).unwrap();
    let run = wd.run(&["ingest"]);
    assert_eq!(
        totals_line(&run.stderr),
        "total read 20 stored 0 quarantined 5 duplicates 15",
        "{run}"
    );
    // The tables are byte-identical; only the ledger's counts say what this run saw.
    let tables = |s: Vec<(String, Vec<u8>)>| {
        s.into_iter()
            .filter(|(p, _)| !p.starts_with("_ingest"))
            .collect::<Vec<_>>()
    };
    assert_same(
        &tables(wd.snapshot("lake")),
        &tables(lake),
        "tables after re-reading every export",
    );
}

#[test]
fn lake_layout_is_hive_partitioned_and_owner_only() {
    let wd = Workdir::fixture("mini");
    wd.run(&["ingest"]);
    let files: Vec<String> = wd.snapshot("lake").into_iter().map(|(p, _)| p).collect();
    for expected in [
        "calls/practice_id=p001/month=2026-11/data.parquet",
        "tasks/practice_id=p001/month=2026-11/data.parquet",
        "attempts/practice_id=p001/month=2026-11/data.parquet",
        "appointments/practice_id=p001/month=2026-10/data.parquet",
        "appointments/practice_id=p001/month=2026-11/data.parquet",
        "contacts/practice_id=p001/data.parquet",
        "callers/practice_id=p001/data.parquet",
    ] {
        assert!(
            files.iter().any(|f| f == expected),
            "missing {expected} in {files:?}"
        );
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        for t in ["contacts", "callers"] {
            let path = wd.path(&format!("lake/{t}/practice_id=p001/data.parquet"));
            let mode = std::fs::metadata(path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600, "{t}");
        }
    }
}

#[test]
fn corrected_reexport_replaces_by_key_and_older_versions_lose() {
    let wd = Workdir::fixture("mini");
    wd.run(&["ingest"]);
    // A corrected re-export of T-6: status completed, a later Last Updated.
    let header = wd
        .read("exports/p001/tasks_2026-11-03.csv")
        .lines()
        .next()
        .unwrap()
        .to_string();
    wd.write(
        "exports/p001/tasks_2026-11-04.csv",
        format!("{header}\nT-6,p001,MRN006,\"Noe, Nia\",617-555-0133,New Patient Request,2026-11-03 14:05,,amartin,Front Desk,Routine,Completed,2026-11-04 09:00,2026-11-04 09:00,,,,2026-11-04 09:00:00\nT-1,p001,MRN001,\"Doe, Jane\",617-555-0142,Missed Call,2026-11-02 08:06,,amartin,Front Desk,Routine,Open,2026-11-02 08:06,,,,,2026-11-02 08:06:00\n"),
    );
    let run = wd.run(&["ingest"]);
    assert_eq!(
        totals_line(&run.stderr),
        "total read 2 stored 1 quarantined 0 duplicates 1",
        "{run}"
    );
    let q = wd.run(&[
        "query",
        "--format",
        "csv",
        "SELECT task_id, status FROM tasks ORDER BY task_id",
    ]);
    assert_eq!(
        q.stdout, "task_id,status\nT-1,scheduled\nT-2,left_message\nT-6,completed\n",
        "{q}"
    );
}

#[test]
fn whole_file_problems_are_reported_and_other_files_still_ingest() {
    let wd = Workdir::fixture("mini");
    wd.write("exports/p001/calls_2026-11-09.csv", b"");
    wd.write("exports/p001/calls_2026-11-10.csv", b"\xFF\xFEC\0a\0l\0l\0");
    wd.write("exports/p001/fax_2026-11-02.pdf", b"%PDF-1.4");
    // A header without a column the profile reads: every row is quarantined, naming it.
    wd.write(
        "exports/p001/activity_2026-11-09.csv",
        "Activity ID,Task ID,Practice,Date/Time,Type,Direction,Result,User,Callback Date\nX-9,T-1,p001,2026-11-09 09:00:00,Phone Call,Outgoing,NA,amartin,\n",
    );
    let run = wd.run(&["ingest"]);
    assert!(
        run.stderr
            .contains("p001/calls_2026-11-09.csv: file is empty"),
        "{run}"
    );
    assert!(
        run.stderr
            .contains("p001/calls_2026-11-10.csv: file is UTF-16"),
        "{run}"
    );
    assert!(
        run.stderr
            .contains("p001/fax_2026-11-02.pdf: matches no source profile"),
        "{run}"
    );
    assert!(
        run.stderr.contains(
            "p001/activity_2026-11-09.csv line 2, column `Note`: the file has no column `Note`"
        ),
        "{run}"
    );
    assert_eq!(
        totals_line(&run.stderr),
        "total read 21 stored 14 quarantined 6 duplicates 1",
        "{run}"
    );
    // The unreadable file is kept whole in quarantine.
    assert!(wd.path("quarantine/p001/calls_2026-11-10.csv").exists());
    // --strict turns any of this into exit 1.
    std::fs::remove_dir_all(wd.path("lake")).unwrap();
    wd.run_code(&["ingest", "--strict"], 1);
}

#[test]
fn unknown_columns_are_named_once() {
    let wd = Workdir::fixture("mini");
    let text = wd.read("exports/p001/activity_2026-11-02.csv").replacen(
        "Callback Date",
        "Callback Date,Mood",
        1,
    );
    let text = text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            if i == 0 {
                l.to_string()
            } else {
                format!("{l},calm")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
        + "\n"; // a last row without its line end would be taken for a cut file
    wd.write("exports/p001/activity_2026-11-02.csv", text);
    let run = wd.run(&["ingest"]);
    assert!(
        run.stderr.contains("unknown column `Mood` is not read"),
        "{run}"
    );
    assert_eq!(
        totals_line(&run.stderr),
        "total read 20 stored 14 quarantined 5 duplicates 1",
        "{run}"
    );
}

#[test]
fn missing_key_is_a_configuration_error() {
    let wd = Workdir::fixture("mini");
    let cfg = wd
        .read("followup.toml")
        .replace("demo_key = true", "demo_key = false");
    wd.write("followup.toml", cfg);
    let run = wd.run_code(&["ingest"], 2);
    assert!(run.stderr.contains("FOLLOWUP_HASH_KEY"), "{run}");
    let ok = wd
        .command(&["ingest"])
        .env("FOLLOWUP_HASH_KEY", "a-real-secret-of-enough-length")
        .output()
        .unwrap();
    assert!(ok.status.success());
}
