//! `followup query`: ad-hoc polars SQL over the lake and the latest metrics tables.

use crate::cli::Cli;
use crate::error::{UsageError, EXIT_OK};
use crate::query::output::{self, Format};
use crate::query::{names, Relations};
use anyhow::{Context, Result};
use std::path::PathBuf;

/// Run SQL (polars dialect) over the lake's tables and the metrics tables.
///
/// Tables: the lake's calls, tasks, attempts and appointments (with practice_id
/// and month from the partition path), and every table of the latest metrics
/// output under the reports folder (task_facts, missed_calls, backlog_daily,
/// by_category, …, one per queries/*.sql) — the newest of `followup metrics`,
/// a weekly report and a nightly run; `--metrics DIR` picks another.
/// `followup query --tables` lists them with their columns. The restricted
/// tables, contacts (names, phone numbers) and callers (the numbers the call
/// log saw), are there only with --restricted.
///
/// Rows: without an ORDER BY at its top level the result is sorted by its
/// columns, first to last (nulls last), so a query prints the same rows in the
/// same order on every run (a LIMIT without ORDER BY still leaves to polars
/// which rows are kept: add an ORDER BY). Columns are named as written in the
/// SQL (`count(*)`, not polars' `len`).
///
/// Cost: the result is held in memory; the lake is scanned lazily, so filters and
/// projections are pushed down to the Parquet files.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  followup query --tables\n  followup query \"SELECT category, count(*) FROM tasks GROUP BY category\"\n  followup query \"SELECT * FROM by_category\" --format csv > by_category.csv\n  followup query --file queries/owner_backlog.sql --out backlog.parquet\n  followup query \"SELECT * FROM task_facts\" --format jsonl | head"
)]
pub struct Args {
    /// The SQL text.
    #[arg(required_unless_present_any = ["file", "tables"], conflicts_with = "file")]
    pub sql: Option<String>,
    /// Read the SQL from a file instead.
    #[arg(long, value_parser = existing_file)]
    pub file: Option<PathBuf>,
    /// List the tables a query can name, where each comes from, and its columns.
    #[arg(long, conflicts_with_all = ["sql", "file"])]
    pub tables: bool,
    /// Output format (default: from the --out file's extension, else table).
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// Write the result to this file (created owner-only, replaced whole) instead
    /// of stdout. Required for parquet.
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Rows shown by the table format; every other format writes all rows.
    #[arg(long, default_value_t = 50)]
    pub max_rows: usize,
    /// The metrics folder to read metrics tables from (default: the latest one
    /// under the reports folder).
    #[arg(long, value_parser = super::existing_dir)]
    pub metrics: Option<PathBuf>,
    /// Also register the restricted tables: `contacts` (names and phone
    /// numbers) and `callers` (the numbers the call log saw).
    #[arg(long)]
    pub restricted: bool,
}

fn existing_file(s: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(s);
    if p.is_file() {
        Ok(p)
    } else {
        Err(format!("{s}: no such file"))
    }
}

/// The format to write: --format, else the --out file's extension, else a table.
fn format(args: &Args) -> Result<Format> {
    let f = match (args.format, &args.out) {
        (Some(f), _) => f,
        (None, Some(out)) => Format::from_extension(out).ok_or_else(|| {
            UsageError(format!(
                "{}: cannot tell the format from the file name; add --format csv, jsonl, parquet or table",
                out.display()
            ))
        })?,
        (None, None) => Format::Table,
    };
    if f == Format::Parquet && args.out.is_none() {
        return Err(
            UsageError("Parquet is written to a file; add --out FILE.parquet".into()).into(),
        );
    }
    Ok(f)
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let config = super::load_config(cli)?;
    let format = format(args)?;
    // The output's folder is made before the query runs, so a bad path fails first.
    if let Some(dir) = args.out.as_deref().and_then(|o| o.parent()) {
        if !dir.as_os_str().is_empty() {
            crate::lake::create_private_dir(dir)?;
        }
    }
    let mut rel = Relations::load(&config, args.restricted, args.metrics.as_deref())?;
    if let (Some(dir), false) = (&rel.metrics_dir, cli.quiet) {
        tracing::info!("metrics tables from {}", dir.display());
    }
    let (mut df, written) = if args.tables {
        (rel.listing(args.restricted)?, names::Written::default())
    } else {
        let sql = match (&args.sql, &args.file) {
            (Some(s), _) => s.clone(),
            (None, Some(f)) => {
                std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?
            }
            (None, None) => unreachable!("clap requires one"),
        };
        let written = names::written(&sql);
        let mut ctx = rel.context();
        let planned = ctx.execute(&sql).map_err(|e| sql_error(&e, &written, &rel));
        let df = planned?
            .collect()
            .map_err(|e| sql_error(&e, &written, &rel))?;
        (df, written)
    };
    names::apply(&mut df, &written)?;
    if !written.ordered && !args.tables {
        df = output::sort_by_columns(&df)?;
    }
    let bytes = match format {
        Format::Table => {
            let (text, left_out) = output::table(&df, args.max_rows)?;
            if left_out > 0 && !cli.quiet {
                eprintln!(
                    "query: {} row(s); the first {} shown (--max-rows N for more, --format csv for all)",
                    df.height(),
                    args.max_rows
                );
            }
            text.into_bytes()
        }
        Format::Csv => output::csv(&mut df)?,
        Format::Jsonl => output::jsonl(&df)?,
        Format::Parquet => output::parquet(&mut df)?,
    };
    match &args.out {
        Some(path) => {
            crate::lake::write_bytes_atomic(path, &bytes)?;
            if !cli.quiet {
                eprintln!(
                    "query: {} row(s) written to {}",
                    df.height(),
                    path.display()
                );
            }
        }
        None => {
            use std::io::Write;
            let mut out = std::io::stdout().lock();
            out.write_all(&bytes)?;
            out.flush()?;
        }
    }
    Ok(EXIT_OK)
}

/// A query that does not plan or run is a usage error: polars' message, and the
/// fix when the query names a table that is not registered.
fn sql_error(
    e: &polars::prelude::PolarsError,
    w: &names::Written,
    rel: &Relations,
) -> anyhow::Error {
    let registered = |t: &str| rel.list.iter().any(|r| r.name.eq_ignore_ascii_case(t));
    let text = e.to_string();
    for t in &w.tables {
        if !registered(t) && text.contains(t.as_str()) {
            if let Some(hint) = crate::query::missing_relation_hint(t, rel) {
                return UsageError(hint).into();
            }
        }
    }
    // polars follows its message with a hint for its Python API and the plan
    // it resolved: the first paragraph is the cause.
    let cause = text.split("\n\n").next().unwrap_or(&text).trim();
    let fix = if cause.contains("is duplicate") {
        "; give each expression its own name with AS"
    } else {
        ""
    };
    UsageError(format!("SQL error: {cause}{fix}")).into()
}
