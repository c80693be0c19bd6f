//! The .xlsx workbook: one sheet per owner, then the manager's sheets. Cells are
//! written as strings (never formulas) and neutralised like the CSV, and the
//! document's creation date is the list date, so the same lists give the same bytes.

use super::write::{cells, neutralise, HEADER};
use super::{PracticeLists, Row};
use anyhow::Result;
use rust_xlsxwriter::{Color, DocProperties, ExcelDateTime, Format, Workbook, Worksheet};

/// Column widths in characters, one per column of `HEADER` (the filter button in
/// the header takes about two).
const WIDTHS: [f64; HEADER.len()] = [
    7.0, 9.0, 24.0, 16.0, 15.0, 18.0, 16.0, 40.0, 9.0, 10.0, 22.0, 14.0, 40.0, 18.0, 9.0, 50.0,
    10.0, 9.0,
];

/// Paper size 1 is Letter (9 would be A4); fitting to one page wide makes A4
/// print the same columns.
const LETTER: u8 = 1;

/// The CSV's columns; the rank is written as a number, every other cell as
/// neutralised text. A filter over the header and the rows, the header frozen on
/// screen and repeated on every printed page, landscape, one page wide. A list a
/// caller works (`worked`: its list date) has the blank columns of [`super::worked`] after the
/// CSV's, with their drop-down and checks.
fn sheet(
    ws: &mut Worksheet,
    rows: &[Row],
    formats: &Formats,
    worked: Option<chrono::NaiveDate>,
) -> Result<()> {
    let extra = if worked.is_some() {
        super::worked::COLUMNS.len()
    } else {
        0
    };
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &formats.bold)?;
    }
    for (i, r) in rows.iter().enumerate() {
        let row = i as u32 + 1;
        ws.write_number(row, 0, r.rank as f64)?;
        for (c, v) in cells(r).iter().enumerate().skip(1) {
            ws.write_string(row, c as u16, neutralise(v))?;
        }
    }
    let last_col = (HEADER.len() + extra) as u16 - 1;
    ws.autofilter(0, 0, rows.len() as u32, last_col)?;
    ws.set_freeze_panes(1, 0)?;
    ws.set_repeat_rows(0, 0)?;
    ws.set_landscape();
    ws.set_paper_size(LETTER);
    ws.set_print_fit_to_pages(1, 0);
    for (c, w) in WIDTHS.iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    if let Some(list_date) = worked {
        super::worked::add_columns(
            ws,
            HEADER.len() as u16,
            rows.len() as u32,
            list_date,
            formats,
        )?;
    }
    Ok(())
}

/// The cell formats the workbook uses.
pub(super) struct Formats {
    pub bold: Format,
    /// The header of the columns a caller fills in.
    pub fill_header: Format,
    pub date: Format,
    pub time: Format,
    pub text: Format,
}

impl Formats {
    fn new() -> Self {
        let fill = Color::RGB(0xFFF2CC);
        Formats {
            bold: Format::new().set_bold(),
            fill_header: Format::new().set_bold().set_background_color(fill),
            date: Format::new()
                .set_num_format("yyyy-mm-dd")
                .set_background_color(fill),
            time: Format::new()
                .set_num_format("hh:mm")
                .set_background_color(fill),
            text: Format::new().set_num_format("@").set_background_color(fill),
        }
    }
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
    let formats = Formats::new();
    let mut worked = Vec::new();
    for o in &l.owners {
        let ws = wb.add_worksheet();
        let name = sheet_name(&format!("{} ({})", o.owner, o.lane));
        ws.set_name(&name)?;
        let w = super::worked::Sheet {
            name,
            owner: o.owner.clone(),
            lane: o.lane.clone(),
        };
        sheet(ws, &o.rows, &formats, Some(l.list_date))?;
        worked.push((w, o.rows.as_slice()));
    }
    for (name, rows) in [
        ("Unassigned", &l.unassigned),
        ("Fix contact details", &l.fix_contact),
        ("Close unable to reach", &l.close_suggestions),
        ("Stale", &l.stale),
    ] {
        let ws = wb.add_worksheet();
        ws.set_name(name)?;
        sheet(ws, rows, &formats, None)?;
    }
    for (lane, rows) in &l.messages {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(&format!("Messages ({lane})")))?;
        sheet(ws, rows, &formats, None)?;
    }
    let ws = wb.add_worksheet();
    ws.set_name("Capacity")?;
    for (i, line) in super::write::summary(l).iter().enumerate() {
        ws.write_string(i as u32, 0, line.as_str())?;
    }
    super::worked::about_sheet(wb.add_worksheet(), l, &worked)?;
    Ok(wb.save_to_buffer()?)
}
