//! Reading what the metrics need from the lake: narrow projections, filtered early.

use crate::lake::schema::Table;
use crate::lake::Lake;
use anyhow::{Context, Result};
use polars::prelude::{
    col, lit, BooleanChunked, Column, DataFrame, DataType, Expr, IdxCa, IdxSize, IntoLazy,
    LazyFrame, NewChunkedArray, TimeUnit, TimeZone,
};

pub use super::columns::{codes, parsed, strs, times};

pub use crate::model::day::Window;

fn ts(us: i64) -> Expr {
    lit(us).cast(DataType::Datetime(
        TimeUnit::Microseconds,
        Some(TimeZone::UTC),
    ))
}

/// The lake's tables, narrowed to the window.
pub struct Inputs {
    pub tasks: DataFrame,
    pub attempts: DataFrame,
    pub calls: DataFrame,
    pub appointments: DataFrame,
    /// Each task row's `closed_at` as the window's filter read it (the lake's
    /// current version), where an *as of* version replaced a row; `None` when
    /// every row is its current version (the `closed_at` column then is it).
    pub tasks_closed_current: Option<Vec<Option<i64>>>,
}

/// Calls are read from this long before the window's start: a task created at
/// its start may have been called about shortly before (a missed call it
/// carries, an outbound call that preceded its row).
pub const CALLS_BEFORE_US: i64 = 7 * 86_400_000_000;

/// The task columns `load` reads.
const TASK_COLUMNS: [&str; 16] = [
    "practice_id",
    "task_id",
    "patient_key",
    "phone_key",
    "category",
    "lane",
    "owner",
    "priority",
    "status",
    "status_at",
    "closed_at",
    "callback_at",
    "barrier",
    "appointment_id",
    "created_at",
    "updated_at",
];

/// Task columns only the next-day lists read: the metrics leave them unread (see
/// `load_for_metrics`).
const LIST_TASK_COLUMNS: [&str; 2] = ["patient_key", "callback_at"];

/// Tasks that exist at some point in the window: created before its end and not
/// closed before its start (the backlog needs older open tasks too). Without
/// `list_columns`, the `LIST_TASK_COLUMNS` are left out.
fn tasks(lake: &Lake, w: Window, practice: &str, list_columns: bool) -> Result<LazyFrame> {
    let columns = TASK_COLUMNS
        .into_iter()
        .filter(|c| list_columns || !LIST_TASK_COLUMNS.contains(c))
        .map(col)
        .collect::<Vec<_>>();
    Ok(lake
        .scan_practice(Table::Tasks, practice)?
        .filter(
            col("created_at").lt_eq(ts(w.to)).and(
                col("closed_at")
                    .is_null()
                    .or(col("closed_at").gt_eq(ts(w.from))),
            ),
        )
        .select(columns))
}

/// Load the window's rows for one practice, read from its own partitions.
///
/// Attempts are neither narrowed to the loaded tasks nor sorted: task facts look
/// them up by task and put each task's in time order, which costs less than a join
/// and a sort on string keys.
pub fn load(lake: &Lake, w: Window, practice: &str) -> Result<Inputs> {
    load_with(lake, w, practice, true)
}

/// `load` without the task columns only the lists read (`LIST_TASK_COLUMNS`):
/// the metrics read less (BENCHMARKS.md, sixth speed pass).
pub fn load_for_metrics(lake: &Lake, w: Window, practice: &str) -> Result<Inputs> {
    load_with(lake, w, practice, false)
}

fn load_with(lake: &Lake, w: Window, practice: &str, list_columns: bool) -> Result<Inputs> {
    let attempts = attempts_scan(lake, w, practice)?;
    let calls = calls_scan(lake, w, practice)?;
    let appointments = appointments_scan(lake, w, practice)?;
    let tasks = tasks(lake, w, practice, list_columns)?;
    let t0 = std::time::Instant::now();
    let lap = |what: &str| {
        tracing::debug!(
            "metrics: {practice}: load {what} {:.3}s",
            t0.elapsed().as_secs_f64()
        )
    };
    let (tasks, tasks_closed_current) = tasks_as_of(lake, practice, tasks, w)?;
    lap("tasks");
    let attempts = attempts
        .collect()
        .context("reading attempts from the lake")?;
    lap("attempts");
    let calls = calls.collect().context("reading calls from the lake")?;
    let calls = {
        let at = times(&calls, "started_at")?;
        let id = strs(&calls, "call_id")?;
        let order = stable_order(id.len(), |a, b| {
            at[a].cmp(&at[b]).then_with(|| id[a].cmp(&id[b]))
        });
        reorder(calls, order)?
    };
    lap("calls");
    let appointments = appointments
        .collect()
        .context("reading appointments from the lake")?;
    let appointments = at_as_of(lake, Table::Appointments, practice, appointments, w)?;
    let appointments = {
        let id = strs(&appointments, "appointment_id")?;
        let order = stable_order(id.len(), |a, b| id[a].cmp(&id[b]));
        reorder(appointments, order)?
    };
    lap("appointments");
    Ok(Inputs {
        tasks,
        attempts,
        calls,
        appointments,
        tasks_closed_current,
    })
}

/// The practice's attempt rows by *as of*.
fn attempts_scan(lake: &Lake, w: Window, practice: &str) -> Result<LazyFrame> {
    Ok(lake
        .scan_practice(Table::Attempts, practice)?
        .filter(col("at").lt_eq(ts(w.as_of)))
        .select([
            col("practice_id"),
            col("task_id"),
            col("at"),
            col("channel"),
            col("direction"),
            col("outcome"),
            col("note"),
        ]))
}

/// The practice's calls from `CALLS_BEFORE_US` before the window to *as of*:
/// those with a number, and every inbound call.
fn calls_scan(lake: &Lake, w: Window, practice: &str) -> Result<LazyFrame> {
    Ok(lake
        .scan_practice(Table::Calls, practice)?
        .filter(
            col("started_at")
                .gt_eq(ts(w.from - CALLS_BEFORE_US))
                .and(col("started_at").lt_eq(ts(w.as_of)))
                .and(
                    col("phone_key")
                        .is_not_null()
                        .or(col("direction").eq(lit("inbound"))),
                ),
        )
        .select([
            col("practice_id"),
            col("call_id"),
            col("phone_key"),
            col("started_at"),
            col("direction"),
            col("outcome"),
        ]))
}

/// The practice's appointments created by *as of*.
fn appointments_scan(lake: &Lake, w: Window, practice: &str) -> Result<LazyFrame> {
    Ok(lake
        .scan_practice(Table::Appointments, practice)?
        .filter(col("created_at").lt_eq(ts(w.as_of)))
        .select([
            col("practice_id"),
            col("appointment_id"),
            col("patient_key"),
            col("created_at"),
            col("start_at"),
            col("status"),
            col("task_id"),
            col("updated_at"),
        ]))
}

/// The window's tasks as they stood at *as of*, in task id order, and the
/// `closed_at` the window's filter read where that differs (see
/// `Inputs::tasks_closed_current`).
fn tasks_as_of(
    lake: &Lake,
    practice: &str,
    tasks: LazyFrame,
    w: Window,
) -> Result<(DataFrame, Option<Vec<Option<i64>>>)> {
    let tasks = tasks.collect().context("reading tasks from the lake")?;
    let current = closed_by_id(&tasks, w)?;
    let tasks = at_as_of(lake, Table::Tasks, practice, tasks, w)?;
    let tasks = {
        let id = strs(&tasks, "task_id")?;
        let order = stable_order(id.len(), |a, b| id[a].cmp(&id[b]));
        reorder(tasks, order)?
    };
    let closed_current = match current {
        None => None,
        Some(by_id) => Some(
            strs(&tasks, "task_id")?
                .iter()
                .map(|id| id.and_then(|id| by_id.get(id).copied().flatten()))
                .collect(),
        ),
    };
    Ok((tasks, closed_current))
}

/// The current versions' `closed_at` by task id, when some row's current version
/// is dated after *as of* (so `at_as_of` may replace it).
fn closed_by_id(
    tasks: &DataFrame,
    w: Window,
) -> Result<Option<std::collections::HashMap<String, Option<i64>>>> {
    let updated = times(tasks, "updated_at")?;
    if !updated.iter().any(|u| u.is_some_and(|u| u > w.as_of)) {
        return Ok(None);
    }
    let ids = strs(tasks, "task_id")?;
    let closed = times(tasks, "closed_at")?;
    Ok(Some(
        ids.into_iter()
            .zip(closed)
            .filter_map(|(id, c)| Some((id?.to_string(), c)))
            .collect(),
    ))
}

impl Inputs {
    /// What `load` reads for the narrower window `w` (the same end and *as of*,
    /// a later or equal start), taken from these inputs: the tasks that the
    /// narrower window's filter keeps (created by its end, not closed before its
    /// start, by their current version) and the calls from `CALLS_BEFORE_US`
    /// before its start. Also returns which task rows are kept.
    pub fn narrowed(&self, w: Window) -> Result<(Inputs, Vec<bool>)> {
        let closed = match &self.tasks_closed_current {
            Some(v) => v.clone(),
            None => times(&self.tasks, "closed_at")?,
        };
        let keep: Vec<bool> = closed
            .iter()
            .map(|c| c.map_or(true, |c| c >= w.from))
            .collect();
        let mask = BooleanChunked::from_slice("keep".into(), &keep);
        let mut tasks = self.tasks.filter(&mask)?;
        tasks.rechunk_mut();
        let call_at = times(&self.calls, "started_at")?;
        let since = w.from - CALLS_BEFORE_US;
        let calls_kept: Vec<bool> = call_at
            .iter()
            .map(|t| t.is_some_and(|t| t >= since))
            .collect();
        let mut calls = self
            .calls
            .filter(&BooleanChunked::from_slice("keep".into(), &calls_kept))?;
        calls.rechunk_mut();
        let narrowed = Inputs {
            tasks,
            attempts: self.attempts.clone(),
            calls,
            appointments: self.appointments.clone(),
            tasks_closed_current: self.tasks_closed_current.as_ref().map(|v| {
                v.iter()
                    .zip(&keep)
                    .filter(|(_, &k)| k)
                    .map(|(c, _)| *c)
                    .collect()
            }),
        };
        Ok((narrowed, keep))
    }
}

/// A table's rows as they stood at `as_of` (docs/METRICS.md, "as-of"): a row whose
/// current version is dated after `as_of` is replaced by its latest version dated
/// at or before it, read from the lake's history (`Lake::versions_dir`). Versions
/// are ordered by `updated_at`, ties by row hash, as the lake orders them. A row
/// with no version by then (first exported later, or a lake from before the
/// history was kept) is its earliest known version with what may have changed
/// since left empty (`UNKNOWN_BEFORE_FIRST_VERSION`). Rows current by `as_of`
/// (every row, on a run over the latest data) are kept and the history not read.
fn at_as_of(
    lake: &Lake,
    table: Table,
    practice: &str,
    df: DataFrame,
    w: Window,
) -> Result<DataFrame> {
    let key = table.key();
    let updated = times(&df, "updated_at")?;
    let late: Vec<bool> = updated
        .iter()
        .map(|u| u.is_some_and(|u| u > w.as_of))
        .collect();
    if !late.contains(&true) {
        return Ok(df);
    }
    let ids = strs(&df, key)?;
    let wanted: std::collections::HashSet<&str> = ids
        .iter()
        .zip(&late)
        .filter(|(_, &l)| l)
        .filter_map(|(id, _)| *id)
        .collect();
    let columns: Vec<Expr> = df
        .get_column_names()
        .into_iter()
        .filter(|c| c.as_str() != "practice_id")
        .map(|c| col(c.as_str()))
        .chain([col("row_hash")])
        .collect();
    let history = lake
        .scan_practice_versions(table, practice)?
        .select(columns)
        .collect()
        .with_context(|| format!("reading the history of {table} from the lake"))?;
    let (best, picked, unknown) = pick_versions(&history, key, &wanted, w)?;
    let mut earlier = history
        .take(&IdxCa::from_vec("".into(), picked))?
        .drop("row_hash")?;
    earlier.with_column(Column::new(
        "practice_id".into(),
        vec![practice; earlier.height()],
    ))?;
    let mut earlier = earlier.select(df.get_column_names_owned())?;
    earlier.with_column(Column::new("unknown".into(), unknown))?;
    // Late rows without any history keep their current version, as unknown.
    let keep: Vec<bool> = (0..df.height())
        .map(|i| !late[i] || ids[i].is_none_or(|id| !best.contains_key(id)))
        .collect();
    let unknown: Vec<bool> = (0..df.height()).map(|i| late[i] && keep[i]).collect();
    let keep = polars::prelude::BooleanChunked::from_slice("keep".into(), &keep);
    let mut out = df.clone();
    out.with_column(Column::new("unknown".into(), unknown))?;
    let mut out = out.filter(&keep)?;
    out.vstack_mut_owned(earlier)?;
    let blank: Vec<Expr> = UNKNOWN_BEFORE_FIRST_VERSION
        .iter()
        .filter_map(|&c| {
            let dtype = df.column(c).ok()?.dtype().clone();
            Some(
                polars::prelude::when(col("unknown"))
                    .then(lit(polars::prelude::NULL).cast(dtype))
                    .otherwise(col(c))
                    .alias(c),
            )
        })
        .collect();
    Ok(out.lazy().with_columns(blank).collect()?.drop("unknown")?)
}

/// For each wanted row (by `key`) in `history`: its latest version by *as of*
/// and its earliest version (versions ordered by `updated_at`, ties by row
/// hash); then, in key order, the version to use (the latest by *as of*, else
/// the earliest) and whether it is unknown at *as of* (no version by then).
#[allow(clippy::type_complexity)]
fn pick_versions<'a>(
    history: &'a DataFrame,
    key: &str,
    wanted: &std::collections::HashSet<&str>,
    w: Window,
) -> Result<(
    std::collections::BTreeMap<&'a str, (Option<usize>, usize)>,
    Vec<IdxSize>,
    Vec<bool>,
)> {
    let h_id = strs(history, key)?;
    let h_at = times(history, "updated_at")?;
    let h_hash: Vec<Option<u64>> = history.column("row_hash")?.u64()?.iter().collect();
    // Per wanted row: its latest version by as_of, and its earliest version.
    let mut best: std::collections::BTreeMap<&str, (Option<usize>, usize)> = Default::default();
    for j in 0..history.height() {
        let Some(id) = h_id[j].filter(|id| wanted.contains(id)) else {
            continue;
        };
        let stamp = |k: usize| (h_at[k], h_hash[k]);
        let by_as_of = h_at[j].is_some_and(|t| t <= w.as_of);
        let e = best.entry(id).or_insert((None, j));
        if stamp(j) < stamp(e.1) {
            e.1 = j;
        }
        if by_as_of && e.0.is_none_or(|b| stamp(j) >= stamp(b)) {
            e.0 = Some(j);
        }
    }
    let (mut picked, mut unknown) = (Vec::new(), Vec::new());
    for (by_as_of, earliest) in best.values() {
        picked.push(by_as_of.unwrap_or(*earliest) as IdxSize);
        unknown.push(by_as_of.is_none());
    }
    Ok((best, picked, unknown))
}

/// What a row seen before its first exported version leaves empty: the state a
/// later export may have changed (status, closure, callback, barrier, booking).
const UNKNOWN_BEFORE_FIRST_VERSION: [&str; 7] = [
    "status",
    "status_at",
    "closed_at",
    "callback_at",
    "barrier",
    "appointment_id",
    "cancel_reason",
];

/// Row numbers `0..n` in the order `cmp` gives, ties in their current order: with
/// `reorder`, what polars' sort with `maintain_order` gives (compare `Option`s for
/// nulls first). Sorting row numbers in Rust cost a fraction of polars' sort on
/// string keys, which took as long as reading the files (see BENCHMARKS.md).
fn stable_order(n: usize, cmp: impl Fn(usize, usize) -> std::cmp::Ordering) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    idx.sort_by(|&a, &b| cmp(a, b));
    idx
}

/// `df`'s rows in the order of `idx` (see `stable_order`), as one chunk.
fn reorder(mut df: DataFrame, idx: Vec<usize>) -> Result<DataFrame> {
    if idx.iter().enumerate().all(|(i, &j)| i == j) {
        df.rechunk_mut();
        return Ok(df);
    }
    let idx: Vec<IdxSize> = idx.into_iter().map(|i| i as IdxSize).collect();
    let mut out = df.take(&IdxCa::from_vec("".into(), idx))?;
    out.rechunk_mut();
    Ok(out)
}

impl Inputs {
    /// Empty frames with the lake's schemas (to learn output schemas without data).
    pub fn empty() -> Result<Inputs> {
        use crate::lake::row::file_schema;
        let frame = |t: Table, cols: &[&str]| -> Result<DataFrame> {
            let mut s = file_schema(t);
            s.insert_at_index(0, "practice_id".into(), DataType::String)?;
            let df = DataFrame::empty_with_schema(&s);
            Ok(df.select(cols.iter().copied())?)
        };
        Ok(Inputs {
            tasks: frame(Table::Tasks, &TASK_COLUMNS)?,
            attempts: frame(
                Table::Attempts,
                &[
                    "practice_id",
                    "task_id",
                    "at",
                    "channel",
                    "direction",
                    "outcome",
                    "note",
                ],
            )?,
            calls: frame(
                Table::Calls,
                &[
                    "practice_id",
                    "call_id",
                    "phone_key",
                    "started_at",
                    "direction",
                    "outcome",
                ],
            )?,
            appointments: frame(
                Table::Appointments,
                &[
                    "practice_id",
                    "appointment_id",
                    "patient_key",
                    "created_at",
                    "start_at",
                    "status",
                    "task_id",
                    "updated_at",
                ],
            )?,
            tasks_closed_current: None,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use polars::prelude::{NamedFrom, Series};

    #[test]
    fn reorder_is_a_stable_sort_with_nulls_first_into_one_chunk() {
        let part = |ids: Vec<Option<&str>>, n: Vec<i32>| {
            DataFrame::new(
                ids.len(),
                vec![
                    Series::new("id".into(), ids).into(),
                    Series::new("n".into(), n).into(),
                ],
            )
            .unwrap()
        };
        let mut df = part(vec![Some("b"), None, Some("a")], vec![0, 1, 2]);
        df.vstack_mut_owned(part(vec![Some("a"), Some("c")], vec![3, 4]))
            .unwrap();
        assert!(df.first_col_n_chunks() > 1);
        let id = strs(&df, "id").unwrap();
        let order = stable_order(id.len(), |a, b| id[a].cmp(&id[b]));
        let out = reorder(df.clone(), order).unwrap();
        assert_eq!(out.first_col_n_chunks(), 1);
        let n: Vec<Option<i32>> = out.column("n").unwrap().i32().unwrap().iter().collect();
        assert_eq!(n, vec![Some(1), Some(2), Some(3), Some(0), Some(4)]);
        // Already in order: the same rows, in one chunk.
        let sorted = reorder(out.clone(), (0..5).collect()).unwrap();
        assert!(sorted.equals_missing(&out));
    }
}
