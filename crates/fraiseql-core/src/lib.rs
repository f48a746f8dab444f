//! FraiseQL's pure core: the schema model, GraphQL → plan → SQL, and response
//! assembly. Nothing here does I/O; the server crate runs what this crate plans.

pub mod authz;
pub mod error;
mod introspection;
pub mod naming;
pub mod operators;
pub mod plan;
pub mod response;
pub mod scalars;
pub mod schema;
pub mod shape;
pub mod sql;

pub use error::{GqlError, SchemaError};
pub use plan::{Engine, EngineOptions, Plan, Prepared, RequestFailure, Step};
pub use schema::{CompiledSchema, SchemaOptions};
