//! Real-world export formats (issue 7): RingCentral, Twilio, Zoom Phone, Amazon
//! Connect and FHIR R4 bulk data ingest into the same canonical tables.
//!
//! Fixtures: tests/fixtures/formats (synthetic records built from each vendor's
//! documented shapes; README there) and tests/fixtures/fhir-r4 (HL7's official
//! examples, unmodified).

mod workdir;

use std::collections::BTreeMap;
use workdir::{repo, Run, Workdir};

fn totals_line(stderr: &str) -> String {
    stderr
        .lines()
        .find(|l| l.trim_start().starts_with("total"))
        .unwrap_or_else(|| panic!("no total line in\n{stderr}"))
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `followup query --format csv` of one SQL statement.
fn query(wd: &Workdir, sql: &str) -> String {
    wd.run(&["query", "--format", "csv", sql]).stdout
}

/// Ingest one export of the formats fixture; returns the run.
fn ingest_one(file: &str) -> (Workdir, Run) {
    let wd = Workdir::fixture("formats");
    let run = wd.run(&["ingest", &format!("exports/p001/{file}")]);
    (wd, run)
}

fn calls(wd: &Workdir) -> String {
    query(
        wd,
        "SELECT call_id, session_id, direction, raw_outcome, outcome, staff_id, duration_s FROM calls ORDER BY call_id",
    )
}

#[test]
fn whole_fixture_balances_and_leaks_no_phone_numbers() {
    let wd = Workdir::fixture("formats");
    let run = wd.run(&["ingest"]);
    assert_eq!(
        totals_line(&run.stderr),
        "total read 54 stored 37 quarantined 9 duplicates 1 merged legs 7",
        "{run}"
    );
    for phi in [
        "555",
        "+1617",
        "Example",
        "Sample Person",
        "synthetic message",
    ] {
        assert!(!run.stderr.contains(phi), "stderr leaks `{phi}`\n{run}");
    }
    let ledger = wd.ledger();
    for (file, e) in ledger["files"].as_object().unwrap() {
        let n = |k: &str| e.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
        assert_eq!(
            n("read"),
            n("stored") + n("quarantined") + n("duplicates") + n("merged"),
            "{file}: {e}"
        );
    }
}

#[test]
fn ringcentral_sessions_are_one_call_decided_by_the_best_leg() {
    let (wd, run) = ingest_one("ringcentral_call_log_2026-11-02.json");
    assert_eq!(
        totals_line(&run.stderr),
        "total read 10 stored 8 quarantined 1 duplicates 0 merged legs 1",
        "{run}"
    );
    // S100: a missed leg on extension 201, then accepted on 202: one connected call
    // keeping the first record's id, with the answering leg's staff and duration.
    assert_eq!(
        calls(&wd),
        "call_id,session_id,direction,raw_outcome,outcome,staff_id,duration_s\n\
         rc-1,S100,inbound,Accepted,connected,202,120\n\
         rc-3,S101,inbound,Voicemail,voicemail,201,30\n\
         rc-4,S102,outbound,Call connected,connected,202,30\n\
         rc-5,S103,inbound,Hang Up,abandoned,201,30\n\
         rc-6,S104,outbound,No Answer,no_answer,202,30\n\
         rc-7,S105,outbound,Busy,busy,202,30\n\
         rc-8,S106,outbound,Wrong Number,wrong_number,202,30\n\
         rc-9,S107,inbound,Abandoned,abandoned,201,30\n"
    );
    let q = wd.read("quarantine/p001/ringcentral_call_log_2026-11-02.json.quarantine.csv");
    assert!(
        q.contains(",result,Teleported,unmapped value for outcome"),
        "{q}"
    );
}

#[test]
fn ringcentral_csv_download_groups_sessions_and_reads_clock_durations() {
    // The detailed Service Web download: leg rows leave CallId and SessionId empty
    // and belong to the master row above them.
    let (wd, run) = ingest_one("ringcentral_call_log_2026-11-03.csv");
    assert_eq!(
        totals_line(&run.stderr),
        "total read 4 stored 2 quarantined 0 duplicates 0 merged legs 2",
        "{run}"
    );
    assert!(!run.stderr.contains("unknown column"), "{run}");
    // S200: the master row and Leg-2 accepted; staff from the leg that names its
    // extension (`102 - Front Desk 2` gives 102, never the name).
    assert_eq!(
        calls(&wd),
        "call_id,session_id,direction,raw_outcome,outcome,staff_id,duration_s\n\
         rc-csv-1,S200,inbound,Accepted,connected,102,190\n\
         rc-csv-2,S201,outbound,Call connected,connected,101,65\n"
    );
    // `Tue 11/3/2026` `9:15:02 AM` in New York (EST) is 14:15:02 UTC.
    let t = query(
        &wd,
        "SELECT started_at FROM calls WHERE call_id = 'rc-csv-1'",
    );
    assert!(t.contains("2026-11-03T14:15:02"), "{t}");
}

#[test]
fn twilio_child_legs_decide_inbound_calls_and_machines_are_voicemail() {
    let (wd, run) = ingest_one("twilio_calls_2026-11-02.json");
    assert_eq!(
        totals_line(&run.stderr),
        "total read 11 stored 8 quarantined 1 duplicates 0 merged legs 2",
        "{run}"
    );
    assert_eq!(
        query(
            &wd,
            "SELECT call_id, direction, raw_outcome, outcome FROM calls ORDER BY call_id"
        ),
        "call_id,direction,raw_outcome,outcome\n\
         CA01,inbound,inbound answered,connected\n\
         CA03,inbound,inbound unanswered,missed\n\
         CA05,outbound,outbound machine_end_beep,voicemail\n\
         CA06,outbound,outbound completed,connected\n\
         CA07,outbound,outbound busy,busy\n\
         CA08,outbound,outbound no-answer,no_answer\n\
         CA09,inbound,\"inbound completed, no child leg\",unknown\n\
         CA10,inbound,inbound canceled,abandoned\n"
    );
    // RFC 2822 times: "Mon, 02 Nov 2026 15:00:00 +0000".
    let t = query(
        &wd,
        "SELECT started_at, ended_at FROM calls WHERE call_id = 'CA01'",
    );
    assert!(
        t.contains("2026-11-02T15:00:00") && t.contains("2026-11-02T15:02:00"),
        "{t}"
    );
    let q = wd.read("quarantine/p001/twilio_calls_2026-11-02.json.quarantine.csv");
    assert!(q.contains(",[outcome],outbound bogus-status,"), "{q}");
}

#[test]
fn twilio_bulk_export_ndjson_with_iso_times() {
    let (wd, run) = ingest_one("twilio_calls_2026-11-03.ndjson");
    assert_eq!(
        totals_line(&run.stderr),
        "total read 4 stored 2 quarantined 0 duplicates 0 merged legs 2",
        "{run}"
    );
    // CA21's first child was busy, the second completed: answered.
    assert_eq!(
        query(
            &wd,
            "SELECT call_id, outcome, started_at FROM calls ORDER BY call_id"
        ),
        "call_id,outcome,started_at\n\
         CA21,connected,2026-11-03T14:00:00.000000\n\
         CA24,failed,2026-11-03T14:10:00.000000\n"
    );
}

#[test]
fn zoom_overflow_hops_are_not_outcomes() {
    let (wd, run) = ingest_one("zoom_call_history_2026-11-02.json");
    assert_eq!(
        totals_line(&run.stderr),
        "total read 6 stored 5 quarantined 1 duplicates 0",
        "{run}"
    );
    // zh-1 overflowed from the queue, then a member answered; zh-2's record says
    // "overflowed" but its last real hop is the voicemail box.
    assert_eq!(
        query(&wd, "SELECT call_id, raw_outcome, outcome, staff_id, answered_at FROM calls ORDER BY call_id"),
        "call_id,raw_outcome,outcome,staff_id,answered_at\n\
         zh-1,answered,connected,105,2026-11-02T16:00:25.000000\n\
         zh-2,voicemail,voicemail,300,\n\
         zh-3,missed,missed,,\n\
         zh-4,no_answer,no_answer,105,\n\
         zh-6,busy,busy,106,\n"
    );
    // zh-5 only ever overflowed: quarantined with the value, not given an outcome.
    let q = wd.read("quarantine/p001/zoom_call_history_2026-11-02.json.quarantine.csv");
    assert!(
        q.contains(",[outcome],overflowed,unmapped value for outcome"),
        "{q}"
    );
}

#[test]
fn connect_keeps_the_latest_record_per_contact() {
    let (wd, run) = ingest_one("connect_ctr_2026-11-02.ndjson");
    assert_eq!(
        totals_line(&run.stderr),
        "total read 7 stored 4 quarantined 2 duplicates 1",
        "{run}"
    );
    // c-1 arrives twice; the later LastUpdateTimestamp (first in the file) names amartin.
    assert_eq!(
        query(&wd, "SELECT call_id, direction, raw_outcome, outcome, staff_id, queue, duration_s FROM calls ORDER BY call_id"),
        "call_id,direction,raw_outcome,outcome,staff_id,queue,duration_s\n\
         c-1,inbound,agent,connected,amartin,FrontDesk,299\n\
         c-2,inbound,queue CUSTOMER_DISCONNECT,abandoned,,FrontDesk,49\n\
         c-3,inbound,flow CONTACT_FLOW_DISCONNECT,missed,,,49\n\
         c-4,outbound,agent,connected,bchen,FrontDesk,49\n"
    );
    let q = wd.read("quarantine/p001/connect_ctr_2026-11-02.ndjson.quarantine.csv");
    assert!(q.contains(",[outcome],queue NEW_REASON_X,"), "{q}");
    assert!(q.contains(",[outcome],CHAT agent,"), "{q}");
}

#[test]
fn fhir_bulk_ndjson_fills_tasks_attempts_appointments_contacts() {
    let wd = Workdir::fixture("formats");
    wd.run(&["ingest"]);
    assert_eq!(
        query(&wd, "SELECT task_id, category, raw_status, status, owner, closed_at IS NOT NULL AS closed, appointment_id FROM tasks ORDER BY task_id"),
        "task_id,category,raw_status,status,owner,closed,appointment_id\n\
         ft-1,missed_call,in-progress/left-message,left_message,amartin,false,\n\
         ft-2,referral,completed/scheduled,scheduled,amartin,true,fa-1\n"
    );
    assert_eq!(
        query(&wd, "SELECT attempt_id, task_id, channel, direction, outcome, staff_id FROM attempts ORDER BY attempt_id"),
        "attempt_id,task_id,channel,direction,outcome,staff_id\n\
         fc-1,ft-1,phone,outbound,left_message,amartin\n\
         fc-2,ft-2,phone,outbound,scheduled,amartin\n"
    );
    assert_eq!(
        query(&wd, "SELECT appointment_id, status, cancel_reason, provider, appointment_type FROM appointments ORDER BY appointment_id"),
        "appointment_id,status,cancel_reason,provider,appointment_type\n\
         fa-1,booked,,dr-lee,FOLLOWUP\n\
         fa-2,cancelled,pat,,\n\
         fa-3,noshow,,,\n"
    );
    // Task.for, Appointment.participant and the Patient's id hash to one patient_key.
    let joined = query(
        &wd,
        "SELECT count(*) AS n FROM tasks t JOIN appointments a ON t.patient_key = a.patient_key WHERE t.task_id = 'ft-2' AND a.appointment_id = 'fa-1'",
    );
    assert_eq!(joined, "n\n1\n");
    let q = wd.read("quarantine/p001/fhir/Appointment.ndjson.quarantine.csv");
    assert!(
        q.contains(",status,no-show,unmapped value for status"),
        "{q}"
    );
    let q = wd.read("quarantine/p001/fhir/Communication.ndjson.quarantine.csv");
    assert!(q.contains(",[outcome],not-done/voicemail-full,"), "{q}");
    let q = wd.read("quarantine/p001/fhir/Task.ndjson.quarantine.csv");
    assert!(q.contains(",[category],flu-shot-reminder,"), "{q}");
}

/// The official HL7 examples as bulk-data NDJSON, one file per resource type.
fn official_examples(wd: &Workdir, folder: &str) -> BTreeMap<String, usize> {
    let mut by_type: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let dir = repo().join("tests/fixtures/fhir-r4");
    let mut names: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "json"))
        .collect();
    names.sort();
    for p in names {
        let v: serde_json::Value = serde_json::from_slice(&std::fs::read(&p).unwrap()).unwrap();
        let ty = v["resourceType"].as_str().unwrap().to_string();
        by_type.entry(ty).or_default().push(v.to_string());
    }
    let mut counts = BTreeMap::new();
    for (ty, lines) in by_type {
        wd.write(&format!("{folder}/{ty}.ndjson"), lines.join("\n") + "\n");
        counts.insert(ty, lines.len());
    }
    counts
}

#[test]
fn official_fhir_examples_ingest_without_loss() {
    let wd = Workdir::fixture("formats");
    let counts = official_examples(&wd, "exports/p001/fhir-r4");
    assert_eq!(counts.values().sum::<usize>(), 20, "{counts:?}");
    let run = wd.run(&[
        "ingest",
        "exports/p001/fhir-r4/Task.ndjson",
        "exports/p001/fhir-r4/Communication.ndjson",
        "exports/p001/fhir-r4/CommunicationRequest.ndjson",
        "exports/p001/fhir-r4/Appointment.ndjson",
    ]);
    assert!(run.stderr.contains("0 matched no profile"), "{run}");
    let ledger = wd.ledger();
    let mut total_read = 0;
    for (ty, n) in &counts {
        let rel = format!("p001/fhir-r4/{ty}.ndjson");
        let e = &ledger["files"][&rel];
        let get = |k: &str| e.get(k).and_then(|v| v.as_u64()).unwrap_or(0);
        assert_eq!(get("read") as usize, *n, "{rel}: {e}");
        assert_eq!(
            get("read"),
            get("stored") + get("quarantined"),
            "{rel}: {e}"
        );
        total_read += get("read");
        // Every quarantined resource has its own line with a reason.
        if get("quarantined") > 0 {
            let q = wd.read(&format!("quarantine/{rel}.quarantine.csv"));
            let mut r = csv::Reader::from_reader(q.as_bytes());
            let rows: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
            assert_eq!(rows.len() as u64, get("quarantined"), "{q}");
            assert!(rows.iter().all(|row| !row[4].is_empty()), "{q}");
        }
    }
    assert_eq!(total_read, 20);
    // What the examples are: lab and financial tasks whose codes are no follow-up
    // category, appointments without `created`, communications without a Task.
    let q = wd.read("quarantine/p001/fhir-r4/Task.ndjson.quarantine.csv");
    assert!(
        q.contains(",[category],Lipid Panel,unmapped value for category"),
        "{q}"
    );
    let q = wd.read("quarantine/p001/fhir-r4/CommunicationRequest.ndjson.quarantine.csv");
    assert!(q.contains(",resourceType,CommunicationRequest,resourceType `CommunicationRequest` is not read by profile `fhir-communication`"), "{q}");
    let stored = query(
        &wd,
        "SELECT appointment_id, status, start_at FROM appointments",
    );
    assert_eq!(
        stored,
        "appointment_id,status,start_at\nexample,booked,2013-12-10T09:00:00.000000\n"
    );
}

#[test]
fn a_bulk_data_manifest_stands_for_its_files() {
    let wd = Workdir::fixture("formats");
    let src = |f: &str| wd.read(&format!("exports/p001/fhir/{f}"));
    let (task, patient) = (src("Task.ndjson"), src("Patient.ndjson"));
    std::fs::remove_dir_all(wd.path("exports/p001/fhir")).unwrap();
    wd.write("exports/p001/bulk/file_1.ndjson", task);
    wd.write("exports/p001/bulk/file_2.ndjson", patient);
    wd.write(
        "exports/p001/bulk/manifest.json",
        r#"{"transactionTime":"2026-11-02T20:00:00Z","request":"https://fhir.example.org/$export","requiresAccessToken":true,
"output":[{"type":"Task","url":"https://fhir.example.org/files/file_1.ndjson"},{"type":"Patient","url":"https://fhir.example.org/files/file_2.ndjson?sig=x"}],"error":[]}"#,
    );
    let run = wd.run_code(&["check", "exports/p001/bulk/manifest.json"], 1);
    assert!(run.stdout.contains("p001/bulk/file_1.ndjson: profile fhir-task -> tasks: 3 row(s), 2 map cleanly, 1 would be quarantined"), "{run}");
    assert!(
        run.stdout.contains(
            "p001/bulk/file_2.ndjson: profile fhir-patient -> contacts: 2 row(s), 1 map cleanly"
        ),
        "{run}"
    );
    // The whole folder: the manifest's files are read once, by their listed type.
    let run = wd.run(&["ingest"]);
    assert!(!run.stderr.contains("bulk/manifest.json"), "{run}");
    assert_eq!(query(&wd, "SELECT count(*) AS n FROM tasks"), "n\n2\n");
}

#[test]
fn check_names_the_profile_and_lists_unmapped_values() {
    let wd = Workdir::fixture("formats");
    let run = wd.run_code(&["check"], 1);
    for (file, profile) in [
        ("p001/ringcentral_call_log_2026-11-02.json", "ringcentral-call-log -> calls: 10 row(s), 8 map cleanly, 1 would be quarantined, 1 call leg(s) merged into their call"),
        ("p001/ringcentral_call_log_2026-11-03.csv", "ringcentral-call-log-csv -> calls: 4 row(s), 2 map cleanly"),
        ("p001/twilio_calls_2026-11-02.json", "twilio-calls-json -> calls: 11 row(s), 8 map cleanly, 1 would be quarantined, 2 call leg(s) merged into their call"),
        ("p001/twilio_calls_2026-11-03.ndjson", "twilio-calls-ndjson -> calls"),
        ("p001/zoom_call_history_2026-11-02.json", "zoom-call-history -> calls: 6 row(s), 5 map cleanly, 1 would be quarantined"),
        ("p001/connect_ctr_2026-11-02.ndjson", "amazon-connect-ctr -> calls: 7 row(s), 4 map cleanly, 2 would be quarantined, 1 older version(s) of a record superseded (duplicates)"),
        ("p001/fhir/Task.ndjson", "fhir-task -> tasks"),
        ("p001/fhir/Communication.ndjson", "fhir-communication -> attempts"),
        ("p001/fhir/Appointment.ndjson", "fhir-appointment -> appointments"),
        ("p001/fhir/Patient.ndjson", "fhir-patient -> contacts"),
    ] {
        let line = format!("{file}: profile {profile}");
        assert!(run.stdout.contains(&line), "missing `{line}`\n{run}");
    }
    for unmapped in [
        "unmapped value in `result`: \"Teleported\" (1 row(s))",
        "unmapped value in `[outcome]`: \"outbound bogus-status\" (1 row(s))",
        "unmapped value in `[outcome]`: \"overflowed\" (1 row(s))",
        "unmapped value in `[outcome]`: \"queue NEW_REASON_X\" (1 row(s))",
        "unmapped value in `status`: \"no-show\" (1 row(s))",
        "unmapped value in `[category]`: \"flu-shot-reminder\" (1 row(s))",
    ] {
        assert!(run.stdout.contains(unmapped), "missing `{unmapped}`\n{run}");
    }
    assert!(!wd.path("lake").exists(), "check wrote a lake");
}

#[test]
fn official_fhir_tasks_map_once_the_practice_maps_their_codes() {
    let wd = Workdir::fixture("formats");
    official_examples(&wd, "exports/p001/fhir-r4");
    // The practice's own copy of fhir-task, with the example codes as categories.
    let builtin =
        std::fs::read_to_string(repo().join("src/ingest/profiles/fhir-task.toml")).unwrap();
    let local = builtin.replace(
        "[values.category]\n",
        "[values.category]\n\"Lipid Panel\" = \"referral\"\n\"Specimen Collection\" = \"referral\"\n\"Refill Request\" = \"missed_call\"\n\"cancel\" = \"referral\"\n\"poll\" = \"referral\"\n\"release\" = \"referral\"\n\"reprocess\" = \"referral\"\n\"status\" = \"referral\"\n",
    );
    wd.write("fhir-task-local.toml", local);
    let cfg = wd.read("followup.toml").replace(
        "[sources]\n",
        "[sources]\nprofile_files = [\"fhir-task-local.toml\"]\n",
    );
    wd.write("followup.toml", cfg);
    let run = wd.run(&["ingest", "exports/p001/fhir-r4/Task.ndjson"]);
    assert_eq!(
        totals_line(&run.stderr),
        "total read 12 stored 8 quarantined 4 duplicates 0",
        "{run}"
    );
    // A businessStatus nobody mapped is quarantined with the pair shown.
    let q = wd.read("quarantine/p001/fhir-r4/Task.ndjson.quarantine.csv");
    for v in [
        "in-progress/waiting for specimen",
        "accepted/waiting for patient",
        "in-progress/specimen received, test in progress",
        "completed/test completed and posted",
    ] {
        assert!(q.contains(v), "missing `{v}`\n{q}");
    }
    assert_eq!(
        query(&wd, "SELECT task_id, category, status, owner, due_at, closed_at FROM tasks WHERE task_id IN ('example3', 'example4', 'fm-example6') ORDER BY task_id"),
        "task_id,category,status,owner,due_at,closed_at\n\
         example3,missed_call,open,example,,\n\
         example4,referral,completed,f202,2016-10-31T23:45:05.000000,2016-10-30T23:45:05.000000\n\
         fm-example6,referral,completed,12345,,2018-10-03T22:25:05.000000\n"
    );
}

#[test]
fn metrics_run_on_the_vendor_tables() {
    // The same canonical tables feed the rest of the pipeline: the missed and
    // voicemail inbound calls of every phone system are callbacks owed.
    let wd = Workdir::fixture("formats");
    wd.run(&["ingest"]);
    let run = wd.run(&["metrics", "--from", "2026-11-02", "--to", "2026-11-03"]);
    let owed = format!("{}{}", run.stdout, run.stderr);
    assert!(owed.contains("callbacks_owed"), "{run}");
}
