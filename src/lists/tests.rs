//! The list rules on hand-made snapshots of one practice (the repository's
//! followup.toml): data through Friday 2026-11-20, lists for Monday 2026-11-23.

use super::build::{self, list_day};
use super::state::{Contact, Measured, OpenTask, OwedCall, Snapshot};
use super::{write, PracticeLists, Row};
use crate::config::{Config, Practice};
use crate::model::clock::Calendar;
use chrono::{NaiveDate, TimeZone};
use std::collections::BTreeMap;
use std::path::Path;

fn config() -> Config {
    Config::from_str(
        include_str!("../../followup.toml"),
        Path::new("followup.toml"),
    )
    .unwrap()
}

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

/// Local time in the practice's zone as µs.
fn at(p: &Practice, date: &str, hm: &str) -> i64 {
    let t = chrono::NaiveTime::parse_from_str(hm, "%H:%M").unwrap();
    p.tz.from_local_datetime(&d(date).and_time(t))
        .unwrap()
        .timestamp_micros()
}

fn task(p: &Practice, id: &str, patient: &str, category: &str) -> OpenTask {
    OpenTask {
        task_id: id.into(),
        patient_key: Some(patient.into()),
        phone_key: Some(format!("ph-{patient}")),
        category: category.into(),
        owner: None,
        status: "open".into(),
        created_at: at(p, "2026-11-20", "09:00"),
        deadline: Some(at(p, "2026-11-24", "17:00")),
        attempts: 0,
        ever_attempted: false,
        last_at: None,
        last_outcome: None,
        last_note: None,
        callback_at: None,
        urgent: false,
    }
}

fn attempted(mut t: OpenTask, n: u32, last: i64) -> OpenTask {
    t.attempts = n;
    t.ever_attempted = true;
    t.last_at = Some(last);
    t.last_outcome = Some("left_message".into());
    t
}

fn snapshot(tasks: Vec<OpenTask>, owed: Vec<OwedCall>) -> Snapshot {
    let mut contacts = BTreeMap::new();
    let mut by_phone = BTreeMap::new();
    for t in &tasks {
        let k = t.patient_key.clone().unwrap();
        by_phone.insert(format!("ph-{k}"), k.clone());
        contacts.insert(
            k.clone(),
            Contact {
                display_name: Some(format!("Name {k}")),
                phone: Some("+19785550100".into()),
                preferred_window: None,
                preferred_channel: None,
                do_not_call: k == "dnc",
            },
        );
    }
    Snapshot {
        tasks,
        owed,
        contacts,
        patient_by_phone: by_phone,
        callers: BTreeMap::new(),
        measured: Measured {
            handle_min: BTreeMap::new(),
            inbound_min: BTreeMap::new(),
        },
    }
}

fn lists(snap: &Snapshot) -> PracticeLists {
    let c = config();
    let p = &c.practices[0];
    let cal = Calendar::new(p, d("2026-10-01"), d("2027-01-31"));
    let day = list_day(p, &cal, d("2026-11-20")).unwrap();
    assert_eq!(day.date, d("2026-11-23"), "Friday's lists are for Monday");
    build::practice(p, &cal, snap, day, d("2026-11-20"))
}

fn owner<'a>(l: &'a PracticeLists, lane: &str, owner: &str) -> &'a [Row] {
    &l.owners
        .iter()
        .find(|o| o.lane == lane && o.owner == owner)
        .unwrap_or_else(|| panic!("no list {lane}/{owner}"))
        .rows
}

/// Every row a caller or sender works: the owners' lists and the messages.
fn all_rows(l: &PracticeLists) -> Vec<&Row> {
    l.owners
        .iter()
        .flat_map(|o| o.rows.iter())
        .chain(l.messages.iter().flat_map(|(_, r)| r.iter()))
        .collect()
}

fn find<'a>(l: &'a PracticeLists, task: &str) -> &'a Row {
    all_rows(l)
        .into_iter()
        .find(|r| r.task_ids.iter().any(|t| t == task))
        .unwrap_or_else(|| panic!("{task} is on no list"))
}

fn on_list(l: &PracticeLists, task: &str) -> bool {
    all_rows(l)
        .iter()
        .any(|r| r.task_ids.iter().any(|t| t == task))
}

#[test]
fn inclusion_and_exclusion_rules() {
    let c = config();
    let p = &c.practices[0];
    let fri = |hm| at(p, "2026-11-20", hm);
    let mut t2 = attempted(
        task(p, "T2", "p2", "incomplete_scheduling"),
        1,
        fri("10:00"),
    );
    t2.callback_at = Some(at(p, "2026-11-23", "14:30"));
    let mut t3 = attempted(
        task(p, "T3", "p3", "incomplete_scheduling"),
        1,
        fri("10:00"),
    );
    t3.callback_at = Some(at(p, "2026-11-24", "09:00"));
    let t4 = attempted(task(p, "T4", "p4", "referral"), 1, fri("10:00"));
    let t4b = attempted(task(p, "T4b", "p4b", "care_gap"), 1, fri("10:00"));
    let mut t5 = task(p, "T5", "p5", "referral");
    t5.status = "declined".into();
    let t6 = task(p, "T6", "dnc", "referral");
    let mut t7 = attempted(task(p, "T7", "p7", "referral"), 1, fri("10:00"));
    t7.status = "wrong_number".into();
    let t8 = attempted(task(p, "T8", "p8", "referral"), 3, fri("10:00"));
    let snap = snapshot(vec![t2, t3, t4, t4b, t5, t6, t7, t8], vec![]);
    let l = lists(&snap);

    let r2 = find(&l, "T2");
    assert!(
        r2.reasons[0].contains("callback requested for today"),
        "{r2:?}"
    );
    assert_eq!(r2.window, "from 14:30 (requested)");
    assert!(!on_list(&l, "T3"), "a callback set for Tuesday waits");
    assert!(find(&l, "T4").reasons[0].contains("next attempt allowed"));
    assert!(!on_list(&l, "T4b"), "care_gap's 2-day gap has not passed");
    assert!(!on_list(&l, "T5") && !on_list(&l, "T6"));
    assert_eq!(l.excluded.get("declined"), Some(&1));
    assert_eq!(l.excluded.get("do not call"), Some(&1));
    assert_eq!(l.excluded.get("callback set for a later day"), Some(&1));
    assert_eq!(l.excluded.get("attempt gap not yet passed"), Some(&1));
    assert_eq!(l.fix_contact.len(), 1);
    assert_eq!(l.fix_contact[0].task_ids, vec!["T7"]);
    // Nobody calls from it: no script or voicemail wording to read.
    assert!(l.fix_contact[0].script.is_empty() && l.fix_contact[0].voicemail.is_empty());
    assert!(!on_list(&l, "T7"));
    assert_eq!(l.close_suggestions.len(), 1);
    assert_eq!(l.close_suggestions[0].task_ids, vec!["T8"]);
    // Three of three made: never "4 of 3".
    let r8 = &l.close_suggestions[0];
    assert_eq!((r8.attempt, r8.max_attempts), (3, 3));
    assert!(!on_list(&l, "T8"));
}

#[test]
fn a_preference_for_sms_email_or_portal_puts_the_patient_on_the_messages_list() {
    let c = config();
    let p = &c.practices[0];
    let mut snap = snapshot(
        vec![
            task(p, "T1", "p1", "incomplete_scheduling"),
            task(p, "T2", "p2", "incomplete_scheduling"),
            task(p, "T3", "p3", "incomplete_scheduling"),
        ],
        vec![],
    );
    snap.contacts.get_mut("p1").unwrap().preferred_channel = Some("email".into());
    snap.contacts.get_mut("p2").unwrap().preferred_channel = Some("phone".into());
    let l = lists(&snap);
    let (lane, rows) = &l.messages[0];
    assert_eq!(lane, "front_desk");
    assert_eq!(rows.len(), 1);
    assert_eq!(
        (rows[0].task_ids[0].as_str(), rows[0].channel.as_str()),
        ("T1", "email")
    );
    assert!(rows[0].script.ends_with("/email"), "{}", rows[0].script);
    // Not on a calling list, and the others are.
    let called: Vec<&Row> = l.owners.iter().flat_map(|o| o.rows.iter()).collect();
    assert!(called.iter().all(|r| r.task_ids != ["T1"]));
    assert_eq!(called.len(), 2);
}

#[test]
fn an_unknown_number_gets_the_new_patient_target() {
    let c = config();
    let p = &c.practices[0];
    let owed = |id: &str, phone: &str| OwedCall {
        first_call_id: id.into(),
        phone_key: Some(phone.into()),
        first: at(p, "2026-11-20", "16:00"),
        count: 1,
        attempts: 0,
        last_at: None,
        last_outcome: None,
    };
    // "ph-p1" is a known patient's number (the snapshot's contacts), "ph-new" is not.
    let snap = snapshot(
        vec![task(p, "T1", "p1", "care_gap")],
        vec![owed("C1", "ph-p1"), owed("C2", "ph-new")],
    );
    let cal = Calendar::new(p, d("2026-10-01"), d("2027-01-31"));
    let day = list_day(p, &cal, d("2026-11-20")).unwrap();
    let deadline = |o: &OwedCall| super::rules::owed(p, &cal, &snap, o, day).deadline;
    let target = |cat: &str| cal.deadline(at(p, "2026-11-20", "16:00"), p.categories[cat].target);
    assert_eq!(deadline(&snap.owed[0]), target("missed_call"));
    assert_eq!(deadline(&snap.owed[1]), target("new_patient_request"));
}

#[test]
fn every_row_has_a_number_or_says_why_not() {
    let c = config();
    let p = &c.practices[0];
    let owed = |id: &str, phone: Option<&str>| OwedCall {
        first_call_id: id.into(),
        phone_key: phone.map(str::to_string),
        first: at(p, "2026-11-20", "16:00"),
        count: 1,
        attempts: 0,
        last_at: None,
        last_outcome: None,
    };
    // p1's contact has no number, but the call log saw the task's number;
    // p2's contact has one and the call log another: the contact's wins.
    let mut t3 = task(p, "T3", "p3", "care_gap");
    t3.phone_key = None;
    let mut snap = snapshot(
        vec![
            task(p, "T1", "p1", "care_gap"),
            task(p, "T2", "p2", "care_gap"),
            t3,
        ],
        vec![owed("C1", Some("ph-new")), owed("C2", Some("ph-unseen"))],
    );
    snap.contacts.get_mut("p1").unwrap().phone = None;
    snap.contacts.get_mut("p3").unwrap().phone = None;
    for (k, n) in [
        ("ph-p1", "+19785550111"),
        ("ph-p2", "+19785550122"),
        ("ph-new", "+16175550199"),
    ] {
        snap.callers.insert(k.into(), n.into());
    }
    let l = lists(&snap);
    assert_eq!(find(&l, "T1").phone, "(978) 555-0111");
    assert_eq!(find(&l, "T2").phone, "(978) 555-0100");
    assert_eq!(find(&l, "T3").phone, "(no number on file)");
    let call = |id: &str| {
        all_rows(&l)
            .into_iter()
            .find(|r| r.call_ids.iter().any(|c| c == id))
            .unwrap_or_else(|| panic!("{id} is on no list"))
    };
    assert_eq!(call("C1").phone, "(617) 555-0199");
    assert_eq!(call("C1").display_name, "(not in contacts)");
    // Ingested before the callers table existed: no number, and it says so.
    assert_eq!(call("C2").phone, "(no number on file)");
    // A withheld caller id is kept off the lists; were one listed, it says why.
    let cal = Calendar::new(p, d("2026-10-01"), d("2027-01-31"));
    let day = list_day(p, &cal, d("2026-11-20")).unwrap();
    let withheld = super::rules::owed(p, &cal, &snap, &owed("C3", None), day);
    assert!(matches!(
        withheld.disposition,
        super::rules::Disposition::Excluded(_)
    ));
    assert_eq!(
        build::phone(p, &snap, None, &withheld, &[]),
        "(caller id withheld, call C3)"
    );
}

#[test]
fn clinical_work_goes_to_the_licensed_lane_only() {
    let c = config();
    let p = &c.practices[0];
    let mut t1 = task(p, "T1", "p1", "clinical_question");
    t1.owner = Some("amartin".into());
    let mut t2 = attempted(
        task(p, "T2", "p2", "referral"),
        0,
        at(p, "2026-11-19", "10:00"),
    );
    t2.status = "needs_clinical_review".into();
    t2.owner = Some("dokafor".into());
    let l = lists(&snapshot(vec![t1, t2], vec![]));
    let clinical = owner(&l, "clinical", "enguyen");
    assert_eq!(clinical.len(), 2, "{clinical:?}");
    for o in l.owners.iter().filter(|o| o.lane != "clinical") {
        assert!(
            o.rows.is_empty(),
            "{}/{} got clinical work",
            o.lane,
            o.owner
        );
    }
}

#[test]
fn one_patient_appears_once_with_every_reason() {
    let c = config();
    let p = &c.practices[0];
    let t1 = task(p, "T1", "p1", "new_patient_request");
    let t2 = task(p, "T2", "p1", "post_visit");
    let owed = OwedCall {
        first_call_id: "C9".into(),
        phone_key: Some("ph-p1".into()),
        first: at(p, "2026-11-20", "16:50"),
        count: 2,
        attempts: 0,
        last_at: None,
        last_outcome: None,
    };
    let l = lists(&snapshot(vec![t1, t2], vec![owed]));
    let rows = all_rows(&l);
    assert_eq!(rows.len(), 1, "{rows:?}");
    let r = rows[0];
    assert_eq!(r.task_ids, vec!["T1", "T2"]);
    assert_eq!(r.call_ids, vec!["C9"]);
    assert_eq!(r.reasons.len(), 3);
    assert!(r.reasons.iter().any(|x| x.contains("2 missed calls")));
    assert_eq!(r.display_name, "Name p1");
    assert_eq!(r.phone, "(978) 555-0100");
}

#[test]
fn attempt_number_and_final_channel_follow_the_rule() {
    let c = config();
    let p = &c.practices[0];
    let t = attempted(
        task(p, "T1", "p1", "new_patient_request"),
        2,
        at(p, "2026-11-19", "10:00"),
    );
    let l = lists(&snapshot(vec![t], vec![]));
    let r = find(&l, "T1");
    assert_eq!((r.attempt, r.max_attempts), (3, 3));
    assert_eq!(
        r.channel, "sms",
        "the final attempt uses the approved alternate channel"
    );
    // An sms is sent, not called: it is on its lane's messages list, with the
    // script's key and the channel as its template.
    assert!(l
        .messages
        .iter()
        .any(|(_, rows)| rows.iter().any(|x| x.task_ids == ["T1"])));
    assert_eq!(r.script, "NPR-1");
    assert!(
        r.voicemail.contains("Riverside Family Medicine") && r.voicemail.contains("(978) 200-4400")
    );
}

#[test]
fn order_is_urgent_then_fresh_then_callbacks_then_least_overdue() {
    let c = config();
    let p = &c.practices[0];
    let fri = |hm| at(p, "2026-11-20", hm);
    // Overdue (deadline passed Fri 17:00, never attempted), low weight.
    let mut a = task(p, "A", "pa", "care_gap");
    a.deadline = Some(fri("17:00"));
    // Overdue for longer: its deadline passed on Wed.
    let mut a2 = task(p, "A2", "pa2", "care_gap");
    a2.created_at = at(p, "2026-11-17", "09:00");
    a2.deadline = Some(at(p, "2026-11-18", "17:00"));
    // Inside their targets on Monday morning: freshest first, whatever the
    // weight (D post_visit Fri 09:00, B and C new-patient Fri 11:00 and
    // 08:30, E no-show Thu 08:30).
    let mut dd = task(p, "D", "pd", "post_visit");
    dd.deadline = Some(at(p, "2026-11-23", "17:00"));
    let mut b = task(p, "B", "pb", "new_patient_request");
    b.created_at = fri("11:00");
    let mut cc = task(p, "C", "pc", "new_patient_request");
    cc.created_at = fri("08:30");
    let mut e = task(p, "E", "pe", "no_show_recovery");
    e.created_at = at(p, "2026-11-19", "08:30");
    // Urgent, though old and attempted: first.
    let mut u = attempted(task(p, "U", "pu", "incomplete_scheduling"), 1, fri("10:00"));
    u.urgent = true;
    u.created_at = at(p, "2026-11-16", "09:00");
    u.deadline = Some(at(p, "2026-11-16", "17:00"));
    // A callback the patient asked for on Monday 14:30: after the fresh ones.
    let mut k = attempted(task(p, "K", "pk", "incomplete_scheduling"), 1, fri("10:00"));
    k.callback_at = Some(at(p, "2026-11-23", "14:30"));
    // Four weeks old and overdue: the manager's stale list, not the caller's.
    let mut s = task(p, "S", "ps", "no_show_recovery");
    s.created_at = at(p, "2026-10-26", "09:00");
    s.deadline = Some(at(p, "2026-10-26", "17:00"));
    let mut tasks = vec![b, e, dd, cc, a, a2, u, k, s];
    for t in &mut tasks {
        t.owner = Some("bchen".into());
    }
    let l = lists(&snapshot(tasks, vec![]));
    let rows = owner(&l, "front_desk", "bchen");
    let order: Vec<&str> = rows.iter().map(|r| r.task_ids[0].as_str()).collect();
    assert_eq!(order, vec!["U", "B", "D", "C", "E", "K", "A", "A2"]);
    let ranks: Vec<u32> = rows.iter().map(|r| r.rank).collect();
    assert_eq!(ranks, (1..=8).collect::<Vec<u32>>());
    assert!(rows[0].urgent && !rows[1].urgent);
    assert_eq!(rows[1].asked_at, "Fri 11-20 11:00");
    assert_eq!(rows[1].goal, "book");
    assert_eq!(l.stale.len(), 1);
    assert_eq!(l.stale[0].task_ids, ["S"]);
}

#[test]
fn capacity_line_fits_what_the_day_holds_and_overflows_the_rest() {
    let c = config();
    let p = &c.practices[0];
    let tasks: Vec<OpenTask> = (0..20)
        .map(|i| {
            let mut t = task(p, &format!("T{i:02}"), &format!("p{i:02}"), "care_gap");
            t.owner = Some("amartin".into());
            t
        })
        .collect();
    let mut snap = snapshot(tasks, vec![]);
    // One hour per call; amartin spends the whole Monday on the inbound line.
    snap.measured
        .handle_min
        .insert("care_gap".into(), (60.0, "test"));
    snap.measured.inbound_min.insert("amartin".into(), 480.0);
    let l = lists(&snap);
    // bchen: 480 min → 8 calls; cdiaz: 300 min → 5; amartin: none.
    let fits: usize = l.owners.iter().map(|o| o.capacity.fits).sum();
    assert_eq!(fits, 13);
    assert_eq!(l.overflow(), 7);
    let am = l
        .owners
        .iter()
        .find(|o| o.owner == "amartin" && o.lane == "front_desk")
        .unwrap();
    assert_eq!(am.capacity.available_min, 0.0);
    assert_eq!(am.capacity.fits, 0);
    let line = write::capacity_line(am);
    assert!(
        line.contains("0 min available (480 rostered − 480 inbound)"),
        "{line}"
    );
    let summary = write::summary(&l).join("\n");
    assert!(
        summary.contains("20 calls") && summary.contains("7 overflow"),
        "{summary}"
    );
    // The line falls once: on each list, every fitting row comes before every
    // overflowing one.
    for o in &l.owners {
        let fits: Vec<bool> = o.rows.iter().map(|r| r.fits).collect();
        assert!(
            fits.windows(2).all(|w| w[0] || !w[1]),
            "{}: {fits:?}",
            o.owner
        );
    }
}

#[test]
fn spreadsheet_cells_are_inert() {
    for (input, want) in [
        ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"),
        ("+1 555", "'+1 555"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("Ann Lee", "Ann Lee"),
        ("", ""),
    ] {
        assert_eq!(write::neutralise(input), want);
    }
    let c = config();
    let p = &c.practices[0];
    let mut t = attempted(
        task(p, "T1", "p1", "referral"),
        1,
        at(p, "2026-11-19", "10:00"),
    );
    t.last_note = Some("=cmd|' /C calc'!A0".into());
    let mut snap = snapshot(vec![t], vec![]);
    snap.contacts.get_mut("p1").unwrap().display_name = Some("@Evil, Name".into());
    let l = lists(&snap);
    let rows = owner(&l, "referrals", "amartin").to_vec();
    let rows = if rows.is_empty() {
        owner(&l, "referrals", "dokafor").to_vec()
    } else {
        rows
    };
    let csv = write::csv_bytes(&rows).unwrap();
    assert!(
        csv.starts_with(b"\xEF\xBB\xBFrank,urgent,patient,phone,asked at,"),
        "UTF-8 BOM then the header"
    );
    let text = String::from_utf8(csv[3..].to_vec()).unwrap();
    assert!(
        text.contains("'@Evil, Name") && text.contains("'=cmd|"),
        "{text}"
    );
    assert!(
        !text.contains(",=")
            && !text.contains(",@")
            && !text.contains(",\"=")
            && !text.contains(",\"@")
    );
    let html = write::html(&l);
    assert!(html.contains("@Evil, Name") && !html.contains("<script"));
}

#[test]
fn workbook_is_deterministic_with_a_sheet_per_owner() {
    let c = config();
    let p = &c.practices[0];
    let l = lists(&snapshot(vec![task(p, "T1", "p1", "referral")], vec![]));
    let a = super::xlsx::workbook(&l).unwrap();
    let b = super::xlsx::workbook(&l).unwrap();
    assert!(a.starts_with(b"PK"), "an .xlsx is a zip");
    assert_eq!(a, b);
}

/// A hand-made row: rank, phone and voicemail wording; the rest fixed.
fn row(rank: u32, phone: &str, voicemail: &str) -> Row {
    Row {
        rank,
        urgent: false,
        lane: "front_desk".into(),
        display_name: format!("Name {rank}"),
        phone: phone.into(),
        asked_at: "Fri 11-20 16:05".into(),
        categories: vec!["referral".into()],
        goal: "book".into(),
        reasons: vec!["referral: next attempt allowed".into()],
        attempt: 1,
        max_attempts: 3,
        channel: "phone".into(),
        window: "08:00–17:00".into(),
        last_outcome: String::new(),
        last_note: String::new(),
        task_ids: vec![format!("T-{rank}")],
        call_ids: vec![],
        script: "REF-1".into(),
        voicemail: voicemail.into(),
        owner_hint: None,
        fits: true,
        work_min: 5.0,
        at_risk: false,
    }
}

/// Hand-made lists: one owner list per element of `owners`, and `unassigned`.
fn hand_lists(owners: Vec<Vec<Row>>, unassigned: Vec<Row>) -> PracticeLists {
    let capacity = super::Capacity {
        rostered_min: 480.0,
        inbound_min: 60.0,
        available_min: 420.0,
        work_min: 0.0,
        planned_min: 0.0,
        fits: 0,
        overflow: 0,
    };
    PracticeLists {
        practice_id: "p001".into(),
        practice_name: "Practice".into(),
        data_day: d("2026-11-20"),
        list_date: d("2026-11-23"),
        owners: owners
            .into_iter()
            .enumerate()
            .map(|(i, rows)| super::OwnerList {
                lane: "front_desk".into(),
                owner: format!("owner{i}"),
                capacity: capacity.clone(),
                rows,
            })
            .collect(),
        fix_contact: vec![],
        close_suggestions: vec![],
        stale: vec![],
        messages: vec![],
        unassigned,
        excluded: BTreeMap::new(),
        handle_sources: vec![],
    }
}

#[test]
fn voicemail_wordings_get_keys_in_order_of_first_appearance_and_print_once_a_list() {
    let (a, b, c) = ("Wording A.", "Wording B.", "Wording C.");
    let l = hand_lists(
        vec![
            vec![
                row(1, "(978) 555-0101", b),
                row(2, "(978) 555-0102", a),
                row(3, "(978) 555-0103", b),
            ],
            vec![row(1, "(978) 555-0104", c), row(2, "(978) 555-0105", "")],
        ],
        vec![row(1, "(978) 555-0106", a)],
    );
    let keys = write::VoicemailKeys::of(&l);
    assert_eq!(keys.key(b).as_deref(), Some("VM-1"));
    assert_eq!(keys.key(a).as_deref(), Some("VM-2"));
    assert_eq!(keys.key(c).as_deref(), Some("VM-3"));
    assert_eq!(keys.key(""), None, "a row without a wording has no key");
    assert_eq!(
        keys,
        write::VoicemailKeys::of(&l.clone()),
        "same lists, same keys"
    );
    assert_eq!(
        keys.legend(&l.owners[0].rows),
        vec![("VM-1".to_string(), b), ("VM-2".to_string(), a)],
        "each wording a list uses, once, in key order"
    );
    assert_eq!(keys.legend(&l.unassigned), vec![("VM-2".to_string(), a)]);

    let html = write::html(&l);
    let sections: Vec<&str> = html.split("<section").skip(1).collect();
    assert_eq!(sections.len(), 2 + 4, "two owners, four manager lists");
    let count = |s: &str, pat: &str| s.matches(pat).count();
    // owner0: three rows, two wordings, each printed once, rows by key.
    assert_eq!(count(sections[0], b), 1);
    assert_eq!(count(sections[0], a), 1);
    assert_eq!(count(sections[0], c), 0);
    assert_eq!(count(sections[0], "<td class=\"nw\">VM-1</td>"), 2);
    assert_eq!(count(sections[0], "<td class=\"nw\">VM-2</td>"), 1);
    assert!(sections[0].find("<th>VM-1</th>") < sections[0].find("<th>VM-2</th>"));
    // owner1: the keys are the practice's, not renumbered per list.
    assert_eq!(count(sections[1], c), 1);
    assert_eq!(count(sections[1], "<td class=\"nw\">VM-3</td>"), 1);
    assert_eq!(
        count(sections[2], a),
        1,
        "the unassigned list has its legend"
    );
    assert_eq!(write::html(&l), html, "same lists, same bytes");
}

#[test]
fn phone_numbers_do_not_break_on_paper() {
    let l = hand_lists(
        vec![vec![
            row(1, "(978) 555-0101", "W."),
            row(2, "(caller id withheld, call C-p001-1)", "W."),
        ]],
        vec![],
    );
    let html = write::html(&l);
    assert!(
        html.contains("<td class=\"phone\">(978) 555-0101</td>"),
        "{html}"
    );
    assert!(
        html.contains(
            "<td class=\"phone\"><span class=\"wrap\">(caller id withheld, call C-p001-1)</span></td>"
        ),
        "a placeholder that is no number may wrap"
    );
    assert!(html.contains(".phone,.nw{white-space:nowrap}"));
    for rule in [
        "@page{size:landscape",
        "thead{display:table-header-group}",
        "tr{break-inside:avoid}",
        "section.owner{break-before:page}",
    ] {
        assert!(html.contains(rule), "print CSS lacks {rule}");
    }
    assert!(
        html.contains("<span class=\"nw\">T-1</span>"),
        "a task id does not break at its hyphens"
    );
}

/// The parts of an .xlsx (a zip) as text.
fn unzip(bytes: &[u8]) -> BTreeMap<String, String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    (0..z.len())
        .map(|i| {
            let mut f = z.by_index(i).unwrap();
            let mut s = String::new();
            std::io::Read::read_to_string(&mut f, &mut s).unwrap();
            (f.name().unwrap().to_string(), s)
        })
        .collect()
}

#[test]
fn workbook_sheets_filter_and_print_one_page_wide_with_the_header_on_every_page() {
    let l = hand_lists(
        vec![vec![
            row(1, "(978) 555-0101", "W."),
            row(2, "(978) 555-0102", "W."),
        ]],
        vec![],
    );
    let parts = unzip(&super::xlsx::workbook(&l).unwrap());
    // One owner sheet (the caller's five columns after the list's 18), four
    // manager sheets, then the capacity summary and the hidden sheet.
    for (n, data_rows, last, cols) in [
        (1, 2, 'W', 23),
        (2, 0, 'R', 18),
        (3, 0, 'R', 18),
        (4, 0, 'R', 18),
        (5, 0, 'R', 18),
    ] {
        let x = &parts[&format!("xl/worksheets/sheet{n}.xml")];
        assert!(
            x.contains(&format!("<autoFilter ref=\"A1:{last}{}\"/>", 1 + data_rows)),
            "sheet{n}: a filter over the header and the rows: {x}"
        );
        assert!(x.contains("ySplit=\"1\""), "sheet{n}: frozen header");
        assert!(x.contains("<pageSetUpPr fitToPage=\"1\"/>"), "sheet{n}");
        // fitToWidth="1" is the default, so the writer leaves it out.
        assert!(
            x.contains("<pageSetup paperSize=\"1\" fitToHeight=\"0\" orientation=\"landscape\""),
            "sheet{n}: Letter, one page wide, landscape: {x}"
        );
        assert_eq!(
            x.matches("<col ").count(),
            cols,
            "sheet{n}: a width per column"
        );
    }
    // The caller's columns: a drop-down of the outcome codes, a time, a
    // callback date from the list's day on, a time; over the list's rows.
    let owner = &parts["xl/worksheets/sheet1.xml"];
    assert!(owner.contains("<dataValidation type=\"list\" allowBlank=\"1\" showInputMessage=\"1\" showErrorMessage=\"1\" errorTitle=\"Outcome\""), "{owner}");
    assert!(
        owner.contains("sqref=\"S2:S3\"><formula1>\"reached,left_message,no_answer,"),
        "{owner}"
    );
    assert!(
        !owner.contains("status_change"),
        "a status change is no outcome a caller records"
    );
    assert!(
        owner.contains("type=\"date\" operator=\"greaterThanOrEqual\""),
        "{owner}"
    );
    assert!(
        owner.contains("sqref=\"U2:U3\"><formula1>46349</formula1>"),
        "on or after 2026-11-23: {owner}"
    );
    assert_eq!(owner.matches("type=\"time\"").count(), 2, "{owner}");
    assert!(
        owner.contains("<c r=\"W3\" s="),
        "the note cell is there, blank: {owner}"
    );
    let wb = &parts["xl/workbook.xml"];
    assert_eq!(
        wb.matches("name=\"_xlnm.Print_Titles\"").count(),
        5,
        "the header repeated on every printed page of each list: {wb}"
    );
    assert!(wb.contains("'owner0 (front_desk)'!$1:$1"), "{wb}");
    assert!(
        wb.contains("<sheet name=\"followup\" sheetId=\"7\" state=\"hidden\""),
        "the sheet naming the list's practice, date and owners is hidden: {wb}"
    );
}
