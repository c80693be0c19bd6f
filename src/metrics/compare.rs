//! The before/after `comparison`: per headline and per category, both values, the
//! change, a 95% interval of the change, n for each side and a verdict
//! (docs/METRICS.md, "Comparison"). The intervals allow for weeks: a practice's
//! requests of one week share that week's queue (a backlog lasts days), so each
//! row carries its week (practice and the Monday of its local date's week) as a
//! cluster; when a side has fewer than `MIN_WEEKS` practice-weeks, its day
//! instead. Newcombe's hybrid score interval for a difference of shares, on
//! counts shrunk by the clusters' design effect; a seeded percentile bootstrap
//! that resamples clusters for medians, p90s, means and ratios; both are
//! deterministic.

pub use super::stats::Stat;
use super::stats::{cluster_bootstrap, newcombe_clustered, ratio, stat, Share};
use super::summary::Headline;
use super::survival::kaplan_meier;
use anyhow::Result;
use polars::prelude::{col, lit, DataFrame, DataType, Expr, IntoLazy, LazyFrame};

/// Which way is better for a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Higher,
    Lower,
    /// Neither (volumes, backlog, barriers, attempts): a detected change is
    /// "higher" or "lower", never "better" or "worse".
    None,
}

/// What an interval is computed from, for one side.
#[derive(Debug, Clone, PartialEq)]
pub enum Sample {
    /// No interval (a count with no per-task share, such as the backlog).
    Nothing,
    /// x successes of n, with the design effect of their days.
    Share(Share),
    /// The headline is a count; its interval is of the count's share of tasks.
    CountShare(Share),
    /// The values per task (or missed call), day by day (days with none left
    /// out), for a statistic.
    Values(Stat, Vec<Vec<f64>>),
    /// (business minutes, event observed) per task, cluster by cluster, for a
    /// median or p90 read from the Kaplan–Meier curve.
    Times(Stat, Vec<Vec<(f64, bool)>>),
    /// (numerator, denominator) per task, day by day, for a ratio of sums.
    Pairs(Vec<Vec<(f64, f64)>>),
}

/// The point value of one side.
fn point(s: &Sample) -> Option<f64> {
    match s {
        Sample::Nothing => None,
        Sample::Share(s) => (s.n > 0.0).then(|| s.x / s.n),
        Sample::CountShare(s) => Some(s.x),
        Sample::Values(st, v) => stat(*st, &mut v.concat()),
        Sample::Times(st, v) => curve_stat(*st, &mut v.concat()),
        Sample::Pairs(p) => ratio(&p.concat()),
    }
}

fn n(s: &Sample) -> Option<u64> {
    match s {
        Sample::Nothing => None,
        Sample::Share(s) | Sample::CountShare(s) => Some(s.n as u64),
        Sample::Values(_, v) => Some(v.iter().map(Vec::len).sum::<usize>() as u64),
        Sample::Times(_, v) => Some(v.iter().map(Vec::len).sum::<usize>() as u64),
        Sample::Pairs(p) => Some(p.iter().map(Vec::len).sum::<usize>() as u64),
    }
}

/// A median or p90 read from the Kaplan–Meier curve of (minutes, event) pairs
/// (the headline times: docs/METRICS.md, "time-to-event").
fn curve_stat(s: Stat, v: &mut [(f64, bool)]) -> Option<f64> {
    let c = kaplan_meier(v);
    match s {
        Stat::P90 => c.p90(),
        _ => c.median(),
    }
}

/// The clusters of a comparison: practice-weeks when each side has at least
/// `MIN_WEEKS` of them, else practice-days (a shorter range cannot measure the
/// spread between weeks).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    Weeks,
    Days,
}

/// Practice-weeks each side needs for the clusters to be weeks.
pub const MIN_WEEKS: usize = 4;

/// The 95% interval of after − before, and what it is of.
fn interval(before: &Sample, after: &Sample, unit: Unit) -> (Option<(f64, f64)>, &'static str) {
    let weeks = unit == Unit::Weeks;
    match (before, after) {
        (Sample::Share(b), Sample::Share(a)) => (
            newcombe_clustered(*a, *b),
            if weeks {
                "newcombe, weeks: share"
            } else {
                "newcombe, days: share"
            },
        ),
        (Sample::CountShare(b), Sample::CountShare(a)) => (
            newcombe_clustered(*a, *b),
            if weeks {
                "newcombe, weeks: share of tasks"
            } else {
                "newcombe, days: share of tasks"
            },
        ),
        (Sample::Values(s, b), Sample::Values(_, a)) => {
            let s = *s;
            (
                cluster_bootstrap(b, a, &|v| stat(s, v)),
                match (s, weeks) {
                    (Stat::Median, true) => "bootstrap of weeks: median",
                    (Stat::P90, true) => "bootstrap of weeks: p90",
                    (Stat::Mean, true) => "bootstrap of weeks: mean",
                    (Stat::Median, false) => "bootstrap of days: median",
                    (Stat::P90, false) => "bootstrap of days: p90",
                    (Stat::Mean, false) => "bootstrap of days: mean",
                },
            )
        }
        (Sample::Times(s, b), Sample::Times(_, a)) => {
            let s = *s;
            (
                cluster_bootstrap(b, a, &|v| curve_stat(s, v)),
                match (s, weeks) {
                    (Stat::P90, true) => "bootstrap of weeks: p90 of the curve",
                    (_, true) => "bootstrap of weeks: median of the curve",
                    (Stat::P90, false) => "bootstrap of days: p90 of the curve",
                    (_, false) => "bootstrap of days: median of the curve",
                },
            )
        }
        (Sample::Pairs(b), Sample::Pairs(a)) => (
            cluster_bootstrap(b, a, &|v| ratio(v)),
            if weeks {
                "bootstrap of weeks: ratio"
            } else {
                "bootstrap of days: ratio"
            },
        ),
        _ => (None, ""),
    }
}

/// "better", "worse" (or "higher"/"lower" for a measure with no better
/// direction) when the interval excludes 0; "no detectable change" when it
/// holds 0; "too few" when either side has nothing to compute it from.
pub fn verdict(ci: Option<(f64, f64)>, dir: Direction) -> &'static str {
    let Some((lo, hi)) = ci else {
        return "too few";
    };
    let up = if lo > 0.0 {
        true
    } else if hi < 0.0 {
        false
    } else {
        return "no detectable change";
    };
    match (dir, up) {
        (Direction::Higher, true) | (Direction::Lower, false) => "better",
        (Direction::Higher, false) | (Direction::Lower, true) => "worse",
        (Direction::None, true) => "higher",
        (Direction::None, false) => "lower",
    }
}

/// Each headline's direction (docs/METRICS.md, "Comparison").
pub fn direction(metric: &str) -> Direction {
    match metric {
        "within_target_share"
        | "contact_rate"
        | "completion_rate"
        | "booking_rate"
        | "kept_rate"
        | "voicemail_to_scheduled_rate"
        | "missed_call_return_rate"
        | "missed_call_within_target_share"
        | "no_show_recovery_rate"
        | "cancellation_recovery_rate" => Direction::Higher,
        "median_minutes_to_first_attempt"
        | "p90_minutes_to_first_attempt"
        | "median_minutes_to_completion"
        | "median_minutes_to_return"
        | "p90_minutes_to_return"
        | "closed_unable_early"
        | "early_attempts"
        | "over_max_attempts"
        | "final_channel_misses"
        | "notes_poor_share"
        | "unowned" => Direction::Lower,
        _ => Direction::None,
    }
}

/// One side of a comparison: its headlines and the rows they are computed from
/// (task facts, missed calls and recovery rows created in its range).
pub struct Side {
    pub headlines: Vec<Headline>,
    pub facts: LazyFrame,
    pub missed: LazyFrame,
    pub recovery: LazyFrame,
}

/// The columns the samples read, as Float64 (true = 1, false = 0, null kept).
fn f64s(df: &DataFrame, name: &str) -> Result<Vec<Option<f64>>> {
    let c = df.column(name)?.cast(&DataType::Float64)?;
    let v = c.f64()?.iter().collect();
    Ok(v)
}

/// The practice-weeks a side's task rows fall in.
fn weeks_in(facts: &DataFrame) -> Result<usize> {
    Ok(days(facts, "practice_id", "created_date", Unit::Weeks)?.count)
}

/// The week of a date given as days since 1970-01-01 (a Thursday): the number
/// of the Monday-to-Sunday week it falls in, counted from the week of
/// 1969-12-29.
pub(crate) fn week_of(days: i32) -> i32 {
    (days + 3).div_euclid(7)
}

/// Each row's cluster: the index of its (practice, week of the date) among the
/// frame's, or of its (practice, date) for `Unit::Days`, in sorted order (so
/// the clusters, and a bootstrap over them, do not depend on the rows' order
/// beyond the order within a cluster).
fn days(df: &DataFrame, practice: &str, date: &str, unit: Unit) -> Result<Days> {
    let p = df.column(practice)?.cast(&DataType::String)?;
    let d = df.column(date)?.cast(&DataType::Int32)?;
    let key = |d: i32| match unit {
        Unit::Weeks => week_of(d),
        Unit::Days => d,
    };
    let keys: Vec<(Option<&str>, Option<i32>)> = p
        .str()?
        .iter()
        .zip(d.i32()?.iter().map(|d| d.map(key)))
        .collect();
    let mut sorted = keys.clone();
    sorted.sort_unstable();
    sorted.dedup();
    Ok(Days {
        of: keys
            .iter()
            .map(|k| sorted.binary_search(k).expect("a key of the frame"))
            .collect(),
        count: sorted.len(),
    })
}

/// The day of each row of a frame, and how many days there are.
struct Days {
    of: Vec<usize>,
    count: usize,
}

impl Days {
    /// The rows' items grouped by day (days in order, empty ones left out).
    fn group<T>(&self, items: impl IntoIterator<Item = Option<T>>) -> Vec<Vec<T>> {
        let mut by: Vec<Vec<T>> = (0..self.count).map(|_| Vec::new()).collect();
        for (d, item) in self.of.iter().zip(items) {
            if let Some(item) = item {
                by[*d].push(item);
            }
        }
        by.retain(|v| !v.is_empty());
        by
    }

    /// The share of rows where `hit` holds among those where `known` holds,
    /// with its days' design effect.
    fn share(&self, v: &[Option<f64>], hit: impl Fn(f64) -> bool) -> Share {
        let by = self.group(v.iter().map(|x| x.map(|x| hit(x) as u8 as f64)));
        let clusters: Vec<(f64, f64)> = by
            .iter()
            .map(|d| (d.iter().sum(), d.len() as f64))
            .collect();
        Share::of_clusters(&clusters)
    }
}

/// The share of true among the known values.
fn share_of(days: &Days, v: &[Option<f64>]) -> Sample {
    Sample::Share(days.share(v, |x| x != 0.0))
}

fn values(days: &Days, s: Stat, v: &[Option<f64>]) -> Sample {
    Sample::Values(s, days.group(v.iter().copied()))
}

/// The task-level samples of task facts (all, or one category's), by headline.
fn task_samples(facts: &DataFrame, unit: Unit) -> Result<Vec<(&'static str, Sample)>> {
    let c = |n: &str| f64s(facts, n);
    let days = days(facts, "practice_id", "created_date", unit)?;
    // Of every task: a row whose value is empty counts as not `hit`.
    let count_share = |v: Vec<Option<f64>>, hit: f64| {
        let all: Vec<Option<f64>> = v
            .iter()
            .map(|x| Some((*x == Some(hit)) as u8 as f64))
            .collect();
        Sample::CountShare(days.share(&all, |x| x != 0.0))
    };
    let share_of = |v: &[Option<f64>]| share_of(&days, v);
    let values = |s: Stat, v: &[Option<f64>]| values(&days, s, v);
    let left = c("left_message")?;
    let booked = c("booked")?;
    // Row for row (so each keeps its week): booked or not where a message was
    // left, nothing elsewhere.
    let voicemail: Vec<Option<f64>> = left
        .iter()
        .zip(&booked)
        .map(|(l, b)| (*l == Some(1.0)).then(|| b.unwrap_or(0.0)))
        .collect();
    let (poor, partial, complete) = (c("notes_poor")?, c("notes_partial")?, c("notes_complete")?);
    let notes = days.group((0..poor.len()).map(|i| {
        let g = |v: &[Option<f64>]| v[i].unwrap_or(0.0);
        Some((g(&poor), g(&poor) + g(&partial) + g(&complete)))
    }));
    let barrier: Vec<Option<f64>> = c("barrier_known")?;
    let (first, done) = super::waiting::pairs(facts)?;
    Ok(vec![
        ("tasks", Sample::Nothing),
        (
            "median_minutes_to_first_attempt",
            Sample::Times(Stat::Median, days.group(first.iter().copied())),
        ),
        (
            "p90_minutes_to_first_attempt",
            Sample::Times(Stat::P90, days.group(first.iter().copied())),
        ),
        ("within_target_share", share_of(&c("met_target")?)),
        ("contact_rate", share_of(&c("reached")?)),
        ("completion_rate", share_of(&c("terminal")?)),
        (
            "median_minutes_to_completion",
            Sample::Times(Stat::Median, days.group(done.iter().copied())),
        ),
        ("booking_rate", share_of(&booked)),
        ("kept_rate", share_of(&c("kept")?)),
        ("voicemail_to_scheduled_rate", share_of(&voicemail)),
        ("attempts_per_task", values(Stat::Mean, &c("attempts")?)),
        (
            "closed_unable_early",
            count_share(c("closed_unable_early")?, 1.0),
        ),
        ("early_attempts", count_share(c("early_attempt")?, 1.0)),
        (
            "over_max_attempts",
            count_share(c("over_max_attempts")?, 1.0),
        ),
        (
            "final_channel_misses",
            count_share(c("final_channel_ok")?, 0.0),
        ),
        ("barrier_share", share_of(&barrier)),
        ("notes_poor_share", Sample::Pairs(notes)),
        ("unowned", count_share(c("unowned")?, 1.0)),
    ])
}

const FACT_COLUMNS: &[&str] = &[
    "practice_id",
    "created_date",
    "category",
    "left_message",
    "booked",
    "notes_poor",
    "notes_partial",
    "notes_complete",
    "minutes_to_first_attempt",
    "met_target",
    "reached",
    "terminal",
    "minutes_to_completion",
    "minutes_observed",
    "kept",
    "attempts",
    "closed_unable_early",
    "early_attempt",
    "over_max_attempts",
    "final_channel_ok",
    "unowned",
];

fn fact_rows(facts: LazyFrame) -> Result<DataFrame> {
    let mut cols: Vec<Expr> = FACT_COLUMNS.iter().map(|c| col(*c)).collect();
    cols.push(col("barrier").is_not_null().alias("barrier_known"));
    Ok(facts.select(cols).collect()?)
}

/// The samples of every headline over a side's rows.
fn all_samples(facts: &DataFrame, side: &Side, unit: Unit) -> Result<Vec<(&'static str, Sample)>> {
    let mut out = task_samples(facts, unit)?;
    let m = side
        .missed
        .clone()
        .select([
            col("practice_id"),
            col("created_date"),
            col("returned"),
            col("within_target"),
            col("minutes_to_return"),
            col("minutes_observed"),
        ])
        .collect()?;
    let md = days(&m, "practice_id", "created_date", unit)?;
    out.push(("callbacks_owed", Sample::Nothing));
    out.push((
        "missed_call_return_rate",
        share_of(&md, &f64s(&m, "returned")?),
    ));
    out.push((
        "missed_call_within_target_share",
        share_of(&md, &f64s(&m, "within_target")?),
    ));
    // Every callback that can be returned: returned at its minutes, else
    // censored at minutes_observed (as the headline reads the curve).
    let returns: Vec<Option<(f64, bool)>> = f64s(&m, "minutes_to_return")?
        .into_iter()
        .zip(f64s(&m, "minutes_observed")?)
        .map(|(r, o)| match r {
            Some(r) => Some((r.max(0.0), true)),
            None => o.map(|o| (o, false)),
        })
        .collect();
    out.push((
        "median_minutes_to_return",
        Sample::Times(Stat::Median, md.group(returns.iter().copied())),
    ));
    out.push((
        "p90_minutes_to_return",
        Sample::Times(Stat::P90, md.group(returns.iter().copied())),
    ));
    for (name, kind) in [
        ("no_show_recovery_rate", "no_show"),
        ("cancellation_recovery_rate", "cancellation"),
    ] {
        let r = side
            .recovery
            .clone()
            .filter(col("kind").eq(lit(kind)).and(col("window_closed")))
            .select([col("practice_id"), col("event_date"), col("rebooked")])
            .collect()?;
        let rd = days(&r, "practice_id", "event_date", unit)?;
        out.push((name, share_of(&rd, &f64s(&r, "rebooked")?)));
    }
    Ok(out)
}

fn find<'a>(s: &'a [(&'static str, Sample)], name: &str) -> Option<&'a Sample> {
    s.iter().find(|(n, _)| *n == name).map(|(_, s)| s)
}

fn round(v: f64) -> f64 {
    (v * 1e4).round() / 1e4
}

#[derive(Default)]
struct Rows {
    metric: Vec<String>,
    category: Vec<String>,
    definition: Vec<String>,
    before: Vec<Option<f64>>,
    after: Vec<Option<f64>>,
    change: Vec<Option<f64>>,
    ci_low: Vec<Option<f64>>,
    ci_high: Vec<Option<f64>>,
    n_before: Vec<Option<u64>>,
    n_after: Vec<Option<u64>>,
    interval: Vec<&'static str>,
    verdict: Vec<&'static str>,
}

impl Rows {
    fn push(
        &mut self,
        metric: &str,
        category: &str,
        definition: &str,
        (b, a): (Option<f64>, Option<f64>),
        samples: Option<(&Sample, &Sample)>,
        unit: Unit,
    ) {
        let (ci, what, nb, na) = match samples {
            Some((sb, sa)) => {
                let (ci, what) = interval(sb, sa, unit);
                (ci, what, n(sb), n(sa))
            }
            None => (None, "", None, None),
        };
        // A time read from a curve that has not fallen that far on a side with
        // requests: not known yet, rather than too few.
        let unknown_time = matches!(samples, Some((Sample::Times(..), _)))
            && ((b.is_none() && nb > Some(0)) || (a.is_none() && na > Some(0)));
        self.metric.push(metric.into());
        self.category.push(category.into());
        self.definition.push(definition.into());
        self.before.push(b.map(round));
        self.after.push(a.map(round));
        self.change.push(b.zip(a).map(|(b, a)| round(a - b)));
        self.ci_low.push(ci.map(|c| round(c.0)));
        self.ci_high.push(ci.map(|c| round(c.1)));
        self.n_before.push(nb);
        self.n_after.push(na);
        self.interval.push(what);
        self.verdict.push(if what.is_empty() {
            ""
        } else if unknown_time {
            "not known yet"
        } else {
            verdict(ci, direction(metric))
        });
    }
}

/// The `comparison` table: every headline (category empty), then the task-level
/// headlines per category (categories sorted), with values, change, 95% interval
/// of the change (after − before), n per side and verdict.
pub fn comparison(before: &Side, after: &Side) -> Result<DataFrame> {
    let (fb, fa) = (
        fact_rows(before.facts.clone())?,
        fact_rows(after.facts.clone())?,
    );
    let unit = if weeks_in(&fb)? >= MIN_WEEKS && weeks_in(&fa)? >= MIN_WEEKS {
        Unit::Weeks
    } else {
        Unit::Days
    };
    let (sb, sa) = (
        all_samples(&fb, before, unit)?,
        all_samples(&fa, after, unit)?,
    );
    let mut rows = Rows::default();
    for (hb, ha) in before.headlines.iter().zip(&after.headlines) {
        let s = find(&sb, hb.name).zip(find(&sa, hb.name));
        rows.push(hb.name, "", hb.definition, (hb.value, ha.value), s, unit);
    }
    let mut categories: Vec<String> = Vec::new();
    for f in [&fb, &fa] {
        categories.extend(
            f.column("category")?
                .str()?
                .iter()
                .flatten()
                .map(str::to_string),
        );
    }
    categories.sort_unstable();
    categories.dedup();
    let defs: std::collections::BTreeMap<&str, &str> = before
        .headlines
        .iter()
        .map(|h| (h.name, h.definition))
        .collect();
    for cat in &categories {
        let of = |f: &DataFrame| -> Result<DataFrame> {
            Ok(f.clone()
                .lazy()
                .filter(col("category").eq(lit(cat.as_str())))
                .collect()?)
        };
        let (cb, ca) = (
            task_samples(&of(&fb)?, unit)?,
            task_samples(&of(&fa)?, unit)?,
        );
        let (hb, ha) = (of(&fb)?.height(), of(&fa)?.height());
        for ((name, b), (_, a)) in cb.iter().zip(&ca) {
            let values = if *name == "tasks" {
                (Some(hb as f64), Some(ha as f64))
            } else {
                (point(b), point(a))
            };
            rows.push(
                name,
                cat,
                defs.get(name).copied().unwrap_or(""),
                values,
                Some((b, a)),
                unit,
            );
        }
    }
    Ok(polars::prelude::df!(
        "metric" => rows.metric,
        "category" => rows.category,
        "definition" => rows.definition,
        "before" => rows.before,
        "after" => rows.after,
        "change" => rows.change,
        "ci_low" => rows.ci_low,
        "ci_high" => rows.ci_high,
        "n_before" => rows.n_before,
        "n_after" => rows.n_after,
        "interval" => rows.interval,
        "verdict" => rows.verdict,
    )?)
}

/// The comparison as a plain-text table for stdout.
pub fn text(df: &DataFrame) -> Result<String> {
    let s = |c: &str| -> Result<Vec<String>> {
        Ok(df
            .column(c)?
            .str()?
            .iter()
            .map(|v| v.unwrap_or("").to_string())
            .collect())
    };
    let f = |c: &str| -> Result<Vec<Option<f64>>> { Ok(df.column(c)?.f64()?.iter().collect()) };
    let u = |c: &str| -> Result<Vec<Option<u64>>> {
        let c = df.column(c)?.cast(&DataType::UInt64)?;
        let v = c.u64()?.iter().collect();
        Ok(v)
    };
    let (metric, cat, verdict) = (s("metric")?, s("category")?, s("verdict")?);
    let (b, a, ch, lo, hi) = (
        f("before")?,
        f("after")?,
        f("change")?,
        f("ci_low")?,
        f("ci_high")?,
    );
    let (nb, na) = (u("n_before")?, u("n_after")?);
    let num = |v: Option<f64>| {
        v.map(|v| {
            format!("{v:.4}")
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        })
        .unwrap_or_else(|| "–".into())
    };
    let cnt = |v: Option<u64>| v.map(|v| v.to_string()).unwrap_or_else(|| "–".into());
    let mut out = String::new();
    let header = format!(
        "{:<36} {:>10} {:>10} {:>10} {:>22} {:>9} {:>9}  {}\n",
        "measure", "before", "after", "change", "95% CI", "n before", "n after", "verdict"
    );
    let mut last = None;
    for i in 0..df.height() {
        if last.as_ref() != Some(&cat[i]) {
            if last.is_some() {
                out.push('\n');
            }
            let title = if cat[i].is_empty() {
                "all tasks".to_string()
            } else {
                format!("category {}", cat[i])
            };
            out.push_str(&format!("{title}\n{header}"));
            last = Some(cat[i].clone());
        }
        let ci = match (lo[i], hi[i]) {
            (Some(l), Some(h)) => format!("{} to {}", num(Some(l)), num(Some(h))),
            _ => "–".into(),
        };
        out.push_str(&format!(
            "{:<36} {:>10} {:>10} {:>10} {:>22} {:>9} {:>9}  {}\n",
            metric[i],
            num(b[i]),
            num(a[i]),
            num(ch[i]),
            ci,
            cnt(nb[i]),
            cnt(na[i]),
            verdict[i]
        ));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_follow_the_direction() {
        assert_eq!(verdict(Some((0.01, 0.2)), Direction::Higher), "better");
        assert_eq!(verdict(Some((0.01, 0.2)), Direction::Lower), "worse");
        assert_eq!(verdict(Some((-0.2, -0.01)), Direction::Lower), "better");
        assert_eq!(verdict(Some((-0.2, -0.01)), Direction::Higher), "worse");
        assert_eq!(
            verdict(Some((-0.2, 0.1)), Direction::Higher),
            "no detectable change"
        );
        assert_eq!(
            verdict(Some((0.0, 0.1)), Direction::Higher),
            "no detectable change"
        );
        assert_eq!(verdict(Some((0.1, 0.2)), Direction::None), "higher");
        assert_eq!(verdict(None, Direction::Higher), "too few");
        assert_eq!(direction("kept_rate"), Direction::Higher);
        assert_eq!(direction("median_minutes_to_completion"), Direction::Lower);
        assert_eq!(direction("tasks"), Direction::None);
    }

    #[test]
    fn weeks_run_monday_to_sunday() {
        // 1970-01-01 (day 0) was a Thursday, in the week of Mon 1969-12-29.
        assert_eq!(week_of(-3), 0);
        assert_eq!(week_of(0), 0);
        assert_eq!(week_of(3), 0); // Sun 1970-01-04
        assert_eq!(week_of(4), 1); // Mon 1970-01-05
        assert_eq!(week_of(-4), -1); // Sun 1969-12-28
    }

    /// Tasks over two weeks: the voicemail share counts only the tasks that left
    /// a message, each in its own week (the share's design effect is of those
    /// weeks, not of the first rows').
    #[test]
    fn the_voicemail_share_keeps_each_task_in_its_week() {
        use polars::prelude::{Column, NamedFrom, Series};
        // Week 1 (Mon 2026-11-02 = day 20759): four tasks, messages on two, both
        // booked. Week 2: four tasks, messages on two, neither booked.
        let date = [20759, 20759, 20760, 20760, 20766, 20766, 20767, 20767];
        let left = [1.0, 0.0, 1.0, 0.0, 0.0, 1.0, 0.0, 1.0];
        let booked = [1.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0, 0.0];
        let mut cols: Vec<Column> = vec![
            Series::new("practice_id".into(), vec!["p"; 8]).into(),
            Series::new("created_date".into(), date.to_vec()).into(),
            Series::new("left_message".into(), left.to_vec()).into(),
            Series::new("booked".into(), booked.to_vec()).into(),
        ];
        cols.push(Series::new("category".into(), vec!["c"; 8]).into());
        for c in &FACT_COLUMNS[5..] {
            cols.push(Series::new((*c).into(), vec![0.0; 8]).into());
        }
        cols.push(Series::new("barrier_known".into(), vec![0.0; 8]).into());
        let facts = DataFrame::new(8, cols).unwrap();
        let samples = task_samples(&facts, Unit::Weeks).unwrap();
        let Some(Sample::Share(vm)) = find(&samples, "voicemail_to_scheduled_rate") else {
            panic!("a share")
        };
        assert_eq!((vm.x, vm.n), (2.0, 4.0));
        // Two weeks, 2 of 2 and 0 of 2: 2/1 · (1 + 1) ÷ 16 = 0.25 against
        // 0.25/4 = 0.0625, so deff 4 (were the rows misplaced, the first four
        // rows' week would hold all of them and deff would be 1).
        assert!((vm.deff - 4.0).abs() < 1e-9, "{vm:?}");
        assert_eq!(week_of(20759), week_of(20765));
        assert_ne!(week_of(20759), week_of(20766));
    }
}
