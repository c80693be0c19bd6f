//! `followup query`: ad-hoc polars SQL over the lake.

use crate::cli::Cli;
use crate::error::{UsageError, EXIT_OK};
use crate::lake::schema::Table;
use crate::lake::Lake;
use anyhow::{Context, Result};
use polars::prelude::{CsvWriter, SerWriter};
use polars::sql::SQLContext;
use std::path::PathBuf;

/// Run SQL (polars dialect) over the lake's tables.
///
/// Tables: calls, tasks, attempts, appointments (each with practice_id and month
/// columns from the partition path). The restricted contacts table (names, phone
/// numbers) is registered only with --restricted.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  followup query \"SELECT category, count(*) AS n FROM tasks GROUP BY category ORDER BY n DESC\"\n  followup query --file queries/backlog.sql --format csv > backlog.csv"
)]
pub struct Args {
    /// The SQL text.
    #[arg(required_unless_present = "file", conflicts_with = "file")]
    pub sql: Option<String>,
    /// Read the SQL from a file instead.
    #[arg(long, value_parser = existing_file)]
    pub file: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    pub format: Format,
    /// Rows shown by the table format (all rows are written as CSV).
    #[arg(long, default_value_t = 50)]
    pub max_rows: usize,
    /// Also register the restricted `contacts` table (names and phone numbers).
    #[arg(long)]
    pub restricted: bool,
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Format {
    Table,
    Csv,
}

fn existing_file(s: &str) -> Result<PathBuf, String> {
    let p = PathBuf::from(s);
    if p.is_file() {
        Ok(p)
    } else {
        Err(format!("{s}: no such file"))
    }
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let config = super::load_config(cli)?;
    let sql = match (&args.sql, &args.file) {
        (Some(s), _) => s.clone(),
        (None, Some(f)) => {
            std::fs::read_to_string(f).with_context(|| format!("reading {}", f.display()))?
        }
        (None, None) => unreachable!("clap requires one"),
    };
    let lake = Lake::new(&config.paths.lake);
    let mut ctx = context(&lake, args.restricted)?;
    let mut df = ctx
        .execute(&sql)
        .map_err(|e| UsageError(format!("SQL error: {e}")))?
        .collect()
        .context("running the query")?;
    match args.format {
        Format::Table => {
            // polars reads its display limits from the environment.
            std::env::set_var("POLARS_FMT_MAX_ROWS", args.max_rows.to_string());
            std::env::set_var("POLARS_FMT_MAX_COLS", "40");
            std::env::set_var("POLARS_FMT_STR_LEN", "40");
            println!("{df}");
        }
        Format::Csv => {
            let mut out = std::io::stdout().lock();
            CsvWriter::new(&mut out)
                .include_header(true)
                .finish(&mut df)?;
        }
    }
    Ok(EXIT_OK)
}

/// A SQL context with the lake's tables registered.
pub fn context(lake: &Lake, restricted: bool) -> Result<SQLContext> {
    let ctx = SQLContext::new();
    for t in Table::ALL {
        if t == Table::Contacts && !restricted {
            continue;
        }
        ctx.register(t.name(), lake.scan(t)?);
    }
    Ok(ctx)
}
