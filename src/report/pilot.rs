//! The pilot review: the before/after `comparison` table (docs/METRICS.md,
//! "Comparison") as one page a manager can forward, in HTML (self-contained,
//! printable) and Markdown. Pure: built from typed rows (`input::ComparisonRow`,
//! read by `data::read_comparison`).

use super::input::ComparisonRow;
use super::markup::{esc, Table};
use super::{minutes, num};
use chrono::NaiveDate;

/// What the page shows: the two ranges, their equal follow-up and the rows.
pub struct Pilot {
    pub before: (NaiveDate, NaiveDate),
    pub after: (NaiveDate, NaiveDate),
    /// Days each range is observed after its end.
    pub follow_up_days: i64,
    pub rows: Vec<ComparisonRow>,
    /// Category name → how the page names it (`config::Category::label`); a
    /// name not here reads in words (`config::default_label`).
    pub labels: std::collections::BTreeMap<String, String>,
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    /// A share (value as a percentage, change in percentage points).
    Share,
    /// Business minutes, shown humanely.
    Minutes,
    /// A count whose interval and verdict are of its share of tasks.
    CountOfTasks,
    /// A count with no interval.
    Count,
    /// A mean (attempts per task).
    Mean,
}

fn kind(metric: &str) -> Kind {
    match metric {
        "closed_unable_early"
        | "early_attempts"
        | "over_max_attempts"
        | "final_channel_misses"
        | "unowned" => Kind::CountOfTasks,
        "attempts_per_task" => Kind::Mean,
        m if m.contains("minutes") => Kind::Minutes,
        m if m.ends_with("_rate") || m.ends_with("_share") => Kind::Share,
        _ => Kind::Count,
    }
}

/// The measure as the page names it.
fn label(metric: &str) -> String {
    match metric {
        "tasks" => "requests",
        "median_minutes_to_first_attempt" => "median time to first attempt (business time)",
        "p90_minutes_to_first_attempt" => "90th percentile time to first attempt (business time)",
        "within_target_share" => "share first attempted within target",
        "contact_rate" => "patients reached",
        "completion_rate" => "tasks completed",
        "median_minutes_to_completion" => "median time to completion (business time)",
        "booking_rate" => "tasks that booked an appointment",
        "kept_rate" => "booked appointments kept",
        "voicemail_to_scheduled_rate" => "voicemails that led to a booking",
        "attempts_per_task" => "attempts per task",
        "closed_unable_early" => "closed before the approved attempts",
        "early_attempts" => "attempts sooner than the minimum gap",
        "over_max_attempts" => "tasks over the maximum attempts",
        "final_channel_misses" => "final attempt on the wrong channel",
        "barrier_share" => "tasks with a recorded barrier",
        "notes_poor_share" => "notes of poor quality",
        "unowned" => "tasks with no owner",
        "callbacks_owed" => "missed calls owed a callback",
        "missed_call_return_rate" => "missed calls returned",
        "missed_call_within_target_share" => "missed calls returned within target",
        "median_minutes_to_return" => "median time to return a missed call (business time)",
        "p90_minutes_to_return" => "90th percentile time to return a missed call (business time)",
        "no_show_recovery_rate" => "no-shows rebooked",
        "cancellation_recovery_rate" => "cancellations rebooked",
        "backlog_open_at_last_close" => "open tasks at the last close",
        "backlog_overdue_at_last_close" => "overdue tasks at the last close",
        other => return other.replace('_', " "),
    }
    .to_string()
}

fn signed(v: f64, body: String) -> String {
    // No sign on what shows as zero ("0.0 pts", not "−0.0 pts").
    if !body.chars().any(|c| c.is_ascii_digit() && c != '0') {
        body
    } else if v > 0.0 {
        format!("+{body}")
    } else if v < 0.0 {
        format!("−{body}")
    } else {
        body
    }
}

/// A value as the weekly report shows it (shares to one decimal of a percent).
fn value(k: Kind, v: Option<f64>) -> String {
    match k {
        Kind::Share => v
            .map(|v| format!("{:.1}%", v * 100.0))
            .unwrap_or_else(|| "–".into()),
        Kind::Minutes => minutes(v),
        Kind::Mean => v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "–".into()),
        Kind::Count | Kind::CountOfTasks => num(v),
    }
}

/// A difference (change or interval end), signed: points for shares.
fn delta(k: Kind, v: Option<f64>) -> String {
    let Some(v) = v else {
        return "–".into();
    };
    let a = v.abs();
    let body = match k {
        Kind::Share => format!("{:.1} pts", a * 100.0),
        Kind::Minutes => minutes(Some(a)),
        Kind::Mean => format!("{a:.2}"),
        Kind::Count | Kind::CountOfTasks => num(Some(a)),
    };
    signed(v, body)
}

fn interval(r: &ComparisonRow) -> String {
    let k = kind(&r.metric);
    match (r.ci_low, r.ci_high) {
        (Some(lo), Some(hi)) => {
            // A count's interval is of its share of tasks.
            let k2 = if k == Kind::CountOfTasks {
                Kind::Share
            } else {
                k
            };
            let tail = if k == Kind::CountOfTasks {
                " of tasks"
            } else {
                ""
            };
            format!("{} to {}{tail}", delta(k2, Some(lo)), delta(k2, Some(hi)))
        }
        _ => "–".into(),
    }
}

fn count(n: Option<i64>) -> String {
    n.map(|n| n.to_string()).unwrap_or_else(|| "–".into())
}

fn table(rows: &[&ComparisonRow]) -> Table {
    let mut t = Table::new(&[
        "measure",
        "before",
        "after",
        "change",
        "95% interval of the change",
        "n before",
        "n after",
        "verdict",
    ]);
    t.numeric[7] = false;
    for r in rows {
        let k = kind(&r.metric);
        t.push(vec![
            label(&r.metric),
            value(k, r.before),
            value(k, r.after),
            delta(k, r.change),
            interval(r),
            count(r.n_before),
            count(r.n_after),
            if r.verdict.is_empty() {
                "–".into()
            } else {
                r.verdict.clone()
            },
        ]);
    }
    t
}

fn range(r: (NaiveDate, NaiveDate)) -> String {
    format!("{}..{}", r.0, r.1)
}

impl Pilot {
    pub fn title(&self) -> String {
        format!(
            "Pilot review: {} vs {}",
            range(self.before),
            range(self.after)
        )
    }

    /// The plain explanation under the title.
    pub fn explanation(&self) -> String {
        let l = self.follow_up_days;
        let observed = match l {
            0 => "up to the end of its last day".to_string(),
            1 => "for 1 day after it ends".to_string(),
            _ => format!("for {l} days after it ends"),
        };
        format!(
            "This page compares the requests created before the pilot ({b}) with those \
             created during it ({a}). Each period is observed for the same time, \
             {observed}, so slow outcomes such as a completed task or a kept visit \
             have had an equal chance to happen in both. Times to first attempt, to \
             completion and to return a missed call count the ones still waiting (read from the share still \
             waiting over time), so a growing backlog shows as slower, not hidden. \
             The change is after minus before. \
             The 95% interval is the range the true change most likely lies in, given how \
             many requests there were (n) and how much weeks (or, for periods under four \
             weeks, days) differ from one another. The verdict is \"better\" or \"worse\" only when \
             that whole range lies on one side of zero, and \"no detectable change\" when it \
             includes zero; \"too few\" means one period had nothing to measure, and \"not \
             known yet\" that too many of a period's requests are still waiting for a time \
             to be read. With many \
             measures on one page, about 1 in 20 may show a change by chance alone, so read \
             a single \"better\" or \"worse\" with care and look for a pattern.",
            b = range(self.before),
            a = range(self.after),
        )
    }

    /// The tables: all tasks, then one per category (in the rows' order).
    fn tables(&self) -> Vec<(String, Table)> {
        let mut cats: Vec<&str> = Vec::new();
        for r in &self.rows {
            if !cats.contains(&r.category.as_str()) {
                cats.push(&r.category);
            }
        }
        cats.sort_by_key(|c| !c.is_empty());
        cats.into_iter()
            .map(|c| {
                let rows: Vec<&ComparisonRow> =
                    self.rows.iter().filter(|r| r.category == c).collect();
                let title = if c.is_empty() {
                    "All tasks".to_string()
                } else {
                    self.labels
                        .get(c)
                        .cloned()
                        .unwrap_or_else(|| crate::config::default_label(c))
                };
                (title, table(&rows))
            })
            .collect()
    }
}

const CSS: &str = "
body { font-family: 'DejaVu Sans', 'Helvetica Neue', Arial, sans-serif; color: #212121; max-width: 1100px; margin: 2em auto; padding: 0 1em; line-height: 1.4; }
h1 { font-size: 1.6em; margin-bottom: 0.4em; } h2 { font-size: 1.2em; border-bottom: 1px solid #ddd; padding-bottom: 0.2em; margin-top: 1.6em; }
p.explain { max-width: 48em; }
table { border-collapse: collapse; margin: 0.6em 0; font-size: 0.85em; width: 100%; }
th, td { border-bottom: 1px solid #e0e0e0; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
th { background: #f5f5f5; } td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
td:last-child { white-space: nowrap; }
tr { page-break-inside: avoid; break-inside: avoid; }
@page { size: landscape; margin: 10mm; }
@media print { body { max-width: none; margin: 0; font-size: 11px; } table { font-size: 1em; } th, td { padding: 0.15em 0.5em; } h2 { margin-top: 1em; page-break-after: avoid; break-after: avoid; } }
";

/// The page as self-contained HTML (inline CSS, no external request).
pub fn html(p: &Pilot) -> String {
    let title = esc(&p.title());
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{title}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{title}</h1>\n<p class=\"explain\">{}</p>\n",
        esc(&p.explanation())
    );
    for (t, table) in p.tables() {
        s += &format!(
            "<section>\n<h2>{}</h2>\n{}</section>\n",
            esc(&t),
            table.html()
        );
    }
    s + "</body>\n</html>\n"
}

/// The page as Markdown.
pub fn markdown(p: &Pilot) -> String {
    let mut s = format!("# {}\n\n{}\n", p.title(), p.explanation());
    for (t, table) in p.tables() {
        s += &format!("\n## {t}\n\n{}", table.markdown());
    }
    s
}

/// Files written by `write`.
pub struct Written {
    pub html: std::path::PathBuf,
    pub markdown: std::path::PathBuf,
}

/// Write `pilot.html` and `pilot.md` into `dir`.
pub fn write(p: &Pilot, dir: &std::path::Path) -> anyhow::Result<Written> {
    let html_path = dir.join("pilot.html");
    let md_path = dir.join("pilot.md");
    crate::lake::write_bytes_atomic(&html_path, html(p).as_bytes())?;
    crate::lake::write_bytes_atomic(&md_path, markdown(p).as_bytes())?;
    Ok(Written {
        html: html_path,
        markdown: md_path,
    })
}
