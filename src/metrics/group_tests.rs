//! `metrics::group` against the polars plans of `metrics::aggregate`.

use super::*;
use crate::metrics::aggregate;
use polars::prelude::IntoLazy;
use proptest::prelude::*;

fn pick<T: Clone>(v: &[T], i: u32) -> T {
    v[i as usize % v.len()].clone()
}

/// A column of `n` rows, row `i` holding `f(i)`.
fn column<T>(name: &str, n: usize, f: impl Fn(usize) -> T) -> Column
where
    Series: NamedFrom<Vec<T>, [T]>,
{
    Series::new(name.into(), (0..n).map(f).collect::<Vec<T>>()).into()
}

/// Task-fact, missed-call and recovery rows from random draws, with few distinct
/// keys (so groups have many rows), empty values and ties.
fn frames(seed: &[u32]) -> (DataFrame, DataFrame, DataFrame) {
    let n = seed.len();
    let r = |k: usize, i: usize| {
        seed[(i * 7 + k * 13) % n].wrapping_mul(2654435761u32.wrapping_add(k as u32))
    };
    let opt_s = |k: usize, vals: &[&'static str], i: usize| -> Option<&'static str> {
        let x = r(k, i);
        (x % 5 != 0).then(|| pick(vals, x / 5))
    };
    // Few distinct values (ties), some fractional, some empty.
    let opt_f = |k: usize, i: usize| -> Option<f64> {
        let x = r(k, i);
        (x % 4 != 0).then(|| (x / 4 % 40) as f64 * 7.5)
    };
    let opt_b = |k: usize, i: usize| -> Option<bool> {
        let x = r(k, i);
        (x % 3 != 0).then_some(x % 2 == 0)
    };
    let b = |k: usize, i: usize| r(k, i) % 3 == 0;
    // Outcomes at an age: empty (not yet mature) rarely, so that small groups are
    // often mature and large ones not.
    let rare_null = |k: usize, i: usize| -> Option<bool> {
        let x = r(k, i);
        (x % 53 != 0).then_some(x % 2 == 0)
    };
    let small = |k: usize, m: u32, i: usize| (r(k, i) % m) as i32;
    let weeks = ["2026-W01", "2026-W02", "2025-W52"];
    let date = Series::new(
        "created_date".into(),
        (0..n).map(|i| 20_000 + small(4, 9, i)).collect::<Vec<_>>(),
    )
    .cast(&DataType::Date)
    .unwrap()
    .into();
    let facts = DataFrame::new(
        n,
        vec![
            column("category", n, |i| {
                opt_s(1, &["referral", "no_show", "new_patient"], i)
            }),
            column("lane", n, |i| pick(&["front", "clinical"], r(2, i))),
            column("owner", n, |i| opt_s(3, &["ann", "bo", "cy"], i)),
            date,
            column("iso_week", n, |i| pick(&weeks, r(5, i))),
            column("created_weekday", n, |i| 1 + small(6, 7, i)),
            column("created_hour", n, |i| small(7, 24, i)),
            column("first_attempt_at", n, |i| opt_b(8, i).map(|_| 1_000_000i64)),
            column("minutes_to_first_attempt", n, |i| opt_f(9, i)),
            // Observed to closure or as of: sometimes shorter than the times
            // above (censorings before, at and after the events), rarely empty.
            column("minutes_observed", n, |i| {
                let x = r(31, i);
                (x % 17 != 0).then(|| (x / 17 % 45) as f64 * 7.5)
            }),
            column("met_target", n, |i| opt_b(10, i)),
            column("attempts", n, |i| small(11, 5, i)),
            column("reached", n, |i| b(12, i)),
            column("left_message", n, |i| b(13, i)),
            column("terminal", n, |i| b(14, i)),
            column("minutes_to_completion", n, |i| opt_f(15, i)),
            column("booked", n, |i| b(16, i)),
            column("kept", n, |i| b(17, i)),
            column("barrier", n, |i| opt_s(18, &["cost", "transport"], i)),
            column("closed_unable_early", n, |i| b(19, i)),
            column("early_attempt", n, |i| b(20, i)),
            column("over_max_attempts", n, |i| b(21, i)),
            column("final_channel_ok", n, |i| opt_b(22, i)),
            column("notes_poor", n, |i| small(23, 3, i)),
            column("notes_partial", n, |i| small(24, 2, i)),
            column("notes_complete", n, |i| small(25, 2, i)),
            column("unowned", n, |i| b(26, i)),
            column("deadline_at", n, |i| opt_b(27, i).map(|_| 2_000_000i64)),
            column("reached_in_age", n, |i| rare_null(40, i)),
            column("completed_in_age", n, |i| rare_null(41, i)),
            column("booked_in_age", n, |i| rare_null(42, i)),
            column("visit_in_age", n, |i| rare_null(43, i)),
            column("kept_in_age", n, |i| opt_b(44, i)),
        ],
    )
    .unwrap();
    let missed = DataFrame::new(
        n,
        vec![
            column("iso_week", n, |i| pick(&weeks, r(30, i))),
            column("missed_count", n, |i| 1 + small(31, 3, i)),
            column("return_kind", n, |i| {
                opt_s(32, &["patient_called_back", "outbound_call"], i)
            }),
            column("minutes_to_return", n, |i| opt_f(33, i)),
            column("minutes_observed", n, |i| {
                let x = r(37, i);
                (x % 13 != 0).then(|| (x / 13 % 45) as f64 * 7.5)
            }),
            column("within_target", n, |i| opt_b(34, i)),
            column("returned", n, |i| b(35, i)),
            column("unreturnable", n, |i| b(36, i)),
        ],
    )
    .unwrap();
    let recovery = DataFrame::new(
        n,
        vec![
            column("kind", n, |i| pick(&["no_show", "cancellation"], r(40, i))),
            column("iso_week", n, |i| pick(&weeks, r(41, i))),
            column("rebooked", n, |i| b(42, i)),
            column("days_to_rebook", n, |i| {
                opt_b(43, i).map(|_| small(44, 20, i))
            }),
            column("window_closed", n, |i| b(45, i)),
        ],
    )
    .unwrap();
    (facts, missed, recovery)
}

fn check(seed: &[u32]) {
    let (facts, missed, recovery) = frames(seed);
    let want = aggregate::one_practice(
        "p1",
        facts.clone().lazy(),
        missed.clone().lazy(),
        recovery.clone().lazy(),
    )
    .unwrap();
    let schemas: Vec<Schema> = want.iter().map(|df| df.schema().as_ref().clone()).collect();
    let got = one_practice(&facts, &missed, &recovery, &schemas).unwrap();
    for (((name, _), w), g) in aggregate::names().iter().zip(&want).zip(got) {
        let g = aggregate::with_practice("p1", g).unwrap();
        assert_eq!(g.schema(), w.schema(), "{name}");
        // Equal values (floats exactly), equal empties, same order.
        assert!(g.equals_missing(w), "{name}:\nplan\n{w}\nrust\n{g}");
    }
    // The overall tables (every practice together) likewise.
    for (name, keys) in crate::metrics::OVERALL {
        let w = aggregate::by(facts.clone().lazy(), keys).collect().unwrap();
        let schema = w.schema().as_ref().clone();
        let g = overall(&facts, &[(keys, schema)]).unwrap().remove(0);
        assert_eq!(g.schema(), w.schema(), "{name}");
        assert!(g.equals_missing(&w), "{name}:\nplan\n{w}\nrust\n{g}");
    }
}

#[test]
fn densify_keeps_order_and_counts_distinct() {
    let mut v = vec![u64::MAX, 7, 7, 1 << 40, 0];
    assert_eq!(densify(&mut v), 4);
    assert_eq!(v, vec![3, 1, 1, 2, 0]);
}

#[test]
fn no_rows() {
    check(&[]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    /// The Rust tables equal the polars plans that define them.
    #[test]
    fn equal_to_the_plans(seed in proptest::collection::vec(any::<u32>(), 1..400)) {
        check(&seed);
    }
}
