//! `followup nightly`: ingest → metrics → report → lists, with a manifest.
//!
//! Every output folder is written to a staging folder and swapped into place
//! (crate::publish), so a killed run leaves the previous outputs in view and the
//! next run starts clean; the run lock keeps two runs from writing at once.

use super::manifest::{self, hash_file, hash_tree, Manifest, Stage};
use crate::config::Config;
use crate::failpoint;
use crate::ingest::{self, profile};
use crate::lake::schema::Table;
use crate::lake::Lake;
use crate::metrics::{self, Options};
use crate::model::facts::iso_week;
use crate::model::store::Store;
use crate::privacy::Hasher;
use crate::publish::Staging;
use crate::report;
use anyhow::{Context, Result};
use chrono::{Datelike, Duration, NaiveDate};
use polars::prelude::{len, DataType};
use std::path::PathBuf;
use std::time::Instant;

/// The stages, in order.
pub const STAGES: [&str; 4] = ["ingest", "metrics", "report", "lists"];

/// How a run reports progress (from any thread: ingest counts files as its
/// threads finish them).
pub trait Ui: Sync {
    /// Stage `i` (0-based) starts.
    fn stage(&self, i: usize, name: &str);
    /// A line for the person watching (never PHI).
    fn note(&self, line: &str);
    /// Progress within a stage.
    fn progress(&self, done: usize, total: usize);
}

/// What the run is asked to do.
pub struct Request {
    pub date: Option<NaiveDate>,
}

fn base(config: &Config) -> PathBuf {
    config.dir().to_path_buf()
}

/// Run every stage; returns the manifest that was written.
pub fn run(config: &Config, req: &Request, ui: &dyn Ui) -> Result<Manifest> {
    let lake = Lake::new(&config.paths.lake);
    let base = base(config);
    let mut m = Manifest {
        followup_version: env!("CARGO_PKG_VERSION"),
        config: hash_file(&config.path, config.path.display().to_string())?,
        ..Default::default()
    };
    let timed = |name: &'static str, t: Instant, m: &mut Manifest| {
        m.stages.push(Stage {
            name,
            seconds: (t.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
        })
    };

    // 1. ingest
    ui.stage(0, STAGES[0]);
    let t = Instant::now();
    let exports = &config.paths.exports;
    for f in manifest::files_under(exports)? {
        let shown = f.strip_prefix(exports).unwrap_or(&f).display().to_string();
        m.inputs.push(hash_file(&f, shown)?);
    }
    let rep = (|| -> Result<ingest::Report> {
        let profiles = profile::load_active(config)?;
        let hasher = Hasher::from_config(&config.privacy)?;
        ingest::run(config, &profiles, &hasher, None, &|d, t| ui.progress(d, t))
    })()
    .context("stage `ingest` failed")?;
    m.ingest.files_ingested = rep.files.len();
    m.ingest.files_unchanged = rep.skipped_unchanged as usize;
    m.ingest.files_unmatched = rep.unmatched.len();
    for (table, c) in &rep.by_table {
        m.ingest.by_table.insert(
            table.name().to_string(),
            [
                c.read as u64,
                c.stored as u64,
                c.quarantined as u64,
                c.duplicates as u64,
            ],
        );
    }
    for f in &rep.unmatched {
        m.warnings.push(format!("{f}: matches no source profile"));
    }
    for (f, reason) in &rep.rejected_files {
        m.warnings.push(format!("{f}: rejected: {reason}"));
    }
    for (f, w) in &rep.warnings {
        m.warnings.push(format!("{f}: {w}"));
    }
    let q = rep.total().quarantined;
    if q > 0 {
        m.warnings.push(format!(
            "{q} row(s) quarantined this run; see {}",
            config.paths.quarantine.display()
        ));
    }
    ui.note(&format!(
        "ingest: {} file(s) ingested, {} unchanged, {} row(s) quarantined",
        rep.files.len(),
        rep.skipped_unchanged,
        q
    ));
    timed("ingest", t, &mut m);
    failpoint::hit("after-ingest");

    // The data day.
    let day = match req.date {
        Some(d) => {
            m.data_day_from = "--date".into();
            d
        }
        None => {
            let in_lake = super::days::latest_task_date_in_lake(config, &lake)?;
            let day = super::days::latest_task_date(config, &lake)?;
            m.data_day_from = if day < in_lake {
                "today by the run's clock (the lake holds later tasks)".into()
            } else {
                "latest day in the exports".into()
            };
            day.ok_or_else(|| {
                crate::error::UsageError(format!(
                    "no tasks in the lake at {} after ingest; check the exports folder {}",
                    lake.root.display(),
                    exports.display()
                ))
            })?
        }
    };
    m.data_day = day.to_string();
    ui.note(&format!(
        "data through {} ({})",
        day.format("%a %Y-%m-%d"),
        m.data_day_from
    ));

    // 2. metrics: the 13 weeks up to the data day, for the daily review.
    ui.stage(1, STAGES[1]);
    let t = Instant::now();
    let review = report::daily::review_day(config, day);
    let daily_dest = config.paths.reports.join("daily").join(review.to_string());
    let daily = Staging::new(&daily_dest)?;
    let monday = day - Duration::days(day.weekday().num_days_from_monday() as i64);
    let opts = Options {
        from: monday - Duration::weeks(report::TREND_WEEKS - 1),
        to: day,
        as_of: None,
        out: daily.dir.join("metrics"),
        queries: base.join("queries"),
        compare: None,
        csv: metrics::CsvTables::All,
    };
    // Task facts, built once a run: the metrics build each practice's, the
    // weekly staffing view and the lists take them from here.
    let store = Store::retaining();
    metrics::run_in(
        config,
        &opts,
        &|s| tracing::info!("metrics: {s}"),
        &|d, t| ui.progress(d, t),
        &store,
    )
    .context("stage `metrics` failed")?;
    timed("metrics", t, &mut m);
    failpoint::hit("after-metrics");

    // 3. report: the daily review every night, the weekly report on its day.
    ui.stage(2, STAGES[2]);
    let t = Instant::now();
    (|| -> Result<()> {
        let r = report::daily::build(config, review, day, &daily.dir.join("metrics"))?;
        report::write(&r, &daily.root)?;
        failpoint::hit("daily-staged");
        daily.publish()?;
        ui.note(&format!("daily review: {}", daily_dest.display()));
        if day.weekday() == config.nightly.report_weekday() {
            let week_monday = report::last_complete_week(day);
            // The week's metrics, once: when the week ends on the data day, its
            // tables are the ones just published for the daily review.
            let computed = super::weekly::Computed {
                opts: &opts,
                dir: &daily_dest.join("metrics"),
            };
            let written = super::weekly::weekly(
                config,
                week_monday,
                &config.paths.reports,
                Some(computed),
                &store,
            )?;
            m.weekly_report = Some(iso_week(week_monday));
            ui.note(&format!("weekly report: {}", written.html.display()));
        }
        Ok(())
    })()
    .context("stage `report` failed")?;
    timed("report", t, &mut m);
    failpoint::hit("after-report");

    // 4. lists
    ui.stage(3, STAGES[3]);
    let t = Instant::now();
    let lists = (|| -> Result<Vec<PathBuf>> {
        let built = crate::lists::build_all_in(config, &lake, day, &store)?;
        for l in &built {
            for line in crate::lists::write::summary(l) {
                ui.note(&line);
            }
            if !m.list_dates.contains(&l.list_date.to_string()) {
                m.list_dates.push(l.list_date.to_string());
            }
        }
        crate::lists::publish(&built, &config.paths.lists)
    })()
    .context("stage `lists` failed")?;
    timed("lists", t, &mut m);
    store.log_counts();
    drop(store);
    failpoint::hit("after-lists");

    // The manifest.
    for t in Table::ALL {
        if !lake.table_dir(t).exists() {
            continue;
        }
        let n = lake
            .scan(t)?
            .select([len().cast(DataType::UInt64).alias("n")])
            .collect()?;
        m.lake_rows.insert(
            t.name().to_string(),
            n.column("n")?.u64()?.get(0).unwrap_or(0),
        );
    }
    let mut outputs = vec![daily_dest];
    if let Some(w) = &m.weekly_report {
        outputs.push(config.paths.reports.join(w));
    }
    outputs.extend(lists);
    for o in &outputs {
        m.outputs.extend(hash_tree(o, &base)?);
    }
    let path = config
        .paths
        .runs
        .join(day.to_string())
        .join("manifest.json");
    let json = serde_json::to_string_pretty(&m)? + "\n";
    crate::lake::write_bytes_atomic(&path, json.as_bytes())?;
    ui.note(&format!("manifest: {}", path.display()));
    Ok(m)
}
