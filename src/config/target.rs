//! Response targets: how soon a category's first attempt is due.

use chrono::NaiveTime;

/// A response target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// Within N business minutes of the clock start.
    Minutes(u32),
    /// Before the close of the business day on which the clock starts.
    SameDay,
    /// By a local time of day on the next business day after the clock start.
    NextDayBy(NaiveTime),
}

impl Target {
    /// Parse `"30m"`, `"2h"`, `"same_day"` or `"next_day 12:00"`.
    pub fn parse(s: &str) -> Result<Target, String> {
        let hint = "use \"30m\" (business minutes), \"4h\" (business hours), \"same_day\" or \"next_day 12:00\"";
        let s = s.trim();
        if s == "same_day" {
            return Ok(Target::SameDay);
        }
        if let Some(rest) = s.strip_prefix("next_day") {
            let t = NaiveTime::parse_from_str(rest.trim(), "%H:%M")
                .map_err(|_| format!("`{s}`: expected a time after next_day; {hint}"))?;
            return Ok(Target::NextDayBy(t));
        }
        let (num, mult) = if let Some(n) = s.strip_suffix('m') {
            (n, 1)
        } else if let Some(n) = s.strip_suffix('h') {
            (n, 60)
        } else {
            return Err(format!("`{s}` is not a target; {hint}"));
        };
        let n: u32 = num
            .trim()
            .parse()
            .map_err(|_| format!("`{s}` is not a target; {hint}"))?;
        if n == 0 {
            return Err(format!(
                "`{s}` can never be met: a first attempt takes time; use at least 1m"
            ));
        }
        Ok(Target::Minutes(n * mult))
    }
}

impl Target {
    /// A short form for narrow table cells: "30 min", "4 h", "same day",
    /// "next day 12:00" (business time throughout).
    pub fn short(&self) -> String {
        match self {
            Target::Minutes(m) if m % 60 == 0 => format!("{} h", m / 60),
            Target::Minutes(m) => format!("{m} min"),
            Target::SameDay => "same day".into(),
            Target::NextDayBy(t) => format!("next day {}", t.format("%H:%M")),
        }
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Target::Minutes(m) => write!(f, "{m} business minutes"),
            Target::SameDay => write!(f, "same business day"),
            Target::NextDayBy(t) => write!(f, "next business day by {}", t.format("%H:%M")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_forms_fit_a_narrow_cell() {
        let t = |s: &str| Target::parse(s).unwrap().short();
        assert_eq!(
            [
                t("30m"),
                t("4h"),
                t("90m"),
                t("same_day"),
                t("next_day 12:00")
            ],
            ["30 min", "4 h", "90 min", "same day", "next day 12:00"]
        );
    }

    #[test]
    fn parses_all_forms() {
        assert_eq!(Target::parse("30m"), Ok(Target::Minutes(30)));
        assert_eq!(Target::parse("4h"), Ok(Target::Minutes(240)));
        assert_eq!(Target::parse("same_day"), Ok(Target::SameDay));
        assert_eq!(
            Target::parse("next_day 12:00"),
            Ok(Target::NextDayBy(
                NaiveTime::from_hms_opt(12, 0, 0).unwrap()
            ))
        );
        assert!(Target::parse("0m").unwrap_err().contains("never be met"));
        assert!(Target::parse("soon").is_err());
        assert!(Target::parse("next_day noon").is_err());
    }
}
