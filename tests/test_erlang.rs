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

/// Settings not given come from the config's [staffing] when there is one
/// (here the repository's followup.toml: 80% in 20 s, shrinkage 0.30,
/// occupancy ≤ 0.85), and the output says so; options win; with none, the
/// built-in defaults (no shrinkage, no cap); a named config that is missing
/// is an error.
#[test]
fn takes_unset_settings_from_the_config() {
    let base = [
        "erlang",
        "--calls",
        "33.2",
        "--interval",
        "1h",
        "--aht",
        "256s",
    ];
    let wd = Workdir::new();
    let none = wd.run(&base);
    assert!(none.stdout.contains("no config found"), "{none}");
    assert!(
        none.stdout.contains("shrinkage      0.00 (default)"),
        "{none}"
    );
    assert!(
        none.stdout.contains("scheduled        5 (shrinkage 0%)"),
        "{none}"
    );
    let missing = wd.run_code(&[&base[..], &["--config", "nope.toml"]].concat(), 2);
    assert!(missing.stderr.contains("nope.toml"), "{missing}");

    std::fs::copy(
        workdir::repo().join("followup.toml"),
        wd.path("followup.toml"),
    )
    .unwrap();
    let conf = wd.run(&base);
    for line in [
        "settings         followup.toml, practice p001",
        "  answer within  20 s (config)",
        "  service level  0.80 target (config)",
        "  shrinkage      0.30 (config)",
        "  max occupancy  0.85 (config)",
        "agents           5",
        "scheduled        8 (shrinkage 30%)",
    ] {
        assert!(conf.stdout.contains(line), "{line}\n{conf}");
    }
    let flag = wd.run(&[&base[..], &["--shrinkage", "0.5", "--json"]].concat());
    let v: serde_json::Value = serde_json::from_str(&flag.stdout).unwrap();
    assert_eq!(v["settings"]["shrinkage"]["from"], "option", "{flag}");
    assert_eq!(v["settings"]["max_occupancy"]["from"], "config", "{flag}");
    assert_eq!(v["scheduled"], 10, "{flag}");

    let help = wd.run(&["erlang", "--help"]);
    assert!(
        help.stdout
            .contains("[default: the config's staffing.shrinkage, else 0]"),
        "{help}"
    );
}
