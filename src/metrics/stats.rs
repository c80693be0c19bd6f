//! The statistics of the before/after comparison: the Wilson score interval of a
//! share, Newcombe's hybrid score interval of a difference of shares (on
//! effective counts, allowing for clusters through Kish's design effect), the
//! median, p90 and mean as the headlines compute them, and a seeded percentile
//! bootstrap that resamples clusters (docs/METRICS.md, "Comparison"). Pure and
//! deterministic.
//!
//! The clusters are days (a practice's requests of one local date): they share
//! that day's queue, so their outcomes are not independent, and intervals that
//! count them as if they were are too narrow.

use rand::{Rng, SeedableRng};

/// z for a two-sided 95% interval.
const Z: f64 = 1.959_963_984_540_054;
/// Bootstrap resamples, and the seed every bootstrap starts from.
pub const RESAMPLES: usize = 1000;
pub const SEED: u64 = 21;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stat {
    Median,
    P90,
    Mean,
}

#[cfg(test)]
/// The Wilson score interval of x successes in n (none for n = 0).
pub fn wilson(x: u64, n: u64) -> Option<(f64, f64)> {
    wilson_f(x as f64, n as f64)
}

/// The Wilson score interval of x successes in n, for effective (fractional)
/// counts (none for n ≤ 0). With whole counts, the same as `wilson`.
pub fn wilson_f(x: f64, n: f64) -> Option<(f64, f64)> {
    if n <= 0.0 {
        return None;
    }
    let p = x / n;
    let z2 = Z * Z;
    let centre = p + z2 / (2.0 * n);
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let den = 1.0 + z2 / n;
    Some((
        ((centre - half) / den).max(0.0),
        ((centre + half) / den).min(1.0),
    ))
}

#[cfg(test)]
/// Newcombe's hybrid score interval (1998, method 10) of p1 − p2, from each
/// share's Wilson interval.
pub fn newcombe(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<(f64, f64)> {
    newcombe_f(x1 as f64, n1 as f64, x2 as f64, n2 as f64)
}

/// `newcombe` on effective (fractional) counts.
pub fn newcombe_f(x1: f64, n1: f64, x2: f64, n2: f64) -> Option<(f64, f64)> {
    let (l1, u1) = wilson_f(x1, n1)?;
    let (l2, u2) = wilson_f(x2, n2)?;
    let (p1, p2) = (x1 / n1, x2 / n2);
    let d = p1 - p2;
    Some((
        d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt(),
        d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt(),
    ))
}

/// A share counted over clusters: x successes of n, and the design effect of
/// the clusters they fall in (1 when they count as independent).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Share {
    pub x: f64,
    pub n: f64,
    pub deff: f64,
}

impl Share {
    /// The share of every cluster's (x_d, n_d) together, with their design effect.
    pub fn of_clusters(clusters: &[(f64, f64)]) -> Share {
        let (x, n) = clusters
            .iter()
            .fold((0.0, 0.0), |(x, n), (a, b)| (x + a, n + b));
        Share {
            x,
            n,
            deff: design_effect(clusters),
        }
    }

    /// The counts that independent draws with the same variance would have:
    /// n / deff and x / deff (= p · n / deff), the same share.
    pub fn effective(&self) -> (f64, f64) {
        (self.x / self.deff, self.n / self.deff)
    }
}

/// Kish's design effect of the ratio estimator p = Σ x_d ÷ Σ n_d over clusters
/// (x_d successes of n_d in cluster d; those with n_d = 0 left out, D the rest):
/// the variance allowing for clusters, D/(D − 1) · Σ (x_d − p·n_d)² ÷ (Σ n_d)²,
/// over the variance of n independent draws, p(1 − p)/n; at least 1. It is 1
/// when p is 0 or 1 (no variance either way) or D < 2 (no spread to measure).
pub fn design_effect(clusters: &[(f64, f64)]) -> f64 {
    let used: Vec<(f64, f64)> = clusters.iter().copied().filter(|c| c.1 > 0.0).collect();
    let d = used.len() as f64;
    let (x, n) = used
        .iter()
        .fold((0.0, 0.0), |(x, n), (a, b)| (x + a, n + b));
    if used.len() < 2 {
        return 1.0;
    }
    let p = x / n;
    let independent = p * (1.0 - p) / n;
    if independent <= 0.0 {
        return 1.0;
    }
    let spread: f64 = used.iter().map(|(a, b)| (a - p * b).powi(2)).sum();
    let clustered = d / (d - 1.0) * spread / (n * n);
    (clustered / independent).max(1.0)
}

/// Newcombe's interval of after − before on each side's effective counts
/// (`Share::effective`); with design effects of 1, exactly `newcombe`.
pub fn newcombe_clustered(after: Share, before: Share) -> Option<(f64, f64)> {
    let ((xa, na), (xb, nb)) = (after.effective(), before.effective());
    newcombe_f(xa, na, xb, nb)
}

/// The statistic of `v` as polars computes it: the median averages the two middle
/// values of an even count; p90 interpolates linearly at 0.9 × (n − 1).
pub fn stat(s: Stat, v: &mut [f64]) -> Option<f64> {
    if v.is_empty() {
        return None;
    }
    let at = |v: &mut [f64], k: usize| -> f64 { *v.select_nth_unstable_by(k, f64::total_cmp).1 };
    let n = v.len();
    match s {
        Stat::Mean => Some(v.iter().sum::<f64>() / n as f64),
        Stat::Median if n % 2 == 1 => Some(at(v, n / 2)),
        Stat::Median => {
            let hi = at(v, n / 2);
            // After selecting n/2, the lower half holds the other middle value.
            let lo = v[..n / 2].iter().copied().fold(f64::MIN, f64::max);
            Some((lo + hi) / 2.0)
        }
        Stat::P90 => {
            let pos = 0.9 * (n - 1) as f64;
            let k = pos.floor() as usize;
            let lo = at(v, k);
            if k + 1 >= n {
                return Some(lo);
            }
            let hi = v[k + 1..].iter().copied().fold(f64::MAX, f64::min);
            Some(lo + (hi - lo) * (pos - k as f64))
        }
    }
}

/// Σ numerators ÷ Σ denominators (none over a zero denominator).
pub(super) fn ratio(p: &[(f64, f64)]) -> Option<f64> {
    let (a, b) = p.iter().fold((0.0, 0.0), |(a, b), (x, y)| (a + x, b + y));
    (b > 0.0).then(|| a / b)
}

#[cfg(test)]
/// The percentile bootstrap interval of f(after) − f(before) when every item
/// is its own cluster (tasks drawn as if independent): `cluster_bootstrap` over
/// one-item clusters, the same draws.
pub fn bootstrap<T: Copy>(
    before: &[T],
    after: &[T],
    f: &dyn Fn(&mut Vec<T>) -> Option<f64>,
) -> Option<(f64, f64)> {
    let one = |v: &[T]| -> Vec<Vec<T>> { v.iter().map(|t| vec![*t]).collect() };
    cluster_bootstrap(&one(before), &one(after), f)
}

/// The percentile bootstrap interval of f(after) − f(before), resampling
/// clusters: `RESAMPLES` times, draw D_before clusters with replacement from
/// before and concatenate their items, then D_after from after (indices from
/// one ChaCha8 stream seeded with `SEED`), and take the 25th and 975th of the
/// sorted differences (those defined). Empty clusters should be left out: they
/// would only change how many items a resample has. A side with a single
/// cluster has no spread between clusters to measure: its items are drawn as
/// if independent (one-item clusters), as the design effect is 1 for D < 2.
///
/// Each side's resampled statistic is moved away from that side's own
/// statistic by √(D ÷ (D − 1)) before the difference is taken: drawing D
/// clusters with replacement spreads a statistic by √((D − 1) ÷ D) of what
/// the clusters' unbiased variance gives, and the shares' design effect uses
/// that unbiased variance (the D ÷ (D − 1) of `design_effect`). With few
/// clusters the difference matters (weeks: 7 a side, 8%).
pub fn cluster_bootstrap<T: Copy>(
    before: &[Vec<T>],
    after: &[Vec<T>],
    f: &dyn Fn(&mut Vec<T>) -> Option<f64>,
) -> Option<(f64, f64)> {
    if before.is_empty() || after.is_empty() {
        return None;
    }
    let split = |v: &[Vec<T>]| -> Option<Vec<Vec<T>>> {
        (v.len() == 1).then(|| v[0].iter().map(|t| vec![*t]).collect())
    };
    let (sb, sa) = (split(before), split(after));
    let before = sb.as_deref().unwrap_or(before);
    let after = sa.as_deref().unwrap_or(after);
    let whole = |side: &[Vec<T>]| {
        let mut all: Vec<T> = side.concat();
        f(&mut all)
    };
    let (Some(pb), Some(pa)) = (whole(before), whole(after)) else {
        return None;
    };
    let widen = |d: usize| {
        if d > 1 {
            (d as f64 / (d as f64 - 1.0)).sqrt()
        } else {
            1.0
        }
    };
    let (wb, wa) = (widen(before.len()), widen(after.len()));
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(SEED);
    let mut diffs = Vec::with_capacity(RESAMPLES);
    let mut buf = Vec::new();
    let draw = |from: &[Vec<T>], rng: &mut rand_chacha::ChaCha8Rng, buf: &mut Vec<T>| {
        buf.clear();
        for _ in 0..from.len() {
            buf.extend_from_slice(&from[rng.gen_range(0..from.len())]);
        }
        f(buf)
    };
    for _ in 0..RESAMPLES {
        let b = draw(before, &mut rng, &mut buf);
        let a = draw(after, &mut rng, &mut buf);
        if let (Some(a), Some(b)) = (a, b) {
            diffs.push((pa + wa * (a - pa)) - (pb + wb * (b - pb)));
        }
    }
    if diffs.is_empty() {
        return None;
    }
    diffs.sort_by(f64::total_cmp);
    let pick = |q: f64| diffs[((q * diffs.len() as f64).ceil() as usize).clamp(1, diffs.len()) - 1];
    Some((pick(0.025), pick(0.975)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(got: (f64, f64), want: (f64, f64)) {
        assert!(
            (got.0 - want.0).abs() < 5e-5 && (got.1 - want.1).abs() < 5e-5,
            "{got:?} vs {want:?}"
        );
    }

    #[test]
    fn a_side_of_one_cluster_is_drawn_item_by_item() {
        let med = |v: &mut Vec<f64>| stat(Stat::Median, v);
        let before = vec![1.0, 2.0, 3.0, 4.0, 5.0];
        let after = vec![3.0, 4.0, 5.0, 6.0, 7.0, 8.0];
        let whole = cluster_bootstrap(&[before.clone()], &[after.clone()], &med).unwrap();
        // Not the one-point interval of redrawing the same cluster every time.
        assert!(whole.0 < whole.1, "{whole:?}");
        assert_eq!(Some(whole), bootstrap(&before, &after, &med));
    }

    #[test]
    fn wilson_matches_newcombe_1998_single_proportion() {
        // Newcombe (1998a), Table I, method 3 (score, no continuity correction).
        close(wilson(81, 263).unwrap(), (0.2553, 0.3662));
        close(wilson(15, 148).unwrap(), (0.0624, 0.1605));
        close(wilson(0, 20).unwrap(), (0.0, 0.1611));
        close(wilson(1, 29).unwrap(), (0.0061, 0.1718));
        assert_eq!(wilson(0, 0), None);
    }

    #[test]
    fn newcombe_matches_newcombe_1998_differences() {
        // Newcombe (1998b), Table II, method 10 (hybrid score, no correction).
        close(newcombe(56, 70, 48, 80).unwrap(), (0.0524, 0.3339));
        close(newcombe(9, 10, 3, 10).unwrap(), (0.1705, 0.8090));
        assert_eq!(newcombe(1, 2, 0, 0), None);
    }

    #[test]
    fn stats_follow_polars() {
        assert_eq!(stat(Stat::Median, &mut [3.0, 1.0, 2.0]), Some(2.0));
        assert_eq!(stat(Stat::Median, &mut [4.0, 1.0, 3.0, 2.0]), Some(2.5));
        // p90 of 1..=10: position 8.1 → 9 + 0.1.
        let mut v: Vec<f64> = (1..=10).rev().map(f64::from).collect();
        assert!((stat(Stat::P90, &mut v).unwrap() - 9.1).abs() < 1e-12);
        assert_eq!(stat(Stat::Mean, &mut [1.0, 2.0]), Some(1.5));
        assert_eq!(stat(Stat::Median, &mut []), None);
    }

    #[test]
    fn bootstrap_is_deterministic_and_sensible() {
        let before: Vec<f64> = (0..200).map(|i| (i * 37 % 101) as f64).collect();
        let after: Vec<f64> = before.iter().map(|v| v + 30.0).collect();
        let f = |v: &mut Vec<f64>| stat(Stat::Median, v);
        let one = bootstrap(&before, &after, &f).unwrap();
        assert_eq!(one, bootstrap(&before, &after, &f).unwrap());
        assert!(one.0 > 0.0 && one.0 < 30.0 && one.1 > 30.0, "{one:?}");
        let same = bootstrap(&before, &before, &f).unwrap();
        assert!(same.0 < 0.0 && same.1 > 0.0, "{same:?}");
        assert_eq!(bootstrap(&[], &after, &f), None);
    }

    #[test]
    fn the_design_effect_widens_newcombe_as_documented() {
        // docs/METRICS.md, "Comparison": before, three days of 10 requests with
        // 8, 5 and 2 reached; after, 9, 8 and 7.
        let before = Share::of_clusters(&[(8.0, 10.0), (5.0, 10.0), (2.0, 10.0)]);
        let after = Share::of_clusters(&[(9.0, 10.0), (8.0, 10.0), (7.0, 10.0)]);
        // p = 0.5: 3/2 · (9 + 0 + 9) / 30² = 0.03 against 0.25/30 → 3.6.
        assert!((before.deff - 3.6).abs() < 1e-12, "{before:?}");
        // p = 0.8: 3/2 · (1 + 0 + 1) / 30² = 0.00333 against 0.16/30 → 0.625, so 1.
        assert_eq!(after.deff, 1.0);
        let (x, n) = before.effective();
        assert!((x - 4.1667).abs() < 1e-4 && (n - 8.3333).abs() < 1e-4);
        close(wilson_f(x, n).unwrap(), (0.2191, 0.7809));
        close(wilson(15, 30).unwrap(), (0.3315, 0.6685));
        // The change, +0.3: as if independent, "better"; with the days, not detected.
        close(newcombe(24, 30, 15, 30).unwrap(), (0.0585, 0.4985));
        close(
            newcombe_clustered(after, before).unwrap(),
            (-0.0299, 0.5998),
        );
    }

    #[test]
    fn a_design_effect_of_one_changes_nothing() {
        for (x1, n1, x2, n2) in [
            (56, 70, 48, 80),
            (9, 10, 3, 10),
            (0, 20, 1, 29),
            (7, 7, 3, 9),
        ] {
            let s = |x: u64, n: u64| Share {
                x: x as f64,
                n: n as f64,
                deff: 1.0,
            };
            assert_eq!(
                newcombe_clustered(s(x1, n1), s(x2, n2)),
                newcombe(x1, n1, x2, n2)
            );
        }
        // One day, an all-or-nothing share, or days that agree exactly: 1.
        assert_eq!(design_effect(&[(3.0, 10.0)]), 1.0);
        assert_eq!(design_effect(&[(0.0, 10.0), (0.0, 5.0)]), 1.0);
        assert_eq!(design_effect(&[(10.0, 10.0), (5.0, 5.0)]), 1.0);
        assert_eq!(design_effect(&[(5.0, 10.0), (5.0, 10.0)]), 1.0);
        // Days with nothing to count are not days of this share.
        assert_eq!(
            design_effect(&[(8.0, 10.0), (0.0, 0.0), (2.0, 10.0)]),
            design_effect(&[(8.0, 10.0), (2.0, 10.0)])
        );
        assert_eq!(
            newcombe_clustered(Share::of_clusters(&[]), Share::of_clusters(&[(1.0, 2.0)])),
            None
        );
    }

    #[test]
    fn the_cluster_bootstrap_of_one_item_days_is_the_task_bootstrap() {
        let before: Vec<f64> = (0..50).map(|i| (i * 37 % 101) as f64).collect();
        let after: Vec<f64> = before.iter().map(|v| v + 10.0).collect();
        let f = |v: &mut Vec<f64>| stat(Stat::Median, v);
        let one = |v: &[f64]| -> Vec<Vec<f64>> { v.iter().map(|x| vec![*x]).collect() };
        assert_eq!(
            cluster_bootstrap(&one(&before), &one(&after), &f),
            bootstrap(&before, &after, &f)
        );
        assert_eq!(cluster_bootstrap(&[], &one(&after), &f), None);
    }

    #[test]
    fn days_alike_inside_give_a_wider_interval_than_tasks() {
        // Each side: two days of 20 requests, every request of a day waiting as
        // long as the others (10 and 30 minutes before, 12 and 32 after). As
        // tasks, 40 independent draws; as days, two.
        let day = |v: f64| vec![v; 20];
        let (before, after) = (vec![day(10.0), day(30.0)], vec![day(12.0), day(32.0)]);
        let f = |v: &mut Vec<f64>| stat(Stat::Mean, v);
        let tasks = bootstrap(&before.concat(), &after.concat(), &f).unwrap();
        let days = cluster_bootstrap(&before, &after, &f).unwrap();
        assert_eq!(days, cluster_bootstrap(&before, &after, &f).unwrap());
        // Two days drawn twice: each mean is 10, 20 or 30 (+2 after), widened
        // by √2 about 20 (22 after), so the difference reaches 2 ± 20·√2;
        // forty tasks average much of that out.
        let reach = 20.0 * 2f64.sqrt();
        assert!((days.0 - (2.0 - reach)).abs() < 1e-9, "{days:?}");
        assert!((days.1 - (2.0 + reach)).abs() < 1e-9, "{days:?}");
        assert!(tasks.0 > -18.0 && tasks.1 < 22.0, "{tasks:?}");
        assert!(
            tasks.1 - tasks.0 < 0.75 * (days.1 - days.0),
            "{tasks:?} vs {days:?}"
        );
    }
}
