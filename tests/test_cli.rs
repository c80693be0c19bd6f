//! The binary as a whole: where to start, errors said once, closed pipes.

mod workdir;

use std::process::Stdio;
use workdir::Workdir;

#[test]
fn help_says_where_to_start() {
    let wd = Workdir::new();
    let run = wd.run(&["--help"]);
    assert!(run.stdout.contains("Start here"), "{run}");
    assert!(run.stdout.contains("followup init ./exports"), "{run}");
    assert!(run.stdout.contains("followup nightly"), "{run}");
}

#[test]
fn a_missing_config_is_said_once_and_points_at_init() {
    let wd = Workdir::new();
    for cmd in ["nightly", "check", "ingest"] {
        let run = wd.run_code(&[cmd], 2);
        let lines: Vec<&str> = run.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line, cause and fix once\n{run}");
        assert!(
            lines[0].starts_with("error: no config file at followup.toml"),
            "{run}"
        );
        assert_eq!(run.stderr.matches("followup init").count(), 1, "{run}");
        assert!(!run.stderr.contains("os error"), "{run}");
        assert!(!run.stderr.contains("hint"), "{run}");
    }
}

#[test]
fn an_io_cause_quoted_by_its_message_is_not_repeated() {
    let wd = Workdir::fixture("mini");
    let cfg = wd
        .read("followup.toml")
        .replace("demo_key = true", "key_file = \"missing.key\"");
    wd.write("followup.toml", cfg);
    let run = wd.run_code(&["check"], 2);
    assert_eq!(run.stderr.lines().count(), 1, "{run}");
    assert_eq!(
        run.stderr.matches("No such file or directory").count(),
        1,
        "{run}"
    );
}

/// Run with stdout a pipe whose reading end is already closed (`| head` that has
/// read enough): the run ends quietly with status 0.
fn closed_pipe(wd: &Workdir, args: &[&str]) -> (i32, String) {
    let mut child = wd
        .command(args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn writing_to_a_closed_pipe_ends_quietly_with_status_0() {
    let wd = Workdir::fixture("mini");
    wd.run(&["ingest"]);
    for args in [
        &["query", "--format", "csv", "SELECT * FROM tasks"][..],
        &["query", "SELECT * FROM calls"][..],
        &["query", "--format", "jsonl", "SELECT * FROM attempts"][..],
        &["check"][..],
        &[
            "erlang",
            "--calls",
            "100",
            "--interval",
            "30m",
            "--aht",
            "180s",
            "--answer-within",
            "20s",
            "--agents",
            "12",
        ][..],
    ] {
        let (code, stderr) = closed_pipe(&wd, args);
        assert_eq!(code, 0, "followup {}\n{stderr}", args.join(" "));
        assert!(
            !stderr.contains("panicked"),
            "followup {}\n{stderr}",
            args.join(" ")
        );
        assert!(
            !stderr.contains("error"),
            "followup {}\n{stderr}",
            args.join(" ")
        );
    }
}

/// Run under a pseudo-terminal (util-linux `script`); None when it is missing.
fn on_a_terminal(wd: &Workdir, args: &str) -> Option<String> {
    let bin = env!("CARGO_BIN_EXE_followup");
    let out = std::process::Command::new("script")
        .args(["-qec", &format!("{bin} {args}"), "/dev/null"])
        .current_dir(&wd.dir)
        .env_remove("FOLLOWUP_HASH_KEY")
        .env_remove("FOLLOWUP_CONFIG")
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn progress_bars_only_on_a_terminal_and_never_when_quiet() {
    let wd = Workdir::fixture("mini");
    let piped = wd.run(&["ingest"]);
    assert!(!piped.stderr.contains('\r'), "{piped}");
    assert!(!piped.stderr.contains("files,"), "{piped}");
    std::fs::remove_dir_all(wd.path("lake")).unwrap();
    let Some(quiet) = on_a_terminal(&wd, "ingest --quiet") else {
        eprintln!("no `script` to make a terminal with; skipped");
        return;
    };
    assert!(!quiet.contains("files,"), "{quiet}");
    std::fs::remove_dir_all(wd.path("lake")).unwrap();
    let tty = on_a_terminal(&wd, "ingest").unwrap();
    assert!(tty.contains("ingest ["), "{tty}");
    assert!(tty.contains("/6 files"), "{tty}");
    assert!(tty.contains("ingest: 6 file(s) ingested"), "{tty}");
}
