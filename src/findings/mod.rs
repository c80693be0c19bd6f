//! The bottleneck finder (issue 24): where the queue slips, why, and what
//! would fix it. For one practice and period: every category × weekday ×
//! block of business hours is tested for a fall in the share within target
//! against the category's other blocks (`scan`), slipping blocks are merged
//! into spans, each span's candidate causes are measured against their
//! baseline (`causes`), and one or two remedies are priced with the staffing
//! replay (`price`). Definitions: docs/METRICS.md, "bottleneck findings".

pub mod causes;
pub mod price;
pub mod scan;
pub mod text;

use crate::config::{Config, Practice};
use crate::lake::schema::Table;
use crate::lake::Lake;
use crate::model::load::{strs, times};
use crate::model::spans::Spans;
use crate::model::store::Store;
use crate::staffing::history::{self, local_s, Model};
use crate::staffing::replay::Outcome;
use anyhow::{Context, Result};
use causes::{Kind, Measure};
use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Timelike};
use polars::prelude::{col, lit};
use scan::{Count, Obs, Params, Span};
use std::collections::BTreeMap;

/// One finding: a slipping span, its measured causes, and the priced fixes.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Finding {
    pub practice: String,
    pub category: String,
    /// The category's target, short ("30 min", "same day").
    pub target: String,
    pub lane: String,
    /// "Mon–Tue".
    pub days: String,
    pub weekdays: Vec<u8>,
    pub from_hour: u8,
    pub to_hour: u8,
    pub within: Count,
    pub elsewhere: Count,
    pub p_holm: f64,
    /// "on other weekdays at those hours" or "at other hours".
    pub baseline: String,
    /// Named causes first (`causes::order`).
    pub causes: Vec<Measure>,
    pub fixes: Vec<price::Fix>,
    /// The heatmap cells it comes from: (weekday, hour) pairs, and the anchor
    /// of the staffing heatmap's cell range.
    pub cells: Vec<(u8, u8)>,
    pub anchor: String,
}

impl Finding {
    pub fn named(&self) -> impl Iterator<Item = &Measure> {
        self.causes.iter().filter(|m| m.named)
    }

    /// The span's tasks that missed their target beyond what the category's
    /// other hours would have missed: n × the fall. How big the problem is.
    pub fn excess_misses(&self) -> f64 {
        match (self.within.share(), self.elsewhere.share()) {
            (Some(a), Some(b)) => f64::from(self.within.due) * (b - a),
            _ => 0.0,
        }
    }

    /// The fix predicted to do most for the span (ties: the first priced).
    pub fn best_fix(&self) -> Option<&price::Fix> {
        self.fixes.iter().filter(|x| x.predicted.is_some()).fold(
            None,
            |best: Option<&price::Fix>, x| match best {
                Some(b) if b.predicted >= x.predicted => Some(b),
                _ => Some(x),
            },
        )
    }
}

/// What `compute` returns: the findings and what the scan tried.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Findings {
    pub practice: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub params: Params,
    /// Blocks tested (the family Holm corrects for).
    pub tried: usize,
    pub findings: Vec<Finding>,
}

/// The start of each business block (of `width` hours) per weekday (1 = Monday).
pub fn business_blocks(p: &Practice, width: u8) -> BTreeMap<u8, Vec<u8>> {
    let mut out = BTreeMap::new();
    for (i, spans) in p.hours.0.iter().enumerate() {
        let mut blocks: Vec<u8> = Vec::new();
        for s in spans {
            let (a, b) = (
                s.start.num_seconds_from_midnight(),
                s.end.num_seconds_from_midnight(),
            );
            for h in 0..24u32 {
                if h * 3600 < b && (h + 1) * 3600 > a {
                    let blk = scan::block_of(h as u8, width);
                    if !blocks.contains(&blk) {
                        blocks.push(blk);
                    }
                }
            }
        }
        blocks.sort_unstable();
        if !blocks.is_empty() {
            out.insert(i as u8 + 1, blocks);
        }
    }
    out
}

/// Local wall-clock windows `[h0, h1)` on every non-holiday date of `from..=to`
/// whose weekday (1 = Monday) is in `days`.
pub fn windows(
    p: &Practice,
    (from, to): (NaiveDate, NaiveDate),
    days: &[u8],
    (h0, h1): (u8, u8),
) -> Vec<(i64, i64)> {
    let at = |d: NaiveDate, h: u8| {
        if h >= 24 {
            local_s(p.tz, d + Duration::days(1), NaiveTime::MIN)
        } else {
            local_s(
                p.tz,
                d,
                NaiveTime::from_hms_opt(u32::from(h), 0, 0).expect("hour"),
            )
        }
    };
    let mut out = Vec::new();
    let mut d = from;
    while d <= to {
        let wd = d.weekday().number_from_monday() as u8;
        if days.contains(&wd) && !p.is_holiday(d) && h1 > h0 {
            out.push((at(d, h0), at(d, h1)));
        }
        d += Duration::days(1);
    }
    out
}

/// A task created in the period, as the finder reads it.
struct TaskRow {
    category: Option<usize>,
    /// Seconds.
    clock_start: Option<i64>,
    met: Option<bool>,
    lane: Option<String>,
    owner: Option<String>,
}

/// The scan's observations: due tasks by category and the local weekday,
/// hour and date of their clock start.
fn observations(p: &Practice, tasks: &[TaskRow]) -> Vec<Obs> {
    tasks
        .iter()
        .filter_map(|t| {
            let (c, s, met) = (t.category?, t.clock_start?, t.met?);
            let local = chrono::DateTime::from_timestamp(s, 0)?.with_timezone(&p.tz);
            Some(Obs {
                category: c,
                weekday: local.weekday().number_from_monday() as u8,
                hour: local.hour() as u8,
                day: (local.date_naive() - NaiveDate::from_ymd_opt(1970, 1, 1)?).num_days() as i32,
                met,
            })
        })
        .collect()
}

/// Outreach attempt rows with a staff id in the period: (staff, seconds, task id).
fn staff_attempts(
    lake: &Lake,
    p: &Practice,
    (a, b): (i64, i64),
) -> Result<Vec<(String, i64, String)>> {
    let ts = |s: i64| {
        lit(s * 1_000_000).cast(polars::prelude::DataType::Datetime(
            polars::prelude::TimeUnit::Microseconds,
            Some(polars::prelude::TimeZone::UTC),
        ))
    };
    let df = lake
        .scan_practice(Table::Attempts, &p.id)?
        .filter(
            col("at")
                .gt_eq(ts(a))
                .and(col("at").lt(ts(b)))
                .and(col("staff_id").is_not_null())
                .and(col("channel").is_not_null())
                .and(col("channel").neq(lit("status_change")))
                .and(
                    col("direction")
                        .neq(lit("inbound"))
                        .or(col("direction").is_null()),
                ),
        )
        .select([col("staff_id"), col("at"), col("task_id")])
        .collect()
        .context("reading activity from the lake")?;
    let (who, at, tid) = (
        strs(&df, "staff_id")?,
        times(&df, "at")?,
        strs(&df, "task_id")?,
    );
    let mut out: Vec<(String, i64, String)> = (0..df.height())
        .filter_map(|i| {
            Some((
                who[i]?.to_string(),
                at[i]?.div_euclid(1_000_000),
                tid[i]?.to_string(),
            ))
        })
        .collect();
    out.sort();
    Ok(out)
}

/// Find, explain and price the bottlenecks of `p` over `from..=to`.
pub fn compute(
    config: &Config,
    lake: &Lake,
    p: &Practice,
    (from, to): (NaiveDate, NaiveDate),
    params: &Params,
    store: &Store,
) -> Result<Findings> {
    let mut m = history::build_in(config, lake, p, (from, to), store)?;
    // The calibration's replay at the fitted scale is the roster as worked.
    let (cal, base) = crate::staffing::calibrated(&m);
    m.time_scale = cal.scale;
    compute_on(config, lake, &m, &base, params, store)
}

/// [`compute`] on the practice's staffing model of the period `m`, already
/// calibrated (`staffing::calibrate`), and its replay with the roster as
/// worked, `base`: what the staffing view has built, so the weekly report and
/// the staffing command build and calibrate it once.
pub fn compute_on(
    config: &Config,
    lake: &Lake,
    m: &Model,
    base: &Outcome,
    params: &Params,
    store: &Store,
) -> Result<Findings> {
    let p = &m.practice.clone();
    let (from, to) = (m.from, m.to);

    // The period's tasks from the same task facts the model was built from.
    let w = crate::model::day::window(&config.restricted_to(&[&p.id]), from, to, None);
    let cals = crate::model::clock::Calendars::new(config, w, &[p.id.as_str()]);
    let built = store.facts(config, lake, &cals, &p.id, (from, to))?;
    let df = &built.facts.df;
    let (cat, lane, owner, tid) = (
        strs(df, "category")?,
        strs(df, "lane")?,
        strs(df, "owner")?,
        strs(df, "task_id")?,
    );
    let clock = times(df, "clock_start_at")?;
    let met: Vec<Option<bool>> = df.column("met_target")?.bool()?.iter().collect();
    let index = |c: Option<&str>| c.and_then(|c| m.categories.iter().position(|x| x == c));
    let mut tasks = Vec::new();
    let mut category_of: BTreeMap<&str, usize> = BTreeMap::new();
    for i in 0..df.height() {
        if let (Some(t), Some(c)) = (tid[i], index(cat[i])) {
            category_of.insert(t, c);
        }
        if !built.facts.in_range[i] {
            continue;
        }
        tasks.push(TaskRow {
            category: index(cat[i]),
            clock_start: clock[i].map(|x| x.div_euclid(1_000_000)),
            met: met[i],
            lane: lane[i].map(str::to_string),
            owner: owner[i].map(str::to_string),
        });
    }

    let obs = observations(p, &tasks);
    let business = business_blocks(p, params.width);
    let (tests, spans) = scan::scan(&obs, &business, params);
    for t in &tests {
        tracing::debug!(
            "findings: {} {} d{} {:02}h {}/{} vs {}/{} deff {:.2}/{:.2} z {:.2} p {:.2e} holm {:.2e}{}",
            p.id,
            m.categories[t.cell.category],
            t.cell.weekday,
            t.cell.block,
            t.block.met,
            t.block.due,
            t.rest.met,
            t.rest.due,
            t.deff_block,
            t.deff_rest,
            t.z,
            t.p,
            t.p_holm,
            if t.slips { " SLIPS" } else { "" }
        );
    }

    let period = (
        local_s(p.tz, from, NaiveTime::MIN),
        local_s(p.tz, to + Duration::days(1), NaiveTime::MIN),
    );
    let attempts = if spans.is_empty() {
        Vec::new()
    } else {
        staff_attempts(lake, p, period)?
    };
    let attempts: Vec<(&str, i64, usize)> = attempts
        .iter()
        .filter_map(|(s, t, id)| Some((s.as_str(), *t, *category_of.get(id.as_str())?)))
        .collect();
    let ctx = Ctx {
        p,
        m,
        period: (from, to),
        business_open: Spans::merged(history::expand(p, &p.hours, from, to)),
        tasks: &tasks,
        attempts: &attempts,
        weekdays: business.keys().copied().collect(),
    };
    let mut findings: Vec<Finding> = spans.iter().map(|s| ctx.finding(s)).collect();
    drop(ctx);
    // Each finding's fixes are replays of their own: side by side.
    {
        use rayon::prelude::*;
        findings
            .par_iter_mut()
            .for_each(|f| f.fixes = price::fixes(m, base, f, params.width));
    }
    Ok(Findings {
        practice: p.id.clone(),
        from,
        to,
        params: *params,
        tried: tests.len(),
        findings,
    })
}

/// What the causes are measured from.
struct Ctx<'a> {
    p: &'a Practice,
    m: &'a Model,
    period: (NaiveDate, NaiveDate),
    business_open: Spans,
    tasks: &'a [TaskRow],
    /// (staff, seconds, category) of each outreach attempt row.
    attempts: &'a [(&'a str, i64, usize)],
    /// The practice's business weekdays.
    weekdays: Vec<u8>,
}

impl Ctx<'_> {
    /// The span's windows and its baseline's, with the baseline's wording.
    fn windows(&self, s: &Span) -> (Spans, Spans, &'static str) {
        let inside = Spans::merged(windows(self.p, self.period, &s.weekdays, (s.from, s.to)));
        let others: Vec<u8> = self
            .weekdays
            .iter()
            .copied()
            .filter(|d| !s.weekdays.contains(d))
            .collect();
        if others.is_empty() {
            let mut v = windows(self.p, self.period, &s.weekdays, (0, s.from));
            v.extend(windows(self.p, self.period, &s.weekdays, (s.to, 24)));
            (inside, Spans::merged(v), "at other hours")
        } else {
            let v = windows(self.p, self.period, &others, (s.from, s.to));
            (inside, Spans::merged(v), "on other weekdays at those hours")
        }
    }

    fn finding(&self, s: &Span) -> Finding {
        let (p, m) = (self.p, self.m);
        let name = &m.categories[s.category];
        let lane = p.lane_for(name).map(|l| l.name.clone()).unwrap_or_default();
        let owners: Vec<usize> = p
            .lane_for(name)
            .map(|l| {
                m.staff
                    .iter()
                    .enumerate()
                    .filter(|(_, st)| l.owners.contains(&st.name))
                    .map(|(i, _)| i)
                    .collect()
            })
            .unwrap_or_default();
        let (win, base, base_text) = self.windows(s);
        let mut causes = vec![
            self.inbound(&owners, &win, &base),
            self.competing(&owners, s.category, &win, &base),
            self.roster(&owners, &win, &base),
            self.unrouted(s.category, &lane, &win, &base),
            self.arrivals(&lane, &win, &base),
        ];
        causes::order(&mut causes);
        let cells: Vec<(u8, u8)> = s.cells.iter().map(|c| (c.weekday, c.block)).collect();
        Finding {
            practice: p.id.clone(),
            category: name.clone(),
            target: p.categories[name].target.short(),
            lane,
            days: scan::weekdays_text(&s.weekdays),
            weekdays: s.weekdays.clone(),
            from_hour: s.from,
            to_hour: s.to,
            within: s.inside,
            elsewhere: s.outside,
            p_holm: s.p_holm,
            baseline: base_text.to_string(),
            causes,
            fixes: Vec::new(),
            anchor: text::anchor(&p.id, &s.weekdays, s.from, s.to),
            cells,
        }
    }

    fn rostered(&self, owners: &[usize], w: &Spans) -> (i64, i64) {
        owners.iter().fold((0, 0), |(r, o), &i| {
            (
                r + causes::overlap(&self.m.rostered[i], w),
                o + causes::overlap(&self.m.staff[i].open, w),
            )
        })
    }

    fn inbound(&self, owners: &[usize], win: &Spans, base: &Spans) -> Measure {
        let share = |w: &Spans, who: &[usize]| {
            let (r, open) = self.rostered(who, w);
            if r > 0 {
                (r - open) as f64 / r as f64
            } else {
                0.0
            }
        };
        let mut m = Measure::new(Kind::InboundLoad, share(win, owners), share(base, owners));
        m.most = owners
            .iter()
            .filter(|&&i| causes::overlap(&self.m.rostered[i], win) > 0)
            .map(|&i| {
                (
                    self.m.staff[i].name.clone(),
                    share(win, &[i]),
                    share(base, &[i]),
                )
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        m
    }

    fn competing(&self, owners: &[usize], category: usize, win: &Spans, base: &Spans) -> Measure {
        let names: Vec<&str> = owners
            .iter()
            .map(|&i| self.m.staff[i].name.as_str())
            .collect();
        let rate = |w: &Spans| {
            let n = self
                .attempts
                .iter()
                .filter(|(who, t, c)| {
                    *c != category && names.contains(who) && causes::inside(w, *t)
                })
                .count() as f64;
            let hours = self.rostered(owners, w).0 as f64 / 3600.0;
            if hours > 0.0 {
                n / hours
            } else {
                0.0
            }
        };
        Measure::new(Kind::CompetingWork, rate(win), rate(base))
    }

    fn roster(&self, owners: &[usize], win: &Spans, base: &Spans) -> Measure {
        let per_hour = |w: &Spans| {
            let open = causes::overlap(&self.business_open, w);
            if open > 0 {
                self.rostered(owners, w).0 as f64 / open as f64
            } else {
                0.0
            }
        };
        Measure::new(Kind::RosterGap, per_hour(win), per_hour(base))
    }

    fn unrouted(&self, category: usize, lane: &str, win: &Spans, base: &Spans) -> Measure {
        let share = |w: &Spans| {
            let (mut n, mut off) = (0u32, 0u32);
            for t in self.tasks {
                let (Some(c), Some(s)) = (t.category, t.clock_start) else {
                    continue;
                };
                if c == category && causes::inside(w, s) {
                    n += 1;
                    off += u32::from(
                        t.owner.is_none() || t.lane.as_deref().is_some_and(|l| l != lane),
                    );
                }
            }
            if n > 0 {
                f64::from(off) / f64::from(n)
            } else {
                0.0
            }
        };
        Measure::new(Kind::Unrouted, share(win), share(base))
    }

    fn arrivals(&self, lane: &str, win: &Spans, base: &Spans) -> Measure {
        let lane_of = |c: usize| {
            self.p
                .lane_for(&self.m.categories[c])
                .map(|l| l.name.as_str())
        };
        let rate = |w: &Spans| {
            let n = self
                .tasks
                .iter()
                .filter(|t| {
                    t.category.is_some_and(|c| lane_of(c) == Some(lane))
                        && t.clock_start.is_some_and(|s| causes::inside(w, s))
                })
                .count() as f64;
            let hours = causes::overlap(&self.business_open, w) as f64 / 3600.0;
            if hours > 0.0 {
                n / hours
            } else {
                0.0
            }
        };
        Measure::new(Kind::Arrivals, rate(win), rate(base))
    }
}

/// What the staffing outputs add for the findings: their text, each view's
/// findings as JSON, and each view's heatmap marks.
pub fn staffing_extra(found: &[Findings]) -> Result<crate::staffing::write::Extra> {
    Ok(crate::staffing::write::Extra {
        findings_text: text::text(found),
        findings_json: found
            .iter()
            .map(serde_json::to_value)
            .collect::<Result<_, _>>()?,
        marks: found.iter().map(marks).collect(),
    })
}

/// The staffing heatmap's marks for `fs`: each finding's lane, weekdays and
/// hours, named by its anchor.
pub fn marks(fs: &Findings) -> Vec<crate::staffing::heatmap::Mark> {
    fs.findings
        .iter()
        .map(|f| crate::staffing::heatmap::Mark {
            id: f.anchor.clone(),
            lane: f.lane.clone(),
            weekdays: f.weekdays.clone(),
            from: f.from_hour,
            to: f.to_hour,
        })
        .collect()
}

/// Findings of every practice of the config, in config order.
pub fn all(
    config: &Config,
    lake: &Lake,
    period: (NaiveDate, NaiveDate),
    params: &Params,
    store: &Store,
) -> Result<Vec<Findings>> {
    config
        .practices
        .iter()
        .map(|p| {
            compute(config, lake, p, period, params, store)
                .with_context(|| format!("findings for practice {}", p.id))
        })
        .collect()
}

/// The staffing views of `practices` over `window` and, for each, the
/// findings of the same period on its model and replay, found while the
/// view's recommendation is searched for ([`compute_on`];
/// `staffing::view::compute_all`), one per practice in the order given.
pub fn with_views(
    config: &Config,
    lake: &Lake,
    (practices, window, adds): (
        &[(&Practice, f64)],
        (NaiveDate, NaiveDate),
        &[crate::staffing::spec::Addition],
    ),
    params: &Params,
    store: &Store,
) -> Result<(Vec<crate::staffing::view::View>, Vec<Findings>)> {
    let find = |m: &Model, base: &Outcome| {
        compute_on(config, lake, m, base, params, store)
            .with_context(|| format!("findings for practice {}", m.practice.id))
    };
    let both =
        crate::staffing::view::compute_all(config, lake, practices, window, adds, store, &find)?;
    Ok(both.into_iter().unzip())
}
