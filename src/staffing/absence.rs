//! What a day without the assistants costs: the recommended plan replayed with
//! every shift's hours on one weekday taken out, one replay per business
//! weekday. Every week of the period then misses that day, so the shares are
//! those of a week in which the assistants are absent on it, and the backlog
//! is read at that weekday's close (and the week's), beside the full plan.

use super::close::{day_closes, mean_backlog, week_closes};
use super::history::{Model, PracticeRules};
use super::recommend::{plan_staff, Shift};
use super::replay::Outcome;
use super::{predicted, ratio, run, shares};
use rayon::prelude::*;

/// One category on the absent day.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Category {
    pub category: String,
    /// Predicted share within target with the full plan, and without the
    /// assistants on the day.
    pub predicted_full: Option<f64>,
    pub predicted_absent: Option<f64>,
    /// Mean first attempts waiting at the day's close, full plan and absent.
    pub backlog_close_full: Option<f64>,
    pub backlog_close_absent: Option<f64>,
}

/// The plan replayed without its assistants on one weekday.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Absence {
    /// 0 = Monday.
    pub weekday: usize,
    /// Paid hours a week the plan loses on the day.
    pub hours_missing: u32,
    pub categories: Vec<Category>,
    /// Tasks a week first attempted within target with the full plan but not
    /// without the day (by the predicted shares; negative: more).
    pub lost_within_target_per_week: f64,
    /// All categories: mean backlog at the day's close and at the week's
    /// close, full plan and absent.
    pub backlog_close_full: Option<f64>,
    pub backlog_close_absent: Option<f64>,
    pub backlog_week_close_full: Option<f64>,
    pub backlog_week_close_absent: Option<f64>,
}

/// The shifts without `weekday` (0 = Monday): a shift worked only on that day
/// is gone.
pub fn without_day(shifts: &[Shift], weekday: usize) -> Vec<Shift> {
    shifts
        .iter()
        .filter_map(|s| {
            let days: Vec<usize> = s.days.iter().copied().filter(|d| *d != weekday).collect();
            (!days.is_empty()).then(|| Shift { days, ..s.clone() })
        })
        .collect()
}

/// The day whose absence loses the most tasks within target a week (the
/// earliest on a tie), when any does.
pub fn hurts_most(rows: &[Absence]) -> Option<&Absence> {
    rows.iter()
        .filter(|a| a.lost_within_target_per_week > 0.0)
        .fold(None, |best: Option<&Absence>, a| match best {
            Some(b) if b.lost_within_target_per_week >= a.lost_within_target_per_week => Some(b),
            _ => Some(a),
        })
}

fn total(v: &Option<Vec<f64>>) -> Option<f64> {
    v.as_ref().map(|x| x.iter().sum())
}

/// One replay per business weekday the plan works (a weekday it does not work
/// is the full plan, not replayed). `base` is the replay of the roster as
/// worked, `full` the replay with the plan; `shown` the categories reported
/// (the model's indices).
pub fn replays(
    m: &Model,
    rules: &PracticeRules,
    shifts: &[Shift],
    base: &Outcome,
    full: &Outcome,
    shown: &[usize],
) -> Vec<Absence> {
    if shifts.is_empty() {
        return Vec::new();
    }
    let n = m.categories.len();
    let measured = shares(&m.jobs, |j| m.measured[j].filter(|_| m.jobs[j].counted), n);
    let b = shares(&m.jobs, |j| base.met(&m.jobs, j), n);
    let f = shares(&m.jobs, |j| full.met(&m.jobs, j), n);
    let pred =
        |c: usize, got: &[(u32, u32)]| predicted(ratio(measured[c]), ratio(b[c]), ratio(got[c]));
    let weeks = week_closes(&m.practice, m.from, m.to);
    let full_week = mean_backlog(m, full, &weeks);
    // One replay per weekday, independent: run side by side, kept in weekday order.
    (0..7)
        .into_par_iter()
        .filter(|&d| !m.practice.hours.0[d].is_empty())
        .map(|d| {
            let rest = without_day(shifts, d);
            let paid = |s: &[Shift]| s.iter().map(Shift::paid_hours).sum::<u32>();
            let hours_missing = paid(shifts) - paid(&rest);
            let absent_out;
            let absent = if hours_missing == 0 {
                full
            } else {
                absent_out = run(m, rules, &plan_staff(m, &rest));
                &absent_out
            };
            let a = shares(&m.jobs, |j| absent.met(&m.jobs, j), n);
            let closes = day_closes(&m.practice, m.from, m.to, d);
            let (close_full, close_absent) = (
                mean_backlog(m, full, &closes),
                mean_backlog(m, absent, &closes),
            );
            let mut lost = 0.0;
            let categories = shown
                .iter()
                .map(|&c| {
                    let (pf, pa) = (pred(c, &f), pred(c, &a));
                    if let (Some(x), Some(y)) = (pf, pa) {
                        lost += measured[c].1 as f64 * (x - y);
                    }
                    Category {
                        category: m.categories[c].clone(),
                        predicted_full: pf,
                        predicted_absent: pa,
                        backlog_close_full: close_full.as_ref().map(|v| v[c]),
                        backlog_close_absent: close_absent.as_ref().map(|v| v[c]),
                    }
                })
                .collect();
            Absence {
                weekday: d,
                hours_missing,
                categories,
                lost_within_target_per_week: lost / m.weeks(),
                backlog_close_full: total(&close_full),
                backlog_close_absent: total(&close_absent),
                backlog_week_close_full: total(&full_week),
                backlog_week_close_absent: total(&mean_backlog(m, absent, &weeks)),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shift(days: &[usize], start: u8) -> Shift {
        Shift {
            days: days.to_vec(),
            start,
            hours: 4,
            lanes: vec!["front_desk".into()],
        }
    }

    #[test]
    fn a_day_off_drops_that_days_hours_of_every_shift() {
        let plan = vec![shift(&[0, 1, 2, 3, 4], 13), shift(&[0], 8), shift(&[1], 8)];
        let rest = without_day(&plan, 0);
        assert_eq!(rest, vec![shift(&[1, 2, 3, 4], 13), shift(&[1], 8)]);
        let paid = |s: &[Shift]| s.iter().map(Shift::paid_hours).sum::<u32>();
        assert_eq!(paid(&plan) - paid(&rest), 8, "Monday's two shifts");
        assert_eq!(without_day(&plan, 5), plan, "a day nobody works");
    }

    #[test]
    fn the_day_that_hurts_most_loses_the_most_and_none_when_none_loses() {
        let row = |weekday, lost| Absence {
            weekday,
            hours_missing: 4,
            categories: vec![],
            lost_within_target_per_week: lost,
            backlog_close_full: None,
            backlog_close_absent: None,
            backlog_week_close_full: None,
            backlog_week_close_absent: None,
        };
        let rows = vec![row(0, 3.0), row(1, 5.0), row(2, 5.0), row(3, 0.0)];
        assert_eq!(hurts_most(&rows).map(|a| a.weekday), Some(1));
        assert!(hurts_most(&[row(0, 0.0), row(1, -1.0)]).is_none());
    }
}
