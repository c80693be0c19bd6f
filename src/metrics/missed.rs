//! Missed-call reconciliation: every missed, voicemail or abandoned inbound call is
//! a callback owed, until a connected outbound call to that number or an answered
//! inbound call from it returns it. Several misses before a return are one item.

use crate::config::Config;
use crate::model::clock::Calendars;
use crate::model::domain::{CallOutcome, Direction};
use crate::model::facts::{iso_week, LocalDays, EPOCH_DAYS};
use crate::model::load::{parsed, strs, times, Inputs, Window};
use anyhow::Result;
use chrono::Datelike;
use polars::prelude::{Column, DataFrame, DataType, NamedFrom, PlHashMap, PlHashSet, Series};
use std::collections::BTreeMap;

pub use crate::model::numbers::Numbers;

#[derive(Debug, Clone)]
pub struct Item {
    pub practice_id: String,
    pub first_call_id: String,
    pub phone_key: Option<String>,
    pub first: i64,
    pub last: i64,
    pub count: i32,
    pub returned: Option<(i64, &'static str)>,
}

/// Reconcile the call log into callback items (all of them, in and before the window).
pub fn items(inputs: &Inputs) -> Result<Vec<Item>> {
    items_with(inputs, &Numbers::new(&inputs.calls)?)
}

/// `items`, with the call log's numbers already counted.
pub fn items_with(inputs: &Inputs, numbers: &Numbers) -> Result<Vec<Item>> {
    let c = &inputs.calls;
    let pid = strs(c, "practice_id")?;
    let id = strs(c, "call_id")?;
    let at = times(c, "started_at")?;
    let dir = parsed::<Direction>(c, "direction")?;
    let outcome = parsed::<CallOutcome>(c, "outcome")?;
    let owed = |i: usize| crate::model::numbers::owed(dir[i], outcome[i]);
    let mut out = Vec::new();
    // A withheld number cannot be called back: an item that stays open.
    for i in 0..c.height() {
        if let (Some(p), Some(t), None) = (pid[i], at[i], numbers.of_call[i]) {
            if owed(i) {
                out.push(Item {
                    practice_id: p.to_string(),
                    first_call_id: id[i].unwrap_or("").to_string(),
                    phone_key: None,
                    first: t,
                    last: t,
                    count: 1,
                    returned: None,
                })
            }
        }
    }
    // Each number's calls in row (time) order; the items are sorted at the end.
    let by_number =
        crate::model::facts::Buckets::new(numbers.list.len(), numbers.of_call.iter().copied());
    for (k, &(p, ph)) in numbers.list.iter().enumerate() {
        let idx = by_number.get(Some(k as u32)).iter().map(|&i| i as usize);
        let mut open: Option<Item> = None;
        for i in idx {
            let Some(t) = at[i] else { continue };
            let returned = match (dir[i], outcome[i]) {
                (Some(Direction::Outbound), Some(CallOutcome::Connected)) => Some("callback"),
                (Some(Direction::Inbound), Some(CallOutcome::Connected)) => {
                    Some("patient_called_back")
                }
                _ => None,
            };
            if owed(i) {
                match &mut open {
                    Some(item) => {
                        item.count += 1;
                        item.last = t;
                    }
                    None => {
                        open = Some(Item {
                            practice_id: p.to_string(),
                            first_call_id: id[i].unwrap_or("").to_string(),
                            phone_key: Some(ph.to_string()),
                            first: t,
                            last: t,
                            count: 1,
                            returned: None,
                        })
                    }
                }
            } else if let Some(kind) = returned {
                // Only a call strictly later than the last miss returns it: one in
                // the same second is not an answer to it (docs/METRICS.md).
                if let Some(mut item) = open.take_if(|it| t > it.last) {
                    item.returned = Some((t, kind));
                    out.push(item);
                }
            }
        }
        out.extend(open);
    }
    // Stable, and ending with the number (withheld first), so that items alike in
    // everything else come in the order the numbers sort in.
    out.sort_by(|a, b| {
        (&a.practice_id, a.first, &a.first_call_id, &a.phone_key).cmp(&(
            &b.practice_id,
            b.first,
            &b.first_call_id,
            &b.phone_key,
        ))
    });
    Ok(out)
}

/// Numbers a practice logged work for in the range, as (practice, phone_key): those
/// of its tasks open at some point in the range, that is created before the end of
/// the range's last day and not closed (`closed_at`) before the start of its first,
/// in the practice's time zone.
pub fn logged_numbers<'a>(
    config: &Config,
    tasks: &'a DataFrame,
    w: Window,
) -> Result<PlHashSet<(&'a str, &'a str)>> {
    let pid = strs(tasks, "practice_id")?;
    let phone = strs(tasks, "phone_key")?;
    let created = times(tasks, "created_at")?;
    let closed = times(tasks, "closed_at")?;
    let end_day = w.to_date.succ_opt().unwrap_or(w.to_date);
    let mut bounds: PlHashMap<&str, Option<(i64, i64)>> = PlHashMap::default();
    let mut out = PlHashSet::default();
    for i in 0..tasks.height() {
        let (Some(p), Some(ph), Some(c)) = (pid[i], phone[i], created[i]) else {
            continue;
        };
        let range = *bounds.entry(p).or_insert_with(|| {
            config.practice(p).map(|pr| {
                (
                    super::day_start(pr, w.from_date),
                    super::day_start(pr, end_day),
                )
            })
        });
        let Some((start, end)) = range else { continue };
        if c < end && closed[i].is_none_or(|x| x >= start) {
            out.insert((p, ph));
        }
    }
    Ok(out)
}

/// The `missed_calls` table: one row per callback owed whose first call is in the
/// window; `logged` holds the numbers with a task in the range (`logged_numbers`).
pub fn table(
    config: &Config,
    cals: &Calendars,
    items: &[Item],
    logged: &PlHashSet<(&str, &str)>,
    w: Window,
) -> Result<DataFrame> {
    // ISO week labels, made once per week.
    let mut weeks: BTreeMap<chrono::NaiveDate, usize> = BTreeMap::new();
    let mut week_labels: Vec<String> = Vec::new();
    let mut week_of: Vec<usize> = Vec::with_capacity(items.len());
    let mut c = MissedCols::default();
    // Items come sorted by practice: look the practice (its calendar, clock and
    // missed-call target) up when it changes.
    type Current<'c> = (
        &'c crate::config::Practice,
        LocalDays<'c>,
        Option<crate::config::Target>,
    );
    let mut current: Option<Current> = None;
    for it in items {
        let (p, clock, target) = match &mut current {
            Some((p, ..)) if p.id == it.practice_id => current.as_mut().expect("just matched"),
            _ => match config.practice(&it.practice_id) {
                Some(p) => {
                    let target = p.categories.get("missed_call").map(|c| c.target);
                    current.insert((p, LocalDays::new(p), target))
                }
                None => continue,
            },
        };
        let (d, wd, h) = clock.at(it.first);
        if d < w.from_date || d > w.to_date {
            continue;
        }
        let cal = &cals.0[&p.id];
        let deadline = target.and_then(|t| cal.deadline(it.first, t));
        let returned_at = it.returned.map(|r| r.0).filter(|&r| r <= w.as_of);
        c.practice_id.push(&it.practice_id);
        c.first_call_id.push(&it.first_call_id);
        c.phone_key.push(it.phone_key.as_deref());
        c.first.push(it.first);
        c.last.push(it.last);
        c.count.push(it.count);
        c.date.push(d.num_days_from_ce() - EPOCH_DAYS);
        week_of.push(*weeks.entry(d).or_insert_with(|| {
            week_labels.push(iso_week(d));
            week_labels.len() - 1
        }));
        c.weekday.push(wd as i32);
        c.hour.push(h as i32);
        c.deadline.push(deadline);
        c.returned_at.push(returned_at);
        c.kind.push(returned_at.and(it.returned.map(|r| r.1)));
        let minutes = returned_at.map(|r| cal.minutes_between(it.first, r));
        c.minutes.push(minutes);
        // Watched until returned, else until as of; a withheld number cannot
        // be returned, so it is not waiting for a return at all.
        c.observed.push(match (minutes, &it.phone_key) {
            (Some(m), _) => Some(m),
            (None, Some(_)) => Some(cal.minutes_between(it.first, w.as_of)),
            (None, None) => None,
        });
        // Known once the deadline has passed: a return in time is counted then,
        // with the misses of the same calls, so recent calls do not flatter the share.
        c.within.push(
            deadline
                .filter(|&d| d <= w.as_of)
                .map(|d| returned_at.is_some_and(|r| r <= d)),
        );
        c.returned.push(returned_at.is_some());
        c.unreturnable.push(it.phone_key.is_none());
        c.task_logged.push(
            it.phone_key
                .as_deref()
                .is_some_and(|ph| logged.contains(&(it.practice_id.as_str(), ph))),
        );
    }
    c.week = week_of.iter().map(|&k| week_labels[k].as_str()).collect();
    c.into_frame()
}

/// `missed_calls_daily`: per practice and business day, callbacks owed that day,
/// returned that day, and still open at the day's close.
pub fn daily(config: &Config, cals: &Calendars, items: &[Item], w: Window) -> Result<DataFrame> {
    let (mut pid, mut date, mut owed, mut returned, mut open) =
        (vec![], vec![], vec![], vec![], vec![]);
    for p in &config.practices {
        let cal = &cals.0[&p.id];
        // Counting with sorted instants keeps this linear in items, not items × days.
        let mut firsts = Vec::new();
        let mut returns = Vec::new();
        let mut owed_on: BTreeMap<chrono::NaiveDate, i32> = BTreeMap::new();
        let mut returned_on: BTreeMap<chrono::NaiveDate, i32> = BTreeMap::new();
        let (mut first_days, mut return_days) = (LocalDays::new(p), LocalDays::new(p));
        for i in items.iter().filter(|i| i.practice_id == p.id) {
            firsts.push(i.first);
            *owed_on.entry(first_days.at(i.first).0).or_default() += 1;
            if let Some((r, _)) = i.returned.filter(|r| r.0 <= w.as_of) {
                returns.push(r);
                *returned_on.entry(return_days.at(r).0).or_default() += 1;
            }
        }
        firsts.sort_unstable();
        returns.sort_unstable();
        for &d in cal.business_days(w.from_date, w.to_date) {
            let Some(close) = cal.close_on(d) else {
                continue;
            };
            pid.push(p.id.clone());
            date.push(d.num_days_from_ce() - EPOCH_DAYS);
            owed.push(owed_on.get(&d).copied().unwrap_or(0));
            returned.push(returned_on.get(&d).copied().unwrap_or(0));
            let opened = firsts.partition_point(|&x| x <= close);
            let closed = returns.partition_point(|&x| x <= close);
            open.push((opened - closed) as i32);
        }
    }
    let n = pid.len();
    Ok(DataFrame::new(
        n,
        vec![
            Series::new("practice_id".into(), pid).into(),
            Series::new("date".into(), date)
                .cast(&DataType::Date)?
                .into(),
            Series::new("owed".into(), owed).into(),
            Series::new("returned".into(), returned).into(),
            Series::new("open_at_close".into(), open).into(),
        ],
    )?)
}

#[derive(Default)]
struct MissedCols<'a> {
    practice_id: Vec<&'a str>,
    first_call_id: Vec<&'a str>,
    phone_key: Vec<Option<&'a str>>,
    first: Vec<i64>,
    last: Vec<i64>,
    count: Vec<i32>,
    date: Vec<i32>,
    week: Vec<&'a str>,
    weekday: Vec<i32>,
    hour: Vec<i32>,
    deadline: Vec<Option<i64>>,
    returned_at: Vec<Option<i64>>,
    kind: Vec<Option<&'static str>>,
    minutes: Vec<Option<f64>>,
    observed: Vec<Option<f64>>,
    within: Vec<Option<bool>>,
    returned: Vec<bool>,
    unreturnable: Vec<bool>,
    task_logged: Vec<bool>,
}

impl MissedCols<'_> {
    fn into_frame(self) -> Result<DataFrame> {
        use crate::model::facts::ts_col;
        let n = self.practice_id.len();
        let cols: Vec<Column> = vec![
            Series::new("practice_id".into(), self.practice_id).into(),
            Series::new("first_call_id".into(), self.first_call_id).into(),
            Series::new("phone_key".into(), self.phone_key).into(),
            ts_col(
                "first_missed_at",
                self.first.into_iter().map(Some).collect(),
            )?,
            ts_col("last_missed_at", self.last.into_iter().map(Some).collect())?,
            Series::new("missed_count".into(), self.count).into(),
            Series::new("created_date".into(), self.date)
                .cast(&DataType::Date)?
                .into(),
            Series::new("iso_week".into(), self.week).into(),
            Series::new("created_weekday".into(), self.weekday).into(),
            Series::new("created_hour".into(), self.hour).into(),
            ts_col("deadline_at", self.deadline)?,
            ts_col("returned_at", self.returned_at)?,
            Series::new("return_kind".into(), self.kind).into(),
            Series::new("minutes_to_return".into(), self.minutes).into(),
            Series::new("minutes_observed".into(), self.observed).into(),
            Series::new("within_target".into(), self.within).into(),
            Series::new("returned".into(), self.returned).into(),
            Series::new("unreturnable".into(), self.unreturnable).into(),
            Series::new("task_logged".into(), self.task_logged).into(),
        ];
        Ok(DataFrame::new(n, cols)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use chrono::{NaiveDate, TimeZone};
    use polars::prelude::{DataType, NamedFrom, Series, TimeUnit, TimeZone as PlTz};

    fn config() -> Config {
        Config::from_str(
            include_str!("../../followup.toml"),
            std::path::Path::new("followup.toml"),
        )
        .unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_number_is_logged_by_a_task_open_at_some_point_in_the_range_in_local_time() {
        let config = config();
        let p = &config.practices[0];
        // Local wall-clock instants in the practice's zone, as µs.
        let at = |date: &str, hm: &str| {
            let t = chrono::NaiveTime::parse_from_str(hm, "%H:%M").unwrap();
            p.tz.from_local_datetime(&d(date).and_time(t))
                .unwrap()
                .timestamp_micros()
        };
        let w = super::super::window(&config, d("2026-11-09"), d("2026-11-13"), None);
        // (number, created, closed)
        let rows: Vec<(Option<&str>, i64, Option<i64>)> = vec![
            // Open since before the range: logged.
            (Some("open-before"), at("2026-11-02", "09:00"), None),
            // Closed before the range began (23:59 local on the Sunday): not logged.
            (
                Some("closed-before"),
                at("2026-11-02", "09:00"),
                Some(at("2026-11-08", "23:59")),
            ),
            // Closed at the first local midnight of the range: logged.
            (
                Some("closed-at-start"),
                at("2026-11-02", "09:00"),
                Some(at("2026-11-09", "00:00")),
            ),
            // Created in the last minute of the range: logged.
            (Some("created-last-minute"), at("2026-11-13", "23:59"), None),
            // Created just after the range: not logged.
            (Some("created-after"), at("2026-11-14", "00:00"), None),
            // No number: nothing to log.
            (None, at("2026-11-10", "09:00"), None),
        ];
        let ts = |v: Vec<Option<i64>>| {
            Series::new("x".into(), v)
                .cast(&DataType::Datetime(TimeUnit::Microseconds, Some(PlTz::UTC)))
                .unwrap()
        };
        let n = rows.len();
        let tasks = DataFrame::new(
            n,
            vec![
                Series::new("practice_id".into(), vec![p.id.as_str(); n]).into(),
                Series::new(
                    "phone_key".into(),
                    rows.iter().map(|r| r.0).collect::<Vec<_>>(),
                )
                .into(),
                ts(rows.iter().map(|r| Some(r.1)).collect())
                    .with_name("created_at".into())
                    .into(),
                ts(rows.iter().map(|r| r.2).collect())
                    .with_name("closed_at".into())
                    .into(),
            ],
        )
        .unwrap();
        let logged = logged_numbers(&config, &tasks, w).unwrap();
        let mut got: Vec<&str> = logged.iter().map(|&(_, ph)| ph).collect();
        got.sort_unstable();
        assert_eq!(
            got,
            ["closed-at-start", "created-last-minute", "open-before"]
        );
        assert!(logged.iter().all(|&(pid, _)| pid == p.id));

        // The table marks items by (practice, number); a withheld number is never logged.
        let item = |ph: Option<&str>, first: i64| Item {
            practice_id: p.id.clone(),
            first_call_id: format!("C-{first}"),
            phone_key: ph.map(str::to_string),
            first,
            last: first,
            count: 1,
            returned: None,
        };
        let items = vec![
            item(None, at("2026-11-10", "09:00")),
            item(Some("open-before"), at("2026-11-10", "09:01")),
            item(Some("closed-before"), at("2026-11-10", "09:02")),
        ];
        let cfg = config.restricted_to(&[p.id.as_str()]);
        let cals = Calendars::new(&cfg, w, &[p.id.as_str()]);
        let df = table(&cfg, &cals, &items, &logged, w).unwrap();
        let flags: Vec<Option<bool>> = df
            .column("task_logged")
            .unwrap()
            .bool()
            .unwrap()
            .iter()
            .collect();
        assert_eq!(flags, [Some(false), Some(true), Some(false)]);
    }

    #[test]
    fn only_a_call_strictly_later_than_the_miss_returns_it() {
        // K misses at 09:00:00 and a connected call from K starts in the same second
        // (sorted after it): not a return. L misses at 09:00:00 and is called back
        // (connected) at 09:00:01: returned.
        let t0 = 1_796_000_000_000_000i64;
        let rows: [(&str, &str, i64, &str, &str); 4] = [
            ("C1", "K", t0, "inbound", "missed"),
            ("C2", "K", t0, "inbound", "connected"),
            ("C3", "L", t0, "inbound", "missed"),
            ("C4", "L", t0 + 1_000_000, "outbound", "connected"),
        ];
        let ts = |v: Vec<Option<i64>>| {
            Series::new("started_at".into(), v)
                .cast(&DataType::Datetime(TimeUnit::Microseconds, Some(PlTz::UTC)))
                .unwrap()
        };
        fn col(name: &str, v: Vec<&str>) -> Column {
            Series::new(name.into(), v).into()
        }
        let mut inputs = Inputs::empty().unwrap();
        inputs.calls = DataFrame::new(
            rows.len(),
            vec![
                col("practice_id", vec!["p001"; rows.len()]),
                col("call_id", rows.iter().map(|r| r.0).collect()),
                col("phone_key", rows.iter().map(|r| r.1).collect()),
                ts(rows.iter().map(|r| Some(r.2)).collect()).into(),
                col("direction", rows.iter().map(|r| r.3).collect()),
                col("outcome", rows.iter().map(|r| r.4).collect()),
            ],
        )
        .unwrap();
        let items = items(&inputs).unwrap();
        let returned: Vec<(Option<&str>, Option<i64>)> = items
            .iter()
            .map(|it| (it.phone_key.as_deref(), it.returned.map(|r| r.0)))
            .collect();
        assert_eq!(
            returned,
            [(Some("K"), None), (Some("L"), Some(t0 + 1_000_000))]
        );
    }
}
