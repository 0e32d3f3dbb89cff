//! The OpenAI-compatible client (Ollama, llama.cpp server, OpenAI): chat completions, streamed
//! or constrained to a JSON schema (design.md §8).

pub mod intent;

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::{Value, json};

use crate::config::Llm;
use crate::error::{Error, Result};

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

fn request(endpoint: &Llm, body: &Value) -> reqwest::RequestBuilder {
    let client = crate::tools::http::client();
    let mut builder = client.post(format!("{}/chat/completions", endpoint.base_url)).json(body).timeout(timeout());
    if let Some(key) = &endpoint.api_key {
        builder = builder.bearer_auth(key);
    }
    builder
}

fn failure(endpoint: &Llm, error: &reqwest::Error) -> Error {
    if error.is_timeout() {
        Error::Llm(format!("the LLM at {} did not answer within {}s", endpoint.base_url, timeout().as_secs()))
    } else {
        Error::Llm(format!("can't reach the LLM at {}: {error}", endpoint.base_url))
    }
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
    runtime()?.block_on(async {
        let response = request(endpoint, &body).send().await.map_err(|e| failure(endpoint, &e))?;
        let status = response.status();
        let text = response.text().await.map_err(|e| failure(endpoint, &e))?;
        if !status.is_success() {
            let detail: String = text.chars().take(200).collect();
            return Err(Error::Llm(format!("the LLM answered HTTP {}: {detail}", status.as_u16())));
        }
        let value: Value =
            serde_json::from_str(&text).map_err(|_| Error::Llm("the LLM's answer is not JSON".into()))?;
        let choice = &value["choices"][0];
        if choice["finish_reason"].as_str().is_some_and(|r| r != "stop") {
            return Err(Error::Llm(format!("the LLM's answer was cut off ({})", choice["finish_reason"])));
        }
        let content = choice["message"]["content"]
            .as_str()
            .ok_or_else(|| Error::Llm("the LLM's answer has no content".into()))?;
        serde_json::from_str(content.trim()).map_err(|_| {
            Error::Llm(format!(
                "the LLM did not answer with valid JSON: {}",
                content.chars().take(120).collect::<String>()
            ))
        })
    })
}

/// A streamed chat answer; `on_chunk` receives each piece as it arrives. Returns the whole text.
pub fn stream_chat(endpoint: &Llm, system: &str, user: &str, mut on_chunk: impl FnMut(&str)) -> Result<String> {
    let body = json!({
        "model": endpoint.model,
        "messages": [{"role": "system", "content": system}, {"role": "user", "content": user}],
        "max_tokens": 400,
        "stream": true,
    });
    runtime()?.block_on(async {
        let response = request(endpoint, &body).send().await.map_err(|e| failure(endpoint, &e))?;
        if !response.status().is_success() {
            return Err(Error::Llm(format!("the LLM answered HTTP {}", response.status().as_u16())));
        }
        let mut stream = response.bytes_stream();
        let mut buffer = String::new();
        let mut answer = String::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| failure(endpoint, &e))?;
            buffer.push_str(&String::from_utf8_lossy(&chunk));
            while let Some(end) = buffer.find('\n') {
                let line = buffer[..end].trim().to_string();
                buffer.drain(..=end);
                let Some(data) = line.strip_prefix("data:") else { continue };
                let data = data.trim();
                if data == "[DONE]" {
                    return Ok(answer);
                }
                if let Ok(event) = serde_json::from_str::<Value>(data)
                    && let Some(piece) = event["choices"][0]["delta"]["content"].as_str()
                    && !piece.is_empty()
                {
                    on_chunk(piece);
                    answer.push_str(piece);
                }
            }
        }
        Ok(answer)
    })
}
