//! The aggregate tables of one practice, computed in Rust from its rows.
//!
//! `aggregate.rs` defines every aggregate as a polars plan; those plans are the
//! definition (docs/METRICS.md) and what a run over no practice, the report and the
//! summary use. A run computes the same tables for each practice here instead: one
//! pass over the rows per table, no query planning, no per-group sort for the
//! medians. The values are polars' to the bit — the same counts, the same means
//! (a sum of whole numbers divided by a count), the same linear-interpolated
//! quantiles, the same group order — which the tests check against the plans on
//! generated rows, and the schema is taken from the plans.

use crate::model::facts::Buckets;
use anyhow::{bail, Context, Result};
use polars::prelude::{
    Column, DataFrame, DataType, IdxCa, IdxSize, NamedFrom, PlHashMap, Schema, Series,
};
use std::collections::HashMap;

/// Where a key column's empty values sort.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Nulls {
    First,
    Last,
}

/// Each value's rank among the distinct non-empty values (0 for the smallest),
/// and how many distinct values there are.
fn ranks<T: Copy + Eq + std::hash::Hash + Ord>(
    values: impl Iterator<Item = Option<T>>,
) -> (Vec<Option<u32>>, usize) {
    let mut ids: PlHashMap<T, u32> = PlHashMap::default();
    let mut distinct: Vec<T> = Vec::new();
    let first: Vec<Option<u32>> = values
        .map(|v| {
            v.map(|x| {
                *ids.entry(x).or_insert_with(|| {
                    distinct.push(x);
                    distinct.len() as u32 - 1
                })
            })
        })
        .collect();
    let mut order: Vec<u32> = (0..distinct.len() as u32).collect();
    order.sort_unstable_by_key(|&i| distinct[i as usize]);
    let mut rank = vec![0u32; distinct.len()];
    for (pos, &i) in order.iter().enumerate() {
        rank[i as usize] = pos as u32;
    }
    let ranked = first
        .into_iter()
        .map(|v| v.map(|i| rank[i as usize]))
        .collect();
    (ranked, distinct.len())
}

/// Per-row sort codes for one key column, and how many codes there are: equal
/// values get equal codes, and codes order as polars sorts the column (strings by
/// their bytes, dates and numbers by value; the empty value first or last).
fn codes(c: &Column, nulls: Nulls) -> Result<(Vec<u32>, u64)> {
    let (ranked, distinct) = if c.dtype() == &DataType::String {
        ranks(c.str()?.iter())
    } else {
        let phys = c
            .to_physical_repr()
            .cast(&DataType::Int64)
            .with_context(|| format!("key column {}", c.name()))?;
        ranks(phys.i64()?.iter())
    };
    let (shift, null_code) = match nulls {
        Nulls::First => (1, 0),
        Nulls::Last => (0, distinct as u32),
    };
    let codes = ranked
        .into_iter()
        .map(|r| r.map_or(null_code, |r| r + shift))
        .collect();
    Ok((codes, distinct as u64 + 1))
}

/// The sort codes of a frame's key columns, each computed once.
struct Coder<'a> {
    df: &'a DataFrame,
    nulls: Nulls,
    done: PlHashMap<&'a str, (Vec<u32>, u64)>,
}

impl<'a> Coder<'a> {
    fn new(df: &'a DataFrame, nulls: Nulls) -> Self {
        Coder {
            df,
            nulls,
            done: PlHashMap::default(),
        }
    }

    fn get(&mut self, name: &'a str) -> Result<&(Vec<u32>, u64)> {
        if !self.done.contains_key(name) {
            let c = codes(self.df.column(name)?, self.nulls)?;
            self.done.insert(name, c);
        }
        Ok(&self.done[name])
    }
}

/// Rows grouped by key columns, groups in key order, each group's rows in row
/// order.
struct Groups {
    rows: Buckets,
    count: usize,
    /// Each row's group (none for rows left out).
    of_row: Vec<Option<u32>>,
}

impl Groups {
    /// Group the rows for which `take` holds by `keys`.
    fn new<'a>(
        coder: &mut Coder<'a>,
        keys: &[&'a str],
        take: impl Fn(usize) -> bool,
    ) -> Result<Groups> {
        let n = coder.df.height();
        // One number per row that orders as the tuple of its key codes.
        let mut comp = vec![0u64; n];
        let mut range: u64 = 1;
        for k in keys {
            let (c, radix) = coder.get(k)?;
            if range.checked_mul(*radix).is_none() {
                range = densify(&mut comp);
            }
            range *= *radix;
            for (x, &c) in comp.iter_mut().zip(c) {
                *x = *x * radix + c as u64;
            }
        }
        let (of_row, count) = ranks((0..n).map(|i| take(i).then(|| comp[i])));
        let rows = Buckets::new(count, of_row.iter().copied());
        Ok(Groups {
            rows,
            count,
            of_row,
        })
    }

    fn len(&self) -> usize {
        self.count
    }

    fn rows(&self, g: usize) -> &[u32] {
        self.rows.get(Some(g as u32))
    }

    fn iter(&self) -> impl Iterator<Item = &[u32]> + '_ {
        (0..self.len()).map(|g| self.rows(g))
    }

    /// The key columns, one value per group, with the frame's types.
    fn key_columns(&self, df: &DataFrame, keys: &[&str]) -> Result<Vec<Column>> {
        let first: Vec<IdxSize> = self.iter().map(|r| r[0] as IdxSize).collect();
        let idx = IdxCa::from_vec("".into(), first);
        keys.iter().map(|k| Ok(df.column(k)?.take(&idx)?)).collect()
    }

    /// A count per group.
    fn count(&self, f: impl Fn(usize) -> bool) -> Vec<i64> {
        self.iter()
            .map(|r| r.iter().filter(|&&i| f(i as usize)).count() as i64)
            .collect()
    }

    fn sizes(&self) -> Vec<i64> {
        self.iter().map(|r| r.len() as i64).collect()
    }
}

/// Replace numbers by their ranks among the distinct ones (same order, smaller
/// range); returns how many there are.
fn densify(v: &mut [u64]) -> u64 {
    let mut d = v.to_vec();
    d.sort_unstable();
    d.dedup();
    for x in v.iter_mut() {
        *x = d.binary_search(x).expect("present") as u64;
    }
    d.len() as u64
}

fn bools(df: &DataFrame, name: &str) -> Result<Vec<Option<bool>>> {
    Ok(df.column(name)?.bool()?.iter().collect())
}

pub(crate) fn floats(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    let c = df.column(name)?.cast(&DataType::Float64)?;
    Ok(c.f64()?.iter().collect())
}

fn ints(df: &DataFrame, name: &str) -> Result<Vec<Option<i64>>> {
    let c = df.column(name)?.cast(&DataType::Int64)?;
    Ok(c.i64()?.iter().collect())
}

fn present(df: &DataFrame, name: &str) -> Result<Vec<bool>> {
    Ok(df
        .column(name)?
        .is_not_null()
        .iter()
        .map(|v| v == Some(true))
        .collect())
}

/// The mean of a boolean column as polars takes it: trues over non-empty values.
fn share(rows: &[u32], v: &[Option<bool>]) -> Option<f64> {
    let (mut yes, mut n) = (0u64, 0u64);
    for &i in rows {
        if let Some(b) = v[i as usize] {
            n += 1;
            yes += b as u64;
        }
    }
    (n > 0).then(|| yes as f64 / n as f64)
}

/// `num / den` when `den > 0`, as `aggregate::ratio`.
fn ratio(num: i64, den: i64) -> Option<f64> {
    (den > 0).then(|| num as f64 / den as f64)
}

/// The `q` quantile of a group with linear interpolation, computed as polars does
/// (`ChunkQuantile`): over the sorted values with the empty ones first, at index
/// `(non-empty − 1)·q + empty`, so the interpolation weight is the same float.
fn quantile(rows: &[u32], v: &[Option<f64>], q: f64, buf: &mut Vec<f64>) -> Option<f64> {
    buf.clear();
    buf.extend(rows.iter().filter_map(|&i| v[i as usize]));
    let nulls = rows.len() - buf.len();
    let n = buf.len();
    if n == 0 {
        return None;
    }
    if n == 1 {
        return Some(buf[0]);
    }
    let length = n + nulls;
    let float_idx = (n as f64 - 1.0) * q + nulls as f64;
    let idx = (float_idx as usize).clamp(0, length - 1);
    let top = float_idx.ceil() as usize;
    let at = idx - nulls;
    let (_, lower, rest) = buf.select_nth_unstable_by(at, f64::total_cmp);
    let lower = *lower;
    if idx == top {
        return Some(lower);
    }
    let upper = rest
        .iter()
        .copied()
        .min_by(f64::total_cmp)
        .expect("a value above the lower one");
    Some(if lower == upper {
        lower
    } else {
        (float_idx - idx as f64) * (upper - lower) + lower
    })
}

/// Per group, the median and p90 of the Kaplan–Meier curve of its tasks
/// (`aggregate::curve_time`): each task an event at `event` minutes (below 0
/// as 0), else censored at `observed`; tasks with neither left out.
fn curve_times(
    g: &Groups,
    event: &[Option<f64>],
    observed: &[Option<f64>],
) -> (Vec<Option<f64>>, Vec<Option<f64>>) {
    let mut buf = Vec::new();
    g.iter()
        .map(|rows| {
            buf.clear();
            buf.extend(rows.iter().filter_map(|&i| match event[i as usize] {
                Some(m) => Some((m.max(0.0), true)),
                None => observed[i as usize].map(|o| (o, false)),
            }));
            super::survival::median_p90(&mut buf)
        })
        .unzip()
}

fn quantiles(g: &Groups, v: &[Option<f64>], q: f64) -> Vec<Option<f64>> {
    let mut buf = Vec::new();
    g.iter().map(|r| quantile(r, v, q, &mut buf)).collect()
}

fn shares(g: &Groups, v: &[Option<bool>]) -> Vec<Option<f64>> {
    g.iter().map(|r| share(r, v)).collect()
}

/// Give the computed columns the names, order and types of the plan's schema
/// (`practice_id` excluded: the caller adds it).
fn conform(cols: Vec<Column>, schema: &Schema) -> Result<DataFrame> {
    let height = cols.first().map_or(0, |c| c.len());
    let by_name: HashMap<&str, &Column> = cols.iter().map(|c| (c.name().as_str(), c)).collect();
    let mut out = Vec::with_capacity(schema.len());
    for (name, dtype) in schema.iter() {
        if name == "practice_id" {
            continue;
        }
        let c = by_name
            .get(name.as_str())
            .with_context(|| format!("aggregate column {name} not computed"))?;
        out.push(c.cast(dtype)?);
    }
    if out.len() != cols.len() {
        bail!(
            "computed {} aggregate columns, the table has {}",
            cols.len(),
            out.len()
        );
    }
    Ok(DataFrame::new(height, out)?)
}

fn i64s(name: &str, v: Vec<i64>) -> Column {
    Series::new(name.into(), v).into()
}

fn f64s(name: &str, v: Vec<Option<f64>>) -> Column {
    Series::new(name.into(), v).into()
}

/// The per-row values the task metrics read.
struct TaskRows {
    attempted: Vec<bool>,
    minutes_first: Vec<Option<f64>>,
    minutes_observed: Vec<Option<f64>>,
    met: Vec<Option<bool>>,
    reached: Vec<Option<bool>>,
    terminal: Vec<Option<bool>>,
    minutes_completion: Vec<Option<f64>>,
    booked: Vec<Option<bool>>,
    kept: Vec<Option<bool>>,
    left_message: Vec<Option<bool>>,
    attempts: Vec<Option<f64>>,
    closed_unable_early: Vec<Option<bool>>,
    early: Vec<Option<bool>>,
    over_max: Vec<Option<bool>>,
    final_ok: Vec<Option<bool>>,
    barrier: Vec<bool>,
    poor: Vec<Option<i64>>,
    partial: Vec<Option<i64>>,
    complete: Vec<Option<i64>>,
    unowned: Vec<Option<bool>>,
    has_deadline: Vec<bool>,
    reached_in_age: Vec<Option<bool>>,
    completed_in_age: Vec<Option<bool>>,
    booked_in_age: Vec<Option<bool>>,
    visit_in_age: Vec<Option<bool>>,
    kept_in_age: Vec<Option<bool>>,
}

impl TaskRows {
    fn new(df: &DataFrame) -> Result<TaskRows> {
        Ok(TaskRows {
            attempted: present(df, "first_attempt_at")?,
            minutes_first: floats(df, "minutes_to_first_attempt")?,
            minutes_observed: floats(df, "minutes_observed")?,
            met: bools(df, "met_target")?,
            reached: bools(df, "reached")?,
            terminal: bools(df, "terminal")?,
            minutes_completion: floats(df, "minutes_to_completion")?,
            booked: bools(df, "booked")?,
            kept: bools(df, "kept")?,
            left_message: bools(df, "left_message")?,
            attempts: floats(df, "attempts")?,
            closed_unable_early: bools(df, "closed_unable_early")?,
            early: bools(df, "early_attempt")?,
            over_max: bools(df, "over_max_attempts")?,
            final_ok: bools(df, "final_channel_ok")?,
            barrier: present(df, "barrier")?,
            poor: ints(df, "notes_poor")?,
            partial: ints(df, "notes_partial")?,
            complete: ints(df, "notes_complete")?,
            unowned: bools(df, "unowned")?,
            has_deadline: present(df, "deadline_at")?,
            reached_in_age: bools(df, "reached_in_age")?,
            completed_in_age: bools(df, "completed_in_age")?,
            booked_in_age: bools(df, "booked_in_age")?,
            visit_in_age: bools(df, "visit_in_age")?,
            kept_in_age: bools(df, "kept_in_age")?,
        })
    }
}

fn yes(v: &[Option<bool>]) -> impl Fn(usize) -> bool + '_ {
    move |i| v[i] == Some(true)
}

/// `aggregate::metrics()` per group.
fn task_metrics(g: &Groups, t: &TaskRows) -> Vec<Column> {
    let tasks = g.sizes();
    let left_message = g.count(yes(&t.left_message));
    let lm_booked = g.count(|i| t.left_message[i] == Some(true) && t.booked[i] == Some(true));
    let with_barrier = g.count(|i| t.barrier[i]);
    let mean_attempts = g
        .iter()
        .map(|r| {
            let (mut sum, mut n) = (0.0, 0usize);
            for v in r.iter().filter_map(|&i| t.attempts[i as usize]) {
                sum += v;
                n += 1;
            }
            (n > 0).then(|| sum / n as f64)
        })
        .collect();
    let notes_share = g
        .iter()
        .map(|r| {
            let poor: i64 = r.iter().filter_map(|&i| t.poor[i as usize]).sum();
            let all: i64 = r
                .iter()
                .filter_map(|&i| {
                    let i = i as usize;
                    Some(t.poor[i]? + t.partial[i]? + t.complete[i]?)
                })
                .sum();
            ratio(poor, all)
        })
        .collect();
    let (first_median, first_p90) = curve_times(g, &t.minutes_first, &t.minutes_observed);
    let (done_median, _) = curve_times(g, &t.minutes_completion, &t.minutes_observed);
    vec![
        i64s("tasks", tasks.clone()),
        i64s("attempted", g.count(|i| t.attempted[i])),
        f64s("median_minutes_to_first_attempt", first_median),
        f64s("p90_minutes_to_first_attempt", first_p90),
        i64s("due", g.count(|i| t.met[i].is_some())),
        i64s("within_target", g.count(yes(&t.met))),
        f64s("within_target_share", shares(g, &t.met)),
        f64s("contact_rate", shares(g, &t.reached)),
        f64s("completion_rate", shares(g, &t.terminal)),
        f64s("median_minutes_to_completion", done_median),
        f64s("booking_rate", shares(g, &t.booked)),
        f64s("kept_rate", shares(g, &t.kept)),
        i64s("left_message", left_message.clone()),
        f64s(
            "voicemail_to_scheduled_rate",
            lm_booked
                .iter()
                .zip(&left_message)
                .map(|(&a, &b)| ratio(a, b))
                .collect(),
        ),
        f64s("attempts_per_task", mean_attempts),
        i64s("closed_unable_early", g.count(yes(&t.closed_unable_early))),
        i64s("early_attempts", g.count(yes(&t.early))),
        i64s("over_max_attempts", g.count(yes(&t.over_max))),
        i64s(
            "final_channel_misses",
            g.count(|i| t.final_ok[i] == Some(false)),
        ),
        i64s("with_barrier", with_barrier.clone()),
        f64s(
            "barrier_share",
            with_barrier
                .iter()
                .zip(&tasks)
                .map(|(&b, &n)| Some(b as f64 / n as f64))
                .collect(),
        ),
        f64s("notes_poor_share", notes_share),
        i64s("unowned", g.count(yes(&t.unowned))),
        i64s(
            "undecided",
            g.count(|i| t.has_deadline[i] && t.met[i].is_none()),
        ),
        f64s(
            "reached_in_age_rate",
            mature_shares(g, &t.reached_in_age, &t.reached_in_age),
        ),
        f64s(
            "completed_in_age_rate",
            mature_shares(g, &t.completed_in_age, &t.completed_in_age),
        ),
        f64s(
            "booked_in_age_rate",
            mature_shares(g, &t.booked_in_age, &t.booked_in_age),
        ),
        f64s(
            "kept_in_age_rate",
            mature_shares(g, &t.kept_in_age, &t.visit_in_age),
        ),
        i64s("visits_in_age", g.count(|i| t.kept_in_age[i].is_some())),
    ]
}

/// The share of `v` per group when no row of the group has `gate` empty (every
/// task is old enough), else empty (docs/METRICS.md, "maturity").
fn mature_shares(g: &Groups, v: &[Option<bool>], gate: &[Option<bool>]) -> Vec<Option<f64>> {
    g.iter()
        .map(|r| {
            r.iter()
                .all(|&i| gate[i as usize].is_some())
                .then(|| share(r, v))
                .flatten()
        })
        .collect()
}

fn by<'a>(
    coder: &mut Coder<'a>,
    t: &TaskRows,
    keys: &[&'a str],
    schema: &Schema,
) -> Result<DataFrame> {
    let g = Groups::new(coder, keys, |_| true)?;
    let mut cols = g.key_columns(coder.df, keys)?;
    cols.extend(task_metrics(&g, t));
    conform(cols, schema)
}

fn barriers(df: &DataFrame, keys: &[&str], schema: &Schema) -> Result<DataFrame> {
    let has = present(df, "barrier")?;
    let mut coder = Coder::new(df, Nulls::First);
    let totals = Groups::new(&mut coder, keys, |_| true)?;
    let mut with: Vec<&str> = keys.to_vec();
    with.push("barrier");
    let g = Groups::new(&mut coder, &with, |i| has[i])?;
    let tasks = g.sizes();
    // A left join on the keys: a key with an empty part matches no total.
    let mut category_tasks: Vec<Option<i64>> = Vec::with_capacity(g.len());
    for r in g.iter() {
        let first = r[0] as usize;
        let mut null_key = false;
        for k in keys {
            null_key |= coder.get(k)?.0[first] == 0;
        }
        category_tasks.push((!null_key).then(|| {
            let t = totals.of_row[first].expect("every row has a total");
            totals.rows(t as usize).len() as i64
        }));
    }
    let share: Vec<Option<f64>> = tasks
        .iter()
        .zip(&category_tasks)
        .map(|(&n, t)| t.map(|t| n as f64 / t as f64))
        .collect();
    let mut cols = g.key_columns(df, &with)?;
    cols.push(i64s("tasks", tasks));
    cols.push(Series::new("category_tasks".into(), category_tasks).into());
    cols.push(f64s("share", share));
    conform(cols, schema)
}

fn missed_weekly(df: &DataFrame, keys: &[&str], schema: &Schema) -> Result<DataFrame> {
    let g = Groups::new(&mut Coder::new(df, Nulls::First), keys, |_| true)?;
    let count = ints(df, "missed_count")?;
    let returned = bools(df, "returned")?;
    let kind: Vec<bool> = df
        .column("return_kind")?
        .str()?
        .iter()
        .map(|k| k == Some("patient_called_back"))
        .collect();
    let within = bools(df, "within_target")?;
    let minutes = floats(df, "minutes_to_return")?;
    let observed = floats(df, "minutes_observed")?;
    let (median, p90) = curve_times(&g, &minutes, &observed);
    let unreturnable = bools(df, "unreturnable")?;
    let mut cols = g.key_columns(df, keys)?;
    cols.extend([
        i64s("callbacks_owed", g.sizes()),
        i64s(
            "missed_calls",
            g.iter()
                .map(|r| r.iter().filter_map(|&i| count[i as usize]).sum())
                .collect(),
        ),
        i64s("returned", g.count(yes(&returned))),
        i64s("patient_called_back", g.count(|i| kind[i])),
        f64s("within_target_share", shares(&g, &within)),
        f64s("median_minutes_to_return", median),
        f64s("p90_minutes_to_return", p90),
        i64s("unreturnable", g.count(yes(&unreturnable))),
    ]);
    conform(cols, schema)
}

fn recovery_weekly(df: &DataFrame, keys: &[&str], schema: &Schema) -> Result<DataFrame> {
    let g = Groups::new(&mut Coder::new(df, Nulls::First), keys, |_| true)?;
    let closed = bools(df, "window_closed")?;
    // Only events whose window has closed have an outcome (docs/METRICS.md, "recovery").
    let known = |v: Vec<Option<bool>>| -> Vec<Option<bool>> {
        v.into_iter()
            .zip(&closed)
            .map(|(x, c)| x.filter(|_| *c == Some(true)))
            .collect()
    };
    let rebooked = known(bools(df, "rebooked")?);
    let days: Vec<Option<f64>> = floats(df, "days_to_rebook")?
        .into_iter()
        .zip(&closed)
        .map(|(x, c)| x.filter(|_| *c == Some(true)))
        .collect();
    let mut cols = g.key_columns(df, keys)?;
    cols.extend([
        i64s("events", g.sizes()),
        i64s("window_closed", g.count(yes(&closed))),
        i64s("rebooked", g.count(yes(&rebooked))),
        f64s("recovery_rate", shares(&g, &rebooked)),
        f64s("median_days_to_rebook", quantiles(&g, &days, 0.5)),
    ]);
    conform(cols, schema)
}

/// One practice's aggregate tables, in `aggregate::all` order, without the
/// `practice_id` column; `schemas` are those tables' schemas from the plans.
pub fn one_practice(
    task_facts: &DataFrame,
    missed: &DataFrame,
    recovery: &DataFrame,
    schemas: &[Schema],
) -> Result<Vec<DataFrame>> {
    let names = super::aggregate::names();
    if schemas.len() != names.len() {
        bail!(
            "{} aggregate schemas for {} tables",
            schemas.len(),
            names.len()
        );
    }
    let t = TaskRows::new(task_facts)?;
    let mut coder = Coder::new(task_facts, Nulls::Last);
    names
        .iter()
        .zip(schemas)
        .map(|((name, keys), schema)| {
            let keys: Vec<&str> = keys
                .iter()
                .copied()
                .filter(|k| *k != "practice_id")
                .collect();
            let df = match *name {
                "missed_calls_weekly" => missed_weekly(missed, &keys, schema),
                "recovery_weekly" => recovery_weekly(recovery, &keys, schema),
                "barriers_weekly" => barriers(task_facts, &keys, schema),
                _ => by(&mut coder, &t, &keys, schema),
            };
            df.with_context(|| format!("aggregate {name}"))
        })
        .collect()
}

#[cfg(test)]
#[path = "group_tests.rs"]
mod tests;

/// The task columns `aggregate::metrics()` reads: what an overall table needs
/// of the task facts besides its keys.
pub const TASK_METRIC_COLUMNS: [&str; 26] = [
    "first_attempt_at",
    "minutes_to_first_attempt",
    "minutes_observed",
    "met_target",
    "reached",
    "terminal",
    "minutes_to_completion",
    "booked",
    "kept",
    "left_message",
    "attempts",
    "closed_unable_early",
    "early_attempt",
    "over_max_attempts",
    "final_channel_ok",
    "barrier",
    "notes_poor",
    "notes_partial",
    "notes_complete",
    "unowned",
    "deadline_at",
    "reached_in_age",
    "completed_in_age",
    "booked_in_age",
    "visit_in_age",
    "kept_in_age",
];

/// `aggregate::by` over every practice's task facts together, for each
/// `(keys, schema)`: the same values and group order as the plan, in one pass
/// over the rows per table (the plan's group-by, with its medians, held twice
/// the year-scale run's memory). `task_facts` needs the keys and
/// `TASK_METRIC_COLUMNS`.
pub fn overall(task_facts: &DataFrame, tables: &[(&[&str], Schema)]) -> Result<Vec<DataFrame>> {
    let t = TaskRows::new(task_facts)?;
    let mut coder = Coder::new(task_facts, Nulls::Last);
    tables
        .iter()
        .map(|(keys, schema)| by(&mut coder, &t, keys, schema))
        .collect()
}
