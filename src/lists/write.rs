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
        put(
            super::worked::owner_file(&o.lane, &o.owner),
            csv_bytes(&o.rows)?,
        )?;
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

/// The lists of a practice's page in page order, with their titles and (for an
/// owner) the capacity line: the owners', then the manager's, then the messages.
fn page_lists(l: &PracticeLists) -> Vec<(String, Option<String>, &[Row])> {
    let mut out: Vec<(String, Option<String>, &[Row])> = Vec::new();
    for o in &l.owners {
        out.push((
            format!("{} — {}", o.owner, o.lane),
            Some(capacity_line(o)),
            &o.rows,
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
        out.push((title.to_string(), None, rows));
    }
    for (lane, rows) in &l.messages {
        out.push((
            format!("{lane}: messages (send by the patient's preferred channel, do not call)"),
            None,
            rows,
        ));
    }
    out
}

/// The voicemail wordings of one practice's page, each under a short key: `VM-1`,
/// `VM-2`, … in order of first appearance on the printed page. The page shows the
/// key in each row and every wording once per list, in a legend; the CSV and the
/// workbook keep the wording.
#[derive(Debug, Clone, PartialEq)]
pub struct VoicemailKeys(Vec<String>);

impl VoicemailKeys {
    pub fn of(l: &PracticeLists) -> Self {
        let mut wordings: Vec<String> = Vec::new();
        for (_, _, rows) in page_lists(l) {
            for r in rows {
                if !r.voicemail.is_empty() && !wordings.contains(&r.voicemail) {
                    wordings.push(r.voicemail.clone());
                }
            }
        }
        Self(wordings)
    }

    /// The key of a wording (none for a row without one).
    pub fn key(&self, wording: &str) -> Option<String> {
        let i = self.0.iter().position(|w| w == wording)?;
        Some(format!("VM-{}", i + 1))
    }

    /// The keys and wordings `rows` use, each once, in key order.
    pub fn legend(&self, rows: &[Row]) -> Vec<(String, &str)> {
        self.0
            .iter()
            .enumerate()
            .filter(|(_, w)| rows.iter().any(|r| &r.voicemail == *w))
            .map(|(i, w)| (format!("VM-{}", i + 1), w.as_str()))
            .collect()
    }
}

/// The printed columns and their share of the page width: the CSV's, less the
/// categories (every reason starts with its category), with the voicemail wording
/// given by its key. The shares are set so that a row takes one or two lines on a
/// landscape Letter or A4 page.
const HTML_COLUMNS: [(&str, f32); 17] = [
    ("rank", 2.5),
    ("urgent", 4.5),
    ("patient", 6.5),
    ("phone", 8.0),
    ("asked at", 5.0),
    ("goal", 7.0),
    ("reasons", 11.5),
    ("attempt", 3.5),
    ("channel", 4.0),
    ("window", 9.5),
    ("last outcome", 6.0),
    ("last note", 7.5),
    ("task ids", 8.0),
    ("script", 4.5),
    ("voice\u{ad}mail", 4.0),
    ("fits capacity", 4.5),
    ("at risk", 3.5),
];

/// A phone cell never breaks inside a number; the placeholders the lists use when
/// there is no number (wholly in parentheses, e.g. "(no number on file)") may wrap.
fn phone_cell(phone: &str) -> String {
    let placeholder = phone.len() > 1 && phone.starts_with('(') && phone.ends_with(')');
    if placeholder {
        format!(
            "<td class=\"phone\"><span class=\"wrap\">{}</span></td>",
            esc(phone)
        )
    } else {
        format!("<td class=\"phone\">{}</td>", esc(phone))
    }
}

/// Escaped text that may break after an underscore (`new_patient_request`,
/// `insurance_review`), so a narrow column wraps there rather than mid-word.
fn breakable(s: &str) -> String {
    esc(s).replace('_', "_<wbr>")
}

/// A script key never breaks at its hyphen (`NPR-1`); a message's template key
/// may break after its `/` (`NPR-1/sms`).
fn script_cell(key: &str) -> String {
    key.split('/')
        .map(|part| format!("<span class=\"nw\">{}</span>", esc(part)))
        .collect::<Vec<_>>()
        .join("/<wbr>")
}

/// One row of the printed table, `<td>`s only.
fn html_cells(r: &Row, keys: &VoicemailKeys) -> String {
    let td = |class: &str, inner: String| match class {
        "" => format!("<td>{inner}</td>"),
        _ => format!("<td class=\"{class}\">{inner}</td>"),
    };
    let ids: Vec<String> = r
        .task_ids
        .iter()
        .chain(r.call_ids.iter())
        .map(|id| format!("<span class=\"nw\">{}</span>", esc(id)))
        .collect();
    [
        td("num", r.rank.to_string()),
        td("nw", (if r.urgent { "URGENT" } else { "" }).into()),
        td("", esc(&r.display_name)),
        phone_cell(&r.phone),
        // "Sun 11-22 14:59": the date and the time each kept whole.
        td(
            "",
            match r.asked_at.rsplit_once(' ') {
                Some((date, time)) => format!(
                    "<span class=\"nw\">{}</span> <span class=\"nw\">{}</span>",
                    esc(date),
                    esc(time)
                ),
                None => esc(&r.asked_at),
            },
        ),
        td("", esc(&r.goal)),
        td("", breakable(&r.reasons.join("; "))),
        td("nw", format!("{} of {}", r.attempt, r.max_attempts)),
        td("", esc(&r.channel)),
        td("", esc(&r.window)),
        td("", breakable(&r.last_outcome)),
        td("note", format!("<div>{}</div>", esc(&r.last_note))),
        td("", ids.join(" ")),
        td("", script_cell(&r.script)),
        td("nw", keys.key(&r.voicemail).unwrap_or_default()),
        td("nw", (if r.fits { "yes" } else { "overflow" }).into()),
        td("nw", (if r.at_risk { "yes" } else { "" }).into()),
    ]
    .concat()
}

/// Each voicemail wording `rows` use, once, under its key.
fn html_legend(rows: &[Row], keys: &VoicemailKeys) -> String {
    let entries = keys.legend(rows);
    if entries.is_empty() {
        return String::new();
    }
    let mut s = String::from(
        "<table class=\"legend\">\n<caption>Voicemail wording (the voicemail column gives the key)</caption>\n",
    );
    for (key, wording) in entries {
        s.push_str(&format!(
            "<tr><th>{}</th><td>{}</td></tr>\n",
            esc(&key),
            esc(wording)
        ));
    }
    s.push_str("</table>\n");
    s
}

fn html_table(rows: &[Row], keys: &VoicemailKeys) -> String {
    if rows.is_empty() {
        return "<p class=\"empty\">Nothing on this list.</p>\n".into();
    }
    let mut s = html_legend(rows, keys);
    s.push_str("<table class=\"calls\">\n<colgroup>");
    for (_, share) in HTML_COLUMNS {
        s.push_str(&format!("<col style=\"width:{share}%\">"));
    }
    s.push_str("</colgroup>\n<thead><tr>");
    for (h, _) in HTML_COLUMNS {
        s.push_str(&format!("<th>{}</th>", esc(h)));
    }
    s.push_str("</tr></thead>\n<tbody>\n");
    for r in rows {
        let class = match (r.fits, r.at_risk) {
            (false, _) => " class=\"overflow\"",
            (true, true) => " class=\"risk\"",
            _ => "",
        };
        s.push_str(&format!("<tr{class}>{}</tr>\n", html_cells(r, keys)));
    }
    s.push_str("</tbody></table>\n");
    s
}

/// A printable page: the summary, then one section per list (each starts a new
/// printed page): the owners', the manager's, the messages. Rows give the
/// voicemail wording by key; each list prints the wordings it uses once, above
/// its table.
pub fn html(l: &PracticeLists) -> String {
    let keys = VoicemailKeys::of(l);
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
    for (title, capacity, rows) in page_lists(l) {
        let capacity = capacity
            .map(|c| format!("<p>{}</p>\n", esc(&c)))
            .unwrap_or_default();
        s.push_str(&format!(
            "<section class=\"owner\">\n<h2>{}</h2>\n{capacity}{}</section>\n",
            esc(&title),
            html_table(rows, &keys)
        ));
    }
    s.push_str("</body>\n</html>\n");
    s
}

/// Screen and print. On paper (Letter or A4, landscape): a compact font, the table
/// header on every page, each list from a new page, no row split across pages,
/// the last note cut to two lines (the CSV and the workbook keep all of it).
const CSS: &str = concat!(
    "body{font-family:sans-serif;font-size:11px;margin:1.5em}h1{font-size:18px}h2{font-size:14px;margin-top:1.5em}",
    "table{border-collapse:collapse;width:100%}th,td{border:1px solid #bbb;padding:2px 4px;text-align:left;vertical-align:top}th{background:#eee}",
    "tr.risk td:first-child{border-left:4px solid #D55E00}tr.overflow{color:#666;font-style:italic}.meta{color:#555}.empty{color:#555;font-style:italic}",
    "table.calls{table-layout:fixed}table.calls td{overflow-wrap:break-word}.phone,.nw{white-space:nowrap}.phone .wrap{white-space:normal}td.num{text-align:right}",
    "table.legend{width:auto;margin:0 0 .5em}table.legend caption{text-align:left;font-weight:bold;padding:0 0 2px}table.legend th{background:none;white-space:nowrap}",
    "@page{size:landscape;margin:8mm}",
    "@media print{body{margin:0;font-size:7.5pt;line-height:1.2}h1{font-size:13pt;margin:0 0 4pt}h2{font-size:10pt;margin:0 0 2pt}p{margin:0 0 3pt}",
    "th,td{padding:1px 2px}section.owner{break-before:page}thead{display:table-header-group}tr{break-inside:avoid}",
    "td.note div{display:-webkit-box;-webkit-line-clamp:2;-webkit-box-orient:vertical;overflow:hidden}}",
);
