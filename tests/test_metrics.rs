//! `followup metrics` against the hand-computed `metrics` fixture (see its README),
//! query snapshots, fail-fast validation, determinism, and aggregates against a
//! naive recomputation from task_facts.

mod workdir;

use std::collections::BTreeMap;
use workdir::{assert_same, Workdir};

const RANGE: [&str; 5] = ["metrics", "--from", "2026-10-26", "--to", "2026-11-13"];

/// Rows of a CSV as maps from column name to value.
fn rows(text: &str) -> Vec<BTreeMap<String, String>> {
    workdir::csv_rows(text)
}

fn by_key(
    rows: Vec<BTreeMap<String, String>>,
    key: &str,
) -> BTreeMap<String, BTreeMap<String, String>> {
    rows.into_iter().map(|r| (r[key].clone(), r)).collect()
}

fn fixture() -> Workdir {
    let wd = Workdir::fixture("metrics");
    wd.run(&["ingest"]);
    let queries = workdir::repo().join("queries");
    let mut args = RANGE.to_vec();
    args.extend(["--out", "out", "--queries", queries.to_str().unwrap()]);
    wd.run(&args);
    wd
}

#[test]
fn task_facts_match_the_hand_computed_fixture() {
    let wd = fixture();
    let facts = by_key(rows(&wd.read("out/task_facts.csv")), "task_id");
    assert_eq!(facts.len(), 7);
    let expect = |task: &str, col: &str, value: &str| {
        assert_eq!(facts[task][col], value, "{task}.{col}");
    };
    // Across DST and a weekend.
    expect("T-A", "minutes_to_first_attempt", "25.0000");
    expect("T-A", "deadline_at", "2026-11-02T13:20:00Z");
    expect("T-A", "met_target", "true");
    expect("T-A", "minutes_to_completion", "26.0000");
    expect("T-A", "appointment_status", "noshow");
    expect("T-A", "kept", "false");
    // After hours: the clock starts at the next opening.
    expect("T-B", "clock_start_at", "2026-11-09T13:00:00Z");
    expect("T-B", "minutes_to_first_attempt", "45.0000");
    expect("T-B", "met_target", "false");
    expect("T-B", "left_message", "true");
    // Never attempted, due across a holiday.
    expect("T-C", "deadline_at", "2026-11-12T22:00:00Z");
    expect("T-C", "first_attempt_at", "");
    expect("T-C", "met_target", "false");
    expect("T-C", "attempts", "0");
    expect("T-C", "barrier", "insurance_authorization");
    // Attempted only through the call log.
    expect("T-D", "first_attempt_source", "call_log");
    expect("T-D", "minutes_to_first_attempt", "20.0000");
    expect("T-D", "reached", "true");
    expect("T-D", "kept", "true");
    // A tie at the same minute.
    expect("T-E", "first_attempt_at", "2026-11-02T15:10:00Z");
    expect("T-E", "first_attempt_source", "attempt");
    // Attempt discipline and documentation.
    expect("T-F", "attempts", "3");
    expect("T-F", "early_attempt", "true");
    expect("T-F", "final_channel_ok", "false");
    expect("T-F", "closed_unable_early", "false");
    expect("T-F", "minutes_to_completion", "845.0000");
    expect("T-F", "notes_poor", "1");
    expect("T-F", "notes_partial", "1");
    expect("T-F", "notes_complete", "1");
    expect("T-G", "closed_unable_early", "true");
    expect("T-G", "unowned", "true");
    expect("T-G", "reached", "false");
    expect("T-A", "iso_week", "2026-W44");
    expect("T-A", "created_weekday", "5");
    expect("T-A", "created_hour", "16");
}

#[test]
fn aggregates_missed_calls_recovery_and_backlog() {
    let wd = fixture();
    let cat = by_key(rows(&wd.read("out/by_category.csv")), "category");
    let npr = &cat["new_patient_request"];
    // Times from the curve (docs/METRICS.md, "speed-to-patient"): first
    // attempts after 5, 20, 25 and 45 minutes, all four attempted: S = 0.75,
    // 0.5, 0.25, 0, so the median is 20 and the p90 45 (the interpolated
    // median and p90 of the four were 22.5 and 39).
    for (col, v) in [
        ("tasks", "4"),
        ("median_minutes_to_first_attempt", "20.0000"),
        ("p90_minutes_to_first_attempt", "45.0000"),
        ("within_target_share", "0.7500"),
        ("contact_rate", "0.2500"),
        ("completion_rate", "0.7500"),
        ("booking_rate", "0.2500"),
        ("kept_rate", "1.0000"),
        ("attempts_per_task", "1.5000"),
        ("closed_unable_early", "1"),
        ("early_attempts", "1"),
        ("final_channel_misses", "1"),
        ("notes_poor_share", "0.4000"),
        ("unowned", "1"),
    ] {
        assert_eq!(npr[col], v, "new_patient_request.{col}");
    }
    // Attempted after 10 and 25: S = 0.5 at 10.
    assert_eq!(
        cat["missed_call"]["median_minutes_to_first_attempt"],
        "10.0000"
    );
    // Completion: closed after 25, 30 and 845 minutes, T-B still open after
    // 1920 (censored): S = 0.75 at 25, 0.5 at 30.
    assert_eq!(npr["median_minutes_to_completion"], "30.0000");
    assert_eq!(cat["referral"]["attempted"], "0");

    let missed = by_key(rows(&wd.read("out/missed_calls.csv")), "first_call_id");
    assert_eq!(missed.len(), 2);
    let m = &missed["C-10"];
    assert_eq!(
        (m["missed_count"].as_str(), m["return_kind"].as_str()),
        ("2", "patient_called_back")
    );
    assert_eq!(
        (m["minutes_to_return"].as_str(), m["within_target"].as_str()),
        ("50.0000", "false")
    );
    assert_eq!(missed["C-14"]["unreturnable"], "true");
    // No task carries either number (the anonymous caller has none to carry).
    assert_eq!(missed["C-10"]["task_logged"], "false");
    assert_eq!(missed["C-14"]["task_logged"], "false");

    let rec = rows(&wd.read("out/recovery.csv"));
    assert_eq!(rec.len(), 1);
    assert_eq!(
        (
            rec[0]["kind"].as_str(),
            rec[0]["rebooked"].as_str(),
            rec[0]["days_to_rebook"].as_str()
        ),
        ("no_show", "true", "1.0417")
    );

    let backlog = rows(&wd.read("out/backlog_daily.csv"));
    let last: Vec<_> = backlog
        .iter()
        .filter(|r| r["date"] == "2026-11-13")
        .collect();
    let sum = |c: &str| {
        last.iter()
            .map(|r| r[c].parse::<i64>().unwrap())
            .sum::<i64>()
    };
    assert_eq!((sum("open"), sum("overdue")), (3, 1));
    // Veterans Day is not a business day: no backlog row for it.
    assert!(!backlog.iter().any(|r| r["date"] == "2026-11-11"));

    let summary: serde_json::Value = serde_json::from_str(&wd.read("out/summary.json")).unwrap();
    let h = summary["headlines"].as_array().unwrap();
    let get = |n: &str| {
        h.iter()
            .find(|x| x["name"] == n)
            .unwrap_or_else(|| panic!("{n}"))
    };
    assert_eq!(get("within_target_share")["value"], 0.7143);
    assert_eq!(
        get("within_target_share")["definition"],
        "share-within-target"
    );
    assert_eq!(get("backlog_overdue_at_last_close")["value"], 1.0);
}

/// Time to first attempt, contact and completion as Kaplan–Meier curves
/// (docs/METRICS.md, "time-to-event"), hand-computed on the fixture.
#[test]
fn survival_reads_median_and_p90_from_the_curve() {
    let wd = fixture();
    let surv = rows(&wd.read("out/survival.csv"));
    let get = |cat: &str, event: &str| {
        surv.iter()
            .find(|r| r["category"] == cat && r["event"] == event)
            .unwrap_or_else(|| panic!("{cat} {event}"))
            .clone()
    };
    let pick = |r: &BTreeMap<String, String>| {
        [
            "tasks",
            "events",
            "censored",
            "median_minutes",
            "p90_minutes",
        ]
        .map(|c| r[c].clone())
    };
    // new_patient_request: first attempts after 5, 20, 25 and 45 business
    // minutes, none censored → S = 0.75, 0.5, 0.25, 0: median 20 (not the
    // interpolated 22.5 of by_category), p90 45.
    assert_eq!(
        pick(&get("new_patient_request", "first_attempt")),
        ["4", "4", "0", "20.0000", "45.0000"]
    );
    // One contact (T-D at 20) of 4; the others censored (T-F at its closure,
    // 845; T-G at its closure, 30; T-B, still open, at as of) → S = 0.75 at
    // most: no median, no p90.
    assert_eq!(
        pick(&get("new_patient_request", "contact")),
        ["4", "1", "3", "", ""]
    );
    // Completed at 25, 30 and 845; T-B open → S = 0.75, 0.5, 0.25: median 30.
    assert_eq!(
        pick(&get("new_patient_request", "completion")),
        ["4", "3", "1", "30.0000", ""]
    );
    // The referral was never attempted and is open: censored, no median.
    assert_eq!(
        pick(&get("referral", "first_attempt")),
        ["1", "0", "1", "", ""]
    );
    // Every category together: the practice's tasks and attempted tasks.
    let practice = &rows(&wd.read("out/by_practice.csv"))[0];
    let all = get("all", "first_attempt");
    assert_eq!(all["tasks"], practice["tasks"]);
    assert_eq!(all["events"], practice["attempted"]);
    // Categories in byte order, then `all`; events in order.
    let order: Vec<(String, String)> = surv
        .iter()
        .map(|r| (r["category"].clone(), r["event"].clone()))
        .collect();
    assert_eq!(order.len(), 12);
    assert_eq!(order[0], ("missed_call".into(), "first_attempt".into()));
    assert_eq!(order[11], ("all".into(), "completion".into()));

    // The curve: one step per event time, S falling by events ÷ at risk.
    let curve: Vec<_> = rows(&wd.read("out/survival_curve.csv"))
        .into_iter()
        .filter(|r| r["category"] == "new_patient_request" && r["event"] == "completion")
        .map(|r| {
            [
                r["minutes"].clone(),
                r["at_risk"].clone(),
                r["events"].clone(),
                r["survival"].clone(),
            ]
        })
        .collect();
    assert_eq!(
        curve,
        [
            ["25.0000", "4", "1", "0.7500"],
            ["30.0000", "3", "1", "0.5000"],
            ["845.0000", "2", "1", "0.2500"],
        ]
        .map(|r| r.map(String::from))
    );
}

#[test]
fn queries_snapshots() {
    let wd = fixture();
    let dir = workdir::repo().join("queries");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "sql").then(|| p.file_stem().unwrap().to_string_lossy().into_owned())
        })
        .collect();
    names.sort();
    assert!(!names.is_empty());
    let snap_dir = workdir::repo().join("tests/snapshots/queries");
    let update = std::env::var_os("UPDATE_SNAPSHOTS").is_some();
    for name in names {
        let got = wd.read(&format!("out/{name}.csv"));
        let path = snap_dir.join(format!("{name}.csv"));
        if update {
            std::fs::create_dir_all(&snap_dir).unwrap();
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap_or_else(|_| {
            panic!(
                "no snapshot {}; run with UPDATE_SNAPSHOTS=1 and review it",
                path.display()
            )
        });
        assert_eq!(
            got, want,
            "queries/{name}.sql changed its output; if intended, UPDATE_SNAPSHOTS=1"
        );
    }
}

#[test]
fn a_bad_query_fails_fast_naming_the_file() {
    let wd = Workdir::fixture("metrics");
    wd.run(&["ingest"]);
    wd.write(
        "queries/broken.sql",
        "SELECT no_such_column FROM task_facts",
    );
    let mut args = RANGE.to_vec();
    args.extend(["--out", "out", "--queries", "queries"]);
    let run = wd.run_code(&args, 2);
    assert!(run.stderr.contains("broken.sql"), "{run}");
    assert!(run.stderr.contains("no_such_column"), "{run}");
    assert!(!wd.path("out").exists(), "wrote output before failing");
    wd.write("queries/broken.sql", "SELEC 1");
    let run = wd.run_code(&args, 2);
    assert!(run.stderr.contains("broken.sql"), "{run}");
}

#[test]
fn same_input_same_bytes_and_before_after() {
    let wd = fixture();
    let first = wd.snapshot("out");
    let queries = workdir::repo().join("queries");
    let mut args = RANGE.to_vec();
    args.extend(["--out", "out", "--queries", queries.to_str().unwrap()]);
    wd.run(&args);
    assert_same(
        &wd.snapshot("out"),
        &first,
        "metrics output on a second run",
    );

    let run = wd.run(&[
        "metrics",
        "--out",
        "cmp",
        "--from",
        "2026-10-26",
        "--to",
        "2026-11-13",
        "--before",
        "2026-10-26..2026-11-02",
        "--after",
        "2026-11-03..2026-11-13",
    ]);
    let cmp = by_key(
        rows(&wd.read("cmp/comparison.csv"))
            .into_iter()
            .filter(|r| r["category"].is_empty())
            .collect(),
        "metric",
    );
    // Before: T-A, T-D, T-E, T-F (all within target); after: T-B, T-C, T-G (1 of 3).
    assert_eq!(cmp["tasks"]["before"], "4.0000", "{run}");
    assert_eq!(cmp["tasks"]["after"], "3.0000");
    assert_eq!(cmp["within_target_share"]["before"], "1.0000");
    assert_eq!(cmp["within_target_share"]["after"], "0.3333");
    assert_eq!(cmp["within_target_share"]["change"], "-0.6667");

    // An after range not yet over by --as-of has no follow-up: refused, naming
    // the day it matures.
    let run = wd.run_code(
        &[
            "metrics",
            "--out",
            "early",
            "--before",
            "2026-10-26..2026-11-02",
            "--after",
            "2026-11-03..2026-11-13",
            "--as-of",
            "2026-11-10T12:00:00-05:00",
        ],
        2,
    );
    assert!(run.stderr.contains("matures on 2026-11-14"), "{run}");
}

/// On one generated sample (built once: the run is the cost): aggregates equal a
/// naive recomputation from task_facts, and a before/after comparison of two
/// weeks says "no detectable change" for every headline but the one that did change.
#[test]
fn generated_sample_aggregates_and_before_after() {
    let wd = generated_sample();
    aggregates_equal_naive_recomputation(&wd);
    before_after_on_two_weeks(&wd);
    pilot_review_on_two_weeks(&wd);
}

/// `report --pilot` renders the same comparison as one page.
fn pilot_review_on_two_weeks(wd: &Workdir) {
    wd.run(&[
        "report",
        "--pilot",
        "2026-11-09..2026-11-13",
        "2026-11-16..2026-11-20",
        "--out",
        "pilot",
        "-q",
    ]);
    let html = wd.read("pilot/pilot-2026-11-09-2026-11-20/pilot.html");
    assert!(html.contains("Pilot review: 2026-11-09..2026-11-13 vs 2026-11-16..2026-11-20"));
    assert!(html.contains("no detectable change"), "{html}");
    assert!(html.contains("equal"), "explains the equal follow-up");
    assert!(wd
        .path("pilot/pilot-2026-11-09-2026-11-20/pilot.md")
        .exists());
    assert!(!wd
        .path("pilot/.staging-pilot-2026-11-09-2026-11-20")
        .exists());
}

/// The sample `aggregates_equal_naive_recomputation` and `before_after_on_two_weeks`
/// read: 21 days from Mon 2026-11-02, ingested.
fn generated_sample() -> Workdir {
    let wd = Workdir::new();
    std::fs::copy(
        workdir::repo().join("followup.toml"),
        wd.path("followup.toml"),
    )
    .unwrap();
    wd.run(&[
        "sample",
        "--days",
        "21",
        "--start",
        "2026-11-02",
        "--seed",
        "7",
        "--out",
        "exports",
        "--no-mess",
    ]);
    let cfg = wd
        .read("followup.toml")
        .replace("exports = \"sample_data/exports\"", "exports = \"exports\"");
    wd.write("followup.toml", cfg);
    wd.run(&["ingest"]);
    wd
}

/// Aggregates equal a naive recomputation from task_facts, on generated data.
fn aggregates_equal_naive_recomputation(wd: &Workdir) {
    wd.run(&[
        "metrics",
        "--from",
        "2026-11-02",
        "--to",
        "2026-11-20",
        "--out",
        "out",
    ]);
    let facts = rows(&wd.read("out/task_facts.csv"));
    assert!(facts.len() > 100, "too few tasks to test: {}", facts.len());
    // Per category: tasks, due, within target, and (minutes, attempted) of
    // every task: attempted at its minutes, else censored at minutes_observed.
    type Naive = (usize, usize, usize, Vec<(f64, bool)>);
    let mut naive: BTreeMap<String, Naive> = BTreeMap::new();
    for f in &facts {
        let e = naive.entry(f["category"].clone()).or_default();
        e.0 += 1;
        if !f["met_target"].is_empty() {
            e.1 += 1;
            e.2 += (f["met_target"] == "true") as usize;
        }
        match f["minutes_to_first_attempt"].parse::<f64>() {
            Ok(m) => e.3.push((m.max(0.0), true)),
            Err(_) => e.3.push((f["minutes_observed"].parse().unwrap(), false)),
        }
    }
    let agg = by_key(rows(&wd.read("out/by_category.csv")), "category");
    assert_eq!(agg.len(), naive.len());
    for (cat, (n, due, within, pairs)) in naive {
        let a = &agg[&cat];
        assert_eq!(a["tasks"], n.to_string(), "{cat}");
        assert_eq!(a["due"], due.to_string(), "{cat}");
        assert_eq!(a["within_target"], within.to_string(), "{cat}");
        if due > 0 {
            let share: f64 = a["within_target_share"].parse().unwrap();
            assert!((share - within as f64 / due as f64).abs() < 1e-4, "{cat}");
        }
        // Kaplan–Meier as the definition reads: at each distinct time with
        // an event, S times 1 − events ÷ (tasks whose time is that or more);
        // the median is the first such time with S at or below one half.
        let mut times: Vec<f64> = pairs.iter().filter(|p| p.1).map(|p| p.0).collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        let mut s = 1.0;
        let mut median = None;
        for t in times {
            let at_risk = pairs.iter().filter(|p| p.0 >= t).count() as f64;
            let d = pairs.iter().filter(|p| p.1 && p.0 == t).count() as f64;
            s *= 1.0 - d / at_risk;
            if s <= 0.5 + 1e-9 {
                median = Some(t);
                break;
            }
        }
        let got: Option<f64> = a["median_minutes_to_first_attempt"].parse().ok();
        match (got, median) {
            (Some(g), Some(m)) => assert!((g - m).abs() < 1e-3, "{cat}: median {g} vs {m}"),
            (g, m) => assert_eq!(g, m, "{cat}: median"),
        }
    }
}

#[test]
fn a_closure_exported_after_as_of_is_not_seen() {
    // T-B is exported again on Mon 11-16: completed at 10:00 that day. The fixture's
    // range (as of the end of Fri 11-13) still sees it as the 11-09 export left it;
    // a range through 11-16 sees the closure.
    let wd = Workdir::fixture("metrics");
    let header = wd
        .read("exports/p001/tasks_2026-11-09.csv")
        .lines()
        .next()
        .unwrap()
        .to_string();
    wd.write(
        "exports/p001/tasks_2026-11-16.csv",
        format!(
            "{header}\nT-B,p001,MRN-B,\"Baker, Bo\",617-555-0102,New Patient Request,2026-11-07 21:15,,amartin,Front Desk,Routine,Completed,2026-11-16 10:00,2026-11-16 10:00,,,,2026-11-16 10:00:00\n"
        ),
    );
    wd.run(&["ingest", "-q"]);
    let mut args = RANGE.to_vec();
    args.extend(["--out", "before", "-q"]);
    wd.run(&args);
    let facts = by_key(rows(&wd.read("before/task_facts.csv")), "task_id");
    assert_eq!(facts["T-B"]["status"], "left_message");
    assert_eq!(facts["T-B"]["terminal"], "false");
    assert_eq!(facts["T-B"]["closed_at"], "");
    assert_eq!(facts["T-B"]["minutes_to_completion"], "");
    // Backlog at Fri's close: T-B, T-C, T-E open, as before the later export.
    let backlog = rows(&wd.read("before/backlog_daily.csv"));
    let open: i64 = backlog
        .iter()
        .filter(|r| r["date"] == "2026-11-13")
        .map(|r| r["open"].parse::<i64>().unwrap())
        .sum();
    assert_eq!(open, 3);

    wd.run(&[
        "metrics",
        "--from",
        "2026-10-26",
        "--to",
        "2026-11-16",
        "--out",
        "after",
        "-q",
    ]);
    let facts = by_key(rows(&wd.read("after/task_facts.csv")), "task_id");
    assert_eq!(facts["T-B"]["status"], "completed");
    assert_eq!(facts["T-B"]["terminal"], "true");
    assert_eq!(facts["T-B"]["closed_at"], "2026-11-16T15:00:00Z");
}

#[test]
fn the_overall_tables_are_written_only_when_asked_and_add_up_over_practices() {
    let wd = fixture();
    assert!(!wd.path("out/overall_weekly.parquet").exists());
    assert!(!wd.path("out/overall_category_weekly.csv").exists());
    let queries = workdir::repo().join("queries");
    let mut args = RANGE.to_vec();
    args.extend(["--out", "all", "--queries", queries.to_str().unwrap()]);
    args.push("--overall");
    wd.run(&args);
    // Every week's task count over all practices is the sum of the practices'.
    let mut per_week: BTreeMap<String, u64> = BTreeMap::new();
    for r in rows(&wd.read("all/by_week.csv")) {
        *per_week.entry(r["iso_week"].clone()).or_default() += r["tasks"].parse::<u64>().unwrap();
    }
    let overall: BTreeMap<String, u64> = rows(&wd.read("all/overall_weekly.csv"))
        .into_iter()
        .map(|r| (r["iso_week"].clone(), r["tasks"].parse().unwrap()))
        .collect();
    assert!(!overall.is_empty());
    assert_eq!(overall, per_week);
    assert!(wd.path("all/overall_category_weekly.parquet").exists());
    // The time-to-first-attempt curve of each week has every task of the week.
    let waiting: BTreeMap<String, u64> = rows(&wd.read("all/overall_waiting_weekly.csv"))
        .into_iter()
        .map(|r| (r["iso_week"].clone(), r["tasks"].parse().unwrap()))
        .collect();
    assert_eq!(waiting, per_week);
    // The other tables are the same bytes with or without them.
    assert_eq!(wd.read("out/by_week.csv"), wd.read("all/by_week.csv"));
}

/// Mon–Fri 11-09..11-13 against Mon–Fri 11-16..11-20, the run as of the end of
/// Sun 11-22: each week is observed for two days after its end, so the before
/// week's numbers are those of a run on it as of the end of Sun 11-15.
fn before_after_on_two_weeks(wd: &Workdir) {
    let run = wd.run(&[
        "metrics",
        "--from",
        "2026-11-09",
        "--to",
        "2026-11-22",
        "--before",
        "2026-11-09..2026-11-13",
        "--after",
        "2026-11-16..2026-11-20",
        "--out",
        "cmp",
        "-q",
    ]);
    assert!(run.stdout.contains("95% CI"), "{run}");
    let all = rows(&wd.read("cmp/comparison.csv"));
    assert!(
        all.iter().any(|r| r["category"] == "referral"),
        "no category rows"
    );
    let cmp = by_key(
        all.into_iter()
            .filter(|r| r["category"].is_empty())
            .collect(),
        "metric",
    );
    // Equal follow-up: the before week as a run on it as of the end of 11-15 sees it.
    wd.run(&[
        "metrics",
        "--from",
        "2026-11-09",
        "--to",
        "2026-11-13",
        "--as-of",
        "2026-11-15T23:59:59.999999-05:00",
        "--out",
        "ref",
        "-q",
    ]);
    let summary: serde_json::Value = serde_json::from_str(&wd.read("ref/summary.json")).unwrap();
    for h in summary["headlines"].as_array().unwrap() {
        let name = h["name"].as_str().unwrap();
        let want = h["value"]
            .as_f64()
            .map(|v| format!("{v:.4}"))
            .unwrap_or_default();
        assert_eq!(cmp[name]["before"], want, "{name}: before");
    }
    for (name, r) in &cmp {
        let expected = match name.as_str() {
            // Counts with no interval.
            "tasks"
            | "callbacks_owed"
            | "backlog_open_at_last_close"
            | "backlog_overdue_at_last_close" => "",
            // A real difference, though not a change in how the practice works:
            // the simulation starts with an empty queue, and the referral and
            // insurance-documents queue is still filling over the three weeks
            // (their medians by week: 205, 284, 496 and 195, 241, 467 minutes),
            // so the slowest tenth waits longer (a warm-up: docs/METRICS.md,
            // "The halves check").
            "p90_minutes_to_first_attempt" => "worse",
            // Two days of follow-up: no no-show or cancellation of either week
            // has had its 14-day recovery window close, so neither is counted.
            "no_show_recovery_rate" | "cancellation_recovery_rate" => "too few",
            // The first week's return curve has not fallen to one half by its
            // as of (Sun 11-15), so its median is not known yet; nor is
            // either week's p90 (the curves do not fall to a tenth).
            "median_minutes_to_return" | "p90_minutes_to_return" => "not known yet",
            _ => "no detectable change",
        };
        assert_eq!(r["verdict"], expected, "{name}: {r:?}\n{run}");
    }
}
