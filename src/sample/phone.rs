//! The phone line: inbound calls that someone picks up or that end in the
//! voicemail box, and the call-log leg of every outbound phone attempt.

use super::calendar::{Ts, MINUTE};
use super::model::*;
use super::outreach::Disposition;
use super::sim::{Caller, Ev, Sim};
use rand::Rng;

impl Sim {
    /// One inbound call (or, with `session`, the transferred leg of one).
    pub(super) fn inbound(
        &mut self,
        t: Ts,
        line: Queue,
        caller: Caller,
        about: Option<u32>,
        session: Option<u32>,
    ) {
        let from = match caller {
            Caller::Patient(p) => Number::Phone(self.patients[p as usize].phone),
            Caller::Stranger(n) => Number::Phone(n),
            Caller::Anonymous => Number::Anonymous,
        };
        let session = session.unwrap_or_else(|| self.new_session());
        if !self.cal.is_open(t) {
            // After hours and over lunch the line goes straight to the greeting.
            let (result, end) = if self.rng.gen_bool(0.7) {
                (CallResult::Voicemail, t + self.rng.gen_range(25..100))
            } else {
                (CallResult::Abandoned, t + self.rng.gen_range(6..20))
            };
            self.call_row(
                Direction::Inbound,
                session,
                t,
                None,
                end,
                result,
                from,
                None,
                line,
            );
            self.after_unanswered(end, result, caller, line);
            return;
        }
        // Whoever works this line and is on shift and not on a call picks up; a
        // ringing phone beats finishing notes, so paperwork waits for the call.
        let mut best: Option<(Ts, usize)> = None;
        for (s, st) in self.staff.iter().enumerate() {
            if st.answers[line as usize] && st.cal.is_open(t) {
                let free = st.call_end.max(t);
                if !best.is_some_and(|b| b.0 <= free) {
                    best = Some((free, s));
                }
            }
        }
        let patience = self.rng.gen_range(20..150);
        match best {
            Some((free, s)) if free - t <= patience => {
                let answer = if free > t {
                    free + self.rng.gen_range(2..6)
                } else {
                    t + self.rng.gen_range(4..16)
                };
                let talk = match line {
                    Queue::FrontDesk => self.rng.gen_range(60..360),
                    // Offices and payers: auth numbers, fax confirmations, hold music.
                    Queue::Referrals => self.rng.gen_range(180..540),
                    Queue::Clinical => self.rng.gen_range(180..480),
                };
                let end = answer + talk;
                let until = end + self.rng.gen_range(15..60);
                self.take_call(s, answer, until);
                let staff = Some(s as StaffIx);
                self.call_row(
                    Direction::Inbound,
                    session,
                    t,
                    Some(answer),
                    end,
                    CallResult::Connected,
                    from,
                    staff,
                    line,
                );
                if line == Queue::FrontDesk && self.rng.gen_bool(0.03) {
                    // Clinical questions get transferred to the nurse line: same session.
                    self.inbound(end, Queue::Clinical, caller, None, Some(session));
                    return;
                }
                let open_missed = match caller {
                    Caller::Patient(p) => self.patients[p as usize].open_missed,
                    _ => None,
                };
                let returning = about.filter(|&k| self.tasks[k as usize].row.closed.is_none());
                if let Some(k) = returning.or(open_missed) {
                    self.resolved_by_patient(k, s, end);
                }
            }
            _ => {
                let r: f64 = self.rng.gen();
                let (result, end) = if r < 0.5 {
                    (
                        CallResult::Voicemail,
                        t + patience + self.rng.gen_range(20..90),
                    )
                } else if r < 0.85 {
                    (CallResult::Abandoned, t + patience)
                } else {
                    (CallResult::Missed, t + patience)
                };
                self.call_row(
                    Direction::Inbound,
                    session,
                    t,
                    None,
                    end,
                    result,
                    from,
                    None,
                    line,
                );
                self.after_unanswered(end, result, caller, line);
            }
        }
    }

    /// A voicemail or a missed call from a known patient usually becomes a task,
    /// but not always; strangers and withheld numbers leave only the call log.
    /// Some patients simply try again later.
    fn after_unanswered(&mut self, end: Ts, result: CallResult, caller: Caller, line: Queue) {
        let Caller::Patient(p) = caller else { return };
        let logs = matches!(result, CallResult::Voicemail | CallResult::Missed)
            && self.patients[p as usize].open_missed.is_none()
            && self.rng.gen_bool(0.85);
        if logs {
            let at = if self.cal.is_open(end) {
                end + self.rng.gen_range(MINUTE..8 * MINUTE)
            } else {
                end + self.rng.gen_range(5..90)
            };
            self.push(
                at,
                Ev::Task {
                    cat: Cat::MissedCall,
                    patient: Some(p),
                    line,
                    barrier: None,
                },
            );
        }
        if self.rng.gen_bool(0.28) {
            let at = self.patient_retry_time(end);
            self.push(
                at,
                Ev::Call {
                    line,
                    caller,
                    about: None,
                },
            );
        }
    }

    /// When a patient tries the office again: later the same day, or next
    /// morning if the office has closed by then.
    pub(super) fn patient_retry_time(&mut self, after: Ts) -> Ts {
        let at = after + self.rng.gen_range(10 * MINUTE..150 * MINUTE);
        if self.cal.is_open(at) {
            at
        } else {
            self.cal.next_open(at) + self.rng.gen_range(0..90 * MINUTE)
        }
    }

    /// The patient got through: whoever answered settles the open task on the call.
    fn resolved_by_patient(&mut self, k: u32, s: usize, at: Ts) {
        let cat = self.tasks[k as usize].row.cat;
        let disp = if cat.books() && self.rng.gen_bool(0.6) {
            Disposition::Scheduled
        } else {
            Disposition::Helped
        };
        self.apply_reached(k, Some(s as StaffIx), at, disp, Channel::Phone, true);
    }

    /// The call-log leg of a phone attempt; returns when the call ended.
    pub(super) fn outbound_call(
        &mut self,
        s: usize,
        k: u32,
        start: Ts,
        result: CallResult,
        talk: Ts,
    ) -> Ts {
        let (answer, end) = match result {
            CallResult::Connected => {
                let a = start + self.rng.gen_range(6..20);
                (Some(a), a + talk)
            }
            CallResult::Voicemail => {
                let a = start + self.rng.gen_range(18..30);
                (Some(a), a + self.rng.gen_range(25..70))
            }
            CallResult::NoAnswer => (None, start + self.rng.gen_range(25..45)),
            _ => (None, start + self.rng.gen_range(3..8)),
        };
        let task = &self.tasks[k as usize].row;
        let (to, line) = (Number::Phone(task.phone), task.queue);
        self.staff[s].call_end = end;
        let session = self.new_session();
        self.call_row(
            Direction::Outbound,
            session,
            start,
            answer,
            end,
            result,
            to,
            Some(s as StaffIx),
            line,
        );
        end
    }

    fn new_session(&mut self) -> u32 {
        self.next_session += 1;
        self.next_session
    }

    /// `other` is the caller on inbound calls and the dialled number on outbound
    /// ones; the practice's main number is the other end.
    #[allow(clippy::too_many_arguments)]
    fn call_row(
        &mut self,
        direction: Direction,
        session: u32,
        start: Ts,
        answer: Option<Ts>,
        end: Ts,
        result: CallResult,
        other: Number,
        staff: Option<StaffIx>,
        queue: Queue,
    ) {
        if start >= self.end {
            return;
        }
        let main = Number::Phone(self.out.main_number);
        let (from, to) = match direction {
            Direction::Inbound => (other, main),
            Direction::Outbound => (main, other),
        };
        self.next_call += 1;
        self.out.calls.push(CallRow {
            period: self.period_of(start),
            id: self.next_call,
            session,
            direction,
            start,
            answer,
            end,
            result,
            from,
            to,
            staff,
            queue,
        });
    }
}
