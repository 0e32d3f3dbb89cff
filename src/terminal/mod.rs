//! What the terminal faces share: styling, run progress, the text of each report, questions,
//! and the editor. The CLI prints these lines; the chat shell prints the same lines in its
//! conversation, so the two never disagree.

pub mod editor;
pub mod intent;
pub mod progress;
pub mod prompt;
pub mod style;
pub mod text;
pub mod visible;

pub use style::{Output, stderr_color};
