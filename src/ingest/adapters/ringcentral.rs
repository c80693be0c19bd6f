//! RingCentral call log: the records of one session are one logical call.
//!
//! An account-level call log holds a record per extension a call touched (rang the
//! queue, went to voicemail, was answered on another phone). They share
//! `sessionId`. The call keeps the earliest record's id, start and number; its
//! outcome, staff, answer time and duration come from the leg with the best outcome (an
//! accepted leg beats a missed one; among equals, one that names an extension). A
//! leg whose result the profile does not map decides, so the unknown value reaches
//! the quarantine instead of being outranked.
//!
//! The API's Detailed view keeps the extension only inside `legs[]`: a record
//! without `extension.id` takes the extension of its best leg.
//!
//! The Service Web CSV downloads (simple and detailed) are read through derived
//! columns, so one profile reads both:
//!
//! - `[session_id]`: `SessionId`; a detailed leg row (`Leg-1`, …) leaves it empty
//!   and belongs to the master row above it; the simple download has none (each
//!   row is a call).
//! - `[call_id]`: `CallId` of the master row, else (simple download) the row's
//!   `Date` and `Time` with its ordinal among rows of that second (`Mon 6/6/2016
//!   11:07:20 PM #1`): stable across re-exports and free of phone numbers.
//! - `[direction]`: `Direction` (Incoming / Outgoing); the simple download has no
//!   direction, so its `Action` (Phone Call, VoIP Call, …), which the profile maps.
//! - `[party]`: `Phone Number` (simple), else `From` of an incoming and `To` of an
//!   outgoing row.
//! - `[staff]`: the extension number of `Extension` (`101 - Name` gives `101`,
//!   `Not found ext. id 664573005` gives `664573005`); a name is never kept.
//!
//! `Time` written by a recent browser has a narrow no-break space before AM/PM;
//! it is read as a space.

use super::{outcome_rank, str_at, text, Fields, Record};
use crate::ingest::parse;
use crate::ingest::profile::{ColumnSource, Profile};
use serde_json::{Map, Value};
use std::collections::HashMap;

/// Columns of the CSV downloads and JSON fields the adapter reads itself.
pub const READS: &[&str] = &[
    "SessionId",
    "CallId",
    "Leg",
    "Direction",
    "From",
    "To",
    "Extension",
    "Phone Number",
    "Action",
    "legs",
];

const DERIVED: &[&str] = &[
    "[call_id]",
    "[session_id]",
    "[direction]",
    "[party]",
    "[staff]",
];

/// Add the derived columns of a CSV download (see the module comment).
pub fn derive_csv(header: &mut Vec<String>, records: &mut [Record]) {
    let col = |h: &[String], n: &str| h.iter().position(|x| x == n);
    let (session, call, leg, dir) = (
        col(header, "SessionId"),
        col(header, "CallId"),
        col(header, "Leg"),
        col(header, "Direction"),
    );
    let (from, to, number, ext, action) = (
        col(header, "From"),
        col(header, "To"),
        col(header, "Phone Number"),
        col(header, "Extension"),
        col(header, "Action"),
    );
    let (date, time) = (col(header, "Date"), col(header, "Time"));
    header.extend(DERIVED.iter().map(|d| d.to_string()));
    let mut master: Option<(String, String)> = None;
    let mut same_second: HashMap<String, usize> = HashMap::new();
    for r in records.iter_mut() {
        let Fields::Csv(v) = &mut r.fields else {
            continue;
        };
        if let Some(t) = time {
            if v[t].contains(['\u{202f}', '\u{a0}']) {
                v[t] = v[t].replace(['\u{202f}', '\u{a0}'], " ");
            }
        }
        let get = |i: Option<usize>| i.map(|i| v[i].trim().to_string()).unwrap_or_default();
        let own_session = get(session);
        let leg_name = get(leg);
        let is_leg = leg_name.starts_with("Leg-") && leg_name != "Leg-master";
        let (session_id, call_id) = if !own_session.is_empty() {
            master = Some((own_session.clone(), get(call)));
            (own_session, get(call))
        } else if is_leg && master.is_some() {
            master.clone().unwrap_or_default()
        } else if session.is_none() {
            let when = format!("{} {}", get(date), get(time));
            let n = same_second.entry(when.clone()).or_default();
            *n += 1;
            (String::new(), format!("{when} #{n}"))
        } else {
            (String::new(), get(call))
        };
        let direction = match dir {
            Some(_) => get(dir),
            None => get(action),
        };
        let party = match number {
            Some(_) => get(number),
            None if direction == "Outgoing" => get(to),
            None => get(from),
        };
        let staff = extension_number(&get(ext));
        v.extend([call_id, session_id, direction, party, staff]);
    }
}

/// The extension number in the download's `Extension` column, never the name.
fn extension_number(s: &str) -> String {
    if let Some(id) = s.strip_prefix("Not found ext. id ") {
        return id.trim().to_string();
    }
    let head = s.split(" - ").next().unwrap_or_default().trim();
    if !head.is_empty() && head.bytes().all(|b| b.is_ascii_digit()) {
        head.to_string()
    } else {
        String::new()
    }
}

/// A Detailed-view record without `extension.id` takes it from its best leg.
pub fn staff_from_legs(profile: &Profile, m: &mut Map<String, Value>) {
    if !str_at(m, "extension.id").is_empty() {
        return;
    }
    let Some(legs) = m.get("legs").and_then(Value::as_array) else {
        return;
    };
    let values = profile.def.values.get("outcome");
    let best = legs
        .iter()
        .filter_map(Value::as_object)
        .map(|l| (str_at(l, "result"), str_at(l, "extension.id")))
        .filter(|(_, ext)| !ext.is_empty())
        .min_by_key(|(result, _)| {
            let canonical = values
                .and_then(|v| v.get(result))
                .cloned()
                .unwrap_or_else(|| result.clone());
            outcome_rank(&canonical)
        });
    if let Some((_, ext)) = best {
        let e = m
            .entry("extension")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(e) = e {
            e.insert("id".into(), Value::String(ext));
        }
    }
}

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
    let staff = field("staff_id");
    let no_staff = |r: &Record| match &staff {
        Some(f) => text(&r.fields, header, f).is_empty(),
        None => false,
    };
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
                .min_by_key(|&i| (rank(&legs[i]), no_staff(&legs[i]), i))
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
