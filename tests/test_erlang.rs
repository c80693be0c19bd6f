//! `followup erlang` against the published values in ../shared/reference/erlang.md.

mod workdir;

use workdir::Workdir;

#[test]
fn sizes_the_call_center_tools_example() {
    let wd = Workdir::new();
    let run = wd.run(&[
        "erlang",
        "--calls",
        "1000",
        "--interval",
        "1h",
        "--aht",
        "120s",
        "--answer-within",
        "20s",
        "--service-level",
        "0.8",
        "--shrinkage",
        "0.3",
        "--max-occupancy",
        "0.85",
        "--json",
    ]);
    let v: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        (v["agents"].as_u64(), v["scheduled"].as_u64()),
        (Some(40), Some(58)),
        "{run}"
    );
    assert!(
        (v["p_wait"].as_f64().unwrap() - 0.1907).abs() < 1e-4,
        "{run}"
    );
    assert!(
        (v["service_level"].as_f64().unwrap() - 0.9372).abs() < 1e-4,
        "{run}"
    );
}

#[test]
fn evaluates_fixed_agents_and_erlang_a() {
    let wd = Workdir::new();
    let run = wd.run(&[
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
        "11",
    ]);
    assert!(run.stdout.contains("P(wait)          0.6821"), "{run}");
    assert!(run.stdout.contains("service level    0.3896"), "{run}");
    let run = wd.run(&[
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
        "11",
        "--patience",
        "60s",
    ]);
    assert!(run.stdout.contains("P(abandon)"), "{run}");
    let bad = wd.run_code(
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
            "--service-level",
            "80",
        ],
        2,
    );
    assert!(bad.stderr.contains("fraction"), "{bad}");
}
