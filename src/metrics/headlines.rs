//! The headline numbers of a run, and the before/after comparison's before
//! range: its window with equal follow-up and its rows, computed at its own
//! *as of* (docs/METRICS.md, "Comparison").

use super::unit::{compute_unit, for_each_unit};
use super::{bound, compare, summary, window, CsvTables, Options, ROW_TABLES};
use crate::config::Config;
use crate::lake::Lake;
use crate::model::day::Window;
use crate::model::store::Store;
use anyhow::Result;
use chrono::NaiveDate;
use polars::prelude::{col, lit, DataFrame, IntoLazy, LazyFrame, Schema};

/// The headline numbers of the range `a..=b` over the row-level tables read
/// through `scan`.
fn headlines_for(
    scan: &dyn Fn(&str) -> Result<LazyFrame>,
    (a, b): (NaiveDate, NaiveDate),
) -> Result<compare::Side> {
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
    let facts = scan("task_facts")?.filter(in_dates("created_date"));
    let missed = scan("missed_calls")?.filter(in_dates("created_date"));
    let recovery = scan("recovery")?.filter(in_dates("event_date"));
    Ok(compare::Side {
        headlines: summary::headlines(
            facts.clone(),
            missed.clone(),
            recovery.clone(),
            (get("open")?, get("overdue")?),
        )?,
        facts,
        missed,
        recovery,
    })
}

/// The headline numbers of the reporting range and, with a before/after
/// comparison asked for, the `comparison` table: the after range read from the
/// run's row-level tables through `scan`, the before range from `before` (its
/// row-level tables in `ROW_TABLES` order, observed for as long after its end as
/// the after range: see `follow_up`).
pub(super) fn headlines_and_more(
    opts: &Options,
    scan: &dyn Fn(&str) -> Result<LazyFrame>,
    before: Option<&[DataFrame]>,
) -> Result<(Vec<summary::Headline>, Vec<(String, DataFrame)>)> {
    let headlines = headlines_for(scan, (opts.from, opts.to))?.headlines;
    let mut tables = Vec::new();
    if let (Some((ab, cd)), Some(rows)) = (opts.compare, before) {
        let scan_before = |name: &str| -> Result<LazyFrame> {
            let i = ROW_TABLES
                .iter()
                .position(|t| *t == name)
                .expect("a row-level table");
            Ok(rows[i].clone().lazy())
        };
        tables.push((
            "comparison".into(),
            compare::comparison(&headlines_for(&scan_before, ab)?, &headlines_for(scan, cd)?)?,
        ));
    }
    Ok((headlines, tables))
}

/// The before range's window and *as of* for a comparison with equal follow-up:
/// the after range `c..=d` is observed until the run's *as of*, L after the end
/// of `d`; the before range `a..=b` until L after the end of `b`. Without
/// `--as-of`, L is whole days (each practice's *as of* is the end of `b` + L days
/// in its zone); with it, L is `as_of` − the end of `d` and the before range's
/// *as of* that much after the end of `b` (`model::day::bound`). A usage error
/// when the after range has not ended by *as of* (naming the day it matures) or
/// the before range ends after the after range.
pub(super) fn follow_up(
    config: &Config,
    opts: &Options,
    w: Window,
) -> Result<Option<(Window, Option<i64>)>> {
    let Some(((a, b), (_, d))) = opts.compare else {
        return Ok(None);
    };
    if b > d {
        return Err(crate::error::UsageError(format!(
            "--before ends on {b}, after --after ends ({d}): the before range must end first"
        ))
        .into());
    }
    match opts.as_of {
        None => {
            let days = w.to_date - d;
            Ok(Some((window(config, a, b + days, None), None)))
        }
        Some(as_of) => {
            let end_d = bound(config, d, true);
            if as_of < end_d {
                return Err(crate::error::UsageError(format!(
                    "the after range ({d}) has not ended by --as-of: it has no follow-up yet; \
                     it matures on {}: use an --as-of from then on",
                    d + chrono::Duration::days(1)
                ))
                .into());
            }
            let as_of_b = bound(config, b, true) + (as_of - end_d);
            Ok(Some((window(config, a, b, Some(as_of_b)), Some(as_of_b))))
        }
    }
}

/// The before range's row-level tables (in `ROW_TABLES` order), computed in
/// memory practice by practice at its own *as of* (`follow_up`).
pub(super) fn before_rows(
    config: &Config,
    lake: &Lake,
    (w, as_of): (Window, Option<i64>),
    ids: &[&str],
    aggregate_schemas: &[Schema],
) -> Result<Vec<DataFrame>> {
    let mut frames: Vec<Option<DataFrame>> = vec![None; ROW_TABLES.len()];
    for_each_unit(
        ids,
        &|p| {
            compute_unit(
                config,
                lake,
                w,
                as_of,
                p,
                (CsvTables::Summary, aggregate_schemas),
                &Store::none(),
            )
        },
        &mut |_, unit| {
            for (all, piece) in frames.iter_mut().zip(unit.rows) {
                match all {
                    Some(all) => {
                        all.vstack_mut_owned(piece.df)?;
                    }
                    None => *all = Some(piece.df),
                }
            }
            Ok(())
        },
    )?;
    Ok(frames.into_iter().map(|f| f.unwrap_or_default()).collect())
}
