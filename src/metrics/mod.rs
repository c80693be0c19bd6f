//! Metrics: from the lake to task facts, missed-call reconciliation, backlog,
//! recovery and aggregates, written as Parquet and CSV with a summary.json.
//! Every measure is defined in docs/METRICS.md; the code follows that page.

pub mod aggregate;
pub mod backlog;
pub mod compare;
pub mod csv_text;
pub mod group;
pub mod handles;
mod headlines;
pub mod missed;
pub mod recovery;
pub mod sql;
pub mod stats;
pub mod summary;
pub mod survival;
mod unit;
pub mod waiting;
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
use crate::model::store::Store;
use headlines::{before_rows, follow_up, headlines_and_more};
use polars::prelude::{col, DataFrame, IntoLazy, LazyFrame, Schema};
use serde::Serialize;
use std::path::PathBuf;
use unit::{compute_unit, for_each_unit};

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
    /// Also write the overall tables (`OVERALL`: every practice together), which
    /// the report reads. They hold every task's facts in memory at once: at year
    /// scale (200 practices) that is about 0.8 GiB more, so `followup metrics`
    /// writes them only when asked.
    pub overall: bool,
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
    /// The `comparison` table, when a before/after comparison was asked for.
    #[serde(skip)]
    pub comparison: Option<DataFrame>,
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

/// The time-to-event tables (`metrics::waiting`), after `aggregate::all`'s
/// tables among a unit's aggregates.
const SURVIVAL: [&str; 2] = ["survival", "survival_curve"];

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

/// The aggregates of every practice together (`overall_weekly` by ISO week,
/// `overall_category_weekly` by category and ISO week), from the written
/// task_facts through `scan`: what the weekly report shows, so it reads them
/// rather than grouping task facts itself.
fn overall(scan: &dyn Fn(&str) -> Result<LazyFrame>) -> Result<Vec<(String, DataFrame)>> {
    let facts = scan("task_facts")?;
    let mut columns: Vec<&str> = OVERALL
        .iter()
        .flat_map(|(_, keys)| keys.iter().copied())
        .collect();
    columns.sort_unstable();
    columns.dedup();
    columns.extend(group::TASK_METRIC_COLUMNS);
    // The schemas are the plan's, over no rows.
    let tables = OVERALL
        .iter()
        .map(|(_, keys)| {
            let empty = facts.clone().limit(0);
            Ok((
                *keys,
                aggregate::by(empty, keys)
                    .collect()?
                    .schema()
                    .as_ref()
                    .clone(),
            ))
        })
        .collect::<Result<Vec<_>>>()?;
    let rows = facts
        .select(columns.iter().map(|c| col(*c)).collect::<Vec<_>>())
        .collect()?;
    let mut out: Vec<(String, DataFrame)> = OVERALL
        .iter()
        .map(|(name, _)| name.to_string())
        .zip(group::overall(&rows, &tables)?)
        .collect();
    out.push((
        "overall_waiting_weekly".into(),
        waiting::overall_weekly(&rows)?,
    ));
    Ok(out)
}

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
/// written in parallel (on plain threads: polars writes them, see `workers`).
fn write_tables(dir: &std::path::Path, tables: &[(String, DataFrame)]) -> Result<()> {
    crate::workers::map(tables, |(name, df)| {
        let t0 = std::time::Instant::now();
        write::table(dir, name, df).with_context(|| format!("writing table {name}"))?;
        tracing::debug!(
            "metrics: {name}: {} rows written in {:.3}s",
            df.height(),
            t0.elapsed().as_secs_f64()
        );
        Ok(())
    })
    .into_iter()
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

    let (from, to, w) = run_window(config, opts);
    let before_window = follow_up(config, opts, w)?;
    let (mut sinks, mut aggregates) = outputs(config, opts, &schemas, w)?;
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
    let before = match before_window {
        Some(bw) => {
            progress("the before range at its own as of");
            Some(before_rows(config, &lake, bw, &ids, &aggregate_schemas)?)
        }
        None => None,
    };
    let (headlines, counts, comparison) = finish(
        opts,
        (&queries, &lake),
        sinks,
        aggregates,
        before.as_deref(),
        progress,
    )?;
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
        comparison,
    };
    let mut json = serde_json::to_vec_pretty(&summary)?;
    json.push(b'\n');
    crate::lake::write_bytes_atomic(&opts.out.join("summary.json"), &json)?;
    Ok(summary)
}

/// The dates a run reads (the range, widened to a before/after comparison's
/// ranges) and its window, *as of* the end of the last date.
fn run_window(config: &Config, opts: &Options) -> (NaiveDate, NaiveDate, Window) {
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
    (from, to, w)
}

/// A run's outputs before any practice: a sink per row-level table, and each
/// aggregate table empty (over no practice, so an empty run still writes them
/// with the right columns).
#[allow(clippy::type_complexity)]
fn outputs(
    config: &Config,
    opts: &Options,
    schemas: &[(&'static str, Schema)],
    w: Window,
) -> Result<(Vec<write::Sink>, Vec<(String, DataFrame)>)> {
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
    let empty = |name: &str| DataFrame::empty_with_schema(&schema_of(name)).lazy();
    let aggregates = aggregate::all(
        empty("task_facts"),
        empty("missed_calls"),
        empty("recovery"),
    )
    .into_iter()
    .map(|(name, lf)| Ok((name.to_string(), lf.collect()?)))
    .collect::<Result<Vec<_>>>()?;
    let empty_facts = DataFrame::empty_with_schema(&schema_of("task_facts"));
    let (survival, curve) = waiting::tables(&empty_facts, None, w.as_of)?;
    let mut aggregates = aggregates;
    for (name, df) in SURVIVAL.iter().zip([survival, curve]) {
        aggregates.push((name.to_string(), aggregate::with_practice("", df)?));
    }
    Ok((sinks, aggregates))
}

/// Finish a run's tables once every practice is in: the row-level files made
/// durable and published, the aggregates written, and the headlines, overall
/// tables and queries computed from the row-level Parquet and written. Returns
/// the headlines and every table's row count.
#[allow(clippy::type_complexity)]
fn finish(
    opts: &Options,
    (queries, lake): (&[sql::Query], &Lake),
    sinks: Vec<write::Sink>,
    mut aggregates: Vec<(String, DataFrame)>,
    before: Option<&[DataFrame]>,
    progress: &dyn Fn(&str),
) -> Result<(
    Vec<summary::Headline>,
    std::collections::BTreeMap<String, usize>,
    Option<DataFrame>,
)> {
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
            let headlines = headlines_and_more(opts, &scan, before)?;
            progress("queries");
            let mut more = headlines.1;
            if opts.overall {
                more.extend(overall(&scan)?);
            }
            more.extend(run_queries(queries, &scan, lake)?);
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
    let comparison = tables
        .into_iter()
        .find(|(name, _)| name == "comparison")
        .map(|(_, df)| df);
    Ok((headlines, counts, comparison))
}
