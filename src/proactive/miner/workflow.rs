//! The workflow a suggestion would create: one step per command (a pipeline stays one step), the
//! chain's semantics kept (`;` goes on after a failure, `&&` and separate lines stop), runs of
//! alpha's own workflows as `tool: workflow` steps, and the directory the commands ran in.

use indexmap::IndexMap;
use serde_json::json;

use super::command::{Joint, shape, split_line};
use super::parameters::ParameterValues;
use crate::workflow::{OnError, ParamType, Parameter, Step, ToolStep, Workflow};

/// What the miner knows about a routine to make a workflow of it.
pub struct Routine<'a> {
    /// The commands, parameters as `{{ name }}`.
    pub commands: &'a [String],
    /// How each command is joined to the one before (`joints[0]` is always a line).
    pub joints: &'a [Joint],
    /// The parameters.
    pub parameters: &'a IndexMap<String, ParameterValues>,
    /// Where the commands ran, when the history says.
    pub workdir: Option<String>,
}

/// "git status", "git pull origin {{ branch }}", "pytest" → "Git Status Pull Pytest".
pub fn name_for(commands: &[String]) -> String {
    let mut words: Vec<String> = Vec::new();
    for command in commands {
        let command = workflow_run(command).unwrap_or(command);
        for word in command.split_whitespace().take(2) {
            if word.starts_with('-')
                || word.contains("{{")
                || word.contains('/')
                || word.contains('.')
                || word.contains('=')
                || word == "sudo"
            {
                break;
            }
            let word = word.trim_matches(['\'', '"']);
            if words.iter().any(|w| w.eq_ignore_ascii_case(word)) {
                continue;
            }
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                words.push(first.to_uppercase().collect::<String>() + chars.as_str());
            }
        }
    }
    words.truncate(6);
    let name = words.join(" ");
    if name.is_empty() { "Repeated Commands".into() } else { name }
}

/// The saved workflow a recorded `alpha workflow run NAME` ran.
fn workflow_run(command: &str) -> Option<&str> {
    let name = command.strip_prefix("alpha workflow run ")?;
    let name = name.strip_prefix('\'').and_then(|n| n.strip_suffix('\'')).unwrap_or(name);
    (!name.contains("{{")).then_some(name)
}

/// The workflow for `routine`, named `name`.
pub fn workflow_for(name: &str, routine: &Routine<'_>) -> Workflow {
    let mut steps: Vec<Step> = Vec::new();
    let mut pipeline: Option<String> = None;
    let mut continue_after: Vec<bool> = Vec::new();
    let mut groups: Vec<String> = Vec::new();
    for (i, command) in routine.commands.iter().enumerate() {
        let joint = routine.joints.get(i).copied().unwrap_or(Joint::Line);
        match (&mut pipeline, joint) {
            (Some(current), Joint::Pipe) => {
                current.push_str(" | ");
                current.push_str(command);
            }
            _ => {
                if let Some(done) = pipeline.take() {
                    groups.push(done);
                    continue_after.push(joint == Joint::Then);
                }
                pipeline = Some(command.clone());
            }
        }
    }
    if let Some(done) = pipeline {
        groups.push(done);
        continue_after.push(false);
    }
    for (i, command) in groups.iter().enumerate() {
        let mut step = match workflow_run(command) {
            Some(workflow) => ToolStep {
                tool: "workflow".into(),
                action: "run".into(),
                parameters: IndexMap::from([("workflow".to_string(), json!(workflow))]),
                name: Some(workflow.to_string()),
                ..ToolStep::default()
            },
            None => ToolStep {
                name: Some(command.clone()),
                tool: "shell".into(),
                action: "run".into(),
                parameters: IndexMap::from([("command".to_string(), json!(command))]),
                ..ToolStep::default()
            },
        };
        step.id = command_step_id(command, i, &steps);
        if continue_after[i] {
            step.on_error = OnError::LogAndContinue;
        }
        steps.push(Step::Tool(step));
    }
    let parameters = routine
        .parameters
        .iter()
        .map(|(name, values)| {
            let kind = if name.starts_with("path") { ParamType::Path } else { ParamType::String };
            (name.clone(), Parameter { kind, default: Some(json!(values.default)), ..Parameter::default() })
        })
        .collect();
    Workflow {
        name: name.to_string(),
        version: "1.0.0".into(),
        description: Some(format!("Automates: {}", routine.commands.join(" && "))),
        author: None,
        tags: vec!["suggested".into()],
        parameters,
        triggers: Vec::new(),
        execution: Default::default(),
        workdir: routine.workdir.clone(),
        runs_on: Vec::new(),
        steps,
        outputs: IndexMap::new(),
    }
}

fn command_step_id(command: &str, index: usize, steps: &[Step]) -> String {
    let word = match workflow_run(command) {
        Some(workflow) => workflow,
        None => command.split_whitespace().find(|w| !w.contains('=') && *w != "sudo").unwrap_or("step"),
    };
    step_id(word, index, steps)
}

/// A step id made from `word` (a program, a workflow's name): lowercase letters, digits and `_`,
/// `step_N` when nothing is left, numbered when `steps` already have it.
pub fn step_id(word: &str, index: usize, steps: &[Step]) -> String {
    let base: String = word
        .rsplit('/')
        .next()
        .unwrap_or(word)
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
        .collect();
    let base = base.trim_matches('_').to_string();
    let base = if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
        format!("step_{}", index + 1)
    } else {
        base
    };
    let mut id = base.clone();
    let mut n = 1;
    while steps.iter().any(|s| s.id() == Some(id.as_str())) {
        n += 1;
        id = format!("{base}_{n}");
    }
    id
}

/// The command keys of a saved workflow, in order, shaped like history commands: a routine
/// whose keys appear in it is already automated.
pub fn covered_commands(workflow: &Workflow) -> Vec<String> {
    fn walk(steps: &[Step], out: &mut Vec<String>) {
        for step in steps {
            match step {
                Step::Tool(tool) if tool.tool == "workflow" => {
                    if let Some(name) = tool.parameters.get("workflow").and_then(|w| w.as_str()) {
                        let command = format!("alpha workflow run {}", crate::template::shell_quote(name));
                        out.push(shape(&command).key);
                    }
                }
                Step::Tool(tool) => {
                    if let Some(command) = tool.parameters.get("command").and_then(|c| c.as_str()) {
                        for part in split_line(&placeholders_as_values(command)) {
                            out.push(shape(&part.text).key);
                        }
                    }
                }
                Step::Parallel(group) => walk(&group.parallel, out),
                Step::Branch(branch) => {
                    walk(&branch.then, out);
                    walk(&branch.otherwise, out);
                }
            }
        }
    }
    let mut out = Vec::new();
    walk(&workflow.steps, &mut out);
    out
}

/// `{{ x }}` replaced by a word, so a saved command shapes like the commands it came from.
fn placeholders_as_values(command: &str) -> String {
    let mut out = String::with_capacity(command.len());
    let mut rest = command;
    while let Some(start) = rest.find("{{") {
        out.push_str(&rest[..start]);
        match rest[start..].find("}}") {
            Some(end) => {
                out.push_str("VALUE");
                rest = &rest[start + end + 2..];
            }
            None => {
                rest = &rest[start..];
                break;
            }
        }
    }
    out.push_str(rest);
    out
}
