//! `followup nightly` and `followup lists` on two weeks of generated exports: every
//! stage runs, outputs are deterministic and idempotent, a run killed at any point
//! leaves no half-written output in view and the next run repairs everything, a
//! concurrent run is refused, a failing stage is named, lists are owner-only.

mod workdir;

use std::collections::BTreeSet;
use std::os::unix::fs::PermissionsExt;
use std::process::Stdio;
use std::time::{Duration, Instant};
use workdir::{assert_same, Workdir};

const DAILY: &str = "reports/daily/2026-11-20";
const WEEKLY: &str = "reports/2026-W47";
const LISTS: &str = "lists/2026-11-23";

/// Two weeks of exports ending Sunday 2026-11-22 (so the weekly report is due).
fn setup() -> Workdir {
    let wd = Workdir::new();
    workdir::copy_dir(&workdir::repo().join("queries"), &wd.path("queries"));
    std::fs::copy(
        workdir::repo().join("followup.toml"),
        wd.path("followup.toml"),
    )
    .unwrap();
    wd.run(&["sample", "--days", "14", "--start", "2026-11-09", "-q"]);
    wd
}

/// What a person can open: the published reports and lists (not hidden staging).
fn visible(wd: &Workdir) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for top in ["reports", "lists"] {
        out.extend(
            wd.snapshot(top)
                .into_iter()
                .filter(|(p, _)| !p.split('/').any(|part| part.starts_with('.')))
                .map(|(p, b)| (format!("{top}/{p}"), b)),
        );
    }
    out
}

/// The manifest without the stage timings (the one thing that differs between runs).
fn manifest(wd: &Workdir) -> serde_json::Value {
    let mut m: serde_json::Value =
        serde_json::from_str(&wd.read("runs/2026-11-22/manifest.json")).unwrap();
    m.as_object_mut().unwrap().remove("stages");
    m
}

/// One uninterrupted run (at debug level, `-vv`), shared by the tests that
/// compare against it, with its stderr.
fn reference_run() -> &'static (Workdir, String) {
    static WD: std::sync::OnceLock<(Workdir, String)> = std::sync::OnceLock::new();
    WD.get_or_init(|| {
        let wd = setup();
        let run = wd.run(&["nightly", "-vv"]);
        (wd, run.stderr)
    })
}

fn reference() -> &'static Workdir {
    &reference_run().0
}

#[test]
fn nightly_builds_task_facts_once_per_practice() {
    let stderr = &reference_run().1;
    let line = stderr
        .lines()
        .find(|l| l.contains("task facts built "))
        .unwrap_or_else(|| panic!("no task facts count at -vv:\n{stderr}"));
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = |w: &str| words.iter().position(|x| *x == w).expect(w);
    let n: usize = words[at("built") + 1].parse().unwrap();
    let m: usize = words[at("for") + 1].parse().unwrap();
    assert_eq!(n, m, "{line}");
    assert_eq!(m, 1, "{line}");
    let builds = stderr
        .lines()
        .filter(|l| l.contains("task facts: built for "))
        .count();
    assert_eq!(builds, n, "{stderr}");
}

fn under(files: &[(String, Vec<u8>)], dir: &str) -> Vec<(String, Vec<u8>)> {
    files
        .iter()
        .filter(|(p, _)| p.starts_with(&format!("{dir}/")))
        .cloned()
        .collect()
}

#[test]
fn nightly_runs_every_stage_and_says_which_day() {
    let wd = reference();
    let m = manifest(wd);
    assert_eq!(m["data_day"], "2026-11-22");
    assert_eq!(m["data_day_from"], "latest day in the exports");
    assert_eq!(m["weekly_report"], "2026-W47");
    assert_eq!(m["list_dates"][0], "2026-11-23");
    assert!(!m["inputs"].as_array().unwrap().is_empty());
    assert!(m["lake_rows"]["tasks"].as_u64().unwrap() > 0);
    assert!(m["warnings"][0].as_str().unwrap().contains("quarantined"));
    let files = visible(wd);
    for dir in [DAILY, WEEKLY, LISTS] {
        assert!(!under(&files, dir).is_empty(), "{dir} was not written");
    }
    for f in [
        "reports/daily/2026-11-20/report.html",
        "reports/2026-W47/report.html",
        "lists/2026-11-23/p001/lists.html",
        "lists/2026-11-23/p001/lists.xlsx",
        "lists/2026-11-23/p001/front_desk--bchen.csv",
        "lists/2026-11-23/p001/manager--capacity.csv",
    ] {
        assert!(wd.path(f).is_file(), "{f} missing");
    }
    // Every output the manifest lists exists with that hash's size.
    let outputs: BTreeSet<String> = m["outputs"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["path"].as_str().unwrap().to_string())
        .collect();
    let shown: BTreeSet<String> = files
        .iter()
        .map(|(p, _)| p.clone())
        .filter(|p| !p.starts_with("reports/2026-W") || p.starts_with(WEEKLY))
        .collect();
    assert_eq!(outputs, shown);
}

#[test]
fn lists_hold_phi_so_they_are_owner_only() {
    let wd = reference();
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&wd.path(LISTS)), 0o700);
    for (f, _) in wd.snapshot(LISTS) {
        let p = wd.path(LISTS).join(&f);
        assert_eq!(mode(&p), 0o600, "{f}");
        assert_eq!(mode(p.parent().unwrap()), 0o700, "{f}");
    }
}

#[test]
fn nothing_from_the_contacts_reaches_the_terminal_or_the_manifest() {
    let wd = setup();
    let run = wd.run(&["nightly"]);
    let names: BTreeSet<String> = wd
        .snapshot("sample_data/exports")
        .into_iter()
        .filter(|(p, _)| p.contains("patients"))
        .flat_map(|(_, b)| {
            String::from_utf8(b)
                .unwrap()
                .lines()
                .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
                .filter_map(|v| v["last_name"].as_str().map(str::to_string))
                .collect::<Vec<_>>()
        })
        .filter(|n| n.len() > 3)
        .collect();
    assert!(names.len() > 20);
    let manifest = wd.read("runs/2026-11-22/manifest.json");
    for n in &names {
        assert!(!run.stderr.contains(n.as_str()), "{n} on stderr");
        assert!(!manifest.contains(n.as_str()), "{n} in the manifest");
        assert!(!wd.read(&format!("{DAILY}/report.md")).contains(n.as_str()));
    }
    // …while the lists themselves do carry names.
    let lists = wd.read("lists/2026-11-23/p001/lists.html");
    assert!(names.iter().any(|n| lists.contains(n.as_str())));
}

#[test]
fn two_runs_on_the_same_input_give_the_same_bytes_and_a_rerun_changes_nothing() {
    let a = reference();
    let b = setup();
    b.run(&["nightly"]);
    assert_same(&visible(a), &visible(&b), "second fresh run");
    assert_eq!(manifest(a), manifest(&b));
    let lake = b.snapshot("lake");
    b.run(&["nightly"]);
    assert_same(&visible(a), &visible(&b), "rerun");
    assert_same(&lake, &b.snapshot("lake"), "lake after a rerun");
    let m = manifest(&b);
    assert_eq!(
        m["ingest"]["files_ingested"], 0,
        "unchanged exports are skipped"
    );
}

/// Run `nightly` killed at a failpoint; the process must die by a signal.
fn killed_at(wd: &Workdir, point: &str) {
    let out = wd
        .command(&["nightly", "-q"])
        .env("FOLLOWUP_FAILPOINT", point)
        .output()
        .unwrap();
    assert!(
        out.status.code().is_none(),
        "{point}: expected a kill, got {:?}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Each published folder is either absent or exactly the reference's: never partial.
fn assert_whole(wd: &Workdir, when: &str) {
    let refs = visible(reference());
    let now = visible(wd);
    for dir in [DAILY, WEEKLY, LISTS] {
        let here = under(&now, dir);
        if !here.is_empty() {
            assert_same(&here, &under(&refs, dir), &format!("{dir} {when}"));
        }
    }
}

#[test]
fn a_run_killed_at_any_stage_leaves_whole_outputs_and_the_next_run_repairs() {
    let refs = visible(reference());
    for point in [
        "after-ingest",
        "after-metrics",
        "daily-staged",
        "before-publish",
        "weekly-staged",
        "lists-practice-written",
        "after-lists",
    ] {
        let wd = setup();
        killed_at(&wd, point);
        assert_whole(&wd, &format!("after a kill at {point}"));
        wd.run(&["nightly", "-q"]);
        assert_same(
            &refs,
            &visible(&wd),
            &format!("rerun after a kill at {point}"),
        );
        assert_eq!(
            manifest(reference()).get("outputs"),
            manifest(&wd).get("outputs")
        );
    }
}

#[test]
fn a_kill_while_replacing_outputs_shows_the_old_or_the_new_never_a_mix() {
    let refs = visible(reference());
    for point in ["before-publish", "after-exchange"] {
        let wd = setup();
        wd.run(&["nightly", "-q"]);
        // Mark the published daily review so the old and new versions differ.
        wd.write(&format!("{DAILY}/OLD"), "previous run");
        killed_at(&wd, point);
        let daily = under(&visible(&wd), DAILY);
        let old = daily.iter().any(|(p, _)| p.ends_with("/OLD"));
        let rest: Vec<_> = daily
            .into_iter()
            .filter(|(p, _)| !p.ends_with("/OLD"))
            .collect();
        assert_same(&rest, &under(&refs, DAILY), point);
        assert_eq!(
            old,
            point == "before-publish",
            "{point}: which version is in view"
        );
        wd.run(&["nightly", "-q"]);
        assert_same(&refs, &visible(&wd), &format!("rerun after {point}"));
    }
}

/// How long the reference run's stages took, in milliseconds (from its manifest).
fn run_ms() -> u64 {
    let m: serde_json::Value =
        serde_json::from_str(&reference().read("runs/2026-11-22/manifest.json")).unwrap();
    let secs: f64 = m["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["seconds"].as_f64().unwrap())
        .sum();
    (secs * 1000.0) as u64
}

/// A fresh work directory whose nightly run was killed `ms` after it started
/// or, when that run had already ended by then (this machine ran it faster than
/// the reference), earlier, until a kill lands inside a run. Returns the moment.
fn killed_after(ms: u64) -> (Workdir, u64) {
    let mut ms = ms;
    loop {
        let wd = setup();
        let mut child = wd
            .command(&["nightly", "-q"])
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(ms));
        let _ = child.kill();
        if child.wait().unwrap().code().is_none() {
            return (wd, ms);
        }
        assert!(ms > 20, "no run was still going at {ms} ms");
        ms /= 2;
    }
}

#[test]
fn a_run_killed_at_arbitrary_moments_is_repaired_by_the_next() {
    let refs = visible(reference());
    // Early, midway and late in a run, however fast this build runs one.
    let run = run_ms();
    for ms in [run / 10, run / 2, run * 9 / 10] {
        let (wd, ms) = killed_after(ms);
        assert_whole(&wd, &format!("after a kill at {ms} ms"));
        wd.run(&["nightly", "-q"]);
        assert_same(
            &refs,
            &visible(&wd),
            &format!("rerun after a kill at {ms} ms"),
        );
    }
}

#[test]
fn a_second_run_is_refused_while_one_is_going() {
    let wd = setup();
    let first = wd
        .command(&["nightly", "-q"])
        // Holds the lock until the test has tried the second runs.
        .env(
            "FOLLOWUP_FAILPOINT",
            format!("locked:until={}", wd.path("release").display()),
        )
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let start = Instant::now();
    while !wd.path("runs/followup.lock").exists()
        || !std::fs::read_to_string(wd.path("runs/followup.lock"))
            .unwrap()
            .contains("pid")
    {
        assert!(
            start.elapsed() < Duration::from_secs(20),
            "lock never taken"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    for args in [&["nightly"][..], &["lists"][..], &["report"][..]] {
        let second = wd.run_code(args, 1);
        assert!(
            second
                .stderr
                .contains("another followup run is writing outputs (`followup nightly`, pid"),
            "{second}"
        );
    }
    wd.write("release", "");
    let out = first.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(wd.path(LISTS).is_dir());
}

#[test]
fn a_failing_stage_stops_the_run_and_is_named() {
    let wd = setup();
    wd.write(
        "queries/broken.sql",
        "SELECT no_such_column FROM task_facts",
    );
    let out = wd.output(&["nightly"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_ne!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("stage `metrics` failed"), "{stderr}");
    assert!(stderr.contains("broken.sql"), "{stderr}");
    assert!(!wd.path("lists").exists(), "later stages did not run");
}

#[test]
fn lists_on_their_own_for_a_chosen_day() {
    let wd = setup();
    wd.run(&["ingest", "-q"]);
    let run = wd.run(&["lists", "--date", "2026-11-19"]);
    assert!(run.stderr.contains("data through 2026-11-19"), "{run}");
    assert!(wd.path("lists/2026-11-20/p001/lists.xlsx").is_file());
    let csv = wd.read("lists/2026-11-20/p001/front_desk--bchen.csv");
    assert!(csv.starts_with('\u{feff}'));
}

#[test]
fn lists_on_the_hand_computed_metrics_fixture() {
    // tests/fixtures/metrics/README.md: at Fri 11-13's close T-B, T-C and T-E are
    // open; nobody is rostered, so everything is on the manager's unassigned list.
    let wd = Workdir::fixture("metrics");
    wd.run(&["ingest", "-q"]);
    let run = wd.run(&["lists", "--date", "2026-11-13"]);
    assert!(
        run.stderr
            .contains("kept off the lists: missed call from a withheld number 1"),
        "{run}"
    );
    let csv = wd.read("lists/2026-11-16/p001/manager--unassigned.csv");
    let header: Vec<&str> = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .next()
        .unwrap()
        .split(',')
        .collect();
    let col = |name: &str| header.iter().position(|h| *h == name).unwrap();
    let rows: Vec<Vec<String>> = csv
        .trim_start_matches('\u{feff}')
        .lines()
        .skip(1)
        .map(|l| {
            csv::ReaderBuilder::new()
                .has_headers(false)
                .from_reader(l.as_bytes())
                .records()
                .next()
                .unwrap()
                .unwrap()
                .iter()
                .map(str::to_string)
                .collect()
        })
        .collect();
    let pick = |i: usize| -> Vec<&str> { rows.iter().map(|r| r[i].as_str()).collect() };
    // All three are past their targets on Mon 11-16: least overdue first
    // (T-C due Thu 11-12, T-B Mon 11-09, T-E Mon 11-02).
    assert_eq!(pick(col("task ids")), vec!["T-C", "T-B", "T-E"]);
    assert_eq!(pick(col("attempt")), vec!["1 of 3", "2 of 3", "2 of 3"]);
    assert_eq!(rows[0][col("reasons")], "referral: new, not yet attempted");
    assert_eq!(rows[2][col("reasons")], "missed_call: next attempt allowed");
    assert_eq!(rows[2][col("last outcome")], "left_message");
    assert_eq!(pick(col("at risk")), vec!["yes", "", ""]);
    assert_eq!(pick(col("goal"))[0], "book");
}

/// Everything a run leaves for people and for the next run: the lake (its ledger
/// included), the quarantine, and the published reports and lists.
fn whole_tree(wd: &Workdir) -> Vec<(String, Vec<u8>)> {
    let mut out = visible(wd);
    for top in ["lake", "quarantine"] {
        out.extend(
            wd.snapshot(top)
                .into_iter()
                .map(|(p, b)| (format!("{top}/{p}"), b)),
        );
    }
    out.sort();
    out
}

/// A dead run's leftovers: temporary files and an unfinished commit journal.
fn leftovers(wd: &Workdir) -> Vec<String> {
    whole_tree(wd)
        .into_iter()
        .map(|(p, _)| p)
        .filter(|p| p.contains(".tmp-") || p.ends_with("_ingest/commit.json"))
        .collect()
}

/// The manifest without what says how this run went rather than what it produced:
/// its timings, and (after a kill past ingest's commit, when the rerun finds the
/// files already in) how many files this run ingested.
fn manifest_outputs(wd: &Workdir, with_ingest: bool) -> serde_json::Value {
    let mut m = manifest(wd);
    if !with_ingest {
        m.as_object_mut().unwrap().remove("ingest");
        m.as_object_mut().unwrap().remove("warnings");
    }
    m
}

#[test]
fn a_run_killed_inside_ingest_reruns_to_the_same_lake_ledger_quarantine_and_reports() {
    let expected = whole_tree(reference());
    assert!(expected
        .iter()
        .any(|(p, _)| p == "lake/_ingest/ledger.json"));
    assert!(expected.iter().any(|(p, _)| p.starts_with("quarantine/")));
    // Before the commit point the lake is as before; after it, the next run finishes it.
    for (point, committed) in [
        ("ingest-partition-staged", false),
        ("ingest-staged", false),
        ("ingest-committed", true),
        ("ingest-first-rename", true),
    ] {
        let wd = setup();
        killed_at(&wd, point);
        assert!(
            !leftovers(&wd).is_empty() || committed,
            "{point}: nothing staged?"
        );
        wd.run(&["nightly", "-q"]);
        assert_eq!(leftovers(&wd), Vec::<String>::new(), "{point}");
        assert_same(
            &expected,
            &whole_tree(&wd),
            &format!("rerun after a kill at {point}"),
        );
        assert_eq!(
            manifest_outputs(reference(), !committed),
            manifest_outputs(&wd, !committed),
            "{point}"
        );
    }
    // At random moments (seeded, so a failure can be replayed), with ingest slowed
    // so that most of them land inside it.
    let mut seed: u64 = 19;
    for _ in 0..3 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let ms = 100 + (seed >> 33) % 1500;
        let wd = setup();
        let mut child = wd
            .command(&["nightly", "-q"])
            .env("FOLLOWUP_FAILPOINT", "ingest-partition-staged:sleep=40")
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(ms));
        let _ = child.kill();
        let _ = child.wait();
        wd.run(&["nightly", "-q"]);
        assert_eq!(leftovers(&wd), Vec::<String>::new(), "kill at {ms} ms");
        assert_same(
            &expected,
            &whole_tree(&wd),
            &format!("rerun after a kill at {ms} ms"),
        );
        assert_eq!(
            manifest_outputs(reference(), false),
            manifest_outputs(&wd, false),
            "kill at {ms} ms"
        );
    }
}

#[test]
fn data_through_is_never_later_than_the_run_clock() {
    let wd = setup();
    // The lake already holds the exports' weekend (ingested by a clock that allowed
    // it), and tonight's clock says it is the morning of Friday 2026-11-20.
    wd.run(&["ingest", "-q"]);
    let out = wd
        .command(&["nightly"])
        .env("FOLLOWUP_NOW", "2026-11-20T12:00:00Z")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(
        stderr.contains("data through Fri 2026-11-20 (today by the run's clock"),
        "{stderr}"
    );
    assert!(wd.path("runs/2026-11-20/manifest.json").is_file());
    assert!(!wd.path("runs/2026-11-22").exists());
}
