//! The model: business-time clock, call ↔ task linking, task timeline facts.

pub mod clock;
