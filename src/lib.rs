//! `followup`: batch reporting and analytics for the patient follow-up and callback
//! work of medical practices. See DESIGN.md for the architecture; this crate is the
//! library, `src/main.rs` the thin binary.

pub mod cli;
pub mod clock;
pub mod cmd;
pub mod config;
pub mod error;
pub mod failpoint;
pub mod ingest;
pub mod lake;
pub mod lists;
pub mod logging;
pub mod metrics;
pub mod model;
pub mod pipeline;
pub mod privacy;
pub mod publish;
pub mod query;
pub mod render;
pub mod report;
pub mod sample;
pub mod staffing;
