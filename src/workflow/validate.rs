//! Semantic checks on a decoded workflow (design.md §2, "Validation"): names, versions, types of
//! defaults, cron, tools and their parameters, step ids, references and dependency cycles.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::Value;

use super::locate::{child, item};
use super::model::{Branch, ExecutionMode, OnError, ParamType, Parameter, Step, ToolStep, Trigger, Workflow};
use crate::diagnostic::{Diagnostic, Target, did_you_mean};
use crate::template::{self, BUILTIN_NAMES, Escape};
use crate::workflow::catalog::{self, COMMON_FIELDS};

/// Every semantic problem in `workflow`, in document order.
pub fn validate(workflow: &Workflow) -> Vec<Diagnostic> {
    let mut checker = Checker::new(workflow);
    checker.metadata();
    checker.parameters();
    checker.triggers();
    checker.steps();
    checker.outputs();
    checker.diagnostics
}

/// Where a step sits and what its result offers.
struct StepInfo {
    path: String,
    fields: Vec<&'static str>,
    /// Index of the top-level entry that contains it.
    top: usize,
}

struct Checker<'w> {
    workflow: &'w Workflow,
    env: minijinja::Environment<'static>,
    steps: HashMap<String, StepInfo>,
    diagnostics: Vec<Diagnostic>,
    /// Edges between top-level entries (for dag mode and cycle detection).
    edges: Vec<BTreeSet<usize>>,
}

/// True when `id` is a valid step id: `[a-z_][a-z0-9_]*`.
pub fn is_step_id(id: &str) -> bool {
    let mut chars = id.chars();
    matches!(chars.next(), Some('a'..='z' | '_')) && chars.all(|c| matches!(c, 'a'..='z' | '0'..='9' | '_'))
}

fn is_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl<'w> Checker<'w> {
    fn new(workflow: &'w Workflow) -> Self {
        Checker {
            workflow,
            env: template::environment(Escape::None),
            steps: HashMap::new(),
            diagnostics: Vec::new(),
            edges: vec![BTreeSet::new(); workflow.steps.len()],
        }
    }

    fn error(&mut self, target: Target, message: impl Into<String>) -> &mut Diagnostic {
        self.diagnostics.push(Diagnostic::new(target, message));
        let last = self.diagnostics.len() - 1;
        &mut self.diagnostics[last]
    }

    fn metadata(&mut self) {
        let name = self.workflow.name.trim();
        let length = self.workflow.name.chars().count();
        if name.is_empty() {
            self.error(Target::Value("name".into()), "the workflow name is empty");
        } else if length > 100 {
            self.error(
                Target::Value("name".into()),
                format!("the workflow name has {length} characters; at most 100 are allowed"),
            );
        } else if self.workflow.name.chars().any(char::is_control) {
            self.error(Target::Value("name".into()), "the workflow name contains control characters");
        }
        if let Err(error) = semver::Version::parse(&self.workflow.version) {
            self.error(
                Target::Value("version".into()),
                format!("`{}` is not a semantic version: {error}", self.workflow.version),
            )
            .help = Some("write it as MAJOR.MINOR.PATCH, e.g. 1.0.0".into());
        }
        for (index, tag) in self.workflow.tags.iter().enumerate() {
            if tag.trim().is_empty() {
                self.error(Target::Value(item("tags", index)), "empty tag");
            }
        }
    }

    fn parameters(&mut self) {
        for (name, parameter) in &self.workflow.parameters {
            let path = child("parameters", name);
            if !is_identifier(name) {
                self.error(Target::Key(path.clone()), format!("`{name}` is not a valid parameter name")).help =
                    Some("use letters, digits and underscores, starting with a letter".into());
            } else if BUILTIN_NAMES.contains(&name.as_str()) {
                self.error(Target::Key(path.clone()), format!("`{name}` is a built-in name and can't be a parameter"));
            }
            self.parameter(name, parameter, &path);
        }
    }

    fn parameter(&mut self, name: &str, parameter: &Parameter, path: &str) {
        let pattern = match parameter.pattern.as_deref().map(|p| regex::Regex::new(&format!("^(?:{p})$"))) {
            Some(Err(error)) => {
                let detail = error.to_string();
                let reason = detail.lines().rev().find(|l| !l.trim().is_empty()).unwrap_or("").trim();
                let reason = reason.strip_prefix("error: ").unwrap_or(reason).to_string();
                self.error(Target::Value(child(path, "pattern")), format!("invalid pattern: {reason}"));
                None
            }
            Some(Ok(regex)) => Some(regex),
            None => None,
        };
        if let Some(choices) = &parameter.choices {
            if choices.is_empty() {
                self.error(Target::Value(child(path, "enum")), "`enum` lists no values");
            }
            for (index, choice) in choices.iter().enumerate() {
                if let Err(message) = check_type(parameter.kind, choice) {
                    self.error(Target::Value(item(&child(path, "enum"), index)), message);
                }
            }
        }
        let Some(default) = &parameter.default else { return };
        let default_path = child(path, "default");
        if parameter.kind == ParamType::Secret {
            self.error(Target::Value(default_path), format!("secret parameter `{name}` can't have a default")).help =
                Some("secrets are never stored; pass it at run time or read it from the environment".into());
            return;
        }
        if let Err(message) = check_type(parameter.kind, default) {
            self.error(Target::Value(default_path), format!("default of `{name}`: {message}"));
            return;
        }
        if let Some(choices) = &parameter.choices
            && !choices.contains(default)
        {
            let listed: Vec<String> = choices.iter().map(plain).collect();
            self.error(
                Target::Value(default_path.clone()),
                format!("default `{}` is not one of the allowed values", plain(default)),
            )
            .help = Some(format!("allowed: {}", listed.join(", ")));
        }
        if let (Some(regex), Some(text)) = (pattern, default.as_str())
            && !regex.is_match(text)
        {
            self.error(
                Target::Value(default_path),
                format!("default `{text}` does not match the pattern `{}`", parameter.pattern.as_deref().unwrap_or("")),
            );
        }
    }

    fn triggers(&mut self) {
        for (index, trigger) in self.workflow.triggers.iter().enumerate() {
            let Trigger::Schedule { cron, timezone } = trigger else { continue };
            let path = item("triggers", index);
            match crate::workflow::cron::parse_cron(cron) {
                Err(message) => {
                    self.error(Target::Value(child(&path, "cron")), message).help =
                        Some("5 fields: minute hour day-of-month month day-of-week, e.g. \"0 9 * * 1-5\"".into());
                }
                Ok(parsed) => {
                    let now = chrono::Utc::now();
                    if crate::workflow::cron::next_fires(&parsed, &now, 1).is_empty() {
                        self.error(
                            Target::Value(child(&path, "cron")),
                            format!("`{cron}` never fires (no date matches it)"),
                        );
                    }
                }
            }
            if let Some(zone) = timezone
                && zone.parse::<chrono_tz::Tz>().is_err()
            {
                let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
                let diagnostic =
                    self.error(Target::Value(child(&path, "timezone")), format!("unknown time zone `{zone}`"));
                diagnostic.help = Some(match did_you_mean(zone, names) {
                    Some(name) => format!("did you mean `{name}`?"),
                    None => "use an IANA name such as Europe/Berlin or America/New_York".into(),
                });
            }
        }
        if self.workflow.execution.max_parallel == Some(0) {
            self.error(Target::Value("execution.max_parallel".into()), "max_parallel must be at least 1");
        }
    }

    /// Registers every step id, then checks each step in execution order.
    fn steps(&mut self) {
        if self.workflow.steps.is_empty() {
            self.error(Target::Value("steps".into()), "the workflow has no steps");
        }
        let workflow = self.workflow;
        for (top, step) in workflow.steps.iter().enumerate() {
            self.register(step, &item("steps", top), top);
        }
        let dag = workflow.execution.mode == ExecutionMode::Dag;
        let mut done: HashSet<String> = HashSet::new();
        for (top, step) in workflow.steps.iter().enumerate() {
            let path = item("steps", top);
            if dag {
                // In dag mode every other top-level entry may run first: references become edges.
                let mut available: HashSet<String> =
                    self.steps.iter().filter(|(_, info)| info.top != top).map(|(id, _)| id.clone()).collect();
                self.check_step(step, &path, &mut available, top);
            } else {
                self.check_step(step, &path, &mut done, top);
            }
        }
        self.cycles();
    }

    fn register(&mut self, step: &Step, path: &str, top: usize) {
        if let Some(id) = step.id() {
            let fields = match step {
                Step::Tool(tool) => tool_fields(&tool.tool),
                _ => COMMON_FIELDS.to_vec(),
            };
            if !is_step_id(id) {
                self.error(Target::Value(child(path, "id")), format!("`{id}` is not a valid step id"))
                    .help = Some("use lowercase letters, digits and underscores, starting with a letter or underscore (e.g. run_tests)".into());
            } else if self.workflow.parameters.contains_key(id) || BUILTIN_NAMES.contains(&id) {
                self.error(
                    Target::Value(child(path, "id")),
                    format!("step id `{id}` clashes with a parameter or built-in name"),
                );
            } else if let Some(first) = self.steps.get(id) {
                let first = first.path.clone();
                self.error(Target::Value(child(path, "id")), format!("duplicate step id `{id}`")).help =
                    Some(format!("it is first used at {first}"));
            } else {
                self.steps.insert(id.to_string(), StepInfo { path: path.to_string(), fields, top });
            }
        }
        match step {
            Step::Tool(tool) => {
                for (index, fallback) in tool.fallback.iter().enumerate() {
                    self.register(&Step::Tool(fallback.clone()), &item(&child(path, "fallback"), index), top);
                }
            }
            Step::Parallel(group) => {
                for (index, member) in group.parallel.iter().enumerate() {
                    self.register(member, &item(&child(path, "parallel"), index), top);
                }
            }
            Step::Branch(branch) => {
                for (index, member) in branch.then.iter().enumerate() {
                    self.register(member, &item(&child(path, "then"), index), top);
                }
                for (index, member) in branch.otherwise.iter().enumerate() {
                    self.register(member, &item(&child(path, "else"), index), top);
                }
            }
        }
    }

    fn check_step(&mut self, step: &Step, path: &str, done: &mut HashSet<String>, top: usize) {
        self.depends_on(step.depends_on(), path, done, top);
        match step {
            Step::Tool(tool) => {
                self.tool_step(tool, path, done, top);
                if !tool.id.is_empty() {
                    done.insert(tool.id.clone());
                }
            }
            Step::Parallel(group) => {
                if group.parallel.is_empty() {
                    self.error(Target::Value(child(path, "parallel")), "the parallel group has no steps");
                }
                let before = done.clone();
                let mut finished = Vec::new();
                for (index, member) in group.parallel.iter().enumerate() {
                    let mut view = before.clone();
                    self.check_step(member, &item(&child(path, "parallel"), index), &mut view, top);
                    finished.extend(view);
                }
                done.extend(finished);
                if let Some(id) = &group.id {
                    done.insert(id.clone());
                }
            }
            Step::Branch(branch) => self.branch(branch, path, done, top),
        }
    }

    fn branch(&mut self, branch: &Branch, path: &str, done: &mut HashSet<String>, top: usize) {
        self.expression(&branch.condition, &child(path, "if"), done, None, top);
        let mut finished = Vec::new();
        for (key, steps) in [("then", &branch.then), ("else", &branch.otherwise)] {
            let mut view = done.clone();
            for (index, member) in steps.iter().enumerate() {
                self.check_step(member, &item(&child(path, key), index), &mut view, top);
            }
            finished.extend(view);
        }
        if branch.then.is_empty() {
            self.error(Target::Value(child(path, "then")), "`then` has no steps");
        }
        done.extend(finished);
        done.insert(branch.id.clone());
    }

    fn depends_on(&mut self, depends: &[String], path: &str, done: &HashSet<String>, top: usize) {
        for (index, dependency) in depends.iter().enumerate() {
            let target = Target::Value(item(&child(path, "depends_on"), index));
            match self.steps.get(dependency) {
                None => {
                    let hint = did_you_mean(dependency, self.steps.keys().map(String::as_str));
                    let diagnostic = self.error(target, format!("`depends_on` names an unknown step `{dependency}`"));
                    diagnostic.help = hint.map(|h| format!("did you mean `{h}`?"));
                }
                Some(info) if info.top == top && !done.contains(dependency) => {
                    self.error(
                        target,
                        format!("step `{dependency}` can't finish before this step: it runs after it or beside it"),
                    );
                }
                Some(info) => {
                    let other = info.top;
                    if self.workflow.execution.mode == ExecutionMode::Sequential && !done.contains(dependency) {
                        self.error(target, format!("step `{dependency}` runs later in this sequential workflow"))
                            .help = Some("move it earlier, or use `execution: { mode: dag }`".into());
                    } else if other != top {
                        self.edges[top].insert(other);
                    }
                }
            }
        }
    }

    fn tool_step(&mut self, step: &ToolStep, path: &str, done: &mut HashSet<String>, top: usize) {
        self.tool_and_parameters(step, path);
        if let Some(condition) = &step.condition {
            self.expression(condition, &child(path, "if"), done, Some(&step.id), top);
        }
        let escape_values: Vec<(String, String)> = step
            .parameters
            .iter()
            .flat_map(|(key, value)| strings(value, &child(&child(path, "parameters"), key)))
            .collect();
        for (value_path, text) in escape_values {
            self.template_text(&text, &value_path, done, Some(&step.id), top);
        }
        self.error_strategy(step, path, done, top);
    }

    fn tool_and_parameters(&mut self, step: &ToolStep, path: &str) {
        let Some(spec) = catalog::builtin(&step.tool) else {
            if catalog::external(&step.tool).is_none() {
                let names = catalog::BUILTIN.iter().map(|t| t.name);
                let suggestion = did_you_mean(&step.tool, names);
                let builtins: Vec<&str> = catalog::BUILTIN.iter().map(|t| t.name).collect();
                let diagnostic =
                    self.error(Target::Value(child(path, "tool")), format!("unknown tool `{}`", step.tool));
                diagnostic.help = Some(match suggestion {
                    Some(name) => format!("did you mean `{name}`?"),
                    None => format!(
                        "built-in tools are {}; an external tool is an executable `alpha-tool-{}` on PATH",
                        builtins.join(", "),
                        step.tool
                    ),
                });
            }
            return;
        };
        let Some(action) = spec.action(&step.action) else {
            let names: Vec<&str> = spec.actions.iter().map(|a| a.name).collect();
            let suggestion = did_you_mean(&step.action, names.iter().copied());
            let diagnostic = self.error(
                Target::Value(child(path, "action")),
                format!("tool `{}` has no action `{}`", step.tool, step.action),
            );
            diagnostic.help = Some(match suggestion {
                Some(name) => format!("did you mean `{name}`?"),
                None => format!("its actions are: {}", names.join(", ")),
            });
            return;
        };
        for required in action.required {
            if !step.parameters.contains_key(*required) {
                let target = if step.parameters.is_empty() {
                    Target::Value(child(path, "tool"))
                } else {
                    Target::Key(child(path, "parameters"))
                };
                self.error(target, format!("`{} {}` needs the parameter `{required}`", spec.name, action.name));
            }
        }
        self.parameter_values(step, path, spec.name, action.name);
        for key in step.parameters.keys() {
            if !action.accepts().any(|accepted| accepted == key) {
                let suggestion = did_you_mean(key, action.accepts());
                let accepted: Vec<&str> = action.accepts().collect();
                let diagnostic = self.error(
                    Target::Key(child(&child(path, "parameters"), key)),
                    format!("`{} {}` has no parameter `{key}`", spec.name, action.name),
                );
                diagnostic.help = Some(match suggestion {
                    Some(name) => format!("did you mean `{name}`?"),
                    None => format!("it accepts: {}", accepted.join(", ")),
                });
            }
        }
    }

    /// What the catalog knows of parameter values: the text ones must be text, commands can't be
    /// empty, and closed sets (a notification's channel, an http method) must hold one of theirs.
    fn parameter_values(&mut self, step: &ToolStep, path: &str, tool: &str, action: &str) {
        for (key, value) in &step.parameters {
            let at = child(&child(path, "parameters"), key);
            if let Some(allowed) = catalog::allowed_values(tool, key)
                && let Some(text) = value.as_str()
                && !template::is_template(text)
                && !allowed.contains(&text.to_ascii_lowercase().as_str())
            {
                let diagnostic =
                    self.error(Target::Value(at.clone()), format!("`{tool} {action}` has no {key} `{text}`"));
                diagnostic.help = Some(match did_you_mean(text, allowed.iter().copied()) {
                    Some(close) => format!("did you mean `{close}`?"),
                    None => format!("use one of: {}", allowed.join(", ")),
                });
            }
            if catalog::is_text(tool, key) && !value.is_string() {
                let got = match value {
                    serde_json::Value::Number(_) => "a number",
                    serde_json::Value::Bool(_) => "a boolean",
                    serde_json::Value::Array(_) => "a list",
                    serde_json::Value::Object(_) => "a mapping",
                    _ => "null",
                };
                let as_text = match value {
                    serde_json::Value::Array(items) => items
                        .iter()
                        .map(|i| i.as_str().map_or_else(|| i.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(" "),
                    other => other.to_string(),
                };
                self.error(Target::Value(at.clone()), format!("`{key}` must be text, got {got}")).help =
                    Some(format!("write it as text: {key}: \"{as_text}\""));
            } else if tool == "shell" && key == "command" && value.as_str().is_some_and(|c| c.trim().is_empty()) {
                self.error(Target::Value(at), "the command is empty");
            }
        }
    }

    fn error_strategy(&mut self, step: &ToolStep, path: &str, done: &mut HashSet<String>, top: usize) {
        if let Some(retry) = &step.retry {
            if step.on_error != OnError::Retry {
                self.error(Target::Key(child(path, "retry")), "`retry` has no effect unless `on_error: retry`").help =
                    Some("add `on_error: retry` to the step".into());
            }
            if retry.max_attempts == 0 {
                self.error(
                    Target::Value(child(&child(path, "retry"), "max_attempts")),
                    "max_attempts must be at least 1 (it counts the first attempt)",
                );
            }
            if retry.then == Some(OnError::Retry) {
                self.error(Target::Value(child(&child(path, "retry"), "then")), "`then` can't be `retry` again");
            }
            if let (Some(max), delay) = (retry.max_delay, retry.delay)
                && max < delay
            {
                self.error(Target::Value(child(&child(path, "retry"), "max_delay")), "max_delay is shorter than delay");
            }
        }
        let fallback_needed =
            step.on_error == OnError::Fallback || step.retry.as_ref().and_then(|r| r.then) == Some(OnError::Fallback);
        if fallback_needed && step.fallback.is_empty() {
            self.error(Target::Value(child(path, "on_error")), "`on_error: fallback` needs a `fallback` step").help =
                Some("add `fallback:` with a step (tool, action, parameters)".into());
        }
        if !fallback_needed && !step.fallback.is_empty() {
            self.error(Target::Key(child(path, "fallback")), "`fallback` has no effect unless `on_error: fallback`");
        }
        if step.fallback.is_empty() {
            return;
        }
        // The failed step's own result is visible to its fallbacks.
        let mut view = done.clone();
        if !step.id.is_empty() {
            view.insert(step.id.clone());
        }
        for (index, fallback) in step.fallback.iter().enumerate() {
            let fallback_path = item(&child(path, "fallback"), index);
            self.tool_step(fallback, &fallback_path, &mut view, top);
            if !fallback.id.is_empty() {
                view.insert(fallback.id.clone());
            }
        }
        done.extend(step.fallback.iter().filter(|f| !f.id.is_empty()).map(|f| f.id.clone()));
    }

    fn outputs(&mut self) {
        let all: HashSet<String> = self.steps.keys().cloned().collect();
        let outputs: Vec<(String, String)> =
            self.workflow.outputs.iter().map(|(k, v)| (child("outputs", k), v.clone())).collect();
        for (path, text) in outputs {
            self.template_text(&text, &path, &all, None, usize::MAX);
        }
    }

    fn template_text(&mut self, text: &str, path: &str, done: &HashSet<String>, own: Option<&str>, top: usize) {
        if !template::is_template(text) {
            return;
        }
        match template::references(&self.env, text, false) {
            Ok(names) => self.references(names, path, done, own, top),
            Err(error) => {
                self.error(Target::Value(path.to_string()), format!("invalid template: {}", describe(&error)));
                return;
            }
        }
        if let Some(problem) = template::unknown_name(text, false) {
            self.error(Target::Value(path.to_string()), format!("invalid template: {problem}"));
        }
    }

    fn expression(&mut self, text: &str, path: &str, done: &HashSet<String>, own: Option<&str>, top: usize) {
        match template::references(&self.env, text, true) {
            Ok(names) => self.references(names, path, done, own, top),
            Err(error) => {
                self.error(Target::Value(path.to_string()), format!("invalid condition: {}", describe(&error)));
                return;
            }
        }
        if let Some(problem) = template::unknown_name(text, true) {
            self.error(Target::Value(path.to_string()), format!("invalid condition: {problem}"));
        }
    }

    fn references(
        &mut self,
        names: BTreeSet<String>,
        path: &str,
        done: &HashSet<String>,
        own: Option<&str>,
        top: usize,
    ) {
        for name in names {
            let root = template::root(&name);
            let field = name.split('.').nth(1);
            if self.workflow.parameters.contains_key(root) || matches!(root, "env" | "now" | "run" | "workflow") {
                continue;
            }
            if root == "params" {
                if let Some(param) = field.filter(|p| !self.workflow.parameters.contains_key(*p)) {
                    let hint = did_you_mean(param, self.workflow.parameters.keys().map(String::as_str));
                    let diagnostic = self.error(
                        Target::Value(path.to_string()),
                        format!("`params.{param}` is not a parameter of this workflow"),
                    );
                    diagnostic.help = hint.map(|h| format!("did you mean `{h}`?"));
                    diagnostic.needle_hint(&name);
                }
                continue;
            }
            let Some(info) = self.steps.get(root) else {
                let candidates: Vec<String> =
                    self.workflow.parameters.keys().chain(self.steps.keys()).cloned().collect();
                let hint = did_you_mean(root, candidates.iter().map(String::as_str));
                let diagnostic = self.error(
                    Target::Value(path.to_string()),
                    format!("`{root}` is not a parameter, a step or a built-in name"),
                );
                diagnostic.help = Some(match hint {
                    Some(h) => format!("did you mean `{h}`?"),
                    None => "define it under `parameters:` or give a step that id".into(),
                });
                diagnostic.needle_hint(root);
                continue;
            };
            let (other, fields) = (info.top, info.fields.clone());
            if let Some(field) = field
                && !fields.is_empty()
                && !fields.contains(&field)
            {
                let hint = did_you_mean(field, fields.iter().copied());
                let diagnostic =
                    self.error(Target::Value(path.to_string()), format!("step `{root}` has no result field `{field}`"));
                diagnostic.help = Some(match hint {
                    Some(h) => format!("did you mean `{h}`?"),
                    None => format!("its fields are: {}", fields.join(", ")),
                });
                diagnostic.needle_hint(&name);
                continue;
            }
            if own == Some(root) {
                let diagnostic =
                    self.error(Target::Value(path.to_string()), format!("step `{root}` refers to its own result"));
                diagnostic.needle_hint(root);
            } else if !done.contains(root) {
                let diagnostic = self.error(
                    Target::Value(path.to_string()),
                    format!("step `{root}` may not have run yet at this point"),
                );
                diagnostic.help = Some(if other == top {
                    "steps in one parallel group run at the same time; move it to an earlier step".into()
                } else {
                    "refer only to earlier steps, or use `execution: { mode: dag }`".into()
                });
                diagnostic.needle_hint(root);
            } else if top != usize::MAX && other != top {
                self.edges[top].insert(other);
            }
        }
    }

    /// In dag mode, references and `depends_on` between top-level entries must not form a cycle.
    fn cycles(&mut self) {
        if self.workflow.execution.mode != ExecutionMode::Dag {
            return;
        }
        let mut state = vec![0u8; self.edges.len()];
        let mut stack = Vec::new();
        for start in 0..self.edges.len() {
            if let Some(cycle) = find_cycle(&self.edges, start, &mut state, &mut stack) {
                let names: Vec<String> =
                    cycle.iter().map(|&i| self.workflow.steps[i].id().unwrap_or("(group)").to_string()).collect();
                self.error(Target::Value(item("steps", cycle[0])), format!("dependency cycle: {}", names.join(" → ")));
                return;
            }
        }
    }
}

fn find_cycle(edges: &[BTreeSet<usize>], node: usize, state: &mut [u8], stack: &mut Vec<usize>) -> Option<Vec<usize>> {
    match state[node] {
        2 => return None,
        1 => {
            let start = stack.iter().position(|&n| n == node).unwrap_or(0);
            let mut cycle = stack[start..].to_vec();
            cycle.push(node);
            return Some(cycle);
        }
        _ => {}
    }
    state[node] = 1;
    stack.push(node);
    for &next in &edges[node] {
        if let Some(cycle) = find_cycle(edges, next, state, stack) {
            return Some(cycle);
        }
    }
    stack.pop();
    state[node] = 2;
    None
}

impl Diagnostic {
    /// Points the caret at `needle` inside the value's line, when it can be found there.
    fn needle_hint(&mut self, needle: &str) {
        self.needle = Some(needle.to_string());
    }
}

fn tool_fields(tool: &str) -> Vec<&'static str> {
    let mut fields = COMMON_FIELDS.to_vec();
    if let Some(spec) = catalog::builtin(tool) {
        fields.extend_from_slice(spec.fields);
    } else {
        // External tools may return any fields; the common ones are checked at run time.
        fields.clear();
    }
    fields
}

/// Every string inside a parameter value, with its path.
fn strings(value: &Value, path: &str) -> Vec<(String, String)> {
    match value {
        Value::String(text) => vec![(path.to_string(), text.clone())],
        Value::Array(items) => items.iter().enumerate().flat_map(|(i, v)| strings(v, &item(path, i))).collect(),
        Value::Object(map) => map.iter().flat_map(|(k, v)| strings(v, &child(path, k))).collect(),
        _ => Vec::new(),
    }
}

fn describe(error: &minijinja::Error) -> String {
    match error.detail() {
        Some(detail) => detail.to_string(),
        None => error.kind().to_string(),
    }
}

fn plain(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_string)
}

/// Whether `value` fits `kind`; the message says what was expected.
pub fn check_type(kind: ParamType, value: &Value) -> Result<(), String> {
    let fits = match kind {
        ParamType::String | ParamType::Path | ParamType::Secret => value.is_string(),
        ParamType::Integer => value.is_i64() || value.is_u64(),
        ParamType::Number => value.is_number(),
        ParamType::Boolean => value.is_boolean(),
        ParamType::Array => value.is_array(),
        ParamType::Object => value.is_object(),
    };
    if fits {
        Ok(())
    } else {
        let article =
            if matches!(kind, ParamType::Integer | ParamType::Array | ParamType::Object) { "an" } else { "a" };
        Err(format!("expected {article} {}, found {}", kind.as_str(), super::decode::kind_of(value)))
    }
}
