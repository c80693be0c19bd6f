//! Headline numbers (summary.json); the before/after comparison is in `compare`.

use super::aggregate;
use anyhow::Result;
use polars::prelude::{col, lit, DataFrame, DataType, LazyFrame};
use serde::Serialize;

/// One headline number and the docs/METRICS.md section that defines it.
#[derive(Debug, Clone, Serialize)]
pub struct Headline {
    pub name: &'static str,
    pub definition: &'static str,
    pub value: Option<f64>,
}

/// (name in the aggregates, definition anchor) for the task-level headline numbers.
const TASK_HEADLINES: &[(&str, &str)] = &[
    ("tasks", "volume"),
    ("median_minutes_to_first_attempt", "speed-to-patient"),
    ("p90_minutes_to_first_attempt", "speed-to-patient"),
    ("within_target_share", "share-within-target"),
    ("contact_rate", "contact-rate"),
    ("completion_rate", "completion-rate"),
    ("median_minutes_to_completion", "completion-time"),
    ("booking_rate", "booking-rate"),
    ("kept_rate", "kept-rate"),
    ("voicemail_to_scheduled_rate", "voicemail-to-scheduled"),
    ("attempts_per_task", "attempts-per-task"),
    ("closed_unable_early", "attempt-discipline"),
    ("early_attempts", "attempt-discipline"),
    ("over_max_attempts", "attempt-discipline"),
    ("final_channel_misses", "attempt-discipline"),
    ("barrier_share", "barriers"),
    ("notes_poor_share", "documentation"),
    ("unowned", "unowned-tasks"),
];

fn value(df: &DataFrame, name: &str) -> Result<Option<f64>> {
    let c = df.column(name)?.cast(&DataType::Float64)?;
    Ok(c.f64()?.get(0).map(|v| (v * 1e4).round() / 1e4))
}

/// Headline numbers for a set of task facts, missed calls, recovery rows and backlog.
pub fn headlines(
    facts: LazyFrame,
    missed: LazyFrame,
    recovery: LazyFrame,
    backlog_last: (i64, i64),
) -> Result<Vec<Headline>> {
    // The times are read from the curves of all the tasks, still waiting ones
    // included (docs/METRICS.md, "speed-to-patient"), as `metrics::group` reads
    // them (one sort each; the polars plan's `curve_time` sorts three times).
    const TIMES: [&str; 3] = [
        "median_minutes_to_first_attempt",
        "p90_minutes_to_first_attempt",
        "median_minutes_to_completion",
    ];
    let exprs: Vec<_> = aggregate::metrics()
        .into_iter()
        .filter(|e| {
            e.clone()
                .meta()
                .output_name()
                .map_or(true, |n| !TIMES.contains(&n.as_str()))
        })
        .collect();
    let all = facts.clone().select(exprs).collect()?;
    let times = facts
        .select([
            col("minutes_to_first_attempt"),
            col("minutes_to_completion"),
            col("minutes_observed"),
        ])
        .collect()?;
    let (first, done) = super::waiting::pairs(&times)?;
    let (median_first, p90_first) =
        super::survival::median_p90(&mut first.into_iter().flatten().collect::<Vec<_>>());
    let (median_done, _) =
        super::survival::median_p90(&mut done.into_iter().flatten().collect::<Vec<_>>());
    let round = |v: Option<f64>| v.map(|v| (v * 1e4).round() / 1e4);
    let mut out = Vec::new();
    for (name, def) in TASK_HEADLINES {
        let value = match *name {
            "median_minutes_to_first_attempt" => round(median_first),
            "p90_minutes_to_first_attempt" => round(p90_first),
            "median_minutes_to_completion" => round(median_done),
            _ => value(&all, name)?,
        };
        out.push(Headline {
            name,
            definition: def,
            value,
        });
    }
    let m = missed
        .clone()
        .select([
            polars::prelude::len()
                .cast(DataType::Float64)
                .alias("callbacks_owed"),
            col("returned")
                .cast(DataType::Float64)
                .mean()
                .alias("missed_call_return_rate"),
            col("within_target")
                .cast(DataType::Float64)
                .mean()
                .alias("missed_call_within_target_share"),
        ])
        .collect()?;
    // Times to return from the curve of every callback that can be returned
    // (still open ones censored at as of), as `missed_calls_weekly` reads them.
    let r = missed
        .select([col("minutes_to_return"), col("minutes_observed")])
        .collect()?;
    let mut returns: Vec<(f64, bool)> = super::group::floats(&r, "minutes_to_return")?
        .into_iter()
        .zip(super::group::floats(&r, "minutes_observed")?)
        .filter_map(|(r, o)| match r {
            Some(r) => Some((r.max(0.0), true)),
            None => o.map(|o| (o, false)),
        })
        .collect();
    let (median_return, p90_return) = super::survival::median_p90(&mut returns);
    for name in [
        "callbacks_owed",
        "missed_call_return_rate",
        "missed_call_within_target_share",
        "median_minutes_to_return",
        "p90_minutes_to_return",
    ] {
        let value = match name {
            "median_minutes_to_return" => round(median_return),
            "p90_minutes_to_return" => round(p90_return),
            _ => value(&m, name)?,
        };
        out.push(Headline {
            name,
            definition: "missed-call-reconciliation",
            value,
        });
    }
    let r = recovery
        .select([
            col("rebooked")
                .filter(col("kind").eq(lit("no_show")).and(col("window_closed")))
                .cast(DataType::Float64)
                .mean()
                .alias("no_show_recovery_rate"),
            col("rebooked")
                .filter(
                    col("kind")
                        .eq(lit("cancellation"))
                        .and(col("window_closed")),
                )
                .cast(DataType::Float64)
                .mean()
                .alias("cancellation_recovery_rate"),
        ])
        .collect()?;
    for name in ["no_show_recovery_rate", "cancellation_recovery_rate"] {
        out.push(Headline {
            name,
            definition: "recovery",
            value: value(&r, name)?,
        });
    }
    out.push(Headline {
        name: "backlog_open_at_last_close",
        definition: "backlog",
        value: Some(backlog_last.0 as f64),
    });
    out.push(Headline {
        name: "backlog_overdue_at_last_close",
        definition: "backlog",
        value: Some(backlog_last.1 as f64),
    });
    Ok(out)
}
