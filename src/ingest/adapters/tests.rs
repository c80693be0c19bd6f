//! Adapter unit tests.
