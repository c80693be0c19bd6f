//! Reading export files into records, keeping line numbers and never losing a row.
//!
//! A record that cannot be read (a truncated CSV row, bytes that are not UTF-8, a
//! JSON value that does not parse) comes back as a [`BadRecord`] so the caller can
//! quarantine it; the rest of the file is still read.

use super::profile::{Format, Profile};
use serde_json::{Map, Value};

#[path = "read_json.rs"]
mod json;
#[path = "read_xlsx.rs"]
pub mod xlsx;
use json::{is_ndjson, parse_json, parse_ndjson};

/// A record read from an export.
#[derive(Debug)]
pub enum Fields {
    /// CSV fields, aligned with the file's header.
    Csv(Vec<String>),
    /// A JSON object.
    Json(Map<String, Value>),
}

/// One record and where it came from.
#[derive(Debug)]
pub struct Record {
    /// 1-based line where the record starts.
    pub line: u64,
    pub fields: Fields,
    /// The record as it stood in the file (for quarantine).
    pub raw: String,
}

/// A record that could not be read.
#[derive(Debug)]
pub struct BadRecord {
    pub line: u64,
    /// The column involved, if any.
    pub column: Option<String>,
    pub reason: String,
    pub raw: String,
}

/// The readable content of one file.
#[derive(Debug, Default)]
pub struct Parsed {
    /// CSV header names; empty for JSON.
    pub header: Vec<String>,
    /// The CSV header line as written (for quarantine when it is no header).
    pub header_line: String,
    pub records: Vec<Record>,
    pub bad: Vec<BadRecord>,
    /// Things about the file worth a line (never values).
    pub warnings: Vec<String>,
}

/// A problem with the whole file (nothing in it can be read as rows).
#[derive(Debug, thiserror::Error)]
pub enum FileError {
    #[error("file is empty (0 bytes); the export may have failed: re-export it")]
    Empty,
    #[error("file is UTF-16 encoded; re-export as UTF-8 (CSV UTF-8 in Excel)")]
    Utf16,
    #[error("the header line is not valid CSV: {0}")]
    Header(String),
    #[error("not a JSON array: the file must start with `[`; use format = \"ndjson\" for one object per line")]
    NotArray,
    #[error("no array of records under the key `{0}` of the file's top-level object (the profile's records_key)")]
    NoRecordsKey(String),
    #[error("the file starts like gzip but does not decompress ({0}); was the download cut short? Download it again")]
    Gzip(String),
    #[error("not a readable .xlsx workbook ({0})")]
    Workbook(String),
    #[error("an .xlsx workbook that is not a call list from `followup lists` (it has no hidden `followup` sheet): only worked call lists are read from .xlsx; export other data as CSV")]
    NotWorkedList,
    #[error("the gzip file expands beyond {} GiB (a day's export is far smaller); it is refused unread: check where it came from", MAX_DECOMPRESSED >> 30)]
    GzipTooLarge,
}

/// The most a gzip-compressed export may expand to: well beyond a year of one
/// practice's calls, and small enough that a compression bomb cannot exhaust
/// memory.
pub const MAX_DECOMPRESSED: u64 = 4 << 30;

/// The two bytes every gzip member starts with.
const GZIP_MAGIC: &[u8] = &[0x1f, 0x8b];

/// Bytes as the profile reads them: a gzip-compressed export (`*.json.gz`, as
/// Twilio's bulk export writes its day files) is decompressed, whatever its name.
/// Members written one after another are read as one stream.
pub fn decompress(bytes: &[u8]) -> Result<std::borrow::Cow<'_, [u8]>, FileError> {
    if !bytes.starts_with(GZIP_MAGIC) {
        return Ok(std::borrow::Cow::Borrowed(bytes));
    }
    decompress_at_most(bytes, MAX_DECOMPRESSED)
}

/// `decompress` of a gzip stream, refused once it expands beyond `limit` bytes.
fn decompress_at_most(bytes: &[u8], limit: u64) -> Result<std::borrow::Cow<'_, [u8]>, FileError> {
    use std::io::Read;
    let mut out = Vec::new();
    flate2::read::MultiGzDecoder::new(bytes)
        .take(limit + 1)
        .read_to_end(&mut out)
        .map_err(|e| FileError::Gzip(e.kind().to_string()))?;
    if out.len() as u64 > limit {
        return Err(FileError::GzipTooLarge);
    }
    Ok(std::borrow::Cow::Owned(out))
}

/// Read `bytes` as the profile's format.
pub fn parse(bytes: &[u8], profile: &Profile) -> Result<Parsed, FileError> {
    let bytes = &*decompress(bytes)?;
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(FileError::Utf16);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match profile.def.format {
        Format::Csv => parse_csv(
            bytes,
            profile.delimiter,
            profile.quote,
            profile.def.max_field_lines.unwrap_or(MAX_FIELD_LINES),
            profile.def.final_line_end,
        ),
        Format::Ndjson => Ok(parse_ndjson(bytes)),
        Format::Xlsx => xlsx::parse_worked_list(bytes),
        Format::Json => {
            let keys = profile
                .def
                .records_key
                .as_ref()
                .map(|k| k.keys())
                .unwrap_or_default();
            match parse_json(bytes, &keys) {
                // A file of one object per line where a response object was expected (Twilio's bulk-export day files are named `.json`):
                // read it as such, by its content.
                Err(FileError::NoRecordsKey(_)) if is_ndjson(bytes, &keys) => {
                    Ok(parse_ndjson(bytes))
                }
                r => r,
            }
        }
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Whether `bytes` hold a control character other than tab, CR and LF (a NUL, an
/// escape…): one branch-free pass the compiler vectorises.
pub fn has_controls(bytes: &[u8]) -> bool {
    let mut odd = 0u8;
    for &b in bytes {
        odd |= ((b < 0x20) as u8 & (b != b'\t') as u8 & (b != b'\n') as u8 & (b != b'\r') as u8)
            | (b == 0x7f) as u8;
    }
    odd != 0
}

/// The UTF-8 byte-order mark.
const BOM: &[u8] = &[0xEF, 0xBB, 0xBF];

/// A quoted field may run across at most this many lines before the record is
/// taken for an unclosed quote (a profile's `max_field_lines` overrides it).
pub const MAX_FIELD_LINES: usize = 20;

fn parse_csv(
    bytes: &[u8],
    delimiter: u8,
    quote: u8,
    max_field_lines: usize,
    final_line_end: bool,
) -> Result<Parsed, FileError> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .quote(quote)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut out = Parsed::default();
    let mut rec = csv::ByteRecord::new();
    let mut first = true;
    let mut lines = LineCounter::new(bytes);
    let mut repeated_headers = Vec::new();
    loop {
        let mut start = rdr.position().byte() as usize;
        let result = rdr.read_byte_record(&mut rec);
        if let (Ok(true), Some(p)) = (&result, rec.position()) {
            start = p.byte() as usize;
        }
        // A CRLF terminator is consumed in two steps: the `\n` belongs to the previous record.
        while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
            start += 1;
        }
        // Count lines ourselves: csv's own count treats CRLF and CR-only files inconsistently.
        lines.advance(bytes, start);
        let line = lines.line;
        match result {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                if first {
                    return Err(FileError::Header(e.to_string()));
                }
                let end = rdr.position().byte() as usize;
                out.bad.push(BadRecord {
                    line,
                    column: None,
                    reason: format!("unreadable CSV row: {}", csv_reason(&e)),
                    raw: lossy(&bytes[start..end.min(bytes.len())]),
                });
                continue;
            }
        }
        let end = (rdr.position().byte() as usize).min(bytes.len());
        let span = bytes[start..end].trim_ascii_end();
        let raw = lossy(span);
        // Counting the record's own line ends tells a record on several lines
        // without another pass over its bytes.
        lines.advance(bytes, start + span.len());
        let multi_line = lines.line > line;
        if first {
            first = false;
            out.header = rec.iter().map(|f| lossy(f).trim().to_string()).collect();
            out.header_line = raw;
            continue;
        }
        if rec.len() == 1 && rec.get(0).is_some_and(|f| f.trim_ascii().is_empty()) {
            continue; // a blank line is not a row
        }
        // A record whose quoted field runs across line ends: either a note written
        // on several lines, or a quote left open that swallows the rows after it.
        if multi_line {
            if let Some(bad) = runaway_quote(
                span,
                line,
                &rec,
                &out.header,
                delimiter,
                quote,
                max_field_lines,
            ) {
                out.bad.extend(bad);
                continue;
            }
        }
        let at_eof = end >= bytes.len() && !matches!(bytes.last(), Some(b'\n' | b'\r'));
        // The last record has no line end: it is whole only if it ends with a closed quote.
        // A vendor that never ends its last row (`final_line_end = false`): the
        // last record is whole when it has all its fields.
        let cut = at_eof
            && !(span.last() == Some(&quote)
                && span.iter().filter(|&&b| b == quote).count() % 2 == 0)
            && (final_line_end || rec.len() != out.header.len());
        if cut {
            out.bad.push(BadRecord {
                line,
                column: None,
                reason: format!(
                    "truncated row (the file ends mid-row: no line end after the last record, {} of {} fields); was the export cut short? Re-export the file",
                    rec.len(),
                    out.header.len()
                ),
                raw,
            });
            continue;
        }
        if rec.len() != out.header.len() {
            out.bad.push(BadRecord {
                line,
                column: None,
                reason: format!("expected {} fields, found {}", out.header.len(), rec.len()),
                raw,
            });
            continue;
        }
        let mut fields = Vec::with_capacity(rec.len());
        let mut bad_col = None;
        for (i, f) in rec.iter().enumerate() {
            match std::str::from_utf8(f) {
                Ok(s) => fields.push(s.to_string()),
                Err(_) => {
                    bad_col = Some(out.header[i].clone());
                    break;
                }
            }
        }
        if let Some(column) = bad_col {
            out.bad.push(BadRecord {
                line,
                column: Some(column),
                reason:
                    "not valid UTF-8 (the file may be Latin-1 / Windows-1252); re-export as UTF-8"
                        .into(),
                raw,
            });
            continue;
        }
        // Exports concatenated into one file: each part starts with a byte-order mark
        // (never part of a value) and its own header line (not a row).
        let raw = match fields.first_mut() {
            Some(f0) if f0.as_bytes().starts_with(BOM) => {
                *f0 = unquote(&f0[BOM.len()..], quote as char);
                raw.trim_start_matches('\u{feff}').to_string()
            }
            _ => raw,
        };
        if fields.first().map(|f| f.trim()) == out.header.first().map(String::as_str)
            && fields.iter().zip(&out.header).all(|(f, h)| f.trim() == h)
        {
            repeated_headers.push(line);
            continue;
        }
        out.records.push(Record {
            line,
            fields: Fields::Csv(fields),
            raw,
        });
    }
    if first {
        return Err(FileError::Empty);
    }
    if !repeated_headers.is_empty() {
        out.warnings.push(format!(
            "the header line is repeated at line(s) {} (exports concatenated into one file?); those lines are not read as rows",
            list_lines(&repeated_headers)
        ));
    }
    Ok(out)
}

/// A first field that was quoted after a byte-order mark (`\u{feff}"C-1"`): the
/// quotes were read as text; take them off.
fn unquote(s: &str, q: char) -> String {
    match s.strip_prefix(q).and_then(|s| s.strip_suffix(q)) {
        Some(inner) => inner.replace(&format!("{q}{q}"), &q.to_string()),
        None => s.to_string(),
    }
}

fn list_lines(lines: &[u64]) -> String {
    const SHOWN: usize = 10;
    let mut s: Vec<String> = lines.iter().take(SHOWN).map(u64::to_string).collect();
    if lines.len() > SHOWN {
        s.push(format!("… ({} in all)", lines.len()));
    }
    s.join(", ")
}

/// The physical lines of `b` with their offsets from the first: a line ends at
/// `\n`, `\r\n` or a lone `\r` (Excel's "CSV Macintosh").
pub(crate) fn physical_lines(b: &[u8]) -> Vec<&[u8]> {
    if !b.contains(&b'\r') {
        return b.split(|&c| c == b'\n').collect();
    }
    let mut out = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'\n' => {
                out.push(&b[start..i]);
                start = i + 1;
            }
            b'\r' => {
                out.push(&b[start..i]);
                if b.get(i + 1) == Some(&b'\n') {
                    i += 1;
                }
                start = i + 1;
            }
            _ => {}
        }
        i += 1;
    }
    out.push(&b[start..]);
    out
}

/// Whether one physical line, on its own, reads as a whole record of `n` fields.
fn whole_record(line: &[u8], n: usize, delimiter: u8, quote: u8) -> bool {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .quote(quote)
        .has_headers(false)
        .flexible(true)
        .from_reader(line);
    let mut rec = csv::ByteRecord::new();
    matches!(rdr.read_byte_record(&mut rec), Ok(true))
        && rec.len() == n
        && rdr.position().byte() as usize >= line.len()
}

/// A record spanning lines `line..`: `None` when it is a legitimate multi-line
/// field; otherwise one bad record for the row that opened the quote and one for
/// every line inside it that reads as a whole record (the rows it swallowed), so
/// `read` counts what a person counts in the file.
fn runaway_quote(
    span: &[u8],
    line: u64,
    rec: &csv::ByteRecord,
    header: &[String],
    delimiter: u8,
    quote: u8,
    max_field_lines: usize,
) -> Option<Vec<BadRecord>> {
    let phys = physical_lines(span);
    let n = header.len();
    let swallowed: Vec<usize> = (1..phys.len())
        .filter(|&i| whole_record(phys[i], n, delimiter, quote))
        .collect();
    if swallowed.is_empty() && phys.len() <= max_field_lines {
        return None;
    }
    let column = rec
        .iter()
        .position(|f| f.iter().any(|&b| b == b'\n' || b == b'\r'))
        .and_then(|i| header.get(i).cloned());
    let last = line + phys.len() as u64 - 1;
    // Each entry keeps its own lines: the opening row up to the first swallowed
    // record, then each swallowed record with the lines that follow it.
    let cuts: Vec<usize> = std::iter::once(0)
        .chain(swallowed.iter().copied())
        .chain(std::iter::once(phys.len()))
        .collect();
    let text = |a: usize, b: usize| {
        phys[a..b]
            .iter()
            .map(|l| lossy(l))
            .collect::<Vec<_>>()
            .join("\n")
    };
    let mut out = vec![BadRecord {
        line,
        column,
        reason: if swallowed.is_empty() {
            format!(
                "unclosed quote: a quoted field runs across {} lines (to line {last}), more than the {max_field_lines} the profile allows (max_field_lines); close the quote and re-export, or raise max_field_lines",
                phys.len()
            )
        } else {
            format!(
                "unclosed quote: the quoted field opened in this row is not closed before line {last} and swallowed {} row(s), quarantined on their own lines; close the quote and re-export",
                swallowed.len()
            )
        },
        raw: text(0, cuts[1]),
    }];
    for w in cuts[1..].windows(2).take(swallowed.len()) {
        out.push(BadRecord {
            line: line + w[0] as u64,
            column: None,
            reason: format!(
                "swallowed by an unclosed quote: the quote left open on line {line} runs over this row; re-export the file with that quote closed"
            ),
            raw: text(w[0], w[1]),
        });
    }
    Some(out)
}

/// The 1-based line of a byte offset, computed incrementally. A line ends at
/// `\n`, `\r\n` or a lone `\r`.
struct LineCounter {
    pos: usize,
    line: u64,
    /// The file has a `\r` not followed by `\n` (CR-only ends, or a stray CR);
    /// without one, counting `\n` is enough (and fast).
    lone_cr: bool,
}

impl LineCounter {
    fn new(bytes: &[u8]) -> LineCounter {
        // Each piece after a `\r` starts with `\n` in a CRLF file.
        let lone_cr = bytes.contains(&b'\r')
            && bytes
                .split(|&b| b == b'\r')
                .skip(1)
                .any(|rest| rest.first() != Some(&b'\n'));
        LineCounter {
            pos: 0,
            line: 1,
            lone_cr,
        }
    }

    fn advance(&mut self, bytes: &[u8], to: usize) {
        let to = to.min(bytes.len());
        if to <= self.pos {
            return;
        }
        let chunk = &bytes[self.pos..to];
        let mut n = chunk.iter().filter(|&&b| b == b'\n').count() as u64;
        if self.lone_cr {
            n += (self.pos..to)
                .filter(|&i| bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
                .count() as u64;
        }
        self.line += n;
        self.pos = to;
    }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".into(),
        _ => "malformed quoting or structure".into(),
    }
}

impl Fields {
    /// The value of a source column: `None` when the column is absent from this
    /// record, `Some("")` when present but empty. JSON paths may be dotted.
    pub fn get<'a>(&'a self, header: &[String], name: &str) -> Option<std::borrow::Cow<'a, str>> {
        use std::borrow::Cow;
        match self {
            Fields::Csv(v) => header
                .iter()
                .position(|h| h == name)
                .map(|i| Cow::Borrowed(v[i].as_str())),
            Fields::Json(map) => {
                let cur = super::adapters::at(map, name)?;
                Some(match cur {
                    Value::Null => Cow::Borrowed(""),
                    Value::String(s) => Cow::Borrowed(s.as_str()),
                    Value::Bool(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
                    other => Cow::Owned(other.to_string()),
                })
            }
        }
    }
}

impl Fields {
    /// Whether a JSON field holds an object or an array (where one value belongs).
    pub fn is_structured(&self, _header: &[String], name: &str) -> bool {
        match self {
            Fields::Csv(_) => false,
            Fields::Json(map) => {
                matches!(
                    super::adapters::at(map, name),
                    Some(Value::Object(_) | Value::Array(_))
                )
            }
        }
    }
}

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
