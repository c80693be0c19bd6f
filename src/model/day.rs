//! Local days of a practice as UTC instants: where a day starts and ends in its
//! zone. One definition for every stage (the metrics window and "as of", the
//! lists' data day, the local-time cache).
//!
//! A local day starts at its first instant: local midnight, or, in a zone whose
//! clock jumps over midnight (America/Santiago, Asia/Beirut, … on their change
//! days), the first local time that exists that day. When midnight happens twice
//! (a clock set back over it), the day starts at the earlier one.

use chrono::{Duration, LocalResult, NaiveDate, TimeZone};
use chrono_tz::Tz;

/// The window of instants a run reads, in µs since the epoch: the tasks created
/// in its local dates, and *as of*, the last instant whose events it sees.
#[derive(Debug, Clone, Copy)]
pub struct Window {
    /// Tasks created from here (with a day's margin for time zones) …
    pub from: i64,
    /// … up to here; outcomes are observed up to `as_of`.
    pub to: i64,
    pub as_of: i64,
    /// The local dates whose tasks are measured.
    pub from_date: chrono::NaiveDate,
    pub to_date: chrono::NaiveDate,
}

impl Window {
    /// A window of no data, for learning the output tables' schemas.
    pub fn placeholder() -> Window {
        let epoch = chrono::NaiveDate::from_ymd_opt(1970, 1, 1).expect("a date");
        Window {
            from: 0,
            to: 0,
            as_of: 0,
            from_date: epoch,
            to_date: epoch,
        }
    }
}

#[cfg(test)]
const MICROS_PER_MINUTE: i64 = 60_000_000;

/// The first instant (µs since the epoch) of local date `d` in `tz`, or `None`
/// only for a date whose instants chrono cannot represent (within a day of its
/// limits, ±262 000 years).
pub fn start(tz: Tz, d: NaiveDate) -> Option<i64> {
    let midnight = d.and_hms_opt(0, 0, 0)?;
    // A jump over midnight skips at most a few hours; step minute by minute to
    // the first local time that exists (clock changes fall on whole minutes).
    for m in 0..=24 * 60 {
        let t = midnight.checked_add_signed(Duration::minutes(m))?;
        match tz.from_local_datetime(&t) {
            LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => {
                return Some(x.timestamp_micros())
            }
            LocalResult::None => continue,
        }
    }
    None
}

/// The last microsecond of local date `d` in `tz` (the start of the next day, less
/// one): "the end of `d`", the default *as of* of a range ending on `d`.
pub fn end(tz: Tz, d: NaiveDate) -> Option<i64> {
    start(tz, d.succ_opt()?).map(|x| x - 1)
}

#[cfg(test)]
/// Minutes in a local day (1440 on most days; 1380 or 1500 on clock changes).
pub fn minutes(tz: Tz, d: NaiveDate) -> Option<i64> {
    Some((end(tz, d)? + 1 - start(tz, d)?) / MICROS_PER_MINUTE)
}

/// `start` in a practice's zone, for a date the data can hold.
pub fn first_instant(p: &crate::config::Practice, d: NaiveDate) -> i64 {
    start(p.tz, d).expect("a local date within chrono's range")
}

/// `end` in a practice's zone, for a date the data can hold.
pub fn last_instant(p: &crate::config::Practice, d: NaiveDate) -> i64 {
    end(p.tz, d).expect("a local date within chrono's range")
}

/// Local midnight at the start of `d` in the practice zone furthest east (earliest instant)
/// or, with `end`, the end of `d` furthest west: the window covers every practice's day.
pub(crate) fn bound(config: &crate::config::Config, d: NaiveDate, end: bool) -> i64 {
    let instants = config.practices.iter().map(|p| {
        if end {
            last_instant(p, d)
        } else {
            first_instant(p, d)
        }
    });
    if end {
        instants.max().expect("a practice")
    } else {
        instants.min().expect("a practice")
    }
}

/// The window for a run.
pub fn window(
    config: &crate::config::Config,
    from: NaiveDate,
    to: NaiveDate,
    as_of: Option<i64>,
) -> Window {
    let to_us = bound(config, to, true);
    Window {
        from: bound(config, from, false),
        to: to_us,
        as_of: as_of.unwrap_or(to_us),
        from_date: from,
        to_date: to,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn iso(us: i64) -> String {
        chrono::DateTime::from_timestamp_micros(us)
            .unwrap()
            .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
    }

    #[test]
    fn a_day_starts_at_local_midnight_east_and_west_of_utc() {
        let at = |tz: Tz, day: &str| iso(start(tz, d(day)).unwrap());
        assert_eq!(
            at(chrono_tz::Europe::Berlin, "2026-11-23"),
            "2026-11-22T23:00:00Z"
        );
        assert_eq!(
            at(chrono_tz::Asia::Kolkata, "2026-11-23"),
            "2026-11-22T18:30:00Z"
        );
        assert_eq!(
            at(chrono_tz::Pacific::Auckland, "2026-11-23"),
            "2026-11-22T11:00:00Z"
        );
        assert_eq!(
            at(chrono_tz::America::St_Johns, "2026-11-23"),
            "2026-11-23T03:30:00Z"
        );
        assert_eq!(
            at(chrono_tz::Pacific::Honolulu, "2026-11-23"),
            "2026-11-23T10:00:00Z"
        );
        assert_eq!(
            iso(end(chrono_tz::Asia::Kolkata, d("2026-11-22")).unwrap() + 1),
            "2026-11-22T18:30:00Z"
        );
    }

    #[test]
    fn clock_change_days_have_their_true_length() {
        // Sydney springs forward on Sun 2026-10-04 (02:00 → 03:00), Berlin falls
        // back on Sun 2026-10-25, St John's springs forward on 2026-03-08.
        assert_eq!(
            minutes(chrono_tz::Australia::Sydney, d("2026-10-04")),
            Some(1380)
        );
        assert_eq!(
            minutes(chrono_tz::Europe::Berlin, d("2026-10-25")),
            Some(1500)
        );
        assert_eq!(
            minutes(chrono_tz::America::St_Johns, d("2026-03-08")),
            Some(1380)
        );
        assert_eq!(
            minutes(chrono_tz::Asia::Kolkata, d("2026-10-25")),
            Some(1440)
        );
    }

    #[test]
    fn a_day_whose_midnight_is_skipped_starts_when_the_clock_resumes() {
        // Santiago springs forward at 24:00 on Sat 2026-09-05: Sunday starts at 01:00
        // local (04:00 UTC), a day of 23 hours.
        let tz = chrono_tz::America::Santiago;
        assert_eq!(
            iso(start(tz, d("2026-09-06")).unwrap()),
            "2026-09-06T04:00:00Z"
        );
        assert_eq!(minutes(tz, d("2026-09-06")), Some(1380));
    }

    #[test]
    fn dates_at_chronos_limits_give_none_not_a_panic() {
        // The placeholder date that crashed `metrics` east of UTC: whatever chrono
        // can represent there, asking never panics.
        use chrono_tz::{America, Asia, Australia, Europe, Pacific};
        for tz in [
            Europe::Berlin,
            Asia::Kolkata,
            Australia::Sydney,
            Pacific::Auckland,
            America::St_Johns,
            Pacific::Honolulu,
        ] {
            let _ = start(tz, NaiveDate::MIN);
            assert_eq!(end(tz, NaiveDate::MAX), None, "{tz}");
        }
    }
}
