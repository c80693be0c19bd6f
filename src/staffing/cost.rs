//! What the plan costs at the vendor's hourly rate (`staffing.va_hourly_rate`,
//! currency-neutral): paid hours a week × rate, and a month of 4.33 weeks.

/// Weeks in an average month (52 ÷ 12, rounded as vendors quote it).
pub const WEEKS_PER_MONTH: f64 = 4.33;

#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Cost {
    pub paid_hours_per_week: u32,
    pub hourly_rate: f64,
    pub per_week: f64,
    pub per_month: f64,
}

/// The cost of `hours` paid hours a week, or None with no rate configured.
pub fn cost(hours: u32, rate: Option<f64>) -> Option<Cost> {
    rate.map(|r| {
        let week = hours as f64 * r;
        Cost {
            paid_hours_per_week: hours,
            hourly_rate: r,
            per_week: (week * 100.0).round() / 100.0,
            per_month: (week * WEEKS_PER_MONTH * 100.0).round() / 100.0,
        }
    })
}

impl Cost {
    /// "36 paid h a week × 15.00 an hour = 540.00 a week, 2338.20 a month (4.33 weeks)".
    pub fn text(&self) -> String {
        format!(
            "{} paid h a week × {:.2} an hour = {:.2} a week, {:.2} a month ({WEEKS_PER_MONTH} weeks)",
            self.paid_hours_per_week, self.hourly_rate, self.per_week, self.per_month
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cost_is_paid_hours_times_the_rate_and_none_without_a_rate() {
        let c = cost(36, Some(15.0)).unwrap();
        assert_eq!((c.per_week, c.per_month), (540.0, 2338.2));
        assert_eq!(
            c.text(),
            "36 paid h a week × 15.00 an hour = 540.00 a week, 2338.20 a month (4.33 weeks)"
        );
        assert_eq!(cost(0, Some(15.0)).unwrap().per_week, 0.0);
        assert_eq!(cost(36, None), None);
    }
}
