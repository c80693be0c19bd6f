//! Staffing: the inbound line (Erlang C / A) and deferred callback work.

pub mod erlang;
