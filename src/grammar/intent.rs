//! The grammar's output: the intent of an utterance (design.md §6), shared with the LLM fallback.

use super::*;

/// What the user wants (the grammar's and the LLM's common output).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "intent", rename_all = "lowercase")]
pub enum Intent {
    /// Run a workflow.
    Run {
        /// Canonical name, or the words as typed.
        workflow: String,
        /// Parameters as strings.
        #[serde(default)]
        params: IndexMap<String, String>,
    },
    /// List workflows.
    List {
        /// Tags to filter by.
        #[serde(default)]
        tags: Vec<String>,
        /// Search text.
        #[serde(default)]
        search: Option<String>,
    },
    /// Show a workflow.
    Show {
        /// Name.
        workflow: String,
    },
    /// Edit a workflow.
    Edit {
        /// Name.
        workflow: String,
    },
    /// Delete a workflow.
    Delete {
        /// Name.
        workflow: String,
    },
    /// Run history, of one workflow or all.
    History {
        /// Name, or null for all.
        #[serde(default)]
        workflow: Option<String>,
    },
    /// Export a workflow.
    Export {
        /// Name.
        workflow: String,
        /// Destination file, or null for stdout.
        #[serde(default)]
        file: Option<String>,
    },
    /// Remove a workflow's schedule.
    Unschedule {
        /// Name.
        workflow: String,
    },
    /// Schedule a workflow.
    Schedule {
        /// Name.
        workflow: String,
        /// 5-field cron.
        cron: String,
        /// IANA zone.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timezone: Option<String>,
    },
    /// Create a workflow.
    Create {
        /// What it should do, in the user's words.
        #[serde(default)]
        description: Option<String>,
        /// Its name.
        #[serde(default)]
        name: Option<String>,
    },
    /// Import a file.
    Import {
        /// The file.
        file: String,
    },
    /// Validate a file.
    Validate {
        /// The file.
        file: String,
    },
    /// Suggest workflows from history.
    Suggest,
    /// Show help.
    Help,
    /// Leave.
    Quit,
    /// Not understood.
    Unknown {
        /// Close phrasings the user may have meant.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        did_you_mean: Vec<String>,
    },
}

/// Where an intent came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// This grammar.
    Grammar,
    /// The LLM fallback.
    Llm,
}

/// An intent with its source, as `alpha parse --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parsed {
    /// The intent.
    #[serde(flatten)]
    pub intent: Intent,
    /// grammar or llm.
    pub source: Source,
}
