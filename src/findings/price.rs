//! Pricing a finding's fix: the period replayed (the staffing replay, with the
//! roster as worked) with a remedy, and the share within target of the
//! slipping span's tasks predicted the way the staffing view predicts, with
//! the calibration gap beside it (docs/STAFFING.md, "Calibration").

use super::Finding;
use crate::config::Span as Hours;
use crate::staffing::history::{block_of, Model};
use crate::staffing::replay::{Job, Outcome};
use crate::staffing::{assistants, predicted, ratio, run, run_on, view};
use rayon::prelude::*;

/// One remedy and what the replay predicts for the span's tasks with it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Fix {
    /// What was replayed, in words.
    pub remedy: String,
    /// The span's tasks with a known result.
    pub due: u32,
    /// Measured share within target of the span's tasks.
    pub measured: Option<f64>,
    /// Replayed with the roster as worked.
    pub replayed: Option<f64>,
    /// replayed − measured: the calibration gap.
    pub gap: Option<f64>,
    /// Replayed with the remedy.
    pub with_fix: Option<f64>,
    /// The calibrated prediction (`staffing::predicted`).
    pub predicted: Option<f64>,
}

/// The jobs of the finding's span: its category, counted, whose clock starts
/// in one of its blocks.
fn span_jobs(m: &Model, f: &Finding, width: u8) -> Vec<usize> {
    let c = m.categories.iter().position(|x| *x == f.category);
    (0..m.jobs.len())
        .filter(|&j| {
            let job = &m.jobs[j];
            if Some(job.category) != c || !job.counted {
                return false;
            }
            let Some(start) = m.cal.clock_start(job.arrive * 1_000_000) else {
                return false;
            };
            let (wd, h) = block_of(&m.practice, start.div_euclid(1_000_000));
            let b = super::scan::block_of(h, width);
            f.weekdays.contains(&wd) && b >= f.from_hour && b < f.to_hour
        })
        .collect()
}

fn share(m: &Model, out: &Outcome, jobs: &[usize]) -> Option<f64> {
    share_of(&m.jobs, out, jobs)
}

/// [`share`] of a replay of `all`, the model's jobs with a remedy applied.
fn share_of(all: &[Job], out: &Outcome, jobs: &[usize]) -> Option<f64> {
    let (mut met, mut due) = (0u32, 0u32);
    for &j in jobs {
        if let Some(x) = out.met(all, j) {
            met += x as u32;
            due += 1;
        }
    }
    ratio((met, due))
}

/// The period replayed with the roster as worked plus `extra`, at the
/// model's calibrated time scale.
fn replay(m: &Model, extra: &[crate::staffing::replay::Staff]) -> Outcome {
    let r = view::rules(m);
    run(m, &r, extra)
}

/// The span's share within target when the period's jobs are `m`'s with
/// `change` applied, replayed with the roster as worked.
fn share_with(m: &Model, change: impl Fn(&mut Job), jobs: &[usize]) -> Option<f64> {
    let mut all = m.jobs.clone();
    all.iter_mut().for_each(change);
    let out = run_on(m, &all, &view::rules(m), &[]);
    share_of(&all, &out, jobs)
}

/// The remedies for `f`, each replayed: one virtual assistant in the span on
/// the category's lane, the category routed to the best other lane, and the
/// lane's busiest other category's work arriving in the span moved to its end.
/// `base` is `m`'s replay with the roster as worked ([`replay`] with no
/// extra staff). The remedies' replays are independent and run side by side.
pub fn fixes(m: &Model, base: &Outcome, f: &Finding, width: u8) -> Vec<Fix> {
    let jobs = span_jobs(m, f, width);
    if jobs.is_empty() {
        return Vec::new();
    }
    let (mut met, mut due) = (0u32, 0u32);
    for &j in &jobs {
        if let Some(x) = m.measured[j] {
            met += x as u32;
            due += 1;
        }
    }
    let measured = ratio((met, due));
    let replayed = share(m, base, &jobs);
    let fix = |remedy: String, with: Option<f64>| Fix {
        remedy,
        due,
        measured,
        replayed,
        gap: measured.zip(replayed).map(|(a, b)| b - a),
        with_fix: with,
        predicted: predicted(measured, replayed, with),
    };
    let mut out = Vec::new();
    let lanes = m.lanes.clone();
    let lane_ix = lanes.iter().position(|l| *l == f.lane);
    let licensed = |l: &str| m.practice.lanes.get(l).is_some_and(|x| x.licensed);
    let cat_licensed = m
        .practice
        .categories
        .get(&f.category)
        .is_some_and(|c| c.licensed);

    // One assistant in the span's business hours, on the category's lane.
    if let (Some(q), false) = (lane_ix, licensed(&f.lane) || cat_licensed) {
        let wd0 = f.weekdays[0] as usize - 1;
        let hours: Vec<Hours> = m.practice.hours.0[wd0]
            .iter()
            .filter_map(|s| {
                let a = s.start.max(hour(f.from_hour));
                let b = if f.to_hour >= 24 {
                    s.end
                } else {
                    s.end.min(hour(f.to_hour))
                };
                (a < b).then_some(Hours { start: a, end: b })
            })
            .collect();
        let days: Vec<usize> = f.weekdays.iter().map(|d| *d as usize - 1).collect();
        let works: Vec<bool> = (0..lanes.len()).map(|i| i == q).collect();
        if !hours.is_empty() {
            let extra = assistants(m, "fix", &days, &hours, &works, 1);
            let with = share(m, &replay(m, &extra), &jobs);
            out.push(fix(
                format!(
                    "1 virtual assistant {} {:02}:00–{:02}:00 on the {} lane",
                    f.days, f.from_hour, f.to_hour, f.lane
                ),
                with,
            ));
        }
    }

    // The category routed to another lane (the best of them).
    let c = m.categories.iter().position(|x| *x == f.category);
    if let (Some(c), false) = (c, cat_licensed) {
        let others: Vec<(usize, &String)> = (lanes.iter().enumerate())
            .filter(|&(q, name)| Some(q) != lane_ix && !licensed(name))
            .collect();
        let routed: Vec<Option<f64>> = others
            .par_iter()
            .map(|&(q, _)| {
                share_with(
                    m,
                    |job| {
                        if job.category == c {
                            job.queue = q;
                        }
                    },
                    &jobs,
                )
            })
            .collect();
        // The first of the best, in lane order.
        let mut best: Option<(f64, String)> = None;
        for (&(_, name), with) in others.iter().zip(routed) {
            if let Some(w) = with {
                if best.as_ref().is_none_or(|b| w > b.0) {
                    best = Some((w, name.clone()));
                }
            }
        }
        if let Some((w, name)) = best {
            out.push(fix(
                format!("route {} to the {name} lane", f.category),
                Some(w),
            ));
        }
    }

    // The lane's busiest other category in the span: its work arriving in
    // the span waits until the span's end.
    if let Some(q) = lane_ix {
        let win = crate::model::spans::Spans::merged(super::windows(
            &m.practice,
            (m.from, m.to),
            &f.weekdays,
            (f.from_hour, f.to_hour),
        ));
        let mut counts = vec![0u32; m.categories.len()];
        for job in &m.jobs {
            if job.queue == q && Some(job.category) != c && super::causes::inside(&win, job.arrive)
            {
                counts[job.category] += 1;
            }
        }
        let busiest = (0..counts.len())
            .filter(|&k| counts[k] > 0)
            .max_by(|&a, &b| counts[a].cmp(&counts[b]).then(b.cmp(&a)));
        if let Some(k) = busiest {
            let moved = |job: &mut Job| {
                if job.queue == q && job.category == k && super::causes::inside(&win, job.arrive) {
                    let i = win.spans().partition_point(|s| s.1 <= job.arrive);
                    job.arrive = win.spans()[i].1;
                }
            };
            let with = share_with(m, moved, &jobs);
            out.push(fix(
                format!(
                    "move {}'s work arriving {} {:02}:00–{:02}:00 to {:02}:00",
                    m.categories[k], f.days, f.from_hour, f.to_hour, f.to_hour
                ),
                with,
            ));
        }
    }
    out
}

fn hour(h: u8) -> chrono::NaiveTime {
    chrono::NaiveTime::from_hms_opt(u32::from(h.min(23)), 0, 0).expect("hour")
}
