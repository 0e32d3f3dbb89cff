//! Whether an endpoint answers OpenAI tool calls (design.md §7: `tools` where the server supports
//! them, else schema-constrained JSON). OpenAI, Ollama with a tool-trained model and llama.cpp
//! with a tool-aware chat template answer with `tool_calls`; servers that don't ignore `tools`
//! and answer in prose. One short probe tells them apart; its answer is remembered per endpoint
//! and model in the data directory, so it is paid once, not on every line.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Mutex;

use serde_json::json;

use crate::config::Llm;
use crate::tools::llm::client::{Client, LlmError};

/// Answers found in this process, before the file is read again.
static KNOWN: Mutex<BTreeMap<String, bool>> = Mutex::new(BTreeMap::new());

/// The file the answers are kept in.
fn cache_file() -> PathBuf {
    crate::paths::data_dir().join("llm-endpoints.json")
}

fn key(endpoint: &Llm) -> String {
    format!("{} {}", endpoint.base_url, endpoint.model)
}

fn remembered(key: &str) -> Option<bool> {
    if let Some(known) = KNOWN.lock().ok().and_then(|k| k.get(key).copied()) {
        return Some(known);
    }
    let text = std::fs::read_to_string(cache_file()).ok()?;
    let kept: BTreeMap<String, bool> = serde_json::from_str(&text).ok()?;
    let found = kept.get(key).copied()?;
    // Kept in memory too, so a chat reads the file once, not on every line.
    if let Ok(mut known) = KNOWN.lock() {
        known.insert(key.to_string(), found);
    }
    Some(found)
}

/// Keeps an answer; a cache that can't be written only means probing again next time.
fn remember(key: &str, supported: bool) {
    if let Ok(mut known) = KNOWN.lock() {
        known.insert(key.to_string(), supported);
    }
    let path = cache_file();
    let mut kept: BTreeMap<String, bool> =
        std::fs::read_to_string(&path).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default();
    kept.insert(key.to_string(), supported);
    if let Ok(text) = serde_json::to_string_pretty(&kept)
        && crate::paths::create_private_dir(&crate::paths::data_dir()).is_ok()
    {
        let _ = std::fs::write(&path, text);
    }
}

/// The probe: one function without parameters that the model is told it must call. An answer
/// with `tool_calls` means the server understood `tools`.
fn probe_body(endpoint: &Llm) -> serde_json::Value {
    json!({
        "model": endpoint.model,
        "messages": [
            {"role": "system", "content": "Call the function ping. Do not answer in words."},
            {"role": "user", "content": "ping"},
        ],
        "temperature": 0,
        "max_tokens": 24,
        "tools": [{"type": "function", "function": {
            "name": "ping",
            "description": "Answers a ping.",
            "parameters": {"type": "object", "properties": {}, "additionalProperties": false},
        }}],
        "tool_choice": "required",
    })
}

/// Whether intents should be asked for as tool calls at `endpoint`: its setting when given,
/// else what a probe found. A server that refuses `tools` (an HTTP 4xx) or answers in prose does
/// not support them; one that can't be reached is not remembered, so the next line asks again.
pub fn supports_tools(endpoint: &Llm) -> bool {
    if let Some(setting) = endpoint.tools {
        return setting;
    }
    let key = key(endpoint);
    if let Some(known) = remembered(&key) {
        return known;
    }
    let Ok(runtime) = crate::executor::runtime() else { return false };
    let answer = runtime.block_on(Client::default().complete(endpoint, &probe_body(endpoint), super::timeout()));
    let supported = match answer {
        Ok(completion) => completion.tool_arguments.is_some(),
        Err(LlmError::Status { status, .. }) if (400..500).contains(&status) => false,
        Err(_) => return false,
    };
    remember(&key, supported);
    supported
}
