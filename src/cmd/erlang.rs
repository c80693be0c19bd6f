//! `followup erlang`: staffing for the live inbound line (Erlang C, or Erlang A with patience).

use crate::cli::Cli;
use crate::config::{Config, Staffing};
use crate::error::{UsageError, EXIT_OK};
use crate::staffing::erlang::{ceil_div_exact, evaluate_a, evaluate_c, required_c, Load};
use anyhow::Result;

/// Agents needed on the live inbound line for a service level (Erlang C), or the
/// performance of a fixed number of agents; with --patience, also Erlang A
/// (callers abandon after an exponential patience with that mean).
///
/// Settings not given as options come from the config's [staffing] when a
/// config is found (--config, FOLLOWUP_CONFIG, else ./followup.toml), so an
/// hour gets the agents `followup staffing` gives it; with no config, from the
/// defaults named in each option. The output says where each setting came
/// from. Needs no lake; numerically stable for large N (Erlang B recursion,
/// exact integer ceilings). See docs/STAFFING.md.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  followup erlang --calls 33.2 --interval 1h --aht 256s\n  followup erlang --calls 100 --interval 30m --aht 180s --answer-within 20s --service-level 0.8 --shrinkage 0.3 --max-occupancy 0.85\n  followup erlang --calls 100 --interval 30m --aht 180s --agents 14 --patience 120s --json"
)]
pub struct Args {
    /// Calls offered in the interval.
    #[arg(long)]
    pub calls: f64,
    /// Interval length, e.g. 30m, 1h, 900s (`followup staffing` uses 1h blocks).
    #[arg(long, value_parser = duration_s, value_name = "DURATION")]
    pub interval: f64,
    /// Average handle time, e.g. 180s, 3m.
    #[arg(long, value_parser = duration_s, value_name = "DURATION")]
    pub aht: f64,
    /// Answer target for the service level, e.g. 20s [default: the config's staffing.answer_within, else 20s].
    #[arg(long, value_parser = duration_s, value_name = "DURATION")]
    pub answer_within: Option<f64>,
    /// Service-level target, a fraction: 0.8 for 80% answered within --answer-within [default: the config's staffing.service_level, else 0.8].
    #[arg(long, conflicts_with = "agents", value_name = "FRACTION")]
    pub service_level: Option<f64>,
    /// Evaluate this many agents instead of sizing for a service level (no --service-level or --max-occupancy then).
    #[arg(long, value_name = "N")]
    pub agents: Option<u32>,
    /// Share of paid time not on the phones (breaks, meetings, training); scheduled = ⌈agents ÷ (1 − this)⌉ [default: the config's staffing.shrinkage, else 0].
    #[arg(long, value_name = "FRACTION")]
    pub shrinkage: Option<f64>,
    /// Highest acceptable occupancy; raises the agents needed to ⌈load ÷ this⌉ [default: the config's staffing.max_occupancy, else 1, no cap].
    #[arg(long, conflicts_with = "agents", value_name = "FRACTION")]
    pub max_occupancy: Option<f64>,
    /// Mean caller patience, e.g. 120s: adds Erlang A abandonment at the agents (still sized by Erlang C, as `followup staffing` does).
    #[arg(long, value_parser = duration_s, value_name = "DURATION")]
    pub patience: Option<f64>,
    /// The practice whose [staffing] applies, when the config's practices differ in it [default: the only one].
    #[arg(long, value_name = "ID")]
    pub practice: Option<String>,
    /// Print JSON instead of text.
    #[arg(long)]
    pub json: bool,
}

/// Parse `30m`, `1h`, `180s` or a bare number of seconds.
fn duration_s(s: &str) -> Result<f64, String> {
    let (num, mult) = match s.chars().last() {
        Some('s') => (&s[..s.len() - 1], 1.0),
        Some('m') => (&s[..s.len() - 1], 60.0),
        Some('h') => (&s[..s.len() - 1], 3600.0),
        _ => (s, 1.0),
    };
    let v: f64 = num
        .trim()
        .parse()
        .map_err(|_| format!("{s}: write a duration like 20s, 30m or 1h"))?;
    if v <= 0.0 {
        return Err(format!("{s}: must be positive"));
    }
    Ok(v * mult)
}

/// Where a setting came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// Given on the command line.
    Option,
    /// The config's `[staffing]`.
    Config,
    /// Built in (no config found).
    Default,
}

impl Source {
    fn label(self) -> &'static str {
        match self {
            Source::Option => "option",
            Source::Config => "config",
            Source::Default => "default",
        }
    }
}

/// A setting's value and where it came from.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct Setting {
    pub value: f64,
    pub from: Source,
}

/// Defaults with no config: the usual 80% within 20 s (the config's own
/// defaults), and Erlang C as published: no shrinkage (scheduled = on the
/// phones) and no occupancy cap.
pub const NO_CONFIG_ANSWER_WITHIN_S: f64 = 20.0;
pub const NO_CONFIG_SERVICE_LEVEL: f64 = 0.8;
pub const NO_CONFIG_SHRINKAGE: f64 = 0.0;
pub const NO_CONFIG_MAX_OCCUPANCY: f64 = 1.0;

/// The settings in use: options over the config's `[staffing]` over the
/// built-in defaults. A setting the run does not use is None (with --agents,
/// nothing is sized, so no service-level target and no occupancy cap).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Settings {
    pub answer_within_s: Setting,
    pub service_level: Option<Setting>,
    pub shrinkage: Setting,
    pub max_occupancy: Option<Setting>,
}

/// Merge the options over `staffing` (the config's, if one was found).
pub fn settings(a: &Args, staffing: Option<&Staffing>) -> Settings {
    let pick = |option: Option<f64>, config: Option<f64>, default: f64| match (option, config) {
        (Some(value), _) => Setting {
            value,
            from: Source::Option,
        },
        (None, Some(value)) => Setting {
            value,
            from: Source::Config,
        },
        (None, None) => Setting {
            value: default,
            from: Source::Default,
        },
    };
    let sizing = a.agents.is_none();
    Settings {
        answer_within_s: pick(
            a.answer_within,
            staffing.map(|s| s.answer_within_s),
            NO_CONFIG_ANSWER_WITHIN_S,
        ),
        service_level: sizing.then(|| {
            pick(
                a.service_level,
                staffing.map(|s| s.service_level),
                NO_CONFIG_SERVICE_LEVEL,
            )
        }),
        shrinkage: pick(
            a.shrinkage,
            staffing.map(|s| s.shrinkage),
            NO_CONFIG_SHRINKAGE,
        ),
        max_occupancy: sizing.then(|| {
            pick(
                a.max_occupancy,
                staffing.map(|s| s.max_occupancy),
                NO_CONFIG_MAX_OCCUPANCY,
            )
        }),
    }
}

/// The practice whose `[staffing]` applies: `--practice`, else the only one,
/// else any when all agree on the inbound settings (their ids are returned).
pub fn practice_staffing<'c>(
    config: &'c Config,
    id: Option<&str>,
) -> Result<(&'c Staffing, Vec<&'c str>), UsageError> {
    let ids = || {
        config
            .practices
            .iter()
            .map(|p| p.id.as_str())
            .collect::<Vec<_>>()
    };
    if let Some(id) = id {
        return match config.practices.iter().find(|p| p.id == id) {
            Some(p) => Ok((&p.staffing, vec![p.id.as_str()])),
            None => Err(UsageError(format!(
                "--practice {id}: no such practice in {}; it has {}",
                config.path.display(),
                ids().join(", ")
            ))),
        };
    }
    let inbound = |s: &Staffing| {
        (
            s.answer_within_s,
            s.service_level,
            s.shrinkage,
            s.max_occupancy,
        )
    };
    // Config validation guarantees at least one practice.
    let first = &config.practices[0].staffing;
    if config
        .practices
        .iter()
        .all(|p| inbound(&p.staffing) == inbound(first))
    {
        Ok((first, ids()))
    } else {
        Err(UsageError(format!(
            "the practices in {} differ in [staffing] for the inbound line; choose one with --practice ({})",
            config.path.display(),
            ids().join(", ")
        )))
    }
}

fn check(a: &Args, s: &Settings) -> Result<(), UsageError> {
    if a.calls < 0.0 || !a.calls.is_finite() {
        return Err(UsageError("--calls must be a number, not negative".into()));
    }
    // Options only: config values were validated with the config.
    for (name, v, lo, hi) in [
        ("--shrinkage", a.shrinkage, 0.0, 0.99),
        ("--max-occupancy", a.max_occupancy, 0.01, 1.0),
    ] {
        if v.is_some_and(|v| !(lo..=hi).contains(&v)) {
            return Err(UsageError(format!("{name} must be between {lo} and {hi}")));
        }
    }
    if a.service_level.is_some_and(|v| !(v > 0.0 && v < 1.0)) {
        return Err(UsageError(
            "--service-level is a fraction between 0 and 1, e.g. 0.8".into(),
        ));
    }
    debug_assert!(s.service_level.is_some() || a.agents.is_some());
    Ok(())
}

pub fn run(cli: &Cli, a: &Args) -> Result<i32> {
    let config = super::load_config_if_any(cli)?;
    let (staffing, practices) = match &config {
        Some(c) => {
            let (s, ids) = practice_staffing(c, a.practice.as_deref())?;
            tracing::info!(
                "erlang: [staffing] of {} in {}",
                ids.join(", "),
                c.path.display()
            );
            (Some(s), ids)
        }
        None if a.practice.is_some() => {
            return Err(UsageError(format!(
                "--practice needs a config, and there is none at {}; pass --config PATH",
                cli.config.display()
            ))
            .into())
        }
        None => (None, Vec::new()),
    };
    let s = settings(a, staffing);
    check(a, &s)?;
    let load = Load {
        calls: a.calls,
        interval_s: a.interval,
        aht_s: a.aht,
    };
    let t = s.answer_within_s.value;
    let agents = match (a.agents, s.service_level, s.max_occupancy) {
        (Some(n), _, _) => n,
        (None, Some(sl), Some(occ)) => {
            required_c(load, t, sl.value, occ.value, s.shrinkage.value).agents
        }
        _ => unreachable!("settings() sizes whenever --agents is absent"),
    };
    let perf = match a.patience {
        Some(p) => evaluate_a(load, agents, t, p),
        None => evaluate_c(load, agents, t),
    };
    // Exact: a float ceiling of an exact quotient can overshoot by one.
    let scheduled = ceil_div_exact(agents as f64, 1.0 - s.shrinkage.value);
    let model = if a.patience.is_some() {
        "erlang_a"
    } else {
        "erlang_c"
    };
    let config_path = config.as_ref().map(|c| c.path.display().to_string());
    if a.json {
        let v = serde_json::json!({
            "model": model,
            "offered_load_erlangs": load.erlangs(),
            "agents": agents,
            "scheduled": scheduled,
            "service_level": perf.service_level,
            "p_wait": perf.p_wait,
            "asa_s": perf.asa_s,
            "occupancy": perf.occupancy,
            "p_abandon": perf.p_abandon,
            "settings": {
                "config": config_path,
                "practices": practices,
                "answer_within_s": s.answer_within_s,
                "service_level_target": s.service_level,
                "shrinkage": s.shrinkage,
                "max_occupancy": s.max_occupancy,
            },
        });
        crate::error::stdout(&(serde_json::to_string_pretty(&v)? + "\n"))?;
    } else {
        let answer = Answer {
            model,
            load,
            agents,
            scheduled,
            perf,
        };
        crate::error::stdout(&text(&s, config_path.as_deref(), &practices, &answer)?)?;
    }
    Ok(EXIT_OK)
}

/// What the run computed.
struct Answer {
    model: &'static str,
    load: Load,
    agents: u32,
    scheduled: u32,
    perf: crate::staffing::erlang::Performance,
}

fn text(s: &Settings, config: Option<&str>, practices: &[&str], r: &Answer) -> Result<String> {
    use std::fmt::Write;
    let Answer {
        model,
        load,
        agents,
        scheduled,
        perf,
    } = r;
    let mut out = String::new();
    match config {
        Some(path) => writeln!(
            out,
            "settings         {path}, practice {}",
            practices.join(", ")
        )?,
        None => writeln!(out, "settings         no config found; built-in defaults")?,
    }
    let from = |x: &Setting| x.from.label();
    writeln!(
        out,
        "  answer within  {:.0} s ({})",
        s.answer_within_s.value,
        from(&s.answer_within_s)
    )?;
    if let Some(x) = &s.service_level {
        writeln!(out, "  service level  {:.2} target ({})", x.value, from(x))?;
    }
    writeln!(
        out,
        "  shrinkage      {:.2} ({})",
        s.shrinkage.value,
        from(&s.shrinkage)
    )?;
    if let Some(x) = &s.max_occupancy {
        writeln!(out, "  max occupancy  {:.2} ({})", x.value, from(x))?;
    }
    writeln!(out, "model            {model}")?;
    writeln!(out, "offered load     {:.3} Erlangs", load.erlangs())?;
    writeln!(out, "agents           {agents}")?;
    writeln!(
        out,
        "scheduled        {scheduled} (shrinkage {:.0}%)",
        s.shrinkage.value * 100.0
    )?;
    writeln!(
        out,
        "service level    {:.4} answered within {:.0} s",
        perf.service_level, s.answer_within_s.value
    )?;
    writeln!(out, "P(wait)          {:.4}", perf.p_wait)?;
    writeln!(out, "ASA              {:.2} s", perf.asa_s)?;
    writeln!(out, "occupancy        {:.4}", perf.occupancy)?;
    if let Some(p) = perf.p_abandon {
        writeln!(out, "P(abandon)       {p:.4}")?;
    }
    Ok(out)
}

#[cfg(test)]
#[path = "erlang_tests.rs"]
mod tests;
