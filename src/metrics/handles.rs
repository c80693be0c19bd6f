//! Staff time per attempt and the inbound line, measured from the call log and
//! the activity log over a period's tasks (their task facts): what the staffing
//! view replays and what tomorrow's lists plan with (docs/STAFFING.md, "Time per
//! attempt").

use crate::config::{Config, Practice};
use crate::lake::schema::Table;
use crate::lake::Lake;
use crate::model::clock::Calendars;
use crate::model::day::Window;
use crate::model::domain::Direction;
use crate::model::facts::Facts;
use crate::model::load::{strs, times};
use crate::model::spans::Spans;
use crate::model::store::Store;
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::{col, lit, DataFrame, DataType, Expr, TimeUnit};
use std::collections::BTreeMap;

/// Below this many linked outbound calls a category uses the configured handle time.
pub const MIN_CALLS_FOR_MEASURED: usize = 20;
/// Days after the period's last day the roster still works (so late tasks are worked).
pub const TAIL_DAYS: i64 = 21;
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

/// A task of the period that was worked in a lane: its row in the task facts,
/// its category and lane (indexes into the practice's), and its attempts.
#[derive(Debug, Clone, Copy)]
pub struct Worked {
    pub row: usize,
    pub category: usize,
    pub queue: usize,
    pub attempts: u32,
}

/// The tasks created in the period (`in_range`) of a known category with a lane:
/// the one the task was worked in, else the one the config gives its category.
pub fn worked(
    practice: &Practice,
    categories: &[String],
    lanes: &[String],
    f: &Facts,
) -> Result<Vec<Worked>> {
    worked_rows(practice, categories, lanes, f, |i| f.in_range[i])
}

/// `worked`, over the rows `keep` picks instead of those created in the period.
pub fn worked_rows(
    practice: &Practice,
    categories: &[String],
    lanes: &[String],
    f: &Facts,
    keep: impl Fn(usize) -> bool,
) -> Result<Vec<Worked>> {
    let df = &f.df;
    let cat_col = strs(df, "category")?;
    let lane_col = strs(df, "lane")?;
    let created = times(df, "created_at")?;
    let attempts: Vec<Option<i32>> = df.column("attempts")?.i32()?.iter().collect();
    let mut out = Vec::new();
    for i in 0..df.height() {
        let cat = cat_col[i].and_then(|s| categories.iter().position(|c| c == s));
        let (true, Some(c), Some(_)) = (keep(i), cat, created[i]) else {
            continue;
        };
        let queue = lane_col[i]
            .and_then(|l| lanes.iter().position(|x| x == l))
            .or_else(|| {
                let l = practice.lane_for(&categories[c])?;
                lanes.iter().position(|x| *x == l.name)
            });
        let Some(queue) = queue else { continue };
        out.push(Worked {
            row: i,
            category: c,
            queue,
            attempts: attempts[i].unwrap_or(0).max(0) as u32,
        });
    }
    Ok(out)
}

/// The call log over a period and its tail: outbound talk per category (seconds,
/// calls), the inbound calls of the period, and each person's answered inbound
/// calls (busy spans in seconds).
pub struct CallLog {
    pub talk: Vec<(i64, usize)>,
    pub inbound: Vec<Inbound>,
    pub busy: BTreeMap<String, Vec<(i64, i64)>>,
}

fn ts(us: i64) -> Expr {
    lit(us).cast(DataType::Datetime(
        TimeUnit::Microseconds,
        Some(polars::prelude::TimeZone::UTC),
    ))
}

/// Each number's tasks as (created, category), in time order: an outbound call
/// counts for the latest one created before it.
fn tasks_by_phone<'a>(
    t: &'a DataFrame,
    categories: &[String],
) -> Result<BTreeMap<&'a str, Vec<(i64, usize)>>> {
    let cat_ix = |s: Option<&str>| s.and_then(|s| categories.iter().position(|c| c == s));
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
    Ok(by_phone)
}

/// Read the call log of `practice` over `w` and [`TAIL_DAYS`] after, an
/// outbound call counting for the category of the number's latest task (in
/// `t`, the loaded tasks) created before it.
pub fn scan_calls(
    lake: &Lake,
    practice: &Practice,
    w: Window,
    categories: &[String],
    t: &DataFrame,
) -> Result<CallLog> {
    // The call log over the period and its tail.
    let calls = lake
        .scan_practice(Table::Calls, &practice.id)?
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

    let by_phone = tasks_by_phone(t, categories)?;
    let mut talk = vec![(0i64, 0usize); categories.len()];
    let mut inbound = Vec::new();
    let mut busy: BTreeMap<String, Vec<(i64, i64)>> = BTreeMap::new();
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
                    busy.entry(who.to_string()).or_default().push((a, e));
                }
                if start <= w.to {
                    inbound.push(call);
                }
            }
            _ => {}
        }
    }
    Ok(CallLog {
        talk,
        inbound,
        busy,
    })
}

/// Per category: staff seconds in continuous stretches of work, the number of
/// stretches, and the logged actions ("touches") on the worked tasks.
type Stretches = (Vec<i64>, Vec<u32>, Vec<u32>);

fn stretches(
    lake: &Lake,
    practice: &Practice,
    w: Window,
    (n, category_of): (usize, &BTreeMap<&str, usize>),
    log: &CallLog,
) -> Result<Stretches> {
    let acts = lake
        .scan_practice(Table::Attempts, &practice.id)?
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
    let calls: BTreeMap<&str, Spans> = log
        .busy
        .iter()
        .map(|(k, v)| (k.as_str(), Spans::merged(v.clone())))
        .collect();
    let (mut work, mut stretches, mut touches) = (vec![0i64; n], vec![0u32; n], vec![0u32; n]);
    let day = |t: i64| {
        chrono::DateTime::from_timestamp(t, 0).map(|x| x.with_timezone(&practice.tz).date_naive())
    };
    for i in 0..acts.height() {
        let Some(&c) = tid[i].and_then(|t| category_of.get(t)) else {
            continue;
        };
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
    Ok((work, stretches, touches))
}

/// The time per attempt of each category over the period's worked tasks (see
/// [`measure`]), their facts taken from `store`.
pub fn for_period(
    config: &Config,
    lake: &Lake,
    practice: &Practice,
    (from, to): (NaiveDate, NaiveDate),
    cals: &Calendars,
    store: &Store,
) -> Result<Vec<Handle>> {
    let w = crate::model::day::window(&config.restricted_to(&[&practice.id]), from, to, None);
    let built = store.facts(config, lake, cals, &practice.id, (from, to))?;
    let categories: Vec<String> = practice.categories.keys().cloned().collect();
    let lanes: Vec<String> = practice.lanes.keys().cloned().collect();
    let worked = worked(practice, &categories, &lanes, &built.facts)?;
    let log = scan_calls(lake, practice, w, &categories, &built.inputs.tasks)?;
    let task_ids = strs(&built.facts.df, "task_id")?;
    measure(lake, practice, w, &categories, (&worked, &task_ids), &log)
}

/// Staff time per attempt from the activity log: every logged action of a person
/// (attempt, reply processed, status change) occupies them until their next
/// action when that follows within [`MAX_STRETCH_GAP_S`] on the same day (less
/// any inbound call they answered in between). The mean of those stretches per
/// category, times the actions per attempt of the period's tasks, is the time
/// per attempt; it includes chart preparation, the call, wrap-up and the
/// non-call work a task brings. Falls back to call durations plus after-call
/// work, then to the configured handle time.
pub fn measure(
    lake: &Lake,
    practice: &Practice,
    w: Window,
    categories: &[String],
    (worked, task_ids): (&[Worked], &[Option<&str>]),
    log: &CallLog,
) -> Result<Vec<Handle>> {
    // Each worked task's category by its id (the facts' task_id column).
    let category_of: BTreeMap<&str, usize> = worked
        .iter()
        .filter_map(|t| Some((task_ids[t.row]?, t.category)))
        .collect();
    let st = &practice.staffing;
    let n = categories.len();
    let (work, stretches, touches) = stretches(lake, practice, w, (n, &category_of), log)?;
    let mut attempts = vec![0u32; n];
    for t in worked {
        attempts[t.category] += t.attempts.max(1);
    }
    Ok((0..n)
        .map(|c| {
            let talk_s = (log.talk[c].1 > 0).then(|| log.talk[c].0 as f64 / log.talk[c].1 as f64);
            let touch_s = (stretches[c] > 0).then(|| work[c] as f64 / stretches[c] as f64);
            let per = touches[c] as f64 / attempts[c].max(1) as f64;
            let (per_attempt_s, source) = match touch_s {
                Some(t) if stretches[c] as usize >= MIN_CALLS_FOR_MEASURED => {
                    (t * per, "measured: activity log")
                }
                _ if log.talk[c].1 >= MIN_CALLS_FOR_MEASURED => (
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
                calls: log.talk[c].1,
                touch_s,
                touches_per_attempt: per,
                source,
            }
        })
        .collect())
}
