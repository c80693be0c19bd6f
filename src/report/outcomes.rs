//! The weekly report's outcome measures beyond the categories table:
//! voicemail-to-scheduled, no-show and cancellation recovery, referral
//! scheduling completion, and the call log's view of missed calls beside the
//! logged missed-call tasks. Each with its n; recovery and missed-call returns
//! only over what has had its full time (docs/METRICS.md, "recovery",
//! "missed-call-reconciliation").

use super::headlines::{latest_known, of, of_category, short};
use super::input::{Measures, RecoveryRow, WeekData};
use super::markup::Table;
use super::{num, pct, Section};
use crate::config::Config;
use chrono::{Duration, NaiveDate};

/// A difference of shares, in points, from which the report tells it as the story.
const STORY_POINTS: f64 = 10.0;

/// A share `hits` ÷ `n` (None when n = 0).
fn share(hits: usize, n: usize) -> Option<f64> {
    (n > 0).then(|| hits as f64 / n as f64)
}

/// The week's measures of `category` in `overall_category_weekly`.
fn category<'a>(data: &'a WeekData, name: &str) -> Option<&'a Measures> {
    data.categories
        .iter()
        .find(|(c, _)| c.as_deref() == Some(name))
        .map(|(_, m)| m)
}

/// The recovery cohort of the week: events of `kind` whose window closed in
/// `monday..=sunday` (so each event is reported once, in the week its window
/// closes, with its final outcome), and the events still inside their window.
struct Recovery<'a> {
    closed: Vec<&'a RecoveryRow>,
    pending: Vec<&'a RecoveryRow>,
}

impl<'a> Recovery<'a> {
    fn of(rows: &'a [RecoveryRow], kind: &str, monday: NaiveDate, sunday: NaiveDate) -> Self {
        let of_kind = rows.iter().filter(|r| r.kind == kind);
        Recovery {
            closed: of_kind
                .clone()
                .filter(|r| {
                    r.window_closed && r.window_end_date >= monday && r.window_end_date <= sunday
                })
                .collect(),
            pending: of_kind.filter(|r| !r.window_closed).collect(),
        }
    }

    fn rate(&self) -> Option<f64> {
        share(
            self.closed.iter().filter(|r| r.rebooked).count(),
            self.closed.len(),
        )
    }

    /// "events of A to B" of the closed cohort.
    fn span(&self) -> String {
        let first = self.closed.iter().map(|r| r.event_date).min();
        let last = self.closed.iter().map(|r| r.event_date).max();
        match (first, last) {
            (Some(a), Some(b)) if a == b => format!("of {a}"),
            (Some(a), Some(b)) => format!("of {a} to {b}"),
            _ => "none".into(),
        }
    }
}

/// The section: a table of the measures with their n, and the sentences that
/// say when recovery matures and where the call log and the tasks disagree.
pub(super) fn section(config: &Config, data: &WeekData) -> Section {
    let monday = data.monday;
    let sunday = monday + Duration::days(6);
    let window = data.recovery_window_days;
    // Booking takes days: voicemail-to-scheduled and referral completion are
    // of the latest week mature for booking (docs/METRICS.md, "maturity").
    let weeks = super::weekly::trend_weeks(monday);
    let booked = |m: &&Measures| m.booked_in_age_rate.is_some();
    let mature = |m: Option<(&str, &Measures)>| m.map(|(w, m)| (short(w).to_string(), m.clone()));
    let mut t = Table::new(&["measure", "share", "n", "n is"]);
    t.numeric = vec![false, true, true, false];
    let vm = mature(latest_known(&weeks, |w| of(data, w).filter(booked)));
    t.push(vec![
        "voicemail to scheduled".into(),
        pct(vm.as_ref().and_then(|v| v.1.voicemail_to_scheduled_rate)),
        num(vm.as_ref().and_then(|v| v.1.left_message).or(Some(0.0))),
        match &vm {
            Some((w, _)) => format!(
                "tasks of {w} (the latest week mature for booking) where a message was left"
            ),
            None => "no week is mature for booking yet".into(),
        },
    ]);
    let no_show = Recovery::of(&data.recovery, "no_show", monday, sunday);
    let cancel = Recovery::of(&data.recovery, "cancellation", monday, sunday);
    for (label, r, what) in [
        ("no-show recovery", &no_show, "no-shows"),
        ("cancellation recovery", &cancel, "cancellations"),
    ] {
        t.push(vec![
            label.into(),
            pct(r.rate()),
            r.closed.len().to_string(),
            format!(
                "{what} whose {window}-day window closed this week ({})",
                r.span()
            ),
        ]);
    }
    let referral = mature(latest_known(&weeks, |w| {
        of_category(data, "referral", w).filter(booked)
    }));
    t.push(vec![
        "referral scheduling completion".into(),
        pct(referral.as_ref().and_then(|r| r.1.booked_in_age_rate)),
        num(referral.as_ref().and_then(|r| r.1.tasks).or(Some(0.0))),
        match &referral {
            Some((w, _)) => format!("referrals of {w}, booked within their booking age"),
            None => "no week of referrals is mature for booking yet".into(),
        },
    ]);
    // The call log's view: every missed call owed a callback, whether or not
    // anyone logged a task for it.
    let calls = &data.missed_calls;
    let due: Vec<bool> = calls.iter().filter_map(|c| c.within_target).collect();
    let call_share = share(due.iter().filter(|&&w| w).count(), due.len());
    let target = config
        .practices
        .first()
        .and_then(|p| p.categories.get("missed_call"))
        .map(|c| c.target.to_string())
        .unwrap_or_else(|| "target".into());
    t.push(vec![
        "missed calls returned within target (call log)".into(),
        pct(call_share),
        due.len().to_string(),
        "callbacks owed this week whose deadline has passed".into(),
    ]);
    let tasks = category(data, "missed_call");
    let task_share = tasks.and_then(|m| m.within_target_share);
    t.push(vec![
        "missed-call tasks first attempted within target".into(),
        pct(task_share),
        num(tasks.and_then(|m| m.due).or(Some(0.0))),
        "missed_call tasks of the week that are due".into(),
    ]);
    let returned = calls.iter().filter(|c| c.returned).count();
    t.push(vec![
        "missed calls returned by the end of the week".into(),
        pct(share(returned, calls.len())),
        calls.len().to_string(),
        "callbacks owed this week (call log)".into(),
    ]);

    // The call log against the tasks first: where they differ, that is the story.
    let mut text = vec![missed_text(
        call_share,
        due.len(),
        task_share,
        &target,
        calls.iter().filter(|c| !c.task_logged).count(),
        calls.len(),
    )];
    text.push(recovery_text(&no_show, &cancel, window));
    Section {
        title: "Recovery, referrals and missed calls".into(),
        text,
        table: Some(t),
        charts: vec![],
    }
}

fn plural(n: usize, one: &str, many: &str) -> String {
    format!("{n} {}", if n == 1 { one } else { many })
}

/// When recovery is counted, and what is still maturing.
fn recovery_text(no_show: &Recovery, cancel: &Recovery, window: u32) -> String {
    let mut s = format!(
        "A no-show or cancellation counts as recovered when the patient books again within {window} days, so it is counted in the week its window closes, not before: a recent one may still be rebooked."
    );
    let pending: Vec<&RecoveryRow> = no_show
        .pending
        .iter()
        .chain(&cancel.pending)
        .copied()
        .collect();
    if let Some(latest) = pending.iter().map(|r| r.window_end_date).max() {
        let rebooked = pending.iter().filter(|r| r.rebooked).count();
        s.push_str(&format!(
            " Still inside their window: {} and {}, {rebooked} of them already rebooked; the last of these windows closes on {latest}.",
            plural(no_show.pending.len(), "no-show", "no-shows"),
            plural(cancel.pending.len(), "cancellation", "cancellations"),
        ));
    }
    s
}

/// The call log's missed-call share beside the logged tasks': the story when
/// they differ.
fn missed_text(
    call_share: Option<f64>,
    due: usize,
    task_share: Option<f64>,
    target: &str,
    without_task: usize,
    owed: usize,
) -> String {
    let untracked = if owed > 0 {
        format!(
            " {without_task} of the week's {owed} callbacks owed ({}) never had a task for the number.",
            pct(share(without_task, owed))
        )
    } else {
        String::new()
    };
    match (call_share, task_share) {
        (Some(c), Some(t)) if (t - c) * 100.0 >= STORY_POINTS => format!(
            "The tasks flatter the phones: the missed-call tasks staff logged were first attempted within target {} of the time, but the call log shows only {} of the {due} callbacks owed whose deadline has passed returned within {target}.{untracked} The difference is the callbacks no task tracks.",
            pct(Some(t)),
            pct(Some(c)),
        ),
        (Some(c), Some(t)) if (c - t) * 100.0 >= STORY_POINTS => format!(
            "The call log shows {} of the {due} callbacks owed whose deadline has passed returned within {target}, more than the {} of missed-call tasks first attempted within target (a patient who calls back and gets through returns a call too).{untracked}",
            pct(Some(c)),
            pct(Some(t)),
        ),
        (Some(c), Some(t)) => format!(
            "The call log shows {} of the {due} callbacks owed whose deadline has passed returned within {target}, in line with the missed-call tasks ({}).{untracked}",
            pct(Some(c)),
            pct(Some(t)),
        ),
        (Some(c), None) => format!(
            "The call log shows {} of the {due} callbacks owed whose deadline has passed returned within {target}; no missed-call task of the week is due to compare with.{untracked}",
            pct(Some(c)),
        ),
        (None, _) => format!(
            "No callback owed from the call log this week has reached its deadline yet.{untracked}"
        ),
    }
}
