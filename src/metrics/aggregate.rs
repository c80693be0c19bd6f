//! Aggregates of task_facts by dimension (docs/METRICS.md, "Aggregates").

use polars::prelude::{
    col, len, lit, when, DataFrame, DataType, Expr, LazyFrame, NamedFrom, PolarsResult, Series,
    SortMultipleOptions,
};

/// Output table name and its grouping columns.
pub const DIMENSIONS: &[(&str, &[&str])] = &[
    ("by_practice", &["practice_id"]),
    ("by_category", &["practice_id", "category"]),
    ("by_lane", &["practice_id", "lane"]),
    ("by_owner", &["practice_id", "owner"]),
    ("by_day", &["practice_id", "created_date"]),
    ("by_week", &["practice_id", "iso_week"]),
    ("by_category_week", &["practice_id", "category", "iso_week"]),
    (
        "by_weekday_hour",
        &["practice_id", "created_weekday", "created_hour"],
    ),
    (
        "by_category_weekday_hour",
        &["practice_id", "category", "created_weekday", "created_hour"],
    ),
];

fn share(c: &str) -> Expr {
    col(c).cast(DataType::Float64).mean()
}

/// The time at which the Kaplan–Meier curve of a group's tasks falls to
/// `share` or below (docs/METRICS.md, "time-to-event"): a task is an event at
/// `event` minutes (below 0 counts as 0) when it has one, else censored at its
/// `minutes_observed`. Rows in time order, events first at a tie; at row k of
/// n, S is multiplied by 1 − event ÷ (n − k). Across a tie of d events among r
/// at risk that product is 1 − d ÷ r, the curve's step, so the first row at or
/// below `share` (tolerance 1e-9) has the curve's time. `metrics::group` and
/// `survival::kaplan_meier` compute the same.
pub fn curve_time(event: &str, share: f64) -> Expr {
    curve_time_of(event, "minutes_observed", share)
}

/// `curve_time` with the censoring times in `observed`.
pub fn curve_time_of(event: &str, observed: &str, share: f64) -> Expr {
    let happened = col(event).is_not_null();
    let t = when(happened.clone())
        .then(
            when(col(event).lt(lit(0.0)))
                .then(lit(0.0))
                .otherwise(col(event).cast(DataType::Float64)),
        )
        .otherwise(col(observed).cast(DataType::Float64));
    // Tasks with neither time sort last and are never at risk.
    let known = t.clone().is_not_null().cast(DataType::Float64);
    let e = happened.cast(DataType::Float64);
    let order = SortMultipleOptions::default()
        .with_order_descending_multi([false, true])
        .with_nulls_last(true);
    let sorted = |x: Expr| x.sort_by([t.clone(), e.clone()], order.clone());
    let at_risk = sorted(known).cum_sum(true);
    let factor = when(at_risk.clone().gt(lit(0.0)))
        .then(lit(1.0) - sorted(e.clone()) / at_risk)
        .otherwise(lit(1.0));
    let s = factor.cum_prod(false);
    sorted(t.clone()).filter(s.lt_eq(lit(share + 1e-9))).first()
}

fn ratio(num: Expr, den: Expr) -> Expr {
    let den = den.cast(DataType::Float64);
    when(den.clone().gt(lit(0.0)))
        .then(num.cast(DataType::Float64) / den)
        .otherwise(lit(polars::prelude::Null {}).cast(DataType::Float64))
}

fn count(e: Expr) -> Expr {
    e.cast(DataType::Int64).sum()
}

/// The metric columns, in output order. Each name is defined in docs/METRICS.md.
pub fn metrics() -> Vec<Expr> {
    let notes = col("notes_poor") + col("notes_partial") + col("notes_complete");
    vec![
        len().cast(DataType::Int64).alias("tasks"),
        count(col("first_attempt_at").is_not_null()).alias("attempted"),
        curve_time("minutes_to_first_attempt", 0.5).alias("median_minutes_to_first_attempt"),
        curve_time("minutes_to_first_attempt", 0.1).alias("p90_minutes_to_first_attempt"),
        count(col("met_target").is_not_null()).alias("due"),
        count(col("met_target").fill_null(lit(false))).alias("within_target"),
        share("met_target").alias("within_target_share"),
        share("reached").alias("contact_rate"),
        share("terminal").alias("completion_rate"),
        curve_time("minutes_to_completion", 0.5).alias("median_minutes_to_completion"),
        share("booked").alias("booking_rate"),
        share("kept").alias("kept_rate"),
        count(col("left_message")).alias("left_message"),
        ratio(
            count(col("left_message").and(col("booked"))),
            count(col("left_message")),
        )
        .alias("voicemail_to_scheduled_rate"),
        col("attempts")
            .cast(DataType::Float64)
            .mean()
            .alias("attempts_per_task"),
        count(col("closed_unable_early")).alias("closed_unable_early"),
        count(col("early_attempt")).alias("early_attempts"),
        count(col("over_max_attempts")).alias("over_max_attempts"),
        count(col("final_channel_ok").eq(lit(false))).alias("final_channel_misses"),
        count(col("barrier").is_not_null()).alias("with_barrier"),
        share_of(col("barrier").is_not_null()).alias("barrier_share"),
        ratio(col("notes_poor").sum(), notes.sum()).alias("notes_poor_share"),
        count(col("unowned")).alias("unowned"),
        count(
            col("deadline_at")
                .is_not_null()
                .and(col("met_target").is_null()),
        )
        .alias("undecided"),
        mature_share("reached_in_age", "reached_in_age").alias("reached_in_age_rate"),
        mature_share("completed_in_age", "completed_in_age").alias("completed_in_age_rate"),
        mature_share("booked_in_age", "booked_in_age").alias("booked_in_age_rate"),
        mature_share("kept_in_age", "visit_in_age").alias("kept_in_age_rate"),
        count(col("kept_in_age").is_not_null()).alias("visits_in_age"),
    ]
}

/// The share of `c` when no row of the group has `gate` empty (every task is
/// old enough for the outcome), else empty (docs/METRICS.md, "maturity").
fn mature_share(c: &str, gate: &str) -> Expr {
    when(col(gate).null_count().eq(lit(0)))
        .then(share(c))
        .otherwise(lit(polars::prelude::Null {}).cast(DataType::Float64))
}

fn share_of(e: Expr) -> Expr {
    e.cast(DataType::Float64).mean()
}

/// Every aggregate table, in output order, from task facts, missed calls and
/// recovery rows. Each is grouped by practice first, so the groups of a subset of
/// practices are final, and the tables of practices computed apart, concatenated in
/// practice order, are the tables of them all.
pub fn all(
    task_facts: LazyFrame,
    missed: LazyFrame,
    recovery: LazyFrame,
) -> Vec<(&'static str, LazyFrame)> {
    tables(task_facts, missed, recovery, true)
}

/// `all` for the rows of one practice, computed without grouping by `practice_id`
/// (a constant there) and collected: the same tables. Runs compute them with
/// `group::one_practice` instead, at less cost; this is its reference in tests.
#[cfg(test)]
pub fn one_practice(
    practice: &str,
    task_facts: LazyFrame,
    missed: LazyFrame,
    recovery: LazyFrame,
) -> PolarsResult<Vec<DataFrame>> {
    let lfs: Vec<LazyFrame> = tables(task_facts, missed, recovery, false)
        .into_iter()
        .map(|(_, lf)| lf)
        .collect();
    let opt = lfs[0].get_current_optimizations();
    // One multi-plan collect: the inputs are scanned and shared once.
    let dfs = LazyFrame::collect_all_with_engine(
        lfs.into_iter().map(|lf| lf.logical_plan).collect(),
        polars::prelude::Engine::Auto,
        opt,
    )?;
    dfs.into_iter()
        .map(|df| with_practice(practice, df))
        .collect()
}

/// Put the constant `practice_id` column first.
pub fn with_practice(practice: &str, mut df: DataFrame) -> PolarsResult<DataFrame> {
    let id = Series::new("practice_id".into(), vec![practice; df.height()]);
    df.insert_column(0, id.into())?;
    Ok(df)
}

/// Every aggregate table's name and grouping columns, in output order.
pub fn names() -> Vec<(&'static str, &'static [&'static str])> {
    let mut v: Vec<(&'static str, &'static [&'static str])> = vec![
        ("missed_calls_weekly", &["practice_id", "iso_week"]),
        ("recovery_weekly", &["practice_id", "iso_week", "kind"]),
        ("barriers_weekly", &["practice_id", "iso_week", "category"]),
    ];
    v.extend(DIMENSIONS.iter().copied());
    v
}

fn tables(
    task_facts: LazyFrame,
    missed: LazyFrame,
    recovery: LazyFrame,
    by_practice: bool,
) -> Vec<(&'static str, LazyFrame)> {
    names()
        .into_iter()
        .map(|(name, k)| {
            let k: Vec<&str> = k
                .iter()
                .copied()
                .filter(|c| by_practice || *c != "practice_id")
                .collect();
            let lf = match name {
                "missed_calls_weekly" => missed_weekly(missed.clone(), &k),
                "recovery_weekly" => recovery_weekly(recovery.clone(), &k),
                "barriers_weekly" => barriers(task_facts.clone(), &k),
                _ => by(task_facts.clone(), &k),
            };
            (name, lf)
        })
        .collect()
}

/// Group task facts (lazily) by one dimension, sorted by its columns.
pub fn by(facts: LazyFrame, keys: &[&str]) -> LazyFrame {
    if keys.is_empty() {
        // One group of every row; none when there are no rows, as a group-by gives.
        return facts.select(metrics()).filter(col("tasks").gt(lit(0)));
    }
    facts
        .group_by(keys.iter().map(|k| col(*k)).collect::<Vec<_>>())
        .agg(metrics())
        .sort(
            keys.iter().copied(),
            SortMultipleOptions::default().with_nulls_last(true),
        )
}

/// Barrier counts and shares by week and category.
fn barriers(facts: LazyFrame, keys: &[&str]) -> LazyFrame {
    let cols = || keys.iter().map(|k| col(*k)).collect::<Vec<_>>();
    let totals = facts
        .clone()
        .group_by(cols())
        .agg([len().cast(DataType::Int64).alias("category_tasks")]);
    let mut with_barrier = cols();
    with_barrier.push(col("barrier"));
    let mut order: Vec<&str> = keys.to_vec();
    order.push("barrier");
    facts
        .filter(col("barrier").is_not_null())
        .group_by(with_barrier)
        .agg([len().cast(DataType::Int64).alias("tasks")])
        .join(
            totals,
            cols(),
            cols(),
            polars::prelude::JoinArgs::new(polars::prelude::JoinType::Left),
        )
        .with_column(
            (col("tasks").cast(DataType::Float64) / col("category_tasks").cast(DataType::Float64))
                .alias("share"),
        )
        .sort(order, SortMultipleOptions::default())
}

/// Recovery rates by week and kind, over the events whose window has closed.
fn recovery_weekly(recovery: LazyFrame, keys: &[&str]) -> LazyFrame {
    let closed = col("window_closed");
    recovery
        .group_by(keys.iter().map(|k| col(*k)).collect::<Vec<_>>())
        .agg([
            len().cast(DataType::Int64).alias("events"),
            count(closed.clone()).alias("window_closed"),
            count(col("rebooked").and(closed.clone())).alias("rebooked"),
            col("rebooked")
                .filter(closed.clone())
                .cast(DataType::Float64)
                .mean()
                .alias("recovery_rate"),
            col("days_to_rebook")
                .filter(closed)
                .median()
                .alias("median_days_to_rebook"),
        ])
        .sort(keys.iter().copied(), SortMultipleOptions::default())
}

/// Missed-call returns by week.
fn missed_weekly(missed: LazyFrame, keys: &[&str]) -> LazyFrame {
    missed
        .group_by(keys.iter().map(|k| col(*k)).collect::<Vec<_>>())
        .agg([
            len().cast(DataType::Int64).alias("callbacks_owed"),
            col("missed_count")
                .cast(DataType::Int64)
                .sum()
                .alias("missed_calls"),
            count(col("returned")).alias("returned"),
            count(col("return_kind").eq(lit("patient_called_back"))).alias("patient_called_back"),
            share("within_target").alias("within_target_share"),
            curve_time_of("minutes_to_return", "minutes_observed", 0.5)
                .alias("median_minutes_to_return"),
            curve_time_of("minutes_to_return", "minutes_observed", 0.1)
                .alias("p90_minutes_to_return"),
            count(col("unreturnable")).alias("unreturnable"),
        ])
        .sort(keys.iter().copied(), SortMultipleOptions::default())
}
