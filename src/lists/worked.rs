//! Worked lists: the blank columns a caller fills in on an owner's sheet of
//! `lists.xlsx`, and the hidden sheet that says whose list each sheet is. Ingest
//! reads a worked workbook back (`ingest::read_xlsx`, profile
//! `followup-worked-list`) as attempts: docs/LISTS.md, "Worked lists come back".
//! The layout's names are `ingest::worked_list`'s, re-exported: one definition.

use super::xlsx::Formats;
use super::PracticeLists;
use crate::model::domain::Outcome;
use anyhow::Result;
use rust_xlsxwriter::{DataValidation, DataValidationRule, ExcelDateTime, Worksheet};

pub use crate::ingest::worked_list::*;

/// The outcomes a caller may record: every attempt outcome but a status change
/// (`model::domain::Outcome`), in its order.
pub fn outcome_codes() -> Vec<&'static str> {
    Outcome::ALL
        .iter()
        .filter(|o| **o != Outcome::StatusChange)
        .map(|o| o.as_str())
        .collect()
}

/// The blank columns from `first` on, over `rows` rows: a drop-down of the
/// outcome codes, a time of day, a callback date on or after the list date, a
/// callback time, and a note.
pub(super) fn add_columns(
    ws: &mut Worksheet,
    first: u16,
    rows: u32,
    list_date: chrono::NaiveDate,
    f: &Formats,
) -> Result<()> {
    use chrono::Datelike;
    for (i, h) in COLUMNS.iter().enumerate() {
        ws.write_string_with_format(0, first + i as u16, *h, &f.fill_header)?;
    }
    let widths = [18.0, 11.0, 13.0, 12.0, 40.0];
    for (i, w) in widths.iter().enumerate() {
        ws.set_column_width(first + i as u16, *w)?;
    }
    if rows == 0 {
        return Ok(());
    }
    let formats = [&f.text, &f.time, &f.date, &f.time, &f.text];
    for r in 1..=rows {
        for (i, fmt) in formats.iter().enumerate() {
            ws.write_blank(r, first + i as u16, fmt)?;
        }
    }
    let day_start = ExcelDateTime::from_hms(0, 0, 0)?;
    let day_end = ExcelDateTime::from_hms(23, 59, 59)?;
    let time = DataValidation::new()
        .allow_time(DataValidationRule::Between(day_start, day_end))
        .set_error_title("Time of day")?
        .set_error_message("Enter a time of day, e.g. 14:30.")?;
    let from = ExcelDateTime::from_ymd(
        list_date.year() as u16,
        list_date.month() as u8,
        list_date.day() as u8,
    )?;
    let checks = [
        (
            0,
            DataValidation::new()
                .allow_list_strings(&outcome_codes())?
                .set_error_title("Outcome")?
                .set_error_message("Pick an outcome from the list.")?,
        ),
        (1, time.clone()),
        (
            2,
            DataValidation::new()
                .allow_date(DataValidationRule::GreaterThanOrEqualTo(from))
                .set_error_title("Callback date")?
                .set_error_message("Enter the date the patient asked to be called back, on or after the list's day.")?,
        ),
        (3, time),
    ];
    for (i, dv) in checks {
        let c = first + i;
        ws.add_data_validation(1, c, rows, c, &dv)?;
    }
    Ok(())
}

/// The hidden sheet: what the workbook is, its practice and list date, and one
/// row per row of each worked sheet: sheet, owner, lane, rank and task id (a
/// sheet without rows: one row with no rank).
pub(super) fn about_sheet(
    ws: &mut Worksheet,
    l: &PracticeLists,
    sheets: &[(Sheet, &[super::Row])],
) -> Result<()> {
    ws.set_name(ABOUT)?;
    ws.write_string(0, 0, MARK)?;
    ws.write_string(0, 1, VERSION)?;
    ws.write_string(1, 0, "practice")?;
    ws.write_string(1, 1, l.practice_id.as_str())?;
    ws.write_string(2, 0, "list date")?;
    ws.write_string(2, 1, l.list_date.to_string())?;
    ws.write_string(3, 0, "sheet")?;
    ws.write_string(3, 1, "owner")?;
    ws.write_string(3, 2, "lane")?;
    ws.write_string(3, 3, "rank")?;
    ws.write_string(3, 4, "task id")?;
    let mut r = 4;
    for (s, rows) in sheets {
        let one = |r: u32, ws: &mut Worksheet| -> Result<()> {
            ws.write_string(r, 0, s.name.as_str())?;
            ws.write_string(r, 1, s.owner.as_str())?;
            ws.write_string(r, 2, s.lane.as_str())?;
            Ok(())
        };
        if rows.is_empty() {
            one(r, ws)?;
            r += 1;
        }
        for row in rows.iter() {
            one(r, ws)?;
            ws.write_string(r, 3, row.rank.to_string())?;
            if let Some(t) = row.task_ids.first() {
                ws.write_string(r, 4, t.as_str())?;
            }
            r += 1;
        }
    }
    ws.set_hidden(true);
    Ok(())
}
