//! The weekly report: the metrics of the 13 weeks ending with the week, the
//! staffing view of the same weeks, and the report rendered from them into
//! `<out>/<week>/`, published atomically.

use crate::metrics::{self, Options};
use crate::model::store::Store;
use crate::report;
use crate::report::staffing::{CategoryStaffing, PracticeStaffing, Staffing};
use crate::staffing::view::View;
use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate};
use std::path::Path;

/// Metrics tables a run has already written, and what they were computed for.
pub struct Computed<'a> {
    pub opts: &'a Options,
    pub dir: &'a Path,
}

impl Computed<'_> {
    /// Whether these tables are the ones `opts` asks for (same range, *as of*,
    /// queries and CSV): computing them again would give the same bytes.
    fn answers(&self, opts: &Options) -> bool {
        let a = self.opts;
        (
            a.from, a.to, a.as_of, &a.queries, a.compare, a.csv, a.overall,
        ) == (
            opts.from,
            opts.to,
            opts.as_of,
            &opts.queries,
            opts.compare,
            opts.csv,
            opts.overall,
        )
    }
}

/// Copy the metrics tables in `from` (files, no folders) into a new private `to`.
fn copy_tables(from: &Path, to: &Path) -> Result<()> {
    crate::lake::create_private_dir(to)?;
    for e in std::fs::read_dir(from).with_context(|| format!("reading {}", from.display()))? {
        let src = e?.path();
        let dst = to.join(src.file_name().context("a file name")?);
        std::fs::copy(&src, &dst)
            .with_context(|| format!("copying {} to {}", src.display(), dst.display()))?;
        crate::lake::durable::sync_file(&std::fs::File::open(&dst)?, &dst)?;
    }
    Ok(())
}

/// Compute the metrics for the 13 weeks ending with the ISO week starting `monday`
/// and render its report into `<out>/<week>/`, published atomically.
pub fn weekly_report(
    config: &crate::config::Config,
    monday: NaiveDate,
    out: &Path,
) -> Result<(report::Report, report::Written)> {
    weekly_report_reusing(config, monday, out, None, (&Store::retaining(), None))
}

/// The dates a weekly report covers: the 13 weeks ending with the ISO week
/// starting `monday`.
pub fn weeks(monday: NaiveDate) -> (NaiveDate, NaiveDate) {
    (
        monday - Duration::weeks(report::TREND_WEEKS - 1),
        monday + Duration::days(6),
    )
}

/// The weekly report's staffing views (one per practice) and their bottleneck
/// findings, which lead "What needs attention" and are outlined in the
/// heatmap. The findings price their fixes on the views' models, built and
/// calibrated once.
pub struct Staffed {
    pub views: Vec<View>,
    pub found: Vec<crate::findings::Findings>,
}

/// Staffing views being computed elsewhere (the nightly run starts them
/// beside its metrics): called when the report needs them, it waits for them.
pub type Pending<'a> = Box<dyn FnOnce() -> Result<Staffed> + Send + 'a>;

/// The staffing views and findings of the weekly report of the week starting
/// `monday`. They read the lake and the task facts, not the metrics' tables,
/// so the nightly run computes them beside its metrics.
pub fn staff(
    config: &crate::config::Config,
    lake: &crate::lake::Lake,
    monday: NaiveDate,
    store: &Store,
) -> Result<Staffed> {
    let targets: Vec<_> = (config.practices.iter())
        .map(|p| (p, p.target_share))
        .collect();
    let (views, found) = crate::findings::with_views(
        config,
        lake,
        (&targets, weeks(monday), &[]),
        &crate::findings::scan::Params::default(),
        store,
    )?;
    Ok(Staffed { views, found })
}

/// `weekly_report`, taking the metrics tables from `computed` when they are the
/// ones the week needs (on a nightly run whose data day ends the week) rather
/// than computing them again, and the staffing views from `staffed` when they
/// are computed elsewhere.
pub fn weekly_report_reusing(
    config: &crate::config::Config,
    monday: NaiveDate,
    out: &Path,
    computed: Option<Computed>,
    (store, staffed): (&Store, Option<Pending>),
) -> Result<(report::Report, report::Written)> {
    let week = crate::model::facts::iso_week(monday);
    let staging = crate::publish::Staging::new(&out.join(&week))?;
    let metrics_dir = staging.dir.join("metrics");
    let base = config.dir();
    let (from, to) = weeks(monday);
    let opts = Options {
        from,
        to,
        as_of: None,
        out: metrics_dir.clone(),
        queries: base.join("queries"),
        compare: None,
        csv: metrics::CsvTables::All,
        overall: true,
    };
    match computed.filter(|c| c.answers(&opts)) {
        Some(c) => {
            tracing::info!("report: metrics of {week} taken from {}", c.dir.display());
            copy_tables(c.dir, &metrics_dir)?;
        }
        None => {
            metrics::run_in(
                config,
                &opts,
                &|stage| tracing::info!("report: metrics: {stage}"),
                &|_, _| {},
                store,
            )?;
        }
    }
    // The staffing view of the same 13 weeks, rendered into its own section,
    // and its bottleneck findings; beside them, the report's charts, which
    // read the week's metrics only. The views are waited for (or computed) on
    // a thread of their own: a rayon worker waiting for them would leave their
    // replays a worker short.
    let lake = crate::lake::Lake::new(&config.paths.lake);
    let staffing_dir = staging.dir.join("staffing");
    crate::lake::create_private_dir(&staffing_dir)?;
    let (viewed, drawn) = std::thread::scope(|s| {
        let viewed = s.spawn(|| -> Result<_> {
            let Staffed { views, found } = match staffed {
                Some(pending) => pending()?,
                None => staff(config, &lake, monday, store)?,
            };
            let extra = crate::findings::staffing_extra(&found)?;
            let heatmaps = crate::staffing::write::all(&staffing_dir, &views, &extra)?;
            Ok((views, found, heatmaps))
        });
        let drawn = report::data::read_week(config, monday, &metrics_dir)
            .and_then(|data| Ok((report::weekly::draw(config, &data)?, data)));
        (crate::workers::joined(viewed), drawn)
    });
    let (views, found, heatmaps) = viewed?;
    let (drawn, mut data) = drawn?;
    // The report shows the heatmap when there is one practice: only then can
    // a finding link to its cells.
    data.bottlenecks = bottleneck_rows(config, &found, views.len() == 1);
    let mut r = report::weekly::build_drawn(config, &data, drawn)?;
    report::staffing::add_section(&mut r, &staffing_summary(&views, heatmaps));
    let written = report::write(&r, &staging.root)?;
    crate::failpoint::hit("weekly-staged");
    let dir = staging.publish()?;
    let written = report::Written {
        html: dir.join("report.html"),
        markdown: dir.join("report.md"),
        charts: written.charts,
    };
    Ok((r, written))
}

/// The weekly report's files (for the nightly job), reusing its metrics when
/// they answer the week.
pub fn weekly(
    config: &crate::config::Config,
    monday: NaiveDate,
    out: &Path,
    computed: Option<Computed>,
    store: (&Store, Option<Pending>),
) -> Result<report::Written> {
    Ok(weekly_report_reusing(config, monday, out, computed, store)?.1)
}

/// The finder's findings as the report shows them: the most tasks lost
/// first, worded with the categories' labels, the practice named when there
/// are several, with the best of the priced fixes.
fn bottleneck_rows(
    config: &crate::config::Config,
    found: &[crate::findings::Findings],
    linked: bool,
) -> Vec<report::input::BottleneckRow> {
    use crate::findings::text;
    let many = found.len() > 1;
    // The biggest problems first: most tasks lost to the fall.
    let mut all: Vec<(&crate::findings::Findings, &crate::findings::Finding)> = found
        .iter()
        .flat_map(|fs| fs.findings.iter().map(move |f| (fs, f)))
        .collect();
    all.sort_by(|a, b| b.1.excess_misses().total_cmp(&a.1.excess_misses()));
    let mut out = Vec::new();
    for (fs, f) in all {
        let p = config.practices.iter().find(|p| p.id == fs.practice);
        {
            let shown = p
                .and_then(|p| p.categories.get(&f.category))
                .map_or_else(|| f.category.clone(), |c| c.label.clone());
            let sentence = text::sentence_as(f, &shown);
            out.push(report::input::BottleneckRow {
                text: if many {
                    format!("{}: {sentence}", fs.practice)
                } else {
                    sentence
                },
                // The report shows the fix predicted to do most; `followup
                // findings` prints them all.
                fixes: f
                    .best_fix()
                    .map(|x| format!("best fix priced: {}", text::fix_line(x)))
                    .into_iter()
                    .collect(),
                when: text::when(f),
                anchor: linked.then(|| f.anchor.clone()),
            });
        }
    }
    out
}

/// A category as the report names it to a person: the practice's label.
fn label(v: &View, category: &str) -> String {
    v.model
        .practice
        .categories
        .get(category)
        .map_or_else(|| category.to_string(), |c| c.label.clone())
}

/// The staffing view as the report shows it. A share that is not a number (no
/// task to measure) is shown as missing.
fn staffing_summary(views: &[View], heatmaps: Vec<(String, Vec<u8>)>) -> Staffing {
    let finite = |x: Option<f64>| x.filter(|v| v.is_finite());
    Staffing {
        practices: views
            .iter()
            .map(|v| PracticeStaffing {
                practice_id: v.model.practice.id.clone(),
                target_share: v.target_share,
                va_hours_per_week: v.rec.hours(),
                reaches_target: v.rec.reached,
                plan: crate::staffing::recommend::shift_lines(&v.model, &v.rec.shifts),
                shifts: {
                    let open = crate::staffing::recommend::business_blocks(&v.model);
                    crate::staffing::recommend::patterns(&v.rec.shifts)
                        .into_iter()
                        .map(|(s, n)| crate::report::staffing::ShiftRow {
                            assistants: n,
                            days: s.day_text(),
                            hours: s.hours_text(&open),
                            lanes: s.lanes.join(" + "),
                            paid_hours_per_week: n * s.paid_hours(),
                        })
                        .collect()
                },
                not_for_lack_of_hours: v.rec.not_capacity.iter().map(|c| label(v, c)).collect(),
                measured: finite(Some(v.calibration.measured)),
                replayed: finite(Some(v.calibration.replayed)),
                categories: v
                    .lines
                    .iter()
                    .map(|l| CategoryStaffing {
                        category: label(v, &l.category),
                        measured: finite(l.measured),
                        replayed: finite(l.replayed),
                        gap: finite(l.gap),
                        off_calibration: l.off_calibration,
                        predicted: finite(l.recommended_predicted),
                    })
                    .collect(),
                phone_hours_per_week: v.phone_shifts.iter().map(|s| s.paid_hours()).sum(),
                phone_peaks: crate::staffing::roster::peaks(&v.roster, 3),
                calibration_tolerance: crate::staffing::CALIBRATION_TOLERANCE,
                by_hour: (v.by_hour.iter())
                    .map(|h| {
                        let (me, pr) = (finite(h.measured), finite(h.predicted_with_plan));
                        (format!("{:02}:00", h.hour), h.due, me, pr)
                    })
                    .collect(),
            })
            .collect(),
        assumptions: views
            .iter()
            .flat_map(crate::staffing::write::assumption_items)
            .collect(),
        heatmap: (views.len() == 1)
            .then(|| heatmaps.into_iter().next())
            .flatten(),
    }
}
