//! The canonical tables: the lake's contract (see DESIGN.md, "Canonical tables").

use std::fmt;

/// A canonical table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Table {
    Calls,
    Tasks,
    Attempts,
    Appointments,
    Contacts,
    /// Derived at ingest, never mapped by a profile: the E.164 number of each
    /// `phone_key` the call log holds, for the call lists (restricted).
    #[serde(skip_deserializing)]
    Callers,
}

impl Table {
    pub const ALL: [Table; 6] = [
        Table::Calls,
        Table::Tasks,
        Table::Attempts,
        Table::Appointments,
        Table::Contacts,
        Table::Callers,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Table::Calls => "calls",
            Table::Tasks => "tasks",
            Table::Attempts => "attempts",
            Table::Appointments => "appointments",
            Table::Contacts => "contacts",
            Table::Callers => "callers",
        }
    }

    /// The table's columns, key first.
    pub fn columns(self) -> &'static [Col] {
        match self {
            Table::Calls => CALLS,
            Table::Tasks => TASKS,
            Table::Attempts => ATTEMPTS,
            Table::Appointments => APPOINTMENTS,
            Table::Contacts => CONTACTS,
            Table::Callers => CALLERS,
        }
    }

    /// The key column: one current row per (practice_id, key).
    pub fn key(self) -> &'static str {
        self.columns()[0].name
    }

    /// The instant whose UTC month partitions the table; contacts and callers are
    /// not split by month.
    pub fn partition_time(self) -> Option<&'static str> {
        match self {
            Table::Calls => Some("started_at"),
            Table::Tasks => Some("created_at"),
            Table::Attempts => Some("at"),
            Table::Appointments => Some("created_at"),
            Table::Contacts | Table::Callers => None,
        }
    }

    /// Tables that hold phone numbers or names (DESIGN.md, "Privacy"): only the
    /// call lists read them, and `followup query` opens them only with
    /// `--restricted`.
    pub fn restricted(self) -> bool {
        matches!(self, Table::Contacts | Table::Callers)
    }

    /// Whether the lake keeps every version of the table's rows beside the current
    /// one (`Lake::versions_dir`): tasks and appointments change status over time,
    /// and a past *as of* needs the status they had then.
    pub fn keeps_versions(self) -> bool {
        matches!(self, Table::Tasks | Table::Appointments)
    }

    pub fn col(self, name: &str) -> Option<&'static Col> {
        self.columns().iter().find(|c| c.name == name)
    }

    pub fn col_index(self, name: &str) -> Option<usize> {
        self.columns().iter().position(|c| c.name == name)
    }
}

impl fmt::Display for Table {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a canonical column's value is typed and checked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// An identifier or short label, stored as text.
    Text,
    /// Free text that may hold PHI (attempt notes).
    Note,
    /// A UTC instant (`Datetime(us, UTC)`).
    Timestamp,
    /// A whole number.
    Int,
    /// true / false.
    Bool,
    /// One of a closed set of lower snake_case values.
    Enum(&'static [&'static str]),
    /// A request category the practice configured.
    Category,
    /// A lower snake_case label from an open set (barriers: the practice adds its own).
    Label,
    /// A patient identifier, stored only as a keyed hash.
    PatientKey,
    /// A phone number, stored only as a keyed hash of its E.164 form.
    PhoneKey,
    /// A phone number in E.164 (the restricted tables only: contacts, callers).
    Phone,
}

/// A canonical column.
#[derive(Debug)]
pub struct Col {
    pub name: &'static str,
    pub kind: Kind,
    /// A row without it is quarantined.
    pub required: bool,
    /// The vendor's value is kept beside the canonical one as `raw_<name>`.
    pub raw: bool,
}

const fn c(name: &'static str, kind: Kind) -> Col {
    Col {
        name,
        kind,
        required: false,
        raw: false,
    }
}
const fn req(name: &'static str, kind: Kind) -> Col {
    Col {
        name,
        kind,
        required: true,
        raw: false,
    }
}
const fn raw(mut col: Col) -> Col {
    col.raw = true;
    col
}

pub const DIRECTIONS: &[&str] = &["inbound", "outbound", "internal"];
pub const CALL_OUTCOMES: &[&str] = &[
    "connected",
    "voicemail",
    "missed",
    "abandoned",
    "no_answer",
    "busy",
    "wrong_number",
    "rejected",
    "failed",
    "unknown",
];
pub const TASK_STATUSES: &[&str] = &[
    "open",
    "scheduled",
    "left_message",
    "no_answer",
    "wrong_number",
    "callback_set",
    "needs_clinical_review",
    "needs_insurance_review",
    "declined",
    "unable_to_reach",
    "completed",
    "cancelled",
];
pub const PRIORITIES: &[&str] = &["routine", "urgent"];
pub const CHANNELS: &[&str] = &["phone", "sms", "email", "portal", "letter"];
pub const ATTEMPT_OUTCOMES: &[&str] = &[
    "reached",
    "left_message",
    "no_answer",
    "busy",
    "wrong_number",
    "declined",
    "callback_set",
    "scheduled",
    "clinical_review",
    "insurance_review",
    "sent",
    "failed",
    "status_change",
];
pub const APPOINTMENT_STATUSES: &[&str] = &[
    "proposed",
    "pending",
    "booked",
    "arrived",
    "checked-in",
    "fulfilled",
    "cancelled",
    "noshow",
    "waitlist",
    "entered-in-error",
];

use Kind::*;

static CALLS: &[Col] = &[
    req("call_id", Text),
    c("session_id", Text),
    raw(req("direction", Enum(DIRECTIONS))),
    req("started_at", Timestamp),
    c("answered_at", Timestamp),
    c("ended_at", Timestamp),
    c("duration_s", Int),
    raw(req("outcome", Enum(CALL_OUTCOMES))),
    c("phone_key", PhoneKey),
    c("staff_id", Text),
    c("queue", Text),
    c("updated_at", Timestamp),
];

static TASKS: &[Col] = &[
    req("task_id", Text),
    c("patient_key", PatientKey),
    c("phone_key", PhoneKey),
    raw(req("category", Category)),
    req("created_at", Timestamp),
    c("due_at", Timestamp),
    c("owner", Text),
    raw(c("lane", Text)),
    raw(c("priority", Enum(PRIORITIES))),
    raw(req("status", Enum(TASK_STATUSES))),
    c("status_at", Timestamp),
    c("closed_at", Timestamp),
    c("callback_at", Timestamp),
    raw(c("barrier", Label)),
    c("appointment_id", Text),
    c("updated_at", Timestamp),
];

static ATTEMPTS: &[Col] = &[
    req("attempt_id", Text),
    req("task_id", Text),
    req("at", Timestamp),
    raw(c("channel", Enum(CHANNELS))),
    raw(c("direction", Enum(DIRECTIONS))),
    raw(req("outcome", Enum(ATTEMPT_OUTCOMES))),
    c("staff_id", Text),
    c("note", Note),
    c("callback_at", Timestamp),
    c("updated_at", Timestamp),
];

static APPOINTMENTS: &[Col] = &[
    req("appointment_id", Text),
    c("patient_key", PatientKey),
    req("created_at", Timestamp),
    req("start_at", Timestamp),
    raw(req("status", Enum(APPOINTMENT_STATUSES))),
    c("cancel_reason", Text),
    c("provider", Text),
    c("appointment_type", Text),
    c("task_id", Text),
    c("updated_at", Timestamp),
];

static CONTACTS: &[Col] = &[
    req("patient_key", PatientKey),
    c("phone_key", PhoneKey),
    c("display_name", Text),
    c("phone", Phone),
    raw(c("preferred_channel", Enum(CHANNELS))),
    c("preferred_window", Text),
    c("do_not_call", Bool),
    req("updated_at", Timestamp),
];

/// One row per number seen in the call log: `updated_at` is the start of the
/// latest call from or to it (when it was last seen), so the latest wins. A
/// withheld caller id has no `phone_key` and no row.
static CALLERS: &[Col] = &[
    req("phone_key", PhoneKey),
    req("phone", Phone),
    req("updated_at", Timestamp),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_table_has_a_key_a_version_and_a_partition_time() {
        for t in Table::ALL {
            assert!(t.columns()[0].required, "{t}: key must be required");
            assert!(t.col("updated_at").is_some(), "{t}: needs updated_at");
            assert_eq!(t.restricted(), t.col("phone").is_some(), "{t}");
            if let Some(p) = t.partition_time() {
                let col = t.col(p).unwrap();
                assert!(col.required && col.kind == Kind::Timestamp, "{t}.{p}");
            }
        }
    }
}
