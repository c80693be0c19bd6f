//! Kaplan–Meier: the share of tasks still waiting for an event after `t`, when
//! some tasks are censored (still open at *as of*, or closed without the event).
//! Pure: durations in, the step curve and its quantiles out (docs/METRICS.md,
//! "time-to-event").

/// One step of the curve: at `t`, `at_risk` tasks were still waiting (their
/// duration is `t` or more), `events` of them had the event at `t`, and
/// `survival` is the share still waiting just after `t`.
#[derive(Debug, Clone, PartialEq)]
pub struct Step {
    pub t: f64,
    pub at_risk: u32,
    pub events: u32,
    pub survival: f64,
}

/// A Kaplan–Meier curve: how many tasks, events and censorings it is made of,
/// and one step per distinct event time, in time order.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Curve {
    pub n: u32,
    pub events: u32,
    pub censored: u32,
    pub steps: Vec<Step>,
}

/// Survival read as "at or below" a share: products of fractions are rounded,
/// so 0.75 × 2/3 may come out a hair above 0.5.
const TOLERANCE: f64 = 1e-9;

/// The Kaplan–Meier curve of `(duration, event_observed)` pairs (sorted in
/// place). At each distinct event time `t`, S falls by the factor
/// `1 − events(t) ÷ at_risk(t)`. Ties: a task censored at `t` is still at risk
/// at `t` (events come before censorings at the same time, the usual
/// convention), so it counts in `at_risk(t)` and leaves after.
pub fn kaplan_meier(obs: &mut [(f64, bool)]) -> Curve {
    // By time, events first at a tie (the order only matters for the walk).
    obs.sort_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let n = obs.len() as u32;
    let events = obs.iter().filter(|o| o.1).count() as u32;
    let mut steps = Vec::new();
    let mut s = 1.0;
    let mut i = 0;
    while i < obs.len() {
        let t = obs[i].0;
        let at_risk = (obs.len() - i) as u32;
        let mut d = 0;
        let mut j = i;
        while j < obs.len() && obs[j].0.total_cmp(&t).is_eq() {
            d += obs[j].1 as u32;
            j += 1;
        }
        if d > 0 {
            s *= 1.0 - d as f64 / at_risk as f64;
            steps.push(Step {
                t,
                at_risk,
                events: d,
                survival: s,
            });
        }
        i = j;
    }
    Curve {
        n,
        events,
        censored: n - events,
        steps,
    }
}

/// The median and p90 of the Kaplan–Meier curve of `obs` (sorted in place),
/// as `kaplan_meier(obs).median()` and `.p90()` give, without building the
/// curve: one unstable sort (equal pairs are interchangeable) and one walk
/// that stops once the curve is at or below 0.1. For the aggregates, which
/// read them for every group of every table.
pub fn median_p90(obs: &mut [(f64, bool)]) -> (Option<f64>, Option<f64>) {
    obs.sort_unstable_by(|a, b| a.0.total_cmp(&b.0).then(b.1.cmp(&a.1)));
    let (mut median, mut s, mut i) = (None, 1.0, 0);
    while i < obs.len() {
        let t = obs[i].0;
        let at_risk = (obs.len() - i) as f64;
        let mut d = 0u32;
        let mut j = i;
        while j < obs.len() && obs[j].0.total_cmp(&t).is_eq() {
            d += obs[j].1 as u32;
            j += 1;
        }
        if d > 0 {
            s *= 1.0 - d as f64 / at_risk;
            if median.is_none() && s <= 0.5 + TOLERANCE {
                median = Some(t);
            }
            if s <= 0.1 + TOLERANCE {
                return (median, Some(t));
            }
        }
        i = j;
    }
    (median, None)
}

impl Curve {
    /// The smallest time at which the share still waiting is `share` or less:
    /// `quantile_time(0.5)` is the median, `quantile_time(0.1)` the 90th
    /// percentile. None when the curve never gets that low (too many tasks
    /// censored before it does), or has no tasks.
    pub fn quantile_time(&self, share: f64) -> Option<f64> {
        self.steps
            .iter()
            .find(|s| s.survival <= share + TOLERANCE)
            .map(|s| s.t)
    }

    pub fn median(&self) -> Option<f64> {
        self.quantile_time(0.5)
    }

    pub fn p90(&self) -> Option<f64> {
        self.quantile_time(0.1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn km(v: &[(f64, bool)]) -> Curve {
        kaplan_meier(&mut v.to_vec())
    }

    /// `median_p90` reads what the curve reads, ties and censorings included.
    #[test]
    fn median_p90_is_the_curves() {
        let mut x: u32 = 7;
        for n in 0..60 {
            let v: Vec<(f64, bool)> = (0..n)
                .map(|_| {
                    x = x.wrapping_mul(1_103_515_245).wrapping_add(12_345);
                    (((x >> 8) % 12) as f64 * 5.0, (x >> 4) % 3 != 0)
                })
                .collect();
            let c = km(&v);
            assert_eq!(median_p90(&mut v.clone()), (c.median(), c.p90()), "{v:?}");
        }
    }

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn no_rows_is_an_empty_curve() {
        let c = km(&[]);
        assert_eq!(c, Curve::default());
        assert_eq!((c.median(), c.p90()), (None, None));
    }

    #[test]
    fn all_censored_never_falls() {
        let c = km(&[(5.0, false), (10.0, false), (10.0, false)]);
        assert_eq!((c.n, c.events, c.censored), (3, 0, 3));
        assert!(c.steps.is_empty());
        assert_eq!((c.median(), c.p90()), (None, None));
    }

    #[test]
    fn without_censoring_it_is_the_empirical_share() {
        // 10, 20, 40, 100: S = 3/4, 1/2, 1/4, 0. Median: S(20) = 0.5 → 20 (not the
        // interpolated 30); p90: S first ≤ 0.1 at 100.
        let c = km(&[(40.0, true), (10.0, true), (100.0, true), (20.0, true)]);
        let s: Vec<f64> = c.steps.iter().map(|s| s.survival).collect();
        assert_eq!(s, vec![0.75, 0.5, 0.25, 0.0]);
        assert_eq!(c.steps[1].at_risk, 3);
        assert_eq!((c.median(), c.p90()), (Some(20.0), Some(100.0)));
    }

    #[test]
    fn censoring_and_ties() {
        // Hand-computed: 1 (event), 2 (event, event, censored), 3 (censored),
        // 4 (event), 5 (censored). The task censored at 2 is still at risk at 2.
        //   t=1: at risk 7, 1 event  → S = 6/7
        //   t=2: at risk 6, 2 events → S = 6/7 × 4/6 = 4/7
        //   t=4: at risk 2, 1 event  → S = 4/7 × 1/2 = 2/7
        let c = km(&[
            (2.0, false),
            (1.0, true),
            (2.0, true),
            (4.0, true),
            (3.0, false),
            (2.0, true),
            (5.0, false),
        ]);
        assert_eq!((c.n, c.events, c.censored), (7, 4, 3));
        let got: Vec<(f64, u32, u32)> =
            c.steps.iter().map(|s| (s.t, s.at_risk, s.events)).collect();
        assert_eq!(got, vec![(1.0, 7, 1), (2.0, 6, 2), (4.0, 2, 1)]);
        assert!(close(c.steps[0].survival, 6.0 / 7.0));
        assert!(close(c.steps[1].survival, 4.0 / 7.0));
        assert!(close(c.steps[2].survival, 2.0 / 7.0));
        assert_eq!(c.median(), Some(4.0));
        assert_eq!(c.p90(), None);
    }

    #[test]
    fn the_worked_example_of_the_docs() {
        // docs/METRICS.md, "time-to-event": 30 (event), 60 (censored), 60 (event),
        // 90 (event), 120 (censored), 240 (censored).
        let c = km(&[
            (30.0, true),
            (60.0, false),
            (60.0, true),
            (90.0, true),
            (120.0, false),
            (240.0, false),
        ]);
        // t=30: 6 at risk → 5/6; t=60: 5 at risk, 1 event → 5/6 × 4/5 = 2/3;
        // t=90: 3 at risk → 2/3 × 2/3 = 4/9 ≈ 0.444.
        let got: Vec<(f64, u32, u32)> =
            c.steps.iter().map(|s| (s.t, s.at_risk, s.events)).collect();
        assert_eq!(got, vec![(30.0, 6, 1), (60.0, 5, 1), (90.0, 3, 1)]);
        assert!(close(c.steps[2].survival, 4.0 / 9.0));
        assert_eq!((c.median(), c.p90()), (Some(90.0), None));
    }

    #[test]
    fn a_curve_that_never_reaches_half() {
        // 1 event of 4, the rest censored later: S = 3/4 at most → no median.
        let c = km(&[(10.0, true), (20.0, false), (30.0, false), (40.0, false)]);
        assert_eq!(c.steps.len(), 1);
        assert!(close(c.steps[0].survival, 0.75));
        assert_eq!((c.median(), c.p90()), (None, None));
    }

    /// The curve as its definition reads, naively: at each distinct event
    /// time, those with a duration at or after it are at risk.
    fn naive(obs: &[(f64, bool)]) -> Vec<(f64, u32, u32)> {
        let mut times: Vec<f64> = obs.iter().filter(|o| o.1).map(|o| o.0).collect();
        times.sort_by(f64::total_cmp);
        times.dedup();
        times
            .into_iter()
            .map(|t| {
                let at_risk = obs.iter().filter(|o| o.0 >= t).count() as u32;
                let events = obs.iter().filter(|o| o.1 && o.0 == t).count() as u32;
                (t, at_risk, events)
            })
            .collect()
    }

    proptest::proptest! {
        #[test]
        fn equals_the_naive_curve(obs in proptest::collection::vec((0u8..20, proptest::bool::ANY), 0..40)) {
            // Few distinct times: many ties of events and censorings.
            let obs: Vec<(f64, bool)> = obs.into_iter().map(|(t, e)| (t as f64, e)).collect();
            let c = km(&obs);
            let got: Vec<(f64, u32, u32)> = c.steps.iter().map(|s| (s.t, s.at_risk, s.events)).collect();
            proptest::prop_assert_eq!(got, naive(&obs));
            let mut s = 1.0;
            for step in &c.steps {
                s *= 1.0 - step.events as f64 / step.at_risk as f64;
                proptest::prop_assert!(close(step.survival, s));
            }
            proptest::prop_assert_eq!(c.events + c.censored, obs.len() as u32);
        }

        #[test]
        fn without_censoring_the_median_is_the_lower_middle(ts in proptest::collection::vec(0u16..500, 1..40)) {
            let obs: Vec<(f64, bool)> = ts.iter().map(|&t| (t as f64, true)).collect();
            let mut sorted = ts.clone();
            sorted.sort_unstable();
            let n = sorted.len();
            // S(t) = share with a duration above t: at most 0.5 from the
            // ceil(n/2)-th smallest on, at most 0.1 from the ceil(0.9 n)-th.
            let c = km(&obs);
            proptest::prop_assert_eq!(c.median(), Some(sorted[n.div_ceil(2) - 1] as f64));
            proptest::prop_assert_eq!(c.p90(), Some(sorted[(9 * n).div_ceil(10) - 1] as f64));
        }
    }

    #[test]
    fn rounding_does_not_hide_a_half() {
        // 4 tasks: S = 3/4 then 3/4 × 2/3, which floats may round above 0.5.
        let c = km(&[(1.0, true), (2.0, true), (3.0, false), (4.0, false)]);
        assert_eq!(c.median(), Some(2.0));
    }
}
