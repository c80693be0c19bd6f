//! The callers table: the E.164 number of each `phone_key` a call log holds.
//!
//! The call log keeps only the keyed hash of a number, so a missed call from a
//! number that is not in the contacts could not be returned from the call list
//! without a lookup by hand. Mapping a call-log file already normalises every
//! number (`map::PhoneCache`); the numbers of its accepted rows are kept here,
//! restricted like `contacts` (owner-only, read only by the lists, in `query`
//! only with `--restricted`). A withheld caller id has no `phone_key` and no row.

use super::analyse::Analysed;
use super::map::{hash_row, PhoneCache};
use crate::lake::row::{Row, Value};
use crate::lake::schema::Table;
use crate::privacy::Hasher;
use std::collections::{BTreeMap, HashMap};

/// One row per practice and number among a call-log file's accepted rows,
/// versioned by the start of the latest call with it (ties: the first in the
/// file), so a re-read file gives the same rows and the lake's latest wins.
/// Other tables give none.
pub fn rows(a: &Analysed, phones: &PhoneCache, hasher: &Hasher) -> Vec<Row> {
    if a.table != Table::Calls {
        return Vec::new();
    }
    let t = Table::Calls;
    let (key_at, start_at) = (
        t.col_index("phone_key").expect("calls have phone_key"),
        t.col_index("started_at").expect("calls have started_at"),
    );
    let mut latest: BTreeMap<(&str, &str), (i64, &Row)> = BTreeMap::new();
    for r in &a.rows {
        let (Some(key), Some(at)) = (r.values[key_at].as_str(), r.values[start_at].as_ts()) else {
            continue;
        };
        latest
            .entry((r.practice_id.as_str(), key))
            .and_modify(|e| {
                if at > e.0 {
                    *e = (at, r);
                }
            })
            .or_insert((at, r));
    }
    if latest.is_empty() {
        return Vec::new();
    }
    // The cache maps what the file wrote to (phone_key, E.164); the key is a
    // hash of the number, so each key has one number.
    let numbers: HashMap<String, String> = phones
        .borrow()
        .values()
        .filter_map(|v| v.clone().ok().flatten())
        .collect();
    latest
        .into_iter()
        .filter_map(|((practice, key), (at, call))| {
            let e164 = numbers.get(key)?;
            let values = vec![
                Value::Str(key.to_string()),
                Value::Str(e164.clone()),
                Value::Ts(at),
            ];
            Some(Row {
                practice_id: practice.to_string(),
                row_hash: hash_row(hasher, practice, &values, &[]),
                values,
                raw: Vec::new(),
                source: call.source.clone(),
                source_line: call.source_line,
            })
        })
        .collect()
}
