//! User-extensible metrics: every `queries/*.sql` becomes an output table.
//!
//! Each file is planned against the tables' schemas before any heavy work, so a
//! query that does not parse or names an unknown column fails the run at once,
//! naming the file.

use crate::error::UsageError;
use anyhow::{Context, Result};
use polars::prelude::{DataFrame, IntoLazy, LazyFrame, Schema};
use polars::sql::SQLContext;
use std::path::{Path, PathBuf};

/// A query file: the output table is named after the file's stem.
#[derive(Debug, Clone)]
pub struct Query {
    pub name: String,
    pub path: PathBuf,
    pub sql: String,
}

/// Read `dir/*.sql`, sorted by name. A missing folder means no queries.
pub fn read_dir(dir: &Path) -> Result<Vec<Query>> {
    let mut out = Vec::new();
    let entries = match std::fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(out),
        Err(e) => return Err(e).with_context(|| format!("listing {}", dir.display())),
    };
    for e in entries {
        let path = e?.path();
        if path.extension().and_then(|x| x.to_str()) != Some("sql") {
            continue;
        }
        let name = path
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        if name.is_empty() || !name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
            return Err(UsageError(format!(
                "{}: a query file name becomes a table name; use letters, digits and '_'",
                path.display()
            ))
            .into());
        }
        let sql = std::fs::read_to_string(&path)
            .with_context(|| format!("reading {}", path.display()))?;
        out.push(Query { name, path, sql });
    }
    out.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(out)
}

/// A context with the given tables registered.
pub fn context(tables: &[(&str, LazyFrame)]) -> SQLContext {
    let ctx = SQLContext::new();
    for (name, lf) in tables {
        ctx.register(name, lf.clone());
    }
    ctx
}

/// Plan every query against empty tables of the right schemas; the first failure
/// names its file.
pub fn validate(queries: &[Query], schemas: &[(&str, Schema)]) -> Result<()> {
    let tables: Vec<(&str, LazyFrame)> = schemas
        .iter()
        .map(|(n, s)| (*n, DataFrame::empty_with_schema(s).lazy()))
        .collect();
    for q in queries {
        let mut ctx = context(&tables);
        ctx.execute(&q.sql)
            .and_then(|mut lf| lf.collect_schema().map(|_| ()))
            .map_err(|e| UsageError(format!("{}: {e}", q.path.display())))?;
    }
    Ok(())
}

/// Run one query.
pub fn run(q: &Query, tables: &[(&str, LazyFrame)]) -> Result<DataFrame> {
    let mut ctx = context(tables);
    ctx.execute(&q.sql)
        .and_then(|lf| lf.collect())
        .with_context(|| format!("running {}", q.path.display()))
}
