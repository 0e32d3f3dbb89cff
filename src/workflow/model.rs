//! The workflow definition format, version 1 (design.md §2).
//!
//! These types are the single source of truth for the format: the loader decodes into them,
//! the store saves them as JSON, and `alpha workflow schema` derives the JSON Schema from them.

use indexmap::IndexMap;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::duration::HumanDuration;
use super::size::ByteSize;

/// A complete workflow definition.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
#[schemars(title = "alpha workflow", description = "A saved, runnable alpha workflow (format v1)")]
pub struct Workflow {
    /// Unique name in the library, 1-100 characters.
    pub name: String,
    /// Semantic version of this definition.
    #[serde(default = "default_version")]
    pub version: String,
    /// What the workflow does, in a sentence.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Who wrote it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub author: Option<String>,
    /// Free-form labels used by `workflow list --tags`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// Typed inputs, referenced as `{{ name }}` or `{{ params.name }}`.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, Parameter>,
    /// What starts the workflow besides an explicit run.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    /// How steps are scheduled.
    #[serde(default, skip_serializing_if = "Execution::is_default")]
    pub execution: Execution,
    /// The directory steps run in (interpolated, `~` expanded); without one, a CLI or chat run
    /// uses the caller's directory and a scheduled run the one recorded when it was saved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workdir: Option<String>,
    /// Worker tags a queued run of it needs (`alpha worker --tags`): only a worker with every
    /// one of them takes it; without any, any worker does. A scheduled run of a workflow with
    /// tags is queued for such a worker instead of running in the scheduler.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub runs_on: Vec<String>,
    /// The steps, in order.
    pub steps: Vec<Step>,
    /// Named results of the run, rendered after the last step.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub outputs: IndexMap<String, String>,
}

/// The version a definition gets when it names none.
pub fn default_version() -> String {
    "1.0.0".to_string()
}

/// A declared input of a workflow.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Parameter {
    /// The value type; command-line values are converted to it.
    #[serde(rename = "type", default)]
    pub kind: ParamType,
    /// Used when the run gives no value.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<Value>,
    /// Whether a value must be given; defaults to true when there is no default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub required: Option<bool>,
    /// Shown in help, completion and `workflow show`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The only values allowed.
    #[serde(rename = "enum", default, skip_serializing_if = "Option::is_none")]
    pub choices: Option<Vec<Value>>,
    /// A regular expression string values must match in full.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pattern: Option<String>,
}

impl Parameter {
    /// `required` as the format defines it: explicit, else true exactly when there is no default.
    pub fn is_required(&self) -> bool {
        self.required.unwrap_or(self.default.is_none())
    }
}

/// Parameter value types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ParamType {
    /// Text (the default type).
    #[default]
    String,
    /// A whole number.
    Integer,
    /// Any number.
    Number,
    /// true or false (also yes/no, on/off, 1/0 on the command line).
    Boolean,
    /// A JSON array (or comma-separated values on the command line).
    Array,
    /// A JSON object.
    Object,
    /// A filesystem path; `~` is expanded.
    Path,
    /// Text that is never stored, logged or echoed.
    Secret,
}

impl ParamType {
    /// Every type, in the order the docs list them.
    pub const ALL: [ParamType; 8] = [
        ParamType::String,
        ParamType::Integer,
        ParamType::Number,
        ParamType::Boolean,
        ParamType::Array,
        ParamType::Object,
        ParamType::Path,
        ParamType::Secret,
    ];

    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            ParamType::String => "string",
            ParamType::Integer => "integer",
            ParamType::Number => "number",
            ParamType::Boolean => "boolean",
            ParamType::Array => "array",
            ParamType::Object => "object",
            ParamType::Path => "path",
            ParamType::Secret => "secret",
        }
    }
}

/// What starts a workflow.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(tag = "type", rename_all = "lowercase", deny_unknown_fields)]
pub enum Trigger {
    /// Run on request (CLI, chat).
    Manual,
    /// Run at the times a cron expression gives.
    Schedule {
        /// 5-field cron: minute hour day-of-month month day-of-week (1 = Monday).
        cron: String,
        /// IANA time zone such as Europe/Berlin; the local zone when absent.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timezone: Option<String>,
    },
}

/// How the steps of a run are scheduled.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Execution {
    /// `sequential` runs steps in order; `dag` runs each as soon as its dependencies are done.
    #[serde(default)]
    pub mode: ExecutionMode,
    /// Upper bound on steps running at once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_parallel: Option<u32>,
    /// Limit for the whole run.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<HumanDuration>,
    /// How much of each step's stdout, stderr, http body or file read a result keeps (head and
    /// tail; the whole stream is in the step's log file). Default 1 MiB.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_limit: Option<ByteSize>,
}

impl Execution {
    fn is_default(&self) -> bool {
        *self == Execution::default()
    }
}

/// Step scheduling modes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum ExecutionMode {
    /// One step after another, in file order.
    #[default]
    Sequential,
    /// Every step as soon as its dependencies have finished.
    Dag,
}

/// One entry of `steps`: a tool call, a parallel group, or a branch.
// A definition holds tens of steps at most; boxing the common variant would cost more in code
// than its size costs in memory.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum Step {
    /// A call of one tool action. First, since most steps are: an untagged enum tries its
    /// variants in order, and a tool step refuses the others' keys (`parallel`, `then`).
    Tool(ToolStep),
    /// Members run concurrently; the group ends when all of them end.
    Parallel(ParallelGroup),
    /// `if` / `then` / `else`.
    Branch(Branch),
}

impl Step {
    /// The step's id, where it has one (groups may be anonymous).
    pub fn id(&self) -> Option<&str> {
        match self {
            Step::Tool(step) => Some(step.id.as_str()).filter(|id| !id.is_empty()),
            Step::Branch(branch) => Some(branch.id.as_str()),
            Step::Parallel(group) => group.id.as_deref(),
        }
    }

    /// Steps `depends_on` names explicitly.
    pub fn depends_on(&self) -> &[String] {
        match self {
            Step::Tool(step) => &step.depends_on,
            Step::Branch(branch) => &branch.depends_on,
            Step::Parallel(group) => &group.depends_on,
        }
    }
}

/// A group of steps that run concurrently.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParallelGroup {
    /// Optional id of the group.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    /// Optional display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Steps that must finish before the group starts (dag mode).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// The members.
    pub parallel: Vec<Step>,
}

/// A conditional: `then` runs when `if` is true, `else` otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Branch {
    /// Unique step id.
    pub id: String,
    /// Optional display name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Steps that must finish first (dag mode).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// A MiniJinja expression, with or without `{{ }}`.
    #[serde(rename = "if")]
    pub condition: String,
    /// Steps run when the condition is true.
    pub then: Vec<Step>,
    /// Steps run when it is false.
    #[serde(rename = "else", default, skip_serializing_if = "Vec::is_empty")]
    pub otherwise: Vec<Step>,
}

/// A call of one action of one tool.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ToolStep {
    /// Unique id matching `[a-z_][a-z0-9_]*`; later steps read the result as `{{ id.output }}`.
    /// Optional only for fallback steps.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub id: String,
    /// Display name used in progress lines.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Tool: shell, http, file, notification, llm, email, workflow, or an external `alpha-tool-NAME`.
    pub tool: String,
    /// Action of the tool, e.g. `run` for shell.
    pub action: String,
    /// Action parameters; string values may contain `{{ }}` references.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub parameters: IndexMap<String, Value>,
    /// Skip the step unless this expression is true.
    #[serde(rename = "if", default, skip_serializing_if = "Option::is_none")]
    pub condition: Option<String>,
    /// Steps that must finish first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Limit for one attempt.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timeout: Option<HumanDuration>,
    /// How much of this step's output its result keeps, overriding the workflow's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub output_limit: Option<ByteSize>,
    /// The directory this step runs in, overriding the workflow's (relative to it when relative).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub workdir: Option<String>,
    /// What a failure does to the run.
    #[serde(default, skip_serializing_if = "OnError::is_default")]
    pub on_error: OnError,
    /// Retry policy, used when `on_error` is `retry`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry: Option<Retry>,
    /// Steps run when this one fails and `on_error` is `fallback`.
    #[serde(default, skip_serializing_if = "Vec::is_empty", deserialize_with = "one_or_many")]
    #[schemars(with = "FallbackSchema")]
    pub fallback: Vec<ToolStep>,
}

impl ToolStep {
    /// What progress lines and messages call the step: its name, else its id.
    pub fn label(&self) -> String {
        self.name.clone().unwrap_or_else(|| self.id.clone())
    }
}

/// Schema-only shape of `fallback`: one step or a list.
#[derive(JsonSchema)]
#[serde(untagged)]
#[allow(dead_code)]
enum FallbackSchema {
    One(Box<ToolStep>),
    Many(Vec<ToolStep>),
}

fn one_or_many<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<Vec<ToolStep>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(Box<ToolStep>),
        Many(Vec<ToolStep>),
    }
    Ok(match OneOrMany::deserialize(deserializer)? {
        OneOrMany::One(step) => vec![*step],
        OneOrMany::Many(steps) => steps,
    })
}

/// Per-step error strategies (design.md §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum OnError {
    /// The run fails and later steps do not run.
    #[default]
    Abort,
    /// Try again per `retry`, then apply `retry.then`.
    Retry,
    /// Run the `fallback` steps; recovered if they succeed.
    Fallback,
    /// Record the failure and go on.
    #[serde(alias = "continue")]
    LogAndContinue,
    /// Treat the step as skipped.
    Skip,
}

impl OnError {
    fn is_default(&self) -> bool {
        *self == OnError::Abort
    }

    /// The name used in files.
    pub fn as_str(self) -> &'static str {
        match self {
            OnError::Abort => "abort",
            OnError::Retry => "retry",
            OnError::Fallback => "fallback",
            OnError::LogAndContinue => "log_and_continue",
            OnError::Skip => "skip",
        }
    }
}

/// Retry policy, after AWS Step Functions' retrier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Retry {
    /// Attempts in total, the first included.
    #[serde(default = "default_attempts")]
    pub max_attempts: u32,
    /// How the wait grows between attempts.
    #[serde(default)]
    pub backoff: Backoff,
    /// The first wait.
    #[serde(default = "default_delay")]
    pub delay: HumanDuration,
    /// Cap on any single wait.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_delay: Option<HumanDuration>,
    /// Full jitter: wait a uniform random time up to the computed delay.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub jitter: bool,
    /// What happens once the attempts are spent (default abort).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub then: Option<OnError>,
    /// Only retry these exit codes or error kinds (timeout, http_5xx, network).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub retry_on: Vec<RetryOn>,
}

impl Default for Retry {
    fn default() -> Self {
        Retry {
            max_attempts: default_attempts(),
            backoff: Backoff::default(),
            delay: default_delay(),
            max_delay: None,
            jitter: false,
            then: None,
            retry_on: Vec::new(),
        }
    }
}

fn default_attempts() -> u32 {
    3
}

fn default_delay() -> HumanDuration {
    HumanDuration::from_secs(1)
}

/// Growth of the wait between attempts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "lowercase")]
pub enum Backoff {
    /// Always `delay`.
    Fixed,
    /// `delay × n`.
    Linear,
    /// `delay × 2^(n-1)`, capped by `max_delay`.
    #[default]
    Exponential,
}

/// A failure that `retry_on` accepts: an exit code or an error kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum RetryOn {
    /// A process exit code.
    ExitCode(i32),
    /// `timeout`, `http_5xx` or `network`.
    Kind(ErrorKind),
}

/// Kinds of failure a retry policy can select.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    /// The attempt ran out of time.
    Timeout,
    /// An HTTP server answered 5xx.
    #[serde(rename = "http_5xx")]
    Http5xx,
    /// A connection could not be made or broke.
    Network,
}
