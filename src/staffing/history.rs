//! From the lake to what the staffing view replays: tasks as jobs (from the
//! metrics' task facts), the roster as open time per person less the inbound
//! calls they answered, handle times measured from the call log, and the
//! inbound line's history.

use super::replay::{Job, OpenTime, Rules, Staff};
use crate::config::{Config, Practice, WeekHours};
use crate::lake::schema::Table;
use crate::lake::Lake;
use crate::model::clock::Calendar;
use crate::model::clock::Calendars;
use crate::model::domain::Direction;
use crate::model::load::{self, strs, times};
use crate::model::store::Store;
use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate, NaiveTime, TimeZone, Timelike};
use polars::prelude::{col, lit, DataType, Expr, TimeUnit};
use std::collections::BTreeMap;

/// Below this many linked outbound calls a category uses the configured handle time.
pub const MIN_CALLS_FOR_MEASURED: usize = 20;
/// Days after the period's last day the roster still works (so late tasks are worked).
pub const TAIL_DAYS: i64 = 21;

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

/// Longest gap between two logged actions of one person still counted as one
/// stretch of continuous work.
pub const MAX_STRETCH_GAP_S: i64 = 15 * 60;

/// How an attempt's handle time was found, per category.
#[derive(Debug, Clone)]
pub struct Handle {
    pub category: String,
    /// Staff seconds per attempt the replay uses.
    pub per_attempt_s: f64,
    /// Mean outbound call duration to the category's numbers (talk and dialling).
    pub talk_s: Option<f64>,
    pub calls: usize,
    /// Mean staff time per logged action in continuous stretches, and actions per attempt.
    pub touch_s: Option<f64>,
    pub touches_per_attempt: f64,
    pub source: &'static str,
}

/// One inbound call on the live line.
#[derive(Debug, Clone, Copy)]
pub struct Inbound {
    pub started: i64,
    pub answered: Option<i64>,
    pub ended: Option<i64>,
}

/// Everything the staffing view needs about one practice and period.
pub struct Model {
    pub practice: Practice,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub categories: Vec<String>,
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
    /// categories together (see [`super::calibrate`]).
    pub time_scale: f64,
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
    /// time of day (an hour of business time later when the gap is 0), due by that
    /// day's close.
    fn retry(&self, c: usize, _n: u32, at: i64) -> Option<(i64, i64)> {
        let m = self.model;
        let cat = &m.practice.categories[&m.categories[c]];
        let us = at * 1_000_000;
        let ready_us = if cat.min_gap_days == 0 {
            m.cal.add_minutes(us, 60)?
        } else {
            let local = chrono::DateTime::from_timestamp(at, 0)?.with_timezone(&m.practice.tz);
            let d = local.date_naive();
            let days = m
                .cal
                .business_days(d.succ_opt()?, d + chrono::Duration::days(60));
            let day = *days.get(cat.min_gap_days as usize - 1)?;
            let t = local_s(m.practice.tz, day, local.time()) * 1_000_000;
            m.cal.clock_start(t)?
        };
        let due_us = m.cal.close_of_day(ready_us)?;
        Some((ready_us / 1_000_000, due_us / 1_000_000))
    }
}

fn ts(us: i64) -> Expr {
    lit(us).cast(DataType::Datetime(
        TimeUnit::Microseconds,
        Some(polars::prelude::TimeZone::UTC),
    ))
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
    let cal = cals.0[&practice.id].clone();
    let categories: Vec<String> = practice.categories.keys().cloned().collect();
    let cat_ix = |s: Option<&str>| s.and_then(|s| categories.iter().position(|c| c == s));

    // Jobs: tasks created in the period, in task order.
    let df = &f.df;
    let cat_col = strs(df, "category")?;
    let lane_col = strs(df, "lane")?;
    let lanes: Vec<String> = practice.lanes.keys().cloned().collect();
    let created = times(df, "created_at")?;
    let deadline = times(df, "deadline_at")?;
    let closed = times(df, "closed_at")?;
    let attempts: Vec<Option<i32>> = df.column("attempts")?.i32()?.iter().collect();
    let met: Vec<Option<bool>> = df.column("met_target")?.bool()?.iter().collect();
    let terminal: Vec<Option<bool>> = df.column("terminal")?.bool()?.iter().collect();
    let task_ids = strs(df, "task_id")?;
    let mut job_of: BTreeMap<&str, usize> = BTreeMap::new();
    let (mut jobs, mut job_block, mut measured) = (Vec::new(), Vec::new(), Vec::new());
    for i in 0..df.height() {
        let (true, Some(c), Some(cr)) = (f.in_range[i], cat_ix(cat_col[i]), created[i]) else {
            continue;
        };
        let n = attempts[i].unwrap_or(0).max(0) as u32;
        let arrive = cr.div_euclid(1_000_000);
        // The lane the task was worked in; else the lane the config gives its category.
        let queue = lane_col[i]
            .and_then(|l| lanes.iter().position(|x| x == l))
            .or_else(|| {
                let l = practice.lane_for(&categories[c])?;
                lanes.iter().position(|x| *x == l.name)
            });
        let Some(queue) = queue else { continue };
        jobs.push(Job {
            category: c,
            queue,
            arrive,
            deadline: deadline[i].map(|d| d.div_euclid(1_000_000)),
            attempts: n.max(1),
            withdrawn_at: (n == 0 && terminal[i] == Some(true))
                .then(|| closed[i].map(|x| x.div_euclid(1_000_000)))
                .flatten(),
            counted: met[i].is_some(),
        });
        if let Some(id) = task_ids[i] {
            job_of.insert(id, jobs.len() - 1);
        }
        job_block.push(block_of(practice, arrive));
        measured.push(met[i]);
    }

    // The call log over the period and its tail.
    let calls = lake
        .scan(Table::Calls)?
        .filter(col("practice_id").eq(lit(practice.id.clone())))
        .filter(
            col("started_at")
                .gt_eq(ts(w.from))
                .and(col("started_at").lt_eq(ts(w.to + TAIL_DAYS * 86_400_000_000))),
        )
        .select([
            col("direction"),
            col("started_at"),
            col("answered_at"),
            col("ended_at"),
            col("duration_s").cast(DataType::Int64),
            col("staff_id"),
            col("phone_key"),
        ])
        .sort(["started_at"], Default::default())
        .collect()
        .context("reading calls from the lake")?;
    let dir = strs(&calls, "direction")?;
    let c_start = times(&calls, "started_at")?;
    let c_ans = times(&calls, "answered_at")?;
    let c_end = times(&calls, "ended_at")?;
    let c_dur: Vec<Option<i64>> = calls.column("duration_s")?.i64()?.iter().collect();
    let c_staff = strs(&calls, "staff_id")?;
    let c_phone = strs(&calls, "phone_key")?;

    // Outbound calls -> the category of the number's latest task created before the call.
    let t = &inputs.tasks;
    let t_phone = strs(t, "phone_key")?;
    let t_cat = strs(t, "category")?;
    let t_created = times(t, "created_at")?;
    let mut by_phone: BTreeMap<&str, Vec<(i64, usize)>> = BTreeMap::new();
    for i in 0..t.height() {
        if let (Some(p), Some(c), Some(cr)) = (t_phone[i], cat_ix(t_cat[i]), t_created[i]) {
            by_phone.entry(p).or_default().push((cr, c));
        }
    }
    for v in by_phone.values_mut() {
        v.sort_unstable();
    }
    let mut talk = vec![(0i64, 0usize); categories.len()];
    let mut inbound = Vec::new();
    let mut busy: BTreeMap<&str, Vec<(i64, i64)>> = BTreeMap::new();
    let s = |x: Option<i64>| x.map(|v| v.div_euclid(1_000_000));
    for i in 0..calls.height() {
        let Some(start) = c_start[i] else { continue };
        match dir[i].and_then(Direction::parse) {
            Some(Direction::Outbound) => {
                let Some(tasks) = c_phone[i].and_then(|p| by_phone.get(p)) else {
                    continue;
                };
                let k = tasks.partition_point(|x| x.0 <= start);
                if k == 0 {
                    continue;
                }
                let dur = c_dur[i]
                    .or_else(|| c_end[i].map(|e| (e - start) / 1_000_000))
                    .unwrap_or(0)
                    .max(0);
                talk[tasks[k - 1].1].0 += dur;
                talk[tasks[k - 1].1].1 += 1;
            }
            Some(Direction::Inbound) => {
                let call = Inbound {
                    started: start.div_euclid(1_000_000),
                    answered: s(c_ans[i]),
                    ended: s(c_end[i]),
                };
                if let (Some(a), Some(e), Some(who)) = (call.answered, call.ended, c_staff[i]) {
                    busy.entry(who).or_default().push((a, e));
                }
                if start <= w.to {
                    inbound.push(call);
                }
            }
            _ => {}
        }
    }
    let handles = measure_handles(lake, practice, w, &categories, &jobs, &job_of, &talk, &busy)?;

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
        let calls = busy.remove(who.as_str()).unwrap_or_default();
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
    })
}

/// Staff time per attempt from the activity log: every logged action of a person
/// (attempt, reply processed, status change) occupies them until their next
/// action when that follows within [`MAX_STRETCH_GAP_S`] on the same day (less
/// any inbound call they answered in between). The mean of those stretches per
/// category, times the actions per attempt of the period's tasks, is the time
/// per attempt; it includes chart preparation, the call, wrap-up and the
/// non-call work a task brings. Falls back to call durations plus after-call
/// work, then to the configured handle time.
#[allow(clippy::too_many_arguments)]
fn measure_handles(
    lake: &Lake,
    practice: &Practice,
    w: load::Window,
    categories: &[String],
    jobs: &[Job],
    job_of: &BTreeMap<&str, usize>,
    talk: &[(i64, usize)],
    busy: &BTreeMap<&str, Vec<(i64, i64)>>,
) -> Result<Vec<Handle>> {
    let st = &practice.staffing;
    let acts = lake
        .scan(Table::Attempts)?
        .filter(col("practice_id").eq(lit(practice.id.clone())))
        .filter(
            col("at")
                .gt_eq(ts(w.from))
                .and(col("at").lt_eq(ts(w.to + TAIL_DAYS * 86_400_000_000)))
                .and(col("staff_id").is_not_null()),
        )
        .select([col("staff_id"), col("at"), col("task_id")])
        .sort(["staff_id", "at"], Default::default())
        .collect()
        .context("reading activity from the lake")?;
    let who = strs(&acts, "staff_id")?;
    let at = times(&acts, "at")?;
    let tid = strs(&acts, "task_id")?;
    let calls: BTreeMap<&str, OpenTime> = busy
        .iter()
        .map(|(k, v)| (*k, OpenTime::new(v.clone())))
        .collect();
    let n = categories.len();
    let (mut work, mut stretches, mut touches) = (vec![0i64; n], vec![0u32; n], vec![0u32; n]);
    let day = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0).map(|x| x.with_timezone(&practice.tz).date_naive())
    };
    for i in 0..acts.height() {
        let Some(j) = tid[i].and_then(|t| job_of.get(t)) else {
            continue;
        };
        let c = jobs[*j].category;
        touches[c] += 1;
        if i + 1 == acts.height() || who[i] != who[i + 1] {
            continue;
        }
        let (Some(a), Some(b)) = (at[i], at[i + 1]) else {
            continue;
        };
        let (a, b) = (a.div_euclid(1_000_000), b.div_euclid(1_000_000));
        let g = b - a;
        if g <= 0 || g > MAX_STRETCH_GAP_S || day(a) != day(b) {
            continue;
        }
        let inbound = who[i]
            .and_then(|x| calls.get(x))
            .map_or(0, |o| o.between(a, b));
        if g > inbound {
            work[c] += g - inbound;
            stretches[c] += 1;
        }
    }
    let mut attempts = vec![0u32; n];
    for job in jobs {
        attempts[job.category] += job.attempts;
    }
    Ok((0..n)
        .map(|c| {
            let talk_s = (talk[c].1 > 0).then(|| talk[c].0 as f64 / talk[c].1 as f64);
            let touch_s = (stretches[c] > 0).then(|| work[c] as f64 / stretches[c] as f64);
            let per = touches[c] as f64 / attempts[c].max(1) as f64;
            let (per_attempt_s, source) = match touch_s {
                Some(t) if stretches[c] as usize >= MIN_CALLS_FOR_MEASURED => {
                    (t * per, "measured: activity log")
                }
                _ if talk[c].1 >= MIN_CALLS_FOR_MEASURED => (
                    talk_s.unwrap_or(0.0) + st.after_call_work_s,
                    "measured: call durations + staffing.after_call_work",
                ),
                _ => (
                    st.handle_time_s + st.after_call_work_s,
                    "configured: staffing.handle_time + after_call_work",
                ),
            };
            Handle {
                category: categories[c].clone(),
                per_attempt_s,
                talk_s,
                calls: talk[c].1,
                touch_s,
                touches_per_attempt: per,
                source,
            }
        })
        .collect())
}
