//! Parsing vendor values: timestamps in a zone, phone numbers, booleans.

use chrono::{DateTime, LocalResult, NaiveDate, NaiveDateTime, TimeZone};
use chrono_tz::Tz;

/// Parse a timestamp with the profile's formats; values without an offset are in `tz`.
/// Returns microseconds since the epoch (UTC).
///
/// A local time that occurs twice (the hour repeated when daylight saving ends) is
/// taken as the earlier instant; one that never occurs (the skipped hour) is an error.
pub fn timestamp(s: &str, formats: &[String], tz: Tz) -> Result<i64, &'static str> {
    let mut gap = false;
    for f in formats {
        let parsed = match f.as_str() {
            "rfc3339" => DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|d| d.timestamp_micros()),
            "rfc2822" => DateTime::parse_from_rfc2822(s)
                .ok()
                .map(|d| d.timestamp_micros()),
            f if f.contains("%z") || f.contains("%:z") || f.contains("%#z") => {
                DateTime::parse_from_str(s, f)
                    .ok()
                    .map(|d| d.timestamp_micros())
            }
            f => {
                let naive = NaiveDateTime::parse_from_str(s, f).ok().or_else(|| {
                    NaiveDate::parse_from_str(s, f)
                        .ok()
                        .and_then(|d| d.and_hms_opt(0, 0, 0))
                });
                match naive.map(|n| tz.from_local_datetime(&n)) {
                    Some(LocalResult::Single(d)) => Some(d.timestamp_micros()),
                    Some(LocalResult::Ambiguous(a, _)) => Some(a.timestamp_micros()),
                    Some(LocalResult::None) => {
                        gap = true;
                        None
                    }
                    None => None,
                }
            }
        };
        if let Some(t) = parsed {
            return Ok(t);
        }
    }
    Err(if gap {
        "local time does not exist in the practice's zone (skipped by daylight saving)"
    } else {
        "unparsable timestamp: matches none of the profile's timestamp_formats"
    })
}

/// Caller-id values that mean "no number", not a malformed one.
const WITHHELD: &[&str] = &[
    "anonymous",
    "restricted",
    "private",
    "unknown",
    "unavailable",
    "withheld",
];

/// Normalise a phone number to E.164. `Ok(None)` for a withheld caller id.
pub fn phone(s: &str, region: phonenumber::country::Id) -> Result<Option<String>, &'static str> {
    if WITHHELD.iter().any(|w| s.eq_ignore_ascii_case(w)) {
        return Ok(None);
    }
    let digits = s.chars().filter(char::is_ascii_digit).count();
    if digits < 7 || digits > 15 {
        return Err("not a phone number (wrong number of digits)");
    }
    let n = phonenumber::parse(Some(region), s).map_err(|_| "not a phone number")?;
    Ok(Some(n.format().mode(phonenumber::Mode::E164).to_string()))
}

/// Parse a yes/no value.
pub fn boolean(s: &str) -> Result<bool, &'static str> {
    match s.to_ascii_lowercase().as_str() {
        "true" | "t" | "yes" | "y" | "1" => Ok(true),
        "false" | "f" | "no" | "n" | "0" => Ok(false),
        _ => Err("not a yes/no value (expected true/false, yes/no, 1/0)"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use phonenumber::country::Id;

    fn ny() -> Tz {
        "America/New_York".parse().unwrap()
    }

    #[test]
    fn local_timestamps_follow_dst() {
        let f = vec!["%Y-%m-%d %H:%M".to_string()];
        // EDT (UTC-4) before 2026-11-01, EST (UTC-5) after.
        let before = timestamp("2026-10-30 09:00", &f, ny()).unwrap();
        let after = timestamp("2026-11-02 09:00", &f, ny()).unwrap();
        assert_eq!(before, 1_793_365_200_000_000); // 2026-10-30T13:00Z
        assert_eq!(after, 1_793_628_000_000_000); // 2026-11-02T14:00Z
                                                  // 01:30 happens twice on 2026-11-01: the earlier (EDT) instant is taken.
        let amb = timestamp("2026-11-01 01:30", &f, ny()).unwrap();
        assert_eq!(amb, 1_793_511_000_000_000); // 05:30Z
                                                // 02:30 never happens on 2026-03-08.
        assert!(timestamp("2026-03-08 02:30", &f, ny())
            .unwrap_err()
            .contains("daylight"));
        assert!(timestamp("2026-13-45 25:00", &f, ny())
            .unwrap_err()
            .contains("unparsable"));
    }

    #[test]
    fn offsets_and_named_formats() {
        let f = vec!["rfc3339".to_string(), "rfc2822".to_string()];
        let a = timestamp("2026-09-14T14:40:00-04:00", &f, ny()).unwrap();
        let b = timestamp("Mon, 14 Sep 2026 18:40:00 +0000", &f, ny()).unwrap();
        assert_eq!(a, b);
        let us = vec!["%m/%d/%Y %I:%M:%S %p".to_string()];
        let c = timestamp("09/14/2026 02:40:00 PM", &us, ny()).unwrap();
        assert_eq!(a, c);
    }

    #[test]
    fn phones_normalise_to_e164() {
        for s in [
            "(617) 555-0142",
            "+1 617-555-0142",
            "6175550142",
            "617.555.0142",
        ] {
            assert_eq!(
                phone(s, Id::US).unwrap().as_deref(),
                Some("+16175550142"),
                "{s}"
            );
        }
        assert_eq!(
            phone("+44 20 7946 0958", Id::US).unwrap().as_deref(),
            Some("+442079460958")
        );
        assert_eq!(phone("Anonymous", Id::US).unwrap(), None);
        assert!(phone("12", Id::US).is_err());
        assert!(phone("call me", Id::US).is_err());
    }

    #[test]
    fn booleans() {
        assert_eq!(boolean("Yes"), Ok(true));
        assert_eq!(boolean("0"), Ok(false));
        assert!(boolean("maybe").is_err());
    }
}
