//! The columns of task facts as they are filled, one vector per column, and
//! the frame they become (its column order is the task_facts schema).

use anyhow::Result;
use polars::prelude::*;

#[derive(Default)]
pub(super) struct Cols<'a> {
    pub(super) created_date: Vec<i32>,
    pub(super) iso_week: Vec<&'a str>,
    pub(super) weekday: Vec<i32>,
    pub(super) hour: Vec<i32>,
    pub(super) clock_start: Vec<Option<i64>>,
    pub(super) deadline: Vec<Option<i64>>,
    pub(super) target: Vec<Option<&'a str>>,
    pub(super) first_attempt: Vec<Option<i64>>,
    pub(super) source: Vec<Option<&'static str>>,
    pub(super) minutes_first: Vec<Option<f64>>,
    pub(super) met: Vec<Option<bool>>,
    pub(super) attempts: Vec<i32>,
    pub(super) first_contact: Vec<Option<i64>>,
    pub(super) reached: Vec<bool>,
    pub(super) left_message: Vec<bool>,
    pub(super) terminal: Vec<bool>,
    pub(super) closed_at: Vec<Option<i64>>,
    pub(super) minutes_completion: Vec<Option<f64>>,
    pub(super) minutes_observed: Vec<f64>,
    pub(super) booked: Vec<bool>,
    pub(super) kept: Vec<Option<bool>>,
    pub(super) booked_at: Vec<Option<i64>>,
    pub(super) reached_in_age: Vec<Option<bool>>,
    pub(super) completed_in_age: Vec<Option<bool>>,
    pub(super) booked_in_age: Vec<Option<bool>>,
    pub(super) visit_in_age: Vec<Option<bool>>,
    pub(super) kept_in_age: Vec<Option<bool>>,
    pub(super) appt_id: Vec<Option<&'a str>>,
    pub(super) appt_status: Vec<Option<&'a str>>,
    pub(super) closed_unable_early: Vec<bool>,
    pub(super) early: Vec<bool>,
    pub(super) over_max: Vec<bool>,
    pub(super) final_ok: Vec<Option<bool>>,
    pub(super) poor: Vec<i32>,
    pub(super) partial: Vec<i32>,
    pub(super) complete: Vec<i32>,
    pub(super) unowned: Vec<bool>,
}

pub fn ts_col(name: &str, v: Vec<Option<i64>>) -> Result<Column> {
    Ok(Series::new(name.into(), v)
        .cast(&DataType::Datetime(
            TimeUnit::Microseconds,
            Some(TimeZone::UTC),
        ))?
        .into())
}

impl Cols<'_> {
    pub(super) fn into_frame(self, tasks: &DataFrame) -> Result<DataFrame> {
        let n = tasks.height();
        let pick = |name: &str| -> Result<Column> { Ok(tasks.column(name)?.clone()) };
        let cols = vec![
            pick("practice_id")?,
            pick("task_id")?,
            pick("category")?,
            pick("lane")?,
            pick("owner")?,
            pick("priority")?,
            pick("status")?,
            Series::new("terminal".into(), self.terminal).into(),
            pick("created_at")?,
            Series::new("created_date".into(), self.created_date)
                .cast(&DataType::Date)?
                .into(),
            Series::new("iso_week".into(), self.iso_week).into(),
            Series::new("created_weekday".into(), self.weekday).into(),
            Series::new("created_hour".into(), self.hour).into(),
            ts_col("clock_start_at", self.clock_start)?,
            Series::new("target".into(), self.target).into(),
            ts_col("deadline_at", self.deadline)?,
            ts_col("first_attempt_at", self.first_attempt)?,
            Series::new("first_attempt_source".into(), self.source).into(),
            Series::new("minutes_to_first_attempt".into(), self.minutes_first).into(),
            Series::new("met_target".into(), self.met).into(),
            Series::new("attempts".into(), self.attempts).into(),
            ts_col("first_contact_at", self.first_contact)?,
            Series::new("reached".into(), self.reached).into(),
            Series::new("left_message".into(), self.left_message).into(),
            ts_col("closed_at", self.closed_at)?,
            Series::new("minutes_to_completion".into(), self.minutes_completion).into(),
            Series::new("minutes_observed".into(), self.minutes_observed).into(),
            Series::new("appointment_id".into(), self.appt_id).into(),
            Series::new("appointment_status".into(), self.appt_status).into(),
            Series::new("booked".into(), self.booked).into(),
            Series::new("kept".into(), self.kept).into(),
            ts_col("booked_at", self.booked_at)?,
            Series::new("reached_in_age".into(), self.reached_in_age).into(),
            Series::new("completed_in_age".into(), self.completed_in_age).into(),
            Series::new("booked_in_age".into(), self.booked_in_age).into(),
            Series::new("visit_in_age".into(), self.visit_in_age).into(),
            Series::new("kept_in_age".into(), self.kept_in_age).into(),
            pick("barrier")?,
            Series::new("closed_unable_early".into(), self.closed_unable_early).into(),
            Series::new("early_attempt".into(), self.early).into(),
            Series::new("over_max_attempts".into(), self.over_max).into(),
            Series::new("final_channel_ok".into(), self.final_ok).into(),
            Series::new("notes_poor".into(), self.poor).into(),
            Series::new("notes_partial".into(), self.partial).into(),
            Series::new("notes_complete".into(), self.complete).into(),
            Series::new("unowned".into(), self.unowned).into(),
        ];
        Ok(DataFrame::new(n, cols)?)
    }
}
