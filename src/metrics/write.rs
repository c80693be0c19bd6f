//! Writing metrics tables: Parquet (zstd, statistics) and CSV, atomically.
//!
//! Large tables are written in batches (one per practice) so memory holds a few
//! practices, not the year, and streamed to disk as they grow (see
//! `Streamed`) so the page cache does not fill with them either.

use crate::lake::{create_private_dir, publish};
use anyhow::{Context, Result};
use polars::prelude::{CsvWriter, DataFrame, ParquetWriter, Schema, SerWriter, StatisticsOptions};
use std::fs::File;
use std::io::{BufWriter, Seek, Write};
use std::path::{Path, PathBuf};

pub(super) fn csv_writer<W: std::io::Write>(w: W) -> CsvWriter<W> {
    CsvWriter::new(w)
        .include_header(true)
        .with_float_precision(Some(4))
        .with_datetime_format(Some("%Y-%m-%dT%H:%M:%SZ".into()))
}

fn parquet_writer<W: std::io::Write>(f: W) -> ParquetWriter<W> {
    ParquetWriter::new(f)
        .with_compression(crate::lake::compression())
        // Min, max and null counts; distinct counts cost more to compute than
        // readers of these tables gain from them.
        .with_statistics(StatisticsOptions::default())
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

/// A piece of a table: its rows, and their CSV text (no header) when the table is
/// written as CSV. The text is formatted by whoever computed the rows, so formatting
/// runs in parallel while the sink only appends bytes.
pub struct Piece {
    pub df: DataFrame,
    pub csv: Option<Vec<u8>>,
}

impl Piece {
    pub fn new(df: DataFrame, csv: bool) -> Result<Piece> {
        let csv = if csv && df.height() > 0 {
            Some(row_text(&df)?)
        } else {
            None
        };
        Ok(Piece { df, csv })
    }
}

/// CSV rows of `df` without a header: the fast writer, or polars for a column type
/// it does not handle (the two write the same bytes).
fn row_text(df: &DataFrame) -> Result<Vec<u8>> {
    match super::csv_text::rows(df) {
        Some(text) => Ok(text),
        None => csv_bytes(df, false),
    }
}

fn csv_bytes(df: &DataFrame, header: bool) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    csv_writer(&mut out)
        .include_header(header)
        .finish(&mut df.clone())?;
    Ok(out)
}

/// Bytes written to a file between two rounds of `Streamed::advance`.
const STREAM_CHUNK: u64 = 8 << 20;

/// A large output file handed to the disk as it is written, rather than left in
/// the page cache until the final fsync: each new stretch of at least
/// `STREAM_CHUNK` bytes has its writeback started, and (unless the file is read
/// again later in the run) the stretch before it is waited for and dropped from
/// the cache. The year-scale run writes about 2.5 GB of
/// row-level CSV; left in the cache, every one of those bytes took a fresh page of
/// memory, which cost as much system time as formatting the CSV
/// (measured in BENCHMARKS.md), and the final fsync waited for all of it.
///
/// Only a hint to the kernel: errors are ignored here (an I/O error still fails
/// the `sync_all` that ends every file), and off Linux it does nothing.
struct Streamed {
    file: File,
    /// Whether written stretches leave the cache.
    drop: bool,
    /// Bytes before this are on disk and out of the cache.
    dropped: u64,
    /// Bytes before this have had their writeback started.
    started: u64,
}

impl Streamed {
    fn new(file: File, drop: bool) -> Streamed {
        Streamed {
            file,
            drop,
            dropped: 0,
            started: 0,
        }
    }

    /// Call after writing: `end` is the file's length so far.
    fn advance(&mut self, end: u64) {
        if end < self.started + STREAM_CHUNK {
            return;
        }
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::io::AsRawFd;
            let fd = self.file.as_raw_fd();
            let off = |v: u64| libc::off64_t::try_from(v).unwrap_or(libc::off64_t::MAX);
            // SAFETY: plain system calls on a file descriptor `self.file` owns
            // for the duration of the call; no memory is passed.
            unsafe {
                libc::sync_file_range(
                    fd,
                    off(self.started),
                    off(end - self.started),
                    libc::SYNC_FILE_RANGE_WRITE,
                );
                if self.drop && self.started > self.dropped {
                    let len = off(self.started - self.dropped);
                    libc::sync_file_range(
                        fd,
                        off(self.dropped),
                        len,
                        libc::SYNC_FILE_RANGE_WAIT_BEFORE
                            | libc::SYNC_FILE_RANGE_WRITE
                            | libc::SYNC_FILE_RANGE_WAIT_AFTER,
                    );
                    libc::posix_fadvise64(fd, off(self.dropped), len, libc::POSIX_FADV_DONTNEED);
                }
            }
        }
        self.dropped = self.started;
        self.started = end;
    }
}

/// A table written piece by piece to `<dir>/<name>.parquet` and, when asked, `.csv`.
pub struct Sink {
    name: String,
    parquet: (
        PathBuf,
        polars::io::parquet::write::BatchedWriter<BufWriter<File>>,
        Streamed,
    ),
    csv: Option<(PathBuf, Streamed)>,
    pub rows: usize,
}

impl Sink {
    /// Without `csv`, a `<name>.csv` left by an earlier run is removed, so the folder
    /// never holds a CSV that disagrees with the Parquet beside it.
    pub fn new(dir: &Path, name: &str, schema: &Schema, csv: bool) -> Result<Sink> {
        create_private_dir(dir)?;
        let pq = dir.join(format!("{name}.parquet"));
        let csv_path = dir.join(format!("{name}.csv"));
        let pq_file = create(&tmp_of(&pq))?;
        // The writer's handle and this one share the file offset, which is how
        // far the writer's buffer has reached the file. The Parquet files stay in the cache: the
        // headlines and queries read them at the end of the run.
        let pq_stream = Streamed::new(pq_file.try_clone()?, false);
        // Buffered: the footer goes out in thousands of small writes.
        let pw = parquet_writer(BufWriter::with_capacity(1 << 20, pq_file)).batched(schema)?;
        let csv = if csv {
            let mut f = create(&tmp_of(&csv_path))?;
            f.write_all(&csv_bytes(&DataFrame::empty_with_schema(schema), true)?)?;
            Some((csv_path, Streamed::new(f, true)))
        } else {
            match std::fs::remove_file(&csv_path) {
                Ok(()) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(e).with_context(|| format!("removing {}", csv_path.display()))
                }
            }
            None
        };
        Ok(Sink {
            name: name.to_string(),
            parquet: (pq, pw, pq_stream),
            csv,
            rows: 0,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn push(&mut self, piece: &Piece) -> Result<()> {
        let df = &piece.df;
        if df.height() == 0 {
            return Ok(());
        }
        let t0 = std::time::Instant::now();
        self.parquet
            .1
            .write_batch(df)
            .with_context(|| format!("writing {}", self.name))?;
        let end = (&self.parquet.2.file).stream_position()?;
        self.parquet.2.advance(end);
        tracing::debug!(
            "metrics: {} parquet {:.3}s",
            self.name,
            t0.elapsed().as_secs_f64()
        );
        if let Some((path, s)) = &mut self.csv {
            let text = match &piece.csv {
                Some(t) => std::borrow::Cow::Borrowed(t),
                None => std::borrow::Cow::Owned(row_text(df)?),
            };
            s.file
                .write_all(&text)
                .with_context(|| format!("writing {}", path.display()))?;
            let end = s.file.stream_position()?;
            s.advance(end);
        }
        self.rows += df.height();
        Ok(())
    }

    /// Finish the files and move them into place; returns the Parquet path.
    pub fn finish(self) -> Result<PathBuf> {
        let (parquet, csv) = self.finish_unpublished()?;
        let path = parquet.path.clone();
        parquet.publish()?;
        if let Some(csv) = csv {
            csv.publish()?;
        }
        Ok(path)
    }

    /// Finish writing the Parquet and CSV files under their temporary names, and
    /// leave making them durable (the slow part: it waits for the disk) and moving
    /// them into place to the caller, who can read the Parquet meanwhile.
    pub fn finish_unpublished(self) -> Result<(Unpublished, Option<Unpublished>)> {
        let size = self
            .parquet
            .1
            .finish()
            .with_context(|| format!("writing {}", self.name))?;
        let (path, writer, stream) = self.parquet;
        // Dropping the writer flushes its buffer, without a word if that fails: a
        // file shorter than the writer wrote is the sign.
        drop(writer);
        let len = stream.file.metadata()?.len();
        anyhow::ensure!(
            len == size,
            "writing {}: {len} of {size} bytes reached the file",
            tmp_of(&path).display()
        );
        let parquet = Unpublished {
            path,
            file: stream.file,
        };
        let csv = self.csv.map(|(path, s)| Unpublished { path, file: s.file });
        Ok((parquet, csv))
    }
}

/// A file written in full under its temporary name.
pub struct Unpublished {
    path: PathBuf,
    file: File,
}

impl Unpublished {
    /// Where the file is until it is published.
    pub fn tmp_path(&self) -> PathBuf {
        tmp_of(&self.path)
    }

    /// Make the file durable.
    pub fn sync(&self) -> Result<()> {
        crate::lake::durable::sync_file(&self.file, &self.tmp_path())
    }

    /// Make the file durable (if `sync` has not) and move it into place.
    pub fn publish(self) -> Result<()> {
        self.sync()?;
        let tmp = self.tmp_path();
        drop(self.file);
        publish(&tmp, &self.path)
    }
}

/// Write a small table whole (always with its CSV).
pub fn table(dir: &Path, name: &str, df: &DataFrame) -> Result<()> {
    let mut s = Sink::new(dir, name, df.schema(), true)?;
    s.push(&Piece::new(df.clone(), false)?)?;
    s.finish()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_streamed_file_keeps_every_byte_and_advances_by_whole_chunks() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.csv");
        let mut s = Streamed::new(create(&path).unwrap(), true);
        let piece = |i: u8| vec![b'a' + i; 5 << 20];
        let mut want = Vec::new();
        let mut states = Vec::new();
        for i in 0..5 {
            let p = piece(i);
            s.file.write_all(&p).unwrap();
            want.extend_from_slice(&p);
            let end = s.file.stream_position().unwrap();
            s.advance(end);
            states.push((s.dropped >> 20, s.started >> 20));
        }
        // A round starts once 8 MiB have been written since the last one; each
        // round drops what the round before started.
        assert_eq!(states, [(0, 0), (0, 10), (0, 10), (10, 20), (10, 20)]);
        s.file.sync_all().unwrap();
        drop(s);
        assert!(std::fs::read(&path).unwrap() == want);
    }
}
