//! Writing metrics tables: Parquet (zstd, statistics) and CSV, atomically.

use crate::lake::{write_atomic, write_bytes_atomic};
use anyhow::Result;
use polars::prelude::{CsvWriter, DataFrame, SerWriter};
use std::path::Path;

/// Write `<dir>/<name>.parquet` and `<dir>/<name>.csv`.
pub fn table(dir: &Path, name: &str, df: &mut DataFrame) -> Result<()> {
    write_atomic(&dir.join(format!("{name}.parquet")), df)?;
    let mut buf = Vec::new();
    CsvWriter::new(&mut buf)
        .include_header(true)
        .with_float_precision(Some(4))
        .with_datetime_format(Some("%Y-%m-%dT%H:%M:%SZ".into()))
        .finish(df)?;
    write_bytes_atomic(&dir.join(format!("{name}.csv")), &buf)
}
