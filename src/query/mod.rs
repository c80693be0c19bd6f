//! Ad-hoc SQL over everything a run keeps: the lake's tables and the metrics
//! tables of the latest metrics output, as one set of relations.

pub mod names;
pub mod output;

use crate::config::Config;
use crate::lake::schema::Table;
use crate::lake::Lake;
use anyhow::{Context, Result};
use polars::prelude::*;
use polars::sql::SQLContext;
use std::path::{Path, PathBuf};

/// One relation a query can name.
#[derive(Clone)]
pub struct Relation {
    pub name: String,
    /// Where its rows come from (`lake`, or the metrics folder).
    pub from: String,
    pub lf: LazyFrame,
}

/// The relations of a config: the lake's tables, then the metrics tables.
#[derive(Default)]
pub struct Relations {
    pub list: Vec<Relation>,
    /// The metrics folder the metrics tables come from, if any was found.
    pub metrics_dir: Option<PathBuf>,
}

impl Relations {
    /// The lake's tables (the restricted ones, contacts and callers, only when
    /// `restricted`: `Table::restricted`) and every `*.parquet`
    /// in `metrics` (default: the latest metrics output under the reports folder).
    pub fn load(config: &Config, restricted: bool, metrics: Option<&Path>) -> Result<Relations> {
        let lake = Lake::new(&config.paths.lake);
        let mut list = Vec::new();
        for t in Table::ALL {
            if t.restricted() && !restricted {
                continue;
            }
            list.push(Relation {
                name: t.name().to_string(),
                from: "lake".into(),
                lf: lake.scan(t)?,
            });
        }
        let metrics_dir = match metrics {
            Some(d) => Some(d.to_path_buf()),
            None => latest_metrics(&config.paths.reports)?,
        };
        if let Some(dir) = &metrics_dir {
            for (name, path) in parquet_files(dir)? {
                if Table::ALL.iter().any(|t| t.name() == name) {
                    // A queries/*.sql named after a lake table: the lake's wins.
                    tracing::warn!(
                        "{}: not registered, a lake table has its name",
                        path.display()
                    );
                    continue;
                }
                let lf = Context::with_context(
                    LazyFrame::scan_parquet(
                        PlRefPath::new(path.to_string_lossy().as_ref()),
                        Default::default(),
                    ),
                    || format!("reading metrics table {}", path.display()),
                )?;
                list.push(Relation {
                    name,
                    from: dir.display().to_string(),
                    lf,
                });
            }
        }
        Ok(Relations { list, metrics_dir })
    }

    /// A SQL context with every relation registered.
    pub fn context(&self) -> SQLContext {
        let ctx = SQLContext::new();
        for r in &self.list {
            ctx.register(&r.name, r.lf.clone());
        }
        ctx
    }

    /// One row per relation: its name, where it comes from, and its columns.
    pub fn listing(&mut self, restricted: bool) -> Result<DataFrame> {
        let (mut names, mut froms, mut cols) = (Vec::new(), Vec::new(), Vec::new());
        for r in &mut self.list {
            let schema = Context::with_context(r.lf.collect_schema(), || {
                format!("reading the columns of {}", r.name)
            })?;
            names.push(r.name.clone());
            froms.push(r.from.clone());
            cols.push(
                schema
                    .iter_names()
                    .map(|n| n.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        if !restricted {
            for t in Table::ALL.into_iter().filter(|t| t.restricted()) {
                names.push(t.name().to_string());
                froms.push("lake (restricted: add --restricted)".into());
                cols.push(String::new());
            }
        }
        Ok(DataFrame::new_infer_height(vec![
            Column::new("table".into(), names),
            Column::new("from".into(), froms),
            Column::new("columns".into(), cols),
        ])?)
    }
}

/// The metrics folder written last under `reports`: `<reports>/metrics` (from
/// `followup metrics`), `<reports>/<week>/metrics` (a weekly report) or
/// `<reports>/daily/<day>/metrics` (a nightly run). Each metrics run writes its
/// summary.json last, so the newest summary.json names the latest complete output;
/// equal times go to the later path, so the choice never depends on listing order.
pub fn latest_metrics(reports: &Path) -> Result<Option<PathBuf>> {
    let mut candidates = vec![reports.join("metrics")];
    for parent in [reports.to_path_buf(), reports.join("daily")] {
        let entries = match std::fs::read_dir(&parent) {
            Ok(e) => e,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(e).with_context(|| format!("listing {}", parent.display())),
        };
        for e in entries {
            let e = e?;
            if e.file_name().to_string_lossy().starts_with('.') {
                continue; // a staging folder of a run in progress
            }
            candidates.push(e.path().join("metrics"));
        }
    }
    let mut best: Option<(std::time::SystemTime, PathBuf)> = None;
    for dir in candidates {
        let summary = dir.join("summary.json");
        let Ok(meta) = std::fs::metadata(&summary) else {
            continue;
        };
        if !dir.join("task_facts.parquet").is_file() {
            continue; // a staffing folder also has a summary.json
        }
        let t = meta.modified()?;
        if best.as_ref().is_none_or(|(bt, bp)| (t, &dir) > (*bt, bp)) {
            best = Some((t, dir));
        }
    }
    Ok(best.map(|(_, d)| d))
}

/// `(stem, path)` of every `*.parquet` in `dir`, sorted by name.
fn parquet_files(dir: &Path) -> Result<Vec<(String, PathBuf)>> {
    let mut out = Vec::new();
    let entries = std::fs::read_dir(dir)
        .with_context(|| format!("listing metrics folder {}", dir.display()))?;
    for e in entries {
        let path = e?.path();
        if path.extension().and_then(|x| x.to_str()) != Some("parquet") {
            continue;
        }
        if let Some(stem) = path.file_stem().and_then(|s| s.to_str()) {
            out.push((stem.to_string(), path.clone()));
        }
    }
    out.sort();
    Ok(out)
}

/// The fix for a relation a query named that is not registered, if we know one.
pub fn missing_relation_hint(name: &str, rel: &Relations) -> Option<String> {
    if name == Table::Contacts.name() {
        return Some(
            "`contacts` is the restricted table (names, phone numbers, contact preferences); add --restricted to query it".into(),
        );
    }
    if name == Table::Callers.name() {
        return Some(
            "`callers` is a restricted table (the phone numbers the call log saw); add --restricted to query it".into(),
        );
    }
    if rel.metrics_dir.is_none() {
        return Some(format!(
            "no table `{name}`, and no metrics output was found under the reports folder to read metrics tables from; run `followup nightly` or `followup metrics` first (`followup query --tables` lists what there is)"
        ));
    }
    Some(format!(
        "no table `{name}`; `followup query --tables` lists the tables"
    ))
}
