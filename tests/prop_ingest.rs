//! Property: every input row ends up stored, quarantined or counted as a duplicate,
//! and the lake holds exactly the latest valid version of every key.

use followup::config::Config;
use followup::ingest::{self, profile};
use followup::privacy::Hasher;
use proptest::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

const HEADER: &str = "Task ID,Practice,MRN,Patient Name,Patient Phone,Task Type,Created,Due,Assigned To,Queue,Priority,Status,Status Date,Closed,Callback Requested,Barrier,Appointment ID,Last Updated";
const STATUSES: [&str; 4] = ["Open", "Left Message", "Scheduled", "Completed"];

#[derive(Debug, Clone)]
enum Fault {
    None,
    BadTimestamp,
    EmptyId,
    UnmappedStatus,
    ShortRow,
}

#[derive(Debug, Clone)]
struct Spec {
    key: u8,
    minute: u8,
    status: usize,
    fault: Fault,
}

fn spec() -> impl Strategy<Value = Spec> {
    (
        0u8..6,
        0u8..4,
        0usize..4,
        prop_oneof![
            6 => Just(Fault::None),
            1 => Just(Fault::BadTimestamp),
            1 => Just(Fault::EmptyId),
            1 => Just(Fault::UnmappedStatus),
            1 => Just(Fault::ShortRow),
        ],
    )
        .prop_map(|(key, minute, status, fault)| Spec {
            key,
            minute,
            status,
            fault,
        })
}

fn line(s: &Spec) -> String {
    let id = match s.fault {
        Fault::EmptyId => String::new(),
        _ => format!("T-{}", s.key),
    };
    let created = match s.fault {
        Fault::BadTimestamp => "2026-02-30 08:00".to_string(),
        _ => "2026-11-02 08:00".to_string(),
    };
    let status = match s.fault {
        Fault::UnmappedStatus => "Parked",
        _ => STATUSES[s.status],
    };
    let row = format!(
        "{id},p001,MRN{k},\"Doe, J\",617-555-01{k:02},Referral,{created},,amartin,Front Desk,Routine,{status},,,,,,2026-11-02 09:{m:02}:00",
        k = s.key,
        m = s.minute
    );
    match s.fault {
        Fault::ShortRow => row.split(',').take(5).collect::<Vec<_>>().join(","),
        _ => row,
    }
}

fn config(dir: &Path) -> Config {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/mini/followup.toml"),
    )
    .unwrap();
    Config::from_str(&text, &dir.join("followup.toml")).unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn rows_in_equal_stored_plus_quarantined_plus_duplicates(
        files in prop::collection::vec(prop::collection::vec(spec(), 0..12), 1..4)
    ) {
        let tmp = tempfile::tempdir().unwrap();
        let cfg = config(tmp.path());
        let profiles = profile::load_active(&cfg).unwrap();
        let hasher = Hasher::from_config(&cfg.privacy).unwrap();
        for (i, rows) in files.iter().enumerate() {
            let body: Vec<String> = rows.iter().map(line).collect();
            let text = format!("{HEADER}\n{}\n", body.join("\n"));
            let p = cfg.paths.exports.join(format!("p001/tasks_2026-11-0{i}.csv"));
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, text).unwrap();
        }
        let report = ingest::run(&cfg, &profiles, &hasher, None, &|_, _| {}).unwrap();
        let total = report.total();
        let all: Vec<&Spec> = files.iter().flatten().collect();
        prop_assert_eq!(total.read, all.len() as u64);
        prop_assert!(total.balanced(), "{:?}", total);
        let faulty = all.iter().filter(|s| !matches!(s.fault, Fault::None)).count() as u64;
        prop_assert_eq!(total.quarantined, faulty);

        // Naive model: per key, the valid row with the latest Last Updated
        // (ties: either row, but the status must be one of the tied rows').
        let mut latest: BTreeMap<u8, (u8, Vec<&str>)> = BTreeMap::new();
        for s in all.iter().filter(|s| matches!(s.fault, Fault::None)) {
            let e = latest.entry(s.key).or_insert((s.minute, vec![]));
            if s.minute > e.0 { *e = (s.minute, vec![]); }
            if s.minute == e.0 { e.1.push(STATUSES[s.status]); }
        }
        let lake = followup::lake::Lake::new(&cfg.paths.lake);
        let df = if latest.is_empty() {
            None
        } else {
            Some(lake.scan(followup::lake::schema::Table::Tasks).unwrap().collect().unwrap())
        };
        let got: BTreeMap<String, String> = match &df {
            None => BTreeMap::new(),
            Some(df) => {
                let ids = df.column("task_id").unwrap().str().unwrap().clone();
                let st = df.column("raw_status").unwrap().str().unwrap().clone();
                ids.iter().zip(st.iter()).map(|(a, b)| (a.unwrap().to_string(), b.unwrap().to_string())).collect()
            }
        };
        prop_assert_eq!(got.len(), latest.len());
        for (k, (_, statuses)) in &latest {
            let s = got.get(&format!("T-{k}")).expect("key stored");
            prop_assert!(statuses.contains(&s.as_str()), "T-{}: {} not in {:?}", k, s, statuses);
        }
    }
}
