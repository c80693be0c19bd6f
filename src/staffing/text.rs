//! The text `followup staffing` prints on stdout: per category the measured,
//! replayed and predicted shares with the calibration gap, the recommendation
//! (also as `--add` specs), load against capacity by hour, and the inbound line.

use super::view::View;
use std::fmt::Write as _;

fn day(d: u8) -> &'static str {
    ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"][(d as usize).saturating_sub(1) % 7]
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |x| format!("{:.1}%", x * 100.0))
}

fn pts(v: Option<f64>) -> String {
    v.map_or("—".into(), |x| format!("{:+.1} pts", x * 100.0))
}

/// The text printed on stdout: per practice its category table, the
/// recommendation, load against capacity by hour, the inbound line and the
/// blocks where workload comes close to capacity.
pub fn text(views: &[View]) -> String {
    let mut o = String::new();
    for v in views {
        categories(&mut o, v);
        recommendation(&mut o, v);
        roster(&mut o, v);
        with_and_without(&mut o, v);
        absence(&mut o, v);
        load_by_hour(&mut o, v);
        inbound(&mut o, v);
        worst_blocks(&mut o, v);
        let _ = writeln!(o);
    }
    o
}

/// The heading and, per category, due tasks and the measured, replayed and
/// recommended shares with the calibration gap (plus the what-if share and its
/// change when there are additions), then the what-ifs themselves.
fn categories(o: &mut String, v: &View) {
    let m = &v.model;
    let _ = writeln!(
        o,
        "# {} ({}) — {} to {}, goal {:.0}% within target\n",
        m.practice.name,
        m.practice.id,
        m.from,
        m.to,
        v.target_share * 100.0
    );
    let wi = !v.adds.is_empty();
    let _ = write!(
        o,
        "{:<24} {:>6} {:>9} {:>9} {:>12} {:>12}",
        "category", "due", "measured", "replayed", "calib. gap ", "recommended"
    );
    if wi {
        let _ = write!(o, " {:>9} {:>11}", "what-if", "change");
    }
    let _ = writeln!(o);
    for l in &v.lines {
        let short = l.measured.is_some_and(|x| x < v.target_share);
        let odd = v.rec.not_capacity.contains(&l.category);
        let _ = write!(
            o,
            "{:<24} {:>6} {:>9} {:>9} {:>12} {:>12}",
            format!(
                "{}{}{}",
                l.category,
                if short { " *" } else { "" },
                if odd { "†" } else { "" }
            ),
            l.due,
            pct(l.measured),
            pct(l.replayed),
            format!(
                "{}{}",
                pts(l.gap),
                if l.off_calibration { "!" } else { " " }
            ),
            pct(l.recommended_predicted)
        );
        if wi {
            let ch = l.whatif_predicted.zip(l.measured).map(|(a, b)| a - b);
            let _ = write!(o, " {:>9} {:>11}", pct(l.whatif_predicted), pts(ch));
        }
        let _ = writeln!(o);
    }
    let _ = writeln!(
        o,
        "(* below the goal as measured. All categories together: measured {}, replayed {} with the roster as worked, time per attempt × {:.2}. A prediction scales the measured misses by the replayed change; see assumptions.md)",
        pct(Some(v.calibration.measured)),
        pct(Some(v.calibration.replayed)),
        v.calibration.scale
    );
    let off: Vec<&str> = (v.lines.iter())
        .filter(|l| l.off_calibration)
        .map(|l| l.category.as_str())
        .collect();
    if !off.is_empty() {
        let _ = writeln!(
            o,
            "(! the replay misses the measured share by more than {:.0} points: predictions for {} are less certain)",
            super::CALIBRATION_TOLERANCE * 100.0,
            off.join(", ")
        );
    }
    let _ = writeln!(o);
    if wi {
        for a in &v.adds {
            let _ = writeln!(o, "what-if: +{} assistant(s) {}", a.count, a.text);
        }
        let _ = writeln!(o);
    }
}

/// The recommended virtual-assistant hours per lane and weekday, the same plan
/// as `--add` specs, and the categories the hours cannot or need not fix.
fn recommendation(o: &mut String, v: &View) {
    let hours = v.rec.hours();
    let below = below_goal(v);
    let _ = writeln!(
        o,
        "recommended: {} paid virtual-assistant hour(s) a week in {} shift(s){}",
        hours,
        v.rec.shifts.len(),
        if below.is_empty() {
            ", every category predicted at or above the goal".to_string()
        } else {
            format!(
                ", {} categor{} predicted below the goal (below)",
                below.len(),
                if below.len() == 1 { "y" } else { "ies" }
            )
        }
    );
    for line in super::recommend::shift_lines(&v.model, &v.rec.shifts) {
        let _ = writeln!(o, "  {line}");
    }
    let specs = super::recommend::plan_specs(&v.model, &v.rec.shifts);
    if !specs.is_empty() {
        let args: Vec<String> = specs
            .iter()
            .map(|a| format!("--add \"{}\"", a.text))
            .collect();
        let _ = writeln!(o, "  as a what-if: followup staffing {}", args.join(" "));
    }
    for (c, share, why) in &below {
        let _ = writeln!(
            o,
            "  below the goal with the plan: {c} predicted {} (goal {:.0}%): {why}",
            pct(*share),
            v.target_share * 100.0
        );
    }
    if !v.rec.not_capacity.is_empty() {
        let _ = writeln!(o, "† the replay of the roster as worked meets the goal, so the shortfall is not for lack of hours and predictions for it are unreliable");
    }
    let _ = writeln!(o);
}

/// One roster for the line and the callbacks: the blocks that need an
/// assistant, and the paid assistant hours on each.
fn roster(o: &mut String, v: &View) {
    let callbacks = v.rec.hours();
    let phones: u32 = v.phone_shifts.iter().map(|s| s.paid_hours()).sum();
    let cost = v
        .model
        .practice
        .staffing
        .va_hourly_rate
        .map_or(String::new(), |r| {
            format!(
                ", {:.2} a week at {:.2} an hour",
                (phones + callbacks) as f64 * r,
                r
            )
        });
    let _ = writeln!(
        o,
        "one roster: {callbacks} paid assistant hour(s) a week on callbacks + {phones} on the phones = {}{cost}",
        phones + callbacks
    );
    for line in super::roster::phone_lines(&v.model, &v.phone_shifts) {
        let _ = writeln!(o, "  {line}");
    }
    let rows: Vec<_> = v.roster.iter().filter(|r| r.assistants() > 0).collect();
    if rows.is_empty() {
        let _ = writeln!(o);
        return;
    }
    let _ = writeln!(
        o,
        "  (heads in a usual week; the line's agents are Erlang C, scheduled after shrinkage, taken first from the staff who answer it)\n  {:<10} {:>10} {:>7} {:>10} {:>12} {:>13}",
        "block", "line staff", "phones", "phone VAs", "other staff", "callback VAs"
    );
    for r in rows {
        let _ = writeln!(
            o,
            "  {:<10} {:>10} {:>7} {:>10} {:>12} {:>13}",
            format!("{} {:02}:00", day(r.weekday), r.hour),
            r.line_staff,
            r.phones_scheduled,
            r.phone_assistants,
            r.other_staff,
            r.callback_assistants
        );
    }
    let _ = writeln!(o);
}

/// The plan's cost, and per category the share within target and the backlog
/// at the week's close with the roster as worked and with the plan.
fn with_and_without(o: &mut String, v: &View) {
    match &v.cost {
        Some(c) => {
            let _ = writeln!(o, "cost: {}", c.text());
        }
        None => {
            let _ = writeln!(
                o,
                "cost: not shown (set staffing.va_hourly_rate to the vendor's hourly price)"
            );
        }
    }
    let weeks = super::close::week_closes(&v.model.practice, v.model.from, v.model.to).len();
    let _ = writeln!(
        o,
        "\nwith and without the plan: share within target (measured; predicted with the plan) and tasks waiting for a first attempt at the week's close (mean of {weeks} weeks; replayed as worked, with the plan):"
    );
    let _ = writeln!(
        o,
        "  {:<24} {:>9} {:>10} {:>10} {:>10}",
        "category", "measured", "with plan", "backlog", "with plan"
    );
    let num = |x: Option<f64>| x.map_or("—".into(), |x| format!("{x:.1}"));
    let (mut a, mut b) = (0.0, 0.0);
    for l in &v.lines {
        a += l.backlog_week_close.unwrap_or(0.0);
        b += l.backlog_week_close_with_plan.unwrap_or(0.0);
        let _ = writeln!(
            o,
            "  {:<24} {:>9} {:>10} {:>10} {:>10}",
            l.category,
            pct(l.measured),
            pct(l.recommended_predicted),
            num(l.backlog_week_close),
            num(l.backlog_week_close_with_plan)
        );
    }
    if weeks > 0 {
        let _ = writeln!(
            o,
            "  {:<24} {:>9} {:>10} {:>10.1} {:>10.1}",
            "all", "", "", a, b
        );
    }
    let _ = writeln!(o);
}

/// Per business weekday, the plan replayed without its assistants that day:
/// the categories it drops below the goal, the backlog at that day's close and
/// at the week's close, and the tasks a week it loses; then the worst day.
fn absence(o: &mut String, v: &View) {
    if v.absence.is_empty() {
        return;
    }
    let _ = writeln!(
        o,
        "a day without the plan's assistants (that weekday's shift hours out of every week; backlog = tasks waiting for a first attempt at the close, full plan in brackets):"
    );
    let num = |x: Option<f64>| x.map_or("—".into(), |x| format!("{x:.1}"));
    for a in &v.absence {
        let below: Vec<String> = a
            .categories
            .iter()
            .filter(|c| {
                c.predicted_absent
                    .is_some_and(|x| x < v.target_share - 1e-9)
            })
            .map(|c| {
                format!(
                    "{} {} ({})",
                    c.category,
                    pct(c.predicted_absent),
                    pct(c.predicted_full)
                )
            })
            .collect();
        let _ = writeln!(
            o,
            "  {} (−{} paid h): {:.1} tasks a week fewer within target; backlog at {} close {} ({}), at the week's close {} ({}); below the goal: {}",
            day(a.weekday as u8 + 1),
            a.hours_missing,
            a.lost_within_target_per_week,
            day(a.weekday as u8 + 1),
            num(a.backlog_close_absent),
            num(a.backlog_close_full),
            num(a.backlog_week_close_absent),
            num(a.backlog_week_close_full),
            if below.is_empty() {
                "none".to_string()
            } else {
                below.join(", ")
            }
        );
    }
    match super::absence::hurts_most(&v.absence) {
        Some(a) => {
            let _ = writeln!(
                o,
                "  hurts most: {} ({:.1} tasks a week fewer within target)",
                day(a.weekday as u8 + 1),
                a.lost_within_target_per_week
            );
        }
        None => {
            let _ = writeln!(o, "  no day's absence loses a task within target");
        }
    }
    let _ = writeln!(o);
}

/// The categories predicted below the goal with the recommended plan, with
/// the prediction and why the plan does not lift them.
pub fn below_goal(v: &View) -> Vec<(String, Option<f64>, String)> {
    v.lines
        .iter()
        .filter(|l| l.recommended_predicted.is_some_and(|x| x < v.target_share - 1e-9))
        .map(|l| {
            let why = if v.rec.licensed_short.contains(&l.category)
                || v.model.practice.categories[&l.category].licensed
            {
                "licensed work: it needs licensed staff, not assistants".to_string()
            } else if v.rec.not_capacity.contains(&l.category) {
                "the roster as worked already meets it in replay: not for lack of hours (look at priority and routing)".to_string()
            } else if !v.rec.reached {
                format!(
                    "no more shifts fit (at most {} paid hours a week, {} added assistants an hour) or none helps",
                    v.model.practice.staffing.max_va_hours,
                    v.model.practice.staffing.max_assistants_per_hour
                )
            } else {
                "the replay meets it, but scaled to the measured misses the prediction does not".to_string()
            };
            (l.category.clone(), l.recommended_predicted, why)
        })
        .collect()
}

/// Where capacity runs short: callback workload as a share of capacity per
/// lane and hour, all weekdays together.
fn load_by_hour(o: &mut String, v: &View) {
    let _ = writeln!(
        o,
        "callback workload as % of capacity by hour (all weekdays):"
    );
    let mut lanes: std::collections::BTreeMap<&str, std::collections::BTreeMap<u8, (f64, f64)>> =
        Default::default();
    for ((_, h, l), r) in &v.workload {
        let e = lanes.entry(l.as_str()).or_default().entry(*h).or_default();
        e.0 += r.workload_min;
        e.1 += r.capacity_min;
    }
    for (lane, hours) in lanes {
        let cells: Vec<String> = hours
            .iter()
            .filter(|(_, (w, c))| *w > 0.0 || *c > 0.0)
            .map(|(h, (w, c))| {
                if *c > 0.0 {
                    format!("{h:02} {:>4.0}%", w / c * 100.0)
                } else {
                    format!("{h:02}   — ")
                }
            })
            .collect();
        let _ = writeln!(o, "  {:<11} {}", lane, cells.join(" |"));
    }
}

/// The live inbound line: per hour block its busiest weekday's calls, agents
/// needed (Erlang C) and scheduled, service level, ASA, occupancy and Erlang A
/// abandonment.
fn inbound(o: &mut String, v: &View) {
    let m = &v.model;
    let st = &m.practice.staffing;
    let _ = writeln!(
        o,
        "\ninbound line, agents for {:.0}% answered within {:.0} s (Erlang C, occupancy ≤ {:.0}%; scheduled after {:.0}% shrinkage; abandonment by Erlang A, patience {}):",
        st.service_level * 100.0,
        st.answer_within_s,
        st.max_occupancy * 100.0,
        st.shrinkage * 100.0,
        v.patience_s.map_or("unknown".into(), |p| format!("{p:.0} s"))
    );
    let mut by_hour: std::collections::BTreeMap<u8, (u8, &super::inbound::Row)> =
        Default::default();
    for ((d, h), r) in &v.inbound {
        let e = by_hour.entry(*h).or_insert((*d, r));
        if r.calls_per_week > e.1.calls_per_week {
            *e = (*d, r);
        }
    }
    for (h, (d, r)) in by_hour.iter().filter(|(_, (_, r))| r.calls_per_week >= 1.0) {
        let _ = writeln!(
            o,
            "  {h:02}:00 busiest {}: {:>5.1} calls, AHT {:>4.0} s → {} agent(s), {} scheduled; SL {:.0}%, ASA {:.0} s, occupancy {:.0}%{}",
            day(*d),
            r.calls_per_week,
            r.aht_s,
            r.agents,
            r.scheduled,
            r.service_level * 100.0,
            r.asa_s,
            r.occupancy * 100.0,
            r.p_abandon.map_or(String::new(), |p| format!(", abandon {:.1}%", p * 100.0))
        );
    }
}

/// The shortfall the view found: up to eight blocks where callback workload is
/// at least 85% of capacity, worst first.
fn worst_blocks(o: &mut String, v: &View) {
    let mut worst: Vec<(f64, String)> = v
        .workload
        .iter()
        .filter_map(|((d, h, l), r)| {
            r.load_ratio()
                .map(|x| (x, format!("{l} {} {h:02}:00", day(*d))))
        })
        .filter(|(x, _)| *x >= 0.85)
        .collect();
    worst.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.1.cmp(&b.1)));
    if !worst.is_empty() {
        let list: Vec<String> = worst
            .iter()
            .take(8)
            .map(|(x, k)| format!("{k} {:.0}%", x * 100.0))
            .collect();
        let _ = writeln!(
            o,
            "\nblocks where callback workload is ≥ 85% of capacity: {}",
            list.join(", ")
        );
    }
}
