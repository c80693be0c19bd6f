//! The run's own clock: what "now" is when ingest judges an instant to be in the
//! future, and the latest day `nightly` may call "data through".
//!
//! It is the system clock, unless `FOLLOWUP_NOW` holds an RFC 3339 instant or a
//! date (midnight UTC): for tests, and to replay a past night exactly.

use anyhow::{Context, Result};
use chrono::{DateTime, NaiveDate, Utc};

/// The environment variable that sets the clock.
pub const ENV: &str = "FOLLOWUP_NOW";

/// Now, in UTC.
pub fn now() -> Result<DateTime<Utc>> {
    match std::env::var(ENV) {
        Ok(v) if !v.trim().is_empty() => parse(v.trim()).with_context(|| {
            format!("${ENV} = `{v}` is not an RFC 3339 instant or a YYYY-MM-DD date")
        }),
        _ => Ok(Utc::now()),
    }
}

fn parse(v: &str) -> Result<DateTime<Utc>> {
    if let Ok(t) = DateTime::parse_from_rfc3339(v) {
        return Ok(t.with_timezone(&Utc));
    }
    let d: NaiveDate = v.parse()?;
    Ok(d.and_hms_opt(0, 0, 0).expect("midnight exists").and_utc())
}

#[cfg(test)]
mod tests {
    #[test]
    fn parses_instants_and_dates() {
        assert_eq!(
            super::parse("2026-11-23").unwrap().to_rfc3339(),
            "2026-11-23T00:00:00+00:00"
        );
        assert_eq!(
            super::parse("2026-11-23T05:00:00-05:00")
                .unwrap()
                .to_rfc3339(),
            "2026-11-23T10:00:00+00:00"
        );
        assert!(super::parse("tomorrow").is_err());
    }
}
