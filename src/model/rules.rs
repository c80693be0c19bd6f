//! Domain rules about statuses: which task statuses end the work, which
//! appointment statuses mean the visit happened, and which of a task's
//! appointments is its appointment. Written once here (docs/METRICS.md).

/// Statuses after which a task needs no more work.
pub const TERMINAL: &[&str] = &[
    "scheduled",
    "completed",
    "declined",
    "unable_to_reach",
    "cancelled",
];

/// Appointment statuses that mean the visit happened.
pub const KEPT: &[&str] = &["fulfilled", "arrived", "checked-in"];

/// An appointment recorded by mistake: it never counts.
pub const ENTERED_IN_ERROR: &str = "entered-in-error";

/// How strongly an appointment stands for its task's booking, when a task has
/// several (its own `appointment_id` and any naming it): a visit that happened,
/// then one still planned, then a no-show, then a cancellation. Among equals the
/// one created last wins (the latest booking is the current plan), then the
/// smallest appointment id. Entered-in-error appointments are never candidates.
pub fn appointment_rank(status: Option<&str>) -> u8 {
    match status {
        Some(s) if KEPT.contains(&s) => 4,
        Some("booked" | "pending" | "proposed" | "waitlist") => 3,
        Some("noshow") => 2,
        Some("cancelled") => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_visit_outranks_a_planned_one_which_outranks_a_missed_one() {
        let order = ["fulfilled", "booked", "noshow", "cancelled"];
        let ranks: Vec<u8> = order.iter().map(|s| appointment_rank(Some(s))).collect();
        assert!(ranks.windows(2).all(|w| w[0] > w[1]), "{ranks:?}");
        assert_eq!(
            appointment_rank(Some("checked-in")),
            appointment_rank(Some("arrived"))
        );
        assert_eq!(appointment_rank(None), 0);
    }
}
