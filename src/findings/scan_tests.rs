use super::*;

/// Four due tasks a day in every business hour (08–12, 13–17) of every
/// weekday for 13 weeks, met 9 times in 10 (by a fixed pattern), except in the
/// `slow` (weekday, hour) cells, met 1 time in 4.
fn practice(slow: &[(u8, u8)]) -> Vec<Obs> {
    let mut out = Vec::new();
    let mut i = 0u32;
    // 2026-08-24, a Monday: days since 1970-01-01.
    let monday = 20_689;
    for week in 0..13 {
        for wd in 1..=5u8 {
            let day = monday + week * 7 + i32::from(wd) - 1;
            for hour in (8..12).chain(13..17) {
                for _ in 0..4 {
                    i += 1;
                    // A fixed pseudo-random draw (splitmix64), so no block
                    // misses more than another by construction.
                    let r = mix(u64::from(i)) % 100;
                    let met = if slow.contains(&(wd, hour)) {
                        r < 25
                    } else {
                        r < 90
                    };
                    out.push(Obs {
                        category: 0,
                        weekday: wd,
                        hour,
                        day,
                        met,
                    });
                }
            }
        }
    }
    out
}

fn mix(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

fn business() -> BTreeMap<u8, Vec<u8>> {
    (1..=5)
        .map(|d| (d, vec![8, 9, 10, 11, 13, 14, 15, 16]))
        .collect()
}

#[test]
fn the_normal_tail_and_holm_match_their_tables() {
    assert!((upper_tail(0.0) - 0.5).abs() < 1e-7);
    assert!((upper_tail(1.959964) - 0.025).abs() < 1e-6);
    assert!((upper_tail(-1.644854) - 0.95).abs() < 1e-6);
    // Holm: sorted 0.005, 0.01, 0.03, 0.04 → ×4, ×3, ×2, ×1, running maximum.
    let adj = holm(&[0.01, 0.04, 0.03, 0.005]);
    let want = [0.03, 0.06, 0.06, 0.02];
    for (a, w) in adj.iter().zip(want) {
        assert!((a - w).abs() < 1e-12, "{adj:?}");
    }
}

#[test]
fn the_z_test_pools_the_share_and_widens_by_the_design_effect() {
    let block = Count { met: 10, due: 40 };
    let rest = Count { met: 160, due: 200 };
    let (z, p) = z_test(block, rest, 1.0, 1.0).unwrap();
    // pooled 170/240; var = p̄(1 − p̄)(1/40 + 1/200) = 0.006198
    assert!((z - 0.55 / 0.006_198_f64.sqrt()).abs() < 1e-3, "{z}");
    assert!(p < 1e-9);
    let (z4, _) = z_test(block, rest, 4.0, 1.0).unwrap();
    assert!(
        z4 < z / 1.8,
        "a design effect of 4 on the block halves z about: {z4} vs {z}"
    );
    // Nothing missed anywhere: no variance, no test.
    assert_eq!(
        z_test(
            Count { met: 20, due: 20 },
            Count { met: 90, due: 90 },
            1.0,
            1.0
        ),
        None
    );
}

#[test]
fn a_planted_slip_is_one_span_across_lunch_and_two_weekdays() {
    let slow = [(1, 11), (1, 13), (1, 14), (2, 11), (2, 13), (2, 14)];
    let p = Params::default();
    let (tests, spans) = scan(&practice(&slow), &business(), &p);
    assert_eq!(
        tests.len(),
        48,
        "every block has 52 due tasks on 13 days; 8 more pooled over the weekdays"
    );
    assert_eq!(tests.iter().filter(|t| t.slips).count(), 6);
    assert_eq!(spans.len(), 1, "{spans:?}");
    let s = &spans[0];
    assert_eq!((s.weekdays.clone(), s.from, s.to), (vec![1, 2], 11, 15));
    assert_eq!(s.cells.len(), 6);
    assert_eq!(s.inside.due, 6 * 52);
    let share = s.inside.share().unwrap();
    assert!(
        (0.18..0.32).contains(&share),
        "about one in four of 312: {share}"
    );
    assert_eq!(s.inside.due + s.outside.due, 40 * 52);
    assert!(s.p_holm < 1e-6);
    assert_eq!(weekdays_text(&s.weekdays), "Mon–Tue");
}

#[test]
fn the_same_hours_on_days_apart_are_two_spans_and_blocks_apart_are_two_runs() {
    let slow = [(1, 9), (3, 9), (5, 9), (5, 15)];
    let (_, spans) = scan(&practice(&slow), &business(), &Params::default());
    let got: Vec<(Vec<u8>, u8, u8)> = spans
        .iter()
        .map(|s| (s.weekdays.clone(), s.from, s.to))
        .collect();
    assert_eq!(
        got,
        vec![
            (vec![1], 9, 10),
            (vec![3], 9, 10),
            (vec![5], 9, 10),
            (vec![5], 15, 16)
        ]
    );
}

#[test]
fn wider_blocks_group_hours() {
    let slow = [(3, 14), (3, 15)];
    let p = Params {
        width: 2,
        ..Params::default()
    };
    let business: BTreeMap<u8, Vec<u8>> = (1..=5).map(|d| (d, vec![8, 10, 12, 14, 16])).collect();
    let (tests, spans) = scan(&practice(&slow), &business, &p);
    assert!(tests.iter().all(|t| t.cell.block % 2 == 0));
    assert_eq!(spans.len(), 1, "{spans:?}");
    assert_eq!(
        (spans[0].weekdays.clone(), spans[0].from, spans[0].to),
        (vec![3], 14, 16)
    );
}

#[test]
fn noise_small_blocks_and_one_bad_day_are_not_findings() {
    // No slip: the same share everywhere.
    let (tests, spans) = scan(&practice(&[]), &business(), &Params::default());
    assert_eq!(tests.len(), 48);
    assert!(spans.is_empty(), "{spans:?}");

    // A block with too few tasks is not tried, however bad.
    let mut obs = practice(&[]);
    for k in 0..10 {
        obs.push(Obs {
            category: 1,
            weekday: 6,
            hour: 9,
            day: 20_694 + 7 * k,
            met: false,
        });
    }
    for k in 0..40 {
        obs.push(Obs {
            category: 1,
            weekday: 1,
            hour: 9,
            day: 20_689 + 7 * (k % 13),
            met: true,
        });
    }
    let tests = test(&obs, &Params::default());
    assert!(tests.iter().all(|t| t.cell
        != Cell {
            category: 1,
            weekday: 6,
            block: 9
        }));

    // One Wednesday on which every 10:00 request missed: the block has its
    // 13 days, but the fall is one day's and the design effect says so.
    let mut obs = practice(&[]);
    for o in obs.iter_mut() {
        if o.weekday == 3 && o.hour == 10 && o.day == 20_691 + 7 * 5 {
            o.met = false;
        }
    }
    for k in 0..8 {
        obs.push(Obs {
            category: 0,
            weekday: 3,
            hour: 10,
            day: 20_691 + 7 * 5,
            met: k == 0,
        });
    }
    let (tests, spans) = scan(&obs, &business(), &Params::default());
    let wed = tests
        .iter()
        .find(|t| {
            t.cell
                == Cell {
                    category: 0,
                    weekday: 3,
                    block: 10,
                }
        })
        .unwrap();
    assert!(wed.deff_block > 2.0, "{wed:?}");
    assert!(!wed.slips && spans.is_empty(), "{wed:?}");
    // Even when the test alone would call it: without that day the block is as usual.
    let lax = Params {
        alpha: 1.0,
        ..Params::default()
    };
    let wed = test(&obs, &lax)
        .into_iter()
        .find(|t| {
            t.cell
                == Cell {
                    category: 0,
                    weekday: 3,
                    block: 10,
                }
        })
        .unwrap();
    // 13 days: the worst ⌈13/6⌉ = 3 left out, the bad day among them.
    assert_eq!(wed.without_worst_days.due, wed.block.due - 12 - 8);
    assert!(!wed.slips, "{wed:?}");
}

#[test]
fn a_slip_every_afternoon_too_thin_for_any_one_weekday_is_found_pooled() {
    // One due task an hour (13 per weekday cell, under the minimum n of 15,
    // so no single weekday's cell is tried), met 9 times in 10 but 2 in 10
    // from 14:00 to 16:00 on every weekday: the pooled blocks are tried and
    // slip, merged into one Mon–Fri 14:00–16:00 span.
    let monday = 20_689;
    let mut obs = Vec::new();
    let mut i = 0u64;
    for week in 0..13 {
        for wd in 1..=5u8 {
            let day = monday + week * 7 + i32::from(wd) - 1;
            for hour in (8..12).chain(13..17) {
                i += 1;
                let r = mix(i) % 10;
                let met = if (14..16).contains(&hour) {
                    r < 2
                } else {
                    r < 9
                };
                obs.push(Obs {
                    category: 0,
                    weekday: wd,
                    hour,
                    day,
                    met,
                });
            }
        }
    }
    let (tests, spans) = scan(&obs, &business(), &Params::default());
    assert!(
        tests.iter().all(|t| t.cell.weekday == ALL_DAYS),
        "{tests:?}"
    );
    assert_eq!(spans.len(), 1, "{spans:?}");
    let s = &spans[0];
    assert_eq!(
        (s.weekdays.clone(), s.from, s.to),
        (vec![1, 2, 3, 4, 5], 14, 16)
    );
    assert_eq!(s.cells.len(), 10, "each weekday's two blocks");
    assert_eq!(s.inside.due, 130);
    assert_eq!(weekdays_text(&s.weekdays), "Mon–Fri");
}
