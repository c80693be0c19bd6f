//! Metrics: from the lake to task facts, missed-call reconciliation, backlog,
//! recovery and aggregates, written as Parquet and CSV with a summary.json.
//! Every measure is defined in docs/METRICS.md; the code follows that page.

pub mod aggregate;
pub mod backlog;
pub mod csv_text;
pub mod group;
pub mod handles;
pub mod missed;
pub mod recovery;
pub mod sql;
pub mod summary;
pub mod write;

use crate::config::Config;
use crate::lake::schema::Table;
use crate::lake::Lake;
use crate::model::day::Window;
use anyhow::{Context, Result};
use chrono::NaiveDate;
// The report names task facts through the metrics (`metrics::facts::iso_week`).
pub use crate::model::facts;
use crate::model::load;
use crate::model::store::{Built, Store};
use polars::prelude::{col, lit, DataFrame, IntoLazy, LazyFrame, NewChunkedArray, Schema};
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
    /// Which tables get a CSV beside their Parquet.
    pub csv: CsvTables,
}

/// The JSON written beside the tables.
#[derive(Debug, Serialize)]
pub struct Summary {
    pub from: String,
    pub to: String,
    /// The latest of the practices' *as of* instants.
    pub as_of: String,
    /// Each practice's *as of*: the end of `to` in its own zone, or the `--as-of` instant.
    pub as_of_by_practice: std::collections::BTreeMap<String, String>,
    pub practices: Vec<String>,
    pub headlines: Vec<summary::Headline>,
    pub tables: std::collections::BTreeMap<String, usize>,
}

use crate::model::day::bound;
pub use crate::model::day::window;

/// The instant a practice's local day `d` starts (see `model::day`).
pub(crate) fn day_start(p: &crate::config::Practice, d: NaiveDate) -> i64 {
    crate::model::day::first_instant(p, d)
}

/// Schemas of the tables queries may read, known before any data is read.
fn schemas(config: &Config, lake: &Lake) -> Result<Vec<(&'static str, Schema)>> {
    // No data is read: any window gives the schemas. Not one computed from a date
    // through the practices' zones (a date near chrono's limits has no instant east
    // of UTC).
    let w = Window::placeholder();
    let empty = load::Inputs::empty()?;
    let cals = crate::model::clock::Calendars(Default::default());
    let f = facts::build(config, &cals, &empty, w)?;
    let config = &config.restricted_to(&[]);
    let items = Vec::new();
    let mut out = vec![
        ("task_facts", f.df.schema().as_ref().clone()),
        (
            "missed_calls",
            missed::table(config, &cals, &items, &Default::default(), w)?
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

/// The row-level tables, in the order a unit returns them.
const ROW_TABLES: [&str; 5] = [
    "task_facts",
    "missed_calls",
    "missed_calls_daily",
    "backlog_daily",
    "recovery",
];

/// Tables with one row per task, callback item or appointment event: written as CSV
/// only with `--csv all` (`CsvTables::All`).
const ROW_LEVEL: [&str; 3] = ["task_facts", "missed_calls", "recovery"];

/// Which tables are written as CSV beside their Parquet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum CsvTables {
    /// Every table.
    #[default]
    All,
    /// Every table except the row-level ones (task_facts, missed_calls, recovery),
    /// which are written as Parquet only.
    Summary,
}

impl CsvTables {
    fn wants(self, table: &str) -> bool {
        self == CsvTables::All || !ROW_LEVEL.contains(&table)
    }
}

/// What one practice contributes: its rows of each row-level table (in
/// `ROW_TABLES` order) and its groups of every aggregate table (in
/// `aggregate::all` order).
struct Unit {
    rows: Vec<write::Piece>,
    aggregates: Vec<DataFrame>,
}

/// Compute one practice's rows and aggregate groups.
fn compute_unit(
    config: &Config,
    lake: &Lake,
    w: Window,
    as_of: Option<i64>,
    practice: &str,
    (csv, aggregate_schemas): (CsvTables, &[Schema]),
    store: &Store,
) -> Result<Unit> {
    let mut lap = Lap::new(practice);
    // The practice's own window: its local dates, and "as of" the end of the last
    // one in its zone (or the instant asked for).
    let w = window(
        &config.restricted_to(&[practice]),
        w.from_date,
        w.to_date,
        as_of,
    );
    let inputs = load::load_for_metrics(lake, w, practice)?;
    lap.stage("load");
    let cals = crate::model::clock::Calendars::new(config, w, &[practice]);
    let numbers = missed::Numbers::new(&inputs.calls)?;
    let f = store.build(config, &cals, &inputs, &numbers, (practice, w))?;
    lap.stage("task facts");
    let mask = polars::prelude::BooleanChunked::from_slice("in_range".into(), &f.in_range);
    let items = missed::items_with(&inputs, &numbers)?;
    lap.stage("missed items");
    let unit_cfg = config.restricted_to(&[practice]);
    let task_facts = f.df.filter(&mask)?;
    let logged = missed::logged_numbers(&unit_cfg, &inputs.tasks, w)?;
    let missed_calls = missed::table(&unit_cfg, &cals, &items, &logged, w)?;
    drop(logged);
    let missed_daily = missed::daily(&unit_cfg, &cals, &items, w)?;
    lap.stage("missed tables");
    let backlog = backlog::table(&unit_cfg, &cals, &f.df, w)?;
    lap.stage("backlog");
    let recovery = recovery::table(&unit_cfg, &inputs, w)?;
    lap.stage("recovery");
    let aggregates = group::one_practice(&task_facts, &missed_calls, &recovery, aggregate_schemas)?
        .into_iter()
        .map(|df| aggregate::with_practice(practice, df))
        .collect::<polars::prelude::PolarsResult<Vec<_>>>()?;
    lap.stage("aggregates");
    let rows = [task_facts, missed_calls, missed_daily, backlog, recovery]
        .into_iter()
        .zip(ROW_TABLES)
        .map(|(df, name)| write::Piece::new(df, csv.wants(name)))
        .collect::<Result<Vec<_>>>()?;
    lap.stage("csv");
    drop(numbers);
    // Handed on to later stages of a run (the weekly staffing view, the lists).
    store.keep(Built {
        practice: practice.to_string(),
        w,
        inputs,
        facts: f,
    });
    Ok(Unit { rows, aggregates })
}

/// Stage timings at debug level (`-vv`), to see where a run's time goes.
struct Lap<'a> {
    what: &'a str,
    at: std::time::Instant,
}

impl<'a> Lap<'a> {
    fn new(what: &'a str) -> Self {
        Lap {
            what,
            at: std::time::Instant::now(),
        }
    }
    fn stage(&mut self, stage: &str) {
        let now = std::time::Instant::now();
        tracing::debug!(
            "metrics: {}: {stage} {:.3}s",
            self.what,
            (now - self.at).as_secs_f64()
        );
        self.at = now;
    }
}

/// Compute every practice on a pool of worker threads, and hand each practice's
/// unit to `write` in practice order as soon as it and those before it are done.
/// Workers take practices in order, so only a few units wait in memory.
fn for_each_unit(
    ids: &[&str],
    compute: &(dyn Fn(&str) -> Result<Unit> + Sync),
    write: &mut dyn FnMut(usize, Unit) -> Result<()>,
) -> Result<()> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(ids.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    let (tx, rx) = std::sync::mpsc::sync_channel::<(usize, Result<Unit>)>(workers);
    std::thread::scope(|s| {
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, stop) = (&next, &stop);
            s.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::SeqCst);
                if i >= ids.len() || stop.load(Ordering::SeqCst) {
                    break;
                }
                let unit = compute(ids[i]);
                if tx.send((i, unit)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        // Receiving ends (and drops the receiver, releasing blocked workers) on the
        // first error.
        let written = (move || -> Result<()> {
            let mut pending = std::collections::BTreeMap::new();
            let mut next_out = 0;
            for (i, unit) in rx {
                pending.insert(i, unit);
                while let Some(unit) = pending.remove(&next_out) {
                    write(next_out, unit?)?;
                    next_out += 1;
                }
            }
            Ok(())
        })();
        if written.is_err() {
            stop.store(true, Ordering::SeqCst);
        }
        written
    })
}

/// The headline numbers of the reporting range and, with a before/after
/// comparison asked for, the `comparison` table; read from the row-level tables
/// through `scan`.
fn headlines_and_more(
    opts: &Options,
    scan: &dyn Fn(&str) -> Result<LazyFrame>,
) -> Result<(Vec<summary::Headline>, Vec<(String, DataFrame)>)> {
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
    let mut tables = Vec::new();
    if let Some(((a, b), (c, d))) = opts.compare {
        tables.push((
            "comparison".into(),
            summary::comparison(&headlines_for(a, b)?, &headlines_for(c, d)?)?,
        ));
    }
    Ok((headlines, tables))
}

/// The aggregates of every practice together (`overall_weekly` by ISO week,
/// `overall_category_weekly` by category and ISO week), from the written
/// task_facts through `scan`: what the weekly report shows, so it reads them
/// rather than grouping task facts itself.
fn overall(scan: &dyn Fn(&str) -> Result<LazyFrame>) -> Result<Vec<(String, DataFrame)>> {
    OVERALL
        .iter()
        .map(|(name, keys)| {
            Ok((
                name.to_string(),
                aggregate::by(scan("task_facts")?, keys).collect()?,
            ))
        })
        .collect()
}

/// The all-practice aggregate tables and their keys (docs/METRICS.md).
pub const OVERALL: &[(&str, &[&str])] = &[
    ("overall_weekly", &["iso_week"]),
    ("overall_category_weekly", &["category", "iso_week"]),
];

/// Run queries/*.sql over the row-level tables (through `scan`) and the lake.
fn run_queries(
    queries: &[sql::Query],
    scan: &dyn Fn(&str) -> Result<LazyFrame>,
    lake: &Lake,
) -> Result<Vec<(String, DataFrame)>> {
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
    queries
        .iter()
        .map(|q| Ok((q.name.clone(), sql::run(q, &registered)?)))
        .collect()
}

/// Write whole tables (Parquet and CSV) into `dir`; they are independent files,
/// written in parallel.
fn write_tables(dir: &std::path::Path, tables: &[(String, DataFrame)]) -> Result<()> {
    use rayon::prelude::*;
    tables
        .par_iter()
        .map(|(name, df)| {
            let t0 = std::time::Instant::now();
            write::table(dir, name, df).with_context(|| format!("writing table {name}"))?;
            tracing::debug!(
                "metrics: {name}: {} rows written in {:.3}s",
                df.height(),
                t0.elapsed().as_secs_f64()
            );
            Ok(())
        })
        .collect::<Result<Vec<()>>>()?;
    Ok(())
}

/// Compute and write every metrics table, calling `practices(done, total)` as
/// each practice's tables are written (for a progress bar at scale). Returns the
/// summary that was written.
pub fn run_with(
    config: &Config,
    opts: &Options,
    progress: &dyn Fn(&str),
    practices: &dyn Fn(usize, usize),
) -> Result<Summary> {
    run_in(config, opts, progress, practices, &Store::none())
}

/// `run_with`, building task facts through `store` (which keeps them for later
/// stages of the run if it retains).
pub fn run_in(
    config: &Config,
    opts: &Options,
    progress: &dyn Fn(&str),
    practices: &dyn Fn(usize, usize),
    store: &Store,
) -> Result<Summary> {
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
        &crate::model::clock::Calendars(Default::default()),
        &[],
        w,
    )?
    .schema()
    .as_ref()
    .clone();
    let mut sinks = Vec::new();
    for name in ROW_TABLES {
        let schema = match name {
            "missed_calls_daily" => daily_schema.clone(),
            _ => schema_of(name),
        };
        sinks.push(write::Sink::new(
            &opts.out,
            name,
            &schema,
            opts.csv.wants(name),
        )?);
    }
    // Aggregates start from their (empty) tables over no practice, so an empty
    // run still writes them with the right columns.
    let empty = |name: &str| DataFrame::empty_with_schema(&schema_of(name)).lazy();
    let mut aggregates: Vec<(String, DataFrame)> = aggregate::all(
        empty("task_facts"),
        empty("missed_calls"),
        empty("recovery"),
    )
    .into_iter()
    .map(|(name, lf)| Ok((name.to_string(), lf.collect()?)))
    .collect::<Result<_>>()?;

    let aggregate_schemas: Vec<Schema> = aggregates
        .iter()
        .map(|(_, df)| df.schema().as_ref().clone())
        .collect();
    // Practices in order, computed in parallel, written in practice order.
    let ids: Vec<&str> = {
        let mut v: Vec<&str> = config.practices.iter().map(|p| p.id.as_str()).collect();
        v.sort_unstable();
        v
    };
    let step = (ids.len() / 10).max(1);
    progress(&format!("{} practices", ids.len()));
    for_each_unit(
        &ids,
        &|p| {
            compute_unit(
                config,
                &lake,
                w,
                opts.as_of,
                p,
                (opts.csv, &aggregate_schemas),
                store,
            )
        },
        &mut |i, unit| {
            for (sink, piece) in sinks.iter_mut().zip(&unit.rows) {
                sink.push(piece)?;
            }
            for ((_, all), df) in aggregates.iter_mut().zip(unit.aggregates) {
                if df.height() > 0 {
                    all.vstack_mut_owned(df)?;
                }
            }
            practices(i + 1, ids.len());
            if (i + 1) % step == 0 || i + 1 == ids.len() {
                progress(&format!("practices 1–{} of {} written", i + 1, ids.len()));
            }
            Ok(())
        },
    )?;
    let mut counts = std::collections::BTreeMap::new();
    let mut paths = std::collections::BTreeMap::new();
    // The row-level files, finished under their temporary names: the headlines
    // and queries read the Parquet there while the files are made durable.
    let mut unpublished = Vec::new();
    for s in sinks {
        let name = s.name().to_string();
        counts.insert(name.clone(), s.rows);
        let (parquet, csv) = s.finish_unpublished()?;
        paths.insert(name, parquet.tmp_path());
        unpublished.push(parquet);
        unpublished.extend(csv);
    }
    let scan = |name: &str| -> Result<LazyFrame> {
        Ok(LazyFrame::scan_parquet(
            polars::prelude::PlRefPath::new(paths[name].to_string_lossy().as_ref()),
            Default::default(),
        )?)
    };
    for (_, df) in aggregates.iter_mut() {
        df.rechunk_mut();
    }

    // The headlines and queries read only the row-level Parquet files: flushing
    // the row-level files to disk (which waits for the disk) and writing the
    // aggregate tables are done beside them.
    let (headlines, tables) = std::thread::scope(|s| -> Result<_> {
        let background = s.spawn(|| -> Result<()> {
            for u in &unpublished {
                u.sync()?;
            }
            write_tables(&opts.out, &aggregates)
        });
        let computed = (|| -> Result<_> {
            progress("headlines");
            let headlines = headlines_and_more(opts, &scan)?;
            progress("queries");
            let mut more = headlines.1;
            more.extend(overall(&scan)?);
            more.extend(run_queries(&queries, &scan, &lake)?);
            Ok((headlines.0, more))
        })();
        let written = background
            .join()
            .unwrap_or_else(|_| Err(anyhow::anyhow!("writing the tables panicked")));
        let computed = computed?;
        written?;
        Ok(computed)
    })?;
    for u in unpublished {
        u.publish()?;
    }
    progress("writing");
    write_tables(&opts.out, &tables)?;
    for (name, df) in aggregates.iter().chain(&tables) {
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
        as_of_by_practice: ids
            .iter()
            .map(|p| {
                let one = config.restricted_to(&[p]);
                (p.to_string(), fmt(window(&one, from, to, opts.as_of).as_of))
            })
            .collect(),
        practices: ids.iter().map(|p| p.to_string()).collect(),
        headlines,
        tables: counts,
    };
    let mut json = serde_json::to_vec_pretty(&summary)?;
    json.push(b'\n');
    crate::lake::write_bytes_atomic(&opts.out.join("summary.json"), &json)?;
    Ok(summary)
}
