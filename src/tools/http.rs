//! `http request|get|post|…`: an HTTP call with headers, a JSON or text body and a status check.

use std::sync::OnceLock;
use std::time::Instant;

use futures_util::future::BoxFuture;
use serde_json::{Map, Value};

use super::{Failure, Outcome, Request, Tool, text};
use crate::workflow::ErrorKind;

/// The HTTP tool, sharing one connection pool.
#[derive(Default)]
pub struct Http {
    client: OnceLock<reqwest::Client>,
}

/// A client with rustls on the ring provider (installed once per process), giving up on a
/// connection that takes longer than `limits.http_connect_timeout` to open.
pub fn client() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .user_agent(concat!("alpha/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(crate::config::settings().limits.http_connect_timeout)
        .build()
        .unwrap_or_default()
}

impl Tool for Http {
    fn call(&self, request: Request) -> BoxFuture<'_, Outcome> {
        let client = self.client.get_or_init(client).clone();
        Box::pin(run(client, request))
    }
}

async fn run(client: reqwest::Client, request: Request) -> Outcome {
    let url = request.required("url")?.to_string();
    let method = match request.action.as_str() {
        "request" => request.str("method").unwrap_or("GET").to_ascii_uppercase(),
        action => action.to_ascii_uppercase(),
    };
    let method = reqwest::Method::from_bytes(method.as_bytes())
        .map_err(|_| Failure::new(format!("`{method}` is not an HTTP method")))?;
    let mut target = reqwest::Url::parse(&url).map_err(|e| Failure::new(format!("`{url}` is not a valid URL: {e}")))?;
    if let Some(Value::Object(query)) = request.params.get("query") {
        let mut pairs = target.query_pairs_mut();
        for (k, v) in query {
            pairs.append_pair(k, &v.as_str().map_or_else(|| v.to_string(), str::to_string));
        }
    }
    let mut builder = client.request(method, target);
    if let Some(Value::Object(headers)) = request.params.get("headers") {
        for (name, value) in headers {
            builder = builder.header(name, value.as_str().map_or_else(|| value.to_string(), str::to_string));
        }
    }
    if let Some(json) = request.params.get("json") {
        builder = builder.json(json);
    } else if let Some(body) = request.params.get("body") {
        builder = builder.body(body.as_str().map_or_else(|| body.to_string(), str::to_string));
    }
    // The whole exchange, body included, ends by the step's deadline or the default limit,
    // whichever is nearer, so a server that never answers or drips a byte at a time can't hold
    // the step.
    let limit = crate::config::settings().limits.http_timeout;
    let budget = request.deadline.map_or(limit, |d| d.saturating_duration_since(Instant::now()).min(limit));
    let ends = tokio::time::Instant::now() + budget;
    let exchange = async {
        let response = builder.send().await?;
        let status = response.status().as_u16();
        let mut headers = Map::new();
        for (name, value) in response.headers() {
            headers.insert(name.to_string(), text(value.to_str().unwrap_or_default()));
        }
        let mut body = request.stream("body");
        let mut response = response;
        let read = loop {
            match response.chunk().await {
                Ok(Some(chunk)) => body.push(&chunk),
                Ok(None) => break Ok(()),
                Err(e) => break Err(e),
            }
        };
        Ok::<_, reqwest::Error>((status, headers, body, read))
    };
    let (status, headers, body, read) = match tokio::time::timeout_at(ends, exchange).await {
        Ok(Ok(done)) => done,
        Ok(Err(e)) => return Err(network_failure(&url, &e)),
        Err(_) => {
            return Err(Failure::kind(
                format!("{url}: no complete answer within {}", crate::workflow::HumanDuration::new(budget)),
                ErrorKind::Timeout,
            ));
        }
    };
    let captured = body.finish();
    read.map_err(|e| network_failure(&url, &e))?;
    let mut fields = Map::new();
    fields.insert("status_code".into(), Value::from(status));
    fields.insert("headers".into(), Value::Object(headers));
    let json =
        if captured.truncated { Value::Null } else { serde_json::from_str(&captured.text).unwrap_or(Value::Null) };
    fields.insert("json".into(), json);
    fields.insert("output".into(), text(captured.text.clone()));
    captured.insert_into(&mut fields, "body");
    if let Some(log) = request.log_path() {
        fields.insert("log".into(), text(log));
    }
    let expected = expected_statuses(request.params.get("expect_status"));
    let ok = match &expected {
        Some(codes) => codes.contains(&status),
        None => status < 400 || request.params.get("fail_on_error") == Some(&Value::Bool(false)),
    };
    if ok {
        return Ok(fields);
    }
    let message = match expected {
        Some(codes) => format!(
            "{url} answered {status}, expected {}",
            codes.iter().map(u16::to_string).collect::<Vec<_>>().join(" or ")
        ),
        None => format!("{url} answered {status}"),
    };
    Err(Failure { message, kind: (status >= 500).then_some(ErrorKind::Http5xx), fields, ..Failure::default() })
}

fn expected_statuses(value: Option<&Value>) -> Option<Vec<u16>> {
    match value? {
        Value::Number(n) => n.as_u64().and_then(|n| u16::try_from(n).ok()).map(|n| vec![n]),
        Value::String(s) => s.parse().ok().map(|n| vec![n]),
        Value::Array(items) => {
            Some(items.iter().filter_map(|v| v.as_u64().and_then(|n| u16::try_from(n).ok())).collect())
        }
        _ => None,
    }
}

fn network_failure(url: &str, error: &reqwest::Error) -> Failure {
    if error.is_timeout() {
        return Failure::kind(format!("{url}: timed out"), ErrorKind::Timeout);
    }
    Failure::kind(format!("{url}: {}", super::error_chain(error)), ErrorKind::Network)
}
