//! Logs and progress go to stderr; stdout carries data.

use std::io::IsTerminal;

/// How chatty a run is.
#[derive(Debug, Clone, Copy)]
pub struct Verbosity {
    pub quiet: bool,
    pub verbose: u8,
}

/// Set up `tracing` on stderr. `RUST_LOG` overrides the level; `NO_COLOR` disables colour.
pub fn init(v: Verbosity) {
    let level = match (v.quiet, v.verbose) {
        (true, _) => "error",
        (false, 0) => "warn",
        (false, 1) => "info",
        (false, _) => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("followup={level}")));
    let ansi = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(ansi)
        .without_time()
        .with_target(false)
        .try_init();
}

/// Progress on stderr: only on a terminal and not when quiet.
pub struct Progress {
    enabled: bool,
    label: &'static str,
}

impl Progress {
    pub fn new(label: &'static str, v: Verbosity) -> Progress {
        Progress {
            enabled: !v.quiet && std::io::stderr().is_terminal(),
            label,
        }
    }

    pub fn update(&self, done: usize, total: usize) {
        if self.enabled && total > 0 {
            eprint!("\r{}: {done}/{total}", self.label);
            if done >= total {
                eprint!("\r\x1b[2K");
            }
        }
    }
}
