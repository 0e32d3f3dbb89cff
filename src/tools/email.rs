//! `email fetch`: reads messages from a local Maildir (as kept by mbsync, offlineimap or
//! notmuch). Unread messages are those in `new/` and those in `cur/` without the S (seen) flag.

use std::path::{Path, PathBuf};

use futures_util::future::BoxFuture;
use serde_json::{Map, Value, json};

use super::{Failure, Outcome, Request, Tool, text};
use crate::executor::params::expand_home;

/// The email tool.
pub struct Email;

impl Tool for Email {
    fn call(&self, request: Request) -> BoxFuture<'_, Outcome> {
        Box::pin(async move {
            tokio::task::spawn_blocking(move || run(&request))
                .await
                .unwrap_or_else(|e| Err(Failure::new(e.to_string())))
        })
    }
}

fn run(request: &Request) -> Outcome {
    match request.action.as_str() {
        "fetch" => fetch(request),
        "send" => Err(Failure::new("sending mail (SMTP) is not available in this version of alpha yet")),
        other => Err(Failure::new(format!("the email tool has no action `{other}`"))),
    }
}

fn maildir(request: &Request) -> Result<PathBuf, Failure> {
    if request.str("host").is_some() {
        return Err(Failure::new(
            "IMAP is not available in this version of alpha yet; point `maildir` at a Maildir synced by mbsync or offlineimap",
        ));
    }
    let path = match request.str("maildir") {
        Some(path) => expand_home(path),
        None => std::env::var("MAILDIR").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| expand_home("~/Maildir")),
    };
    let path = PathBuf::from(path);
    if !path.join("cur").is_dir() && !path.join("new").is_dir() {
        return Err(Failure::new(format!("{} is not a Maildir (no cur/ or new/ folder)", path.display())));
    }
    Ok(path)
}

fn unread(file: &Path, folder: &str) -> bool {
    if folder == "new" {
        return true;
    }
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !name.rsplit_once(":2,").is_some_and(|(_, flags)| flags.contains('S'))
}

/// Header `name` of a message (unfolded), if present.
fn header(head: &str, name: &str) -> Option<String> {
    let mut value: Option<String> = None;
    for line in head.lines() {
        if let Some(current) = value.as_mut() {
            if line.starts_with([' ', '\t']) {
                current.push(' ');
                current.push_str(line.trim());
                continue;
            }
            break;
        }
        if let Some((key, rest)) = line.split_once(':')
            && key.eq_ignore_ascii_case(name)
        {
            value = Some(rest.trim().to_string());
        }
    }
    value
}

fn fetch(request: &Request) -> Outcome {
    let dir = maildir(request)?;
    let limit = match request.params.get("limit") {
        Some(Value::Number(n)) => n.as_u64().unwrap_or(20) as usize,
        Some(Value::String(s)) => s.parse().unwrap_or(20),
        _ => 20,
    };
    let unread_only = request.params.get("unread_only") != Some(&Value::Bool(false));
    let mut files: Vec<(std::time::SystemTime, PathBuf, &str)> = Vec::new();
    for folder in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(dir.join(folder)) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() && (!unread_only || unread(&path, folder)) {
                let modified = entry.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH);
                files.push((modified, path, folder));
            }
        }
    }
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    let mut messages = Vec::new();
    for (_, path, _) in files.into_iter().take(limit) {
        let bytes = std::fs::read(&path).map_err(|e| Failure::new(format!("can't read {}: {e}", path.display())))?;
        let text = String::from_utf8_lossy(&bytes);
        let (head, body) = text.split_once("\n\n").or_else(|| text.split_once("\r\n\r\n")).unwrap_or((&text, ""));
        messages.push(json!({
            "from": header(head, "From").unwrap_or_default(),
            "subject": header(head, "Subject").unwrap_or_default(),
            "date": header(head, "Date").unwrap_or_default(),
            "preview": body.trim().chars().take(300).collect::<String>(),
        }));
    }
    let listing: Vec<String> = messages
        .iter()
        .map(|m| format!("- {} (from {})", m["subject"].as_str().unwrap_or(""), m["from"].as_str().unwrap_or("")))
        .collect();
    let mut fields = Map::new();
    fields.insert("count".into(), Value::from(messages.len()));
    fields.insert("output".into(), text(listing.join("\n")));
    fields.insert("messages".into(), Value::Array(messages));
    Ok(fields)
}
