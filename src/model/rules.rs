//! Domain rules about statuses: which task statuses end the work, which
//! appointment statuses mean the visit happened, and which of a task's
//! appointments is its appointment. Written once here (docs/METRICS.md).

use super::domain::{AppointmentStatus, Status};
use crate::config::Practice;

/// Statuses after which a task needs no more work.
pub const TERMINAL_STATUSES: [Status; 5] = [
    Status::Scheduled,
    Status::Completed,
    Status::Declined,
    Status::UnableToReach,
    Status::Cancelled,
];

/// Appointment statuses that mean the visit happened.
pub const KEPT_STATUSES: [AppointmentStatus; 3] = [
    AppointmentStatus::Fulfilled,
    AppointmentStatus::Arrived,
    AppointmentStatus::CheckedIn,
];

impl AppointmentStatus {
    /// Whether the visit happened.
    pub fn is_kept(self) -> bool {
        KEPT_STATUSES.contains(&self)
    }

    /// Whether the appointment was recorded by mistake: it never counts.
    pub fn is_entered_in_error(self) -> bool {
        self == AppointmentStatus::EnteredInError
    }
}

impl Status {
    /// Whether a task in this status needs no more work.
    pub fn is_terminal(self) -> bool {
        TERMINAL_STATUSES.contains(&self)
    }
}

/// Whether a task is clinical work, which only a licensed lane may do: its
/// category is `licensed` in the practice's config, or it waits on a clinical
/// review. The lists route it by this; the report counts it.
pub fn is_clinical(p: &Practice, category: &str, status: Option<Status>) -> bool {
    p.categories.get(category).is_some_and(|c| c.licensed)
        || status == Some(Status::NeedsClinicalReview)
}

/// The category whose response target a missed call is held to: a number
/// not in the practice's contacts is likely a new patient, so it gets the
/// new-patient target; a known patient the missed-call target
/// (docs/LISTS.md, "Order"). Falls back to `missed_call` when the practice
/// has no `new_patient_request` category.
pub fn missed_call_target<'a>(
    p: &'a Practice,
    known_patient: bool,
) -> Option<&'a crate::config::Category> {
    let new_patient = (!known_patient)
        .then(|| p.categories.get("new_patient_request"))
        .flatten();
    new_patient.or_else(|| p.categories.get("missed_call"))
}

/// What a call is for, from its category (and a declined task's status): the
/// goal a caller works to (docs/LISTS.md, "What each row carries").
pub fn call_goal(category: &str, status: Option<Status>) -> &'static str {
    if status == Some(Status::Declined) {
        return "document decline";
    }
    match category {
        "new_patient_request"
        | "incomplete_scheduling"
        | "referral"
        | "cancellation_recovery"
        | "no_show_recovery"
        | "care_gap" => "book",
        "post_visit" => "confirm instructions",
        "insurance_documents" => "collect information",
        "clinical_question" => "route to nurse",
        "missed_call" => "find out what they need",
        _ => "follow up",
    }
}

/// How strongly an appointment stands for its task's booking, when a task has
/// several (its own `appointment_id` and any naming it): a visit that happened,
/// then one still planned, then a no-show, then a cancellation. Among equals the
/// one created last wins (the latest booking is the current plan), then the
/// smallest appointment id. Entered-in-error appointments are never candidates.
pub fn appointment_rank(status: Option<AppointmentStatus>) -> u8 {
    match status {
        Some(s) if s.is_kept() => 4,
        Some(
            AppointmentStatus::Booked
            | AppointmentStatus::Pending
            | AppointmentStatus::Proposed
            | AppointmentStatus::Waitlist,
        ) => 3,
        Some(AppointmentStatus::Noshow) => 2,
        Some(AppointmentStatus::Cancelled) => 1,
        _ => 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_kept_visit_outranks_a_planned_one_which_outranks_a_missed_one() {
        let order = ["fulfilled", "booked", "noshow", "cancelled"];
        let rank = |s: &str| appointment_rank(Some(AppointmentStatus::parse(s).expect(s)));
        let ranks: Vec<u8> = order.iter().map(|s| rank(s)).collect();
        assert!(ranks.windows(2).all(|w| w[0] > w[1]), "{ranks:?}");
        assert_eq!(rank("checked-in"), rank("arrived"));
        assert_eq!(appointment_rank(None), 0);
    }
}
