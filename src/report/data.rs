//! The one reader of a report's inputs: a metrics folder (and the lake's ledger
//! and quarantine, for data quality) turned into typed values (`report::input`).
//! It reads the aggregates the metrics run wrote and the rows the figures need;
//! what a report shows is then built from those values alone.

use super::input::{
    BacklogRow, BarrierRow, DataQuality, DayCounts, DayData, FactRow, Measures, MissedCallRow,
    MissedWeek, RecoveryRow, Review, UrgentItem, Waiting, WeekData,
};
use crate::config::Config;
use crate::metrics::{aggregate, backlog::AGE_BUCKETS, facts::EPOCH_DAYS, waiting};
use crate::model::clock::Calendar;
use anyhow::{Context as _, Result};
use chrono::{Duration, NaiveDate};
use polars::prelude::*;
use std::collections::BTreeMap;
use std::path::Path;

/// A metrics table, lazily.
pub fn scan(dir: &Path, name: &str) -> Result<LazyFrame> {
    let p = dir.join(format!("{name}.parquet"));
    anyhow::Context::with_context(
        LazyFrame::scan_parquet(
            PlRefPath::new(p.to_string_lossy().as_ref()),
            Default::default(),
        ),
        || format!("reading metrics table {}", p.display()),
    )
}

/// A float column as options.
fn f64s(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    Ok(df
        .column(name)?
        .cast(&DataType::Float64)?
        .f64()?
        .iter()
        .collect())
}

fn i64s(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    Ok(df
        .column(name)?
        .cast(&DataType::Int64)?
        .i64()?
        .iter()
        .collect())
}

fn i32s(df: &DataFrame, name: &str) -> Result<Vec<Option<i32>>> {
    Ok(df
        .column(name)?
        .cast(&DataType::Int32)?
        .i32()?
        .iter()
        .collect())
}

fn bools(df: &DataFrame, name: &str) -> Result<Vec<Option<bool>>> {
    Ok(df
        .column(name)?
        .cast(&DataType::Boolean)?
        .bool()?
        .iter()
        .collect())
}

/// A string column as owned options.
fn strings(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    Ok(df
        .column(name)?
        .cast(&DataType::String)?
        .str()?
        .iter()
        .map(|s| s.map(str::to_string))
        .collect())
}

/// A date column (days since the epoch) as dates.
fn dates(df: &DataFrame, name: &str) -> Result<Vec<Option<NaiveDate>>> {
    Ok(i32s(df, name)?
        .into_iter()
        .map(|d| d.and_then(|d| NaiveDate::from_num_days_from_ce_opt(d + EPOCH_DAYS)))
        .collect())
}

/// The groups of an aggregate table, keyed by `key`, in the table's order.
fn measures(df: &DataFrame, key: &str) -> Result<Vec<(Option<String>, Measures)>> {
    let col = |c: &str| f64s(df, c);
    let (tasks, share, median, p90) = (
        col("tasks")?,
        col("within_target_share")?,
        col("median_minutes_to_first_attempt")?,
        col("p90_minutes_to_first_attempt")?,
    );
    let (contact, completion, booking, kept) = (
        col("contact_rate")?,
        col("completion_rate")?,
        col("booking_rate")?,
        col("kept_rate")?,
    );
    let (early_closed, early, over, channel) = (
        col("closed_unable_early")?,
        col("early_attempts")?,
        col("over_max_attempts")?,
        col("final_channel_misses")?,
    );
    let (undecided, visits) = (col("undecided")?, col("visits_in_age")?);
    let (reached_age, completed_age, booked_age, kept_age) = (
        col("reached_in_age_rate")?,
        col("completed_in_age_rate")?,
        col("booked_in_age_rate")?,
        col("kept_in_age_rate")?,
    );
    let (due, left_message, vm, poor, unowned) = (
        col("due")?,
        col("left_message")?,
        col("voicemail_to_scheduled_rate")?,
        col("notes_poor_share")?,
        col("unowned")?,
    );
    Ok(strings(df, key)?
        .into_iter()
        .enumerate()
        .map(|(i, k)| {
            let m = Measures {
                tasks: tasks[i],
                within_target_share: share[i],
                median_minutes_to_first_attempt: median[i],
                p90_minutes_to_first_attempt: p90[i],
                contact_rate: contact[i],
                completion_rate: completion[i],
                booking_rate: booking[i],
                kept_rate: kept[i],
                closed_unable_early: early_closed[i],
                early_attempts: early[i],
                over_max_attempts: over[i],
                final_channel_misses: channel[i],
                due: due[i],
                undecided: undecided[i],
                reached_in_age_rate: reached_age[i],
                completed_in_age_rate: completed_age[i],
                booked_in_age_rate: booked_age[i],
                kept_in_age_rate: kept_age[i],
                visits_in_age: visits[i],
                left_message: left_message[i],
                voicemail_to_scheduled_rate: vm[i],
                notes_poor_share: poor[i],
                unowned: unowned[i],
            };
            (k, m)
        })
        .collect())
}

/// `overall_waiting_weekly`, in week order (empty when the folder has none).
fn waiting_weeks(metrics_dir: &Path) -> Result<Vec<(Option<String>, Waiting)>> {
    if !metrics_dir.join("overall_waiting_weekly.parquet").exists() {
        return Ok(Vec::new());
    }
    let df = scan(metrics_dir, "overall_waiting_weekly")?.collect()?;
    let (tasks, attempted) = (f64s(&df, "tasks")?, f64s(&df, "attempted")?);
    let (median, p90) = (
        f64s(&df, "median_minutes_to_first_attempt")?,
        f64s(&df, "p90_minutes_to_first_attempt")?,
    );
    Ok(strings(&df, "iso_week")?
        .into_iter()
        .enumerate()
        .map(|(i, w)| {
            let v = Waiting {
                tasks: tasks[i],
                attempted: attempted[i],
                median_minutes: median[i],
                p90_minutes: p90[i],
            };
            (w, v)
        })
        .collect())
}

/// What turns a task's instants into the business minutes a chart reads: each
/// practice's calendar (over `span`, the creation dates, with a margin) and the
/// metrics run's *as of* (`summary.json`).
struct Clocks {
    calendars: BTreeMap<String, Calendar>,
    as_of: BTreeMap<String, i64>,
}

impl Clocks {
    fn new(
        config: &Config,
        metrics_dir: &Path,
        (first, last): (NaiveDate, NaiveDate),
    ) -> Result<Clocks> {
        let as_of = as_of_by_practice(config, metrics_dir)?;
        let calendars = config
            .practices
            .iter()
            .filter(|p| as_of.contains_key(&p.id))
            .map(|p| {
                // Deadlines and waits reach past the last creation date, up to *as of*.
                let end = chrono::DateTime::from_timestamp_micros(as_of[&p.id])
                    .map(|t| t.with_timezone(&p.tz).date_naive())
                    .unwrap_or(last)
                    .max(last);
                let cal = Calendar::new(p, first - Duration::days(7), end + Duration::days(30));
                (p.id.clone(), cal)
            })
            .collect();
        Ok(Clocks { calendars, as_of })
    }

    /// Whether a task of `practice` created at `created` gets its waits computed.
    fn has(&self, practice: Option<&str>, created: Option<i64>) -> bool {
        created.is_some()
            && practice
                .is_some_and(|p| self.calendars.contains_key(p) && self.as_of.contains_key(p))
    }

    /// Business minutes from `created` to the deadline, and the task's waits
    /// (`metrics::waiting::durations`, the survival tables' one definition).
    fn task(
        &self,
        practice: Option<&str>,
        created: Option<i64>,
        deadline: Option<i64>,
        events: [Option<i64>; 3],
    ) -> (Option<f64>, [(f64, bool); 3]) {
        let (Some(p), Some(c)) = (practice, created) else {
            return (None, Default::default());
        };
        let (Some(cal), Some(&as_of)) = (self.calendars.get(p), self.as_of.get(p)) else {
            return (None, Default::default());
        };
        (
            deadline.map(|d| cal.minutes_between(c, d)),
            waiting::durations(cal, as_of, c, events),
        )
    }
}

/// Each practice's *as of* as the metrics run wrote it in `summary.json`
/// (RFC 3339, whole seconds). The end of the range's last day, written without
/// its fraction of a second, is read back as that instant exactly.
fn as_of_by_practice(config: &Config, metrics_dir: &Path) -> Result<BTreeMap<String, i64>> {
    let path = metrics_dir.join("summary.json");
    let text = std::fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
    let json: serde_json::Value =
        serde_json::from_slice(&text).with_context(|| format!("reading {}", path.display()))?;
    let to: Option<NaiveDate> = json["to"].as_str().and_then(|t| t.parse().ok());
    let mut out = BTreeMap::new();
    if let Some(m) = json["as_of_by_practice"].as_object() {
        for (id, v) in m {
            let Some(t) = v
                .as_str()
                .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
            else {
                anyhow::bail!(
                    "{}: as_of_by_practice.{id} is not an instant",
                    path.display()
                );
            };
            let mut us = t.timestamp_micros();
            if let (Some(p), Some(to)) = (config.practice(id), to) {
                let end = crate::model::day::last_instant(p, to);
                if end.div_euclid(1_000_000) == us.div_euclid(1_000_000) {
                    us = end;
                }
            }
            out.insert(id.clone(), us);
        }
    }
    Ok(out)
}

/// `by_day`, in the table's order (empty when the folder has none: the
/// headline intervals then take a design effect of 1).
fn days(metrics_dir: &Path) -> Result<Vec<DayCounts>> {
    if !metrics_dir.join("by_day.parquet").exists() {
        return Ok(Vec::new());
    }
    let df = scan(metrics_dir, "by_day")?.collect()?;
    let date = dates(&df, "created_date")?;
    Ok(measures(&df, "practice_id")?
        .into_iter()
        .zip(date)
        .filter_map(|((practice_id, measures), date)| {
            Some(DayCounts {
                practice_id,
                date: date?,
                measures,
            })
        })
        .collect())
}

/// Task facts as rows, in the table's order.
fn fact_rows(facts: LazyFrame, clocks: &Clocks) -> Result<Vec<FactRow>> {
    let df = facts
        .with_column(col("first_attempt_at").is_not_null().alias("attempted"))
        .collect()?;
    let (pid, tid, cat, owner, target) = (
        strings(&df, "practice_id")?,
        strings(&df, "task_id")?,
        strings(&df, "category")?,
        strings(&df, "owner")?,
        strings(&df, "target")?,
    );
    let (created_at, created_date) = (i64s(&df, "created_at")?, dates(&df, "created_date")?);
    let (deadline, first_attempt) = (i64s(&df, "deadline_at")?, i64s(&df, "first_attempt_at")?);
    let (first_contact, closed) = (i64s(&df, "first_contact_at")?, i64s(&df, "closed_at")?);
    let (weekday, hour) = (i32s(&df, "created_weekday")?, i32s(&df, "created_hour")?);
    let (mins, met) = (
        f64s(&df, "minutes_to_first_attempt")?,
        bools(&df, "met_target")?,
    );
    let booked_at = i64s(&df, "booked_at")?;
    let (attempted, reached, booked, kept) = (
        bools(&df, "attempted")?,
        bools(&df, "reached")?,
        bools(&df, "booked")?,
        bools(&df, "kept")?,
    );
    Ok((0..df.height())
        .map(|i| {
            let (minutes_to_deadline, waits) = clocks.task(
                pid[i].as_deref(),
                created_at[i],
                deadline[i],
                [first_attempt[i], first_contact[i], closed[i]],
            );
            FactRow {
                practice_id: pid[i].clone(),
                task_id: tid[i].clone(),
                category: cat[i].clone(),
                owner: owner[i].clone(),
                target: target[i].clone(),
                created_at: created_at[i],
                created_date: created_date[i],
                created_weekday: weekday[i],
                created_hour: hour[i],
                minutes_to_first_attempt: mins[i],
                minutes_to_deadline,
                waits: clocks
                    .has(pid[i].as_deref(), created_at[i])
                    .then_some(waits),
                met_target: met[i],
                attempted: attempted[i] == Some(true),
                reached: reached[i] == Some(true),
                booked: booked[i] == Some(true),
                kept: kept[i] == Some(true),
                first_contact_at: first_contact[i],
                closed_at: closed[i],
                booked_at: booked_at[i],
            }
        })
        .collect())
}

fn backlog_rows(metrics_dir: &Path) -> Result<Vec<BacklogRow>> {
    let df = scan(metrics_dir, "backlog_daily")?.collect()?;
    let (date, cat, owner, open) = (
        dates(&df, "date")?,
        strings(&df, "category")?,
        strings(&df, "owner")?,
        i64s(&df, "open")?,
    );
    let ages: Vec<Vec<Option<i64>>> = AGE_BUCKETS
        .iter()
        .map(|(_, n)| i64s(&df, n))
        .collect::<Result<_>>()?;
    Ok((0..df.height())
        .filter_map(|i| {
            Some(BacklogRow {
                date: date[i]?,
                category: cat[i].clone(),
                owner: owner[i].clone(),
                open: open[i].unwrap_or(0),
                ages: ages.iter().map(|a| a[i].unwrap_or(0)).collect(),
            })
        })
        .collect())
}

fn barrier_rows(metrics_dir: &Path) -> Result<Vec<BarrierRow>> {
    let df = scan(metrics_dir, "barriers_weekly")?.collect()?;
    let (week, barrier, tasks) = (
        strings(&df, "iso_week")?,
        strings(&df, "barrier")?,
        f64s(&df, "tasks")?,
    );
    Ok((0..df.height())
        .map(|i| BarrierRow {
            iso_week: week[i].clone(),
            barrier: barrier[i].clone(),
            tasks: tasks[i].unwrap_or(0.0),
        })
        .collect())
}

fn missed_weeks(metrics_dir: &Path) -> Result<Vec<MissedWeek>> {
    let df = scan(metrics_dir, "missed_calls_weekly")?.collect()?;
    let (week, owed, returned) = (
        strings(&df, "iso_week")?,
        f64s(&df, "callbacks_owed")?,
        f64s(&df, "returned")?,
    );
    Ok((0..df.height())
        .map(|i| MissedWeek {
            iso_week: week[i].clone(),
            callbacks_owed: owed[i].unwrap_or(0.0),
            returned: returned[i].unwrap_or(0.0),
        })
        .collect())
}

/// The `recovery` rows: every no-show and cancellation of the metrics range.
fn recovery_rows(metrics_dir: &Path) -> Result<Vec<RecoveryRow>> {
    let df = scan(metrics_dir, "recovery")?.collect()?;
    let (kind, date, end) = (
        strings(&df, "kind")?,
        dates(&df, "event_date")?,
        dates(&df, "window_end_date")?,
    );
    let (closed, rebooked) = (bools(&df, "window_closed")?, bools(&df, "rebooked")?);
    Ok((0..df.height())
        .filter_map(|i| {
            Some(RecoveryRow {
                kind: kind[i].clone()?,
                event_date: date[i]?,
                window_end_date: end[i]?,
                window_closed: closed[i] == Some(true),
                rebooked: rebooked[i] == Some(true),
            })
        })
        .collect())
}

/// The `missed_calls` rows of ISO week `week`.
fn missed_call_rows(metrics_dir: &Path, week: &str) -> Result<Vec<MissedCallRow>> {
    let df = scan(metrics_dir, "missed_calls")?
        .filter(col("iso_week").eq(lit(week)))
        .collect()?;
    let (returned, within, logged) = (
        bools(&df, "returned")?,
        bools(&df, "within_target")?,
        bools(&df, "task_logged")?,
    );
    Ok((0..df.height())
        .map(|i| MissedCallRow {
            returned: returned[i] == Some(true),
            within_target: within[i],
            task_logged: logged[i] == Some(true),
        })
        .collect())
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

/// The daily review's counts as of the close of `day`: the backlog at the last
/// close on or before it, and the open tasks among all task facts.
fn review(config: &Config, metrics_dir: &Path, day: NaiveDate) -> Result<Review> {
    let last = scan(metrics_dir, "backlog_daily")?
        .filter(col("date").lt_eq(lit(day)))
        .filter(col("date").eq(col("date").max()))
        .select([col("open").sum(), col("overdue").sum()])
        .collect()?;
    let sum = |e: Expr, name: &str| e.cast(DataType::Float64).sum().alias(name);
    let counts = scan(metrics_dir, "task_facts")?
        .filter(col("terminal").not())
        .select([
            sum(col("priority").eq(lit("urgent")), "urgent"),
            sum(
                col("attempts").eq(lit(1)).and(col("reached").not()),
                "second",
            ),
            sum(clinical(config), "clinical"),
            sum(col("owner").is_null(), "unassigned"),
        ])
        .collect()?;
    let get = |c: &str| -> Result<Option<f64>> { Ok(f64s(&counts, c)?[0]) };
    // The urgent open tasks by id: identifiers and workflow fields only.
    let urgent = scan(metrics_dir, "task_facts")?
        .filter(col("terminal").not().and(col("priority").eq(lit("urgent"))))
        .sort(["created_at", "task_id"], Default::default())
        .collect()?;
    let (tid, cat, owner, status) = (
        strings(&urgent, "task_id")?,
        strings(&urgent, "category")?,
        strings(&urgent, "owner")?,
        strings(&urgent, "status")?,
    );
    let (created, attempts) = (dates(&urgent, "created_date")?, i64s(&urgent, "attempts")?);
    let urgent_items = (0..urgent.height())
        .map(|i| UrgentItem {
            task_id: tid[i].clone().unwrap_or_default(),
            category: cat[i].clone(),
            owner: owner[i].clone(),
            created_date: created[i],
            status: status[i].clone(),
            attempts: attempts[i],
        })
        .collect();
    Ok(Review {
        as_of: day,
        open: f64s(&last, "open")?[0],
        overdue: f64s(&last, "overdue")?[0],
        urgent: get("urgent")?,
        second_attempts_due: get("second")?,
        clinical: get("clinical")?,
        unassigned: get("unassigned")?,
        urgent_items,
    })
}

/// The ledger's totals, the quarantine's reasons and the missed calls with no task.
fn quality(config: &Config, metrics_dir: &Path) -> Result<DataQuality> {
    let ledger = crate::lake::ledger::Ledger::load(&config.paths.lake)?;
    let mut q = DataQuality {
        files: ledger.files.len(),
        ..Default::default()
    };
    for e in ledger.files.values() {
        q.counts.add(&e.counts);
    }
    // Reasons only: the quarantine files hold raw values, which never reach a report.
    for entry in crate::ingest::quarantine::read_all(&config.paths.quarantine) {
        if entry.is_unmapped() {
            q.unmapped += 1;
        }
        *q.reasons
            .entry(entry.reason_kind().to_string())
            .or_default() += 1;
    }
    q.missed_without_task = scan(metrics_dir, "unlogged_missed_calls")
        .and_then(|lf| Ok(lf.select([col("without_task").sum()]).collect()?))
        .and_then(|df| Ok(f64s(&df, "without_task")?[0]))
        .ok();
    Ok(q)
}

/// Category name → how a report names it to a person: the first practice's
/// `label` of it (`Config::category_label`).
pub fn labels(config: &Config) -> BTreeMap<String, String> {
    config
        .practices
        .iter()
        .flat_map(|p| p.categories.keys())
        .map(|c| (c.clone(), config.category_label(c)))
        .collect()
}

/// The business minutes of a practice's usual open day: the most common
/// length among its open weekdays (the longer at a tie), what the charts call
/// "1 business day".
fn usual_day_minutes(p: &crate::config::Practice) -> f64 {
    let mut count: BTreeMap<i64, usize> = BTreeMap::new();
    for day in &p.hours.0 {
        let m: i64 = day.iter().map(|s| s.minutes()).sum();
        if m > 0 {
            *count.entry(m).or_default() += 1;
        }
    }
    count
        .into_iter()
        .max_by_key(|&(m, n)| (n, m))
        .map_or(480.0, |(m, _)| m as f64)
}

/// Read what the weekly report of the ISO week starting `monday` shows.
pub fn read_week(config: &Config, monday: NaiveDate, metrics_dir: &Path) -> Result<WeekData> {
    let week = crate::metrics::facts::iso_week(monday);
    let weekly = measures(&scan(metrics_dir, "overall_weekly")?.collect()?, "iso_week")?;
    let all_categories = scan(metrics_dir, "overall_category_weekly")?.collect()?;
    let category_weeks = strings(&all_categories, "iso_week")?
        .into_iter()
        .zip(measures(&all_categories, "category")?)
        .map(|(w, (c, m))| (c, w, m))
        .collect();
    let categories = all_categories
        .lazy()
        .filter(col("iso_week").eq(lit(week.as_str())))
        .collect()?;
    let facts = scan(metrics_dir, "task_facts")?.filter(col("iso_week").eq(lit(week.as_str())));
    // The week's tasks by owner: no aggregate table holds a week by owner, so
    // with the aggregates' one definition, as `read_day` does for its periods.
    let owners = measures(
        &aggregate::by(facts.clone(), &["owner"]).collect()?,
        "owner",
    )?;
    let sunday = monday + Duration::days(6);
    let clocks = Clocks::new(config, metrics_dir, (monday, sunday))?;
    let first = config.practices.first();
    Ok(WeekData {
        monday,
        labels: labels(config),
        min_n: config.report.min_n,
        hours: first.map(|p| p.hours.clone()),
        day_minutes: first.map(usual_day_minutes).unwrap_or(480.0),
        goal: config
            .practices
            .first()
            .map(|p| p.target_share)
            .unwrap_or(0.9),
        weekly,
        waiting: waiting_weeks(metrics_dir)?,
        category_weeks,
        days: days(metrics_dir)?,
        categories: measures(&categories, "category")?,
        facts: fact_rows(facts, &clocks)?,
        backlog: backlog_rows(metrics_dir)?,
        barriers: barrier_rows(metrics_dir)?,
        missed: missed_weeks(metrics_dir)?,
        owners,
        recovery: recovery_rows(metrics_dir)?,
        recovery_window_days: config
            .practices
            .first()
            .map(|p| p.recovery_window_days)
            .unwrap_or(0),
        missed_calls: missed_call_rows(metrics_dir, &week)?,
        review: review(config, metrics_dir, sunday)?,
        quality: quality(config, metrics_dir)?,
        bottlenecks: Vec::new(),
    })
}

/// Read what the daily review of `day` shows (outcomes observed to the end of `observed_to`).
///
/// The day and the business days of the 28 days before are periods no
/// aggregate table holds (a median does not combine across days), so their
/// measures are computed here with the aggregates' one definition,
/// `metrics::aggregate::by` (docs/METRICS.md, "daily-comparison").
pub fn read_day(
    config: &Config,
    day: NaiveDate,
    observed_to: NaiveDate,
    metrics_dir: &Path,
) -> Result<DayData> {
    let facts = scan(metrics_dir, "task_facts")?;
    let prior_days = super::daily::business_days(
        config,
        day - Duration::days(super::daily::PRIOR_DAYS),
        day - Duration::days(1),
    );
    let prior = prior_days
        .iter()
        .fold(lit(false), |e, d| e.or(col("created_date").eq(lit(*d))));
    let recent = facts
        .clone()
        .filter(col("created_date").eq(lit(day)).or(prior.clone()))
        .with_column(
            when(col("created_date").eq(lit(day)))
                .then(lit("day"))
                .otherwise(lit("prior"))
                .alias("period"),
        );
    let by = measures(&aggregate::by(recent, &["period"]).collect()?, "period")?;
    let period = |p: &str| {
        by.iter()
            .find(|(k, _)| k.as_deref() == Some(p))
            .map(|(_, m)| m.clone())
            .unwrap_or_default()
    };
    Ok(DayData {
        day,
        observed_to,
        day_measures: period("day"),
        prior_measures: period("prior"),
        prior_days: prior_days.clone(),
        facts: fact_rows(
            facts.clone().filter(col("created_date").eq(lit(day))),
            &Clocks::new(config, metrics_dir, (day, day))?,
        )?,
        prior_facts: fact_rows(
            facts.filter(prior),
            &Clocks::new(
                config,
                metrics_dir,
                (prior_days.first().copied().unwrap_or(day), day),
            )?,
        )?,
        review: review(config, metrics_dir, day)?,
        quality: quality(config, metrics_dir)?,
        adherence: crate::report::adherence::read(config, day)?,
    })
}

/// Read the `comparison` table a `metrics --before/--after` run wrote.
pub fn read_comparison(metrics_dir: &Path) -> Result<Vec<super::input::ComparisonRow>> {
    let df = scan(metrics_dir, "comparison")?.collect()?;
    let s = |c: &str| -> Result<Vec<String>> {
        Ok(strings(&df, c)?
            .into_iter()
            .map(Option::unwrap_or_default)
            .collect())
    };
    let (metric, category, verdict) = (s("metric")?, s("category")?, s("verdict")?);
    let (before, after, change) = (
        f64s(&df, "before")?,
        f64s(&df, "after")?,
        f64s(&df, "change")?,
    );
    let (lo, hi) = (f64s(&df, "ci_low")?, f64s(&df, "ci_high")?);
    let (nb, na) = (i64s(&df, "n_before")?, i64s(&df, "n_after")?);
    Ok((0..df.height())
        .map(|i| super::input::ComparisonRow {
            metric: metric[i].clone(),
            category: category[i].clone(),
            before: before[i],
            after: after[i],
            change: change[i],
            ci_low: lo[i],
            ci_high: hi[i],
            n_before: nb[i],
            n_after: na[i],
            verdict: verdict[i].clone(),
        })
        .collect())
}
