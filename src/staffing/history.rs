//! From the lake to what the staffing view replays: tasks as jobs (from the
//! run's task facts, `model::store`), the roster as open time per person less
//! the inbound calls they answered, and the handle times and inbound line
//! measured from the call and activity logs (`metrics::handles`).

use super::policy::Policy;
use super::replay::{Job, OpenTime, Rules, Staff};
use crate::config::{Config, Practice, WeekHours};
use crate::lake::Lake;
use crate::metrics::handles;
pub use crate::metrics::handles::{
    Handle, Inbound, MAX_STRETCH_GAP_S, MIN_CALLS_FOR_MEASURED, TAIL_DAYS,
};
use crate::model::clock::Calendar;
use crate::model::clock::Calendars;
use crate::model::facts::Facts;
use crate::model::load::{strs, times};
use crate::model::store::Store;
use anyhow::Result;
use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone, Timelike};

/// Local wall-clock time on a date, as seconds since the epoch (a skipped hour opens an hour later).
pub fn local_s(tz: chrono_tz::Tz, d: NaiveDate, t: NaiveTime) -> i64 {
    let naive = d.and_time(t);
    tz.from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            tz.from_local_datetime(&(naive + chrono::Duration::hours(1)))
                .earliest()
        })
        .map(|x| x.timestamp())
        .expect("a local time an hour after a gap exists")
}

/// Local (weekday 1 = Monday, hour) of an instant in seconds.
pub fn block_of(p: &Practice, s: i64) -> (u8, u8) {
    let t = chrono::DateTime::from_timestamp(s, 0)
        .expect("instant")
        .with_timezone(&p.tz);
    (t.weekday().number_from_monday() as u8, t.hour() as u8)
}

/// Weekly spans expanded over `from..=to` (local dates), holidays skipped.
pub fn expand(p: &Practice, week: &WeekHours, from: NaiveDate, to: NaiveDate) -> Vec<(i64, i64)> {
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        if !p.is_holiday(d) {
            for s in week.day(d.weekday()) {
                out.push((local_s(p.tz, d, s.start), local_s(p.tz, d, s.end)));
            }
        }
        d = d.succ_opt().expect("date");
    }
    out
}

/// Everything the staffing view needs about one practice and period.
pub struct Model {
    pub practice: Practice,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub categories: Vec<String>,
    /// Each category's `min_gap_days` (attempt rules), by index: read on every
    /// retry of a replay.
    pub min_gap_days: Vec<u32>,
    /// Lane names: the queues jobs wait in (`Job::queue`).
    pub lanes: Vec<String>,
    pub jobs: Vec<Job>,
    /// Local (weekday, hour) each job was created in.
    pub job_block: Vec<(u8, u8)>,
    /// The measured first-attempt result (task_facts.met_target).
    pub measured: Vec<Option<bool>>,
    /// The roster as worked: open time less answered inbound calls.
    pub staff: Vec<Staff>,
    /// Roster open time before inbound calls, per person (capacity tables).
    pub rostered: Vec<OpenTime>,
    pub handles: Vec<Handle>,
    pub inbound: Vec<Inbound>,
    /// Inbound talk seconds answered by rostered staff, and by anyone else.
    pub inbound_talk_s: (i64, i64),
    pub cal: Calendar,
    /// Scale on the measured time per attempt, fitted so the replay of the
    /// roster as worked reproduces the measured share within target over all
    /// categories together (see [`super::calibrated`]).
    pub time_scale: f64,
    /// The team's working policy, learned from the period (`policy`).
    pub policy: Policy,
}

impl Model {
    /// Weeks in the period (for per-week averages).
    pub fn weeks(&self) -> f64 {
        ((self.to - self.from).num_days() + 1) as f64 / 7.0
    }
}

/// The practice's attempt rules and handle times, on its business clock.
pub struct PracticeRules<'a> {
    pub model: &'a Model,
    /// Scale on the time per attempt (1 = as measured).
    pub scale: f64,
}

impl Rules for PracticeRules<'_> {
    fn handle_s(&self, c: usize, n: u32) -> i64 {
        let _ = n;
        (self.model.handles[c].per_attempt_s * self.scale).round() as i64
    }

    /// The next attempt is ready `min_gap_days` business days later at the same
    /// time of day (an hour of business time later when the gap is 0), or the
    /// team's learned delay after the attempt when that is later; its working
    /// deadline is that plus the category's learned routine wait, else the ready
    /// day's close.
    fn retry(&self, q: usize, c: usize, _n: u32, at: i64) -> Option<(i64, i64)> {
        let m = self.model;
        let ready = rule_ready_us(m.min_gap_days[c], &m.cal, at)?;
        let due = match m.policy.retry(q, c) {
            Some(w) => m.cal.add_micros(ready, w)?,
            None => m.cal.close_of_day(ready)?,
        };
        Some((ready / 1_000_000, due / 1_000_000))
    }
}

/// When the attempt rules make the next attempt on a task of `category` ready
/// after one at `at` (seconds), in µs: `min_gap_days` business days later at the
/// same time of day, an hour of business time later when the gap is 0.
/// `min_gap_days` is the category's (`Model::min_gap_days`).
pub fn rule_ready_us(min_gap_days: u32, cal: &Calendar, at: i64) -> Option<i64> {
    if min_gap_days == 0 {
        return cal.add_minutes(at * 1_000_000, 60);
    }
    cal.clock_start(cal.same_time_business_days_later(at * 1_000_000, min_gap_days as usize)?)
}

/// The worked tasks as jobs, with the (weekday, hour) each arrived in and its
/// measured first-attempt result (task_facts.met_target).
type Jobs = (Vec<Job>, Vec<(u8, u8)>, Vec<Option<bool>>);

fn jobs(
    practice: &Practice,
    (worked, carried): (&[handles::Worked], &[handles::Worked]),
    from_s: i64,
    f: &Facts,
    (cal, policy): (&Calendar, &Policy),
) -> Result<Jobs> {
    let df = &f.df;
    let created = times(df, "created_at")?;
    let start = times(df, "clock_start_at")?;
    let deadline = times(df, "deadline_at")?;
    let closed = times(df, "closed_at")?;
    let priority = strs(df, "priority")?;
    let met: Vec<Option<bool>> = df.column("met_target")?.bool()?.iter().collect();
    let terminal: Vec<Option<bool>> = df.column("terminal")?.bool()?.iter().collect();
    let s = |us: i64| us.div_euclid(1_000_000);
    // One task as a job arriving at `arrive`: its working deadline is its clock
    // start plus the team's learned wait, else its target deadline.
    let job = |t: &handles::Worked, arrive: i64, carried: bool| {
        let i = t.row;
        let learned = policy.wait(t.queue, t.category, priority[i] == Some("urgent"));
        let order = match (learned, start[i]) {
            (Some(w), Some(st)) => cal.add_micros(st, w).map(s),
            _ => deadline[i].map(s),
        };
        Job {
            category: t.category,
            queue: t.queue,
            arrive,
            deadline: deadline[i].map(s),
            order,
            attempts: t.attempts.max(1),
            withdrawn_at: (t.attempts == 0 && terminal[i] == Some(true))
                .then(|| closed[i].map(s))
                .flatten(),
            counted: !carried && met[i].is_some(),
            carried,
        }
    };
    let (mut jobs, mut job_block, mut measured) = (Vec::new(), Vec::new(), Vec::new());
    for t in worked {
        let arrive = s(created[t.row].expect("a worked task was created"));
        jobs.push(job(t, arrive, false));
        job_block.push(block_of(practice, arrive));
        measured.push(met[t.row]);
    }
    // The backlog at the start: waiting since before it, in the period's first
    // open minutes' queue, due as the task was.
    for t in carried {
        jobs.push(job(t, from_s, true));
        job_block.push(block_of(practice, from_s));
        measured.push(None);
    }
    Ok((jobs, job_block, measured))
}

/// The tasks created before `from_s` (seconds) and still waiting for their
/// first attempt at it: not closed before it, and first attempted at or after
/// it or not yet. Their rows, as `handles::worked` resolves their lanes.
fn carried(
    practice: &Practice,
    categories: &[String],
    lanes: &[String],
    f: &Facts,
    from_s: i64,
) -> Result<Vec<handles::Worked>> {
    let df = &f.df;
    let created = times(df, "created_at")?;
    let first = times(df, "first_attempt_at")?;
    let closed = times(df, "closed_at")?;
    let from_us = from_s * 1_000_000;
    handles::worked_rows(practice, categories, lanes, f, |i| {
        !f.in_range[i]
            && created[i].is_some_and(|c| c < from_us)
            && closed[i].is_none_or(|c| c >= from_us)
            && first[i].is_none_or(|a| a >= from_us)
    })
}

/// Build the model of `practice` for local dates `from..=to`, its task facts
/// from `store`.
pub fn build_in(
    config: &Config,
    lake: &Lake,
    practice: &Practice,
    (from, to): (NaiveDate, NaiveDate),
    store: &Store,
) -> Result<Model> {
    let w = crate::model::day::window(&config.restricted_to(&[&practice.id]), from, to, None);
    let cals = Calendars::new(config, w, &[practice.id.as_str()]);
    build_with(config, lake, practice, (from, to), &cals, store)
}

/// `build_in` with the practice's calendar from `cals` (one that covers the
/// period, 400 days before it and 60 after).
pub fn build_with(
    config: &Config,
    lake: &Lake,
    practice: &Practice,
    (from, to): (NaiveDate, NaiveDate),
    cals: &Calendars,
    store: &Store,
) -> Result<Model> {
    let w = crate::model::day::window(&config.restricted_to(&[&practice.id]), from, to, None);
    let built = store.facts(config, lake, cals, &practice.id, (from, to))?;
    let (inputs, f) = (&built.inputs, &built.facts);
    let categories: Vec<String> = practice.categories.keys().cloned().collect();
    let lanes: Vec<String> = practice.lanes.keys().cloned().collect();

    // Jobs: tasks created in the period and worked in a lane, in task order,
    // then the backlog carried into it.
    let worked = handles::worked(practice, &categories, &lanes, f)?;
    let from_s = local_s(practice.tz, from, NaiveTime::MIN);
    let backlog = carried(practice, &categories, &lanes, f, from_s)?;
    let cal = cals.0[&practice.id].clone();
    let min_gap_days: Vec<u32> = (categories.iter())
        .map(|c| practice.categories[c].min_gap_days)
        .collect();
    let ready =
        |c: usize, at_us: i64| rule_ready_us(min_gap_days[c], &cal, at_us.div_euclid(1_000_000));
    let policy = Policy::learn(
        &cal,
        (lanes.len(), categories.len()),
        f,
        &worked,
        &inputs.attempts,
        ready,
    )?;
    let (jobs, job_block, measured) =
        jobs(practice, (&worked, &backlog), from_s, f, (&cal, &policy))?;

    let log = handles::scan_calls(lake, practice, w, &categories, &inputs.tasks)?;
    let task_ids = strs(&f.df, "task_id")?;
    let handles = handles::measure(lake, practice, w, &categories, (&worked, &task_ids), &log)?;
    let handles::CallLog {
        inbound, mut busy, ..
    } = log;

    // The roster: every owner in a lane, as worked (less inbound talk).
    let last = to + chrono::Duration::days(TAIL_DAYS);
    let (mut staff, mut rostered) = (Vec::new(), Vec::new());
    let mut talk_in = (0i64, 0i64);
    for (who, week) in &practice.roster {
        let works: Vec<bool> = lanes
            .iter()
            .map(|l| practice.lanes[l].owners.contains(who))
            .collect();
        let open = OpenTime::new(expand(practice, week, from, last));
        let calls = busy.remove(who).unwrap_or_default();
        let worked = open.minus(calls);
        talk_in.0 += open.total() - worked.total();
        staff.push(Staff {
            name: who.clone(),
            works,
            open: worked,
        });
        rostered.push(open);
    }
    talk_in.1 = busy.values().flatten().map(|(a, b)| b - a).sum();
    Ok(Model {
        practice: practice.clone(),
        from,
        to,
        categories,
        min_gap_days,
        lanes,
        jobs,
        job_block,
        measured,
        staff,
        rostered,
        handles,
        inbound,
        inbound_talk_s: talk_in,
        cal,
        time_scale: 1.0,
        policy,
    })
}
