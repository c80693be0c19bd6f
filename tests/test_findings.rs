//! `followup findings` on generated practices (issue 24, "done when"): a slip
//! planted through the config (one person off on Wednesday afternoons) is
//! reported with its span and its cause, and a practice with room to spare
//! (`sample --volume 0.4`) gives no finding, over several seeds.
//!
//! A morning surge of inbound calls (`sample --plant-calls`) and a category
//! routed to the overloaded referrals lane in some afternoons (`sample
//! --plant-route`) are planted together in one generated practice and found
//! with their causes.

mod workdir;

use workdir::Workdir;

/// 13 weeks of one practice at `volume`, with `edit` applied to the config,
/// generated and ingested; the findings as JSON.
fn findings(seed: &str, volume: &str, edit: impl Fn(String) -> String) -> serde_json::Value {
    findings_in(seed, volume, edit, &[]).1
}

/// `findings`, with more `sample` arguments (plants), and the work directory
/// (its lake) kept for more commands.
fn findings_in(
    seed: &str,
    volume: &str,
    edit: impl Fn(String) -> String,
    plants: &[&str],
) -> (Workdir, serde_json::Value) {
    let wd = Workdir::new();
    let cfg = std::fs::read_to_string(workdir::repo().join("followup.toml"))
        .unwrap()
        .replace("exports = \"sample_data/exports\"", "exports = \"exports\"");
    wd.write("followup.toml", edit(cfg));
    let mut args = vec![
        "sample",
        "--days",
        "91",
        "--start",
        "2026-08-24",
        "--seed",
        seed,
        "--out",
        "exports",
        "--no-mess",
        "--volume",
        volume,
        "-q",
    ];
    args.extend_from_slice(plants);
    wd.run(&args);
    let ingest = wd
        .command(&["ingest", "-q"])
        .env("FOLLOWUP_NOW", "2026-12-10")
        .output()
        .unwrap();
    assert!(ingest.status.success(), "{ingest:?}");
    let text = wd.run(&[
        "findings",
        "--from",
        "2026-08-24",
        "--to",
        "2026-11-22",
        "-q",
    ]);
    assert!(
        !text.stdout.contains("Riverside") && !text.stdout.contains('@'),
        "no practice or patient detail beyond ids: {}",
        text.stdout
    );
    let run = wd.run(&[
        "findings",
        "--from",
        "2026-08-24",
        "--to",
        "2026-11-22",
        "--json",
        "-q",
    ]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    // Deterministic: the same bytes again.
    let again = wd.run(&[
        "findings",
        "--from",
        "2026-08-24",
        "--to",
        "2026-11-22",
        "--json",
        "-q",
    ]);
    assert_eq!(run.stdout, again.stdout);
    (wd, v)
}

#[test]
fn a_wednesday_afternoon_roster_gap_is_found_and_named_and_a_calm_practice_has_none() {
    // bchen works Wednesday mornings only.
    let (wd, off) = findings_in(
        "1",
        "0.4",
        |c| {
            let from = "[defaults.roster.bchen]\nmon = [\"08:00-12:00\", \"13:00-17:00\"]\ntue = [\"08:00-12:00\", \"13:00-17:00\"]\nwed = [\"08:00-12:00\", \"13:00-17:00\"]";
            assert!(c.contains(from));
            c.replace(
                from,
                &from.replace(
                    "wed = [\"08:00-12:00\", \"13:00-17:00\"]",
                    "wed = [\"08:00-12:00\"]",
                ),
            )
        },
        &[],
    );
    let found = off[0]["findings"].as_array().unwrap();
    assert!(!found.is_empty(), "{off:#}");
    for f in found {
        assert_eq!(f["days"], "Wed", "{f:#}");
        assert!(f["from_hour"].as_u64().unwrap() >= 13, "{f:#}");
        let first = &f["causes"][0];
        assert_eq!(first["kind"], "roster_gap", "{f:#}");
        assert_eq!(first["named"], true, "{f:#}");
        assert!(first["span"].as_f64().unwrap() < first["baseline"].as_f64().unwrap());
        // Priced: one assistant in the span predicts more within target.
        let va = f["fixes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|x| {
                x["remedy"]
                    .as_str()
                    .unwrap()
                    .starts_with("1 virtual assistant Wed")
            })
            .expect("an assistant for the span");
        assert!(
            va["predicted"].as_f64().unwrap() > va["measured"].as_f64().unwrap(),
            "{va:#}"
        );
        assert!(va["gap"].is_number(), "the calibration gap beside it");
    }

    // The findings lead the weekly report's "What needs attention", each
    // linked to its cells in the staffing heatmap, outlined there.
    let anchor = found[0]["anchor"].as_str().unwrap();
    assert_eq!(anchor, "heatmap-p001-wed-14-15");
    let report = wd
        .command(&["report", "--week", "2026-W47", "-q"])
        .env("FOLLOWUP_NOW", "2026-12-10")
        .output()
        .unwrap();
    assert!(report.status.success(), "{report:?}");
    let md = wd.read("reports/2026-W47/report.md");
    let attention = md.split("## What needs attention\n\n").nth(1).unwrap();
    let first = attention.lines().next().unwrap();
    assert!(
        first.starts_with("- Missed call slips Wed 14:00–15:00")
            || first.starts_with("- New patient request slips Wed 14:00–15:00"),
        "labelled, first: {attention}"
    );
    assert!(attention.contains(
        "  - best fix priced: 1 virtual assistant Wed 14:00–15:00 on the front_desk lane"
    ));
    let html = wd.read("reports/2026-W47/report.html");
    assert_eq!(
        html.matches(&format!("href=\"#{anchor}\"")).count(),
        found.len(),
        "one link per finding"
    );
    assert_eq!(
        html.matches(&format!("<rect id=\"{anchor}\" class=\"finding\""))
            .count(),
        1,
        "one target in the inline heatmap"
    );
    // And `followup staffing` prints them, in its text and its summary.json.
    let staffing = wd.run(&[
        "staffing",
        "--from",
        "2026-08-24",
        "--to",
        "2026-11-22",
        "-q",
    ]);
    assert!(
        staffing.stdout.contains("\nBottleneck findings"),
        "{}",
        staffing.stdout
    );
    assert!(staffing
        .stdout
        .contains("- new_patient_request slips Wed 14:00–15:00"));
    let summary: serde_json::Value =
        serde_json::from_str(&wd.read("reports/staffing/summary.json")).unwrap();
    assert_eq!(summary[0]["findings"]["findings"], off[0]["findings"]);
    assert!(wd
        .read("reports/staffing/heatmap.svg")
        .contains(&format!("<rect id=\"{anchor}\"")));

    // Room to spare, nothing planted: no finding, over three seeds.
    for seed in ["1", "2", "3"] {
        let calm = findings(seed, "0.4", |c| c);
        assert!(calm[0]["tried"].as_u64().unwrap() >= 30, "{calm:#}");
        assert_eq!(
            calm[0]["findings"],
            serde_json::json!([]),
            "seed {seed}: {calm:#}"
        );
    }
}

/// The names of `f`'s named causes, in order.
fn named(f: &serde_json::Value) -> Vec<&str> {
    f["causes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["named"] == true)
        .map(|c| c["kind"].as_str().unwrap())
        .collect()
}

#[test]
fn a_morning_call_surge_and_an_afternoon_misrouting_are_found_with_their_causes() {
    // Both plants in one practice (a busier one than the calm practice, so
    // that a weekday-morning hour has enough missed calls to test): on Mon and
    // Tue 09:00–12:00 sixty times the front-desk line's calls (extra calls
    // with no task behind them: they take time, not add callback work); on
    // Wed and Thu 13:00–17:00 the new-patient requests land in the referrals
    // lane, whose one afternoon person is busy with referral work.
    let (_wd, v) = findings_in(
        "1",
        "0.7",
        |c| c,
        &[
            "--plant-calls",
            "Mon-Tue 09:00-12:00 60",
            "--plant-route",
            "Wed-Thu 13:00-17:00 new_patient_request referrals",
        ],
    );
    let found = v[0]["findings"].as_array().unwrap();
    let at = |f: &serde_json::Value| {
        (
            f["category"].as_str().unwrap().to_string(),
            f["days"].as_str().unwrap().to_string(),
            f["from_hour"].as_u64().unwrap(),
            f["to_hour"].as_u64().unwrap(),
        )
    };

    // The surge: missed calls slip over its whole span, and the inbound load
    // is named first, with its numbers against the other weekdays.
    let surge = found
        .iter()
        .find(|f| at(f) == ("missed_call".into(), "Mon–Tue".into(), 9, 12))
        .unwrap_or_else(|| panic!("missed_call Mon–Tue 09:00–12:00: {v:#}"));
    assert_eq!(named(surge)[0], "inbound_load", "{surge:#}");
    let load = &surge["causes"][0];
    assert!(load["span"].as_f64().unwrap() >= 0.6, "{load:#}");
    assert!(load["baseline"].as_f64().unwrap() <= 0.3, "{load:#}");
    assert_eq!(surge["baseline"], "on other weekdays at those hours");

    // The routing: new-patient requests slip in the afternoons it covers
    // (not at 13:00, when the referrals person is back from lunch with room),
    // and the routing is named first.
    let routed: Vec<&serde_json::Value> = found
        .iter()
        .filter(|f| f["category"] == "new_patient_request" && f["from_hour"].as_u64() >= Some(13))
        .collect();
    let days: Vec<&str> = routed.iter().map(|f| f["days"].as_str().unwrap()).collect();
    assert!(
        days.iter().any(|d| d.contains("Wed")) && days.iter().any(|d| d.contains("Thu")),
        "{v:#}"
    );
    for f in &routed {
        let d = f["days"].as_str().unwrap();
        assert!(d == "Wed" || d == "Thu" || d == "Wed–Thu", "{f:#}");
        assert!(f["to_hour"].as_u64().unwrap() <= 17, "{f:#}");
        assert_eq!(named(f)[0], "unrouted", "{f:#}");
        assert_eq!(
            f["causes"][0]["span"], 1.0,
            "every request of the span routed away"
        );
    }

    // Nothing else of the plants' hours: no finding on Mon–Tue afternoons or
    // Wed–Thu mornings.
    for f in found {
        let (_, d, from, _) = at(f);
        let planted = (d.contains("Mon") || d.contains("Tue")) && (9..12).contains(&from)
            || (d.contains("Wed") || d.contains("Thu")) && from >= 13;
        let mon_open = d == "Mon" && from == 8; // the weekend's backlog, unplanted
        assert!(planted || mon_open, "unplanted: {f:#}");
    }
}
