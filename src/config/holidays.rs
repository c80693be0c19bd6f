//! The US federal holiday calendar (opt-in per practice), with observed dates.

use chrono::{Datelike, Duration, NaiveDate, Weekday};

/// Whether `d` is a US federal holiday as observed by federal offices
/// (a Saturday holiday is observed on Friday, a Sunday one on Monday).
pub fn is_us_federal_holiday(d: NaiveDate) -> bool {
    let y = d.year();
    if KNOWN_YEARS.contains(&y) && KNOWN_YEARS.contains(&(y + 1)) {
        return known().binary_search(&d).is_ok();
    }
    // Dec 31 can be the observed New Year's Day of the next year.
    [y, y + 1]
        .iter()
        .flat_map(|&y| us_federal_holidays(y))
        .any(|h| h == d)
}

/// Years whose holidays are listed once, on first use: calendars and rosters
/// ask about every day they span, and listing the year's holidays afresh for
/// each day was a visible share of a staffing replay.
const KNOWN_YEARS: std::ops::RangeInclusive<i32> = 1990..=2100;

/// The observed holidays of [`KNOWN_YEARS`], sorted. A year's observed dates
/// fall in it or on the Dec 31 before, so a date of year y is in this list
/// exactly when it is among the holidays of y or y + 1.
fn known() -> &'static [NaiveDate] {
    static KNOWN: std::sync::OnceLock<Vec<NaiveDate>> = std::sync::OnceLock::new();
    KNOWN.get_or_init(|| {
        let mut v: Vec<NaiveDate> = KNOWN_YEARS.flat_map(us_federal_holidays).collect();
        v.sort();
        v
    })
}

/// The observed federal holidays of year `y`.
pub fn us_federal_holidays(y: i32) -> Vec<NaiveDate> {
    let fixed = |m, day| observed(NaiveDate::from_ymd_opt(y, m, day).expect("valid date"));
    let mut v = vec![
        fixed(1, 1),
        nth_weekday(y, 1, Weekday::Mon, 3),
        nth_weekday(y, 2, Weekday::Mon, 3),
        last_weekday(y, 5, Weekday::Mon),
        nth_weekday(y, 9, Weekday::Mon, 1),
        nth_weekday(y, 10, Weekday::Mon, 2),
        fixed(7, 4),
        fixed(11, 11),
        nth_weekday(y, 11, Weekday::Thu, 4),
        fixed(12, 25),
    ];
    if y >= 2021 {
        v.push(fixed(6, 19));
    }
    v.sort();
    v
}

fn observed(d: NaiveDate) -> NaiveDate {
    match d.weekday() {
        Weekday::Sat => d - Duration::days(1),
        Weekday::Sun => d + Duration::days(1),
        _ => d,
    }
}

fn nth_weekday(y: i32, m: u32, wd: Weekday, n: u8) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(y, m, wd, n).expect("valid nth weekday")
}

fn last_weekday(y: i32, m: u32, wd: Weekday) -> NaiveDate {
    NaiveDate::from_weekday_of_month_opt(y, m, wd, 5).unwrap_or_else(|| nth_weekday(y, m, wd, 4))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_2026_dates() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        assert!(is_us_federal_holiday(d(9, 7))); // Labor Day
        assert!(is_us_federal_holiday(d(10, 12))); // Columbus Day
        assert!(is_us_federal_holiday(d(11, 11))); // Veterans Day (Wed)
        assert!(is_us_federal_holiday(d(11, 26))); // Thanksgiving
        assert!(is_us_federal_holiday(d(7, 3))); // July 4 is a Saturday: observed Friday
        assert!(is_us_federal_holiday(d(5, 25))); // Memorial Day
        assert!(!is_us_federal_holiday(d(11, 27)));
        assert_eq!(us_federal_holidays(2026).len(), 11);
    }

    #[test]
    fn the_listed_years_agree_with_the_holidays_of_the_year_and_the_next() {
        let mut d = NaiveDate::from_ymd_opt(1989, 12, 1).unwrap();
        while d.year() <= 2101 {
            let y = d.year();
            let direct = [y, y + 1]
                .iter()
                .flat_map(|&y| us_federal_holidays(y))
                .any(|h| h == d);
            assert_eq!(is_us_federal_holiday(d), direct, "{d}");
            d = d.succ_opt().unwrap();
        }
    }
}
