//! Findings worded: one sentence each ("new_patient_request slips Mon–Tue
//! 11:00–15:00 (41% within 30 min vs 88% other hours, n=112): …"), the priced
//! fixes under it, and the anchor of the heatmap cells it comes from.

use super::causes::Worded;
use super::price::Fix;
use super::{Finding, Findings};
use std::fmt::Write;

fn pct(v: Option<f64>) -> String {
    v.map_or_else(|| "–".into(), |v| format!("{:.0}%", v * 100.0))
}

/// The id of a finding's cell range in the staffing heatmap's table, e.g.
/// `heatmap-p001-mon-tue-11-15`.
pub fn anchor(practice: &str, weekdays: &[u8], from: u8, to: u8) -> String {
    let days = super::scan::weekdays_text(weekdays)
        .to_lowercase()
        .replace('–', "-");
    format!("heatmap-{practice}-{days}-{from:02}-{to:02}")
}

/// "Mon–Tue 11:00–15:00".
pub fn when(f: &Finding) -> String {
    format!("{} {:02}:00–{:02}:00", f.days, f.from_hour, f.to_hour)
}

/// The finding's sentence: where, how much, and the named causes with their numbers.
pub fn sentence(f: &Finding) -> String {
    sentence_as(f, &f.category)
}

/// `sentence` with the category named as `shown` (the weekly report names it
/// by its label).
pub fn sentence_as(f: &Finding, shown: &str) -> String {
    let mut s = format!(
        "{} slips {} ({} within {} vs {} other hours, n={}): ",
        shown,
        when(f),
        pct(f.within.share()),
        f.target,
        pct(f.elsewhere.share()),
        f.within.due,
    );
    let named: Vec<String> = f
        .named()
        .map(|m| {
            Worded {
                m,
                lane: &f.lane,
                baseline: &f.baseline,
            }
            .to_string()
        })
        .collect();
    if named.is_empty() {
        s.push_str("no measured cause stands out (inbound calls, competing work, roster, routing and arrivals are as usual)");
    } else {
        s.push_str(&named.join("; "));
    }
    s.push('.');
    s
}

/// A priced fix, with the calibration gap beside the prediction.
pub fn fix_line(x: &Fix) -> String {
    format!(
        "{}: {} predicted (replay {} with it; as worked {} replayed vs {} measured, calibration gap {})",
        x.remedy,
        pct(x.predicted),
        pct(x.with_fix),
        pct(x.replayed),
        pct(x.measured),
        x.gap
            .map_or_else(|| "–".into(), |g| format!("{:+.1} points", g * 100.0)),
    )
}

/// Every practice's findings as text (what `followup findings` prints).
pub fn text(all: &[Findings]) -> String {
    let mut out = String::new();
    for fs in all {
        let _ = writeln!(
            out,
            "{}: {} to {}: {} finding(s) from {} block(s) tried ({}-hour blocks; one-sided test, Holm at {}, n ≥ {}, ≥ {} days, a fall of ≥ {:.0} points)",
            fs.practice,
            fs.from,
            fs.to,
            fs.findings.len(),
            fs.tried,
            fs.params.width,
            fs.params.alpha,
            fs.params.min_n,
            fs.params.min_days,
            fs.params.min_drop * 100.0
        );
        for f in &fs.findings {
            let _ = writeln!(out, "- {}", sentence(f));
            for x in &f.fixes {
                let _ = writeln!(out, "    fix: {}", fix_line(x));
            }
            let _ = writeln!(out, "    heatmap: {} (#{})", when(f), f.anchor);
        }
    }
    out
}
