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
        /// Only runs that ended so: completed, partial, failed or interrupted.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<String>,
        /// Only runs started at or after this time (RFC 3339).
        #[serde(default, skip_serializing_if = "Option::is_none")]
        since: Option<String>,
        /// How many runs at most ("the last 5 runs"); the face's own number when not said.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        limit: Option<usize>,
    },
    /// The last run again ("run it again", "again with branch dev"), with some parameters
    /// changed.
    Rerun {
        /// Name, or null for the last run of any workflow.
        #[serde(default)]
        workflow: Option<String>,
        /// Changes to the last run's parameters.
        #[serde(default)]
        params: IndexMap<String, String>,
        /// The newest run that did not succeed ("rerun the failed one") rather than the newest.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        failed: bool,
    },
    /// Why a run failed, or what it did ("why did it fail?").
    Explain {
        /// Name, or null for the last run.
        #[serde(default)]
        workflow: Option<String>,
        /// A run id (or its first characters), or null for the last.
        #[serde(default)]
        run: Option<String>,
    },
    /// Schedules and their next fires.
    Schedules {
        /// Name, or null for all.
        #[serde(default)]
        workflow: Option<String>,
    },
    /// The built-in templates.
    Templates,
    /// A workflow's saved versions.
    Versions {
        /// Name.
        workflow: String,
    },
    /// Make an earlier version the current one again (saved as a new version; nothing is lost).
    Rollback {
        /// Name.
        workflow: String,
        /// The version to go back to; null for the one before the current.
        #[serde(default)]
        version: Option<String>,
    },
    /// Give a workflow another name ("rename greet to say hello"); it keeps its versions,
    /// runs and schedules.
    Rename {
        /// Name.
        workflow: String,
        /// The new name, as typed.
        to: String,
    },
    /// What a run's steps printed: the run `run`, else the last run of `workflow`, else the
    /// last run.
    Logs {
        /// Name, or null.
        #[serde(default)]
        workflow: Option<String>,
        /// A run id (or its first characters), or null.
        #[serde(default)]
        run: Option<String>,
    },
    /// Small talk that needs only a short polite answer.
    Thanks,
    /// Export a workflow.
    Export {
        /// Name.
        workflow: String,
        /// Destination file, or null for stdout.
        #[serde(default)]
        file: Option<String>,
        /// "json" or "yaml" when the line says which ("export X as json"); else the file's
        /// extension decides, and YAML without a file.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        format: Option<String>,
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
        /// Parameters every scheduled run gets ("… daily at 6pm with branch main").
        #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
        params: IndexMap<String, String>,
    },
    /// Create a workflow.
    Create {
        /// What it should do, in the user's words.
        #[serde(default)]
        description: Option<String>,
        /// Its name.
        #[serde(default)]
        name: Option<String>,
        /// `/create` alone: ask the specification's prompts one by one.
        #[serde(default, skip_serializing_if = "std::ops::Not::not")]
        interactive: bool,
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
    /// Change a saved workflow in words ("add a notification step to Backup Files"); shown as a
    /// diff and saved as a new version only after yes.
    Change {
        /// Canonical name, or the words as typed.
        workflow: String,
        /// What to change.
        change: Change,
    },
    /// Recommendations from recorded runs ("how can I make the backup faster?").
    Optimize {
        /// Canonical name, or the words as typed.
        workflow: String,
    },
    /// Save a copy of a built-in template ("use the backup template as Nightly Backup").
    #[serde(rename = "use_template")]
    UseTemplate {
        /// The template, as typed.
        template: String,
        /// The new workflow's name, or null for the template's.
        #[serde(default)]
        name: Option<String>,
    },
    /// Save the commands just run in the chat (`!git pull`, …) as a workflow.
    #[serde(rename = "save_recent")]
    SaveRecent {
        /// The last N commands; 0 means all since the last save.
        count: usize,
        /// The new workflow's name, or null to be asked.
        #[serde(default)]
        name: Option<String>,
    },
    /// Run the rest of a saved workflow whose first steps were just typed by hand.
    #[serde(rename = "run_rest")]
    RunRest,
    /// Run a shell command in place (`!git status`).
    Shell {
        /// The command line.
        command: String,
    },
    /// Open the web dashboard (the chat serves it while it is open).
    Dashboard,
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

/// A change to a saved workflow, in the user's words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum Change {
    /// Append a step from the phrase catalog ("a notification step").
    Add {
        /// What to add, as typed.
        what: String,
    },
    /// Make a step retry.
    Retry {
        /// The step, as typed.
        step: String,
        /// Attempts in total.
        times: u32,
    },
    /// Remove a step.
    Remove {
        /// The step, as typed.
        step: String,
    },
    /// Give a shell step another command ("change the lint step to run cargo clippy").
    Command {
        /// The step, as typed ("lint", "2").
        step: String,
        /// The new command line.
        command: String,
    },
    /// Give a step another display name ("rename the fetch step to download"). Its id, which
    /// other steps' `{{ }}` references and `depends_on` use, stays.
    Rename {
        /// The step, as typed.
        step: String,
        /// The new name.
        to: String,
    },
    /// Limit how long one attempt of a step may run ("set a 5 minute timeout on the fetch step").
    Timeout {
        /// The step, as typed.
        step: String,
        /// The limit, in seconds.
        seconds: u64,
    },
}

impl Intent {
    /// Whether acting on this intent only reads (lists, shows, explains), so a loose reading of
    /// it may act without asking.
    pub fn only_reads(&self) -> bool {
        matches!(
            self,
            Intent::List { .. }
                | Intent::Show { .. }
                | Intent::History { .. }
                | Intent::Explain { .. }
                | Intent::Logs { .. }
                | Intent::Versions { .. }
                | Intent::Schedules { .. }
                | Intent::Templates
                | Intent::Suggest
                | Intent::Help
                | Intent::Dashboard
                | Intent::Thanks
                | Intent::Validate { .. }
        )
    }
}
