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
    assert!(
        run.stderr.contains("`contacts` is the restricted table"),
        "{run}"
    );
    assert!(run.stderr.contains("add --restricted"), "{run}");
    assert_eq!(run.stderr.lines().count(), 1, "{run}");
    let run = wd.run(&[
        "query",
        "--restricted",
        "--format",
        "csv",
        "SELECT display_name, phone, do_not_call, length(patient_key) AS k FROM contacts ORDER BY display_name",
    ]);
    assert_eq!(run.stdout, "display_name,phone,do_not_call,k\nJane Doe,+16175550142,false,32\nRick Roe,+16175550177,true,32\n", "{run}");
    // The callers table (numbers the call log saw) is restricted too: one row per
    // number, the latest call's start; the withheld and the unparsable have none.
    let run = wd.run_code(&["query", "SELECT * FROM callers"], 2);
    assert!(
        run.stderr.contains("`callers` is a restricted table"),
        "{run}"
    );
    let run = wd.run(&[
        "query",
        "--restricted",
        "--format",
        "csv",
        "SELECT c.phone, c.updated_at, c.phone_key = k.phone_key AS same FROM callers c LEFT JOIN contacts k ON c.phone_key = k.phone_key",
    ]);
    assert_eq!(
        run.stdout, "phone,updated_at,same\n+16175550142,2026-11-02T13:20:00.000000,true\n",
        "{run}"
    );
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
    // polars' Python hint and resolved plan are left out; the fix is ours.
    let run = wd.run_code(&["query", "SELECT 1, 2"], 2);
    assert_eq!(run.stderr.lines().count(), 1, "{run}");
    assert!(run.stderr.contains("with AS"), "{run}");
    let run = wd.run_code(&["query", "SELECT * FROM taks"], 2);
    assert!(run.stderr.contains("no table `taks`"), "{run}");
    assert!(run.stderr.contains("followup query --tables"), "{run}");
    let run = wd.run_code(&["query", "--file", "missing.sql"], 2);
    assert!(run.stderr.contains("missing.sql: no such file"), "{run}");
}

#[test]
fn columns_are_named_as_written_rows_sorted_and_the_table_is_clean() {
    let wd = Workdir::fixture("mini");
    wd.run(&["ingest"]);
    let sql = "select category, count(*) from tasks group by 1";
    let run = wd.run(&["query", sql]);
    let lines: Vec<&str> = run.stdout.lines().collect();
    // Header, rule, one row per category, sorted by category without ORDER BY.
    assert_eq!(lines[0], "category             count(*)", "{run}");
    assert!(lines[1].starts_with("────"), "{run}");
    assert_eq!(
        &lines[2..],
        &[
            "missed_call                 1",
            "new_patient_request         2",
        ],
        "{run}"
    );
    for chrome in ["shape:", "str", "u32", "┌", "len"] {
        assert!(!run.stdout.contains(chrome), "`{chrome}` in\n{run}");
    }
    // The same bytes on every run.
    for _ in 0..3 {
        assert_eq!(wd.run(&["query", sql]).stdout, run.stdout);
    }
    let csv = wd.run(&["query", "--format", "csv", sql]);
    assert!(csv.stdout.starts_with("category,count(*)\n"), "{csv}");
    // An ORDER BY is kept as written.
    let desc = wd.run(&[
        "query",
        "--format",
        "csv",
        "SELECT category FROM tasks ORDER BY category DESC",
    ]);
    assert_eq!(
        desc.stdout, "category\nnew_patient_request\nnew_patient_request\nmissed_call\n",
        "{desc}"
    );
}

#[test]
fn jsonl_and_parquet_out() {
    let wd = Workdir::fixture("mini");
    wd.run(&["ingest"]);
    let sql = "SELECT call_id, duration_s, outcome = 'missed' AS missed, started_at FROM calls";
    let run = wd.run(&["query", "--format", "jsonl", sql]);
    let first = run.stdout.lines().next().unwrap();
    let v: serde_json::Value = serde_json::from_str(first).unwrap();
    assert!(v["call_id"].is_string(), "{run}");
    assert!(v["missed"].is_boolean(), "{run}");
    assert!(
        v["started_at"].as_str().unwrap().ends_with('Z'),
        "instants in RFC 3339 UTC\n{run}"
    );
    assert_eq!(run.stdout.lines().count(), 3, "{run}");
    for line in run.stdout.lines() {
        serde_json::from_str::<serde_json::Value>(line).unwrap();
    }

    // Parquet needs a file; the format follows the extension.
    let run = wd.run_code(&["query", "--format", "parquet", sql], 2);
    assert!(run.stderr.contains("--out"), "{run}");
    wd.run(&["query", sql, "--out", "out/calls.parquet"]);
    use polars::prelude::SerReader;
    let df = polars::prelude::ParquetReader::new(
        std::fs::File::open(wd.path("out/calls.parquet")).unwrap(),
    )
    .finish()
    .unwrap();
    assert_eq!(df.shape(), (3, 4));
    wd.run(&["query", sql, "--out", "out/calls.csv"]);
    assert!(wd
        .read("out/calls.csv")
        .starts_with("call_id,duration_s,missed,started_at\n"));
    let run = wd.run_code(&["query", sql, "--out", "out/calls.xyz"], 2);
    assert!(run.stderr.contains("--format"), "{run}");
}

#[test]
fn metrics_tables_of_the_latest_run_are_relations() {
    let wd = Workdir::fixture("mini");
    wd.run(&["ingest"]);
    // Before any metrics run: a metrics table says what to run.
    let run = wd.run_code(&["query", "SELECT * FROM task_facts"], 2);
    assert!(run.stderr.contains("followup metrics"), "{run}");
    let listing = wd.run(&["query", "--tables", "--format", "csv"]);
    assert!(
        listing.stdout.starts_with("table,from,columns\n"),
        "{listing}"
    );
    assert!(listing.stdout.contains("\ntasks,lake,"), "{listing}");
    assert!(!listing.stdout.contains("task_facts"), "{listing}");
    assert!(
        listing
            .stdout
            .contains("contacts,lake (restricted: add --restricted),"),
        "{listing}"
    );
    assert!(
        listing
            .stdout
            .contains("callers,lake (restricted: add --restricted),"),
        "{listing}"
    );

    let queries = workdir::repo().join("queries");
    wd.run(&["metrics", "--queries", queries.to_str().unwrap()]);
    let listing = wd.run(&["query", "--tables"]);
    for t in [
        "task_facts",
        "missed_calls",
        "by_category",
        "backlog_daily",
        "afternoon_slip",
        "owner_backlog",
        "unlogged_missed_calls",
    ] {
        assert!(
            listing
                .stdout
                .lines()
                .any(|l| l.starts_with(&format!("{t} "))),
            "`{t}` not listed\n{listing}"
        );
    }
    let run = wd.run(&[
        "query",
        "--format",
        "csv",
        "SELECT category, count(*) FROM task_facts GROUP BY category",
    ]);
    assert!(run.stdout.starts_with("category,count(*)\n"), "{run}");
    assert!(run.stdout.contains("\nmissed_call,"), "{run}");
    // A metrics table joins a lake table.
    wd.run(&[
        "query",
        "SELECT f.task_id, t.status FROM task_facts f JOIN tasks t ON f.task_id = t.task_id",
    ]);
}
