//! Wall-clock time, business calendars and the timestamp formats of the exports.
//!
//! The simulation runs on the practice's local wall clock: business hours,
//! callback times and appointment slots are all wall-clock rules, and the CSV
//! exports are wall-clock too. Only the JSON exports need the real instant, so
//! the zone is consulted there and nowhere else.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use chrono_tz::Tz;
use std::collections::BTreeSet;

/// Local wall-clock seconds since 1970-01-01 00:00 (no zone attached).
pub(super) type Ts = i64;

pub(super) const MINUTE: Ts = 60;
pub(super) const HOUR: Ts = 3600;
pub(super) const DAY: Ts = 86_400;
/// One business day of an 8-hour practice; attempt spacing and most targets are
/// counted in business minutes, so this is a duration on the business clock.
pub(super) const BUSINESS_DAY: Ts = 8 * HOUR;

pub(super) type Hours = [Vec<(NaiveTime, NaiveTime)>; 7];

pub(super) fn ts_of(date: NaiveDate, time: NaiveTime) -> Ts {
    NaiveDateTime::new(date, time).and_utc().timestamp()
}

pub(super) fn midnight(date: NaiveDate) -> Ts {
    ts_of(date, NaiveTime::MIN)
}

pub(super) fn date_of(t: Ts) -> NaiveDate {
    DateTime::from_timestamp(t.div_euclid(DAY) * DAY, 0)
        .map(|d| d.date_naive())
        .unwrap_or(NaiveDate::MIN)
}

/// Monday = 0.
pub(super) fn weekday_of(t: Ts) -> usize {
    // 1970-01-01 was a Thursday.
    ((t.div_euclid(DAY) + 3).rem_euclid(7)) as usize
}

pub(super) fn hour_of(t: Ts) -> u32 {
    (t.rem_euclid(DAY) / HOUR) as u32
}

/// Seconds after midnight of a time of day; a closing time of 00:00 means midnight.
fn secs(t: NaiveTime, closing: bool) -> Ts {
    let s = NaiveDateTime::new(NaiveDate::MIN, t)
        .and_utc()
        .timestamp()
        .rem_euclid(DAY);
    if closing && s == 0 {
        DAY
    } else {
        s
    }
}

/// Sorted, merged spans of a day in seconds after midnight.
fn day_spans(list: &[(NaiveTime, NaiveTime)]) -> Vec<(Ts, Ts)> {
    let mut v: Vec<(Ts, Ts)> = list
        .iter()
        .map(|&(a, b)| (secs(a, false), secs(b, true)))
        .filter(|(a, b)| a < b)
        .collect();
    v.sort_unstable();
    let mut out: Vec<(Ts, Ts)> = Vec::with_capacity(v.len());
    for (a, b) in v {
        match out.last_mut() {
            Some(last) if a <= last.1 => last.1 = last.1.max(b),
            _ => out.push((a, b)),
        }
    }
    out
}

fn intersect(a: &[(Ts, Ts)], b: &[(Ts, Ts)]) -> Vec<(Ts, Ts)> {
    let mut out = Vec::new();
    for &(a0, a1) in a {
        for &(b0, b1) in b {
            let (s, e) = (a0.max(b0), a1.min(b1));
            if s < e {
                out.push((s, e));
            }
        }
    }
    out
}

/// Seconds per week a person can work: their hours while the practice is open.
pub(super) fn weekly_overlap(practice: &Hours, own: &Hours) -> Ts {
    (0..7)
        .map(|w| {
            intersect(&day_spans(&practice[w]), &day_spans(&own[w]))
                .iter()
                .map(|(a, b)| b - a)
                .sum::<Ts>()
        })
        .sum()
}

/// Open spans over a range of days with a running total, so that business-time
/// arithmetic is a binary search instead of a walk over the calendar.
pub(super) struct Calendar {
    first_day: i64,
    spans: Vec<(Ts, Ts)>,
    /// Business seconds before each span, and after it.
    before: Vec<i64>,
    after: Vec<i64>,
    /// Index of the first span of each day; one extra entry closes the last day.
    day_first: Vec<usize>,
}

impl Calendar {
    fn build(
        first: NaiveDate,
        days: usize,
        mut spans_of: impl FnMut(NaiveDate) -> Vec<(Ts, Ts)>,
    ) -> Self {
        let mut cal = Calendar {
            first_day: midnight(first).div_euclid(DAY),
            spans: Vec::new(),
            before: Vec::new(),
            after: Vec::new(),
            day_first: Vec::with_capacity(days + 1),
        };
        let mut total = 0;
        for (i, date) in first.iter_days().take(days).enumerate() {
            cal.day_first.push(cal.spans.len());
            let base = midnight(first) + i as Ts * DAY;
            for (a, b) in spans_of(date) {
                cal.spans.push((base + a, base + b));
                cal.before.push(total);
                total += b - a;
                cal.after.push(total);
            }
        }
        cal.day_first.push(cal.spans.len());
        cal
    }

    pub(super) fn practice(
        hours: &Hours,
        holidays: &BTreeSet<NaiveDate>,
        first: NaiveDate,
        days: usize,
    ) -> Self {
        let weekly: Vec<Vec<(Ts, Ts)>> = hours.iter().map(|h| day_spans(h)).collect();
        Self::build(first, days, |d| {
            if holidays.contains(&d) {
                Vec::new()
            } else {
                weekly[d.weekday().num_days_from_monday() as usize].clone()
            }
        })
    }

    /// When a person is actually available: their own hours, but only while the
    /// practice is open (nobody works a holiday or the lunch closure).
    pub(super) fn staff(
        practice: &Hours,
        own: &Hours,
        holidays: &BTreeSet<NaiveDate>,
        first: NaiveDate,
        days: usize,
    ) -> Self {
        let weekly: Vec<Vec<(Ts, Ts)>> = (0..7)
            .map(|w| intersect(&day_spans(&practice[w]), &day_spans(&own[w])))
            .collect();
        Self::build(first, days, |d| {
            if holidays.contains(&d) {
                Vec::new()
            } else {
                weekly[d.weekday().num_days_from_monday() as usize].clone()
            }
        })
    }

    /// Open spans of the day that contains `t`.
    pub(super) fn day(&self, t: Ts) -> &[(Ts, Ts)] {
        let i = t.div_euclid(DAY) - self.first_day;
        if i < 0 || i as usize + 1 >= self.day_first.len() {
            return &[];
        }
        let i = i as usize;
        &self.spans[self.day_first[i]..self.day_first[i + 1]]
    }

    pub(super) fn is_open(&self, t: Ts) -> bool {
        self.day(t).iter().any(|&(a, b)| a <= t && t < b)
    }

    pub(super) fn is_business_day(&self, t: Ts) -> bool {
        !self.day(t).is_empty()
    }

    /// Business seconds elapsed on this calendar up to `t`.
    fn pos(&self, t: Ts) -> i64 {
        let i = self.spans.partition_point(|s| s.1 <= t);
        match self.spans.get(i) {
            None => self.after.last().copied().unwrap_or(0),
            Some(&(a, _)) => self.before[i] + (t - a).max(0),
        }
    }

    fn at_pos(&self, p: i64) -> Ts {
        let j = self.after.partition_point(|&e| e < p);
        match self.spans.get(j) {
            Some(&(a, _)) => a + (p - self.before[j]).max(0),
            // Past the horizon: keep time moving so nothing is scheduled in the past.
            None => self.spans.last().map_or(p, |s| s.1 + p - self.after[j - 1]),
        }
    }

    /// `t` plus `secs` of business time; from a closed moment the clock starts at
    /// the next opening.
    pub(super) fn add(&self, t: Ts, secs: i64) -> Ts {
        let r = self.at_pos(self.pos(t) + secs);
        r.max(t)
    }

    pub(super) fn between(&self, a: Ts, b: Ts) -> i64 {
        self.pos(b) - self.pos(a)
    }

    /// The next moment at or after `t` when the calendar is open.
    pub(super) fn next_open(&self, t: Ts) -> Ts {
        let i = self.spans.partition_point(|s| s.1 <= t);
        self.spans.get(i).map_or(t, |&(a, _)| a.max(t))
    }

    /// Business weekday after the day of `t` (for notes like "retry Thu").
    pub(super) fn next_business_date(&self, t: Ts) -> NaiveDate {
        date_of(self.next_open(midnight(date_of(t)) + DAY))
    }
}

/// Wall-clock spans that do not exist because the clocks spring forward, found
/// from the zone's own offsets. Nothing can happen at 02:30 on such a night, so
/// events that would are moved past the gap.
pub(super) fn dst_gaps(tz: Tz, first: NaiveDate, days: usize) -> Vec<(Ts, Ts)> {
    let offset = |utc: Ts| -> Ts {
        DateTime::from_timestamp(utc, 0).map_or(0, |d| {
            tz.offset_from_utc_datetime(&d.naive_utc())
                .fix()
                .local_minus_utc() as Ts
        })
    };
    let mut gaps = Vec::new();
    let begin = midnight(first) - 2 * DAY;
    for k in 0..days as Ts + 4 {
        let (lo, hi) = (begin + k * DAY, begin + (k + 1) * DAY);
        let (before, after) = (offset(lo), offset(hi));
        if after <= before {
            continue;
        }
        let (mut a, mut b) = (lo, hi);
        while b - a > 1 {
            let mid = a + (b - a) / 2;
            if offset(mid) == before {
                a = mid;
            } else {
                b = mid;
            }
        }
        gaps.push((b + before, b + after));
    }
    gaps
}

fn civil(t: Ts) -> (i64, u32, u32, u32, u32, u32) {
    let days = t.div_euclid(DAY);
    let sod = t.rem_euclid(DAY);
    // Howard Hinnant's days-to-civil; avoids chrono's formatter in the hot path.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = yoe + era * 400 + i64::from(m <= 2);
    (
        y,
        m,
        d,
        (sod / 3600) as u32,
        (sod / 60 % 60) as u32,
        (sod % 60) as u32,
    )
}

fn push2(out: &mut Vec<u8>, v: u32) {
    out.push(b'0' + (v / 10 % 10) as u8);
    out.push(b'0' + (v % 10) as u8);
}

fn push4(out: &mut Vec<u8>, v: i64) {
    let v = v.rem_euclid(10_000) as u32;
    push2(out, v / 100);
    push2(out, v % 100);
}

fn push_ymd(out: &mut Vec<u8>, y: i64, m: u32, d: u32) {
    push4(out, y);
    out.push(b'-');
    push2(out, m);
    out.push(b'-');
    push2(out, d);
}

fn push_hms(out: &mut Vec<u8>, h: u32, mi: u32, s: u32) {
    push2(out, h);
    out.push(b':');
    push2(out, mi);
    out.push(b':');
    push2(out, s);
}

/// Call log: `09/14/2026 02:05:33 PM`.
pub(super) fn fmt_call(t: Ts, out: &mut Vec<u8>) {
    let (y, m, d, h, mi, s) = civil(t);
    push2(out, m);
    out.push(b'/');
    push2(out, d);
    out.push(b'/');
    push4(out, y);
    out.push(b' ');
    let h12 = if h % 12 == 0 { 12 } else { h % 12 };
    push_hms(out, h12, mi, s);
    out.extend_from_slice(if h < 12 { b" AM" } else { b" PM" });
}

/// Task report: `2026-09-14 14:05`.
pub(super) fn fmt_minute(t: Ts, out: &mut Vec<u8>) {
    let (y, m, d, h, mi, _) = civil(t);
    push_ymd(out, y, m, d);
    out.push(b' ');
    push2(out, h);
    out.push(b':');
    push2(out, mi);
}

/// Task and activity reports: `2026-09-14 16:40:12`.
pub(super) fn fmt_second(t: Ts, out: &mut Vec<u8>) {
    let (y, m, d, h, mi, s) = civil(t);
    push_ymd(out, y, m, d);
    out.push(b' ');
    push_hms(out, h, mi, s);
}

/// ISO 8601 with the zone's offset at that instant. In the autumn fold the first
/// (daylight) reading is taken; a wall time inside the spring gap does not exist,
/// so it is read with the offset in force just before the gap and printed as the
/// instant it denotes.
pub(super) fn fmt_iso(tz: Tz, t: Ts, out: &mut Vec<u8>) {
    let naive = DateTime::from_timestamp(t, 0)
        .map(|d| d.naive_utc())
        .unwrap_or_default();
    let (local, offset) = match tz.from_local_datetime(&naive).earliest() {
        Some(dt) => (t, dt.offset().fix().local_minus_utc() as Ts),
        None => {
            let before = tz.offset_from_utc_datetime(&(naive - chrono::Duration::days(1)));
            let off = before.fix().local_minus_utc() as Ts;
            let utc = t - off;
            let dt = tz
                .timestamp_opt(utc, 0)
                .single()
                .map(|d| d.offset().fix().local_minus_utc());
            let off_after = dt.map_or(off, |o| o as Ts);
            (utc + off_after, off_after)
        }
    };
    let (y, m, d, h, mi, s) = civil(local);
    push_ymd(out, y, m, d);
    out.push(b'T');
    push_hms(out, h, mi, s);
    let sign = if offset < 0 { b'-' } else { b'+' };
    let o = offset.unsigned_abs();
    out.push(sign);
    push2(out, (o / 3600) as u32);
    out.push(b':');
    push2(out, (o / 60 % 60) as u32);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> Ts {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M:%S")
            .unwrap()
            .and_utc()
            .timestamp()
    }

    fn s(f: fn(Ts, &mut Vec<u8>), v: Ts) -> String {
        let mut out = Vec::new();
        f(v, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn formats_match_the_export_contract() {
        let v = t("2026-09-14 14:05:33");
        assert_eq!(s(fmt_call, v), "09/14/2026 02:05:33 PM");
        assert_eq!(
            s(fmt_call, t("2026-09-14 00:05:00")),
            "09/14/2026 12:05:00 AM"
        );
        assert_eq!(
            s(fmt_call, t("2026-09-14 12:05:00")),
            "09/14/2026 12:05:00 PM"
        );
        assert_eq!(s(fmt_minute, v), "2026-09-14 14:05");
        assert_eq!(s(fmt_second, v), "2026-09-14 14:05:33");
        assert_eq!(weekday_of(v), 0);
        assert_eq!(date_of(v), NaiveDate::from_ymd_opt(2026, 9, 14).unwrap());
    }

    #[test]
    fn iso_offsets_follow_the_zone() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let iso = |v| {
            let mut out = Vec::new();
            fmt_iso(tz, v, &mut out);
            String::from_utf8(out).unwrap()
        };
        assert_eq!(iso(t("2026-10-30 09:30:00")), "2026-10-30T09:30:00-04:00");
        assert_eq!(iso(t("2026-11-02 09:30:00")), "2026-11-02T09:30:00-05:00");
        assert_eq!(iso(t("2026-11-01 01:30:00")), "2026-11-01T01:30:00-04:00");
        assert_eq!(iso(t("2026-03-08 02:30:00")), "2026-03-08T03:30:00-04:00");
    }

    #[test]
    fn spring_forward_gap_is_found() {
        let tz: Tz = "America/New_York".parse().unwrap();
        let gaps = dst_gaps(tz, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), 365);
        assert_eq!(
            gaps,
            vec![(t("2026-03-08 02:00:00"), t("2026-03-08 03:00:00"))]
        );
        let utc: Tz = "UTC".parse().unwrap();
        assert!(dst_gaps(utc, NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(), 365).is_empty());
    }

    #[test]
    fn business_time_skips_lunch_nights_and_holidays() {
        let h = |a: u32, b: u32| {
            (
                NaiveTime::from_hms_opt(a, 0, 0).unwrap(),
                NaiveTime::from_hms_opt(b, 0, 0).unwrap(),
            )
        };
        let mut hours: Hours = Default::default();
        for d in hours.iter_mut().take(5) {
            *d = vec![h(8, 12), h(13, 17)];
        }
        let hol: BTreeSet<NaiveDate> = [NaiveDate::from_ymd_opt(2026, 9, 7).unwrap()].into();
        let cal = Calendar::practice(
            &hours,
            &hol,
            NaiveDate::from_ymd_opt(2026, 9, 1).unwrap(),
            30,
        );
        assert_eq!(
            cal.add(t("2026-09-01 11:45:00"), 30 * MINUTE),
            t("2026-09-01 13:15:00")
        );
        assert_eq!(
            cal.add(t("2026-09-01 11:30:00"), 30 * MINUTE),
            t("2026-09-01 12:00:00")
        );
        // Friday evening web form: the clock starts Tuesday 08:00 (Monday is a holiday).
        assert_eq!(
            cal.add(t("2026-09-04 19:00:00"), 30 * MINUTE),
            t("2026-09-08 08:30:00")
        );
        assert_eq!(
            cal.between(t("2026-09-04 16:50:00"), t("2026-09-08 08:10:00")),
            20 * MINUTE
        );
        assert!(!cal.is_open(t("2026-09-01 12:30:00")));
        assert!(cal.is_open(t("2026-09-01 13:00:00")));
        assert_eq!(
            cal.next_business_date(t("2026-09-04 10:00:00")),
            NaiveDate::from_ymd_opt(2026, 9, 8).unwrap()
        );
    }
}
