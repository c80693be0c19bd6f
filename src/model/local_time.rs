//! Local time of instants in a practice's zone: date, weekday, hour, ISO week.

use crate::config::Practice;
use chrono::{Datelike, NaiveDate, Timelike};

/// Local date, weekday (1 = Monday) and hour of an instant in a practice's zone.
pub fn local(p: &Practice, us: i64) -> (NaiveDate, u32, u32) {
    let t = chrono::DateTime::from_timestamp_micros(us)
        .expect("instant")
        .with_timezone(&p.tz);
    (t.date_naive(), t.weekday().number_from_monday(), t.hour())
}

/// `local` for one practice, remembering the last local day seen: the instants a
/// table walks come mostly in time order, so most fall on the day of the one
/// before, and that day's date, weekday and hours come from two comparisons and a
/// division instead of a time-zone conversion. Only days of exactly 24 hours are
/// remembered (on a day with a clock change the hour is not the time since
/// midnight); the test below compares it with `local` across clock changes.
pub struct LocalDays<'p> {
    p: &'p Practice,
    /// First and last-plus-one instant of the remembered day, its date and weekday.
    day: Option<(i64, i64, NaiveDate, u32)>,
}

impl<'p> LocalDays<'p> {
    pub fn new(p: &'p Practice) -> Self {
        LocalDays { p, day: None }
    }

    /// Local date, weekday (1 = Monday) and hour of `us`, as `local` gives them.
    pub fn at(&mut self, us: i64) -> (NaiveDate, u32, u32) {
        const HOUR: i64 = 3_600_000_000;
        if let Some((start, end, d, wd)) = self.day {
            if us >= start && us < end {
                return (d, wd, ((us - start) / HOUR) as u32);
            }
        }
        let got = local(self.p, us);
        let midnight = |d: NaiveDate| crate::model::day::start(self.p.tz, d);
        self.day = match (midnight(got.0), got.0.succ_opt().and_then(midnight)) {
            (Some(start), Some(end)) if end - start == 24 * HOUR => {
                Some((start, end, got.0, got.1))
            }
            _ => None,
        };
        got
    }
}

/// ISO week label, e.g. `2026-W47`.
pub fn iso_week(d: NaiveDate) -> String {
    let w = d.iso_week();
    format!("{}-W{:02}", w.year(), w.week())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn practice(tz: &str) -> Practice {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("followup.toml");
        let mut p = crate::config::Config::load(&path)
            .unwrap()
            .practices
            .remove(0);
        p.tz = tz.parse().unwrap();
        p
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        /// Walks of instants (mostly forward, some back, some large jumps) through
        /// zones with clock changes of an hour, of half an hour, and at midnight.
        #[test]
        fn local_days_agree_with_local(
            zone in prop_oneof![
                Just("America/New_York"), Just("Europe/London"), Just("Australia/Lord_Howe"),
                Just("America/Havana"), Just("Asia/Kolkata"), Just("UTC"),
            ],
            start in 1_600_000_000_000_000i64..1_800_000_000_000_000,
            steps in proptest::collection::vec(
                prop_oneof![
                    0i64..7_200_000_000,
                    -3_600_000_000i64..0,
                    0i64..200_000_000_000_000,
                ],
                1..300,
            ),
        ) {
            let p = practice(zone);
            let mut days = LocalDays::new(&p);
            let mut t = start;
            for step in steps {
                t += step;
                prop_assert_eq!(days.at(t), local(&p, t), "at {}", t);
            }
        }
    }

    #[test]
    fn local_days_agree_with_local_minute_by_minute_across_clock_changes() {
        for zone in ["America/New_York", "Australia/Lord_Howe", "America/Havana"] {
            let p = practice(zone);
            let mut days = LocalDays::new(&p);
            // 2026: every minute of the year.
            let start = 1_767_225_600_000_000i64;
            for k in 0..(366 * 24 * 60) {
                let t = start + k * 60_000_000 + 59_999_999 * (k % 2);
                assert_eq!(days.at(t), local(&p, t), "{zone} at {t}");
            }
        }
    }
}
