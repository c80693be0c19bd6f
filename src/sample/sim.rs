//! The practice as a discrete-event simulation.
//!
//! Time advances a minute at a time over each day; events (arrivals, calls,
//! replies, appointment changes) fire at their exact second, and while the
//! practice is open every free person on shift takes the task with the earliest
//! deadline among the categories they work. Nobody can be in two places: an
//! answered call or an attempt keeps that person busy, which is what backs the
//! queue up when the afternoon gets crowded.

use super::arrivals::{self, poisson, Scale};
use super::calendar::{self, midnight, weekday_of, Calendar, Ts, DAY, HOUR, MINUTE};
use super::model::*;
use super::names;
pub(super) use super::tasks::{Patient, Stage, Task};
use super::{PracticeSim, SampleOptions};
use rand::Rng;
use rand_chacha::ChaCha8Rng;
use std::cmp::Ordering;
use std::collections::{BTreeSet, BinaryHeap};

pub(super) struct Appt {
    pub(super) row: ApptRow,
    pub(super) dirty: bool,
}

pub(super) struct Staff {
    pub(super) cal: Calendar,
    pub(super) works: [bool; 10],
    pub(super) answers: [bool; 3],
    pub(super) licensed: bool,
    pub(super) free_at: Ts,
    /// End of this person's latest call; between calls they can pick up the phone.
    pub(super) call_end: Ts,
    /// When the current piece of work began, and busy seconds by hour of day
    /// (kept for tuning the arrival shapes against capacity).
    pub(super) began: Ts,
    pub(super) busy: [Ts; 24],
    /// The queue version at which this person last found nothing to do.
    idle_at_version: u64,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Caller {
    Patient(u32),
    Stranger(u64),
    Anonymous,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum ApptStep {
    Create,
    Confirm,
    Cancel,
    NoShow,
    Complete,
}

#[derive(Clone, Copy, Debug)]
pub(super) enum Ev {
    /// A new task lands in the queue (a web form, a fax, a voicemail logged).
    Task {
        cat: Cat,
        patient: Option<u32>,
        line: Queue,
        barrier: Option<Barrier>,
    },
    /// An inbound call; `about` is the open task the caller is returning.
    Call {
        line: Queue,
        caller: Caller,
        about: Option<u32>,
    },
    /// A task becomes workable again (retry day, callback time, review done).
    Ready {
        task: u32,
        gen: u32,
        deadline: Ts,
    },
    /// The patient answers a text, email or portal message.
    Reply {
        task: u32,
        gen: u32,
    },
    /// The final attempt went unanswered long enough to close the task.
    GiveUp {
        task: u32,
        gen: u32,
    },
    /// The task turns out to duplicate another one.
    Duplicate {
        task: u32,
    },
    /// A patient still waiting for the first call gets impatient.
    Nudge {
        task: u32,
    },
    Appt {
        appt: u32,
        step: ApptStep,
    },
    PatientUpdate {
        patient: u32,
    },
}

struct Entry {
    t: Ts,
    seq: u64,
    ev: Ev,
}

impl PartialEq for Entry {
    fn eq(&self, o: &Self) -> bool {
        (self.t, self.seq) == (o.t, o.seq)
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl Ord for Entry {
    // BinaryHeap is a max-heap; the earliest event must come out first.
    fn cmp(&self, o: &Self) -> Ordering {
        (o.t, o.seq).cmp(&(self.t, self.seq))
    }
}

pub(super) struct Sim {
    pub(super) rng: ChaCha8Rng,
    pub(super) cal: Calendar,
    pub(super) staff: Vec<Staff>,
    pub(super) scale: Scale,
    /// Where the simulation starts: `written` less the lead-in.
    pub(super) start: Ts,
    pub(super) end: Ts,
    /// Midnight of the first written day (`opts.start`); periods count from here.
    pub(super) written: Ts,
    /// Days simulated before `written` and not written (`opts.lead_in_days`).
    lead_in: u32,
    period_days: i64,
    periods: u32,
    pub(super) period: u32,
    heap: BinaryHeap<Entry>,
    seq: u64,
    /// Workable tasks per lane, by (deadline, task, generation).
    pub(super) ready: Vec<BTreeSet<(Ts, u32, u32)>>,
    ready_version: u64,
    pub(super) tasks: Vec<Task>,
    pub(super) dirty_tasks: Vec<u32>,
    pub(super) patients: Vec<Patient>,
    /// The patients still with the practice (indices into `patients`): random
    /// calls, visits and updates come from them. Once the existing patients are
    /// seeded, each new patient replaces a random one (who moves away), so the
    /// practice's size, and how often each patient calls, stay the same.
    pub(super) active: Vec<u32>,
    /// The practice's size (0 while seeding: nobody leaves yet).
    pub(super) panel: usize,
    pub(super) dirty_patients: Vec<u32>,
    pub(super) appts: Vec<Appt>,
    pub(super) dirty_appts: Vec<u32>,
    pub(super) out: SimOutput,
    pub(super) area: u64,
    pub(super) providers: Vec<u8>,
    pub(super) next_call: u32,
    pub(super) next_session: u32,
    pub(super) next_activity: u32,
    /// Attempt rules by category (the task's own category, not the lane working it).
    pub(super) rules: [Rule; 10],
    /// Wall-clock spans skipped by the spring daylight-saving change.
    gaps: Vec<(Ts, Ts)>,
    /// A planted change: in force from the first instant until the second
    /// (exclusive), with its reach factor.
    plant: Option<(Ts, Ts, f64)>,
    /// The front-desk line's call rate multipliers by weekday (0 = Monday) and hour.
    surge: [[f64; 24]; 7],
    /// Planted routings: by weekday (0 = Monday) and hour, the queue each
    /// category's new tasks land in instead of their own.
    pub(super) routes: [[[Option<Queue>; 10]; 24]; 7],
}

/// Reference weekly staff hours per lane (front desk, referrals, clinical) that
/// the arrival shapes were tuned for.
const REFERENCE_HOURS: [f64; 3] = [105.0, 60.0, 40.0];

pub(super) fn period_days(opts: &SampleOptions) -> u32 {
    match opts.file_per {
        super::FilePeriod::Day => 1,
        super::FilePeriod::Week => 7,
    }
}

impl Sim {
    pub(super) fn new(practice: &PracticeSim, opts: &SampleOptions, rng: ChaCha8Rng) -> Self {
        // Deadlines and booked appointments reach past the last exported day.
        // With a lead-in the simulation starts that many days before `start`.
        let sim_start = opts.start - chrono::Duration::days(opts.lead_in_days as i64);
        let horizon = (opts.lead_in_days + opts.days) as usize + 120;
        let cal = Calendar::practice(&practice.hours, &practice.holidays, sim_start, horizon);
        let mut lane_hours = [0.0f64; 3];
        let staff: Vec<Staff> = practice
            .staff
            .iter()
            .map(|s| {
                let mut works = [false; 10];
                for c in s.categories.iter().filter_map(|c| Cat::from_key(c)) {
                    // Clinical questions are never given to unlicensed staff.
                    works[c as usize] = c != Cat::ClinicalQuestion || s.licensed;
                }
                let weekly =
                    calendar::weekly_overlap(&practice.hours, &s.hours) as f64 / HOUR as f64;
                for q in [Queue::FrontDesk, Queue::Referrals, Queue::Clinical] {
                    if Cat::ALL
                        .iter()
                        .any(|&c| works[c as usize] && c.queue() == q)
                    {
                        lane_hours[q as usize] += weekly;
                    }
                }
                Staff {
                    cal: Calendar::staff(
                        &practice.hours,
                        &s.hours,
                        &practice.holidays,
                        sim_start,
                        horizon,
                    ),
                    answers: [
                        works[Cat::MissedCall as usize] || works[Cat::NewPatient as usize],
                        works[Cat::Referral as usize],
                        works[Cat::ClinicalQuestion as usize],
                    ],
                    works,
                    licensed: s.licensed,
                    free_at: Ts::MIN,
                    call_end: Ts::MIN,
                    began: 0,
                    busy: [0; 24],
                    idle_at_version: u64::MAX,
                }
            })
            .collect();
        let mut rng = rng;
        let mut scale = Scale { lane: [1.0; 3] };
        for (i, l) in scale.lane.iter_mut().enumerate() {
            *l = (lane_hours[i] / REFERENCE_HOURS[i]).clamp(0.25, 25.0) * rng.gen_range(0.95..1.05);
            *l *= opts.load.volume;
        }
        let mut surge = [[1.0; 24]; 7];
        for s in &opts.load.call_surges {
            for &d in s.weekdays.iter().filter(|&&d| d < 7) {
                for h in s.from_hour..s.to_hour.min(24) {
                    surge[d][h as usize] *= s.factor;
                }
            }
        }
        let mut routes = [[[None; 10]; 24]; 7];
        for r in &opts.load.routes {
            let (Some(c), Some(q)) = (Cat::from_key(&r.category), Queue::from_key(&r.lane)) else {
                continue;
            };
            for &d in r.weekdays.iter().filter(|&&d| d < 7) {
                for h in r.from_hour..r.to_hour.min(24) {
                    routes[d][h as usize][c as usize] = Some(q);
                }
            }
        }
        let start = midnight(sim_start);
        let pd = period_days(opts) as i64;
        let mut providers: Vec<u8> = (0..names::PROVIDERS.len() as u8).collect();
        for i in (1..providers.len()).rev() {
            providers.swap(i, rng.gen_range(0..=i));
        }
        providers.truncate(3);
        let area = names::AREA_CODES[rng.gen_range(0..names::AREA_CODES.len())];
        let mut out = SimOutput {
            mrn_base: rng.gen_range(10..90) * 10_000,
            ..Default::default()
        };
        out.main_number = area * 10_000_000 + 2_000_000 + rng.gen_range(0..100) * 100;
        let mut rules = [Rule::DEFAULT; 10];
        for (key, rule) in &practice.rules {
            if let Some(c) = Cat::from_key(key) {
                rules[c as usize] = Rule::from(rule);
            }
        }
        Sim {
            rng,
            cal,
            staff,
            scale,
            start,
            end: start + (opts.lead_in_days + opts.days) as Ts * DAY,
            written: midnight(opts.start),
            lead_in: opts.lead_in_days,
            period_days: pd,
            periods: (opts.days as i64 + pd - 1).div_euclid(pd).max(1) as u32,
            period: 0,
            heap: BinaryHeap::new(),
            seq: 0,
            ready: (0..10).map(|_| BTreeSet::new()).collect(),
            ready_version: 0,
            tasks: Vec::new(),
            dirty_tasks: Vec::new(),
            patients: Vec::new(),
            active: Vec::new(),
            panel: 0,
            dirty_patients: Vec::new(),
            appts: Vec::new(),
            dirty_appts: Vec::new(),
            out,
            area,
            providers,
            next_call: 0,
            next_session: 0,
            next_activity: 0,
            rules,
            gaps: calendar::dst_gaps(practice.tz, sim_start, horizon),
            plant: opts.plant.map(|p| {
                let until = p.until.map_or(Ts::MAX, |u| midnight(u) + DAY);
                (midnight(p.from), until, p.reach)
            }),
            surge,
            routes,
        }
    }

    pub(super) fn lead_in_days(&self) -> u32 {
        self.lead_in
    }

    /// The planted reach factor in force at `t`, if any.
    pub(super) fn planted_reach(&self, t: Ts) -> Option<f64> {
        self.plant
            .and_then(|(from, until, reach)| (from <= t && t < until).then_some(reach))
    }

    /// Simulate the lead-in and then `days` written days.
    pub(super) fn run(mut self, days: u32) -> SimOutput {
        self.seed_patients();
        self.seed_schedule();
        let lead = self.lead_in as Ts;
        for d in 0..lead + days as Ts {
            let day = self.start + d * DAY;
            if lead > 0 && d == lead {
                self.begin_written();
            }
            let period = ((d - lead).max(0) / self.period_days) as u32;
            if period != self.period {
                self.flush();
                self.period = period;
            }
            self.plan_day(day);
            if self.cal.is_business_day(day) {
                self.clean_up(self.cal.next_open(day));
            }
            let spans: Vec<(Ts, Ts)> = self.cal.day(day).to_vec();
            for m in 0..(DAY / MINUTE) {
                let t0 = day + m * MINUTE;
                self.drain(t0 + MINUTE);
                if spans.iter().any(|&(a, b)| a <= t0 && t0 < b) {
                    self.work_minute(t0);
                }
            }
        }
        self.flush();
        self.finish()
    }

    pub(super) fn period_of(&self, t: Ts) -> u32 {
        ((t - self.written)
            .div_euclid(DAY)
            .div_euclid(self.period_days))
        .clamp(0, self.periods as i64 - 1) as u32
    }

    pub(super) fn push(&mut self, t: Ts, ev: Ev) {
        let t = match self.gaps.iter().find(|g| g.0 <= t && t < g.1) {
            Some(&(a, b)) => t + (b - a),
            None => t,
        };
        if t < self.end {
            self.seq += 1;
            self.heap.push(Entry {
                t,
                seq: self.seq,
                ev,
            });
        }
    }

    fn drain(&mut self, limit: Ts) {
        while self.heap.peek().is_some_and(|e| e.t < limit) {
            let Some(Entry { t, ev, .. }) = self.heap.pop() else {
                break;
            };
            match ev {
                Ev::Task {
                    cat,
                    patient,
                    line,
                    barrier,
                } => {
                    self.create_task(t, cat, patient, line, barrier);
                }
                Ev::Call {
                    line,
                    caller,
                    about,
                } => self.inbound(t, line, caller, about, None),
                Ev::Ready {
                    task,
                    gen,
                    deadline,
                } => {
                    if self.is_live(task, gen) {
                        let w = self.tasks[task as usize].work as usize;
                        self.ready[w].insert((deadline, task, gen));
                        self.ready_version += 1;
                    }
                }
                Ev::Reply { task, gen } => {
                    if self.is_live(task, gen) {
                        self.reply(task, t);
                    }
                }
                Ev::GiveUp { task, gen } => {
                    if self.is_live(task, gen) {
                        self.give_up(task, t);
                    }
                }
                Ev::Duplicate { task } => self.cancel_duplicate(task, t),
                Ev::Nudge { task } => self.nudge(task, t),
                Ev::Appt { appt, step } => self.appt_event(appt, step, t),
                Ev::PatientUpdate { patient } => self.update_preferences(patient, t),
            }
        }
    }

    /// The attempt rule of a task's category.
    pub(super) fn rule(&self, task: u32) -> Rule {
        self.rules[self.tasks[task as usize].row.cat as usize]
    }

    pub(super) fn is_live(&self, task: u32, gen: u32) -> bool {
        let t = &self.tasks[task as usize];
        t.gen == gen && t.row.closed.is_none()
    }

    fn plan_day(&mut self, day: Ts) {
        let wd = weekday_of(day);
        let open = self.cal.is_business_day(day);
        for (t, cat) in arrivals::tasks(&mut self.rng, day, wd, open, &self.scale) {
            self.push(
                t,
                Ev::Task {
                    cat,
                    patient: None,
                    line: cat.queue(),
                    barrier: None,
                },
            );
        }
        for (t, line, extra) in
            arrivals::calls(&mut self.rng, day, wd, open, &self.scale, &self.surge[wd])
        {
            // A surge's extra calls (a campaign, a recall letter, a phone
            // outage elsewhere) come from numbers without a task: unanswered,
            // they leave only the call log, so the surge eats the staff's
            // time without adding callback work of its own.
            let caller = if extra {
                Caller::Stranger(names::phone(&mut self.rng, self.area))
            } else {
                self.random_caller()
            };
            self.push(
                t,
                Ev::Call {
                    line,
                    caller,
                    about: None,
                },
            );
        }
        // The population-health list lands before opening on the week's first business day.
        let first_of_week =
            open && (1..=wd as Ts).all(|k| !self.cal.is_business_day(day - k * DAY));
        if first_of_week {
            let n = poisson(&mut self.rng, 6.0 * self.scale.of(Queue::FrontDesk));
            for _ in 0..n {
                let t = day + 7 * HOUR + self.rng.gen_range(0..300);
                self.push(
                    t,
                    Ev::Task {
                        cat: Cat::CareGap,
                        patient: None,
                        line: Queue::FrontDesk,
                        barrier: None,
                    },
                );
            }
        }
        let n = poisson(&mut self.rng, self.active.len() as f64 * 0.0015);
        for _ in 0..n {
            let patient = self.random_patient();
            let t = day + self.rng.gen_range(7 * HOUR..22 * HOUR);
            self.push(t, Ev::PatientUpdate { patient });
        }
    }

    fn random_caller(&mut self) -> Caller {
        let r: f64 = self.rng.gen();
        if r < 0.05 {
            Caller::Anonymous
        } else if r < 0.16 {
            let area = if self.rng.gen_bool(0.7) {
                self.area
            } else {
                self.random_area()
            };
            Caller::Stranger(names::phone(&mut self.rng, area))
        } else {
            Caller::Patient(self.random_patient())
        }
    }

    fn random_area(&mut self) -> u64 {
        names::AREA_CODES[self.rng.gen_range(0..names::AREA_CODES.len())]
    }

    fn work_minute(&mut self, t0: Ts) {
        let n = self.staff.len();
        // Rotate who looks first so the same person does not always get the top task.
        let first = (t0 / MINUTE) as usize % n.max(1);
        for i in 0..n {
            let s = (first + i) % n;
            let st = &self.staff[s];
            if st.free_at >= t0 + MINUTE
                || st.idle_at_version == self.ready_version
                || !st.cal.is_open(t0)
            {
                continue;
            }
            match self.pick(s) {
                Some(k) => self.work(s, k, t0),
                None => self.staff[s].idle_at_version = self.ready_version,
            }
        }
    }

    /// Earliest deadline first across the categories this person works.
    fn pick(&mut self, s: usize) -> Option<u32> {
        let mut best: Option<(Ts, u32, u32, usize)> = None;
        for c in 0..10 {
            if !self.staff[s].works[c] {
                continue;
            }
            while let Some(&(dl, k, gen)) = self.ready[c].first() {
                if !self.is_live(k, gen) || self.tasks[k as usize].work as usize != c {
                    self.ready[c].pop_first();
                    continue;
                }
                if !best.is_some_and(|b| (b.0, b.1) <= (dl, k)) {
                    best = Some((dl, k, gen, c));
                }
                break;
            }
        }
        let (dl, k, gen, c) = best?;
        self.ready[c].remove(&(dl, k, gen));
        self.ready_version += 1;
        Some(k)
    }

    /// This person is busy from when they began the current work until `until`.
    pub(super) fn release(&mut self, s: usize, until: Ts) {
        let st = &mut self.staff[s];
        st.busy[calendar::hour_of(st.began) as usize] += until - st.began;
        st.free_at = until;
    }

    /// An answered inbound call; whatever this person was doing resumes after it.
    pub(super) fn take_call(&mut self, s: usize, answer: Ts, until: Ts) {
        let st = &mut self.staff[s];
        let len = until - answer;
        st.busy[calendar::hour_of(answer) as usize] += len;
        st.free_at = if st.free_at > answer {
            st.free_at + len
        } else {
            until
        };
        st.call_end = until;
    }

    /// Replan a task's next touch: it becomes workable at `at`, due by `deadline`.
    pub(super) fn schedule_ready(&mut self, k: u32, at: Ts, deadline: Ts) -> u32 {
        let t = &mut self.tasks[k as usize];
        t.gen += 1;
        let gen = t.gen;
        self.push(
            at,
            Ev::Ready {
                task: k,
                gen,
                deadline,
            },
        );
        gen
    }
}
