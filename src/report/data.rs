//! What the report shows, computed from the metrics tables (never the raw lake).

use crate::metrics::aggregate;
use anyhow::Result;
use polars::prelude::*;
use std::path::Path;

/// A metrics table, lazily.
pub fn scan(dir: &Path, name: &str) -> Result<LazyFrame> {
    let p = dir.join(format!("{name}.parquet"));
    anyhow::Context::with_context(
        LazyFrame::scan_parquet(
            PlRefPath::new(p.to_string_lossy().as_ref()),
            Default::default(),
        ),
        || format!("reading metrics table {}", p.display()),
    )
}

/// Aggregate metrics over all practices, grouped by `keys`.
pub fn grouped(task_facts: LazyFrame, keys: &[&str]) -> Result<DataFrame> {
    Ok(task_facts
        .group_by(keys.iter().map(|k| col(*k)).collect::<Vec<_>>())
        .agg(aggregate::metrics())
        .sort(
            keys.iter().copied(),
            SortMultipleOptions::default().with_nulls_last(true),
        )
        .collect()?)
}

/// A float column as options.
pub fn f64s(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    Ok(df
        .column(name)?
        .cast(&DataType::Float64)?
        .f64()?
        .iter()
        .collect())
}

/// A string column as owned options.
pub fn strings(df: &DataFrame, name: &str) -> Result<Vec<Option<String>>> {
    Ok(df
        .column(name)?
        .cast(&DataType::String)?
        .str()?
        .iter()
        .map(|s| s.map(str::to_string))
        .collect())
}

/// Row `i` of `name` where `key` equals `value`.
pub fn lookup(df: &DataFrame, key: &str, value: &str, name: &str) -> Result<Option<f64>> {
    let keys = strings(df, key)?;
    let vals = f64s(df, name)?;
    Ok(keys
        .iter()
        .position(|k| k.as_deref() == Some(value))
        .and_then(|i| vals[i]))
}
