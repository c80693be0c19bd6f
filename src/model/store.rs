//! Task facts built once a run: the nightly run builds each practice's facts
//! for the metrics' window and hands them, by reference, to the weekly
//! report's staffing view and to tomorrow's lists, which ask for the same or a
//! narrower window ending on the same day.
//!
//! A narrower window is answered from a wider one with the same end and *as
//! of*: the tasks its filter keeps, with `in_range` restricted to its dates.
//! A task's facts depend on the task, its rows, the calls to and from its
//! number from its creation on and the appointments, all seen by *as of* —
//! and on which other task's phone row recorded a call (`model::attempts`
//! claims). The wider inputs hold more tasks: those closed before the narrower
//! start. A task closed (by *as of*) before the narrower start claims only
//! calls before it, which no task created in the narrower window looks at, so
//! those tasks' facts are the same either way — unless such a claim pushes an
//! older task's phone row onto a call in the window instead (`CLAIM_MARGIN_US`
//! bounds that). When a left-out task's window ends within the margin or
//! later (closed just before the start, or closed in the export but open by
//! its status), the store builds the narrower window anew. Rows of tasks
//! created before the narrower start may differ from a narrower build's (the
//! wider one sees their earlier calls): a narrowed view is read for its
//! `in_range` rows only.

use super::clock::Calendars;
use super::day::Window;
use super::facts::{self, Facts, EPOCH_DAYS};
use super::load::{self, times, Inputs};
use super::numbers::Numbers;
use crate::config::Config;
use crate::lake::Lake;
use anyhow::{Context, Result};
use chrono::{Datelike, NaiveDate};
use polars::prelude::{BooleanChunked, NewChunkedArray};
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Condvar, Mutex};

/// How long before a narrower window's start a left-out task's window may end
/// for the narrowing to stand: a call it claimed that long before cannot push
/// another task's phone row onto a call in the window (a row pairs with a call
/// within `attempts::PAIR_MINUTES`; a chain of such pairings a day long is not
/// a real call log).
const CLAIM_MARGIN_US: i64 = 86_400_000_000;

/// One practice's facts and what they were built from.
pub struct Built {
    pub practice: String,
    /// The practice's window (its local dates; *as of* the end of the last).
    pub w: Window,
    pub inputs: Inputs,
    pub facts: Facts,
}

/// The task facts of a run, by practice. Shared by reference between the
/// stages (and the metrics' worker threads).
pub struct Store {
    retain: bool,
    kept: Mutex<BTreeMap<String, Arc<Built>>>,
    builds: Mutex<BTreeMap<String, usize>>,
    /// Practices whose facts a running stage has said it will keep: `facts`
    /// waits for them instead of building them a second time beside it.
    promised: Mutex<Promised>,
    settled: Condvar,
}

#[derive(Default)]
struct Promised {
    practices: BTreeSet<String>,
    /// The promising stage failed: waiting for its facts is pointless.
    failed: bool,
}

impl Store {
    /// A store that keeps what it builds, for later stages of the run to ask.
    pub fn retaining() -> Store {
        Store {
            retain: true,
            kept: Default::default(),
            builds: Default::default(),
            promised: Default::default(),
            settled: Condvar::new(),
        }
    }

    /// A store that keeps nothing (a single stage: `followup metrics` at year
    /// scale must not hold every practice's facts in memory).
    pub fn none() -> Store {
        Store {
            retain: false,
            ..Store::retaining()
        }
    }

    /// Build the facts of `practice` over `w` from its inputs, counted and
    /// logged at debug level (`-vv`).
    pub fn build(
        &self,
        config: &Config,
        cals: &Calendars,
        inputs: &Inputs,
        numbers: &Numbers,
        (practice, w): (&str, Window),
    ) -> Result<Facts> {
        let f = facts::build_with(config, cals, inputs, numbers, w)?;
        *lock(&self.builds).entry(practice.to_string()).or_default() += 1;
        tracing::debug!(
            "task facts: built for {practice} {}..{}",
            w.from_date,
            w.to_date
        );
        Ok(f)
    }

    /// Keep what was built for later stages, if this store retains; the
    /// facts, shared.
    pub fn keep(&self, built: Built) -> Arc<Built> {
        let built = Arc::new(built);
        if self.retain {
            lock(&self.kept).insert(built.practice.clone(), built.clone());
        }
        self.fulfil(&built.practice);
        built
    }

    /// Say that a stage now running will `keep` the facts of `practices`:
    /// until it does (or the promise is settled), [`Store::facts`] for one of
    /// them waits rather than building them too. Only a retaining store
    /// waits. A promise dropped unsettled (its stage panicked) settles as
    /// failed, so no one waits on it for ever.
    pub fn promise<'a>(&self, practices: impl IntoIterator<Item = &'a str>) -> Promise<'_> {
        if self.retain {
            let mut p = lock(&self.promised);
            p.practices
                .extend(practices.into_iter().map(str::to_string));
        }
        Promise {
            store: self,
            settled: false,
        }
    }

    /// The promising stage has ended: nothing more is waited for. When it
    /// failed (`ok` false), a waiting [`Store::facts`] returns an error rather
    /// than building what the failed stage did not.
    fn settle(&self, ok: bool) {
        let mut p = lock(&self.promised);
        p.practices.clear();
        p.failed |= !ok;
        self.settled.notify_all();
    }

    fn fulfil(&self, practice: &str) {
        let mut p = lock(&self.promised);
        if p.practices.remove(practice) {
            self.settled.notify_all();
        }
    }

    /// Wait while `practice`'s facts are promised; an error if their stage
    /// failed.
    fn wait_for(&self, practice: &str) -> Result<()> {
        let mut p = lock(&self.promised);
        while p.practices.contains(practice) {
            p = self.settled.wait(p).unwrap_or_else(|e| e.into_inner());
        }
        anyhow::ensure!(
            !p.failed,
            "the task facts of practice {practice} were not built: an earlier stage failed"
        );
        Ok(())
    }

    /// The facts of `practice` for the tasks created on local dates
    /// `from..=to`, *as of* the end of `to`: from what the store keeps when it
    /// covers them (see the module's note), else loaded and built.
    pub fn facts(
        &self,
        config: &Config,
        lake: &Lake,
        cals: &Calendars,
        practice: &str,
        (from, to): (NaiveDate, NaiveDate),
    ) -> Result<Arc<Built>> {
        let w = super::day::window(&config.restricted_to(&[practice]), from, to, None);
        self.wait_for(practice)?;
        let kept = lock(&self.kept).get(practice).cloned();
        if let Some(b) = kept {
            if let Some(n) = narrowed(&b, w)? {
                tracing::debug!(
                    "task facts: {practice} {from}..{to} taken from {}..{}",
                    b.w.from_date,
                    b.w.to_date
                );
                return Ok(n);
            }
        }
        let inputs = load::load_for_metrics(lake, w, practice)?;
        let numbers = Numbers::new(&inputs.calls)?;
        let facts = self
            .build(config, cals, &inputs, &numbers, (practice, w))
            .context("building task facts")?;
        drop(numbers);
        let built = Built {
            practice: practice.to_string(),
            w,
            inputs,
            facts,
        };
        // A narrower window's facts stand in for no wider one: keep the first.
        if self.retain && !lock(&self.kept).contains_key(practice) {
            let built = Arc::new(built);
            lock(&self.kept).insert(practice.to_string(), built.clone());
            return Ok(built);
        }
        Ok(Arc::new(built))
    }

    /// How many times facts were built, and for how many practices.
    pub fn counts(&self) -> (usize, usize) {
        let b = lock(&self.builds);
        (b.values().sum(), b.len())
    }

    /// Say at debug level (`-vv`) how often the run built task facts.
    pub fn log_counts(&self) {
        let (n, m) = self.counts();
        tracing::debug!("task facts built {n} time(s) for {m} practice(s)");
    }
}

/// A stage's promise to keep some practices' task facts ([`Store::promise`]).
#[must_use = "a promise is settled when its stage ends"]
pub struct Promise<'a> {
    store: &'a Store,
    settled: bool,
}

impl Promise<'_> {
    /// The stage has ended, well (`ok`) or not.
    pub fn settle(mut self, ok: bool) {
        self.store.settle(ok);
        self.settled = true;
    }
}

impl Drop for Promise<'_> {
    fn drop(&mut self) {
        if !self.settled {
            self.store.settle(false);
        }
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// `b` narrowed to `w` (see the module's note), or `None` when `b` does not
/// cover `w` or narrowing could change a fact of a task created in `w`.
pub(super) fn narrowed(b: &Arc<Built>, w: Window) -> Result<Option<Arc<Built>>> {
    let same_end = (b.w.to, b.w.as_of, b.w.to_date) == (w.to, w.as_of, w.to_date);
    if !same_end || b.w.from > w.from || b.w.from_date > w.from_date {
        return Ok(None);
    }
    if (b.w.from, b.w.from_date) == (w.from, w.from_date) {
        return Ok(Some(b.clone()));
    }
    let (inputs, keep) = b.inputs.narrowed(w)?;
    // Each left-out task's window: its closure by as of, else as of.
    let closure = times(&b.facts.df, "closed_at")?;
    let reaches = keep
        .iter()
        .zip(&closure)
        .any(|(&k, c)| !k && c.unwrap_or(w.as_of).min(w.as_of) >= w.from - CLAIM_MARGIN_US);
    if reaches {
        tracing::debug!(
            "task facts: {} {}..{}: a task left out is open into the window; built anew",
            b.practice,
            w.from_date,
            w.to_date
        );
        return Ok(None);
    }
    let mask = BooleanChunked::from_slice("keep".into(), &keep);
    let mut df = b.facts.df.filter(&mask)?;
    df.rechunk_mut();
    let first = w.from_date.num_days_from_ce() - EPOCH_DAYS;
    let created: Vec<Option<i32>> = df
        .column("created_date")?
        .date()?
        .physical()
        .iter()
        .collect();
    let in_range = (b.facts.in_range.iter().zip(&keep))
        .filter(|(_, &k)| k)
        .map(|(&r, _)| r)
        .zip(created)
        .map(|(r, d)| r && d.is_some_and(|d| d >= first))
        .collect();
    Ok(Some(Arc::new(Built {
        practice: b.practice.clone(),
        w,
        inputs,
        facts: Facts { df, in_range },
    })))
}

#[cfg(test)]
mod tests {
    use super::{lock, Store};
    use std::sync::atomic::{AtomicBool, Ordering};

    /// `waiter` on this thread while `later` runs on another after a moment:
    /// the wait must last until `later` has run.
    fn meanwhile<R>(later: impl FnOnce() + Send, waiter: impl FnOnce() -> R) -> R {
        std::thread::scope(|s| {
            s.spawn(|| {
                std::thread::sleep(std::time::Duration::from_millis(30));
                later();
            });
            waiter()
        })
    }

    #[test]
    fn a_promised_practice_is_waited_for_until_its_facts_are_kept() {
        let store = Store::retaining();
        let _promise = store.promise(["p1", "p2"]);
        let kept = AtomicBool::new(false);
        meanwhile(
            || {
                kept.store(true, Ordering::SeqCst);
                store.fulfil("p1");
            },
            || store.wait_for("p1").unwrap(),
        );
        assert!(kept.load(Ordering::SeqCst), "returned before p1 was kept");
        // Another practice's promise stands; one never promised is not waited for.
        assert!(lock(&store.promised).practices.contains("p2"));
        store.wait_for("p3").unwrap();
    }

    #[test]
    fn a_failed_stage_releases_its_waiters_with_an_error() {
        let store = Store::retaining();
        let promise = store.promise(["p1"]);
        let e = meanwhile(|| promise.settle(false), || store.wait_for("p1"));
        let e = e.unwrap_err().to_string();
        assert!(e.contains("earlier stage failed"), "{e}");
        // A stage that ended well releases them to build what it did not keep.
        let ok = Store::retaining();
        ok.promise(["p1"]).settle(true);
        ok.wait_for("p1").unwrap();
    }

    #[test]
    fn a_promise_dropped_unsettled_releases_its_waiters() {
        let store = Store::retaining();
        let promise = store.promise(["p1"]);
        assert!(meanwhile(|| drop(promise), || store.wait_for("p1")).is_err());
    }

    #[test]
    fn a_store_that_keeps_nothing_waits_for_nothing() {
        let store = Store::none();
        let _promise = store.promise(["p1"]);
        store.wait_for("p1").unwrap();
    }
}
