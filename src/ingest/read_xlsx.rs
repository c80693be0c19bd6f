//! A worked call list (`lists.xlsx` from `followup lists`, filled in by a caller)
//! read back as records of attempts: docs/LISTS.md, "Worked lists come back".
//!
//! Each row of an owner's sheet with anything in the caller's columns is one
//! record; a row left blank was not worked and is no record. The hidden sheet
//! names each sheet's owner and each row's task, so sorting, filtering or
//! re-colouring the sheet changes nothing. A filled row that cannot be read (an
//! outcome missing, a time that is no time, a sheet renamed) comes back as a
//! [`BadRecord`] naming the sheet, row and column, never dropped.

use super::{BadRecord, Fields, FileError, Parsed, Record};
use crate::ingest::worked_list::{self as w, About, Sheet};
use calamine::{Data, Range, Reader, Xlsx};
use chrono::{NaiveDate, NaiveTime};
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The fields a worked row's record carries, besides the caller's columns.
pub const DERIVED: [&str; 9] = [
    "[practice]",
    "[attempt_id]",
    "[task_id]",
    "[at]",
    "[callback_at]",
    "[staff_id]",
    "[direction]",
    "sheet",
    "rank",
];

/// The time of day an attempt gets when the caller entered none: the end of the
/// list's day.
const END_OF_DAY: &str = "23:59:59";

pub fn parse_worked_list(bytes: &[u8]) -> Result<Parsed, FileError> {
    let mut wb =
        Xlsx::new(std::io::Cursor::new(bytes)).map_err(|e| FileError::Workbook(e.to_string()))?;
    let about = match wb.worksheet_range(w::ABOUT) {
        Ok(r) => read_about(&r)?,
        Err(_) => return Err(FileError::NotWorkedList),
    };
    let by_name: BTreeMap<&str, &Sheet> =
        about.sheets.iter().map(|s| (s.name.as_str(), s)).collect();
    let mut out = Parsed::default();
    for name in wb.sheet_names() {
        if name == w::ABOUT {
            continue;
        }
        let Ok(range) = wb.worksheet_range(&name) else {
            out.warnings
                .push(format!("sheet {name:?} could not be read"));
            continue;
        };
        let cols = Columns::of(&range);
        // Manager's sheets and the capacity summary have no caller's columns.
        let Some(cols) = cols else { continue };
        read_sheet(
            &about,
            by_name.get(name.as_str()).copied(),
            &name,
            &range,
            &cols,
            &mut out,
        );
    }
    Ok(out)
}

/// The hidden sheet: mark and version, practice, list date, then one row per
/// list row (sheet, owner, lane, rank, task id).
fn read_about(r: &Range<Data>) -> Result<About, FileError> {
    let cell = |row: u32, col: u32| r.get_value((row, col)).map(text).unwrap_or_default();
    if cell(0, 0) != w::MARK {
        return Err(FileError::NotWorkedList);
    }
    if cell(0, 1) != w::VERSION {
        return Err(FileError::Workbook(format!(
            "a call-list workbook of layout {:?}; this followup reads layout {}",
            cell(0, 1),
            w::VERSION
        )));
    }
    let list_date = cell(2, 1)
        .parse()
        .map_err(|_| FileError::Workbook("its hidden followup sheet has no list date".into()))?;
    let mut about = About {
        practice_id: cell(1, 1),
        list_date,
        sheets: Vec::new(),
        tasks: BTreeMap::new(),
    };
    let last = r.end().map(|e| e.0).unwrap_or(0);
    for row in 4..=last {
        let name = cell(row, 0);
        if name.is_empty() {
            continue;
        }
        if !about.sheets.iter().any(|s| s.name == name) {
            about.sheets.push(Sheet {
                name: name.clone(),
                owner: cell(row, 1),
                lane: cell(row, 2),
            });
        }
        if let Ok(rank) = cell(row, 3).parse::<u32>() {
            about.tasks.insert((name, rank), cell(row, 4));
        }
    }
    Ok(about)
}

/// Where the columns a worked row needs are on a sheet (by their header).
struct Columns {
    rank: u32,
    channel: Option<u32>,
    task_ids: Option<u32>,
    /// The caller's columns, in `worked::COLUMNS` order.
    filled: [u32; 5],
}

impl Columns {
    fn of(r: &Range<Data>) -> Option<Columns> {
        let width = r.end()?.1;
        let find =
            |h: &str| (0..=width).find(|&c| r.get_value((0, c)).map(text).as_deref() == Some(h));
        let mut filled = [0; 5];
        for (i, h) in w::COLUMNS.iter().enumerate() {
            filled[i] = find(h)?;
        }
        Some(Columns {
            rank: find("rank")?,
            channel: find("channel"),
            task_ids: find("task ids"),
            filled,
        })
    }
}

/// A cell as text: numbers without a trailing `.0`, dates as their Excel serial.
fn text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.trim().to_string(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) if f.fract() == 0.0 && f.abs() < 1e15 => format!("{}", *f as i64),
        Data::Float(f) => f.to_string(),
        Data::Bool(b) => if *b { "TRUE" } else { "FALSE" }.into(),
        Data::DateTime(x) => x.as_f64().to_string(),
        Data::Error(e) => format!("#{e:?}"),
    }
}

/// A number a spreadsheet program stored without a date format: an Excel
/// serial day count (1900 system).
fn serial(d: &Data) -> Option<f64> {
    match d {
        Data::Float(f) => Some(*f),
        Data::Int(i) => Some(*i as f64),
        _ => None,
    }
}

/// A date as a person may enter it: a date cell, or text as 2026-11-25,
/// 11/25/2026 or 25.11.2026.
fn date(d: &Data) -> Result<Option<NaiveDate>, ()> {
    if let Data::DateTime(x) = d {
        let (y, m, dd, ..) = x.to_ymd_hms_milli();
        return NaiveDate::from_ymd_opt(y.into(), m.into(), dd.into())
            .map(Some)
            .ok_or(());
    }
    if let Some(s) = serial(d) {
        let base = NaiveDate::from_ymd_opt(1899, 12, 30).expect("date");
        return (1.0..2_958_466.0)
            .contains(&s)
            .then(|| base + chrono::Duration::days(s.floor() as i64))
            .map(Some)
            .ok_or(());
    }
    let t = text(d);
    if t.is_empty() {
        return Ok(None);
    }
    let t = t.split(['T', ' ']).next().unwrap_or_default();
    ["%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(t, f).ok())
        .map(Some)
        .ok_or(())
}

/// A time of day as a person may enter it: a time cell (a fraction of a day), or
/// text as 14:30, 14:30:15, 2:30 pm or 2:30PM.
fn time(d: &Data) -> Result<Option<NaiveTime>, ()> {
    if let Data::DateTime(x) = d {
        let (.., h, m, sec, _) = x.to_ymd_hms_milli();
        return NaiveTime::from_hms_opt(h.into(), m.into(), sec.into())
            .map(Some)
            .ok_or(());
    }
    if let Some(s) = serial(d) {
        let secs = (s.fract() * 86_400.0).round() as u32;
        return NaiveTime::from_num_seconds_from_midnight_opt(secs.min(86_399), 0)
            .map(Some)
            .ok_or(());
    }
    let t = text(d);
    if t.is_empty() {
        return Ok(None);
    }
    let t = t.replace('.', "").to_ascii_uppercase();
    let t = t.split('T').next_back().unwrap_or_default().trim();
    ["%H:%M", "%H:%M:%S", "%I:%M %p", "%I:%M%p", "%I:%M:%S %p"]
        .iter()
        .find_map(|f| NaiveTime::parse_from_str(t, f).ok())
        .map(Some)
        .ok_or(())
}

fn read_sheet(
    about: &About,
    sheet: Option<&Sheet>,
    name: &str,
    r: &Range<Data>,
    cols: &Columns,
    out: &mut Parsed,
) {
    let last = r.end().map(|e| e.0).unwrap_or(0);
    let empty = Data::Empty;
    for row in 1..=last {
        let cell = |c: u32| r.get_value((row, c)).unwrap_or(&empty);
        let filled: Vec<&Data> = cols.filled.iter().map(|&c| cell(c)).collect();
        if filled.iter().all(|d| text(d).is_empty()) {
            continue;
        }
        let line = row as u64 + 1;
        let rank_text = text(cell(cols.rank));
        let raw = format!(
            "sheet {name:?} row {line}: rank={rank_text}; task ids={}; {}",
            cols.task_ids.map(|c| text(cell(c))).unwrap_or_default(),
            w::COLUMNS
                .iter()
                .zip(&filled)
                .map(|(h, d)| format!("{h}={}", text(d)))
                .collect::<Vec<_>>()
                .join("; ")
        );
        let bad = |column: &str, reason: String| BadRecord {
            line,
            column: Some(format!("{name}!{column}")),
            reason,
            raw: raw.clone(),
        };
        let Some(sheet) = sheet else {
            out.bad.push(bad(
                "rank",
                "the sheet is not one the workbook's hidden followup sheet names (was it renamed?): give it its name back and ingest the workbook again".into(),
            ));
            continue;
        };
        let Some(rank) = rank_text.parse::<u32>().ok() else {
            out.bad.push(bad(
                "rank",
                "not a whole number: the row's rank was changed; put it back".into(),
            ));
            continue;
        };
        let Some(task_id) = about.tasks.get(&(name.to_string(), rank)) else {
            out.bad.push(bad(
                "rank",
                format!(
                    "no row of rank {rank} was on this list: the rank was changed; put it back"
                ),
            ));
            continue;
        };
        if task_id.is_empty() {
            out.bad.push(bad(
                "task ids",
                "a missed call with no task: its callback is in the phone system's call log, which followup reads; the list records nothing for it".into(),
            ));
            continue;
        }
        let outcome = text(filled[0]);
        if outcome.is_empty() {
            out.bad.push(bad(
                w::OUTCOME,
                "blank, though the row has a time, callback or note: pick the outcome from the drop-down".into(),
            ));
            continue;
        }
        let Ok(at) = time(filled[1]) else {
            out.bad
                .push(bad(w::TIME, "not a time of day (e.g. 14:30)".into()));
            continue;
        };
        let Ok(cb_date) = date(filled[2]) else {
            out.bad
                .push(bad(w::CALLBACK_DATE, "not a date (e.g. 2026-11-25)".into()));
            continue;
        };
        let Ok(cb_time) = time(filled[3]) else {
            out.bad.push(bad(
                w::CALLBACK_TIME,
                "not a time of day (e.g. 14:30)".into(),
            ));
            continue;
        };
        let callback = match (cb_date, cb_time) {
            (Some(d), t) => Some(format!(
                "{d} {}",
                t.map(|t| t.format("%H:%M:%S").to_string())
                    .unwrap_or_else(|| "00:00:00".into())
            )),
            (None, Some(_)) => {
                out.bad.push(bad(
                    w::CALLBACK_DATE,
                    "blank, though the row has a callback time: enter the date too".into(),
                ));
                continue;
            }
            (None, None) => None,
        };
        let at = format!(
            "{} {}",
            about.list_date,
            at.map(|t| t.format("%H:%M:%S").to_string())
                .unwrap_or_else(|| END_OF_DAY.into())
        );
        let mut m = Map::new();
        let mut put = |k: &str, v: String| {
            if !v.is_empty() {
                m.insert(k.to_string(), Value::String(v));
            }
        };
        put("[practice]", about.practice_id.clone());
        put(
            "[attempt_id]",
            w::attempt_id(about.list_date, &sheet.owner, rank),
        );
        put("[task_id]", task_id.clone());
        put("[at]", at);
        put("[callback_at]", callback.unwrap_or_default());
        put("[staff_id]", sheet.owner.clone());
        put("[direction]", "outbound".into());
        put(
            "channel",
            cols.channel.map(|c| text(cell(c))).unwrap_or_default(),
        );
        put("sheet", name.to_string());
        put("rank", rank.to_string());
        put(w::OUTCOME, outcome);
        put(w::NOTE, text(filled[4]));
        out.records.push(Record {
            line,
            fields: Fields::Json(m),
            raw,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_and_times_as_people_enter_them() {
        let s = |v: &str| Data::String(v.into());
        let d = |y, m, dd| Ok(Some(NaiveDate::from_ymd_opt(y, m, dd).unwrap()));
        assert_eq!(date(&Data::Float(46351.0)), d(2026, 11, 25));
        assert_eq!(date(&s("2026-11-25")), d(2026, 11, 25));
        assert_eq!(date(&s("11/25/2026")), d(2026, 11, 25));
        assert_eq!(date(&s("25.11.2026")), d(2026, 11, 25));
        assert_eq!(date(&s("")), Ok(None));
        assert_eq!(date(&s("next tuesday")), Err(()));
        let t = |h, m| Ok(Some(NaiveTime::from_hms_opt(h, m, 0).unwrap()));
        assert_eq!(time(&Data::Float(0.6041666666666666)), t(14, 30));
        assert_eq!(time(&s("14:30")), t(14, 30));
        assert_eq!(time(&s("2:30 pm")), t(14, 30));
        assert_eq!(time(&s("2:30PM")), t(14, 30));
        assert_eq!(time(&s("9:05")), t(9, 5));
        assert_eq!(time(&s("after lunch")), Err(()));
    }

    #[test]
    fn attempt_ids_round_trip() {
        let day = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let id = w::attempt_id(day, "bchen", 12);
        assert_eq!(id, "list:2026-11-23:bchen:12");
        assert_eq!(w::parse_attempt_id(&id), Some((day, "bchen", 12)));
        assert_eq!(w::parse_attempt_id("A-1"), None);
    }
}

#[cfg(test)]
mod another_program {
    use super::*;

    /// A workbook opened and saved by openpyxl (tests/fixtures/worked-list).
    #[test]
    fn a_workbook_saved_by_openpyxl_reads_as_its_three_worked_rows() {
        let bytes = include_bytes!("../../tests/fixtures/worked-list/openpyxl-3.1.5-saved.xlsx");
        let parsed = parse_worked_list(bytes).unwrap();
        assert!(parsed.bad.is_empty(), "{:?}", parsed.bad);
        let get = |r: &Record, k: &str| match &r.fields {
            Fields::Json(m) => m.get(k).and_then(|v| v.as_str()).unwrap_or("").to_string(),
            _ => panic!("a JSON record"),
        };
        let rows: Vec<[String; 7]> = parsed
            .records
            .iter()
            .map(|r| {
                [
                    get(r, "[attempt_id]"),
                    get(r, "[task_id]"),
                    get(r, w::OUTCOME),
                    get(r, "[at]"),
                    get(r, "[callback_at]"),
                    get(r, w::NOTE),
                    get(r, "[staff_id]"),
                ]
            })
            .collect();
        let row = |a: &str, t: &str, o: &str, at: &str, cb: &str, n: &str| {
            [a, t, o, at, cb, n, "bchen"].map(str::to_string)
        };
        assert_eq!(
            rows,
            vec![
                row(
                    "list:2026-11-23:bchen:1",
                    "T-p001-009136",
                    "reached",
                    "2026-11-23 09:40:00",
                    "",
                    ""
                ),
                row(
                    "list:2026-11-23:bchen:6",
                    "T-p001-009130",
                    "callback_set",
                    "2026-11-23 23:59:59",
                    "2026-11-25 15:00:00",
                    "asked for Wed 3pm"
                ),
                row(
                    "list:2026-11-23:bchen:8",
                    "T-p001-009129",
                    "left_message",
                    "2026-11-23 10:05:00",
                    "",
                    ""
                ),
            ]
        );
        assert_eq!(
            parsed.records.iter().map(|r| r.line).collect::<Vec<_>>(),
            [2, 7, 9]
        );
    }
}
