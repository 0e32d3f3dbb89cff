//! `llm chat|analyze|summarize` against the configured OpenAI-compatible endpoint.

pub mod client;

use std::sync::OnceLock;
use std::time::Instant;

use futures_util::future::BoxFuture;
use serde_json::{Map, Value, json};

use super::{Failure, Outcome, Request, Tool, text};
use crate::workflow::ErrorKind;
use client::{Client, LlmError};

/// The LLM tool.
#[derive(Default)]
pub struct Llm {
    client: OnceLock<Client>,
}

impl Tool for Llm {
    fn call(&self, request: Request) -> BoxFuture<'_, Outcome> {
        let client = self.client.get_or_init(Client::default).clone();
        Box::pin(run(client, request))
    }
}

fn value_text(value: Option<&Value>) -> Option<String> {
    value.map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).filter(|s| !s.is_empty())
}

async fn run(client: Client, request: Request) -> Outcome {
    let Some(endpoint) = crate::config::settings().llm().map_err(|e| Failure::new(e.to_string()))? else {
        return Err(Failure::new(
            "no LLM is configured: set ALPHA_LLM_BASE_URL (and ALPHA_LLM_MODEL) or llm.base_url in config.yaml",
        ));
    };
    let default_prompt = match request.action.as_str() {
        "summarize" => "Summarize the following concisely, highlighting anything urgent.",
        "analyze" => "Analyze the following.",
        _ => "",
    };
    let prompt = value_text(request.params.get("prompt")).unwrap_or_else(|| default_prompt.to_string());
    let context = value_text(request.params.get("context")).or_else(|| value_text(request.params.get("text")));
    let user = match context {
        Some(context) => format!("{prompt}\n\n{context}"),
        None => prompt,
    };
    let mut messages = Vec::new();
    if let Some(system) = request.str("system") {
        messages.push(json!({"role": "system", "content": system}));
    }
    messages.push(json!({"role": "user", "content": user}));
    let model = request.str("model").map(str::to_string).unwrap_or(endpoint.model.clone());
    let mut body = json!({"model": model, "messages": messages, "stream": false});
    if let Some(t) = request.params.get("temperature") {
        body["temperature"] = t.clone();
    }
    if let Some(m) = request.params.get("max_tokens") {
        body["max_tokens"] = m.clone();
    }
    if request.str("format") == Some("json") {
        body["response_format"] = json!({"type": "json_object"});
    }
    // The step's deadline, else the configured LLM timeout, bounds the request.
    let timeout = request
        .deadline
        .map(|d| d.saturating_duration_since(Instant::now()))
        .unwrap_or(crate::config::settings().llm_timeout);
    let answer = client.complete(&endpoint, &body, timeout).await.map_err(failure)?;
    let mut fields = Map::new();
    fields.insert("json".into(), serde_json::from_str(&answer.content).unwrap_or(Value::Null));
    fields.insert("output".into(), text(answer.content));
    fields.insert("model".into(), text(model));
    fields.insert("tokens".into(), answer.usage);
    Ok(fields)
}

/// A client error as a step failure of the kind `retry_on` selects.
fn failure(error: LlmError) -> Failure {
    let kind = match &error {
        LlmError::Timeout { .. } => Some(ErrorKind::Timeout),
        LlmError::Unreachable { .. } => Some(ErrorKind::Network),
        LlmError::Status { status, .. } if *status >= 500 => Some(ErrorKind::Http5xx),
        _ => None,
    };
    Failure { message: error.to_string(), kind, ..Failure::default() }
}
