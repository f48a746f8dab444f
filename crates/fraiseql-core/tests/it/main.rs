//! The core's integration tests, one binary.

mod conformance;
