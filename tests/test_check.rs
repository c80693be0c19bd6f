//! `followup check`: config validation and dry runs, writing nothing.

mod workdir;

use workdir::Workdir;

#[test]
fn check_names_profiles_and_counts_without_writing() {
    let wd = Workdir::fixture("mini");
    let run = wd.run_code(&["check"], 1);
    assert!(
        run.stdout.contains("p001/tasks_2026-11-02.csv: profile sample-tasks -> tasks: 5 row(s), 2 map cleanly, 3 would be quarantined"),
        "{run}"
    );
    assert!(run.stdout.contains("p001/appointments_2026-11-02.json: profile sample-appointments -> appointments: 2 row(s), 2 map cleanly, 0 would be quarantined"), "{run}");
    assert!(
        run.stdout
            .contains("unmapped value in `Status`: \"Pending??\" (1 row(s))"),
        "{run}"
    );
    assert!(
        run.stdout
            .contains("unmapped value in `Result`: \"Dropped\" (1 row(s))"),
        "{run}"
    );
    assert!(!wd.path("lake").exists(), "check wrote a lake");
    assert!(!wd.path("quarantine").exists(), "check wrote a quarantine");
}

#[test]
fn check_a_single_clean_file_exits_zero() {
    let wd = Workdir::fixture("mini");
    let run = wd.run(&["check", "exports/p001/appointments_2026-11-02.json"]);
    assert!(run.stdout.contains("2 map cleanly"), "{run}");
}

#[test]
fn config_errors_exit_2_and_name_the_key() {
    let wd = Workdir::fixture("mini");
    let cfg = wd
        .read("followup.toml")
        .replace("America/New_York", "America/Nowhere");
    wd.write("followup.toml", cfg);
    let run = wd.run_code(&["check"], 2);
    assert!(run.stderr.contains("practices[0].timezone"), "{run}");
    assert!(run.stderr.contains("unknown time zone"), "{run}");

    let run = wd.run_code(&["--config", "nope.toml", "check"], 2);
    assert!(run.stderr.contains("no config file at nope.toml"), "{run}");
    assert!(run.stderr.contains("followup init"), "{run}");
}

#[test]
fn profiles_are_listed() {
    let wd = Workdir::fixture("mini");
    let run = wd.run(&["check", "--profiles"]);
    assert!(run.stdout.contains("sample-calls"), "{run}");
    assert!(run.stdout.contains("**/tasks_*.csv"), "{run}");
}

#[test]
fn the_summary_names_profiles_closest_profiles_duplicates_and_a_verdict() {
    let wd = Workdir::fixture("mini");
    // A renamed call log no pattern matches, missing one column; a "(1)" copy.
    let calls = wd.read("exports/p001/calls_2026-11-02.csv");
    let renamed = calls.replacen("Duration", "Length", 1);
    wd.write("exports/p001/phone_log.csv", &renamed);
    wd.write(
        "exports/p001/appointments_2026-11-02 (1).json",
        wd.read("exports/p001/appointments_2026-11-02.json"),
    );
    let run = wd.run_code(&["check"], 1);
    let summary = &run.stdout[run.stdout.find("\nsummary\n").expect("a summary")..];
    let line = |file: &str| {
        summary
            .lines()
            .find(|l| l.trim_start().starts_with(file))
            .unwrap_or_else(|| panic!("no summary line for {file}\n{run}"))
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    assert_eq!(
        line("p001/tasks_2026-11-02.csv"),
        "p001/tasks_2026-11-02.csv sample-tasks 2 3",
        "{run}"
    );
    assert_eq!(
        line("p001/phone_log.csv"),
        "p001/phone_log.csv no profile — closest: sample-calls, missing columns Duration",
        "{run}"
    );
    assert!(
        summary.contains("sample-tasks `Status`: \"Pending??\" in 1 row(s)"),
        "{run}"
    );
    assert!(
        summary.contains("sample-calls `Result`: \"Dropped\" in 1 row(s)"),
        "{run}"
    );
    assert!(
        summary.contains("p001/appointments_2026-11-02 (1).json: same bytes as p001/appointments_2026-11-02.json"),
        "{run}"
    );
    let verdict = summary.lines().last().unwrap();
    assert_eq!(
        verdict,
        "verdict: something would be lost: 5 row(s) in 2 file(s) would be quarantined, 1 file(s) would not be read; fix the exports or the profiles above and check again (1 suspected duplicate export(s))",
        "{run}"
    );
    // --brief prints only the summary.
    let brief = wd.run_code(&["check", "--brief"], 1);
    assert!(!brief.stdout.contains("  line "), "{brief}");
    assert!(brief.stdout.ends_with(&format!("{verdict}\n")), "{brief}");
}

#[test]
fn a_duplicate_alone_exits_zero() {
    let wd = Workdir::fixture("mini");
    let appts = wd.read("exports/p001/appointments_2026-11-02.json");
    wd.write("exports/p001/appointments_2026-11-02 (1).json", &appts);
    let run = wd.run(&[
        "check",
        "exports/p001/appointments_2026-11-02.json",
        "exports/p001/appointments_2026-11-02 (1).json",
    ]);
    let verdict = run.stdout.lines().last().unwrap();
    assert!(verdict.starts_with("verdict: ok: 2 file(s)"), "{run}");
    assert!(
        verdict.ends_with("(1 suspected duplicate export(s))"),
        "{run}"
    );
}

#[test]
fn a_missing_exports_folder_says_what_to_do() {
    let wd = Workdir::fixture("mini");
    std::fs::remove_dir_all(wd.path("exports")).unwrap();
    let run = wd.run_code(&["check"], 2);
    assert_eq!(run.stderr.lines().count(), 1, "{run}");
    assert!(run.stderr.contains("the exports folder"), "{run}");
    assert!(run.stderr.contains("[paths] exports"), "{run}");
}

#[test]
fn an_empty_exports_folder_is_said_and_profiles_list_before_any_is_active() {
    let wd = Workdir::new();
    wd.run(&["init", "-q"]);
    let run = wd.run(&["check", "--profiles"]);
    assert!(run.stdout.contains("built in, not active"), "{run}");
    assert!(run.stdout.contains("ringcentral-call-log-csv"), "{run}");
    let cfg = wd
        .read("followup.toml")
        .replace("profiles = []", "profiles = [\"sample-calls\"]");
    wd.write("followup.toml", cfg);
    let run = wd.run(&["check"]);
    assert!(
        run.stdout
            .contains("verdict: nothing to check: no export files in"),
        "{run}"
    );
}
