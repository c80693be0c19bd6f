//! Tuning aids: reports on how the simulated reference practice behaves
//! (volumes, waits by category, the phone line and the afternoon slip by hour,
//! month by month over a year with every holiday, and across seeds). They are
//! what the arrival shapes in `arrivals.rs` were balanced with. Nothing calls
//! them: when retuning, call one from a scratch test and print what it
//! returns, e.g. `eprintln!("{}", diagnostics::practice_profile(42))`, and run
//! it with `cargo test --release --lib <name> -- --nocapture` (a year takes a
//! while in a debug build).
#![allow(dead_code)]

use super::calendar::{hour_of, Calendar, Ts, MINUTE};
use super::model::{Cat, Direction};
use super::simulate;
use super::tests::{afternoon_slip, date, options, reference, scratch};
use std::collections::BTreeMap;
use std::fmt::Write;

/// Volumes, waits by category, and the phone line and the slip hour by hour,
/// over the default 13 weeks.
pub(crate) fn practice_profile(seed: u64) -> String {
    let mut report = String::new();
    let p = reference("p001");
    let mut opts = options(scratch("unused"), date(2026, 8, 24), 91, false);
    opts.seed = seed;
    let out = simulate(&p, &opts);
    let cal = Calendar::practice(&p.hours, &p.holidays, opts.start, 300);
    let (weeks, days) = (13.0, 62.0);
    let _ = writeln!(
        report,
        "rows per week: calls {:.0} activity {:.0} tasks {:.0} appointments {:.0} patients {:.0}",
        out.calls.len() as f64 / weeks,
        out.activities.len() as f64 / weeks,
        out.tasks.len() as f64 / weeks,
        out.appointments.len() as f64 / weeks,
        out.patients.len() as f64 / weeks
    );
    for cat in Cat::ALL {
        let fs: Vec<_> = out.facts.iter().filter(|f| f.cat == cat).collect();
        let mut waits: Vec<i64> = fs
            .iter()
            .filter_map(|f| f.first_attempt.map(|a| cal.between(f.created, a)))
            .collect();
        waits.sort_unstable();
        let within = waits.iter().filter(|&&w| w <= cat.target()).count();
        let _ = writeln!(
            report,
            "{:22} {:5.1}/wk  within target {:3.0}%  median {:6.1} min",
            cat.key(),
            fs.len() as f64 / weeks,
            100.0 * within as f64 / waits.len().max(1) as f64,
            waits.get(waits.len() / 2).copied().unwrap_or(0) as f64 / 60.0
        );
    }
    let mut inbound = [(0usize, 0usize); 24];
    for c in out
        .calls
        .iter()
        .filter(|c| c.direction == Direction::Inbound && cal.is_open(c.start))
    {
        let h = hour_of(c.start) as usize;
        inbound[h].0 += usize::from(c.answer.is_some());
        inbound[h].1 += 1;
    }
    let mut npr = [(0usize, 0usize); 24];
    for f in out
        .facts
        .iter()
        .filter(|f| f.cat == Cat::NewPatient && cal.is_open(f.created))
    {
        let ok = f
            .first_attempt
            .is_some_and(|a| cal.between(f.created, a) <= 30 * MINUTE);
        let h = hour_of(f.created) as usize;
        npr[h].0 += usize::from(ok);
        npr[h].1 += 1;
    }
    for h in 8..17 {
        let busy: Vec<String> = out
            .staff_busy
            .iter()
            .map(|b| format!("{:4.0}%", b[h] as f64 / days / 36.0))
            .collect();
        let _ = writeln!(
            report,
            "{h:02}h inbound {:5.1}/day answered {:3.0}%  NPR within 30 min {:3.0}% (n={:3})  busy {}",
            inbound[h].1 as f64 / days,
            100.0 * inbound[h].0 as f64 / inbound[h].1.max(1) as f64,
            100.0 * npr[h].0 as f64 / npr[h].1.max(1) as f64,
            npr[h].1,
            busy.join(" ")
        );
    }
    report
}

/// A year with every federal holiday, month by month, to check the
/// queue recovers from holiday clusters instead of running away.
pub(crate) fn year_with_holidays(seed: u64) -> String {
    let mut report = String::new();
    let mut p = reference("p001");
    p.holidays = [
        (2025, 11, 27),
        (2025, 12, 24),
        (2025, 12, 25),
        (2026, 1, 1),
        (2026, 1, 19),
        (2026, 2, 16),
        (2026, 5, 25),
        (2026, 6, 19),
        (2026, 7, 3),
        (2026, 9, 7),
        (2026, 10, 12),
        (2026, 11, 11),
    ]
    .into_iter()
    .map(|(y, m, d)| date(y, m, d))
    .collect();
    let mut opts = options(scratch("unused"), date(2025, 11, 24), 365, false);
    opts.seed = seed;
    let out = simulate(&p, &opts);
    let cal = Calendar::practice(&p.hours, &p.holidays, opts.start, 500);
    let mut by_month: BTreeMap<String, [usize; 4]> = BTreeMap::new();
    for f in out
        .facts
        .iter()
        .filter(|f| f.cat == Cat::NewPatient && cal.is_open(f.created))
    {
        let ok = f
            .first_attempt
            .is_some_and(|a| cal.between(f.created, a) <= 30 * MINUTE);
        let m = by_month.entry(fmt(f.created)[..7].to_string()).or_default();
        let i = if hour_of(f.created) < 14 { 0 } else { 2 };
        m[i] += usize::from(ok);
        m[i + 1] += 1;
    }
    for (m, v) in by_month {
        let _ = writeln!(
            report,
            "{m}: before {:.2} after {:.2}",
            v[0] as f64 / v[1] as f64,
            v[2] as f64 / v[3] as f64
        );
    }
    report
}

fn fmt(t: Ts) -> String {
    let mut v = Vec::new();
    super::calendar::fmt_second(t, &mut v);
    String::from_utf8(v).unwrap()
}

/// The afternoon slip across seeds for the default period.
pub(crate) fn slip_across_seeds(seeds: std::ops::RangeInclusive<u64>) -> String {
    let mut report = String::new();
    for seed in seeds {
        let mut opts = options(scratch("unused"), date(2026, 8, 24), 91, false);
        opts.seed = seed;
        let (b, a, _, _) = afternoon_slip(&reference("p001"), &opts);
        let _ = writeln!(
            report,
            "seed {seed:2}: before 14:00 {b:.2}, after {a:.2}, gap {:.2}",
            b - a
        );
    }
    report
}
