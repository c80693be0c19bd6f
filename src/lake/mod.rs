//! The lake: canonical tables as hive-partitioned Parquet.
//!
//! Layout: `<lake>/<table>/practice_id=<id>/month=<YYYY-MM>/data.parquet` (contacts:
//! no month). Partition columns live only in the path, as Hive, Spark and DuckDB
//! expect. Each partition is exactly one file, rewritten whole when rows arrive
//! (merge-on-write), so the file count is bounded by practices × months × tables
//! however many nightly exports accumulate: compaction is built into every write.
//! Files are written to a temporary name, synced and renamed, so a crash never
//! leaves a half-written file in view.

pub mod commit;
pub mod durable;
pub mod ledger;
pub mod row;
pub mod schema;

use anyhow::{Context, Result};
use polars::prelude::{
    Arc, BooleanChunked, Column, DataFrame, DataType, HiveOptions, IntoLazy, LazyFrame,
    NewChunkedArray, ParquetCompression, ParquetReader, ParquetWriter, PlRefPath, PolarsResult,
    ScanArgsParquet, Schema, SerReader, SortMultipleOptions, StatisticsOptions,
};
use row::{to_frame, Row};
use schema::Table;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// The file name of every partition.
pub const PART_FILE: &str = "data.parquet";

/// What happened to an incoming row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// New, or a newer version of a row: it is now the current version.
    Stored,
    /// Adds nothing: the lake already holds this version or a newer one.
    Duplicate,
}

/// A partition of a table.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Partition {
    pub table: Table,
    pub practice_id: String,
    pub month: Option<(i32, u32)>,
}

/// A lake rooted at a folder.
#[derive(Debug, Clone)]
pub struct Lake {
    pub root: PathBuf,
}

impl Lake {
    pub fn new(root: impl Into<PathBuf>) -> Lake {
        Lake { root: root.into() }
    }

    pub fn table_dir(&self, table: Table) -> PathBuf {
        self.root.join(table.name())
    }

    /// The partition a row belongs to: its practice and (UTC) month.
    pub fn partition_of(table: Table, row: &Row) -> Partition {
        let month = table.partition_time().map(|col| {
            use chrono::Datelike;
            let i = table.col_index(col).expect("partition column exists");
            let ts = row.values[i].as_ts().expect("partition time is required");
            let dt = chrono::DateTime::from_timestamp_micros(ts).expect("valid instant");
            (dt.year(), dt.month())
        });
        Partition {
            table,
            practice_id: row.practice_id.clone(),
            month,
        }
    }

    /// The folder of a partition.
    pub fn partition_dir(&self, p: &Partition) -> PathBuf {
        let mut dir = self
            .table_dir(p.table)
            .join(format!("practice_id={}", p.practice_id));
        if let Some((y, m)) = p.month {
            dir = dir.join(format!("month={y:04}-{m:02}"));
        }
        dir
    }

    /// Merge rows into one partition; returns each row's outcome. Writes only if
    /// something changed. A table that keeps its versions (`Table::keeps_versions`)
    /// gets every new version into its history first (`merge_staged`).
    pub fn merge(&self, table: Table, dir: &Path, incoming: &[Row]) -> Result<Vec<Outcome>> {
        let (outcomes, staged) = self.merge_staged(table, dir, incoming)?;
        if let Some((tmp, path)) = staged {
            publish(&tmp, &path)?;
        }
        Ok(outcomes)
    }

    /// Like `merge`, but the new partition file is left under a temporary name:
    /// returns `(temporary, final)` for the caller to commit with others
    /// (`commit::Commit`), so a batch's files appear together or not at all.
    pub fn merge_staged(
        &self,
        table: Table,
        dir: &Path,
        incoming: &[Row],
    ) -> Result<(Vec<Outcome>, Option<(PathBuf, PathBuf)>)> {
        // The history is written first and at once: adding the same versions
        // again changes nothing, so a run killed before its batch commits is
        // repaired by ingesting the file again.
        if table.keeps_versions() {
            if let Ok(rel) = dir.strip_prefix(self.table_dir(table)) {
                let vdir = self.versions_dir(table).join(rel);
                self.merge_versions(table, &vdir, incoming)?;
            }
        }
        let path = dir.join(PART_FILE);
        let existing = read_file(&path)?;
        let (merged, outcomes) = merge_rows(table, existing, incoming)
            .with_context(|| format!("merging into {}", path.display()))?;
        let staged = match merged {
            Some(mut df) => Some((write_tmp(&path, &mut df)?, path)),
            None => None,
        };
        Ok((outcomes, staged))
    }

    /// Where a table's history is kept: `<lake>/_versions/<table>/`, partitioned as
    /// the table. Every distinct version of every row, as the exports gave it:
    /// what a past *as of* reads (docs/METRICS.md, "as-of").
    pub fn versions_dir(&self, table: Table) -> PathBuf {
        self.root.join("_versions").join(table.name())
    }

    /// Add the versions not yet kept to a history partition, sorted by key, then
    /// version (`updated_at`), then row hash.
    fn merge_versions(&self, table: Table, dir: &Path, incoming: &[Row]) -> Result<()> {
        let path = dir.join(PART_FILE);
        let existing = read_file(&path)?;
        let merged = merge_version_rows(table, existing, incoming)
            .with_context(|| format!("merging into {}", path.display()))?;
        if let Some(mut df) = merged {
            write_atomic(&path, &mut df)?;
        }
        Ok(())
    }

    /// A lazy scan of a table across all partitions, with practice_id (and month) as columns.
    pub fn scan(&self, table: Table) -> Result<LazyFrame> {
        let dir = self.table_dir(table);
        if !dir.exists() {
            // An empty table still has its schema, so queries over it run.
            let schema = row::file_schema(table);
            let mut df = DataFrame::empty_with_schema(&schema);
            df.insert_column(
                0,
                Column::new_empty("practice_id".into(), &DataType::String),
            )?;
            return Ok(df.lazy());
        }
        let mut hive = Schema::default();
        hive.with_column("practice_id".into(), DataType::String);
        if table.partition_time().is_some() {
            hive.with_column("month".into(), DataType::String);
        }
        let args = ScanArgsParquet {
            hive_options: HiveOptions {
                enabled: Some(true),
                hive_start_idx: 0,
                schema: Some(Arc::new(hive)),
                try_parse_dates: false,
            },
            ..Default::default()
        };
        let glob = format!("{}/**/{PART_FILE}", dir.display());
        LazyFrame::scan_parquet(PlRefPath::new(glob.as_str()), args)
            .with_context(|| format!("scanning {}", dir.display()))
    }
}

impl Lake {
    /// One practice's partitions of a table, with `practice_id` as a column: the
    /// files are listed from its folder, so nothing else in the lake is touched.
    pub fn scan_practice(&self, table: Table, practice_id: &str) -> Result<LazyFrame> {
        self.scan_practice_in(self.table_dir(table), table, practice_id)
    }

    /// `scan_practice` over the table's history (`versions_dir`): every version.
    pub fn scan_practice_versions(&self, table: Table, practice_id: &str) -> Result<LazyFrame> {
        self.scan_practice_in(self.versions_dir(table), table, practice_id)
    }

    fn scan_practice_in(
        &self,
        root: PathBuf,
        table: Table,
        practice_id: &str,
    ) -> Result<LazyFrame> {
        let dir = root.join(format!("practice_id={practice_id}"));
        let mut files = Vec::new();
        if table.partition_time().is_some() {
            let months = match std::fs::read_dir(&dir) {
                Ok(m) => Some(m),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
                Err(e) => return Err(e).with_context(|| format!("listing {}", dir.display())),
            };
            for m in months.into_iter().flatten() {
                let path = m?.path().join(PART_FILE);
                if path.is_file() {
                    files.push(path);
                }
            }
        } else if dir.join(PART_FILE).is_file() {
            files.push(dir.join(PART_FILE));
        }
        // Month order, so rows come in the same order as from a scan of the table.
        files.sort();
        let id = polars::prelude::lit(practice_id).alias("practice_id");
        if files.is_empty() {
            let df = DataFrame::empty_with_schema(&row::file_schema(table));
            return Ok(df.lazy().with_column(id));
        }
        let paths: Vec<PlRefPath> = files
            .iter()
            .map(|f| PlRefPath::new(f.to_string_lossy().as_ref()))
            .collect();
        let args = ScanArgsParquet {
            hive_options: HiveOptions {
                enabled: Some(false),
                hive_start_idx: 0,
                schema: None,
                try_parse_dates: false,
            },
            glob: false,
            ..Default::default()
        };
        Ok(LazyFrame::scan_parquet_files(paths.into(), args)
            .with_context(|| format!("scanning {}", dir.display()))?
            .with_column(id))
    }
}

/// Read a partition file, if it exists.
pub fn read_file(path: &Path) -> Result<Option<DataFrame>> {
    match std::fs::File::open(path) {
        Ok(f) => Ok(Some(
            ParquetReader::new(f)
                .finish()
                .with_context(|| format!("reading {}", path.display()))?,
        )),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("opening {}", path.display())),
    }
}

/// Latest version wins: a row replaces the current one for its key when its
/// `(updated_at, row_hash)` is greater. The hash breaks ties between two different
/// rows with the same `updated_at`, so the result does not depend on file order.
fn merge_rows(
    table: Table,
    existing: Option<DataFrame>,
    incoming: &[Row],
) -> PolarsResult<(Option<DataFrame>, Vec<Outcome>)> {
    #[derive(Clone, Copy)]
    enum Who {
        Existing(usize),
        New(usize),
    }
    let key = table.key();
    // The keys are borrowed from the file's column and the incoming rows.
    let keys = match &existing {
        Some(df) => Some(df.column(key)?.str()?.clone()),
        None => None,
    };
    let mut current: HashMap<&str, ((i64, u64), Who)> =
        HashMap::with_capacity(keys.as_ref().map_or(0, |k| k.len()) + incoming.len());
    if let (Some(df), Some(keys)) = (&existing, &keys) {
        let versions = df.column("updated_at")?.cast(&DataType::Int64)?;
        let versions = versions.i64()?;
        let hashes = df.column("row_hash")?.u64()?.clone();
        for (i, ((k, v), h)) in keys
            .iter()
            .zip(versions.iter())
            .zip(hashes.iter())
            .enumerate()
        {
            current.insert(
                k.unwrap_or_default(),
                ((v.unwrap_or(i64::MIN), h.unwrap_or(0)), Who::Existing(i)),
            );
        }
    }
    let mut outcomes = Vec::with_capacity(incoming.len());
    for (j, r) in incoming.iter().enumerate() {
        let stamp = (r.version(table), r.row_hash);
        let outcome = match current.get(r.key(table)) {
            Some((cur, _)) if *cur >= stamp => Outcome::Duplicate,
            _ => {
                current.insert(r.key(table), (stamp, Who::New(j)));
                Outcome::Stored
            }
        };
        outcomes.push(outcome);
    }
    let mut winners: Vec<usize> = current
        .values()
        .filter_map(|(_, w)| match w {
            Who::New(j) => Some(*j),
            Who::Existing(_) => None,
        })
        .collect();
    if winners.is_empty() {
        return Ok((None, outcomes));
    }
    winners.sort_unstable();
    let rows: Vec<&Row> = winners.iter().map(|&j| &incoming[j]).collect();
    let fresh = to_frame(table, &rows)?;
    let merged = match existing {
        Some(df) => {
            let mut keep = vec![false; df.height()];
            for (_, w) in current.values() {
                if let Who::Existing(i) = w {
                    keep[*i] = true;
                }
            }
            let mask = BooleanChunked::from_slice("keep".into(), &keep);
            let mut kept = df.filter(&mask)?;
            kept.vstack_mut_owned(fresh)?;
            kept
        }
        None => fresh,
    };
    let sorted = merged.sort(
        [key],
        SortMultipleOptions::default().with_maintain_order(true),
    )?;
    Ok((Some(sorted), outcomes))
}

/// The history after adding `incoming`: every distinct (key, updated_at, row hash)
/// once. `None` when nothing is new.
fn merge_version_rows(
    table: Table,
    existing: Option<DataFrame>,
    incoming: &[Row],
) -> PolarsResult<Option<DataFrame>> {
    let key = table.key();
    // The keys are borrowed from the file's column and the incoming rows.
    let keys = match &existing {
        Some(df) => Some(df.column(key)?.str()?.clone()),
        None => None,
    };
    let mut seen: std::collections::HashSet<(&str, i64, u64)> =
        std::collections::HashSet::with_capacity(
            keys.as_ref().map_or(0, |k| k.len()) + incoming.len(),
        );
    if let (Some(df), Some(keys)) = (&existing, &keys) {
        let versions = df.column("updated_at")?.cast(&DataType::Int64)?;
        let versions = versions.i64()?;
        let hashes = df.column("row_hash")?.u64()?.clone();
        for ((k, v), h) in keys.iter().zip(versions.iter()).zip(hashes.iter()) {
            seen.insert((k.unwrap_or_default(), v.unwrap_or(i64::MIN), h.unwrap_or(0)));
        }
    }
    let fresh: Vec<&Row> = incoming
        .iter()
        .filter(|r| seen.insert((r.key(table), r.version(table), r.row_hash)))
        .collect();
    if fresh.is_empty() {
        return Ok(None);
    }
    let fresh = to_frame(table, &fresh)?;
    let all = match existing {
        Some(mut df) => {
            df.vstack_mut_owned(fresh)?;
            df
        }
        None => fresh,
    };
    Ok(Some(all.sort(
        [key, "updated_at", "row_hash"],
        SortMultipleOptions::default().with_maintain_order(true),
    )?))
}

/// Write a frame as zstd Parquet with min, max and null-count statistics, atomically, owner-only.
pub fn write_atomic(path: &Path, df: &mut DataFrame) -> Result<()> {
    let tmp = write_tmp(path, df)?;
    publish(&tmp, path)
}

/// The temporary name a file is written under before it is renamed into place:
/// hidden, beside it, with the writer's process id (`commit::sweep` removes the
/// ones a dead run left).
pub fn tmp_path(path: &Path) -> Result<PathBuf> {
    let dir = path.parent().context("file has a parent folder")?;
    Ok(dir.join(format!(
        ".{}{TMP_MARK}{}",
        path.file_name().and_then(|n| n.to_str()).unwrap_or("file"),
        std::process::id()
    )))
}

/// What marks a temporary file's name (`.data.parquet.tmp-<pid>`).
pub const TMP_MARK: &str = ".tmp-";

/// The compression of every Parquet file followup writes (the lake's and the
/// metrics tables): zstd level 1 rather than polars' default level 3, files
/// about 9 % larger, writes faster (BENCHMARKS.md: the sixth speed pass for the
/// metrics, issue 26 for the lake).
pub fn compression() -> ParquetCompression {
    let level = polars_utils::compression::ZstdLevel::try_new(1).expect("a valid zstd level");
    ParquetCompression::Zstd(Some(level))
}

/// Write a frame as zstd Parquet to its temporary name, synced; returns that name.
pub fn write_tmp(path: &Path, df: &mut DataFrame) -> Result<PathBuf> {
    let dir = path.parent().context("a lake file has a parent folder")?;
    create_private_dir(dir)?;
    let tmp = tmp_path(path)?;
    let file = create_private_file(&tmp)?;
    // Buffered: the writer writes each field of the file's metadata on its
    // own, a system call each (a tenth of a nightly's ingest).
    let mut out = std::io::BufWriter::with_capacity(1 << 20, &file);
    ParquetWriter::new(&mut out)
        .with_compression(compression())
        // Min, max and null counts (what readers prune row groups by); distinct
        // counts would cost an estimate per column of every write and nothing reads them.
        .with_statistics(StatisticsOptions {
            distinct_count: false,
            ..StatisticsOptions::full()
        })
        .finish(df)
        .with_context(|| format!("writing {}", tmp.display()))?;
    std::io::Write::flush(&mut out).with_context(|| format!("writing {}", tmp.display()))?;
    drop(out);
    durable::sync_file(&file, &tmp)?;
    drop(file);
    Ok(tmp)
}

/// Rename a finished temporary file into place and make the rename durable.
pub fn publish(tmp: &Path, path: &Path) -> Result<()> {
    std::fs::rename(tmp, path)
        .with_context(|| format!("renaming {} to {}", tmp.display(), path.display()))?;
    if let Some(dir) = path.parent() {
        durable::sync_dir(dir);
    }
    Ok(())
}

/// Write bytes atomically with owner-only permissions.
pub fn write_bytes_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let tmp = write_bytes_tmp(path, bytes)?;
    publish(&tmp, path)
}

/// Write bytes to a file's temporary name, synced, owner-only; returns that name.
pub fn write_bytes_tmp(path: &Path, bytes: &[u8]) -> Result<PathBuf> {
    use std::io::Write;
    let dir = path.parent().context("file has a parent folder")?;
    create_private_dir(dir)?;
    let tmp = tmp_path(path)?;
    let mut f = create_private_file(&tmp)?;
    f.write_all(bytes)?;
    durable::sync_file(&f, &tmp)?;
    drop(f);
    Ok(tmp)
}

/// Create a folder (and parents) readable only by its owner.
pub fn create_private_dir(dir: &Path) -> Result<()> {
    let mut b = std::fs::DirBuilder::new();
    b.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        b.mode(0o700);
    }
    b.create(dir)
        .with_context(|| format!("creating folder {}", dir.display()))
}

fn create_private_file(path: &Path) -> Result<std::fs::File> {
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
