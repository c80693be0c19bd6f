//! Parsing vendor values: timestamps in a zone, phone numbers, booleans.

use chrono::format::{Item, Parsed};
use chrono::{DateTime, LocalResult, TimeZone};
use chrono_tz::Tz;

/// A timestamp format, compiled once per profile.
#[derive(Debug, Clone)]
pub enum TsFormat {
    Rfc3339,
    Rfc2822,
    /// A chrono format that reads an offset (`%z`).
    WithOffset(Vec<Item<'static>>),
    /// A chrono format for local wall-clock time (or a date: midnight).
    Local(Vec<Item<'static>>),
}

impl TsFormat {
    /// Compile a profile's format; `Err` names what is wrong.
    pub fn compile(f: &str) -> Result<TsFormat, String> {
        match f {
            "rfc3339" => Ok(TsFormat::Rfc3339),
            "rfc2822" => Ok(TsFormat::Rfc2822),
            f => {
                let items = chrono::format::StrftimeItems::new(f)
                    .parse_to_owned()
                    .map_err(|e| format!("`{f}` is not a chrono format: {e}"))?;
                Ok(
                    if f.contains("%z") || f.contains("%:z") || f.contains("%#z") {
                        TsFormat::WithOffset(items)
                    } else {
                        TsFormat::Local(items)
                    },
                )
            }
        }
    }
}

/// Parse a timestamp with the profile's formats; values without an offset are in `tz`.
/// Returns microseconds since the epoch (UTC).
///
/// A local time that occurs twice (the hour repeated when daylight saving ends) is
/// taken as the earlier instant; one that never occurs (the skipped hour) is an error.
pub fn timestamp(s: &str, formats: &[TsFormat], tz: Tz) -> Result<i64, &'static str> {
    let mut gap = false;
    for f in formats {
        let parsed = match f {
            TsFormat::Rfc3339 => DateTime::parse_from_rfc3339(s)
                .ok()
                .map(|d| d.timestamp_micros()),
            TsFormat::Rfc2822 => DateTime::parse_from_rfc2822(s)
                .ok()
                .map(|d| d.timestamp_micros()),
            TsFormat::WithOffset(items) => {
                let mut p = Parsed::new();
                chrono::format::parse(&mut p, s, items.iter())
                    .ok()
                    .and_then(|_| p.to_datetime().ok())
                    .map(|d| d.timestamp_micros())
            }
            TsFormat::Local(items) => {
                let mut p = Parsed::new();
                let naive = chrono::format::parse(&mut p, s, items.iter())
                    .ok()
                    .and_then(|_| {
                        p.to_naive_datetime_with_offset(0).ok().or_else(|| {
                            // A date alone means its midnight.
                            p.to_naive_date().ok().and_then(|d| d.and_hms_opt(0, 0, 0))
                        })
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
///
/// Remembered per thread across files (a pure function of its inputs): a year of
/// daily exports writes the same patients' numbers thousands of times, and the
/// parser is the dearest step of mapping a call log.
pub fn phone(s: &str, region: phonenumber::country::Id) -> Result<Option<String>, &'static str> {
    type Memo = std::collections::HashMap<(phonenumber::country::Id, String), PhoneResult>;
    thread_local! {
        static MEMO: std::cell::RefCell<Memo> = Default::default();
    }
    /// Numbers remembered per thread before the memo starts again.
    const MEMO_MAX: usize = 200_000;
    let key = (region, s.to_string());
    if let Some(r) = MEMO.with(|m| m.borrow().get(&key).cloned()) {
        return r;
    }
    let r = phone_uncached(s, region);
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() >= MEMO_MAX {
            m.clear();
        }
        m.insert(key, r.clone());
    });
    r
}

/// Load the phone metadata (every region's number patterns, compiled on first
/// use: about 0.1 s of one core) on a thread of its own, so that the first
/// number parsed finds it ready instead of compiling it while the other
/// files wait. Ingest calls it when it has a file to read.
pub fn load_phone_metadata_in_background() {
    std::thread::spawn(|| {
        let _ = phonenumber::metadata::DATABASE.by_id("US");
    });
}

type PhoneResult = Result<Option<String>, &'static str>;

fn phone_uncached(s: &str, region: phonenumber::country::Id) -> PhoneResult {
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

/// A duration written as a clock (`1:02:03`, `2:03`), as call-log downloads show
/// call length, in seconds.
pub fn clock_seconds(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split(':').collect();
    if !(2..=3).contains(&parts.len()) {
        return None;
    }
    let mut total = 0i64;
    for (i, p) in parts.iter().enumerate() {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: i64 = p.parse().ok()?;
        if i > 0 && n >= 60 {
            return None;
        }
        // A clock of absurd size overflows: not a duration.
        total = total.checked_mul(60)?.checked_add(n)?;
    }
    Some(total)
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

    fn fmts(v: &[&str]) -> Vec<TsFormat> {
        v.iter().map(|f| TsFormat::compile(f).unwrap()).collect()
    }

    #[test]
    fn local_timestamps_follow_dst() {
        let f = fmts(&["%Y-%m-%d %H:%M"]);
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
        let f = fmts(&["rfc3339", "rfc2822"]);
        let a = timestamp("2026-09-14T14:40:00-04:00", &f, ny()).unwrap();
        let b = timestamp("Mon, 14 Sep 2026 18:40:00 +0000", &f, ny()).unwrap();
        assert_eq!(a, b);
        let us = fmts(&["%m/%d/%Y %I:%M:%S %p"]);
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
    fn clock_durations() {
        assert_eq!(clock_seconds("0:01:05"), Some(65));
        assert_eq!(clock_seconds("2:03"), Some(123));
        assert_eq!(clock_seconds("1:75"), None);
        assert_eq!(clock_seconds("12"), None);
        assert_eq!(clock_seconds("99999999999999999:00:00"), None);
    }

    #[test]
    fn booleans() {
        assert_eq!(boolean("Yes"), Ok(true));
        assert_eq!(boolean("0"), Ok(false));
        assert!(boolean("maybe").is_err());
    }
}
