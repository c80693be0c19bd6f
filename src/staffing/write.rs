//! Staffing outputs: the tables (`tables`), the heatmap, assumptions.md and
//! summary.json, plus the text printed on stdout. Everything is sorted by its
//! keys, so reruns give the same bytes. No patient identifier, name, phone
//! number or note appears in any of them.

use super::view::View;
use anyhow::Result;
use std::fmt::Write as _;
use std::path::Path;

use super::tables::{day, policy_rows, r4, tables, DAYS};

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |x| format!("{:.1}%", x * 100.0))
}

/// The assumptions behind the numbers, one item each (the report lists them; the
/// Markdown below adds the measured time per category under the second).
pub fn assumption_items(v: &View) -> Vec<String> {
    let m = &v.model;
    let st = &m.practice.staffing;
    vec![
        format!("Period: tasks created {} to {} ({:.1} weeks); the replay starts with the backlog carried into the period (tasks created before it and not yet first attempted at its start) and the roster keeps working {} days past the end.", m.from, m.to, m.weeks(), super::history::TAIL_DAYS),
        format!("Staff time per attempt, measured from the activity log: each logged action of a person occupies them until their next action within {} min on the same day (less inbound calls they answered in between); the mean per category times the actions per attempt is the time per attempt (chart preparation, the call, wrap-up, replies and status changes included). With fewer than {} such stretches: the mean outbound call duration + {:.0} s after-call work (`staffing.after_call_work`), else {:.0} s (`staffing.handle_time`) + after-call work.", super::history::MAX_STRETCH_GAP_S / 60, super::history::MIN_CALLS_FOR_MEASURED, st.after_call_work_s, st.handle_time_s),
        "Attempts per task: as many as history shows it took (at least one); a task closed with no outreach (the patient called in) leaves the queue when it was closed. A retry is ready when the attempt rules allow it: `min_gap_days` business days later at the same time of day (an hour of business time later when the gap is 0).".to_string(),
        format!("Staff: the roster in the config; each person works the ready attempt with the earliest working deadline among every lane they own (a task waits in the lane that worked it; else in the lane the config gives its category). Answered inbound calls logged to a rostered person ({:.0} h) are taken out of that person's time as they happened; {:.0} h of inbound talk by people not on the roster is not.", v.model.inbound_talk_s.0 as f64 / 3600.0, v.model.inbound_talk_s.1 as f64 / 3600.0),
        format!("The team's policy, learned from the period (staffing_policy.csv; business minutes): a first attempt's working deadline is its clock start plus the upper quartile of the business time the lane's people took to a first attempt on that category and urgency; a retry's is its ready instant plus the upper quartile of how long past the rules they made their retries on that category. With fewer than {} observations in the lane the category's over all lanes is used, and with fewer than that too the target deadline (a retry: its ready day's close).", super::policy::MIN_TASKS),
        "Virtual assistants: added by a what-if or the recommendation, they work only callback tasks (not the live line) in the hours given, never licensed (clinical) categories, in the team's order.".to_string(),
        format!("Calibration: the time per attempt is scaled by one factor for all categories ({:.2}; fitted in {:?} by bisection) so that replaying the roster as worked gives the measured share within target over all categories together ({} measured, {} replayed; {} unscaled). Per category, the difference between the replayed and the measured share (task_facts.met_target) is the calibration gap; beyond {:.0} points it is flagged. A prediction scales the measured misses by the replayed change in misses: predicted = 1 − (1 − measured) × (1 − replayed with new roster) ÷ (1 − replayed with roster as worked).", v.calibration.scale, super::SCALE_RANGE, pct(Some(v.calibration.measured)), pct(Some(v.calibration.replayed)), pct(Some(v.calibration.replayed_unscaled)), super::CALIBRATION_TOLERANCE * 100.0),
        format!("Recommendation: target share {:.0}% for every category a virtual assistant may work; bought as shifts of {:?} paid hours (`staffing.shift_hours`) starting on the hour, on every business weekday or one weekday, for one assistant lane or all of them; greedy by shortfall reduced per paid hour, {} replays, then reverse delete and shorter shifts; at most {} paid hours a week (`staffing.max_va_hours`) and {} added assistants in any hour (`staffing.max_assistants_per_hour`).", v.target_share * 100.0, st.shift_hours, v.rec.replays, st.max_va_hours, st.max_assistants_per_hour),
        format!("Backlog at the week's close: first attempts ready but not started at the close of each full week's last business day ({} weeks in the period; a week cut by the end of the period is left out), mean per category, with the roster as worked and with the plan.", super::close::week_closes(&m.practice, m.from, m.to).len()),
        match &v.cost {
            Some(c) => format!("Cost: paid assistant hours a week × `staffing.va_hourly_rate` ({:.2}, in the vendor's currency); a month is {} weeks. Only paid shift hours count: a closed midday hour inside a shift is unpaid.", c.hourly_rate, super::cost::WEEKS_PER_MONTH),
            None => "Cost: not shown; set `staffing.va_hourly_rate` to the vendor's price of a paid assistant hour.".to_string(),
        },
        "Absence: the plan replayed once per business weekday with every shift's hours on that weekday taken out, in every week of the period (so a share is that of a week with the day missing); the backlog is read at that weekday's close. Tasks lost a week = Σ due × (predicted with the full plan − predicted without the day) ÷ weeks.".to_string(),
        format!("Inbound line: Erlang C per hour block for {:.0}% answered within {:.0} s, occupancy capped at {:.0}%, shrinkage {:.0}%; Erlang A abandonment with mean patience {} (all waiting time ÷ callers who hung up).", st.service_level * 100.0, st.answer_within_s, st.max_occupancy * 100.0, st.shrinkage * 100.0, v.patience_s.map_or("unknown (nobody hung up)".into(), |p| format!("{p:.0} s"))),
    ]
}

/// The assumptions written beside the numbers (Markdown).
pub fn assumptions(v: &View) -> String {
    let m = &v.model;
    let mut o = String::new();
    let _ = writeln!(
        o,
        "## Assumptions — {} ({} to {})\n",
        m.practice.name, m.from, m.to
    );
    for (i, item) in assumption_items(v).iter().enumerate() {
        let _ = writeln!(o, "- {item}");
        if i == 3 {
            let mins = |u: Option<i64>, n: usize| match u {
                Some(u) => format!("{:.0} min ({n})", u as f64 / 6e7),
                None => format!("— ({n})"),
            };
            let _ = writeln!(o, "\n  | lane | category | routine wait (tasks) | urgent wait (tasks) | retry delay (retries) |\n  |---|---|---:|---:|---:|");
            for (lane, cat, k) in policy_rows(v) {
                let _ = writeln!(
                    o,
                    "  | {lane} | {cat} | {} | {} | {} |",
                    mins(k.wait_us[0], k.wait_n[0]),
                    mins(k.wait_us[1], k.wait_n[1]),
                    mins(k.retry_us, k.retry_n)
                );
            }
            let _ = writeln!(o);
        }
        if i == 1 {
            for h in &m.handles {
                let _ = writeln!(o, "  - {}: {:.0} s per attempt ({}; {} s per action × {:.2} actions per attempt; outbound calls average {} s over {} calls)", h.category, h.per_attempt_s, h.source, h.touch_s.map_or("—".into(), |x| format!("{x:.0}")), h.touches_per_attempt, h.talk_s.map_or("—".into(), |x| format!("{x:.0}")), h.calls);
            }
        }
    }
    o
}

/// The vendor's scope of work, written beside the tables.
pub const SCOPE_OF_WORK: &str = "scope-of-work.md";

/// What a higher layer adds to the staffing outputs, per view (in view
/// order): the bottleneck findings as text and JSON, and the heatmap cells
/// they come from. Empty: the staffing outputs alone.
#[derive(Debug, Clone, Default)]
pub struct Extra {
    /// Printed after the staffing text, and in staffing.txt.
    pub findings_text: String,
    /// Each view's findings, under "findings" in its summary.
    pub findings_json: Vec<serde_json::Value>,
    /// Each view's heatmap marks.
    pub marks: Vec<Vec<super::heatmap::Mark>>,
}

/// The text printed on stdout and written to staffing.txt: the staffing view,
/// then the findings.
pub fn text(views: &[View], extra: &Extra) -> String {
    let mut t = super::text::text(views);
    if !extra.findings_text.is_empty() {
        t.push_str("\nBottleneck findings (followup findings; docs/METRICS.md):\n");
        t.push_str(&extra.findings_text);
    }
    t
}

/// Write tables, heatmap, assumptions, the scope of work and summary into `dir`. Returns each
/// view's heatmap (SVG, PNG), for the report.
pub fn all(dir: &Path, views: &[View], extra: &Extra) -> Result<Vec<(String, Vec<u8>)>> {
    for (name, df) in tables(views)? {
        crate::metrics::write::table(dir, name, &df)?;
    }
    let mut md = String::from("# Staffing assumptions\n\n");
    for v in views {
        md.push_str(&assumptions(v));
        md.push('\n');
    }
    crate::lake::write_bytes_atomic(&dir.join("assumptions.md"), md.as_bytes())?;
    crate::lake::write_bytes_atomic(&dir.join("staffing.txt"), text(views, extra).as_bytes())?;
    crate::lake::write_bytes_atomic(
        &dir.join(SCOPE_OF_WORK),
        super::scope::scope_of_work(views).as_bytes(),
    )?;
    let mut json = serde_json::to_vec_pretty(&summary(views, extra))?;
    json.push(b'\n');
    crate::lake::write_bytes_atomic(&dir.join("summary.json"), &json)?;
    // One heatmap per practice, rendered side by side, in practice order.
    use rayon::prelude::*;
    (views.par_iter().enumerate())
        .map(|(i, v)| {
            let marks = extra.marks.get(i).map_or(&[][..], |m| m.as_slice());
            let (svg, png) = super::heatmap::render(&v.workload, marks)?;
            let stem = if views.len() == 1 {
                "heatmap".to_string()
            } else {
                format!("heatmap_{}", v.model.practice.id)
            };
            crate::lake::write_bytes_atomic(&dir.join(format!("{stem}.svg")), svg.as_bytes())?;
            crate::lake::write_bytes_atomic(&dir.join(format!("{stem}.png")), &png)?;
            Ok((svg, png))
        })
        .collect()
}

/// The JSON summary (also `--json` on stdout).
pub fn summary(views: &[View], extra: &Extra) -> serde_json::Value {
    serde_json::Value::Array(
        views
            .iter()
            .enumerate()
            .map(|(i, v)| {
                let mut o = serde_json::json!({
                    "practice_id": v.model.practice.id,
                    "from": v.model.from.to_string(),
                    "to": v.model.to.to_string(),
                    "target_share": v.target_share,
                    "categories": v.lines,
                    "recommended_va_hours_per_week": v.rec.hours(),
                    "recommendation_reaches_target": v.rec.reached,
                    "licensed_below_target": v.rec.licensed_short,
                    "below_target_not_for_lack_of_hours": v.rec.not_capacity,
                    "calibration": v.calibration,
                    "recommendation": v.rec.plan.iter().map(|((d, h, l), n)| serde_json::json!({"weekday": day(*d), "hour": h, "lane": l, "va_hours_per_week": n})).collect::<Vec<_>>(),
                    "recommended_shifts": super::recommend::shift_lines(&v.model, &v.rec.shifts),
                    "shifts": super::recommend::patterns(&v.rec.shifts).iter().map(|(s, n)| serde_json::json!({
                        "days": s.day_text(),
                        "start": format!("{:02}:00", s.start),
                        "paid_hours": s.hours,
                        "lanes": s.lanes,
                        "assistants": n,
                        "paid_hours_per_week": n * s.paid_hours(),
                    })).collect::<Vec<_>>(),
                    "below_goal_with_plan": super::text::below_goal(v).into_iter().map(|(c, share, why)| serde_json::json!({"category": c, "predicted": share, "why": why})).collect::<Vec<_>>(),
                    "max_assistants_per_hour": v.model.practice.staffing.max_assistants_per_hour,
                    "shift_hours": v.model.practice.staffing.shift_hours,
                    "recommendation_as_add": super::recommend::plan_specs(&v.model, &v.rec.shifts).iter().map(|a| a.text.clone()).collect::<Vec<_>>(),
                    "whatif": v.adds.iter().map(|a| &a.text).collect::<Vec<_>>(),
                    "va_hourly_rate": v.model.practice.staffing.va_hourly_rate,
                    "cost": v.cost,
                    "absence": v.absence.iter().map(|a| serde_json::json!({
                        "weekday": DAYS[a.weekday],
                        "plan_hours_missing": a.hours_missing,
                        "lost_within_target_per_week": r4(Some(a.lost_within_target_per_week)),
                        "backlog_day_close_full_plan": r4(a.backlog_close_full),
                        "backlog_day_close_absent": r4(a.backlog_close_absent),
                        "backlog_week_close_full_plan": r4(a.backlog_week_close_full),
                        "backlog_week_close_absent": r4(a.backlog_week_close_absent),
                        "categories": a.categories,
                    })).collect::<Vec<_>>(),
                    "by_hour": v.by_hour,
                    "roster": v.roster.iter().map(|r| serde_json::json!({
                        "weekday": day(r.weekday), "hour": r.hour, "line_staff": r.line_staff,
                        "phones_scheduled": r.phones_scheduled, "phone_assistants": r.phone_assistants,
                        "other_staff": r.other_staff, "callback_assistants": r.callback_assistants,
                    })).collect::<Vec<_>>(),
                    "phone_assistant_hours_per_week": super::roster::hours(&v.roster).0,
                    "phone_shifts": super::roster::phone_lines(&v.model, &v.phone_shifts),
                    "phone_shift_hours_per_week": v.phone_shifts.iter().map(|s| s.paid_hours()).sum::<u32>(),
                    "absence_hurts_most": super::absence::hurts_most(&v.absence).map(|a| DAYS[a.weekday]),
                    "scope_of_work": SCOPE_OF_WORK,
                });
                if let Some(f) = extra.findings_json.get(i) {
                    o["findings"] = f.clone();
                }
                o
            })
            .collect(),
    )
}
