//! The business-time clock: minutes inside a practice's business hours, in its
//! time zone, on days that are not holidays.
//!
//! A calendar is built once per practice for a date range: the business spans as
//! UTC instants with a running total of business time before each. Business time
//! between two instants is then a difference of two binary searches, exact to the
//! microsecond and correct across daylight-saving changes (each span's local
//! times are converted through the zone on its own date).

use super::day::Window;
use super::spans::{Cursor, Spans};
use crate::config::{Age, Config, Practice, Target};
use chrono::{Duration, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};
use std::collections::BTreeMap;

const MICROS_PER_MINUTE: i64 = 60_000_000;

/// Business spans of one practice over a date range.
#[derive(Debug, Clone)]
pub struct Calendar {
    tz: chrono_tz::Tz,
    /// The business spans, (start, end) in µs since the epoch.
    open: Spans,
    /// Local date of each span.
    dates: Vec<NaiveDate>,
    /// Business days, each once.
    days: Vec<NaiveDate>,
    /// Local midnight (`day::start`) of every date `first..=last + 1`, µs:
    /// on a day of exactly 24 hours an instant's local date and time, and a
    /// local time's instant, follow from these without a time-zone conversion.
    midnights: Vec<i64>,
    /// For each date `first..=last + 1` (by index from `first`), the index
    /// in `days` of the first business day on or after it.
    business_from: Vec<usize>,
    /// Each business day, as its index from `first`.
    day_index: Vec<usize>,
    /// For each date `first..=last + 1`, the index of its first span (or
    /// the next day's): where a search for an instant on it starts.
    span_from: Vec<usize>,
    first: NaiveDate,
    last: NaiveDate,
}

/// Per-practice business calendars covering the window with a margin.
pub struct Calendars(pub BTreeMap<String, Calendar>);

impl Calendars {
    pub fn new(config: &Config, w: Window, practices: &[&str]) -> Calendars {
        let mut m = BTreeMap::new();
        for p in config
            .practices
            .iter()
            .filter(|p| practices.contains(&p.id.as_str()))
        {
            let d = |us: i64| {
                chrono::DateTime::from_timestamp_micros(us)
                    .expect("instant")
                    .with_timezone(&p.tz)
                    .date_naive()
            };
            // Old open tasks reach back; deadlines reach forward.
            let first = d(w.from) - chrono::Duration::days(400);
            let last = d(w.as_of) + chrono::Duration::days(60);
            m.insert(p.id.clone(), Calendar::new(p, first, last));
        }
        Calendars(m)
    }
}

fn local_instant(tz: chrono_tz::Tz, d: NaiveDate, t: NaiveTime) -> i64 {
    let naive = NaiveDateTime::new(d, t);
    match tz.from_local_datetime(&naive) {
        LocalResult::Single(x) | LocalResult::Ambiguous(x, _) => x.timestamp_micros(),
        // Opening inside a skipped hour: open when the clock resumes.
        LocalResult::None => tz
            .from_local_datetime(&(naive + Duration::hours(1)))
            .earliest()
            .map(|x| x.timestamp_micros())
            .expect("an hour after a DST gap exists"),
    }
}

impl Calendar {
    /// Build the calendar for `first..=last` (local dates). Instants outside the
    /// range see no business time beyond it, so build it with a margin.
    pub fn new(p: &Practice, first: NaiveDate, last: NaiveDate) -> Calendar {
        use chrono::Datelike;
        let mut spans = Vec::new();
        let mut dates = Vec::new();
        let mut d = first;
        while d <= last {
            if !p.is_holiday(d) {
                for s in p.hours.day(d.weekday()) {
                    spans.push((
                        local_instant(p.tz, d, s.start),
                        local_instant(p.tz, d, s.end),
                    ));
                    dates.push(d);
                }
            }
            d = d.succ_opt().expect("date in range");
        }
        let mut days = dates.clone();
        days.dedup();
        let midnights: Vec<i64> = first
            .iter_days()
            .take_while(|&d| d <= last.succ_opt().expect("date in range"))
            .map(|d| super::day::start(p.tz, d).expect("a local day starts"))
            .collect();
        let day_index: Vec<usize> = (days.iter())
            .map(|&d| (d - first).num_days() as usize)
            .collect();
        let business_from = (0..midnights.len())
            .map(|i| day_index.partition_point(|&x| x < i))
            .collect();
        let span_from = (0..midnights.len())
            .map(|i| dates.partition_point(|&d| ((d - first).num_days() as usize) < i))
            .collect();
        Calendar {
            tz: p.tz,
            open: Spans::new(spans),
            span_from,
            dates,
            days,
            midnights,
            business_from,
            day_index,
            first,
            last,
        }
    }

    /// Business µs between `a` and `b` (negative when `b` is before `a`).
    pub fn micros_between(&self, a: i64, b: i64) -> i64 {
        self.open.between(a, b)
    }

    /// Business minutes between `a` and `b`, fractional.
    pub fn minutes_between(&self, a: i64, b: i64) -> f64 {
        self.micros_between(a, b) as f64 / MICROS_PER_MINUTE as f64
    }

    /// The instant at which the clock starts for a request made at `t`: `t` itself
    /// inside business hours, otherwise the next opening (None past the calendar).
    pub fn clock_start(&self, t: i64) -> Option<i64> {
        self.open.next_open_near(&mut self.near(t), t)
    }

    /// A search position at the spans of about `t`'s day: the date from the
    /// first midnight and whole days of 24 hours, which a clock change puts
    /// at most a day off; the search gallops from there to the exact span.
    fn near(&self, t: i64) -> Cursor {
        const DAY: i64 = 24 * 3_600_000_000;
        let day = (t - self.midnights[0]).div_euclid(DAY);
        let day = day.clamp(0, self.span_from.len() as i64 - 1) as usize;
        Cursor::at(self.span_from[day])
    }

    /// The instant `micros` of business time after `t` (the clock starts at the
    /// next opening when `t` is outside hours). A target that lands exactly on a
    /// close is that close, not the next opening. None past the calendar's end.
    pub fn add_micros(&self, t: i64, micros: i64) -> Option<i64> {
        if micros <= 0 {
            return self.clock_start(t);
        }
        self.open.advance_near(&mut self.near(t), t, micros)
    }

    /// `add_micros` in whole minutes.
    pub fn add_minutes(&self, t: i64, minutes: i64) -> Option<i64> {
        self.add_micros(t, minutes * MICROS_PER_MINUTE)
    }

    /// The close of the business day containing the first opening at or after `t`.
    pub fn close_of_day(&self, t: i64) -> Option<i64> {
        let i = self.open.spans().partition_point(|s| s.1 <= t);
        let d = *self.dates.get(i)?;
        let last = i + self.dates[i..].iter().take_while(|&&x| x == d).count() - 1;
        Some(self.open.spans()[last].1)
    }

    /// The close of business on local date `d` (None when closed that day or out of range).
    pub fn close_on(&self, d: NaiveDate) -> Option<i64> {
        let i = self.dates.partition_point(|&x| x <= d);
        (i > 0 && self.dates[i - 1] == d).then(|| self.open.spans()[i - 1].1)
    }

    /// The business days from `a` to `b` inclusive.
    pub fn business_days(&self, a: NaiveDate, b: NaiveDate) -> &[NaiveDate] {
        let s = self.days.partition_point(|&x| x < a);
        let e = self.days.partition_point(|&x| x <= b);
        &self.days[s..e.max(s)]
    }

    /// The local time of day of `t` on the `n`-th (≥ 1) business day after its
    /// local date, counting business days up to 60 days after it (None when
    /// there are fewer, or past the calendar).
    pub fn same_time_business_days_later(&self, t: i64, n: usize) -> Option<i64> {
        // Both days of exactly 24 hours (nearly always): indexes and a sum.
        if let Some((i, midnight)) = self.plain_day_at(t) {
            let k = self.business_from[i + 1] + n.checked_sub(1)?;
            let day = *self.day_index.get(k).filter(|&&x| x <= i + 60)?;
            if let Some(m) = self.plain_day(day) {
                return Some(m + (t - midnight));
            }
        }
        let (d, at) = self.local(t)?;
        let after = self.business_days(d.succ_opt()?, d + Duration::days(60));
        Some(self.instant(*after.get(n.checked_sub(1)?)?, at))
    }

    /// The date `first + i` when it lasts exactly 24 hours: its local midnight.
    fn plain_day(&self, i: usize) -> Option<i64> {
        let (start, end) = (*self.midnights.get(i)?, *self.midnights.get(i + 1)?);
        (end - start == 24 * 3_600_000_000).then_some(start)
    }

    /// The index from `first` of the date of `t` and its local midnight, when
    /// that day lasts exactly 24 hours.
    fn plain_day_at(&self, t: i64) -> Option<(usize, i64)> {
        let i = self.midnights.partition_point(|&m| m <= t).checked_sub(1)?;
        Some((i, self.plain_day(i)?))
    }

    /// Local date and time of day of `t`.
    fn local(&self, t: i64) -> Option<(NaiveDate, NaiveTime)> {
        match self.plain_day_at(t) {
            Some((i, midnight)) => {
                let since = t - midnight;
                let time = NaiveTime::from_num_seconds_from_midnight_opt(
                    (since / 1_000_000) as u32,
                    (since % 1_000_000) as u32 * 1000,
                )?;
                Some((self.first + Duration::days(i as i64), time))
            }
            None => {
                let local = chrono::DateTime::from_timestamp_micros(t)?.with_timezone(&self.tz);
                Some((local.date_naive(), local.time()))
            }
        }
    }

    /// The instant of local time `at` on date `d` (a time skipped by a clock
    /// change an hour later, as [`local_instant`]).
    fn instant(&self, d: NaiveDate, at: NaiveTime) -> i64 {
        use chrono::Timelike;
        let plain = usize::try_from((d - self.first).num_days())
            .ok()
            .and_then(|i| self.plain_day(i));
        match plain {
            Some(midnight) => {
                midnight
                    + at.num_seconds_from_midnight() as i64 * 1_000_000
                    + at.nanosecond() as i64 / 1000
            }
            None => local_instant(self.tz, d, at),
        }
    }

    /// The local time `at` on the first business day after the day of the first
    /// opening at or after `t`.
    pub fn next_business_day_at(&self, t: i64, at: NaiveTime) -> Option<i64> {
        let i = self.open.spans().partition_point(|s| s.1 <= t);
        let d = *self.dates.get(i)?;
        let next = *self.dates[i..].iter().find(|&&x| x > d)?;
        Some(local_instant(self.tz, next, at))
    }

    /// The deadline for a first attempt on a request made at `created`.
    pub fn deadline(&self, created: i64, target: Target) -> Option<i64> {
        match target {
            Target::Minutes(m) => self.add_minutes(created, m as i64),
            Target::SameDay => self.close_of_day(created),
            Target::NextDayBy(t) => self.next_business_day_at(created, t),
        }
    }

    /// The instant an outcome age ends for a request made at `created`
    /// (docs/METRICS.md, "maturity"): for N business days, the close of business
    /// on the N-th business day after the day of the first opening at or after
    /// `created`; for N days, the end of the local date N days after `created`'s.
    /// None past the calendar's end.
    pub fn age_end(&self, created: i64, age: Age) -> Option<i64> {
        match age {
            Age::BusinessDays(n) => {
                let i = self.open.spans().partition_point(|s| s.1 <= created);
                let d = *self.dates.get(i)?;
                let k = self.days.partition_point(|&x| x < d);
                self.close_on(*self.days.get(k + n as usize)?)
            }
            Age::Days(n) => {
                let d = chrono::DateTime::from_timestamp_micros(created)?
                    .with_timezone(&self.tz)
                    .date_naive();
                super::day::end(self.tz, d.checked_add_days(chrono::Days::new(n as u64))?)
            }
        }
    }

    /// The number of business days before the local date of `t`: the difference of
    /// two indexes is a distance in business days.
    pub fn business_day_index(&self, t: i64) -> Option<i64> {
        let d = chrono::DateTime::from_timestamp_micros(t)?
            .with_timezone(&self.tz)
            .date_naive();
        if d < self.first || d > self.last {
            return None;
        }
        Some(self.days.partition_point(|&x| x < d) as i64)
    }

    #[cfg(test)]
    /// Whether `t` is inside business hours.
    pub fn is_open(&self, t: i64) -> bool {
        let i = self.open.spans().partition_point(|s| s.0 <= t);
        i > 0 && t < self.open.spans()[i - 1].1
    }
}

#[cfg(test)]
#[path = "clock_tests.rs"]
mod tests;
