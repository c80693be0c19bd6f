//! The candidate causes of a slipping span, each measured in the span and in
//! its baseline, and the rule that names those that explain the fall
//! (docs/METRICS.md, "bottleneck findings").

use crate::model::spans::Spans;
use std::fmt;

/// What is measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Share of the lane owners' rostered time spent answering inbound calls.
    InboundLoad,
    /// Attempts an hour the lane's owners make on other categories, per rostered owner-hour.
    CompetingWork,
    /// Lane owners rostered, on average, per business hour.
    RosterGap,
    /// Share of the category's requests arriving unowned or in another lane.
    Unrouted,
    /// Requests of the lane's categories arriving per business hour.
    Arrivals,
}

/// One candidate cause: its value in the span, in the baseline, how many times
/// worse the span is, and whether the rule names it.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Measure {
    pub kind: Kind,
    pub span: f64,
    pub baseline: f64,
    /// span ÷ baseline (baseline ÷ span for the roster); infinite when the
    /// denominator is 0 and the numerator is not.
    pub ratio: f64,
    pub named: bool,
    /// For inbound load: the owner with the largest share in the span, with it
    /// and their baseline.
    pub most: Option<(String, f64, f64)>,
}

/// How many times worse a cause must be in the span than in its baseline to be named.
pub const MIN_RATIO: f64 = 1.5;

impl Kind {
    /// The smallest difference (span − baseline; baseline − span for the
    /// roster) that names a cause, in its unit.
    pub fn min_difference(self) -> f64 {
        match self {
            Kind::InboundLoad | Kind::Unrouted => 0.10,
            Kind::CompetingWork => 0.5,
            Kind::RosterGap => 0.5,
            Kind::Arrivals => 1.0,
        }
    }

    /// The differences are worse upward, except for the roster (fewer people).
    fn worse_up(self) -> bool {
        self != Kind::RosterGap
    }
}

fn ratio(num: f64, den: f64) -> f64 {
    if den > 0.0 {
        num / den
    } else if num > 0.0 {
        f64::INFINITY
    } else {
        1.0
    }
}

impl Measure {
    pub fn new(kind: Kind, span: f64, baseline: f64) -> Measure {
        let (r, diff) = if kind.worse_up() {
            (ratio(span, baseline), span - baseline)
        } else {
            (ratio(baseline, span), baseline - span)
        };
        Measure {
            kind,
            span,
            baseline,
            ratio: r,
            named: r >= MIN_RATIO && diff >= kind.min_difference() - 1e-12,
            most: None,
        }
    }
}

/// The named causes first, worst ratio first (ties in `Kind` order), then the rest in `Kind` order.
pub fn order(measures: &mut [Measure]) {
    measures.sort_by(|a, b| {
        b.named
            .cmp(&a.named)
            .then_with(|| {
                if a.named {
                    b.ratio.total_cmp(&a.ratio)
                } else {
                    std::cmp::Ordering::Equal
                }
            })
            .then(a.kind.cmp(&b.kind))
    });
}

/// A measure worded for the finding's sentence, its lane and baseline named.
pub struct Worded<'a> {
    pub m: &'a Measure,
    pub lane: &'a str,
    pub baseline: &'a str,
}

fn pct(v: f64) -> String {
    format!("{:.0}%", v * 100.0)
}

impl fmt::Display for Worded<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (m, lane, base) = (self.m, self.lane, self.baseline);
        match m.kind {
            Kind::InboundLoad => {
                write!(
                    f,
                    "inbound calls take {} of the {lane} owners' rostered time then (vs {} {base})",
                    pct(m.span),
                    pct(m.baseline)
                )?;
                if let Some((who, s, b)) = &m.most {
                    write!(f, "; most: {who}, {} (vs {})", pct(*s), pct(*b))?;
                }
                Ok(())
            }
            Kind::CompetingWork => write!(
                f,
                "the {lane} owners make {:.1} attempts an hour on other categories then (vs {:.1} {base})",
                m.span, m.baseline
            ),
            Kind::RosterGap => write!(
                f,
                "{:.1} {lane} owners rostered then (vs {:.1} {base})",
                m.span, m.baseline
            ),
            Kind::Unrouted => write!(
                f,
                "{} of its requests arrive unowned or outside the {lane} lane then (vs {} {base})",
                pct(m.span),
                pct(m.baseline)
            ),
            Kind::Arrivals => write!(
                f,
                "{:.1} {lane} requests arrive an hour then (vs {:.1} {base})",
                m.span, m.baseline
            ),
        }
    }
}

/// Open time of `spans` inside the windows `w` (sorted, disjoint).
pub fn overlap(spans: &Spans, w: &Spans) -> i64 {
    w.spans().iter().map(|&(a, b)| spans.between(a, b)).sum()
}

/// Whether instant `t` lies in the windows.
pub fn inside(w: &Spans, t: i64) -> bool {
    w.between(t, t + 1) == 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cause_is_named_at_half_again_its_baseline_and_a_real_difference() {
        // 70% of rostered time on calls vs 25%: 2.8 times, 45 points.
        let m = Measure::new(Kind::InboundLoad, 0.70, 0.25);
        assert!(m.named && (m.ratio - 2.8).abs() < 1e-12);
        // Twice as much, but 2% vs 1%: too small to explain a fall.
        assert!(!Measure::new(Kind::InboundLoad, 0.02, 0.01).named);
        // 1.4 times: not named.
        assert!(!Measure::new(Kind::Arrivals, 14.0, 10.0).named);
        // The roster is worse downward: 1.2 people vs 2.25 usually.
        let r = Measure::new(Kind::RosterGap, 1.2, 2.25);
        assert!(r.named && (r.ratio - 1.875).abs() < 1e-12);
        assert!(!Measure::new(Kind::RosterGap, 2.25, 1.2).named);
        // Nobody rostered at all.
        assert_eq!(Measure::new(Kind::RosterGap, 0.0, 2.0).ratio, f64::INFINITY);
        // Unowned requests only in the span.
        assert!(Measure::new(Kind::Unrouted, 0.3, 0.0).named);
    }

    #[test]
    fn named_causes_come_first_worst_first() {
        let mut v = vec![
            Measure::new(Kind::InboundLoad, 0.5, 0.3),
            Measure::new(Kind::CompetingWork, 3.0, 1.0),
            Measure::new(Kind::RosterGap, 1.0, 2.0),
            Measure::new(Kind::Arrivals, 4.0, 4.0),
        ];
        order(&mut v);
        let kinds: Vec<Kind> = v.iter().map(|m| m.kind).collect();
        assert_eq!(
            kinds,
            [
                Kind::CompetingWork,
                Kind::RosterGap,
                Kind::InboundLoad,
                Kind::Arrivals
            ]
        );
        let w = Worded {
            m: &v[0],
            lane: "referrals",
            baseline: "at other hours",
        };
        assert_eq!(
            w.to_string(),
            "the referrals owners make 3.0 attempts an hour on other categories then (vs 1.0 at other hours)"
        );
    }

    #[test]
    fn windows_count_open_time_and_instants() {
        let open = Spans::merged(vec![(0, 100), (200, 300)]);
        let w = Spans::merged(vec![(50, 250)]);
        assert_eq!(overlap(&open, &w), 100);
        assert!(inside(&w, 50) && inside(&w, 249) && !inside(&w, 250));
    }
}
