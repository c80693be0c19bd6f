use super::calendar::{self, hour_of, Calendar, Ts, DAY, MINUTE};
use super::model::{ActivityRow, Cat, Status};
use super::*;
use chrono::{NaiveDate, NaiveTime};
use std::path::{Path, PathBuf};

fn t(h: u32, m: u32) -> NaiveTime {
    NaiveTime::from_hms_opt(h, m, 0).unwrap()
}

fn weekdays(spans: &[(NaiveTime, NaiveTime)]) -> [Vec<(NaiveTime, NaiveTime)>; 7] {
    let mut w: [Vec<(NaiveTime, NaiveTime)>; 7] = Default::default();
    for d in w.iter_mut().take(5) {
        *d = spans.to_vec();
    }
    w
}

pub(super) fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

/// The attempt rules of the shipped config's categories.
pub(super) fn shipped_rules() -> BTreeMap<String, AttemptRule> {
    [
        ("new_patient_request", 3, 1, "sms"),
        ("missed_call", 3, 1, "sms"),
        ("incomplete_scheduling", 3, 1, "sms"),
        ("referral", 3, 1, "letter"),
        ("cancellation_recovery", 3, 1, "sms"),
        ("no_show_recovery", 3, 1, "sms"),
        ("post_visit", 2, 1, "portal"),
        ("care_gap", 3, 2, "letter"),
        ("insurance_documents", 3, 1, "email"),
        ("clinical_question", 3, 0, "portal"),
    ]
    .into_iter()
    .map(|(cat, max_attempts, min_gap_days, last)| {
        let rule = AttemptRule {
            max_attempts,
            min_gap_days,
            final_channel: last.to_string(),
        };
        (cat.to_string(), rule)
    })
    .collect()
}

/// The reference practice of the shipped config.
pub(super) fn reference(id: &str) -> PracticeSim {
    let front = [
        "new_patient_request",
        "missed_call",
        "incomplete_scheduling",
        "cancellation_recovery",
        "no_show_recovery",
        "post_visit",
        "care_gap",
    ];
    let cats = |extra: &[&str]| -> Vec<String> {
        front.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    let full = weekdays(&[(t(8, 0), t(12, 0)), (t(13, 0), t(17, 0))]);
    let staff = |id: &str, categories: Vec<String>, hours, licensed| StaffSim {
        id: id.to_string(),
        categories,
        hours,
        licensed,
    };
    PracticeSim {
        id: id.to_string(),
        tz: "America/New_York".parse().unwrap(),
        hours: full.clone(),
        holidays: [
            date(2026, 9, 7),
            date(2026, 10, 12),
            date(2026, 11, 11),
            date(2026, 11, 26),
        ]
        .into(),
        staff: vec![
            staff(
                "amartin",
                cats(&["referral", "insurance_documents"]),
                full.clone(),
                false,
            ),
            staff("bchen", cats(&[]), full.clone(), false),
            staff("cdiaz", cats(&[]), weekdays(&[(t(8, 0), t(14, 0))]), false),
            staff(
                "dokafor",
                vec!["referral".into(), "insurance_documents".into()],
                weekdays(&[(t(8, 0), t(12, 0))]),
                false,
            ),
            staff("enguyen", vec!["clinical_question".into()], full, true),
        ],
        rules: shipped_rules(),
    }
}

pub(super) fn options(out: PathBuf, start: NaiveDate, days: u32, mess: bool) -> SampleOptions {
    SampleOptions {
        days,
        start,
        seed: 42,
        out,
        file_per: FilePeriod::Week,
        mess,
        plant: None,
        lead_in_days: 0,
        load: Default::default(),
    }
}

pub(super) fn scratch(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_nanos();
    std::env::temp_dir().join(format!(
        "followup-sample-{name}-{}-{nanos}",
        std::process::id()
    ))
}

/// Every file under `dir`, relative path → bytes, in name order.
fn read_tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let rel = p.strip_prefix(dir).unwrap().to_string_lossy().into_owned();
                out.insert(rel, std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// Share of new-patient requests first attempted within 30 business minutes,
/// for requests created during opening hours before and after 14:00.
pub(super) fn afternoon_slip(
    practice: &PracticeSim,
    opts: &SampleOptions,
) -> (f64, f64, usize, usize) {
    let out = simulate(practice, opts);
    let cal = Calendar::practice(
        &practice.hours,
        &practice.holidays,
        opts.start,
        opts.days as usize + 120,
    );
    let (mut before, mut after) = ((0, 0), (0, 0));
    for f in out
        .facts
        .iter()
        .filter(|f| f.cat == Cat::NewPatient && cal.is_open(f.created))
    {
        let on_time = f
            .first_attempt
            .is_some_and(|a: Ts| cal.between(f.created, a) <= 30 * MINUTE);
        let bucket = if hour_of(f.created) < 14 {
            &mut before
        } else {
            &mut after
        };
        bucket.0 += usize::from(on_time);
        bucket.1 += 1;
    }
    let share = |b: (usize, usize)| b.0 as f64 / b.1.max(1) as f64;
    (share(before), share(after), before.1, after.1)
}

#[test]
fn same_seed_same_bytes() {
    let practices = [reference("p001"), reference("p002")];
    let (a, b) = (scratch("det-a"), scratch("det-b"));
    let calls = std::sync::Mutex::new(Vec::new());
    let progress = |done: usize, total: usize| calls.lock().unwrap().push((done, total));
    let sa = generate(
        &practices,
        &options(a.clone(), date(2026, 8, 24), 21, true),
        &progress,
    )
    .unwrap();
    let sb = generate(
        &practices,
        &options(b.clone(), date(2026, 8, 24), 21, true),
        &|_, _| {},
    )
    .unwrap();
    assert_eq!(sa, sb);
    assert_eq!(*calls.lock().unwrap(), vec![(1, 2), (2, 2)]);
    let (ta, tb) = (read_tree(&a), read_tree(&b));
    assert_eq!(ta.keys().collect::<Vec<_>>(), tb.keys().collect::<Vec<_>>());
    for (name, bytes) in &ta {
        assert!(bytes == &tb[name], "{name} differs between runs");
    }
    // 2 practices × 3 weeks × 5 kinds, plus one duplicated tasks file each.
    assert_eq!(sa.files, 32);
    assert_eq!(ta.len(), 32);
    assert!(ta.keys().all(|k| !k.ends_with(".tmp")));
    // Different practices are different data.
    assert_ne!(
        ta["p001/calls_2026-08-24.csv"],
        ta["p002/calls_2026-08-24.csv"]
    );
    std::fs::remove_dir_all(&a).ok();
    std::fs::remove_dir_all(&b).ok();
}

#[test]
fn new_patient_callbacks_slip_after_two() {
    let opts = options(scratch("unused"), date(2026, 8, 24), 91, false);
    let (before, after, nb, na) = afternoon_slip(&reference("p001"), &opts);
    eprintln!("within 30 min: before 14:00 {before:.2} (n={nb}), after {after:.2} (n={na})");
    assert!(
        nb > 300 && na > 200,
        "too few requests to judge: {nb} / {na}"
    );
    assert!(
        before >= 0.6,
        "mornings should mostly meet the target: {before:.2}"
    );
    assert!(
        before - after >= 0.25,
        "no afternoon slip: {before:.2} vs {after:.2}"
    );
}

#[test]
fn statuses_and_attempt_rules_look_like_a_practice() {
    let opts = options(scratch("unused"), date(2026, 8, 24), 91, false);
    let p = reference("p001");
    let out = simulate(&p, &opts);
    let max = |c: Cat| p.rules[c.key()].max_attempts as u8;
    let n = out.facts.len() as f64;
    let early = out
        .facts
        .iter()
        .filter(|f| f.status == Status::UnableToReach && f.attempts < max(f.cat))
        .count() as f64;
    let over = out.facts.iter().filter(|f| f.attempts > max(f.cat)).count();
    eprintln!("tasks {n}, early UTR {:.3}, over max {over}", early / n);
    assert!(
        (0.02..0.09).contains(&(early / n)),
        "early closures {:.3}",
        early / n
    );
    assert!(over > 0);
    for cat in Cat::ALL {
        assert!(out.facts.iter().any(|f| f.cat == cat), "no {cat:?} tasks");
    }
}

fn bytes_contain(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}

/// The broken rows `mess` promises, found by looking at the bytes.
fn mess_markers(tree: &BTreeMap<String, Vec<u8>>, practice: &str) -> Vec<&'static str> {
    let mut found = Vec::new();
    let files = |kind: &str| {
        let prefix = format!("{practice}/{kind}_");
        tree.iter()
            .filter(move |(k, _)| k.starts_with(&prefix) && !k.contains(" (1)"))
            .map(|(_, v)| v)
    };
    if files("tasks").any(|b| bytes_contain(b, b",2026-13-45 25:00,")) {
        found.push("impossible created");
    }
    if files("tasks").any(|b| bytes_contain(b, format!("\n,{practice},MRN").as_bytes())) {
        found.push("empty task id");
    }
    if files("activity").any(|b| bytes_contain(b, b",Pending??,")) {
        found.push("unmapped result");
    }
    if files("activity").any(|b| b.contains(&0xE9) && std::str::from_utf8(b).is_err()) {
        found.push("latin-1 note");
    }
    // On an inbound call, where From is the number the ingest reads.
    if files("calls").any(|b| {
        csv_rows(b)
            .1
            .iter()
            .any(|r| r[9] == "12" && r[3] == "Inbound")
    }) {
        found.push("short from");
    }
    if files("activity").any(|b| !b.ends_with(b"\n")) {
        found.push("truncated activity");
    }
    let duplicated = tree.iter().any(|(k, v)| {
        k.starts_with(&format!("{practice}/tasks_"))
            && k.ends_with(" (1).csv")
            && tree.get(&k.replace(" (1)", "")) == Some(v)
    });
    if duplicated {
        found.push("duplicated tasks file");
    }
    found
}

#[test]
fn mess_is_there_only_when_asked_for() {
    let practices = [reference("p001")];
    let dir = scratch("mess");
    let summary = generate(
        &practices,
        &options(dir.join("on"), date(2026, 8, 24), 35, true),
        &|_, _| {},
    )
    .unwrap();
    let on = read_tree(&dir.join("on"));
    assert_eq!(
        mess_markers(&on, "p001").len(),
        7,
        "{:?}",
        mess_markers(&on, "p001")
    );
    assert_eq!((summary.malformed_rows, summary.duplicated_files), (6, 1));

    let summary = generate(
        &practices,
        &options(dir.join("off"), date(2026, 8, 24), 35, false),
        &|_, _| {},
    )
    .unwrap();
    let off = read_tree(&dir.join("off"));
    assert_eq!(mess_markers(&off, "p001"), Vec::<&str>::new());
    assert_eq!((summary.malformed_rows, summary.duplicated_files), (0, 0));
    assert_eq!(off.len(), 25);
    // Mess has its own random stream: apart from the broken rows, same data.
    assert_eq!(
        on["p001/appointments_2026-08-24.json"],
        off["p001/appointments_2026-08-24.json"]
    );
    std::fs::remove_dir_all(&dir).ok();
}

/// A wall-clock date and time before this has New York on daylight time (2026).
fn expected_offset(stamp: &str) -> Option<&'static str> {
    let local = &stamp[..19];
    if ("2026-10-20".."2026-11-01").contains(&local) {
        Some("-04:00")
    } else if ("2026-11-01T02".."2026-11-20").contains(&local) {
        Some("-05:00")
    } else {
        None
    }
}

#[test]
fn json_offsets_follow_the_daylight_saving_change() {
    let dir = scratch("dst");
    let mut opts = options(dir.clone(), date(2026, 10, 26), 14, false);
    opts.file_per = FilePeriod::Day;
    generate(&[reference("p001")], &opts, &|_, _| {}).unwrap();
    let (mut before, mut after) = (0, 0);
    for (name, bytes) in read_tree(&dir) {
        let values: Vec<serde_json::Value> = if name.ends_with(".json") {
            serde_json::from_slice(&bytes).unwrap()
        } else if name.ends_with(".ndjson") {
            bytes
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .map(|l| serde_json::from_slice(l).unwrap())
                .collect()
        } else {
            continue;
        };
        for v in values {
            for key in ["created", "start", "updated"] {
                let Some(stamp) = v.get(key).and_then(|s| s.as_str()) else {
                    continue;
                };
                assert_eq!(stamp.len(), 25, "{stamp}");
                if let Some(want) = expected_offset(stamp) {
                    assert_eq!(&stamp[19..], want, "{name}: {key} {stamp}");
                    if want == "-04:00" {
                        before += 1
                    } else {
                        after += 1
                    }
                }
            }
        }
    }
    assert!(
        before > 50 && after > 50,
        "{before} before, {after} after the change"
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn nothing_happens_in_the_hour_the_clocks_skip() {
    let dir = scratch("spring");
    generate(
        &[reference("p001")],
        &options(dir.clone(), date(2027, 3, 8), 14, false),
        &|_, _| {},
    )
    .unwrap();
    for (name, bytes) in read_tree(&dir) {
        let text = String::from_utf8_lossy(&bytes);
        let call_log = text
            .match_indices("03/14/2027 02:")
            .any(|(i, _)| text[i..].get(20..22) == Some("AM"));
        let others = ["2027-03-14 02:", "2027-03-14T02:"]
            .iter()
            .any(|s| text.contains(s));
        assert!(
            !call_log && !others,
            "{name} has a wall-clock time that never existed"
        );
    }
    std::fs::remove_dir_all(&dir).ok();
}

fn csv_rows(bytes: &[u8]) -> (Vec<String>, Vec<Vec<String>>) {
    let body = bytes
        .strip_prefix(b"\xef\xbb\xbf".as_slice())
        .unwrap_or(bytes);
    let mut r = csv::Reader::from_reader(body);
    let header = r.headers().unwrap().iter().map(String::from).collect();
    let rows = r
        .records()
        .map(|x| x.unwrap().iter().map(String::from).collect())
        .collect();
    (header, rows)
}

#[test]
fn files_follow_the_export_contract() {
    use chrono::NaiveDateTime;
    let dir = scratch("contract");
    generate(
        &[reference("p001")],
        &options(dir.clone(), date(2026, 8, 24), 14, false),
        &|_, _| {},
    )
    .unwrap();
    let tree = read_tree(&dir);
    let parse = |v: &str, f: &str| NaiveDateTime::parse_from_str(v, f).is_ok();
    let minute = |v: &str| v.is_empty() || parse(v, "%Y-%m-%d %H:%M");
    for (name, bytes) in &tree {
        let kind = name.split('/').nth(1).unwrap().split('_').next().unwrap();
        match kind {
            "calls" => {
                assert!(bytes.starts_with(b"\xef\xbb\xbf") && bytes.ends_with(b"\r\n"));
                let (h, rows) = csv_rows(bytes);
                assert_eq!(h[0], "Call ID");
                assert_eq!(h.len(), 13);
                for r in rows {
                    let start =
                        NaiveDateTime::parse_from_str(&r[4], "%m/%d/%Y %I:%M:%S %p").unwrap();
                    let end = NaiveDateTime::parse_from_str(&r[6], "%m/%d/%Y %I:%M:%S %p").unwrap();
                    assert_eq!(r[7].parse::<i64>().unwrap(), (end - start).num_seconds());
                    assert!(["Inbound", "Outbound"].contains(&r[3].as_str()));
                    assert!([
                        "Connected",
                        "Voicemail",
                        "Missed",
                        "Abandoned",
                        "No Answer",
                        "Busy"
                    ]
                    .contains(&r[8].as_str()));
                    let digits = r[9].chars().filter(char::is_ascii_digit).count();
                    assert!(
                        r[9] == "Anonymous" || digits == 10 || digits == 11,
                        "{}",
                        r[9]
                    );
                    if r[3] == "Inbound" {
                        assert_eq!(
                            r[5].is_empty(),
                            r[11].is_empty(),
                            "answered inbound calls name who answered"
                        );
                    }
                }
            }
            "tasks" => {
                let (h, rows) = csv_rows(bytes);
                // A task appears once per file, as of the end of that file's period.
                let period = &name[name.find('_').unwrap() + 1..][..10];
                let end = (NaiveDate::parse_from_str(period, "%Y-%m-%d").unwrap()
                    + chrono::Days::new(7))
                .to_string();
                let ids: std::collections::BTreeSet<&String> = rows.iter().map(|r| &r[0]).collect();
                assert_eq!(ids.len(), rows.len());
                assert!(rows.iter().all(|r| r[17].as_str() >= period && r[17] < end));
                assert_eq!(h.len(), 18);
                assert_eq!(h[17], "Last Updated");
                for r in rows {
                    assert!(r[0].starts_with("T-p001-") && r[2].starts_with("MRN"));
                    assert!(
                        minute(&r[6])
                            && minute(&r[7])
                            && minute(&r[12])
                            && minute(&r[13])
                            && minute(&r[14])
                    );
                    assert!(parse(&r[17], "%Y-%m-%d %H:%M:%S"));
                    assert_eq!(
                        r[13].is_empty(),
                        ![
                            "Scheduled",
                            "Declined",
                            "Unable To Reach",
                            "Completed",
                            "Cancelled"
                        ]
                        .contains(&r[11].as_str())
                    );
                    assert!(Cat::ALL.iter().any(|c| c.label() == r[5]));
                }
            }
            "activity" => {
                let (h, rows) = csv_rows(bytes);
                assert_eq!(h.len(), 10);
                for r in rows {
                    assert!(parse(&r[3], "%Y-%m-%d %H:%M:%S") && minute(&r[9]));
                    let results = [
                        "LM",
                        "NA",
                        "Reached",
                        "Wrong #",
                        "Declined",
                        "CB Set",
                        "Sched",
                        "Clin Review",
                        "Ins Review",
                        "Busy",
                        "Sent",
                    ];
                    assert!(
                        r[6].is_empty() && r[4] == "Status Change"
                            || results.contains(&r[6].as_str()),
                        "{r:?}"
                    );
                }
            }
            "appointments" => {
                let v: Vec<serde_json::Value> = serde_json::from_slice(bytes).unwrap();
                for a in v {
                    assert_eq!(a.as_object().unwrap().len(), 11);
                    assert!(a["cancelReason"].is_null() == (a["status"] != "Cancelled"));
                }
            }
            "patients" => {
                for line in bytes.split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
                    let v: serde_json::Value = serde_json::from_slice(line).unwrap();
                    assert!(v["do_not_call"].is_boolean());
                }
            }
            other => panic!("unexpected file {other}"),
        }
    }
    std::fs::remove_dir_all(&dir).ok();
}

/// The activity-report label of a config channel (docs/SAMPLE-EXPORTS.md).
fn type_label(channel: &str) -> &'static str {
    match channel {
        "phone" => "Phone Call",
        "sms" => "Text Message",
        "email" => "Email",
        "portal" => "Portal Message",
        "letter" => "Letter",
        other => panic!("not a channel: {other}"),
    }
}

/// An outreach attempt that did not reach the patient.
fn unanswered(r: &ActivityRow) -> bool {
    use super::model::Outcome::*;
    !r.incoming
        && matches!(
            r.outcome,
            LeftMessage | NoAnswer | Busy | Sent | WrongNumber
        )
}

/// Per category: tasks that got as far as the rule's last attempt, how many of
/// those made it by the rule's channel, pairs of consecutive unanswered
/// attempts, how many of those came sooner than the rule's gap, and how many
/// on the same business day.
fn attempt_discipline(practice: &PracticeSim, opts: &SampleOptions) -> BTreeMap<Cat, [usize; 5]> {
    use super::calendar::{midnight, DAY};
    use super::model::{Channel, Direction, Outcome};
    let out = simulate(practice, opts);
    let rule = |c: Cat| practice.rules.get(c.key()).cloned().unwrap_or_default();
    let mut rows: Vec<Vec<&ActivityRow>> = vec![Vec::new(); out.facts.len()];
    for r in out
        .activities
        .iter()
        .filter(|r| r.channel != Channel::StatusChange)
    {
        rows[r.task as usize].push(r);
    }
    // Business days on the practice's calendar, as the discipline measures count them.
    let cal = Calendar::practice(&practice.hours, &practice.holidays, opts.start, 400);
    let start = midnight(opts.start);
    let index: Vec<i64> = (0..opts.days as i64 + 1)
        .scan(0, |n, d| {
            *n += i64::from(cal.is_business_day(start + d * DAY));
            Some(*n)
        })
        .collect();
    let business_day = |t: Ts| index[((t - start) / DAY) as usize];
    let mut stats: BTreeMap<Cat, [usize; 5]> = BTreeMap::new();
    for (k, seq) in rows.iter().enumerate() {
        let cat = out.facts[k].cat;
        let r = rule(cat);
        let (max, gap) = (r.max_attempts as usize, r.min_gap_days as i64);
        let s = stats.entry(cat).or_default();
        let tries = seq.iter().filter(|a| unanswered(a)).count();
        assert!(
            tries <= max + 1,
            "{cat:?} task {k}: {tries} unanswered attempts, the rule allows {max}"
        );
        // As far as the last attempt without anyone answering before it.
        if seq.len() >= max
            && seq[..max - 1].iter().all(|a| unanswered(a))
            && !seq[max - 1].incoming
        {
            let last = seq[max - 1];
            s[0] += 1;
            s[1] += usize::from(last.channel.label() == type_label(&r.final_channel));
            if last.channel != Channel::Phone {
                assert_eq!(last.outcome, Outcome::Sent, "{cat:?} task {k}");
            }
        }
        let run: Vec<&&ActivityRow> = seq.iter().take_while(|a| unanswered(a)).collect();
        for w in run.windows(2) {
            // A new number found after a wrong one is tried when it is found.
            if w[0].outcome == Outcome::WrongNumber {
                continue;
            }
            let days = business_day(w[1].at) - business_day(w[0].at);
            s[2] += 1;
            s[3] += usize::from(days < gap);
            s[4] += usize::from(days == 0);
        }
    }
    // Only phone attempts ring anyone: one call-log row per phone attempt.
    let phone_attempts = out
        .activities
        .iter()
        .filter(|r| r.channel == Channel::Phone && !r.incoming)
        .count();
    let outbound = out
        .calls
        .iter()
        .filter(|c| c.direction == Direction::Outbound)
        .count();
    assert_eq!(phone_attempts, outbound);
    stats
}

#[test]
fn attempts_follow_each_categorys_rule() {
    let opts = options(scratch("unused"), date(2026, 8, 24), 91, false);
    let p = reference("p001");
    let stats = attempt_discipline(&p, &opts);
    let share = |a: usize, b: usize| a as f64 / b.max(1) as f64;
    for (cat, s) in &stats {
        eprintln!(
            "{:22} last attempt {:4}, by the rule's channel {:.2}; retries {:4}, too soon {:.2}, same day {:.2}",
            cat.key(),
            s[0],
            share(s[1], s[0]),
            s[2],
            share(s[3], s[2]),
            share(s[4], s[2])
        );
    }
    let total = stats
        .values()
        .fold([0; 5], |a, s| std::array::from_fn(|i| a[i] + s[i]));
    assert!(share(total[1], total[0]) >= 0.9, "{total:?}");
    for cat in [
        Cat::Referral,
        Cat::PostVisit,
        Cat::CareGap,
        Cat::InsuranceDocuments,
    ] {
        let s = stats[&cat];
        assert!(
            s[0] >= 10,
            "{cat:?}: too few tasks got to the last attempt: {s:?}"
        );
        assert!(
            share(s[1], s[0]) >= 0.9,
            "{cat:?}: last attempt by the rule's channel {:.2}",
            share(s[1], s[0])
        );
    }
    // Care gaps wait two business days between tries, with few lapses; clinical
    // questions may be tried again the same day.
    let care = stats[&Cat::CareGap];
    assert!(care[2] >= 10 && share(care[3], care[2]) <= 0.12, "{care:?}");
    let clinical = stats[&Cat::ClinicalQuestion];
    assert!(share(clinical[4], clinical[2]) >= 0.3, "{clinical:?}");
    // Elsewhere retries come a business day apart, with few lapses.
    let npr = stats[&Cat::NewPatient];
    assert!(share(npr[3], npr[2]) <= 0.1, "{npr:?}");
    // Without rules every category ends by text, as before.
    let mut bare = reference("p001");
    bare.rules.clear();
    let opts = options(scratch("unused"), date(2026, 8, 24), 42, false);
    let referral = attempt_discipline(&bare, &opts)[&Cat::Referral];
    assert!(
        referral[0] >= 10 && share(referral[1], referral[0]) >= 0.9,
        "{referral:?}"
    );
}

/// Reached phone attempts (activity results `Reached` and `Sched`, outgoing
/// calls) in the activity files of the given weeks.
fn reached_calls(tree: &BTreeMap<String, Vec<u8>>, weeks: &[&str]) -> (usize, usize) {
    let (mut reached, mut calls) = (0, 0);
    for w in weeks {
        let (header, rows) = csv_rows(&tree[&format!("p001/activity_{w}.csv")]);
        let col = |name: &str| header.iter().position(|h| h == name).unwrap();
        let (kind, dir, result) = (col("Type"), col("Direction"), col("Result"));
        for r in rows
            .iter()
            .filter(|r| r[kind] == "Phone Call" && r[dir] == "Outgoing")
        {
            calls += 1;
            reached += usize::from(r[result] == "Reached" || r[result] == "Sched");
        }
    }
    (reached, calls)
}

#[test]
fn a_planted_change_starts_on_its_day_and_changes_only_what_it_says() {
    let p = [reference("p001")];
    let run = |plant: Option<Plant>| {
        let out = scratch("plant");
        let mut opts = options(out.clone(), date(2026, 8, 24), 28, false);
        opts.plant = plant;
        generate(&p, &opts, &|_, _| {}).unwrap();
        let tree = read_tree(&out);
        std::fs::remove_dir_all(&out).ok();
        tree
    };
    let plant = |reach| Plant {
        from: date(2026, 9, 7),
        until: None,
        reach,
    };
    let base = run(None);
    // A factor of 1 plants nothing: the same bytes.
    assert!(
        run(Some(plant(1.0))) == base,
        "reach 1.0 changed the exports"
    );
    let better = run(Some(plant(1.5)));
    assert_eq!(
        base.keys().collect::<Vec<_>>(),
        better.keys().collect::<Vec<_>>()
    );
    for (name, bytes) in &base {
        let before_the_plant = name.contains("2026-08-24") || name.contains("2026-08-31");
        assert_eq!(
            before_the_plant,
            bytes == &better[name],
            "{name}: the weeks before 09-07 are the same bytes, the later ones differ"
        );
    }
    let weeks = ["2026-09-07", "2026-09-14"];
    let (rb, nb) = reached_calls(&base, &weeks);
    let (ra, na) = reached_calls(&better, &weeks);
    let (sb, sa) = (rb as f64 / nb as f64, ra as f64 / na as f64);
    assert!(nb > 300 && na > 300, "too few calls: {nb} / {na}");
    assert!(
        sa - sb > 0.1,
        "reach ×1.5 should reach more: {sb:.3} → {sa:.3}"
    );
}

/// Median business minutes to the first attempt of the tasks created in each
/// written week (only those attempted), for a run of `opts`.
fn weekly_first_attempt_medians(practice: &PracticeSim, opts: &SampleOptions) -> Vec<f64> {
    let out = simulate(practice, opts);
    let first = opts.start - chrono::Duration::days(opts.lead_in_days as i64);
    let cal = Calendar::practice(
        &practice.hours,
        &practice.holidays,
        first,
        (opts.lead_in_days + opts.days) as usize + 120,
    );
    let start = calendar::midnight(opts.start);
    (0..opts.days as Ts / 7)
        .map(|w| {
            let (a, b) = (start + w * 7 * DAY, start + (w + 1) * 7 * DAY);
            let mut waits: Vec<Ts> = out
                .facts
                .iter()
                .filter(|f| a <= f.created && f.created < b)
                .filter_map(|f| f.first_attempt.map(|t| cal.between(f.created, t)))
                .collect();
            waits.sort_unstable();
            waits[waits.len() / 2] as f64 / MINUTE as f64
        })
        .collect()
}

#[test]
fn a_lead_in_starts_the_written_weeks_with_a_steady_queue() {
    let practice = reference("p001");
    let days = 35;
    let plain = options(scratch("lead-plain"), date(2026, 8, 24), days, false);
    let led = SampleOptions {
        lead_in_days: 35,
        ..options(scratch("lead-35"), date(2026, 8, 24), days, false)
    };
    let cold = weekly_first_attempt_medians(&practice, &plain);
    let warm = weekly_first_attempt_medians(&practice, &led);
    eprintln!("weekly median minutes to first attempt: cold {cold:.1?}, lead-in 35 {warm:.1?}");
    let range = |m: &[f64]| {
        let later = &m[1..];
        let lo = later.iter().copied().fold(f64::INFINITY, f64::min);
        let hi = later.iter().copied().fold(0.0, f64::max);
        (lo, hi)
    };
    // Without a lead-in the first week starts with an empty queue and is much
    // faster than every later week (under 75% of the fastest); with one it
    // lies among the later weeks (weekly medians vary by a factor of two or
    // more from week to week), within 25% of their range.
    let (lo, _) = range(&cold);
    assert!(cold[0] < 0.75 * lo, "cold {cold:?}");
    let (lo, hi) = range(&warm);
    assert!(
        0.75 * lo <= warm[0] && warm[0] <= 1.25 * hi,
        "lead-in {warm:?}"
    );

    // What is written: nothing stamped before --start, the first period's task
    // file lists the tasks still open from the lead-in, with their real
    // creation time, and the patients file the whole list.
    let out = simulate(&practice, &led);
    let start = calendar::midnight(led.start);
    assert!(out.calls.iter().all(|r| r.start >= start));
    assert!(out.activities.iter().all(|r| r.at >= start));
    assert!(out
        .tasks
        .iter()
        .all(|r| r.closed.is_none_or(|c| c >= start)));
    let carried = out
        .tasks
        .iter()
        .filter(|r| r.period == 0 && r.created < start)
        .count();
    assert!(carried > 20, "{carried} tasks carried over");
    assert!(out.appointments.iter().all(|r| r.updated >= start));
    // Patients are numbered as they are created: the first file lists every
    // one created up to its end, the lead-in's new patients included.
    let mut ids: Vec<u32> = out
        .patients
        .iter()
        .filter(|r| r.period == 0)
        .map(|r| r.patient)
        .collect();
    ids.sort_unstable();
    assert!(ids.len() > 50 && ids.iter().copied().eq(0..ids.len() as u32));
}
