//! The live inbound line per weekday × hour block: Erlang C agents for the
//! service level (with the occupancy cap and shrinkage), and Erlang A with the
//! callers' patience estimated from the call log.

use super::erlang::{evaluate_a, required_c, Load};
use super::history::{block_of, Model};
use std::collections::BTreeMap;

/// One block of the inbound line, per week.
#[derive(Debug, Clone)]
pub struct Row {
    pub calls_per_week: f64,
    pub answered_share: f64,
    pub aht_s: f64,
    pub erlangs: f64,
    pub agents: u32,
    pub scheduled: u32,
    pub service_level: f64,
    pub asa_s: f64,
    pub occupancy: f64,
    /// Erlang A at `agents` with the estimated patience.
    pub p_abandon: Option<f64>,
}

/// Mean patience (s): time waited by every caller ÷ callers who hung up (the
/// exponential estimate with censoring). None when nobody abandoned.
pub fn patience_s(m: &Model) -> Option<f64> {
    let (mut waited, mut gave_up) = (0i64, 0u32);
    for c in &m.inbound {
        match (c.answered, c.ended) {
            (Some(a), _) => waited += (a - c.started).max(0),
            (None, Some(e)) => {
                waited += (e - c.started).max(0);
                gave_up += 1;
            }
            _ => {}
        }
    }
    (gave_up > 0).then(|| waited as f64 / gave_up as f64)
}

/// Per business-hour block (calls outside business hours reach a closed line
/// and are left out). A block with fewer than 5 answered calls uses the mean
/// handle time of all answered calls.
pub fn table(m: &Model) -> BTreeMap<(u8, u8), Row> {
    let st = &m.practice.staffing;
    let weeks = m.weeks();
    let patience = patience_s(m);
    let open = super::recommend::business_blocks(m);
    let mut acc: BTreeMap<(u8, u8), (u32, u32, i64)> = BTreeMap::new();
    let (mut all_n, mut all_talk) = (0u32, 0i64);
    for c in &m.inbound {
        if let (Some(a), Some(end)) = (c.answered, c.ended) {
            all_n += 1;
            all_talk += (end - a).max(0);
        }
    }
    let mean_aht = all_talk as f64 / all_n.max(1) as f64;
    for c in &m.inbound {
        let b = block_of(&m.practice, c.started);
        if !open.contains(&b) {
            continue;
        }
        let e = acc.entry(b).or_default();
        e.0 += 1;
        if let (Some(a), Some(end)) = (c.answered, c.ended) {
            e.1 += 1;
            e.2 += (end - a).max(0);
        }
    }
    acc.into_iter()
        .map(|(k, (n, answered, talk))| {
            let aht = if answered >= 5 {
                talk as f64 / answered as f64
            } else {
                mean_aht
            };
            let load = Load {
                calls: n as f64 / weeks,
                interval_s: 3600.0,
                aht_s: aht.max(1.0),
            };
            let s = required_c(
                load,
                st.answer_within_s,
                st.service_level,
                st.max_occupancy,
                st.shrinkage,
            );
            let row = Row {
                calls_per_week: load.calls,
                answered_share: answered as f64 / n as f64,
                aht_s: aht,
                erlangs: load.erlangs(),
                agents: s.agents,
                scheduled: s.scheduled,
                service_level: s.performance.service_level,
                asa_s: s.performance.asa_s,
                occupancy: s.performance.occupancy,
                p_abandon: patience.map(|p| {
                    evaluate_a(load, s.agents, st.answer_within_s, p)
                        .p_abandon
                        .unwrap_or(0.0)
                }),
            };
            (k, row)
        })
        .collect()
}
