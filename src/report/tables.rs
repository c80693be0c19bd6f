//! The report's tables: longest waits, daily review, urgent items, owners, data quality.

use super::input::{DataQuality, FactRow, Measures, Review};
use super::markup::Table;
use super::{minutes, num, pct, Section};
use crate::config::Config;
use chrono::{Duration, NaiveDate};

/// The 20 longest waits among `facts`: business time to the first attempt, or
/// for a request not yet attempted, to the end of `sunday` in its practice's zone.
pub(super) fn longest_waits(config: &Config, facts: &[FactRow], sunday: NaiveDate) -> Section {
    let mut rows: Vec<(f64, bool, usize)> = Vec::new();
    let mut cals = std::collections::BTreeMap::new();
    for (i, r) in facts.iter().enumerate() {
        let (wait, attempted) = match r.minutes_to_first_attempt {
            Some(m) => (m, true),
            None => {
                let Some(p) = r.practice_id.as_deref().and_then(|p| config.practice(p)) else {
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
                (cal.minutes_between(r.created_at.unwrap_or(0), as_of), false)
            }
        };
        rows.push((wait, attempted, i));
    }
    rows.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
    let mut t = Table::new(&["task", "category", "owner", "wait (business)", "status"]);
    t.numeric = vec![false, false, false, true, false];
    for (wait, attempted, i) in rows.into_iter().take(20) {
        let r = &facts[i];
        t.push(vec![
            r.task_id.clone().unwrap_or_default(),
            r.category
                .as_deref()
                .map(|c| config.category_label(c))
                .unwrap_or_default(),
            r.owner.clone().unwrap_or_else(|| "(unassigned)".into()),
            minutes(Some(wait)),
            if attempted {
                "first attempted".into()
            } else {
                "not yet attempted".into()
            },
        ]);
    }
    Section {
        title: "The 20 longest waits this week".into(),
        text: vec!["Business time from the request to its first attempt; for requests not yet attempted, to the end of the week.".into()],
        table: Some(t),
        charts: vec![],
    }
}

/// The daily review's counts as a section.
pub(super) fn daily_review(review: &Review) -> Section {
    let mut t = Table::new(&["item", "count"]);
    t.push(vec!["open at the last close".into(), num(review.open)]);
    t.push(vec![
        "overdue (deadline passed, not attempted)".into(),
        num(review.overdue),
    ]);
    t.push(vec!["urgent and open".into(), num(review.urgent)]);
    t.push(vec![
        "second attempts due (one attempt, patient not reached)".into(),
        num(review.second_attempts_due),
    ]);
    t.push(vec![
        "clinical follow-ups pending".into(),
        num(review.clinical),
    ]);
    t.push(vec!["open with no owner".into(), num(review.unassigned)]);
    Section {
        title: "Daily review".into(),
        text: vec![format!(
            "As of the close on {} (the last business day's close for the backlog).",
            review.as_of
        )],
        table: Some(t),
        charts: vec![],
    }
}

/// The most urgent items a page lists by id; the rest are counted.
const URGENT_LISTED: usize = 50;

/// The urgent open tasks by id, oldest first: identifiers and workflow fields
/// only (task ids are internal; no patient, phone or note).
pub(super) fn urgent_items(review: &Review) -> Section {
    let mut t = Table::new(&["task", "category", "owner", "created", "status", "attempts"]);
    t.numeric = vec![false, false, false, false, false, true];
    for u in review.urgent_items.iter().take(URGENT_LISTED) {
        t.push(vec![
            u.task_id.clone(),
            u.category.clone().unwrap_or_default(),
            u.owner.clone().unwrap_or_else(|| "(unassigned)".into()),
            u.created_date.map(|d| d.to_string()).unwrap_or_default(),
            u.status.clone().unwrap_or_default().replace('_', " "),
            u.attempts.map(|a| a.to_string()).unwrap_or_default(),
        ]);
    }
    let n = review.urgent_items.len();
    let mut text = vec![match n {
        0 => "No urgent task is open.".to_string(),
        1 => "1 urgent task is open, listed by its id.".to_string(),
        _ => format!("{n} urgent tasks are open, oldest first, listed by id."),
    }];
    if n > URGENT_LISTED {
        text.push(format!(
            "The {} oldest are listed; {} more are in task_facts (priority urgent, not terminal).",
            URGENT_LISTED,
            n - URGENT_LISTED
        ));
    }
    Section {
        title: "Urgent open items".into(),
        text,
        table: (n > 0).then_some(t),
        charts: vec![],
    }
}

/// Documentation quality and ownership of the week's tasks, by owner: the
/// share of poor notes (docs/METRICS.md, "documentation") and the tasks with
/// no owner ("unowned-tasks"). `all` is the week's measures over every task.
pub(super) fn owners(owners: &[(Option<String>, Measures)], all: &Measures) -> Section {
    let mut t = Table::new(&["owner", "tasks", "poor notes"]);
    for (owner, m) in owners {
        t.push(vec![
            owner.clone().unwrap_or_else(|| "(no owner)".into()),
            num(m.tasks),
            pct(m.notes_poor_share),
        ]);
    }
    let tasks = all.tasks.unwrap_or(0.0);
    let unowned = all.unowned.unwrap_or(0.0);
    let mut text = vec![if unowned > 0.0 {
        format!(
            "{} of the week's {} tasks ({}) have no owner: no one's list carries them.",
            num(Some(unowned)),
            num(Some(tasks)),
            pct(Some(unowned / tasks))
        )
    } else {
        format!(
            "Every one of the week's {} tasks has an owner.",
            num(Some(tasks))
        )
    }];
    text.push(format!(
        "Poor notes: the share of the owner's notes on the week's tasks that are empty, too short, or an action with no content (\"called pt\", \"lm\"); {} of all the week's notes are poor.",
        pct(all.notes_poor_share)
    ));
    Section {
        title: "Documentation and ownership".into(),
        text,
        table: Some(t),
        charts: vec![],
    }
}

/// The data-quality counts as a section.
pub(super) fn data_quality(q: &DataQuality) -> Section {
    let total = &q.counts;
    let mut t = Table::new(&["check", "count"]);
    t.push(vec!["export files ingested".into(), q.files.to_string()]);
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
        q.unmapped.to_string(),
    ]);
    for (r, n) in &q.reasons {
        t.push(vec![format!("quarantined: {r}"), n.to_string()]);
    }
    if let Some(n) = q.missed_without_task {
        t.push(vec!["missed calls that matched no task".into(), num(n)]);
    }
    Section {
        title: "Data quality".into(),
        text: vec!["Counts over every export ingested so far; quarantined rows are in the quarantine folder with file, line, column and reason.".into()],
        table: Some(t),
        charts: vec![],
    }
}

/// How the day's call lists were worked, one row per owner list that came back
/// (docs/LISTS.md, "Adherence").
pub(super) fn list_adherence(
    day: NaiveDate,
    rows: &[crate::report::adherence::Adherence],
) -> Section {
    let mut t = Table::new(&[
        "practice",
        "lane",
        "owner",
        "rows on the list",
        "above the capacity line",
        "worked",
        "skipped (above the line, not worked)",
        "worked below the line",
        "worked out of rank order",
    ]);
    t.numeric = vec![false, false, false, true, true, true, true, true, true];
    for a in rows {
        t.push(vec![
            a.practice_id.clone(),
            a.lane.clone(),
            a.owner.clone(),
            a.rows.to_string(),
            a.within_capacity.to_string(),
            a.worked.to_string(),
            a.skipped.to_string(),
            a.worked_overflow.to_string(),
            a.out_of_order.to_string(),
        ]);
    }
    let text = if rows.is_empty() {
        vec![format!(
            "No worked call list for {day} came back (a list is counted once its workbook, with outcomes filled in, is ingested)."
        )]
    } else {
        vec!["Call lists for the day whose workbook came back with outcomes, by owner. A worked row is out of rank order when a row ranked above it was skipped or worked later (by the time entered).".into()]
    };
    Section {
        title: "Call-list adherence".into(),
        text,
        table: (!rows.is_empty()).then_some(t),
        charts: vec![],
    }
}
