//! The pilot review: the metrics before/after comparison of two ranges, rendered
//! into `<out>/pilot-<A>-<D>/` (pilot.html, pilot.md, and the metrics it was
//! computed from), published atomically.

use crate::metrics::{self, Options};
use crate::report;
use anyhow::Result;
use chrono::NaiveDate;
use std::path::Path;

type Range = (NaiveDate, NaiveDate);

/// Compare `before` with `after`, both observed up to the end of `to` (the later
/// of `after`'s end and `to`: equal follow-up of `to` − the end of `after`), and
/// write the pilot review. Returns the published pilot.html and pilot.md.
pub fn pilot_report(
    config: &crate::config::Config,
    before: Range,
    after: Range,
    to: NaiveDate,
    out: &Path,
) -> Result<report::pilot::Written> {
    let to = to.max(after.1);
    let name = format!("pilot-{}-{}", before.0, after.1);
    let staging = crate::publish::Staging::new(&out.join(&name))?;
    let metrics_dir = staging.dir.join("metrics");
    let opts = Options {
        from: after.0,
        to,
        as_of: None,
        out: metrics_dir.clone(),
        queries: config.dir().join("queries"),
        compare: Some((before, after)),
        csv: metrics::CsvTables::Summary,
        overall: false,
    };
    metrics::run_with(
        config,
        &opts,
        &|stage| tracing::info!("report --pilot: metrics: {stage}"),
        &|_, _| {},
    )?;
    let pilot = report::pilot::Pilot {
        before,
        after,
        follow_up_days: (to - after.1).num_days(),
        rows: report::data::read_comparison(&metrics_dir)?,
        labels: report::data::labels(config),
    };
    report::pilot::write(&pilot, &staging.dir)?;
    let dir = staging.publish()?;
    Ok(report::pilot::Written {
        html: dir.join("pilot.html"),
        markdown: dir.join("pilot.md"),
    })
}
