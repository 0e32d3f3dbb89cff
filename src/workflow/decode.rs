//! Turns a parsed document (a JSON value tree) into a [`Workflow`], reporting every structural
//! problem at once: unknown keys (with "did you mean"), missing fields and wrong types.
//!
//! Each object is checked key by key before serde builds it, so one bad step does not hide the
//! errors of the next.

use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::duration::HumanDuration;
use super::locate::{child, item};
use super::model::Workflow;
use super::size::ByteSize;
use crate::diagnostic::{Diagnostic, Target, did_you_mean};

const WORKFLOW_KEYS: &[&str] = &[
    "name",
    "version",
    "description",
    "author",
    "tags",
    "parameters",
    "triggers",
    "execution",
    "workdir",
    "runs_on",
    "steps",
    "outputs",
];
const PARAMETER_KEYS: &[&str] = &["type", "default", "required", "description", "enum", "pattern"];
const PARAMETER_TYPES: &[&str] = &["string", "integer", "number", "boolean", "array", "object", "path", "secret"];
const EXECUTION_KEYS: &[&str] = &["mode", "max_parallel", "timeout", "output_limit"];
const TOOL_STEP_KEYS: &[&str] = &[
    "id",
    "name",
    "tool",
    "action",
    "parameters",
    "if",
    "depends_on",
    "timeout",
    "workdir",
    "output_limit",
    "on_error",
    "retry",
    "fallback",
];
const BRANCH_KEYS: &[&str] = &["id", "name", "depends_on", "if", "then", "else"];
const GROUP_KEYS: &[&str] = &["id", "name", "depends_on", "parallel"];
const RETRY_KEYS: &[&str] = &["max_attempts", "backoff", "delay", "max_delay", "jitter", "then", "retry_on"];
const ON_ERROR: &[&str] = &["abort", "retry", "fallback", "log_and_continue", "skip", "continue"];
const RETRY_KINDS: &[&str] = &["timeout", "http_5xx", "network"];

/// Collects diagnostics while walking a document.
struct Decoder {
    diagnostics: Vec<Diagnostic>,
}

/// Decodes `value`; on any problem returns every diagnostic found.
pub fn decode(value: &Value) -> Result<Workflow, Vec<Diagnostic>> {
    let mut decoder = Decoder { diagnostics: Vec::new() };
    decoder.workflow(value);
    if !decoder.diagnostics.is_empty() {
        return Err(decoder.diagnostics);
    }
    // Straight from the tree, without copying it.
    <Workflow as serde::Deserialize>::deserialize(value)
        .map_err(|error| vec![Diagnostic::new(Target::Value(String::new()), error.to_string())])
}

/// A short description of a value's type for "expected X, found Y" messages.
pub fn kind_of(value: &Value) -> &'static str {
    match value {
        Value::Null => "nothing (null)",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "a list",
        Value::Object(_) => "a mapping",
    }
}

impl Decoder {
    fn error(&mut self, target: Target, message: impl Into<String>) {
        self.diagnostics.push(Diagnostic::new(target, message));
    }

    fn mismatch(&mut self, path: &str, expected: &str, found: &Value) {
        let mut diagnostic =
            Diagnostic::new(Target::Value(path.to_string()), format!("expected {expected}, found {}", kind_of(found)));
        // YAML reads on/off/yes/no (any case) as booleans: a name "On" or a default "NO" was meant as text.
        if found.is_boolean() && (expected.contains("text") || expected.contains("string")) {
            let key = path.rsplit('.').next().unwrap_or(path);
            diagnostic.help = Some(format!(
                "YAML reads on, off, yes and no as true or false; quote the value to keep it as text, e.g. {key}: \"On\""
            ));
        }
        self.diagnostics.push(diagnostic);
    }

    /// Checks that `value` is a mapping whose keys are all in `allowed`; returns it when it is a mapping.
    fn object<'v>(
        &mut self,
        value: &'v Value,
        path: &str,
        what: &str,
        allowed: &[&str],
    ) -> Option<&'v Map<String, Value>> {
        let Value::Object(map) = value else {
            self.mismatch(path, &format!("{what} (a mapping)"), value);
            return None;
        };
        for key in map.keys() {
            if !allowed.contains(&key.as_str()) {
                let mut diagnostic =
                    Diagnostic::new(Target::Key(child(path, key)), format!("unknown key `{key}` in {what}"));
                diagnostic = match did_you_mean(key, allowed.iter().copied()) {
                    Some(suggestion) => diagnostic.help(format!("did you mean `{suggestion}`?")),
                    None => diagnostic.help(format!("expected one of: {}", allowed.join(", "))),
                };
                self.diagnostics.push(diagnostic);
            }
        }
        Some(map)
    }

    fn require(&mut self, map: &Map<String, Value>, path: &str, what: &str, key: &str) -> bool {
        if map.contains_key(key) {
            return true;
        }
        self.error(Target::Value(path.to_string()), format!("{what} is missing the required key `{key}`"));
        false
    }

    fn string(&mut self, value: &Value, path: &str) {
        if !value.is_string() {
            self.mismatch(path, "a string", value);
        }
    }

    fn optional_string(&mut self, map: &Map<String, Value>, path: &str, key: &str) {
        if let Some(value) = map.get(key) {
            self.string(value, &child(path, key));
        }
    }

    fn string_list(&mut self, value: &Value, path: &str) {
        match value {
            Value::Array(items) => {
                for (index, entry) in items.iter().enumerate() {
                    self.string(entry, &item(path, index));
                }
            }
            other => self.mismatch(path, "a list of strings", other),
        }
    }

    fn choice(&mut self, value: &Value, path: &str, what: &str, allowed: &[&str]) {
        let Value::String(text) = value else {
            self.mismatch(path, &format!("{what} ({})", allowed.join(", ")), value);
            return;
        };
        if !allowed.contains(&text.as_str()) {
            let mut diagnostic =
                Diagnostic::new(Target::Value(path.to_string()), format!("`{text}` is not a valid {what}"));
            diagnostic = match did_you_mean(text, allowed.iter().copied()) {
                Some(suggestion) => diagnostic.help(format!("did you mean `{suggestion}`?")),
                None => diagnostic.help(format!("expected one of: {}", allowed.join(", "))),
            };
            self.diagnostics.push(diagnostic);
        }
    }

    fn duration(&mut self, value: &Value, path: &str) {
        match value {
            Value::String(text) => match HumanDuration::parse(text) {
                Err(message) => self.error(Target::Value(path.to_string()), message),
                // A timeout of nothing would fail every run before it starts.
                Ok(duration) if duration.get().is_zero() && path.ends_with("timeout") => self.error(
                    Target::Value(path.to_string()),
                    format!("a timeout of {text} ends the step before it starts; give a positive duration such as 30s"),
                ),
                Ok(_) => {}
            },
            other => self.mismatch(path, "a duration such as 30s or 10m", other),
        }
    }

    /// A byte size such as `64KiB` or a plain number of bytes.
    fn size(&mut self, value: &Value, path: &str) {
        match value {
            Value::String(text) => {
                if let Err(message) = ByteSize::parse(text) {
                    self.error(Target::Value(path.to_string()), message);
                }
            }
            Value::Number(n) if n.as_u64().is_some() => {}
            other => self.mismatch(path, "a size such as 64KiB or 1MiB", other),
        }
    }

    fn typed<T: DeserializeOwned>(&mut self, value: &Value, path: &str, expected: &str) {
        if serde_json::from_value::<T>(value.clone()).is_err() {
            self.mismatch(path, expected, value);
        }
    }

    fn workflow(&mut self, value: &Value) {
        let Some(map) = self.object(value, "", "a workflow", WORKFLOW_KEYS) else { return };
        self.require(map, "", "the workflow", "name");
        self.optional_string(map, "", "name");
        if let Some(version) = map.get("version")
            && !version.is_string()
        {
            self.error(
                Target::Value("version".into()),
                format!("expected a version string such as \"1.0.0\", found {}", kind_of(version)),
            );
        }
        self.optional_string(map, "", "description");
        self.optional_string(map, "", "author");
        if let Some(tags) = map.get("tags") {
            self.string_list(tags, "tags");
        }
        if let Some(tags) = map.get("runs_on") {
            self.string_list(tags, "runs_on");
        }
        if let Some(parameters) = map.get("parameters") {
            self.parameters(parameters);
        }
        if let Some(triggers) = map.get("triggers") {
            self.triggers(triggers);
        }
        if let Some(execution) = map.get("execution") {
            self.execution(execution);
        }
        if self.require(map, "", "the workflow", "steps") {
            self.steps(&map["steps"], "steps", false);
        }
        if let Some(outputs) = map.get("outputs") {
            match outputs {
                Value::Object(entries) => {
                    for (name, value) in entries {
                        self.string(value, &child("outputs", name));
                    }
                }
                other => self.mismatch("outputs", "a mapping of names to templates", other),
            }
        }
    }

    fn parameters(&mut self, value: &Value) {
        let Value::Object(map) = value else {
            self.mismatch("parameters", "a mapping of parameter names to definitions", value);
            return;
        };
        for (name, definition) in map {
            let path = child("parameters", name);
            let what = format!("parameter `{name}`");
            let Some(fields) = self.object(definition, &path, &what, PARAMETER_KEYS) else { continue };
            if let Some(kind) = fields.get("type") {
                self.choice(kind, &child(&path, "type"), "parameter type", PARAMETER_TYPES);
            }
            if let Some(required) = fields.get("required") {
                self.typed::<bool>(required, &child(&path, "required"), "true or false");
            }
            self.optional_string(fields, &path, "description");
            self.optional_string(fields, &path, "pattern");
            if let Some(choices) = fields.get("enum")
                && !choices.is_array()
            {
                self.mismatch(&child(&path, "enum"), "a list of allowed values", choices);
            }
        }
    }

    fn triggers(&mut self, value: &Value) {
        let Value::Array(items) = value else {
            self.mismatch("triggers", "a list of triggers", value);
            return;
        };
        for (index, trigger) in items.iter().enumerate() {
            let path = item("triggers", index);
            let Some(map) = self.object(trigger, &path, "a trigger", &["type", "cron", "timezone"]) else { continue };
            if !self.require(map, &path, "a trigger", "type") {
                continue;
            }
            self.choice(&map["type"], &child(&path, "type"), "trigger type", &["manual", "schedule"]);
            match map["type"].as_str() {
                Some("schedule") => {
                    if self.require(map, &path, "a schedule trigger", "cron") {
                        self.string(&map["cron"], &child(&path, "cron"));
                    }
                    self.optional_string(map, &path, "timezone");
                }
                Some("manual") => {
                    for key in ["cron", "timezone"] {
                        if map.contains_key(key) {
                            self.error(Target::Key(child(&path, key)), format!("a manual trigger takes no `{key}`"));
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn execution(&mut self, value: &Value) {
        let Some(map) = self.object(value, "execution", "execution settings", EXECUTION_KEYS) else { return };
        if let Some(mode) = map.get("mode") {
            self.choice(mode, "execution.mode", "execution mode", &["sequential", "dag"]);
        }
        if let Some(max) = map.get("max_parallel") {
            self.typed::<u32>(max, "execution.max_parallel", "a positive whole number");
        }
        if let Some(timeout) = map.get("timeout") {
            self.duration(timeout, "execution.timeout");
        }
        if let Some(limit) = map.get("output_limit") {
            self.size(limit, "execution.output_limit");
        }
    }

    fn steps(&mut self, value: &Value, path: &str, fallback: bool) {
        let Value::Array(items) = value else {
            self.mismatch(path, "a list of steps", value);
            return;
        };
        for (index, step) in items.iter().enumerate() {
            self.step(step, &item(path, index), fallback);
        }
    }

    fn step(&mut self, value: &Value, path: &str, fallback: bool) {
        let Value::Object(map) = value else {
            self.mismatch(path, "a step (a mapping with tool and action, `parallel`, or `if`/`then`)", value);
            return;
        };
        if map.contains_key("parallel") && !fallback {
            self.group(value, path);
        } else if (map.contains_key("then") || map.contains_key("else")) && !fallback {
            self.branch(value, path);
        } else {
            self.tool_step(value, path, fallback);
        }
    }

    fn common(&mut self, map: &Map<String, Value>, path: &str) {
        self.optional_string(map, path, "id");
        self.optional_string(map, path, "name");
        if let Some(depends) = map.get("depends_on") {
            self.string_list(depends, &child(path, "depends_on"));
        }
    }

    fn group(&mut self, value: &Value, path: &str) {
        let Some(map) = self.object(value, path, "a parallel group", GROUP_KEYS) else { return };
        self.common(map, path);
        self.steps(&map["parallel"], &child(path, "parallel"), false);
    }

    fn branch(&mut self, value: &Value, path: &str) {
        let Some(map) = self.object(value, path, "a branch", BRANCH_KEYS) else { return };
        self.require(map, path, "a branch", "id");
        self.common(map, path);
        if self.require(map, path, "a branch", "if") {
            self.condition(&map["if"], &child(path, "if"));
        }
        if self.require(map, path, "a branch", "then") {
            self.steps(&map["then"], &child(path, "then"), false);
        }
        if let Some(otherwise) = map.get("else") {
            self.steps(otherwise, &child(path, "else"), false);
        }
    }

    fn condition(&mut self, value: &Value, path: &str) {
        if !matches!(value, Value::String(_) | Value::Bool(_)) {
            self.mismatch(path, "a condition (an expression string)", value);
        } else if value.is_boolean() {
            self.error(Target::Value(path.to_string()), "expected a condition expression string, found a boolean");
        }
    }

    fn tool_step(&mut self, value: &Value, path: &str, fallback: bool) {
        let what = if fallback { "a fallback step" } else { "a step" };
        let Some(map) = self.object(value, path, what, TOOL_STEP_KEYS) else { return };
        if !fallback {
            self.require(map, path, what, "id");
        }
        self.common(map, path);
        for key in ["tool", "action"] {
            if self.require(map, path, what, key) {
                self.string(&map[key], &child(path, key));
            }
        }
        if let Some(parameters) = map.get("parameters")
            && !parameters.is_object()
        {
            self.mismatch(&child(path, "parameters"), "a mapping of tool parameters", parameters);
        }
        if let Some(condition) = map.get("if") {
            self.condition(condition, &child(path, "if"));
        }
        if let Some(timeout) = map.get("timeout") {
            self.duration(timeout, &child(path, "timeout"));
        }
        if let Some(limit) = map.get("output_limit") {
            self.size(limit, &child(path, "output_limit"));
        }
        if let Some(on_error) = map.get("on_error") {
            self.choice(on_error, &child(path, "on_error"), "error strategy", ON_ERROR);
        }
        if let Some(retry) = map.get("retry") {
            self.retry(retry, &child(path, "retry"));
        }
        if let Some(steps) = map.get("fallback") {
            let fallback_path = child(path, "fallback");
            match steps {
                Value::Array(_) => self.steps(steps, &fallback_path, true),
                Value::Object(_) => self.step(steps, &fallback_path, true),
                other => self.mismatch(&fallback_path, "a fallback step or a list of them", other),
            }
        }
    }

    fn retry(&mut self, value: &Value, path: &str) {
        let Some(map) = self.object(value, path, "a retry policy", RETRY_KEYS) else { return };
        if let Some(attempts) = map.get("max_attempts") {
            self.typed::<u32>(attempts, &child(path, "max_attempts"), "a whole number of attempts");
        }
        if let Some(backoff) = map.get("backoff") {
            self.choice(backoff, &child(path, "backoff"), "backoff", &["fixed", "linear", "exponential"]);
        }
        for key in ["delay", "max_delay"] {
            if let Some(delay) = map.get(key) {
                self.duration(delay, &child(path, key));
            }
        }
        if let Some(jitter) = map.get("jitter") {
            self.typed::<bool>(jitter, &child(path, "jitter"), "true or false");
        }
        if let Some(then) = map.get("then") {
            self.choice(then, &child(path, "then"), "error strategy", ON_ERROR);
        }
        if let Some(retry_on) = map.get("retry_on") {
            let list_path = child(path, "retry_on");
            match retry_on {
                Value::Array(items) => {
                    for (index, entry) in items.iter().enumerate() {
                        let entry_path = item(&list_path, index);
                        match entry {
                            Value::Number(n) if n.is_i64() => {}
                            Value::String(_) => self.choice(entry, &entry_path, "retry condition", RETRY_KINDS),
                            other => self.mismatch(&entry_path, "an exit code or timeout, http_5xx, network", other),
                        }
                    }
                }
                other => self.mismatch(&list_path, "a list of exit codes or error kinds", other),
            }
        }
    }
}
