//! Aggregates of task_facts by dimension (docs/METRICS.md, "Aggregates").

use polars::prelude::{
    col, len, lit, when, DataType, Expr, LazyFrame, QuantileMethod, SortMultipleOptions,
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
        col("minutes_to_first_attempt")
            .median()
            .alias("median_minutes_to_first_attempt"),
        col("minutes_to_first_attempt")
            .quantile(lit(0.9), QuantileMethod::Linear)
            .alias("p90_minutes_to_first_attempt"),
        count(col("met_target").is_not_null()).alias("due"),
        count(col("met_target").fill_null(lit(false))).alias("within_target"),
        share("met_target").alias("within_target_share"),
        share("reached").alias("contact_rate"),
        share("terminal").alias("completion_rate"),
        col("minutes_to_completion")
            .median()
            .alias("median_minutes_to_completion"),
        share("booked").alias("booking_rate"),
        ratio(count(col("kept")), count(col("booked"))).alias("kept_rate"),
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
    ]
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
    let mut out = vec![
        ("missed_calls_weekly", missed_weekly(missed)),
        ("recovery_weekly", recovery_weekly(recovery)),
        ("barriers_weekly", barriers(task_facts.clone())),
    ];
    for (name, keys) in DIMENSIONS {
        out.push((*name, by(task_facts.clone(), keys)));
    }
    out
}

/// Group task facts (lazily) by one dimension, sorted by its columns.
pub fn by(facts: LazyFrame, keys: &[&str]) -> LazyFrame {
    facts
        .group_by(keys.iter().map(|k| col(*k)).collect::<Vec<_>>())
        .agg(metrics())
        .sort(
            keys.iter().copied(),
            SortMultipleOptions::default().with_nulls_last(true),
        )
}

/// Barrier counts and shares by week and category.
pub fn barriers(facts: LazyFrame) -> LazyFrame {
    let keys = ["practice_id", "iso_week", "category"];
    let totals = facts
        .clone()
        .group_by(keys.map(col))
        .agg([len().cast(DataType::Int64).alias("category_tasks")]);
    facts
        .filter(col("barrier").is_not_null())
        .group_by([
            col("practice_id"),
            col("iso_week"),
            col("category"),
            col("barrier"),
        ])
        .agg([len().cast(DataType::Int64).alias("tasks")])
        .join(
            totals,
            keys.map(col),
            keys.map(col),
            polars::prelude::JoinArgs::new(polars::prelude::JoinType::Left),
        )
        .with_column(
            (col("tasks").cast(DataType::Float64) / col("category_tasks").cast(DataType::Float64))
                .alias("share"),
        )
        .sort(
            ["practice_id", "iso_week", "category", "barrier"],
            SortMultipleOptions::default(),
        )
}

/// Recovery rates by week and kind.
pub fn recovery_weekly(recovery: LazyFrame) -> LazyFrame {
    recovery
        .group_by([col("practice_id"), col("iso_week"), col("kind")])
        .agg([
            len().cast(DataType::Int64).alias("events"),
            count(col("rebooked")).alias("rebooked"),
            share("rebooked").alias("recovery_rate"),
            col("days_to_rebook")
                .median()
                .alias("median_days_to_rebook"),
        ])
        .sort(
            ["practice_id", "iso_week", "kind"],
            SortMultipleOptions::default(),
        )
}

/// Missed-call returns by week.
pub fn missed_weekly(missed: LazyFrame) -> LazyFrame {
    missed
        .group_by([col("practice_id"), col("iso_week")])
        .agg([
            len().cast(DataType::Int64).alias("callbacks_owed"),
            col("missed_count")
                .cast(DataType::Int64)
                .sum()
                .alias("missed_calls"),
            count(col("returned")).alias("returned"),
            count(col("return_kind").eq(lit("patient_called_back"))).alias("patient_called_back"),
            share("within_target").alias("within_target_share"),
            col("minutes_to_return")
                .median()
                .alias("median_minutes_to_return"),
            col("minutes_to_return")
                .quantile(lit(0.9), QuantileMethod::Linear)
                .alias("p90_minutes_to_return"),
            count(col("unreturnable")).alias("unreturnable"),
        ])
        .sort(["practice_id", "iso_week"], SortMultipleOptions::default())
}
