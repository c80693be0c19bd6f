//! Outcome ages: how long a request is given to be reached, completed, booked
//! or kept before its outcome is judged (docs/METRICS.md, "maturity").

use serde::Deserialize;

/// How long after a request its outcome is judged.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Age {
    /// To the close of business on the N-th business day after the business day
    /// on which the request's clock starts (0: that day's close).
    BusinessDays(u32),
    /// To the end of the local calendar day N days after the request's local date.
    Days(u32),
}

impl Age {
    /// Parse `"3 business days"`, `"1 business day"`, `"7 days"`, `"1 day"`
    /// (also the short forms `"3bd"` and `"7d"`).
    pub fn parse(s: &str) -> Result<Age, String> {
        let hint = "write an age as \"3 business days\" or \"7 days\"";
        let s = s.trim();
        let (num, rest) = s.split_at(s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len()));
        let n: u32 = num
            .parse()
            .map_err(|_| format!("`{s}` is not an age; {hint}"))?;
        if n > 366 {
            return Err(format!("`{s}` is longer than a year; {hint}"));
        }
        match rest.trim() {
            "business days" | "business day" | "bd" => Ok(Age::BusinessDays(n)),
            "days" | "day" | "d" => Ok(Age::Days(n)),
            _ => Err(format!("`{s}` is not an age; {hint}")),
        }
    }
}

impl std::fmt::Display for Age {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Age::BusinessDays(1) => write!(f, "1 business day"),
            Age::BusinessDays(n) => write!(f, "{n} business days"),
            Age::Days(1) => write!(f, "1 day"),
            Age::Days(n) => write!(f, "{n} days"),
        }
    }
}

/// The ages of one category's outcomes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Maturity {
    /// Reached (first contact) within this age.
    pub reached: Age,
    /// Completed (a terminal status) within this age.
    pub completed: Age,
    /// Booked (an appointment created) within this age.
    pub booked: Age,
    /// A visit starting within this age, kept.
    pub kept: Age,
}

impl Default for Maturity {
    fn default() -> Self {
        Maturity {
            reached: Age::BusinessDays(3),
            completed: Age::BusinessDays(5),
            booked: Age::Days(7),
            kept: Age::Days(30),
        }
    }
}

/// `maturity` as written (in `[defaults]`, a practice, or a category).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawMaturity {
    reached: Option<String>,
    completed: Option<String>,
    booked: Option<String>,
    kept: Option<String>,
}

impl RawMaturity {
    /// The ages written here over `base`; an error names the key.
    pub(super) fn over(&self, base: Maturity) -> Result<Maturity, (&'static str, String)> {
        let age = |key: &'static str, v: &Option<String>, d: Age| match v {
            None => Ok(d),
            Some(s) => Age::parse(s).map_err(|m| (key, m)),
        };
        Ok(Maturity {
            reached: age("reached", &self.reached, base.reached)?,
            completed: age("completed", &self.completed, base.completed)?,
            booked: age("booked", &self.booked, base.booked)?,
            kept: age("kept", &self.kept, base.kept)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ages_and_says_how_to_write_them() {
        assert_eq!(Age::parse("3 business days"), Ok(Age::BusinessDays(3)));
        assert_eq!(Age::parse("1 business day"), Ok(Age::BusinessDays(1)));
        assert_eq!(Age::parse("0bd"), Ok(Age::BusinessDays(0)));
        assert_eq!(Age::parse(" 7 days "), Ok(Age::Days(7)));
        assert_eq!(Age::parse("30d"), Ok(Age::Days(30)));
        for bad in ["", "days", "3 weeks", "-1 days", "400 days", "3.5 days"] {
            let e = Age::parse(bad).unwrap_err();
            assert!(e.contains("\"3 business days\""), "{bad}: {e}");
        }
        assert_eq!(Age::BusinessDays(3).to_string(), "3 business days");
        assert_eq!(Age::Days(1).to_string(), "1 day");
    }

    #[test]
    fn a_category_overrides_only_what_it_writes() {
        let raw = RawMaturity {
            booked: Some("14 days".into()),
            ..Default::default()
        };
        let m = raw.over(Maturity::default()).unwrap();
        assert_eq!(m.booked, Age::Days(14));
        assert_eq!(m.reached, Age::BusinessDays(3));
        let bad = RawMaturity {
            kept: Some("soon".into()),
            ..Default::default()
        };
        assert_eq!(bad.over(Maturity::default()).unwrap_err().0, "kept");
    }
}
