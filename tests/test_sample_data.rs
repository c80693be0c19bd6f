//! The bundled sample data end to end, the generator's determinism, and a corrupted
//! copy of a real export.

mod workdir;

use workdir::{assert_same, Workdir};

/// A work directory with the repository's config and a copy of sample_data/.
fn sample() -> Workdir {
    let wd = Workdir::new();
    workdir::copy_dir(
        &workdir::repo().join("sample_data"),
        &wd.path("sample_data"),
    );
    std::fs::copy(
        workdir::repo().join("followup.toml"),
        wd.path("followup.toml"),
    )
    .unwrap();
    wd
}

fn total(stderr: &str) -> Vec<u64> {
    let line = stderr
        .lines()
        .find(|l| l.trim_start().starts_with("total"))
        .expect("total line");
    line.split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect()
}

#[test]
fn sample_data_ingests_with_exactly_its_deliberate_mess_quarantined() {
    let wd = sample();
    let run = wd.run(&["ingest"]);
    let t = total(&run.stderr);
    assert_eq!(t.len(), 4, "{run}");
    assert_eq!(
        t[0],
        t[1] + t[2] + t[3],
        "read = stored + quarantined + duplicates\n{run}"
    );
    assert_eq!(t[2], 6, "the sample holds six malformed rows\n{run}");
    assert!(
        t[3] > 0,
        "the duplicated export counts as duplicates\n{run}"
    );
    for reason in [
        "truncated row",
        "not valid UTF-8",
        "unmapped value for outcome",
        "not a phone number",
        "missing required value for task_id",
        "unparsable timestamp",
    ] {
        assert!(run.stderr.contains(reason), "no `{reason}`\n{run}");
    }
    // One file per partition however many weekly exports fed it.
    let files: Vec<String> = wd.snapshot("lake").into_iter().map(|(p, _)| p).collect();
    let parquet: Vec<&String> = files.iter().filter(|p| p.ends_with(".parquet")).collect();
    let mut dirs: Vec<String> = parquet
        .iter()
        .map(|p| p.rsplit_once('/').unwrap().0.to_string())
        .collect();
    dirs.dedup();
    assert_eq!(
        dirs.len(),
        parquet.len(),
        "a partition holds more than one file: {parquet:?}"
    );
    // Five tables and the history of two (tasks, appointments).
    assert!(
        parquet.len() <= 7 * 5,
        "13 weeks span at most 5 months per table: {parquet:?}"
    );
    assert!(
        parquet.iter().any(|p| p.starts_with("_versions/tasks/")),
        "no task history: {parquet:?}"
    );

    let lake = wd.snapshot("lake");
    let again = wd.run(&["ingest"]);
    assert!(again.stderr.contains("0 file(s) ingested"), "{again}");
    assert_same(&wd.snapshot("lake"), &lake, "lake after a second ingest");
}

#[test]
fn a_corrupted_copy_quarantines_exactly_its_broken_rows() {
    let wd = sample();
    let dir = wd.path("sample_data/exports/p001");
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("tasks_") && !n.contains(' '))
        .collect();
    names.sort();
    let text = std::fs::read_to_string(dir.join(&names[1])).unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    assert!(lines.len() > 40);
    // Line numbers are 1-based with the header on line 1.
    let status_col = lines[0].split(',').position(|h| h == "Status").unwrap();
    lines[9] = lines[9].replacen("2026-", "2026/", 1); // an unparsable Created on line 10
    let mut f: Vec<String> = csv_fields(&lines[19]);
    f[status_col] = "Parked".into();
    lines[19] = csv_join(&f); // an unmapped status on line 20
    lines[29] = lines[29].split(',').take(2).collect::<Vec<_>>().join(","); // truncated line 30
    let corrupted = lines.join("\n") + "\n";
    // Ingest only the corrupted copy, into an empty lake.
    let exports = wd.path("sample_data/exports");
    std::fs::remove_dir_all(&exports).unwrap();
    wd.write("sample_data/exports/p001/tasks_corrupted.csv", &corrupted);
    let run = wd.run(&["ingest"]);
    let q = wd.read("quarantine/p001/tasks_corrupted.csv.quarantine.csv");
    let quarantined: Vec<(String, String)> = csv::Reader::from_reader(q.as_bytes())
        .records()
        .map(|r| {
            let r = r.unwrap();
            (r[1].to_string(), r[2].to_string())
        })
        .collect();
    assert_eq!(
        quarantined,
        vec![
            ("10".into(), "Created".into()),
            ("20".into(), "Status".into()),
            ("30".into(), "".into())
        ],
        "{run}"
    );
    assert!(
        q.contains("unparsable timestamp")
            && q.contains("unmapped value for status")
            && q.contains("expected 18 fields"),
        "{q}"
    );
    let t = total(&run.stderr);
    assert_eq!((t[0], t[2]), (lines.len() as u64 - 1, 3), "{run}");
}

fn csv_fields(line: &str) -> Vec<String> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(line.as_bytes());
    r.records()
        .next()
        .unwrap()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect()
}

fn csv_join(fields: &[String]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(vec![]);
    w.write_record(fields).unwrap();
    String::from_utf8(w.into_inner().unwrap())
        .unwrap()
        .trim_end()
        .to_string()
}

#[test]
fn same_seed_same_bytes() {
    let wd = Workdir::new();
    std::fs::copy(
        workdir::repo().join("followup.toml"),
        wd.path("followup.toml"),
    )
    .unwrap();
    for out in ["a", "b"] {
        wd.run(&["sample", "--days", "10", "--seed", "42", "--out", out]);
    }
    assert_same(
        &wd.snapshot("a"),
        &wd.snapshot("b"),
        "two sample runs with one seed",
    );
    wd.run(&["sample", "--days", "10", "--seed", "43", "--out", "c"]);
    assert_ne!(
        wd.snapshot("a"),
        wd.snapshot("c"),
        "another seed gave the same data"
    );
}
