//! Hand-worked replays: each expectation is derived in the comment above it.

use super::*;

/// 10 minutes per attempt; a retry is ready 1000 s after an attempt, due 1000 s later.
struct Fixed;
impl Rules for Fixed {
    fn handle_s(&self, _c: usize, _n: u32) -> i64 {
        600
    }
    fn retry(&self, _q: usize, _c: usize, _n: u32, at: i64) -> Option<(i64, i64)> {
        Some((at + 1000, at + 2000))
    }
}

fn job(category: usize, arrive: i64, deadline: i64, attempts: u32) -> Job {
    Job {
        category,
        queue: category,
        arrive,
        deadline: Some(deadline),
        order: Some(deadline),
        attempts,
        withdrawn_at: None,
        counted: true,
        carried: false,
    }
}

fn one(open: Vec<(i64, i64)>, works: Vec<bool>) -> Vec<Staff> {
    vec![Staff {
        name: "a".into(),
        works,
        open: OpenTime::new(open),
    }]
}

#[test]
fn earliest_deadline_first_with_a_retry() {
    // One person open 0..3600. B (due 900) before A (due 1800) at t=0; at 600 C
    // (arrived 300, due 1200) beats A; A at 1200; C's retry (ready 1600) at 1800.
    let jobs = [job(0, 0, 1800, 1), job(0, 0, 900, 1), job(0, 300, 1200, 2)];
    let out = replay(&jobs, &one(vec![(0, 3600)], vec![true]), &Fixed, 1);
    assert_eq!(out.first, vec![Some(1200), Some(0), Some(600)]);
    assert_eq!(out.made, vec![1, 1, 2]);
    assert_eq!(out.busy_s, vec![2400]);
    assert!((0..3).all(|j| out.met(&jobs, j) == Some(true)));
}

#[test]
fn the_working_deadline_orders_and_the_target_deadline_counts() {
    // A is due 900 but the team's working deadline puts it at 5000; B, due
    // 3000, has working deadline 1000: B first at 0, A at 600, still by 900.
    // C, due 1000 and ordered 6000, goes third at 1200 and misses its target.
    let mut a = job(0, 0, 900, 1);
    a.order = Some(5000);
    let mut b = job(0, 0, 3000, 1);
    b.order = Some(1000);
    let mut c = job(0, 0, 1000, 1);
    c.order = Some(6000);
    let jobs = [a, b, c];
    let out = replay(&jobs, &one(vec![(0, 3600)], vec![true]), &Fixed, 1);
    assert_eq!(out.first, vec![Some(600), Some(0), Some(1200)]);
    assert_eq!(out.met(&jobs, 0), Some(true));
    assert_eq!(out.met(&jobs, 2), Some(false));
}

#[test]
fn work_waits_for_the_next_opening_and_misses_the_deadline() {
    // Open 0..600 and 3600..4200: the second task waits for 3600, after its 3000 deadline.
    let jobs = [job(0, 0, 500, 1), job(0, 0, 3000, 1)];
    let out = replay(
        &jobs,
        &one(vec![(0, 600), (3600, 4200)], vec![true]),
        &Fixed,
        1,
    );
    assert_eq!(out.first, vec![Some(0), Some(3600)]);
    assert_eq!(out.met(&jobs, 1), Some(false));
}

#[test]
fn an_attempt_runs_across_a_closed_gap() {
    // Open 0..300 and 1000..2000: the first 600 s attempt ends at 1300, so the next starts there.
    let jobs = [job(0, 0, 100, 1), job(0, 0, 1200, 1)];
    let out = replay(
        &jobs,
        &one(vec![(0, 300), (1000, 2000)], vec![true]),
        &Fixed,
        1,
    );
    assert_eq!(out.first, vec![Some(0), Some(1300)]);
    assert_eq!(out.met(&jobs, 1), Some(false));
}

#[test]
fn nobody_works_a_category_outside_their_lanes_and_withdrawn_tasks_drop() {
    // Category 1 has no staff: never attempted, a counted miss. The withdrawn task
    // (resolved at 100) is gone before the person is free at 600.
    let mut w = job(0, 0, 700, 1);
    w.withdrawn_at = Some(100);
    let jobs = [job(0, 0, 50, 1), job(1, 0, 5000, 1), w];
    let out = replay(&jobs, &one(vec![(0, 3600)], vec![true, false]), &Fixed, 2);
    assert_eq!(out.first, vec![Some(0), None, None]);
    assert_eq!(out.met(&jobs, 1), Some(false));
    assert_eq!(out.met(&jobs, 2), Some(false));
    // Backlog at 50 and 650: category 0 holds the withdrawn task only until 100.
    assert_eq!(
        backlog(&jobs, &out, &[50, 650], 2),
        vec![vec![1, 1], vec![0, 1]]
    );
}

#[test]
fn two_people_share_the_queue() {
    // Two people open 0..3600, four 600 s tasks all due 600: two start at 0 (met), two at 600 (met, due is inclusive).
    let jobs: Vec<Job> = (0..4).map(|_| job(0, 0, 600, 1)).collect();
    let mut staff = one(vec![(0, 3600)], vec![true]);
    staff.push(staff[0].clone());
    let out = replay(&jobs, &staff, &Fixed, 1);
    assert_eq!(out.first, vec![Some(0), Some(0), Some(600), Some(600)]);
    assert_eq!(out.busy_s, vec![1200, 1200]);
}

#[test]
fn open_time_minus_busy_and_advance() {
    let o = OpenTime::new(vec![(0, 100), (200, 300)]).minus(vec![(50, 60), (90, 210), (290, 400)]);
    assert_eq!(o.spans(), &[(0, 50), (60, 90), (210, 290)]);
    assert_eq!(o.total(), 50 + 30 + 80);
    assert_eq!(o.advance_near(&mut Cursor::default(), 40, 20), Some(70));
    assert_eq!(o.next_open(95), Some(210));
    assert_eq!(o.advance_near(&mut Cursor::default(), 0, 1000), None);
    assert_eq!(o.between(0, 220), 90);
}
