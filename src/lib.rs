//! `followup`: batch reporting and analytics for the patient follow-up and callback
//! work of medical practices. See DESIGN.md for the architecture; this crate is the
//! library, `src/main.rs` the thin binary.

pub mod cli;
pub(crate) mod clock;
pub(crate) mod cmd;
pub mod config;
pub(crate) mod error;
pub(crate) mod failpoint;
pub(crate) mod findings;
pub mod ingest;
pub mod lake;
pub(crate) mod lists;
pub(crate) mod logging;
pub(crate) mod metrics;
pub(crate) mod model;
pub(crate) mod pipeline;
pub mod privacy;
pub(crate) mod publish;
pub(crate) mod query;
pub(crate) mod render;
pub(crate) mod report;
pub(crate) mod sample;
pub(crate) mod staffing;
pub(crate) mod workers;
