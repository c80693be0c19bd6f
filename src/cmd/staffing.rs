//! `followup staffing`: callback workload and capacity by weekday × hour, a
//! replay of the period with the roster, the virtual-assistant hours that bring
//! every category to its target share, what-ifs, and the inbound line.

use crate::cli::Cli;
use crate::error::{UsageError, EXIT_OK};
use crate::findings::scan::Params;
use crate::lake::Lake;
use crate::staffing::{spec, write};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::path::PathBuf;

/// Size virtual-assistant hours for the callback work, check them by replay,
/// and staff the live inbound line (Erlang C / A).
///
/// Reads the lake (run `followup ingest` first). Prints, per category, the
/// measured share within target, the share a replay of the roster gives (the
/// difference is the calibration gap shown beside every prediction), the share
/// predicted with the recommended hours, and with each --add; then the
/// bottleneck findings of the period (as `followup findings`: where the queue
/// slips, why, the priced fixes), whose cells the heatmap outlines. Writes tables
/// (Parquet + CSV), heatmap.svg/png, assumptions.md, summary.json and the
/// vendor's scope-of-work.md to --out. With staffing.va_hourly_rate set, the
/// plan's cost a week and a month. See docs/STAFFING.md.
///
/// Cost: one replay per candidate shift tried (a few per recommended shift),
/// plus one per business weekday for the absence replay; seconds for a
/// practice-quarter in a release build.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  followup staffing\n  followup staffing --from 2026-08-24 --to 2026-11-22 --target-share 0.9\n  followup staffing --add \"Mon-Fri 13:00-17:00 referral,insurance_documents 1\"\n\n--add grammar: DAYS HH:MM-HH:MM WORK [COUNT]; DAYS is Mon, Mon-Fri or Mon,Wed; WORK is comma-separated category or lane names; COUNT assistants (default 1)."
)]
pub struct Args {
    /// First day (default: 12 weeks before the Monday of --to, as `followup metrics`).
    #[arg(long)]
    pub from: Option<NaiveDate>,
    /// Last day (default: the latest day on which a task was created).
    #[arg(long)]
    pub to: Option<NaiveDate>,
    /// Output folder (default: <reports>/staffing).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// A what-if: virtual assistants added to the roster, e.g. "Mon-Fri 13:00-17:00 referral,insurance_documents 1". Repeatable.
    #[arg(long = "add", value_name = "SPEC")]
    pub add: Vec<String>,
    /// The share within target every category should reach (default: the config's target_share).
    #[arg(long)]
    pub target_share: Option<f64>,
    /// Print the summary as JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let config = super::load_config(cli)?;
    // Fail fast: every --add parses before the lake is read.
    let adds = args
        .add
        .iter()
        .map(|s| spec::parse(s))
        .collect::<Result<Vec<_>, _>>()?;
    for p in &config.practices {
        let lanes: Vec<String> = p.lanes.keys().cloned().collect();
        for a in &adds {
            a.works(p, &lanes)?;
        }
    }
    if let Some(t) = args.target_share {
        if !(t > 0.0 && t <= 1.0) {
            return Err(UsageError(format!(
                "--target-share {t}: a fraction between 0 and 1, e.g. 0.9"
            ))
            .into());
        }
    }
    let lake = Lake::new(&config.paths.lake);
    let to = match args.to {
        Some(d) => d,
        None => crate::pipeline::days::latest_day(&config, &lake)?,
    };
    let from = args.from.unwrap_or_else(|| {
        use chrono::Datelike;
        let monday = to - chrono::Duration::days(to.weekday().num_days_from_monday() as i64);
        monday - chrono::Duration::weeks(12)
    });
    if to < from {
        return Err(UsageError("--to is before --from".into()).into());
    }
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| config.paths.reports.join("staffing"));
    crate::lake::create_private_dir(&out).with_context(|| format!("creating {}", out.display()))?;
    let started = std::time::Instant::now();
    let store = crate::model::store::Store::none();
    let targets: Vec<_> = (config.practices.iter())
        .map(|p| (p, args.target_share.unwrap_or(p.target_share)))
        .collect();
    // The bottleneck findings of the same period lead the manager to the
    // hours that slip; the heatmap outlines their cells. They price their
    // fixes on the views' models, built and calibrated once.
    let (views, found) = crate::findings::with_views(
        &config,
        &lake,
        (&targets, (from, to), &adds),
        &Params::default(),
        &store,
    )?;
    if !cli.quiet {
        for v in &views {
            tracing::info!(
                "staffing: {} replayed {} time(s)",
                v.model.practice.id,
                v.rec.replays + 1 + adds.len().min(1),
            );
        }
        tracing::info!(
            "staffing: {} practice(s) in {:.1}s",
            views.len(),
            started.elapsed().as_secs_f64()
        );
    }
    let extra = crate::findings::staffing_extra(&found)?;
    let _heatmaps = write::all(&out, &views, &extra)?;
    if args.json {
        crate::error::stdout(
            &(serde_json::to_string_pretty(&write::summary(&views, &extra))? + "\n"),
        )?;
    } else {
        crate::error::stdout(&write::text(&views, &extra))?;
    }
    if !cli.quiet {
        eprintln!(
            "staffing: {from} to {to}: tables, heatmap and assumptions in {} ({:.1}s)",
            out.display(),
            started.elapsed().as_secs_f64()
        );
        eprintln!(
            "staffing: scope of work for the vendor: {}",
            out.join(write::SCOPE_OF_WORK).display()
        );
    }
    Ok(EXIT_OK)
}
