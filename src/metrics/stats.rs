//! The statistics of the before/after comparison: the Wilson score interval of a
//! share, Newcombe's hybrid score interval of a difference of shares, the
//! median, p90 and mean as the headlines compute them, and a seeded percentile
//! bootstrap (docs/METRICS.md, "Comparison"). Pure and deterministic.

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

/// The Wilson score interval of x successes in n (none for n = 0).
pub fn wilson(x: u64, n: u64) -> Option<(f64, f64)> {
    if n == 0 {
        return None;
    }
    let (n, p) = (n as f64, x as f64 / n as f64);
    let z2 = Z * Z;
    let centre = p + z2 / (2.0 * n);
    let half = Z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).sqrt();
    let den = 1.0 + z2 / n;
    Some((
        ((centre - half) / den).max(0.0),
        ((centre + half) / den).min(1.0),
    ))
}

/// Newcombe's hybrid score interval (1998, method 10) of p1 − p2, from each
/// share's Wilson interval.
pub fn newcombe(x1: u64, n1: u64, x2: u64, n2: u64) -> Option<(f64, f64)> {
    let (l1, u1) = wilson(x1, n1)?;
    let (l2, u2) = wilson(x2, n2)?;
    let (p1, p2) = (x1 as f64 / n1 as f64, x2 as f64 / n2 as f64);
    let d = p1 - p2;
    Some((
        d - ((p1 - l1).powi(2) + (u2 - p2).powi(2)).sqrt(),
        d + ((u1 - p1).powi(2) + (p2 - l2).powi(2)).sqrt(),
    ))
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

/// The percentile bootstrap interval of f(after) − f(before): `RESAMPLES` times,
/// draw n_before items with replacement from before, then n_after from after
/// (indices from one ChaCha8 stream seeded with `SEED`), and take the 25th and
/// 975th of the sorted differences (those defined).
pub fn bootstrap<T: Copy>(
    before: &[T],
    after: &[T],
    f: &dyn Fn(&mut Vec<T>) -> Option<f64>,
) -> Option<(f64, f64)> {
    if before.is_empty() || after.is_empty() {
        return None;
    }
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(SEED);
    let mut diffs = Vec::with_capacity(RESAMPLES);
    let mut buf = Vec::new();
    let draw = |from: &[T], rng: &mut rand_chacha::ChaCha8Rng, buf: &mut Vec<T>| {
        buf.clear();
        buf.extend((0..from.len()).map(|_| from[rng.gen_range(0..from.len())]));
        f(buf)
    };
    for _ in 0..RESAMPLES {
        let b = draw(before, &mut rng, &mut buf);
        let a = draw(after, &mut rng, &mut buf);
        if let (Some(a), Some(b)) = (a, b) {
            diffs.push(a - b);
        }
    }
    if diffs.is_empty() {
        return None;
    }
    diffs.sort_by(f64::total_cmp);
    let pick = |q: f64| diffs[((q * diffs.len() as f64).ceil() as usize).clamp(1, diffs.len()) - 1];
    Some((pick(0.025), pick(0.975)))
}
