//! The report's staffing section, rendered from the staffing view's numbers
//! (handed over as `Staffing`, a typed summary the pipeline fills in).

use super::charts::Chart;
use super::markup::Table;
use super::{Report, Section};

/// What the report shows of the staffing view.
#[derive(Debug, Clone, Default)]
pub struct Staffing {
    pub practices: Vec<PracticeStaffing>,
    /// The assumptions behind the numbers, one item each, every practice's in turn.
    pub assumptions: Vec<String>,
    /// The workload heatmap (SVG, PNG), shown when there is one practice.
    pub heatmap: Option<(String, Vec<u8>)>,
}

/// One practice's recommendation and calibration.
#[derive(Debug, Clone, Default)]
pub struct PracticeStaffing {
    pub practice_id: String,
    pub target_share: f64,
    pub va_hours_per_week: u32,
    pub reaches_target: bool,
    /// The recommendation as a planner reads it, one line per shift pattern.
    pub plan: Vec<String>,
    /// The shifts to buy, one row per weekday pattern.
    pub shifts: Vec<ShiftRow>,
    /// Categories below the goal as measured whose replay meets it.
    pub not_for_lack_of_hours: Vec<String>,
    /// All categories together, share within target.
    pub measured: Option<f64>,
    pub replayed: Option<f64>,
    pub categories: Vec<CategoryStaffing>,
    /// Paid assistant hours a week the live line needs on the phones beyond
    /// the staff who answer it (one roster's phone shifts), and its busiest
    /// blocks ("Mon 14:00 ×5").
    pub phone_hours_per_week: u32,
    pub phone_peaks: Vec<String>,
    /// The calibration gap beyond which a category is flagged (a share, 0.10).
    pub calibration_tolerance: f64,
    /// Per hour the clock started ("08:00"): tasks due, measured share, predicted with the shifts.
    pub by_hour: Vec<(String, u32, Option<f64>, Option<f64>)>,
}

/// One weekday pattern of the recommended shifts.
#[derive(Debug, Clone, Default)]
pub struct ShiftRow {
    pub assistants: u32,
    /// "Mon-Fri".
    pub days: String,
    /// "13:00-17:00 (4 h)".
    pub hours: String,
    /// "front_desk + referrals".
    pub lanes: String,
    pub paid_hours_per_week: u32,
}

/// One category's shares within target.
#[derive(Debug, Clone, Default)]
pub struct CategoryStaffing {
    /// The category as the report names it (its `label`).
    pub category: String,
    pub measured: Option<f64>,
    pub replayed: Option<f64>,
    pub gap: Option<f64>,
    /// The gap is beyond the staffing view's tolerance: flagged "!".
    pub off_calibration: bool,
    pub predicted: Option<f64>,
}

fn pct(v: Option<f64>) -> String {
    v.map_or("—".into(), |x| format!("{:.1}%", x * 100.0))
}

fn pts(v: Option<f64>) -> String {
    v.map_or("—".into(), |x| format!("{:+.1} pts", x * 100.0))
}

/// What the section says of one practice: its recommendation, the categories
/// below the goal not for lack of hours, all categories together.
fn practice_text(v: &PracticeStaffing, many: bool) -> Vec<String> {
    let pid = v.practice_id.as_str();
    let goal = v.target_share;
    let plan = &v.plan;
    let mut text = vec![format!(
        "{}Recommended: {} paid virtual-assistant hour(s) a week, in {}{}.",
        if many {
            format!("{pid}: ")
        } else {
            String::new()
        },
        v.va_hours_per_week,
        match plan.len() {
            0 => "no shift".to_string(),
            1 => "the shift below".to_string(),
            _ => "the shifts below".to_string(),
        },
        if v.reaches_target {
            format!(", which bring every category an assistant may work to {:.0}% within target by the calibrated prediction", goal * 100.0)
        } else {
            " (the goal is not reached within the caps)".to_string()
        },
    )];
    if v.phone_hours_per_week > 0 {
        text.push(format!(
            "The live line needs assistants on the phones beyond the staff who answer it (Erlang C at the config's service level, scheduled after shrinkage; busiest: {}): {} paid hours a week in shifts (`followup staffing`; `staffing_roster.csv` hour by hour). One roster: {} callback + {} phone = {} paid assistant hours a week. An assistant on the phones does not work callbacks then.",
            v.phone_peaks.join(", "),
            v.phone_hours_per_week,
            v.va_hours_per_week,
            v.phone_hours_per_week,
            v.va_hours_per_week + v.phone_hours_per_week
        ));
    }
    let odd = &v.not_for_lack_of_hours;
    if !odd.is_empty() {
        text.push(format!(
            "Below the goal as measured, but the replay of the roster as worked meets it, so not for lack of hours (look at priority and routing): {}.",
            odd.join(", ")
        ));
    }
    text.push(format!(
        "All categories together: {} within target measured, {} replayed with the roster as worked.",
        pct(v.measured),
        pct(v.replayed)
    ));
    text
}

/// The chart leading the shares: within target by the hour the clock
/// started, as measured and as predicted with the shifts, against the goal.
fn by_hour_chart(v: &PracticeStaffing) -> Option<Chart> {
    if v.by_hour.is_empty() {
        return None;
    }
    let spec = crate::report::charts::Spec::Lines {
        x: (v.by_hour.iter())
            .map(|(h, n, ..)| format!("{h}\nn={n}"))
            .collect(),
        series: vec![
            (
                "measured (roster as worked)".into(),
                v.by_hour.iter().map(|r| r.2).collect(),
            ),
            (
                "predicted with the shifts".into(),
                v.by_hour.iter().map(|r| r.3).collect(),
            ),
        ],
        y_label: "share within target".into(),
        x_label:
            "hour the request's clock started (all weekdays; categories an assistant may work)"
                .into(),
        y_ref: Some((
            v.target_share,
            format!("goal {:.0}%", v.target_share * 100.0),
        )),
        percent: true,
    };
    crate::report::charts::render(
        "staffing_by_hour",
        "Share within target by hour, with and without the shifts",
        &spec,
        None,
    )
    .ok()
}

/// Add the staffing sections before the data-quality section: the shifts to
/// buy and what they do, the shares within target with and without them (with
/// the heatmap), and the assumptions as a table.
pub fn add_section(r: &mut Report, s: &Staffing) {
    let many = s.practices.len() > 1;
    let name = |pid: &str, x: &str| {
        if many {
            format!("{pid} {x}")
        } else {
            x.to_string()
        }
    };
    let mut roster = Table::new(&["assistants", "days", "hours", "lanes", "paid hours a week"]);
    roster.numeric = vec![true, false, false, false, true];
    let mut table = Table::new(&[
        "category",
        "measured",
        "replayed (roster as worked)",
        "calibration gap",
        "predicted with the shifts",
    ]);
    table.numeric = vec![false, true, true, true, true];
    let mut text = vec![
        "Callback work is deferred work: it is sized by workload in each weekday × hour block and checked by a replay of the last 13 weeks (each lane worked in the order the team was seen to work it, retries deferred as the team deferred them, backlog carried across blocks and days). Assistants are bought as shifts; the gap between the replayed and the measured share within target is shown beside every prediction.".to_string(),
    ];
    let mut shares_text = Vec::new();
    let mut flagged = Vec::new();
    let tolerance = s.practices.first().map_or(0.0, |v| v.calibration_tolerance);
    for v in &s.practices {
        let pid = v.practice_id.as_str();
        let mut t = practice_text(v, many);
        // The pooled calibration goes with the shares.
        if let Some(last) = t.pop() {
            shares_text.push(if many { format!("{pid}: {last}") } else { last });
        }
        text.extend(t);
        for sh in &v.shifts {
            roster.push(vec![
                sh.assistants.to_string(),
                name(pid, &sh.days),
                sh.hours.clone(),
                sh.lanes.clone(),
                sh.paid_hours_per_week.to_string(),
            ]);
        }
        for c in &v.categories {
            table.push(vec![
                name(pid, &c.category),
                pct(c.measured),
                pct(c.replayed),
                format!(
                    "{}{}",
                    pts(c.gap),
                    if c.off_calibration { " !" } else { "" }
                ),
                pct(c.predicted),
            ]);
            if c.off_calibration {
                flagged.push(name(pid, &c.category));
            }
        }
    }
    if !flagged.is_empty() {
        shares_text.push(format!(
            "! The replay of the roster as worked misses the measured share by more than {:.0} points: the prediction is less certain for {}.",
            tolerance * 100.0,
            flagged.join(", ")
        ));
    }
    shares_text.push("Heatmap cells: callback workload as a share of the capacity as worked in that weekday and hour (blue: room to spare, vermillion: more work than hours). Tables, what-ifs and the inbound line: `followup staffing` (docs/STAFFING.md).".into());
    let mut assumptions = Table::new(&["assumption", "value"]);
    assumptions.numeric = vec![false, false];
    for l in &s.assumptions {
        let (k, v) = l.split_once(": ").unwrap_or(("", l.as_str()));
        assumptions.push(vec![k.to_string(), v.to_string()]);
    }
    let mut charts = Vec::new();
    if let (false, Some(v)) = (many, s.practices.first()) {
        if let Some(c) = by_hour_chart(v) {
            r.charts.push(c);
            charts.push(r.charts.len() - 1);
        }
    }
    if let (false, Some((svg, png))) = (many, &s.heatmap) {
        r.charts.push(Chart {
            name: "staffing_heatmap".into(),
            title: "Callback workload as % of capacity".into(),
            svg: svg.clone(),
            png: png.clone(),
        });
        charts.push(r.charts.len() - 1);
    }
    let at = r
        .sections
        .iter()
        .position(|s| s.title.starts_with("Data quality"))
        .unwrap_or(r.sections.len());
    let sections = [
        Section {
            title: "Staffing: the shifts to buy".into(),
            text,
            table: (!roster.rows.is_empty()).then_some(roster),
            charts: vec![],
        },
        Section {
            title: "Staffing: share within target with and without the shifts".into(),
            text: shares_text,
            table: Some(table),
            charts,
        },
        Section {
            title: "Staffing: assumptions".into(),
            text: vec![],
            table: (!assumptions.rows.is_empty()).then_some(assumptions),
            charts: vec![],
        },
    ];
    for (i, sec) in sections.into_iter().enumerate() {
        r.sections.insert(at + i, sec);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn report() -> Report {
        Report {
            title: "Follow-up report".into(),
            week: "2026-W47".into(),
            subtitle: "Riverside".into(),
            headlines: Table::new(&["measure", "this week"]),
            headline_notes: Vec::new(),
            findings: vec![],
            no_findings: "Nothing stands out.".into(),
            sections: vec![Section {
                title: "Data quality".into(),
                text: vec![],
                table: None,
                charts: vec![],
            }],
            charts: vec![],
        }
    }

    fn staffing() -> Staffing {
        Staffing {
            practices: vec![PracticeStaffing {
                practice_id: "p001".into(),
                target_share: 0.9,
                va_hours_per_week: 4,
                reaches_target: true,
                plan: vec![
                    "1 assistant Mon 13:00-17:00 (4 h), lane front_desk: 4 paid h a week".into(),
                ],
                shifts: vec![ShiftRow {
                    assistants: 1,
                    days: "Mon".into(),
                    hours: "13:00-17:00 (4 h)".into(),
                    lanes: "front_desk".into(),
                    paid_hours_per_week: 4,
                }],
                not_for_lack_of_hours: vec!["referral".into()],
                measured: Some(0.8125),
                replayed: None,
                categories: vec![CategoryStaffing {
                    category: "referral".into(),
                    measured: Some(0.75),
                    replayed: Some(0.8),
                    gap: Some(0.12),
                    off_calibration: true,
                    predicted: None,
                }],
                phone_hours_per_week: 0,
                phone_peaks: vec![],
                calibration_tolerance: 0.1,
                by_hour: vec![],
            }],
            assumptions: vec!["Period: tasks created 2026-08-24 to 2026-11-22.".into()],
            heatmap: Some(("<svg/>".into(), vec![1, 2, 3])),
        }
    }

    #[test]
    fn the_section_goes_before_data_quality_with_its_heatmap() {
        let mut r = report();
        add_section(&mut r, &staffing());
        let titles: Vec<&str> = r.sections.iter().map(|s| s.title.as_str()).collect();
        assert_eq!(
            titles,
            [
                "Staffing: the shifts to buy",
                "Staffing: share within target with and without the shifts",
                "Staffing: assumptions",
                "Data quality"
            ]
        );
        assert_eq!(r.sections[1].charts, [0]);
        assert_eq!(r.charts[0].name, "staffing_heatmap");
        assert_eq!(r.charts[0].png, [1, 2, 3]);
    }

    #[test]
    fn the_shares_lead_with_the_chart_by_hour_when_there_is_one() {
        let mut r = report();
        let mut s = staffing();
        s.practices[0].by_hour = vec![
            ("08:00".into(), 40, Some(0.5), Some(0.92)),
            ("13:00".into(), 60, Some(0.6), Some(0.95)),
        ];
        add_section(&mut r, &s);
        assert_eq!(r.sections[1].charts, [0, 1]);
        assert_eq!(r.charts[0].name, "staffing_by_hour");
        assert!(r.charts[0].svg.contains("predicted with the shifts"));
        assert!(r.charts[0].svg.contains("n=60"));
        assert_eq!(r.charts[1].name, "staffing_heatmap");
    }

    #[test]
    fn the_section_renders_as_markdown() {
        let mut r = report();
        add_section(&mut r, &staffing());
        let md = super::super::render::markdown(&r);
        let section = &md[md.find("## Staffing").unwrap()..md.find("## Data quality").unwrap()];
        let want = "## Staffing: the shifts to buy\n\n\
Callback work is deferred work: it is sized by workload in each weekday × hour block and checked by a replay of the last 13 weeks (each lane worked in the order the team was seen to work it, retries deferred as the team deferred them, backlog carried across blocks and days). Assistants are bought as shifts; the gap between the replayed and the measured share within target is shown beside every prediction.\n\n\
Recommended: 4 paid virtual-assistant hour(s) a week, in the shift below, which bring every category an assistant may work to 90% within target by the calibrated prediction.\n\n\
Below the goal as measured, but the replay of the roster as worked meets it, so not for lack of hours (look at priority and routing): referral.\n\n\
| assistants | days | hours | lanes | paid hours a week |\n\
|---:|---|---|---|---:|\n\
| 1 | Mon | 13:00-17:00 (4 h) | front_desk | 4 |\n\n\n\
## Staffing: share within target with and without the shifts\n\n\
All categories together: 81.2% within target measured, — replayed with the roster as worked.\n\n\
! The replay of the roster as worked misses the measured share by more than 10 points: the prediction is less certain for referral.\n\n\
Heatmap cells: callback workload as a share of the capacity as worked in that weekday and hour (blue: room to spare, vermillion: more work than hours). Tables, what-ifs and the inbound line: `followup staffing` (docs/STAFFING.md).\n\n\
| category | measured | replayed (roster as worked) | calibration gap | predicted with the shifts |\n\
|---|---:|---:|---:|---:|\n\
| referral | 75.0% | 80.0% | +12.0 pts ! | — |\n\n\
![Callback workload as % of capacity](charts/staffing_heatmap.png)\n\n\n\
## Staffing: assumptions\n\n\
| assumption | value |\n\
|---|---|\n\
| Period | tasks created 2026-08-24 to 2026-11-22. |\n\n\n";
        assert_eq!(section, want);
    }

    #[test]
    fn several_practices_name_each_line_and_show_no_heatmap() {
        let mut r = report();
        let mut s = staffing();
        let mut other = s.practices[0].clone();
        other.practice_id = "p002".into();
        other.reaches_target = false;
        other.plan.clear();
        other.shifts.clear();
        s.practices.push(other);
        add_section(&mut r, &s);
        let text = r.sections[0].text.join("\n");
        assert!(text.contains("p002: Recommended: 4 paid virtual-assistant hour(s) a week, in no shift (the goal is not reached within the caps)."), "{text}");
        assert!(r.charts.is_empty());
        let roster = &r.sections[0].table.as_ref().unwrap().rows;
        assert_eq!(roster.len(), 1);
        assert_eq!(roster[0][1], "p001 Mon");
        let rows = &r.sections[1].table.as_ref().unwrap().rows;
        assert_eq!(rows[1][0], "p002 referral");
    }
}
