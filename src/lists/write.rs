//! Files people open: a CSV per lane and owner (UTF-8 with BOM, formula injection
//! neutralised), a printable HTML page and an .xlsx workbook with a sheet per
//! owner. Everything is written with owner-only permissions.

use super::{OwnerList, PracticeLists, Row};
use crate::lake::{create_private_dir, write_bytes_atomic};
use crate::render::markup::esc;
use anyhow::{Context, Result};
use std::path::Path;

pub(super) const HEADER: [&str; 18] = [
    "rank",
    "urgent",
    "patient",
    "phone",
    "asked at",
    "categories",
    "goal",
    "reasons",
    "attempt",
    "channel",
    "window",
    "last outcome",
    "last note",
    "task ids",
    "script",
    "voicemail wording",
    "fits capacity",
    "at risk",
];

pub(super) fn cells(r: &Row) -> [String; 18] {
    [
        r.rank.to_string(),
        if r.urgent { "URGENT" } else { "" }.into(),
        r.display_name.clone(),
        r.phone.clone(),
        r.asked_at.clone(),
        r.categories.join(", "),
        r.goal.clone(),
        r.reasons.join("; "),
        format!("{} of {}", r.attempt, r.max_attempts),
        r.channel.clone(),
        r.window.clone(),
        r.last_outcome.clone(),
        r.last_note.clone(),
        r.task_ids
            .iter()
            .chain(r.call_ids.iter())
            .cloned()
            .collect::<Vec<_>>()
            .join(" "),
        r.script.clone(),
        r.voicemail.clone(),
        if r.fits { "yes" } else { "overflow" }.into(),
        if r.at_risk { "yes" } else { "" }.into(),
    ]
}

/// Make a cell inert in a spreadsheet: a value beginning with `=`, `+`, `-`, `@`,
/// a tab or a carriage return would be read as a formula, so it gets a leading `'`.
pub fn neutralise(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// A CSV that opens cleanly in Excel: UTF-8 with a byte-order mark, CRLF, every
/// text cell neutralised.
pub fn csv_bytes(rows: &[Row]) -> Result<Vec<u8>> {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::from(&b"\xEF\xBB\xBF"[..]));
    w.write_record(HEADER)?;
    for r in rows {
        w.write_record(cells(r).iter().map(|c| neutralise(c)))?;
    }
    Ok(w.into_inner().context("finishing CSV")?)
}

fn capacity_rows(l: &PracticeLists) -> Vec<[String; 9]> {
    l.owners
        .iter()
        .map(|o| {
            let c = &o.capacity;
            [
                o.lane.clone(),
                o.owner.clone(),
                o.rows.len().to_string(),
                format!("{:.0}", c.rostered_min),
                format!("{:.0}", c.inbound_min),
                format!("{:.0}", c.available_min),
                format!("{:.0}", c.work_min),
                c.fits.to_string(),
                c.overflow.to_string(),
            ]
        })
        .collect()
}

const CAPACITY_HEADER: [&str; 9] = [
    "lane",
    "owner",
    "calls",
    "rostered min",
    "inbound min (measured)",
    "available min",
    "work min on this list",
    "fit",
    "overflow",
];

/// One line per owner for the terminal and the manager's summary.
pub fn capacity_line(o: &OwnerList) -> String {
    let c = &o.capacity;
    let verdict = if c.overflow == 0 {
        "all fit".to_string()
    } else {
        format!(
            "{} overflow here ({:.0} min over for the day)",
            c.overflow,
            c.planned_min - c.available_min
        )
    };
    format!(
        "{}/{}: {} calls, {:.0} min of work; {}'s day: {:.0} min planned of {:.0} min available ({:.0} rostered − {:.0} inbound): {verdict}",
        o.lane,
        o.owner,
        o.rows.len(),
        c.work_min,
        o.owner,
        c.planned_min,
        c.available_min,
        c.rostered_min,
        c.inbound_min
    )
}

/// The manager's summary lines.
pub fn summary(l: &PracticeLists) -> Vec<String> {
    let mut out = vec![format!(
        "{} ({}): {} calls for {} across {} owner list(s); {} overflow; {} unassigned; {} to fix contact details; {} to close as unable to reach; {} stale; {} to message",
        l.practice_name,
        l.practice_id,
        l.due(),
        l.list_date.format("%a %Y-%m-%d"),
        l.owners.len(),
        l.overflow(),
        l.unassigned.len(),
        l.fix_contact.len(),
        l.close_suggestions.len(),
        l.stale.len(),
        l.messages.iter().map(|(_, r)| r.len()).sum::<usize>()
    )];
    out.extend(l.owners.iter().map(capacity_line));
    if !l.excluded.is_empty() {
        let parts: Vec<String> = l.excluded.iter().map(|(k, v)| format!("{k} {v}")).collect();
        out.push(format!("kept off the lists: {}", parts.join(", ")));
    }
    if !l.handle_sources.is_empty() {
        let parts: Vec<String> = l
            .handle_sources
            .iter()
            .map(|(c, m, _)| format!("{c} {m:.1}"))
            .collect();
        out.push(format!(
            "minutes per attempt (measured over the last 4 weeks, as in the staffing view): {}",
            parts.join(", ")
        ));
    }
    out
}

/// Write one practice's lists under `<out>/<practice_id>/`.
pub fn practice(l: &PracticeLists, out: &Path) -> Result<()> {
    let dir = out.join(&l.practice_id);
    create_private_dir(&dir)?;
    let put = |name: String, bytes: Vec<u8>| -> Result<()> {
        write_bytes_atomic(&dir.join(name), &bytes)
    };
    for o in &l.owners {
        put(format!("{}--{}.csv", o.lane, o.owner), csv_bytes(&o.rows)?)?;
    }
    put(
        "manager--fix-contact-details.csv".into(),
        csv_bytes(&l.fix_contact)?,
    )?;
    put(
        "manager--close-unable-to-reach.csv".into(),
        csv_bytes(&l.close_suggestions)?,
    )?;
    put("manager--unassigned.csv".into(), csv_bytes(&l.unassigned)?)?;
    put("manager--stale.csv".into(), csv_bytes(&l.stale)?)?;
    for (lane, rows) in &l.messages {
        put(format!("{lane}--messages.csv"), csv_bytes(rows)?)?;
    }
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::CRLF)
        .from_writer(Vec::from(&b"\xEF\xBB\xBF"[..]));
    w.write_record(CAPACITY_HEADER)?;
    for r in capacity_rows(l) {
        w.write_record(r)?;
    }
    put(
        "manager--capacity.csv".into(),
        w.into_inner().context("CSV")?,
    )?;
    put("lists.html".into(), html(l).into_bytes())?;
    put("lists.xlsx".into(), super::xlsx::workbook(l)?)?;
    Ok(())
}

fn html_table(rows: &[Row]) -> String {
    if rows.is_empty() {
        return "<p class=\"empty\">Nothing on this list.</p>\n".into();
    }
    let mut s = String::from("<table>\n<thead><tr>");
    for h in HEADER {
        s.push_str(&format!("<th>{}</th>", esc(h)));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        let class = match (r.fits, r.at_risk) {
            (false, _) => " class=\"overflow\"",
            (true, true) => " class=\"risk\"",
            _ => "",
        };
        s.push_str(&format!("<tr{class}>"));
        for c in cells(r) {
            s.push_str(&format!("<td>{}</td>", esc(&c)));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("</tbody></table>\n");
    s
}

/// A printable page: one section per owner (each starts a new printed page), then
/// the manager's lists and the capacity summary.
pub fn html(l: &PracticeLists) -> String {
    let title = format!(
        "Call lists for {} — {}",
        l.list_date.format("%A %Y-%m-%d"),
        l.practice_name
    );
    let mut s = format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>{}</title>\n<style>{}</style>\n</head>\n<body>\n<h1>{}</h1>\n<p class=\"meta\">Data through {}. Contains patient information: do not forward; delete after use.</p>\n<h2>Summary</h2>\n<ul>\n",
        esc(&title),
        CSS,
        esc(&title),
        l.data_day
    );
    for line in summary(l) {
        s.push_str(&format!("<li>{}</li>\n", esc(&line)));
    }
    s.push_str("</ul>\n");
    for o in &l.owners {
        s.push_str(&format!(
            "<section class=\"owner\">\n<h2>{} — {}</h2>\n<p>{}</p>\n{}</section>\n",
            esc(&o.owner),
            esc(&o.lane),
            esc(&capacity_line(o)),
            html_table(&o.rows)
        ));
    }
    for (title, rows) in [
        ("Manager: no owner works this lane tomorrow", &l.unassigned),
        ("Manager: fix contact details", &l.fix_contact),
        ("Manager: close as unable to reach", &l.close_suggestions),
        (
            "Manager: stale (overdue beyond the practice's limit)",
            &l.stale,
        ),
    ] {
        s.push_str(&format!(
            "<section class=\"owner\">\n<h2>{}</h2>\n{}</section>\n",
            esc(title),
            html_table(rows)
        ));
    }
    for (lane, rows) in &l.messages {
        s.push_str(&format!(
            "<section class=\"owner\">\n<h2>{}: messages (send by the patient's preferred channel, do not call)</h2>\n{}</section>\n",
            esc(lane),
            html_table(rows)
        ));
    }
    s.push_str("</body>\n</html>\n");
    s
}

const CSS: &str = "body{font-family:sans-serif;font-size:11px;margin:1.5em}h1{font-size:18px}h2{font-size:14px;margin-top:1.5em}table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:2px 4px;text-align:left;vertical-align:top}th{background:#eee}tr.risk td:first-child{border-left:4px solid #D55E00}tr.overflow{color:#666;font-style:italic}.meta{color:#555}.empty{color:#555;font-style:italic}@media print{section.owner{page-break-before:always}body{margin:0}@page{size:landscape;margin:10mm}}";
