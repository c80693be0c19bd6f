//! Task facts on small hand-built inputs: each case of the attempt rule, the
//! appointment rule and the open questions docs/METRICS.md decides, worked by hand.
//! The practice is the repository's (America/New_York, Mon–Fri 08:00–12:00 and
//! 13:00–17:00; new_patient_request: 30m, 3 attempts, 1 business day apart, final
//! channel sms). The range is Mon 2026-11-30 to Fri 2026-12-11.

use super::*;
use crate::model::load::{strs, times, Inputs};
use chrono::TimeZone as _;
use polars::prelude::{AnyValue, Column, DataType, NamedFrom, NewChunkedArray, Series};

fn config() -> Config {
    Config::from_str(
        include_str!("../../followup.toml"),
        std::path::Path::new("followup.toml"),
    )
    .unwrap()
}

/// Local wall-clock time in the practice's zone ("12-01 09:30", year 2026), as µs.
fn at(s: &str) -> i64 {
    let t = chrono::NaiveDateTime::parse_from_str(&format!("2026-{s}"), "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::America::New_York
        .from_local_datetime(&t)
        .unwrap()
        .timestamp_micros()
}

fn strings(name: &str, v: Vec<Option<&str>>) -> Column {
    Series::new(name.into(), v).into()
}

/// A task: (id, phone_key, created, status, closed, appointment_id).
type Task<'a> = (
    &'a str,
    Option<&'a str>,
    &'a str,
    &'a str,
    Option<&'a str>,
    Option<&'a str>,
);
/// An attempt row: (task, at, channel, direction, outcome).
type Row<'a> = (&'a str, &'a str, Option<&'a str>, &'a str, &'a str);
/// A call: (id, phone_key, at, direction, outcome).
type Call<'a> = (&'a str, &'a str, &'a str, &'a str, &'a str);
/// An appointment: (id, task, created, start, status).
type Appt<'a> = (&'a str, Option<&'a str>, &'a str, &'a str, &'a str);

fn inputs(tasks: &[Task], rows: &[Row], calls: &[Call], appts: &[Appt]) -> Inputs {
    let n = tasks.len();
    let p = |n: usize| strings("practice_id", vec![Some("p001"); n]);
    let t = DataFrame::new(
        n,
        vec![
            p(n),
            strings("task_id", tasks.iter().map(|t| Some(t.0)).collect()),
            strings("patient_key", vec![None; n]),
            strings("phone_key", tasks.iter().map(|t| t.1).collect()),
            strings("category", vec![Some("new_patient_request"); n]),
            strings("lane", vec![Some("front_desk"); n]),
            strings("owner", vec![Some("amartin"); n]),
            strings("priority", vec![Some("routine"); n]),
            strings("status", tasks.iter().map(|t| Some(t.3)).collect()),
            ts_col("status_at", tasks.iter().map(|t| t.4.map(at)).collect()).unwrap(),
            ts_col("closed_at", tasks.iter().map(|t| t.4.map(at)).collect()).unwrap(),
            ts_col("callback_at", vec![None; n]).unwrap(),
            strings("barrier", vec![None; n]),
            strings("appointment_id", tasks.iter().map(|t| t.5).collect()),
            ts_col("created_at", tasks.iter().map(|t| Some(at(t.2))).collect()).unwrap(),
            ts_col("updated_at", tasks.iter().map(|t| Some(at(t.2))).collect()).unwrap(),
        ],
    )
    .unwrap();
    let m = rows.len();
    let a = DataFrame::new(
        m,
        vec![
            p(m),
            strings("task_id", rows.iter().map(|r| Some(r.0)).collect()),
            ts_col("at", rows.iter().map(|r| Some(at(r.1))).collect()).unwrap(),
            strings("channel", rows.iter().map(|r| r.2).collect()),
            strings("direction", rows.iter().map(|r| Some(r.3)).collect()),
            strings("outcome", rows.iter().map(|r| Some(r.4)).collect()),
            strings("note", vec![Some("no answer, will retry tomorrow"); m]),
        ],
    )
    .unwrap();
    let k = calls.len();
    let mut calls: Vec<Call> = calls.to_vec();
    calls.sort_by_key(|c| (at(c.2), c.0));
    let c = DataFrame::new(
        k,
        vec![
            p(k),
            strings("call_id", calls.iter().map(|c| Some(c.0)).collect()),
            strings("phone_key", calls.iter().map(|c| Some(c.1)).collect()),
            ts_col("started_at", calls.iter().map(|c| Some(at(c.2))).collect()).unwrap(),
            strings("direction", calls.iter().map(|c| Some(c.3)).collect()),
            strings("outcome", calls.iter().map(|c| Some(c.4)).collect()),
        ],
    )
    .unwrap();
    let j = appts.len();
    let ap = DataFrame::new(
        j,
        vec![
            p(j),
            strings("appointment_id", appts.iter().map(|a| Some(a.0)).collect()),
            strings("patient_key", vec![None; j]),
            ts_col("created_at", appts.iter().map(|a| Some(at(a.2))).collect()).unwrap(),
            ts_col("start_at", appts.iter().map(|a| Some(at(a.3))).collect()).unwrap(),
            strings("status", appts.iter().map(|a| Some(a.4)).collect()),
            strings("task_id", appts.iter().map(|a| a.1).collect()),
            ts_col("updated_at", appts.iter().map(|a| Some(at(a.2))).collect()).unwrap(),
        ],
    )
    .unwrap();
    Inputs {
        tasks: t,
        attempts: a,
        calls: c,
        appointments: ap,
        tasks_closed_current: None,
    }
}

/// The facts of every task, as text by (task, column).
fn facts(inputs: &Inputs) -> impl Fn(&str, &str) -> String {
    let config = config();
    let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let w = crate::model::day::window(&config, d("2026-11-30"), d("2026-12-11"), None);
    let cals = Calendars::new(&config, w, &["p001"]);
    let f = build(&config, &cals, inputs, w).unwrap().df;
    move |task: &str, column: &str| {
        let ids = strs(&f, "task_id").unwrap();
        let i = ids.iter().position(|t| *t == Some(task)).expect("task");
        if matches!(f.column(column).unwrap().dtype(), DataType::Datetime(..)) {
            return times(&f, column).unwrap()[i]
                .map(|us| {
                    chrono::DateTime::from_timestamp_micros(us)
                        .unwrap()
                        .with_timezone(&chrono_tz::America::New_York)
                        .format("%m-%d %H:%M")
                        .to_string()
                })
                .unwrap_or_default();
        }
        match f.column(column).unwrap().get(i).unwrap() {
            AnyValue::Null => String::new(),
            AnyValue::String(s) => s.to_string(),
            AnyValue::StringOwned(s) => s.to_string(),
            v => v.to_string(),
        }
    }
}

#[test]
fn a_call_log_attempt_sooner_than_the_gap_is_flagged_early() {
    // Row Mon 09:10 and the call it records at 09:05: one attempt at 09:05. A call
    // at 14:00 with no row: the second attempt, the same business day → early.
    let f = facts(&inputs(
        &[("T1", Some("K1"), "11-30 09:00", "open", None, None)],
        &[("T1", "11-30 09:10", Some("phone"), "outbound", "no_answer")],
        &[
            ("C1", "K1", "11-30 09:05", "outbound", "no_answer"),
            ("C2", "K1", "11-30 14:00", "outbound", "no_answer"),
        ],
        &[],
    ));
    assert_eq!(f("T1", "attempts"), "2");
    assert_eq!(f("T1", "first_attempt_at"), "11-30 09:05");
    assert_eq!(f("T1", "first_attempt_source"), "call_log");
    assert_eq!(f("T1", "early_attempt"), "true");
}

#[test]
fn a_task_worked_only_by_phone_has_its_final_channel_judged() {
    // Three call-log calls a business day apart: the third is the rule's last
    // attempt, by phone where sms is approved.
    let f = facts(&inputs(
        &[("T1", Some("K1"), "11-30 09:00", "open", None, None)],
        &[],
        &[
            ("C1", "K1", "11-30 09:30", "outbound", "no_answer"),
            ("C2", "K1", "12-01 09:30", "outbound", "no_answer"),
            ("C3", "K1", "12-02 09:30", "outbound", "no_answer"),
        ],
        &[],
    ));
    assert_eq!(f("T1", "attempts"), "3");
    assert_eq!(f("T1", "final_channel_ok"), "false");
    assert_eq!(f("T1", "early_attempt"), "false");
    assert_eq!(f("T1", "over_max_attempts"), "false");
}

#[test]
fn counting_stops_at_the_first_contact_from_either_source() {
    // Mon phone (row + its call), Tue sms, Wed a connected call with no row (the
    // patient is reached), Thu an email: follow-up, not an attempt.
    let f = facts(&inputs(
        &[("T1", Some("K1"), "11-30 09:00", "open", None, None)],
        &[
            ("T1", "11-30 10:00", Some("phone"), "outbound", "no_answer"),
            ("T1", "12-01 10:00", Some("sms"), "outbound", "sent"),
            ("T1", "12-03 10:00", Some("email"), "outbound", "sent"),
        ],
        &[
            ("C1", "K1", "11-30 09:58", "outbound", "no_answer"),
            ("C2", "K1", "12-02 10:00", "outbound", "connected"),
        ],
        &[],
    ));
    assert_eq!(f("T1", "attempts"), "3");
    assert_eq!(f("T1", "reached"), "true");
    assert_eq!(f("T1", "first_contact_at"), "12-02 10:00");
}

#[test]
fn an_inbound_reply_that_reached_the_patient_is_a_contact() {
    let f = facts(&inputs(
        &[("T1", Some("K1"), "11-30 09:00", "open", None, None)],
        &[
            ("T1", "11-30 10:00", Some("sms"), "outbound", "sent"),
            ("T1", "11-30 11:30", Some("sms"), "inbound", "callback_set"),
        ],
        &[],
        &[],
    ));
    assert_eq!(f("T1", "reached"), "true");
    assert_eq!(f("T1", "first_contact_at"), "11-30 11:30");
    assert_eq!(f("T1", "attempts"), "1");
}

#[test]
fn a_closed_day_counts_as_the_business_day_after_it() {
    // Fri → Sat is 1 business day apart (not early); Sat → Mon is 0 (early).
    let f = facts(&inputs(
        &[
            ("T1", None, "12-04 09:00", "open", None, None),
            ("T2", None, "12-04 09:00", "open", None, None),
        ],
        &[
            ("T1", "12-04 16:00", Some("email"), "outbound", "sent"),
            ("T1", "12-05 10:00", Some("email"), "outbound", "sent"),
            ("T2", "12-05 10:00", Some("email"), "outbound", "sent"),
            ("T2", "12-07 09:00", Some("email"), "outbound", "sent"),
        ],
        &[],
        &[],
    ));
    assert_eq!(f("T1", "early_attempt"), "false");
    assert_eq!(f("T2", "early_attempt"), "true");
}

#[test]
fn the_appointment_that_stands_for_a_booking() {
    let f = facts(&inputs(
        &[
            // Its own appointment was entered in error; two others name it.
            (
                "T1",
                None,
                "11-30 09:00",
                "scheduled",
                Some("12-01 10:00"),
                Some("A-err"),
            ),
            // Names an appointment the lake does not hold.
            (
                "T2",
                None,
                "11-30 09:00",
                "scheduled",
                Some("12-01 10:00"),
                Some("A-missing"),
            ),
            // No appointment.
            ("T3", None, "11-30 09:00", "open", None, None),
            // A visit that happened.
            (
                "T4",
                None,
                "11-30 09:00",
                "scheduled",
                Some("11-30 10:00"),
                None,
            ),
            // Only an entered-in-error appointment.
            (
                "T5",
                None,
                "11-30 09:00",
                "scheduled",
                Some("11-30 10:00"),
                Some("A-err2"),
            ),
            // A no-show before as of.
            (
                "T6",
                None,
                "11-30 09:00",
                "scheduled",
                Some("11-30 10:00"),
                Some("A-ns"),
            ),
        ],
        &[],
        &[],
        &[
            (
                "A-err",
                Some("T1"),
                "11-30 12:00",
                "12-03 09:00",
                "entered-in-error",
            ),
            ("A-c", Some("T1"), "11-30 13:00", "12-03 09:00", "cancelled"),
            ("A-b", Some("T1"), "12-01 10:00", "12-15 09:00", "booked"),
            ("A-f", Some("T4"), "11-30 10:00", "12-02 09:00", "fulfilled"),
            (
                "A-err2",
                None,
                "11-30 10:00",
                "12-02 09:00",
                "entered-in-error",
            ),
            ("A-ns", None, "11-30 10:00", "12-02 09:00", "noshow"),
        ],
    ));
    let row = |t: &str| ["booked", "appointment_id", "appointment_status", "kept"].map(|c| f(t, c));
    // A planned visit outranks a cancelled one; it starts after as of: kept empty.
    assert_eq!(row("T1"), ["true", "A-b", "booked", ""]);
    assert_eq!(row("T2"), ["true", "A-missing", "", ""]);
    assert_eq!(row("T3"), ["false", "", "", ""]);
    assert_eq!(row("T4"), ["true", "A-f", "fulfilled", "true"]);
    assert_eq!(row("T5"), ["false", "", "", ""]);
    assert_eq!(row("T6"), ["true", "A-ns", "noshow", "false"]);
}

#[test]
fn a_message_counts_only_from_the_tasks_creation() {
    let f = facts(&inputs(
        &[
            ("T1", None, "12-01 09:00", "open", None, None),
            ("T2", None, "12-01 09:00", "open", None, None),
        ],
        &[
            // Logged on T1 the day before it was created.
            (
                "T1",
                "11-30 15:00",
                Some("phone"),
                "outbound",
                "left_message",
            ),
            (
                "T2",
                "12-01 10:00",
                Some("phone"),
                "outbound",
                "left_message",
            ),
        ],
        &[],
        &[],
    ));
    assert_eq!(f("T1", "left_message"), "false");
    assert_eq!(f("T1", "attempts"), "0");
    assert_eq!(f("T2", "left_message"), "true");
}

/// The store answers a narrower window (same end and *as of*) from a wider
/// build: the facts of the tasks created in it are those a build over the
/// narrower window gives, and a left-out task still open into it makes the
/// store build anew.
#[test]
fn a_narrower_window_from_a_wider_build_gives_the_same_facts() {
    use crate::model::store::{narrowed, Built};
    let config = config().restricted_to(&["p001"]);
    let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    let wide = crate::model::day::window(&config, d("2026-11-30"), d("2026-12-11"), None);
    let narrow = crate::model::day::window(&config, d("2026-12-07"), d("2026-12-11"), None);
    let cals = Calendars::new(&config, wide, &["p001"]);
    let rows: &[Row] = &[
        ("old", "12-02 09:10", Some("phone"), "outbound", "no_answer"),
        (
            "new1",
            "12-08 09:10",
            Some("phone"),
            "outbound",
            "no_answer",
        ),
        ("new2", "12-09 10:05", Some("phone"), "outbound", "reached"),
    ];
    let calls: &[Call] = &[
        ("c1", "ph1", "12-02 09:05", "outbound", "no_answer"),
        ("c2", "ph1", "12-08 09:05", "outbound", "no_answer"),
        ("c3", "ph1", "12-08 14:00", "outbound", "no_answer"),
        ("c4", "ph1", "12-09 10:00", "outbound", "connected"),
        ("c5", "ph1", "12-10 11:00", "inbound", "connected"),
    ];
    let tasks = |closed_status: &'static str| -> Vec<Task<'static>> {
        vec![
            (
                "old",
                Some("ph1"),
                "11-30 09:00",
                closed_status,
                Some("12-02 10:00"),
                None,
            ),
            ("open1", Some("ph1"), "12-01 09:00", "open", None, None),
            ("new1", Some("ph1"), "12-08 09:00", "open", None, None),
            (
                "new2",
                Some("ph1"),
                "12-09 09:30",
                "completed",
                Some("12-09 11:00"),
                Some("a1"),
            ),
        ]
    };
    let appts: &[Appt] = &[(
        "a1",
        Some("new2"),
        "12-09 10:10",
        "12-10 09:00",
        "fulfilled",
    )];
    let in_range = |f: &Facts| {
        let mask = polars::prelude::BooleanChunked::from_slice("r".into(), &f.in_range);
        f.df.filter(&mask).unwrap()
    };
    let wide_built = |closed_status| {
        let inputs = inputs(&tasks(closed_status), rows, calls, appts);
        let facts = build(&config, &cals, &inputs, wide).unwrap();
        std::sync::Arc::new(Built {
            practice: "p001".into(),
            w: wide,
            inputs,
            facts,
        })
    };

    let b = wide_built("completed");
    let n = narrowed(&b, narrow)
        .unwrap()
        .expect("a wider build covers it");
    let (narrow_inputs, keep) = b.inputs.narrowed(narrow).unwrap();
    assert_eq!(keep, [false, true, true, true]);
    let direct = build(&config, &cals, &narrow_inputs, narrow).unwrap();
    let got = in_range(&n.facts);
    assert_eq!(got.height(), 2);
    assert!(
        got.equals_missing(&in_range(&direct)),
        "{got}\n{}",
        in_range(&direct)
    );

    // Closed in the export but open by its status: its calls reach into the
    // narrower window, so the store does not narrow.
    let b = wide_built("open");
    assert!(narrowed(&b, narrow).unwrap().is_none());
    // The same window is the build itself.
    assert!(narrowed(&b, wide).unwrap().is_some());
}

#[test]
fn outcomes_at_a_fixed_age_are_empty_until_the_age_has_passed() {
    // As of the end of Fri 12-11. new_patient_request's ages are the defaults:
    // reached 3 business days, completed 5 business days, booked 7 days, kept 30 days.
    let f = facts(&inputs(
        &[
            // Mon 11-30: reached Fri (after Thu's close), closed Fri (before Mon
            // 12-07's close), booked Fri (by the end of Mon 12-07).
            (
                "T1",
                None,
                "11-30 09:00",
                "completed",
                Some("12-04 11:00"),
                None,
            ),
            // Wed 12-09: reached the same day, but its 3 business days end Mon 12-14.
            ("T2", None, "12-09 09:00", "open", None, None),
            // Thu 11-05: booked the next day for a visit on 11-20, missed.
            ("T3", None, "11-05 09:00", "open", None, None),
            // Thu 11-05: booked on 11-20 for a visit on 12-20 (after its 30 days).
            ("T4", None, "11-05 09:00", "open", None, None),
        ],
        &[
            ("T1", "12-04 10:00", Some("phone"), "outbound", "reached"),
            ("T2", "12-09 10:00", Some("phone"), "outbound", "reached"),
        ],
        &[],
        &[
            ("A1", Some("T1"), "12-04 11:00", "12-08 09:00", "fulfilled"),
            ("A3", Some("T3"), "11-06 10:00", "11-20 09:00", "noshow"),
            ("A4", Some("T4"), "11-20 10:00", "12-20 09:00", "booked"),
        ],
    ));
    let cols = [
        "reached",
        "reached_in_age",
        "completed_in_age",
        "booked_at",
        "booked_in_age",
        "visit_in_age",
        "kept_in_age",
    ];
    let row = |t: &str| cols.map(|c| f(t, c));
    assert_eq!(
        row("T1"),
        ["true", "false", "true", "12-04 11:00", "true", "", ""]
    );
    assert_eq!(row("T2"), ["true", "", "", "", "", "", ""]);
    assert_eq!(
        row("T3"),
        [
            "false",
            "false",
            "false",
            "11-06 10:00",
            "true",
            "true",
            "false"
        ]
    );
    assert_eq!(
        row("T4"),
        [
            "false",
            "false",
            "false",
            "11-20 10:00",
            "false",
            "false",
            ""
        ]
    );
}
