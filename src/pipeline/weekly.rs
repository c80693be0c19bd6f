//! The weekly report: the metrics of the 13 weeks ending with the week, the
//! staffing view of the same weeks, and the report rendered from them into
//! `<out>/<week>/`, published atomically.

use crate::metrics::{self, Options};
use crate::report;
use anyhow::Result;
use chrono::Duration;

/// Compute the metrics for the 13 weeks ending with the ISO week starting `monday`
/// and render its report into `<out>/<week>/`, published atomically.
pub fn weekly_report(
    config: &crate::config::Config,
    monday: chrono::NaiveDate,
    out: &std::path::Path,
) -> Result<(report::Report, report::Written)> {
    let week = metrics::facts::iso_week(monday);
    let staging = crate::publish::Staging::new(&out.join(&week))?;
    let metrics_dir = staging.dir.join("metrics");
    let base = config.dir();
    let opts = Options {
        from: monday - Duration::weeks(report::TREND_WEEKS - 1),
        to: monday + Duration::days(6),
        as_of: None,
        out: metrics_dir.clone(),
        queries: base.join("queries"),
        compare: None,
        csv: metrics::CsvTables::All,
    };
    metrics::run(config, &opts, &|stage| {
        tracing::info!("report: metrics: {stage}")
    })?;
    // The staffing view of the same 13 weeks, rendered into its own section.
    let lake = crate::lake::Lake::new(&config.paths.lake);
    let staffing_dir = staging.dir.join("staffing");
    crate::lake::create_private_dir(&staffing_dir)?;
    let views = config
        .practices
        .iter()
        .map(|p| {
            tracing::info!("report: staffing {}", p.id);
            crate::staffing::view::compute(
                config,
                &lake,
                p,
                (opts.from, opts.to),
                p.target_share,
                &[],
            )
        })
        .collect::<Result<Vec<_>>>()?;
    crate::staffing::write::all(&staffing_dir, &views)?;
    let mut r = report::build(config, monday, &metrics_dir)?;
    report::staffing::add_section(&mut r, &staffing_dir)?;
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

/// The weekly report's files (for the nightly job).
pub fn weekly(
    config: &crate::config::Config,
    monday: chrono::NaiveDate,
    out: &std::path::Path,
) -> Result<report::Written> {
    Ok(weekly_report(config, monday, out)?.1)
}
