//! `llm chat|analyze|summarize` against the configured OpenAI-compatible endpoint.

use std::sync::OnceLock;
use std::time::Instant;

use futures_util::future::BoxFuture;
use serde_json::{Map, Value, json};

use super::{Failure, Outcome, Request, Tool, text};
use crate::config::Llm as Endpoint;
use crate::workflow::ErrorKind;

/// The LLM tool.
#[derive(Default)]
pub struct Llm {
    client: OnceLock<reqwest::Client>,
}

impl Tool for Llm {
    fn call(&self, request: Request) -> BoxFuture<'_, Outcome> {
        let client = self.client.get_or_init(super::http::client).clone();
        Box::pin(run(client, request))
    }
}

fn value_text(value: Option<&Value>) -> Option<String> {
    value.map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).filter(|s| !s.is_empty())
}

async fn run(client: reqwest::Client, request: Request) -> Outcome {
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
    let answer = chat(&client, &endpoint, &body, request.deadline).await?;
    let mut fields = Map::new();
    fields.insert("json".into(), serde_json::from_str(&answer.0).unwrap_or(Value::Null));
    fields.insert("output".into(), text(answer.0));
    fields.insert("model".into(), text(model));
    fields.insert("tokens".into(), answer.1);
    Ok(fields)
}

/// One non-streaming chat completion: the content and the usage object.
pub async fn chat(
    client: &reqwest::Client,
    endpoint: &Endpoint,
    body: &Value,
    deadline: Option<Instant>,
) -> Result<(String, Value), Failure> {
    let url = format!("{}/chat/completions", endpoint.base_url);
    let mut builder = client.post(&url).json(body);
    if let Some(key) = &endpoint.api_key {
        builder = builder.bearer_auth(key);
    }
    if let Some(deadline) = deadline {
        builder = builder.timeout(deadline.saturating_duration_since(Instant::now()));
    }
    let response = builder.send().await.map_err(|e| {
        let kind = if e.is_timeout() { ErrorKind::Timeout } else { ErrorKind::Network };
        Failure::kind(format!("LLM endpoint {url}: {e}"), kind)
    })?;
    let status = response.status().as_u16();
    let text =
        response.text().await.map_err(|e| Failure::kind(format!("LLM endpoint {url}: {e}"), ErrorKind::Network))?;
    if status >= 400 {
        let detail: String = text.chars().take(200).collect();
        let kind = (status >= 500).then_some(ErrorKind::Http5xx);
        return Err(Failure {
            message: format!("LLM endpoint answered {status}: {detail}"),
            kind,
            ..Failure::default()
        });
    }
    let value: Value =
        serde_json::from_str(&text).map_err(|_| Failure::new("the LLM endpoint did not answer with JSON"))?;
    let content = value["choices"][0]["message"]["content"]
        .as_str()
        .ok_or_else(|| Failure::new("the LLM answer has no choices[0].message.content"))?;
    Ok((content.to_string(), value.get("usage").cloned().unwrap_or(Value::Null)))
}
