//! The one reader of a report's inputs: a metrics folder (and the lake's ledger
//! and quarantine, for data quality) turned into typed values (`report::input`).
//! It reads the aggregates the metrics run wrote and the rows the figures need;
//! what a report shows is then built from those values alone.

use super::input::{
    BacklogRow, BarrierRow, DataQuality, DayCounts, DayData, FactRow, Measures, MissedWeek, Review,
    Waiting, WeekData,
};
use crate::config::Config;
use crate::metrics::{aggregate, backlog::AGE_BUCKETS, facts::EPOCH_DAYS};
use anyhow::Result;
use chrono::{Duration, NaiveDate};
use polars::prelude::*;
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
    let (due, undecided, visits) = (col("due")?, col("undecided")?, col("visits_in_age")?);
    let (reached_age, completed_age, booked_age, kept_age) = (
        col("reached_in_age_rate")?,
        col("completed_in_age_rate")?,
        col("booked_in_age_rate")?,
        col("kept_in_age_rate")?,
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
fn fact_rows(facts: LazyFrame) -> Result<Vec<FactRow>> {
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
    let (weekday, hour) = (i32s(&df, "created_weekday")?, i32s(&df, "created_hour")?);
    let (mins, met) = (
        f64s(&df, "minutes_to_first_attempt")?,
        bools(&df, "met_target")?,
    );
    let (attempted, reached, booked, kept) = (
        bools(&df, "attempted")?,
        bools(&df, "reached")?,
        bools(&df, "booked")?,
        bools(&df, "kept")?,
    );
    Ok((0..df.height())
        .map(|i| FactRow {
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
            met_target: met[i],
            attempted: attempted[i] == Some(true),
            reached: reached[i] == Some(true),
            booked: booked[i] == Some(true),
            kept: kept[i] == Some(true),
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
    Ok(Review {
        as_of: day,
        open: f64s(&last, "open")?[0],
        overdue: f64s(&last, "overdue")?[0],
        urgent: get("urgent")?,
        second_attempts_due: get("second")?,
        clinical: get("clinical")?,
        unassigned: get("unassigned")?,
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

/// Read what the weekly report of the ISO week starting `monday` shows.
pub fn read_week(config: &Config, monday: NaiveDate, metrics_dir: &Path) -> Result<WeekData> {
    let week = crate::metrics::facts::iso_week(monday);
    let weekly = measures(&scan(metrics_dir, "overall_weekly")?.collect()?, "iso_week")?;
    let categories = scan(metrics_dir, "overall_category_weekly")?
        .filter(col("iso_week").eq(lit(week.as_str())))
        .collect()?;
    let facts = scan(metrics_dir, "task_facts")?.filter(col("iso_week").eq(lit(week.as_str())));
    Ok(WeekData {
        monday,
        goal: config
            .practices
            .first()
            .map(|p| p.target_share)
            .unwrap_or(0.9),
        weekly,
        waiting: waiting_weeks(metrics_dir)?,
        days: days(metrics_dir)?,
        categories: measures(&categories, "category")?,
        facts: fact_rows(facts)?,
        backlog: backlog_rows(metrics_dir)?,
        barriers: barrier_rows(metrics_dir)?,
        missed: missed_weeks(metrics_dir)?,
        review: review(config, metrics_dir, monday + Duration::days(6))?,
        quality: quality(config, metrics_dir)?,
    })
}

/// Read what the daily review of `day` shows (outcomes observed to the end of `observed_to`).
///
/// The day and the 7 days before are a period no aggregate table holds (a
/// median does not combine across days), so their measures are computed here
/// with the aggregates' one definition, `metrics::aggregate::by`.
pub fn read_day(
    config: &Config,
    day: NaiveDate,
    observed_to: NaiveDate,
    metrics_dir: &Path,
) -> Result<DayData> {
    let facts = scan(metrics_dir, "task_facts")?;
    let recent = facts
        .clone()
        .filter(
            col("created_date")
                .gt_eq(lit(day - Duration::days(7)))
                .and(col("created_date").lt_eq(lit(day))),
        )
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
        facts: fact_rows(facts.filter(col("created_date").eq(lit(day))))?,
        review: review(config, metrics_dir, day)?,
        quality: quality(config, metrics_dir)?,
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
