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

/// A progress bar on stderr with the time left, estimated from the rate so far:
/// only when stderr is a terminal and the run is not `--quiet`; otherwise nothing
/// is drawn (logs and pipes get no carriage returns).
pub struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    /// A bar for `label` counting `unit` (files, practices).
    pub fn new(label: &'static str, unit: &'static str, v: Verbosity) -> Progress {
        Progress::when(!v.quiet && std::io::stderr().is_terminal(), label, unit)
    }

    /// A bar that draws only if `enabled` (tests build one that draws nowhere).
    pub fn when(enabled: bool, label: &'static str, unit: &'static str) -> Progress {
        if !enabled {
            return Progress { bar: None };
        }
        let bar = indicatif::ProgressBar::with_draw_target(
            None,
            indicatif::ProgressDrawTarget::stderr_with_hz(4),
        );
        let style = indicatif::ProgressStyle::with_template(&format!(
            "{label} [{{bar:30}}] {{pos}}/{{len}} {unit}, {{elapsed}} so far, about {{eta}} left"
        ))
        .expect("the template is valid")
        .progress_chars("=> ");
        bar.set_style(style);
        Progress { bar: Some(bar) }
    }

    /// `done` of `total`; the bar is cleared when done reaches total.
    pub fn update(&self, done: usize, total: usize) {
        let Some(bar) = &self.bar else { return };
        if total == 0 {
            return;
        }
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        if done >= total {
            bar.finish_and_clear();
        }
    }

    /// Print a line above the bar without tearing it.
    pub fn println(&self, line: &str) {
        match &self.bar {
            Some(bar) => bar.suspend(|| eprintln!("{line}")),
            None => eprintln!("{line}"),
        }
    }

    /// Clear the bar (a stage ended early, or with an error).
    pub fn clear(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_disabled_bar_draws_nothing_and_accepts_updates() {
        let p = Progress::when(false, "ingest", "files");
        p.update(1, 2);
        p.update(2, 2);
        assert!(p.bar.is_none());
    }

    #[test]
    fn an_enabled_bar_counts_and_finishes() {
        let p = Progress::when(true, "ingest", "files");
        p.update(1, 4);
        let bar = p.bar.as_ref().unwrap();
        assert_eq!((bar.position(), bar.length()), (1, Some(4)));
        p.update(4, 4);
        assert!(bar.is_finished());
    }
}
