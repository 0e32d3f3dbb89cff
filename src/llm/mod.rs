//! Asking the LLM for alpha's own purposes (design.md §8): intents for lines the grammar can't
//! read, drafts for the builder, conversational answers. Requests go through the one client in
//! [`crate::tools::llm::client`], constrained to a JSON schema or streamed.

pub mod intent;
pub mod tool_support;

use std::time::Duration;

use serde_json::{Value, json};

use crate::config::Llm;
use crate::error::{Error, Result};
use crate::tools::llm::client::{Client, LlmError};

/// How long one request may take (a busy 2-core machine slows small local models tenfold).
pub fn timeout() -> Duration {
    crate::config::settings().llm_timeout
}

/// The configured endpoint, if any.
pub fn endpoint() -> Result<Option<Llm>> {
    crate::config::settings().llm()
}

fn runtime() -> Result<tokio::runtime::Runtime> {
    crate::executor::runtime()
}

fn failed(error: LlmError) -> Error {
    Error::Llm(error.to_string())
}

/// One completion whose content must be a JSON object matching `schema`. Requires
/// `finish_reason == "stop"`, so a cut-off answer is never taken for truncated JSON.
pub fn complete_json(endpoint: &Llm, system: &str, user: &str, schema: &Value, max_tokens: u32) -> Result<Value> {
    let body = json!({
        "model": endpoint.model,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        "temperature": 0,
        "max_tokens": max_tokens,
        "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "strict": true, "schema": schema}},
    });
    let answer = runtime()?.block_on(Client::default().complete(endpoint, &body, timeout())).map_err(failed)?;
    if answer.finish_reason.as_deref().is_some_and(|r| r != "stop") {
        return Err(Error::Llm(format!("the LLM's answer was cut off ({})", answer.finish_reason.unwrap_or_default())));
    }
    serde_json::from_str(answer.content.trim()).map_err(|_| {
        Error::Llm(format!(
            "the LLM did not answer with valid JSON: {}",
            answer.content.chars().take(120).collect::<String>()
        ))
    })
}

/// One command call: where the endpoint answers tool calls, an OpenAI tool call of the function
/// `alpha_command` whose parameters are `schema` (the model must call it); else a completion
/// constrained to the schema. Either way the answer is the call's arguments as JSON.
pub fn call_command(endpoint: &Llm, system: &str, user: &str, schema: &Value, max_tokens: u32) -> Result<Value> {
    if !tool_support::supports_tools(endpoint) {
        return complete_json(endpoint, system, user, schema, max_tokens);
    }
    let name = "alpha_command";
    let body = json!({
        "model": endpoint.model,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        "temperature": 0,
        "max_tokens": max_tokens,
        "tools": [{"type": "function", "function": {
            "name": name,
            "description": "Call one of alpha's commands (the intent) with its fields.",
            "parameters": schema,
        }}],
        // The one tool, required: llama.cpp's server takes only the string forms of tool_choice.
        "tool_choice": "required",
    });
    let answer = runtime()?.block_on(Client::default().complete(endpoint, &body, timeout())).map_err(failed)?;
    // Some servers put the call's JSON in the content instead of `tool_calls`.
    let arguments = answer.tool_arguments.unwrap_or(answer.content);
    serde_json::from_str(arguments.trim()).map_err(|_| {
        Error::Llm(format!(
            "the LLM did not call {name} with valid JSON: {}",
            arguments.chars().take(120).collect::<String>()
        ))
    })
}

/// A streamed chat answer; `on_chunk` receives each piece as it arrives. Returns the whole text.
pub fn stream_chat(endpoint: &Llm, system: &str, user: &str, on_chunk: impl FnMut(&str)) -> Result<String> {
    let body = json!({
        "model": endpoint.model,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        "max_tokens": 400,
    });
    runtime()?.block_on(Client::default().stream(endpoint, &body, timeout(), on_chunk)).map_err(failed)
}
