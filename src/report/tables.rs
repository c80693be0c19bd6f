//! The report's tables: longest waits, daily review, data quality.

use super::data::{f64s, scan, strings};
use super::markup::Table;
use super::{minutes, num, Section};
use crate::config::Config;
use anyhow::Result;
use chrono::{Duration, NaiveDate};
use polars::prelude::*;
use std::path::{Path, PathBuf};

pub(super) fn longest_waits(
    config: &Config,
    week_facts: &LazyFrame,
    sunday: NaiveDate,
) -> Result<Section> {
    let df = week_facts
        .clone()
        .select([
            col("practice_id"),
            col("task_id"),
            col("category"),
            col("owner"),
            col("created_at").cast(DataType::Int64),
            col("minutes_to_first_attempt"),
        ])
        .collect()?;
    let pid = strings(&df, "practice_id")?;
    let tid = strings(&df, "task_id")?;
    let cat = strings(&df, "category")?;
    let owner = strings(&df, "owner")?;
    let created = f64s(&df, "created_at")?;
    let mins = f64s(&df, "minutes_to_first_attempt")?;
    let mut rows: Vec<(f64, bool, usize)> = Vec::new();
    let mut cals = std::collections::BTreeMap::new();
    for i in 0..df.height() {
        let (wait, attempted) = match mins[i] {
            Some(m) => (m, true),
            None => {
                let Some(p) = pid[i].as_deref().and_then(|p| config.practice(p)) else {
                    continue;
                };
                let cal = cals.entry(p.id.clone()).or_insert_with(|| {
                    crate::model::clock::Calendar::new(
                        p,
                        sunday - Duration::days(30),
                        sunday + Duration::days(1),
                    )
                });
                // Waiting until the end of the week in the practice's own zone.
                let as_of = crate::model::day::last_instant(p, sunday);
                (
                    cal.minutes_between(created[i].unwrap_or(0.0) as i64, as_of),
                    false,
                )
            }
        };
        rows.push((wait, attempted, i));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
    let mut t = Table::new(&["task", "category", "owner", "wait (business)", "status"]);
    t.numeric = vec![false, false, false, true, false];
    for (wait, attempted, i) in rows.into_iter().take(20) {
        t.push(vec![
            tid[i].clone().unwrap_or_default(),
            cat[i].clone().unwrap_or_default(),
            owner[i].clone().unwrap_or_else(|| "(unassigned)".into()),
            minutes(Some(wait)),
            if attempted {
                "first attempted".into()
            } else {
                "not yet attempted".into()
            },
        ]);
    }
    Ok(Section {
        title: "The 20 longest waits this week".into(),
        text: vec!["Business time from the request to its first attempt; for requests not yet attempted, to the end of the week.".into()],
        table: Some(t),
        charts: vec![],
    })
}

/// `model::rules::is_clinical` over task facts: a category the practice's config
/// marks `licensed`, or a task waiting on a clinical review.
fn clinical(config: &Config) -> Expr {
    let review = lit(crate::model::domain::Status::NeedsClinicalReview.as_str());
    let mut e = col("status").eq(review);
    for p in &config.practices {
        for c in p.categories.values().filter(|c| c.licensed) {
            e = e.or(col("practice_id")
                .eq(lit(p.id.as_str()))
                .and(col("category").eq(lit(c.name.as_str()))));
        }
    }
    e
}

pub(super) fn daily_review(
    config: &Config,
    metrics_dir: &Path,
    facts: &LazyFrame,
    sunday: NaiveDate,
) -> Result<Section> {
    let last = scan(metrics_dir, "backlog_daily")?
        .filter(col("date").lt_eq(lit(sunday)))
        .filter(col("date").eq(col("date").max()))
        .select([col("open").sum(), col("overdue").sum(), col("date").first()])
        .collect()?;
    let open = f64s(&last, "open")?[0];
    let overdue = f64s(&last, "overdue")?[0];
    let open_facts = facts.clone().filter(col("terminal").not());
    let counts = open_facts
        .select([
            col("priority")
                .eq(lit("urgent"))
                .cast(DataType::Float64)
                .sum()
                .alias("urgent"),
            col("attempts")
                .eq(lit(1))
                .and(col("reached").not())
                .cast(DataType::Float64)
                .sum()
                .alias("second"),
            clinical(config)
                .cast(DataType::Float64)
                .sum()
                .alias("clinical"),
            col("owner")
                .is_null()
                .cast(DataType::Float64)
                .sum()
                .alias("unassigned"),
        ])
        .collect()?;
    let get = |c: &str| -> Result<Option<f64>> { Ok(f64s(&counts, c)?[0]) };
    let mut t = Table::new(&["item", "count"]);
    t.push(vec!["open at the last close".into(), num(open)]);
    t.push(vec![
        "overdue (deadline passed, not attempted)".into(),
        num(overdue),
    ]);
    t.push(vec!["urgent and open".into(), num(get("urgent")?)]);
    t.push(vec![
        "second attempts due (one attempt, patient not reached)".into(),
        num(get("second")?),
    ]);
    t.push(vec![
        "clinical follow-ups pending".into(),
        num(get("clinical")?),
    ]);
    t.push(vec!["open with no owner".into(), num(get("unassigned")?)]);
    Ok(Section {
        title: "Daily review".into(),
        text: vec![format!(
            "As of the close on {sunday} (the last business day's close for the backlog)."
        )],
        table: Some(t),
        charts: vec![],
    })
}

pub(super) fn data_quality(config: &Config, metrics_dir: &Path) -> Result<Section> {
    let ledger = crate::lake::ledger::Ledger::load(&config.paths.lake)?;
    let mut total = crate::lake::ledger::Counts::default();
    for e in ledger.files.values() {
        total.add(&e.counts);
    }
    // Reasons only: the quarantine files hold raw values, which never reach a report.
    let mut unmapped = 0u64;
    let mut reasons = std::collections::BTreeMap::<String, u64>::new();
    collect_reasons(&config.paths.quarantine, &mut reasons, &mut unmapped);
    let mut t = Table::new(&["check", "count"]);
    t.push(vec![
        "export files ingested".into(),
        ledger.files.len().to_string(),
    ]);
    t.push(vec!["rows read".into(), total.read.to_string()]);
    t.push(vec!["rows stored".into(), total.stored.to_string()]);
    t.push(vec![
        "rows quarantined".into(),
        total.quarantined.to_string(),
    ]);
    t.push(vec!["duplicate rows".into(), total.duplicates.to_string()]);
    // Phone systems that log each leg (RingCentral, Twilio): legs folded into their call.
    if total.merged > 0 {
        t.push(vec![
            "call legs merged into their call".into(),
            total.merged.to_string(),
        ]);
    }
    t.push(vec![
        "rows with unmapped values".into(),
        unmapped.to_string(),
    ]);
    for (r, n) in &reasons {
        t.push(vec![format!("quarantined: {r}"), n.to_string()]);
    }
    if let Ok(df) = scan(metrics_dir, "unlogged_missed_calls").and_then(|lf| {
        Ok(lf
            .select([col("without_task").sum(), col("callbacks_owed").sum()])
            .collect()?)
    }) {
        t.push(vec![
            "missed calls that matched no task".into(),
            num(f64s(&df, "without_task")?[0]),
        ]);
    }
    Ok(Section {
        title: "Data quality".into(),
        text: vec!["Counts over every export ingested so far; quarantined rows are in the quarantine folder with file, line, column and reason.".into()],
        table: Some(t),
        charts: vec![],
    })
}

fn collect_reasons(
    dir: &Path,
    reasons: &mut std::collections::BTreeMap<String, u64>,
    unmapped: &mut u64,
) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    let mut entries: Vec<PathBuf> = rd.flatten().map(|e| e.path()).collect();
    entries.sort();
    for p in entries {
        if p.is_dir() {
            collect_reasons(&p, reasons, unmapped);
        } else if p.to_string_lossy().ends_with(".quarantine.csv") {
            let Ok(mut r) = csv::Reader::from_path(&p) else {
                continue;
            };
            for rec in r.records().flatten() {
                let reason = rec.get(4).unwrap_or("");
                // The kind of problem, before any detail.
                let kind = reason
                    .split([':', ';', '('])
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_string();
                if reason.starts_with("unmapped value") {
                    *unmapped += 1;
                }
                *reasons.entry(kind).or_default() += 1;
            }
        }
    }
}
