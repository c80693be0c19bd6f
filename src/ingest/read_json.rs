//! JSON and NDJSON exports: records as objects, with true line numbers, text
//! after the array read or quarantined, never dropped.

use super::*;

pub(super) fn parse_ndjson(bytes: &[u8]) -> Parsed {
    let mut out = Parsed::default();
    for (i, line) in physical_lines(bytes).into_iter().enumerate() {
        let line_no = i as u64 + 1;
        // A byte-order mark starts each part of exports concatenated into one file.
        let trimmed = line.trim_ascii();
        let trimmed = trimmed.strip_prefix(BOM).unwrap_or(trimmed).trim_ascii();
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

/// Read the file's records: the top-level array (or the array under `key` of the
/// top-level object), element by element, so a broken element (or a truncated file)
/// costs only the elements it touches. Documents written back to back (`[…][…]`,
/// or response objects one after another: concatenated exports) are all read;
/// any other text after a document is quarantined with its line, never dropped.
pub(super) fn parse_json(bytes: &[u8], keys: &[&str]) -> Result<Parsed, FileError> {
    let mut out = Parsed::default();
    let mut lines = LineCounter::new(bytes);
    let first = skip_ws(bytes, 0);
    let key = (!keys.is_empty()).then_some(keys);
    // How many objects enclose the records array (2 for `payload.object.call_logs`'s
    // `{"payload": {"object": {"call_logs": [`… counts the outer ones too: 3).
    let (mut pos, mut depth) = match key {
        None if bytes.get(first) == Some(&b'[') => (first, 0),
        None => return Err(FileError::NotArray),
        Some(k) => records_array(bytes, first, k)
            .ok_or_else(|| FileError::NoRecordsKey(k.join("` or `")))?,
    };
    let what = if key.is_some() {
        "response object"
    } else {
        "array"
    };
    loop {
        pos = read_array(bytes, pos, &mut out, &mut lines);
        if pos >= bytes.len() {
            break;
        }
        // The rest of the response object (paging, navigation) is not records.
        let mut closed = true;
        for _ in 0..depth {
            match end_of_object(bytes, pos) {
                Some(end) => pos = end,
                None => {
                    closed = false;
                    break;
                }
            }
        }
        if !closed {
            lines.advance(bytes, pos);
            out.bad.push(BadRecord {
                line: lines.line,
                column: None,
                reason: "the response object does not close after its records (text cut or damaged); re-export the file".into(),
                raw: lossy(&bytes[pos..]),
            });
            break;
        }
        // What follows: another document, or text that is quarantined.
        let next = loop {
            pos = skip_ws(bytes, pos);
            while bytes[pos..].starts_with(BOM) {
                pos = skip_ws(bytes, pos + BOM.len());
            }
            if pos >= bytes.len() {
                break None;
            }
            let next = match key {
                None => (bytes[pos] == b'[').then_some((pos, 0)),
                Some(k) => records_array(bytes, pos, k),
            };
            if next.is_some() {
                break next;
            }
            lines.advance(bytes, pos);
            let line = lines.line;
            let mut stream = serde_json::Deserializer::from_slice(&bytes[pos..])
                .into_iter::<serde::de::IgnoredAny>();
            match stream.next() {
                Some(Ok(_)) => {
                    let end = pos + stream.byte_offset();
                    out.bad.push(BadRecord {
                        line,
                        column: None,
                        reason: format!(
                            "a JSON value after the end of the {what} (a second export appended to this one?); split the files or re-export"
                        ),
                        raw: lossy(&bytes[pos..end]),
                    });
                    pos = end;
                }
                _ => {
                    out.bad.push(BadRecord {
                        line,
                        column: None,
                        reason: format!(
                            "text after the end of the JSON {what} is not JSON; remove it or re-export the file"
                        ),
                        raw: lossy(&bytes[pos..]),
                    });
                    break None;
                }
            }
        };
        match next {
            Some((p, d)) => (pos, depth) = (p, d),
            None => break,
        }
    }
    Ok(out)
}

/// Whether the file holds one JSON object per line, none of them a response
/// object with the records (`keys`): its first line is a whole object on its own.
pub(super) fn is_ndjson(bytes: &[u8], keys: &[&str]) -> bool {
    let Some(line) = physical_lines(bytes)
        .into_iter()
        .map(|l| l.trim_ascii())
        .find(|l| !l.is_empty())
    else {
        return false;
    };
    let line = line.strip_prefix(BOM).unwrap_or(line);
    line.starts_with(b"{")
        && serde_json::from_slice::<Map<String, Value>>(line).is_ok()
        && records_array(line, 0, keys).is_none()
}

/// The offset of the `[` that opens the records array of the object that starts at
/// `from`, under the first of `keys` it has (a key may be a dotted path through
/// nested objects, `payload.object.call_logs`), and how many objects enclose it.
fn records_array(b: &[u8], from: usize, keys: &[&str]) -> Option<(usize, usize)> {
    keys.iter().find_map(|k| {
        let mut pos = from;
        let parts: Vec<&str> = k.split('.').collect();
        for (i, part) in parts.iter().enumerate() {
            pos = value_under_key(b, pos, part)?;
            let want = if i + 1 == parts.len() { b'[' } else { b'{' };
            if b.get(pos) != Some(&want) {
                return None;
            }
        }
        Some((pos, parts.len()))
    })
}

/// Read the elements of the array that opens at `start`; returns the offset after
/// its closing `]` (or the end of the file when it never closes).
fn read_array(bytes: &[u8], start: usize, out: &mut Parsed, lines: &mut LineCounter) -> usize {
    let mut pos = start + 1;
    loop {
        pos = skip_ws(bytes, pos);
        match bytes.get(pos) {
            None => return bytes.len(),
            Some(b']') => return pos + 1,
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
                    return bytes.len();
                }
            }
            None => return bytes.len(),
        }
    }
}

/// The offset of the value under `key` in the object that starts at `from`, found
/// without parsing the whole file (so the records keep line numbers).
fn value_under_key(b: &[u8], from: usize, key: &str) -> Option<usize> {
    let mut pos = skip_ws(b, from);
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
            return Some(pos);
        }
        let mut value =
            serde_json::Deserializer::from_slice(&b[pos..]).into_iter::<serde::de::IgnoredAny>();
        value.next()?.ok()?;
        pos += value.byte_offset();
    }
}

/// The offset after the `}` that closes an object whose members continue at `pos`
/// (after its records array).
fn end_of_object(b: &[u8], mut pos: usize) -> Option<usize> {
    loop {
        pos = skip_ws(b, pos);
        match b.get(pos)? {
            b'}' => return Some(pos + 1),
            b',' => pos += 1,
            b'"' => {
                let mut name =
                    serde_json::Deserializer::from_slice(&b[pos..]).into_iter::<String>();
                name.next()?.ok()?;
                pos = skip_ws(b, pos + name.byte_offset());
                if b.get(pos) != Some(&b':') {
                    return None;
                }
                pos = skip_ws(b, pos + 1);
                let mut value = serde_json::Deserializer::from_slice(&b[pos..])
                    .into_iter::<serde::de::IgnoredAny>();
                value.next()?.ok()?;
                pos += value.byte_offset();
            }
            _ => return None,
        }
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
