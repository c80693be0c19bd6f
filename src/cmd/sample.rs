//! `followup sample`: synthetic exports that behave like a practice.

use crate::cli::Cli;
use crate::config::{Config, Practice, WeekHours};
use crate::error::{UsageError, EXIT_OK};
use crate::logging::Progress;
use crate::sample::{self, AttemptRule, FilePeriod, PracticeSim, StaffSim};
use anyhow::{Context, Result};
use chrono::{Duration, NaiveDate};
use std::path::PathBuf;

/// Generate synthetic exports by simulating the follow-up process.
///
/// Simulates arrivals by category, weekday and hour, a roster with limited
/// capacity, attempts and their outcomes, appointments, recoveries, barriers and
/// notes, and writes files shaped like a phone-system call log, an EHR task
/// report, a task activity report, an appointment report and a patient contact
/// export (docs/SAMPLE-EXPORTS.md), plus a little realistic mess. Same seed, same bytes.
///
/// Practices come from the config; with --practices above the configured count the
/// first practice is cloned (p002, p003, …) and --write-config writes a config for them.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  followup sample --out sample_data/exports\n  followup sample --practices 200 --days 365 --start 2025-11-24 --out /tmp/big/exports --write-config /tmp/big/followup.toml"
)]
pub struct Args {
    /// Number of practices (default: those in the config).
    #[arg(long)]
    pub practices: Option<u32>,
    /// Days to simulate.
    #[arg(long, default_value_t = 91)]
    pub days: u32,
    /// First day (a Monday keeps weekly files aligned to ISO weeks).
    #[arg(long, default_value = "2026-08-24")]
    pub start: NaiveDate,
    /// Random seed.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Output folder (default: the config's exports folder).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// One file per kind per day or per week.
    #[arg(long, value_enum, default_value_t = Period::Week)]
    pub file_per: Period,
    /// Leave out the deliberate mess (duplicated export, malformed rows).
    #[arg(long)]
    pub no_mess: bool,
    /// Write a config for the generated practices here (exports pointing at --out).
    #[arg(long)]
    pub write_config: Option<PathBuf>,
    /// Plant a change from this day on, to test that a before/after comparison
    /// finds it (with --plant-reach; docs/SAMPLE-EXPORTS.md, "Planted change").
    /// The exports up to the day before are those of the same run without it.
    #[arg(long, requires = "plant_reach")]
    pub plant_from: Option<NaiveDate>,
    /// The last day the planted change is in force (default: to the end).
    #[arg(long, requires = "plant_from")]
    pub plant_until: Option<NaiveDate>,
    /// Multiply the chance that a phone attempt reaches the patient by this
    /// while the planted change is in force (still at most 90%), e.g. 1.4 for
    /// an improvement, 0.6 for a worsening.
    #[arg(long, requires = "plant_from")]
    pub plant_reach: Option<f64>,
    /// Simulate this many days before --start without writing them, so the
    /// first written week already has a steady queue instead of an empty one
    /// (docs/SAMPLE-EXPORTS.md, "Lead-in"); e.g. 35. 0 writes what it always did.
    #[arg(long, default_value_t = 0)]
    pub lead_in_days: u32,
    /// Multiply every arrival rate (requests and calls) by this, e.g. 0.5 for a
    /// practice with room to spare (docs/SAMPLE-EXPORTS.md, "Planted
    /// bottlenecks"). 1 writes what it always did.
    #[arg(long, default_value_t = 1.0)]
    pub volume: f64,
    /// Plant a surge of inbound calls on the front-desk line, to test that
    /// `followup findings` finds the slip and names the inbound load:
    /// "DAYS HH:00-HH:00 FACTOR", e.g. "Mon-Tue 09:00-12:00 3" (three times
    /// the usual calls; the extra ones from numbers with no task behind
    /// them, so they take time without adding callback work). Repeatable.
    #[arg(long, value_name = "SPEC", value_parser = parse_surge)]
    pub plant_calls: Vec<sample::CallSurge>,
    /// Plant a routing: a category's new tasks of some weekdays and hours go
    /// to another lane and are worked by its people, to test that `followup
    /// findings` names the routing: "DAYS HH:00-HH:00 CATEGORY LANE", e.g.
    /// "Mon-Tue 13:00-17:00 new_patient_request referrals". Repeatable.
    #[arg(long, value_name = "SPEC", value_parser = parse_route)]
    pub plant_route: Vec<sample::Route>,
}

/// "Mon-Tue" and "09:00-12:00" → weekdays (0 = Monday) and whole hours
/// `[from, to)`, or the error `bad` words for `flag`.
fn days_hours(
    days: &str,
    hours: &str,
    flag: &str,
    bad: &dyn Fn(String) -> String,
) -> Result<(Vec<usize>, u8, u8), String> {
    // The --add grammar's days and span, with a placeholder for its work.
    let a = crate::staffing::spec::parse(&format!("{days} {hours} x")).map_err(|e| {
        bad(e
            .0
            .split("; write")
            .next()
            .unwrap_or("")
            .replace("--add", flag))
    })?;
    use chrono::Timelike;
    let (s, e) = (a.span.start, a.span.end);
    if s.minute() != 0 || e.minute() != 0 {
        return Err(bad(format!("`{hours}`: whole hours only")));
    }
    let to_hour = if e.hour() == 0 { 24 } else { e.hour() as u8 };
    Ok((a.days, s.hour() as u8, to_hour))
}

/// "Mon-Tue 09:00-12:00 3" → a call surge.
fn parse_surge(spec: &str) -> Result<sample::CallSurge, String> {
    let bad =
        |m: String| format!("{m}; write DAYS HH:00-HH:00 FACTOR, e.g. \"Mon-Tue 09:00-12:00 3\"");
    let toks: Vec<&str> = spec.split_whitespace().collect();
    let [days, hours, factor] = toks[..] else {
        return Err(bad(format!("expected 3 parts, found {}", toks.len())));
    };
    let (weekdays, from_hour, to_hour) = days_hours(days, hours, "--plant-calls", &bad)?;
    let factor: f64 = factor
        .parse()
        .ok()
        .filter(|f: &f64| f.is_finite() && *f >= 0.0)
        .ok_or_else(|| bad(format!("`{factor}` is not a factor of 0 or more")))?;
    Ok(sample::CallSurge {
        weekdays,
        from_hour,
        to_hour,
        factor,
    })
}

/// "Mon-Tue 13:00-17:00 new_patient_request referrals" → a planted routing.
fn parse_route(spec: &str) -> Result<sample::Route, String> {
    let bad = |m: String| {
        format!("{m}; write DAYS HH:00-HH:00 CATEGORY LANE, e.g. \"Mon-Tue 13:00-17:00 new_patient_request referrals\"")
    };
    let toks: Vec<&str> = spec.split_whitespace().collect();
    let [days, hours, category, lane] = toks[..] else {
        return Err(bad(format!("expected 4 parts, found {}", toks.len())));
    };
    let (weekdays, from_hour, to_hour) = days_hours(days, hours, "--plant-route", &bad)?;
    if !["front_desk", "referrals", "clinical"].contains(&lane) {
        return Err(bad(format!(
            "lane `{lane}`: the generator's lanes are front_desk, referrals and clinical"
        )));
    }
    Ok(sample::Route {
        weekdays,
        from_hour,
        to_hour,
        category: category.to_string(),
        lane: lane.to_string(),
    })
}

#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Period {
    Day,
    Week,
}

pub fn run(cli: &Cli, args: &Args) -> Result<i32> {
    let config = super::load_config(cli)?;
    if args.days == 0 {
        return Err(UsageError("--days must be at least 1".into()).into());
    }
    let n = args.practices.unwrap_or(config.practices.len() as u32) as usize;
    if n == 0 {
        return Err(UsageError("--practices must be at least 1".into()).into());
    }
    let ids = practice_ids(&config, n);
    let sims: Vec<PracticeSim> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let base = config.practices.get(i).unwrap_or(&config.practices[0]);
            let first = args.start - Duration::days(args.lead_in_days as i64);
            to_sim(base, id, first, args.lead_in_days + args.days)
        })
        .collect();
    let out = args
        .out
        .clone()
        .unwrap_or_else(|| config.paths.exports.clone());
    let opts = sample::SampleOptions {
        days: args.days,
        start: args.start,
        seed: args.seed,
        out: out.clone(),
        file_per: match args.file_per {
            Period::Day => FilePeriod::Day,
            Period::Week => FilePeriod::Week,
        },
        mess: !args.no_mess,
        plant: args.plant_from.map(|from| sample::Plant {
            from,
            until: args.plant_until,
            reach: args.plant_reach.unwrap_or(1.0),
        }),
        lead_in_days: args.lead_in_days,
        load: sample::Load {
            volume: args.volume,
            call_surges: args.plant_calls.clone(),
            routes: args.plant_route.clone(),
        },
    };
    if !(args.volume.is_finite() && args.volume > 0.0) {
        return Err(UsageError(format!(
            "--volume {} is not a factor above 0; use e.g. 0.5 (less work) or 1 (as usual)",
            args.volume
        ))
        .into());
    }
    if let Some(p) = &opts.plant {
        if !(p.reach.is_finite() && p.reach > 0.0) {
            return Err(UsageError(format!(
                "--plant-reach {} is not a factor above 0; use e.g. 1.4 (better) or 0.6 (worse)",
                p.reach
            ))
            .into());
        }
        if p.until.is_some_and(|u| u < p.from) {
            return Err(UsageError(
                "--plant-until is before --plant-from; give an end on or after the start".into(),
            )
            .into());
        }
    }
    if let Some(path) = &args.write_config {
        write_config(&config, &ids, &out, path)?;
    }
    let progress = Progress::new("sample", "practices", cli.verbosity());
    let started = std::time::Instant::now();
    let summary = sample::generate(&sims, &opts, &|d, t| progress.update(d, t))?;
    if !cli.quiet {
        let rows: Vec<String> = summary
            .rows
            .iter()
            .map(|(k, v)| format!("{k} {v}"))
            .collect();
        eprintln!(
            "sample: {} practice(s) × {} day(s) from {} (seed {}): {} file(s) in {} [{}]; {} malformed row(s), {} duplicated file(s) on purpose; {:.1}s",
            n,
            args.days,
            args.start,
            args.seed,
            summary.files,
            out.display(),
            rows.join(", "),
            summary.malformed_rows,
            summary.duplicated_files,
            started.elapsed().as_secs_f64()
        );
    }
    Ok(EXIT_OK)
}

fn practice_ids(config: &Config, n: usize) -> Vec<String> {
    (0..n)
        .map(|i| match config.practices.get(i) {
            Some(p) => p.id.clone(),
            None => format!("p{:03}", i + 1),
        })
        .collect()
}

fn to_sim(p: &Practice, id: &str, start: NaiveDate, days: u32) -> PracticeSim {
    let holidays = (0..days as i64 + 7)
        .map(|d| start + Duration::days(d))
        .filter(|d| p.is_holiday(*d))
        .collect();
    let spans = |w: &WeekHours| -> [Vec<(chrono::NaiveTime, chrono::NaiveTime)>; 7] {
        std::array::from_fn(|i| w.0[i].iter().map(|s| (s.start, s.end)).collect())
    };
    let mut staff: Vec<StaffSim> = Vec::new();
    let mut owners: Vec<&String> = p.lanes.values().flat_map(|l| &l.owners).collect();
    owners.sort();
    owners.dedup();
    for o in owners {
        let lanes: Vec<_> = p.lanes.values().filter(|l| l.owners.contains(o)).collect();
        staff.push(StaffSim {
            id: o.clone(),
            categories: lanes
                .iter()
                .flat_map(|l| l.categories.iter().cloned())
                .collect(),
            hours: spans(p.roster.get(o).unwrap_or(&p.hours)),
            licensed: lanes.iter().any(|l| l.licensed),
        });
    }
    PracticeSim {
        id: id.to_string(),
        tz: p.tz,
        hours: spans(&p.hours),
        holidays,
        staff,
        rules: p
            .categories
            .iter()
            .map(|(name, c)| {
                let rule = AttemptRule {
                    max_attempts: c.max_attempts,
                    min_gap_days: c.min_gap_days,
                    final_channel: c.final_channel.clone(),
                };
                (name.clone(), rule)
            })
            .collect(),
    }
}

/// Write a config listing the generated practices, with `[paths]` pointing next to it.
fn write_config(
    config: &Config,
    ids: &[String],
    exports: &std::path::Path,
    path: &std::path::Path,
) -> Result<()> {
    let text = std::fs::read_to_string(&config.path)?;
    let mut doc: toml::Table = toml::from_str(&text)?;
    let first = doc
        .get("practices")
        .and_then(|p| p.as_array())
        .and_then(|a| a.first())
        .cloned()
        .context("the config has no practice to clone")?;
    let practices = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            let mut t = match doc
                .get("practices")
                .and_then(|p| p.as_array())
                .and_then(|a| a.get(i))
            {
                Some(v) => v.clone(),
                None => first.clone(),
            };
            if let Some(tab) = t.as_table_mut() {
                tab.insert("id".into(), id.clone().into());
                if config.practice(id).is_none() {
                    let name = tab
                        .get("name")
                        .and_then(|v| v.as_str())
                        .unwrap_or("Practice")
                        .to_string();
                    tab.insert("name".into(), format!("{name} ({id})").into());
                }
            }
            t
        })
        .collect::<Vec<_>>();
    doc.insert("practices".into(), toml::Value::Array(practices));
    let abs = |p: &std::path::Path| -> Result<String> {
        Ok(std::path::absolute(p)?.to_string_lossy().into_owned())
    };
    let dir = crate::config::folder_of(path);
    let mut paths = toml::Table::new();
    paths.insert("exports".into(), abs(exports)?.into());
    paths.insert("lake".into(), abs(&dir.join("lake"))?.into());
    paths.insert("quarantine".into(), abs(&dir.join("quarantine"))?.into());
    paths.insert("reports".into(), abs(&dir.join("reports"))?.into());
    doc.insert("paths".into(), toml::Value::Table(paths));
    std::fs::create_dir_all(dir)?;
    let body = toml::to_string(&doc)?;
    std::fs::write(
        path,
        format!("# Generated by `followup sample --write-config`.\n{body}"),
    )
    .with_context(|| format!("writing {}", path.display()))?;
    Ok(())
}
