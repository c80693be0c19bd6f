//! The what-if grammar: `--add "Mon-Fri 13:00-17:00 referral,insurance_documents 1"`.
//!
//! `DAYS SPAN WORK [COUNT]`: DAYS is a weekday (`Mon`), a range (`Mon-Fri`) or a
//! list (`Mon,Wed,Fri`); SPAN is `HH:MM-HH:MM` local time; WORK is a
//! comma-separated list of category or lane names; COUNT is how many virtual
//! assistants (default 1). Errors name the token at fault.

use crate::config::{parse_span, Practice, Span};
use crate::error::UsageError;

const DAYS: [&str; 7] = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];

/// One parsed `--add`.
#[derive(Debug, Clone, PartialEq)]
pub struct Addition {
    pub text: String,
    /// Weekdays, 0 = Monday.
    pub days: Vec<usize>,
    pub span: Span,
    /// Category or lane names as written.
    pub work: Vec<String>,
    pub count: u32,
}

fn err(spec: &str, msg: String) -> UsageError {
    UsageError(format!(
        "--add \"{spec}\": {msg}; write DAYS HH:MM-HH:MM CATEGORIES [COUNT], e.g. \"Mon-Fri 13:00-17:00 referral,insurance_documents 1\""
    ))
}

fn day(spec: &str, tok: &str) -> Result<usize, UsageError> {
    let l = tok.to_ascii_lowercase();
    DAYS.iter()
        .position(|d| {
            l.len() >= 3
                && d.starts_with(&l[..3])
                && "monday tuesday wednesday thursday friday saturday sunday".contains(&l)
        })
        .ok_or_else(|| {
            err(
                spec,
                format!("`{tok}` is not a weekday (use Mon, Tue, …, Sun)"),
            )
        })
}

/// Parse the text of one `--add` (names are checked against a practice by [`Addition::works`]).
pub fn parse(spec: &str) -> Result<Addition, UsageError> {
    let toks: Vec<&str> = spec.split_whitespace().collect();
    if !(3..=4).contains(&toks.len()) {
        return Err(err(
            spec,
            format!("expected 3 or 4 parts, found {}", toks.len()),
        ));
    }
    let mut days = Vec::new();
    for part in toks[0].split(',') {
        match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (day(spec, a)?, day(spec, b)?);
                if b < a {
                    return Err(err(
                        spec,
                        format!("`{part}` runs backwards; write e.g. Mon-Fri"),
                    ));
                }
                days.extend(a..=b);
            }
            None => days.push(day(spec, part)?),
        }
    }
    days.sort_unstable();
    days.dedup();
    let span = parse_span(toks[1]).map_err(|m| err(spec, format!("`{}`: {m}", toks[1])))?;
    let work: Vec<String> = toks[2].split(',').map(str::to_string).collect();
    if let Some(bad) = work.iter().find(|w| w.is_empty()) {
        return Err(err(
            spec,
            format!("`{bad}` is an empty category name in `{}`", toks[2]),
        ));
    }
    let count = match toks.get(3) {
        None => 1,
        Some(c) => match c.parse::<u32>() {
            Ok(n) if (1..=100).contains(&n) => n,
            _ => {
                return Err(err(
                    spec,
                    format!("`{c}` is not a count of assistants (1 to 100)"),
                ))
            }
        },
    };
    Ok(Addition {
        text: spec.to_string(),
        days,
        span,
        work,
        count,
    })
}

impl Addition {
    /// The lanes the assistants work, as flags over `lanes`. A category stands for
    /// the lane that works it; licensed work cannot go to a virtual assistant.
    pub fn works(&self, p: &Practice, lanes: &[String]) -> Result<Vec<bool>, UsageError> {
        let mut flags = vec![false; lanes.len()];
        for w in &self.work {
            let lane = if let Some(l) = p.lanes.get(w) {
                l
            } else if let Some(l) = p
                .categories
                .contains_key(w)
                .then(|| p.lane_for(w))
                .flatten()
            {
                l
            } else {
                let mut known: Vec<&str> = p.categories.keys().map(String::as_str).collect();
                known.extend(p.lanes.keys().map(String::as_str));
                return Err(err(
                    &self.text,
                    format!(
                        "`{w}` is neither a category nor a lane of {} (known: {})",
                        p.id,
                        known.join(", ")
                    ),
                ));
            };
            if lane.licensed || lane.categories.iter().any(|c| p.categories[c].licensed) {
                return Err(err(
                    &self.text,
                    format!(
                        "`{w}` is worked in the licensed lane {}; a virtual assistant cannot work it",
                        lane.name
                    ),
                ));
            }
            if let Some(i) = lanes.iter().position(|l| *l == lane.name) {
                flags[i] = true;
            }
        }
        Ok(flags)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_ranges_lists_and_counts() {
        let a = parse("Mon-Fri 13:00-17:00 referral,insurance_documents 2").unwrap();
        assert_eq!(a.days, vec![0, 1, 2, 3, 4]);
        assert_eq!(a.work, vec!["referral", "insurance_documents"]);
        assert_eq!(a.count, 2);
        let b = parse("tue,Thu 08:00-09:30 front_desk").unwrap();
        assert_eq!(b.days, vec![1, 3]);
        assert_eq!(b.count, 1);
    }

    #[test]
    fn errors_name_the_token() {
        for (spec, token) in [
            ("Mon-Fry 13:00-17:00 referral", "`Fry`"),
            ("Mon 13:00-11:00 referral", "`13:00-11:00`"),
            ("Mon 13:00-17:00 referral many", "`many`"),
            ("Fri-Mon 13:00-17:00 referral", "`Fri-Mon`"),
            ("Mon 13:00-17:00", "3 or 4 parts"),
        ] {
            let e = parse(spec).unwrap_err().0;
            assert!(e.contains(token), "{spec}: {e}");
        }
    }
}
