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
    #[error("no config file at {path}; run `followup init [EXPORTS_DIR]` to write a starter config (matched to your exports folder), or pass --config PATH")]
    Missing { path: PathBuf },
    #[error("cannot read {path}: {source}")]
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

/// The message `main` prints for an error chain: each cause once. A cause whose
/// text an outer message already quotes (a `{source}` in a thiserror message, an
/// io::Error repeated by its context) is not printed again.
pub fn message(err: &anyhow::Error) -> String {
    let mut msg = String::new();
    for cause in err.chain() {
        let mut text = cause.to_string();
        if cause
            .downcast_ref::<polars::prelude::PolarsError>()
            .is_some()
        {
            // polars follows the cause with a hint for its Python API and the
            // plan it resolved; the first paragraph is the cause.
            if let Some(i) = text.find("\n\n") {
                text.truncate(i);
            }
        }
        if text.is_empty() || msg.contains(&text) {
            continue;
        }
        if !msg.is_empty() {
            msg.push_str(": ");
        }
        msg.push_str(&text);
    }
    msg
}

/// Whether the error is a write to a closed pipe (`followup query … | head`): the
/// reader has what it wanted, so the run ends quietly with status 0, as xsv and
/// ripgrep do.
pub fn is_broken_pipe(err: &anyhow::Error) -> bool {
    // polars' IO errors name their io::Error as source, so the chain reaches it.
    err.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

/// Write data to stdout. A closed pipe comes back as an error that `main` turns
/// into a quiet exit 0 (see `is_broken_pipe`); `print!` would panic instead.
pub fn stdout(text: &str) -> std::io::Result<()> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    out.write_all(text.as_bytes())?;
    out.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_quoted_by_its_context_is_said_once() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Permission denied");
        let e = anyhow::Error::new(ConfigError::Read {
            path: "x.toml".into(),
            source: io,
        })
        .context("loading the config");
        assert_eq!(
            message(&e),
            "loading the config: cannot read x.toml: Permission denied"
        );
    }

    #[test]
    fn a_polars_error_is_its_first_paragraph() {
        let e = polars::prelude::PolarsError::ComputeError(
            "column `x` not found\n\nResolved plan until failure:\n\t---> FAILED HERE".into(),
        );
        let e = anyhow::Error::new(e).context("planning queries/x.sql");
        assert_eq!(message(&e), "planning queries/x.sql: column `x` not found");
    }

    #[test]
    fn broken_pipes_are_recognised_through_context() {
        let io = std::io::Error::from(std::io::ErrorKind::BrokenPipe);
        let e = anyhow::Error::new(io).context("writing the result");
        assert!(is_broken_pipe(&e));
        assert!(!is_broken_pipe(&anyhow::anyhow!("other")));
    }
}
