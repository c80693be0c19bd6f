//! The numbers in the call log, and the codes of the call directions and
//! outcomes the task facts and the missed-call reconciliation read.

use super::domain::{CallOutcome, Direction};
use super::load::strs;
use anyhow::Result;
use polars::prelude::{DataFrame, PlHashMap};

/// Inbound outcomes that leave a callback owed.
pub const OWED: &[&str] = &["missed", "voicemail", "abandoned"];

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

/// `DIRECTIONS` and `OUTCOMES` codes (see `load::codes`) of the calls.
pub const DIRECTIONS: [&str; 2] = Direction::names_of([Direction::Inbound, Direction::Outbound]);
pub const INBOUND: Option<u8> = Some(0);
pub const OUTBOUND: Option<u8> = Some(1);
/// `OWED` first, then connected.
pub const OUTCOMES: [&str; 4] = CallOutcome::names_of([
    CallOutcome::Missed,
    CallOutcome::Voicemail,
    CallOutcome::Abandoned,
    CallOutcome::Connected,
]);
pub const VOICEMAIL: Option<u8> = Some(1);
pub const CONNECTED: Option<u8> = Some(3);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn call_codes_name_their_values() {
        let code = |values: &[&str], v: &str| values.iter().position(|x| *x == v).map(|k| k as u8);
        assert_eq!(INBOUND, code(&DIRECTIONS, "inbound"));
        assert_eq!(OUTBOUND, code(&DIRECTIONS, "outbound"));
        assert_eq!(VOICEMAIL, code(&OUTCOMES, "voicemail"));
        assert_eq!(CONNECTED, code(&OUTCOMES, "connected"));
        assert_eq!(OUTCOMES[..OWED.len()], *OWED);
    }
}
