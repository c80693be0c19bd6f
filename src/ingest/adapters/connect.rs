//! Amazon Connect contact trace records (CTR).
//!
//! A CTR says where the contact got to, not how it ended: an agent connected
//! (`Agent.ConnectedToAgentTimestamp`), it waited in a queue
//! (`Queue.EnqueueTimestamp`) but no agent took it, or it never left the contact
//! flow. With `DisconnectReason` that gives `[outcome]`: `agent`, or
//! `queue <DisconnectReason>`, or `flow <DisconnectReason>` (`queue` / `flow`
//! alone for an older record without a DisconnectReason); the profile's value
//! map turns those into canonical outcomes (a caller who hangs up in the queue
//! abandoned it). `[duration_s]` is disconnect minus connection to the system.
//! Records arrive at least once; the profile's `dedupe` keeps the latest
//! `LastUpdateTimestamp` per `ContactId`.

use super::{put, str_at};
use serde_json::{Map, Value};

pub const READS: &[&str] = &[
    "Agent",
    "Queue",
    "DisconnectReason",
    "ConnectedToSystemTimestamp",
    "Channel",
];

pub fn derive(m: &mut Map<String, Value>) {
    let reason = str_at(m, "DisconnectReason");
    let outcome = if !str_at(m, "Agent.ConnectedToAgentTimestamp").is_empty() {
        "agent".to_string()
    } else if !str_at(m, "Queue.EnqueueTimestamp").is_empty() {
        format!("queue {reason}").trim_end().to_string()
    } else {
        format!("flow {reason}").trim_end().to_string()
    };
    // A chat or task contact is not a call: its channel keeps it out of the value map.
    let channel = str_at(m, "Channel");
    let outcome = if channel.is_empty() || channel == "VOICE" {
        outcome
    } else {
        format!("{channel} {outcome}")
    };
    let secs = |f: &str| {
        chrono::DateTime::parse_from_rfc3339(&str_at(m, f))
            .ok()
            .map(|d| d.timestamp())
    };
    let from = secs("ConnectedToSystemTimestamp").or_else(|| secs("InitiationTimestamp"));
    let duration = match (from, secs("DisconnectTimestamp")) {
        (Some(a), Some(b)) if b >= a => (b - a).to_string(),
        _ => String::new(),
    };
    put(m, "[outcome]", outcome);
    put(m, "[duration_s]", duration);
}
