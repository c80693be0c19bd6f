//! RingCentral call log: the records of one session are one logical call.
//!
//! An account-level call log holds a record per extension a call touched (rang the
//! queue, went to voicemail, was answered on another phone). They share
//! `sessionId`. The call keeps the earliest record's id, start and number; its
//! outcome, staff, answer time and duration come from the leg with the best outcome (an
//! accepted leg beats a missed one). A leg whose result the profile does not map
//! decides, so the unknown value reaches the quarantine instead of being outranked.

use super::{outcome_rank, text, Fields, Record};
use crate::ingest::parse;
use crate::ingest::profile::{ColumnSource, Profile};
use std::collections::HashMap;

/// Group legs by session; returns the calls and how many legs were merged into them.
pub fn group(profile: &Profile, header: &[String], records: Vec<Record>) -> (Vec<Record>, u64) {
    let field = |col: &str| match profile.def.columns.get(col) {
        Some(ColumnSource::Field(f)) => Some(f.clone()),
        _ => None,
    };
    let (Some(session), Some(outcome)) = (field("session_id"), field("outcome")) else {
        return (records, 0); // Adapter::check requires both.
    };
    // A start split over two CSV columns is not compared: such exports list legs in order.
    let start = field("started_at");
    let copied: Vec<String> = ["outcome", "staff_id", "answered_at", "duration_s"]
        .iter()
        .filter_map(|c| field(c))
        .collect();
    let values = profile.def.values.get("outcome");
    // Canonical outcome rank of a leg; None when the profile cannot map its result.
    let rank = |r: &Record| -> Option<usize> {
        let raw = text(&r.fields, header, &outcome);
        let canonical = match values.and_then(|m| m.get(&raw)) {
            Some(c) => c.clone(),
            None => raw,
        };
        crate::lake::schema::CALL_OUTCOMES
            .contains(&canonical.as_str())
            .then(|| outcome_rank(&canonical))
    };
    let instant = |r: &Record| match &start {
        Some(f) => parse::timestamp(
            &text(&r.fields, header, f),
            &profile.formats,
            chrono_tz::UTC,
        )
        .unwrap_or(i64::MAX),
        None => 0,
    };

    // Groups in order of their first record; a record without a session is its own call.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    let mut by_session: HashMap<String, usize> = HashMap::new();
    for (i, r) in records.iter().enumerate() {
        let s = text(&r.fields, header, &session);
        match by_session.get(&s) {
            Some(&g) if !s.is_empty() => groups[g].push(i),
            _ => {
                if !s.is_empty() {
                    by_session.insert(s, groups.len());
                }
                groups.push(vec![i]);
            }
        }
    }

    let mut slots: Vec<Option<Record>> = records.into_iter().map(Some).collect();
    let mut out = Vec::with_capacity(groups.len());
    let mut merged = 0;
    for g in groups {
        let legs: Vec<Record> = g.iter().filter_map(|&i| slots[i].take()).collect();
        merged += legs.len() as u64 - 1;
        let first = (0..legs.len())
            .min_by_key(|&i| (instant(&legs[i]), i))
            .unwrap_or(0);
        let decides = match legs.iter().position(|l| rank(l).is_none()) {
            Some(unmapped) => unmapped,
            None => (0..legs.len())
                .min_by_key(|&i| (rank(&legs[i]), i))
                .unwrap_or(0),
        };
        let copies: Vec<(String, String)> = copied
            .iter()
            .map(|f| (f.clone(), text(&legs[decides].fields, header, f)))
            .collect();
        let raw = legs
            .iter()
            .map(|l| l.raw.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        let mut call = legs.into_iter().nth(first).expect("a group has a leg");
        for (f, v) in copies {
            set(&mut call.fields, header, &f, v);
        }
        call.raw = raw;
        out.push(call);
    }
    (out, merged)
}

/// Overwrite a source field (a CSV column, or a dotted JSON path).
fn set(fields: &mut Fields, header: &[String], name: &str, value: String) {
    match fields {
        Fields::Csv(v) => {
            if let Some(i) = header.iter().position(|h| h == name) {
                v[i] = value;
            }
        }
        Fields::Json(map) => {
            let mut parts: Vec<&str> = name.split('.').collect();
            let last = parts.pop().unwrap_or(name);
            let mut cur = map;
            for p in parts {
                let next = cur
                    .entry(p.to_string())
                    .or_insert_with(|| serde_json::Value::Object(Default::default()));
                if !next.is_object() {
                    *next = serde_json::Value::Object(Default::default());
                }
                cur = next.as_object_mut().expect("made an object");
            }
            cur.insert(last.to_string(), serde_json::Value::String(value));
        }
    }
}
