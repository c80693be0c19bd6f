//! One module per subcommand, each with its clap `Args` and a `run`.

pub mod check;
pub mod erlang;
pub mod findings;
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

/// A clap value parser: a path that is an existing folder.
pub(crate) fn existing_dir(s: &str) -> std::result::Result<std::path::PathBuf, String> {
    let p = std::path::PathBuf::from(s);
    if p.is_dir() {
        Ok(p)
    } else {
        Err(format!("{s}: no such folder"))
    }
}

/// Load and validate the configuration named by `--config`.
pub fn load_config(cli: &Cli) -> Result<Config> {
    Ok(Config::load(&cli.config)?)
}

/// The configuration, for a command that also works without one: `None` when
/// none was named (--config, FOLLOWUP_CONFIG) and the default `followup.toml`
/// does not exist. A named file that is missing, or any config that does not
/// parse and validate, is an error as for every other command.
pub fn load_config_if_any(cli: &Cli) -> Result<Option<Config>> {
    match Config::load(&cli.config) {
        Ok(c) => Ok(Some(c)),
        Err(crate::error::ConfigError::Missing { .. }) if !cli.config_named => Ok(None),
        Err(e) => Err(e.into()),
    }
}
