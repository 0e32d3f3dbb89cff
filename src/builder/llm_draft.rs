//! Drafting with the LLM: a JSON draft constrained by a schema, turned into a workflow in Rust,
//! validated, and repaired by feeding the errors back (at most 3 times). Nothing is saved or run
//! here; the dialog shows the draft and waits for a yes.

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::{catalog, draft};
use crate::config::Llm;
use crate::workflow::{Document, Format, Parameter, Step, ToolStep, Workflow, to_text};

const PROMPT: &str = include_str!("../../prompts/draft.txt");

/// Repairs attempted after the first draft.
pub const MAX_REPAIRS: usize = 3;

/// The schema of a draft: small and flat, so small models stay on track.
pub fn schema() -> Value {
    let text = |max: u32| json!({"type": "string", "maxLength": max});
    json!({
        "type": "object",
        "properties": {
            "name": text(80),
            "description": text(200),
            "parameters": {"type": "array", "maxItems": 5, "items": {
                "type": "object",
                "properties": {"name": {"type": "string", "pattern": "^[a-z_][a-z0-9_]{0,30}$"}, "default": text(80)},
                "required": ["name", "default"], "additionalProperties": false
            }},
            "steps": {"type": "array", "minItems": 1, "maxItems": 8, "items": {
                "type": "object",
                "properties": {
                    "id": {"type": "string", "pattern": "^[a-z_][a-z0-9_]{0,30}$"},
                    "name": text(60),
                    "tool": {"type": "string", "enum": ["shell", "http", "notification", "file", "llm"]},
                    "command": text(200), "url": text(200), "message": text(200), "path": text(200),
                    "only_if_success_of": text(31)
                },
                "required": ["id", "name", "tool"], "additionalProperties": false
            }}
        },
        "required": ["name", "steps"],
        "additionalProperties": false
    })
}

/// A draft turned into a workflow (not yet validated).
pub fn to_workflow(draft: &Value) -> Workflow {
    let text = |v: &Value, key: &str| v.get(key).and_then(Value::as_str).unwrap_or("").to_string();
    let mut parameters = IndexMap::new();
    for p in draft.get("parameters").and_then(Value::as_array).into_iter().flatten() {
        parameters
            .insert(text(p, "name"), Parameter { default: Some(json!(text(p, "default"))), ..Parameter::default() });
    }
    let mut steps = Vec::new();
    for s in draft.get("steps").and_then(Value::as_array).into_iter().flatten() {
        let tool = text(s, "tool");
        let (action, key, field) = match tool.as_str() {
            "http" => ("get", "url", "url"),
            "notification" => ("send", "message", "message"),
            "file" => ("read", "path", "path"),
            "llm" => ("summarize", "text", "message"),
            _ => ("run", "command", "command"),
        };
        let mut step = ToolStep {
            id: text(s, "id"),
            name: Some(text(s, "name")),
            tool: tool.clone(),
            action: action.into(),
            ..ToolStep::default()
        };
        step.parameters.insert(key.into(), json!(text(s, field)));
        let after = text(s, "only_if_success_of");
        if !after.is_empty() {
            step.condition = Some(format!("{{{{ {after}.status == 'success' }}}}"));
        }
        steps.push(Step::Tool(step));
    }
    Workflow {
        name: text(draft, "name"),
        version: "1.0.0".into(),
        description: Some(text(draft, "description")).filter(|d| !d.is_empty()),
        author: None,
        tags: Vec::new(),
        parameters,
        triggers: Vec::new(),
        execution: Default::default(),
        workdir: None,
        runs_on: Vec::new(),
        steps,
        outputs: IndexMap::new(),
    }
}

/// What a drafting attempt came to.
pub enum Drafted {
    /// A valid workflow, with notes for the user (steps they didn't ask for).
    Valid(Box<Workflow>, Vec<String>),
    /// No valid draft after the repairs; why.
    Failed(String),
}

/// Asks the model for a draft of `description`, repairing it up to [`MAX_REPAIRS`] times.
pub fn draft(endpoint: &Llm, description: &str) -> Drafted {
    let mut conversation = description.to_string();
    let mut last_problem = String::new();
    for attempt in 0..=MAX_REPAIRS {
        let answer = match crate::llm::complete_json(endpoint, PROMPT, &conversation, &schema(), 900) {
            Ok(answer) => answer,
            Err(error) => return Drafted::Failed(error.to_string()),
        };
        let workflow = to_workflow(&answer);
        let document = Document::from_text("the LLM's draft", to_text(&workflow, Format::Yaml), Format::Yaml);
        match document.load() {
            Ok(valid) => {
                let notes = unrequested(&valid, description);
                return Drafted::Valid(Box::new(valid), notes);
            }
            Err(diagnostics) => {
                last_problem = diagnostics.diagnostics.iter().map(|d| d.message.clone()).collect::<Vec<_>>().join("; ");
                if attempt < MAX_REPAIRS {
                    conversation = format!(
                        "{description}\n\nYour previous draft was:\n{answer}\n\nIt has these problems: {last_problem}\nAnswer with a corrected JSON draft."
                    );
                }
            }
        }
    }
    Drafted::Failed(format!("the draft was still invalid after {MAX_REPAIRS} repairs ({last_problem})"))
}

/// Steps of the draft that nothing in the user's words asked for.
fn unrequested(workflow: &Workflow, description: &str) -> Vec<String> {
    let plan = draft::plan(description);
    let asked: Vec<&str> = plan.items.iter().map(|i| i.id.as_str()).collect();
    let mut notes = Vec::new();
    for step in &workflow.steps {
        if let Step::Tool(tool) = step {
            let words = format!(
                "{} {}",
                tool.name.as_deref().unwrap_or(""),
                tool.parameters.get("command").and_then(Value::as_str).unwrap_or("")
            );
            if let Some(phrase) = catalog::find(&words)
                && !asked.contains(&phrase.id.as_str())
                && !description.to_lowercase().contains(&tool.id.replace('_', " "))
            {
                notes.push(format!(
                    "Note: the draft adds a step you didn't mention: {} ({}).",
                    tool.name.as_deref().unwrap_or(&tool.id),
                    tool.id
                ));
            }
        }
    }
    notes
}
