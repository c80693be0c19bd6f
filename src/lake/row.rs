//! Canonical rows in memory, and their conversion to and from polars frames.

use super::schema::{Kind, Table};
use polars::prelude::*;

/// A canonical value.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Value {
    Null,
    Str(String),
    Int(i64),
    Bool(bool),
    /// Microseconds since the Unix epoch, UTC.
    Ts(i64),
}

impl Value {
    pub fn as_ts(&self) -> Option<i64> {
        match self {
            Value::Ts(t) => Some(*t),
            _ => None,
        }
    }
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }
}

/// One canonical row of a table, ready for the lake.
#[derive(Debug, Clone)]
pub struct Row {
    pub practice_id: String,
    /// Values for `table.columns()`, in order.
    pub values: Vec<Value>,
    /// Vendor values for the columns with `raw = true`, in column order.
    pub raw: Vec<Value>,
    /// Export file (relative to the exports folder) and line. Shared by the
    /// rows of one file.
    pub source: std::sync::Arc<str>,
    pub source_line: i64,
    /// Keyed hash of `values` and `raw`: tells an identical re-export from a correction.
    pub row_hash: u64,
}

impl Row {
    pub fn key<'a>(&'a self, _table: Table) -> &'a str {
        self.values[0].as_str().unwrap_or("")
    }
    pub fn version(&self, table: Table) -> i64 {
        let i = table
            .col_index("updated_at")
            .expect("every table has updated_at");
        self.values[i].as_ts().unwrap_or(i64::MIN)
    }
}

/// Names of the raw columns of a table (`raw_<name>`).
pub fn raw_columns(table: Table) -> Vec<String> {
    table
        .columns()
        .iter()
        .filter(|c| c.raw)
        .map(|c| format!("raw_{}", c.name))
        .collect()
}

/// The polars schema of a table's files (partition columns live in the path, not the file).
pub fn file_schema(table: Table) -> Schema {
    let mut s = Schema::default();
    for c in table.columns() {
        s.with_column(c.name.into(), dtype(c.kind));
    }
    for r in raw_columns(table) {
        s.with_column(r.into(), DataType::String);
    }
    s.with_column("source".into(), DataType::String);
    s.with_column("source_line".into(), DataType::Int64);
    s.with_column("row_hash".into(), DataType::UInt64);
    s
}

pub fn dtype(kind: Kind) -> DataType {
    match kind {
        Kind::Timestamp => DataType::Datetime(TimeUnit::Microseconds, Some(TimeZone::UTC)),
        Kind::Int => DataType::Int64,
        Kind::Bool => DataType::Boolean,
        _ => DataType::String,
    }
}

fn column_of<'a>(
    name: &str,
    kind: Kind,
    vals: impl Iterator<Item = &'a Value>,
) -> PolarsResult<Column> {
    let name: PlSmallStr = name.into();
    Ok(match kind {
        Kind::Timestamp | Kind::Int => {
            let v: Vec<Option<i64>> = vals
                .map(|v| match *v {
                    Value::Ts(t) | Value::Int(t) => Some(t),
                    _ => None,
                })
                .collect();
            let s = Series::new(name, v);
            if kind == Kind::Timestamp {
                s.cast(&dtype(kind))?.into()
            } else {
                s.into()
            }
        }
        Kind::Bool => {
            let v: Vec<Option<bool>> = vals
                .map(|v| match *v {
                    Value::Bool(b) => Some(b),
                    _ => None,
                })
                .collect();
            Series::new(name, v).into()
        }
        _ => {
            // Borrowed: the frame copies the bytes once, into its own buffers.
            let v: Vec<Option<&str>> = vals.map(Value::as_str).collect();
            Series::new(name, v).into()
        }
    })
}

/// Build a frame (file schema) from rows.
pub fn to_frame(table: Table, rows: &[&Row]) -> PolarsResult<DataFrame> {
    let cols = table.columns();
    let mut out = Vec::with_capacity(cols.len() + 8);
    for (i, c) in cols.iter().enumerate() {
        out.push(column_of(
            c.name,
            c.kind,
            rows.iter().map(|r| &r.values[i]),
        )?);
    }
    for (j, name) in raw_columns(table).iter().enumerate() {
        out.push(column_of(name, Kind::Text, rows.iter().map(|r| &r.raw[j]))?);
    }
    out.push(
        Series::new(
            "source".into(),
            rows.iter().map(|r| Some(&*r.source)).collect::<Vec<_>>(),
        )
        .into(),
    );
    out.push(
        Series::new(
            "source_line".into(),
            rows.iter().map(|r| r.source_line).collect::<Vec<_>>(),
        )
        .into(),
    );
    out.push(
        Series::new(
            "row_hash".into(),
            rows.iter().map(|r| r.row_hash).collect::<Vec<_>>(),
        )
        .into(),
    );
    DataFrame::new(rows.len(), out)
}
