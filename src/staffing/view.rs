//! The staffing view of one practice: measured, replayed and predicted shares
//! within target per category and block, the recommendation, and what-ifs.

use super::history::{self, block_of, Model, PracticeRules};
use super::recommend::{self, plan_staff, Recommendation};
use super::replay::{backlog, Outcome};
use super::spec::Addition;
use super::{absence, close, cost, inbound, predicted, ratio, run, shares, workload};
use crate::config::{Config, Practice};
use crate::lake::Lake;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One category's line.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Line {
    pub category: String,
    pub lane: String,
    pub target: String,
    pub due: u32,
    pub measured: Option<f64>,
    pub replayed: Option<f64>,
    /// replayed − measured: the calibration error beside every prediction.
    pub gap: Option<f64>,
    /// The gap is beyond `CALIBRATION_TOLERANCE`: the prediction is flagged.
    pub off_calibration: bool,
    pub recommended: Option<f64>,
    pub recommended_predicted: Option<f64>,
    pub whatif: Option<f64>,
    pub whatif_predicted: Option<f64>,
    /// Mean first attempts waiting at the week's close ([`super::close`]),
    /// with the roster as worked and with the recommended plan.
    pub backlog_week_close: Option<f64>,
    pub backlog_week_close_with_plan: Option<f64>,
}

pub struct View {
    /// Shared while the view is finished and the findings are found.
    pub model: std::sync::Arc<Model>,
    pub target_share: f64,
    pub base: Outcome,
    pub rec: Recommendation,
    pub adds: Vec<Addition>,
    pub lines: Vec<Line>,
    pub workload: BTreeMap<workload::Key, workload::Row>,
    pub inbound: BTreeMap<(u8, u8), inbound::Row>,
    /// Mean first attempts waiting at the end of each (weekday, hour, lane) block: (actual roster, recommended).
    pub backlog: BTreeMap<(u8, u8, String), (f64, f64)>,
    pub patience_s: Option<f64>,
    pub calibration: super::Calibration,
    /// The plan's cost at `staffing.va_hourly_rate` (None: no rate set).
    pub cost: Option<super::cost::Cost>,
    /// The plan replayed without its assistants on each business weekday.
    pub absence: Vec<super::absence::Absence>,
    /// Share within target by the hour the clock started, with and without the plan.
    pub by_hour: Vec<HourShare>,
    /// One roster for the line and the callbacks, per business block.
    pub roster: Vec<super::roster::Row>,
    /// The phone assistants of the roster, as shifts.
    pub phone_shifts: Vec<super::shift::Shift>,
}

/// The categories an assistant may work, by the local hour a task's clock
/// started (every weekday together): tasks due, the share within target as
/// measured, and as predicted with the plan (the calibrated prediction of
/// [`super::predicted`] on the hour's pooled shares).
#[derive(Debug, Clone, serde::Serialize)]
pub struct HourShare {
    pub hour: u8,
    pub due: u32,
    pub measured: Option<f64>,
    pub predicted_with_plan: Option<f64>,
}

/// [`HourShare`] per hour that has a task due, in hour order.
pub fn by_hour(m: &Model, base: &Outcome, plan: &Outcome) -> Vec<HourShare> {
    // (measured met, replayed as worked met, replayed with the plan met, due)
    let mut acc: BTreeMap<u8, [u32; 4]> = BTreeMap::new();
    for (j, job) in m.jobs.iter().enumerate() {
        let licensed = m.practice.categories[&m.categories[job.category]].licensed;
        let (Some(me), false) = (m.measured[j].filter(|_| job.counted), licensed) else {
            continue;
        };
        let Some(start) = m.cal.clock_start(job.arrive * 1_000_000) else {
            continue;
        };
        let a = acc
            .entry(block_of(&m.practice, start / 1_000_000).1)
            .or_default();
        a[0] += me as u32;
        a[1] += u32::from(base.met(&m.jobs, j) == Some(true));
        a[2] += u32::from(plan.met(&m.jobs, j) == Some(true));
        a[3] += 1;
    }
    acc.into_iter()
        .map(|(hour, [me, b, p, due])| {
            let share = |x: u32| ratio((x, due));
            HourShare {
                hour,
                due,
                measured: share(me),
                predicted_with_plan: predicted(share(me), share(b), share(p)),
            }
        })
        .collect()
}

pub fn rules(m: &Model) -> PracticeRules<'_> {
    PracticeRules {
        model: m,
        scale: m.time_scale,
    }
}

/// Work on a practice's calibrated model and its replay with the roster as
/// worked, done beside the rest of its view (the bottleneck findings).
pub type Beside<'a, T> = dyn Fn(&Model, &Outcome) -> Result<T> + Sync + 'a;

/// The view of each `(practice, target share)`, side by side (the practices
/// are independent), returned in the order given; with each, `beside` run on
/// its model once calibrated, while the recommendation is searched for.
pub fn compute_all<T: Send>(
    config: &Config,
    lake: &Lake,
    practices: &[(&Practice, f64)],
    window: (NaiveDate, NaiveDate),
    adds: &[Addition],
    store: &crate::model::store::Store,
    beside: &Beside<T>,
) -> Result<Vec<(View, T)>> {
    // On rayon, not `workers`, for the replays' sake: see `rayon_stacks` in
    // main.rs.
    use rayon::prelude::*;
    practices
        .par_iter()
        .map(|&(p, target)| {
            tracing::info!("staffing: {}", p.id);
            compute(config, lake, p, window, (target, adds), store, beside)
                .with_context(|| format!("staffing for practice {}", p.id))
        })
        .collect()
}

/// One practice's view of the period, and `beside` on its calibrated model.
fn compute<T: Send>(
    config: &Config,
    lake: &Lake,
    p: &Practice,
    (from, to): (NaiveDate, NaiveDate),
    (target_share, adds): (f64, &[Addition]),
    store: &crate::model::store::Store,
    beside: &Beside<T>,
) -> Result<(View, T)> {
    let mut m = history::build_in(config, lake, p, (from, to), store)?;
    // The calibration's replay at the fitted scale is the roster as worked.
    let (cal, base) = super::calibrated(&m);
    m.time_scale = cal.scale;
    let m = std::sync::Arc::new(m);
    let (view, other) = rayon::join(
        || finish(std::sync::Arc::clone(&m), cal, &base, target_share, adds),
        || beside(&m, &base),
    );
    Ok((view?, other?))
}

/// The view on a calibrated model: the recommendation, the what-ifs and the
/// tables.
fn finish(
    m: std::sync::Arc<Model>,
    cal: super::Calibration,
    base: &Outcome,
    target_share: f64,
    adds: &[Addition],
) -> Result<View> {
    let p = &m.practice;
    let extra = super::added_staff(&m, adds)?;
    let r = rules(&m);
    let n = m.categories.len();
    let rec = recommend::recommend(&m, &r, target_share, &[], base.clone());
    let whatif = (!adds.is_empty()).then(|| run(&m, &r, &extra));

    let measured = shares(&m.jobs, |j| m.measured[j].filter(|_| m.jobs[j].counted), n);
    let b = shares(&m.jobs, |j| base.met(&m.jobs, j), n);
    let rc = shares(&m.jobs, |j| rec.outcome.met(&m.jobs, j), n);
    let wi = whatif
        .as_ref()
        .map(|o| shares(&m.jobs, |j| o.met(&m.jobs, j), n));
    let weeks = close::week_closes(&m.practice, m.from, m.to);
    let (wk_base, wk_plan) = (
        close::mean_backlog(&m, &base, &weeks),
        close::mean_backlog(&m, &rec.outcome, &weeks),
    );
    let shown: Vec<usize> = (0..n).filter(|&c| measured[c].1 > 0).collect();
    let lines = shown
        .iter()
        .copied()
        .map(|c| {
            let name = &m.categories[c];
            let (me, ba) = (ratio(measured[c]), ratio(b[c]));
            Line {
                category: name.clone(),
                lane: p.lane_for(name).map(|l| l.name.clone()).unwrap_or_default(),
                target: p.categories[name].target.to_string(),
                due: measured[c].1,
                measured: me,
                replayed: ba,
                gap: me.zip(ba).map(|(x, y)| y - x),
                off_calibration: super::off_calibration(me.zip(ba).map(|(x, y)| y - x)),
                recommended: ratio(rc[c]),
                recommended_predicted: predicted(me, ba, ratio(rc[c])),
                whatif: wi.as_ref().and_then(|w| ratio(w[c])),
                whatif_predicted: wi.as_ref().and_then(|w| predicted(me, ba, ratio(w[c]))),
                backlog_week_close: wk_base.as_ref().map(|v| v[c]),
                backlog_week_close_with_plan: wk_plan.as_ref().map(|v| v[c]),
            }
        })
        .collect();

    let workload = workload::table(&m, &r, &plan_staff(&m, &rec.shifts));
    let inbound = inbound::table(&m);
    let patience_s = inbound::patience_s(&m);
    let backlog = backlog_table(&m, &base, &rec.outcome);
    let absence = absence::replays(&m, &r, &rec.shifts, &base, &rec.outcome, &shown);
    let cost = cost::cost(rec.hours(), p.staffing.va_hourly_rate);
    let by_hour = by_hour(&m, &base, &rec.outcome);
    let roster = super::roster::roster(&m, &inbound, &rec.shifts);
    let phone_shifts = super::roster::phone_shifts(&m, &roster);
    Ok(View {
        target_share,
        base: base.clone(),
        rec,
        adds: adds.to_vec(),
        lines,
        workload,
        inbound,
        backlog,
        patience_s,
        calibration: cal,
        cost,
        absence,
        by_hour,
        roster,
        phone_shifts,
        model: m,
    })
}

/// Backlog carried at the end of every business hour block of the period, per lane.
fn backlog_table(m: &Model, a: &Outcome, b: &Outcome) -> BTreeMap<(u8, u8, String), (f64, f64)> {
    let blocks = recommend::business_blocks(m);
    let mut at = Vec::new();
    let mut d = m.from;
    while d <= m.to {
        if !m.practice.is_holiday(d) {
            for &(wd, h) in &blocks {
                if wd as u32 == chrono::Datelike::weekday(&d).number_from_monday() {
                    let t = chrono::NaiveTime::from_hms_opt(h as u32, 0, 0).expect("hour");
                    at.push(history::local_s(m.practice.tz, d, t) + 3600);
                }
            }
        }
        d = d.succ_opt().expect("date");
    }
    at.sort_unstable();
    let n = m.lanes.len();
    let (ba, bb) = (backlog(&m.jobs, a, &at, n), backlog(&m.jobs, b, &at, n));
    let mut acc: BTreeMap<(u8, u8, String), (f64, f64, u32)> = BTreeMap::new();
    for (i, &t) in at.iter().enumerate() {
        let (wd, h) = block_of(&m.practice, t - 3600);
        for (q, lane) in m.lanes.iter().enumerate() {
            let e = acc.entry((wd, h, lane.clone())).or_default();
            e.0 += ba[i][q] as f64;
            e.1 += bb[i][q] as f64;
            e.2 += 1;
        }
    }
    acc.into_iter()
        .map(|(k, (x, y, c))| (k, (x / c as f64, y / c as f64)))
        .collect()
}
