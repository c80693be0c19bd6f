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
        let i = self.spans.partition_point(|s| s.0 <= t);
        if i == 0 {
            return 0;
        }
        let (a, b) = self.spans[i - 1];
        self.before[i - 1] + t.min(b) - a
    }

    /// Open time in `[a, b)` (negative when `b` is before `a`).
    pub fn between(&self, a: i64, b: i64) -> i64 {
        self.cum(b) - self.cum(a)
    }

    /// `t` if open then, else the next opening (None when no more open time).
    pub fn next_open(&self, t: i64) -> Option<i64> {
        let i = self.spans.partition_point(|s| s.1 <= t);
        self.spans.get(i).map(|&(a, _)| a.max(t))
    }

    /// The instant at which `amount` (≥ 0) of open time after `t` has passed. An
    /// amount that runs out exactly at a span's end is that end, not the next
    /// opening. None past the last span.
    pub fn advance(&self, t: i64, amount: i64) -> Option<i64> {
        let target = self.cum(t) + amount.max(0);
        // The last span that starts (in running open time) before the target;
        // the one after it starts at or after the target, so the target lies in it.
        let i = self
            .before
            .partition_point(|&b| b < target)
            .checked_sub(1)?;
        let (a, b) = self.spans[i];
        let at = a + (target - self.before[i]);
        (at <= b).then_some(at)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_time_between_and_after() {
        let s = Spans::new(vec![(0, 10), (20, 30)]);
        assert_eq!(s.total(), 20);
        assert_eq!(s.between(5, 25), 10);
        assert_eq!(s.between(25, 5), -10);
        assert_eq!(s.next_open(12), Some(20));
        assert_eq!(s.next_open(30), None);
        assert_eq!(
            s.advance(5, 5),
            Some(10),
            "ends at a close, not the next opening"
        );
        assert_eq!(s.advance(5, 6), Some(21));
        assert_eq!(s.advance(5, 16), None);
    }
}
