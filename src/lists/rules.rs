//! Which open work is due on the list date, and why; what is kept off the list.
//! The rules are documented in docs/LISTS.md ("Inclusion", "Exclusion").

use super::state::{OpenTask, OwedCall, Snapshot};
use crate::config::Practice;
use crate::model::clock::Calendar;
use chrono::NaiveDate;

/// Why something is on the list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Created and not yet attempted.
    New,
    /// The patient asked to be called back on the list date (or the callback was missed).
    Callback { overdue: bool },
    /// The rule's gap since the last attempt has passed.
    NextAttempt,
    /// The patient was reached; the task waits on a next step (e.g. after a review).
    FollowUp(String),
    /// Missed inbound calls nobody has returned.
    MissedCall { count: i32 },
}

impl Reason {
    pub fn text(&self) -> String {
        match self {
            Reason::New => "new, not yet attempted".into(),
            Reason::Callback { overdue: false } => "callback requested for today".into(),
            Reason::Callback { overdue: true } => "requested callback not yet made".into(),
            Reason::NextAttempt => "next attempt allowed".into(),
            Reason::FollowUp(status) => format!("patient reached, follow up ({status})"),
            Reason::MissedCall { count: 1 } => "missed call not returned".into(),
            Reason::MissedCall { count } => format!("{count} missed calls not returned"),
        }
    }
}

/// Where an item goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Disposition {
    Due(Reason),
    /// Wrong number: to the "fix contact details" list.
    FixContact,
    /// Maximum attempts made: to the manager as a "close as unable to reach" suggestion.
    Close,
    /// Not on any list; the reason is counted in the summary.
    Excluded(&'static str),
}

/// One piece of due (or set-aside) work before consolidation.
#[derive(Debug, Clone)]
pub struct Item {
    pub task_id: Option<String>,
    pub call_id: Option<String>,
    pub patient_key: Option<String>,
    pub phone_key: Option<String>,
    pub category: String,
    pub owner: Option<String>,
    pub status: String,
    pub created_at: i64,
    pub deadline: Option<i64>,
    /// Attempts made since the patient was last reached (the next one is `attempts + 1`).
    pub attempts: u32,
    pub ever_attempted: bool,
    pub last_outcome: Option<String>,
    pub last_note: Option<String>,
    pub callback_at: Option<i64>,
    /// The export's priority is `urgent`.
    pub urgent: bool,
    pub disposition: Disposition,
}

/// The list day's bounds as instants: [start, end].
#[derive(Debug, Clone, Copy)]
pub struct Day {
    pub date: NaiveDate,
    pub start: i64,
    pub end: i64,
}

/// Classify a task.
pub fn task(p: &Practice, cal: &Calendar, snap: &Snapshot, t: &OpenTask, day: Day) -> Item {
    let contact = t.patient_key.as_ref().and_then(|k| snap.contacts.get(k));
    let cat = p.categories.get(&t.category);
    let max = cat.map(|c| c.max_attempts).unwrap_or(u32::MAX);
    let gap = cat.map(|c| c.min_gap_days as i64).unwrap_or(0);
    let wrong_number =
        t.status == "wrong_number" || t.last_outcome.as_deref() == Some("wrong_number");
    let callback_pending = t
        .callback_at
        .is_some_and(|cb| t.last_at.is_none_or(|last| last < cb));
    let disposition = if t.status == "declined" {
        Disposition::Excluded("declined")
    } else if contact.is_some_and(|c| c.do_not_call) {
        Disposition::Excluded("do not call")
    } else if wrong_number {
        Disposition::FixContact
    } else if callback_pending {
        let cb = t.callback_at.expect("pending");
        if cb > day.end {
            Disposition::Excluded("callback set for a later day")
        } else {
            Disposition::Due(Reason::Callback {
                overdue: cb < day.start,
            })
        }
    } else {
        schedule(cal, day, t.attempts, max, gap, t.last_at, || {
            if !t.ever_attempted {
                Reason::New
            } else if t.attempts == 0 {
                Reason::FollowUp(t.status.clone())
            } else {
                Reason::NextAttempt
            }
        })
    };
    Item {
        task_id: Some(t.task_id.clone()),
        call_id: None,
        patient_key: t.patient_key.clone(),
        phone_key: t.phone_key.clone(),
        category: t.category.clone(),
        owner: t.owner.clone(),
        status: t.status.clone(),
        created_at: t.created_at,
        deadline: t.deadline,
        attempts: t.attempts,
        ever_attempted: t.ever_attempted,
        last_outcome: t.last_outcome.clone(),
        last_note: t.last_note.clone(),
        callback_at: t.callback_at.filter(|_| callback_pending),
        urgent: t.urgent,
        disposition,
    }
}

/// The attempt rule: close after the maximum, wait out the gap, else `reason`.
fn schedule(
    cal: &Calendar,
    day: Day,
    attempts: u32,
    max: u32,
    gap: i64,
    last_at: Option<i64>,
    reason: impl FnOnce() -> Reason,
) -> Disposition {
    if attempts >= max {
        return Disposition::Close;
    }
    let last = last_at.and_then(|x| cal.business_day_index(x));
    let next = cal.business_day_index(day.start);
    match (last, next) {
        (Some(l), Some(n)) if n - l < gap => Disposition::Excluded("attempt gap not yet passed"),
        _ => Disposition::Due(reason()),
    }
}

/// Classify a missed call owed a callback.
pub fn owed(p: &Practice, cal: &Calendar, snap: &Snapshot, o: &OwedCall, day: Day) -> Item {
    let patient_key = o
        .phone_key
        .as_ref()
        .and_then(|ph| snap.patient_by_phone.get(ph))
        .cloned();
    let contact = patient_key.as_ref().and_then(|k| snap.contacts.get(k));
    let category = "missed_call".to_string();
    let cat = p.categories.get(&category);
    let deadline = crate::model::rules::missed_call_target(p, patient_key.is_some())
        .and_then(|c| cal.deadline(o.first, c.target));
    let disposition = if o.phone_key.is_none() {
        Disposition::Excluded("missed call from a withheld number")
    } else if contact.is_some_and(|c| c.do_not_call) {
        Disposition::Excluded("do not call")
    } else if o.last_outcome.as_deref() == Some("wrong_number") {
        Disposition::FixContact
    } else {
        schedule(
            cal,
            day,
            o.attempts,
            cat.map(|c| c.max_attempts).unwrap_or(u32::MAX),
            cat.map(|c| c.min_gap_days as i64).unwrap_or(0),
            o.last_at,
            || Reason::MissedCall { count: o.count },
        )
    };
    Item {
        task_id: None,
        call_id: Some(o.first_call_id.clone()),
        patient_key,
        phone_key: o.phone_key.clone(),
        category,
        owner: None,
        status: "open".into(),
        created_at: o.first,
        deadline,
        attempts: o.attempts,
        ever_attempted: o.attempts > 0,
        last_outcome: Some(o.last_outcome.clone().unwrap_or_else(|| "missed".into())),
        last_note: None,
        callback_at: None,
        urgent: false,
        disposition,
    }
}

/// The bands of the order (docs/LISTS.md, "Order"), first called first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Tier {
    /// Urgent (the export's priority) or clinical work.
    Urgent,
    /// Not yet attempted and still inside its response target at the list
    /// day's start.
    InTarget,
    /// A callback the patient asked for on the list day.
    CallbackToday,
    /// Everything else due: past its target, retries, follow-ups, missed
    /// callbacks.
    Overdue,
}

/// An item's band.
pub fn tier(p: &Practice, item: &Item, day: Day) -> Tier {
    let clinical = crate::model::rules::is_clinical(
        p,
        &item.category,
        crate::model::domain::Status::parse(&item.status),
    );
    if item.urgent || clinical {
        Tier::Urgent
    } else if !item.ever_attempted && item.deadline.is_some_and(|d| d >= day.start) {
        Tier::InTarget
    } else if matches!(
        item.disposition,
        Disposition::Due(Reason::Callback { overdue: false })
    ) {
        Tier::CallbackToday
    } else {
        Tier::Overdue
    }
}

/// The order within a band, smaller first: urgent work by deadline; requests
/// inside their target freshest first (their value decays by the hour);
/// callbacks by the time asked; overdue work least overdue first (the most
/// recoverable; see `stale` for the rest).
pub fn within_tier(tier: Tier, item: &Item) -> i64 {
    let deadline = item.deadline.unwrap_or(item.created_at);
    match tier {
        Tier::Urgent => deadline,
        Tier::InTarget => -item.created_at,
        Tier::CallbackToday => item.callback_at.unwrap_or(i64::MAX),
        Tier::Overdue => -deadline,
    }
}

/// Overdue work older than the practice's `stale_after_days` business days at
/// the list day's start: it goes to the manager's stale list instead of
/// taking a caller's morning.
pub fn stale(p: &Practice, cal: &Calendar, item: &Item, day: Day) -> bool {
    if tier(p, item, day) != Tier::Overdue {
        return false;
    }
    match (
        cal.business_day_index(item.created_at),
        cal.business_day_index(day.start),
    ) {
        (Some(c), Some(d)) => d - c > p.stale_after_days as i64,
        // Created before the calendar the lists read (weeks back): stale.
        (None, Some(_)) => item.created_at < day.start,
        _ => false,
    }
}

/// Risk of breaching the target, most urgent first (see docs/LISTS.md, "Order").
pub fn risk_tier(item: &Item, day: Day) -> u8 {
    let first_pending = !item.ever_attempted;
    match (first_pending, item.deadline) {
        (true, Some(d)) if d < day.start => 0,
        (true, Some(d)) if d <= day.end => 1,
        _ if matches!(item.disposition, Disposition::Due(Reason::Callback { .. })) => 2,
        _ => 3,
    }
}

/// The order of preferred windows when everything else ties.
pub fn window_order(w: Option<&str>) -> u8 {
    match w {
        Some("morning") => 0,
        Some("afternoon") => 1,
        Some("evening") => 2,
        _ => 3,
    }
}
