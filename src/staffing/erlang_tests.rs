//! Published values from ../shared/reference/erlang.md.

use super::*;

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol
}

#[test]
fn cran_erlangc_readme() {
    // 100 calls per 30 min, AHT 180 s, T = 20 s.
    let load = Load {
        calls: 100.0,
        interval_s: 1800.0,
        aht_s: 180.0,
    };
    let p11 = evaluate_c(load, 11, 20.0);
    assert!(close(p11.p_wait, 0.6821182, 1e-6), "{p11:?}");
    assert!(close(p11.service_level, 0.3896138, 1e-6), "{p11:?}");
    let p14 = evaluate_c(load, 14, 20.0);
    assert!(close(p14.service_level, 0.88835, 1e-5), "{p14:?}");
    assert!(close(p14.asa_s, 7.8359, 1e-4), "{p14:?}");
    assert!(close(p14.occupancy, 0.7142857, 1e-7));
    assert!(
        evaluate_c(load, 13, 20.0).service_level < 0.8,
        "13 agents reach only 0.7956"
    );
    let s = required_c(load, 20.0, 0.8, 0.85, 0.3);
    assert_eq!((s.agents, s.scheduled), (14, 20));
}

#[test]
fn call_center_tools_readme() {
    let load = Load {
        calls: 1000.0,
        interval_s: 3600.0,
        aht_s: 120.0,
    };
    let s = required_c(load, 20.0, 0.8, 0.85, 0.3);
    assert_eq!((s.agents, s.scheduled), (40, 58));
    assert!(close(s.performance.p_wait, 0.1907, 1e-4), "{s:?}");
    assert!(close(s.performance.service_level, 0.9372, 1e-4), "{s:?}");
    assert!(close(s.performance.asa_s, 3.43, 1e-2), "{s:?}");
}

#[test]
fn py_erlang_readme() {
    // (calls, interval, AHT, N, P(wait), ASA, SL, T, agents needed, for SL target)
    let cases = [
        (
            360.0, 1800.0, 240.0, 55, 0.2387, 8.2, 0.8459, 15.0, 53, 0.70,
        ),
        (
            300.0, 900.0, 180.0, 65, 0.4201, 15.1, 0.8796, 45.0, 67, 0.95,
        ),
        (
            650.0, 3600.0, 150.0, 34, 0.1430, 3.1, 0.9641, 30.0, 29, 0.50,
        ),
        (
            20.0, 3600.0, 1800.0, 11, 0.6821, 1227.8, 0.9077, 3600.0, 11, 0.80,
        ),
    ];
    for (calls, interval, aht, n, pw, asa, sl, t, need, target) in cases {
        let load = Load {
            calls,
            interval_s: interval,
            aht_s: aht,
        };
        let p = evaluate_c(load, n, t);
        assert!(close(p.p_wait, pw, 5e-5), "{calls}/{interval}: {p:?}");
        assert!(close(p.asa_s, asa, 0.05), "{calls}/{interval}: {p:?}");
        assert!(
            close(p.service_level, sl, 5e-5),
            "{calls}/{interval}: {p:?}"
        );
        // Without an occupancy cap, the smallest N for the target.
        let s = required_c(load, t, target, 1.0, 0.0);
        assert_eq!(s.agents, need, "{calls}/{interval}");
    }
}

#[test]
fn large_n_is_stable() {
    // 20 000 Erlangs: no factorial or power overflows, P(wait) stays a probability.
    let load = Load {
        calls: 400_000.0,
        interval_s: 3600.0,
        aht_s: 180.0,
    };
    let s = required_c(load, 20.0, 0.8, 1.0, 0.0);
    assert!(s.agents > 20_000 && s.agents < 20_100, "{s:?}");
    assert!(s.performance.p_wait.is_finite() && s.performance.p_wait <= 1.0);
    assert!(s.performance.service_level >= 0.8);
    // The occupancy cap then decides: ⌈20 000 / 0.95⌉ = 21 053.
    assert_eq!(required_c(load, 20.0, 0.8, 0.95, 0.0).agents, 21_053);
}

#[test]
fn exact_ceilings() {
    // 17 Erlangs at 85% cap: 17 / 0.85 = 20 exactly; a float ceiling may give 21.
    assert_eq!(ceil_div_exact(17.0, 0.85), 20);
    assert_eq!(ceil_div_exact(14.0, 0.7), 20);
    assert_eq!(ceil_div_exact(40.0, 0.7), 58);
}

#[test]
fn erlang_a_tends_to_erlang_c_with_infinite_patience_and_abandons_with_short() {
    let load = Load {
        calls: 100.0,
        interval_s: 1800.0,
        aht_s: 180.0,
    };
    let c = evaluate_c(load, 14, 20.0);
    let a = evaluate_a(load, 14, 20.0, 1e9);
    assert!(close(a.p_wait, c.p_wait, 1e-4), "{a:?} vs {c:?}");
    assert!(
        close(a.service_level, c.service_level, 1e-3),
        "{a:?} vs {c:?}"
    );
    assert!(close(a.asa_s, c.asa_s, 1e-2), "{a:?} vs {c:?}");
    let impatient = evaluate_a(load, 11, 20.0, 60.0);
    let p = impatient.p_abandon.unwrap();
    assert!(p > 0.05 && p < 0.5, "{impatient:?}");
    // Abandonment shortens the queue: better service than Erlang C at the same N.
    assert!(impatient.service_level > evaluate_c(load, 11, 20.0).service_level);
}
