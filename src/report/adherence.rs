//! List adherence: how each owner's list of a day was worked, from the list as
//! issued (`<lists>/<date>/<practice>/<lane>--<owner>.csv`) and the worked rows
//! that came back (attempts whose id is `worked::attempt_id`). Definitions in
//! docs/LISTS.md, "Adherence".

use crate::config::Config;
use crate::ingest::worked_list as worked;
use crate::lake::schema::Table;
use crate::lake::Lake;
use crate::model::load::{strs, times};
use anyhow::{Context, Result};
use chrono::NaiveDate;
use polars::prelude::col;
use std::collections::BTreeMap;
use std::path::Path;

/// One owner's list of a day, as worked.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Adherence {
    pub practice_id: String,
    pub lane: String,
    pub owner: String,
    /// Rows on the list as issued.
    pub rows: usize,
    /// Rows above the capacity line.
    pub within_capacity: usize,
    /// Rows with a worked outcome.
    pub worked: usize,
    /// Rows above the capacity line with none.
    pub skipped: usize,
    /// Worked rows below the capacity line.
    pub worked_overflow: usize,
    /// Worked rows with a row ranked above them skipped, or worked later.
    pub out_of_order: usize,
}

/// A list row as issued: rank and whether it fits capacity.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Issued {
    pub rank: u32,
    pub fits: bool,
}

/// Adherence of one list: its rows as issued, and the worked ones (rank → time
/// the attempt was recorded at).
pub fn of_list(issued: &[Issued], worked: &BTreeMap<u32, i64>) -> Adherence {
    let mut a = Adherence {
        rows: issued.len(),
        within_capacity: issued.iter().filter(|r| r.fits).count(),
        ..Adherence::default()
    };
    let mut by_rank: Vec<Issued> = issued.to_vec();
    by_rank.sort_by_key(|r| r.rank);
    for (i, r) in by_rank.iter().enumerate() {
        let Some(&at) = worked.get(&r.rank) else {
            a.skipped += r.fits as usize;
            continue;
        };
        a.worked += 1;
        a.worked_overflow += !r.fits as usize;
        let above = &by_rank[..i];
        let jumped = above.iter().any(|q| match worked.get(&q.rank) {
            None => q.fits,
            Some(&q_at) => q_at > at,
        });
        a.out_of_order += jumped as usize;
    }
    a
}

/// The owner lists of a practice's day as issued, by (lane, owner), from their
/// CSVs (`worked_list::owner_file`); empty when no lists were written that day.
fn issued_lists(dir: &Path) -> Result<BTreeMap<(String, String), Vec<Issued>>> {
    let mut out = BTreeMap::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(out);
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    for name in names {
        let Some((lane, owner)) = worked::parse_owner_file(&name) else {
            continue;
        };
        let path = dir.join(&name);
        let mut r = csv::Reader::from_path(&path)
            .with_context(|| format!("reading the list {}", path.display()))?;
        let header = r.headers()?.clone();
        let pos = |h: &str| {
            header
                .iter()
                .position(|x| x.trim_start_matches('\u{feff}') == h)
        };
        let (Some(rank), Some(fits)) = (pos("rank"), pos("fits capacity")) else {
            continue;
        };
        let mut rows = Vec::new();
        for rec in r.records() {
            let rec = rec.with_context(|| format!("reading the list {}", path.display()))?;
            if let Ok(k) = rec.get(rank).unwrap_or_default().parse() {
                rows.push(Issued {
                    rank: k,
                    fits: rec.get(fits) == Some("yes"),
                });
            }
        }
        out.insert((lane, owner), rows);
    }
    Ok(out)
}

/// The worked rows of `day`'s lists that came back, by practice and owner:
/// rank → the attempt's time.
fn worked_rows(
    lake: &Lake,
    day: NaiveDate,
) -> Result<BTreeMap<(String, String), BTreeMap<u32, i64>>> {
    let mut out: BTreeMap<(String, String), BTreeMap<u32, i64>> = BTreeMap::new();
    if !lake.table_dir(Table::Attempts).exists() {
        return Ok(out);
    }
    let prefix = format!("list:{day}:");
    let df = lake
        .scan(Table::Attempts)?
        .select([col("practice_id"), col("attempt_id"), col("at")])
        .collect()
        .context("reading worked list rows from the lake")?;
    let (practice, id) = (strs(&df, "practice_id")?, strs(&df, "attempt_id")?);
    let at = times(&df, "at")?;
    for i in 0..df.height() {
        let (Some(p), Some(id), Some(t)) = (practice[i], id[i], at[i]) else {
            continue;
        };
        if !id.starts_with(&prefix) {
            continue;
        }
        if let Some((_, owner, rank)) = worked::parse_attempt_id(id) {
            out.entry((p.to_string(), owner.to_string()))
                .or_default()
                .insert(rank, t);
        }
    }
    Ok(out)
}

/// Adherence of every owner list of `day` that came back worked (at least one
/// row), by practice, lane and owner. Lists nobody sent back are not listed:
/// their work may be recorded in the practice's own system instead.
pub fn read(config: &Config, day: NaiveDate) -> Result<Vec<Adherence>> {
    let lake = Lake::new(&config.paths.lake);
    let worked = worked_rows(&lake, day)?;
    let mut out = Vec::new();
    for p in &config.practices {
        let dir = config.paths.lists.join(day.to_string()).join(&p.id);
        for ((lane, owner), issued) in issued_lists(&dir)? {
            let Some(w) = worked.get(&(p.id.clone(), owner.clone())) else {
                continue;
            };
            out.push(Adherence {
                practice_id: p.id.clone(),
                lane,
                owner,
                ..of_list(&issued, w)
            });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skipped_and_out_of_order_rows() {
        let issued: Vec<Issued> = (1..=6)
            .map(|rank| Issued {
                rank,
                fits: rank <= 4,
            })
            .collect();
        // Ranks 1 and 3 worked in order, 2 skipped, 4 worked before 3 (earlier
        // time), 5 worked past the line; 6 left.
        let worked: BTreeMap<u32, i64> = [(1, 100), (3, 300), (4, 200), (5, 400)].into();
        let a = of_list(&issued, &worked);
        assert_eq!(
            (
                a.rows,
                a.within_capacity,
                a.worked,
                a.skipped,
                a.worked_overflow
            ),
            (6, 4, 4, 1, 1)
        );
        // 3: rank 2 above it skipped; 4: rank 2 skipped (and 3 worked later);
        // 5: rank 2 skipped. Rank 1 had nothing above it.
        assert_eq!(a.out_of_order, 3);
        // All in order, none skipped.
        let worked: BTreeMap<u32, i64> = [(1, 1), (2, 2), (3, 3), (4, 4)].into();
        let a = of_list(&issued, &worked);
        assert_eq!((a.worked, a.skipped, a.out_of_order), (4, 0, 0));
        // Same time entered (none: end of day): no order among them.
        let worked: BTreeMap<u32, i64> = [(1, 9), (2, 9), (4, 9), (3, 9)].into();
        assert_eq!(of_list(&issued, &worked).out_of_order, 0);
    }
}
