//! One roster for the live line and the callback work (docs/STAFFING.md, "One
//! roster").
//!
//! Per business (weekday, hour) block: the phone agents the line needs (Erlang
//! C raised to the occupancy cap, scheduled after shrinkage: `inbound`), the
//! rostered people who answer the line present then, the rest of the roster,
//! and the plan's callback assistants. Where the line needs more heads than the
//! roster has on it, the difference is bought as **phone assistants**: on the
//! phones for the whole block and never working callbacks then, so they are
//! not in the callback replay. Rostered staff blend: the replay takes out of
//! their callback time the inbound talk time they answered, as history shows,
//! not the whole hour, since an agent between calls works callbacks.

use super::history::Model;
use super::inbound;
use super::shift::{business_blocks, Shift};
use crate::config::WeekHours;
use chrono::Timelike;
use std::collections::BTreeMap;

/// One block of the roster, per week.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Row {
    /// 1 = Monday.
    pub weekday: u8,
    pub hour: u8,
    /// Rostered people who answer the line, present in a usual week (from the
    /// roster's weekly hours: a holiday does not lower it; a person there for
    /// part of the hour counts that part, and the sum is rounded).
    pub line_staff: u32,
    /// The rest of the roster present then (callback work only).
    pub other_staff: u32,
    /// Agents the line needs on the phones, scheduled (after shrinkage).
    pub phones_scheduled: u32,
    /// Heads the line needs beyond the line staff: assistants on the phones.
    pub phone_assistants: u32,
    /// The plan's assistants working callbacks then.
    pub callback_assistants: u32,
}

impl Row {
    pub fn assistants(&self) -> u32 {
        self.phone_assistants + self.callback_assistants
    }
}

/// Whether roster person `i` answers the line: history shows them answering
/// inbound calls (their open time lost talk time).
fn answers_line(m: &Model, i: usize) -> bool {
    m.rostered[i].total() > m.staff[i].open.total()
}

/// The share of the hour `h` (0–23) on weekday index `d` (0 = Monday) that
/// `week` covers.
fn covered(week: &WeekHours, d: usize, h: u8) -> f64 {
    let (a, b) = (h as i64 * 3600, (h as i64 + 1) * 3600);
    let secs: i64 = (week.0[d].iter())
        .map(|s| {
            let end = match s.end.num_seconds_from_midnight() {
                86_399 => 86_400,
                e => e,
            } as i64;
            (end.min(b) - (s.start.num_seconds_from_midnight() as i64).max(a)).max(0)
        })
        .sum();
    secs as f64 / 3600.0
}

/// The roster of every business block, in (weekday, hour) order.
pub fn roster(m: &Model, line: &BTreeMap<(u8, u8), inbound::Row>, shifts: &[Shift]) -> Vec<Row> {
    let open = business_blocks(m);
    // Each person's usual week, in roster order (as `Model::staff`).
    let (mut on_line, mut others) = (BTreeMap::new(), BTreeMap::new());
    for (i, week) in m.practice.roster.values().enumerate() {
        let into = if answers_line(m, i) {
            &mut on_line
        } else {
            &mut others
        };
        for &(d, h) in &open {
            *into.entry((d, h)).or_insert(0.0) += covered(week, d as usize - 1, h);
        }
    }
    let mut callback: BTreeMap<(u8, u8), u32> = BTreeMap::new();
    for s in shifts {
        for b in s.blocks(&open).unwrap_or_default() {
            *callback.entry(b).or_default() += 1;
        }
    }
    let heads = |by: &BTreeMap<(u8, u8), f64>, b| by.get(&b).map_or(0, |v: &f64| v.round() as u32);
    let mut blocks = open;
    blocks.sort_unstable();
    blocks
        .into_iter()
        .map(|b| {
            let line_staff = heads(&on_line, b);
            let phones = line.get(&b).map_or(0, |r| r.scheduled);
            Row {
                weekday: b.0,
                hour: b.1,
                line_staff,
                other_staff: heads(&others, b),
                phones_scheduled: phones,
                phone_assistants: phones.saturating_sub(line_staff),
                callback_assistants: callback.get(&b).copied().unwrap_or(0),
            }
        })
        .collect()
}

/// Paid assistant hours a week on the phones and on callbacks.
pub fn hours(rows: &[Row]) -> (u32, u32) {
    rows.iter().fold((0, 0), |(p, c), r| {
        (p + r.phone_assistants, c + r.callback_assistants)
    })
}

/// The phone assistants bought as shifts of the configured lengths
/// (`staffing.shift_hours`), lane "phones": per weekday and level (the k-th
/// phone assistant of each block), each run of business blocks that needs a
/// k-th is covered from its first block by the shortest configured length that
/// covers the run (the longest, again and again, for a longer run), started
/// earlier when the day ends first; a day shorter than the shortest length
/// gets the whole day. Every block's need is covered (tested).
pub fn phone_shifts(m: &Model, rows: &[Row]) -> Vec<Shift> {
    cover(rows, &m.practice.staffing.shift_hours)
}

/// [`phone_shifts`] with the shift lengths given.
fn cover(rows: &[Row], hours: &[u32]) -> Vec<Shift> {
    let mut lengths: Vec<usize> = hours.iter().map(|&h| h as usize).collect();
    lengths.sort_unstable();
    let mut out = Vec::new();
    for d in 1..=7u8 {
        let day: Vec<&Row> = rows.iter().filter(|r| r.weekday == d).collect();
        let top = day.iter().map(|r| r.phone_assistants).max().unwrap_or(0);
        for k in 1..=top {
            let need: Vec<bool> = day.iter().map(|r| r.phone_assistants >= k).collect();
            let mut i = 0;
            while i < need.len() {
                if !need[i] {
                    i += 1;
                    continue;
                }
                let run = need[i..].iter().take_while(|&&n| n).count();
                let len = (lengths.iter().copied())
                    .find(|&l| l >= run)
                    .or(lengths.last().copied())
                    .unwrap_or(run)
                    .min(day.len());
                let start = i.min(day.len() - len);
                out.push(Shift {
                    days: vec![d as usize - 1],
                    start: day[start].hour,
                    hours: len as u8,
                    lanes: vec!["phones".into()],
                });
                i = start + len;
            }
        }
    }
    out
}

/// The phone shifts as a planner reads them: "2 assistants Mon 13:00-17:00
/// (4 h) on the phones: 8 paid h a week".
pub fn phone_lines(m: &Model, shifts: &[Shift]) -> Vec<String> {
    let open = business_blocks(m);
    super::shift::patterns(shifts)
        .into_iter()
        .map(|(s, n)| {
            format!(
                "{n} assistant{} {} on the phones: {} paid h a week",
                if n == 1 { "" } else { "s" },
                s.text(&open),
                n * s.paid_hours()
            )
        })
        .collect()
}

/// The `n` blocks with the most phone assistants ("Mon 14:00 ×5"), most first,
/// then in block order.
pub fn peaks(rows: &[Row], n: usize) -> Vec<String> {
    const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let mut v: Vec<&Row> = rows.iter().filter(|r| r.phone_assistants > 0).collect();
    v.sort_by_key(|r| std::cmp::Reverse(r.phone_assistants));
    (v.iter().take(n))
        .map(|r| {
            format!(
                "{} {:02}:00 ×{}",
                DAYS[(r.weekday as usize + 6) % 7],
                r.hour,
                r.phone_assistants
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_hour_is_covered_in_part_and_past_midnight_ends_count() {
        let mut t = std::collections::BTreeMap::new();
        t.insert(
            "mon".into(),
            vec!["08:30-12:00".into(), "13:00-17:00".into()],
        );
        t.insert("tue".into(), vec!["00:00-24:00".into()]);
        let w = WeekHours::parse(&t).unwrap();
        assert_eq!(covered(&w, 0, 8), 0.5);
        assert_eq!(covered(&w, 0, 9), 1.0);
        assert_eq!(covered(&w, 0, 12), 0.0);
        assert_eq!(covered(&w, 1, 23), 1.0);
        assert_eq!(covered(&w, 2, 9), 0.0);
    }

    fn row(weekday: u8, hour: u8, phone_assistants: u32) -> Row {
        Row {
            weekday,
            hour,
            line_staff: 0,
            other_staff: 0,
            phones_scheduled: phone_assistants,
            phone_assistants,
            callback_assistants: 0,
        }
    }

    /// Covered blocks per (weekday, hour) by shifts over the business hours
    /// 08–11 and 13–16 of one day.
    fn coverage(shifts: &[Shift]) -> BTreeMap<(u8, u8), u32> {
        let open: Vec<(u8, u8)> = [8, 9, 10, 11, 13, 14, 15, 16].map(|h| (1, h)).to_vec();
        let mut c = BTreeMap::new();
        for s in shifts {
            for b in s.blocks(&open).expect("a shift that fits the day") {
                *c.entry(b).or_default() += 1;
            }
        }
        c
    }

    #[test]
    fn phone_needs_are_covered_by_shifts_of_the_configured_lengths() {
        // Monday: one at 08 and 09; 1, 5, 3, 2 from 13 to 16.
        let need = [
            (8, 1),
            (9, 1),
            (10, 0),
            (11, 0),
            (13, 1),
            (14, 5),
            (15, 3),
            (16, 2),
        ];
        let rows: Vec<Row> = need.iter().map(|&(h, n)| row(1, h, n)).collect();
        let shifts = cover(&rows, &[4, 8]);
        let c = coverage(&shifts);
        for &(h, n) in &need {
            assert!(c.get(&(1, h)).copied().unwrap_or(0) >= n, "{h}: {c:?}");
        }
        // Level 1: 08–09 and 13–16 runs, each a 4-hour shift (08–12, 13–17);
        // level 2: 14–16 → 13–17 moved earlier to fit the day; levels 3–5:
        // 14–15, 14, 14 → 13–17 each. Six 4-hour shifts.
        assert!(shifts.iter().all(|s| s.hours == 4), "{shifts:?}");
        assert_eq!(shifts.len(), 6, "{shifts:?}");
        assert_eq!(shifts[0].start, 8);
        // A run longer than the longest length takes it again.
        let long: Vec<Row> = need.iter().map(|&(h, _)| row(1, h, 1)).collect();
        let s = cover(&long, &[2]);
        assert_eq!(
            s.iter().map(|s| s.start).collect::<Vec<_>>(),
            [8, 10, 13, 15]
        );
    }

    #[test]
    fn assistants_are_the_phones_beyond_the_line_staff_and_the_callbacks() {
        let r = Row {
            weekday: 1,
            hour: 14,
            line_staff: 3,
            other_staff: 1,
            phones_scheduled: 8,
            phone_assistants: 5,
            callback_assistants: 2,
        };
        assert_eq!(r.assistants(), 7);
        assert_eq!(hours(&[r.clone(), r.clone()]), (10, 4));
        let mut quiet = r.clone();
        (quiet.hour, quiet.phone_assistants) = (9, 1);
        assert_eq!(peaks(&[quiet, r], 3), ["Mon 14:00 ×5", "Mon 09:00 ×1"]);
    }
}
