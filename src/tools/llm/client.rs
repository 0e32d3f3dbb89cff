//! The one OpenAI-compatible client (Ollama, llama.cpp's server, OpenAI): chat completions,
//! whole or streamed. The `llm` tool, the intent fallback and the drafter all send through it,
//! so timeouts, keys and error messages are the same everywhere.

use std::time::Duration;

use futures_util::StreamExt;
use serde_json::Value;

use crate::config::Llm as Endpoint;

/// What went wrong talking to the endpoint.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LlmError {
    /// No answer in time.
    #[error("the LLM at {url} did not answer within {seconds}s")]
    Timeout {
        /// The endpoint.
        url: String,
        /// The limit.
        seconds: u64,
    },
    /// It could not be reached.
    #[error("can't reach the LLM at {url}: {detail}")]
    Unreachable {
        /// The endpoint.
        url: String,
        /// Why.
        detail: String,
    },
    /// It answered with an HTTP error.
    #[error("the LLM answered HTTP {status}: {detail}")]
    Status {
        /// The HTTP status.
        status: u16,
        /// The start of the body.
        detail: String,
    },
    /// The answer is not what an OpenAI-compatible endpoint sends.
    #[error("the LLM's answer {0}")]
    Malformed(&'static str),
}

/// One completion.
#[derive(Debug, Clone)]
pub struct Completion {
    /// `choices[0].message.content` (empty when the model answered with a tool call).
    pub content: String,
    /// The arguments of `choices[0].message.tool_calls[0]`, when the model called a tool.
    pub tool_arguments: Option<String>,
    /// `choices[0].finish_reason` (`stop` when the model ended by itself).
    pub finish_reason: Option<String>,
    /// The `usage` object, when sent.
    pub usage: Value,
}

/// The client; cheap to clone (it shares one connection pool).
#[derive(Debug, Clone)]
pub struct Client {
    http: reqwest::Client,
}

impl Default for Client {
    fn default() -> Self {
        Client { http: crate::tools::http::client() }
    }
}

impl Client {
    fn request(&self, endpoint: &Endpoint, body: &Value, timeout: Duration) -> reqwest::RequestBuilder {
        let mut builder = self.http.post(format!("{}/chat/completions", endpoint.base_url)).json(body).timeout(timeout);
        if let Some(key) = &endpoint.api_key {
            builder = builder.bearer_auth(key);
        }
        builder
    }

    fn failure(endpoint: &Endpoint, timeout: Duration, error: &reqwest::Error) -> LlmError {
        if error.is_timeout() {
            LlmError::Timeout { url: endpoint.base_url.clone(), seconds: timeout.as_secs() }
        } else {
            LlmError::Unreachable { url: endpoint.base_url.clone(), detail: crate::tools::error_chain(error) }
        }
    }

    /// One chat completion (`body` is the OpenAI request, without `stream`).
    pub async fn complete(&self, endpoint: &Endpoint, body: &Value, timeout: Duration) -> Result<Completion, LlmError> {
        let response =
            self.request(endpoint, body, timeout).send().await.map_err(|e| Self::failure(endpoint, timeout, &e))?;
        let status = response.status().as_u16();
        let text = response.text().await.map_err(|e| Self::failure(endpoint, timeout, &e))?;
        if status >= 400 {
            return Err(LlmError::Status { status, detail: text.chars().take(200).collect() });
        }
        let value: Value = serde_json::from_str(&text).map_err(|_| LlmError::Malformed("is not JSON"))?;
        let choice = &value["choices"][0];
        let tool_arguments = choice["message"]["tool_calls"][0]["function"]["arguments"].as_str().map(str::to_string);
        let content = match choice["message"]["content"].as_str() {
            Some(content) => content,
            None if tool_arguments.is_some() => "",
            None => return Err(LlmError::Malformed("has no content")),
        };
        Ok(Completion {
            content: content.to_string(),
            tool_arguments,
            finish_reason: choice["finish_reason"].as_str().map(str::to_string),
            usage: value.get("usage").cloned().unwrap_or(Value::Null),
        })
    }

    /// A streamed chat completion: `on_chunk` receives each piece as it arrives; returns the
    /// whole text.
    pub async fn stream(
        &self,
        endpoint: &Endpoint,
        body: &Value,
        timeout: Duration,
        mut on_chunk: impl FnMut(&str),
    ) -> Result<String, LlmError> {
        let mut body = body.clone();
        body["stream"] = Value::Bool(true);
        let response =
            self.request(endpoint, &body, timeout).send().await.map_err(|e| Self::failure(endpoint, timeout, &e))?;
        if !response.status().is_success() {
            return Err(LlmError::Status { status: response.status().as_u16(), detail: String::new() });
        }
        let mut stream = response.bytes_stream();
        let mut buffer = String::new();
        let mut answer = String::new();
        while let Some(chunk) = stream.next().await {
            let chunk = chunk.map_err(|e| Self::failure(endpoint, timeout, &e))?;
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
    }
}
