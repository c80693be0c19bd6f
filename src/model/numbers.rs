//! The numbers in the call log, and which inbound calls leave a callback owed
//! (read by the task facts and the missed-call reconciliation).

use super::domain::{CallOutcome, Direction};
use super::load::strs;
use anyhow::Result;
use polars::prelude::{DataFrame, PlHashMap};

/// Inbound outcomes that leave a callback owed.
pub const OWED: [CallOutcome; 3] = [
    CallOutcome::Missed,
    CallOutcome::Voicemail,
    CallOutcome::Abandoned,
];

/// The numbers in the call log as dense ids: one per (practice_id, phone_key), in
/// the order the numbers first appear, and each call's id (`None` for a call
/// without a number or practice). Built once per run of a practice and shared by
/// the reconciliation and the task facts, so each call's number is hashed once.
pub struct Numbers<'a> {
    pub ids: PlHashMap<(&'a str, &'a str), u32>,
    pub list: Vec<(&'a str, &'a str)>,
    pub of_call: Vec<Option<u32>>,
}

impl<'a> Numbers<'a> {
    pub fn new(calls: &'a DataFrame) -> Result<Numbers<'a>> {
        let pid = strs(calls, "practice_id")?;
        let phone = strs(calls, "phone_key")?;
        let mut ids: PlHashMap<(&str, &str), u32> = PlHashMap::default();
        let mut list = Vec::new();
        let of_call = pid
            .iter()
            .zip(&phone)
            .map(|(&p, &ph)| {
                let key = (p?, ph?);
                Some(*ids.entry(key).or_insert_with(|| {
                    list.push(key);
                    list.len() as u32 - 1
                }))
            })
            .collect();
        Ok(Numbers { ids, list, of_call })
    }

    /// The id of a practice's number, if it is in the call log.
    pub fn get(&self, practice: Option<&str>, phone: Option<&str>) -> Option<u32> {
        self.ids.get(&(practice?, phone?)).copied()
    }
}

/// An inbound call with an outcome in `OWED` leaves a callback owed.
pub fn owed(direction: Option<Direction>, outcome: Option<CallOutcome>) -> bool {
    direction == Some(Direction::Inbound) && outcome.is_some_and(|o| OWED.contains(&o))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_an_unanswered_inbound_call_leaves_a_callback_owed() {
        let owed_by = |d, o| owed(Some(d), Some(o));
        for o in OWED {
            assert!(owed_by(Direction::Inbound, o), "{o}");
            assert!(!owed_by(Direction::Outbound, o), "{o}");
        }
        assert!(!owed_by(Direction::Inbound, CallOutcome::Connected));
        assert!(!owed(None, Some(CallOutcome::Missed)));
        assert!(!owed(Some(Direction::Inbound), None));
    }
}
