//! task_facts: one row per task, following docs/METRICS.md exactly.

pub use super::fact_columns::ts_col;
use super::fact_columns::Cols;
use super::load::{codes, strs, times, Inputs, Window};
pub use super::local_time::{iso_week, local, LocalDays};
use super::notes::{classify, NoteQuality};
use super::numbers::{self as missed, Numbers};
use crate::config::{Category, Config};
use crate::model::attempts;
use crate::model::clock::{Calendar, Calendars};
use crate::model::domain::{Channel, Outcome};
use crate::model::rules;
use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate};
use polars::prelude::DataFrame;
use polars::prelude::PlHashMap as HashMap;

use crate::model::attempts::CONTACT;
use crate::model::rules::{KEPT, TERMINAL};

/// Facts for every loaded task; `in_range` marks those created in the window.
pub struct Facts {
    pub df: DataFrame,
    pub in_range: Vec<bool>,
}

type Key<'a> = (&'a str, &'a str);

/// Rows grouped by a key, stored contiguously: the rows of key `k` are
/// `rows[start[k]..start[k + 1]]`. Keys are dense ids (numbered from the tasks by
/// `KeyIds` here, from the calls' numbers in `missed::items`, from the key tuples
/// in `group`), so a lookup is an index rather than a hash of two strings, and no
/// key owns an allocation.
pub(crate) struct Buckets {
    start: Vec<u32>,
    rows: Vec<u32>,
}

impl Buckets {
    /// Bucket the rows whose key id is known, keeping row order within a key.
    pub(crate) fn new(keys: usize, ids: impl Iterator<Item = Option<u32>> + Clone) -> Buckets {
        let mut start = vec![0u32; keys + 1];
        for k in ids.clone().flatten() {
            start[k as usize + 1] += 1;
        }
        for k in 0..keys {
            start[k + 1] += start[k];
        }
        let mut fill = start.clone();
        let mut rows = vec![0u32; start[keys] as usize];
        for (i, k) in ids.enumerate() {
            if let Some(k) = k {
                let at = &mut fill[k as usize];
                rows[*at as usize] = i as u32;
                *at += 1;
            }
        }
        Buckets { start, rows }
    }

    pub(crate) fn get(&self, key: Option<u32>) -> &[u32] {
        match key {
            Some(k) => {
                &self.rows[self.start[k as usize] as usize..self.start[k as usize + 1] as usize]
            }
            None => &[],
        }
    }

    /// Put each key's rows in time order (empty first; ties in row order), as
    /// sorting the frame by (practice_id, key, at) would give them.
    fn sort_each_by(&mut self, at: &[Option<i64>]) {
        for k in 0..self.start.len() - 1 {
            let (a, b) = (self.start[k] as usize, self.start[k + 1] as usize);
            self.rows[a..b].sort_by_key(|&j| at[j as usize]);
        }
    }
}

/// Dense ids for the (practice_id, key) pairs of the tasks.
#[derive(Default)]
struct KeyIds<'a>(HashMap<Key<'a>, u32>);

impl<'a> KeyIds<'a> {
    fn insert(&mut self, p: Option<&'a str>, k: Option<&'a str>) -> Option<u32> {
        let key = (p?, k?);
        let next = self.0.len() as u32;
        Some(*self.0.entry(key).or_insert(next))
    }
    fn get(&self, p: Option<&str>, k: Option<&str>) -> Option<u32> {
        self.0.get(&(p?, k?)).copied()
    }
    fn len(&self) -> usize {
        self.0.len()
    }
}

pub fn build(config: &Config, cals: &Calendars, inputs: &Inputs, w: Window) -> Result<Facts> {
    build_with(config, cals, inputs, &Numbers::new(&inputs.calls)?, w)
}

/// `build`, with the call log's numbers already counted. A run builds a
/// practice's facts through its `store::Store`, which counts and logs them.
pub fn build_with(
    config: &Config,
    cals: &Calendars,
    inputs: &Inputs,
    numbers: &Numbers,
    w: Window,
) -> Result<Facts> {
    compute(config, cals, inputs, numbers, w)
}

fn compute(
    config: &Config,
    cals: &Calendars,
    inputs: &Inputs,
    numbers: &Numbers,
    w: Window,
) -> Result<Facts> {
    let t = &inputs.tasks;
    let pid = strs(t, "practice_id")?;
    let tid = strs(t, "task_id")?;
    let phone = strs(t, "phone_key")?;
    // Categories as codes into every category name the config knows.
    let cat_names: Vec<&str> = {
        let mut v: Vec<&str> = config
            .practices
            .iter()
            .flat_map(|p| p.categories.keys().map(String::as_str))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let category = codes(t, "category", &cat_names)?;
    // TERMINAL's index, or None for an open (or missing) status.
    let status = codes(t, "status", TERMINAL)?;
    let unable = TERMINAL
        .iter()
        .position(|s| *s == "unable_to_reach")
        .map(|k| k as u8);
    let owner = strs(t, "owner")?;
    let appt_ref = strs(t, "appointment_id")?;
    let created = times(t, "created_at")?;
    let closed_raw = times(t, "closed_at")?;
    let status_at = times(t, "status_at")?;

    let a = &inputs.attempts;
    let a_pid = strs(a, "practice_id")?;
    let a_tid = strs(a, "task_id")?;
    let a_at = times(a, "at")?;
    let a_channel = strs(a, "channel")?;
    let a_dir = codes(a, "direction", &missed::DIRECTIONS)?;
    // CONTACT's index, CONTACT.len() for a message left, CONTACT.len() + 1 for a
    // status change.
    let a_outcome = codes(
        a,
        "outcome",
        &[
            CONTACT,
            &[Outcome::LeftMessage.as_str(), attempts::STATUS_CHANGE],
        ]
        .concat(),
    )?;
    let a_note = strs(a, "note")?;
    // Each task's attempts (by its practice and task id) and the calls with its
    // number, as dense ids.
    let mut task_keys = KeyIds::default();
    let task_key: Vec<Option<u32>> = (0..t.height())
        .map(|i| task_keys.insert(pid[i], tid[i]))
        .collect();
    let phone_key: Vec<Option<u32>> = (0..t.height())
        .map(|i| numbers.get(pid[i], phone[i]))
        .collect();
    let a_key: Vec<Option<u32>> = (0..a.height())
        .map(|j| task_keys.get(a_pid[j], a_tid[j]))
        .collect();
    let mut by_task = Buckets::new(task_keys.len(), a_key.iter().copied());
    by_task.sort_each_by(&a_at);
    // Outcomes compared once per row rather than once per task that looks at it.
    let a_contact: Vec<bool> = a_outcome
        .iter()
        .map(|o| o.is_some_and(|o| (o as usize) < CONTACT.len()))
        .collect();
    let a_left_message: Vec<bool> = a_outcome
        .iter()
        .map(|o| *o == Some(CONTACT.len() as u8))
        .collect();
    let a_outreach: Vec<bool> = (0..a.height())
        .map(|j| {
            attempts::is_outreach(
                a_channel[j].is_some(),
                a_dir[j] == missed::INBOUND,
                a_outcome[j] == Some(CONTACT.len() as u8 + 1),
            )
        })
        .collect();
    let a_phone: Vec<bool> = a_channel
        .iter()
        .map(|c| *c == Some(Channel::Phone.as_str()))
        .collect();

    let c = &inputs.calls;
    let c_at = times(c, "started_at")?;
    let c_dir = codes(c, "direction", &missed::DIRECTIONS)?;
    let c_outcome = codes(c, "outcome", &missed::OUTCOMES)?;
    let c_connected: Vec<bool> = c_outcome.iter().map(|o| *o == missed::CONNECTED).collect();
    let c_voicemail: Vec<bool> = c_outcome.iter().map(|o| *o == missed::VOICEMAIL).collect();
    // Calls per (practice, number), in time order (the frame is sorted by time).
    let direction = |want: Option<u8>| {
        let c_dir = &c_dir;
        (numbers.of_call.iter().enumerate()).map(move |(j, k)| k.filter(|_| c_dir[j] == want))
    };
    let outbound = Buckets::new(numbers.list.len(), direction(missed::OUTBOUND));
    let inbound = Buckets::new(numbers.list.len(), direction(missed::INBOUND));

    let ap = &inputs.appointments;
    let ap_pid = strs(ap, "practice_id")?;
    let ap_id = strs(ap, "appointment_id")?;
    let ap_task = strs(ap, "task_id")?;
    let ap_status = strs(ap, "status")?;
    let ap_created = times(ap, "created_at")?;
    let ap_start = times(ap, "start_at")?;
    // Appointments by id and by the task they name, entered-in-error ones left out
    // (they never count and never hide a valid one).
    let mut appt_by_id: HashMap<Key, usize> = HashMap::default();
    let mut appt_by_task: HashMap<Key, Vec<usize>> = HashMap::default();
    let mut appt_known: polars::prelude::PlHashSet<Key> = Default::default();
    for i in 0..ap.height() {
        if let (Some(p), Some(id)) = (ap_pid[i], ap_id[i]) {
            appt_known.insert((p, id));
        }
        if ap_status[i] == Some(rules::ENTERED_IN_ERROR) {
            continue;
        }
        if let (Some(p), Some(id)) = (ap_pid[i], ap_id[i]) {
            appt_by_id.insert((p, id), i);
        }
        if let (Some(p), Some(task)) = (ap_pid[i], ap_task[i]) {
            appt_by_task.entry((p, task)).or_default().push(i);
        }
    }
    let appt_rank = |j: usize| {
        (
            rules::appointment_rank(ap_status[j]),
            ap_created[j],
            std::cmp::Reverse(ap_id[j]),
        )
    };
    let mut candidates: Vec<usize> = Vec::new();

    // Target labels, formatted once per category rather than once per task.
    let targets: HashMap<(&str, &str), String> = config
        .practices
        .iter()
        .filter(|p| cals.0.contains_key(&p.id))
        .flat_map(|p| {
            p.categories
                .iter()
                .map(move |(name, c)| ((p.id.as_str(), name.as_str()), c.target.to_string()))
        })
        .collect();
    // Notes repeat heavily: classify each distinct text once.
    let mut note_quality: HashMap<&str, NoteQuality> = HashMap::default();

    let n = t.height();
    let mut f = Cols::default();
    let mut weeks: HashMap<NaiveDate, usize> = HashMap::default();
    let mut week_labels: Vec<String> = Vec::new();
    let mut week_idx: Vec<usize> = Vec::with_capacity(n);
    let mut in_range = Vec::with_capacity(n);
    // Tasks come sorted by practice: look the practice up when it changes.
    let mut current: Option<(&str, &Calendar)> = None;
    let mut clock: Option<LocalDays> = None;
    // The current practice's category (and target label) of each category code.
    let mut cat_of: Vec<Option<(&Category, Option<&str>)>> = Vec::new();
    let mut calls_out: Vec<(usize, i64)> = Vec::new();
    // Each task's outreach rows and the calls to its number in its window, then
    // which task's row recorded each call (model::attempts::claim).
    let (mut task_rows, mut rows_at) = (Vec::<(usize, i64, bool)>::new(), vec![0usize]);
    let (mut task_calls, mut calls_at) = (Vec::<(usize, i64)>::new(), vec![0usize]);
    let mut call_owner: Vec<Option<u32>> = vec![None; c.height()];
    let mut scratch = attempts::Scratch::default();
    // A terminal task's closure (the export's, else its status time), and the
    // end of its window: closure or as of, whichever is first.
    let closure = |i: usize| status[i].and(closed_raw[i].or(status_at[i]));
    let window_end_of = |i: usize| closure(i).unwrap_or(w.as_of).min(w.as_of);
    for i in 0..n {
        if let Some(created_at) = created[i] {
            let window_end = window_end_of(i);
            let (r0, c0) = (task_rows.len(), task_calls.len());
            task_rows.extend(
                by_task
                    .get(task_key[i])
                    .iter()
                    .map(|&j| j as usize)
                    .filter_map(|j| {
                        let at = a_at[j].filter(|&x| x >= created_at)?;
                        a_outreach[j].then_some((j, at, a_phone[j]))
                    }),
            );
            task_calls.extend(
                outbound
                    .get(phone_key[i])
                    .iter()
                    .map(|&j| j as usize)
                    .filter_map(|j| {
                        Some((j, c_at[j].filter(|&x| x >= created_at && x <= window_end)?))
                    }),
            );
            scratch.claim(
                i as u32,
                &task_rows[r0..],
                &task_calls[c0..],
                &mut call_owner,
            );
        }
        rows_at.push(task_rows.len());
        calls_at.push(task_calls.len());
    }
    let mut days: Vec<i64> = Vec::new();
    for i in 0..n {
        let p_id = pid[i].context("task without practice_id")?;
        let cal = match current {
            Some((id, c)) if id == p_id => c,
            _ => {
                let p = config.practice(p_id).with_context(|| {
                    format!("practice {p_id} is in the lake but not in the config")
                })?;
                let c = &cals.0[p_id];
                current = Some((p_id, c));
                clock = Some(LocalDays::new(p));
                cat_of = cat_names
                    .iter()
                    .map(|&name| {
                        let label = targets.get(&(p_id, name)).map(String::as_str);
                        p.categories.get(name).map(|c| (c, label))
                    })
                    .collect();
                c
            }
        };
        let cat_and_label = category[i].and_then(|k| cat_of[k as usize]);
        let cat = cat_and_label.map(|c| c.0);
        let created_at = created[i].context("task without created_at")?;
        let (cdate, wd, hour) = clock
            .as_mut()
            .expect("set with the practice")
            .at(created_at);
        in_range.push(cdate >= w.from_date && cdate <= w.to_date);
        let terminal = status[i].is_some();
        let closed_at = closure(i);
        let window_end = window_end_of(i);

        // The task's attempts (model::attempts): outreach rows from its creation,
        // and outbound calls to its number from its creation to its closure (or
        // as of) that no other task's row recorded, merged; counted up to the
        // first contact its outreach made.
        let rows = by_task.get(task_key[i]);
        let out_rows = &task_rows[rows_at[i]..rows_at[i + 1]];
        calls_out.clear();
        calls_out.extend(
            task_calls[calls_at[i]..calls_at[i + 1]]
                .iter()
                .copied()
                .filter(|&(j, _)| attempts::unclaimed(i as u32, j, &call_owner)),
        );
        let all = scratch.merge(out_rows, &calls_out);

        // Contact: a row logged on the task (any direction) whose outcome reached
        // the patient, an attempt that reached the patient (its row's outcome; a
        // call alone that connected), or an answered call from the patient's
        // number. Counting attempts stops at the first of the first two.
        let contact_row = rows
            .iter()
            .map(|&j| j as usize)
            .filter(|&j| a_contact[j])
            .filter_map(|j| a_at[j].filter(|&x| x >= created_at))
            .next();
        let reaching = all
            .iter()
            .find(|x| x.reached(|j| a_contact[j], |k| c_connected[k]))
            .map(|x| x.at());
        let contact_in = inbound
            .get(phone_key[i])
            .iter()
            .map(|&j| j as usize)
            .filter(|&j| {
                c_connected[j] && c_at[j].is_some_and(|x| x >= created_at && x <= window_end)
            })
            .find_map(|j| c_at[j]);
        let stop = attempts::stop_contact(contact_row, reaching);
        let first_contact = stop.into_iter().chain(contact_in).min();
        let counted = attempts::until_contact(all, stop);

        let (first_attempt, source) = match all.first() {
            Some(a) => (Some(a.at()), Some(a.source().as_str())),
            None => (None, None),
        };
        let clock_start = cal.clock_start(created_at);
        let deadline = cat.and_then(|c| cal.deadline(created_at, c.target));
        let minutes_first = first_attempt.map(|fa| cal.minutes_between(created_at, fa));
        let met = match (first_attempt, deadline) {
            (Some(fa), Some(d)) => Some(fa <= d),
            (None, Some(d)) if d <= w.as_of => Some(false),
            _ => None,
        };
        let n_attempts = counted.len();
        // A message left by any of the task's outreach (from its creation, by as of).
        let left_message = all.iter().any(|x| {
            x.row.is_some_and(|(j, _)| a_left_message[j])
                || x.call.is_some_and(|(j, _)| c_voicemail[j])
        });

        // The task's appointment (model::rules::appointment_rank): its own
        // appointment_id, or any appointment naming the task.
        candidates.clear();
        candidates.extend(
            appt_ref[i]
                .and_then(|a| appt_by_id.get(&(p_id, a)))
                .copied(),
        );
        if let Some(v) = tid[i].and_then(|t| appt_by_task.get(&(p_id, t))) {
            candidates.extend(v.iter().copied());
        }
        let appt = candidates.iter().copied().max_by_key(|&j| appt_rank(j));
        let appt_status = appt.and_then(|j| ap_status[j]);
        // An appointment_id the appointment export does not hold (or holds only as
        // entered in error): booked by the task's word, kept unknown.
        let unknown_ref =
            appt.is_none() && appt_ref[i].is_some_and(|a| !appt_known.contains(&(p_id, a)));
        let booked = appt.is_some() || unknown_ref;
        let kept = appt.and_then(|j| {
            // Empty until the visit's start has passed, or while its status is
            // unknown (seen before its first exported version).
            ap_start[j].filter(|&s| s <= w.as_of)?;
            appt_status.map(|s| KEPT.contains(&s))
        });

        // Attempt discipline against the category's rules, over the counted attempts.
        let (max, gap, final_channel) = cat
            .map(|c| {
                (
                    c.max_attempts as usize,
                    c.min_gap_days as i64,
                    c.final_channel.as_str(),
                )
            })
            .unwrap_or((usize::MAX, 0, ""));
        let closed_unable_early = status[i] == unable && n_attempts < max;
        let over_max = n_attempts > max;
        days.clear();
        if gap > 0 {
            days.extend(
                counted
                    .iter()
                    .filter_map(|x| cal.business_day_index(x.at())),
            );
        }
        let early = gap > 0 && days.windows(2).any(|d| d[1] - d[0] < gap);
        let channel_of = |x: &attempts::Attempt| match x.row {
            Some((j, _)) => a_channel[j],
            None => Some(Channel::Phone.as_str()),
        };
        let final_ok = (n_attempts >= max && max != usize::MAX)
            .then(|| channel_of(&counted[max - 1]) == Some(final_channel));
        let (mut poor, mut partial, mut complete) = (0, 0, 0);
        for &(j, _) in counted.iter().filter_map(|x| x.row.as_ref()) {
            let quality = match a_note[j] {
                None => classify(None),
                Some(note) => *note_quality
                    .entry(note)
                    .or_insert_with(|| classify(Some(note))),
            };
            match quality {
                NoteQuality::Poor => poor += 1,
                NoteQuality::Partial => partial += 1,
                NoteQuality::Complete => complete += 1,
            }
        }

        f.created_date.push(cdate.num_days_from_ce() - EPOCH_DAYS);
        week_idx.push(*weeks.entry(cdate).or_insert_with(|| {
            week_labels.push(iso_week(cdate));
            week_labels.len() - 1
        }));
        f.weekday.push(wd as i32);
        f.hour.push(hour as i32);
        f.clock_start.push(clock_start);
        f.deadline.push(deadline);
        f.target.push(cat_and_label.and_then(|c| c.1));
        f.first_attempt.push(first_attempt);
        f.source.push(source);
        f.minutes_first.push(minutes_first);
        f.met.push(met);
        f.attempts.push(n_attempts as i32);
        f.first_contact.push(first_contact);
        f.reached.push(first_contact.is_some());
        f.left_message.push(left_message);
        f.terminal.push(terminal);
        f.closed_at.push(closed_at);
        f.minutes_completion
            .push(closed_at.map(|x| cal.minutes_between(created_at, x)));
        f.booked.push(booked);
        f.kept.push(kept);
        f.appt_id.push(
            appt.and_then(|j| ap_id[j])
                .or(appt_ref[i].filter(|_| unknown_ref)),
        );
        f.appt_status.push(appt_status);
        f.closed_unable_early.push(closed_unable_early);
        f.early.push(early);
        f.over_max.push(over_max);
        f.final_ok.push(final_ok);
        f.poor.push(poor);
        f.partial.push(partial);
        f.complete.push(complete);
        f.unowned.push(owner[i].is_none());
    }
    f.iso_week = week_idx.iter().map(|&k| week_labels[k].as_str()).collect();
    let df = f.into_frame(t)?;
    Ok(Facts { df, in_range })
}

/// Days from 0001-01-01 to 1970-01-01, to store dates as polars `Date`.
pub const EPOCH_DAYS: i32 = 719_163;

#[cfg(test)]
#[path = "facts_tests.rs"]
mod tests;
