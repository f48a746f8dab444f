//! The server's integration tests, one binary: each module makes its own database.

mod auth;
mod golden;
mod http;
mod mutations;
mod property;
mod relations;
mod result_cache;
mod shared_plans;
mod support;
