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
        .any(|(p, _)| p.starts_with("lake/_ingest/ledger")));
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

/// One cell a person fills in: text as typed, or a number as a spreadsheet
/// program stores a date or time typed into a date- or time-formatted cell.
enum Cell<'a> {
    Text(&'a str),
    Number(f64),
}

/// The workbook with cells of sheet `name` filled in as a spreadsheet program
/// saves them: each value goes into the blank, formatted cell the workbook left
/// for it (`<c r="S2" s="…"/>`), the parts re-zipped. Strings are written inline
/// (`t="inlineStr"`), which Excel and LibreOffice both read.
fn fill(xlsx: &[u8], name: &str, cells: &[(String, Cell)]) -> Vec<u8> {
    use std::io::{Read, Write};
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(xlsx)).unwrap();
    let mut parts: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..z.len() {
        let mut f = z.by_index(i).unwrap();
        let mut b = Vec::new();
        f.read_to_end(&mut b).unwrap();
        parts.push((f.name().unwrap().to_string(), b));
    }
    let text =
        |p: &str| String::from_utf8(parts.iter().find(|(n, _)| n == p).unwrap().1.clone()).unwrap();
    // rust_xlsxwriter numbers its sheets in order: sheetN.xml is the N-th.
    let wb = text("xl/workbook.xml");
    let n = wb
        .split("<sheet ")
        .skip(1)
        .position(|s| s.starts_with(&format!("name=\"{name}\"")))
        .unwrap_or_else(|| panic!("no sheet {name}: {wb}"))
        + 1;
    let part = format!("xl/worksheets/sheet{n}.xml");
    let mut xml = text(&part);
    for (at, value) in cells {
        let open = format!("<c r=\"{at}\" ");
        let i = xml
            .find(&open)
            .unwrap_or_else(|| panic!("no blank cell {at}"));
        let j = i + xml[i..].find("/>").unwrap();
        let style = &xml[i + open.len()..j];
        let cell = match value {
            Cell::Text(t) => {
                format!("<c r=\"{at}\" {style} t=\"inlineStr\"><is><t>{t}</t></is></c>")
            }
            Cell::Number(v) => format!("<c r=\"{at}\" {style}><v>{v}</v></c>"),
        };
        xml.replace_range(i..j + 2, &cell);
    }
    let mut out = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (p, b) in parts {
        let b = if p == part {
            xml.clone().into_bytes()
        } else {
            b
        };
        out.start_file(p, zip::write::SimpleFileOptions::default())
            .unwrap();
        out.write_all(&b).unwrap();
    }
    out.finish().unwrap().into_inner()
}

/// The rows of a list CSV as maps from column to value.
fn list_rows(wd: &Workdir, rel: &str) -> Vec<std::collections::BTreeMap<String, String>> {
    workdir::csv_rows(&wd.read(rel))
}

/// Issue 22 §3: a caller fills Monday's workbook in a spreadsheet program
/// (outcomes, a callback date and time, notes), and it comes back through
/// ingest: the attempts are in the lake, Tuesday's list and Monday's adherence
/// reflect them, a row that cannot be read is quarantined by sheet, row and
/// column, and ingesting it again changes nothing.
#[test]
fn a_worked_list_comes_back_as_attempts_the_next_list_and_adherence() {
    let wd = setup();
    wd.run(&["nightly", "-q"]);
    let list = "lists/2026-11-23/p001";
    let rows = list_rows(&wd, &format!("{list}/front_desk--bchen.csv"));
    // Rows with a task (the sample's task ids start with T-), above the line.
    let tasks: Vec<&std::collections::BTreeMap<String, String>> = rows
        .iter()
        .filter(|r| r["task ids"].starts_with("T-") && r["fits capacity"] == "yes")
        .take(5)
        .collect();
    assert_eq!(tasks.len(), 5, "bchen's list has five task rows to work");
    let rank = |i: usize| tasks[i]["rank"].parse::<u32>().unwrap();
    let task = |i: usize| tasks[i]["task ids"].split(' ').next().unwrap().to_string();
    let cell = |col: char, i: usize| format!("{col}{}", rank(i) + 1);
    // S outcome, T time called, U callback date, V callback time, W note.
    let filled = fill(
        &std::fs::read(wd.path(&format!("{list}/lists.xlsx"))).unwrap(),
        "bchen (front_desk)",
        &[
            (cell('S', 0), Cell::Text("scheduled")),
            (cell('T', 0), Cell::Number(0.385_416_666_666_666_7)), // 09:15
            (cell('S', 1), Cell::Text("left_message")),
            (cell('U', 1), Cell::Number(46350.0)), // 2026-11-24
            (cell('V', 1), Cell::Number(0.4375)),  // 10:30
            (cell('W', 1), Cell::Text("at work, call tomorrow")),
            // Row 2 skipped; row 3 worked after it, typed as text.
            (cell('S', 3), Cell::Text("no_answer")),
            (cell('T', 3), Cell::Text("2:05 pm")),
            // A note without an outcome: quarantined, not guessed.
            (cell('W', 4), Cell::Text("busy, try later")),
        ],
    );
    let dest = wd.path("sample_data/exports/worked/bchen-2026-11-23.xlsx");
    std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
    std::fs::write(&dest, &filled).unwrap();
    let run = wd.run(&["ingest"]);
    let quarantine = wd.snapshot("quarantine");
    let bad: Vec<&(String, Vec<u8>)> = quarantine
        .iter()
        .filter(|(p, _)| p.contains("bchen-2026-11-23"))
        .collect();
    assert_eq!(bad.len(), 1, "{run}\n{quarantine:?}");
    let bad = String::from_utf8_lossy(&bad[0].1);
    assert!(
        bad.contains(&format!("bchen (front_desk)!today's outcome"))
            && bad.contains(&format!("{}", rank(4) + 1)),
        "the reject names sheet, row and column: {bad}"
    );
    let q = wd.run(&[
        "query",
        "--format",
        "csv",
        "SELECT attempt_id, task_id, outcome, staff_id, channel, direction, strftime(at, '%Y-%m-%d %H:%M') AS at, note FROM attempts WHERE attempt_id LIKE 'list:%' ORDER BY attempt_id",
    ]);
    let id = |i: usize| format!("list:2026-11-23:bchen:{}", rank(i));
    let mut want = vec![
        format!(
            "{},{},scheduled,bchen,phone,outbound,2026-11-23 14:15,",
            id(0),
            task(0)
        ),
        format!(
            "{},{},left_message,bchen,phone,outbound,2026-11-24 04:59,at work, call tomorrow",
            id(1),
            task(1)
        ),
        format!(
            "{},{},no_answer,bchen,phone,outbound,2026-11-23 19:05,",
            id(3),
            task(3)
        ),
    ];
    want.sort();
    let got: Vec<&str> = q.stdout.lines().skip(1).collect();
    assert_eq!(got.len(), 3, "{q}");
    for (g, w) in got.iter().zip(&want) {
        // The note holds a comma: compare up to it.
        assert!(
            g.starts_with(w.split(",at work").next().unwrap()),
            "got {g}\nwant {w}"
        );
    }
    // Tuesday's list and Monday's review.
    wd.run(&["nightly", "--date", "2026-11-23", "-q"]);
    let next: Vec<std::collections::BTreeMap<String, String>> = wd
        .snapshot("lists/2026-11-24/p001")
        .into_iter()
        .filter(|(p, _)| p.ends_with(".csv") && !p.contains("capacity"))
        .flat_map(|(p, _)| list_rows(&wd, &format!("lists/2026-11-24/p001/{p}")))
        .collect();
    let on = |t: &str| {
        next.iter()
            .find(|r| r["task ids"].split(' ').any(|x| x == t))
    };
    assert!(on(&task(0)).is_none(), "booked: off the lists");
    let cb = on(&task(1)).expect("the callback asked for Tuesday is on Tuesday's list");
    assert_eq!(cb["window"], "from 10:30 (requested)");
    assert_eq!(cb["last outcome"], "left_message");
    assert!(cb["attempt"].starts_with("2 of "), "{cb:?}");
    // Adherence: the rows above bchen's line, three worked; by the definition
    // (docs/LISTS.md), rank(3) is out of order (rank(2) above it skipped), and so
    // is any worked row with an unworked row above the line before it.
    let fits: Vec<u32> = rows
        .iter()
        .filter(|r| r["fits capacity"] == "yes")
        .map(|r| r["rank"].parse().unwrap())
        .collect();
    let worked = [rank(0), rank(1), rank(3)];
    let skipped = fits.iter().filter(|k| !worked.contains(k)).count();
    let at = [915, 2359, 1405];
    let out_of_order = (0..3)
        .filter(|&i| {
            fits.iter().any(|k| *k < worked[i] && !worked.contains(k))
                || (0..3).any(|j| worked[j] < worked[i] && at[j] > at[i])
        })
        .count();
    let review = wd.read("reports/daily/2026-11-23/report.md");
    let row = format!(
        "| p001 | front_desk | bchen | {} | {} | 3 | {skipped} | 0 | {out_of_order} |",
        rows.len(),
        fits.len()
    );
    assert!(review.contains(&row), "want {row} in\n{review}");
    // Ingesting again changes nothing: the same file is skipped, and a copy
    // under another name gives the same attempts (duplicates).
    let lake = wd.snapshot("lake/attempts");
    let again = wd.run(&["ingest"]);
    std::fs::write(
        wd.path("sample_data/exports/worked/bchen-2026-11-23 (1).xlsx"),
        &filled,
    )
    .unwrap();
    let copy = wd.run(&["ingest"]);
    assert_same(
        &lake,
        &wd.snapshot("lake/attempts"),
        "attempts after re-ingest",
    );
    let words = |r: &workdir::Run| r.stderr.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(words(&again).contains("0 file(s) ingested"), "{again}");
    assert!(
        words(&copy).contains("attempts read 4 stored 0 quarantined 1 duplicates 3"),
        "{copy}"
    );
}
