//! Errors a user can fix, and the exit codes they map to.

use std::path::PathBuf;

/// Exit code for success.
pub const EXIT_OK: i32 = 0;
/// Exit code for a data or run failure (bad exports, a failed stage, I/O).
pub const EXIT_DATA: i32 = 1;
/// Exit code for a usage or configuration error.
pub const EXIT_USAGE: i32 = 2;

/// A configuration problem: names the key and says how to fix it.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config {path}: {source}\n  hint: pass --config PATH or create followup.toml (see README, \"Configuration\")")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("{path}: `{key}`: {message}")]
    Invalid {
        path: PathBuf,
        key: String,
        message: String,
    },
}

/// Errors in the hashing key set-up (privacy).
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("no hashing key: set the environment variable {env}, or `privacy.key_file` in the config (a file readable only by its owner), or `privacy.demo_key = true` for sample data only")]
    Missing { env: String },
    #[error(
        "key file {path} is readable by group or others (mode {mode:o}); run `chmod 600 {path}`"
    )]
    Permissions { path: PathBuf, mode: u32 },
    #[error("key file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("hashing key from {origin} is shorter than 16 bytes; use a long random secret (e.g. `openssl rand -hex 32`)")]
    TooShort { origin: String },
}

/// Classify an error chain into an exit code: configuration and usage problems are 2.
pub fn exit_code(err: &anyhow::Error) -> i32 {
    for cause in err.chain() {
        if cause.downcast_ref::<ConfigError>().is_some()
            || cause.downcast_ref::<KeyError>().is_some()
            || cause.downcast_ref::<UsageError>().is_some()
        {
            return EXIT_USAGE;
        }
    }
    EXIT_DATA
}

/// A usage problem detected after argument parsing (e.g. a bad SQL file name).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);
