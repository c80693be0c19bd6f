//! `followup erlang`: staffing for the live inbound line (Erlang C, or Erlang A with patience).

use crate::cli::Cli;
use crate::error::{UsageError, EXIT_OK};
use crate::staffing::erlang::{ceil_div_exact, evaluate_a, evaluate_c, required_c, Load};
use anyhow::Result;

/// Agents needed on the live inbound line for a service level (Erlang C), or the
/// performance of a fixed number of agents; with --patience, Erlang A (callers
/// abandon after an exponential patience with that mean). Numerically stable for
/// large N (Erlang B recursion, exact integer ceilings). Needs no config or lake.
#[derive(Debug, clap::Args)]
#[command(
    after_help = "Examples:\n  followup erlang --calls 100 --interval 30m --aht 180s --answer-within 20s --service-level 0.8 --shrinkage 0.3 --max-occupancy 0.85\n  followup erlang --calls 100 --interval 30m --aht 180s --answer-within 20s --agents 14 --patience 120s --json"
)]
pub struct Args {
    /// Calls offered in the interval.
    #[arg(long)]
    pub calls: f64,
    /// Interval length, e.g. 30m, 1h, 900s.
    #[arg(long, value_parser = duration_s)]
    pub interval: f64,
    /// Average handle time, e.g. 180s, 3m.
    #[arg(long, value_parser = duration_s)]
    pub aht: f64,
    /// Answer target for the service level, e.g. 20s.
    #[arg(long, value_parser = duration_s)]
    pub answer_within: f64,
    /// Service-level target, a fraction (e.g. 0.8 for 80% within --answer-within).
    #[arg(long, required_unless_present = "agents", conflicts_with = "agents")]
    pub service_level: Option<f64>,
    /// Evaluate this many agents instead of sizing for a service level.
    #[arg(long)]
    pub agents: Option<u32>,
    /// Share of paid time not on the phones (breaks, meetings, training).
    #[arg(long, default_value_t = 0.0)]
    pub shrinkage: f64,
    /// Highest acceptable occupancy; raises the agents needed to ⌈load ÷ this⌉.
    #[arg(long, default_value_t = 1.0)]
    pub max_occupancy: f64,
    /// Mean caller patience (Erlang A), e.g. 120s.
    #[arg(long, value_parser = duration_s)]
    pub patience: Option<f64>,
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

pub fn run(_cli: &Cli, a: &Args) -> Result<i32> {
    for (name, v, lo, hi) in [
        ("--shrinkage", a.shrinkage, 0.0, 0.99),
        ("--max-occupancy", a.max_occupancy, 0.01, 1.0),
    ] {
        if !(lo..=hi).contains(&v) {
            return Err(UsageError(format!("{name} must be between {lo} and {hi}")).into());
        }
    }
    if a.calls < 0.0 {
        return Err(UsageError("--calls must not be negative".into()).into());
    }
    let load = Load {
        calls: a.calls,
        interval_s: a.interval,
        aht_s: a.aht,
    };
    let agents = match (a.agents, a.service_level) {
        (Some(n), _) => n,
        (None, Some(sl)) if sl > 0.0 && sl < 1.0 => {
            required_c(load, a.answer_within, sl, a.max_occupancy, a.shrinkage).agents
        }
        _ => {
            return Err(UsageError(
                "--service-level is a fraction between 0 and 1, e.g. 0.8".into(),
            )
            .into())
        }
    };
    let perf = match a.patience {
        Some(p) => evaluate_a(load, agents, a.answer_within, p),
        None => evaluate_c(load, agents, a.answer_within),
    };
    // Exact: a float ceiling of an exact quotient can overshoot by one.
    let scheduled = ceil_div_exact(agents as f64, 1.0 - a.shrinkage);
    let model = if a.patience.is_some() {
        "erlang_a"
    } else {
        "erlang_c"
    };
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
        });
        crate::error::stdout(&(serde_json::to_string_pretty(&v)? + "\n"))?;
    } else {
        use std::fmt::Write;
        let mut out = String::new();
        writeln!(out, "model            {model}")?;
        writeln!(out, "offered load     {:.3} Erlangs", load.erlangs())?;
        writeln!(out, "agents           {agents}")?;
        writeln!(
            out,
            "scheduled        {scheduled} (shrinkage {:.0}%)",
            a.shrinkage * 100.0
        )?;
        writeln!(
            out,
            "service level    {:.4} answered within {:.0} s",
            perf.service_level, a.answer_within
        )?;
        writeln!(out, "P(wait)          {:.4}", perf.p_wait)?;
        writeln!(out, "ASA              {:.2} s", perf.asa_s)?;
        writeln!(out, "occupancy        {:.4}", perf.occupancy)?;
        if let Some(p) = perf.p_abandon {
            writeln!(out, "P(abandon)       {p:.4}")?;
        }
        crate::error::stdout(&out)?;
    }
    Ok(EXIT_OK)
}
