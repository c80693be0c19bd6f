//! The model: business-time clock, call ↔ task linking, task timeline facts.

pub mod attempts;
pub mod clock;
pub mod day;
pub mod domain;
pub mod rules;
pub mod spans;
