//! The model: business-time clock, call ↔ task linking, task timeline facts.

pub mod attempts;
pub mod clock;
pub mod columns;
pub mod day;
pub mod domain;
mod fact_columns;
pub mod facts;
mod facts_inputs;
pub mod load;
pub mod local_time;
pub mod notes;
pub mod numbers;
pub mod rules;
pub mod spans;
pub mod store;
