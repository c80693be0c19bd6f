use super::*;

const BASE: &str = r#"
[paths]
lake = "lake"
[sources]
profiles = ["sample-calls"]
[defaults]
timezone = "America/New_York"
[defaults.hours]
mon = ["08:00-12:00", "13:00-17:00"]
[defaults.categories.missed_call]
target = "30m"
max_attempts = 3
script = "MC-1"
voicemail = "Please call us back."
[defaults.categories.clinical_question]
target = "4h"
max_attempts = 2
script = "RN-1"
voicemail = "Please call the nurse line."
licensed = true
[defaults.lanes.front]
categories = ["missed_call"]
owners = ["amy"]
[defaults.lanes.nurse]
categories = ["clinical_question"]
owners = ["ned"]
licensed = true
[[practices]]
id = "p001"
name = "One"
[[practices]]
id = "p002"
name = "Two"
timezone = "America/Chicago"
"#;

fn load(text: &str) -> Result<Config, ConfigError> {
    Config::from_str(text, Path::new("/etc/followup/test.toml"))
}

fn err(text: &str) -> String {
    load(text).unwrap_err().to_string()
}

#[test]
fn practices_inherit_defaults_and_override_them() {
    let c = load(BASE).unwrap();
    assert_eq!(c.practices.len(), 2);
    assert_eq!(c.practices[0].tz, chrono_tz::America::New_York);
    assert_eq!(c.practices[1].tz, chrono_tz::America::Chicago);
    assert_eq!(
        c.practices[1].categories["missed_call"].target,
        Target::Minutes(30)
    );
    assert_eq!(c.paths.lake, PathBuf::from("/etc/followup/lake"));
    assert_eq!(
        c.practices[0].lane_for("clinical_question").unwrap().name,
        "nurse"
    );
}

#[test]
fn unknown_time_zone_names_the_key() {
    let e = err(&BASE.replace("America/Chicago", "Mars/Olympus"));
    assert!(e.contains("practices[1].timezone"), "{e}");
    assert!(e.contains("IANA"), "{e}");
}

#[test]
fn category_worked_by_no_lane() {
    let e = err(&BASE.replace("categories = [\"missed_call\"]", "categories = []"));
    assert!(e.contains("categories.missed_call"), "{e}");
    assert!(e.contains("worked by no lane"), "{e}");
}

#[test]
fn clinical_questions_only_to_a_licensed_lane() {
    let text = BASE.replace(
        "categories = [\"missed_call\"]",
        "categories = [\"missed_call\", \"clinical_question\"]",
    );
    let e = err(&text);
    assert!(e.contains("needs licensed staff"), "{e}");
}

#[test]
fn overlapping_hours() {
    let e = err(&BASE.replace("\"13:00-17:00\"", "\"11:00-17:00\""));
    assert!(e.contains("hours.mon"), "{e}");
    assert!(e.contains("overlap"), "{e}");
}

#[test]
fn target_that_can_never_be_met() {
    let e = err(&BASE.replace("target = \"30m\"", "target = \"next_day 07:00\""));
    assert!(e.contains("categories.missed_call.target"), "{e}");
    assert!(e.contains("before the earliest opening (08:00)"), "{e}");
    let e = err(&BASE.replace("target = \"30m\"", "target = \"0m\""));
    assert!(e.contains("never be met"), "{e}");
}

#[test]
fn a_next_day_target_at_the_opening_is_accepted() {
    // Met by a call at 08:00 on the next business day (CONFIG.md).
    let toml = BASE.replace("target = \"30m\"", "target = \"next_day 08:00\"");
    assert!(load(&toml).is_ok(), "{:?}", load(&toml).err());
}

#[test]
fn unknown_keys_and_bad_values_are_named() {
    let e = err(&BASE.replace("max_attempts = 3", "max_attempts = 3\nmax_atempts = 4"));
    assert!(e.contains("max_atempts"), "{e}");
    let e = err(&BASE.replace("max_attempts = 3", "max_attempts = \"three\""));
    assert!(e.contains("categories.missed_call.max_attempts"), "{e}");
    let e = err(&BASE.replace("id = \"p002\"", "id = \"p001\""));
    assert!(e.contains("used twice"), "{e}");
}

#[test]
fn roster_must_cover_lane_owners() {
    let text = format!("{BASE}\n").replace(
        "[[practices]]\nid = \"p001\"",
        "[defaults.roster.amy]\nmon = [\"08:00-12:00\"]\n[[practices]]\nid = \"p001\"",
    );
    let e = err(&text);
    assert!(e.contains("owner `ned` has no roster entry"), "{e}");
}

#[test]
fn the_shipped_config_is_valid() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("followup.toml");
    let c = Config::load(&path).unwrap();
    assert_eq!(c.practices[0].id, "p001");
    assert!(c.practices[0].is_holiday(chrono::NaiveDate::from_ymd_opt(2026, 11, 26).unwrap()));
}

#[test]
fn staffing_keys_default_parse_and_name_the_key() {
    let c = load(BASE).unwrap();
    assert_eq!(c.practices[0].staffing, Staffing::default());
    let text = BASE.replace(
        "[[practices]]\nid = \"p001\"",
        "[defaults.staffing]\nhandle_time = \"5m\"\nafter_call_work = \"90s\"\nmax_va_hours = 40\nshrinkage = 0.25\n[[practices]]\nid = \"p001\"",
    );
    let s = &load(&text).unwrap().practices[1].staffing;
    assert_eq!((s.handle_time_s, s.after_call_work_s), (300.0, 90.0));
    assert_eq!((s.max_va_hours, s.shrinkage), (40, 0.25));
    let e = err(&text.replace("\"5m\"", "\"soon\""));
    assert!(
        e.contains("staffing.handle_time") && e.contains("`soon`"),
        "{e}"
    );
    let e = err(&text.replace("0.25", "1.5"));
    assert!(e.contains("staffing.shrinkage"), "{e}");
    let e = err(&text.replace("max_va_hours", "max_hours"));
    assert!(e.contains("max_hours"), "{e}");
    assert_eq!((s.va_hourly_rate, s.escalation.as_deref()), (None, None));
}

#[test]
fn a_rate_and_escalation_contacts_parse_and_a_bad_one_names_its_key() {
    let text = BASE
        .replace(
            "[[practices]]\nid = \"p001\"",
            "[defaults.staffing]\nva_hourly_rate = 15.5\nescalation = \" Office manager, ext. 201 \"\n[[practices]]\nid = \"p001\"",
        )
        .replace(
            "owners = [\"amy\"]",
            "owners = [\"amy\"]\nescalation = \"Front desk lead\"",
        );
    let p = &load(&text).unwrap().practices[0];
    assert_eq!(p.staffing.va_hourly_rate, Some(15.5));
    assert_eq!(
        p.staffing.escalation.as_deref(),
        Some("Office manager, ext. 201")
    );
    assert_eq!(
        p.lanes["front"].escalation.as_deref(),
        Some("Front desk lead")
    );
    assert_eq!(p.lanes["nurse"].escalation, None);
    for (from, to, key) in [
        ("15.5", "0", "staffing.va_hourly_rate"),
        ("15.5", "-3", "staffing.va_hourly_rate"),
        (
            "\" Office manager, ext. 201 \"",
            "\" \"",
            "staffing.escalation",
        ),
        ("\"Front desk lead\"", "\"\"", "lanes.front.escalation"),
    ] {
        let e = err(&text.replace(from, to));
        assert!(e.contains(key), "{to}: {e}");
    }
}

#[test]
fn a_config_folder_is_its_files_parent_or_the_current_folder() {
    use std::path::Path;
    assert_eq!(super::folder_of(Path::new("followup.toml")), Path::new("."));
    assert_eq!(
        super::folder_of(Path::new("site/followup.toml")),
        Path::new("site")
    );
    assert_eq!(
        super::folder_of(Path::new("/etc/followup.toml")),
        Path::new("/etc")
    );
}

#[test]
fn maturity_ages_default_cascade_and_name_the_key() {
    let c = load(BASE).unwrap();
    assert_eq!(
        c.practices[0].categories["missed_call"].maturity,
        Maturity::default()
    );
    // The practice's ages for every category; a category's over them, one by one.
    let text = BASE.replace(
        "[defaults.categories.clinical_question]",
        "[defaults.maturity]\nreached = \"2 business days\"\n\
         [defaults.categories.missed_call.maturity]\nbooked = \"14 days\"\n\
         [defaults.categories.clinical_question]",
    );
    let p = &load(&text).unwrap().practices[0];
    let (mc, cq) = (
        p.categories["missed_call"].maturity,
        p.categories["clinical_question"].maturity,
    );
    assert_eq!(
        (mc.reached, mc.booked),
        (Age::BusinessDays(2), Age::Days(14))
    );
    assert_eq!(
        (cq.reached, cq.booked),
        (Age::BusinessDays(2), Age::Days(7))
    );
    let e = err(&text.replace("\"14 days\"", "\"two weeks\""));
    assert!(
        e.contains("categories.missed_call.maturity.booked") && e.contains("`two weeks`"),
        "{e}"
    );
    let e = err(&text.replace("reached = ", "reach = "));
    assert!(e.contains("reach"), "{e}");
}

#[test]
fn a_category_label_defaults_to_the_name_in_words_and_a_practice_may_override_it() {
    let text = BASE.replace(
        "timezone = \"America/Chicago\"",
        "timezone = \"America/Chicago\"\n[practices.categories.missed_call]\nlabel = \" Missed calls to return \"",
    );
    let c = load(&text).unwrap();
    assert_eq!(
        c.practices[0].categories["missed_call"].label,
        "Missed call"
    );
    assert_eq!(
        c.practices[0].categories["clinical_question"].label,
        "Clinical question"
    );
    // The override merges over [defaults] like any category key; trimmed.
    assert_eq!(
        c.practices[1].categories["missed_call"].label,
        "Missed calls to return"
    );
    assert_eq!(
        c.practices[1].categories["missed_call"].target,
        Target::Minutes(30)
    );
    // Reports take the first practice's label; an unknown name reads in words.
    assert_eq!(c.category_label("missed_call"), "Missed call");
    assert_eq!(c.category_label("no_show_recovery"), "No show recovery");
    assert_eq!(default_label(""), "");
}

#[test]
fn a_category_label_is_one_non_empty_line() {
    for bad in ["\"\"", "\"  \"", "\"Missed\\ncall\""] {
        let text = BASE.replace(
            "script = \"MC-1\"",
            &format!("script = \"MC-1\"\nlabel = {bad}"),
        );
        let e = err(&text);
        assert!(
            e.contains("practices[0].categories.missed_call.label"),
            "{e}"
        );
        assert!(e.contains("one line of text"), "{e}");
    }
}

#[test]
fn report_min_n_defaults_to_ten_and_is_at_least_one() {
    assert_eq!(load(BASE).unwrap().report.min_n, 10);
    let text = BASE.replace("[sources]", "[report]\nmin_n = 3\n[sources]");
    assert_eq!(load(&text).unwrap().report.min_n, 3);
    let e = err(&BASE.replace("[sources]", "[report]\nmin_n = 0\n[sources]"));
    assert!(e.contains("report.min_n"), "{e}");
    let e = err(&BASE.replace("[sources]", "[report]\nmin_count = 3\n[sources]"));
    assert!(e.contains("min_count"), "{e}");
}
