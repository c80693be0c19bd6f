//! What a report is built from, as typed values: the aggregates it shows, the
//! rows its figures and findings need, the review and data-quality counts.
//! `report::data` reads them from a metrics folder; tests build them by hand.

use crate::lake::ledger::Counts;
use chrono::NaiveDate;
use std::collections::BTreeMap;

/// One group of an aggregate table (docs/METRICS.md, "Aggregates"): the
/// measures the report shows. Counts are floats, as the report formats them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Measures {
    pub tasks: Option<f64>,
    pub within_target_share: Option<f64>,
    pub median_minutes_to_first_attempt: Option<f64>,
    pub p90_minutes_to_first_attempt: Option<f64>,
    pub contact_rate: Option<f64>,
    pub completion_rate: Option<f64>,
    pub booking_rate: Option<f64>,
    pub kept_rate: Option<f64>,
    pub closed_unable_early: Option<f64>,
    pub early_attempts: Option<f64>,
    pub over_max_attempts: Option<f64>,
    pub final_channel_misses: Option<f64>,
    /// Tasks with a first-attempt target not yet decided (not attempted, deadline ahead).
    pub undecided: Option<f64>,
    /// Outcomes at a fixed age (docs/METRICS.md, "maturity"): empty until every
    /// task of the group is old enough.
    pub reached_in_age_rate: Option<f64>,
    pub completed_in_age_rate: Option<f64>,
    pub booked_in_age_rate: Option<f64>,
    pub kept_in_age_rate: Option<f64>,
    /// The n of `kept_in_age_rate`.
    pub visits_in_age: Option<f64>,
    /// Tasks whose first attempt is known in or out of target: the n of `within_target_share`.
    pub due: Option<f64>,
    /// Tasks where a message was left: the n of `voicemail_to_scheduled_rate`.
    pub left_message: Option<f64>,
    pub voicemail_to_scheduled_rate: Option<f64>,
    pub notes_poor_share: Option<f64>,
    pub unowned: Option<f64>,
}

/// The first-attempt curve of one ISO week over every practice
/// (`overall_waiting_weekly`, docs/METRICS.md "time-to-event").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Waiting {
    pub tasks: Option<f64>,
    pub attempted: Option<f64>,
    pub median_minutes: Option<f64>,
    pub p90_minutes: Option<f64>,
}

/// One practice's requests of one local creation date (`by_day`): the days a
/// week's headline shares are clustered by (docs/METRICS.md, "Comparison").
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DayCounts {
    pub practice_id: Option<String>,
    pub date: NaiveDate,
    pub measures: Measures,
}

/// One of the measures, picked from a group's `Measures`.
pub type Measure = fn(&Measures) -> Option<f64>;

/// One task's facts, as the week's figures, findings and longest waits use them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FactRow {
    pub practice_id: Option<String>,
    pub task_id: Option<String>,
    pub category: Option<String>,
    pub owner: Option<String>,
    /// The category's target as written in task_facts (e.g. "30 business minutes").
    pub target: Option<String>,
    /// Microseconds since the epoch (UTC).
    pub created_at: Option<i64>,
    pub created_date: Option<NaiveDate>,
    /// 1 = Monday.
    pub created_weekday: Option<i32>,
    pub created_hour: Option<i32>,
    pub minutes_to_first_attempt: Option<f64>,
    /// Business minutes from creation to the target's deadline (`deadline_at`):
    /// with `minutes_to_first_attempt`, where the first attempt fell against it.
    pub minutes_to_deadline: Option<f64>,
    /// The task's waits as the survival curves take them, in
    /// `metrics::waiting::EVENTS` order (first attempt, contact, completion):
    /// business minutes to the event, or to the censoring instant (its closure
    /// or the metrics' *as of*), and whether the event happened
    /// (`metrics::waiting::durations`). None when they could not be computed
    /// (no creation time, a practice not in the config or the metrics).
    pub waits: Option<[(f64, bool); 3]>,
    pub met_target: Option<bool>,
    pub attempted: bool,
    pub reached: bool,
    pub booked: bool,
    pub kept: bool,
    /// When the patient was first reached, the task closed (terminal status
    /// only) and its first booking made (µs since the epoch, UTC): for outcomes
    /// compared at equal follow-up.
    pub first_contact_at: Option<i64>,
    pub closed_at: Option<i64>,
    pub booked_at: Option<i64>,
}

/// A no-show or cancellation (`recovery` table, docs/METRICS.md "recovery").
#[derive(Debug, Clone, PartialEq)]
pub struct RecoveryRow {
    /// `no_show` or `cancellation`.
    pub kind: String,
    pub event_date: NaiveDate,
    /// The local date the recovery window ends.
    pub window_end_date: NaiveDate,
    /// The window has closed by *as of*: only then is "not rebooked" an outcome.
    pub window_closed: bool,
    pub rebooked: bool,
}

/// A callback owed from the call log (`missed_calls` table), of the report's week.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct MissedCallRow {
    pub returned: bool,
    /// Empty until the deadline has passed (docs/METRICS.md, "missed-call-reconciliation").
    pub within_target: Option<bool>,
    /// A task for the number was open at some point in the range.
    pub task_logged: bool,
}

/// An urgent task still open: internal identifiers and workflow fields only
/// (no patient, phone or note).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct UrgentItem {
    pub task_id: String,
    pub category: Option<String>,
    pub owner: Option<String>,
    pub created_date: Option<NaiveDate>,
    pub status: Option<String>,
    pub attempts: Option<i64>,
}

/// Open tasks of one practice, category and owner at a business day's close.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BacklogRow {
    pub date: NaiveDate,
    pub category: Option<String>,
    pub owner: Option<String>,
    pub open: i64,
    /// Open tasks by age, in `metrics::backlog::AGE_BUCKETS` order.
    pub ages: Vec<i64>,
}

/// Tasks with a barrier in one ISO week (summed over practices and categories by the builder).
#[derive(Debug, Clone, PartialEq)]
pub struct BarrierRow {
    pub iso_week: Option<String>,
    pub barrier: Option<String>,
    pub tasks: f64,
}

/// Missed calls of one ISO week (one row per practice in the table).
#[derive(Debug, Clone, PartialEq)]
pub struct MissedWeek {
    pub iso_week: Option<String>,
    pub callbacks_owed: f64,
    pub returned: f64,
}

/// The daily review's counts, as of a day's close.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Review {
    /// The day the counts are as of.
    pub as_of: NaiveDate,
    /// Open and overdue at the last business day's close on or before `as_of`.
    pub open: Option<f64>,
    pub overdue: Option<f64>,
    pub urgent: Option<f64>,
    pub second_attempts_due: Option<f64>,
    pub clinical: Option<f64>,
    pub unassigned: Option<f64>,
    /// The urgent open tasks, oldest first (then by task id).
    pub urgent_items: Vec<UrgentItem>,
}

/// What the data-quality section counts: the ledger's totals, the quarantined
/// rows by kind of reason (never their values), missed calls with no task.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct DataQuality {
    pub files: usize,
    pub counts: Counts,
    pub unmapped: u64,
    pub reasons: BTreeMap<String, u64>,
    /// `None` when the metrics folder has no `unlogged_missed_calls` table.
    pub missed_without_task: Option<Option<f64>>,
}

/// A bottleneck the finder found over the report's 13 weeks (docs/METRICS.md,
/// "bottleneck findings"), worded by it: the report shows it as data.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct BottleneckRow {
    /// The finding's sentence: where, how much, the named causes.
    pub text: String,
    /// Priced fixes, one line each, with their calibration gaps (the
    /// pipeline passes the best one).
    pub fixes: Vec<String>,
    /// Its span, "Wed 14:00–15:00".
    pub when: String,
    /// The id of its cell range in the report's staffing heatmap; None when
    /// the report shows no heatmap (several practices).
    pub anchor: Option<String>,
}

/// Everything the weekly report shows for the ISO week starting `monday`.
#[derive(Debug, Clone, Default)]
pub struct WeekData {
    pub monday: NaiveDate,
    /// Category name → how the report names it (`config::Category::label`);
    /// a name not here reads in words (`config::default_label`).
    pub labels: BTreeMap<String, String>,
    /// The fewest requests a category chart is drawn for (`[report] min_n`).
    pub min_n: u32,
    /// The hours of the first practice, for the heatmap's closed cells.
    pub hours: Option<crate::config::WeekHours>,
    /// Minutes of the first practice's usual open day (a "business day" in
    /// the charts' units).
    pub day_minutes: f64,
    /// The first practice's goal share within target.
    pub goal: f64,
    /// `overall_weekly`: every week in the metrics, in week order.
    pub weekly: Vec<(Option<String>, Measures)>,
    /// `overall_waiting_weekly`: every week's first-attempt curve, in week order.
    pub waiting: Vec<(Option<String>, Waiting)>,
    /// `overall_category_weekly`, every week: (category, ISO week, measures),
    /// for the outcomes at a fixed age of each category's latest mature week.
    pub category_weeks: Vec<(Option<String>, Option<String>, Measures)>,
    /// `by_day`: every practice's days in the metrics, in the table's order.
    /// Empty when the folder has no `by_day`: the headline intervals then count
    /// every request as independent (a design effect of 1).
    pub days: Vec<DayCounts>,
    /// `overall_category_weekly` of the week, in category order.
    pub categories: Vec<(Option<String>, Measures)>,
    /// The week's task facts, in the table's order.
    pub facts: Vec<FactRow>,
    pub backlog: Vec<BacklogRow>,
    pub barriers: Vec<BarrierRow>,
    pub missed: Vec<MissedWeek>,
    /// The week's tasks by owner (`metrics::aggregate::by`), owner order, no owner last.
    pub owners: Vec<(Option<String>, Measures)>,
    /// Every no-show and cancellation of the metrics range, in table order.
    pub recovery: Vec<RecoveryRow>,
    /// The first practice's `recovery_window_days`.
    pub recovery_window_days: u32,
    /// The callbacks owed from the call log whose first call is in the week.
    pub missed_calls: Vec<MissedCallRow>,
    pub review: Review,
    pub quality: DataQuality,
    /// The bottleneck finder's findings, filled in by the pipeline (the
    /// metrics folder does not hold them); they lead "What needs attention".
    pub bottlenecks: Vec<BottleneckRow>,
}

impl WeekData {
    /// How the report names `category` to a person.
    pub fn label(&self, category: &str) -> String {
        self.labels
            .get(category)
            .cloned()
            .unwrap_or_else(|| crate::config::default_label(category))
    }
}

/// Everything the daily review shows for one day.
#[derive(Debug, Clone, Default)]
pub struct DayData {
    pub day: NaiveDate,
    pub observed_to: NaiveDate,
    /// The day's requests.
    pub day_measures: Measures,
    /// The requests of `prior_days` pooled (docs/METRICS.md, "daily-comparison").
    pub prior_measures: Measures,
    /// The business days of the 28 days before `day`, in order.
    pub prior_days: Vec<NaiveDate>,
    /// The day's task facts, in the table's order.
    pub facts: Vec<FactRow>,
    /// The task facts of `prior_days`, in the table's order.
    pub prior_facts: Vec<FactRow>,
    pub review: Review,
    pub quality: DataQuality,
    /// How the day's call lists were worked, for the lists that came back.
    pub adherence: Vec<crate::report::adherence::Adherence>,
}

/// One row of the before/after `comparison` table (docs/METRICS.md,
/// "Comparison"), as the pilot review shows it. `category` is empty for the
/// all-tasks rows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ComparisonRow {
    pub metric: String,
    pub category: String,
    pub before: Option<f64>,
    pub after: Option<f64>,
    pub change: Option<f64>,
    pub ci_low: Option<f64>,
    pub ci_high: Option<f64>,
    pub n_before: Option<i64>,
    pub n_after: Option<i64>,
    pub verdict: String,
}
