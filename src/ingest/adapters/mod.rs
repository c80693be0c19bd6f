//! Adapters: the logic a column map cannot express, run on a file's records before
//! they are mapped (grouping a call's legs, picking the leg that decides the outcome,
//! following FHIR references, keeping the latest of repeated records).
//!
//! An adapter never drops a record in silence: each input record ends as a record to
//! map, a quarantine entry with a reason, a leg merged into another record
//! (`merged`), or an older copy of a record (`superseded`, counted as a duplicate).
//! Fields an adapter derives are named in brackets (`[outcome]`, `[patient]`) so a
//! profile and a quarantine file show they are not the vendor's own.

mod connect;
mod fhir;
mod ringcentral;
mod twilio;
mod zoom;

use super::parse;
use super::profile::{ColumnSource, Format, Profile, ProfileDef};
use super::quarantine;
use super::read::{Fields, Parsed, Record};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

pub use crate::config::profile::Adapter;

impl Adapter {
    /// Vendor fields the adapter reads itself (so they are not reported as unknown).
    pub fn reads(self) -> &'static [&'static str] {
        match self {
            Adapter::Ringcentral => ringcentral::READS,
            Adapter::Twilio => twilio::READS,
            Adapter::Zoom => zoom::READS,
            Adapter::AmazonConnect => connect::READS,
            Adapter::Fhir => fhir::READS,
        }
    }

    /// Check a profile that names this adapter; `Err` says what to fix.
    pub fn check(self, def: &ProfileDef) -> Result<(), String> {
        let json = matches!(def.format, Format::Json | Format::Ndjson);
        match self {
            Adapter::Ringcentral => {
                for col in ["session_id", "outcome"] {
                    if !matches!(def.columns.get(col), Some(ColumnSource::Field(_))) {
                        return Err(format!(
                            "the ringcentral adapter groups legs by session: map `{col}` to one source column"
                        ));
                    }
                }
                Ok(())
            }
            _ if !json => Err(format!(
                "the {self:?} adapter reads JSON records: use format = \"json\" or \"ndjson\""
            )),
            Adapter::Fhir => match def.resource_type.as_deref() {
                Some("Task" | "Communication" | "Appointment" | "Patient") => Ok(()),
                _ => Err(
                    "the fhir adapter needs resource_type = \"Task\", \"Communication\", \"Appointment\" or \"Patient\""
                        .into(),
                ),
            },
            _ => Ok(()),
        }
    }
}

/// What an adapter did to a file's records, besides the records left to map.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Adapted {
    /// Call legs folded into the record of their logical call.
    pub merged: u64,
    /// Older copies of a record that a later one in the same file replaces.
    pub superseded: u64,
}

/// Run the profile's `dedupe` and adapter over the parsed records.
pub fn apply(
    profile: &Profile,
    parsed: &mut Parsed,
    rejects: &mut Vec<quarantine::Entry>,
) -> Adapted {
    let mut out = Adapted::default();
    if let Some(d) = &profile.def.dedupe {
        out.superseded += dedupe(profile, &d.key, &d.latest_by, parsed);
    }
    let records = std::mem::take(&mut parsed.records);
    let records = match profile.def.adapter {
        None => records,
        Some(Adapter::Ringcentral) => {
            let mut records = records;
            if !parsed.header.is_empty() {
                ringcentral::derive_csv(&mut parsed.header, &mut records);
            }
            for r in &mut records {
                if let Fields::Json(m) = &mut r.fields {
                    ringcentral::staff_from_legs(profile, m);
                }
            }
            let (r, merged) = ringcentral::group(profile, &parsed.header, records);
            out.merged += merged;
            r
        }
        Some(Adapter::Twilio) => {
            let (r, merged) = twilio::group(records, rejects);
            out.merged += merged;
            r
        }
        Some(Adapter::Zoom) => each_json(records, zoom::derive),
        Some(Adapter::AmazonConnect) => each_json(records, connect::derive),
        Some(Adapter::Fhir) => {
            let want = profile.def.resource_type.as_deref().unwrap_or_default();
            let mut kept = Vec::new();
            for mut rec in records {
                match fhir::derive(profile.name(), want, &mut rec) {
                    Ok(()) => kept.push(rec),
                    Err(e) => rejects.push(quarantine::Entry {
                        line: rec.line,
                        column: Some("resourceType".into()),
                        value: Some(e.0),
                        reason: e.1,
                        raw_record: rec.raw,
                    }),
                }
            }
            kept
        }
    };
    parsed.records = records;
    out
}

fn each_json(mut records: Vec<Record>, f: fn(&mut Map<String, Value>)) -> Vec<Record> {
    for r in &mut records {
        if let Fields::Json(map) = &mut r.fields {
            f(map);
        }
    }
    records
}

/// Keep the latest record per key; returns how many older copies were dropped.
/// A record without the key, or whose `latest_by` does not parse, is kept as it is:
/// mapping then quarantines it with the reason.
fn dedupe(profile: &Profile, key: &str, latest_by: &str, parsed: &mut Parsed) -> u64 {
    let utc = chrono_tz::UTC;
    let mut best: BTreeMap<String, (i64, usize)> = BTreeMap::new();
    let mut unkeyed = Vec::new();
    for (i, r) in parsed.records.iter().enumerate() {
        let k = text(&r.fields, &parsed.header, key);
        if k.is_empty() {
            unkeyed.push(i);
            continue;
        }
        let t = parse::timestamp(
            &text(&r.fields, &parsed.header, latest_by),
            &profile.formats,
            utc,
        )
        .unwrap_or(i64::MIN);
        match best.get(&k) {
            Some((bt, _)) if *bt > t => {}
            _ => {
                best.insert(k, (t, i));
            }
        }
    }
    let mut keep: Vec<usize> = best.values().map(|(_, i)| *i).chain(unkeyed).collect();
    keep.sort_unstable();
    let before = parsed.records.len();
    let mut records: Vec<Option<Record>> = std::mem::take(&mut parsed.records)
        .into_iter()
        .map(Some)
        .collect();
    parsed.records = keep.iter().filter_map(|&i| records[i].take()).collect();
    (before - parsed.records.len()) as u64
}

/// A field's text ("" when absent).
pub(crate) fn text(f: &Fields, header: &[String], name: &str) -> String {
    f.get(header, name)
        .map(|v| v.trim().to_string())
        .unwrap_or_default()
}

/// A JSON value at a dotted path.
pub(crate) fn at<'a>(map: &'a Map<String, Value>, path: &str) -> Option<&'a Value> {
    let mut parts = path.split('.');
    let mut cur = map.get(parts.next()?)?;
    for p in parts {
        cur = match cur {
            Value::Object(m) => m.get(p)?,
            Value::Array(a) => a.get(p.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(cur)
}

/// A JSON value's text at a dotted path ("" when absent or null).
pub(crate) fn str_at(map: &Map<String, Value>, path: &str) -> String {
    match at(map, path) {
        Some(Value::String(s)) => s.trim().to_string(),
        Some(Value::Null) | None => String::new(),
        Some(v) => v.to_string(),
    }
}

/// Set a derived field (empty text sets nothing, so `FirstOf` and required checks see it as missing).
pub(crate) fn put(map: &mut Map<String, Value>, name: &str, value: String) {
    if !value.is_empty() {
        map.insert(name.to_string(), Value::String(value));
    }
}

/// Canonical call outcomes from best to worst: the leg that decides a merged call.
pub(crate) fn outcome_rank(canonical: &str) -> usize {
    const ORDER: &[&str] = &[
        "connected",
        "voicemail",
        "abandoned",
        "missed",
        "no_answer",
        "busy",
        "rejected",
        "wrong_number",
        "failed",
        "unknown",
    ];
    ORDER
        .iter()
        .position(|o| *o == canonical)
        .unwrap_or(ORDER.len())
}

#[cfg(test)]
mod tests;
