//! Writing metrics tables: Parquet (zstd, statistics) and CSV, atomically.
//!
//! Large tables are written in batches (one per group of practices) so memory
//! holds one batch, not the year.

use crate::lake::{create_private_dir, publish};
use anyhow::{Context, Result};
use polars::prelude::{
    CsvWriter, DataFrame, ParquetCompression, ParquetWriter, Schema, SerWriter, StatisticsOptions,
};
use std::fs::File;
use std::io::BufWriter;
use std::path::{Path, PathBuf};

fn csv_writer<W: std::io::Write>(w: W) -> CsvWriter<W> {
    CsvWriter::new(w)
        .include_header(true)
        .with_float_precision(Some(4))
        .with_datetime_format(Some("%Y-%m-%dT%H:%M:%SZ".into()))
}

fn parquet_writer(f: File) -> ParquetWriter<File> {
    ParquetWriter::new(f)
        .with_compression(ParquetCompression::Zstd(None))
        .with_statistics(StatisticsOptions::full())
}

fn tmp_of(path: &Path) -> PathBuf {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("table");
    path.with_file_name(format!(".{name}.tmp-{}", std::process::id()))
}

fn create(path: &Path) -> Result<File> {
    let mut o = std::fs::OpenOptions::new();
    o.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        o.mode(0o600);
    }
    o.open(path)
        .with_context(|| format!("creating {}", path.display()))
}

/// A table written batch by batch to `<dir>/<name>.parquet` and `.csv`.
pub struct Sink {
    name: String,
    schema: Schema,
    parquet: (PathBuf, polars::io::parquet::write::BatchedWriter<File>),
    csv: (
        PathBuf,
        polars::io::csv::write::BatchedWriter<BufWriter<File>>,
    ),
    pub rows: usize,
}

impl Sink {
    pub fn new(dir: &Path, name: &str, schema: &Schema) -> Result<Sink> {
        create_private_dir(dir)?;
        let pq = dir.join(format!("{name}.parquet"));
        let csv = dir.join(format!("{name}.csv"));
        let pw = parquet_writer(create(&tmp_of(&pq))?).batched(schema)?;
        let cw = csv_writer(BufWriter::new(create(&tmp_of(&csv))?)).batched(schema)?;
        Ok(Sink {
            name: name.to_string(),
            schema: schema.clone(),
            parquet: (pq, pw),
            csv: (csv, cw),
            rows: 0,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn push(&mut self, df: &DataFrame) -> Result<()> {
        if df.height() == 0 {
            return Ok(());
        }
        self.parquet
            .1
            .write_batch(df)
            .with_context(|| format!("writing {}", self.name))?;
        self.csv
            .1
            .write_batch(df)
            .with_context(|| format!("writing {}", self.name))?;
        self.rows += df.height();
        Ok(())
    }

    /// Finish both files and move them into place; returns the Parquet path.
    pub fn finish(mut self) -> Result<PathBuf> {
        if self.rows == 0 {
            // Still write the CSV header, so an empty table is a valid empty table.
            self.csv
                .1
                .write_batch(&DataFrame::empty_with_schema(&self.schema))?;
        }
        self.parquet.1.finish()?;
        self.csv.1.finish()?;
        for p in [&self.parquet.0, &self.csv.0] {
            let tmp = tmp_of(p);
            File::open(&tmp)?.sync_all()?;
            publish(&tmp, p)?;
        }
        Ok(self.parquet.0)
    }
}

/// Write a small table whole.
pub fn table(dir: &Path, name: &str, df: &DataFrame) -> Result<()> {
    let mut s = Sink::new(dir, name, df.schema())?;
    s.push(df)?;
    s.finish()?;
    Ok(())
}
