//! The staffing tables (Parquet + CSV), one builder each, from the views:
//! sorted by their keys, so reruns give the same bytes; no patient
//! identifier, name, phone number or note in any of them.

use super::policy::Kind;
use super::view::View;
use anyhow::Result;
use polars::prelude::{Column, DataFrame, NamedFrom, Series};

pub(super) const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

pub(super) fn day(d: u8) -> &'static str {
    DAYS[(d as usize).saturating_sub(1) % 7]
}

pub(super) fn r4(v: Option<f64>) -> Option<f64> {
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
        ("staffing_roster", roster_table(views)?),
    ])
}

/// Business µs as minutes, to 0.1.
fn minutes(us: Option<i64>) -> Option<f64> {
    us.map(|u| (u as f64 / 6e6).round() / 10.0)
}

/// The learned kinds of a view that were observed at all, as (lane or "all",
/// category, kind): each lane's, then each category's over all lanes.
pub fn policy_rows(v: &View) -> Vec<(String, String, &Kind)> {
    let (m, pol) = (&v.model, &v.model.policy);
    let seen = |k: &Kind| k.wait_n[0] + k.wait_n[1] + k.retry_n > 0;
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
    let rows: Vec<(&str, String, String, &Kind)> = (views.iter())
        .flat_map(|v| {
            let pid = v.model.practice.id.as_str();
            policy_rows(v)
                .into_iter()
                .map(move |(l, c, k)| (pid, l, c, k))
        })
        .collect();
    let col = |f: &dyn Fn(&Kind) -> Option<f64>| rows.iter().map(|r| f(r.3)).collect::<Vec<_>>();
    let n = |f: &dyn Fn(&Kind) -> usize| rows.iter().map(|r| f(r.3) as u32).collect::<Vec<_>>();
    frame(vec![
        s("practice_id", rows.iter().map(|r| r.0).collect::<Vec<_>>()),
        s(
            "lane",
            rows.iter().map(|r| r.1.as_str()).collect::<Vec<_>>(),
        ),
        s(
            "category",
            rows.iter().map(|r| r.2.as_str()).collect::<Vec<_>>(),
        ),
        s("working_wait_routine_min", col(&|k| minutes(k.wait_us[0]))),
        s("tasks_routine", n(&|k| k.wait_n[0])),
        s("working_wait_urgent_min", col(&|k| minutes(k.wait_us[1]))),
        s("tasks_urgent", n(&|k| k.wait_n[1])),
        s("retry_delay_min", col(&|k| minutes(k.retry_us))),
        s("retries", n(&|k| k.retry_n)),
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

/// staffing_roster: one roster for the line and the callbacks, per practice
/// and business block (`roster`): heads in a usual week.
fn roster_table(views: &[View]) -> Result<DataFrame> {
    let rows: Vec<(&str, &super::roster::Row)> = (views.iter())
        .flat_map(|v| (v.roster.iter()).map(move |r| (v.model.practice.id.as_str(), r)))
        .collect();
    let col =
        |f: &dyn Fn(&super::roster::Row) -> u32| rows.iter().map(|r| f(r.1)).collect::<Vec<_>>();
    frame(vec![
        s("practice_id", rows.iter().map(|r| r.0).collect::<Vec<_>>()),
        s(
            "weekday",
            rows.iter().map(|r| day(r.1.weekday)).collect::<Vec<_>>(),
        ),
        s("hour", col(&|r| r.hour as u32)),
        s("line_staff", col(&|r| r.line_staff)),
        s("phones_scheduled", col(&|r| r.phones_scheduled)),
        s("phone_assistants", col(&|r| r.phone_assistants)),
        s("other_staff", col(&|r| r.other_staff)),
        s("callback_assistants", col(&|r| r.callback_assistants)),
        s("assistants", col(&|r| r.assistants())),
    ])
}
