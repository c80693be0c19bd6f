use super::*;
use crate::config::Config;
use chrono::{NaiveDate, TimeZone};
use proptest::prelude::*;

fn practice() -> Practice {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("followup.toml");
    Config::load(&path).unwrap().practices.remove(0)
}

fn cal() -> Calendar {
    let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
    Calendar::new(&practice(), d(10, 1), d(12, 31))
}

/// Local New York wall-clock time to µs.
fn ny(s: &str) -> i64 {
    let n = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
    chrono_tz::America::New_York
        .from_local_datetime(&n)
        .earliest()
        .unwrap()
        .timestamp_micros()
}

fn fmt(t: i64) -> String {
    chrono::DateTime::from_timestamp_micros(t)
        .unwrap()
        .with_timezone(&chrono_tz::America::New_York)
        .format("%Y-%m-%d %H:%M")
        .to_string()
}

#[test]
fn minutes_skip_lunch_nights_weekends_and_holidays() {
    let c = cal();
    // Lunch closure 12:00-13:00.
    assert_eq!(
        c.minutes_between(ny("2026-11-02 11:30"), ny("2026-11-02 13:30")),
        60.0
    );
    // Friday 16:30 to Monday 08:30: 30 + 30.
    assert_eq!(
        c.minutes_between(ny("2026-11-06 16:30"), ny("2026-11-09 08:30")),
        60.0
    );
    // Veterans Day (Wed 2026-11-11) is a federal holiday: Tue 16:00 -> Thu 09:00 = 60 + 60.
    assert_eq!(
        c.minutes_between(ny("2026-11-10 16:00"), ny("2026-11-12 09:00")),
        120.0
    );
    // A full business day is 8 hours.
    assert_eq!(
        c.minutes_between(ny("2026-11-02 00:00"), ny("2026-11-03 00:00")),
        480.0
    );
}

#[test]
fn dst_week_counts_real_minutes() {
    let c = cal();
    // DST ends Sunday 2026-11-01. Friday before (EDT) and Monday after (EST) are both 8h days.
    assert_eq!(
        c.minutes_between(ny("2026-10-30 00:00"), ny("2026-11-03 00:00")),
        960.0
    );
    // Opening hours are local: Monday opens at 08:00 EST = 13:00 UTC.
    assert_eq!(
        c.clock_start(ny("2026-11-01 12:00")),
        Some(ny("2026-11-02 08:00"))
    );
    assert_eq!(
        chrono::DateTime::from_timestamp_micros(ny("2026-11-02 08:00"))
            .unwrap()
            .format("%H:%M")
            .to_string(),
        "13:00"
    );
}

#[test]
fn after_hours_requests_start_at_the_next_opening() {
    let c = cal();
    // Saturday night request, 30-minute target: Monday 08:30.
    let sat = ny("2026-11-07 21:15");
    assert_eq!(
        fmt(c.deadline(sat, Target::Minutes(30)).unwrap()),
        "2026-11-09 08:30"
    );
    // 11:45 + 30 business minutes crosses lunch: 13:15.
    assert_eq!(
        fmt(c.add_minutes(ny("2026-11-02 11:45"), 30).unwrap()),
        "2026-11-02 13:15"
    );
    // 16:30 + 30 lands exactly on the close: the deadline is the close, not the next morning.
    assert_eq!(
        fmt(c.add_minutes(ny("2026-11-02 16:30"), 30).unwrap()),
        "2026-11-02 17:00"
    );
    assert!(c.is_open(ny("2026-11-02 09:00")));
    assert!(!c.is_open(ny("2026-11-02 12:30")));
}

#[test]
fn same_day_and_next_day_targets() {
    let c = cal();
    let t = ny("2026-11-10 14:00");
    assert_eq!(
        fmt(c.deadline(t, Target::SameDay).unwrap()),
        "2026-11-10 17:00"
    );
    let noon = chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap();
    // Next business day after Tuesday is Thursday (Wednesday is Veterans Day).
    assert_eq!(
        fmt(c.deadline(t, Target::NextDayBy(noon)).unwrap()),
        "2026-11-12 12:00"
    );
    // After hours on Friday: the clock starts Monday, so next day is Tuesday.
    assert_eq!(
        fmt(c
            .deadline(ny("2026-11-06 18:00"), Target::NextDayBy(noon))
            .unwrap()),
        "2026-11-10 12:00"
    );
}

#[test]
fn outcome_ages_end_at_a_close_or_a_local_midnight() {
    let c = cal();
    let (mon, fri_night) = (ny("2026-11-09 10:00"), ny("2026-11-06 18:00"));
    // Wednesday 11-11 is Veterans Day: 3 business days after Monday are Tue, Thu, Fri.
    let bd = |t, n| fmt(c.age_end(t, Age::BusinessDays(n)).unwrap());
    assert_eq!(bd(mon, 3), "2026-11-13 17:00");
    assert_eq!(bd(mon, 0), "2026-11-09 17:00");
    // After hours on Friday the clock starts Monday: the same end as Monday's request.
    assert_eq!(bd(fri_night, 3), "2026-11-13 17:00");
    // Calendar days count every day, holidays included, to the end of the local day.
    let end = c.age_end(mon, Age::Days(7)).unwrap();
    assert_eq!(end + 1, ny("2026-11-17 00:00"));
    // Across the clock change of Sunday 11-01 the end is still local midnight.
    let end = c.age_end(ny("2026-10-30 16:00"), Age::Days(3)).unwrap();
    assert_eq!(end + 1, ny("2026-11-03 00:00"));
    // Past the calendar there is no end (the outcome is never judged).
    assert_eq!(
        c.age_end(ny("2026-12-30 10:00"), Age::BusinessDays(5)),
        None
    );
}

proptest! {
    #[test]
    fn minutes_add_up(a in 0i64..80*24*60, b in 0i64..80*24*60, c in 0i64..80*24*60) {
        let cal = cal();
        let base = ny("2026-10-02 00:00");
        let (a, b, c) = (base + a * 60_000_000, base + b * 60_000_000, base + c * 60_000_000);
        prop_assert_eq!(cal.micros_between(a, b) + cal.micros_between(b, c), cal.micros_between(a, c));
    }

    #[test]
    fn adding_then_measuring_gives_back_n(start in 0i64..60*24*60, n in 1i64..5000) {
        let cal = cal();
        let t = ny("2026-10-02 00:00") + start * 60_000_000;
        let end = cal.add_minutes(t, n).unwrap();
        prop_assert_eq!(cal.micros_between(t, end), n * 60_000_000);
        prop_assert!(end > t);
    }
}

/// The same local time `n` business days on, as the zone gives it: the
/// reference for `same_time_business_days_later`.
fn same_time_later_by_zone(c: &Calendar, t: i64, n: usize) -> Option<i64> {
    let local = chrono::DateTime::from_timestamp_micros(t)?.with_timezone(&c.tz);
    let d = local.date_naive();
    let day = *c
        .business_days(d.succ_opt()?, d + Duration::days(60))
        .get(n.checked_sub(1)?)?;
    Some(local_instant(c.tz, day, local.time()))
}

#[test]
fn the_same_time_business_days_later_agrees_with_the_zone_across_clock_changes() {
    let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    for zone in ["America/New_York", "Australia/Lord_Howe", "America/Havana"] {
        let mut p = practice();
        p.tz = zone.parse().unwrap();
        let c = Calendar::new(&p, d(2026, 1, 1), d(2027, 1, 31));
        let from = local_instant(p.tz, d(2026, 1, 1), NaiveTime::MIN);
        // Every 97 minutes for a year and a month, through both clock changes.
        for k in 0..(400 * 24 * 60 / 97) {
            let t = from + k * 97 * 60_000_000 + 17_000_000;
            for n in [1, 2, 5, 40] {
                assert_eq!(
                    c.same_time_business_days_later(t, n),
                    same_time_later_by_zone(&c, t, n),
                    "{zone} {t} {n}"
                );
            }
        }
    }
}
