//! One module per subcommand, each with its clap `Args` and a `run`.

pub mod check;
pub mod erlang;
pub mod ingest;
pub mod init;
pub mod lists;
pub mod metrics;
pub mod nightly;
pub mod query;
pub mod report;
pub mod sample;
pub mod staffing;

use crate::cli::Cli;
use crate::config::Config;
use anyhow::Result;

/// Load and validate the configuration named by `--config`.
pub fn load_config(cli: &Cli) -> Result<Config> {
    Ok(Config::load(&cli.config)?)
}
