//! `followup query`: polars SQL over the lake.

mod workdir;

use workdir::Workdir;

#[test]
fn query_prints_csv_and_tables() {
    let wd = Workdir::fixture("mini");
    wd.run(&["ingest"]);
    let run = wd.run(&[
        "query",
        "--format",
        "csv",
        "SELECT practice_id, outcome, count(*) AS n FROM calls GROUP BY practice_id, outcome ORDER BY outcome",
    ]);
    assert_eq!(
        run.stdout, "practice_id,outcome,n\np001,connected,1\np001,missed,1\np001,voicemail,1\n",
        "{run}"
    );
    let run = wd.run(&[
        "query",
        "SELECT count(*) AS n FROM attempts WHERE channel IS NULL",
    ]);
    assert!(
        run.stdout.contains("│ 1   │") || run.stdout.contains("1"),
        "{run}"
    );
}

#[test]
fn contacts_need_restricted_and_keys_are_hashed() {
    let wd = Workdir::fixture("mini");
    wd.run(&["ingest"]);
    let run = wd.run_code(&["query", "SELECT * FROM contacts"], 2);
    assert!(run.stderr.contains("contacts"), "{run}");
    let run = wd.run(&[
        "query",
        "--restricted",
        "--format",
        "csv",
        "SELECT display_name, phone, do_not_call, length(patient_key) AS k FROM contacts ORDER BY display_name",
    ]);
    assert_eq!(run.stdout, "display_name,phone,do_not_call,k\nJane Doe,+16175550142,false,32\nRick Roe,+16175550177,true,32\n", "{run}");
    // No name or MRN reaches the tasks table.
    let run = wd.run(&["query", "--format", "csv", "SELECT * FROM tasks"]);
    for phi in ["Jane", "Doe", "MRN00", "555-01"] {
        assert!(!run.stdout.contains(phi), "tasks leak `{phi}`\n{run}");
    }
}

#[test]
fn bad_sql_is_a_usage_error() {
    let wd = Workdir::fixture("mini");
    wd.run(&["ingest"]);
    let run = wd.run_code(&["query", "SELEC nothing"], 2);
    assert!(run.stderr.contains("SQL error"), "{run}");
    let run = wd.run_code(&["query", "--file", "missing.sql"], 2);
    assert!(run.stderr.contains("missing.sql: no such file"), "{run}");
}
