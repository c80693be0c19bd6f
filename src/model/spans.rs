//! Sorted, disjoint spans of time with the running total before each: how much
//! open time lies between two instants, and the instant at which a given amount
//! of open time has passed, as binary searches. The business clock (µs of
//! business hours) and the staffing replay (seconds each person is open) both
//! stand on it; the unit is the caller's.

/// Sorted, disjoint `[start, end)` spans and the open time before each.
#[derive(Debug, Clone, Default)]
pub struct Spans {
    spans: Vec<(i64, i64)>,
    before: Vec<i64>,
}

impl Spans {
    /// From spans already sorted and disjoint.
    pub fn new(spans: Vec<(i64, i64)>) -> Spans {
        let mut before = Vec::with_capacity(spans.len());
        let mut acc = 0;
        for (a, b) in &spans {
            before.push(acc);
            acc += b - a;
        }
        Spans { spans, before }
    }

    /// From intervals in any order; overlapping ones are merged, empty ones
    /// left out.
    pub fn merged(mut spans: Vec<(i64, i64)>) -> Spans {
        spans.retain(|s| s.1 > s.0);
        spans.sort_unstable();
        let mut merged: Vec<(i64, i64)> = Vec::with_capacity(spans.len());
        for s in spans {
            match merged.last_mut() {
                Some(l) if s.0 <= l.1 => l.1 = l.1.max(s.1),
                _ => merged.push(s),
            }
        }
        Spans::new(merged)
    }

    pub fn spans(&self) -> &[(i64, i64)] {
        &self.spans
    }

    /// All open time.
    pub fn total(&self) -> i64 {
        self.before
            .last()
            .zip(self.spans.last())
            .map_or(0, |(b, s)| b + s.1 - s.0)
    }

    /// Open time before `t`.
    pub fn cum(&self, t: i64) -> i64 {
        self.cum_in(self.spans.partition_point(|s| s.0 <= t), t)
    }

    /// Open time in `[a, b)` (negative when `b` is before `a`).
    pub fn between(&self, a: i64, b: i64) -> i64 {
        self.cum(b) - self.cum(a)
    }

    /// `t` if open then, else the next opening (None when no more open time).
    pub fn next_open(&self, t: i64) -> Option<i64> {
        self.open_in(self.spans.partition_point(|s| s.1 <= t), t)
    }

    /// [`Spans::next_open`], searching from `cursor` and leaving it at the
    /// span found.
    pub fn next_open_near(&self, cursor: &mut Cursor, t: i64) -> Option<i64> {
        self.open_in(cursor.find(&self.spans, |s| s.1 <= t), t)
    }

    /// The instant at which `amount` (≥ 0) of open time after `t` has passed. An
    /// amount that runs out exactly at a span's end is that end, not the next
    /// opening. None past the last span. Searched from `cursor` (any cursor
    /// gives the same answer), which is left near the span the amount runs
    /// out in.
    pub fn advance_near(&self, cursor: &mut Cursor, t: i64, amount: i64) -> Option<i64> {
        let target = self.cum_in(cursor.find(&self.spans, |s| s.0 <= t), t) + amount.max(0);
        self.reached_in(cursor.find(&self.before, |&b| b < target), target)
    }

    /// Open time before `t`, given the number `i` of spans starting at or before it.
    fn cum_in(&self, i: usize, t: i64) -> i64 {
        if i == 0 {
            return 0;
        }
        let (a, b) = self.spans[i - 1];
        self.before[i - 1] + t.min(b) - a
    }

    /// `t` if open then, else the next opening, given the number `i` of spans
    /// ending at or before it.
    fn open_in(&self, i: usize, t: i64) -> Option<i64> {
        self.spans.get(i).map(|&(a, _)| a.max(t))
    }

    /// The instant `target` of running open time is reached, given the number
    /// `i` of spans with less open time before them.
    fn reached_in(&self, i: usize, target: i64) -> Option<i64> {
        // The last span that starts (in running open time) before the target;
        // the one after it starts at or after the target, so the target lies in it.
        let i = i.checked_sub(1)?;
        let (a, b) = self.spans[i];
        let at = a + (target - self.before[i]);
        (at <= b).then_some(at)
    }
}

/// A position in a [`Spans`] kept between searches by a caller whose instants
/// mostly move forward a little (one person through a replay): a search
/// gallops out from the last position found, a few steps instead of a binary
/// search over every span. Any position gives the same answer; only the cost
/// differs.
#[derive(Debug, Clone, Copy, Default)]
pub struct Cursor(usize);

impl Cursor {
    /// A cursor at span `i`: a caller that knows roughly where an instant
    /// falls (the spans of its day) starts the search there.
    pub fn at(i: usize) -> Cursor {
        Cursor(i)
    }

    /// The partition point of `pred` in `v` (as `slice::partition_point`),
    /// galloping from the cursor, which is left there.
    fn find<T>(&mut self, v: &[T], pred: impl Fn(&T) -> bool) -> usize {
        self.0 = gallop(v, self.0, pred);
        self.0
    }
}

/// `v.partition_point(pred)`, searched outwards from `hint` in steps of 1, 2,
/// 4, … and then by bisection inside the last step.
fn gallop<T>(v: &[T], hint: usize, pred: impl Fn(&T) -> bool) -> usize {
    let h = hint.min(v.len());
    if h > 0 && !pred(&v[h - 1]) {
        // The point is at or before h - 1: gallop back.
        let (mut hi, mut step) = (h - 1, 1);
        loop {
            if step > hi {
                return v[..hi].partition_point(&pred);
            }
            let lo = hi - step;
            if pred(&v[lo]) {
                return lo + 1 + v[lo + 1..hi].partition_point(&pred);
            }
            (hi, step) = (lo, step * 2);
        }
    }
    // The point is at or after h: gallop forward.
    let (mut lo, mut step) = (h, 1);
    while lo + step <= v.len() && pred(&v[lo + step - 1]) {
        lo += step;
        step *= 2;
    }
    lo + v[lo..(lo + step - 1).min(v.len())].partition_point(&pred)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_time_between_and_after() {
        let s = Spans::new(vec![(0, 10), (20, 30)]);
        let advance = |t, amount| s.advance_near(&mut Cursor::default(), t, amount);
        assert_eq!(s.total(), 20);
        assert_eq!(s.between(5, 25), 10);
        assert_eq!(s.between(25, 5), -10);
        assert_eq!(s.next_open(12), Some(20));
        assert_eq!(s.next_open(30), None);
        assert_eq!(
            advance(5, 5),
            Some(10),
            "ends at a close, not the next opening"
        );
        assert_eq!(advance(5, 6), Some(21));
        assert_eq!(advance(5, 16), None);
    }

    #[test]
    fn a_gallop_from_any_hint_finds_the_partition_point() {
        let v: Vec<i64> = (0..40).map(|x| x / 3).collect();
        for k in -1..15 {
            for hint in 0..45 {
                let want = v.partition_point(|&x| x < k);
                assert_eq!(gallop(&v, hint, |&x| x < k), want, "k {k} hint {hint}");
            }
        }
        assert_eq!(gallop(&[] as &[i64], 3, |&x| x < 1), 0);
    }

    #[test]
    fn a_cursor_gives_the_answers_of_a_fresh_search() {
        let s = Spans::new((0..50).map(|i| (i * 100, i * 100 + 40 + i % 7)).collect());
        let mut c = Cursor::default();
        for t in (0..6000).step_by(37).chain((0..6000).rev().step_by(53)) {
            for amount in [0, 1, 39, 40, 41, 500] {
                // From the span before t's, by a plain binary search.
                let target = s.cum(t) + amount;
                let i = s.before.partition_point(|&b| b < target);
                let plain = s.reached_in(i, target);
                assert_eq!(s.advance_near(&mut c, t, amount), plain);
            }
            assert_eq!(s.next_open_near(&mut c, t), s.next_open(t));
        }
    }
}
