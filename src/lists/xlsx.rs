//! The .xlsx workbook: one sheet per owner, then the manager's sheets. Cells are
//! written as strings (never formulas) and neutralised like the CSV, and the
//! document's creation date is the list date, so the same lists give the same bytes.

use super::write::{cells, neutralise, HEADER};
use super::{PracticeLists, Row};
use anyhow::Result;
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, Worksheet};

/// The CSV's columns; the rank is written as a number, every other cell as
/// neutralised text.
fn sheet(ws: &mut Worksheet, rows: &[Row], bold: &Format) -> Result<()> {
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_number(row, 0, r.rank as f64)?;
        for (c, v) in cells(r).iter().enumerate().skip(1) {
            ws.write_string(row, c as u16, neutralise(v))?;
        }
    }
    ws.set_freeze_panes(1, 0)?;
    for (c, w) in [
        6, 8, 24, 16, 14, 18, 14, 40, 10, 9, 22, 14, 40, 18, 8, 50, 10, 8,
    ]
    .iter()
    .enumerate()
    {
        ws.set_column_width(c as u16, *w as f64)?;
    }
    Ok(())
}

/// Excel sheet names: at most 31 characters, none of `[]:*?/\`.
fn sheet_name(s: &str) -> String {
    s.chars()
        .map(|c| if "[]:*?/\\".contains(c) { '_' } else { c })
        .take(31)
        .collect()
}

/// The workbook's bytes.
pub fn workbook(l: &PracticeLists) -> Result<Vec<u8>> {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(
        l.list_date.format("%Y").to_string().parse()?,
        l.list_date.format("%m").to_string().parse()?,
        l.list_date.format("%d").to_string().parse()?,
    )?;
    wb.set_properties(
        &DocProperties::new()
            .set_title(format!("Call lists for {}", l.list_date))
            .set_creation_datetime(&created),
    );
    let bold = Format::new().set_bold();
    for o in &l.owners {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&format!("{} ({})", o.owner, o.lane)))?;
        sheet(ws, &o.rows, &bold)?;
    }
    for (name, rows) in [
        ("Unassigned", &l.unassigned),
        ("Fix contact details", &l.fix_contact),
        ("Close unable to reach", &l.close_suggestions),
        ("Stale", &l.stale),
    ] {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        sheet(ws, rows, &bold)?;
    }
    for (lane, rows) in &l.messages {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&format!("Messages ({lane})")))?;
        sheet(ws, rows, &bold)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name("Capacity")?;
    for (i, line) in super::write::summary(l).iter().enumerate() {
        ws.write_string(i as u32, 0, line.as_str())?;
    }
    Ok(wb.save_to_buffer()?)
}
