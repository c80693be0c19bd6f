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
const PRACTICES_PER_BATCH: usize = 8;

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
    for (i, batch) in ids.chunks(PRACTICES_PER_BATCH).enumerate() {
        progress(&format!(
            "practices {}–{} of {}",
            i * PRACTICES_PER_BATCH + 1,
            i * PRACTICES_PER_BATCH + batch.len(),
            ids.len()
        ));
        let t0 = std::time::Instant::now();
        let inputs = load::load(&lake, w, batch)?;
        tracing::debug!("load {:.2}s", t0.elapsed().as_secs_f64());
        let cals = facts::Calendars::new(config, w, batch);
        let f = facts::build(config, &cals, &inputs, w)?;
        let mask = polars::prelude::BooleanChunked::from_slice("in_range".into(), &f.in_range);
        tracing::debug!("facts {:.2}s", t0.elapsed().as_secs_f64());
        let items = missed::items(&inputs)?;
        let batch_cfg = config.restricted_to(batch);
        sinks[0].push(&f.df.filter(&mask)?)?;
        tracing::debug!("write facts {:.2}s", t0.elapsed().as_secs_f64());
        sinks[1].push(&missed::table(&batch_cfg, &cals, &items, w)?)?;
        sinks[2].push(&missed::daily(&batch_cfg, &cals, &items, w)?)?;
        tracing::debug!("missed {:.2}s", t0.elapsed().as_secs_f64());
        sinks[3].push(&backlog::table(&batch_cfg, &cals, &f.df, w)?)?;
        tracing::debug!("backlog {:.2}s", t0.elapsed().as_secs_f64());
        sinks[4].push(&recovery::table(&batch_cfg, &inputs, w)?)?;
        tracing::debug!("recovery {:.2}s", t0.elapsed().as_secs_f64());
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
