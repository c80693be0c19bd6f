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
//! A child leg whose parent is not in the same file stays a call of its own; one
//! whose parent is a child itself joins the call at the top of the chain; legs
//! that name each other as parent (a cycle) are quarantined.

use super::{put, quarantine, str_at, Fields, Record};
use serde_json::{Map, Value};
use std::collections::HashMap;

pub const READS: &[&str] = &["parent_call_sid", "answered_by", "status", "direction"];

/// Merge child legs into their parents; returns the calls and the merged-leg count.
///
/// A leg whose parent is itself a child (a transfer from a dialled leg) is merged
/// into the call at the top of its chain. Legs that name each other as parent (a
/// cycle, which Twilio never writes) have no top: each is quarantined naming the
/// cycle, so every record is still accounted for.
pub fn group(records: Vec<Record>, rejects: &mut Vec<quarantine::Entry>) -> (Vec<Record>, u64) {
    let field = |r: &Record, name: &str| match &r.fields {
        Fields::Json(m) => str_at(m, name),
        Fields::Csv(_) => String::new(),
    };
    let sids: HashMap<String, usize> = records
        .iter()
        .enumerate()
        .map(|(i, r)| (field(r, "sid"), i))
        .filter(|(s, _)| !s.is_empty())
        .collect();
    let parent: Vec<Option<usize>> = records
        .iter()
        .enumerate()
        .map(|(i, r)| {
            sids.get(&field(r, "parent_call_sid"))
                .copied()
                .filter(|&p| p != i)
        })
        .collect();
    // The top of each record's chain of parents; None inside a cycle.
    let mut root: Vec<Option<Option<usize>>> = vec![None; records.len()];
    for i in 0..records.len() {
        let mut path = vec![i];
        let mut cur = i;
        let top = loop {
            if let Some(known) = root[cur] {
                break known;
            }
            match parent[cur] {
                None => break Some(cur),
                Some(p) if path.contains(&p) => break None,
                Some(p) => {
                    path.push(p);
                    cur = p;
                }
            }
        };
        for j in path {
            root[j] = Some(top);
        }
    }
    let mut children: HashMap<usize, Vec<usize>> = HashMap::new();
    for (i, r) in root.iter().enumerate() {
        if let Some(Some(top)) = r {
            if *top != i {
                children.entry(*top).or_default().push(i);
            }
        }
    }
    let statuses: Vec<String> = records.iter().map(|r| field(r, "status")).collect();
    let raws: Vec<String> = records.iter().map(|r| r.raw.clone()).collect();
    let cycle_sids: Vec<String> = records.iter().map(|r| field(r, "sid")).collect();
    let mut out = Vec::new();
    let mut merged = 0;
    for (i, mut r) in records.into_iter().enumerate() {
        match root[i] {
            Some(Some(top)) if top == i => {}
            Some(Some(_)) => continue, // merged into its top
            _ => {
                let mut members = vec![i];
                let mut cur = parent[i];
                while let Some(p) = cur.filter(|p| !members.contains(p)) {
                    members.push(p);
                    cur = parent[p];
                }
                let named: Vec<&str> = members.iter().map(|&m| cycle_sids[m].as_str()).collect();
                rejects.push(quarantine::Entry {
                    line: r.line,
                    column: Some("parent_call_sid".into()),
                    value: Some(field(&r, "parent_call_sid")),
                    reason: format!(
                        "call legs name each other as parent (a cycle: {} → back), so no leg is the call; re-export these calls",
                        named.join(" → ")
                    ),
                    raw_record: r.raw,
                });
                continue;
            }
        }
        let kids = children.get(&i).map(Vec::as_slice).unwrap_or_default();
        merged += kids.len() as u64;
        if let Fields::Json(m) = &mut r.fields {
            let kid_status: Vec<&str> = kids.iter().map(|&k| statuses[k].as_str()).collect();
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
