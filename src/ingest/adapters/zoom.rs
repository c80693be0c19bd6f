//! Zoom Phone call history: the outcome of the last hop that is not an overflow.
//!
//! A call history record carries `call_result` and, in the detailed form, its
//! hops as `call_elements` (formerly `call_path`), each with an `event` and a
//! `result`. A hop that `overflowed` (rang a queue, then moved on) is not where the
//! call ended, so the outcome, answer time and staff extension come from the last
//! hop that did not overflow. A record whose only result is `overflowed` keeps it,
//! and the profile's value map (which does not map it) quarantines the call with
//! the value shown, also when the record itself has no `call_result`.
//! `[duration_s]` is `duration`, else `end_time` − `start_time` (records of the
//! call history may leave `duration` out).
//! Derived: `[outcome]`, `[answered_at]`, `[staff]`, `[duration_s]`.

use super::{put, str_at};
use serde_json::{Map, Value};

pub const READS: &[&str] = &[
    "call_elements",
    "call_path",
    "call_result",
    "result",
    "answer_time",
    "duration",
];

pub fn derive(m: &mut Map<String, Value>) {
    let hops: Vec<Map<String, Value>> = ["call_elements", "call_path"]
        .iter()
        .find_map(|k| m.get(*k).and_then(Value::as_array))
        .map(|a| a.iter().filter_map(|v| v.as_object().cloned()).collect())
        .unwrap_or_default();
    let overflow = |h: &Map<String, Value>| {
        str_at(h, "event") == "overflowed" || str_at(h, "result") == "overflowed"
    };
    let last = hops.iter().rev().find(|h| !overflow(h));
    // `result` in the legacy call-log API.
    let top = [str_at(m, "call_result"), str_at(m, "result")]
        .into_iter()
        .find(|s| !s.is_empty())
        .unwrap_or_default();
    let result = match last {
        Some(h) if !str_at(h, "result").is_empty() => str_at(h, "result"),
        None if top.is_empty() && !hops.is_empty() => "overflowed".to_string(),
        _ => top,
    };
    let duration = match str_at(m, "duration") {
        d if !d.is_empty() => d,
        _ => {
            let secs = |f: &str| {
                chrono::DateTime::parse_from_rfc3339(&str_at(m, f))
                    .ok()
                    .map(|d| d.timestamp())
            };
            match (secs("start_time"), secs("end_time")) {
                (Some(a), Some(b)) if b >= a => (b - a).to_string(),
                _ => String::new(),
            }
        }
    };
    let inbound = str_at(m, "direction") == "inbound";
    let staff_field = if inbound {
        "callee_ext_number"
    } else {
        "caller_ext_number"
    };
    let pick = |f: &str| {
        last.map(|h| str_at(h, f))
            .filter(|s| !s.is_empty())
            .unwrap_or_else(|| str_at(m, f))
    };
    let answered = pick("answer_time");
    let staff = pick(staff_field);
    put(m, "[outcome]", result);
    put(m, "[answered_at]", answered);
    put(m, "[staff]", staff);
    put(m, "[duration_s]", duration);
}
