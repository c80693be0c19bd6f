//! Mapping one export record onto a canonical row.

use super::parse;
use super::profile::{ColumnSource, Profile, Zone};
use super::read::{Fields, Record};
use super::shape;
use crate::config::Config;
use crate::lake::row::{Row, Value};
use crate::lake::schema::Kind;
use crate::privacy::Hasher;
use std::borrow::Cow;

/// Why a record was quarantined.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The vendor's column name, when one column is to blame.
    pub column: Option<String>,
    /// The offending value as written (stored in quarantine only, never logged).
    pub value: Option<String>,
    /// What is wrong and what to do; never contains PHI.
    pub reason: String,
}

impl RowError {
    fn at(column: &str, value: &str, reason: impl Into<String>) -> RowError {
        RowError {
            column: Some(column.to_string()),
            value: Some(value.to_string()),
            reason: reason.into(),
        }
    }
}

/// Everything mapping needs besides the record.
pub struct Mapper<'a> {
    pub profile: &'a Profile,
    pub config: &'a Config,
    pub hasher: &'a Hasher,
    pub header: &'a [String],
    pub source: &'a str,
    /// Phone parsing is the costliest step of mapping and numbers repeat: memoised
    /// per (region, raw text) as (E.164, phone_key).
    pub phones: &'a PhoneCache,
    /// The instants a row may hold, from the run's clock.
    pub limits: &'a Limits,
    /// The file holds a control character other than tab and line ends
    /// (`read::has_controls`): every value is then checked for one.
    pub controls: bool,
    /// Found once per file, not once per row: for each canonical column, the
    /// header position of each field its source reads (in
    /// `ColumnSource::fields` order; `None` when the header lacks it or the
    /// file is JSON), the position of the practice column, the order the
    /// columns are mapped in (direction first) and each column's value map.
    positions: Vec<Vec<Option<usize>>>,
    practice_position: Option<usize>,
    order: Vec<usize>,
    /// `source`, shared by the file's rows.
    source_shared: std::sync::Arc<str>,
    /// Each column's place among the raw values (`Row::raw`), if it keeps one.
    raw_slots: Vec<Option<usize>>,
    value_maps: Vec<Option<&'a std::collections::BTreeMap<String, String>>>,
}

impl<'a> Mapper<'a> {
    #[allow(clippy::too_many_arguments)]
    pub fn new(
        profile: &'a Profile,
        config: &'a Config,
        hasher: &'a Hasher,
        header: &'a [String],
        source: &'a str,
        phones: &'a PhoneCache,
        limits: &'a Limits,
        controls: bool,
    ) -> Mapper<'a> {
        let at = |name: &str| header.iter().position(|h| h == name);
        let positions = profile
            .sources
            .iter()
            .map(|src| match src {
                Some(src) => src.fields().into_iter().map(at).collect(),
                None => Vec::new(),
            })
            .collect();
        let table = profile.table();
        let cols = table.columns();
        let mut order: Vec<usize> = (0..cols.len()).collect();
        if let Some(d) = table.col_index("direction") {
            order.retain(|&i| i != d);
            order.insert(0, d);
        }
        Mapper {
            profile,
            config,
            hasher,
            header,
            source,
            phones,
            limits,
            controls,
            positions,
            practice_position: profile.def.practice_column.as_deref().and_then(at),
            order,
            source_shared: source.into(),
            raw_slots: cols
                .iter()
                .scan(0, |n, c| {
                    let slot = c.raw.then_some(*n);
                    *n += c.raw as usize;
                    Some(slot)
                })
                .collect(),
            value_maps: cols
                .iter()
                .map(|c| profile.def.values.get(c.name))
                .collect(),
        }
    }

    /// The trimmed value of the `k`-th field (named `name`) that column `i`'s
    /// source reads: empty when the record lacks it.
    fn field<'r>(&self, rec: &'r Record, i: usize, k: usize, name: &str) -> Cow<'r, str> {
        self.value(rec, self.positions[i][k], name)
    }

    /// The trimmed value of source field `name`, found at `position` of a
    /// CSV record's header (by name in JSON): empty when the record lacks it.
    fn value<'r>(&self, rec: &'r Record, position: Option<usize>, name: &str) -> Cow<'r, str> {
        match &rec.fields {
            Fields::Csv(v) => Cow::Borrowed(position.map_or("", |p| v[p].trim())),
            fields => trimmed(fields.get(self.header, name)),
        }
    }
}

/// A JSON value's text without the blanks around it.
fn trimmed(v: Option<Cow<'_, str>>) -> Cow<'_, str> {
    match v {
        None => Cow::Borrowed(""),
        Some(Cow::Borrowed(s)) => Cow::Borrowed(s.trim()),
        Some(Cow::Owned(s)) if s.trim().len() == s.len() => Cow::Owned(s),
        Some(Cow::Owned(s)) => Cow::Owned(s.trim().to_string()),
    }
}

/// No follow-up record happened before 2000-01-01T00:00Z: an earlier instant is a
/// placeholder (year 1, 1900-01-01) or a misread date.
pub const EARLIEST: i64 = 946_684_800_000_000;

/// How far ahead a due date, callback or appointment may be before it reads as a
/// placeholder (2100-01-01): two years.
pub const AHEAD_DAYS: i64 = 730;

/// The longest call a duration may describe: a day.
pub const MAX_DURATION_S: i64 = 86_400;

const DAY_US: i64 = 86_400_000_000;

/// The instants a row may hold, from the run's clock.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Latest instant that may have happened (the clock plus the slack).
    pub latest: i64,
    /// Latest time ahead a due date, callback or appointment may name.
    pub latest_ahead: i64,
    pub slack_days: u32,
}

impl Limits {
    pub fn new(now: chrono::DateTime<chrono::Utc>, slack_days: u32) -> Limits {
        let now = now.timestamp_micros();
        Limits {
            latest: now + slack_days as i64 * DAY_US,
            latest_ahead: now + AHEAD_DAYS * DAY_US,
            slack_days,
        }
    }

    /// From the run's clock (`crate::clock`) and the config's `[ingest]`.
    pub fn from_config(config: &Config) -> anyhow::Result<Limits> {
        Ok(Limits::new(
            crate::clock::now()?,
            config.ingest.future_slack_days,
        ))
    }
}

/// Columns that name a time ahead (when something is due, a callback, an
/// appointment's start) rather than one that happened.
fn names_time_ahead(column: &str) -> bool {
    matches!(column, "due_at" | "callback_at" | "start_at")
}

/// What makes a value impossible to hold as text, if anything: a NUL or other
/// control character, or a byte-order mark (from exports concatenated into one
/// file). A note may hold line ends and tabs.
fn invisible(s: &str, note: bool) -> Option<&'static str> {
    // ASCII without a control character, the common case, in one branch-free
    // (vectorised) pass; anything else is looked at closely.
    let (high, low) = s.bytes().fold((0u8, false), |(high, low), b| {
        (high | b, low | (b < 0x20) | (b == 0x7f))
    });
    if high < 0x80 && !low {
        return None;
    }
    if high < 0x80 {
        for &b in s.as_bytes() {
            if b < 0x20 || b == 0x7f {
                return match b {
                    0 => Some("a NUL character"),
                    b'\n' | b'\r' | b'\t' if note => continue,
                    _ => Some("a control character"),
                };
            }
        }
        return None;
    }
    for c in s.chars() {
        match c {
            '\0' => return Some("a NUL character"),
            '\u{feff}' => return Some("a byte-order mark (U+FEFF)"),
            '\n' | '\r' | '\t' if note => {}
            c if c.is_control() => return Some("a control character"),
            _ => {}
        }
    }
    None
}

/// The vendor column(s) a canonical column reads, for messages.
fn source_name(src: &ColumnSource) -> String {
    match src {
        ColumnSource::Field(f) => f.clone(),
        ColumnSource::Concat(fs) => fs.join("+"),
        ColumnSource::FirstOf { first_of } => first_of.join("|"),
        ColumnSource::ByDirection {
            inbound, outbound, ..
        } => format!("{inbound}|{outbound}"),
    }
}

/// Memo of phone normalisation results.
pub type PhoneCache = std::cell::RefCell<
    std::collections::HashMap<
        (phonenumber::country::Id, String),
        Result<Option<(String, String)>, &'static str>,
    >,
>;

impl Mapper<'_> {
    /// Map a record; any problem quarantines the whole record with the first reason found.
    pub fn map(&self, rec: &Record) -> Result<Row, RowError> {
        let p = self.profile;
        let table = p.table();
        // Whether any value of this record can hold a control character or a
        // byte-order mark (most records: none can), so the values themselves are
        // looked at only when one might: a record with a byte beyond ASCII, in a
        // file with a control character, JSON with an escape (JSON writes control
        // characters escaped), or a CSV record on several lines.
        let raw = rec.raw.as_bytes();
        let look = self.controls
            || !raw.is_ascii()
            || match rec.fields {
                super::read::Fields::Json(_) => raw.contains(&b'\\'),
                super::read::Fields::Csv(_) => raw.contains(&b'\n') || raw.contains(&b'\r'),
            };
        let practice_id: Cow<str> = match (&p.def.practice_column, &p.def.practice_id) {
            (Some(col), _) => self.value(rec, self.practice_position, col),
            (None, Some(id)) => Cow::Borrowed(id.as_str()),
            // The first folder below the exports folder; a file outside any folder has none.
            (None, None) => match self.source.split_once('/') {
                Some((folder, _)) => Cow::Borrowed(folder),
                None => Cow::Borrowed(""),
            },
        };
        let practice_col = match (&p.def.practice_column, p.def.practice_folder) {
            (Some(c), _) => c.as_str(),
            (None, true) => "practice folder",
            (None, false) => "practice_id",
        };
        let Some(practice) = self.config.practice(&practice_id) else {
            return Err(RowError::at(
                practice_col,
                &practice_id,
                if practice_id.is_empty() && p.def.practice_folder {
                    "missing practice id: put the file in its practice's folder (exports/<practice id>/)".to_string()
                } else if practice_id.is_empty() {
                    "missing practice id".to_string()
                } else if shape::is_code(&practice_id) {
                    format!("practice `{practice_id}` is not configured; add it to [[practices]]")
                } else {
                    format!(
                        "practice id is {} and no configured practice; is a column shifted? Check the row, or add the practice to [[practices]]",
                        shape::shape(&practice_id)
                    )
                },
            ));
        };
        let tz = match p.zone {
            Zone::Practice => practice.tz,
            Zone::Fixed(z) => z,
        };

        let cols = table.columns();
        let mut values = vec![Value::Null; cols.len()];
        // Direction first: a ByDirection source depends on it.
        let direction_idx = table.col_index("direction");
        let mut raw = vec![Value::Null; self.raw_slots.iter().flatten().count()];
        for &i in &self.order {
            let col = &cols[i];
            let Some(src) = &p.sources[i] else {
                // An unmapped column still has its (empty) raw value, so every row's
                // raw columns line up with the table's.
                continue;
            };
            let get = |k: usize, name: &str| self.field(rec, i, k, name);
            let (field, text): (Cow<str>, Cow<str>) = match src {
                ColumnSource::Field(f) => (Cow::Borrowed(f.as_str()), get(0, f)),
                ColumnSource::Concat(fs) => (
                    Cow::Owned(fs.join("+")),
                    Cow::Owned(
                        fs.iter()
                            .enumerate()
                            .map(|(k, f)| get(k, f))
                            .filter(|s| !s.is_empty())
                            .collect::<Vec<_>>()
                            .join(" "),
                    ),
                ),
                ColumnSource::FirstOf { first_of } => first_of
                    .iter()
                    .enumerate()
                    .map(|(k, f)| (Cow::Borrowed(f.as_str()), get(k, f)))
                    .find(|(_, v)| !v.is_empty())
                    .unwrap_or_else(|| (Cow::Owned(first_of.join("|")), Cow::Borrowed(""))),
                ColumnSource::ByDirection {
                    inbound,
                    outbound,
                    internal,
                } => {
                    let f = match direction_idx.and_then(|d| values[d].as_str()) {
                        Some("inbound") => Some((0, inbound)),
                        Some("outbound") => Some((1, outbound)),
                        Some("internal") => internal.as_ref().map(|f| (2, f)),
                        _ => None,
                    };
                    match f {
                        Some((k, f)) => (Cow::Borrowed(f.as_str()), get(k, f)),
                        None => (Cow::Borrowed(""), Cow::Borrowed("")),
                    }
                }
            };
            if let (Some(slot), false) = (self.raw_slots[i], text.is_empty()) {
                raw[slot] = Value::Str(text.to_string());
            }
            if look && !text.is_empty() {
                if let Some(what) = invisible(&text, col.kind == Kind::Note) {
                    return Err(RowError::at(
                        &field,
                        &text,
                        format!("{what} inside the value for {}; re-export the file (never stored, least of all in a key)", col.name),
                    ));
                }
            }
            if text.starts_with(['{', '[']) && rec.fields.is_structured(self.header, &field) {
                return Err(RowError::at(
                    &field,
                    &text,
                    format!("a JSON object or array where one value for {} belongs; fix the export or map the field inside it (a dotted path)", col.name),
                ));
            }
            let map = self.value_maps[i];
            // An explicit `"" = "value"` in the value map gives empty cells a meaning.
            let text: &str = match map.and_then(|m| m.get("")) {
                Some(v) if text.is_empty() && !v.is_empty() => v,
                _ => &text,
            };
            if text.is_empty() {
                if col.required && col.name != "updated_at" {
                    return Err(RowError::at(
                        &field,
                        "",
                        format!("missing required value for {}", col.name),
                    ));
                }
                continue;
            }
            let mapped = map.and_then(|m| m.get(text));
            values[i] = match col.kind {
                Kind::Text | Kind::Note => match (map, mapped) {
                    (Some(_), Some(m)) if m.is_empty() => Value::Null,
                    (Some(_), Some(m)) => Value::Str(m.clone()),
                    (Some(_), None) => {
                        return Err(unmapped(&field, text, col.name));
                    }
                    (None, _) => Value::Str(text.to_string()),
                },
                Kind::Enum(allowed) => match mapped {
                    Some(m) if m.is_empty() => Value::Null,
                    Some(m) => Value::Str(m.clone()),
                    None if allowed.contains(&text) => Value::Str(text.to_string()),
                    None => return Err(unmapped(&field, text, col.name)),
                },
                Kind::Category => {
                    let c = match mapped {
                        Some(m) => m.as_str(),
                        None if is_snake(text) => text,
                        None => return Err(unmapped(&field, text, col.name)),
                    };
                    if !practice.categories.contains_key(c) {
                        let shown = if shape::is_code(c) {
                            format!("`{c}`")
                        } else {
                            shape::shape(c)
                        };
                        return Err(RowError::at(
                            &field,
                            text,
                            format!("category {shown} is not configured for practice {}; add it to the config's categories", practice.id),
                        ));
                    }
                    Value::Str(c.to_string())
                }
                Kind::Label => match mapped {
                    Some(m) if m.is_empty() => Value::Null,
                    Some(m) => Value::Str(m.clone()),
                    None if is_snake(text) => Value::Str(text.to_string()),
                    None => return Err(unmapped(&field, text, col.name)),
                },
                Kind::Timestamp => match parse::timestamp(text, &p.formats, tz) {
                    Ok(t) if t < EARLIEST => {
                        return Err(RowError::at(
                            &field,
                            text,
                            format!("{} is before the year 2000: a placeholder date (such as 0001-01-01 or 1900-01-01), not a real time; fix it in the source system", col.name),
                        ))
                    }
                    Ok(t) if names_time_ahead(col.name) && t > self.limits.latest_ahead => {
                        return Err(RowError::at(
                            &field,
                            text,
                            format!("{} is more than {AHEAD_DAYS} days ahead of the run's clock: a placeholder date (such as 2100-01-01), not a real one; fix it in the source system", col.name),
                        ))
                    }
                    Ok(t) if !names_time_ahead(col.name) && t > self.limits.latest => {
                        return Err(RowError::at(
                            &field,
                            text,
                            format!("{} is in the future (later than the run's clock plus {} day(s), ingest.future_slack_days); check the exporting system's clock and time zone", col.name, self.limits.slack_days),
                        ))
                    }
                    Ok(t) => Value::Ts(t),
                    Err(m) => return Err(RowError::at(&field, text, m)),
                },
                Kind::Int => match text
                    .parse::<i64>()
                    .ok()
                    .or_else(|| parse::clock_seconds(text))
                {
                    Some(n) if n < 0 => {
                        return Err(RowError::at(
                            &field,
                            text,
                            format!("{} is negative; a duration cannot be", col.name),
                        ))
                    }
                    Some(n) if n > MAX_DURATION_S => {
                        return Err(RowError::at(
                            &field,
                            text,
                            format!("{} is more than a day ({MAX_DURATION_S} s): not a call's length (a misread value, or milliseconds?)", col.name),
                        ))
                    }
                    Some(n) => Value::Int(n),
                    None => {
                        return Err(RowError::at(
                            &field,
                            text,
                            "not a whole number (or a duration as h:mm:ss / m:ss)",
                        ))
                    }
                },
                Kind::Bool => match parse::boolean(text) {
                    Ok(b) => Value::Bool(b),
                    Err(m) => return Err(RowError::at(&field, text, m)),
                },
                Kind::PatientKey => Value::Str(self.hasher.patient_key(&practice.id, text)),
                Kind::PhoneKey | Kind::Phone => {
                    let key = (practice.phone_region, text.to_string());
                    let cached = self.phones.borrow().get(&key).cloned();
                    let parsed = match cached {
                        Some(r) => r,
                        None => {
                            let r = parse::phone(&key.1, practice.phone_region)
                                .map(|o| o.map(|e| (self.hasher.phone_key(&e), e)));
                            self.phones.borrow_mut().insert(key.clone(), r.clone());
                            r
                        }
                    };
                    match parsed {
                        Ok(Some((_, e164))) if col.kind == Kind::Phone => Value::Str(e164),
                        Ok(Some((phone_key, _))) => Value::Str(phone_key),
                        Ok(None) => Value::Null,
                        Err(m) => return Err(RowError::at(&field, &key.1, m)),
                    }
                }
            };
            if col.required && values[i] == Value::Null && col.name != "updated_at" {
                return Err(RowError::at(
                    &field,
                    text,
                    format!("{} maps to empty but is required", col.name),
                ));
            }
        }
        self.check_order(&values)?;

        // A table's version defaults to the instant that partitions it.
        let upd = table.col_index("updated_at").expect("updated_at");
        if values[upd] == Value::Null {
            if let Some(pt) = table.partition_time().and_then(|n| table.col_index(n)) {
                values[upd] = values[pt].clone();
            }
        }
        if values[upd] == Value::Null {
            return Err(RowError {
                column: Some(
                    p.sources[upd]
                        .as_ref()
                        .map(source_name)
                        .unwrap_or_else(|| "updated_at".into()),
                ),
                value: Some(String::new()),
                reason: "missing updated_at: the row has no version to merge by".into(),
            });
        }

        let row_hash = hash_row(self.hasher, &practice_id, &values, &raw);
        Ok(Row {
            practice_id: practice_id.into_owned(),
            values,
            raw,
            source: self.source_shared.clone(),
            source_line: rec.line as i64,
            row_hash,
        })
    }
}

impl Mapper<'_> {
    /// A call cannot end before it starts, nor be answered outside its span.
    fn check_order(&self, values: &[Value]) -> Result<(), RowError> {
        let table = self.profile.table();
        if table != crate::lake::schema::Table::Calls {
            return Ok(());
        }
        // Found once: a name lookup per row would cost more than the check.
        static AT: std::sync::OnceLock<[Option<usize>; 3]> = std::sync::OnceLock::new();
        let at = AT.get_or_init(|| {
            let t = crate::lake::schema::Table::Calls;
            [
                t.col_index("started_at"),
                t.col_index("answered_at"),
                t.col_index("ended_at"),
            ]
        });
        let ts = |name: &str| {
            let i = match name {
                "started_at" => at[0],
                "answered_at" => at[1],
                _ => at[2],
            };
            i.and_then(|i| values[i].as_ts())
        };
        let blame = |name: &str, reason: &str| RowError {
            column: Some(
                table
                    .col_index(name)
                    .and_then(|i| self.profile.sources[i].as_ref())
                    .map(source_name)
                    .unwrap_or_else(|| name.to_string()),
            ),
            value: None,
            reason: reason.to_string(),
        };
        let (start, answered, end) = (ts("started_at"), ts("answered_at"), ts("ended_at"));
        if let (Some(s), Some(e)) = (start, end) {
            if e < s {
                return Err(blame("ended_at", "the call ends before it starts (ended_at earlier than started_at); check the export's time columns and zones"));
            }
        }
        if let (Some(s), Some(a)) = (start, answered) {
            if a < s {
                return Err(blame(
                    "answered_at",
                    "the call is answered before it starts (answered_at earlier than started_at)",
                ));
            }
        }
        if let (Some(a), Some(e)) = (answered, end) {
            if a > e {
                return Err(blame(
                    "answered_at",
                    "the call is answered after it ends (answered_at later than ended_at)",
                ));
            }
        }
        Ok(())
    }
}

/// A row's keyed hash (`Row::row_hash`): its practice, values and raw values,
/// each encoded as a tag byte and its bytes (the tag is 0 for a null, 1 text,
/// 2 a whole number, 3 a boolean, 4 an instant; numbers little-endian).
pub(super) fn hash_row(hasher: &Hasher, practice_id: &str, values: &[Value], raw: &[Value]) -> u64 {
    let mut d = hasher.row_digest();
    d.part(&[1], practice_id.as_bytes());
    for v in values.iter().chain(raw) {
        match v {
            Value::Null => d.part(&[0], &[]),
            Value::Str(s) => d.part(&[1], s.as_bytes()),
            Value::Int(n) => d.part(&[2], &n.to_le_bytes()),
            Value::Bool(b) => d.part(&[3, *b as u8], &[]),
            Value::Ts(t) => d.part(&[4], &t.to_le_bytes()),
        }
    }
    d.finish()
}

fn unmapped(field: &str, text: &str, canonical: &str) -> RowError {
    RowError::at(
        field,
        text,
        format!("unmapped value for {canonical}; add it to the profile's [values.{canonical}]"),
    )
}

fn is_snake(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
}
