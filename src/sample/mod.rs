//! `followup sample`: synthetic exports that behave like a practice.
//!
//! Each practice is simulated rather than sampled row by row: requests arrive
//! by category, weekday and hour; the phone line rings and people answer when
//! they are free; a limited roster works the queue earliest-deadline-first
//! within their shifts; attempts succeed or fail depending on the hour and the
//! attempt; reached patients get booked, and their visits are kept, cancelled
//! or missed, which feeds recovery work back in. The files written are what a
//! phone system and an EHR would export about all that, in the formats of
//! docs/SAMPLE-EXPORTS.md.
//!
//! With the reference roster the queue is fine in the morning and falls behind
//! after 14:00: the morning-only people have left, the after-lunch surge of
//! calls and web forms arrives, and the one person who covers referrals in the
//! afternoon is tied up by referral and insurance work and the referral line.
//! New-patient callbacks meet their 30-minute target on most mornings and miss
//! it for roughly half the requests made after 14:00, which is the pattern the
//! reports are meant to find (see `arrivals.rs` for how the load was balanced).
//!
//! Everything runs on the practice's wall clock; the zone is used to skip the
//! hour that does not exist when clocks spring forward and to give JSON
//! timestamps the offset in force at that instant.
//!
//! Output is a pure function of the inputs and the seed: each practice draws
//! from its own ChaCha8 stream seeded from the seed and the practice id, so the
//! files do not depend on thread count, practice order or platform.
//!
//! Periods are consecutive blocks of `file_per` length counted from `start`;
//! the file name carries the period's first day. The first period's patients
//! file lists the whole existing patient list; later ones, only the patients
//! created or changed in that period.

mod appts;
mod arrivals;
mod calendar;
#[cfg(test)]
mod diagnostics;
mod mess;
mod model;
mod names;
mod outreach;
mod phone;
mod sim;
mod tasks;
#[cfg(test)]
mod tests;
mod write;

use anyhow::{bail, Result};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// A practice to simulate: where it is, when it is open, and who works there.
pub struct PracticeSim {
    /// Practice id, e.g. "p001"; also the folder name under `out`.
    pub id: String,
    pub tz: chrono_tz::Tz,
    /// Business hours Monday..Sunday; several spans a day for a lunch closure.
    pub hours: [Vec<(chrono::NaiveTime, chrono::NaiveTime)>; 7],
    /// Days the practice is closed.
    pub holidays: BTreeSet<chrono::NaiveDate>,
    pub staff: Vec<StaffSim>,
    /// Attempt rules by canonical category name, e.g. "referral"; a category
    /// missing here follows [`AttemptRule::default`]. Names the generator does
    /// not simulate are ignored.
    pub rules: BTreeMap<String, AttemptRule>,
}

/// How a category's outreach is meant to go: how many unanswered attempts
/// before the task is closed as Unable To Reach, how many business days apart,
/// and how the last one is made. The simulated staff follow it, with the small
/// lapses the attempt-discipline measures are meant to find.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttemptRule {
    /// At least 1. Values above 20 are treated as 20.
    pub max_attempts: u32,
    /// 0 allows retries the same day. Values above 20 are treated as 20.
    pub min_gap_days: u32,
    /// "phone", "sms", "email", "portal" or "letter".
    pub final_channel: String,
}

impl Default for AttemptRule {
    /// Three attempts a business day apart, the last one by text.
    fn default() -> Self {
        AttemptRule {
            max_attempts: 3,
            min_gap_days: 1,
            final_channel: "sms".to_string(),
        }
    }
}

/// One person on the roster.
pub struct StaffSim {
    /// User id, e.g. "amartin"; shown as Extension, Assigned To and User.
    pub id: String,
    /// Canonical categories this person works, e.g. "new_patient_request".
    pub categories: Vec<String>,
    /// When they work, Monday..Sunday (only counted while the practice is open).
    pub hours: [Vec<(chrono::NaiveTime, chrono::NaiveTime)>; 7],
    /// Only licensed staff work clinical questions.
    pub licensed: bool,
}

pub enum FilePeriod {
    Day,
    Week,
}

pub struct SampleOptions {
    pub days: u32,
    pub start: chrono::NaiveDate,
    pub seed: u64,
    pub out: PathBuf,
    pub file_per: FilePeriod,
    /// Add a duplicated file and a few malformed rows per practice.
    pub mess: bool,
    /// A change planted on purpose, for testing that a before/after comparison
    /// finds it; `None` simulates the practice as usual.
    pub plant: Option<Plant>,
    /// Days simulated before `start` and not written, so the first written
    /// week starts with a steady queue instead of an empty one
    /// (docs/SAMPLE-EXPORTS.md, "Lead-in"). 0 (the default) writes exactly
    /// what earlier versions wrote.
    pub lead_in_days: u32,
    /// How much work arrives, and planted surges of calls
    /// (docs/SAMPLE-EXPORTS.md, "Planted bottlenecks"); the default changes nothing.
    pub load: Load,
}

/// Arrival volume and planted call surges. With the default (volume 1, no
/// surge) the simulation draws exactly what it drew without them.
#[derive(Debug, Clone, PartialEq)]
pub struct Load {
    /// Multiplies every arrival rate (requests and calls), e.g. 0.5 for a
    /// practice with room to spare.
    pub volume: f64,
    /// Multiply the front-desk line's calls on some weekdays and hours.
    pub call_surges: Vec<CallSurge>,
    /// Send a category's new tasks of some weekdays and hours to another lane.
    pub routes: Vec<Route>,
}

impl Default for Load {
    fn default() -> Load {
        Load {
            volume: 1.0,
            call_surges: Vec::new(),
            routes: Vec::new(),
        }
    }
}

/// The new tasks of `category` created on `weekdays` (0 = Monday) in the
/// local hours `[from_hour, to_hour)` land in `lane` ("front_desk",
/// "referrals" or "clinical") and are worked by its people.
#[derive(Debug, Clone, PartialEq)]
pub struct Route {
    pub weekdays: Vec<usize>,
    pub from_hour: u8,
    pub to_hour: u8,
    pub category: String,
    pub lane: String,
}

/// The front-desk line's calls × `factor` on `weekdays` (0 = Monday) in the
/// local hours `[from_hour, to_hour)`. With a factor above 1 the extra calls
/// come from numbers with no task behind them (unanswered, they leave only
/// the call log): the surge takes the staff's time, not more callback work.
#[derive(Debug, Clone, PartialEq)]
pub struct CallSurge {
    pub weekdays: Vec<usize>,
    pub from_hour: u8,
    pub to_hour: u8,
    pub factor: f64,
}

/// A change in how the practice works, in force on the days `from..=until`
/// (the practice's local days; `until` `None`: to the end). Only the knobs that
/// differ from 1 change anything, and before `from` the simulation draws
/// exactly what it would without the plant, so the exports up to then are the
/// same (docs/SAMPLE-EXPORTS.md, "Planted change").
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Plant {
    pub from: chrono::NaiveDate,
    pub until: Option<chrono::NaiveDate>,
    /// Multiplies the chance that a phone attempt reaches the patient (still
    /// at most 90%): above 1 the staff reach more patients, below 1 fewer.
    pub reach: f64,
}

#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SampleSummary {
    /// Files written, including duplicated ones.
    pub files: u64,
    /// Data rows written per kind ("calls", "tasks", "activity",
    /// "appointments", "patients"), not counting duplicated files.
    pub rows: BTreeMap<String, u64>,
    pub malformed_rows: u64,
    pub duplicated_files: u64,
}

const MAX_THREADS: usize = 8;

/// What one practice contributed to the summary.
struct PracticeResult {
    files: u64,
    rows: [u64; 5],
    malformed_rows: u64,
    duplicated_files: u64,
}

fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// A practice's own stream; `salt` separates the simulation from the mess.
fn stream(seed: u64, practice: &str, salt: u64) -> ChaCha8Rng {
    let mut x = seed ^ fnv1a(practice).rotate_left(17) ^ salt.wrapping_mul(0x9e37_79b9_7f4a_7c15);
    // splitmix64 finaliser, so nearby seeds give unrelated streams
    x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    ChaCha8Rng::seed_from_u64(x ^ (x >> 31))
}

/// Simulate one practice without writing anything.
fn simulate(practice: &PracticeSim, opts: &SampleOptions) -> model::SimOutput {
    sim::Sim::new(practice, opts, stream(opts.seed, &practice.id, 0)).run(opts.days)
}

fn run_practice(practice: &PracticeSim, opts: &SampleOptions) -> Result<PracticeResult> {
    let out = simulate(practice, opts);
    let period_days = sim::period_days(opts);
    let periods = opts.days.div_ceil(period_days);
    let plan = opts.mess.then(|| {
        fn lens<T>(v: Vec<&[T]>) -> Vec<usize> {
            v.iter().map(|s| s.len()).collect()
        }
        let calls = lens(write::by_period(&out.calls, periods, |r| r.period));
        let tasks = lens(write::by_period(&out.tasks, periods, |r| r.period));
        let activity = lens(write::by_period(&out.activities, periods, |r| r.period));
        let counts = mess::Counts {
            calls: &calls,
            tasks: &tasks,
            activity: &activity,
        };
        mess::Plan::new(&mut stream(opts.seed, &practice.id, 1), &counts)
    });
    let dir = opts.out.join(&practice.id);
    let w = write::practice_files(
        practice,
        &out,
        &dir,
        opts.start,
        period_days,
        periods,
        plan.as_ref(),
    )?;
    Ok(PracticeResult {
        files: w.files,
        rows: w.rows,
        malformed_rows: plan.as_ref().map_or(0, |p| p.malformed_rows()),
        duplicated_files: plan.as_ref().map_or(0, |p| p.duplicated_files()),
    })
}

fn check(practices: &[PracticeSim]) -> Result<()> {
    let mut seen = BTreeSet::new();
    for p in practices {
        let id = p.id.as_str();
        if id.is_empty() || id == "." || id == ".." || id.contains(['/', '\\']) {
            bail!(
                "practice id {id:?} cannot be used as a folder name; use something like \"p001\""
            );
        }
        if !seen.insert(id) {
            bail!("practice id {id:?} appears twice; each practice needs its own id");
        }
        for (cat, rule) in &p.rules {
            if rule.max_attempts == 0 {
                bail!("practice {id}: category {cat:?} allows no attempts; max_attempts must be at least 1");
            }
            if model::Channel::from_key(&rule.final_channel).is_none() {
                bail!(
                    "practice {id}: category {cat:?} has final_channel {:?}; use one of phone, sms, email, portal, letter",
                    rule.final_channel
                );
            }
        }
    }
    Ok(())
}

/// Simulate every practice and write its exports under `opts.out/<practice id>/`.
/// `progress(done, total)` is called once per finished practice, on the
/// calling thread.
pub fn generate(
    practices: &[PracticeSim],
    opts: &SampleOptions,
    progress: &dyn Fn(usize, usize),
) -> Result<SampleSummary> {
    check(practices)?;
    if !(opts.load.volume.is_finite() && opts.load.volume > 0.0) {
        bail!(
            "the arrival volume is {}; use a factor above 0 (1 changes nothing)",
            opts.load.volume
        );
    }
    for s in &opts.load.call_surges {
        if !(s.factor.is_finite() && s.factor >= 0.0) || s.from_hour >= s.to_hour || s.to_hour > 24
        {
            bail!("a call surge of {} from {}:00 to {}:00 is not a factor of 0 or more over an hour range; use e.g. \"Mon-Tue 09:00-12:00 3\"", s.factor, s.from_hour, s.to_hour);
        }
    }
    for r in &opts.load.routes {
        if model::Cat::from_key(&r.category).is_none() {
            bail!("a planted routing names category {:?}; use one the generator simulates, e.g. \"new_patient_request\"", r.category);
        }
        if model::Queue::from_key(&r.lane).is_none() {
            bail!(
                "a planted routing names lane {:?}; use front_desk, referrals or clinical",
                r.lane
            );
        }
        if r.from_hour >= r.to_hour || r.to_hour > 24 {
            bail!("a planted routing from {}:00 to {}:00 is not an hour range; use e.g. \"Mon-Tue 13:00-17:00 new_patient_request referrals\"", r.from_hour, r.to_hour);
        }
    }
    if let Some(p) = &opts.plant {
        if !(p.reach.is_finite() && p.reach > 0.0) {
            bail!(
                "the planted reach factor is {}; use a number above 0 (1 changes nothing)",
                p.reach
            );
        }
        if p.until.is_some_and(|u| u < p.from) {
            bail!("the planted change ends before it starts ({} < {}); give an end on or after the start", p.until.unwrap(), p.from);
        }
    }
    let mut summary = SampleSummary::default();
    for kind in write::KINDS {
        summary.rows.insert(kind.to_string(), 0);
    }
    if opts.days == 0 || practices.is_empty() {
        return Ok(summary);
    }
    std::fs::create_dir_all(&opts.out)?;
    let total = practices.len();
    // Each worker holds one practice's simulated year in memory (tens of MB),
    // so a big machine does not get one worker per core.
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(MAX_THREADS)
        .min(total);
    let next = AtomicUsize::new(0);
    let failed = AtomicBool::new(false);
    let mut results: Vec<Option<Result<PracticeResult>>> = (0..total).map(|_| None).collect();
    std::thread::scope(|scope| {
        let (tx, rx) = std::sync::mpsc::channel();
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, failed) = (&next, &failed);
            scope.spawn(move || loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= total || failed.load(Ordering::Relaxed) {
                    break;
                }
                let r = run_practice(&practices[i], opts);
                if r.is_err() {
                    failed.store(true, Ordering::Relaxed);
                }
                if tx.send((i, r)).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        // The callback is not Sync, so it is only ever called from this thread.
        for (done, (i, r)) in rx.into_iter().enumerate() {
            results[i] = Some(r);
            progress(done + 1, total);
        }
    });
    for r in results.into_iter().flatten() {
        let r = r?;
        summary.files += r.files;
        for (kind, n) in write::KINDS.iter().zip(r.rows) {
            *summary.rows.entry(kind.to_string()).or_default() += n;
        }
        summary.malformed_rows += r.malformed_rows;
        summary.duplicated_files += r.duplicated_files;
    }
    Ok(summary)
}
