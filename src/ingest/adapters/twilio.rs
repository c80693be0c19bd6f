//! Twilio Call resources: a parent call and the child legs it dialled are one call.
//!
//! An inbound call's parent leg is `completed` as soon as Twilio answered the
//! number (to play a menu or `<Dial>` staff); whether a person picked up is in its
//! child legs (`parent_call_sid` = the parent's `sid`). Answering-machine detection
//! (`answered_by` = `machine_*` or `fax`) marks an outbound call that reached a
//! voicemail. The adapter writes what decides into `[outcome]`, prefixed with the
//! direction, for the profile's value map:
//!
//! - `inbound answered` — a child leg completed;
//! - `inbound unanswered` — child legs were dialled, none completed;
//! - `inbound completed, no child leg` — no dial in this file: who answered is unknown;
//! - `<inbound|outbound> <answered_by>` for `machine_*` and `fax`;
//! - `<inbound|outbound> <status>` otherwise (busy, no-answer, canceled, …).
//!
//! A child leg whose parent is not in the same file stays a call of its own.

use super::{put, str_at, Fields, Record};
use serde_json::{Map, Value};
use std::collections::HashMap;

pub const READS: &[&str] = &["parent_call_sid", "answered_by", "status", "direction"];

/// Merge child legs into their parents; returns the calls and the merged-leg count.
pub fn group(records: Vec<Record>) -> (Vec<Record>, u64) {
    let json = |r: &Record| match &r.fields {
        Fields::Json(m) => Some(m.clone()),
        Fields::Csv(_) => None,
    };
    let sids: HashMap<String, usize> = records
        .iter()
        .enumerate()
        .filter_map(|(i, r)| json(r).map(|m| (str_at(&m, "sid"), i)))
        .filter(|(s, _)| !s.is_empty())
        .collect();
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    let mut is_child = vec![false; records.len()];
    for (i, r) in records.iter().enumerate() {
        let Some(m) = json(r) else { continue };
        let parent = str_at(&m, "parent_call_sid");
        if let Some(&p) = sids.get(&parent) {
            if p != i {
                children.entry(p).or_default().push(i);
                is_child[i] = true;
            }
        }
    }
    let statuses: Vec<(String, String)> = records
        .iter()
        .map(|r| match json(r) {
            Some(m) => (str_at(&m, "status"), str_at(&m, "answered_by")),
            None => Default::default(),
        })
        .collect();
    let raws: Vec<String> = records.iter().map(|r| r.raw.clone()).collect();
    let mut out = Vec::new();
    let mut merged = 0;
    for (i, mut r) in records.into_iter().enumerate() {
        if is_child[i] {
            continue;
        }
        let kids = children.get(&i).map(Vec::as_slice).unwrap_or_default();
        merged += kids.len() as u64;
        if let Fields::Json(m) = &mut r.fields {
            let kid_status: Vec<&str> = kids.iter().map(|&k| statuses[k].0.as_str()).collect();
            put(m, "[outcome]", outcome(m, &kid_status));
        }
        if !kids.is_empty() {
            let mut raw = vec![r.raw.clone()];
            raw.extend(kids.iter().map(|&k| raws[k].clone()));
            r.raw = raw.join("\n");
        }
        out.push(r);
    }
    (out, merged)
}

fn outcome(m: &Map<String, Value>, kids: &[&str]) -> String {
    let dir = if str_at(m, "direction") == "inbound" {
        "inbound"
    } else {
        "outbound"
    };
    let status = str_at(m, "status");
    let answered_by = str_at(m, "answered_by");
    if answered_by.starts_with("machine") || answered_by == "fax" {
        return format!("{dir} {answered_by}");
    }
    if dir == "inbound" && status == "completed" {
        return if kids.is_empty() {
            "inbound completed, no child leg".into()
        } else if kids.contains(&"completed") {
            "inbound answered".into()
        } else {
            "inbound unanswered".into()
        };
    }
    format!("{dir} {status}")
}
