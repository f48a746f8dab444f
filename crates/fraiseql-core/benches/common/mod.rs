//! Shared by the benches: the demo schema bound to a hand-made catalog of the demo
//! views' real columns (crates/fraiseql/demo/demo.sql), as the server reads them.

use std::collections::HashMap;
use std::sync::Arc;

use fraiseql_core::{CompiledSchema, SchemaOptions};

const DEMO_SDL: &str = include_str!("../../../fraiseql/demo/schema.graphql");

fn columns(cols: &[(&str, &str)]) -> Option<Vec<(String, String)>> {
    Some(
        cols.iter()
            .map(|(n, t)| ((*n).to_owned(), (*t).to_owned()))
            .collect(),
    )
}

/// The demo schema bound to the demo views' columns, as the server reads them with `format_type`.
pub(crate) fn schema() -> Arc<CompiledSchema> {
    let sources = [("schema.graphql".to_owned(), DEMO_SDL.to_owned())];
    let mut schema =
        CompiledSchema::build(&sources, &SchemaOptions::default()).expect("demo schema builds");
    const TS: &str = "timestamp with time zone";
    let catalog = HashMap::from([
        (
            "\"v_user\"".to_owned(),
            columns(&[
                ("id", "uuid"),
                ("username", "text"),
                ("is_active", "boolean"),
                ("created_at", TS),
                ("data", "jsonb"),
            ]),
        ),
        (
            "\"v_post\"".to_owned(),
            columns(&[
                ("id", "uuid"),
                ("author_id", "uuid"),
                ("is_published", "boolean"),
                ("view_count", "integer"),
                ("created_at", TS),
                ("published_at", TS),
                ("data", "jsonb"),
            ]),
        ),
        (
            "\"v_comment\"".to_owned(),
            columns(&[
                ("id", "uuid"),
                ("post_id", "uuid"),
                ("author_id", "uuid"),
                ("created_at", TS),
                ("data", "jsonb"),
            ]),
        ),
    ]);
    schema.bind(&catalog).expect("demo schema binds");
    Arc::new(schema)
}
