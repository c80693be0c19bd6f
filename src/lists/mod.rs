//! Tomorrow's call lists: per lane and owner, from the open tasks, the attempt
//! rules, the missed calls nobody returned and the restricted contacts and
//! callers tables. The rules and the order are documented in docs/LISTS.md.
//! Lists hold PHI (names, numbers, notes): they are written with owner-only
//! permissions and never logged.

pub mod build;
mod open_tasks;
pub mod rules;
pub mod state;
pub mod worked;
pub mod write;
mod xlsx;

use crate::config::Config;
use crate::lake::Lake;
use crate::model::clock::Calendars;
use crate::model::store::Store;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One line of a call list: one patient, every reason they are on it.
#[derive(Debug, Clone)]
pub struct Row {
    pub rank: u32,
    /// Urgent (the export's priority) or clinical work.
    pub urgent: bool,
    pub lane: String,
    pub display_name: String,
    pub phone: String,
    /// When the patient asked or called (local, "Fri 11-20 16:05").
    pub asked_at: String,
    pub categories: Vec<String>,
    /// What the call is for (`model::rules::call_goal`).
    pub goal: String,
    pub reasons: Vec<String>,
    /// The attempt this call is (n of `max_attempts`).
    pub attempt: u32,
    pub max_attempts: u32,
    /// The channel the rule prescribes for this attempt.
    pub channel: String,
    pub window: String,
    pub last_outcome: String,
    pub last_note: String,
    pub task_ids: Vec<String>,
    pub call_ids: Vec<String>,
    pub script: String,
    pub voicemail: String,
    /// The owner the export assigned (kept when that owner works the list day and has room).
    pub owner_hint: Option<String>,
    /// Fits in the owner's capacity (false: overflow).
    pub fits: bool,
    /// Staff minutes planned for it (the measured time per attempt of its category).
    pub work_min: f64,
    /// At risk of breaching its target tomorrow, or a promised callback.
    pub at_risk: bool,
}

/// What an owner can do tomorrow against what is on their list. The minutes are the
/// owner's whole day (shared by every lane they work); the counts are this list's.
#[derive(Debug, Clone)]
pub struct Capacity {
    pub rostered_min: f64,
    /// Measured: average answered inbound minutes on this weekday (last 4 weeks).
    pub inbound_min: f64,
    pub available_min: f64,
    /// Minutes of work on this list (measured time per attempt by category).
    pub work_min: f64,
    /// The owner's planned minutes across every lane they work.
    pub planned_min: f64,
    pub fits: usize,
    pub overflow: usize,
}

/// One owner's list.
#[derive(Debug, Clone)]
pub struct OwnerList {
    pub lane: String,
    pub owner: String,
    pub capacity: Capacity,
    pub rows: Vec<Row>,
}

/// Every list of one practice for one day.
#[derive(Debug, Clone)]
pub struct PracticeLists {
    pub practice_id: String,
    pub practice_name: String,
    /// The day the data runs through.
    pub data_day: NaiveDate,
    /// The business day the lists are for.
    pub list_date: NaiveDate,
    pub owners: Vec<OwnerList>,
    pub fix_contact: Vec<Row>,
    pub close_suggestions: Vec<Row>,
    /// Overdue beyond `stale_after_days`: the manager decides.
    pub stale: Vec<Row>,
    /// Work for a patient who prefers sms, email, portal or a letter, per lane
    /// (lane, rows): sent, not called, so it takes no calling time.
    pub messages: Vec<(String, Vec<Row>)>,
    /// Due work no owner works on the list day (or no lane works).
    pub unassigned: Vec<Row>,
    /// Open work kept off the lists, by reason.
    pub excluded: BTreeMap<String, usize>,
    /// Minutes per attempt by category and how each was found.
    pub handle_sources: Vec<(String, f64, &'static str)>,
}

impl PracticeLists {
    /// Rows on owners' lists.
    pub fn due(&self) -> usize {
        self.owners.iter().map(|o| o.rows.len()).sum()
    }
    pub fn overflow(&self) -> usize {
        self.owners.iter().map(|o| o.capacity.overflow).sum()
    }
}

/// Build the lists for the business day after `data_day`, for every practice.
pub fn build_all(config: &Config, lake: &Lake, data_day: NaiveDate) -> Result<Vec<PracticeLists>> {
    build_all_in(config, lake, data_day, &Store::none())
}

/// `build_all`, taking task facts from `store` (the run's, on a nightly run).
pub fn build_all_in(
    config: &Config,
    lake: &Lake,
    data_day: NaiveDate,
    store: &Store,
) -> Result<Vec<PracticeLists>> {
    // Practices are independent: their states are read and their lists built
    // in parallel (on plain threads: they read Parquet, see `workers`), and
    // come back in the configured order.
    crate::workers::map(&config.practices, |p| {
        // One calendar per practice for the whole run: the widest window the
        // lists read (the state's), shared with the state and the handle times.
        let one = config.restricted_to(&[p.id.as_str()]);
        let cals = Calendars::new(&one, state::window(&one, data_day), &[p.id.as_str()]);
        let cal = cals.0.get(&p.id).context("calendar")?;
        let day = build::list_day(p, cal, data_day).with_context(|| {
            format!("{}: no business day within 60 days after {data_day}", p.id)
        })?;
        let snap = state::read(config, lake, p, &cals, (data_day, day.date), store)
            .with_context(|| format!("reading the state of practice {}", p.id))?;
        Ok(build::practice(p, cal, &snap, day, data_day))
    })
    .into_iter()
    .collect()
}

/// Write every practice's lists into `<out>/<list date>/`, published atomically
/// (one folder per list date). Returns the published folders.
pub fn publish(all: &[PracticeLists], out: &std::path::Path) -> Result<Vec<std::path::PathBuf>> {
    let mut by_date: BTreeMap<NaiveDate, Vec<&PracticeLists>> = BTreeMap::new();
    for l in all {
        by_date.entry(l.list_date).or_default().push(l);
    }
    let mut done = Vec::new();
    for (date, lists) in by_date {
        let staging = crate::publish::Staging::new(&out.join(date.to_string()))?;
        // Each practice writes its own files: side by side.
        use rayon::prelude::*;
        lists.par_iter().try_for_each(|l| {
            write::practice(l, &staging.dir)?;
            crate::failpoint::hit("lists-practice-written");
            anyhow::Ok(())
        })?;
        done.push(staging.publish()?);
    }
    Ok(done)
}

#[cfg(test)]
mod tests;
