//! Practices east and west of UTC, with half-hour offsets and clock changes in
//! both hemispheres, through every stage: ingest → metrics → report → lists →
//! staffing. Each practice's "as of" is the end of the data day in its own zone.

mod workdir;

use workdir::Workdir;

/// (practice id, zone, end of Sun 2026-11-01 in that zone as UTC).
const ZONES: [(&str, &str, &str); 6] = [
    // Clocks went back on 2026-10-25 (inside the two weeks).
    ("p001", "Europe/Berlin", "2026-11-01T22:59:59Z"),
    // UTC+5:30, no clock change.
    ("p002", "Asia/Kolkata", "2026-11-01T18:29:59Z"),
    // Southern hemisphere: clocks went forward on 2026-10-04.
    ("p003", "Australia/Sydney", "2026-11-01T12:59:59Z"),
    // UTC+13 in summer: the data day ends on the previous UTC date.
    ("p004", "Pacific/Auckland", "2026-11-01T10:59:59Z"),
    // UTC−3:30 after clocks went back on 2026-11-01 itself.
    ("p005", "America/St_Johns", "2026-11-02T03:29:59Z"),
    // UTC−10, no clock change.
    ("p006", "Pacific/Honolulu", "2026-11-02T09:59:59Z"),
];

/// The repository's config with its one practice replaced by six around the world.
fn config() -> String {
    let base = std::fs::read_to_string(workdir::repo().join("followup.toml")).unwrap();
    let mut text = base[..base.find("\n[[practices]]").unwrap() + 1].to_string();
    text = text.replace("exports = \"sample_data/exports\"", "exports = \"exports\"");
    for (id, tz, _) in ZONES {
        text.push_str(&format!(
            "[[practices]]\nid = \"{id}\"\nname = \"Practice {id}\"\ntimezone = \"{tz}\"\nus_federal_holidays = {}\n\n",
            tz == "Pacific/Honolulu"
        ));
    }
    text
}

#[test]
fn every_stage_runs_for_practices_in_six_zones() {
    let wd = Workdir::new();
    workdir::copy_dir(&workdir::repo().join("queries"), &wd.path("queries"));
    wd.write("followup.toml", config());
    // Two weeks ending Sunday 2026-11-01 (a weekly report day), Berlin's and St
    // John's clock changes inside them.
    wd.run(&[
        "sample",
        "--days",
        "14",
        "--start",
        "2026-10-19",
        "--no-mess",
        "-q",
    ]);
    wd.run(&["nightly", "--date", "2026-11-01"]);
    wd.run(&["staffing", "--out", "staffing"]);

    // Every practice measured, each as of the end of Sunday in its own zone.
    let summary: serde_json::Value =
        serde_json::from_str(&wd.read("reports/daily/2026-10-30/metrics/summary.json")).unwrap();
    for (id, tz, end) in ZONES {
        assert_eq!(summary["as_of_by_practice"][id], end, "{id} ({tz})");
    }
    let facts = wd.read("reports/daily/2026-10-30/metrics/task_facts.csv");
    for (id, tz, _) in ZONES {
        let n = facts
            .lines()
            .filter(|l| l.starts_with(&format!("{id},")))
            .count();
        assert!(n > 100, "{id} ({tz}): {n} task rows");
    }
    // No task is seen after its practice's as of: created_date is the local date.
    assert!(
        !facts.contains(",2026-11-02,"),
        "a task dated after the data day"
    );

    // The weekly report for the week the Sunday completes, lists for Monday, and a
    // staffing view, for every practice.
    assert!(wd.path("reports/2026-W44/report.html").is_file());
    for (id, _, _) in ZONES {
        assert!(
            wd.path(&format!("lists/2026-11-02/{id}")).is_dir(),
            "{id}: no lists"
        );
    }
    let staffing = wd.read("staffing/staffing_workload.csv");
    for (id, _, _) in ZONES {
        assert!(
            staffing.contains(&format!("{id},")),
            "{id}: no staffing rows"
        );
    }
}
