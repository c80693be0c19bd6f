//! When work arrives: hourly shapes per category and for the phone lines.
//!
//! The numbers are expected arrivals per hour on an ordinary Wednesday for the
//! reference roster (three front-desk people, one until 14:00; a referral
//! coordinator in the mornings, with a front-desk person covering referrals in
//! the afternoon; one nurse). They are scaled by each lane's staff hours, so a
//! bigger practice gets more work rather than an idle team.
//!
//! The shapes are what make the afternoon hard. Patients who could not get
//! through over the lunch closure call and fill in web forms after lunch,
//! referral and insurance faxes land in the same block, and referring offices
//! and payers return calls then, which ties up the one afternoon person who can
//! take the referral line. With the morning-only people gone, new-patient
//! callbacks that are met within 30 minutes most mornings slip after 14:00.
//! The balance is deliberate and was tuned against the simulation (see the
//! reports in `diagnostics.rs`, and the `new_patient_callbacks_slip_after_two`
//! test that holds it): more afternoon volume and the queue carries over into
//! the next morning; less and the slip disappears.

use super::calendar::{Ts, HOUR};
use super::model::{Cat, Queue};
use rand::Rng;

type Shape = [f64; 24];

const NEW_PATIENT: Shape = [
    0.05, 0.03, 0.02, 0.02, 0.03, 0.05, 0.1, 0.25, 0.7, 1.25, 1.45, 1.1, 1.8, 2.5, 4.6, 3.0, 0.8,
    0.4, 0.5, 0.5, 0.5, 0.4, 0.3, 0.1,
];
const INCOMPLETE: Shape = [
    0.01, 0.01, 0.0, 0.0, 0.0, 0.01, 0.03, 0.09, 0.18, 0.24, 0.24, 0.21, 0.21, 0.24, 0.24, 0.21,
    0.21, 0.18, 0.21, 0.27, 0.3, 0.27, 0.18, 0.06,
];
const REFERRAL: Shape = [
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.05, 0.3, 0.55, 0.55, 0.5, 0.85, 3.15, 3.4, 1.95, 0.85,
    0.3, 0.1, 0.05, 0.0, 0.0, 0.0, 0.0,
];
const INSURANCE: Shape = [
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.2, 0.3, 0.3, 0.3, 0.5, 2.05, 2.3, 1.45, 0.75, 0.25,
    0.05, 0.0, 0.0, 0.0, 0.0, 0.0,
];
const CLINICAL: Shape = [
    0.03, 0.02, 0.0, 0.0, 0.0, 0.02, 0.08, 0.25, 0.70, 0.70, 0.65, 0.60, 0.40, 0.60, 0.60, 0.55,
    0.50, 0.35, 0.30, 0.30, 0.30, 0.25, 0.15, 0.05,
];
const CALLS: Shape = [
    0.07, 0.04, 0.03, 0.03, 0.04, 0.07, 0.2, 0.7, 5.2, 6.2, 5.9, 4.8, 9.0, 14.0, 21.0, 14.0, 6.0,
    1.5, 1.0, 0.6, 0.5, 0.4, 0.3, 0.2,
];

/// The referral line: referring offices and payers return calls after lunch,
/// when only the afternoon referral person is left to pick up.
const REFERRAL_CALLS: Shape = [
    0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1, 1.0, 1.4, 1.4, 1.2, 1.2, 5.0, 8.0, 7.0, 3.0, 0.5, 0.1,
    0.0, 0.0, 0.0, 0.0, 0.0,
];

/// Mondays carry the weekend's backlog of patients who waited to call.
const WEEKDAY: [f64; 7] = [1.20, 1.05, 1.0, 0.97, 0.90, 0.0, 0.0];

/// Share of the weekday volume that still arrives on a weekend or holiday:
/// web forms and portal messages keep coming, faxes mostly stop.
fn closed_day_share(cat: Option<Cat>) -> f64 {
    match cat {
        Some(Cat::NewPatient) => 0.35,
        Some(Cat::IncompleteScheduling) => 0.45,
        Some(Cat::ClinicalQuestion) => 0.30,
        Some(Cat::Referral) | Some(Cat::InsuranceDocuments) => 0.06,
        _ => 0.18,
    }
}

/// Categories that arrive on their own; the rest come out of the phone line
/// (missed calls), the appointment book (cancellations, no-shows, post-visit)
/// or the weekly population-health list (care gaps).
const INDEPENDENT: [(Cat, &Shape); 5] = [
    (Cat::NewPatient, &NEW_PATIENT),
    (Cat::IncompleteScheduling, &INCOMPLETE),
    (Cat::Referral, &REFERRAL),
    (Cat::InsuranceDocuments, &INSURANCE),
    (Cat::ClinicalQuestion, &CLINICAL),
];

/// e^-x for x >= 0 from plain arithmetic: the platform's `exp` may differ in
/// the last bit between systems, and the files must not.
fn exp_neg(x: f64) -> f64 {
    let y = x / 65_536.0;
    let mut r = 1.0 - y * (1.0 - y / 2.0 * (1.0 - y / 3.0 * (1.0 - y / 4.0)));
    for _ in 0..16 {
        r *= r;
    }
    r
}

pub(super) fn poisson(rng: &mut impl Rng, lambda: f64) -> u32 {
    if lambda <= 0.0 {
        return 0;
    }
    if lambda > 20.0 {
        // Sums of Poisson counts are Poisson; halving keeps Knuth's method exact.
        return poisson(rng, lambda / 2.0) + poisson(rng, lambda / 2.0);
    }
    let limit = exp_neg(lambda);
    let mut k = 0;
    let mut p: f64 = rng.gen();
    while p > limit {
        k += 1;
        p *= rng.gen::<f64>();
    }
    k
}

/// Volume multipliers by lane, from the roster.

#[derive(Clone, Copy, Debug)]
pub(super) struct Scale {
    pub(super) lane: [f64; 3],
}

impl Scale {
    pub(super) fn of(&self, q: Queue) -> f64 {
        self.lane[q as usize]
    }
}

fn day_factor(weekday: usize, open: bool, cat: Option<Cat>) -> f64 {
    if open {
        WEEKDAY[weekday].max(0.6)
    } else if weekday < 5 {
        // A weekday holiday: the outside world still works.
        0.3 * WEEKDAY[weekday] + 0.7 * closed_day_share(cat)
    } else {
        closed_day_share(cat)
    }
}

/// Independently arriving tasks of one day, in time order.
pub(super) fn tasks(
    rng: &mut impl Rng,
    day: Ts,
    weekday: usize,
    open: bool,
    scale: &Scale,
) -> Vec<(Ts, Cat)> {
    let mut out = Vec::new();
    for (cat, shape) in INDEPENDENT {
        let f = day_factor(weekday, open, Some(cat)) * scale.of(cat.queue());
        for (h, rate) in shape.iter().enumerate() {
            for _ in 0..poisson(rng, rate * f) {
                out.push((day + h as Ts * HOUR + rng.gen_range(0..HOUR), cat));
            }
        }
    }
    out.sort_by_key(|&(t, c)| (t, c));
    out
}

/// Inbound calls of one day, in time order, with the line they dialled and
/// whether the call is one of a planted surge's extra calls.
pub(super) fn calls(
    rng: &mut impl Rng,
    day: Ts,
    weekday: usize,
    open: bool,
    scale: &Scale,
    front_desk_surge: &[f64; 24],
) -> Vec<(Ts, Queue, bool)> {
    let f = day_factor(weekday, open, None);
    let mut out = Vec::new();
    for h in 0..24 {
        let surge = front_desk_surge[h];
        let rates = [
            CALLS[h] * 0.88 * surge.min(1.0),
            REFERRAL_CALLS[h],
            CALLS[h] * 0.10,
        ];
        for q in [Queue::FrontDesk, Queue::Referrals, Queue::Clinical] {
            for _ in 0..poisson(rng, rates[q as usize] * f * scale.of(q)) {
                out.push((day + h as Ts * HOUR + rng.gen_range(0..HOUR), q, false));
            }
        }
        // A surge's extra calls are drawn after the usual ones: without a
        // surge the draws are those of a version without surges.
        if surge > 1.0 {
            let q = Queue::FrontDesk;
            for _ in 0..poisson(rng, CALLS[h] * 0.88 * (surge - 1.0) * f * scale.of(q)) {
                out.push((day + h as Ts * HOUR + rng.gen_range(0..HOUR), q, true));
            }
        }
    }
    out.sort_by_key(|&(t, q, _)| (t, q as u8));
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn exp_neg_is_accurate() {
        for x in [0.0, 0.01, 0.5, 1.0, 3.0, 7.5, 20.0] {
            let (ours, libm) = (super::exp_neg(x), (-x as f64).exp());
            assert!((ours - libm).abs() <= 1e-9 * libm, "{x}: {ours} vs {libm}");
        }
    }
}
