//! Test hooks for the crash-safety tests: `FOLLOWUP_FAILPOINT=<name>` kills the
//! process (SIGKILL, no clean-up) when it reaches that point, and
//! `FOLLOWUP_FAILPOINT=<name>:sleep=<ms>` pauses there instead, and
//! `FOLLOWUP_FAILPOINT=<name>:until=<file>` waits there until `<file>` exists (at
//! most a minute), so a test holds a run at a point exactly as long as it needs.
//! Unset, a failpoint costs one environment lookup.

/// Called at a named point of a run.
pub fn hit(name: &str) {
    let Ok(spec) = std::env::var("FOLLOWUP_FAILPOINT") else {
        return;
    };
    for part in spec.split(',') {
        let (point, action) = part.split_once(':').unwrap_or((part, "kill"));
        if point != name {
            continue;
        }
        if let Some(file) = action.strip_prefix("until=") {
            let start = std::time::Instant::now();
            while !std::path::Path::new(file).exists() && start.elapsed().as_secs() < 60 {
                std::thread::sleep(std::time::Duration::from_millis(20));
            }
            continue;
        }
        match action
            .strip_prefix("sleep=")
            .and_then(|ms| ms.parse::<u64>().ok())
        {
            Some(ms) => std::thread::sleep(std::time::Duration::from_millis(ms)),
            None => {
                // SAFETY: sending a signal to ourselves has no memory-safety concerns.
                unsafe {
                    libc::kill(libc::getpid(), libc::SIGKILL);
                }
                std::process::abort();
            }
        }
    }
}
