//! `followup report` on the sample data: files, self-contained HTML, the afternoon
//! slip finding, determinism, and a scan of every output for PHI from the input.

mod workdir;

use std::collections::BTreeSet;
use workdir::{assert_same, Workdir};

/// One report on the sample data, shared by the tests that only read it.
fn shared() -> &'static Workdir {
    static WD: std::sync::OnceLock<Workdir> = std::sync::OnceLock::new();
    WD.get_or_init(reported)
}

fn reported() -> Workdir {
    let wd = Workdir::new();
    workdir::copy_dir(
        &workdir::repo().join("sample_data"),
        &wd.path("sample_data"),
    );
    workdir::copy_dir(&workdir::repo().join("queries"), &wd.path("queries"));
    std::fs::copy(
        workdir::repo().join("followup.toml"),
        wd.path("followup.toml"),
    )
    .unwrap();
    wd.run(&["ingest", "--quiet"]);
    wd.run(&["report", "--week", "2026-W47", "--out", "out"]);
    wd
}

/// Files a reader opens: the report and its charts (not the metrics tables).
fn outputs(wd: &Workdir) -> Vec<(String, String)> {
    wd.snapshot("out/2026-W47")
        .into_iter()
        .filter(|(p, _)| {
            !p.starts_with("metrics/") && !p.ends_with(".png") && !p.ends_with(".parquet")
        })
        .map(|(p, b)| (p, String::from_utf8(b).expect("text output")))
        .collect()
}

#[test]
fn report_is_complete_self_contained_and_names_the_afternoon_slip() {
    let wd = shared();
    let html = wd.read("out/2026-W47/report.html");
    let md = wd.read("out/2026-W47/report.md");
    assert!(html.starts_with("<!DOCTYPE html>") && html.trim_end().ends_with("</html>"));
    for tag in ["section", "table", "figure", "svg", "ul"] {
        let open = html.matches(&format!("<{tag}")).count();
        let close = html.matches(&format!("</{tag}>")).count();
        assert_eq!(open, close, "unbalanced <{tag}>");
    }
    // Self-contained: no fetch of any kind. The SVG namespace is a name, not a request.
    let stripped = html
        .replace("http://www.w3.org/2000/svg", "")
        .replace("http://www.w3.org/1999/xlink", "");
    for bad in ["http://", "https://", " src=", "href=", "url(", "@import"] {
        assert!(!stripped.contains(bad), "report.html contains `{bad}`");
    }
    // Every chart named in the Markdown exists as PNG and SVG.
    let pngs: Vec<&str> = md
        .split("](charts/")
        .skip(1)
        .map(|s| s.split(')').next().unwrap())
        .collect();
    assert!(pngs.len() >= 4 * 10 + 5, "{} charts", pngs.len());
    for p in &pngs {
        assert!(wd.path(&format!("out/2026-W47/charts/{p}")).exists(), "{p}");
        assert!(
            wd.path(&format!(
                "out/2026-W47/charts/{}",
                p.replace(".png", ".svg")
            ))
            .exists(),
            "{p}"
        );
    }
    for needle in [
        "Headline numbers",
        "What needs attention",
        "The 20 longest waits",
        "Daily review",
        "Data quality",
        "Category: referral",
    ] {
        assert!(
            md.contains(needle) && html.contains(needle),
            "missing {needle}"
        );
    }
    // The sample was built with new-patient callbacks slipping after 14:00.
    let slip = md
        .lines()
        .find(|l| l.starts_with("- new_patient_request:"))
        .expect("afternoon slip finding");
    assert!(slip.contains("from 14:00"), "{slip}");
    let pcts: Vec<u32> = slip
        .split('%')
        .filter_map(|s| s.rsplit(' ').next()?.parse().ok())
        .collect();
    assert!(pcts.len() >= 2 && pcts[0] + 20 <= pcts[1], "{slip}");
}

/// A second run on the same lake writes the same bytes (into its own folder, so
/// the shared report is read, not rebuilt: the end-to-end run happens once).
#[test]
fn same_input_same_report() {
    let wd = shared();
    wd.run(&["report", "--week", "2026-W47", "--out", "again"]);
    assert_same(
        &wd.snapshot("again"),
        &wd.snapshot("out"),
        "report on a second run",
    );
}

#[test]
fn no_phi_in_any_report_output() {
    let wd = shared();
    let exports = workdir::repo().join("sample_data/exports/p001");
    let mut names = BTreeSet::new();
    let mut digits = BTreeSet::new();
    let mut ids = BTreeSet::new();
    let mut notes = BTreeSet::new();
    for e in std::fs::read_dir(&exports).unwrap() {
        let p = e.unwrap().path();
        let text = String::from_utf8_lossy(&std::fs::read(&p).unwrap()).into_owned();
        let name = p.file_name().unwrap().to_string_lossy().into_owned();
        if name.starts_with("patients_") {
            for line in text.lines() {
                let v: serde_json::Value = serde_json::from_str(line).unwrap();
                let (f, l) = (
                    v["first_name"].as_str().unwrap(),
                    v["last_name"].as_str().unwrap(),
                );
                names.insert(format!("{f} {l}"));
                names.insert(format!("{l}, {f}"));
                ids.insert(v["mrn"].as_str().unwrap().to_string());
                digits.insert(
                    v["phone"]
                        .as_str()
                        .unwrap()
                        .chars()
                        .filter(char::is_ascii_digit)
                        .collect::<String>(),
                );
            }
        } else if name.starts_with("activity_") {
            let mut r = csv::ReaderBuilder::new()
                .flexible(true)
                .from_reader(text.as_bytes());
            for rec in r.records().flatten() {
                // Long notes only: a short one ("unable to reach") is also ordinary report wording.
                if let Some(n) = rec.get(8).filter(|n| n.len() >= 20) {
                    notes.insert(n.to_string());
                }
            }
        }
    }
    assert!(names.len() > 100 && digits.len() > 100 && notes.len() > 10);
    // Keyed hashes identify a person too: none may appear.
    let keys = wd.run(&[
        "query",
        "--format",
        "csv",
        "SELECT DISTINCT patient_key FROM tasks WHERE patient_key IS NOT NULL",
    ]);
    let keys: Vec<&str> = keys.stdout.lines().skip(1).collect();
    assert!(!keys.is_empty());
    let outs = outputs(wd);
    assert!(outs.len() > 40, "{} outputs", outs.len());
    for (file, text) in &outs {
        for n in &names {
            assert!(!text.contains(n.as_str()), "{file} contains a patient name");
        }
        for id in ids.iter().chain(notes.iter()) {
            assert!(
                !text.contains(id.as_str()),
                "{file} contains an identifier or a note"
            );
        }
        for k in &keys {
            assert!(!text.contains(k), "{file} contains a patient key");
        }
        // Any run of 10+ digits that is a patient's phone number.
        let runs: Vec<String> = text
            .split(|c: char| !c.is_ascii_digit())
            .filter(|r| r.len() >= 10)
            .map(str::to_string)
            .collect();
        for r in runs {
            assert!(
                !digits
                    .iter()
                    .any(|d| d.ends_with(&r) || r.ends_with(d.as_str())),
                "{file} contains a phone number"
            );
        }
    }
}

/// The committed sample report is what the code renders today (UPDATE_SNAPSHOTS=1 rewrites it).
#[test]
fn committed_sample_report_is_current() {
    let wd = shared();
    for file in ["report.md", "report.html"] {
        let got = wd.read(&format!("out/2026-W47/{file}"));
        let path = workdir::repo().join("reports/2026-W47").join(file);
        if std::env::var_os("UPDATE_SNAPSHOTS").is_some() {
            std::fs::write(&path, &got).unwrap();
            continue;
        }
        let want = std::fs::read_to_string(&path).unwrap();
        assert!(got == want, "reports/2026-W47/{file} is stale; regenerate with `followup report` (or UPDATE_SNAPSHOTS=1)");
    }
}
