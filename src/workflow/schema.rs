//! The JSON Schema of the workflow format, derived from the Rust types so it can't drift.

use super::model::Workflow;

/// The schema as pretty-printed JSON, ending in a newline.
pub fn json_schema() -> String {
    let schema = schemars::schema_for!(Workflow);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
