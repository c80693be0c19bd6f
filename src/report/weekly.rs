//! The weekly report, built from the week's typed data (`input::WeekData`):
//! headline numbers against the goal, findings, a section per category, the
//! charts across categories, the longest waits, the daily review and data quality.

use super::charts::{self, Chart, Spec};
use super::headlines;
use super::input::{Measure, WeekData};
use super::markup::Table;
use super::{figures, findings, minutes, num, outcomes, pct, tables, week_label, Report, Section};
use crate::config::Config;
use crate::metrics::survival::{kaplan_meier, Curve};
use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate};

/// The trend weeks, oldest first: (ISO week, its Sunday).
pub fn trend_weeks(monday: NaiveDate) -> Vec<(String, NaiveDate)> {
    (0..super::TREND_WEEKS)
        .rev()
        .map(|k| {
            let m = monday - Duration::weeks(k);
            (week_label(m), m + Duration::days(6))
        })
        .collect()
}

/// `measure` of `week` in the weekly aggregates.
fn of_week(data: &WeekData, week: &str, measure: Measure) -> Option<f64> {
    headlines::of(data, week).and_then(measure)
}

/// The 13-week trend of the share within target, against the goal.
fn trend_chart(data: &WeekData, weeks: &[(String, NaiveDate)]) -> Result<Chart> {
    let share: Vec<Option<f64>> = weeks
        .iter()
        .map(|(w, _)| {
            // A week's share once every request of it is decided (docs/METRICS.md, "maturity").
            of_week(data, w, |m| m.within_target_share)
                .filter(|_| of_week(data, w, |m| m.undecided) == Some(0.0))
        })
        .collect();
    let goal = data.goal;
    charts::render(
        "trend_within_target",
        "Share first attempted within target, 13 weeks (weeks whose requests are all decided)",
        &Spec::Lines {
            x: weeks.iter().map(|(w, _)| w[5..].to_string()).collect(),
            series: vec![("all categories".into(), share.clone())],
            y_label: "share within target".into(),
            x_label: "ISO week".into(),
            y_ref: Some((goal, format!("goal {:.0}%", goal * 100.0))),
            percent: true,
        },
        share
            .iter()
            .all(Option::is_none)
            .then_some("No requests in these weeks"),
    )
}

/// The categories the report has a section for: the first practice's.
fn first_categories(config: &Config) -> Vec<&crate::config::Category> {
    config
        .practices
        .first()
        .map(|p| p.categories.values().collect())
        .unwrap_or_default()
}

/// The weekly report's charts, drawn: the trend, each category's (in the
/// order of [`first_categories`]) and those across categories. They read the
/// week's metrics and facts and nothing the report adds later (the finder's
/// bottlenecks), so the nightly draws them while the staffing views and the
/// findings are computed. Drawn side by side: each chart is independent.
pub struct Drawn {
    trend: Chart,
    categories: Vec<Vec<Chart>>,
    across: Vec<Chart>,
}

/// Draw the week's charts ([`Drawn`]).
pub fn draw(config: &Config, data: &WeekData) -> Result<Drawn> {
    use rayon::prelude::*;
    let week = week_label(data.monday);
    let weeks = trend_weeks(data.monday);
    let cats = first_categories(config);
    let (trend, (categories, across)) = rayon::join(
        || trend_chart(data, &weeks),
        || {
            rayon::join(
                || {
                    cats.par_iter()
                        .map(|c| figures::category_charts(data, &c.name, c.target, &week))
                        .collect::<Result<Vec<_>>>()
                },
                || figures::across_charts(data, &weeks, &week),
            )
        },
    );
    Ok(Drawn {
        trend: trend?,
        categories: categories?,
        across: across?,
    })
}

/// The categories table and one section per category of the first practice, with its charts.
fn categories(
    config: &Config,
    data: &WeekData,
    drawn: Vec<Vec<Chart>>,
    charts: &mut Vec<Chart>,
) -> Result<Vec<Section>> {
    let mut table = Table::new(&[
        "category",
        "target",
        "requests",
        "median",
        "p90",
        "within target",
        "reached¹",
        "completed¹",
        "booked¹",
        "kept¹",
    ]);
    let weeks = trend_weeks(data.monday);
    let mut sections = Vec::new();
    let mut drawn = drawn.into_iter();
    for p_cat in first_categories(config) {
        let name = p_cat.name.as_str();
        let m = data
            .categories
            .iter()
            .find(|(c, _)| c.as_deref() == Some(name))
            .map(|(_, m)| m.clone())
            .unwrap_or_default();
        let curve = first_attempt_curve(data, name);
        table.push(vec![
            data.label(name),
            p_cat.target.short().replace(' ', "\u{a0}"),
            num(m.tasks),
            // Kept on one line in a narrow column ("2.8 h", not "2.8" over "h").
            minutes(curve.median()).replace(' ', "\u{a0}"),
            minutes(curve.p90()).replace(' ', "\u{a0}"),
            pct(m.within_target_share),
            matured(data, &weeks, name, |m| m.reached_in_age_rate),
            matured(data, &weeks, name, |m| m.completed_in_age_rate),
            matured(data, &weeks, name, |m| m.booked_in_age_rate),
            matured(data, &weeks, name, |m| m.kept_in_age_rate),
        ]);
        let first = charts.len();
        charts.extend(drawn.next().context("a category's charts are drawn")?);
        sections.push(Section {
            title: format!("Category: {}", data.label(name)),
            text: vec![format!(
                "Target: {}; {} attempts at most, {} business day(s) apart, final attempt by {}.",
                p_cat.target, p_cat.max_attempts, p_cat.min_gap_days, p_cat.final_channel
            )],
            table: None,
            charts: (first..charts.len()).collect(),
        });
    }
    sections.insert(0, Section {
        title: "Categories this week".into(),
        text: vec![
            "Targets are in business time. ¹ Reached, completed, booked and kept are judged at a fixed age (config maturity; docs/METRICS.md, \"maturity\"), so this week's requests are too young for them: each cell is the category's latest week whose requests are all old enough, named beside the share.".into(),
            "Median and p90 are times to first attempt read from the Kaplan–Meier curve of all the week's requests: a request not yet attempted counts as still waiting (until the end of the week, or until it was closed), so the longest waits are not left out. \"–\": too many are still waiting for it to be known yet.".into(),
            format!(
                "Each category's charts: time to first attempt (business time from the request for a target in minutes or hours; for a same-day or next-day target, business time before or after each request's own deadline; the grey bar counts requests not attempted by the end of the week; the dashed line is the target). Share still waiting: of the week's requests, the share not yet first attempted, reached or completed t business hours after the request, counting those still open (Kaplan–Meier, docs/METRICS.md \"time-to-event\"); the dashed line is the target (for a same-day or next-day target, the median request's deadline). A category with fewer than {} requests in the week shows \"too few requests\" in place of these charts: its numbers are in the table above.",
                data.min_n.max(1)
            ),
        ],
        table: Some(table),
        charts: vec![],
    });
    Ok(sections)
}

/// The outcome at a fixed age of `category`'s latest week (of `weeks`) that is
/// mature for it, as "72% W46"; "–" when none is.
fn matured(
    data: &WeekData,
    weeks: &[(String, NaiveDate)],
    category: &str,
    rate: Measure,
) -> String {
    headlines::latest_known(weeks, |w| {
        headlines::of_category(data, category, w).and_then(rate)
    })
    .map(|(w, r)| format!("{}\u{a0}{}", pct(Some(r)), headlines::short(w)))
    .unwrap_or_else(|| "–".into())
}

/// The Kaplan–Meier curve of the week's time to first attempt in `category`
/// (docs/METRICS.md, "time-to-event").
fn first_attempt_curve(data: &WeekData, category: &str) -> Curve {
    let mut obs: Vec<(f64, bool)> = data
        .facts
        .iter()
        .filter(|r| r.category.as_deref() == Some(category))
        .filter_map(|r| r.waits.map(|w| w[0]))
        .collect();
    kaplan_meier(&mut obs)
}

/// Build the weekly report from its typed data: [`draw`], then
/// [`build_drawn`], as the nightly does with work in between.
#[cfg(test)]
pub fn build(config: &Config, data: &WeekData) -> Result<Report> {
    build_drawn(config, data, draw(config, data)?)
}

/// Build the weekly report from its typed data and its charts, drawn from
/// the same data ([`draw`]; the bottlenecks may have been added since).
pub fn build_drawn(config: &Config, data: &WeekData, drawn: Drawn) -> Result<Report> {
    let monday = data.monday;
    let sunday = monday + Duration::days(6);
    let week = week_label(monday);
    let weeks = trend_weeks(monday);
    let mut charts = vec![drawn.trend];
    let (headlines, headline_notes) = super::headlines::table(config, data, &weeks);
    let found = findings::all(data, &weeks);
    let mut sections = categories(config, data, drawn.categories, &mut charts)?;
    // After the categories table, before the sections of each category.
    sections.insert(1, outcomes::section(config, data));
    let all = headlines::of(data, &week).cloned().unwrap_or_default();
    sections.insert(2, tables::owners(&data.owners, &all));
    let first = charts.len();
    charts.extend(drawn.across);
    sections.push(Section {
        title: "Across categories".into(),
        text: vec![format!(
            "Heatmap cells are the share of requests created in that weekday and hour that were first attempted within target (blue: in target, vermillion: missed; grey: no requests), with the number of requests (n) it is a share of: a share of a few requests says little. Hatched cells are hours the practice is closed{}; a request made then starts its clock at the next opening.",
            config
                .practices
                .first()
                .map(|p| format!(" ({})", p.name))
                .unwrap_or_default()
        )],
        table: None,
        charts: (first..charts.len()).collect(),
    });
    sections.push(tables::longest_waits(config, &data.facts, sunday));
    sections.push(tables::daily_review(&data.review));
    sections.push(tables::data_quality(&data.quality));
    let practices: Vec<&str> = config.practices.iter().map(|p| p.name.as_str()).collect();
    Ok(Report {
        title: format!("Follow-up weekly report, {week}"),
        week: week.clone(),
        subtitle: format!(
            "{} to {} · {} · goal: {:.0}% of requests first attempted within target",
            monday,
            sunday,
            if practices.len() <= 3 {
                practices.join(", ")
            } else {
                format!("{} practices", practices.len())
            },
            data.goal * 100.0
        ),
        headlines,
        headline_notes,
        findings: found,
        no_findings: "Nothing crossed a threshold this week.".into(),
        sections,
        charts,
    })
}
