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
    enabled: bool,
    label: &'static str,
    unit: &'static str,
    /// Made at the first update with a total, so a stage that never counts
    /// anything never shows an empty bar.
    bar: std::sync::OnceLock<indicatif::ProgressBar>,
}

impl Progress {
    /// A bar for `label` counting `unit` (files, practices).
    pub fn new(label: &'static str, unit: &'static str, v: Verbosity) -> Progress {
        Progress::when(!v.quiet && std::io::stderr().is_terminal(), label, unit)
    }

    /// A bar that draws only if `enabled`.
    pub fn when(enabled: bool, label: &'static str, unit: &'static str) -> Progress {
        Progress {
            enabled,
            label,
            unit,
            bar: std::sync::OnceLock::new(),
        }
    }

    fn make(&self) -> indicatif::ProgressBar {
        let bar = indicatif::ProgressBar::with_draw_target(
            None,
            indicatif::ProgressDrawTarget::stderr_with_hz(4),
        );
        let style = indicatif::ProgressStyle::with_template(&format!(
            "{} [{{bar:30}}] {{pos}}/{{len}} {}, {{elapsed}} so far, {{left}}",
            self.label, self.unit
        ))
        .expect("the template is valid")
        .with_key(
            "left",
            |s: &indicatif::ProgressState, w: &mut dyn std::fmt::Write| {
                // Before the first step there is no rate to estimate from.
                let _ = if s.pos() == 0 {
                    write!(w, "estimating the time left")
                } else {
                    write!(w, "about {:#} left", indicatif::HumanDuration(s.eta()))
                };
            },
        )
        .progress_chars("=> ");
        bar.set_style(style);
        bar
    }

    /// `done` of `total`; the bar is cleared when done reaches total.
    pub fn update(&self, done: usize, total: usize) {
        if !self.enabled || total == 0 {
            return;
        }
        let bar = self.bar.get_or_init(|| self.make());
        bar.set_length(total as u64);
        bar.set_position(done as u64);
        if done >= total {
            bar.finish_and_clear();
        }
    }

    /// Print a line on stderr without tearing the bar.
    pub fn println(&self, line: &str) {
        // A finished bar is already cleared: suspending it would redraw it and
        // move the cursor up over the line just printed.
        match self.bar.get() {
            Some(bar) if !bar.is_finished() => bar.suspend(|| eprintln!("{line}")),
            _ => eprintln!("{line}"),
        }
    }

    /// Clear the bar (a stage ended early, or with an error).
    pub fn clear(&self) {
        if let Some(bar) = self.bar.get().filter(|b| !b.is_finished()) {
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
        assert!(p.bar.get().is_none());
    }

    #[test]
    fn an_enabled_bar_counts_and_finishes() {
        let p = Progress::when(true, "ingest", "files");
        p.update(0, 0);
        assert!(p.bar.get().is_none(), "nothing to count, no bar");
        p.update(1, 4);
        let bar = p.bar.get().unwrap();
        assert_eq!((bar.position(), bar.length()), (1, Some(4)));
        p.update(4, 4);
        assert!(bar.is_finished());
    }
}
