//! The appointment book: the practice's regular schedule plus the visits the
//! follow-up work books, and what becomes of them. Cancellations and no-shows
//! feed recovery tasks back into the queue; kept visits sometimes need a
//! post-visit call.

use super::arrivals::poisson;
use super::calendar::{date_of, midnight, Ts, BUSINESS_DAY, DAY, HOUR, MINUTE};
use super::model::*;
use super::names;
use super::sim::{Appt, ApptStep, Ev, Sim};
use rand::Rng;

impl Sim {
    /// Visits already on the books for the exported days, booked weeks ahead by
    /// means the follow-up work does not see (front desk, portal, recall).
    pub(super) fn seed_schedule(&mut self) {
        let per_day = 10.0 * self.scale.of(Queue::FrontDesk);
        let mut day = self.start;
        while day < self.end {
            let spans: Vec<(Ts, Ts)> = self.cal.day(day).to_vec();
            let open: Ts = spans.iter().map(|(a, b)| b - a).sum();
            if open > 0 {
                let n = poisson(&mut self.rng, per_day * open as f64 / BUSINESS_DAY as f64);
                let mut starts: Vec<Ts> = (0..n).map(|_| self.random_slot(&spans)).collect();
                starts.sort_unstable();
                for start in starts {
                    let lead = self.rng.gen_range(2..45) * DAY;
                    let created =
                        midnight(date_of(start)) - lead + self.rng.gen_range(8 * HOUR..17 * HOUR);
                    let patient = self.random_patient();
                    let kind = match self.rng.gen_range(0..100) {
                        0..=59 => ApptType::FollowUp,
                        60..=84 => ApptType::Annual,
                        _ => ApptType::Procedure,
                    };
                    let provider = self.providers[self.rng.gen_range(0..self.providers.len())];
                    self.new_appt(patient, created, start, kind, None, provider);
                }
            }
            day += DAY;
        }
    }

    fn random_slot(&mut self, spans: &[(Ts, Ts)]) -> Ts {
        let total: Ts = spans.iter().map(|(a, b)| b - a).sum();
        let mut x = self.rng.gen_range(0..total.max(1));
        for &(a, b) in spans {
            if x < b - a {
                let t = a + x;
                return (t - t.rem_euclid(15 * MINUTE)).max(a);
            }
            x -= b - a;
        }
        spans.first().map_or(self.start, |s| s.0)
    }

    /// Book a visit for a reached patient; returns the appointment index.
    pub(super) fn book(&mut self, k: u32, at: Ts) -> u32 {
        let task = &self.tasks[k as usize].row;
        let (cat, patient) = (task.cat, task.patient);
        let (kind, lead) = match cat {
            Cat::NewPatient => (ApptType::NewPatient, 3..15),
            Cat::Referral if self.rng.gen_bool(0.5) => (ApptType::Procedure, 5..20),
            Cat::Referral => (ApptType::NewPatient, 5..20),
            Cat::CareGap => (ApptType::Annual, 3..20),
            Cat::CancellationRecovery | Cat::NoShowRecovery => (ApptType::FollowUp, 1..10),
            _ => (ApptType::FollowUp, 2..15),
        };
        let day = self.cal.add(at, self.rng.gen_range(lead) * BUSINESS_DAY);
        let spans: Vec<(Ts, Ts)> = self.cal.day(day).to_vec();
        let start = if spans.is_empty() {
            day
        } else {
            self.random_slot(&spans)
        };
        let provider = self.providers[self.rng.gen_range(0..self.providers.len())];
        let a = self.new_appt(patient, at, start, kind, Some(k), provider);
        self.touch_appt(a, at);
        a
    }

    /// Create an appointment and plan its life: confirmation, then kept,
    /// cancelled or missed. Steps before the exported window happen silently.
    fn new_appt(
        &mut self,
        patient: u32,
        created: Ts,
        start: Ts,
        kind: ApptType,
        task: Option<u32>,
        provider: u8,
    ) -> u32 {
        let a = self.appts.len() as u32;
        self.appts.push(Appt {
            row: ApptRow {
                period: 0,
                id: a,
                patient,
                created,
                start,
                status: ApptStatus::Scheduled,
                cancel_reason: None,
                provider,
                kind,
                task,
                updated: created,
            },
            dirty: false,
        });
        let no_show = if kind == ApptType::NewPatient {
            0.10
        } else {
            0.07
        };
        let r: f64 = self.rng.gen();
        let mut plan: Vec<(Ts, ApptStep)> = Vec::with_capacity(3);
        if task.is_none() {
            plan.push((created, ApptStep::Create));
        }
        let cancel_at = (r < 0.12).then(|| {
            let span = (start - created).max(HOUR);
            (created + (span as f64 * self.rng.gen_range(0.15..0.95)) as Ts).min(start - HOUR)
        });
        let confirm_at = start - DAY - self.rng.gen_range(0..6 * HOUR);
        if confirm_at > created + HOUR
            && !cancel_at.is_some_and(|c| c <= confirm_at)
            && self.rng.gen_bool(0.65)
        {
            plan.push((confirm_at, ApptStep::Confirm));
        }
        match cancel_at {
            Some(c) => plan.push((c.max(created + MINUTE), ApptStep::Cancel)),
            None if r < 0.12 + no_show => plan.push((start + 15 * MINUTE, ApptStep::NoShow)),
            None => plan.push((
                start + self.rng.gen_range(20 * MINUTE..50 * MINUTE),
                ApptStep::Complete,
            )),
        }
        for (t, step) in plan {
            if t < self.start {
                self.apply_step(a, step, t, false);
            } else {
                self.push(t, Ev::Appt { appt: a, step });
            }
        }
        a
    }

    pub(super) fn appt_event(&mut self, a: u32, step: ApptStep, t: Ts) {
        self.apply_step(a, step, t, true);
    }

    fn apply_step(&mut self, a: u32, step: ApptStep, t: Ts, visible: bool) {
        let row = &self.appts[a as usize].row;
        let (status, patient) = (row.status, row.patient);
        let live = matches!(status, ApptStatus::Scheduled | ApptStatus::Confirmed);
        let (next, follow_up, chance) = match step {
            ApptStep::Create => (status, None, 0.0),
            ApptStep::Confirm if status == ApptStatus::Scheduled => {
                (ApptStatus::Confirmed, None, 0.0)
            }
            ApptStep::Cancel if live => {
                (ApptStatus::Cancelled, Some(Cat::CancellationRecovery), 0.65)
            }
            ApptStep::NoShow if live => (ApptStatus::NoShow, Some(Cat::NoShowRecovery), 0.85),
            ApptStep::Complete if live => (ApptStatus::Completed, Some(Cat::PostVisit), 0.10),
            _ => return,
        };
        let mut barrier = None;
        if next == ApptStatus::Cancelled {
            let reason = names::CANCEL_REASONS[self.rng.gen_range(0..names::CANCEL_REASONS.len())];
            self.appts[a as usize].row.cancel_reason = Some(reason);
            barrier = (reason == "Transportation").then_some(Barrier::Transportation);
        }
        self.appts[a as usize].row.status = next;
        if !visible {
            self.appts[a as usize].row.updated = t;
            return;
        }
        self.touch_appt(a, t);
        if let Some(cat) = follow_up {
            if self.rng.gen_bool(chance) {
                let delay = match cat {
                    Cat::CancellationRecovery => self.rng.gen_range(2 * MINUTE..40 * MINUTE),
                    Cat::NoShowRecovery => self.rng.gen_range(15 * MINUTE..2 * HOUR),
                    _ => self.rng.gen_range(HOUR..5 * HOUR),
                };
                let ev = Ev::Task {
                    cat,
                    patient: Some(patient),
                    line: Queue::FrontDesk,
                    barrier,
                };
                self.push(t + delay, ev);
            }
        }
    }
}
