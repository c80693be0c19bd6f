//! One practice's metrics (its rows of each row-level table and its groups of
//! every aggregate table), and the pool of worker threads that computes the
//! practices in parallel and hands them on in practice order.

use super::{
    aggregate, backlog, group, missed, recovery, waiting, window, write, CsvTables, ROW_TABLES,
};
use crate::config::Config;
use crate::lake::Lake;
use crate::model::day::Window;
use crate::model::load;
use crate::model::store::{Built, Store};
use anyhow::Result;
use polars::prelude::{DataFrame, NewChunkedArray, Schema};

/// What one practice contributes: its rows of each row-level table (in
/// `ROW_TABLES` order) and its groups of every aggregate table (in
/// `aggregate::all` order).
pub(super) struct Unit {
    pub(super) rows: Vec<write::Piece>,
    pub(super) aggregates: Vec<DataFrame>,
}

/// Compute one practice's rows and aggregate groups.
pub(super) fn compute_unit(
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
    let items = missed::items_with(&inputs, &numbers)?;
    drop(numbers);
    lap.stage("missed items");
    // Handed on to later stages of a run at once (the weekly staffing view
    // and the lists may be waiting for them: `Store::promise`).
    let built = store.keep(Built {
        practice: practice.to_string(),
        w,
        inputs,
        facts: f,
    });
    let (inputs, f) = (&built.inputs, &built.facts);
    let mask = polars::prelude::BooleanChunked::from_slice("in_range".into(), &f.in_range);
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
    // The schemas after `aggregate::all`'s are the time-to-event tables'.
    let grouped = &aggregate_schemas[..aggregate::names().len()];
    let mut aggregates = group::one_practice(&task_facts, &missed_calls, &recovery, grouped)?;
    lap.stage("aggregates");
    let (survival, curve) = waiting::tables(&task_facts, cals.0.get(practice), w.as_of)?;
    aggregates.extend([survival, curve]);
    lap.stage("survival");
    let aggregates = aggregates
        .into_iter()
        .map(|df| aggregate::with_practice(practice, df))
        .collect::<polars::prelude::PolarsResult<Vec<_>>>()?;
    let rows = [task_facts, missed_calls, missed_daily, backlog, recovery]
        .into_iter()
        .zip(ROW_TABLES)
        .map(|(df, name)| write::Piece::new(df, csv.wants(name)))
        .collect::<Result<Vec<_>>>()?;
    lap.stage("csv");
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
pub(super) fn for_each_unit(
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
