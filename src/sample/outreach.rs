//! One person working one task: the attempt, what came of it, and what the
//! workflow does next.
//!
//! Each category has its own attempt rule (`AttemptRule`, from the config):
//! how many unanswered attempts before the task is closed as Unable To Reach,
//! how many business days apart, and how the last one is made; without one it
//! is three attempts a business day apart, the last by text. The people here
//! mostly follow their category's rule, and sometimes do not: a few tasks are
//! closed before the last allowed attempt, a few retries come sooner than the
//! gap allows, a few tasks get one attempt more than allowed. Those lapses are
//! what the attempt-discipline measures are meant to find.
//!
//! Only phone attempts ring anyone, so only they leave a call-log row; a text,
//! email, portal message or letter is recorded as `Sent`.

use super::calendar::{date_of, hour_of, midnight, Ts, BUSINESS_DAY, HOUR, MINUTE};
use super::model::*;
use super::names::{self, NoteContext};
use super::sim::{Ev, Sim, Stage};
use chrono::Datelike;
use rand::Rng;

/// What happened once the patient was reached.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Disposition {
    Scheduled,
    Helped,
    CallbackSet,
    Declined,
    Clinical,
    Insurance,
}

enum Attempt {
    Reached(Disposition),
    WrongNumber,
    Unreached(Outcome),
}

impl Sim {
    pub(super) fn work(&mut self, s: usize, k: u32, t0: Ts) {
        let task = &self.tasks[k as usize];
        // Opening the chart first; referral packets and faxed paperwork take reading.
        let prep = match task.work {
            Cat::Referral | Cat::InsuranceDocuments => self.rng.gen_range(150..420),
            Cat::ClinicalQuestion => self.rng.gen_range(60..180),
            _ => self.rng.gen_range(20..90),
        };
        let begin = self.staff[s].free_at.max(t0).max(task.row.updated);
        self.staff[s].began = begin;
        let start = begin + prep;
        match task.stage {
            Stage::Reply => self.process_reply(s, k, start),
            Stage::WrongNumber => self.fix_wrong_number(s, k, start),
            Stage::Outreach if task.unclear => self.clarify(s, k, start),
            _ => self.attempt(s, k, start),
        }
    }

    fn note(&mut self, outcome: Outcome, channel: Channel, ctx: &NoteContext) -> String {
        // About one note in five says nothing useful; booked visits get written up better.
        let sloppy = if outcome == Outcome::Scheduled {
            0.08
        } else {
            0.21
        };
        if self.rng.gen_bool(sloppy) {
            names::poor_note(&mut self.rng)
        } else {
            names::note(&mut self.rng, outcome, channel, ctx)
        }
    }

    fn context(&self, at: Ts) -> NoteContext {
        NoteContext {
            next_weekday: self
                .cal
                .next_business_date(at)
                .weekday()
                .num_days_from_monday() as usize,
            appt: None,
            callback: None,
            last_attempt: false,
            attempt: 0,
        }
    }

    /// How attempt `n` is made: the rule's last attempt by the rule's channel,
    /// the others by phone or sometimes by the patient's preferred channel. A
    /// call the patient is owed (asked for, or after an insurance review) is a
    /// call whatever the attempt.
    fn channel_for(&mut self, k: u32, n: u8) -> Channel {
        let rule = self.rule(k);
        let last = n == rule.max;
        let task = &self.tasks[k as usize];
        let p = &self.patients[task.row.patient as usize];
        if p.do_not_call {
            if last && rule.last != Channel::Phone {
                return rule.last;
            }
            return match p.channel {
                Pref::Email => Channel::Email,
                Pref::Portal => Channel::Portal,
                _ => Channel::Text,
            };
        }
        if task.call_owed {
            return Channel::Phone;
        }
        if last {
            return rule.last;
        }
        match (n, p.channel) {
            (1, Pref::Sms) if self.rng.gen_bool(0.4) => Channel::Text,
            (1, Pref::Email) if self.rng.gen_bool(0.3) => Channel::Email,
            (1, Pref::Portal) if self.rng.gen_bool(0.3) => Channel::Portal,
            _ => Channel::Phone,
        }
    }

    /// Reach depends on the attempt, the hour and whether the call falls in the
    /// patient's preferred window (and on a planted change in force then).
    fn reach_chance(&self, k: u32, n: u8, at: Ts) -> f64 {
        let task = &self.tasks[k as usize];
        let base: f64 = match task.stage {
            Stage::Callback => 0.72,
            Stage::AfterInsurance => 0.60,
            _ => [0.55, 0.45, 0.38, 0.35][(n.clamp(1, 4) - 1) as usize],
        };
        let h = hour_of(at);
        let by_hour = match h {
            0..=8 => 1.15,
            9..=10 => 1.0,
            11 => 0.95,
            12..=13 => 0.92,
            14..=15 => 0.85,
            _ => 1.12,
        };
        let window = match self.patients[task.row.patient as usize].window {
            Window::Morning if h < 12 => 1.2,
            Window::Afternoon if h >= 13 => 1.2,
            Window::Any => 1.0,
            Window::Evening => 0.8,
            _ => 0.85,
        };
        let chance = base * by_hour * window;
        // Only a planted change touches the product, so without one the draws
        // are the same to the last bit.
        match self.planted_reach(at) {
            Some(f) => (chance * f).min(0.9),
            None => chance.min(0.9),
        }
    }

    fn disposition(&mut self, k: u32, s: usize) -> Disposition {
        let task = &self.tasks[k as usize];
        let (cat, stage) = (task.row.cat, task.stage);
        let r: f64 = self.rng.gen();
        if task.work == Cat::ClinicalQuestion && self.staff[s].licensed {
            return match r {
                r if r < 0.60 => Disposition::Helped,
                r if r < 0.95 => Disposition::Scheduled,
                _ => Disposition::Declined,
            };
        }
        let clinical = match cat {
            Cat::PostVisit => 0.12,
            Cat::MissedCall => 0.07,
            _ => 0.04,
        };
        let insurance = match (stage, cat) {
            (Stage::AfterInsurance, _) => 0.0,
            (_, Cat::InsuranceDocuments) => 0.35,
            (_, Cat::Referral) => 0.18,
            (_, Cat::NewPatient) => 0.06,
            _ => 0.02,
        };
        let callback = if stage == Stage::Callback { 0.0 } else { 0.08 };
        let helped = match cat {
            Cat::PostVisit => 0.65,
            Cat::InsuranceDocuments => 0.45,
            Cat::MissedCall => 0.35,
            Cat::CareGap => 0.10,
            _ => 0.04,
        };
        let steps = [
            (clinical, Disposition::Clinical),
            (insurance, Disposition::Insurance),
            (callback, Disposition::CallbackSet),
            (0.07, Disposition::Declined),
            (helped, Disposition::Helped),
        ];
        let mut acc = 0.0;
        for (p, d) in steps {
            acc += p;
            if r < acc {
                return d;
            }
        }
        if cat.books() {
            Disposition::Scheduled
        } else {
            Disposition::Helped
        }
    }

    fn attempt(&mut self, s: usize, k: u32, start: Ts) {
        let n = self.tasks[k as usize].attempts + 1;
        let channel = self.channel_for(k, n);
        self.tasks[k as usize].call_owed = false;
        let (result, act_at) = if channel == Channel::Phone {
            let patient = &self.patients[self.tasks[k as usize].row.patient as usize];
            let result = if patient.bad_phone && self.rng.gen_bool(0.85) {
                Attempt::WrongNumber
            } else if self.rng.gen_bool(self.reach_chance(k, n, start)) {
                Attempt::Reached(self.disposition(k, s))
            } else {
                match self.rng.gen_range(0..100) {
                    0..=54 => Attempt::Unreached(Outcome::LeftMessage),
                    55..=91 => Attempt::Unreached(Outcome::NoAnswer),
                    _ => Attempt::Unreached(Outcome::Busy),
                }
            };
            let (call, talk) = match result {
                // Registering a new patient (demographics, insurance) is the longest call.
                Attempt::Reached(Disposition::Scheduled)
                    if self.tasks[k as usize].row.cat == Cat::NewPatient =>
                {
                    (CallResult::Connected, self.rng.gen_range(480..900))
                }
                Attempt::Reached(Disposition::Scheduled) => {
                    (CallResult::Connected, self.rng.gen_range(180..480))
                }
                Attempt::Reached(_) => (CallResult::Connected, self.rng.gen_range(90..360)),
                Attempt::WrongNumber => (CallResult::Connected, self.rng.gen_range(15..45)),
                Attempt::Unreached(Outcome::LeftMessage) => (CallResult::Voicemail, 0),
                Attempt::Unreached(Outcome::NoAnswer) => (CallResult::NoAnswer, 0),
                Attempt::Unreached(_) => (CallResult::Busy, 0),
            };
            let end = self.outbound_call(s, k, start, call, talk);
            (result, end + self.rng.gen_range(5..45))
        } else {
            (
                Attempt::Unreached(Outcome::Sent),
                start + self.rng.gen_range(20..90),
            )
        };
        let until = act_at + self.rng.gen_range(20..90);
        self.release(s, until);
        let task = &mut self.tasks[k as usize];
        task.attempts = n;
        task.first_attempt.get_or_insert(start);
        let by = Some(s as StaffIx);
        match result {
            Attempt::Reached(d) => self.apply_reached(k, by, act_at, d, channel, false),
            Attempt::WrongNumber => {
                let note = self.note(Outcome::WrongNumber, Channel::Phone, &self.context(act_at));
                self.activity(
                    k,
                    act_at,
                    channel,
                    false,
                    Outcome::WrongNumber,
                    by,
                    note,
                    None,
                );
                self.tasks[k as usize].row.barrier = Some(Barrier::WrongNumber);
                self.tasks[k as usize].stage = Stage::WrongNumber;
                self.set_status(k, Status::WrongNumber, act_at);
                let ready = self.cal.add(act_at, BUSINESS_DAY);
                self.schedule_ready(k, ready, self.cal.add(ready, BUSINESS_DAY));
            }
            Attempt::Unreached(outcome) => {
                let mut ctx = self.context(act_at);
                ctx.last_attempt = n >= self.rule(k).max;
                ctx.attempt = n;
                let note = self.note(outcome, channel, &ctx);
                self.activity(k, act_at, channel, false, outcome, by, note, None);
                let status = match outcome {
                    Outcome::NoAnswer | Outcome::Busy => Status::NoAnswer,
                    _ => Status::LeftMessage,
                };
                self.set_status(k, status, act_at);
                self.after_unreached(k, by, act_at, n, channel, outcome);
            }
        }
    }

    fn after_unreached(
        &mut self,
        k: u32,
        by: Option<StaffIx>,
        at: Ts,
        n: u8,
        channel: Channel,
        outcome: Outcome,
    ) {
        let rule = self.rule(k);
        let task = &self.tasks[k as usize];
        if task.give_up_after == n && n < rule.max {
            // Closed before the approved attempts were made.
            let when = at + self.rng.gen_range(MINUTE..10 * MINUTE);
            self.set_status(k, Status::UnableToReach, when);
            let note = if self.rng.gen_bool(0.5) {
                "unable to reach"
            } else {
                ""
            };
            self.status_change(k, when, by, note);
            return;
        }
        // The rule's last attempt closes the task, unless this one gets an extra try.
        let last = n > rule.max || (n >= rule.max && !task.extra_attempt);
        let gen = if last {
            let gen = task.gen;
            // A letter needs a few days to arrive before anyone can answer it.
            let wait = if channel == Channel::Letter {
                3 * BUSINESS_DAY
            } else {
                BUSINESS_DAY
            };
            let when = self.cal.add(at, wait);
            self.push(when, Ev::GiveUp { task: k, gen });
            gen
        } else {
            let ready = self.next_try(at, rule.gap_days);
            self.schedule_ready(k, ready, self.cal.add(ready, 3 * BUSINESS_DAY))
        };
        if outcome == Outcome::LeftMessage && channel == Channel::Phone && self.rng.gen_bool(0.15) {
            let when = self.patient_retry_time(at + 10 * MINUTE);
            let line = self.tasks[k as usize].row.queue;
            let caller = super::sim::Caller::Patient(self.tasks[k as usize].row.patient);
            self.push(
                when,
                Ev::Call {
                    line,
                    caller,
                    about: Some(k),
                },
            );
        }
        if outcome == Outcome::Sent && channel == Channel::Letter {
            // Nobody writes back; some call the number in the letter once it arrives.
            if self.rng.gen_bool(0.15) {
                let arrives = self
                    .cal
                    .add(at, self.rng.gen_range(BUSINESS_DAY..3 * BUSINESS_DAY));
                let when = self.patient_retry_time(arrives);
                let line = self.tasks[k as usize].row.queue;
                let caller = super::sim::Caller::Patient(self.tasks[k as usize].row.patient);
                self.push(
                    when,
                    Ev::Call {
                        line,
                        caller,
                        about: Some(k),
                    },
                );
            }
        } else if outcome == Outcome::Sent && self.rng.gen_bool(0.22) {
            self.tasks[k as usize].reply_channel = channel;
            let when = at + self.rng.gen_range(10 * MINUTE..6 * HOUR);
            self.push(when, Ev::Reply { task: k, gen });
        }
    }

    /// When an unanswered task is tried again: `gap` business days later, a
    /// little after the same time of day; when the rule allows the same day, a
    /// few business hours later; now and then the same day although it does not.
    fn next_try(&mut self, at: Ts, gap: u8) -> Ts {
        if gap == 0 {
            return self.cal.add(at, self.rng.gen_range(HOUR..4 * HOUR));
        }
        if self.rng.gen_bool(0.05) {
            // Tried again the same day, sooner than the rule allows.
            let t = at + self.rng.gen_range(45 * MINUTE..3 * HOUR);
            return if self.cal.is_open(t) {
                t
            } else {
                self.cal.next_open(t)
            };
        }
        let t = self.cal.add(
            at,
            gap as Ts * BUSINESS_DAY + self.rng.gen_range(0..90 * MINUTE),
        );
        // With more than eight open hours a day that could still be too soon:
        // never before the opening of the `gap`-th business day after this one.
        let mut day = at;
        for _ in 0..gap {
            day = midnight(self.cal.next_business_date(day));
        }
        t.max(self.cal.next_open(day))
    }

    /// The patient answered a text, email or portal message.
    pub(super) fn reply(&mut self, k: u32, at: Ts) {
        let task = &self.tasks[k as usize];
        let (channel, by) = (task.reply_channel, task.row.assigned);
        let note = match (channel, self.rng.gen_range(0..4)) {
            (_, 0) => "",
            (_, 1) => "pt replied, wants to schedule",
            (Channel::Text, _) => "pt texted back",
            (Channel::Email, _) => "pt replied by email",
            _ => "pt replied via portal",
        };
        self.activity(
            k,
            at,
            channel,
            true,
            Outcome::Reached,
            by,
            note.to_string(),
            None,
        );
        self.tasks[k as usize].stage = Stage::Reply;
        self.touch(k, at);
        self.schedule_ready(k, at, self.cal.add(at, HOUR));
    }

    fn process_reply(&mut self, s: usize, k: u32, start: Ts) {
        let at = start + self.rng.gen_range(60..240);
        let until = at + self.rng.gen_range(20..60);
        self.release(s, until);
        let cat = self.tasks[k as usize].row.cat;
        let d = match self.rng.gen_range(0..100) {
            0..=64 if cat.books() => Disposition::Scheduled,
            0..=79 => Disposition::Helped,
            80..=89 => Disposition::CallbackSet,
            _ => Disposition::Declined,
        };
        let channel = self.tasks[k as usize].reply_channel;
        self.apply_reached(k, Some(s as StaffIx), at, d, channel, false);
    }

    /// After a wrong number someone looks for another one; failing that, a letter.
    fn fix_wrong_number(&mut self, s: usize, k: u32, start: Ts) {
        let at = start + self.rng.gen_range(90..300);
        let until = at + self.rng.gen_range(20..60);
        self.release(s, until);
        let by = Some(s as StaffIx);
        let p = self.tasks[k as usize].row.patient;
        let (max, task) = (self.rule(k).max, &self.tasks[k as usize]);
        if task.attempts > max || (task.attempts == max && !task.extra_attempt) {
            // That was the rule's last attempt: nothing more to try.
            self.set_status(k, Status::UnableToReach, at);
            self.status_change(k, at, by, "wrong #, no other contact info, closing");
            return;
        }
        if self.rng.gen_bool(0.5) {
            let area = self.patients[p as usize].phone / 10_000_000;
            let phone = names::phone(&mut self.rng, area);
            let pt = &mut self.patients[p as usize];
            pt.phone = phone;
            pt.bad_phone = false;
            self.touch_patient(p, at);
            let task = &mut self.tasks[k as usize];
            task.row.phone = phone;
            task.stage = Stage::Outreach;
            self.status_change(k, at, by, "found new # in chart, updated demographics");
            self.set_status(k, Status::Open, at);
            self.schedule_ready(k, at + MINUTE, self.cal.add(at, 30 * MINUTE));
        } else {
            self.tasks[k as usize].attempts += 1;
            let note = "Letter mailed, no working phone".to_string();
            self.activity(k, at, Channel::Letter, false, Outcome::Sent, by, note, None);
            self.set_status(k, Status::UnableToReach, at);
        }
    }

    /// A referral with missing orders goes back to the referring office first.
    fn clarify(&mut self, s: usize, k: u32, start: Ts) {
        let at = start + self.rng.gen_range(120..360);
        let until = at + self.rng.gen_range(20..60);
        self.release(s, until);
        let task = &mut self.tasks[k as usize];
        task.unclear = false;
        task.row.barrier = Some(Barrier::Unclear);
        self.status_change(
            k,
            at,
            Some(s as StaffIx),
            "Referral missing dx/orders, faxed back to referring office",
        );
        self.touch(k, at);
        let ready = self.cal.add(at, self.rng.gen_range(1..=2) * BUSINESS_DAY);
        self.schedule_ready(k, ready, self.cal.add(ready, BUSINESS_DAY));
    }

    /// A closing status change after the final attempt went unanswered.
    pub(super) fn give_up(&mut self, k: u32, at: Ts) {
        let (by, n) = (
            self.tasks[k as usize].row.assigned,
            self.tasks[k as usize].attempts,
        );
        self.set_status(k, Status::UnableToReach, at);
        let note = match self.rng.gen_range(0..3) {
            0 if n == 1 => "1 attempt, unable to reach".to_string(),
            0 => format!("{n} attempts, unable to reach"),
            1 => String::new(),
            _ => "UTR, closing".to_string(),
        };
        self.status_change(k, at, by, &note);
    }

    pub(super) fn apply_reached(
        &mut self,
        k: u32,
        by: Option<StaffIx>,
        at: Ts,
        d: Disposition,
        channel: Channel,
        incoming: bool,
    ) {
        let mut ctx = self.context(at);
        match d {
            Disposition::Scheduled => {
                let a = self.book(k, at);
                let row = &self.appts[a as usize].row;
                let date = date_of(row.start);
                ctx.appt = Some((
                    date.month(),
                    date.day(),
                    names::PROVIDERS[row.provider as usize],
                ));
                self.tasks[k as usize].row.appointment = Some(a);
                self.set_status(k, Status::Scheduled, at);
                let note = self.note(Outcome::Scheduled, channel, &ctx);
                self.activity(k, at, channel, incoming, Outcome::Scheduled, by, note, None);
            }
            Disposition::Helped => {
                self.set_status(k, Status::Completed, at);
                let note = self.note(Outcome::Reached, channel, &ctx);
                self.activity(k, at, channel, incoming, Outcome::Reached, by, note, None);
            }
            Disposition::Declined => {
                if self.rng.gen_bool(0.3) {
                    self.tasks[k as usize].row.barrier = Some(Barrier::Transportation);
                }
                self.set_status(k, Status::Declined, at);
                let note = match self.tasks[k as usize].row.barrier {
                    Some(Barrier::Transportation) => {
                        "Declined - no ride, will call back when able".to_string()
                    }
                    _ => self.note(Outcome::Declined, channel, &ctx),
                };
                self.activity(k, at, channel, incoming, Outcome::Declined, by, note, None);
            }
            Disposition::CallbackSet => {
                let cb = self.callback_time(k, at);
                ctx.callback = Some((super::calendar::weekday_of(cb), hour_of(cb)));
                let task = &mut self.tasks[k as usize];
                task.row.callback = Some(cb);
                task.stage = Stage::Callback;
                task.call_owed = true;
                self.set_status(k, Status::CallbackSet, at);
                let note = self.note(Outcome::CallbackSet, channel, &ctx);
                self.activity(
                    k,
                    at,
                    channel,
                    incoming,
                    Outcome::CallbackSet,
                    by,
                    note,
                    Some(cb),
                );
                self.schedule_ready(k, cb - 2 * MINUTE, self.cal.add(cb, 15 * MINUTE));
            }
            Disposition::Clinical => {
                let nurse = (0..self.staff.len())
                    .find(|&s| self.staff[s].works[Cat::ClinicalQuestion as usize]);
                let task = &mut self.tasks[k as usize];
                task.work = Cat::ClinicalQuestion;
                task.stage = Stage::Outreach;
                task.row.queue = Queue::Clinical;
                task.row.barrier = Some(Barrier::Clinical);
                if let Some(n) = nurse {
                    task.row.assigned = Some(n as StaffIx);
                }
                self.set_status(k, Status::ClinicalReview, at);
                let note = self.note(Outcome::ClinicalReview, channel, &ctx);
                self.activity(
                    k,
                    at,
                    channel,
                    incoming,
                    Outcome::ClinicalReview,
                    by,
                    note,
                    None,
                );
                self.schedule_ready(k, at + MINUTE, self.cal.add(at, 4 * HOUR));
            }
            Disposition::Insurance => {
                let task = &mut self.tasks[k as usize];
                task.stage = Stage::AfterInsurance;
                task.call_owed = true;
                task.row.barrier = Some(Barrier::Insurance);
                self.set_status(k, Status::InsuranceReview, at);
                let note = self.note(Outcome::InsuranceReview, channel, &ctx);
                self.activity(
                    k,
                    at,
                    channel,
                    incoming,
                    Outcome::InsuranceReview,
                    by,
                    note,
                    None,
                );
                let ready = self.cal.add(at, self.rng.gen_range(1..=4) * BUSINESS_DAY);
                self.schedule_ready(k, ready, self.cal.add(ready, BUSINESS_DAY));
            }
        }
    }

    /// Later today if there is time, otherwise in the patient's window on the
    /// next business day; always inside opening hours.
    fn callback_time(&mut self, k: u32, at: Ts) -> Ts {
        let later = at + self.rng.gen_range(2..5) * HOUR;
        let quarter = |t: Ts| t - t.rem_euclid(15 * MINUTE);
        if self.rng.gen_bool(0.35) && self.cal.is_open(quarter(later)) {
            return quarter(later);
        }
        let day = midnight(self.cal.next_business_date(at));
        let window = self.patients[self.tasks[k as usize].row.patient as usize].window;
        let (lo, hi) = match window {
            Window::Morning => (9, 11),
            Window::Afternoon => (14, 16),
            Window::Evening => (16, 17),
            Window::Any => (9, 16),
        };
        let t = quarter(day + self.rng.gen_range(lo * HOUR..hi * HOUR));
        if self.cal.is_open(t) {
            t
        } else {
            self.cal.next_open(t)
        }
    }
}
