//! The LLM fallback for lines the grammar can't parse: ask for an intent constrained by a JSON
//! schema, then check it (schema, known workflow, known parameters) before anyone acts on it.

use indexmap::IndexMap;
use serde_json::{Map, Value, json};

use crate::error::Result;
use crate::grammar::{Intent, Library};

const PROMPT: &str = include_str!("../../prompts/intent.txt");

const INTENTS: &[&str] = &[
    "run",
    "rerun",
    "list",
    "show",
    "edit",
    "delete",
    "versions",
    "rollback",
    "history",
    "explain",
    "logs",
    "schedules",
    "templates",
    "thanks",
    "export",
    "unschedule",
    "schedule",
    "create",
    "import",
    "validate",
    "suggest",
    "help",
    "dashboard",
    "quit",
    "unknown",
];

/// The JSON schema the model's answer must follow: one flat object, every field nullable, the
/// workflow one of the saved names (a model can't invent one it is not allowed to write).
pub fn schema(library: &Library) -> Value {
    // Bounded lengths and counts keep a small model from looping inside a free-form field.
    let text = |max: u32| json!({"type": ["string", "null"], "maxLength": max});
    let mut names: Vec<Value> = library.names.iter().map(|n| Value::String(n.clone())).collect();
    names.push(Value::Null);
    let workflow = if library.names.is_empty() { json!({"type": "null"}) } else { json!({"enum": names}) };
    json!({
        "type": "object",
        "properties": {
            "intent": {"type": "string", "enum": INTENTS},
            "workflow": workflow,
            "status": {"enum": ["completed", "partial", "failed", "interrupted", null]},
            "since": text(40),
            "limit": {"type": ["integer", "null"], "minimum": 1, "maximum": 100},
            "format": {"enum": ["json", "yaml", null]},
            "run": text(40),
            "params": {"type": "object", "additionalProperties": {"type": "string", "maxLength": 60}, "maxProperties": 6},
            "cron": text(40), "file": text(200), "description": text(300), "name": text(100), "search": text(60),
            "tags": {"type": "array", "items": {"type": "string", "maxLength": 30}, "maxItems": 5},
        },
        "required": ["intent"],
        "additionalProperties": false,
    })
}

/// Asks the configured LLM; `Ok(None)` when no LLM is configured. `turns` are the last lines
/// of the conversation with what alpha made of each, oldest first.
pub fn from_llm(utterance: &str, library: &Library, turns: &[(String, String)]) -> Result<Option<Intent>> {
    let Some(endpoint) = super::endpoint()? else { return Ok(None) };
    let workflows = if library.names.is_empty() {
        "(none yet)".to_string()
    } else {
        library
            .names
            .iter()
            .map(|n| {
                let params = library
                    .params
                    .get(n)
                    .filter(|p| !p.is_empty())
                    .map(|p| format!(" (parameters: {})", p.join(", ")))
                    .unwrap_or_default();
                format!("- {n}{params}")
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let conversation = if turns.is_empty() {
        String::new()
    } else {
        let lines: Vec<String> =
            turns.iter().map(|(said, understood)| format!("user: {said}\nalpha: {understood}")).collect();
        format!("\nThe conversation so far (\"it\" is the workflow last talked about):\n{}\n", lines.join("\n"))
    };
    let system = PROMPT.replace("{{WORKFLOWS}}", &workflows).replace("{{CONVERSATION}}", &conversation);
    let answer = super::call_command(&endpoint, &system, utterance, &schema(library), 512)?;
    Ok(Some(check(&answer, library, utterance)))
}

/// Turns the model's flat answer into an intent, refusing unknown workflows and parameters. A
/// command that needs a workflow the model left out takes the one saved workflow `utterance`
/// names, if it names exactly one (small models often get the command right and drop the name).
pub fn check(answer: &Value, library: &Library, utterance: &str) -> Intent {
    let refuse = |why: String| Intent::Unknown { did_you_mean: vec![why] };
    let Some(object) = answer.as_object() else { return refuse("the LLM's answer was not an object".into()) };
    let Some(kind) = object.get("intent").and_then(Value::as_str).filter(|k| INTENTS.contains(k)) else {
        return refuse("the LLM named no known intent".into());
    };
    let mut fields = Map::new();
    fields.insert("intent".into(), Value::String(kind.into()));
    let needs_workflow =
        matches!(kind, "run" | "show" | "edit" | "delete" | "export" | "unschedule" | "schedule" | "versions");
    let may_name_one = matches!(kind, "history" | "rerun" | "explain" | "logs" | "schedules");
    if needs_workflow || may_name_one {
        match object.get("workflow").and_then(Value::as_str).filter(|w| !w.trim().is_empty()) {
            Some(typed) => match library.resolve(typed) {
                Some(name) => {
                    fields.insert("workflow".into(), Value::String(name.into()));
                }
                None => return refuse(format!("no saved workflow is named '{typed}'")),
            },
            None if needs_workflow => match library.mentioned_in(utterance) {
                Some(name) => {
                    fields.insert("workflow".into(), Value::String(name.into()));
                }
                None => return refuse("the LLM named no workflow".into()),
            },
            None => {
                fields.insert("workflow".into(), Value::Null);
            }
        }
    }
    if matches!(kind, "run" | "rerun" | "schedule") {
        let workflow = fields.get("workflow").and_then(Value::as_str).unwrap_or_default().to_string();
        let known = match library.params.get(&workflow) {
            Some(known) => known.clone(),
            // "the last run": any saved workflow's parameter may be the one changed.
            None => library.params.values().flatten().cloned().collect(),
        };
        let mut params = IndexMap::new();
        if let Some(Value::Object(given)) = object.get("params") {
            for (key, value) in given {
                if !known.iter().any(|k| k == key) {
                    return refuse(format!("'{workflow}' has no parameter `{key}`"));
                }
                params.insert(key.clone(), value.as_str().map_or_else(|| value.to_string(), str::to_string));
            }
        }
        fields.insert("params".into(), json!(params));
    }
    if kind == "rerun" {
        let status = object.get("status").and_then(Value::as_str);
        let failed = matches!(status, Some("failed" | "partial" | "interrupted"));
        fields.insert("failed".into(), Value::Bool(failed));
    }
    if kind == "schedule" {
        match object.get("cron").and_then(Value::as_str).map(|c| c.split_whitespace().collect::<Vec<_>>().join(" ")) {
            Some(cron) if crate::schedule::parse_cron(&cron).is_ok() => {
                fields.insert("cron".into(), Value::String(cron));
            }
            _ => return refuse("the LLM gave no valid 5-field cron".into()),
        }
    }
    if kind == "history" {
        if let Some(status) = object.get("status").and_then(Value::as_str) {
            if !["completed", "partial", "failed", "interrupted"].contains(&status) {
                return refuse(format!("`{status}` is not a run status"));
            }
            fields.insert("status".into(), Value::String(status.into()));
        }
        if let Some(since) = object.get("since").and_then(Value::as_str) {
            if chrono::DateTime::parse_from_rfc3339(since).is_err() {
                return refuse(format!("`{since}` is not an RFC 3339 time"));
            }
            fields.insert("since".into(), Value::String(since.into()));
        }
        if let Some(limit) = object.get("limit").and_then(Value::as_u64).filter(|n| (1..=100).contains(n)) {
            fields.insert("limit".into(), Value::from(limit));
        }
    }
    if kind == "export"
        && let Some(format) = object.get("format").and_then(Value::as_str).filter(|f| matches!(*f, "json" | "yaml"))
    {
        fields.insert("format".into(), Value::String(format.into()));
    }
    if matches!(kind, "explain" | "logs") {
        let run =
            object.get("run").and_then(Value::as_str).filter(|r| r.chars().all(|c| c.is_ascii_hexdigit() || c == '-'));
        fields.insert("run".into(), run.map_or(Value::Null, |r| Value::String(r.into())));
    }
    for key in ["file", "description", "name", "search", "tags"] {
        if let Some(value) = object.get(key) {
            fields.insert(key.into(), value.clone());
        }
    }
    if matches!(kind, "import" | "validate") && !fields.get("file").is_some_and(Value::is_string) {
        return refuse("the LLM named no file".into());
    }
    if kind == "list" {
        // Small models echo the request's own words as tags ("list", "workflows"): those filter
        // nothing a person meant, so they are dropped, as are repeats.
        let mut tags: Vec<String> = Vec::new();
        for tag in fields.get("tags").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
            let tag = tag.trim().to_lowercase();
            let filler = matches!(
                tag.as_str(),
                "" | "list" | "all" | "my" | "workflow" | "workflows" | "automation" | "automations" | "saved" | "show"
            );
            if !filler && !tags.contains(&tag) {
                tags.push(tag);
            }
        }
        fields.insert("tags".into(), json!(tags));
        // The same for a search that only repeats the request ("list, search, search").
        let search = fields.get("search").and_then(Value::as_str).map(|text| {
            let mut words: Vec<String> = Vec::new();
            for word in text.split(|c: char| c == ',' || c.is_whitespace()).map(str::to_lowercase) {
                let filler = matches!(
                    word.as_str(),
                    "" | "list" | "search" | "all" | "my" | "workflow" | "workflows" | "automation" | "automations"
                );
                if !filler && !words.contains(&word) {
                    words.push(word);
                }
            }
            words
        });
        let search = search.filter(|w| !w.is_empty() && w.len() <= 3).map(|w| w.join(" "));
        fields.insert("search".into(), search.map_or(Value::Null, Value::String));
    }
    serde_json::from_value(Value::Object(fields))
        .unwrap_or_else(|e| refuse(format!("the LLM's answer doesn't fit the intent: {e}")))
}
