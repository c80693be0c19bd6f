//! Opening hours: spans of local wall-clock time per weekday.

use chrono::{NaiveTime, Weekday};

/// A half-open span of local time, `start` to `end`, on one day.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    pub start: NaiveTime,
    pub end: NaiveTime,
}

impl Span {
    /// Length in minutes.
    pub fn minutes(&self) -> i64 {
        (self.end - self.start).num_minutes()
    }
}

/// Spans for each weekday, Monday first, sorted and non-overlapping.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WeekHours(pub [Vec<Span>; 7]);

impl WeekHours {
    pub fn day(&self, wd: Weekday) -> &[Span] {
        &self.0[wd.num_days_from_monday() as usize]
    }

    /// Total minutes in a week.
    pub fn weekly_minutes(&self) -> i64 {
        self.0.iter().flatten().map(Span::minutes).sum()
    }

    /// Parse `{ mon = ["08:00-12:00", "13:00-17:00"], ... }`; missing days are closed.
    pub fn parse(
        table: &std::collections::BTreeMap<String, Vec<String>>,
    ) -> Result<WeekHours, (String, String)> {
        let mut week: [Vec<Span>; 7] = Default::default();
        for (day, spans) in table {
            let idx = DAYS.iter().position(|d| d == day).ok_or_else(|| {
                (
                    day.clone(),
                    "unknown weekday; use mon, tue, wed, thu, fri, sat or sun".to_string(),
                )
            })?;
            let mut parsed = spans
                .iter()
                .map(|s| parse_span(s).map_err(|m| (day.clone(), m)))
                .collect::<Result<Vec<_>, _>>()?;
            parsed.sort_by_key(|s| s.start);
            for pair in parsed.windows(2) {
                if pair[1].start < pair[0].end {
                    return Err((
                        day.clone(),
                        format!(
                            "spans {}-{} and {}-{} overlap; make them disjoint (e.g. a lunch closure is two spans)",
                            pair[0].start.format("%H:%M"),
                            pair[0].end.format("%H:%M"),
                            pair[1].start.format("%H:%M"),
                            pair[1].end.format("%H:%M")
                        ),
                    ));
                }
            }
            week[idx] = parsed;
        }
        Ok(WeekHours(week))
    }

    /// Whether every span of `self` lies inside some span of `outer`.
    pub fn within(&self, outer: &WeekHours) -> bool {
        self.0.iter().zip(outer.0.iter()).all(|(inner, out)| {
            inner
                .iter()
                .all(|s| out.iter().any(|o| o.start <= s.start && s.end <= o.end))
        })
    }
}

/// `"mon"` … `"sun"` as a weekday.
pub fn parse_weekday(s: &str) -> Option<chrono::Weekday> {
    DAYS.iter()
        .position(|d| *d == s)
        .and_then(|i| chrono::Weekday::try_from(i as u8).ok())
}

/// Weekday keys, Monday first.
pub const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// Parse `"08:00-12:00"`.
pub fn parse_span(s: &str) -> Result<Span, String> {
    let hint = "write spans as \"HH:MM-HH:MM\", e.g. \"08:00-12:00\"";
    let (a, b) = s
        .split_once('-')
        .ok_or_else(|| format!("`{s}` is not a span; {hint}"))?;
    let t = |x: &str| {
        let x = x.trim();
        if x == "24:00" {
            return Ok(NaiveTime::from_hms_opt(23, 59, 59).expect("valid"));
        }
        NaiveTime::parse_from_str(x, "%H:%M").map_err(|_| format!("`{x}` is not a time; {hint}"))
    };
    let span = Span {
        start: t(a)?,
        end: t(b)?,
    };
    if span.end <= span.start {
        return Err(format!("span `{s}` ends before it starts; {hint}"));
    }
    Ok(span)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_split_shift_and_rejects_overlap() {
        let mut t = std::collections::BTreeMap::new();
        t.insert(
            "mon".into(),
            vec!["13:00-17:00".into(), "08:00-12:00".into()],
        );
        let w = WeekHours::parse(&t).unwrap();
        assert_eq!(w.day(Weekday::Mon).len(), 2);
        assert_eq!(w.day(Weekday::Mon)[0].start.to_string(), "08:00:00");
        assert_eq!(w.weekly_minutes(), 480);
        t.insert(
            "tue".into(),
            vec!["08:00-12:30".into(), "12:00-17:00".into()],
        );
        let (day, msg) = WeekHours::parse(&t).unwrap_err();
        assert_eq!(day, "tue");
        assert!(msg.contains("overlap"), "{msg}");
    }

    #[test]
    fn rejects_bad_spans() {
        assert!(parse_span("8-12").is_err());
        assert!(parse_span("12:00-08:00")
            .unwrap_err()
            .contains("ends before"));
        assert!(parse_span("08:00").is_err());
    }
}
