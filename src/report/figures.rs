//! The report's charts: what each one shows, assembled from the metrics tables.

use super::charts::{self, Chart, Spec};
use super::data::{f64s, grouped, scan, strings};
use anyhow::Result;
use chrono::{Datelike, Duration, NaiveDate};
use polars::prelude::*;
use std::path::Path;

pub(super) fn category_charts(
    metrics_dir: &Path,
    week_facts: &LazyFrame,
    cat: &str,
    target: crate::config::Target,
    goal: f64,
    monday: NaiveDate,
    week: &str,
) -> Result<Vec<Chart>> {
    let mine = week_facts.clone().filter(col("category").eq(lit(cat)));
    let df = mine
        .clone()
        .select([
            col("minutes_to_first_attempt"),
            col("created_date"),
            col("met_target"),
        ])
        .collect()?;
    let empty_msg = format!("No {cat} requests in {week}");
    let empty = (df.height() == 0).then_some(empty_msg.as_str());
    let mut out = Vec::new();

    // Speed-to-patient distribution, bins scaled to the target.
    let mins: Vec<f64> = f64s(&df, "minutes_to_first_attempt")?
        .into_iter()
        .flatten()
        .collect();
    let target_min = match target {
        crate::config::Target::Minutes(m) => m as f64,
        _ => 480.0,
    };
    let bin = (target_min / 3.0).max(5.0);
    let nbins = 12usize;
    let mut counts = vec![0.0; nbins];
    for m in &mins {
        counts[((m / bin) as usize).min(nbins - 1)] += 1.0;
    }
    let x: Vec<String> = (0..nbins)
        .map(|i| {
            if i + 1 == nbins {
                format!("≥{:.0}", i as f64 * bin)
            } else {
                format!("{:.0}–{:.0}", i as f64 * bin, (i + 1) as f64 * bin)
            }
        })
        .collect();
    // Bin i is centred on i: its lower edge is at i − 0.5.
    let x_ref = matches!(target, crate::config::Target::Minutes(_)).then(|| {
        (
            target_min / bin - 0.5,
            format!("target {target_min:.0} min"),
        )
    });
    out.push(charts::render(
        &format!("{cat}_speed"),
        &format!("{cat}: time to first attempt, {week}"),
        &Spec::Bars {
            x,
            series: vec![("requests".into(), counts)],
            stacked: false,
            y_label: "requests".into(),
            x_label: "business minutes to first attempt".into(),
            x_ref,
            y_ref: None,
            percent: false,
        },
        empty.or((mins.is_empty()).then_some("No request was attempted this week")),
    )?);

    // Share within target by day.
    let by_day = mine
        .clone()
        .group_by([col("created_date")])
        .agg([col("met_target")
            .cast(DataType::Float64)
            .mean()
            .alias("share")])
        .collect()?;
    let days: Vec<NaiveDate> = (0..7).map(|d| monday + Duration::days(d)).collect();
    let dates: Vec<Option<i32>> = by_day
        .column("created_date")?
        .cast(&DataType::Int32)?
        .i32()?
        .iter()
        .collect();
    let shares = f64s(&by_day, "share")?;
    let vals: Vec<Option<f64>> = days
        .iter()
        .map(|d| {
            let n = d.num_days_from_ce() - crate::metrics::facts::EPOCH_DAYS;
            dates
                .iter()
                .position(|x| *x == Some(n))
                .and_then(|i| shares[i])
        })
        .collect();
    out.push(charts::render(
        &format!("{cat}_share_by_day"),
        &format!("{cat}: share within target by day of creation"),
        &Spec::Lines {
            x: days.iter().map(|d| d.format("%a %d").to_string()).collect(),
            series: vec![("within target".into(), vals)],
            y_label: "share within target".into(),
            x_label: "day the request was created".into(),
            y_ref: Some((goal, format!("goal {:.0}%", goal * 100.0))),
            percent: true,
        },
        empty,
    )?);

    // Funnel.
    let f = mine
        .clone()
        .select([
            len().cast(DataType::Float64).alias("tasks"),
            col("first_attempt_at")
                .is_not_null()
                .cast(DataType::Float64)
                .sum()
                .alias("attempted"),
            col("reached")
                .cast(DataType::Float64)
                .sum()
                .alias("reached"),
            col("booked").cast(DataType::Float64).sum().alias("booked"),
            col("kept").cast(DataType::Float64).sum().alias("kept"),
        ])
        .collect()?;
    let stages = ["tasks", "attempted", "reached", "booked", "kept"];
    let vals: Vec<f64> = stages
        .iter()
        .map(|s| f64s(&f, s).ok().and_then(|v| v[0]).unwrap_or(0.0))
        .collect();
    out.push(charts::render(
        &format!("{cat}_funnel"),
        &format!("{cat}: requested → attempted → reached → booked → kept"),
        &Spec::Bars {
            x: stages.iter().map(|s| s.to_string()).collect(),
            series: vec![("requests".into(), vals)],
            stacked: false,
            y_label: "requests".into(),
            x_label: "stage".into(),
            x_ref: None,
            y_ref: None,
            percent: false,
        },
        empty,
    )?);

    // Backlog at each day's close, by age.
    let sunday = monday + Duration::days(6);
    let b = scan(metrics_dir, "backlog_daily")?
        .filter(
            col("category")
                .eq(lit(cat))
                .and(col("date").gt_eq(lit(monday)))
                .and(col("date").lt_eq(lit(sunday))),
        )
        .group_by([col("date")])
        .agg(
            crate::metrics::backlog::AGE_BUCKETS
                .iter()
                .map(|(_, n)| col(*n).sum())
                .collect::<Vec<_>>(),
        )
        .sort(["date"], Default::default())
        .collect()?;
    let bdates: Vec<Option<i32>> = b
        .column("date")?
        .cast(&DataType::Int32)?
        .i32()?
        .iter()
        .collect();
    let x: Vec<String> = bdates
        .iter()
        .map(|d| {
            d.and_then(|d| {
                NaiveDate::from_num_days_from_ce_opt(d + crate::metrics::facts::EPOCH_DAYS)
            })
            .map(|d| d.format("%a %d").to_string())
            .unwrap_or_default()
        })
        .collect();
    let series: Vec<(String, Vec<f64>)> = crate::metrics::backlog::AGE_BUCKETS
        .iter()
        .map(|(_, n)| {
            Ok((
                n.trim_start_matches("age_")
                    .replace('_', "–")
                    .replace("–plus", "+"),
                f64s(&b, n)?.into_iter().map(|v| v.unwrap_or(0.0)).collect(),
            ))
        })
        .collect::<Result<_>>()?;
    out.push(charts::render(
        &format!("{cat}_backlog"),
        &format!("{cat}: open at each day's close, by age"),
        &Spec::Bars {
            x,
            series,
            stacked: true,
            y_label: "open tasks".into(),
            x_label: "business day".into(),
            x_ref: None,
            y_ref: None,
            percent: false,
        },
        (b.height() == 0).then_some("No open tasks at any close this week"),
    )?);
    Ok(out)
}

pub(super) fn across_charts(
    metrics_dir: &Path,
    week_facts: &LazyFrame,
    weeks: &[(String, NaiveDate)],
    week: &str,
) -> Result<Vec<Chart>> {
    let mut out = Vec::new();
    let hm = week_facts
        .clone()
        .group_by([col("created_weekday"), col("created_hour")])
        .agg([col("met_target")
            .cast(DataType::Float64)
            .mean()
            .alias("share")])
        .collect()?;
    let wd = f64s(&hm, "created_weekday")?;
    let hr = f64s(&hm, "created_hour")?;
    let sh = f64s(&hm, "share")?;
    let hours: Vec<u32> = (7..19).collect();
    let days = ["Mon", "Tue", "Wed", "Thu", "Fri"];
    let values: Vec<Vec<Option<f64>>> = (1..=5)
        .map(|d| {
            hours
                .iter()
                .map(|&h| {
                    (0..hm.height())
                        .find(|&i| wd[i] == Some(d as f64) && hr[i] == Some(h as f64))
                        .and_then(|i| sh[i])
                })
                .collect()
        })
        .collect();
    out.push(charts::render(
        "heatmap_within_target",
        &format!("Share within target by weekday × hour of creation, {week}"),
        &Spec::Heatmap {
            rows: days.iter().map(|s| s.to_string()).collect(),
            cols: hours.iter().map(|h| format!("{h}")).collect(),
            values,
            x_label: "hour the request was created (local)".into(),
            y_label: "weekday".into(),
        },
        (hm.height() == 0).then_some("No requests this week"),
    )?);

    let names: Vec<String> = weeks.iter().map(|(w, _)| w[5..].to_string()).collect();
    let week_ids: Vec<&str> = weeks.iter().map(|(w, _)| w.as_str()).collect();
    let weekly = |df: &DataFrame, key: &str, col_name: &str| -> Result<Vec<f64>> {
        let k = strings(df, key)?;
        let v = f64s(df, col_name)?;
        Ok(week_ids
            .iter()
            .map(|w| {
                k.iter()
                    .zip(&v)
                    .filter(|(k, _)| k.as_deref() == Some(*w))
                    .map(|(_, v)| v.unwrap_or(0.0))
                    .sum()
            })
            .collect())
    };
    let bar = scan(metrics_dir, "barriers_weekly")?
        .group_by([col("iso_week"), col("barrier")])
        .agg([col("tasks").sum()])
        .collect()?;
    let mut barrier_names: Vec<String> = strings(&bar, "barrier")?.into_iter().flatten().collect();
    barrier_names.sort();
    barrier_names.dedup();
    let mut series = Vec::new();
    for b in &barrier_names {
        let one = bar
            .clone()
            .lazy()
            .filter(col("barrier").eq(lit(b.as_str())))
            .collect()?;
        series.push((b.clone(), weekly(&one, "iso_week", "tasks")?));
    }
    out.push(charts::render(
        "barriers_by_week",
        "Barriers by week",
        &Spec::Bars {
            x: names.clone(),
            series,
            stacked: true,
            y_label: "tasks with a barrier".into(),
            x_label: "ISO week".into(),
            x_ref: None,
            y_ref: None,
            percent: false,
        },
        barrier_names.is_empty().then_some("No barriers recorded"),
    )?);

    let by_week = grouped(scan(metrics_dir, "task_facts")?, &["iso_week"])?;
    let series = vec![
        (
            "closed before approved attempts".to_string(),
            weekly(&by_week, "iso_week", "closed_unable_early")?,
        ),
        (
            "attempt sooner than the rule's gap".to_string(),
            weekly(&by_week, "iso_week", "early_attempts")?,
        ),
        (
            "more attempts than allowed".to_string(),
            weekly(&by_week, "iso_week", "over_max_attempts")?,
        ),
        (
            "final attempt by another channel".to_string(),
            weekly(&by_week, "iso_week", "final_channel_misses")?,
        ),
    ];
    out.push(charts::render(
        "attempt_discipline",
        "Attempt-discipline violations by week",
        &Spec::Bars {
            x: names.clone(),
            series,
            stacked: false,
            y_label: "tasks".into(),
            x_label: "ISO week".into(),
            x_ref: None,
            y_ref: None,
            percent: false,
        },
        by_week.height().eq(&0).then_some("No tasks"),
    )?);

    let m = scan(metrics_dir, "missed_calls_weekly")?
        .group_by([col("iso_week")])
        .agg([col("callbacks_owed").sum(), col("returned").sum()])
        .collect()?;
    let owed = weekly(&m, "iso_week", "callbacks_owed")?;
    let returned = weekly(&m, "iso_week", "returned")?;
    out.push(charts::render(
        "missed_call_returns",
        "Missed calls: callbacks owed and returned, by week",
        &Spec::Bars {
            x: names,
            series: vec![
                ("callbacks owed".into(), owed),
                ("returned".into(), returned),
            ],
            stacked: false,
            y_label: "callbacks".into(),
            x_label: "ISO week".into(),
            x_ref: None,
            y_ref: None,
            percent: false,
        },
        (m.height() == 0).then_some("No missed calls"),
    )?);
    Ok(out)
}
