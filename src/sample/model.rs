//! The vocabulary of the exports (categories, statuses, results) and the rows
//! the simulation records for the writers.

use super::calendar::{Ts, BUSINESS_DAY, HOUR, MINUTE};

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub(super) enum Cat {
    NewPatient,
    MissedCall,
    IncompleteScheduling,
    Referral,
    CancellationRecovery,
    NoShowRecovery,
    PostVisit,
    CareGap,
    InsuranceDocuments,
    ClinicalQuestion,
}

impl Cat {
    pub(super) const ALL: [Cat; 10] = [
        Cat::NewPatient,
        Cat::MissedCall,
        Cat::IncompleteScheduling,
        Cat::Referral,
        Cat::CancellationRecovery,
        Cat::NoShowRecovery,
        Cat::PostVisit,
        Cat::CareGap,
        Cat::InsuranceDocuments,
        Cat::ClinicalQuestion,
    ];

    pub(super) fn key(self) -> &'static str {
        [
            "new_patient_request",
            "missed_call",
            "incomplete_scheduling",
            "referral",
            "cancellation_recovery",
            "no_show_recovery",
            "post_visit",
            "care_gap",
            "insurance_documents",
            "clinical_question",
        ][self as usize]
    }

    pub(super) fn label(self) -> &'static str {
        [
            "New Patient Request",
            "Missed Call",
            "Incomplete Scheduling",
            "Referral",
            "Cancellation Follow-up",
            "No Show Follow-up",
            "Post Visit",
            "Care Gap",
            "Insurance Documents",
            "Clinical Question",
        ][self as usize]
    }

    pub(super) fn from_key(key: &str) -> Option<Cat> {
        Cat::ALL.into_iter().find(|c| c.key() == key)
    }

    /// Response target in business seconds: minutes for the callers who are
    /// waiting on the phone, a business day or more for paperwork.
    pub(super) fn target(self) -> Ts {
        match self {
            Cat::NewPatient | Cat::MissedCall => 30 * MINUTE,
            Cat::PostVisit => 2 * BUSINESS_DAY,
            Cat::CareGap => 5 * BUSINESS_DAY,
            _ => BUSINESS_DAY,
        }
    }

    /// Target for tasks flagged Urgent: a stat referral or a prior-auth request
    /// with a payer deadline has to be touched the same afternoon.
    pub(super) fn urgent_target(self) -> Ts {
        match self {
            Cat::Referral | Cat::InsuranceDocuments | Cat::ClinicalQuestion => 2 * HOUR,
            other => other.target() / 2,
        }
    }

    pub(super) fn queue(self) -> Queue {
        match self {
            Cat::Referral | Cat::InsuranceDocuments => Queue::Referrals,
            Cat::ClinicalQuestion => Queue::Clinical,
            _ => Queue::FrontDesk,
        }
    }

    /// Whether a reached patient is usually booked (versus simply helped).
    pub(super) fn books(self) -> bool {
        !matches!(self, Cat::ClinicalQuestion | Cat::InsuranceDocuments)
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Queue {
    FrontDesk,
    Referrals,
    Clinical,
}

impl Queue {
    /// The lane's name in the config: "front_desk", "referrals", "clinical".
    pub(super) fn from_key(key: &str) -> Option<Queue> {
        match key {
            "front_desk" => Some(Queue::FrontDesk),
            "referrals" => Some(Queue::Referrals),
            "clinical" => Some(Queue::Clinical),
            _ => None,
        }
    }

    pub(super) fn task_label(self) -> &'static str {
        ["Front Desk", "Referrals", "Clinical"][self as usize]
    }

    pub(super) fn call_label(self) -> &'static str {
        ["Front Desk", "Referrals", "Nurse Line"][self as usize]
    }

    /// The category whose workers pick up work that lands in this queue.
    pub(super) fn lane(self) -> Cat {
        match self {
            Queue::FrontDesk => Cat::MissedCall,
            Queue::Referrals => Cat::Referral,
            Queue::Clinical => Cat::ClinicalQuestion,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Status {
    Open,
    Scheduled,
    LeftMessage,
    NoAnswer,
    WrongNumber,
    CallbackSet,
    ClinicalReview,
    InsuranceReview,
    Declined,
    UnableToReach,
    Completed,
    Cancelled,
}

impl Status {
    pub(super) fn label(self) -> &'static str {
        [
            "Open",
            "Scheduled",
            "Left Message",
            "No Answer",
            "Wrong Number",
            "Callback Set",
            "Clinical Review",
            "Insurance Review",
            "Declined",
            "Unable To Reach",
            "Completed",
            "Cancelled",
        ][self as usize]
    }

    pub(super) fn terminal(self) -> bool {
        matches!(
            self,
            Status::Scheduled
                | Status::Declined
                | Status::UnableToReach
                | Status::Completed
                | Status::Cancelled
        )
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Barrier {
    WrongNumber,
    Insurance,
    Clinical,
    Unclear,
    Transportation,
}

impl Barrier {
    pub(super) fn label(self) -> &'static str {
        [
            "Wrong Number",
            "Insurance/Authorization",
            "Clinical Question",
            "Unclear Instructions",
            "Transportation",
        ][self as usize]
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Channel {
    Phone,
    Text,
    Email,
    Portal,
    Letter,
    StatusChange,
}

impl Channel {
    /// The config's name for an outreach channel ("sms" is a text message).
    pub(super) fn from_key(key: &str) -> Option<Channel> {
        match key {
            "phone" => Some(Channel::Phone),
            "sms" => Some(Channel::Text),
            "email" => Some(Channel::Email),
            "portal" => Some(Channel::Portal),
            "letter" => Some(Channel::Letter),
            _ => None,
        }
    }

    pub(super) fn label(self) -> &'static str {
        [
            "Phone Call",
            "Text Message",
            "Email",
            "Portal Message",
            "Letter",
            "Status Change",
        ][self as usize]
    }
}

/// A category's attempt rule as the simulation uses it (see `AttemptRule`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) struct Rule {
    /// Unanswered attempts before the task is closed as Unable To Reach.
    pub(super) max: u8,
    /// Business days between attempts; 0 allows the same day.
    pub(super) gap_days: u8,
    /// How the last attempt is made.
    pub(super) last: Channel,
}

impl Rule {
    pub(super) const DEFAULT: Rule = Rule {
        max: 3,
        gap_days: 1,
        last: Channel::Text,
    };

    /// From the public form; out-of-range values are clamped, an unknown
    /// channel (rejected before the simulation starts) falls back to text.
    pub(super) fn from(r: &super::AttemptRule) -> Rule {
        Rule {
            max: r.max_attempts.clamp(1, 20) as u8,
            gap_days: r.min_gap_days.min(20) as u8,
            last: Channel::from_key(&r.final_channel).unwrap_or(Channel::Text),
        }
    }
}

/// Activity results, as the task report abbreviates them.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Outcome {
    LeftMessage,
    NoAnswer,
    Reached,
    WrongNumber,
    Declined,
    CallbackSet,
    Scheduled,
    ClinicalReview,
    InsuranceReview,
    Busy,
    Sent,
    /// A plain status change carries no result.
    None,
}

impl Outcome {
    pub(super) fn label(self) -> &'static str {
        [
            "LM",
            "NA",
            "Reached",
            "Wrong #",
            "Declined",
            "CB Set",
            "Sched",
            "Clin Review",
            "Ins Review",
            "Busy",
            "Sent",
            "",
        ][self as usize]
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum CallResult {
    Connected,
    Voicemail,
    Missed,
    Abandoned,
    NoAnswer,
    Busy,
}

impl CallResult {
    pub(super) fn label(self) -> &'static str {
        [
            "Connected",
            "Voicemail",
            "Missed",
            "Abandoned",
            "No Answer",
            "Busy",
        ][self as usize]
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum ApptStatus {
    Scheduled,
    Confirmed,
    Completed,
    Cancelled,
    NoShow,
}

impl ApptStatus {
    pub(super) fn label(self) -> &'static str {
        [
            "Scheduled",
            "Confirmed",
            "Completed",
            "Cancelled",
            "No Show",
        ][self as usize]
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum ApptType {
    NewPatient,
    FollowUp,
    Annual,
    Procedure,
}

impl ApptType {
    pub(super) fn label(self) -> &'static str {
        ["New Patient", "Follow-up", "Annual", "Procedure"][self as usize]
    }
}

/// A phone number as ten digits, or a withheld caller id.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Number {
    Anonymous,
    Phone(u64),
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Direction {
    Inbound,
    Outbound,
}

/// Staff index into the practice's roster.
pub(super) type StaffIx = u8;

pub(super) struct CallRow {
    pub(super) period: u32,
    pub(super) id: u32,
    pub(super) session: u32,
    pub(super) direction: Direction,
    pub(super) start: Ts,
    pub(super) answer: Option<Ts>,
    pub(super) end: Ts,
    pub(super) result: CallResult,
    pub(super) from: Number,
    pub(super) to: Number,
    pub(super) staff: Option<StaffIx>,
    pub(super) queue: Queue,
}

pub(super) struct ActivityRow {
    pub(super) period: u32,
    pub(super) id: u32,
    pub(super) task: u32,
    pub(super) at: Ts,
    pub(super) channel: Channel,
    pub(super) incoming: bool,
    pub(super) outcome: Outcome,
    pub(super) staff: Option<StaffIx>,
    pub(super) note: String,
    pub(super) callback: Option<Ts>,
}

/// A task as of the end of one period.
#[derive(Clone)]
pub(super) struct TaskRow {
    pub(super) period: u32,
    pub(super) id: u32,
    pub(super) patient: u32,
    pub(super) phone: u64,
    pub(super) cat: Cat,
    pub(super) created: Ts,
    pub(super) due: Option<Ts>,
    pub(super) assigned: Option<StaffIx>,
    pub(super) queue: Queue,
    pub(super) urgent: bool,
    pub(super) status: Status,
    pub(super) status_at: Ts,
    pub(super) closed: Option<Ts>,
    pub(super) callback: Option<Ts>,
    pub(super) barrier: Option<Barrier>,
    pub(super) appointment: Option<u32>,
    pub(super) updated: Ts,
}

#[derive(Clone)]
pub(super) struct ApptRow {
    pub(super) period: u32,
    pub(super) id: u32,
    pub(super) patient: u32,
    pub(super) created: Ts,
    pub(super) start: Ts,
    pub(super) status: ApptStatus,
    pub(super) cancel_reason: Option<&'static str>,
    pub(super) provider: u8,
    pub(super) kind: ApptType,
    pub(super) task: Option<u32>,
    pub(super) updated: Ts,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Pref {
    Phone,
    Sms,
    Email,
    Portal,
}

impl Pref {
    pub(super) fn label(self) -> &'static str {
        ["phone", "sms", "email", "portal"][self as usize]
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Window {
    Morning,
    Afternoon,
    Evening,
    Any,
}

impl Window {
    pub(super) fn label(self) -> &'static str {
        ["morning", "afternoon", "evening", "any"][self as usize]
    }
}

#[derive(Clone)]
pub(super) struct PatientRow {
    pub(super) period: u32,
    pub(super) patient: u32,
    pub(super) first: u16,
    pub(super) last: u16,
    pub(super) phone: u64,
    pub(super) style: u8,
    pub(super) channel: Pref,
    pub(super) window: Window,
    pub(super) do_not_call: bool,
    pub(super) updated: Ts,
}

/// What the tests (and anyone tuning the model) need to know about each task
/// without parsing the exports back.
#[derive(Clone, Copy, Debug)]
#[cfg_attr(not(test), allow(dead_code))]
pub(super) struct TaskFact {
    pub(super) cat: Cat,
    pub(super) created: Ts,
    pub(super) first_attempt: Option<Ts>,
    pub(super) attempts: u8,
    pub(super) status: Status,
}

/// Everything one practice's simulation produced, ready for the writers.
#[derive(Default)]
pub(super) struct SimOutput {
    pub(super) calls: Vec<CallRow>,
    pub(super) activities: Vec<ActivityRow>,
    pub(super) tasks: Vec<TaskRow>,
    pub(super) appointments: Vec<ApptRow>,
    pub(super) patients: Vec<PatientRow>,
    pub(super) facts: Vec<TaskFact>,
    /// (first, last) name indices per patient, for the task report.
    pub(super) patient_names: Vec<(u16, u16)>,
    /// Busy seconds per staff member by hour of day.
    pub(super) staff_busy: Vec<[Ts; 24]>,
    pub(super) main_number: u64,
    pub(super) mrn_base: u32,
}
