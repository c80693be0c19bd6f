//! backlog_daily: open tasks at each business day's close, by age bucket, and how
//! many of them are overdue (their first-attempt deadline passed with no attempt).

use crate::config::Config;
use crate::model::clock::Calendars;
use crate::model::facts::{LocalDays, EPOCH_DAYS};
use crate::model::load::{strs, times, Window};
use anyhow::Result;
use chrono::Datelike;
use polars::prelude::{DataFrame, DataType, NamedFrom, PlHashMap, Series};

/// Age buckets, in whole calendar days since creation: upper bounds and labels.
pub const AGE_BUCKETS: [(i64, &str); 5] = [
    (1, "age_0_1d"),
    (3, "age_2_3d"),
    (7, "age_4_7d"),
    (14, "age_8_14d"),
    (i64::MAX, "age_15d_plus"),
];

/// The dense id of `s`, numbering it when it is new.
fn intern<'a>(ids: &mut PlHashMap<&'a str, u32>, names: &mut Vec<&'a str>, s: &'a str) -> u32 {
    *ids.entry(s).or_insert_with(|| {
        names.push(s);
        names.len() as u32 - 1
    })
}

/// (practice, date in days since 1970-01-01, category, owner), each name as its
/// dense id ([`intern`]).
type Key = (u32, i32, u32, u32);

/// Per key: open, overdue, then one count per [`AGE_BUCKETS`] entry.
type Counts = [i32; 7];

/// backlog_daily from the task facts: per practice, business day in the window,
/// category and owner, the tasks open at that day's close, how many of them are
/// overdue, and how many fall in each age bucket; sorted by those keys.
pub fn table(config: &Config, cals: &Calendars, facts: &DataFrame, w: Window) -> Result<DataFrame> {
    let (name_of, acc) = count(config, cals, facts, w)?;
    frame(&name_of, acc)
}

/// The counts behind [`table`], keyed by dense ids, and the names the ids
/// number (`name_of[id]`). A task counts on each business day from its creation
/// to its closing (or the as-of instant), clipped to the window, whose close
/// finds it created and not yet closed.
fn count<'f>(
    config: &Config,
    cals: &Calendars,
    facts: &'f DataFrame,
    w: Window,
) -> Result<(Vec<&'f str>, PlHashMap<Key, Counts>)> {
    let pid = strs(facts, "practice_id")?;
    let cat = strs(facts, "category")?;
    let owner = strs(facts, "owner")?;
    let created = times(facts, "created_at")?;
    let closed = times(facts, "closed_at")?;
    let deadline = times(facts, "deadline_at")?;
    let first = times(facts, "first_attempt_at")?;
    // Practices, categories and owners as dense ids, so the count for each open
    // task-day is found by hashing four integers rather than three strings.
    let mut names: PlHashMap<&str, u32> = PlHashMap::default();
    let mut name_of: Vec<&str> = Vec::new();
    let mut acc: PlHashMap<Key, Counts> = PlHashMap::default();
    // Facts come sorted by practice: look the practice up when it changes.
    type Current<'c> = (
        &'c crate::config::Practice,
        &'c crate::model::clock::Calendar,
        [LocalDays<'c>; 2],
    );
    let mut current: Option<Current> = None;
    for i in 0..facts.height() {
        let (Some(p_id), Some(c_at)) = (pid[i], created[i]) else {
            continue;
        };
        let (cal, [created_days, end_days]) = match &mut current {
            Some((p, ..)) if p.id == p_id => {
                let (_, c, days) = current.as_mut().expect("just matched");
                (*c, days)
            }
            _ => {
                let Some(p) = config.practice(p_id) else {
                    continue;
                };
                let (_, c, days) =
                    current.insert((p, &cals.0[p_id], [LocalDays::new(p), LocalDays::new(p)]));
                (*c, days)
            }
        };
        let mut id = |s| intern(&mut names, &mut name_of, s);
        let (p_ix, cat_ix, owner_ix) = (
            id(p_id),
            id(cat[i].unwrap_or("")),
            id(owner[i].unwrap_or("")),
        );
        let created_date = created_days.at(c_at).0;
        let start = created_date.max(w.from_date);
        let end_instant = closed[i].unwrap_or(w.as_of).min(w.to);
        let end = end_days.at(end_instant).0.min(w.to_date);
        for &d in cal.business_days(start, end) {
            let Some(close) = cal.close_on(d) else {
                continue;
            };
            if c_at > close || closed[i].is_some_and(|x| x <= close) {
                continue;
            }
            let age = (d - created_date).num_days();
            let bucket = AGE_BUCKETS
                .iter()
                .position(|(max, _)| age <= *max)
                .expect("last bucket is open");
            let overdue =
                deadline[i].is_some_and(|dl| dl <= close) && first[i].is_none_or(|f| f > close);
            let e = acc
                .entry((p_ix, d.num_days_from_ce() - EPOCH_DAYS, cat_ix, owner_ix))
                .or_default();
            e[0] += 1;
            e[1] += overdue as i32;
            e[2 + bucket] += 1;
        }
    }
    Ok((name_of, acc))
}

/// The backlog_daily frame from the counts, with the ids turned back into
/// names (an empty owner as null), sorted by key as the table's order promises.
fn frame(name_of: &[&str], acc: PlHashMap<Key, Counts>) -> Result<DataFrame> {
    let mut acc: Vec<_> = acc
        .into_iter()
        .map(|((p, d, c, o), v)| {
            let name = |k: u32| name_of[k as usize];
            ((name(p), d, name(c), name(o)), v)
        })
        .collect();
    acc.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    let n = acc.len();
    let mut cols: Vec<Vec<i32>> = (0..7).map(|_| Vec::with_capacity(n)).collect();
    let (mut p, mut d, mut c, mut o) = (vec![], vec![], vec![], vec![]);
    for ((pp, dd, cc, oo), v) in acc {
        p.push(pp);
        d.push(dd);
        c.push(cc);
        o.push((!oo.is_empty()).then_some(oo));
        for (k, x) in v.iter().enumerate() {
            cols[k].push(*x);
        }
    }
    let mut out = vec![
        Series::new("practice_id".into(), p).into(),
        Series::new("date".into(), d).cast(&DataType::Date)?.into(),
        Series::new("category".into(), c).into(),
        Series::new("owner".into(), o).into(),
    ];
    let names = ["open", "overdue"]
        .into_iter()
        .chain(AGE_BUCKETS.iter().map(|b| b.1));
    for (name, v) in names.zip(cols) {
        out.push(Series::new(name.into(), v).into());
    }
    Ok(DataFrame::new(n, out)?)
}
