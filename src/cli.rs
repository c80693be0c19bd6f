//! Command-line definition and dispatch.

use crate::cmd;
use crate::error::{exit_code, is_broken_pipe, message, EXIT_OK};
use crate::logging::{self, Verbosity};
use clap::parser::ValueSource;
use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};
use std::path::PathBuf;

/// Follow-up and callback analytics for medical practices.
///
/// Exit codes: 0 ok; 1 data or run failure; 2 usage or configuration error.
#[derive(Debug, Parser)]
#[command(
    name = "followup",
    version,
    propagate_version = true,
    after_help = "Start here, in an empty folder:\n  followup init ./exports   write followup.toml for your exports folder (and a hashing key)\n  followup check            see how every export maps, with a one-line verdict\n  followup nightly          ingest, metrics, reports and tomorrow's call lists\n  followup query --tables   every table you can query"
)]
pub struct Cli {
    /// The practice configuration (TOML). Relative folders in it are resolved against its folder.
    #[arg(
        long,
        global = true,
        help_heading = "Global options",
        env = "FOLLOWUP_CONFIG",
        default_value = "followup.toml"
    )]
    pub config: PathBuf,
    /// Whether --config or FOLLOWUP_CONFIG named the config (not the default
    /// `followup.toml`): commands that work without one treat a missing named
    /// file as an error and a missing default as "no config".
    #[arg(skip)]
    pub config_named: bool,
    /// Print only errors.
    #[arg(long, short, global = true, help_heading = "Global options")]
    pub quiet: bool,
    /// More detail on stderr (-v info, -vv debug).
    #[arg(short, long, global = true, action = clap::ArgAction::Count, help_heading = "Global options")]
    pub verbose: u8,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    Init(cmd::init::Args),
    Sample(cmd::sample::Args),
    Ingest(cmd::ingest::Args),
    Check(cmd::check::Args),
    Query(cmd::query::Args),
    Metrics(cmd::metrics::Args),
    Report(cmd::report::Args),
    Lists(cmd::lists::Args),
    Nightly(cmd::nightly::Args),
    Erlang(cmd::erlang::Args),
    Staffing(cmd::staffing::Args),
    Findings(cmd::findings::Args),
}

impl Cli {
    pub fn verbosity(&self) -> Verbosity {
        Verbosity {
            quiet: self.quiet,
            verbose: self.verbose,
        }
    }
}

/// Run the binary; returns the exit code.
pub fn main() -> i32 {
    let matches = Cli::command().get_matches();
    let mut cli = Cli::from_arg_matches(&matches)
        .map_err(|e| e.format(&mut Cli::command()))
        .unwrap_or_else(|e| e.exit());
    cli.config_named = matches!(
        matches.value_source("config"),
        Some(ValueSource::CommandLine | ValueSource::EnvVariable)
    );
    logging::init(cli.verbosity());
    let result = match &cli.command {
        Command::Init(a) => cmd::init::run(&cli, a),
        Command::Sample(a) => cmd::sample::run(&cli, a),
        Command::Ingest(a) => cmd::ingest::run(&cli, a),
        Command::Check(a) => cmd::check::run(&cli, a),
        Command::Query(a) => cmd::query::run(&cli, a),
        Command::Metrics(a) => cmd::metrics::run(&cli, a),
        Command::Report(a) => cmd::report::run(&cli, a),
        Command::Lists(a) => cmd::lists::run(&cli, a),
        Command::Nightly(a) => cmd::nightly::run(&cli, a),
        Command::Erlang(a) => cmd::erlang::run(&cli, a),
        Command::Staffing(a) => cmd::staffing::run(&cli, a),
        Command::Findings(a) => cmd::findings::run(&cli, a),
    };
    match result {
        Ok(code) => code,
        Err(e) if is_broken_pipe(&e) => EXIT_OK,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            exit_code(&e)
        }
    }
    .max(EXIT_OK)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
