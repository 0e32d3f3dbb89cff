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
pub fn build(input: &mut dyn BufRead, output: &mut dyn Write, echo: bool) -> std::io::Result<Option<Workflow>> {
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
    let workflow = build_with(&mut ask, &mut say);
    match failed.into_inner() {
        Some(error) => Err(error),
        None => Ok(workflow),
    }
}

/// The same prompts through any asker (the chat shell's `/create`): `ask` shows a prompt and
/// returns the answer, or `None` when input ended; `say` shows a line.
pub fn build_with(ask: &mut dyn FnMut(&str) -> Option<String>, say: &mut dyn FnMut(&str)) -> Option<Workflow> {
    let name = loop {
        let name = ask("Workflow name: ")?;
        if !name.is_empty() {
            break name;
        }
        say("  A name is required.");
    };
    let description = ask("Description: ")?;
    let tags = ask("Tags (comma-separated): ")?;
    let tags: Vec<String> = tags.split(',').map(str::trim).filter(|t| !t.is_empty()).map(str::to_string).collect();
    let mut steps: Vec<Step> = Vec::new();
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
    let workflow = Workflow {
        name,
        version: "1.0.0".into(),
        description: Some(description).filter(|d| !d.is_empty()),
        author: None,
        tags,
        parameters: IndexMap::new(),
        triggers: Vec::new(),
        execution: Default::default(),
        workdir: None,
        steps,
        outputs: IndexMap::new(),
    };
    let document = Document::from_text("the new workflow", to_text(&workflow, Format::Yaml), Format::Yaml);
    match document.load() {
        Ok(valid) => Some(valid),
        Err(diagnostics) => {
            say(&format!("The workflow is not valid:\n{}", diagnostics.render(false)));
            None
        }
    }
}

/// An action as typed: a catalog phrase ("git pull") or a shell command ("run pytest" → pytest).
pub fn step_for(action: &str, number: usize, existing: &[Step]) -> ToolStep {
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
    let taken: Vec<&str> = existing.iter().filter_map(Step::id).collect();
    let base = step.id.clone();
    let mut n = 1;
    while taken.contains(&step.id.as_str()) {
        n += 1;
        step.id = format!("{base}_{n}");
    }
    let project = catalog::Project::detect(&std::env::current_dir().unwrap_or_default());
    let command =
        command.replace("{test}", &project.test).replace("{build}", &project.build).replace("{lint}", &project.lint);
    step.parameters.insert("command".into(), json!(command));
    step
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
