//! The open tasks at the close of the data day, with their attempts so far by
//! the one attempt rule (model::attempts): rows logged on the task and outbound
//! calls to its number that no other task's row recorded.

use super::state::OpenTask;
use crate::config::Practice;
use crate::lake::schema::Table;
use crate::lake::Lake;
use crate::model::attempts::{self, Attempt};
use crate::model::clock::Calendar;
use crate::model::domain::{CallOutcome, Channel, Direction, Outcome, Status};
use crate::model::load::{parsed, strs, times, Inputs};
use anyhow::{Context, Result};
use polars::prelude::{col, DataFrame, SortMultipleOptions};
use std::collections::BTreeMap;
use std::ops::Range;

/// The status a last attempt outcome implies.
fn status_from_outcome(o: Outcome) -> Option<Status> {
    Some(match o {
        Outcome::LeftMessage => Status::LeftMessage,
        Outcome::NoAnswer | Outcome::Busy => Status::NoAnswer,
        Outcome::WrongNumber => Status::WrongNumber,
        Outcome::CallbackSet => Status::CallbackSet,
        Outcome::ClinicalReview => Status::NeedsClinicalReview,
        Outcome::InsuranceReview => Status::NeedsInsuranceReview,
        Outcome::Declined => Status::Declined,
        Outcome::Scheduled => Status::Scheduled,
        _ => return None,
    })
}

/// Attempts by `as_of` with the columns a caller needs (the metrics projection
/// has no callback), sorted by task, time and id.
fn read_attempts(lake: &Lake, p: &Practice, as_of: i64) -> Result<DataFrame> {
    lake.scan_practice(Table::Attempts, &p.id)?
        .filter(col("at").lt_eq(super::state::ts(as_of)))
        .select([
            col("task_id"),
            col("at"),
            col("channel"),
            col("direction"),
            col("outcome"),
            col("note"),
            col("callback_at"),
            col("attempt_id"),
        ])
        .sort(
            ["task_id", "at", "attempt_id"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .collect()
        .context("reading attempts from the lake")
}

/// Row ranges per task id in a frame sorted by task id.
fn group_rows(df: &DataFrame) -> Result<BTreeMap<String, Range<usize>>> {
    let ids = strs(df, "task_id")?;
    let mut out: BTreeMap<String, Range<usize>> = BTreeMap::new();
    let mut start = 0;
    for i in 1..=ids.len() {
        if i == ids.len() || ids[i] != ids[start] {
            if let Some(id) = ids[start] {
                out.insert(id.to_string(), start..i);
            }
            start = i;
        }
    }
    Ok(out)
}

/// The attempts' columns, by task.
struct Rows<'a> {
    by_task: BTreeMap<String, Range<usize>>,
    at: Vec<Option<i64>>,
    channel: Vec<Option<&'a str>>,
    dir: Vec<Option<Direction>>,
    outcome: Vec<Option<Outcome>>,
    note: Vec<Option<&'a str>>,
    callback: Vec<Option<i64>>,
}

impl<'a> Rows<'a> {
    fn read(df: &'a DataFrame) -> Result<Rows<'a>> {
        Ok(Rows {
            by_task: group_rows(df)?,
            at: times(df, "at")?,
            channel: strs(df, "channel")?,
            dir: parsed(df, "direction")?,
            outcome: parsed(df, "outcome")?,
            note: strs(df, "note")?,
            callback: times(df, "callback_at")?,
        })
    }

    fn of(&self, id: &str) -> Range<usize> {
        self.by_task.get(id).cloned().unwrap_or(0..0)
    }

    fn reached(&self, j: usize) -> bool {
        self.outcome[j].is_some_and(attempts::is_contact)
    }
}

/// The tasks' columns.
struct Tasks<'a> {
    tid: Vec<Option<&'a str>>,
    pkey: Vec<Option<&'a str>>,
    phone: Vec<Option<&'a str>>,
    cat: Vec<Option<&'a str>>,
    owner: Vec<Option<&'a str>>,
    status: Vec<Option<Status>>,
    status_at: Vec<Option<i64>>,
    closed_at: Vec<Option<i64>>,
    callback: Vec<Option<i64>>,
    created: Vec<Option<i64>>,
    priority: Vec<Option<&'a str>>,
}

impl<'a> Tasks<'a> {
    fn read(t: &'a DataFrame) -> Result<Tasks<'a>> {
        Ok(Tasks {
            tid: strs(t, "task_id")?,
            pkey: strs(t, "patient_key")?,
            phone: strs(t, "phone_key")?,
            cat: strs(t, "category")?,
            owner: strs(t, "owner")?,
            status: parsed(t, "status")?,
            status_at: times(t, "status_at")?,
            closed_at: times(t, "closed_at")?,
            callback: times(t, "callback_at")?,
            created: times(t, "created_at")?,
            priority: strs(t, "priority")?,
        })
    }
}

/// A task's outreach rows (index, at, is a phone row) and outbound calls
/// (index, start), as `model::attempts` takes them.
type Outreach = (Vec<(usize, i64, bool)>, Vec<(usize, i64)>);

/// What the open tasks are read from.
struct State<'a> {
    rows: Rows<'a>,
    t: Tasks<'a>,
    /// Outbound calls by number (index, start), for tasks worked only through
    /// the phone system.
    outbound: BTreeMap<&'a str, Vec<(usize, i64)>>,
    c_outcome: Vec<Option<CallOutcome>>,
    call_owner: Vec<Option<u32>>,
    as_of: i64,
}

impl State<'_> {
    /// A task's outreach rows and the calls to its number from its creation to
    /// its closure (or as of).
    fn outreach(&self, i: usize) -> Outreach {
        let (t, r) = (&self.t, &self.rows);
        let (Some(id), Some(created_at)) = (t.tid[i], t.created[i]) else {
            return Default::default();
        };
        let terminal = t.status[i].is_some_and(Status::is_terminal);
        let end = terminal
            .then(|| t.closed_at[i].or(t.status_at[i]))
            .flatten()
            .unwrap_or(self.as_of)
            .min(self.as_of);
        let rows = (r.of(id))
            .filter_map(|j| {
                let at = r.at[j].filter(|&x| x >= created_at)?;
                attempts::is_outreach(
                    r.channel[j].is_some(),
                    r.dir[j] == Some(Direction::Inbound),
                    r.outcome[j] == Some(Outcome::StatusChange),
                )
                .then_some((j, at, r.channel[j] == Some(Channel::Phone.as_str())))
            })
            .collect();
        let calls = (t.phone[i].and_then(|ph| self.outbound.get(ph)))
            .map(|v| {
                v.iter()
                    .copied()
                    .filter(|&(_, x)| x >= created_at && x <= end)
                    .collect()
            })
            .unwrap_or_default();
        (rows, calls)
    }

    /// The task's attempts by the one rule, both sources.
    fn attempts(&self, i: usize) -> Vec<Attempt> {
        let (out_rows, mut calls) = self.outreach(i);
        calls.retain(|&(j, _)| attempts::unclaimed(i as u32, j, &self.call_owner));
        attempts::merge(&out_rows, &calls)
    }

    /// The last contact the task's outreach made (model::attempts): a row whose
    /// outcome reached the patient, or an attempt that did.
    fn last_contact(&self, rows: Range<usize>, all: &[Attempt], created_at: i64) -> Option<i64> {
        let r = &self.rows;
        let by_row = rows
            .filter(|&j| r.reached(j))
            .filter_map(|j| r.at[j].filter(|&x| x >= created_at))
            .next_back();
        let by_attempt = all
            .iter()
            .rfind(|x| {
                x.reached(
                    |j| r.reached(j),
                    |k| self.c_outcome[k] == Some(CallOutcome::Connected),
                )
            })
            .map(|x| x.at());
        by_row.into_iter().chain(by_attempt).max()
    }

    /// The status as of the data day: the latest word on it. The export's status
    /// if it is dated by then, unless an attempt recorded after it implies
    /// another (a worked list's "scheduled" books the task); when the export's
    /// status is dated later, the one implied by the last attempt.
    fn status(&self, i: usize, mut rows: Range<usize>) -> String {
        let (t, r) = (&self.t, &self.rows);
        let last_outcome_row = rows.rfind(|&j| r.outcome[j].is_some());
        let implied =
            last_outcome_row.and_then(|j| Some((r.at[j]?, status_from_outcome(r.outcome[j]?)?)));
        match t.status_at[i] {
            Some(s) if s > self.as_of => implied.map_or("open", |(_, st)| st.as_str()),
            s => match implied {
                Some((at, st)) if s.is_some_and(|s| at > s) => st.as_str(),
                _ => t.status[i].map_or("open", Status::as_str),
            },
        }
        .to_string()
    }

    /// Task `i` as of the data day, if it is open then (declined counts as open:
    /// it may be worked again).
    fn open_task(&self, p: &Practice, cal: &Calendar, i: usize) -> Option<OpenTask> {
        let (t, r) = (&self.t, &self.rows);
        let (id, category, created_at) = (t.tid[i]?, t.cat[i]?, t.created[i]?);
        if created_at > self.as_of || t.closed_at[i].is_some_and(|c| c <= self.as_of) {
            return None;
        }
        let rows = r.of(id);
        let all = self.attempts(i);
        let last_contact = self.last_contact(rows.clone(), &all, created_at);
        let status = self.status(i, rows.clone());
        let parsed = Status::parse(&status);
        if parsed.is_some_and(Status::is_terminal) && parsed != Some(Status::Declined) {
            return None;
        }
        // The last attempt with a row carries the outcome and note a caller reads.
        let last = all.iter().rev().find_map(|x| x.row.map(|r| r.0));
        let current = t.status_at[i].map_or(true, |s| s <= self.as_of);
        let callback_at =
            (rows.filter_map(|j| r.callback[j]).next_back()).or(t.callback[i].filter(|_| current));
        Some(OpenTask {
            task_id: id.to_string(),
            patient_key: t.pkey[i].map(str::to_string),
            phone_key: t.phone[i].map(str::to_string),
            category: category.to_string(),
            owner: t.owner[i].map(str::to_string),
            status,
            created_at,
            deadline: (p.categories.get(category)).and_then(|c| cal.deadline(created_at, c.target)),
            attempts: attempts::since_contact(&all, last_contact).len() as u32,
            ever_attempted: !all.is_empty(),
            last_at: all.last().map(|x| x.at()),
            last_outcome: last
                .and_then(|j| r.outcome[j])
                .map(|o| o.as_str().to_string()),
            last_note: last.and_then(|j| r.note[j]).map(str::to_string),
            callback_at,
            urgent: t.priority[i] == Some("urgent"),
        })
    }
}

/// The open tasks of `p` at `as_of`, from the loaded `inputs` (tasks, calls).
pub fn read(
    lake: &Lake,
    p: &Practice,
    cal: &Calendar,
    inputs: &Inputs,
    as_of: i64,
) -> Result<Vec<OpenTask>> {
    let attempts_df = read_attempts(lake, p, as_of)?;
    let c = &inputs.calls;
    let (c_ph, c_at, c_dir) = (
        strs(c, "phone_key")?,
        times(c, "started_at")?,
        parsed::<Direction>(c, "direction")?,
    );
    let mut outbound: BTreeMap<&str, Vec<(usize, i64)>> = BTreeMap::new();
    for i in 0..c.height() {
        if let (Some(ph), Some(t), Some(Direction::Outbound)) = (c_ph[i], c_at[i], c_dir[i]) {
            outbound.entry(ph).or_default().push((i, t));
        }
    }
    let mut state = State {
        rows: Rows::read(&attempts_df)?,
        t: Tasks::read(&inputs.tasks)?,
        outbound,
        c_outcome: parsed(c, "outcome")?,
        call_owner: vec![None; c.height()],
        as_of,
    };
    // Which task's row recorded each call, over every task first.
    let n = inputs.tasks.height();
    let mut owner = std::mem::take(&mut state.call_owner);
    for i in 0..n {
        let (rows, calls) = state.outreach(i);
        attempts::claim(i as u32, &rows, &calls, &mut owner);
    }
    state.call_owner = owner;
    Ok((0..n).filter_map(|i| state.open_task(p, cal, i)).collect())
}
