//! The backlog at a close: first attempts waiting, per category, when the
//! practice closes at the end of each week or on each day of one weekday.
//! The week's close is the close of its last business day (Friday 17:00 for
//! the sample; Thursday's when Friday is a holiday); a week cut by the end of
//! the period has none.

use super::history::{local_s, Model};
use super::replay::{backlog_by, Outcome};
use crate::config::Practice;
use chrono::{Datelike, NaiveDate};

/// Whether the practice opens on `d`: business hours that weekday, no holiday.
fn open_on(p: &Practice, d: NaiveDate) -> bool {
    !p.is_holiday(d) && !p.hours.day(d.weekday()).is_empty()
}

/// The close of a business day: the end of its last span.
fn close_of(p: &Practice, d: NaiveDate) -> Option<i64> {
    let end = p.hours.day(d.weekday()).iter().map(|s| s.end).max()?;
    Some(local_s(p.tz, d, end))
}

fn days(from: NaiveDate, to: NaiveDate) -> impl Iterator<Item = NaiveDate> {
    from.iter_days().take_while(move |d| *d <= to)
}

/// The close of every full week in `from..=to`: the last business day of each
/// Monday–Sunday week, when no later business day of that week is past `to`.
pub fn week_closes(p: &Practice, from: NaiveDate, to: NaiveDate) -> Vec<i64> {
    days(from, to)
        .filter(|&d| open_on(p, d))
        .filter(|&d| {
            let sunday = d + chrono::Duration::days(6 - d.weekday().num_days_from_monday() as i64);
            days(d.succ_opt().expect("date"), sunday).all(|e| !open_on(p, e))
        })
        .filter_map(|d| close_of(p, d))
        .collect()
}

/// The close of every business day in `from..=to` that falls on `weekday`
/// (0 = Monday).
pub fn day_closes(p: &Practice, from: NaiveDate, to: NaiveDate, weekday: usize) -> Vec<i64> {
    days(from, to)
        .filter(|&d| d.weekday().num_days_from_monday() as usize == weekday && open_on(p, d))
        .filter_map(|d| close_of(p, d))
        .collect()
}

/// Mean first attempts waiting per category (the model's order) at the
/// instants `at` (sorted); None when there is no instant.
pub fn mean_backlog(m: &Model, out: &Outcome, at: &[i64]) -> Option<Vec<f64>> {
    if at.is_empty() {
        return None;
    }
    let n = m.categories.len();
    let counts = backlog_by(&m.jobs, out, at, n, |j| j.category);
    let mut sum = vec![0.0; n];
    for row in &counts {
        for (s, x) in sum.iter_mut().zip(row) {
            *s += *x as f64;
        }
    }
    Some(sum.into_iter().map(|s| s / at.len() as f64).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn practice() -> Practice {
        let text = r#"
[paths]
lake = "lake"
[sources]
profiles = ["sample-calls"]
[defaults.hours]
mon = ["08:00-12:00", "13:00-17:00"]
tue = ["08:00-12:00", "13:00-17:00"]
wed = ["08:00-12:00", "13:00-17:00"]
thu = ["08:00-12:00", "13:00-17:00"]
fri = ["08:00-12:00", "13:00-17:00"]
[defaults.categories.referral]
target = "same_day"
max_attempts = 3
script = "REF-1"
voicemail = "Hello."
[defaults.lanes.front_desk]
categories = ["referral"]
owners = ["a"]
[[practices]]
id = "p001"
name = "Test"
timezone = "America/New_York"
holidays = ["2026-11-27"]
"#;
        let c =
            crate::config::Config::from_str(text, std::path::Path::new("/etc/followup/test.toml"))
                .unwrap();
        c.practices[0].clone()
    }

    fn at(p: &Practice, d: (i32, u32, u32)) -> i64 {
        let d = NaiveDate::from_ymd_opt(d.0, d.1, d.2).unwrap();
        local_s(p.tz, d, chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap())
    }

    #[test]
    fn a_week_closes_on_its_last_business_day_and_a_cut_week_has_no_close() {
        let p = practice();
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        // Mon 2026-11-16 to Wed 2026-12-02: Friday 11-20 closes its week; the
        // Friday after Thanksgiving is a holiday (and Thanksgiving is not: no
        // federal holidays here), so Thursday 11-26 closes that week; the
        // week of 11-30 is cut on Wednesday.
        assert_eq!(
            week_closes(&p, d(11, 16), d(12, 2)),
            vec![at(&p, (2026, 11, 20)), at(&p, (2026, 11, 26))]
        );
        // Every business Friday of the period (the holiday skipped).
        assert_eq!(
            day_closes(&p, d(11, 16), d(12, 2), 4),
            vec![at(&p, (2026, 11, 20))]
        );
        assert_eq!(
            day_closes(&p, d(11, 16), d(12, 2), 0).len(),
            3,
            "Mondays 11-16, 11-23 and 11-30"
        );
    }
}
