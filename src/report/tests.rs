//! Snapshot tests of the pure builders and renderers on hand-built inputs.
