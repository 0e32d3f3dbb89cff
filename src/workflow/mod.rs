//! Workflow definitions: the format's types, loading with precise diagnostics, validation,
//! and the JSON Schema.

pub mod catalog;
pub mod cron;
pub mod decode;
pub mod duration;
pub mod load;
pub mod locate;
pub mod model;
pub mod schema;
pub mod size;
pub mod validate;
pub mod yaml;

pub use duration::HumanDuration;
pub use load::{Document, Format, load_file, to_text};
pub use model::*;
pub use size::ByteSize;
