//! Work spread over plain threads, one item at a time per thread.
//!
//! Why not rayon's `par_iter` for items that read or write Parquet: polars
//! runs its own parallel work on its own rayon pool. A rayon worker of the
//! global pool that calls polars waits for that pool, and while it waits it
//! steals the next item of its own `par_iter` and runs it on top of the
//! waiting call's stack; that item calls polars and waits in turn, and so on.
//! With a year's lake of 200 practices (some 2 400 month partitions touched
//! by one night's exports) the nesting overflowed the worker's stack
//! (BENCHMARKS.md, "A stack overflow at 200 practices"). A plain thread
//! waits without taking up other work, so the depth is one item. (The
//! staffing views stay on rayon; see `staffing::view::compute_all`.)

use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` of every item, on as many plain threads as there are cores (at most
/// one per item), each taking the next item when done with one; the results
/// in the items' order.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let workers = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(items.len());
    if workers <= 1 {
        return items.iter().map(f).collect();
    }
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        mine.push((i, f(item)));
                    }
                    mine
                })
            })
            .collect();
        handles.into_iter().flat_map(joined).collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Free `x` on a thread of its own: what a large collection of small values
/// costs to free is then spent beside the caller's next work, not before it.
pub fn drop_aside<T: Send + 'static>(x: T) {
    std::thread::spawn(move || drop(x));
}

/// What a scoped thread returned; its panic goes on in the joining thread.
pub fn joined<T>(h: std::thread::ScopedJoinHandle<'_, T>) -> T {
    h.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_once_in_order() {
        let items: Vec<u32> = (0..1000).collect();
        let out = map(&items, |x| x * 2);
        assert_eq!(out, items.iter().map(|x| x * 2).collect::<Vec<_>>());
        assert!(map(&[] as &[u32], |x| *x).is_empty());
        assert_eq!(map(&[7u32], |x| x + 1), [8]);
    }

    #[test]
    fn a_waiting_item_does_not_take_up_another_on_its_stack() {
        // Each item records how many items are running on its own thread at
        // once; on plain threads it is always one.
        thread_local!(static DEPTH: std::cell::Cell<usize> = const { std::cell::Cell::new(0) });
        let items: Vec<u32> = (0..64).collect();
        let depths = map(&items, |_| {
            DEPTH.with(|d| d.set(d.get() + 1));
            // Wait on another pool, as a polars call does.
            let pool = rayon::ThreadPoolBuilder::new()
                .num_threads(1)
                .build()
                .unwrap();
            pool.install(|| std::thread::sleep(std::time::Duration::from_millis(1)));
            let depth = DEPTH.with(|d| d.get());
            DEPTH.with(|d| d.set(d.get() - 1));
            depth
        });
        assert!(depths.iter().all(|&d| d == 1), "{depths:?}");
    }
}
