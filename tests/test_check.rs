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
    assert!(run.stderr.contains("cannot read config nope.toml"), "{run}");
}

#[test]
fn profiles_are_listed() {
    let wd = Workdir::fixture("mini");
    let run = wd.run(&["check", "--profiles"]);
    assert!(run.stdout.contains("sample-calls"), "{run}");
    assert!(run.stdout.contains("**/tasks_*.csv"), "{run}");
}
