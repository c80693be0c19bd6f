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
use crate::workers::joined;
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
    let mut m = Manifest {
        followup_version: env!("CARGO_PKG_VERSION"),
        config: hash_file(&config.path, config.path.display().to_string())?,
        ..Default::default()
    };

    ui.stage(0, STAGES[0]);
    let t = Instant::now();
    ingest_stage(config, ui, &mut m).context("stage `ingest` failed")?;
    timed("ingest", t, &mut m);
    failpoint::hit("after-ingest");

    let day = data_day(config, &lake, req, &mut m)?;
    ui.note(&format!(
        "data through {} ({})",
        day.format("%a %Y-%m-%d"),
        m.data_day_from
    ));

    // Task facts, built once a run: the metrics build each practice's, the
    // weekly staffing view and the lists take them from here. Those two start
    // with the metrics and wait for each practice's facts (`Store::promise`);
    // they read the lake and the facts, not the metrics' tables. A failure in
    // either surfaces where it did before: the views' at the weekly report,
    // after the daily review is published; the lists' after the report stage.
    let store = Store::retaining();
    let daily = Daily::new(config, day)?;
    let daily_dest = daily.dest.clone();
    // The weekly report's week, on its night.
    let week =
        (day.weekday() == config.nightly.report_weekday()).then(|| report::last_complete_week(day));
    let promise = store.promise(config.practices.iter().map(|p| p.id.as_str()));
    let built = std::thread::scope(|s| {
        let (lake, store) = (&lake, &store);
        let staffed = week.map(|monday| {
            let h = s.spawn(move || super::weekly::staff(config, lake, monday, store));
            (monday, h)
        });
        let built = s.spawn(|| crate::lists::build_all_in(config, lake, day, store));
        ui.stage(1, STAGES[1]);
        let t = Instant::now();
        let metrics = daily.metrics(config, ui, store);
        promise.settle(metrics.is_ok());
        metrics?;
        timed("metrics", t, &mut m);
        failpoint::hit("after-metrics");

        ui.stage(2, STAGES[2]);
        let t = Instant::now();
        let weekly = staffed.map(|(monday, h)| {
            let pending: super::weekly::Pending = Box::new(move || joined(h));
            (monday, pending)
        });
        let reported = report_stage(config, daily, ui, (store, weekly), &mut m)
            .context("stage `report` failed");
        let built = joined(built);
        reported?;
        timed("report", t, &mut m);
        failpoint::hit("after-report");
        anyhow::Ok(built)
    })?;

    ui.stage(3, STAGES[3]);
    let t = Instant::now();
    let lists = built
        .and_then(|built| lists_stage(config, &built, ui, &mut m))
        .context("stage `lists` failed")?;
    timed("lists", t, &mut m);
    store.log_counts();
    drop(store);
    failpoint::hit("after-lists");

    let mut outputs = vec![daily_dest];
    if let Some(w) = &m.weekly_report {
        outputs.push(config.paths.reports.join(w));
    }
    outputs.extend(lists);
    write_manifest(config, &lake, day, &outputs, ui, m)
}

/// Record a stage's wall time in the manifest.
fn timed(name: &'static str, t: Instant, m: &mut Manifest) {
    m.stages.push(Stage {
        name,
        seconds: (t.elapsed().as_secs_f64() * 1000.0).round() / 1000.0,
    })
}

/// 1. ingest: every export (hashed into the manifest), its counts and warnings.
fn ingest_stage(config: &Config, ui: &dyn Ui, m: &mut Manifest) -> Result<()> {
    let exports = &config.paths.exports;
    let profiles = profile::load_active(config)?;
    let hasher = Hasher::from_config(&config.privacy)?;
    let rep = ingest::run(config, &profiles, &hasher, None, &|d, t| ui.progress(d, t))?;
    // Ingest hashed (or recognised by its stamp) every export it matched; only
    // the others are read here.
    for f in manifest::files_under(exports)? {
        let shown = f.strip_prefix(exports).unwrap_or(&f).display().to_string();
        m.inputs.push(match rep.hashes.get(&shown) {
            Some((bytes, sha)) => manifest::FileHash {
                path: shown,
                bytes: *bytes,
                sha256: sha.clone(),
            },
            None => hash_file(&f, shown)?,
        });
    }
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
    Ok(())
}

/// The data day: `--date`, else the latest day in the lake (never later than
/// today by the run's clock); where it came from goes into the manifest.
fn data_day(config: &Config, lake: &Lake, req: &Request, m: &mut Manifest) -> Result<NaiveDate> {
    let day = match req.date {
        Some(d) => {
            m.data_day_from = "--date".into();
            d
        }
        None => {
            let in_lake = super::days::latest_task_date_in_lake(config, lake)?;
            let day = super::days::latest_task_date(config, lake)?;
            m.data_day_from = if day < in_lake {
                "today by the run's clock (the lake holds later tasks)".into()
            } else {
                "latest day in the exports".into()
            };
            day.ok_or_else(|| {
                crate::error::UsageError(format!(
                    "no tasks in the lake at {} after ingest; check the exports folder {}",
                    lake.root.display(),
                    config.paths.exports.display()
                ))
            })?
        }
    };
    m.data_day = day.to_string();
    Ok(day)
}

/// The daily review of a data day: its folder, staged, and its metrics options.
struct Daily {
    day: NaiveDate,
    review: NaiveDate,
    dest: PathBuf,
    staging: Staging,
    opts: Options,
}

impl Daily {
    fn new(config: &Config, day: NaiveDate) -> Result<Daily> {
        let review = report::daily::review_day(config, day);
        let dest = config.paths.reports.join("daily").join(review.to_string());
        let staging = Staging::new(&dest)?;
        let monday = day - Duration::days(day.weekday().num_days_from_monday() as i64);
        // The 13 weeks of the weekly report of the data day's week, up to the
        // data day: on the report day, the same as the report's.
        let opts = Options {
            from: super::weekly::weeks(monday).0,
            to: day,
            as_of: None,
            out: staging.dir.join("metrics"),
            queries: base(config).join("queries"),
            compare: None,
            csv: metrics::CsvTables::All,
            overall: true,
        };
        Ok(Daily {
            day,
            review,
            dest,
            staging,
            opts,
        })
    }

    /// 2. metrics: the 13 weeks up to the data day, for the daily review.
    fn metrics(&self, config: &Config, ui: &dyn Ui, store: &Store) -> Result<()> {
        metrics::run_in(
            config,
            &self.opts,
            &|s| tracing::info!("metrics: {s}"),
            &|d, t| ui.progress(d, t),
            store,
        )
        .context("stage `metrics` failed")?;
        Ok(())
    }
}

/// 3. report: the daily review every night, the weekly report on its day.
fn report_stage(
    config: &Config,
    daily: Daily,
    ui: &dyn Ui,
    (store, weekly): (&Store, Option<(NaiveDate, super::weekly::Pending)>),
    m: &mut Manifest,
) -> Result<()> {
    let day = daily.day;
    let r = report::daily::build(
        config,
        daily.review,
        day,
        &daily.staging.dir.join("metrics"),
    )?;
    report::write(&r, &daily.staging.root)?;
    failpoint::hit("daily-staged");
    let metrics_dir = daily.dest.join("metrics");
    daily.staging.publish()?;
    ui.note(&format!("daily review: {}", daily.dest.display()));
    if let Some((week_monday, staffed)) = weekly {
        // The week's metrics, once: when the week ends on the data day, its
        // tables are the ones just published for the daily review.
        let computed = super::weekly::Computed {
            opts: &daily.opts,
            dir: &metrics_dir,
        };
        let written = super::weekly::weekly(
            config,
            week_monday,
            &config.paths.reports,
            Some(computed),
            (store, Some(staffed)),
        )?;
        m.weekly_report = Some(iso_week(week_monday));
        ui.note(&format!("weekly report: {}", written.html.display()));
    }
    Ok(())
}

/// 4. lists: tomorrow's call lists (built during the report stage),
/// published; returns their folders.
fn lists_stage(
    config: &Config,
    built: &[crate::lists::PracticeLists],
    ui: &dyn Ui,
    m: &mut Manifest,
) -> Result<Vec<PathBuf>> {
    for l in built {
        for line in crate::lists::write::summary(l) {
            ui.note(&line);
        }
        if !m.list_dates.contains(&l.list_date.to_string()) {
            m.list_dates.push(l.list_date.to_string());
        }
    }
    crate::lists::publish(built, &config.paths.lists)
}

/// The run manifest: the lake's row counts and every output's hash, written to
/// `<runs>/<data day>/manifest.json`.
fn write_manifest(
    config: &Config,
    lake: &Lake,
    day: NaiveDate,
    outputs: &[PathBuf],
    ui: &dyn Ui,
    mut m: Manifest,
) -> Result<Manifest> {
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
    let base = base(config);
    for o in outputs {
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
