//! The live inbound line: Erlang C (M/M/N, no abandonment) and Erlang A (M/M/N+M,
//! exponential patience), per ../shared/reference/erlang.md.
//!
//! Numerically stable for large N: P(wait) comes from the Erlang B recursion
//! (no factorials, no powers), and every ceiling of an exact integer quotient is
//! computed in integers.

/// One interval of inbound calls.
#[derive(Debug, Clone, Copy)]
pub struct Load {
    /// Calls offered in the interval.
    pub calls: f64,
    /// Interval length, seconds.
    pub interval_s: f64,
    /// Average handle time, seconds.
    pub aht_s: f64,
}

impl Load {
    /// Offered load in Erlangs: calls × AHT / interval.
    pub fn erlangs(&self) -> f64 {
        self.calls * self.aht_s / self.interval_s
    }
}

/// Erlang B blocking probability for `n` servers and load `a`, by recursion.
pub fn erlang_b(n: u32, a: f64) -> f64 {
    let mut b = 1.0;
    for k in 1..=n {
        b = a * b / (k as f64 + a * b);
    }
    b
}

/// Erlang C probability of waiting; 1 when the line is unstable (n ≤ a).
pub fn erlang_c(n: u32, a: f64) -> f64 {
    if (n as f64) <= a {
        return 1.0;
    }
    let b = erlang_b(n, a);
    n as f64 * b / (n as f64 - a * (1.0 - b))
}

/// Service level, ASA, occupancy of `n` agents.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Performance {
    pub agents: u32,
    pub p_wait: f64,
    pub service_level: f64,
    pub asa_s: f64,
    pub occupancy: f64,
    /// Erlang A only: probability that a caller hangs up before being answered.
    pub p_abandon: Option<f64>,
}

/// Erlang C performance of `n` agents with answer target `t_s`.
pub fn evaluate_c(load: Load, n: u32, t_s: f64) -> Performance {
    let a = load.erlangs();
    let c = erlang_c(n, a);
    let stable = (n as f64) > a;
    Performance {
        agents: n,
        p_wait: c,
        service_level: if stable {
            1.0 - c * (-(n as f64 - a) * t_s / load.aht_s).exp()
        } else {
            0.0
        },
        asa_s: if stable {
            c * load.aht_s / (n as f64 - a)
        } else {
            f64::INFINITY
        },
        occupancy: (a / n as f64).min(1.0),
        p_abandon: None,
    }
}

/// The smallest ceiling of `num / den` for positive rationals given as decimals,
/// computed exactly: a float ceiling of an exact integer quotient can overshoot.
pub fn ceil_div_exact(num: f64, den: f64) -> u32 {
    // Scale both to integers with 9 decimals: loads and occupancies are given with far fewer.
    let scale = 1e9;
    let n = (num * scale).round() as u128;
    let d = ((den * scale).round() as u128).max(1);
    n.div_ceil(d) as u32
}

/// Staffing for a service-level target under Erlang C.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Staffing {
    /// Agents needed on the phones.
    pub agents: u32,
    /// Agents to schedule after shrinkage: ⌈agents / (1 − shrinkage)⌉.
    pub scheduled: u32,
    pub performance: Performance,
}

/// The smallest N reaching `target_sl` within `t_s`, raised to ⌈A / max occupancy⌉,
/// then scheduled staff after shrinkage.
pub fn required_c(
    load: Load,
    t_s: f64,
    target_sl: f64,
    max_occupancy: f64,
    shrinkage: f64,
) -> Staffing {
    let a = load.erlangs();
    let mut n = (a.floor() as u32).max(1);
    while evaluate_c(load, n, t_s).service_level < target_sl {
        n += 1;
    }
    n = n.max(ceil_div_exact(a, max_occupancy));
    Staffing {
        agents: n,
        scheduled: ceil_div_exact(n as f64, 1.0 - shrinkage),
        performance: evaluate_c(load, n, t_s),
    }
}

/// Erlang A (M/M/N+M): callers abandon after an exponential patience with mean
/// `patience_s`. Computed from the birth–death chain's stationary distribution,
/// truncated where its tail is negligible; all products are formed as running
/// ratios so no factorial or power overflows.
pub fn evaluate_a(load: Load, n: u32, t_s: f64, patience_s: f64) -> Performance {
    let lambda = load.calls / load.interval_s;
    let mu = 1.0 / load.aht_s;
    let theta = 1.0 / patience_s;
    // Unnormalised π_k, k = 0..: π_k/π_{k-1} = λ / (min(k,n)μ + max(0,k−n)θ).
    let mut pis = vec![1.0f64];
    let mut k = 1usize;
    loop {
        let rate = (k.min(n as usize) as f64) * mu + (k.saturating_sub(n as usize) as f64) * theta;
        let next = pis[k - 1] * lambda / rate;
        pis.push(next);
        if k > n as usize && next < 1e-16 * pis.iter().sum::<f64>() {
            break;
        }
        k += 1;
        if k > 100_000 {
            break;
        }
    }
    let total: f64 = pis.iter().sum();
    let p: Vec<f64> = pis.iter().map(|x| x / total).collect();
    let n_us = n as usize;
    // An arrival waits when all agents are busy (PASTA).
    let p_wait: f64 = p.iter().skip(n_us).sum();
    // A caller arriving with j ahead in queue (state n+j) is answered when j+1
    // departures happen before its patience runs out; each queue departure occurs
    // at rate nμ + (others abandoning). Abandonment probability and waiting-time
    // tail by exact phase-type reasoning:
    let mut p_abandon = 0.0;
    let mut answered_within = p.iter().take(n_us).sum::<f64>(); // answered at once
    let mut asa = 0.0;
    for (j, &pj) in p.iter().enumerate().skip(n_us) {
        let ahead = j - n_us; // callers ahead of the new one
                              // Moving from i ahead to i−1 happens at rate nμ + iθ; the new caller leaves at rate θ.
        let mut survive = 1.0; // probability of still waiting, not abandoned, as stages pass
        let mut mean_wait = 0.0;
        let mut rates = Vec::with_capacity(ahead + 1);
        for i in (0..=ahead).rev() {
            let move_rate = n as f64 * mu + i as f64 * theta;
            let r = move_rate + theta;
            mean_wait += survive / r;
            survive *= move_rate / r;
            rates.push(r);
        }
        p_abandon += pj * (1.0 - survive);
        asa += pj * mean_wait;
        // P(answered within t): hypoexponential stages with rates `rates`, each
        // passed with probability move/r; approximated by the answered mass times
        // the probability the stage sum is ≤ t (uniformisation).
        answered_within += pj * survive * hypoexp_cdf(&rates, t_s);
    }
    Performance {
        agents: n,
        p_wait,
        service_level: answered_within,
        asa_s: asa,
        occupancy: ((lambda * (1.0 - p_abandon)) / (n as f64 * mu)).min(1.0),
        p_abandon: Some(p_abandon),
    }
}

/// CDF at `t` of a sum of independent exponentials with the given rates, by
/// uniformisation (stable for many stages and equal rates).
fn hypoexp_cdf(rates: &[f64], t: f64) -> f64 {
    if rates.is_empty() {
        return 1.0;
    }
    let q = rates.iter().cloned().fold(0.0, f64::max);
    // State i = stages completed; from stage i the chain advances with prob rates[i]/q per event.
    let k = rates.len();
    let mut dist = vec![0.0; k + 1];
    dist[0] = 1.0;
    let qt = q * t;
    let mut poisson = (-qt).exp();
    let mut cdf = poisson * dist[k];
    let mut m = 0u32;
    let mut acc = poisson;
    while acc < 1.0 - 1e-12 && m < 100_000 {
        let mut next = vec![0.0; k + 1];
        for i in 0..k {
            let p_adv = rates[i] / q;
            next[i + 1] += dist[i] * p_adv;
            next[i] += dist[i] * (1.0 - p_adv);
        }
        next[k] += dist[k];
        dist = next;
        m += 1;
        poisson *= qt / m as f64;
        acc += poisson;
        cdf += poisson * dist[k];
    }
    cdf + (1.0 - acc) * dist[k]
}

#[cfg(test)]
#[path = "erlang_tests.rs"]
mod tests;
