//! A query result as bytes: an aligned text table for a person, CSV, JSON lines
//! or Parquet for a program. Pure: a frame in, bytes out.

use anyhow::Result;
use polars::prelude::*;

/// Output formats of `followup query`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns for a terminal (at most --max-rows rows).
    Table,
    /// CSV with a header row.
    Csv,
    /// One JSON object per row (JSON lines).
    #[value(alias = "json", alias = "ndjson")]
    Jsonl,
    /// Parquet (zstd); needs --out.
    Parquet,
}

impl Format {
    /// The format a file name implies (`.csv`, `.jsonl` / `.ndjson` / `.json`, `.parquet`).
    pub fn from_extension(path: &std::path::Path) -> Option<Format> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Format::Csv),
            "jsonl" | "ndjson" | "json" => Some(Format::Jsonl),
            "parquet" => Some(Format::Parquet),
            "txt" => Some(Format::Table),
            _ => None,
        }
    }
}

/// Sort by every column, first to last, nulls last: a result without ORDER BY
/// then comes out the same on every run (polars' group-by order is not stable).
/// Columns that have no order (lists, structs) are left out of the key.
pub fn sort_by_columns(df: &DataFrame) -> PolarsResult<DataFrame> {
    let keys: Vec<PlSmallStr> = df
        .columns()
        .iter()
        .filter(|c| !matches!(c.dtype(), DataType::List(_) | DataType::Struct(_)))
        .map(|c| c.name().clone())
        .collect();
    if keys.is_empty() || df.height() < 2 {
        return Ok(df.clone());
    }
    df.sort(
        keys,
        SortMultipleOptions::default()
            .with_nulls_last(true)
            .with_maintain_order(true),
    )
}

/// The text of every cell of a column (None for null). Instants are written in
/// RFC 3339 UTC; everything else as polars casts it to text.
fn texts(c: &Column) -> PolarsResult<Vec<Option<String>>> {
    let s = c.as_materialized_series();
    let s = match s.dtype() {
        DataType::Datetime(_, _) => s
            .cast(&DataType::Datetime(TimeUnit::Microseconds, None))?
            .datetime()?
            .to_string("%Y-%m-%dT%H:%M:%S%.fZ")?
            .into_series(),
        DataType::String => s.clone(),
        _ => match s.cast(&DataType::String) {
            Ok(t) => t,
            // A type polars does not cast to text (a list, a struct): each
            // value as polars prints it.
            Err(_) => {
                return Ok((0..s.len())
                    .map(|i| match s.get(i) {
                        Ok(AnyValue::Null) => None,
                        Ok(v) => Some(v.to_string()),
                        Err(_) => None,
                    })
                    .collect())
            }
        },
    };
    Ok(s.str()?.iter().map(|v| v.map(str::to_string)).collect())
}

fn is_numeric(dt: &DataType) -> bool {
    dt.is_primitive_numeric() || matches!(dt, DataType::Decimal(_, _))
}

/// Aligned columns, header first, numbers right-aligned, nulls blank; at most
/// `max_rows` rows. Returns the text and how many rows were left out.
pub fn table(df: &DataFrame, max_rows: usize) -> Result<(String, usize)> {
    let shown = df.height().min(max_rows);
    let head = df.head(Some(shown));
    let mut cols: Vec<(String, bool, Vec<String>)> = Vec::new();
    for c in head.columns() {
        let cells = texts(c)?
            .into_iter()
            .map(|v| one_line(&v.unwrap_or_default()))
            .collect();
        cols.push((c.name().to_string(), is_numeric(c.dtype()), cells));
    }
    let widths: Vec<usize> = cols
        .iter()
        .map(|(name, _, cells)| {
            cells
                .iter()
                .map(|s| s.chars().count())
                .chain([name.chars().count()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    let mut out = String::new();
    let mut line = |cells: Vec<(&str, bool)>| {
        let mut l = String::new();
        for (i, (text, right)) in cells.into_iter().enumerate() {
            if i > 0 {
                l.push_str("  ");
            }
            let pad = widths[i] - text.chars().count();
            if right {
                l.extend(std::iter::repeat_n(' ', pad));
                l.push_str(text);
            } else {
                l.push_str(text);
                l.extend(std::iter::repeat_n(' ', pad));
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(cols.iter().map(|(n, num, _)| (n.as_str(), *num)).collect());
    let rules: Vec<String> = widths.iter().map(|w| "─".repeat(*w)).collect();
    line(rules.iter().map(|r| (r.as_str(), false)).collect());
    for r in 0..shown {
        line(
            cols.iter()
                .map(|(_, num, cells)| (cells[r].as_str(), *num))
                .collect(),
        );
    }
    Ok((out, df.height() - shown))
}

/// Tabs and line breaks in a cell would break the alignment.
fn one_line(s: &str) -> String {
    if s.contains(['\n', '\r', '\t']) {
        s.replace(['\n', '\r', '\t'], " ")
    } else {
        s.to_string()
    }
}

/// CSV with a header row.
pub fn csv(df: &mut DataFrame) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    CsvWriter::new(&mut buf).include_header(true).finish(df)?;
    Ok(buf)
}

/// One JSON object per row, keys in column order. Numbers and booleans stay
/// numbers and booleans (a NaN or infinity, which JSON cannot hold, is null);
/// instants are RFC 3339 UTC text; anything else is its text.
pub fn jsonl(df: &DataFrame) -> Result<Vec<u8>> {
    enum Col {
        /// Integers and booleans: their text is their JSON.
        Raw(Vec<Option<String>>),
        Float(Vec<Option<f64>>),
        Text(Vec<Option<String>>),
    }
    let mut cols = Vec::new();
    for c in df.columns() {
        let dt = c.dtype();
        let col = if dt.is_integer() || dt == &DataType::Boolean {
            Col::Raw(texts(c)?)
        } else if dt.is_float() {
            let s = c.as_materialized_series().cast(&DataType::Float64)?;
            Col::Float(s.f64()?.iter().collect())
        } else {
            Col::Text(texts(c)?)
        };
        cols.push((serde_json::to_string(c.name().as_str())?, col));
    }
    let mut out = Vec::new();
    for r in 0..df.height() {
        out.push(b'{');
        for (i, (key, col)) in cols.iter().enumerate() {
            if i > 0 {
                out.push(b',');
            }
            out.extend_from_slice(key.as_bytes());
            out.push(b':');
            let v = match col {
                Col::Raw(v) => v[r].clone(),
                Col::Float(v) => v[r]
                    .filter(|x| x.is_finite())
                    .map(|x| serde_json::to_string(&x))
                    .transpose()?,
                Col::Text(v) => v[r].as_ref().map(serde_json::to_string).transpose()?,
            };
            out.extend_from_slice(v.as_deref().unwrap_or("null").as_bytes());
        }
        out.extend_from_slice(b"}\n");
    }
    Ok(out)
}

/// Parquet, zstd-compressed with column statistics, like the lake.
pub fn parquet(df: &mut DataFrame) -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    ParquetWriter::new(&mut buf)
        .with_compression(ParquetCompression::Zstd(None))
        .with_statistics(StatisticsOptions::full())
        .finish(df)?;
    Ok(buf)
}
