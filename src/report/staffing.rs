//! The report's staffing section, rendered from the staffing view's outputs
//! (summary.json, assumptions.md, heatmap) in `<week>/staffing`.

use super::charts::Chart;
use super::markup::Table;
use super::{Report, Section};
use anyhow::{Context, Result};
use std::path::Path;

fn pct(v: &serde_json::Value) -> String {
    v.as_f64()
        .map_or("—".into(), |x| format!("{:.1}%", x * 100.0))
}

fn pts(v: &serde_json::Value) -> String {
    v.as_f64()
        .map_or("—".into(), |x| format!("{:+.1} pts", x * 100.0))
}

/// Add the staffing section (before the data-quality section) and its heatmap.
pub fn add_section(r: &mut Report, dir: &Path) -> Result<()> {
    let read = |f: &str| {
        std::fs::read(dir.join(f)).with_context(|| format!("reading {}", dir.join(f).display()))
    };
    let summary: serde_json::Value = serde_json::from_slice(&read("summary.json")?)?;
    let views = summary.as_array().cloned().unwrap_or_default();
    let many = views.len() > 1;
    let mut table = Table::new(&[
        "category",
        "measured",
        "replayed (roster as worked)",
        "calibration gap",
        "predicted with recommended hours",
    ]);
    let mut text = vec![
        "Callback work is deferred work: it is sized by workload in each weekday × hour block and checked by a replay of the last 13 weeks (earliest deadline first in each lane, retries by the attempt rules, backlog carried across blocks and days). The gap between the replayed and the measured share within target is shown beside every prediction.".to_string(),
    ];
    for v in &views {
        let pid = v["practice_id"].as_str().unwrap_or("");
        let goal = v["target_share"].as_f64().unwrap_or(0.9);
        let hours = v["recommended_va_hours_per_week"].as_u64().unwrap_or(0);
        let reached = v["recommendation_reaches_target"].as_bool() == Some(true);
        let plan: Vec<String> = v["recommendation_as_add"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default();
        text.push(format!(
            "{}Recommended: {hours} virtual-assistant hour(s) a week{} — {}.",
            if many { format!("{pid}: ") } else { String::new() },
            if reached {
                format!(", which bring every category an assistant may work to {:.0}% within target in replay", goal * 100.0)
            } else {
                " (the goal is not reached within the cap)".to_string()
            },
            if plan.is_empty() { "none".to_string() } else { plan.join("; ") }
        ));
        let odd: Vec<&str> = v["below_target_not_for_lack_of_hours"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
            .unwrap_or_default();
        if !odd.is_empty() {
            text.push(format!(
                "Below the goal as measured, but the replay of the roster as worked meets it, so not for lack of hours (look at priority and routing): {}.",
                odd.join(", ")
            ));
        }
        let cal = &v["calibration"];
        text.push(format!(
            "All categories together: {} within target measured, {} replayed with the roster as worked.",
            pct(&cal["measured"]),
            pct(&cal["replayed"])
        ));
        for c in v["categories"].as_array().into_iter().flatten() {
            let name = c["category"].as_str().unwrap_or("");
            table.push(vec![
                if many {
                    format!("{pid} {name}")
                } else {
                    name.to_string()
                },
                pct(&c["measured"]),
                pct(&c["replayed"]),
                pts(&c["gap"]),
                pct(&c["recommended_predicted"]),
            ]);
        }
    }
    let assumptions = String::from_utf8(read("assumptions.md")?)?;
    text.extend(
        assumptions
            .lines()
            .filter_map(|l| l.strip_prefix("- "))
            .map(|l| format!("Assumption: {l}")),
    );
    text.push("Heatmap cells: callback workload as a share of the capacity as worked in that weekday and hour (blue: room to spare, vermillion: more work than hours). Tables, what-ifs and the inbound line: `followup staffing` (docs/STAFFING.md).".into());
    let mut charts = Vec::new();
    if !many {
        r.charts.push(Chart {
            name: "staffing_heatmap".into(),
            title: "Callback workload as % of capacity".into(),
            svg: String::from_utf8(read("heatmap.svg")?)?,
            png: read("heatmap.png")?,
        });
        charts.push(r.charts.len() - 1);
    }
    let at = r
        .sections
        .iter()
        .position(|s| s.title.starts_with("Data quality"))
        .unwrap_or(r.sections.len());
    r.sections.insert(
        at,
        Section {
            title: "Staffing".into(),
            text,
            table: Some(table),
            charts,
        },
    );
    Ok(())
}
