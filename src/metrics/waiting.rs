//! `survival` and `survival_curve`: per practice, category (and every category
//! together) and event, the Kaplan–Meier curve of business minutes from a
//! task's creation to its first attempt, first contact and completion, with
//! tasks still waiting censored (docs/METRICS.md, "time-to-event").

use super::survival::{kaplan_meier, Curve, Step};
use crate::model::clock::Calendar;
use crate::model::load::{strs, times};
use anyhow::{Context, Result};
use polars::prelude::{DataFrame, NamedFrom, Series};

/// The events, in output order.
pub const EVENTS: [&str; 3] = ["first_attempt", "contact", "completion"];

/// The `category` of the rows over every category of the practice.
pub const ALL: &str = "all";

/// A task's (business minutes, event observed) for each of `EVENTS`, as of
/// `as_of`. An event counts when it happened by *as of*; a task without one is
/// censored when it left the waiting: for the first attempt and contact at its
/// closure (a task closed without being attempted no longer waits for an
/// attempt) or *as of*, whichever is first; for completion at *as of*.
/// Durations below zero (an event stamped before the creation) count as 0.
pub fn durations(
    cal: &Calendar,
    as_of: i64,
    created: i64,
    [first_attempt, first_contact, closed]: [Option<i64>; 3],
) -> [(f64, bool); 3] {
    let minutes = |x: i64| cal.minutes_between(created, x).max(0.0);
    let end = closed.map_or(as_of, |c| c.min(as_of));
    let observed = |at: Option<i64>, censor: i64| match at.filter(|&x| x <= as_of) {
        Some(x) => (minutes(x), true),
        None => (minutes(censor), false),
    };
    [
        first_attempt_observed(
            first_attempt
                .filter(|&x| x <= as_of)
                .map(|x| cal.minutes_between(created, x)),
            minutes(end),
        ),
        observed(first_contact, end),
        observed(closed, as_of),
    ]
}

/// A task's (business minutes, event observed) for the first attempt, from its
/// task facts: `minutes_to_first_attempt` (empty when not attempted by *as of*)
/// and `minutes_observed` (to its closure or *as of*, whichever is first). The
/// same as `durations` gives from the instants; the overall tables use it.
pub fn first_attempt_observed(
    minutes_to_first_attempt: Option<f64>,
    minutes_observed: f64,
) -> (f64, bool) {
    match minutes_to_first_attempt {
        Some(m) => (m.max(0.0), true),
        None => (minutes_observed, false),
    }
}

/// A task's (business minutes, event observed) for completion, from its task
/// facts: `minutes_to_completion` (empty when not closed by *as of*) and
/// `minutes_observed` (to *as of* for an open task).
pub fn completion_observed(
    minutes_to_completion: Option<f64>,
    minutes_observed: f64,
) -> (f64, bool) {
    match minutes_to_completion {
        Some(m) => (m.max(0.0), true),
        None => (minutes_observed, false),
    }
}

/// Each task's first-attempt and completion pairs, row for row (None where
/// `minutes_observed` is empty). `facts` needs `minutes_to_first_attempt`,
/// `minutes_to_completion` and `minutes_observed`.
pub type Pair = Option<(f64, bool)>;
pub fn pairs(facts: &DataFrame) -> Result<(Vec<Pair>, Vec<Pair>)> {
    let first = super::group::floats(facts, "minutes_to_first_attempt")?;
    let done = super::group::floats(facts, "minutes_to_completion")?;
    let observed = super::group::floats(facts, "minutes_observed")?;
    Ok((0..facts.height())
        .map(|i| {
            (
                observed[i].map(|o| first_attempt_observed(first[i], o)),
                observed[i].map(|o| completion_observed(done[i], o)),
            )
        })
        .unzip())
}

/// `overall_waiting_weekly`: per ISO week of creation over every practice
/// together (weeks in order), the Kaplan–Meier curve of the time to first
/// attempt read for tasks, attempted, its median and p90 (docs/METRICS.md,
/// "time-to-event"). `facts` needs `iso_week`, `minutes_to_first_attempt` and
/// `minutes_observed`.
pub fn overall_weekly(facts: &DataFrame) -> Result<DataFrame> {
    let week = strs(facts, "iso_week")?;
    let first = super::group::floats(facts, "minutes_to_first_attempt")?;
    let observed = super::group::floats(facts, "minutes_observed")?;
    let mut by_week: std::collections::BTreeMap<&str, Vec<(f64, bool)>> = Default::default();
    for i in 0..facts.height() {
        if let (Some(w), Some(o)) = (week[i], observed[i]) {
            by_week
                .entry(w)
                .or_default()
                .push(first_attempt_observed(first[i], o));
        }
    }
    let (mut weeks, mut tasks, mut attempted, mut median, mut p90) =
        (vec![], vec![], vec![], vec![], vec![]);
    for (w, obs) in by_week.iter_mut() {
        let curve = kaplan_meier(obs);
        weeks.push(*w);
        tasks.push(curve.n as i64);
        attempted.push(curve.events as i64);
        median.push(curve.median());
        p90.push(curve.p90());
    }
    Ok(DataFrame::new(
        weeks.len(),
        vec![
            Series::new("iso_week".into(), weeks).into(),
            Series::new("tasks".into(), tasks).into(),
            Series::new("attempted".into(), attempted).into(),
            Series::new("median_minutes_to_first_attempt".into(), median).into(),
            Series::new("p90_minutes_to_first_attempt".into(), p90).into(),
        ],
    )?)
}

/// The `survival` and `survival_curve` tables of one practice's task facts
/// (without `practice_id`): categories in byte order, then `ALL`; within each,
/// `EVENTS` in order; the curve's steps in time order. `cal` is the practice's
/// calendar (only read when there are tasks).
pub fn tables(
    facts: &DataFrame,
    cal: Option<&Calendar>,
    as_of: i64,
) -> Result<(DataFrame, DataFrame)> {
    let category = strs(facts, "category")?;
    let created = times(facts, "created_at")?;
    let attempt = times(facts, "first_attempt_at")?;
    let contact = times(facts, "first_contact_at")?;
    let closed = times(facts, "closed_at")?;
    let mut obs: Vec<[(f64, bool); 3]> = Vec::with_capacity(facts.height());
    for i in 0..facts.height() {
        let cal = cal.context("task facts without their practice's calendar")?;
        let c = created[i].context("task without created_at")?;
        obs.push(durations(
            cal,
            as_of,
            c,
            [attempt[i], contact[i], closed[i]],
        ));
    }
    // Rows by category (tasks without one are in `ALL` only).
    let mut groups: std::collections::BTreeMap<&[u8], Vec<usize>> = Default::default();
    for (i, c) in category.iter().enumerate() {
        if let Some(c) = c {
            groups.entry(c.as_bytes()).or_default().push(i);
        }
    }
    let mut out = Out::default();
    let mut scratch = Vec::new();
    let all: Vec<usize> = (0..obs.len()).collect();
    let named = groups
        .iter()
        .map(|(c, rows)| (std::str::from_utf8(c).expect("from a str"), rows))
        .chain((!obs.is_empty()).then_some((ALL, &all)));
    for (name, rows) in named {
        for (e, event) in EVENTS.iter().enumerate() {
            scratch.clear();
            scratch.extend(rows.iter().map(|&i| obs[i][e]));
            out.push(name, event, &kaplan_meier(&mut scratch));
        }
    }
    out.frames()
}

/// The curve's steps written to `survival_curve`: each step at which the share
/// still waiting, rounded up to a whole percent, falls, and the last step. So
/// for every whole percent k the first step at or below k % is kept (the median
/// and p90 steps among them), a curve has at most 101 rows however many tasks
/// it has, and a step curve drawn through the rows is within one percentage
/// point of the full one. (Every step would be about three rows per task: at
/// year scale, more than task_facts.)
pub fn thinned(curve: &Curve) -> impl Iterator<Item = &Step> {
    let percent = |s: f64| (s * 100.0 - 1e-9).ceil() as i64;
    let mut last = 100;
    let n = curve.steps.len();
    curve
        .steps
        .iter()
        .enumerate()
        .filter(move |(i, s)| {
            let p = percent(s.survival);
            let keep = p < last || *i + 1 == n;
            last = last.min(p);
            keep
        })
        .map(|(_, s)| s)
}

#[derive(Default)]
struct Out<'a> {
    category: Vec<&'a str>,
    event: Vec<&'static str>,
    tasks: Vec<i64>,
    events: Vec<i64>,
    censored: Vec<i64>,
    median: Vec<Option<f64>>,
    p90: Vec<Option<f64>>,
    c_category: Vec<&'a str>,
    c_event: Vec<&'static str>,
    c_minutes: Vec<f64>,
    c_at_risk: Vec<i64>,
    c_events: Vec<i64>,
    c_survival: Vec<f64>,
}

impl<'a> Out<'a> {
    fn push(&mut self, category: &'a str, event: &'static str, curve: &Curve) {
        self.category.push(category);
        self.event.push(event);
        self.tasks.push(curve.n as i64);
        self.events.push(curve.events as i64);
        self.censored.push(curve.censored as i64);
        self.median.push(curve.median());
        self.p90.push(curve.p90());
        for s in thinned(curve) {
            self.c_category.push(category);
            self.c_event.push(event);
            self.c_minutes.push(s.t);
            self.c_at_risk.push(s.at_risk as i64);
            self.c_events.push(s.events as i64);
            self.c_survival.push(s.survival);
        }
    }

    fn frames(self) -> Result<(DataFrame, DataFrame)> {
        let s =
            |name: &str, v: Series| -> polars::prelude::Column { v.with_name(name.into()).into() };
        let summary = DataFrame::new(
            self.tasks.len(),
            vec![
                s("category", Series::new("".into(), self.category)),
                s("event", Series::new("".into(), self.event)),
                s("tasks", Series::new("".into(), self.tasks)),
                s("events", Series::new("".into(), self.events)),
                s("censored", Series::new("".into(), self.censored)),
                s("median_minutes", Series::new("".into(), self.median)),
                s("p90_minutes", Series::new("".into(), self.p90)),
            ],
        )?;
        let curve = DataFrame::new(
            self.c_minutes.len(),
            vec![
                s("category", Series::new("".into(), self.c_category)),
                s("event", Series::new("".into(), self.c_event)),
                s("minutes", Series::new("".into(), self.c_minutes)),
                s("at_risk", Series::new("".into(), self.c_at_risk)),
                s("events", Series::new("".into(), self.c_events)),
                s("survival", Series::new("".into(), self.c_survival)),
            ],
        )?;
        Ok((summary, curve))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use chrono::{NaiveDate, TimeZone};

    /// docs/METRICS.md, "speed-to-patient": attempted after 10 and 20 minutes,
    /// two still waiting after 100 and 200.
    #[test]
    fn headline_times_count_the_tasks_still_waiting() {
        use polars::prelude::IntoLazy;
        let facts = polars::prelude::df!(
            "minutes_to_first_attempt" => [Some(10.0), Some(20.0), None, None],
            "minutes_to_completion" => [Some(30.0), None, None, None],
            "minutes_observed" => [30.0, 500.0, 100.0, 200.0],
        )
        .unwrap();
        let all = facts
            .clone()
            .lazy()
            .select([
                super::super::aggregate::curve_time("minutes_to_first_attempt", 0.5)
                    .alias("median"),
                super::super::aggregate::curve_time("minutes_to_first_attempt", 0.1).alias("p90"),
                super::super::aggregate::curve_time("minutes_to_completion", 0.5).alias("done"),
            ])
            .collect()
            .unwrap();
        let get = |c: &str| all.column(c).unwrap().f64().unwrap().get(0);
        let (median, p90, done) = (get("median"), get("p90"), get("done"));
        // S = 0.75 after 10, 0.5 after 20; the attempted alone give 15.
        assert_eq!(median, Some(20.0));
        assert_eq!(p90, None);
        // Completion: one of four closed, after 30: S = 0.75, never 0.5.
        assert_eq!(done, None);
        let (first, _) = pairs(&facts).unwrap();
        assert_eq!(first[2], Some((100.0, false)));
    }

    fn cal() -> Calendar {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("followup.toml");
        let p = Config::load(&path).unwrap().practices.remove(0);
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        Calendar::new(&p, d(10, 1), d(12, 31))
    }

    /// Local New York wall-clock time to µs.
    fn ny(s: &str) -> i64 {
        let n = chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap();
        chrono_tz::America::New_York
            .from_local_datetime(&n)
            .earliest()
            .unwrap()
            .timestamp_micros()
    }

    #[test]
    fn the_overall_weekly_curve_reads_the_facts_columns_as_durations_does() {
        // The documentation's example (6 tasks: attempted after 30, 60, 90; one
        // closed unattempted at 60; two open after 120 and 240) in W47, and one
        // task attempted after 10 in W48.
        let f = |v: &[Option<f64>]| v.to_vec();
        let facts = DataFrame::new(
            7,
            vec![
                Series::new(
                    "iso_week".into(),
                    [["2026-W47"; 6].as_slice(), &["2026-W48"]].concat(),
                )
                .into(),
                Series::new(
                    "minutes_to_first_attempt".into(),
                    f(&[
                        Some(30.0),
                        Some(60.0),
                        Some(90.0),
                        None,
                        None,
                        None,
                        Some(10.0),
                    ]),
                )
                .into(),
                Series::new(
                    "minutes_observed".into(),
                    vec![300.0, 300.0, 300.0, 60.0, 120.0, 240.0, 40.0],
                )
                .into(),
            ],
        )
        .unwrap();
        let t = overall_weekly(&facts).unwrap();
        let col = |c: &str| t.column(c).unwrap().as_materialized_series().clone();
        assert_eq!(col("tasks").i64().unwrap().to_vec(), [Some(6), Some(1)]);
        assert_eq!(col("attempted").i64().unwrap().to_vec(), [Some(3), Some(1)]);
        let median = col("median_minutes_to_first_attempt");
        assert_eq!(median.f64().unwrap().to_vec(), [Some(90.0), Some(10.0)]);
        let p90 = col("p90_minutes_to_first_attempt");
        assert_eq!(p90.f64().unwrap().to_vec(), [None, Some(10.0)]);
        // The same pairs as `durations` gives from the instants.
        let (c, as_of) = (cal(), ny("2026-11-03 10:00"));
        let created = ny("2026-11-02 09:00");
        for (attempt, closed) in [
            (Some(ny("2026-11-02 09:30")), None),
            (None, Some(ny("2026-11-02 11:00"))),
            (None, None),
        ] {
            let [from_instants, ..] = durations(&c, as_of, created, [attempt, None, closed]);
            let end = closed.unwrap_or(as_of);
            let from_columns = first_attempt_observed(
                attempt.map(|x| c.minutes_between(created, x)),
                c.minutes_between(created, end).max(0.0),
            );
            assert_eq!(from_instants, from_columns);
        }
    }

    #[test]
    fn durations_censor_at_closure_or_as_of() {
        let c = cal();
        let as_of = ny("2026-11-03 10:00");
        let created = ny("2026-11-02 09:00");
        // Attempted 09:30, reached 10:00, completed the next day 09:30.
        let got = durations(
            &c,
            as_of,
            created,
            [
                Some(ny("2026-11-02 09:30")),
                Some(ny("2026-11-02 10:00")),
                Some(ny("2026-11-03 09:30")),
            ],
        );
        assert_eq!(got[0], (30.0, true));
        assert_eq!(got[1], (60.0, true));
        assert!(got[2].1 && got[2].0 > 60.0);
        // Closed at 11:00 without an attempt: attempt and contact censored at
        // 120 minutes; completion observed there.
        let got = durations(
            &c,
            as_of,
            created,
            [None, None, Some(ny("2026-11-02 11:00"))],
        );
        assert_eq!(got, [(120.0, false), (120.0, false), (120.0, true)]);
        // Still open, attempted after as of: everything censored at as of.
        let open = durations(&c, as_of, created, [Some(as_of + 1), None, None]);
        let m = c.minutes_between(created, as_of);
        assert_eq!(open, [(m, false); 3]);
    }

    #[test]
    fn the_written_curve_keeps_a_step_per_percent_and_the_last() {
        // 1000 events at 1..=1000 minutes: S falls by 0.1 pt a step; kept are
        // the steps at S = 0.99, 0.98, …, 0.00: 100 steps, the last among them.
        let mut obs: Vec<(f64, bool)> = (1..=1000).map(|t| (t as f64, true)).collect();
        let c = kaplan_meier(&mut obs);
        let kept: Vec<f64> = thinned(&c).map(|s| s.t).collect();
        assert_eq!(kept.len(), 100);
        assert_eq!(kept[0], 10.0);
        assert_eq!(kept[49], 500.0); // S = 0.5: the median step
        assert_eq!(kept[89], 900.0); // S = 0.1: the p90 step
        assert_eq!(*kept.last().unwrap(), 1000.0);
        // S = 0.999 then 0.998 (the rest censored): neither falls a whole
        // percent, the last step is kept.
        let mut obs = vec![(1.0, true), (2.0, true), (3.0, false)];
        obs.extend((0..997).map(|_| (5.0, false)));
        let c = kaplan_meier(&mut obs);
        let kept: Vec<f64> = thinned(&c).map(|s| s.t).collect();
        assert_eq!(kept, vec![2.0]);
    }

    #[test]
    fn an_empty_practice_has_no_rows() {
        let empty = DataFrame::new(
            0,
            vec![
                Series::new("category".into(), Vec::<&str>::new()).into(),
                Series::new("created_at".into(), Vec::<i64>::new()).into(),
                Series::new("first_attempt_at".into(), Vec::<i64>::new()).into(),
                Series::new("first_contact_at".into(), Vec::<i64>::new()).into(),
                Series::new("closed_at".into(), Vec::<i64>::new()).into(),
            ],
        )
        .unwrap();
        let (s, c) = tables(&empty, None, 0).unwrap();
        assert_eq!((s.height(), c.height()), (0, 0));
        assert_eq!(s.get_column_names().len(), 7);
    }
}
