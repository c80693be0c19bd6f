//! The weekly report: headline numbers against targets, a section per category,
//! findings, the longest waits, the daily review and data quality, as one
//! self-contained HTML file and the same content in Markdown, with charts as SVG
//! (inline) and PNG. Everything is read from the metrics tables.

pub mod charts;
pub mod data;
pub mod findings;
pub mod markup;
mod render;

use crate::config::Config;
use anyhow::{Context, Result};
use charts::{Chart, Spec};
use chrono::{Datelike, Duration, NaiveDate};
use data::{f64s, grouped, scan, strings};
use markup::{sparkline, Table};
use polars::prelude::*;
use std::path::{Path, PathBuf};

/// Weeks of trend in the report.
pub const TREND_WEEKS: i64 = 13;

/// A finished report, ready to render.
pub struct Report {
    pub title: String,
    pub week: String,
    pub subtitle: String,
    pub headlines: Table,
    pub findings: Vec<String>,
    pub sections: Vec<Section>,
    pub charts: Vec<Chart>,
}

/// A titled part of the report: text, an optional table, chart indexes.
pub struct Section {
    pub title: String,
    pub text: Vec<String>,
    pub table: Option<Table>,
    pub charts: Vec<usize>,
}

/// Parse `2026-W47` into the Monday of that ISO week.
pub fn parse_week(s: &str) -> Result<NaiveDate, String> {
    let (y, w) = s
        .split_once("-W")
        .ok_or_else(|| format!("{s}: write an ISO week as YYYY-Www, e.g. 2026-W47"))?;
    let (y, w): (i32, u32) = (
        y.parse().map_err(|_| format!("{s}: bad year"))?,
        w.parse().map_err(|_| format!("{s}: bad week"))?,
    );
    NaiveDate::from_isoywd_opt(y, w, chrono::Weekday::Mon)
        .ok_or_else(|| format!("{s}: no such ISO week"))
}

/// The last complete ISO week on or before `latest` (a Sunday completes its week).
pub fn last_complete_week(latest: NaiveDate) -> NaiveDate {
    let monday = latest - Duration::days(latest.weekday().num_days_from_monday() as i64);
    if latest.weekday() == chrono::Weekday::Sun {
        monday
    } else {
        monday - Duration::weeks(1)
    }
}

fn week_label(monday: NaiveDate) -> String {
    crate::metrics::facts::iso_week(monday)
}

fn pct(v: Option<f64>) -> String {
    v.map(|v| format!("{:.0}%", v * 100.0))
        .unwrap_or_else(|| "–".into())
}

fn num(v: Option<f64>) -> String {
    v.map(|v| {
        if v.fract() == 0.0 {
            format!("{v:.0}")
        } else {
            format!("{v:.1}")
        }
    })
    .unwrap_or_else(|| "–".into())
}

fn minutes(v: Option<f64>) -> String {
    v.map(|m| {
        if m >= 120.0 {
            format!("{:.1} h", m / 60.0)
        } else {
            format!("{m:.0} min")
        }
    })
    .unwrap_or_else(|| "–".into())
}

/// Build the report for the ISO week starting `monday` from metrics tables in `metrics_dir`.
pub fn build(config: &Config, monday: NaiveDate, metrics_dir: &Path) -> Result<Report> {
    let sunday = monday + Duration::days(6);
    let week = week_label(monday);
    let prev = week_label(monday - Duration::weeks(1));
    let weeks: Vec<(String, NaiveDate)> = (0..TREND_WEEKS)
        .rev()
        .map(|k| {
            let m = monday - Duration::weeks(k);
            (week_label(m), m + Duration::days(6))
        })
        .collect();
    let goal = config
        .practices
        .first()
        .map(|p| p.target_share)
        .unwrap_or(0.9);
    let facts = scan(metrics_dir, "task_facts")?;
    let week_facts = facts.clone().filter(col("iso_week").eq(lit(week.as_str())));
    let mut charts: Vec<Chart> = Vec::new();
    let mut sections = Vec::new();

    // Headline numbers, week over week, with the 13-week trend.
    let by_week = grouped(facts.clone(), &["iso_week"])?;
    let labels = strings(&by_week, "iso_week")?;
    let at = |w: &str| labels.iter().position(|l| l.as_deref() == Some(w));
    let mut headlines = Table::new(&[
        "measure",
        "this week",
        "last week",
        "change",
        "13-week trend",
        "goal",
    ]);
    let rows: [(&str, &str, bool); 9] = [
        ("tasks", "requests", false),
        (
            "within_target_share",
            "share first attempted within target",
            true,
        ),
        (
            "median_minutes_to_first_attempt",
            "median time to first attempt (business time)",
            false,
        ),
        (
            "p90_minutes_to_first_attempt",
            "90th percentile time to first attempt (business time)",
            false,
        ),
        ("contact_rate", "patients reached", true),
        ("completion_rate", "tasks completed", true),
        ("booking_rate", "tasks that booked an appointment", true),
        ("kept_rate", "booked appointments kept", true),
        (
            "closed_unable_early",
            "closed before the approved attempts",
            false,
        ),
    ];
    for (col_name, label, share) in rows {
        let vals = f64s(&by_week, col_name)?;
        let this = at(&week).and_then(|i| vals[i]);
        let last = at(&prev).and_then(|i| vals[i]);
        let trend: Vec<Option<f64>> = weeks
            .iter()
            .map(|(w, _)| at(w).and_then(|i| vals[i]))
            .collect();
        let change = match (this, last) {
            (Some(a), Some(b)) if share => format!("{:+.0} pts", (a - b) * 100.0),
            (Some(a), Some(b)) if col_name.contains("minutes") => format!("{:+.0} min", a - b),
            (Some(a), Some(b)) => format!("{:+.0}", a - b),
            _ => "–".into(),
        };
        let fmt = |v| {
            if share {
                pct(v)
            } else if col_name.contains("minutes") {
                minutes(v)
            } else {
                num(v)
            }
        };
        let goal_cell = if col_name == "within_target_share" {
            pct(Some(goal))
        } else {
            String::new()
        };
        headlines.push(vec![
            label.to_string(),
            fmt(this),
            fmt(last),
            change,
            sparkline(&trend),
            goal_cell,
        ]);
    }
    let trend_share: Vec<Option<f64>> = {
        let v = f64s(&by_week, "within_target_share")?;
        weeks
            .iter()
            .map(|(w, _)| at(w).and_then(|i| v[i]))
            .collect()
    };
    let week_names: Vec<String> = weeks.iter().map(|(w, _)| w[5..].to_string()).collect();
    charts.push(charts::render(
        "trend_within_target",
        "Share first attempted within target, 13 weeks",
        &Spec::Lines {
            x: week_names.clone(),
            series: vec![("all categories".into(), trend_share.clone())],
            y_label: "share within target".into(),
            x_label: "ISO week".into(),
            y_ref: Some((goal, format!("goal {:.0}%", goal * 100.0))),
            percent: true,
        },
        trend_share
            .iter()
            .all(Option::is_none)
            .then_some("No requests in these weeks"),
    )?);

    // Findings.
    let mut found = findings::afternoon_slips(&week_facts, 14)?;
    if !found.is_empty() {
        let slipping: Vec<String> = found
            .iter()
            .filter_map(|f| f.split(':').next().map(str::to_string))
            .collect();
        let ex: Vec<&str> = slipping.iter().map(String::as_str).collect();
        found.extend(findings::competing_work(&week_facts, 14, &ex)?);
    }
    found.extend(findings::growing_backlogs(
        &scan(metrics_dir, "backlog_daily")?,
        &weeks,
    )?);
    found.extend(findings::doubled_barriers(
        &scan(metrics_dir, "barriers_weekly")?,
        &week,
        &prev,
    )?);
    found.extend(findings::early_closures(&week_facts)?);

    // One section per category.
    let by_cat = grouped(week_facts.clone(), &["category"])?;
    let cat_names = strings(&by_cat, "category")?;
    let mut cat_table = Table::new(&[
        "category",
        "target",
        "requests",
        "median",
        "p90",
        "within target",
        "reached",
        "completed",
        "booked",
        "kept",
    ]);
    let mut cat_sections = Vec::new();
    for p_cat in config
        .practices
        .first()
        .map(|p| p.categories.values().collect::<Vec<_>>())
        .unwrap_or_default()
    {
        let name = p_cat.name.as_str();
        let i = cat_names.iter().position(|c| c.as_deref() == Some(name));
        let get =
            |c: &str| -> Result<Option<f64>> { Ok(i.and_then(|i| f64s(&by_cat, c).ok()?[i])) };
        cat_table.push(vec![
            name.to_string(),
            p_cat.target.to_string(),
            num(get("tasks")?),
            minutes(get("median_minutes_to_first_attempt")?),
            minutes(get("p90_minutes_to_first_attempt")?),
            pct(get("within_target_share")?),
            pct(get("contact_rate")?),
            pct(get("completion_rate")?),
            pct(get("booking_rate")?),
            pct(get("kept_rate")?),
        ]);
        let first = charts.len();
        charts.extend(category_charts(
            metrics_dir,
            &week_facts,
            name,
            p_cat.target,
            goal,
            monday,
            &week,
        )?);
        cat_sections.push(Section {
            title: format!("Category: {name}"),
            text: vec![format!(
                "Target: {}; {} attempts at most, {} business day(s) apart, final attempt by {}.",
                p_cat.target, p_cat.max_attempts, p_cat.min_gap_days, p_cat.final_channel
            )],
            table: None,
            charts: (first..charts.len()).collect(),
        });
    }
    sections.push(Section {
        title: "Categories this week".into(),
        text: vec!["Outcomes are observed up to the end of the week, so the latest requests have had the least time to be reached, completed or booked.".into()],
        table: Some(cat_table),
        charts: vec![],
    });
    sections.extend(cat_sections);

    // Across categories.
    let first = charts.len();
    charts.extend(across_charts(metrics_dir, &week_facts, &weeks, &week)?);
    sections.push(Section {
        title: "Across categories".into(),
        text: vec!["Heatmap cells are the share of requests created in that weekday and hour that were first attempted within target (blue: in target, vermillion: missed; grey: no requests).".into()],
        table: None,
        charts: (first..charts.len()).collect(),
    });

    sections.push(longest_waits(config, &week_facts, sunday)?);
    sections.push(daily_review(metrics_dir, &facts, sunday)?);
    sections.push(data_quality(config, metrics_dir)?);

    let practices: Vec<&str> = config.practices.iter().map(|p| p.name.as_str()).collect();
    Ok(Report {
        title: format!("Follow-up weekly report, {week}"),
        week: week.clone(),
        subtitle: format!(
            "{} to {} · {} · goal: {:.0}% of requests first attempted within target",
            monday,
            sunday,
            if practices.len() <= 3 {
                practices.join(", ")
            } else {
                format!("{} practices", practices.len())
            },
            goal * 100.0
        ),
        headlines,
        findings: found,
        sections,
        charts,
    })
}

fn category_charts(
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

fn across_charts(
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

fn longest_waits(config: &Config, week_facts: &LazyFrame, sunday: NaiveDate) -> Result<Section> {
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
    let w = crate::metrics::window(config, sunday, sunday, None);
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
                (
                    cal.minutes_between(created[i].unwrap_or(0.0) as i64, w.as_of),
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

fn daily_review(metrics_dir: &Path, facts: &LazyFrame, sunday: NaiveDate) -> Result<Section> {
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
            col("category")
                .eq(lit("clinical_question"))
                .or(col("status").eq(lit("needs_clinical_review")))
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

fn data_quality(config: &Config, metrics_dir: &Path) -> Result<Section> {
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

/// Files written by `write`.
pub struct Written {
    pub html: PathBuf,
    pub markdown: PathBuf,
    pub charts: usize,
}

/// Render and write `<out>/<week>/report.html`, `report.md` and `charts/*.svg|png`.
pub fn write(report: &Report, out: &Path) -> Result<Written> {
    let dir = out.join(&report.week);
    let charts_dir = dir.join("charts");
    std::fs::create_dir_all(&charts_dir)
        .with_context(|| format!("creating {}", charts_dir.display()))?;
    for c in &report.charts {
        crate::lake::write_bytes_atomic(
            &charts_dir.join(format!("{}.svg", c.name)),
            c.svg.as_bytes(),
        )?;
        crate::lake::write_bytes_atomic(&charts_dir.join(format!("{}.png", c.name)), &c.png)?;
    }
    let html = dir.join("report.html");
    let md = dir.join("report.md");
    crate::lake::write_bytes_atomic(&html, render::html(report).as_bytes())?;
    crate::lake::write_bytes_atomic(&md, render::markdown(report).as_bytes())?;
    Ok(Written {
        html,
        markdown: md,
        charts: report.charts.len(),
    })
}
