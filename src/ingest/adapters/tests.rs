use super::*;
use crate::ingest::profile::{builtin_defs, parse_def, Profile};
use crate::ingest::read;
use std::path::Path;

fn builtin(name: &str) -> Profile {
    let def = builtin_defs().into_iter().find(|d| d.name == name).unwrap();
    Profile::compile(def, Path::new(name)).unwrap()
}

fn json(line: u64, text: &str) -> Record {
    let Value::Object(map) = serde_json::from_str(text).unwrap() else {
        panic!("not an object")
    };
    Record {
        line,
        fields: Fields::Json(map),
        raw: text.to_string(),
    }
}

#[test]
fn each_vendor_file_name_matches_exactly_one_builtin_profile() {
    let profiles: Vec<Profile> = builtin_defs()
        .into_iter()
        .map(|d| Profile::compile(d, Path::new("builtin")).unwrap())
        .collect();
    for (file, expected) in [
        (
            "p001/ringcentral_call_log_2026-11-02.json",
            "ringcentral-call-log",
        ),
        (
            "p001/ringcentral_call_log_2026-11-02.csv",
            "ringcentral-call-log-csv",
        ),
        ("p001/twilio_calls_2026-11-02.json", "twilio-calls-json"),
        ("p001/twilio_calls_2026-11-02.ndjson", "twilio-calls-ndjson"),
        (
            "p001/zoom_call_history_2026-11-02.json",
            "zoom-call-history",
        ),
        ("p001/connect_ctr_2026-11-02.ndjson", "amazon-connect-ctr"),
        // gzip-compressed exports match by their name without `.gz`.
        ("p001/twilio_calls_2026-11-02.json.gz", "twilio-calls-json"),
        (
            "p001/twilio_calls_2026-11-02.ndjson.gz",
            "twilio-calls-ndjson",
        ),
        (
            "p001/connect_ctr_2026-11-02.ndjson.gz",
            "amazon-connect-ctr",
        ),
        ("p001/fhir/Task.ndjson", "fhir-task"),
        ("p001/fhir/Task.000.ndjson", "fhir-task"),
        ("p001/fhir/Communication.ndjson", "fhir-communication"),
        ("p001/fhir/Appointment.ndjson", "fhir-appointment"),
        ("p001/fhir/Patient.ndjson", "fhir-patient"),
        ("p001/calls_2026-11-02.csv", "sample-calls"),
        ("p001/tasks_2026-11-02.csv", "sample-tasks"),
        ("p001/activity_2026-11-02.csv", "sample-activity"),
        ("p001/appointments_2026-11-02.json", "sample-appointments"),
        ("p001/patients_2026-11-02.ndjson", "sample-patients"),
    ] {
        let hits: Vec<&str> = profiles
            .iter()
            .filter(|p| p.matches(file))
            .map(|p| p.name())
            .collect();
        assert_eq!(hits, vec![expected], "{file}");
    }
}

#[test]
fn dedupe_keeps_the_latest_whatever_the_order() {
    let p = builtin("amazon-connect-ctr");
    let mut parsed = read::Parsed {
        records: vec![
            json(
                1,
                r#"{"ContactId":"a","LastUpdateTimestamp":"2026-11-02T10:00:00Z","v":1}"#,
            ),
            json(
                2,
                r#"{"ContactId":"a","LastUpdateTimestamp":"2026-11-02T12:00:00Z","v":2}"#,
            ),
            json(
                3,
                r#"{"ContactId":"a","LastUpdateTimestamp":"2026-11-02T11:00:00Z","v":3}"#,
            ),
            json(
                4,
                r#"{"ContactId":"","LastUpdateTimestamp":"2026-11-02T11:00:00Z","v":4}"#,
            ),
        ],
        ..Default::default()
    };
    let n = dedupe(&p, "ContactId", "LastUpdateTimestamp", &mut parsed);
    assert_eq!(n, 2);
    let lines: Vec<u64> = parsed.records.iter().map(|r| r.line).collect();
    // The record without a key is kept for mapping to quarantine.
    assert_eq!(lines, vec![2, 4]);
}

#[test]
fn twilio_legs_merge_into_their_parent() {
    let records = vec![
        json(
            1,
            r#"{"sid":"P","direction":"inbound","status":"completed"}"#,
        ),
        json(
            2,
            r#"{"sid":"C1","parent_call_sid":"P","direction":"outbound-dial","status":"no-answer"}"#,
        ),
        json(
            3,
            r#"{"sid":"C2","parent_call_sid":"P","direction":"outbound-dial","status":"completed"}"#,
        ),
        json(
            4,
            r#"{"sid":"O","parent_call_sid":"ELSEWHERE","direction":"outbound-dial","status":"busy"}"#,
        ),
    ];
    let mut rejects = Vec::new();
    let (out, merged) = twilio::group(records, &mut rejects);
    assert!(rejects.is_empty());
    assert_eq!(merged, 2);
    let outcomes: Vec<String> = out
        .iter()
        .map(|r| text(&r.fields, &[], "[outcome]"))
        .collect();
    // A child whose parent is in another file stays a call of its own.
    assert_eq!(outcomes, vec!["inbound answered", "outbound busy"]);
    assert_eq!(
        out[0].raw.lines().count(),
        3,
        "the call keeps every leg's record"
    );
}

#[test]
fn twilio_chains_join_their_top_call_and_cycles_are_quarantined() {
    let records = vec![
        json(
            1,
            r#"{"sid":"P","direction":"inbound","status":"completed"}"#,
        ),
        json(
            2,
            r#"{"sid":"C1","parent_call_sid":"P","direction":"outbound-dial","status":"no-answer"}"#,
        ),
        // A transfer from the dialled leg: a grandchild of P.
        json(
            3,
            r#"{"sid":"G1","parent_call_sid":"C1","direction":"outbound-dial","status":"completed"}"#,
        ),
        json(
            4,
            r#"{"sid":"A","parent_call_sid":"B","direction":"inbound","status":"completed"}"#,
        ),
        json(
            5,
            r#"{"sid":"B","parent_call_sid":"A","direction":"outbound-dial","status":"completed"}"#,
        ),
        json(
            6,
            r#"{"sid":"D","parent_call_sid":"B","direction":"outbound-dial","status":"busy"}"#,
        ),
    ];
    let mut rejects = Vec::new();
    let (out, merged) = twilio::group(records, &mut rejects);
    assert_eq!(merged, 2, "C1 and G1 join P");
    assert_eq!(out.len(), 1);
    assert_eq!(text(&out[0].fields, &[], "[outcome]"), "inbound answered");
    assert_eq!(out[0].raw.lines().count(), 3);
    let lines: Vec<u64> = rejects.iter().map(|r| r.line).collect();
    assert_eq!(lines, vec![4, 5, 6], "the cycle and the leg hanging off it");
    assert!(rejects[0].reason.contains("A → B"), "{}", rejects[0].reason);
    // Every record is accounted for.
    assert_eq!(out.len() as u64 + merged + rejects.len() as u64, 6);
}

#[test]
fn fhir_references_by_type_and_codeable_concepts() {
    let p = builtin("fhir-task");
    let mut rec = json(
        1,
        r#"{"resourceType":"Task","status":"in-progress","businessStatus":{"text":"left-message"},
            "for":{"reference":"https://fhir.example.org/r4/Patient/123/_history/2"},
            "owner":{"reference":"PractitionerRole/frontdesk"},
            "reasonCode":{"coding":[{"code":"referral"}],"text":"Referral"}}"#,
    );
    fhir::derive(p.name(), "Task", &mut rec).unwrap();
    let get = |f: &str| text(&rec.fields, &[], f);
    assert_eq!(get("[patient]"), "123");
    assert_eq!(get("[owner]"), "frontdesk");
    assert_eq!(get("[category]"), "referral");
    assert_eq!(get("[status]"), "in-progress/left-message");
    let mut other = json(2, r#"{"resourceType":"Observation"}"#);
    let (value, reason) = fhir::derive(p.name(), "Task", &mut other).unwrap_err();
    assert_eq!(value, "Observation");
    assert!(
        reason.contains("not read by profile `fhir-task`"),
        "{reason}"
    );
}

#[test]
fn adapters_check_what_they_need() {
    let text = r#"
        name = "x"
        table = "calls"
        pattern = "*.csv"
        format = "csv"
        adapter = "twilio"
        timestamp_formats = ["rfc3339"]
        practice_folder = true
        [columns]
        call_id = "sid"
        direction = "direction"
        started_at = "start_time"
        outcome = "[outcome]"
    "#;
    let e = Profile::compile(parse_def(text, Path::new("x")).unwrap(), Path::new("x"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("reads JSON records"), "{e}");
    let text = text
        .replace("format = \"csv\"", "format = \"ndjson\"")
        .replace("adapter = \"twilio\"", "adapter = \"fhir\"");
    let e = Profile::compile(parse_def(&text, Path::new("x")).unwrap(), Path::new("x"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("needs resource_type"), "{e}");
}

/// Every value of each vendor's published enumeration (docs/FORMATS.md has a row
/// for each) maps to a canonical outcome; fax results are documented refusals.
#[test]
fn every_documented_vendor_value_is_mapped() {
    // RingCentral OpenAPI spec, CallLogRecord `result` (voice values).
    const RINGCENTRAL: &[&str] = &[
        "Unknown",
        "In Progress",
        "Missed",
        "Call accepted",
        "Accepted",
        "Voicemail",
        "Rejected",
        "Reply",
        "Blocked",
        "Call connected",
        "No Answer",
        "International Disabled",
        "International Restricted",
        "Busy",
        "Suspended account",
        "Call Failed",
        "Call Failure",
        "Internal Error",
        "IP Phone Offline",
        "No Calling Credit",
        "Restricted Number",
        "Wrong Number",
        "Answered Not Accepted",
        "Stopped",
        "Hang Up",
        "Abandoned",
        "Declined",
        "Sent to Voicemail",
    ];
    const RINGCENTRAL_FAX: &[&str] = &[
        "Received",
        "Receive Error",
        "Fax on Demand",
        "Partial Receive",
        "Sent",
        "Send Error",
        "Fax Partially Sent",
        "Fax Not Sent",
        "Fax Poor Line",
        "Fax Receipt Error",
    ];
    // Zoom Phone call history `call_result` and call-element `result`.
    const ZOOM: &[&str] = &[
        "answered",
        "accepted",
        "picked_up",
        "connected",
        "succeeded",
        "voicemail",
        "hang_up",
        "canceled",
        "call_failed",
        "unconnected",
        "rejected",
        "busy",
        "ring_timeout",
        "no_answer",
        "invalid_key",
        "invalid_operation",
        "abandoned",
        "system_blocked",
        "service_unavailable",
        "missed",
        "call_cancel",
        "blocked",
        "failed",
    ];
    // Amazon Connect CTR data model, DisconnectReason.
    const CONNECT: &[&str] = &[
        "CUSTOMER_DISCONNECT",
        "AGENT_DISCONNECT",
        "THIRD_PARTY_DISCONNECT",
        "TELECOM_PROBLEM",
        "BARGED",
        "CONTACT_FLOW_DISCONNECT",
        "OTHER",
        "EXPIRED",
        "API",
        "CUSTOMER_CONNECTION_NOT_ESTABLISHED",
        "AGENT_CONNECTION_NOT_ESTABLISHED",
        "OUTBOUND_DESTINATION_ENDPOINT_ERROR",
        "OUTBOUND_RESOURCE_ERROR",
        "OUTBOUND_ATTEMPT_FAILED",
        "IDLE_DISCONNECT",
        "DISCARDED",
    ];
    let outcomes = |name: &str| builtin(name).def.values["outcome"].clone();
    for profile in ["ringcentral-call-log", "ringcentral-call-log-csv"] {
        let map = outcomes(profile);
        for v in RINGCENTRAL {
            assert!(map.contains_key(*v), "{profile}: `{v}` is not mapped");
        }
        for v in RINGCENTRAL_FAX {
            assert!(
                !map.contains_key(*v),
                "{profile}: fax result `{v}` is mapped"
            );
        }
    }
    let zoom = outcomes("zoom-call-history");
    for v in ZOOM {
        assert!(zoom.contains_key(*v), "zoom: `{v}` is not mapped");
    }
    assert!(
        !zoom.contains_key("overflowed"),
        "an overflow is never an outcome"
    );
    let connect = outcomes("amazon-connect-ctr");
    for v in CONNECT {
        for at in ["queue", "flow"] {
            let key = format!("{at} {v}");
            assert!(connect.contains_key(&key), "connect: `{key}` is not mapped");
        }
    }
    for key in ["agent", "queue", "flow"] {
        assert!(connect.contains_key(key), "connect: `{key}` is not mapped");
    }
}

#[test]
fn ringcentral_csv_legs_inherit_the_master_session() {
    let mut header: Vec<String> = [
        "CallId",
        "SessionId",
        "Leg",
        "Direction",
        "From",
        "To",
        "Extension",
        "Date",
        "Time",
        "Action",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let row = |line: u64, v: &[&str]| Record {
        line,
        fields: Fields::Csv(v.iter().map(|s| s.to_string()).collect()),
        raw: String::new(),
    };
    let mut records = vec![
        row(
            2,
            &[
                "C1",
                "S1",
                "Leg-master",
                "Incoming",
                "(617) 555-0111",
                "",
                "",
                "Mon 6/6/2016",
                "7:07:20\u{202f}PM",
                "Phone Call",
            ],
        ),
        row(
            3,
            &[
                "",
                "",
                "Leg-1",
                "Outgoing",
                "",
                "",
                "101 - Front Desk",
                "Mon 6/6/2016",
                "7:07:20 PM",
                "VoIP Call",
            ],
        ),
        row(
            4,
            &[
                "",
                "",
                "Leg-2",
                "Outgoing",
                "",
                "",
                "Not found ext. id 664573005",
                "Mon 6/6/2016",
                "7:07:21 PM",
                "VoIP Call",
            ],
        ),
    ];
    ringcentral::derive_csv(&mut header, &mut records);
    let get = |r: &Record, f: &str| text(&r.fields, &header, f);
    assert_eq!(
        get(&records[0], "Time"),
        "7:07:20 PM",
        "a narrow no-break space reads as a space"
    );
    assert_eq!(get(&records[1], "[session_id]"), "S1");
    assert_eq!(get(&records[2], "[call_id]"), "C1");
    assert_eq!(get(&records[0], "[party]"), "(617) 555-0111");
    assert_eq!(
        get(&records[1], "[staff]"),
        "101",
        "the extension number, never the name"
    );
    assert_eq!(get(&records[2], "[staff]"), "664573005");
    // The simple download: no session, an id from the date and time.
    let mut header: Vec<String> = ["Phone Number", "Date", "Time", "Action"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let mut records = vec![
        row(
            2,
            &["(617) 555-0111", "Mon 6/6/2016", "7:07:20 PM", "Phone Call"],
        ),
        row(
            3,
            &["(617) 555-0112", "Mon 6/6/2016", "7:07:20 PM", "VoIP Call"],
        ),
    ];
    ringcentral::derive_csv(&mut header, &mut records);
    let get = |r: &Record, f: &str| text(&r.fields, &header, f);
    assert_eq!(get(&records[0], "[call_id]"), "Mon 6/6/2016 7:07:20 PM #1");
    assert_eq!(get(&records[1], "[call_id]"), "Mon 6/6/2016 7:07:20 PM #2");
    assert_eq!(get(&records[1], "[direction]"), "VoIP Call");
    assert_eq!(get(&records[1], "[session_id]"), "");
}
