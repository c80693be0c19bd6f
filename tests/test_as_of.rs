//! Nothing after "as of" is seen: metrics for a range computed on a lake, then
//! again after later exports were ingested, are the same bytes — every row of
//! task_facts, missed_calls, backlog and recovery, and every aggregate.

mod workdir;

use proptest::prelude::*;
use std::path::Path;
use workdir::Workdir;

const START: &str = "2026-11-02";
const DAYS: u32 = 21;

/// Three weeks of daily exports (one file per kind per day), generated once.
fn exports() -> &'static Workdir {
    static WD: std::sync::OnceLock<Workdir> = std::sync::OnceLock::new();
    WD.get_or_init(|| {
        let wd = Workdir::new();
        std::fs::copy(
            workdir::repo().join("followup.toml"),
            wd.path("followup.toml"),
        )
        .unwrap();
        let days = DAYS.to_string();
        wd.run(&[
            "sample",
            "--days",
            &days,
            "--start",
            START,
            "--file-per",
            "day",
            "--no-mess",
            "--out",
            "exports",
            "-q",
        ]);
        wd
    })
}

/// The export files (relative to the exports folder) dated up to `last`.
fn files_through(last: chrono::NaiveDate) -> Vec<String> {
    let dir = exports().path("exports/p001");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| {
            let date = n.split('_').nth(1).and_then(|r| r.get(..10));
            date.and_then(|d| d.parse::<chrono::NaiveDate>().ok())
                .is_some_and(|d| d <= last)
        })
        .map(|n| format!("exports/p001/{n}"))
        .collect();
    names.sort();
    names
}

/// Every CSV and summary.json of a metrics output folder, by name.
fn outputs(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut v: Vec<(String, Vec<u8>)> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "csv" || x == "json"))
        .map(|p| {
            (
                p.file_name().unwrap().to_string_lossy().into_owned(),
                std::fs::read(&p).unwrap(),
            )
        })
        .collect();
    v.sort();
    v
}

fn same_range_twice(from_offset: i64, to_offset: i64) -> Result<(), TestCaseError> {
    let start: chrono::NaiveDate = START.parse().unwrap();
    let (from, to) = (
        start + chrono::Duration::days(from_offset),
        start + chrono::Duration::days(to_offset),
    );
    let wd = Workdir::new();
    std::fs::copy(exports().path("followup.toml"), wd.path("followup.toml")).unwrap();
    workdir::copy_dir(&workdir::repo().join("queries"), &wd.path("queries"));
    workdir::copy_dir(&exports().path("exports"), &wd.path("exports"));
    let (from_s, to_s) = (from.to_string(), to.to_string());
    let metrics = |out: &str| {
        wd.run(&[
            "metrics", "--from", &from_s, "--to", &to_s, "--out", out, "-q",
        ]);
    };
    // The exports a nightly run on the morning after `to` would have had.
    let mut args = vec!["ingest".to_string(), "-q".to_string()];
    args.extend(files_through(to));
    wd.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    metrics("before");
    // Everything after, then the same range again.
    let mut args = vec!["ingest".to_string(), "-q".to_string()];
    args.extend(files_through(start + chrono::Duration::days(DAYS as i64)));
    wd.run(&args.iter().map(String::as_str).collect::<Vec<_>>());
    metrics("after");

    let (a, b) = (outputs(&wd.path("before")), outputs(&wd.path("after")));
    prop_assert!(a.len() > 20, "only {} outputs", a.len());
    prop_assert_eq!(
        a.iter().map(|x| &x.0).collect::<Vec<_>>(),
        b.iter().map(|x| &x.0).collect::<Vec<_>>()
    );
    for ((name, x), (_, y)) in a.iter().zip(&b) {
        if x != y {
            let (x, y) = (String::from_utf8_lossy(x), String::from_utf8_lossy(y));
            let diff: Vec<String> = x
                .lines()
                .zip(y.lines())
                .filter(|(l, r)| l != r)
                .take(3)
                .map(|(l, r)| format!("  before: {l}\n  after:  {r}"))
                .collect();
            return Err(TestCaseError::fail(format!(
                "{name} changed for {from}..{to} when later exports were added:\n{}",
                diff.join("\n")
            )));
        }
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3, ..ProptestConfig::default() })]

    #[test]
    fn a_range_reads_the_same_after_later_exports_arrive(
        from_offset in 0i64..5,
        length in 3i64..12,
    ) {
        same_range_twice(from_offset, from_offset + length)?;
    }
}
