//! The scan: every category × weekday × block of hours tested for a fall in the
//! share within target against the same category's other blocks, corrected
//! for the number of blocks tried, and the slipping blocks merged into spans.
//! Pure functions of counted observations (docs/METRICS.md, "bottleneck
//! findings").

use crate::metrics::stats::design_effect;
use std::collections::BTreeMap;

/// The test's settings (docs/METRICS.md, "bottleneck findings").
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Params {
    /// Block width in hours (1 = every business hour its own block).
    pub width: u8,
    /// Due tasks a block needs to be tried (and its category's other blocks together).
    pub min_n: u32,
    /// Distinct local dates a block's due tasks must fall on to be tried: one
    /// bad day is an event, not a pattern.
    pub min_days: u32,
    /// The smallest fall (share of the other blocks − share of the block) that
    /// is a finding, however significant.
    pub min_drop: f64,
    /// Family-wise error rate over every block tried (Holm).
    pub alpha: f64,
}

impl Default for Params {
    fn default() -> Params {
        Params {
            width: 1,
            min_n: 15,
            min_days: 4,
            min_drop: 0.15,
            alpha: 0.05,
        }
    }
}

/// One due task: its category (an index), the local weekday (1 = Monday) and
/// hour of its clock start, the local date (days since 1970-01-01, the
/// cluster) and whether its first attempt met the target.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Obs {
    pub category: usize,
    pub weekday: u8,
    pub hour: u8,
    pub day: i32,
    pub met: bool,
}

/// A category × weekday × block (the block's first hour).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Cell {
    pub category: usize,
    pub weekday: u8,
    pub block: u8,
}

/// Met of due.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Count {
    pub met: u32,
    pub due: u32,
}

impl Count {
    fn add(&mut self, met: bool) {
        self.due += 1;
        self.met += u32::from(met);
    }

    pub fn share(self) -> Option<f64> {
        (self.due > 0).then(|| f64::from(self.met) / f64::from(self.due))
    }

    fn minus(self, o: Count) -> Count {
        Count {
            met: self.met - o.met,
            due: self.due - o.due,
        }
    }
}

/// One block tried: its counts, its category's other blocks', the design
/// effects, the test and its verdict.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Test {
    pub cell: Cell,
    pub block: Count,
    pub rest: Count,
    pub deff_block: f64,
    pub deff_rest: f64,
    pub z: f64,
    /// One-sided p-value (the block's share lower than the rest's).
    pub p: f64,
    /// Holm-adjusted p-value over every block tried.
    pub p_holm: f64,
    /// The block's counts without its worst days (the ⌈D/6⌉ dates, at least
    /// one, with the most misses).
    pub without_worst_days: Count,
    pub slips: bool,
}

/// The standard normal upper tail, 1 − Φ(z), through [`erfc`].
pub fn upper_tail(z: f64) -> f64 {
    0.5 * erfc(z / std::f64::consts::SQRT_2)
}

/// erfc (Numerical Recipes' `erfcc`, fractional error below 1.2e-7 everywhere).
fn erfc(x: f64) -> f64 {
    let z = x.abs();
    let t = 1.0 / (1.0 + 0.5 * z);
    let r = t
        * (-z * z - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    if x >= 0.0 {
        r
    } else {
        2.0 - r
    }
}

/// The one-sided two-proportion z-test of "the block's share is below the
/// rest's", on counts shrunk by their design effects: z = (p_rest − p_block) ÷
/// √(p̄(1 − p̄)(deff_b/n_b + deff_r/n_r)), p̄ the pooled share. None when p̄ is
/// 0 or 1 (no variance: nothing falls).
pub fn z_test(block: Count, rest: Count, deff_b: f64, deff_r: f64) -> Option<(f64, f64)> {
    let (pb, pr) = (block.share()?, rest.share()?);
    let pooled = f64::from(block.met + rest.met) / f64::from(block.due + rest.due);
    let var =
        pooled * (1.0 - pooled) * (deff_b / f64::from(block.due) + deff_r / f64::from(rest.due));
    if var <= 0.0 {
        return None;
    }
    let z = (pr - pb) / var.sqrt();
    Some((z, upper_tail(z)))
}

/// Holm's step-down adjustment of `p` (in any order): the adjusted p-values,
/// in the same order. Ties keep their input order.
pub fn holm(p: &[f64]) -> Vec<f64> {
    let m = p.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|&a, &b| p[a].total_cmp(&p[b]).then(a.cmp(&b)));
    let mut out = vec![0.0; m];
    let mut running: f64 = 0.0;
    for (k, &i) in order.iter().enumerate() {
        running = running.max(((m - k) as f64 * p[i]).min(1.0));
        out[i] = running;
    }
    out
}

/// The weekday of a cell that pools every weekday's block.
pub const ALL_DAYS: u8 = 0;

/// The block (first hour) an hour falls in.
pub fn block_of(hour: u8, width: u8) -> u8 {
    hour / width.max(1) * width.max(1)
}

/// Every block with enough tasks tried, in cell order, with its verdict.
pub fn test(obs: &[Obs], p: &Params) -> Vec<Test> {
    // Per category: the cells' counts and the (date, block) clusters.
    let mut cells: BTreeMap<Cell, Count> = BTreeMap::new();
    let mut totals: BTreeMap<usize, Count> = BTreeMap::new();
    // (category, date, block): the block's clusters are its dates, the
    // rest's the dates of the category's other blocks (each date's other
    // blocks together).
    let mut clusters: BTreeMap<(usize, i32, u8), Count> = BTreeMap::new();
    for o in obs {
        let block = block_of(o.hour, p.width);
        let cell = Cell {
            category: o.category,
            weekday: o.weekday,
            block,
        };
        cells.entry(cell).or_default().add(o.met);
        // The same block over every weekday together (weekday 0): a slip
        // that holds each afternoon is too thin to pass on any one weekday.
        cells
            .entry(Cell {
                weekday: ALL_DAYS,
                ..cell
            })
            .or_default()
            .add(o.met);
        totals.entry(o.category).or_default().add(o.met);
        clusters
            .entry((o.category, o.day, block))
            .or_default()
            .add(o.met);
    }
    let weekday_of = |day: i32| ((day + 3).rem_euclid(7) + 1) as u8;
    let mut tried = Vec::new();
    for (&cell, &count) in &cells {
        let rest = totals[&cell.category].minus(count);
        let mut mine: Vec<(f64, f64)> = Vec::new();
        let mut others: BTreeMap<i32, (f64, f64)> = BTreeMap::new();
        for (&(_, day, block), c) in
            clusters.range((cell.category, i32::MIN, 0)..=(cell.category, i32::MAX, u8::MAX))
        {
            let x = (f64::from(c.met), f64::from(c.due));
            let day_in = cell.weekday == ALL_DAYS || weekday_of(day) == cell.weekday;
            if day_in && block == cell.block {
                mine.push(x);
            } else {
                let o = others.entry(day).or_default();
                o.0 += x.0;
                o.1 += x.1;
            }
        }
        let others: Vec<(f64, f64)> = others.into_values().collect();
        if count.due < p.min_n || rest.due < p.min_n || (mine.len() as u32) < p.min_days {
            continue;
        }
        // The block without its worst days: the ⌈D/6⌉ dates (at least one)
        // with the most misses (the later of equals first).
        let mut by_misses: Vec<(f64, f64)> = mine.clone();
        by_misses.reverse();
        by_misses.sort_by(|a, b| (b.1 - b.0).total_cmp(&(a.1 - a.0)));
        let k = mine.len().div_ceil(6).max(1);
        let without_worst = by_misses.iter().take(k).fold(count, |c, w| Count {
            met: c.met - w.0 as u32,
            due: c.due - w.1 as u32,
        });
        let (db, dr) = (design_effect(&mine), design_effect(&others));
        let (z, pv) = z_test(count, rest, db, dr).unwrap_or((0.0, 1.0));
        tried.push(Test {
            cell,
            block: count,
            rest,
            deff_block: db,
            deff_rest: dr,
            z,
            p: pv,
            p_holm: 1.0,
            without_worst_days: without_worst,
            slips: false,
        });
    }
    let adjusted = holm(&tried.iter().map(|t| t.p).collect::<Vec<_>>());
    for (t, a) in tried.iter_mut().zip(adjusted) {
        t.p_holm = a;
        let rest = t.rest.share().unwrap_or(0.0);
        let drop = rest - t.block.share().unwrap_or(0.0);
        // A bad day or two (a holiday's backlog, a system outage) is an
        // event, not a pattern: the fall must hold without them.
        let drop_rest = rest - t.without_worst_days.share().unwrap_or(rest);
        t.slips = a <= p.alpha && drop >= p.min_drop && drop_rest >= p.min_drop;
    }
    tried
}

/// Slipping blocks of one category merged: a run of weekdays (consecutive,
/// 1 = Monday) × a run of hours `[from, to)`.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Span {
    pub category: usize,
    pub weekdays: Vec<u8>,
    pub from: u8,
    pub to: u8,
    /// The blocks merged, in order.
    pub cells: Vec<Cell>,
    /// The span's tasks pooled, and the category's tasks outside it.
    pub inside: Count,
    pub outside: Count,
    /// The smallest Holm-adjusted p-value among its blocks.
    pub p_holm: f64,
}

/// Merge the slipping blocks of `tests`: on one weekday, blocks next to each
/// other among that weekday's business blocks (`business[weekday]`, sorted
/// block starts; a lunch closure between two blocks does not separate them)
/// join into one run of hours; then runs with the same hours on consecutive
/// weekdays join. `totals` gives each category's counts over all its blocks.
pub fn merge(
    tests: &[Test],
    business: &BTreeMap<u8, Vec<u8>>,
    width: u8,
    totals: &BTreeMap<usize, Count>,
) -> Vec<Span> {
    let width = width.max(1);
    let mut business = business.clone();
    let mut union: Vec<u8> = business.values().flatten().copied().collect();
    union.sort_unstable();
    union.dedup();
    let days: Vec<u8> = business
        .keys()
        .copied()
        .filter(|&d| d != ALL_DAYS)
        .collect();
    business.insert(ALL_DAYS, union);
    let business = &business;
    // (category, weekday) → runs of slipping blocks.
    let mut runs: BTreeMap<(usize, u8), Vec<Vec<&Test>>> = BTreeMap::new();
    for t in tests.iter().filter(|t| t.slips) {
        let blocks = business.get(&t.cell.weekday).map_or(&[][..], |v| &v[..]);
        let pos = |b: u8| blocks.iter().position(|&x| x == b);
        let day = runs.entry((t.cell.category, t.cell.weekday)).or_default();
        let joins = day.last().and_then(|r| r.last()).is_some_and(|prev| {
            matches!((pos(prev.cell.block), pos(t.cell.block)), (Some(a), Some(b)) if b == a + 1)
        });
        if joins {
            day.last_mut().expect("a run").push(t);
        } else {
            day.push(vec![t]);
        }
    }
    // (category, from, to) → weekday runs.
    let mut by_hours: BTreeMap<(usize, u8, u8), Vec<(u8, Vec<&Test>)>> = BTreeMap::new();
    for ((category, weekday), day) in runs {
        for run in day {
            let from = run[0].cell.block;
            let to = run[run.len() - 1].cell.block.saturating_add(width).min(24);
            by_hours
                .entry((category, from, to))
                .or_default()
                .push((weekday, run));
        }
    }
    let mut spans = Vec::new();
    for ((category, from, to), days) in by_hours {
        let mut current: Option<Span> = None;
        for (weekday, run) in days {
            let adjacent = current.as_ref().is_some_and(|s| {
                s.weekdays
                    .last()
                    .is_some_and(|&d| d != ALL_DAYS && d + 1 == weekday)
            });
            if !adjacent {
                spans.extend(current.take());
                current = Some(Span {
                    category,
                    weekdays: Vec::new(),
                    from,
                    to,
                    cells: Vec::new(),
                    inside: Count::default(),
                    outside: Count::default(),
                    p_holm: 1.0,
                });
            }
            let s = current.as_mut().expect("a span");
            s.weekdays.push(weekday);
            for t in run {
                s.cells.push(t.cell);
                s.inside.met += t.block.met;
                s.inside.due += t.block.due;
                s.p_holm = s.p_holm.min(t.p_holm);
            }
        }
        spans.extend(current);
    }
    // A pooled span is every business weekday, its cells each weekday's. It
    // is kept only where no single weekday's span of the category overlaps
    // its hours: the weekday that slips is the more precise finding.
    let own: Vec<(usize, u8, u8)> = (spans.iter())
        .filter(|s| s.weekdays != [ALL_DAYS])
        .map(|s| (s.category, s.from, s.to))
        .collect();
    spans.retain(|s| {
        s.weekdays != [ALL_DAYS]
            || !own
                .iter()
                .any(|&(c, f, t)| c == s.category && f < s.to && s.from < t)
    });
    for s in spans.iter_mut().filter(|s| s.weekdays == [ALL_DAYS]) {
        s.weekdays = days.clone();
        s.cells = (s.cells.iter())
            .flat_map(|c| {
                (days.iter())
                    .filter(|d| business.get(d).is_some_and(|b| b.contains(&c.block)))
                    .map(move |&d| Cell { weekday: d, ..*c })
            })
            .collect();
    }
    for s in &mut spans {
        s.outside = totals
            .get(&s.category)
            .copied()
            .unwrap_or_default()
            .minus(s.inside);
    }
    spans.sort_by(|a, b| {
        (a.category, a.weekdays[0], a.from).cmp(&(b.category, b.weekdays[0], b.from))
    });
    spans
}

/// Each category's counts over every block (tried or not).
pub fn totals(obs: &[Obs]) -> BTreeMap<usize, Count> {
    let mut out: BTreeMap<usize, Count> = BTreeMap::new();
    for o in obs {
        out.entry(o.category).or_default().add(o.met);
    }
    out
}

/// The whole scan: test every block, merge the slipping ones.
pub fn scan(obs: &[Obs], business: &BTreeMap<u8, Vec<u8>>, p: &Params) -> (Vec<Test>, Vec<Span>) {
    let tests = test(obs, p);
    let spans = merge(&tests, business, p.width, &totals(obs));
    (tests, spans)
}

/// "Mon", "Mon–Tue", "Mon–Fri".
pub fn weekdays_text(days: &[u8]) -> String {
    const NAMES: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];
    let name = |d: u8| NAMES[(d.clamp(1, 7) - 1) as usize];
    match days {
        [] => String::new(),
        [d] => name(*d).to_string(),
        [a, .., b] => format!("{}–{}", name(*a), name(*b)),
    }
}

#[cfg(test)]
#[path = "scan_tests.rs"]
mod tests;
