//! The run of the stages, in order: ingest → model → metrics → report → lists →
//! staffing. Commands parse their arguments and call in here; nothing here knows
//! the command line.
//!
//! Imports flow one way: cmd → pipeline → {report, lists, staffing} → metrics →
//! model → lake, config (checked by `layers`).

pub mod days;
pub mod manifest;
pub mod nightly;
pub mod pilot;
pub mod weekly;

#[cfg(test)]
mod layers;
