//! The domain's enumerations, typed: a task's status, an attempt's outcome, a
//! call's outcome, a direction, a channel, an appointment's status. The lake
//! stores them as lower snake_case strings (FHIR codes for appointments);
//! `parse` reads one once, `as_str` gives it back. The lake's own lists of valid
//! values (`lake::schema`) are tested below to be these, in this order.

/// A domain enumeration the lake stores as strings: what a column reader needs
/// to parse a column into it once (`model::load::parsed`).
pub trait LakeEnum: Copy + 'static {
    /// Every value, in the lake schema's order.
    const ALL: &'static [Self];
    /// The value as the lake stores it.
    fn as_str(self) -> &'static str;
}

/// An enum of the lake's strings: the type, `ALL` in the lake's order, `as_str`,
/// `parse`, and `names_of` (strings of a set of values, usable in consts).
macro_rules! lake_enum {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $v:ident = $s:literal,)+ }) => {
        $(#[$m])*
        // A variant for every value the lake may hold, though code names only some.
        #[allow(dead_code)]
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum $name {
            $($(#[$vm])* $v,)+
        }

        #[allow(dead_code)]
        impl $name {
            /// Every value, in the order the lake's schema lists them.
            pub const ALL: &'static [$name] = &[$($name::$v,)+];

            /// The value as the lake stores it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$v => $s,)+
                }
            }

            /// The value a lake string names, or `None` for one it does not know.
            pub fn parse(s: &str) -> Option<Self> {
                match s {
                    $($s => Some($name::$v),)+
                    _ => None,
                }
            }

            /// The lake strings of `values`, in their order.
            pub const fn names_of<const N: usize>(values: [$name; N]) -> [&'static str; N] {
                let mut out = [""; N];
                let mut i = 0;
                while i < N {
                    out[i] = values[i].as_str();
                    i += 1;
                }
                out
            }
        }

        impl LakeEnum for $name {
            const ALL: &'static [$name] = $name::ALL;
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

lake_enum! {
    /// A task's status in the practice's workflow.
    Status {
        Open = "open",
        Scheduled = "scheduled",
        LeftMessage = "left_message",
        NoAnswer = "no_answer",
        WrongNumber = "wrong_number",
        CallbackSet = "callback_set",
        NeedsClinicalReview = "needs_clinical_review",
        NeedsInsuranceReview = "needs_insurance_review",
        Declined = "declined",
        UnableToReach = "unable_to_reach",
        Completed = "completed",
        Cancelled = "cancelled",
    }
}

lake_enum! {
    /// What an attempt row (outreach, a reply, or a status change) recorded.
    Outcome {
        Reached = "reached",
        LeftMessage = "left_message",
        NoAnswer = "no_answer",
        Busy = "busy",
        WrongNumber = "wrong_number",
        Declined = "declined",
        CallbackSet = "callback_set",
        Scheduled = "scheduled",
        ClinicalReview = "clinical_review",
        InsuranceReview = "insurance_review",
        Sent = "sent",
        Failed = "failed",
        /// A change of the task's status: never an attempt.
        StatusChange = "status_change",
    }
}

lake_enum! {
    /// How a call in the call log ended.
    CallOutcome {
        Connected = "connected",
        Voicemail = "voicemail",
        Missed = "missed",
        Abandoned = "abandoned",
        NoAnswer = "no_answer",
        Busy = "busy",
        WrongNumber = "wrong_number",
        Rejected = "rejected",
        Failed = "failed",
        Unknown = "unknown",
    }
}

lake_enum! {
    /// Which way a call or an attempt went.
    Direction {
        Inbound = "inbound",
        Outbound = "outbound",
        Internal = "internal",
    }
}

lake_enum! {
    /// How outreach reaches the patient.
    Channel {
        Phone = "phone",
        Sms = "sms",
        Email = "email",
        Portal = "portal",
        Letter = "letter",
    }
}

lake_enum! {
    /// An appointment's status (FHIR `Appointment.status`).
    AppointmentStatus {
        Proposed = "proposed",
        Pending = "pending",
        Booked = "booked",
        Arrived = "arrived",
        CheckedIn = "checked-in",
        Fulfilled = "fulfilled",
        Cancelled = "cancelled",
        Noshow = "noshow",
        Waitlist = "waitlist",
        EnteredInError = "entered-in-error",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lake::schema;

    fn names<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
        all.iter().map(|v| f(*v)).collect()
    }

    #[test]
    fn the_enums_are_the_lakes_values_in_its_order() {
        assert_eq!(names(Status::ALL, Status::as_str), schema::TASK_STATUSES);
        assert_eq!(
            names(Outcome::ALL, Outcome::as_str),
            schema::ATTEMPT_OUTCOMES
        );
        assert_eq!(
            names(CallOutcome::ALL, CallOutcome::as_str),
            schema::CALL_OUTCOMES
        );
        assert_eq!(names(Direction::ALL, Direction::as_str), schema::DIRECTIONS);
        assert_eq!(names(Channel::ALL, Channel::as_str), schema::CHANNELS);
        assert_eq!(
            names(Channel::ALL, Channel::as_str),
            crate::config::CHANNELS
        );
        assert_eq!(
            names(AppointmentStatus::ALL, AppointmentStatus::as_str),
            schema::APPOINTMENT_STATUSES
        );
    }

    #[test]
    fn parse_reads_back_what_as_str_writes() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(*s));
        }
        for s in AppointmentStatus::ALL {
            assert_eq!(AppointmentStatus::parse(s.as_str()), Some(*s));
        }
        assert_eq!(Status::parse("Completed"), None);
        assert_eq!(Direction::parse(""), None);
    }
}
