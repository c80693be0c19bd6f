//! Vendor exports as they really are (issue 27): public examples of RingCentral,
//! Twilio, Zoom Phone and Amazon Connect exports ingest without loss.
//!
//! Fixtures: tests/fixtures/vendors (its README names the source of each file and
//! says which are verbatim published examples and which are assembled from a
//! documented shape).

mod workdir;

use workdir::{Run, Workdir};

fn totals_line(stderr: &str) -> String {
    stderr
        .lines()
        .find(|l| l.trim_start().starts_with("total"))
        .unwrap_or_else(|| panic!("no total line in\n{stderr}"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

fn query(wd: &Workdir, sql: &str) -> String {
    wd.run(&["query", "--format", "csv", sql]).stdout
}

/// Ingest one example (a path below exports/p001) in a fresh work directory.
fn ingest_one(file: &str) -> (Workdir, Run) {
    let wd = Workdir::fixture("vendors");
    let run = wd.run(&["ingest", &format!("exports/p001/{file}")]);
    assert!(!run.stderr.contains("unknown"), "{run}");
    (wd, run)
}

const CALLS: &str = "SELECT call_id, session_id, direction, raw_outcome, outcome, staff_id, duration_s, started_at FROM calls ORDER BY started_at";

#[test]
fn check_reads_every_example_without_a_warning() {
    let wd = Workdir::fixture("vendors");
    let run = wd.run(&["check"]);
    assert!(
        run.stdout.contains(
            "verdict: ok: 10 file(s), every one read by a profile, 28 row(s), each maps cleanly"
        ),
        "{run}"
    );
    for noise in ["warning", "unknown", "unmapped", " 1 would be quarantined"] {
        assert!(
            !run.stdout.contains(noise) && !run.stderr.contains(noise),
            "`{noise}`\n{run}"
        );
    }
}

#[test]
fn ringcentral_api_detailed_view_takes_staff_from_its_legs() {
    // ringcentral-api-docs, docs/voice/call-log/details.md, the Detailed response.
    let (wd, run) = ingest_one("ringcentral/ringcentral_call_log_detailed.json");
    assert_eq!(
        totals_line(&run.stderr),
        "total read 3 stored 3 quarantined 0 duplicates 0",
        "{run}"
    );
    assert_eq!(
        query(&wd, CALLS),
        "call_id,session_id,direction,raw_outcome,outcome,staff_id,duration_s,started_at\n\
         ASaoLzRiqjLaFYU,13914782004,outbound,Call connected,connected,664573005,64,2016-06-06T18:07:41.000000\n\
         ASaoSC9FIMaOF24,13914800004,outbound,Call connected,connected,664573005,55,2016-06-06T18:12:30.000000\n\
         ASaxDDkSZ5s42MA,13916417004,inbound,Accepted,connected,664573005,55,2016-06-06T23:07:20.000000\n"
    );
    let v = query(
        &wd,
        "SELECT updated_at FROM calls WHERE call_id = 'ASaxDDkSZ5s42MA'",
    );
    assert!(v.contains("2016-06-06T23:08:23.336"), "{v}");
}

#[test]
fn ringcentral_api_simple_view() {
    let (wd, run) = ingest_one("ringcentral/ringcentral_call_log_simple.json");
    assert_eq!(
        totals_line(&run.stderr),
        "total read 3 stored 3 quarantined 0 duplicates 0",
        "{run}"
    );
    // The Simple view names no extension: no staff, never a guess.
    assert_eq!(
        query(&wd, CALLS),
        "call_id,session_id,direction,raw_outcome,outcome,staff_id,duration_s,started_at\n\
         ASaoLzRiqjLaFYU,13914782004,outbound,Call connected,connected,,64,2016-06-06T18:07:41.000000\n\
         ASaoSC9FIMaOF24,13914800004,outbound,Call connected,connected,,55,2016-06-06T18:12:30.000000\n\
         ASaxDDkSZ5s42MA,13916417004,inbound,Accepted,connected,,55,2016-06-06T23:07:20.000000\n"
    );
}

#[test]
fn ringcentral_detailed_csv_legs_join_their_master_row() {
    // PacoVu/ringcentral-call-log's detailed download of the same three calls:
    // the leg row leaves CallId and SessionId empty; `Mon 6/6/2016` `7:07:20 PM`
    // is New York time (EDT), 23:07:20 UTC; the last row has no line end.
    let (wd, run) = ingest_one("ringcentral/ringcentral_call_log_detailed.csv");
    assert_eq!(
        totals_line(&run.stderr),
        "total read 4 stored 3 quarantined 0 duplicates 0 merged legs 1",
        "{run}"
    );
    assert_eq!(
        query(&wd, CALLS),
        "call_id,session_id,direction,raw_outcome,outcome,staff_id,duration_s,started_at\n\
         ASaoLzRiqjLaFYU,13914782004,outbound,Call connected,connected,664573005,64,2016-06-06T18:07:41.000000\n\
         ASaoSC9FIMaOF24,13914800004,outbound,Call connected,connected,664573005,55,2016-06-06T18:12:30.000000\n\
         ASaxDDkSZ5s42MA,13916417004,inbound,Accepted,connected,664573005,55,2016-06-06T23:07:20.000000\n"
    );
    // The external party: the caller of the inbound call, the callee of the others,
    // so the CSV and the API hash the same numbers.
    let (api, _) = ingest_one("ringcentral/ringcentral_call_log_detailed.json");
    let keys = "SELECT call_id, phone_key FROM calls ORDER BY call_id";
    assert_eq!(query(&wd, keys), query(&api, keys));
}

#[test]
fn ringcentral_simple_csv_reads_direction_from_its_action() {
    let (wd, run) = ingest_one("ringcentral/ringcentral_call_log_simple.csv");
    assert_eq!(
        totals_line(&run.stderr),
        "total read 3 stored 3 quarantined 0 duplicates 0",
        "{run}"
    );
    // No call id in the simple download: date, time and the row's ordinal in
    // that second; no session, no extension.
    assert_eq!(
        query(&wd, CALLS),
        "call_id,session_id,direction,raw_outcome,outcome,staff_id,duration_s,started_at\n\
         Mon 6/6/2016 2:07:41 PM #1,,outbound,Call connected,connected,,64,2016-06-06T18:07:41.000000\n\
         Mon 6/6/2016 2:12:30 PM #1,,outbound,Call connected,connected,,55,2016-06-06T18:12:30.000000\n\
         Mon 6/6/2016 7:07:20 PM #1,,inbound,Accepted,connected,,55,2016-06-06T23:07:20.000000\n"
    );
    let d = query(
        &wd,
        "SELECT DISTINCT raw_direction FROM calls ORDER BY raw_direction",
    );
    assert_eq!(d, "raw_direction\nPhone Call\nVoIP Call\n");
}

#[test]
fn ringcentral_csv_weekday_must_match_its_date() {
    // `Tue 6/6/2016` names the wrong day: quarantined, not moved to another date.
    let wd = Workdir::fixture("vendors");
    let text = wd
        .read("exports/p001/ringcentral/ringcentral_call_log_simple.csv")
        .replacen("Mon 6/6/2016,7:07:20", "Tue 6/6/2016,7:07:20", 1);
    wd.write(
        "exports/p001/ringcentral/ringcentral_call_log_simple.csv",
        text,
    );
    let run = wd.run(&[
        "ingest",
        "exports/p001/ringcentral/ringcentral_call_log_simple.csv",
    ]);
    assert_eq!(
        totals_line(&run.stderr),
        "total read 3 stored 2 quarantined 1 duplicates 0",
        "{run}"
    );
}

#[test]
fn twilio_call_list_from_twilio_ruby() {
    // twilio-ruby spec/integration/api/v2010/account/call_spec.rb, read_full_page1.
    let (wd, run) = ingest_one("twilio/twilio_calls_read_full_page1.json");
    assert_eq!(
        totals_line(&run.stderr),
        "total read 2 stored 2 quarantined 0 duplicates 0",
        "{run}"
    );
    // Each names a parent that is not in the file: a call of its own.
    assert_eq!(
        query(&wd, "SELECT call_id, direction, raw_outcome, outcome, duration_s, started_at, ended_at FROM calls ORDER BY call_id"),
        "call_id,direction,raw_outcome,outcome,duration_s,started_at,ended_at\n\
         CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa0,inbound,\"inbound completed, no child leg\",unknown,3,2019-10-18T16:02:00.000000,2019-10-18T16:03:00.000000\n\
         CAaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa,outbound,outbound machine_start,voicemail,4,2019-10-18T17:02:00.000000,2019-10-18T17:03:00.000000\n"
    );
}

#[test]
fn twilio_gzip_bulk_export_reads_by_content() {
    // The same Call resources as a bulk-export day file: one per line, gzip.
    let (wd, run) = ingest_one("twilio/twilio_calls_2019-10-18.json.gz");
    assert_eq!(
        totals_line(&run.stderr),
        "total read 2 stored 2 quarantined 0 duplicates 0",
        "{run}"
    );
    let (list, _) = ingest_one("twilio/twilio_calls_read_full_page1.json");
    let q = "SELECT call_id, direction, outcome, duration_s, started_at, ended_at, phone_key, updated_at FROM calls ORDER BY call_id";
    assert_eq!(query(&wd, q), query(&list, q));
    // By content, not by name: the same gzip bytes under a plain `.json` name.
    let wd = Workdir::fixture("vendors");
    let gz = std::fs::read(wd.path("exports/p001/twilio/twilio_calls_2019-10-18.json.gz")).unwrap();
    wd.write("exports/p001/twilio/twilio_calls_renamed.json", gz);
    let run = wd.run(&["ingest", "exports/p001/twilio/twilio_calls_renamed.json"]);
    assert_eq!(
        totals_line(&run.stderr),
        "total read 2 stored 2 quarantined 0 duplicates 0",
        "{run}"
    );
    // A damaged download is refused by name, not read as garbage.
    let wd = Workdir::fixture("vendors");
    wd.write(
        "exports/p001/twilio/twilio_calls_cut.json.gz",
        &[0x1f, 0x8b, 0x08, 0x00, 0x01],
    );
    let run = wd.run_code(
        &["check", "exports/p001/twilio/twilio_calls_cut.json.gz"],
        1,
    );
    assert!(run.stdout.contains("does not decompress"), "{run}");
}

#[test]
fn zoom_account_call_history_names_records_by_uuid() {
    let (wd, run) = ingest_one("zoom/zoom_call_history_account.json");
    assert_eq!(
        totals_line(&run.stderr),
        "total read 4 stored 4 quarantined 0 duplicates 0",
        "{run}"
    );
    // The succeeded call has no `duration`: end − start. The answered call's staff
    // is the member who answered after the queue overflowed.
    assert_eq!(
        query(&wd, CALLS),
        "call_id,session_id,direction,raw_outcome,outcome,staff_id,duration_s,started_at\n\
         20240105-6f1c2d3e-0001-4a5b-8c9d-000000000001,7320512345678900001,inbound,answered,connected,1001,120,2024-01-05T14:00:00.000000\n\
         20240105-6f1c2d3e-0002-4a5b-8c9d-000000000002,7320512345678900002,outbound,succeeded,connected,1002,95,2024-01-05T15:00:00.000000\n\
         20240105-6f1c2d3e-0003-4a5b-8c9d-000000000003,7320512345678900003,inbound,system_blocked,rejected,,0,2024-01-05T16:00:00.000000\n\
         20240105-6f1c2d3e-0004-4a5b-8c9d-000000000004,7320512345678900004,outbound,unconnected,no_answer,1001,0,2024-01-05T17:00:00.000000\n"
    );
}

#[test]
fn zoom_user_call_logs_and_webhook_payloads() {
    let (wd, run) = ingest_one("zoom/zoom_call_history_user.json");
    assert_eq!(
        totals_line(&run.stderr),
        "total read 2 stored 2 quarantined 0 duplicates 0",
        "{run}"
    );
    assert_eq!(
        query(&wd, CALLS),
        "call_id,session_id,direction,raw_outcome,outcome,staff_id,duration_s,started_at\n\
         20240105-7a8b9c0d-0005-4e5f-8a9b-000000000005,7320512345678900005,inbound,invalid_key,missed,1001,20,2024-01-05T18:00:00.000000\n\
         20240105-7a8b9c0d-0006-4e5f-8a9b-000000000006,7320512345678900006,outbound,service_unavailable,failed,1001,5,2024-01-05T18:10:00.000000\n"
    );
    let (wd, run) = ingest_one("zoom/zoom_call_history_webhook.json");
    assert_eq!(
        totals_line(&run.stderr),
        "total read 1 stored 1 quarantined 0 duplicates 0",
        "{run}"
    );
    assert_eq!(
        query(
            &wd,
            "SELECT call_id, outcome, staff_id, answered_at FROM calls"
        ),
        "call_id,outcome,staff_id,answered_at\n\
         20240105-8b9c0d1e-0007-4f5a-9b8c-000000000007,connected,1002,2024-01-05T19:00:10.000000\n"
    );
}

#[test]
fn zoom_a_record_that_only_overflowed_shows_the_value() {
    let wd = Workdir::fixture("vendors");
    wd.write(
        "exports/p001/zoom/zoom_call_history_overflow.json",
        r#"{"call_history":[{"call_history_uuid":"u-1","call_id":"1","direction":"inbound","start_time":"2024-01-05T14:00:00Z","end_time":"2024-01-05T14:01:00Z","caller_did_number":"+16175550161","call_elements":[{"event":"incoming","result":"overflowed"}]}]}"#,
    );
    let run = wd.run(&[
        "ingest",
        "exports/p001/zoom/zoom_call_history_overflow.json",
    ]);
    assert_eq!(
        totals_line(&run.stderr),
        "total read 1 stored 0 quarantined 1 duplicates 0",
        "{run}"
    );
    let q = wd.read("quarantine/p001/zoom/zoom_call_history_overflow.json.quarantine.csv");
    assert!(
        q.contains(",[outcome],overflowed,unmapped value for outcome"),
        "{q}"
    );
}

#[test]
fn connect_records_old_and_new_disconnect_reasons() {
    let (wd, run) = ingest_one("connect/connect_ctr_2024-01-05.ndjson");
    assert_eq!(
        totals_line(&run.stderr),
        "total read 5 stored 5 quarantined 0 duplicates 0",
        "{run}"
    );
    // ctr-0001 is an older record without DisconnectReason that waited in the queue.
    assert_eq!(
        query(&wd, "SELECT call_id, direction, raw_outcome, outcome, staff_id, queue, duration_s FROM calls ORDER BY call_id"),
        "call_id,direction,raw_outcome,outcome,staff_id,queue,duration_s\n\
         ctr-0001,inbound,queue,missed,,BasicQueue,180\n\
         ctr-0002,inbound,agent,connected,amartin,BasicQueue,299\n\
         ctr-0003,inbound,queue AGENT_CONNECTION_NOT_ESTABLISHED,missed,,BasicQueue,60\n\
         ctr-0004,outbound,flow OUTBOUND_ATTEMPT_FAILED,failed,,,5\n\
         ctr-0005,inbound,agent,connected,bchen,BasicQueue,120\n"
    );
}
