//! Staffing outputs: tables (Parquet + CSV), the heatmap, assumptions.md and
//! summary.json, plus the text printed on stdout. Everything is sorted by its
//! keys, so reruns give the same bytes. No patient identifier, name, phone
//! number or note appears in any of them.

use super::view::View;
use anyhow::Result;
use polars::prelude::{Column, DataFrame, NamedFrom, Series};
use std::fmt::Write as _;
use std::path::Path;

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

fn day(d: u8) -> &'static str {
    DAYS[(d as usize).saturating_sub(1) % 7]
}

fn r4(v: Option<f64>) -> Option<f64> {
    v.map(|x| (x * 10_000.0).round() / 10_000.0)
}

fn s<T>(name: &str, v: Vec<T>) -> Column
where
    Series: NamedFrom<Vec<T>, [T]>,
{
    Series::new(name.into(), v).into()
}

fn frame(cols: Vec<Column>) -> Result<DataFrame> {
    let h = cols.first().map_or(0, |c| c.len());
    Ok(DataFrame::new(h, cols)?)
}

/// Every table, by name, in the order they are written.
pub fn tables(views: &[View]) -> Result<Vec<(&'static str, DataFrame)>> {
    Ok(vec![
        ("staffing_categories", categories_table(views)?),
        ("staffing_blocks", blocks_table(views)?),
        ("staffing_workload", workload_table(views)?),
        ("staffing_recommendation", recommendation_table(views)?),
        ("staffing_backlog", backlog_table(views)?),
        ("staffing_absence", absence_table(views)?),
        ("staffing_inbound", inbound_table(views)?),
        ("staffing_handle_times", handle_times_table(views)?),
        ("staffing_policy", policy_table(views)?),
    ])
}

/// Business µs as minutes, to 0.1.
fn minutes(us: Option<i64>) -> Option<f64> {
    us.map(|u| (u as f64 / 6e6).round() / 10.0)
}

/// The learned kinds of a view that were observed at all, as (lane or "all",
/// category, kind): each lane's, then each category's over all lanes.
pub fn policy_rows(v: &View) -> Vec<(String, String, &super::policy::Kind)> {
    let (m, pol) = (&v.model, &v.model.policy);
    let seen = |k: &super::policy::Kind| k.wait_n[0] + k.wait_n[1] + k.retry_n > 0;
    let mut out = Vec::new();
    for (q, lane) in pol.kinds.iter().enumerate() {
        for (c, k) in lane.iter().enumerate().filter(|(_, k)| seen(k)) {
            out.push((m.lanes[q].clone(), m.categories[c].clone(), k));
        }
    }
    for (c, k) in pol.pooled.iter().enumerate().filter(|(_, k)| seen(k)) {
        out.push(("all".to_string(), m.categories[c].clone(), k));
    }
    out
}

/// staffing_policy: the team's working policy learned from the period
/// (`policy`): per lane and category (then per category over all lanes, lane
/// "all") the working wait before a first attempt (routine, urgent) and the
/// delay of a retry past the attempt rules, in business minutes, with the
/// observations each was learned from; empty where too few were observed.
fn policy_table(views: &[View]) -> Result<DataFrame> {
    let mut c = (
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    );
    for v in views {
        for (lane, cat, k) in policy_rows(v) {
            c.0.push(v.model.practice.id.clone());
            c.1.push(lane);
            c.2.push(cat);
            c.3.push(minutes(k.wait_us[0]));
            c.4.push(k.wait_n[0] as u32);
            c.5.push(minutes(k.wait_us[1]));
            c.6.push(k.wait_n[1] as u32);
            c.7.push(minutes(k.retry_us));
            c.8.push(k.retry_n as u32);
        }
    }
    frame(vec![
        s("practice_id", c.0),
        s("lane", c.1),
        s("category", c.2),
        s("working_wait_routine_min", c.3),
        s("tasks_routine", c.4),
        s("working_wait_urgent_min", c.5),
        s("tasks_urgent", c.6),
        s("retry_delay_min", c.7),
        s("retries", c.8),
    ])
}

/// staffing_categories: per practice and category, the due count and the
/// measured, replayed, recommended and what-if shares within target.
fn categories_table(views: &[View]) -> Result<DataFrame> {
    let (mut pid, mut cat, mut lane, mut target, mut due) =
        (vec![], vec![], vec![], vec![], vec![]);
    let (mut wk, mut wkp) = (vec![], vec![]);
    let (mut goal, mut me, mut re, mut gap, mut rec, mut recp, mut wi, mut wip) = (
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    );
    for v in views {
        for l in &v.lines {
            pid.push(v.model.practice.id.clone());
            cat.push(l.category.clone());
            lane.push(l.lane.clone());
            target.push(l.target.clone());
            goal.push(v.target_share);
            due.push(l.due);
            me.push(r4(l.measured));
            re.push(r4(l.replayed));
            gap.push(r4(l.gap));
            rec.push(r4(l.recommended));
            recp.push(r4(l.recommended_predicted));
            wi.push(r4(l.whatif));
            wip.push(r4(l.whatif_predicted));
            wk.push(r4(l.backlog_week_close));
            wkp.push(r4(l.backlog_week_close_with_plan));
        }
    }
    frame(vec![
        s("practice_id", pid),
        s("category", cat),
        s("lane", lane),
        s("target", target),
        s("target_share", goal),
        s("due", due),
        s("measured_share", me),
        s("replayed_share", re),
        s("calibration_gap", gap),
        s("recommended_share", rec),
        s("recommended_predicted", recp),
        s("whatif_share", wi),
        s("whatif_predicted", wip),
        s("backlog_week_close", wk),
        s("backlog_week_close_with_plan", wkp),
    ])
}

/// staffing_blocks: share within target per category × weekday × hour of
/// creation, measured, replayed with the roster as worked and with the
/// recommendation, sorted by those keys.
fn blocks_table(views: &[View]) -> Result<DataFrame> {
    let mut c = BlockCols::default();
    for v in views {
        let m = &v.model;
        let mut acc: std::collections::BTreeMap<(usize, u8, u8), [u32; 4]> = Default::default();
        for (j, job) in m.jobs.iter().enumerate() {
            let Some(meas) = m.measured[j] else { continue };
            let (d, h) = m.job_block[j];
            let e = acc.entry((job.category, d, h)).or_default();
            e[0] += 1;
            e[1] += meas as u32;
            e[2] += v.base.met(&m.jobs, j).unwrap_or(false) as u32;
            e[3] += v.rec.outcome.met(&m.jobs, j).unwrap_or(false) as u32;
        }
        for ((k, d, h), e) in acc {
            let f = |x: u32| Some(x as f64 / e[0] as f64);
            c.pid.push(m.practice.id.clone());
            c.cat.push(m.categories[k].clone());
            c.day.push(day(d).to_string());
            c.hour.push(h as i32);
            c.due.push(e[0]);
            c.me.push(r4(f(e[1])));
            c.re.push(r4(f(e[2])));
            c.gap
                .push(r4(Some((e[2] as f64 - e[1] as f64) / e[0] as f64)));
            c.rec.push(r4(f(e[3])));
        }
    }
    frame(vec![
        s("practice_id", c.pid),
        s("category", c.cat),
        s("weekday", c.day),
        s("created_hour", c.hour),
        s("due", c.due),
        s("measured_share", c.me),
        s("replayed_share", c.re),
        s("calibration_gap", c.gap),
        s("recommended_share", c.rec),
    ])
}

/// staffing_workload: callback workload against capacity per weekday × hour ×
/// lane, in minutes (and tasks, attempts) per week; NaN written as null.
fn workload_table(views: &[View]) -> Result<DataFrame> {
    let mut w: [Vec<Option<f64>>; 7] = Default::default();
    let (mut pid, mut d, mut h, mut lane) = (vec![], vec![], vec![], vec![]);
    for v in views {
        for ((wd, hr, l), r) in &v.workload {
            pid.push(v.model.practice.id.clone());
            d.push(day(*wd).to_string());
            h.push(*hr as i32);
            lane.push(l.clone());
            for (i, x) in [
                r.tasks,
                r.attempts,
                r.workload_min,
                r.rostered_min,
                r.capacity_min,
                r.load_ratio().unwrap_or(f64::NAN),
                r.added_min,
            ]
            .into_iter()
            .enumerate()
            {
                w[i].push(r4((!x.is_nan()).then_some(x)));
            }
        }
    }
    let [t, a, wl, ro, ca, lr, ad] = w;
    frame(vec![
        s("practice_id", pid),
        s("weekday", d),
        s("hour", h),
        s("lane", lane),
        s("tasks_per_week", t),
        s("attempts_per_week", a),
        s("workload_minutes_per_week", wl),
        s("rostered_minutes_per_week", ro),
        s("capacity_minutes_per_week", ca),
        s("load_ratio", lr),
        s("added_va_minutes_per_week", ad),
    ])
}

/// staffing_recommendation: the recommended virtual-assistant hours per week,
/// per weekday × hour × lane.
fn recommendation_table(views: &[View]) -> Result<DataFrame> {
    let (mut pid, mut d, mut h, mut lane, mut n) = (vec![], vec![], vec![], vec![], vec![]);
    for v in views {
        for ((wd, hr, l), k) in &v.rec.plan {
            pid.push(v.model.practice.id.clone());
            d.push(day(*wd).to_string());
            h.push(*hr as i32);
            lane.push(l.clone());
            n.push(*k);
        }
    }
    frame(vec![
        s("practice_id", pid),
        s("weekday", d),
        s("hour", h),
        s("lane", lane),
        s("va_hours_per_week", n),
    ])
}

/// staffing_backlog: the mean number of first attempts waiting at the end of
/// each weekday × hour block per lane, with the roster as worked and with the
/// recommendation.
fn backlog_table(views: &[View]) -> Result<DataFrame> {
    let (mut pid, mut d, mut h, mut lane, mut x, mut y) =
        (vec![], vec![], vec![], vec![], vec![], vec![]);
    for v in views {
        for ((wd, hr, l), (a, b)) in &v.backlog {
            pid.push(v.model.practice.id.clone());
            d.push(day(*wd).to_string());
            h.push(*hr as i32);
            lane.push(l.clone());
            x.push(r4(Some(*a)));
            y.push(r4(Some(*b)));
        }
    }
    frame(vec![
        s("practice_id", pid),
        s("weekday", d),
        s("hour", h),
        s("lane", lane),
        s("mean_backlog_at_block_end", x),
        s("mean_backlog_recommended", y),
    ])
}

/// staffing_absence: per business weekday and category, the plan replayed
/// without its assistants on that weekday: predicted shares and the mean
/// backlog at that weekday's close, with the full plan and without the day.
fn absence_table(views: &[View]) -> Result<DataFrame> {
    let (mut pid, mut d, mut hrs, mut cat) = (vec![], vec![], vec![], vec![]);
    let mut f: [Vec<Option<f64>>; 4] = Default::default();
    for v in views {
        for a in &v.absence {
            for c in &a.categories {
                pid.push(v.model.practice.id.clone());
                d.push(DAYS[a.weekday].to_string());
                hrs.push(a.hours_missing);
                cat.push(c.category.clone());
                for (i, x) in [
                    c.predicted_full,
                    c.predicted_absent,
                    c.backlog_close_full,
                    c.backlog_close_absent,
                ]
                .into_iter()
                .enumerate()
                {
                    f[i].push(r4(x));
                }
            }
        }
    }
    let [pf, pa, bf, ba] = f;
    frame(vec![
        s("practice_id", pid),
        s("weekday_absent", d),
        s("plan_hours_missing", hrs),
        s("category", cat),
        s("predicted_full_plan", pf),
        s("predicted_absent", pa),
        s("backlog_day_close_full_plan", bf),
        s("backlog_day_close_absent", ba),
    ])
}

/// staffing_inbound: the live inbound line per weekday × hour: offered load,
/// agents needed and scheduled (Erlang C), service level, ASA, occupancy and
/// Erlang A abandonment.
fn inbound_table(views: &[View]) -> Result<DataFrame> {
    let mut ib = InboundCols::default();
    for v in views {
        for ((wd, hr), r) in &v.inbound {
            ib.pid.push(v.model.practice.id.clone());
            ib.day.push(day(*wd).to_string());
            ib.hour.push(*hr as i32);
            ib.f[0].push(r4(Some(r.calls_per_week)));
            ib.f[1].push(r4(Some(r.answered_share)));
            ib.f[2].push(r4(Some(r.aht_s)));
            ib.f[3].push(r4(Some(r.erlangs)));
            ib.f[4].push(r4(Some(r.service_level)));
            ib.f[5].push(r4(Some(r.asa_s)));
            ib.f[6].push(r4(Some(r.occupancy)));
            ib.f[7].push(r4(r.p_abandon));
            ib.agents.push(r.agents);
            ib.scheduled.push(r.scheduled);
        }
    }
    let [calls, ans, aht, erl, sl, asa, occ, pab] = ib.f;
    frame(vec![
        s("practice_id", ib.pid),
        s("weekday", ib.day),
        s("hour", ib.hour),
        s("calls_per_week", calls),
        s("answered_share", ans),
        s("aht_s", aht),
        s("offered_erlangs", erl),
        s("agents", ib.agents),
        s("scheduled", ib.scheduled),
        s("service_level", sl),
        s("asa_s", asa),
        s("occupancy", occ),
        s("p_abandon_erlang_a", pab),
    ])
}

/// staffing_handle_times: per category the staff seconds per attempt the replay
/// uses, the seconds per logged action and actions per attempt, the mean
/// outbound call talk time over the linked calls, and which source was used.
fn handle_times_table(views: &[View]) -> Result<DataFrame> {
    let (mut pid, mut cat, mut per, mut talk, mut n, mut touch, mut tpa, mut src) = (
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
        vec![],
    );
    for v in views {
        for hd in &v.model.handles {
            pid.push(v.model.practice.id.clone());
            cat.push(hd.category.clone());
            per.push(r4(Some(hd.per_attempt_s)));
            talk.push(r4(hd.talk_s));
            n.push(hd.calls as u32);
            touch.push(r4(hd.touch_s));
            tpa.push(r4(Some(hd.touches_per_attempt)));
            src.push(hd.source.to_string());
        }
    }
    frame(vec![
        s("practice_id", pid),
        s("category", cat),
        s("seconds_per_attempt", per),
        s("call_talk_s", talk),
        s("linked_calls", n),
        s("seconds_per_action", touch),
        s("actions_per_attempt", tpa),
        s("source", src),
    ])
}

#[derive(Default)]
struct BlockCols {
    pid: Vec<String>,
    cat: Vec<String>,
    day: Vec<String>,
    hour: Vec<i32>,
    due: Vec<u32>,
    me: Vec<Option<f64>>,
    re: Vec<Option<f64>>,
    gap: Vec<Option<f64>>,
    rec: Vec<Option<f64>>,
}

#[derive(Default)]
struct InboundCols {
    pid: Vec<String>,
    day: Vec<String>,
    hour: Vec<i32>,
    f: [Vec<Option<f64>>; 8],
    agents: Vec<u32>,
    scheduled: Vec<u32>,
}

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
    let mut heatmaps = Vec::new();
    for (i, v) in views.iter().enumerate() {
        let marks = extra.marks.get(i).map_or(&[][..], |m| m.as_slice());
        let (svg, png) = super::heatmap::render(&v.workload, marks)?;
        let stem = if views.len() == 1 {
            "heatmap".to_string()
        } else {
            format!("heatmap_{}", v.model.practice.id)
        };
        crate::lake::write_bytes_atomic(&dir.join(format!("{stem}.svg")), svg.as_bytes())?;
        crate::lake::write_bytes_atomic(&dir.join(format!("{stem}.png")), &png)?;
        heatmaps.push((svg, png));
    }
    Ok(heatmaps)
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
