//! `followup init`: a practice's first config, and from an empty folder holding
//! only the sample exports to the committed weekly report.

mod workdir;

use std::os::unix::fs::PermissionsExt;
use workdir::Workdir;

#[test]
fn init_without_exports_writes_a_commented_starter_a_private_key_and_the_queries() {
    let wd = Workdir::new();
    let run = wd.run(&["init"]);
    let cfg = wd.read("followup.toml");
    for want in [
        "EDIT",
        "timezone = \"America/New_York\"",
        "[defaults.categories.new_patient_request]\ntarget = \"30m\"",
        "[defaults.categories.missed_call]\ntarget = \"60m\"",
        "[defaults.categories.referral]\ntarget = \"same_day\"",
        "[defaults.categories.insurance_documents]\ntarget = \"next_day 12:00\"",
        "[defaults.lanes.front_desk]",
        "key_file = \"followup.key\"",
        "profiles = []",
    ] {
        assert!(cfg.contains(want), "no `{want}` in\n{cfg}");
    }
    let mode = std::fs::metadata(wd.path("followup.key"))
        .unwrap()
        .permissions()
        .mode();
    assert_eq!(mode & 0o777, 0o600, "the key file is owner-only");
    let key = wd.read("followup.key");
    assert_eq!(key.trim().len(), 64, "32 random bytes, hex");
    for q in [
        "afternoon_slip.sql",
        "owner_backlog.sql",
        "unlogged_missed_calls.sql",
    ] {
        assert!(wd.path("queries").join(q).is_file(), "{q}\n{run}");
    }
    assert!(run.stderr.contains("followup nightly"), "{run}");

    // The config loads; with no profile listed, check says what to do.
    let check = wd.run_code(&["check"], 2);
    assert!(check.stderr.contains("sources.profiles"), "{check}");

    // A second init does not overwrite; --force does, and keeps the key.
    let again = wd.run_code(&["init"], 2);
    assert!(again.stderr.contains("already exists"), "{again}");
    assert!(again.stderr.contains("--force"), "{again}");
    wd.run(&["init", "--force", "--timezone", "America/Chicago"]);
    assert_eq!(wd.read("followup.key"), key);
    assert!(wd
        .read("followup.toml")
        .contains("timezone = \"America/Chicago\""));
    let bad = wd.run_code(&["init", "--force", "--timezone", "Mars/Olympus"], 2);
    assert!(bad.stderr.contains("unknown time zone"), "{bad}");
}

/// One row of a Markdown table, split into trimmed cells.
fn cells(line: &str) -> Vec<String> {
    line.trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

/// The rows of the "Categories this week" table.
fn category_rows(md: &str) -> Vec<Vec<String>> {
    let start = md
        .find("## Categories this week")
        .expect("categories section");
    md[start..]
        .lines()
        .skip_while(|l| !l.starts_with("| category"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(cells)
        .collect()
}

/// From an empty folder holding only a copy of the sample exports: `init` picks
/// the sample profiles, and `nightly` writes the weekly report. The committed
/// report (reports/2026-W47) was made with the sample practice's own process
/// (followup.toml: missed calls within 30 min, referrals by 17:00 the next day,
/// its lanes and roster), which the exports cannot tell init, so:
/// 1. with the starter as written, what does not depend on the process is the
///    same (requests, reached, completed, booked, kept per category);
/// 2. with the sample practice's process in place of the starter's (its
///    [defaults] and [[practices]]), and init's own paths, generated key,
///    sources and queries, the report is byte for byte the committed one.
#[test]
fn init_then_nightly_on_the_sample_exports_gives_the_committed_report() {
    let wd = Workdir::new();
    workdir::copy_dir(
        &workdir::repo().join("sample_data/exports"),
        &wd.path("exports"),
    );
    let run = wd.run(&["init", "exports", "--name", "Riverside Family Medicine"]);
    let cfg = wd.read("followup.toml");
    assert!(
        cfg.contains(
            "profiles = [\"sample-calls\", \"sample-tasks\", \"sample-activity\", \"sample-appointments\", \"sample-patients\"]"
        ),
        "{cfg}\n{run}"
    );
    assert!(cfg.contains("exports = \"exports\""), "{cfg}");
    assert!(cfg.contains("id = \"p001\""), "{cfg}");
    assert!(
        cfg.contains("name = \"Riverside Family Medicine\""),
        "{cfg}"
    );
    // The owners come from the task exports.
    assert!(cfg.contains("owners = [\"enguyen\"]"), "{cfg}");
    // init ran check: its summary names the duplicated export and gives a verdict.
    assert!(
        run.stdout
            .contains("p001/tasks_2026-11-09 (1).csv: same bytes as p001/tasks_2026-11-09.csv"),
        "{run}"
    );
    assert!(run.stdout.contains("verdict: "), "{run}");
    assert!(
        run.stdout.contains("6 row(s) in"),
        "the sample's six malformed rows\n{run}"
    );

    let committed =
        std::fs::read_to_string(workdir::repo().join("reports/2026-W47/report.md")).unwrap();

    // 1. The starter as written.
    wd.run(&["nightly"]);
    let got = wd.read("reports/2026-W47/report.md");
    let keep = |rows: Vec<Vec<String>>| -> Vec<Vec<String>> {
        rows.into_iter()
            .map(|r| [0, 2, 6, 7, 8, 9].iter().map(|&i| r[i].clone()).collect())
            .collect()
    };
    let want_rows = keep(category_rows(&committed));
    assert_eq!(want_rows.len(), 10);
    assert_eq!(keep(category_rows(&got)), want_rows, "\n{got}");
    let requests = |md: &str| {
        md.lines()
            .find(|l| l.starts_with("| requests |"))
            .map(str::to_string)
    };
    assert_eq!(requests(&got), requests(&committed));

    // 2. The sample practice's process in place of the starter's.
    let sample = std::fs::read_to_string(workdir::repo().join("followup.toml")).unwrap();
    let process = &sample[sample.find("\n[defaults]").unwrap()..];
    let own = &cfg[..cfg.find("\n[defaults]").unwrap()];
    wd.write("followup.toml", format!("{own}{process}"));
    wd.run(&["nightly"]);
    for file in ["report.md", "report.html"] {
        let got = wd.read(&format!("reports/2026-W47/{file}"));
        let want =
            std::fs::read_to_string(workdir::repo().join("reports/2026-W47").join(file)).unwrap();
        assert!(
            got == want,
            "reports/2026-W47/{file} differs from the committed one"
        );
    }
    sample_lists_put_the_right_call_first(&wd);
}

/// Issue 22's checks on the sample's lists for Mon 2026-11-23: every urgent
/// row and every new-patient request from the weekend is above its owner's
/// capacity line, no row says more attempts than allowed, the messages lists
/// hold only work that is not a phone call, and every row has a number or a
/// reason why not (a caller not in contacts has the number the call log saw).
fn sample_lists_put_the_right_call_first(wd: &Workdir) {
    let dir = wd.path("lists/2026-11-23/p001");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "csv"))
        .filter(|p| !p.to_string_lossy().contains("capacity"))
        .collect();
    files.sort();
    let (mut urgent, mut weekend, mut messages) = (0, 0, 0);
    let (mut numbers, mut reasons, mut unknown_callers) = (0, 0, 0);
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let text = std::fs::read_to_string(&f).unwrap();
        let mut rd = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
        let header = rd.headers().unwrap().clone();
        let col = |n: &str| header.iter().position(|h| h == n).unwrap();
        let caller = !name.starts_with("manager--") && !name.ends_with("--messages.csv");
        for r in rd.records() {
            let r = r.unwrap();
            let (n, m) = r[col("attempt")].split_once(" of ").unwrap();
            assert!(
                n.parse::<u32>().unwrap() <= m.parse::<u32>().unwrap(),
                "{name}: {}",
                &r[col("attempt")]
            );
            let phone = &r[col("phone")];
            let is_number = phone.chars().filter(char::is_ascii_digit).count() >= 7
                && phone
                    .chars()
                    .all(|c| c.is_ascii_digit() || " +-()'".contains(c));
            let is_reason = phone == "(no number on file)"
                || (phone.starts_with("(caller id withheld, call ") && phone.ends_with(')'));
            assert!(!phone.contains("number in the phone system"), "{name}");
            assert!(is_number || is_reason, "{name}: phone `{phone}`");
            if is_number {
                numbers += 1;
            } else {
                reasons += 1;
            }
            if &r[col("patient")] == "(not in contacts)" {
                unknown_callers += 1;
                assert!(is_number, "{name}: a caller not in contacts: `{phone}`");
            }
            let asked = &r[col("asked at")];
            let from_weekend = asked.starts_with("Sat 11-21") || asked.starts_with("Sun 11-22");
            if caller && &r[col("urgent")] == "URGENT" {
                urgent += 1;
                assert_eq!(
                    &r[col("fits capacity")],
                    "yes",
                    "{name}: urgent row {}",
                    &r[0]
                );
            }
            if caller && from_weekend && r[col("categories")].contains("new_patient_request") {
                weekend += 1;
                assert_eq!(
                    &r[col("fits capacity")],
                    "yes",
                    "{name}: weekend request {}",
                    &r[0]
                );
            }
            if name.ends_with("--messages.csv") {
                messages += 1;
                assert_ne!(&r[col("channel")], "phone", "{name}");
            } else if caller {
                assert_eq!(&r[col("channel")], "phone", "{name}");
            }
        }
    }
    // The sample has them (so the checks above checked something).
    assert!(
        urgent > 0 && weekend > 0 && messages > 0 && unknown_callers > 0,
        "{urgent} {weekend} {messages} {unknown_callers}"
    );
    eprintln!("sample lists: {numbers} row(s) with a number ({unknown_callers} not in contacts), {reasons} with a reason");
}

#[test]
fn init_refuses_the_config_folder_as_exports_and_a_missing_folder() {
    let wd = Workdir::new();
    let run = wd.run_code(&["init", "."], 2);
    assert!(run.stderr.contains("folder of their own"), "{run}");
    assert!(!wd.path("followup.toml").exists());
    assert!(!wd.path("followup.key").exists());
    let run = wd.run_code(&["init", "nowhere"], 2);
    assert!(run.stderr.contains("nowhere: no such folder"), "{run}");
}

#[test]
fn exports_no_built_in_profile_reads_leave_sources_empty_and_say_why() {
    let wd = Workdir::new();
    let calls = std::fs::read_to_string(
        workdir::repo().join("tests/fixtures/mini/exports/p001/calls_2026-11-02.csv"),
    )
    .unwrap();
    wd.write(
        "exports/p001/phone_log.csv",
        calls.replacen("Duration", "Length", 1),
    );
    let run = wd.run(&["init", "exports"]);
    assert!(
        run.stderr.contains(
            "init: p001/phone_log.csv: no built-in profile reads it; closest: sample-calls, missing columns Duration"
        ),
        "{run}"
    );
    assert!(run.stderr.contains("docs/PROFILES.md"), "{run}");
    assert!(wd.read("followup.toml").contains("profiles = []"));
}
