//! "What needs attention": findings generated from the data, each with its evidence.

use super::data::{f64s, grouped, strings};
use anyhow::Result;
use polars::prelude::*;

/// Minimum tasks on each side of a comparison before it is called a finding.
const MIN_N: f64 = 10.0;

fn pct(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

/// A category whose share within target drops after a given hour.
pub struct Slip {
    pub category: String,
    /// The finding as the report says it, with its evidence.
    pub text: String,
}

/// Share within target before and after `hour` for each minute-target category.
pub fn afternoon_slips(week_facts: &LazyFrame, hour: i32) -> Result<Vec<Slip>> {
    let df = week_facts
        .clone()
        .filter(col("target").str().ends_with(lit("business minutes")))
        .with_column(col("created_hour").gt_eq(lit(hour)).alias("late"))
        .group_by([col("category"), col("late"), col("target")])
        .agg([
            col("met_target")
                .cast(DataType::Float64)
                .mean()
                .alias("share"),
            col("met_target")
                .is_not_null()
                .cast(DataType::Float64)
                .sum()
                .alias("n"),
        ])
        .sort(["category", "late"], Default::default())
        .collect()?;
    let cats = strings(&df, "category")?;
    let late: Vec<Option<bool>> = df.column("late")?.bool()?.iter().collect();
    let target = strings(&df, "target")?;
    let share = f64s(&df, "share")?;
    let n = f64s(&df, "n")?;
    let mut out = Vec::new();
    for i in 0..df.height() {
        // Rows come in (early, late) pairs per category.
        if late[i] != Some(false) || i + 1 >= df.height() || cats[i + 1] != cats[i] {
            continue;
        }
        let (Some(a), Some(b), Some(na), Some(nb)) = (share[i], share[i + 1], n[i], n[i + 1])
        else {
            continue;
        };
        if na >= MIN_N && nb >= MIN_N && a - b >= 0.2 {
            let minutes = target[i]
                .as_deref()
                .unwrap_or("")
                .replace(" business minutes", " min");
            let category = cats[i].as_deref().unwrap_or("?").to_string();
            let text = format!(
                "{category}: {} within {minutes} for requests created from {hour}:00 vs {} before ({} vs {} requests).",
                pct(b),
                pct(a),
                nb as u64,
                na as u64
            );
            out.push(Slip { category, text });
        }
    }
    Ok(out)
}

/// Which other categories peak in the same afternoon block (their share of the day's volume).
pub fn competing_work(
    week_facts: &LazyFrame,
    hour: i32,
    exclude: &[&str],
) -> Result<Option<String>> {
    let df = week_facts
        .clone()
        // Weekday business hours only: night-time web requests would dilute every share.
        .filter(
            col("created_weekday")
                .lt_eq(lit(5))
                .and(col("created_hour").gt_eq(lit(8)))
                .and(col("created_hour").lt(lit(17))),
        )
        .with_column(
            col("created_hour")
                .gt_eq(lit(hour))
                .and(col("created_hour").lt(lit(17)))
                .alias("block"),
        )
        .group_by([col("category")])
        .agg([
            col("block")
                .cast(DataType::Float64)
                .mean()
                .alias("block_share"),
            len().cast(DataType::Float64).alias("n"),
        ])
        .sort(["category"], Default::default())
        .collect()?;
    let cats = strings(&df, "category")?;
    let share = f64s(&df, "block_share")?;
    let n = f64s(&df, "n")?;
    let mut peaks: Vec<String> = Vec::new();
    for i in 0..df.height() {
        let c = cats[i].clone().unwrap_or_default();
        // The block is (17 - hour) of 9 business hours: a category with a quarter more
        // than that share of its weekday requests in the block is peaking there.
        let fair = (17 - hour) as f64 / 9.0;
        if !exclude.contains(&c.as_str())
            && n[i].unwrap_or(0.0) >= MIN_N
            && share[i].unwrap_or(0.0) >= 1.25 * fair
        {
            peaks.push(format!(
                "{c} ({} of its weekday requests)",
                pct(share[i].unwrap_or(0.0))
            ));
        }
    }
    Ok((!peaks.is_empty()).then(|| {
        format!(
            "Work that peaks in the same {hour}:00–17:00 block competes for the same staff: {}.",
            peaks.join(", ")
        )
    }))
}

/// Owners whose open backlog at the week's last close grew three weeks running.
pub fn growing_backlogs(
    backlog: &LazyFrame,
    weeks: &[(String, chrono::NaiveDate)],
) -> Result<Vec<String>> {
    // Open tasks per owner at each week's last business-day close.
    let mut per_week: Vec<std::collections::BTreeMap<String, i64>> = Vec::new();
    for (_, sunday) in weeks.iter().rev().take(4).rev() {
        let monday = *sunday - chrono::Duration::days(6);
        let df = backlog
            .clone()
            .filter(
                col("date")
                    .gt_eq(lit(monday))
                    .and(col("date").lt_eq(lit(*sunday))),
            )
            .filter(col("date").eq(col("date").max()))
            .group_by([col("owner")])
            .agg([col("open").sum().alias("open")])
            .collect()?;
        let owners = strings(&df, "owner")?;
        let open = f64s(&df, "open")?;
        per_week.push(
            owners
                .into_iter()
                .zip(open)
                .map(|(o, v)| {
                    (
                        o.unwrap_or_else(|| "(unassigned)".into()),
                        v.unwrap_or(0.0) as i64,
                    )
                })
                .collect(),
        );
    }
    let mut out = Vec::new();
    if per_week.len() == 4 {
        for owner in per_week[3].keys() {
            let v: Vec<i64> = per_week
                .iter()
                .map(|m| m.get(owner).copied().unwrap_or(0))
                .collect();
            if v[0] < v[1] && v[1] < v[2] && v[2] < v[3] {
                out.push(format!(
                    "Backlog of {owner} grew three weeks running: {} → {} → {} → {} open at the week's last close.",
                    v[0], v[1], v[2], v[3]
                ));
            }
        }
    }
    Ok(out)
}

/// Barriers that at least doubled week over week (and reached 5).
pub fn doubled_barriers(barriers: &LazyFrame, week: &str, prev: &str) -> Result<Vec<String>> {
    let df = barriers
        .clone()
        .filter(
            col("iso_week")
                .eq(lit(week))
                .or(col("iso_week").eq(lit(prev))),
        )
        .group_by([col("barrier"), col("iso_week")])
        .agg([col("tasks").sum().alias("tasks")])
        .collect()?;
    let b = strings(&df, "barrier")?;
    let w = strings(&df, "iso_week")?;
    let t = f64s(&df, "tasks")?;
    let get = |barrier: &str, wk: &str| {
        (0..df.height())
            .find(|&i| b[i].as_deref() == Some(barrier) && w[i].as_deref() == Some(wk))
            .and_then(|i| t[i])
            .unwrap_or(0.0)
    };
    let mut names: Vec<String> = b.iter().flatten().cloned().collect();
    names.sort();
    names.dedup();
    Ok(names
        .into_iter()
        .filter_map(|name| {
            let (now, before) = (get(&name, week), get(&name, prev));
            (now >= 5.0 && now >= 2.0 * before.max(1.0)).then(|| {
                format!(
                    "Barrier {name} doubled: {} tasks in {week} vs {} in {prev}.",
                    now as u64, before as u64
                )
            })
        })
        .collect())
}

/// Tasks closed as unable to reach before the approved attempts were made.
pub fn early_closures(week_facts: &LazyFrame) -> Result<Vec<String>> {
    let df = grouped(week_facts.clone(), &["category"])?;
    let cats = strings(&df, "category")?;
    let n = f64s(&df, "closed_unable_early")?;
    let mut parts = Vec::new();
    for i in 0..df.height() {
        if let (Some(c), Some(v)) = (&cats[i], n[i]) {
            if v > 0.0 {
                parts.push(format!("{c} {}", v as u64));
            }
        }
    }
    Ok((!parts.is_empty())
        .then(|| {
            format!(
                "Closed as unable to reach before the approved attempts were made: {}.",
                parts.join(", ")
            )
        })
        .into_iter()
        .collect())
}
