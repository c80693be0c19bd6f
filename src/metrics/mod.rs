//! Metrics: from the lake to task facts, missed-call reconciliation, backlog,
//! recovery and aggregates, written as Parquet and CSV with a summary.json.
//! Every measure is defined in docs/METRICS.md; the code follows that page.

pub mod aggregate;
pub mod backlog;
pub mod facts;
pub mod load;
pub mod missed;
pub mod notes;
pub mod recovery;
pub mod sql;
pub mod summary;
pub mod write;

use crate::config::Config;
use crate::lake::schema::Table;
use crate::lake::Lake;
use anyhow::{Context, Result};
use chrono::{NaiveDate, TimeZone};
use load::Window;
use polars::prelude::{col, lit, DataFrame, LazyFrame, NewChunkedArray, Schema};
use rayon::prelude::*;
use serde::Serialize;
use std::path::PathBuf;

/// What to compute.
#[derive(Debug, Clone)]
pub struct Options {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Outcomes are observed up to this instant (default: the end of `to`).
    pub as_of: Option<i64>,
    pub out: PathBuf,
    pub queries: PathBuf,
    /// Optional before/after ranges (inclusive local dates).
    pub compare: Option<((NaiveDate, NaiveDate), (NaiveDate, NaiveDate))>,
}

/// The JSON written beside the tables.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub from: String,
    pub to: String,
    pub as_of: String,
    pub practices: Vec<String>,
    pub headlines: Vec<summary::Headline>,
    pub tables: std::collections::BTreeMap<String, usize>,
}

/// Local midnight at the start of `d` in the practice zone furthest east (earliest instant)
/// or, with `end`, the end of `d` furthest west: the window covers every practice's day.
fn bound(config: &Config, d: NaiveDate, end: bool) -> i64 {
    let instants = config.practices.iter().map(|p| {
        let day = if end { d.succ_opt().expect("date") } else { d };
        let t =
            p.tz.from_local_datetime(&day.and_hms_opt(0, 0, 0).expect("midnight"))
                .earliest()
                .expect("midnight exists")
                .timestamp_micros();
        if end {
            t - 1
        } else {
            t
        }
    });
    if end {
        instants.max().expect("a practice")
    } else {
        instants.min().expect("a practice")
    }
}

/// The window for a run.
pub fn window(config: &Config, from: NaiveDate, to: NaiveDate, as_of: Option<i64>) -> Window {
    let to_us = bound(config, to, true);
    Window {
        from: bound(config, from, false),
        to: to_us,
        as_of: as_of.unwrap_or(to_us),
        from_date: from,
        to_date: to,
    }
}

/// Schemas of the tables queries may read, known before any data is read.
fn schemas(config: &Config, lake: &Lake) -> Result<Vec<(&'static str, Schema)>> {
    let w = window(config, NaiveDate::MIN, NaiveDate::MIN, Some(0));
    let empty = load::Inputs::empty()?;
    let cals = facts::Calendars(Default::default());
    let f = facts::build(config, &cals, &empty, w)?;
    let config = &config.restricted_to(&[]);
    let items = Vec::new();
    let mut out = vec![
        ("task_facts", f.df.schema().as_ref().clone()),
        (
            "missed_calls",
            missed::table(config, &cals, &items, w)?
                .schema()
                .as_ref()
                .clone(),
        ),
        (
            "backlog_daily",
            backlog::table(config, &cals, &f.df, w)?
                .schema()
                .as_ref()
                .clone(),
        ),
        (
            "recovery",
            recovery::table(config, &empty, w)?
                .schema()
                .as_ref()
                .clone(),
        ),
    ];
    for t in [
        Table::Calls,
        Table::Tasks,
        Table::Attempts,
        Table::Appointments,
    ] {
        out.push((t.name(), lake.scan(t)?.collect_schema()?.as_ref().clone()));
    }
    Ok(out)
}

/// Practices computed together: memory holds one batch of practices, not the group.
const PRACTICES_PER_BATCH: usize = 4;

/// The row-level tables for one batch of practices: task_facts, missed_calls,
/// missed_calls_daily, backlog_daily, recovery.
fn compute_batch(
    config: &Config,
    lake: &Lake,
    w: Window,
    batch: &[&str],
) -> Result<[DataFrame; 5]> {
    let inputs = load::load(lake, w, batch)?;
    let cals = facts::Calendars::new(config, w, batch);
    let f = facts::build(config, &cals, &inputs, w)?;
    let mask = polars::prelude::BooleanChunked::from_slice("in_range".into(), &f.in_range);
    let items = missed::items(&inputs)?;
    let batch_cfg = config.restricted_to(batch);
    Ok([
        f.df.filter(&mask)?,
        missed::table(&batch_cfg, &cals, &items, w)?,
        missed::daily(&batch_cfg, &cals, &items, w)?,
        backlog::table(&batch_cfg, &cals, &f.df, w)?,
        recovery::table(&batch_cfg, &inputs, w)?,
    ])
}

/// Compute and write every metrics table. Returns the summary that was written.
pub fn run(config: &Config, opts: &Options, progress: &dyn Fn(&str)) -> Result<Summary> {
    let lake = Lake::new(&config.paths.lake);
    // Fail fast: every query plans against the schemas, and the output folder exists.
    let queries = sql::read_dir(&opts.queries)?;
    let schemas = schemas(config, &lake)?;
    sql::validate(&queries, &schemas)?;
    crate::lake::create_private_dir(&opts.out)?;

    let (mut from, mut to) = (opts.from, opts.to);
    if let Some(((a, b), (c, d))) = opts.compare {
        from = from.min(a).min(c);
        to = to.max(b).max(d);
    }
    let w = window(
        config,
        from,
        to,
        opts.as_of
            .or_else(|| Some(bound(config, opts.to.max(to), true))),
    );
    let schema_of = |name: &str| {
        schemas
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, s)| s.clone())
            .expect("known table")
    };
    let daily_schema = missed::daily(
        &config.restricted_to(&[]),
        &facts::Calendars(Default::default()),
        &[],
        w,
    )?
    .schema()
    .as_ref()
    .clone();
    let mut sinks = [
        write::Sink::new(&opts.out, "task_facts", &schema_of("task_facts"))?,
        write::Sink::new(&opts.out, "missed_calls", &schema_of("missed_calls"))?,
        write::Sink::new(&opts.out, "missed_calls_daily", &daily_schema)?,
        write::Sink::new(&opts.out, "backlog_daily", &schema_of("backlog_daily"))?,
        write::Sink::new(&opts.out, "recovery", &schema_of("recovery"))?,
    ];

    // Row-level tables, a batch of practices at a time, in practice order.
    let ids: Vec<&str> = {
        let mut v: Vec<&str> = config.practices.iter().map(|p| p.id.as_str()).collect();
        v.sort_unstable();
        v
    };
    // Two batches at a time (one per core); results are written in practice order.
    let batches: Vec<&[&str]> = ids.chunks(PRACTICES_PER_BATCH).collect();
    let mut done = 0;
    for pair in batches.chunks(2) {
        progress(&format!(
            "practices {}–{} of {}",
            done + 1,
            done + pair.iter().map(|b| b.len()).sum::<usize>(),
            ids.len()
        ));
        let outs: Vec<Result<[DataFrame; 5]>> = pair
            .par_iter()
            .map(|batch| compute_batch(config, &lake, w, batch))
            .collect();
        for out in outs {
            for (sink, df) in sinks.iter_mut().zip(out?) {
                sink.push(&df)?;
            }
        }
        done += pair.iter().map(|b| b.len()).sum::<usize>();
    }
    let mut counts = std::collections::BTreeMap::new();
    let mut paths = std::collections::BTreeMap::new();
    for s in sinks {
        let name = s.name().to_string();
        counts.insert(name.clone(), s.rows);
        paths.insert(name, s.finish()?);
    }
    let scan = |name: &str| -> Result<LazyFrame> {
        Ok(LazyFrame::scan_parquet(
            polars::prelude::PlRefPath::new(paths[name].to_string_lossy().as_ref()),
            Default::default(),
        )?)
    };

    progress("aggregates");
    let task_facts = scan("task_facts")?;
    let mut tables: Vec<(String, DataFrame)> = vec![
        (
            "missed_calls_weekly".into(),
            aggregate::missed_weekly(scan("missed_calls")?).collect()?,
        ),
        (
            "recovery_weekly".into(),
            aggregate::recovery_weekly(scan("recovery")?).collect()?,
        ),
        (
            "barriers_weekly".into(),
            aggregate::barriers(task_facts.clone()).collect()?,
        ),
    ];
    for (name, keys) in aggregate::DIMENSIONS {
        tables.push((
            name.to_string(),
            aggregate::by(task_facts.clone(), keys).collect()?,
        ));
    }

    let headlines_for = |a: NaiveDate, b: NaiveDate| -> Result<Vec<summary::Headline>> {
        let in_dates = |name: &str| col(name).gt_eq(lit(a)).and(col(name).lt_eq(lit(b)));
        let last = scan("backlog_daily")?
            .filter(in_dates("date"))
            .filter(col("date").eq(col("date").max()))
            .select([col("open").sum(), col("overdue").sum()])
            .collect()?;
        let get = |c: &str| -> Result<i64> {
            Ok(last
                .column(c)?
                .cast(&polars::prelude::DataType::Int64)?
                .i64()?
                .get(0)
                .unwrap_or(0))
        };
        summary::headlines(
            scan("task_facts")?.filter(in_dates("created_date")),
            scan("missed_calls")?.filter(in_dates("created_date")),
            scan("recovery")?.filter(in_dates("event_date")),
            (get("open")?, get("overdue")?),
        )
    };
    let headlines = headlines_for(opts.from, opts.to)?;
    if let Some(((a, b), (c, d))) = opts.compare {
        tables.push((
            "comparison".into(),
            summary::comparison(&headlines_for(a, b)?, &headlines_for(c, d)?)?,
        ));
    }

    progress("queries");
    let mut registered: Vec<(&str, LazyFrame)> = Vec::new();
    for name in ["task_facts", "missed_calls", "backlog_daily", "recovery"] {
        registered.push((name, scan(name)?));
    }
    for t in [
        Table::Calls,
        Table::Tasks,
        Table::Attempts,
        Table::Appointments,
    ] {
        registered.push((t.name(), lake.scan(t)?));
    }
    for q in &queries {
        tables.push((q.name.clone(), sql::run(q, &registered)?));
    }

    progress("writing");
    for (name, df) in &tables {
        write::table(&opts.out, name, df).with_context(|| format!("writing table {name}"))?;
        counts.insert(name.clone(), df.height());
    }
    let fmt = |us: i64| {
        chrono::DateTime::from_timestamp_micros(us)
            .map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
            .unwrap_or_default()
    };
    let summary = Summary {
        from: opts.from.to_string(),
        to: opts.to.to_string(),
        as_of: fmt(w.as_of),
        practices: ids.iter().map(|p| p.to_string()).collect(),
        headlines,
        tables: counts,
    };
    let mut json = serde_json::to_vec_pretty(&summary)?;
    json.push(b'\n');
    crate::lake::write_bytes_atomic(&opts.out.join("summary.json"), &json)?;
    Ok(summary)
}
