//! `notification send`: always to the terminal; also to the desktop (notify-send), a webhook
//! (JSON POST) or a file, as the parameters ask.

use std::io::Write;
use std::sync::OnceLock;

use futures_util::future::BoxFuture;
use serde_json::{Map, Value, json};

use super::{Failure, Outcome, Request, Tool, text};

/// The notification tool.
#[derive(Default)]
pub struct Notification {
    client: OnceLock<reqwest::Client>,
}

impl Tool for Notification {
    fn call(&self, request: Request) -> BoxFuture<'_, Outcome> {
        let client = self.client.get_or_init(super::http::client).clone();
        Box::pin(send(client, request))
    }
}

async fn send(client: reqwest::Client, request: Request) -> Outcome {
    // Notifications are for people: a secret never goes into one.
    let message = request.scrub(request.required("message")?);
    let title = request.scrub(request.str("title").unwrap_or("alpha"));
    let channel = request.str("channel").unwrap_or(if request.str("url").is_some() {
        "webhook"
    } else if request.str("path").is_some() {
        "file"
    } else {
        "terminal"
    });
    let mut delivered = vec!["terminal"];
    (request.notice)(&format!("🔔 {title}: {message}"));
    match channel {
        "terminal" => {}
        "desktop" => {
            let sent = tokio::process::Command::new("notify-send")
                .arg("--")
                .arg(&title)
                .arg(&message)
                .status()
                .await
                .map(|s| s.success())
                .unwrap_or(false);
            if sent {
                delivered.push("desktop");
            }
        }
        "webhook" => {
            let url = request.required("url")?;
            let response = client
                .post(url)
                .json(&json!({"title": title, "message": message, "level": request.str("level").unwrap_or("info")}))
                .send()
                .await
                .map_err(|e| Failure::kind(format!("webhook {url}: {e}"), crate::workflow::ErrorKind::Network))?;
            if !response.status().is_success() {
                return Err(Failure::new(format!("webhook {url} answered {}", response.status().as_u16())));
            }
            delivered.push("webhook");
        }
        "file" => {
            let path = request.path_of(request.required("path")?);
            let line = format!("{} [{title}] {message}\n", chrono::Local::now().format("%Y-%m-%d %H:%M:%S"));
            if let Some(parent) = std::path::Path::new(&path).parent().filter(|p| !p.as_os_str().is_empty()) {
                std::fs::create_dir_all(parent)
                    .map_err(|e| Failure::new(format!("can't create {}: {e}", parent.display())))?;
            }
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|e| Failure::new(format!("can't open {}: {e}", path.display())))?;
            file.write_all(line.as_bytes())
                .map_err(|e| Failure::new(format!("can't write {}: {e}", path.display())))?;
            delivered.push("file");
        }
        other => return Err(Failure::new(format!("unknown channel `{other}` (terminal, desktop, webhook or file)"))),
    }
    let mut fields = Map::new();
    fields.insert("output".into(), text(message));
    fields.insert("channel".into(), Value::Array(delivered.into_iter().map(text).collect()));
    Ok(fields)
}
