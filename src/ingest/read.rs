//! Reading export files into records, keeping line numbers and never losing a row.
//!
//! A record that cannot be read (a truncated CSV row, bytes that are not UTF-8, a
//! JSON value that does not parse) comes back as a [`BadRecord`] so the caller can
//! quarantine it; the rest of the file is still read.

use super::profile::{Format, Profile};
use serde_json::{Map, Value};

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
    pub records: Vec<Record>,
    pub bad: Vec<BadRecord>,
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
}

/// Read `bytes` as the profile's format.
pub fn parse(bytes: &[u8], profile: &Profile) -> Result<Parsed, FileError> {
    if bytes.is_empty() {
        return Err(FileError::Empty);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) || bytes.starts_with(&[0xFE, 0xFF]) {
        return Err(FileError::Utf16);
    }
    let bytes = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF]).unwrap_or(bytes);
    match profile.def.format {
        Format::Csv => parse_csv(bytes, profile.delimiter, profile.quote),
        Format::Ndjson => Ok(parse_ndjson(bytes)),
        Format::Json => match &profile.def.records_key {
            None => parse_json_array(bytes, 0),
            Some(key) => match array_under_key(bytes, key) {
                Some(pos) => parse_json_array(bytes, pos),
                None => Err(FileError::NoRecordsKey(key.clone())),
            },
        },
    }
}

fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn parse_csv(bytes: &[u8], delimiter: u8, quote: u8) -> Result<Parsed, FileError> {
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .quote(quote)
        .has_headers(false)
        .flexible(true)
        .from_reader(bytes);
    let mut out = Parsed::default();
    let mut rec = csv::ByteRecord::new();
    let mut first = true;
    let mut lines = LineCounter { pos: 0, line: 1 };
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
        // Count lines ourselves: csv's own count treats CRLF files inconsistently.
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
        let raw = lossy(bytes[start..end].trim_ascii_end());
        if first {
            first = false;
            out.header = rec.iter().map(|f| lossy(f).trim().to_string()).collect();
            continue;
        }
        if rec.len() == 1 && rec.get(0).is_some_and(|f| f.is_empty()) {
            continue; // a blank line is not a row
        }
        if rec.len() != out.header.len() {
            let truncated = end >= bytes.len() && !bytes.ends_with(b"\n");
            out.bad.push(BadRecord {
                line,
                column: None,
                reason: format!(
                    "{}expected {} fields, found {}",
                    if truncated {
                        "truncated row (file ends mid-row): "
                    } else {
                        ""
                    },
                    out.header.len(),
                    rec.len()
                ),
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
        out.records.push(Record {
            line,
            fields: Fields::Csv(fields),
            raw,
        });
    }
    if first {
        return Err(FileError::Empty);
    }
    Ok(out)
}

/// The 1-based line of a byte offset, computed incrementally.
struct LineCounter {
    pos: usize,
    line: u64,
}

impl LineCounter {
    fn advance(&mut self, bytes: &[u8], to: usize) {
        let to = to.min(bytes.len());
        if to > self.pos {
            self.line += bytes[self.pos..to].iter().filter(|&&b| b == b'\n').count() as u64;
            self.pos = to;
        }
    }
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".into(),
        _ => "malformed quoting or structure".into(),
    }
}

fn parse_ndjson(bytes: &[u8]) -> Parsed {
    let mut out = Parsed::default();
    for (i, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let line_no = i as u64 + 1;
        let trimmed = line.trim_ascii();
        if trimmed.is_empty() {
            continue;
        }
        push_json(&mut out, trimmed, line_no);
    }
    out
}

fn push_json(out: &mut Parsed, text: &[u8], line: u64) {
    // Kinesis Data Firehose writes records back to back (`{…}{…}`) unless told to
    // add newlines: several objects on one line are several records of that line.
    let mut stream = serde_json::Deserializer::from_slice(text).into_iter::<Value>();
    let mut objects = Vec::new();
    let mut start = 0;
    while let Some(Ok(Value::Object(map))) = stream.next() {
        let end = stream.byte_offset();
        objects.push((map, lossy(text[start..end].trim_ascii())));
        start = end;
    }
    if objects.len() > 1 && start == text.len() {
        for (map, raw) in objects {
            out.records.push(Record {
                line,
                fields: Fields::Json(map),
                raw,
            });
        }
        return;
    }
    let raw = lossy(text);
    match serde_json::from_slice::<Value>(text) {
        Ok(Value::Object(map)) => out.records.push(Record {
            line,
            fields: Fields::Json(map),
            raw,
        }),
        Ok(_) => out.bad.push(BadRecord {
            line,
            column: None,
            reason: "not a JSON object".into(),
            raw,
        }),
        Err(e) => out.bad.push(BadRecord {
            line,
            column: None,
            reason: format!("invalid JSON ({})", json_reason(&e)),
            raw,
        }),
    }
}

fn json_reason(e: &serde_json::Error) -> &'static str {
    match e.classify() {
        serde_json::error::Category::Eof => "truncated",
        serde_json::error::Category::Io => "unreadable",
        serde_json::error::Category::Syntax => "syntax error",
        serde_json::error::Category::Data => "unexpected data",
    }
}

/// Read a JSON array element by element, so a broken element (or a truncated file)
/// costs only the elements it touches.
fn parse_json_array(bytes: &[u8], start: usize) -> Result<Parsed, FileError> {
    let mut out = Parsed::default();
    let mut lines = LineCounter { pos: 0, line: 1 };
    let mut pos = skip_ws(bytes, start);
    if bytes.get(pos) != Some(&b'[') {
        return Err(FileError::NotArray);
    }
    pos += 1;
    loop {
        pos = skip_ws(bytes, pos);
        match bytes.get(pos) {
            None => break,
            Some(b']') => break,
            Some(b',') => {
                pos += 1;
                continue;
            }
            Some(_) => {}
        }
        lines.advance(bytes, pos);
        let line = lines.line;
        let mut stream = serde_json::Deserializer::from_slice(&bytes[pos..]).into_iter::<Value>();
        match stream.next() {
            Some(Ok(v)) => {
                let end = pos + stream.byte_offset();
                let raw = lossy(&bytes[pos..end]);
                match v {
                    Value::Object(map) => out.records.push(Record {
                        line,
                        fields: Fields::Json(map),
                        raw,
                    }),
                    _ => out.bad.push(BadRecord {
                        line,
                        column: None,
                        reason: "array element is not a JSON object".into(),
                        raw,
                    }),
                }
                pos = end;
            }
            Some(Err(e)) => {
                // Skip to the next element boundary at depth 0, or the end.
                let end = next_boundary(bytes, pos);
                out.bad.push(BadRecord {
                    line,
                    column: None,
                    reason: format!("invalid JSON ({})", json_reason(&e)),
                    raw: lossy(&bytes[pos..end]),
                });
                pos = end;
                if pos >= bytes.len() {
                    break;
                }
            }
            None => break,
        }
    }
    Ok(out)
}

/// The offset of the `[` that opens the array under `key` in the file's top-level
/// object, found without parsing the whole file (so the records keep line numbers).
fn array_under_key(b: &[u8], key: &str) -> Option<usize> {
    let mut pos = skip_ws(b, 0);
    if b.get(pos) != Some(&b'{') {
        return None;
    }
    pos += 1;
    loop {
        pos = skip_ws(b, pos);
        match b.get(pos)? {
            b',' => {
                pos += 1;
                continue;
            }
            b'"' => {}
            _ => return None,
        }
        let mut stream = serde_json::Deserializer::from_slice(&b[pos..]).into_iter::<String>();
        let name = stream.next()?.ok()?;
        pos = skip_ws(b, pos + stream.byte_offset());
        if b.get(pos) != Some(&b':') {
            return None;
        }
        pos = skip_ws(b, pos + 1);
        if name == key {
            return (b.get(pos) == Some(&b'[')).then_some(pos);
        }
        let mut value =
            serde_json::Deserializer::from_slice(&b[pos..]).into_iter::<serde::de::IgnoredAny>();
        value.next()?.ok()?;
        pos += value.byte_offset();
    }
}

fn skip_ws(b: &[u8], mut pos: usize) -> usize {
    while pos < b.len() && b[pos].is_ascii_whitespace() {
        pos += 1;
    }
    pos
}

/// The next `,` or `]` outside strings at the element's own depth.
fn next_boundary(b: &[u8], start: usize) -> usize {
    let (mut depth, mut in_str, mut esc) = (0i32, false, false);
    for (i, &c) in b.iter().enumerate().skip(start) {
        if in_str {
            match (esc, c) {
                (true, _) => esc = false,
                (false, b'\\') => esc = true,
                (false, b'"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            b'"' => in_str = true,
            b'{' | b'[' => depth += 1,
            b'}' => depth -= 1,
            b']' if depth == 0 => return i,
            b']' => depth -= 1,
            b',' if depth == 0 => return i,
            _ => {}
        }
    }
    b.len()
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
                let mut parts = name.split('.');
                let mut cur = map.get(parts.next()?)?;
                for p in parts {
                    cur = match cur {
                        Value::Object(m) => m.get(p)?,
                        Value::Array(a) => a.get(p.parse::<usize>().ok()?)?,
                        _ => return None,
                    };
                }
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

#[cfg(test)]
#[path = "read_tests.rs"]
mod tests;
