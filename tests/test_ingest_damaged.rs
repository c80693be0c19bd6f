//! `followup ingest` and `check` on damaged copies of the sample exports, built here
//! from `sample_data/` (issue 19): nothing is lost (read = stored + quarantined +
//! duplicates, and read counts what a person counts in the file), nothing lands
//! corrupted, and no message carries a patient's value.

mod workdir;

use std::path::Path;
use workdir::Workdir;

/// The run's clock for these tests: the morning after the sample's last day.
const NOW: &str = "2026-11-23T12:00:00Z";

/// A work directory with the bundled config reading `exports/` (empty).
fn setup() -> Workdir {
    let wd = Workdir::new();
    let cfg = std::fs::read_to_string(workdir::repo().join("followup.toml"))
        .unwrap()
        .replace("exports = \"sample_data/exports\"", "exports = \"exports\"");
    wd.write("followup.toml", cfg);
    std::fs::create_dir_all(wd.path("exports/p001")).unwrap();
    wd
}

/// The bytes of a sample export.
fn sample_bytes(name: &str) -> Vec<u8> {
    std::fs::read(workdir::repo().join("sample_data/exports/p001").join(name)).unwrap()
}

/// The header and the first `rows` data lines of a sample CSV, as lines without
/// their line ends (a leading BOM kept).
fn sample_lines(name: &str, rows: usize) -> Vec<String> {
    let text = String::from_utf8(sample_bytes(name)).unwrap();
    text.lines()
        .take(rows + 1)
        .map(|l| l.trim_end_matches('\r').to_string())
        .collect()
}

/// Lines joined with `\n`, each ended.
fn joined(lines: &[String]) -> String {
    lines.iter().map(|l| format!("{l}\n")).collect()
}

/// Run with the test clock.
fn run(wd: &Workdir, args: &[&str]) -> workdir::Run {
    let out = wd.command(args).env("FOLLOWUP_NOW", NOW).output().unwrap();
    let code = out.status.code().unwrap_or(-1);
    let r = workdir::Run {
        args: args.iter().map(|s| s.to_string()).collect(),
        code,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    };
    assert!(code == 0 || args[0] == "check", "{r}");
    r
}

/// `(read, stored, quarantined, duplicates)` from ingest's total line; asserts
/// they balance.
fn totals(r: &workdir::Run) -> (u64, u64, u64, u64) {
    let line = r
        .stderr
        .lines()
        .find(|l| l.trim_start().starts_with("total"))
        .unwrap_or_else(|| panic!("no total line\n{r}"));
    let n: Vec<u64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let t = (n[0], n[1], n[2], n[3]);
    assert_eq!(
        t.0,
        t.1 + t.2 + t.3,
        "read = stored + quarantined + duplicates\n{r}"
    );
    t
}

fn has(r: &workdir::Run, text: &str) {
    assert!(
        r.stderr.contains(text) || r.stdout.contains(text),
        "missing `{text}`\n{r}"
    );
}

fn lacks(r: &workdir::Run, text: &str) {
    assert!(
        !r.stderr.contains(text) && !r.stdout.contains(text),
        "leaks `{text}`\n{r}"
    );
}

/// A field of a simple CSV line (no quoted delimiters before it).
fn field(line: &str, i: usize) -> String {
    line.split(',').nth(i).unwrap().to_string()
}

fn set_field(line: &str, i: usize, value: &str) -> String {
    let mut f: Vec<&str> = line.split(',').collect();
    f[i] = value;
    f.join(",")
}

fn query(wd: &Workdir, sql: &str) -> String {
    run(wd, &["query", "--format", "csv", sql]).stdout
}

#[test]
fn item1_a_csv_cut_inside_its_last_field_is_quarantined() {
    let wd = setup();
    let lines = sample_lines("activity_2026-11-16.csv", 5);
    let mut text = joined(&lines);
    text.truncate(text.len() - 4); // the transfer stopped inside the last row
    wd.write("exports/p001/activity_2026-11-16.csv", text);
    let r = run(&wd, &["ingest"]);
    assert_eq!(totals(&r).0, 5, "{r}");
    assert_eq!(totals(&r).2, 1, "{r}");
    has(
        &r,
        "p001/activity_2026-11-16.csv line 6: truncated row (the file ends mid-row",
    );
    has(&r, "was the export cut short?");
    // The clipped row is not in the lake.
    let last_id = field(&lines[5], 0);
    assert_eq!(
        query(
            &wd,
            &format!("SELECT count(*) AS n FROM attempts WHERE attempt_id = '{last_id}'")
        ),
        "n\n0\n"
    );
}

#[test]
fn item2_an_unclosed_quote_counts_every_row_it_swallows() {
    let wd = setup();
    let mut lines = sample_lines("tasks_2026-11-16.csv", 6);
    // Row 2 (line 3) loses the closing quote of its patient name; the next quote in
    // the file (row 3's name) closes it, so row 3 vanishes into the field.
    let close = lines[2].match_indices('"').nth(1).unwrap().0;
    lines[2].remove(close);
    wd.write("exports/p001/tasks_2026-11-16.csv", joined(&lines));
    let r = run(&wd, &["ingest"]);
    let (read, _, quarantined, _) = totals(&r);
    assert_eq!(read, 6, "read counts the rows a person counts\n{r}");
    assert_eq!(quarantined, 2, "{r}");
    has(
        &r,
        "tasks_2026-11-16.csv line 3, column `Patient Name`: unclosed quote: the quoted field opened in this row is not closed before line 4 and swallowed 1 row(s)",
    );
    has(
        &r,
        "tasks_2026-11-16.csv line 4: swallowed by an unclosed quote: the quote left open on line 3",
    );
    // Both rows are in the quarantine file, each under its own line.
    let q = wd.read("quarantine/p001/tasks_2026-11-16.csv.quarantine.csv");
    assert!(q.contains(&field(&lines[3], 0)), "{q}");
    // A name never reaches the terminal.
    let name = lines[3].split('"').nth(1).unwrap();
    lacks(&r, name);
}

#[test]
fn item3_cr_only_line_ends_are_read_with_true_line_numbers() {
    let wd = setup();
    let mut lines = sample_lines("calls_2026-11-16.csv", 6);
    lines[4] = set_field(&lines[4], 8, "Beamed Up");
    let text: String = lines.iter().map(|l| format!("{l}\r")).collect();
    wd.write("exports/p001/calls_2026-11-16.csv", text);
    let r = run(&wd, &["ingest"]);
    assert_eq!(totals(&r).0, 6, "{r}");
    has(
        &r,
        "calls_2026-11-16.csv line 5, column `Result`: unmapped value for outcome",
    );
    lacks(&r, "line 1,");
}

#[test]
fn item4_a_byte_order_mark_inside_the_file_never_reaches_a_key() {
    let wd = setup();
    // Two call exports concatenated: the second keeps its BOM and header line.
    let a = sample_lines("calls_2026-11-16.csv", 3);
    let b = sample_lines("calls_2026-11-09.csv", 3);
    assert!(b[0].starts_with('\u{feff}'));
    let text = format!("{}{}", joined(&a), joined(&b)).replace('\n', "\r\n");
    wd.write("exports/p001/calls_2026-11-16.csv", text);
    let r = run(&wd, &["ingest"]);
    assert_eq!(totals(&r), (6, 6, 0, 0), "{r}");
    has(&r, "the header line is repeated at line(s) 5");
    assert_eq!(
        query(&wd, "SELECT count(*) AS n FROM calls WHERE call_id LIKE '%\u{feff}%' OR call_id NOT LIKE 'C-%'"),
        "n\n0\n"
    );
}

/// The first `n` objects of a sample JSON export.
fn sample_objects(name: &str, n: usize) -> Vec<serde_json::Value> {
    let v: Vec<serde_json::Value> = serde_json::from_slice(&sample_bytes(name)).unwrap();
    v.into_iter().take(n).collect()
}

fn array(objs: &[serde_json::Value]) -> String {
    let items: Vec<String> = objs.iter().map(|o| o.to_string()).collect();
    format!("[\n{}\n]\n", items.join(",\n"))
}

#[test]
fn item5_json_after_the_array_is_read_or_quarantined_never_dropped() {
    let wd = setup();
    let a = sample_objects("appointments_2026-11-16.json", 3);
    let b = sample_objects("appointments_2026-11-09.json", 3);
    // Two arrays back to back: both read.
    wd.write(
        "exports/p001/appointments_2026-11-16.json",
        format!("{}{}", array(&a), array(&b)),
    );
    // Text after the array: quarantined with its line.
    wd.write(
        "exports/p001/appointments_2026-11-17.json",
        format!("{}{{\"apptId\": \"A-x\"}}\nand then some\n", array(&a)),
    );
    let r = run(&wd, &["ingest"]);
    let (read, _, quarantined, _) = totals(&r);
    assert_eq!((read, quarantined), (3 + 3 + 3 + 2, 2), "{r}");
    has(
        &r,
        "appointments_2026-11-17.json line 6: a JSON value after the end of the array",
    );
    has(
        &r,
        "appointments_2026-11-17.json line 7: text after the end of the JSON array is not JSON",
    );
}

#[test]
fn item7_a_symlinked_export_is_read_and_a_broken_one_refused_by_name() {
    let wd = setup();
    let lines = sample_lines("tasks_2026-11-16.csv", 4);
    wd.write("elsewhere/tasks.csv", joined(&lines));
    std::os::unix::fs::symlink(
        wd.path("elsewhere/tasks.csv"),
        wd.path("exports/p001/tasks_2026-11-16.csv"),
    )
    .unwrap();
    std::os::unix::fs::symlink(
        wd.path("elsewhere/gone.csv"),
        wd.path("exports/p001/tasks_2026-11-17.csv"),
    )
    .unwrap();
    // A link to a folder above it is not walked (it would never end).
    std::os::unix::fs::symlink(wd.path("exports"), wd.path("exports/p001/again")).unwrap();
    let c = run(&wd, &["check"]);
    has(
        &c,
        "p001/tasks_2026-11-16.csv: profile sample-tasks -> tasks: 4 row(s)",
    );
    has(
        &c,
        "p001/tasks_2026-11-17.csv: unreadable: a symbolic link whose target does not exist",
    );
    let r = run(&wd, &["ingest"]);
    has(&r, "1 file(s) ingested");
    assert_eq!(totals(&r).0, 4, "{r}");
    has(
        &r,
        "error: p001/tasks_2026-11-17.csv: a symbolic link whose target does not exist",
    );
    // The link's own path names the practice (the target is outside any practice folder).
    assert_eq!(
        query(
            &wd,
            "SELECT count(*) AS n FROM tasks WHERE practice_id = 'p001'"
        )
        .lines()
        .nth(1)
        .map(|n| n != "0"),
        Some(true)
    );
    wd.run_code(&["ingest", "--strict"], 1);
}

#[test]
fn item8_a_blank_updated_names_its_column() {
    let wd = setup();
    let text = String::from_utf8(sample_bytes("patients_2026-11-16.ndjson")).unwrap();
    let mut lines: Vec<serde_json::Value> = text
        .lines()
        .take(3)
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    lines[1]["updated"] = serde_json::Value::String(String::new());
    let text: String = lines.iter().map(|l| format!("{l}\n")).collect();
    wd.write("exports/p001/patients_2026-11-16.ndjson", text);
    let r = run(&wd, &["ingest"]);
    has(
        &r,
        "patients_2026-11-16.ndjson line 2, column `updated`: missing updated_at",
    );
}

#[test]
fn item9_impossible_values_are_quarantined_with_a_reason() {
    let wd = setup();
    let mut lines = sample_lines("calls_2026-11-16.csv", 8);
    lines[1] = set_field(&lines[1], 7, "-5");
    lines[2] = set_field(&lines[2], 7, "12345678901");
    lines[3] = set_field(&lines[3], 7, "99999999999999999999");
    // Ends at midnight, before it starts in the morning.
    lines[4] = set_field(&lines[4], 6, "11/16/2026 12:00:00 AM");
    lines[5] = set_field(&lines[5], 4, "01/01/1900 12:00:00 AM");
    lines[6] = set_field(&lines[6], 4, "01/01/0001 12:00:00 AM");
    lines[7] = set_field(&lines[7], 0, "C-\u{0}1");
    wd.write("exports/p001/calls_2026-11-16.csv", joined(&lines));
    // JSON: an object where the id belongs, a BOM inside an id.
    let mut a = sample_objects("appointments_2026-11-16.json", 3);
    a[0]["apptId"] = serde_json::json!({"id": "A-1"});
    a[1]["apptId"] = serde_json::Value::String("\u{feff}A-p001-1".into());
    wd.write("exports/p001/appointments_2026-11-16.json", array(&a));
    let r = run(&wd, &["ingest"]);
    let (read, stored, quarantined, _) = totals(&r);
    assert_eq!((read, quarantined), (11, 9), "{r}");
    assert_eq!(stored, 2, "{r}");
    for expected in [
        "calls_2026-11-16.csv line 2, column `Duration`: duration_s is negative",
        "calls_2026-11-16.csv line 3, column `Duration`: duration_s is more than a day",
        "calls_2026-11-16.csv line 4, column `Duration`: not a whole number",
        "calls_2026-11-16.csv line 5, column `End Time`: the call ends before it starts",
        "calls_2026-11-16.csv line 6, column `Start Time`: started_at is before the year 2000",
        "calls_2026-11-16.csv line 7, column `Start Time`: started_at is before the year 2000",
        "calls_2026-11-16.csv line 8, column `Call ID`: a NUL character inside the value for call_id",
        "appointments_2026-11-16.json line 2, column `apptId`: a JSON object or array where one value for appointment_id belongs",
        "appointments_2026-11-16.json line 3, column `apptId`: a byte-order mark (U+FEFF) inside the value for appointment_id",
    ] {
        has(&r, expected);
    }
}

#[test]
fn item9_a_duplicated_header_name_is_refused_naming_both_columns() {
    let wd = setup();
    let mut lines = sample_lines("tasks_2026-11-16.csv", 3);
    lines[0] = lines[0].replace("Last Updated", "Status");
    wd.write("exports/p001/tasks_2026-11-16.csv", joined(&lines));
    let r = run(&wd, &["ingest"]);
    has(
        &r,
        "error: p001/tasks_2026-11-16.csv: columns 12 and 18 are both named `Status` and profile `sample-tasks` reads that column",
    );
    let c = run(&wd, &["check"]);
    assert_eq!(c.code, 1, "{c}");
    has(&c, "columns 12 and 18 are both named `Status`");
}

#[test]
fn item10_instants_in_the_future_are_quarantined() {
    let wd = setup();
    let mut lines = sample_lines("tasks_2026-11-16.csv", 4);
    // The quoted "Surname, Given" name splits in two on a naive split: the naive
    // index of a column after it is one more than its own.
    assert!(lines[1..].iter().all(|l| l.contains('"')));
    lines[1] = set_field(&lines[1], 7, "2100-01-04 09:00");
    // Due in 2100: a placeholder, not a plan.
    lines[2] = set_field(&lines[2], 8, "2100-01-04 09:00");
    // Two days after the clock: beyond the one day of slack.
    lines[3] = set_field(&lines[3], 18, "2026-11-25 12:00:00");
    wd.write("exports/p001/tasks_2026-11-16.csv", joined(&lines));
    let r = run(&wd, &["ingest"]);
    assert_eq!(totals(&r).2, 3, "{r}");
    has(&r, "line 2, column `Created`: created_at is in the future (later than the run's clock plus 1 day(s)");
    has(
        &r,
        "line 3, column `Due`: due_at is more than 730 days ahead",
    );
    has(
        &r,
        "line 4, column `Last Updated`: updated_at is in the future",
    );
}

#[test]
fn item11_a_csv_without_its_header_leaks_no_value() {
    let wd = setup();
    let lines = sample_lines("tasks_2026-11-16.csv", 4);
    wd.write("exports/p001/tasks_2026-11-16.csv", joined(&lines[1..]));
    let first = &lines[1];
    let name = first.split('"').nth(1).unwrap().to_string();
    let mrn = field(first, 2);
    let after_name = first.split('"').nth(2).unwrap();
    let phone = after_name.split(',').nth(1).unwrap().to_string();
    let r = run(&wd, &["ingest"]);
    let c = run(&wd, &["check"]);
    for out in [&r, &c] {
        for phi in [
            &name,
            &mrn,
            &phone,
            &name.split(", ").next().unwrap().to_string(),
        ] {
            lacks(out, phi);
        }
        lacks(out, "unknown column");
        has(out, "line 1: the file's first line is not a header");
    }
    assert_eq!(
        totals(&r),
        (4, 0, 4, 0),
        "every line counted, the first too\n{r}"
    );
}

#[test]
fn item11_header_names_are_echoed_at_most_80_characters() {
    let wd = setup();
    let mut lines = sample_lines("tasks_2026-11-16.csv", 2);
    let long = "Remarks ".repeat(20);
    lines[0] = format!("{},{}", lines[0], long.trim());
    for l in &mut lines[1..] {
        l.push_str(",x");
    }
    wd.write("exports/p001/tasks_2026-11-16.csv", joined(&lines));
    let r = run(&wd, &["ingest"]);
    let shown = r
        .stderr
        .lines()
        .find(|l| l.contains("unknown column"))
        .unwrap_or_else(|| panic!("{r}"));
    let name = shown.split('`').nth(1).unwrap();
    assert_eq!(
        name.chars().count(),
        81,
        "80 characters and an ellipsis: {shown}"
    );
}

#[test]
fn item12_an_unmapped_value_is_shown_by_its_shape_not_as_written() {
    let wd = setup();
    let mut lines = sample_lines("tasks_2026-11-16.csv", 3);
    // A row whose fields shifted: the phone number landed in the task type.
    let phone = "978-280-2241";
    lines[1] = set_field(&lines[1], 6, phone);
    // (The name is quoted with a comma: field 6 of a naive split is Task Type.)
    assert!(lines[1].contains(phone) && lines[1].contains('"'));
    // A vendor code nobody mapped is still shown: it is what the profile needs.
    lines[2] = set_field(&lines[2], 6, "Vaccine Recall");
    wd.write("exports/p001/tasks_2026-11-16.csv", joined(&lines));
    let c = run(&wd, &["check"]);
    lacks(&c, phone);
    lacks(&c, "9782802241");
    has(&c, "unmapped value in `Task Type`: a value (10 digits, #");
    has(
        &c,
        "unmapped value in `Task Type`: \"Vaccine Recall\" (1 row(s))",
    );
    let r = run(&wd, &["ingest"]);
    lacks(&r, phone);
    // The quarantine (owner-only) keeps the value as written, to fix the row.
    let q = wd.read("quarantine/p001/tasks_2026-11-16.csv.quarantine.csv");
    assert!(q.contains(phone), "{q}");
    assert!(Path::new(&wd.path("quarantine")).is_dir());
}

#[test]
fn ingest_takes_the_same_lock_as_nightly() {
    let wd = setup();
    wd.write(
        "exports/p001/tasks_2026-11-16.csv",
        joined(&sample_lines("tasks_2026-11-16.csv", 2)),
    );
    std::fs::create_dir_all(wd.path("runs")).unwrap();
    // Hold the lock as a running nightly would.
    let lock = std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(wd.path("runs/followup.lock"))
        .unwrap();
    lock.try_lock().unwrap();
    let r = wd.run_code(&["ingest"], 1);
    assert!(
        r.stderr.contains("another followup run is writing outputs"),
        "{r}"
    );
    assert!(!wd.path("lake").exists(), "nothing written\n{r}");
    drop(lock);
    run(&wd, &["ingest"]);
}

#[test]
fn item6_twilio_chains_and_parent_cycles_are_all_accounted_for() {
    let wd = Workdir::new();
    let fixture = workdir::repo().join("tests/fixtures/formats");
    std::fs::copy(fixture.join("followup.toml"), wd.path("followup.toml")).unwrap();
    let text = std::fs::read_to_string(fixture.join("exports/p001/twilio_calls_2026-11-03.ndjson"))
        .unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    let leg = |sid: &str, parent: &str, status: &str| {
        let mut v = first.clone();
        v["sid"] = sid.into();
        v["parent_call_sid"] = parent.into();
        v["status"] = status.into();
        v["direction"] = "outbound-dial".into();
        format!("{v}\n")
    };
    // A transfer from a dialled leg (a grandchild of CA21), and two calls that
    // name each other as parent.
    let damaged = format!(
        "{text}{}{}{}",
        leg("CA9001", "CA22", "completed"),
        leg("CA9002", "CA9003", "completed"),
        leg("CA9003", "CA9002", "no-answer"),
    );
    wd.write("exports/p001/twilio_calls_2026-11-03.ndjson", damaged);
    let r = run(&wd, &["ingest"]);
    let line = r
        .stderr
        .lines()
        .find(|l| l.trim_start().starts_with("total"))
        .unwrap_or_else(|| panic!("{r}"));
    let n: Vec<u64> = line
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let (read, stored, quarantined, duplicates, merged) = (n[0], n[1], n[2], n[3], n[4]);
    assert_eq!(read, 4 + 3, "{r}");
    assert_eq!(read, stored + quarantined + duplicates + merged, "{r}");
    assert_eq!(quarantined, 2, "{r}");
    has(&r, "twilio_calls_2026-11-03.ndjson line 6, column `parent_call_sid`: call legs name each other as parent");
}
