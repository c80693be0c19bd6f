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
    /// A chrono format for local wall-clock time (or a date: midnight), and
    /// the same format read without chrono when its fields all have fixed widths.
    Local(Vec<Item<'static>>, Option<Fixed>),
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
                        TsFormat::Local(items, Fixed::compile(f))
                    },
                )
            }
        }
    }
}

/// A local-time format whose fields all have fixed widths (`%Y-%m-%d %H:%M:%S`,
/// `%m/%d/%Y %I:%M:%S %p`), read byte by byte: chrono's parser, general, was
/// a tenth of ingest's time. It reads only what is written exactly that wide
/// (`2026-01-05`, not `2026-1-5`); anything else, and a leap second, is left to
/// chrono, so a value reads the same either way.
#[derive(Debug, Clone)]
pub struct Fixed {
    parts: Vec<FixedPart>,
    len: usize,
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum FixedPart {
    Year,
    Month,
    Day,
    Hour,
    Hour12,
    Minute,
    Second,
    AmPm,
    Literal(u8),
}

impl Fixed {
    /// `None` when the format has anything else (a name of a day or month,
    /// fractions, an offset, padding flags) or lacks a field a time needs.
    pub fn compile(f: &str) -> Option<Fixed> {
        use FixedPart::*;
        let mut parts = Vec::new();
        let mut b = f.bytes();
        while let Some(c) = b.next() {
            parts.push(match c {
                b'%' => match b.next()? {
                    b'Y' => Year,
                    b'm' => Month,
                    b'd' => Day,
                    b'H' => Hour,
                    b'I' => Hour12,
                    b'M' => Minute,
                    b'S' => Second,
                    b'p' => AmPm,
                    _ => return None,
                },
                b'-' | b'/' | b':' | b' ' | b'T' | b'.' | b',' => Literal(c),
                _ => return None,
            });
        }
        let has = |p: FixedPart| parts.iter().filter(|&&q| q == p).count();
        let fields = [Year, Month, Day, Hour, Hour12, Minute, Second, AmPm];
        if fields.iter().any(|&p| has(p) > 1)
            || has(Year) + has(Month) + has(Day) != 3
            || has(Hour) + has(Hour12) > 1
            || (has(Hour12) == 1) != (has(AmPm) == 1)
            || (has(Minute) == 1) != (has(Hour) + has(Hour12) == 1)
            || (has(Second) == 1 && has(Minute) == 0)
        {
            return None;
        }
        let len = parts
            .iter()
            .map(|p| match p {
                Year => 4,
                Literal(_) => 1,
                _ => 2,
            })
            .sum();
        Some(Fixed { parts, len })
    }

    /// The local date and time `s` writes, if it is written exactly in the
    /// format's widths and names a real date and time.
    pub fn read(&self, s: &str) -> Option<chrono::NaiveDateTime> {
        use FixedPart::*;
        let s = s.as_bytes();
        if s.len() != self.len {
            return None;
        }
        let num = |b: &[u8]| -> Option<u32> {
            b.iter().try_fold(0u32, |n, &c| {
                c.is_ascii_digit().then(|| n * 10 + (c - b'0') as u32)
            })
        };
        let (mut y, mut mo, mut d, mut h, mut mi, mut sec) = (0, 0, 0, 0, 0, 0);
        let mut pm = None;
        let mut h12 = None;
        let mut at = 0;
        for p in &self.parts {
            let w = match p {
                Year => 4,
                Literal(_) => 1,
                _ => 2,
            };
            let b = &s[at..at + w];
            at += w;
            match p {
                Literal(c) => {
                    if b[0] != *c {
                        return None;
                    }
                }
                AmPm => {
                    pm = Some(
                        match [b[0].to_ascii_uppercase(), b[1].to_ascii_uppercase()] {
                            [b'A', b'M'] => false,
                            [b'P', b'M'] => true,
                            _ => return None,
                        },
                    )
                }
                Year => y = num(b)?,
                Month => mo = num(b)?,
                Day => d = num(b)?,
                Hour => h = num(b)?,
                Hour12 => h12 = Some(num(b)?),
                Minute => mi = num(b)?,
                Second => sec = num(b)?,
            }
        }
        if let Some(h12) = h12 {
            if !(1..=12).contains(&h12) {
                return None;
            }
            h = h12 % 12 + if pm == Some(true) { 12 } else { 0 };
        }
        // A leap second (:60) is chrono's to read.
        if sec > 59 {
            return None;
        }
        chrono::NaiveDate::from_ymd_opt(y as i32, mo, d)?.and_hms_opt(h, mi, sec)
    }
}

/// A local date and time read by chrono with a compiled format.
fn chrono_local(items: &[Item<'static>], s: &str) -> Option<chrono::NaiveDateTime> {
    let mut p = Parsed::new();
    chrono::format::parse(&mut p, s, items.iter())
        .ok()
        .and_then(|_| {
            p.to_naive_datetime_with_offset(0).ok().or_else(|| {
                // A date alone means its midnight.
                p.to_naive_date().ok().and_then(|d| d.and_hms_opt(0, 0, 0))
            })
        })
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
            TsFormat::Local(items, fast) => {
                let naive = fast
                    .as_ref()
                    .and_then(|f| f.read(s))
                    .or_else(|| chrono_local(items, s));
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
    if let Some(e164) = north_american(s, region) {
        return Ok(Some(e164));
    }
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

/// A North American number of a practice in the United States or Canada,
/// written with digits and the usual separators only (`(617) 555-0142`,
/// `617.555.0142`, `+1 617-555-0142`, `16175550142`), its area code and
/// exchange each starting 2–9: its E.164 form written directly, without the
/// parser (which took a tenth of a call log's mapping). The test
/// `north_american_numbers_normalise_as_the_parser_does` holds the two to the
/// same result; anything else goes to the parser.
fn north_american(s: &str, region: phonenumber::country::Id) -> Option<String> {
    let (plus, rest) = match s.as_bytes() {
        [b'+', rest @ ..] => (true, rest),
        rest => (false, rest),
    };
    let mut digits = [0u8; 11];
    let mut n = 0;
    for &c in rest {
        match c {
            b'0'..=b'9' if n < digits.len() => {
                digits[n] = c;
                n += 1;
            }
            b' ' | b'-' | b'.' | b'(' | b')' => {}
            _ => return None,
        }
    }
    let national = match (plus, n) {
        (false, 10) => &digits[..10],
        (_, 11) if digits[0] == b'1' => &digits[1..],
        _ => return None,
    };
    if !plain_north_american(region, national) {
        return None;
    }
    let mut e164 = String::with_capacity(12);
    e164.push_str("+1");
    e164.push_str(std::str::from_utf8(national).ok()?);
    Some(e164)
}

/// The rule both North American shortcuts rest on (reading a number at
/// ingest, `north_american`; showing one on a list, `lists::build`): a
/// practice in the United States or Canada, and a national number of ten
/// digits whose area code and exchange each start 2–9. Any other number is
/// the phone metadata's to read or write.
pub fn plain_north_american(region: phonenumber::country::Id, national: &[u8]) -> bool {
    use phonenumber::country::Id;
    matches!(region, Id::US | Id::CA)
        && national.len() == 10
        && national.iter().all(u8::is_ascii_digit)
        && national[0] >= b'2'
        && national[3] >= b'2'
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
    fn fixed_width_formats_read_as_chrono_reads_them() {
        let formats = [
            "%Y-%m-%d %H:%M:%S",
            "%Y-%m-%d %H:%M",
            "%m/%d/%Y %I:%M:%S %p",
            "%m/%d/%Y %I:%M %p",
            "%m/%d/%Y %H:%M:%S",
            "%Y-%m-%d",
            "%d.%m.%Y %H:%M",
            "%Y-%m-%dT%H:%M:%S",
        ];
        // Values around every edge (month 0 and 13, day 0 and 31 of short
        // months, hour 24, 12 AM / PM, minute and second 60), and written
        // otherwise than the format's widths.
        let mut seed = 7u64;
        let mut next = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let (mut fast, mut total) = (0, 0);
        for f in formats {
            let TsFormat::Local(items, Some(fixed)) = TsFormat::compile(f).unwrap() else {
                panic!("{f} reads without chrono");
            };
            for _ in 0..4000 {
                let (y, mo, d) = (1999 + next(30), next(14), next(33));
                let (h, mi, s) = (next(26), next(62), next(62));
                let pm = ["AM", "PM", "am", "pm", "XM", "A "][next(6) as usize];
                let wide = next(8) != 0;
                let two = |n: u64| {
                    if wide {
                        format!("{n:02}")
                    } else {
                        n.to_string()
                    }
                };
                let text = f
                    .replace("%Y", &y.to_string())
                    .replace("%m", &two(mo))
                    .replace("%d", &two(d))
                    .replace("%H", &two(h))
                    .replace("%I", &two(h % 13))
                    .replace("%M", &two(mi))
                    .replace("%S", &two(s))
                    .replace("%p", pm);
                let by_chrono = chrono_local(&items, &text);
                if let Some(t) = fixed.read(&text) {
                    fast += 1;
                    assert_eq!(Some(t), by_chrono, "{f}: {text}");
                } else {
                    assert!(
                        by_chrono.is_none() || !wide || s >= 60,
                        "{f}: {text} read by chrono only"
                    );
                }
                total += 1;
            }
        }
        // Most values are real dates written full width: the fast path reads them.
        assert!(fast * 4 > total, "{fast} of {total}");
        // Formats it does not take.
        for f in [
            "%a %m/%d/%Y %I:%M %p",
            "%Y-%m-%d %H:%M:%S%.f",
            "%I:%M %p",
            "%Y-%m-%d %I:%M",
            "%b %d %Y",
        ] {
            assert!(Fixed::compile(f).is_none(), "{f}");
        }
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
    fn north_american_numbers_normalise_as_the_parser_does() {
        // Area codes and exchanges over the whole range, in both countries,
        // written every usual way and some odd ones.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut direct = 0;
        for i in 0..6000u64 {
            let r = next();
            let area = 100 + (r % 900);
            let exchange = 100 + ((r >> 16) % 900);
            let line = (r >> 32) % 10_000;
            let d = format!("{area}{exchange}{line:04}");
            let s = match next() % 12 {
                0 => format!("({}) {}-{}", &d[..3], &d[3..6], &d[6..]),
                1 => format!("{}-{}-{}", &d[..3], &d[3..6], &d[6..]),
                2 => format!("{}.{}.{}", &d[..3], &d[3..6], &d[6..]),
                3 => d.clone(),
                4 => format!("+1{d}"),
                5 => format!("+1 {}-{}-{}", &d[..3], &d[3..6], &d[6..]),
                6 => format!("1{d}"),
                7 => format!("1 ({}) {} {}", &d[..3], &d[3..6], &d[6..]),
                8 => format!("+{d}"),
                9 => format!("{d}1"),
                10 => format!("({}){}--{}", &d[..3], &d[3..6], &d[6..]),
                _ => format!("{}-{}-{} x12", &d[..3], &d[3..6], &d[6..]),
            };
            let region = if i % 2 == 0 { Id::US } else { Id::CA };
            let by_parser = phone_uncached(&s, region);
            if let Some(e164) = north_american(&s, region) {
                direct += 1;
                assert_eq!(Ok(Some(e164)), by_parser, "{region:?} {s}");
            }
        }
        // Most are plain numbers written a usual way: read directly.
        assert!(direct > 3000, "{direct}");
        assert_eq!(north_american("(617) 555-0142", Id::GB), None);
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
