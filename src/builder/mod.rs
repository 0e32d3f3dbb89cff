//! The builder (design.md §1): drafts workflows from conversation, interactive prompts or the
//! commands the user just ran, validates them, shows them, and saves only after a yes.

pub mod catalog;
pub mod dialog;
pub mod draft;
pub mod edit;
pub mod interactive;
pub mod llm_draft;
pub mod recent;

pub use dialog::{Dialog, Reply};

use std::path::Path;

use crate::error::Result;

/// Starts a builder conversation: with an LLM configured and a description given, the LLM drafts
/// (validated and repaired); otherwise, or when that fails, the rule-based drafter does.
pub fn start(description: Option<&str>, name: Option<&str>, dir: &Path) -> Result<(Dialog, Vec<String>)> {
    if let (Some(description), Some(endpoint)) = (description.filter(|d| !d.trim().is_empty()), crate::llm::endpoint()?)
    {
        match llm_draft::draft(&endpoint, description) {
            llm_draft::Drafted::Valid(workflow, notes) => {
                let (dialog, mut lines) = Dialog::from_draft(*workflow, name, dir);
                let mut intro = vec!["I'll create a workflow for you. The LLM drafted it:".to_string()];
                intro.append(&mut notes.clone());
                intro.append(&mut lines);
                return Ok((dialog, intro));
            }
            llm_draft::Drafted::Failed(why) => {
                let (dialog, mut lines) = Dialog::start(Some(description), name, dir);
                let mut intro =
                    vec![format!("The LLM could not produce a valid draft ({why}); I'll draft it from my own rules.")];
                intro.append(&mut lines);
                return Ok((dialog, intro));
            }
        }
    }
    Ok(Dialog::start(description, name, dir))
}
