//! Staffing: the inbound line (Erlang C / A) and deferred callback work.
//!
//! Callback work is deferred work: it is sized by workload (volume × attempts ×
//! handle time in each weekday × hour block) and checked with a deterministic
//! replay of the period (the team's order learned from history, `policy`; backlog carried across blocks
//! and days), not with a queueing formula. The live inbound line is sized with
//! Erlang C / A. Definitions and assumptions: docs/STAFFING.md.

pub mod absence;
pub mod close;
pub mod cost;
pub mod erlang;
pub mod heatmap;
pub mod history;
pub mod inbound;
pub mod policy;
pub mod recommend;
pub mod replay;
pub mod roster;
pub mod scope;
pub mod shift;
pub mod spec;
pub mod tables;
pub mod text;
pub mod view;
pub mod workload;
pub mod write;

use crate::config::{Span, WeekHours};
use history::{expand, Model, PracticeRules};
use replay::{replay, Job, OpenTime, Outcome, Staff};

/// Within-target counts per category: (met, due).
pub fn shares(jobs: &[Job], met: impl Fn(usize) -> Option<bool>, n: usize) -> Vec<(u32, u32)> {
    let mut v = vec![(0u32, 0u32); n];
    for (j, job) in jobs.iter().enumerate() {
        if let Some(m) = met(j) {
            v[job.category].1 += 1;
            v[job.category].0 += m as u32;
        }
    }
    v
}

/// A share, or None when nothing was due.
pub fn ratio((met, due): (u32, u32)) -> Option<f64> {
    (due > 0).then(|| met as f64 / due as f64)
}

/// Staff for `count` assistants working `works` in `span` on `days` (0 = Monday) across the period.
pub fn assistants(
    m: &Model,
    name: &str,
    days: &[usize],
    spans: &[Span],
    works: &[bool],
    count: u32,
) -> Vec<Staff> {
    let mut week = WeekHours::default();
    for &d in days {
        week.0[d] = spans.to_vec();
    }
    let last = m.to + chrono::Duration::days(history::TAIL_DAYS);
    let open = OpenTime::new(expand(&m.practice, &week, m.from, last));
    (1..=count)
        .map(|k| Staff {
            name: format!("{name}#{k}"),
            works: works.to_vec(),
            open: open.clone(),
        })
        .collect()
}

/// Staff for `--add` what-ifs (and recommendation plans), in the order given.
pub fn added_staff(
    m: &Model,
    adds: &[spec::Addition],
) -> Result<Vec<Staff>, crate::error::UsageError> {
    let mut out = Vec::new();
    for (i, a) in adds.iter().enumerate() {
        let works = a.works(&m.practice, &m.lanes)?;
        out.extend(assistants(
            m,
            &format!("add{i}"),
            &a.days,
            &[a.span],
            &works,
            a.count,
        ));
    }
    Ok(out)
}

/// Replay the model's jobs with its worked roster plus `extra` staff.
pub fn run(m: &Model, rules: &PracticeRules, extra: &[Staff]) -> Outcome {
    run_on(m, &m.jobs, rules, extra)
}

/// [`run`] with `jobs` in place of the model's (the model's with a remedy
/// applied: `findings::price`).
pub fn run_on(m: &Model, jobs: &[Job], rules: &PracticeRules, extra: &[Staff]) -> Outcome {
    let mut staff = m.staff.clone();
    staff.extend_from_slice(extra);
    replay(jobs, &staff, rules, m.lanes.len())
}

/// The calibrated prediction: the measured miss rate scaled by the replayed
/// change in the miss rate (a replay that halves the misses of the roster as
/// worked predicts half the measured misses). Falls back to the replayed share.
pub fn predicted(measured: Option<f64>, base: Option<f64>, scenario: Option<f64>) -> Option<f64> {
    let s = scenario?;
    Some(match (measured, base) {
        (Some(me), Some(b)) if b < 1.0 => {
            (1.0 - (1.0 - me) * (1.0 - s) / (1.0 - b)).clamp(0.0, 1.0)
        }
        _ => s,
    })
}

/// Pooled shares within target, all categories together.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Calibration {
    /// Scale on the measured time per attempt at which the replay of the roster
    /// as worked reproduces the pooled measured share (1: as measured).
    pub scale: f64,
    pub measured: f64,
    /// Replayed with the time per attempt as measured.
    pub replayed_unscaled: f64,
    /// Replayed at `scale`.
    pub replayed: f64,
}

/// A category whose replay of the roster as worked misses its measured share
/// by more than this is flagged beside its prediction (docs/STAFFING.md,
/// "Calibration").
pub const CALIBRATION_TOLERANCE: f64 = 0.10;

/// Whether a calibration gap is beyond [`CALIBRATION_TOLERANCE`].
pub fn off_calibration(gap: Option<f64>) -> bool {
    gap.is_some_and(|g| g.abs() > CALIBRATION_TOLERANCE + 1e-12)
}

/// The bounds of the fitted scale on the time per attempt.
pub const SCALE_RANGE: (f64, f64) = (0.5, 2.0);

/// Steps of the bisection on the scale.
const SCALE_STEPS: u32 = 12;

/// The replay of the roster as worked at `scale`, and its pooled share within
/// target.
fn pooled(m: &Model, scale: f64) -> (Outcome, f64) {
    let out = run(m, &PracticeRules { model: m, scale }, &[]);
    let (mut met, mut due) = (0u32, 0u32);
    for j in 0..m.jobs.len() {
        if let Some(x) = out.met(&m.jobs, j) {
            met += x as u32;
            due += 1;
        }
    }
    let share = met as f64 / due.max(1) as f64;
    (out, share)
}

/// The check and fit of the model (docs/STAFFING.md, "Calibration"): the
/// pooled share within target over all categories, measured and replayed with
/// the roster as worked, and the one scale on the time per attempt (bisected in
/// [`SCALE_RANGE`], where the replayed share falls as the scale grows) at which
/// the replay reproduces the measured share. Per-category gaps are what is
/// left: they are reported, not fitted.
///
/// Also returns the replay of the roster as worked at the fitted scale: the
/// base every later replay of the model is compared with, so callers need
/// not run it again.
pub fn calibrated(m: &Model) -> (Calibration, Outcome) {
    let (mut met, mut due) = (0u32, 0u32);
    for (j, x) in m.measured.iter().enumerate() {
        if let (Some(x), true) = (x, m.jobs[j].counted) {
            met += *x as u32;
            due += 1;
        }
    }
    let measured = met as f64 / due.max(1) as f64;
    let (unscaled_out, unscaled) = pooled(m, 1.0);
    let (mut lo, mut hi) = SCALE_RANGE;
    let (mut scale, mut replayed, mut best) = (1.0, unscaled, None);
    if due > 0 {
        for _ in 0..SCALE_STEPS {
            let mid = (lo * hi).sqrt();
            // The first midpoint of the range is the unscaled time: replayed above.
            let (out, r) = match mid == 1.0 {
                true => (None, unscaled),
                false => {
                    let (out, r) = pooled(m, mid);
                    (Some(out), r)
                }
            };
            if (r - measured).abs() < (replayed - measured).abs() {
                (scale, replayed, best) = (mid, r, out);
            }
            if r > measured {
                lo = mid;
            } else {
                hi = mid;
            }
        }
    }
    let calibration = Calibration {
        scale,
        measured,
        replayed_unscaled: unscaled,
        replayed,
    };
    (calibration, best.unwrap_or(unscaled_out))
}
