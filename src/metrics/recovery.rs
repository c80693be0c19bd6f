//! Recovery: no-shows and cancellations rebooked within the practice's window.

use crate::config::Config;
use crate::model::facts::{iso_week, local, EPOCH_DAYS};
use crate::model::load::{strs, times, Inputs, Window};
use anyhow::Result;
use chrono::Datelike;
use polars::prelude::PlHashMap as HashMap;
use polars::prelude::{DataFrame, DataType, NamedFrom, Series};

/// One row per no-show or cancellation in the window: whether and when the patient
/// booked again within `recovery_window_days`, and whether that window has closed
/// by *as of* (until it has, "not rebooked" is not yet an outcome).
pub fn table(config: &Config, inputs: &Inputs, w: Window) -> Result<DataFrame> {
    let a = &inputs.appointments;
    let pid = strs(a, "practice_id")?;
    let id = strs(a, "appointment_id")?;
    let patient = strs(a, "patient_key")?;
    let status = strs(a, "status")?;
    let created = times(a, "created_at")?;
    let start = times(a, "start_at")?;
    let updated = times(a, "updated_at")?;
    // Bookings per patient, by creation time.
    let mut bookings: HashMap<(&str, &str), Vec<i64>> = HashMap::default();
    for i in 0..a.height() {
        if let (Some(p), Some(k), Some(c)) = (pid[i], patient[i], created[i]) {
            if status[i] != Some("entered-in-error") {
                bookings.entry((p, k)).or_default().push(c);
            }
        }
    }
    for v in bookings.values_mut() {
        v.sort_unstable();
    }
    let (mut o_pid, mut o_id, mut kind, mut date, mut week, mut rebooked, mut days) =
        (vec![], vec![], vec![], vec![], vec![], vec![], vec![]);
    let (mut closed, mut end_date) = (vec![], vec![]);
    for i in 0..a.height() {
        let (Some(p_id), Some(st)) = (pid[i], status[i]) else {
            continue;
        };
        // A no-show happens at the visit; a cancellation when it was recorded.
        let (k, event) = match st {
            "noshow" => ("no_show", start[i]),
            "cancelled" => ("cancellation", updated[i].or(start[i])),
            _ => continue,
        };
        let Some(event) = event else { continue };
        let Some(p) = config.practice(p_id) else {
            continue;
        };
        if local(p, event).0 < w.from_date || local(p, event).0 > w.to_date {
            continue;
        }
        let window_end = event + p.recovery_window_days as i64 * 86_400_000_000;
        let horizon = window_end.min(w.as_of);
        let next = patient[i]
            .and_then(|k| bookings.get(&(p_id, k)))
            .and_then(|v| v.iter().copied().find(|&c| c > event && c <= horizon));
        let d = local(p, event).0;
        o_pid.push(p_id);
        o_id.push(id[i]);
        kind.push(k);
        date.push(d.num_days_from_ce() - EPOCH_DAYS);
        week.push(iso_week(d));
        rebooked.push(next.is_some());
        days.push(next.map(|n| (n - event) as f64 / 86_400_000_000.0));
        closed.push(window_end <= w.as_of);
        end_date.push(local(p, window_end).0.num_days_from_ce() - EPOCH_DAYS);
    }
    let n = o_pid.len();
    Ok(DataFrame::new(
        n,
        vec![
            Series::new("practice_id".into(), o_pid).into(),
            Series::new("appointment_id".into(), o_id).into(),
            Series::new("kind".into(), kind).into(),
            Series::new("event_date".into(), date)
                .cast(&DataType::Date)?
                .into(),
            Series::new("iso_week".into(), week).into(),
            Series::new("rebooked".into(), rebooked).into(),
            Series::new("days_to_rebook".into(), days).into(),
            Series::new("window_closed".into(), closed).into(),
            Series::new("window_end_date".into(), end_date)
                .cast(&DataType::Date)?
                .into(),
        ],
    )?
    .sort(
        ["practice_id", "event_date", "appointment_id"],
        Default::default(),
    )?)
}
