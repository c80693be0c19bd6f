//! The state of the follow-up work at the close of the data day, read from the lake:
//! every open task with its attempts so far, every missed call not yet returned,
//! the contacts, the numbers the call log saw, and the handle times measured
//! from the call log.

use crate::config::{Config, Practice};
use crate::lake::schema::Table;
use crate::lake::Lake;
use crate::metrics::missed;
use crate::model::clock::Calendars;
use crate::model::domain::{CallOutcome, Direction};
use crate::model::load::{self, strs, times};
use crate::model::store::Store;
use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate};
use polars::prelude::{col, lit, SortMultipleOptions};
use std::collections::BTreeMap;

/// Missed calls older than this many days are not put on a list (a stale callback
/// is a data problem for the manager, not a call for tomorrow).
pub const MISSED_LOOKBACK_DAYS: i64 = 28;
/// History used for the measured handle and inbound times.
pub const MEASURE_DAYS: i64 = 28;

/// An open task as of the close of the data day.
#[derive(Debug, Clone)]
pub struct OpenTask {
    pub task_id: String,
    pub patient_key: Option<String>,
    pub phone_key: Option<String>,
    pub category: String,
    pub owner: Option<String>,
    /// The status as of the data day (the export's status, or the one implied by
    /// the last attempt if the export's status is dated later).
    pub status: String,
    pub created_at: i64,
    pub deadline: Option<i64>,
    /// Outreach attempts since the patient was last reached (all of them if never).
    pub attempts: u32,
    /// Whether any outreach was ever made (through the task or the call log).
    pub ever_attempted: bool,
    pub last_at: Option<i64>,
    pub last_outcome: Option<String>,
    pub last_note: Option<String>,
    /// A callback the patient asked for (latest one recorded).
    pub callback_at: Option<i64>,
    /// The export's priority is `urgent`.
    pub urgent: bool,
}

/// A run of missed inbound calls from one number that nobody has returned.
#[derive(Debug, Clone)]
pub struct OwedCall {
    pub first_call_id: String,
    pub phone_key: Option<String>,
    pub first: i64,
    pub count: i32,
    /// Outbound calls to the number since the first miss that did not connect.
    pub attempts: u32,
    pub last_at: Option<i64>,
    pub last_outcome: Option<String>,
}

/// The restricted contact details of a patient.
#[derive(Debug, Clone, Default)]
pub struct Contact {
    pub display_name: Option<String>,
    pub phone: Option<String>,
    pub preferred_window: Option<String>,
    /// phone, sms, email, portal or letter.
    pub preferred_channel: Option<String>,
    pub do_not_call: bool,
}

/// Measured over the last [`MEASURE_DAYS`].
#[derive(Debug, Clone, Default)]
pub struct Measured {
    /// Staff minutes per attempt by category, as the staffing view measures them
    /// (docs/STAFFING.md, "Time per attempt"), with how each was found.
    pub handle_min: BTreeMap<String, (f64, &'static str)>,
    /// Average minutes each staff member spent on answered inbound calls on the
    /// list date's weekday.
    pub inbound_min: BTreeMap<String, f64>,
}

/// Everything the list rules read for one practice.
pub struct Snapshot {
    pub tasks: Vec<OpenTask>,
    pub owed: Vec<OwedCall>,
    pub contacts: BTreeMap<String, Contact>,
    pub patient_by_phone: BTreeMap<String, String>,
    /// E.164 number by `phone_key`, of every number the call log saw (the
    /// restricted callers table): the number of a caller not in the contacts.
    pub callers: BTreeMap<String, String>,
    pub measured: Measured,
}

/// A missed call is owed by the call log only while no task carries it: a task for
/// the same number created from shortly before the first miss on is that callback's
/// work (on the list itself while open, done once closed).
pub const TASK_CARRIES_MISS_MIN: i64 = 10;

/// The instant the data day ends in the practice's zone (local midnight after it,
/// less a microsecond).
pub fn end_of_day(p: &Practice, d: NaiveDate) -> i64 {
    crate::model::day::last_instant(p, d)
}

/// The window the state reads for a list built after `day`: the missed calls
/// still owed and the weeks the handle times are measured over.
pub fn window(one: &Config, day: NaiveDate) -> crate::model::day::Window {
    crate::model::day::window(
        one,
        day - chrono::Duration::days(MISSED_LOOKBACK_DAYS.max(MEASURE_DAYS)),
        day,
        None,
    )
}

/// Read the snapshot of one practice at the close of `day`, for a list on `list_date`.
pub fn read(
    config: &Config,
    lake: &Lake,
    p: &Practice,
    cals: &Calendars,
    (day, list_date): (NaiveDate, NaiveDate),
    store: &Store,
) -> Result<Snapshot> {
    let w = window(&config.restricted_to(&[p.id.as_str()]), day);
    let as_of = end_of_day(p, day);
    let inputs = load::load(lake, w, p.id.as_str())?;
    let cal = cals.0.get(&p.id).context("calendar for the practice")?;
    let tasks = super::open_tasks::read(lake, p, cal, &inputs, as_of)?;
    let owed = owed_calls(&inputs, as_of)?;
    let (contacts, patient_by_phone) = read_contacts(lake, p)?;
    let callers = read_callers(lake, p)?;
    let measured = measure(config, lake, p, cals, (day, as_of, list_date), store)?;
    Ok(Snapshot {
        tasks,
        owed,
        contacts,
        patient_by_phone,
        callers,
        measured,
    })
}

/// The missed calls still owed at `as_of`: runs of misses from one number in the
/// last [`MISSED_LOOKBACK_DAYS`] that nobody returned and no task carries, with
/// the outbound calls to the number since the first miss.
fn owed_calls(inputs: &load::Inputs, as_of: i64) -> Result<Vec<OwedCall>> {
    let c = &inputs.calls;
    let (c_ph, c_at, c_dir) = (
        strs(c, "phone_key")?,
        times(c, "started_at")?,
        strs(c, "direction")?,
    );
    let c_outcome = strs(c, "outcome")?;
    let mut tried: BTreeMap<&str, Vec<(i64, Option<&str>)>> = BTreeMap::new();
    for i in 0..c.height() {
        if let (Some(ph), Some(t), Some(Direction::Outbound)) =
            (c_ph[i], c_at[i], c_dir[i].and_then(Direction::parse))
        {
            tried.entry(ph).or_default().push((t, c_outcome[i]));
        }
    }
    let t = &inputs.tasks;
    let (phone, created) = (strs(t, "phone_key")?, times(t, "created_at")?);
    let mut task_times: BTreeMap<&str, Vec<i64>> = BTreeMap::new();
    for i in 0..t.height() {
        if let (Some(ph), Some(c)) = (phone[i], created[i]) {
            task_times.entry(ph).or_default().push(c);
        }
    }
    let carried = |it: &missed::Item| {
        it.phone_key
            .as_deref()
            .and_then(|ph| task_times.get(ph))
            .is_some_and(|v| {
                v.iter()
                    .any(|&c| c >= it.first - TASK_CARRIES_MISS_MIN * 60_000_000 && c <= as_of)
            })
    };
    let since = as_of - MISSED_LOOKBACK_DAYS * 86_400_000_000;
    let owed = missed::items(inputs)?
        .into_iter()
        .filter(|it| {
            it.returned.is_none() && it.first >= since && it.first <= as_of && !carried(it)
        })
        .map(|it| {
            let tries: Vec<(i64, Option<&str>)> = it
                .phone_key
                .as_deref()
                .and_then(|ph| tried.get(ph))
                .map(|v| {
                    v.iter()
                        .copied()
                        .filter(|&(x, _)| x > it.first && x <= as_of)
                        .collect()
                })
                .unwrap_or_default();
            OwedCall {
                first_call_id: it.first_call_id,
                phone_key: it.phone_key,
                first: it.first,
                count: it.count,
                attempts: tries.len() as u32,
                last_at: tries.last().map(|t| t.0),
                last_outcome: tries.last().and_then(|t| t.1).map(str::to_string),
            }
        })
        .collect();
    Ok(owed)
}

type ContactMaps = (BTreeMap<String, Contact>, BTreeMap<String, String>);

fn read_contacts(lake: &Lake, p: &Practice) -> Result<ContactMaps> {
    let mut by_patient = BTreeMap::new();
    let mut by_phone = BTreeMap::new();
    if !lake.table_dir(Table::Contacts).exists() {
        return Ok((by_patient, by_phone));
    }
    let df = lake
        .scan_practice(Table::Contacts, &p.id)?
        .select([
            col("patient_key"),
            col("phone_key"),
            col("display_name"),
            col("phone"),
            col("preferred_window"),
            col("preferred_channel"),
            col("do_not_call"),
        ])
        .sort(
            ["patient_key"],
            SortMultipleOptions::default().with_maintain_order(true),
        )
        .collect()
        .context("reading contacts from the lake")?;
    let (pk, ph, name, phone, win) = (
        strs(&df, "patient_key")?,
        strs(&df, "phone_key")?,
        strs(&df, "display_name")?,
        strs(&df, "phone")?,
        strs(&df, "preferred_window")?,
    );
    let channel = strs(&df, "preferred_channel")?;
    let dnc: Vec<Option<bool>> = df.column("do_not_call")?.bool()?.iter().collect();
    for i in 0..df.height() {
        let Some(k) = pk[i] else { continue };
        if let Some(ph) = ph[i] {
            by_phone.insert(ph.to_string(), k.to_string());
        }
        by_patient.insert(
            k.to_string(),
            Contact {
                display_name: name[i].map(str::to_string),
                phone: phone[i].map(str::to_string),
                preferred_window: win[i].map(str::to_string),
                preferred_channel: channel[i].map(str::to_string),
                do_not_call: dnc[i].unwrap_or(false),
            },
        );
    }
    Ok((by_patient, by_phone))
}

/// The practice's callers table: E.164 number by `phone_key`.
fn read_callers(lake: &Lake, p: &Practice) -> Result<BTreeMap<String, String>> {
    let df = lake
        .scan_practice(Table::Callers, &p.id)?
        .select([col("phone_key"), col("phone")])
        .collect()
        .context("reading callers from the lake")?;
    let (key, phone) = (strs(&df, "phone_key")?, strs(&df, "phone")?);
    Ok((key.into_iter().zip(phone))
        .filter_map(|(k, ph)| Some((k?.to_string(), ph?.to_string())))
        .collect())
}

/// Average minutes each staff member spent on answered inbound calls on the
/// list date's weekday, over the last [`MEASURE_DAYS`].
fn inbound_minutes(
    lake: &Lake,
    p: &Practice,
    as_of: i64,
    list_date: NaiveDate,
) -> Result<BTreeMap<String, f64>> {
    let since = as_of - MEASURE_DAYS * 86_400_000_000;
    let df = lake
        .scan_practice(Table::Calls, &p.id)?
        .filter(
            col("started_at")
                .gt(ts(since))
                .and(col("started_at").lt_eq(ts(as_of))),
        )
        .select([
            col("started_at"),
            col("direction"),
            col("outcome"),
            col("duration_s"),
            col("staff_id"),
        ])
        .collect()
        .context("reading calls from the lake")?;
    let (at, dir, outcome, staff) = (
        times(&df, "started_at")?,
        strs(&df, "direction")?,
        strs(&df, "outcome")?,
        strs(&df, "staff_id")?,
    );
    let dur: Vec<Option<i64>> = df
        .column("duration_s")?
        .cast(&polars::prelude::DataType::Int64)?
        .i64()?
        .iter()
        .collect();
    let mut inbound: BTreeMap<String, f64> = BTreeMap::new();
    let mut days: std::collections::BTreeSet<NaiveDate> = Default::default();
    for i in 0..df.height() {
        let (Some(t), Some(d)) = (at[i], dur[i]) else {
            continue;
        };
        match (dir[i], outcome[i]) {
            (Some(way), Some(end))
                if way == Direction::Inbound.as_str() && end == CallOutcome::Connected.as_str() =>
            {
                let local = chrono::DateTime::from_timestamp_micros(t)
                    .expect("instant")
                    .with_timezone(&p.tz)
                    .date_naive();
                if local.weekday() == list_date.weekday() {
                    days.insert(local);
                    if let Some(s) = staff[i] {
                        *inbound.entry(s.to_string()).or_default() += d as f64 / 60.0;
                    }
                }
            }
            _ => {}
        }
    }
    let n_days = days.len().max(1) as f64;
    for v in inbound.values_mut() {
        *v /= n_days;
    }
    Ok(inbound)
}

/// Time per attempt (`metrics::handles`, as the staffing view measures it)
/// and inbound load (from the call log).
fn measure(
    config: &Config,
    lake: &Lake,
    p: &Practice,
    cals: &Calendars,
    (day, as_of, list_date): (NaiveDate, i64, NaiveDate),
    store: &Store,
) -> Result<Measured> {
    let inbound = inbound_minutes(lake, p, as_of, list_date)?;
    let handles = crate::metrics::handles::for_period(
        config,
        lake,
        p,
        (day - chrono::Duration::days(MEASURE_DAYS - 1), day),
        cals,
        store,
    )
    .context("measuring the time per attempt")?;
    let handle_min = handles
        .iter()
        .map(|h| (h.category.clone(), (h.per_attempt_s / 60.0, h.source)))
        .collect();
    Ok(Measured {
        handle_min,
        inbound_min: inbound,
    })
}

pub(super) fn ts(us: i64) -> polars::prelude::Expr {
    lit(us).cast(polars::prelude::DataType::Datetime(
        polars::prelude::TimeUnit::Microseconds,
        Some(polars::prelude::TimeZone::UTC),
    ))
}
