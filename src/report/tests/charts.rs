//! The report's charts and their axes: business-time bins and labels, the
//! time-to-first-attempt and waiting-curve charts, heatmap cells, and labels
//! that fit at the rendered size. Fixtures from the parent module.

use super::*;

#[test]
fn business_time_reads_in_humane_units() {
    use crate::report::figures::{bin_label, deadline_edges, humane, minute_edges};
    assert_eq!(humane(30.0, 480.0), "30 min");
    assert_eq!(humane(60.0, 480.0), "1 hour");
    assert_eq!(humane(240.0, 480.0), "4 hours");
    assert_eq!(humane(90.0, 480.0), "1.5 hours");
    assert_eq!(humane(960.0, 480.0), "2 days");
    assert_eq!(humane(720.0, 480.0), "12 hours");
    // Ticks read in their step's unit.
    use crate::report::figures::tick_label;
    assert_eq!(tick_label(70.0, 10.0, 70.0, 480.0), "70 min");
    assert_eq!(tick_label(90.0, 30.0, 240.0, 480.0), "1.5 hours");
    assert_eq!(tick_label(480.0, 240.0, 960.0, 480.0), "8 hours");
    assert_eq!(tick_label(1440.0, 480.0, 1440.0, 480.0), "3 days");
    assert_eq!(tick_label(480.0, 480.0, 1440.0, 480.0), "1 day");
    // A range reads in its lower end's unit: no label mixes two.
    assert_eq!(bin_label(0.0, Some(15.0), 480.0), "0–15\nmin");
    assert_eq!(bin_label(30.0, Some(60.0), 480.0), "30–60\nmin");
    assert_eq!(bin_label(60.0, Some(120.0), 480.0), "1–2\nhours");
    assert_eq!(bin_label(240.0, Some(480.0), 480.0), "4–8\nhours");
    assert_eq!(bin_label(480.0, Some(960.0), 480.0), "1–2\ndays");
    assert_eq!(bin_label(0.0, Some(60.0), 480.0), "0–1\nhour");
    assert_eq!(bin_label(2400.0, None, 480.0), "over\n5 days");
    // Edges: from half the target on, the target among them, at most 8.
    assert_eq!(
        minute_edges(30.0, 480.0),
        [15.0, 30.0, 60.0, 120.0, 240.0, 480.0, 960.0, 2400.0]
    );
    assert_eq!(
        minute_edges(45.0, 480.0),
        [30.0, 45.0, 60.0, 120.0, 240.0, 480.0, 960.0, 2400.0]
    );
    assert_eq!(
        minute_edges(240.0, 480.0),
        [120.0, 240.0, 480.0, 960.0, 2400.0]
    );
    assert_eq!(
        deadline_edges(480.0),
        [-480.0, -240.0, -60.0, 0.0, 60.0, 240.0, 480.0, 960.0]
    );
    // A short day (4 hours) drops the hour edges a day already covers.
    assert_eq!(
        deadline_edges(240.0),
        [-240.0, -60.0, 0.0, 60.0, 240.0, 480.0]
    );
}

fn bars_of(
    spec: &crate::report::charts::Spec,
) -> (
    Vec<String>,
    Vec<Vec<f64>>,
    Option<crate::report::charts::XRef>,
) {
    match spec {
        crate::report::charts::Spec::Bars {
            x, series, x_ref, ..
        } => (
            x.clone(),
            series.iter().map(|s| s.1.clone()).collect(),
            x_ref.clone(),
        ),
        _ => panic!("bars"),
    }
}

#[test]
fn time_to_first_attempt_counts_the_never_attempted_and_marks_a_minute_target() {
    use crate::config::Target;
    let rows = facts();
    let npr: Vec<&FactRow> = rows
        .iter()
        .filter(|r| r.category.as_deref() == Some("new_patient_request"))
        .collect();
    let (x, series, r) = bars_of(&crate::report::figures::speed(
        &npr,
        Target::Minutes(30),
        480.0,
    ));
    assert_eq!(x.len(), 10);
    assert_eq!(x[0], "0–15\nmin");
    assert_eq!(x[9], "not\nattempted");
    // 10 at 12 min; 3 at 20; 2 at 95; 7 at 180 + i (197..203: 2–4 hours).
    assert_eq!(
        series[0],
        [10.0, 3.0, 0.0, 2.0, 7.0, 0.0, 0.0, 0.0, 0.0, 0.0]
    );
    assert_eq!(
        series[1],
        [0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 2.0]
    );
    // The line between "15–30 min" and "30–60 min".
    let r = r.unwrap();
    assert_eq!((r.at, r.label.as_str()), (1.5, "target 30 min"));
    assert_eq!(
        (r.before.as_str(), r.after.as_str()),
        ("within 30 min", "later")
    );
    // An attempt exactly at the target meets it: in the bar left of the line.
    let mut one = fact(1, "2026-11-16", 9, Some(30.0));
    one.met_target = Some(true);
    let (_, series, _) = bars_of(&crate::report::figures::speed(
        &[&one],
        Target::Minutes(30),
        480.0,
    ));
    assert_eq!(series[0][1], 1.0);
}

#[test]
fn a_next_day_target_is_charted_against_each_requests_deadline() {
    use crate::config::Target;
    let rows = facts();
    let refs: Vec<&FactRow> = rows
        .iter()
        .filter(|r| r.category.as_deref() == Some("referral"))
        .collect();
    let target = Target::NextDayBy(chrono::NaiveTime::from_hms_opt(17, 0, 0).unwrap());
    let (x, series, r) = bars_of(&crate::report::figures::speed(&refs, target, 480.0));
    // Over a day before, 4–8 h, 1–4 h, 0–1 h before | 0–1 h, 1–4 h, 4–8 h,
    // 1–2 days, over 2 days after | not attempted.
    assert_eq!(x.len(), 10);
    assert_eq!(
        &x[..4],
        ["over\n1 day", "4–8\nhours", "1–4\nhours", "0–1\nhour"]
    );
    assert_eq!(x[4], "0–1\nhour");
    // 300 minutes against deadlines 400 (100 before) and 200 (100 after).
    assert_eq!(
        series[0],
        [0.0, 0.0, 6.0, 0.0, 0.0, 6.0, 0.0, 0.0, 0.0, 0.0]
    );
    let r = r.unwrap();
    assert_eq!(r.at, 3.5);
    assert_eq!(r.label, "deadline: next business day by 17:00");
    assert_eq!(
        (r.before.as_str(), r.after.as_str()),
        ("by the deadline", "after it")
    );
}

#[test]
fn the_waiting_curve_is_the_kaplan_meier_estimate_with_the_target_and_goal() {
    use crate::config::Target;
    // docs/METRICS.md's example: first attempts at 30, 60, 90; closed without
    // one at 60; still waiting after 120 and 240.
    let rows: Vec<FactRow> = [
        (30.0, true),
        (60.0, false),
        (60.0, true),
        (90.0, true),
        (120.0, false),
        (240.0, false),
    ]
    .into_iter()
    .enumerate()
    .map(|(i, w)| {
        let mut r = fact(i, "2026-11-16", 9, w.1.then_some(w.0));
        r.waits = Some([w, w, w]);
        r
    })
    .collect();
    let refs: Vec<&FactRow> = rows.iter().collect();
    let crate::report::charts::Spec::Steps {
        series,
        x_max,
        ticks,
        x_ref,
        y_ref,
        ..
    } = crate::report::figures::waiting(&refs, Target::Minutes(30), 480.0, 0.9)
    else {
        panic!("steps")
    };
    let first = &series[0].1;
    let s = |v: f64| (v * 1e6).round() / 1e6;
    let got: Vec<(f64, f64)> = first.iter().map(|&(t, v)| (t, s(v))).collect();
    assert_eq!(
        got,
        [
            (0.0, 1.0),
            (30.0, 1.0),
            (30.0, s(5.0 / 6.0)),
            (60.0, s(5.0 / 6.0)),
            (60.0, s(2.0 / 3.0)),
            (90.0, s(2.0 / 3.0)),
            (90.0, s(4.0 / 9.0)),
            // Drawn as far as the longest wait.
            (240.0, s(4.0 / 9.0)),
        ]
    );
    // p90 unknown: the axis runs to the longest wait, in humane ticks.
    assert_eq!(x_max, 240.0);
    assert_eq!(ticks.last().unwrap().1, "4 hours");
    assert_eq!(x_ref.unwrap().at, 30.0);
    assert_eq!(y_ref.unwrap().0, 1.0 - 0.9);
    // A next-day target: the line at the median deadline.
    let mut rows = rows;
    for (i, r) in rows.iter_mut().enumerate() {
        r.minutes_to_deadline = Some(100.0 * (i + 1) as f64);
    }
    let refs: Vec<&FactRow> = rows.iter().collect();
    let target = crate::config::Target::SameDay;
    let crate::report::charts::Spec::Steps { x_ref, .. } =
        crate::report::figures::waiting(&refs, target, 480.0, 0.9)
    else {
        panic!("steps")
    };
    let x_ref = x_ref.unwrap();
    assert_eq!(x_ref.at, 300.0);
    assert_eq!(
        x_ref.label,
        "the median request's deadline (same business day), 5 hours after it"
    );
}

#[test]
fn a_small_category_says_too_few_instead_of_charting() {
    use crate::report::figures::too_few;
    assert_eq!(
        too_few(0, 10, "2026-W47").as_deref(),
        Some("No requests in 2026-W47")
    );
    assert_eq!(
        too_few(3, 10, "2026-W47").as_deref(),
        Some("Too few requests (n=3) to chart: charts need 10 or more")
    );
    assert_eq!(too_few(10, 10, "2026-W47"), None);
    // Three missed-call requests: every chart of the week's requests says so;
    // the backlog (open tasks, not a sample) is drawn.
    let mut data = week();
    for i in 0..3 {
        let mut r = fact(100 + i, "2026-11-17", 10, Some(20.0));
        r.category = Some("missed_call".into());
        data.facts.push(r);
    }
    let r = weekly::build(&config(), &data).unwrap();
    for name in ["speed", "waiting", "share_by_day", "funnel"] {
        let c = r
            .charts
            .iter()
            .find(|c| c.name == format!("missed_call_{name}"))
            .unwrap();
        assert!(c.svg.contains("Too few requests (n=3)"), "{name}");
        assert!(c.title.starts_with("Missed call: "), "{}", c.title);
    }
    let npr = r
        .charts
        .iter()
        .find(|c| c.name == "new_patient_request_speed")
        .unwrap();
    assert!(!npr.svg.contains("Too few"));
    // With min_n = 3 they are charted.
    data.min_n = 3;
    let r = weekly::build(&config(), &data).unwrap();
    let c = r
        .charts
        .iter()
        .find(|c| c.name == "missed_call_speed")
        .unwrap();
    assert!(!c.svg.contains("Too few"));
}

#[test]
fn heatmap_cells_carry_their_n_and_closed_hours() {
    let config = config();
    let crate::report::charts::Spec::Heatmap {
        cols,
        counts,
        closed,
        values,
        ..
    } = crate::report::figures::heatmap(&facts(), Some(&config.practices[0].hours))
    else {
        panic!("heatmap")
    };
    assert_eq!(cols.first().map(String::as_str), Some("7"));
    assert_eq!(cols.last().map(String::as_str), Some("18"));
    let col = |h: &str| cols.iter().position(|c| c == h).unwrap();
    // Monday 9:00: T000, T004, T008 (hours 9 + i % 4).
    assert_eq!(counts[0][col("9")], 3);
    assert_eq!(values[0][col("9")], Some(1.0));
    // Closed: before 8, the lunch hour, from 17; open 8–11 and 13–16.
    let shut: Vec<&str> = cols
        .iter()
        .enumerate()
        .filter(|(c, _)| closed[0][*c])
        .map(|(_, h)| h.as_str())
        .collect();
    assert_eq!(shut, ["7", "12", "17", "18"]);
    // Without hours, nothing is marked closed.
    let crate::report::charts::Spec::Heatmap { closed, .. } =
        crate::report::figures::heatmap(&facts(), None)
    else {
        panic!("heatmap")
    };
    assert!(closed.iter().flatten().all(|c| !c));
}

#[test]
fn x_labels_shrink_then_thin_rather_than_overlap() {
    use crate::report::charts::fit_labels;
    let xs = [0, 60, 120, 180];
    // 40 px at 12 px leaves 20 px: fits.
    assert_eq!(fit_labels(&xs, |_| vec![40; 4]), (12, 1));
    // 56 px at 12 and 11, 52 at 10: the first size with 6 px between.
    assert_eq!(
        fit_labels(&xs, |s| vec![if s >= 11 { 56 } else { 52 }; 4]),
        (10, 1)
    );
    // Too wide at every size: every other label at the smallest.
    assert_eq!(fit_labels(&xs, |_| vec![80; 4]), (9, 2));
}

#[test]
fn every_category_chart_labels_fit_at_the_rendered_size() {
    use plotters::prelude::*;
    crate::render::style::register_fonts();
    // The widest case: ten bars across the plot of a 760 px chart.
    let mut svg = String::new();
    let area = SVGBackend::with_string(&mut svg, (760, 380)).into_drawing_area();
    let slot = (760 - 2 * 12 - 64) / 10;
    let rows = facts();
    let refs: Vec<&FactRow> = rows.iter().collect();
    let target =
        crate::config::Target::NextDayBy(chrono::NaiveTime::from_hms_opt(12, 0, 0).unwrap());
    for spec in [
        crate::report::figures::speed(&refs, crate::config::Target::Minutes(30), 480.0),
        crate::report::figures::speed(&refs, target, 480.0),
    ] {
        let (x, _, _) = bars_of(&spec);
        for label in &x {
            for line in label.split('\n') {
                let (w, _) = area
                    .estimate_text_size(
                        line,
                        &TextStyle::from((crate::render::style::FONT, 11).into_font()),
                    )
                    .unwrap();
                assert!(w as i32 + 6 <= slot, "{line:?} is {w} px of {slot}");
            }
        }
    }
}
