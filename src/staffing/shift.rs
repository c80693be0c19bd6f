//! Shifts: what the recommendation buys (one assistant for a configured
//! number of paid business hours from an hour, on a weekday pattern, for some
//! lanes), as hour blocks, as `--add` specs, as replay staff, and grouped into
//! the weekday patterns a planner buys (docs/STAFFING.md, "Recommendation").

use super::history::Model;
use super::replay::Staff;
use super::spec::Addition;
use crate::config::Span;
use chrono::NaiveTime;
use std::collections::BTreeMap;

/// Added assistants per (weekday 1 = Monday, hour, lane or lanes joined by
/// `+`): the shifts hour by hour, for the tables and the workload view.
pub type Plan = BTreeMap<(u8, u8, String), u32>;

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// One assistant's shift: `hours` paid business hours from `start` (skipping
/// an hour the practice is closed, such as lunch) on each weekday of `days`,
/// working `lanes`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Shift {
    /// Weekdays, 0 = Monday.
    pub days: Vec<usize>,
    pub start: u8,
    pub hours: u8,
    pub lanes: Vec<String>,
}

impl Shift {
    /// Its (weekday 1 = Monday, hour) blocks, or None when some day of the
    /// pattern does not have `hours` business hours from `start` on.
    pub fn blocks(&self, open: &[(u8, u8)]) -> Option<Vec<(u8, u8)>> {
        let mut out = Vec::new();
        for &d in &self.days {
            let day: Vec<(u8, u8)> = open
                .iter()
                .filter(|b| b.0 == d as u8 + 1 && b.1 >= self.start)
                .copied()
                .take(self.hours as usize)
                .collect();
            if day.len() < self.hours as usize || day.first().map(|b| b.1) != Some(self.start) {
                return None;
            }
            out.extend(day);
        }
        Some(out)
    }

    /// Paid hours a week.
    pub fn paid_hours(&self) -> u32 {
        self.hours as u32 * self.days.len() as u32
    }

    /// "Mon-Fri", "Tue" or "Mon,Wed".
    pub fn day_text(&self) -> String {
        days_text(&self.days)
    }

    /// The clock spans of one day's blocks: consecutive hours joined.
    fn spans(hours: &[u8]) -> Vec<Span> {
        let mut out: Vec<Span> = Vec::new();
        let mut i = 0;
        while i < hours.len() {
            let mut j = i;
            while j + 1 < hours.len() && hours[j + 1] == hours[j] + 1 {
                j += 1;
            }
            out.push(Span {
                start: hour_span(hours[i]).start,
                end: hour_span(hours[j]).end,
            });
            i = j + 1;
        }
        out
    }

    /// "Mon-Fri 13:00-17:00 (4 h)", with the closed hours it skips named.
    pub fn text(&self, open: &[(u8, u8)]) -> String {
        format!("{} {}", self.day_text(), self.hours_text(open))
    }

    /// "13:00-17:00 (4 h)", with the closed hours it skips named.
    pub fn hours_text(&self, open: &[(u8, u8)]) -> String {
        let blocks = self.blocks(open).unwrap_or_default();
        let first = self.days.first().map(|d| *d as u8 + 1).unwrap_or(1);
        let hours: Vec<u8> = blocks
            .iter()
            .filter(|b| b.0 == first)
            .map(|b| b.1)
            .collect();
        let spans = Self::spans(&hours);
        let (Some(a), Some(z)) = (spans.first(), spans.last()) else {
            return String::new();
        };
        let end = |s: &Span| {
            if s.end.format("%H:%M:%S").to_string() == "23:59:59" {
                "24:00".to_string()
            } else {
                s.end.format("%H:%M").to_string()
            }
        };
        let gaps: Vec<String> = spans
            .windows(2)
            .map(|w| format!("{}-{}", end(&w[0]), w[1].start.format("%H:%M")))
            .collect();
        format!(
            "{}-{} ({} h{})",
            a.start.format("%H:%M"),
            end(z),
            self.hours,
            if gaps.is_empty() {
                String::new()
            } else {
                format!(", closed {} unpaid", gaps.join(", "))
            }
        )
    }
}

/// Weekdays (0 = Monday) as the `--add` grammar writes them: "Mon-Fri" for a
/// run, else "Mon,Wed".
fn days_text(days: &[usize]) -> String {
    let contiguous = days.windows(2).all(|w| w[1] == w[0] + 1);
    match (days.first(), days.last()) {
        (Some(a), Some(b)) if a != b && contiguous => format!("{}-{}", DAYS[*a], DAYS[*b]),
        _ => days.iter().map(|d| DAYS[*d]).collect::<Vec<_>>().join(","),
    }
}

/// The shifts as hour blocks per lane (a shift for several lanes counts under
/// their names joined by `+`).
pub fn plan_blocks(m: &Model, shifts: &[Shift]) -> Plan {
    let open = business_blocks(m);
    let mut plan = Plan::new();
    for s in shifts {
        for (d, h) in s.blocks(&open).unwrap_or_default() {
            *plan.entry((d, h, s.lanes.join("+"))).or_default() += 1;
        }
    }
    plan
}

/// A plan as `--add` specs, so a planner (or a test) can replay exactly what was
/// recommended: each shift's days with the same hours and each run of
/// consecutive hours is one spec; equal specs are counted.
pub fn plan_specs(m: &Model, shifts: &[Shift]) -> Vec<Addition> {
    let open = business_blocks(m);
    let mut runs: BTreeMap<(Vec<usize>, u8, u8, Vec<String>), u32> = BTreeMap::new();
    for s in shifts {
        let blocks = s.blocks(&open).unwrap_or_default();
        // Days with the same hours share a spec.
        let mut by_hours: BTreeMap<Vec<u8>, Vec<usize>> = BTreeMap::new();
        for &d in &s.days {
            let hours: Vec<u8> = blocks
                .iter()
                .filter(|b| b.0 == d as u8 + 1)
                .map(|b| b.1)
                .collect();
            by_hours.entry(hours).or_default().push(d);
        }
        for (hours, days) in by_hours {
            for span in Shift::spans(&hours) {
                use chrono::Timelike;
                let a = span.start.hour() as u8;
                let b = if span.end.num_seconds_from_midnight() >= 86_399 {
                    24
                } else {
                    span.end.hour() as u8
                };
                *runs
                    .entry((days.clone(), a, b, s.lanes.clone()))
                    .or_default() += 1;
            }
        }
    }
    runs.into_iter()
        .map(|((days, a, b, lanes), n)| {
            let span = Span {
                start: hour_span(a).start,
                end: hour_span(b - 1).end,
            };
            Addition {
                text: format!(
                    "{} {}-{} {} {n}",
                    days_text(&days),
                    span.start.format("%H:%M"),
                    if b == 24 {
                        "24:00".to_string()
                    } else {
                        span.end.format("%H:%M").to_string()
                    },
                    lanes.join(",")
                ),
                days,
                span,
                work: lanes,
                count: n,
            }
        })
        .collect()
}

/// Staff for a plan: exactly the staff its `--add` specs give.
pub fn plan_staff(m: &Model, shifts: &[Shift]) -> Vec<Staff> {
    super::added_staff(m, &plan_specs(m, shifts))
        .expect("a plan names only lanes assistants may work")
}

fn hour_span(h: u8) -> Span {
    let t = |h: u32| {
        NaiveTime::from_hms_opt(h, 0, 0)
            .unwrap_or(NaiveTime::from_hms_opt(23, 59, 59).expect("valid"))
    };
    Span {
        start: t(h as u32),
        end: t(h as u32 + 1),
    }
}

/// (weekday 1 = Monday, hour) blocks fully inside business hours.
pub fn business_blocks(m: &Model) -> Vec<(u8, u8)> {
    let mut v = Vec::new();
    for d in 0..7 {
        for s in &m.practice.hours.0[d] {
            for h in 0..24u32 {
                use chrono::Timelike;
                // "24:00" is stored as 23:59:59.
                let end = match s.end.num_seconds_from_midnight() {
                    86_399 => 86_400,
                    e => e,
                };
                let fits = h * 3600 >= s.start.num_seconds_from_midnight() && (h + 1) * 3600 <= end;
                if fits {
                    v.push((d as u8 + 1, h as u8));
                }
            }
        }
    }
    v
}

/// The shifts grouped as a planner buys them: shifts with the same hours and
/// lanes on different days are one weekday pattern ("Mon-Fri"), the k-th
/// assistant of each day together; returns (pattern shift, assistants).
pub fn patterns(shifts: &[Shift]) -> Vec<(Shift, u32)> {
    let mut per_day: BTreeMap<(u8, u8, Vec<String>), BTreeMap<usize, u32>> = BTreeMap::new();
    for s in shifts {
        for &d in &s.days {
            *per_day
                .entry((s.start, s.hours, s.lanes.clone()))
                .or_default()
                .entry(d)
                .or_default() += 1;
        }
    }
    let mut out: BTreeMap<Shift, u32> = BTreeMap::new();
    for ((start, hours, lanes), days) in per_day {
        let top = days.values().copied().max().unwrap_or(0);
        for level in 1..=top {
            let on: Vec<usize> = days
                .iter()
                .filter(|(_, n)| **n >= level)
                .map(|(d, _)| *d)
                .collect();
            *out.entry(Shift {
                days: on,
                start,
                hours,
                lanes: lanes.clone(),
            })
            .or_default() += 1;
        }
    }
    let mut v: Vec<(Shift, u32)> = out.into_iter().collect();
    // The widest patterns first.
    v.sort_by(|a, b| {
        b.0.days
            .len()
            .cmp(&a.0.days.len())
            .then_with(|| a.0.cmp(&b.0))
    });
    v
}

/// The shifts as a planner reads them ([`patterns`]): "2 assistants Mon-Fri
/// 08:00-17:00 (8 h, closed 12:00-13:00 unpaid), lanes front_desk + referrals:
/// 80 paid h a week".
pub fn shift_lines(m: &Model, shifts: &[Shift]) -> Vec<String> {
    let open = business_blocks(m);
    patterns(shifts)
        .into_iter()
        .map(|(s, n)| {
            format!(
                "{n} assistant{} {}, lane{} {}: {} paid h a week",
                if n == 1 { "" } else { "s" },
                s.text(&open),
                if s.lanes.len() == 1 { "" } else { "s" },
                s.lanes.join(" + "),
                n * s.paid_hours()
            )
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Mon-Fri 08:00-12:00 and 13:00-17:00, as the sample practice.
    fn open() -> Vec<(u8, u8)> {
        (1..=5)
            .flat_map(|d| [8, 9, 10, 11, 13, 14, 15, 16].map(|h| (d, h)))
            .collect()
    }

    fn shift(days: &[usize], start: u8, hours: u8) -> Shift {
        Shift {
            days: days.to_vec(),
            start,
            hours,
            lanes: vec!["front_desk".into()],
        }
    }

    #[test]
    fn a_shift_is_its_paid_business_hours_from_its_start() {
        let o = open();
        // 8 paid hours from 08:00 skip the closed hour at noon.
        let s = shift(&[0, 1, 2, 3, 4], 8, 8);
        let b = s.blocks(&o).unwrap();
        assert_eq!(b.len(), 40);
        assert!(!b.contains(&(1, 12)) && b.contains(&(1, 16)));
        assert_eq!(s.paid_hours(), 40);
        assert_eq!(
            s.text(&o),
            "Mon-Fri 08:00-17:00 (8 h, closed 12:00-13:00 unpaid)"
        );
        assert_eq!(shift(&[1], 13, 4).text(&o), "Tue 13:00-17:00 (4 h)");
        // Not enough business hours left in the day, or no start on the hour
        // the practice is closed.
        assert_eq!(shift(&[0], 14, 4).blocks(&o), None);
        assert_eq!(shift(&[0], 12, 4).blocks(&o), None);
        // A weekday the practice is closed.
        assert_eq!(shift(&[5], 8, 4).blocks(&o), None);
        assert_eq!(shift(&[0, 2, 4], 8, 4).day_text(), "Mon,Wed,Fri");
    }

    #[test]
    fn shifts_group_into_weekday_patterns_as_bought() {
        // Mon-Fri afternoons, and a second and third assistant on Monday.
        let mut shifts: Vec<Shift> = (0..5).map(|d| shift(&[d], 13, 4)).collect();
        shifts.push(shift(&[0], 13, 4));
        shifts.push(shift(&[0, 1], 8, 4));
        let p = patterns(&shifts);
        assert_eq!(
            p,
            vec![
                (shift(&[0, 1, 2, 3, 4], 13, 4), 1),
                (shift(&[0, 1], 8, 4), 1),
                (shift(&[0], 13, 4), 1),
            ]
        );
        let paid: u32 = p.iter().map(|(s, n)| n * s.paid_hours()).sum();
        let raw: u32 = shifts.iter().map(Shift::paid_hours).sum();
        assert_eq!(paid, raw, "grouping keeps every paid hour");
    }
}
