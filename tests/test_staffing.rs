//! `followup staffing` on the sample data: it finds the afternoon shortfall the
//! sample was built with, its recommendation replayed as `--add` what-ifs reaches
//! the target, outputs are deterministic and carry no identifiers; and `--add`
//! errors name the token at fault. The replay itself is checked by hand-worked
//! fixtures in src/staffing/replay_tests.rs.

mod workdir;

use std::collections::BTreeMap;
use workdir::Workdir;

fn rows(text: &str) -> Vec<BTreeMap<String, String>> {
    workdir::csv_rows(text)
}

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

fn num(v: &serde_json::Value) -> f64 {
    v.as_f64().unwrap_or(f64::NAN)
}

#[test]
fn finds_the_afternoon_shortfall_and_its_recommendation_replays_to_target() {
    let wd = sample();
    wd.run(&["ingest", "--quiet"]);
    let run = wd.run(&["staffing", "--out", "out", "--json"]);
    let summary: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let p = &summary[0];
    let target = num(&p["target_share"]);
    assert_eq!(target, 0.9);
    erlang_agrees_on_the_busiest_hour(&wd);

    // The shortfall: afternoon callback load against capacity, front desk and referrals.
    let work = rows(&wd.read("out/staffing_workload.csv"));
    let ratio = |lane: &str, hours: &[i64]| {
        let (mut w, mut c) = (0.0, 0.0);
        for r in work.iter().filter(|r| r["lane"] == lane) {
            if hours.contains(&r["hour"].parse::<i64>().unwrap()) {
                w += r["workload_minutes_per_week"].parse::<f64>().unwrap();
                c += r["capacity_minutes_per_week"].parse::<f64>().unwrap();
            }
        }
        w / c
    };
    for lane in ["front_desk", "referrals"] {
        let (am, pm) = (ratio(lane, &[9, 10, 11]), ratio(lane, &[14, 15]));
        assert!(
            pm > 1.0 && pm > 3.0 * am,
            "{lane}: morning {am}, afternoon {pm}"
        );
    }
    let cats: BTreeMap<String, &serde_json::Value> = p["categories"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["category"].as_str().unwrap().to_string(), c))
        .collect();
    assert!(num(&cats["new_patient_request"]["measured"]) < target);
    // The model's check: all categories together, the replay of the roster as
    // worked is within 5 points of the measured share.
    let cal = &p["calibration"];
    assert!(
        (num(&cal["measured"]) - num(&cal["replayed"])).abs() < 0.05,
        "{cal}"
    );
    for c in cats.values() {
        assert!(c["gap"].is_number(), "a gap beside every prediction: {c}");
    }
    // Issue 23 §4: replayed in the team's learned order, every category is
    // within 10 points of its measured share or flagged beside its prediction;
    // on the sample one at most is flagged, and none is off by 15.
    let mut flagged = Vec::new();
    for (name, c) in &cats {
        let gap = num(&c["gap"]).abs();
        assert!(gap <= 0.15, "{name}: {c}");
        assert_eq!(c["off_calibration"].as_bool(), Some(gap > 0.10), "{name}");
        if gap > 0.10 {
            flagged.push(name.clone());
        }
    }
    assert!(flagged.len() <= 1, "{flagged:?}");
    one_roster_covers_the_line_and_the_callbacks(p, hours_of(p));
    let policy = rows(&wd.read("out/staffing_policy.csv"));
    let npr = policy
        .iter()
        .find(|r| r["lane"] == "front_desk" && r["category"] == "new_patient_request")
        .expect("the front desk's new-patient waits were learned");
    assert!(
        npr["tasks_routine"].parse::<u32>().unwrap() >= 20,
        "{npr:?}"
    );

    // The recommendation reaches the goal in replay …
    assert_eq!(p["recommendation_reaches_target"], true, "{p}");
    let hours = p["recommended_va_hours_per_week"].as_u64().unwrap();
    assert!(hours > 0 && hours <= 200);
    let skip: Vec<&str> = p["below_target_not_for_lack_of_hours"]
        .as_array()
        .unwrap()
        .iter()
        .chain(p["licensed_below_target"].as_array().unwrap())
        .map(|v| v.as_str().unwrap())
        .collect();
    // Issue 23: shifts of a configured length (4 h or 8 h by default), starting
    // on the hour, no hour with more added assistants than the cap, and every
    // category not named below the goal is predicted at or above it.
    let shifts = p["shifts"].as_array().unwrap();
    assert!(!shifts.is_empty(), "{p}");
    let mut paid = 0;
    for s in shifts {
        assert!([4, 8].contains(&s["paid_hours"].as_u64().unwrap()), "{s}");
        assert!(s["start"].as_str().unwrap().ends_with(":00"), "{s}");
        paid += s["paid_hours_per_week"].as_u64().unwrap();
    }
    assert_eq!(paid, hours, "the shifts are the paid hours");
    let cap = p["max_assistants_per_hour"].as_u64().unwrap();
    let mut per_hour: BTreeMap<(String, String), u64> = BTreeMap::new();
    for r in rows(&wd.read("out/staffing_recommendation.csv")) {
        *per_hour
            .entry((r["weekday"].clone(), r["hour"].clone()))
            .or_default() += r["va_hours_per_week"].parse::<u64>().unwrap();
    }
    assert!(per_hour.values().all(|&n| n <= cap), "{per_hour:?}");
    let below: Vec<&str> = p["below_goal_with_plan"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["category"].as_str().unwrap())
        .collect();
    for (name, c) in &cats {
        if !below.contains(&name.as_str()) {
            assert!(
                num(&c["recommended_predicted"]) >= target - 1e-9,
                "{name}: {c}"
            );
        }
    }
    // Issue 23 §3: the cost is the paid hours at the configured rate …
    let rate = num(&p["va_hourly_rate"]);
    assert!(rate > 0.0, "the sample config sets a rate: {p}");
    let cost = &p["cost"];
    assert_eq!(cost["paid_hours_per_week"].as_u64(), Some(hours));
    assert!(
        (num(&cost["per_week"]) - hours as f64 * rate).abs() < 0.005,
        "{cost}"
    );
    assert!(
        (num(&cost["per_month"]) - hours as f64 * rate * 4.33).abs() < 0.005,
        "{cost}"
    );
    // … the plan empties the week's close of the backlog it helps with …
    for (name, c) in &cats {
        let (worked, plan) = (
            num(&c["backlog_week_close"]),
            num(&c["backlog_week_close_with_plan"]),
        );
        assert!(plan <= worked + 1e-9, "{name}: {worked} → {plan}");
    }
    // … a day without the assistants is replayed for every business weekday,
    // never better than the full plan …
    let absence = p["absence"].as_array().unwrap();
    let days: Vec<&str> = absence
        .iter()
        .map(|a| a["weekday"].as_str().unwrap())
        .collect();
    assert_eq!(days, ["Mon", "Tue", "Wed", "Thu", "Fri"]);
    for a in absence {
        assert!(num(&a["lost_within_target_per_week"]) >= 0.0, "{a}");
        if a["plan_hours_missing"].as_u64().unwrap() > 0 {
            assert!(
                num(&a["backlog_day_close_absent"]) >= num(&a["backlog_day_close_full_plan"]),
                "{a}"
            );
        }
        for c in a["categories"].as_array().unwrap() {
            assert!(
                num(&c["predicted_absent"]) <= num(&c["predicted_full"]) + 1e-9,
                "{}: {c}",
                a["weekday"]
            );
        }
    }
    assert!(days.contains(&p["absence_hurts_most"].as_str().unwrap()));
    // … and the vendor's scope of work lists every shift and no licensed work.
    let scope = wd.read("out/scope-of-work.md");
    for line in p["recommended_shifts"].as_array().unwrap() {
        assert!(scope.contains(line.as_str().unwrap()), "{line} in\n{scope}");
    }
    for needle in [
        "clinical_question",
        "Clinical question",
        "`clinical`",
        "RN-1",
    ] {
        assert!(!scope.contains(needle), "{needle} in\n{scope}");
    }
    for needle in [
        "`referral`",
        "REF-1",
        "Referral coordinator, ext. 214",
        "Office manager, ext. 201",
    ] {
        assert!(scope.contains(needle), "{needle} in\n{scope}");
    }

    // … and replaying it as what-ifs gives the same, goal-reaching result.
    let specs: Vec<String> = p["recommendation_as_add"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    assert!(!specs.is_empty());
    let mut args = vec!["staffing", "--out", "out2", "--json"];
    for s in &specs {
        args.extend(["--add", s.as_str()]);
    }
    let again: serde_json::Value = serde_json::from_str(&wd.run(&args).stdout).unwrap();
    for c in again[0]["categories"].as_array().unwrap() {
        let name = c["category"].as_str().unwrap();
        assert_eq!(c["whatif_predicted"], c["recommended_predicted"], "{name}");
        if !skip.contains(&name) {
            assert!(num(&c["whatif_predicted"]) >= target - 1e-9, "{name}: {c}");
        }
    }

    // Deterministic: tables that do not depend on --add are the same bytes.
    for f in [
        "staffing_blocks.csv",
        "staffing_recommendation.csv",
        "staffing_inbound.csv",
        "staffing_workload.csv",
        "staffing_handle_times.csv",
        "staffing_absence.csv",
        "heatmap.svg",
        "scope-of-work.md",
    ] {
        assert_eq!(
            wd.read(&format!("out/{f}")),
            wd.read(&format!("out2/{f}")),
            "{f}"
        );
    }
    // Every output is aggregate: no task, patient or phone identifier.
    for (path, bytes) in wd.snapshot("out") {
        let text = String::from_utf8_lossy(&bytes);
        for needle in ["T-p001-", "patient_key", "phone_key"] {
            assert!(!text.contains(needle), "{path} contains {needle}");
        }
    }
    for f in [
        "staffing_categories.parquet",
        "staffing_backlog.csv",
        "heatmap.png",
        "assumptions.md",
        "summary.json",
    ] {
        assert!(wd.path(&format!("out/{f}")).exists(), "{f}");
    }
    assert!(wd.read("out/assumptions.md").contains("after-call work"));
}

/// `followup erlang` with the config's [staffing] gives the busiest hour of
/// the inbound line the agents and scheduled agents `followup staffing` gives it
/// (issue 23: before, erlang assumed no shrinkage and no occupancy cap).
fn hours_of(p: &serde_json::Value) -> u64 {
    p["recommended_va_hours_per_week"].as_u64().unwrap()
}

/// Issue 23 §2: the roster's phones are the inbound line's scheduled agents of
/// the block, phone assistants are what the line staff do not cover, and the
/// callback assistants are the plan's shifts hour by hour.
fn one_roster_covers_the_line_and_the_callbacks(p: &serde_json::Value, callback_hours: u64) {
    let roster = p["roster"].as_array().unwrap();
    let (mut phones, mut callbacks) = (0, 0);
    for r in roster {
        let n = |k: &str| r[k].as_u64().unwrap();
        assert_eq!(
            n("phone_assistants"),
            n("phones_scheduled").saturating_sub(n("line_staff")),
            "{r}"
        );
        phones += n("phone_assistants");
        callbacks += n("callback_assistants");
    }
    assert_eq!(
        callbacks, callback_hours,
        "the callback shifts, hour by hour"
    );
    assert_eq!(p["phone_assistant_hours_per_week"].as_u64(), Some(phones));
    // Bought as shifts of the configured lengths, at least the blocks' needs.
    let paid = p["phone_shift_hours_per_week"].as_u64().unwrap();
    assert!(paid >= phones, "{paid} < {phones}");
    let lines = p["phone_shifts"].as_array().unwrap();
    assert!(!lines.is_empty());
    for l in lines {
        let l = l.as_str().unwrap();
        assert!(l.contains("(4 h") || l.contains("(8 h"), "{l}");
    }
    // The sample's afternoon line is short: Monday 14:00 needs 8 scheduled
    // agents (as `followup erlang` agrees) with three line staff rostered.
    let mon14 = (roster.iter())
        .find(|r| r["weekday"] == "Mon" && r["hour"] == 14)
        .unwrap();
    assert_eq!(mon14["phones_scheduled"], 8, "{mon14}");
    assert_eq!(mon14["line_staff"], 3, "{mon14}");
    assert!(phones > 0);
}

fn erlang_agrees_on_the_busiest_hour(wd: &Workdir) {
    let inbound = rows(&wd.read("out/staffing_inbound.csv"));
    let mut busiest = &inbound[0];
    for r in &inbound {
        if r["calls_per_week"].parse::<f64>().unwrap()
            > busiest["calls_per_week"].parse::<f64>().unwrap()
        {
            busiest = r;
        }
    }
    let aht = format!("{}s", busiest["aht_s"]);
    let run = wd.run(&[
        "erlang",
        "--calls",
        &busiest["calls_per_week"],
        "--interval",
        "1h",
        "--aht",
        &aht,
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let (agents, scheduled) = (&busiest["agents"], &busiest["scheduled"]);
    assert_eq!(
        (v["agents"].to_string(), v["scheduled"].to_string()),
        (agents.clone(), scheduled.clone()),
        "{busiest:?}\n{run}"
    );
    for k in [
        "answer_within_s",
        "service_level_target",
        "shrinkage",
        "max_occupancy",
    ] {
        assert_eq!(v["settings"][k]["from"], "config", "{k}: {run}");
    }
    // The same hour as `followup staffing` prints it.
    let line = format!("{:0>2}:00 busiest {}:", busiest["hour"], busiest["weekday"]);
    let text = wd.read("out/staffing.txt");
    let printed = text.lines().find(|l| l.trim_start().starts_with(&line));
    assert!(
        printed.is_some_and(|l| l.contains(&format!("→ {agents} agent(s), {scheduled} scheduled"))),
        "{line} in\n{text}"
    );
}

#[test]
fn add_errors_name_the_token_and_exit_2() {
    let wd = sample();
    for (spec, token) in [
        ("Mon-Fry 13:00-17:00 referral 1", "`Fry`"),
        ("Mon 13:00-17:00 referal 1", "`referal`"),
        ("Mon 13:00 referral", "`13:00`"),
        ("Mon 13:00-17:00 referral lots", "`lots`"),
        ("Mon 13:00-17:00 clinical_question", "licensed"),
    ] {
        let run = wd.run_code(&["staffing", "--add", spec], 2);
        assert!(run.stderr.contains(token), "{spec}: {}", run.stderr);
    }
    let run = wd.run_code(&["staffing", "--target-share", "1.5"], 2);
    assert!(run.stderr.contains("--target-share"), "{}", run.stderr);
}
