//! The option / config / default merge of `followup erlang`, on small inputs.

use super::*;
use clap::Parser;
use std::path::Path;

#[derive(Parser)]
struct T {
    #[command(flatten)]
    a: Args,
}

fn args(extra: &[&str]) -> Args {
    let mut v = vec![
        "erlang",
        "--calls",
        "33",
        "--interval",
        "1h",
        "--aht",
        "256s",
    ];
    v.extend(extra);
    T::try_parse_from(v).unwrap().a
}

/// A config with two practices; `p002` overrides `[staffing]` with `p002`.
fn config(p002: &str) -> Config {
    let text = format!(
        r#"
[defaults]
timezone = "America/New_York"
[defaults.hours]
mon = ["08:00-12:00"]
[defaults.categories.missed_call]
target = "30m"
max_attempts = 3
script = "MC-1"
voicemail = "Please call us back."
[defaults.lanes.front]
categories = ["missed_call"]
owners = ["amy"]
[defaults.staffing]
answer_within = "30s"
shrinkage = 0.25
[[practices]]
id = "p001"
name = "One"
[[practices]]
id = "p002"
name = "Two"
{p002}
"#
    );
    Config::from_str(&text, Path::new("/etc/followup/test.toml")).unwrap()
}

fn opt(value: f64) -> Setting {
    Setting {
        value,
        from: Source::Option,
    }
}
fn conf(value: f64) -> Setting {
    Setting {
        value,
        from: Source::Config,
    }
}
fn default(value: f64) -> Setting {
    Setting {
        value,
        from: Source::Default,
    }
}

#[test]
fn without_a_config_the_defaults_are_80_in_20_s_no_shrinkage_no_cap() {
    let s = settings(&args(&[]), None);
    assert_eq!(
        s,
        Settings {
            answer_within_s: default(20.0),
            service_level: Some(default(0.8)),
            shrinkage: default(0.0),
            max_occupancy: Some(default(1.0)),
        }
    );
}

#[test]
fn the_config_fills_what_the_options_leave_and_options_win() {
    let c = config("");
    let (st, ids) = practice_staffing(&c, None).unwrap();
    assert_eq!(ids, ["p001", "p002"]);
    // Keys not written take the config's documented defaults (0.8, 0.85).
    assert_eq!(
        settings(&args(&[]), Some(st)),
        Settings {
            answer_within_s: conf(30.0),
            service_level: Some(conf(0.8)),
            shrinkage: conf(0.25),
            max_occupancy: Some(conf(0.85)),
        }
    );
    let a = args(&["--shrinkage", "0", "--service-level", "0.9"]);
    assert_eq!(
        settings(&a, Some(st)),
        Settings {
            answer_within_s: conf(30.0),
            service_level: Some(opt(0.9)),
            shrinkage: opt(0.0),
            max_occupancy: Some(conf(0.85)),
        }
    );
}

#[test]
fn fixed_agents_use_no_target_and_no_cap() {
    let s = settings(&args(&["--agents", "5"]), None);
    assert_eq!((s.service_level, s.max_occupancy), (None, None));
    assert_eq!(s.shrinkage, default(0.0));
    // Options that would not be used are refused, not ignored.
    for extra in [["--service-level", "0.8"], ["--max-occupancy", "0.9"]] {
        let mut v = vec!["erlang", "--calls", "1", "--interval", "1h", "--aht", "1m"];
        v.extend(["--agents", "5"]);
        v.extend(extra);
        assert!(T::try_parse_from(v).is_err(), "{extra:?}");
    }
}

#[test]
fn practices_that_differ_need_practice() {
    let c = config("staffing.shrinkage = 0.4");
    let e = practice_staffing(&c, None).unwrap_err().0;
    assert!(e.contains("--practice") && e.contains("p001, p002"), "{e}");
    let (st, ids) = practice_staffing(&c, Some("p002")).unwrap();
    assert_eq!((st.shrinkage, ids), (0.4, vec!["p002"]));
    let e = practice_staffing(&c, Some("p009")).unwrap_err().0;
    assert!(e.contains("p009") && e.contains("p001, p002"), "{e}");
    // A difference the inbound line does not use is no reason to ask.
    let c = config("staffing.max_va_hours = 10");
    assert!(practice_staffing(&c, None).is_ok());
}

#[test]
fn bad_options_name_the_option() {
    for (extra, name) in [
        (["--shrinkage", "1.5"], "--shrinkage"),
        (["--max-occupancy", "0"], "--max-occupancy"),
        (["--service-level", "80"], "--service-level"),
    ] {
        let a = args(&extra);
        let e = check(&a, &settings(&a, None)).unwrap_err().0;
        assert!(e.contains(name), "{e}");
    }
}
