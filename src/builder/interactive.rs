//! `alpha workflow create --interactive`: the prompts of the original specification (name,
//! description, tags, then each step's action and error handling), with defaults.

use std::io::{BufRead, Write};

use indexmap::IndexMap;
use serde_json::json;

use super::catalog;
use crate::workflow::{Document, Format, OnError, Retry, Step, ToolStep, Workflow, to_text};

/// Reads answers from `input`, writes prompts to `output`; returns the validated workflow, or
/// `None` when input ended first.
/// With `echo`, each answer is written after its prompt (for piped input, so a transcript reads
/// like a terminal session).
pub fn build(
    input: &mut dyn BufRead,
    output: &mut dyn Write,
    echo: bool,
    lookups: &Lookups<'_>,
) -> std::io::Result<Option<Workflow>> {
    let output = std::cell::RefCell::new(output);
    let failed: std::cell::RefCell<Option<std::io::Error>> = std::cell::RefCell::new(None);
    let keep = |result: std::io::Result<()>| {
        if let Err(error) = result {
            failed.borrow_mut().get_or_insert(error);
        }
    };
    let mut ask = |prompt: &str| -> Option<String> {
        let mut out = output.borrow_mut();
        keep(write!(out, "{prompt}").and_then(|()| out.flush()));
        let mut line = String::new();
        match input.read_line(&mut line) {
            Ok(0) => return None,
            Ok(_) => {}
            Err(error) => {
                keep(Err(error));
                return None;
            }
        }
        let answer = line.trim().to_string();
        if echo {
            keep(writeln!(out, "{answer}"));
        }
        Some(answer)
    };
    let mut say = |text: &str| keep(writeln!(output.borrow_mut(), "{text}"));
    let workflow = build_with(&mut ask, &mut say, lookups);
    match failed.into_inner() {
        Some(error) => Err(error),
        None => Ok(workflow),
    }
}

/// What the builder may ask of the library and the recorded shell history.
pub struct Lookups<'a> {
    /// Whether a workflow of that name is saved: a duplicate is refused when it is typed, not
    /// after the dialog.
    pub taken: &'a dyn Fn(&str) -> bool,
    /// Recorded commands run with the same program as this one: the parts that varied there
    /// are offered as parameters (design.md §6b).
    pub seen: &'a dyn Fn(&str) -> Vec<String>,
}

/// The same prompts through any asker (the chat shell's `/create`): `ask` shows a prompt and
/// returns the answer, or `None` when input ended; `say` shows a line.
pub fn build_with(
    ask: &mut dyn FnMut(&str) -> Option<String>,
    say: &mut dyn FnMut(&str),
    lookups: &Lookups<'_>,
) -> Option<Workflow> {
    let taken = lookups.taken;
    let name = loop {
        let name = ask("Workflow name: ")?;
        if name.is_empty() {
            say("  A name is required.");
        } else if taken(&name) {
            say(&format!("  A workflow named '{name}' already exists; pick another name."));
        } else {
            break name;
        }
    };
    let description = ask("Description: ")?;
    let tags = ask("Tags (comma-separated): ")?;
    let tags: Vec<String> = tags.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect();
    let mut steps: Vec<Step> = Vec::new();
    let mut inferred: IndexMap<String, String> = IndexMap::new();
    loop {
        let number = steps.len() + 1;
        say(&format!("\nStep {number}:"));
        let action = loop {
            let action = ask("  Action: ")?;
            if !action.is_empty() {
                break action;
            }
            say("  Describe the action, e.g. \"git pull\" or \"run pytest\".");
        };
        let on_error = loop {
            let answer = ask("  Error handling: [retry/abort/continue]: ")?;
            match answer.to_lowercase().as_str() {
                "" | "abort" | "a" => break OnError::Abort,
                "retry" | "r" => break OnError::Retry,
                "continue" | "c" | "log_and_continue" => break OnError::LogAndContinue,
                "skip" => break OnError::Skip,
                _ => say("  Please answer retry, abort or continue."),
            }
        };
        let mut step = step_for(&action, number, &steps);
        offer_history_parameters(&mut step, &mut inferred, lookups, ask, say)?;
        step.on_error = on_error;
        if on_error == OnError::Retry {
            step.retry = Some(Retry::default());
        }
        steps.push(Step::Tool(step));
        let another = loop {
            let answer = ask("\nAdd another step? (y/n): ")?;
            match answer.to_lowercase().as_str() {
                "y" | "yes" => break true,
                "n" | "no" | "" => break false,
                _ => say("  Please answer y or n."),
            }
        };
        if !another {
            break;
        }
    }
    let parameters = ask_parameters(&steps, &inferred, ask, say)?;
    let workflow = Workflow {
        name,
        version: "1.0.0".into(),
        description: Some(description).filter(|d| !d.is_empty()),
        author: None,
        tags,
        parameters,
        triggers: Vec::new(),
        execution: Default::default(),
        workdir: None,
        runs_on: Vec::new(),
        steps,
        outputs: IndexMap::new(),
    };
    let text = to_text(&workflow, Format::Yaml);
    let document = Document::from_text("the new workflow", text.clone(), Format::Yaml);
    let valid = match document.load() {
        Ok(valid) => valid,
        Err(diagnostics) => {
            say(&format!("The workflow is not valid:\n{}", diagnostics.render(false)));
            return None;
        }
    };
    say(&format!("\nHere is the draft:\n{}", text.trim_end()));
    loop {
        let answer = ask("\nSave it? (y/n): ")?;
        match answer.to_lowercase().as_str() {
            "y" | "yes" | "" => return Some(valid),
            "n" | "no" => return None,
            _ => say("  Please answer y or n."),
        }
    }
}

/// The `{{ name }}` values the steps use that are not earlier steps or built-ins: each becomes
/// a parameter, with the default the user gives (none makes it required).
fn ask_parameters(
    steps: &[Step],
    inferred: &IndexMap<String, String>,
    ask: &mut dyn FnMut(&str) -> Option<String>,
    say: &mut dyn FnMut(&str),
) -> Option<IndexMap<String, crate::workflow::Parameter>> {
    let ids: Vec<&str> = steps.iter().filter_map(Step::id).collect();
    let mut names: Vec<String> = Vec::new();
    for step in steps {
        if let Step::Tool(tool) = step {
            for value in tool.parameters.values() {
                for name in template_names(&value.to_string()) {
                    let builtin =
                        matches!(name.as_str(), "env" | "now" | "run" | "workflow" | "params" | "true" | "false");
                    if !builtin && !ids.contains(&name.as_str()) && !names.contains(&name) {
                        names.push(name);
                    }
                }
            }
        }
    }
    let mut parameters = IndexMap::new();
    names.retain(|name| match inferred.get(name) {
        Some(default) => {
            let parameter =
                crate::workflow::Parameter { default: Some(json!(default)), ..crate::workflow::Parameter::default() };
            parameters.insert(name.clone(), parameter);
            false
        }
        None => true,
    });
    if !names.is_empty() {
        say(&format!(
            "\nThe steps use {}.",
            names.iter().map(|n| format!("{{{{ {n} }}}}")).collect::<Vec<_>>().join(", ")
        ));
    }
    for name in names {
        let default = ask(&format!("  Default for `{name}` (Enter: ask for it each run): "))?;
        let parameter = crate::workflow::Parameter {
            default: Some(json!(default)).filter(|_| !default.is_empty()),
            required: None,
            ..crate::workflow::Parameter::default()
        };
        parameters.insert(name, parameter);
    }
    Some(parameters)
}

/// A shell step whose command was run in the history with other values in some places
/// ("git pull origin dev", "… main"): offer those places as parameters, defaulting to what was
/// typed now.
fn offer_history_parameters(
    step: &mut ToolStep,
    inferred: &mut IndexMap<String, String>,
    lookups: &Lookups<'_>,
    ask: &mut dyn FnMut(&str) -> Option<String>,
    say: &mut dyn FnMut(&str),
) -> Option<()> {
    let Some(command) = step.parameters.get("command").and_then(|c| c.as_str()).map(str::to_string) else {
        return Some(());
    };
    if step.tool != "shell" || command.contains("{{") {
        return Some(());
    }
    let seen = (lookups.seen)(&command);
    let Some((template, found)) = crate::proactive::miner::parameterize(&command, &seen) else { return Some(()) };
    let described: Vec<String> = found
        .iter()
        .map(|(name, p)| format!("{name} ({})", p.values.iter().take(4).cloned().collect::<Vec<_>>().join(", ")))
        .collect();
    say(&format!("  Your history has this command with other values: {}.", described.join("; ")));
    loop {
        let answer = ask(&format!("  Make it `{template}`? (y/n): "))?;
        match answer.to_lowercase().as_str() {
            "y" | "yes" | "" => {
                step.parameters.insert("command".into(), json!(template));
                for (name, values) in found {
                    inferred.entry(name).or_insert(values.default);
                }
                return Some(());
            }
            "n" | "no" => return Some(()),
            _ => say("  Please answer y or n."),
        }
    }
}

/// The leading identifiers of the `{{ … }}` expressions in `text`.
fn template_names(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        let expression = after[..end].trim();
        let name: String = expression.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
        if !name.is_empty() && !name.starts_with(|c: char| c.is_ascii_digit()) {
            names.push(name);
        }
        rest = &after[end + 2..];
    }
    names
}

/// An action as typed: a catalog phrase ("git pull") or a shell command ("run pytest" → pytest).
pub fn step_for(action: &str, number: usize, existing: &[Step]) -> ToolStep {
    if let Some(mut step) = tool_step(action) {
        step.id = unique_id(&step.id, existing);
        return step;
    }
    let normalized = catalog::normalize(action);
    let exact = catalog::phrases().iter().find(|p| p.phrases.iter().any(|ph| catalog::normalize(ph) == normalized));
    let mut step =
        ToolStep { tool: "shell".into(), action: "run".into(), name: Some(capitalize(action)), ..ToolStep::default() };
    let command = match exact.filter(|p| p.tool == "shell") {
        Some(phrase) => {
            step.id = phrase.id.clone();
            step.name = Some(phrase.name.clone());
            phrase.plain.clone().or_else(|| phrase.command.clone()).unwrap_or_else(|| action.to_string())
        }
        None => {
            step.id = id_from(action, number);
            let text = action.trim();
            text.strip_prefix("run ").or_else(|| text.strip_prefix("execute ")).unwrap_or(text).to_string()
        }
    };
    step.id = unique_id(&step.id, existing);
    let project = catalog::Project::detect(&std::env::current_dir().unwrap_or_default());
    let command = project.fill(&command);
    step.parameters.insert("command".into(), json!(command));
    step
}

/// `id`, or `id_2`, `id_3`… when an earlier step has it.
pub(super) fn unique_id(id: &str, existing: &[Step]) -> String {
    fn ids<'s>(steps: &'s [Step], into: &mut Vec<&'s str>) {
        for step in steps {
            into.extend(step.id());
            match step {
                Step::Tool(_) => {}
                Step::Parallel(group) => ids(&group.parallel, into),
                Step::Branch(branch) => {
                    ids(&branch.then, into);
                    ids(&branch.otherwise, into);
                }
            }
        }
    }
    let mut taken = Vec::new();
    ids(existing, &mut taken);
    let mut unique = id.to_string();
    let mut n = 1;
    while taken.contains(&unique.as_str()) {
        n += 1;
        unique = format!("{id}_{n}");
    }
    unique
}

fn id_from(action: &str, number: usize) -> String {
    let words: Vec<String> = action
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| w != "run")
        .take(3)
        .collect();
    let id = words.join("_");
    if id.is_empty() || id.starts_with(|c: char| c.is_ascii_digit()) { format!("step_{number}") } else { id }
}

fn capitalize(text: &str) -> String {
    let mut chars = text.trim().chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

/// A step another tool does better than a shell: "send me a notification saying done" →
/// notification, "fetch https://…" → http, "back up ~/notes" → file archive, "read FILE" → file.
fn tool_step(action: &str) -> Option<ToolStep> {
    use std::sync::LazyLock;
    static NOTIFY: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(?:send (?:me )?(?:a )?(?:desktop )?notification|notify me|tell me|alert me|send (?:me )?an? alert|ping me)(?:\s+(?:saying|that|with|:)\s*(?P<message>.+))?$")
            .expect("a valid pattern")
    });
    static FETCH: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(?:fetch|get|download|call|request|check|ping|curl|open|GET)\s+(?P<url>https?://\S+)$")
            .expect("a valid pattern")
    });
    static BACKUP: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(?:back ?up|archive|zip up|compress)\s+(?P<source>\S+)(?:\s+(?:to|into|in)\s+(?P<destination>\S+))?$")
            .expect("a valid pattern")
    });
    static READ: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(?:read|load|open)\s+(?:the\s+)?(?:file\s+)?(?P<path>\S+\.\w+)$")
            .expect("a valid pattern")
    });
    let action = action.trim();
    let mut step = ToolStep { name: Some(capitalize(action)), ..ToolStep::default() };
    if let Some(c) = NOTIFY.captures(action) {
        step.id = "notify".into();
        step.tool = "notification".into();
        step.action = "send".into();
        let message =
            c.name("message").map_or("{{ workflow.name }} finished", |m| m.as_str().trim_matches(['"', '\'']));
        step.parameters.insert("message".into(), json!(message));
        step.on_error = OnError::LogAndContinue;
    } else if let Some(c) = FETCH.captures(action) {
        step.id = "fetch".into();
        step.tool = "http".into();
        step.action = "get".into();
        step.parameters.insert("url".into(), json!(&c["url"]));
    } else if let Some(c) = BACKUP.captures(action) {
        let source = c["source"].trim_end_matches('/').to_string();
        let base = source
            .rsplit('/')
            .next()
            .filter(|b| !b.is_empty() && *b != "~")
            .unwrap_or("backup")
            .trim_start_matches('.')
            .to_string();
        let destination = c
            .name("destination")
            .map_or_else(|| "~/backups".to_string(), |m| m.as_str().trim_end_matches('/').to_string());
        step.id = "archive".into();
        step.tool = "file".into();
        step.action = "archive".into();
        step.parameters.insert("source".into(), json!(source));
        step.parameters.insert("destination".into(), json!(format!("{destination}/{base}-{{{{ now[:10] }}}}.tar.gz")));
    } else if let Some(c) = READ.captures(action) {
        step.id = "read".into();
        step.tool = "file".into();
        step.action = "read".into();
        step.parameters.insert("path".into(), json!(&c["path"]));
    } else {
        return None;
    }
    Some(step)
}
