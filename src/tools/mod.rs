//! Tools that steps call, behind one trait and a registry (design.md §4). Built in: shell, http,
//! file, notification, llm, email (Maildir); any other name is an external `alpha-tool-NAME` executable. The
//! `workflow` tool lives in the executor, which it calls back into.

pub mod capture;
pub mod email;
pub mod external;
pub mod file;
pub mod http;
pub mod llm;
pub mod notification;
pub mod processes;
pub mod shell;

use std::collections::HashMap;
use std::time::Instant;

use futures_util::future::BoxFuture;
use serde_json::{Map, Value};
use tokio::sync::watch;

use crate::workflow::{ErrorKind, catalog};

/// Receives each line a tool streams: the stream's name (`stdout`, `stderr`) and the line.
pub type LineSink = std::sync::Arc<dyn Fn(&str, &str) + Send + Sync>;

/// What a tool is asked to do.
pub struct Request {
    /// The action, e.g. `run`.
    pub action: String,
    /// Rendered parameters.
    pub params: Map<String, Value>,
    /// The step's id (for events).
    pub step_id: String,
    /// The run's id.
    pub run_id: String,
    /// When the attempt must end.
    pub deadline: Option<Instant>,
    /// Becomes true when the run is cancelled.
    pub cancel: watch::Receiver<bool>,
    /// Where to stream output lines as they come, when the run is verbose.
    pub verbose: Option<LineSink>,
    /// Every form of the run's secrets ([`crate::secrets::forms`]), for tools that print or
    /// write text themselves, computed once per run.
    pub secret_forms: std::sync::Arc<[String]>,
    /// The directory the step runs in (`None`: alpha's own); relative paths are relative to it.
    pub workdir: Option<std::path::PathBuf>,
    /// Shows a line to the person watching the run (a terminal notification); the face that
    /// renders the run decides where it appears.
    pub notice: Notice,
    /// How many bytes of each output the result keeps.
    pub output_limit: u64,
    /// Where the attempt's output goes whole (created on the first byte); `None`: nowhere.
    pub log: Option<capture::SharedLog>,
    /// Process groups the run stops when it ends (background processes of finished steps).
    pub groups: processes::Groups,
}

/// Receives a line a tool wants a person to see.
pub type Notice = std::sync::Arc<dyn Fn(&str) + Send + Sync>;

impl Request {
    /// `text` with the run's secrets replaced by `***`.
    pub fn scrub(&self, text: &str) -> String {
        crate::secrets::mask(text, &self.secret_forms)
    }

    /// A path a step names: `~` expanded, relative to the step's directory.
    pub fn path_of(&self, text: &str) -> std::path::PathBuf {
        let path = std::path::PathBuf::from(crate::paths::expand_home(text));
        match &self.workdir {
            Some(dir) if path.is_relative() => dir.join(path),
            _ => path,
        }
    }

    /// A stream of this attempt's output called `name`, bounded, masked, logged and shown.
    pub fn stream(&self, name: &'static str) -> capture::Stream {
        capture::Stream::new(name, self.output_limit, self.secret_forms.clone(), self.log.clone(), self.verbose.clone())
    }

    /// The attempt's log file, once something was written to it.
    pub fn log_path(&self) -> Option<String> {
        self.log.as_ref().and_then(|log| log.lock().ok().and_then(|mut log| log.written()))
    }

    /// A string parameter.
    pub fn str(&self, key: &str) -> Option<&str> {
        self.params.get(key).and_then(Value::as_str)
    }

    /// A string parameter that must be present.
    pub fn required(&self, key: &str) -> Result<&str, Failure> {
        self.str(key).ok_or_else(|| Failure::new(format!("missing parameter `{key}`")))
    }
}

/// A tool's failure: the message, its kind for `retry_on`, and any result fields it produced.
#[derive(Debug, Clone, Default)]
pub struct Failure {
    /// What went wrong.
    pub message: String,
    /// timeout, http_5xx, network.
    pub kind: Option<ErrorKind>,
    /// Process exit code.
    pub exit_code: Option<i32>,
    /// Partial result fields (stdout, stderr, status_code, …).
    pub fields: Map<String, Value>,
    /// The run was cancelled.
    pub cancelled: bool,
}

impl Failure {
    /// A plain failure.
    pub fn new(message: impl Into<String>) -> Self {
        Failure { message: message.into(), ..Failure::default() }
    }

    /// A failure of a kind `retry_on` can select.
    pub fn kind(message: impl Into<String>, kind: ErrorKind) -> Self {
        Failure { message: message.into(), kind: Some(kind), ..Failure::default() }
    }
}

/// Result fields on success.
pub type Outcome = Result<Map<String, Value>, Failure>;

/// A tool.
pub trait Tool: Send + Sync {
    /// Performs one attempt.
    fn call(&self, request: Request) -> BoxFuture<'_, Outcome>;
}

/// Tools by name.
pub struct Registry {
    tools: HashMap<&'static str, Box<dyn Tool>>,
}

impl Default for Registry {
    fn default() -> Self {
        let mut tools: HashMap<&'static str, Box<dyn Tool>> = HashMap::new();
        tools.insert("shell", Box::new(shell::Shell));
        tools.insert("http", Box::new(http::Http::default()));
        tools.insert("file", Box::new(file::File));
        tools.insert("notification", Box::new(notification::Notification::default()));
        tools.insert("llm", Box::new(llm::Llm::default()));
        tools.insert("email", Box::new(email::Email));
        Registry { tools }
    }
}

impl Registry {
    /// The tool for `name` (aliases resolved); external tools are looked up on PATH.
    pub fn get(&self, name: &str) -> Option<&dyn Tool> {
        let canonical = catalog::builtin(name).map_or(name, |spec| spec.name);
        self.tools.get(canonical).map(|tool| tool.as_ref())
    }
}

/// Wraps text as a JSON string value.
/// An error and its causes on one line, skipping a cause its parent already quotes.
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut detail = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let text = cause.to_string();
        if !detail.contains(&text) {
            detail = format!("{detail}: {text}");
        }
        source = cause.source();
    }
    detail
}

/// A JSON string.
pub fn text(value: impl Into<String>) -> Value {
    Value::String(value.into())
}
