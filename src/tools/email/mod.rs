//! `email fetch` and `email send`. Fetch reads a local Maildir (as kept by mbsync, offlineimap or
//! notmuch) or an IMAP mailbox; send goes through SMTP. Credentials come from parameters (use a
//! `secret` parameter for the password) or from `ALPHA_EMAIL_USER` / `ALPHA_EMAIL_PASSWORD`; the
//! executor redacts both wherever a value could surface.

mod imap;
mod maildir;
mod server;
mod smtp;

use futures_util::future::BoxFuture;
use serde_json::{Map, Value, json};

use super::{Failure, Outcome, Request, Tool, text};

/// The email tool.
pub struct Email;

impl Tool for Email {
    fn call(&self, request: Request) -> BoxFuture<'_, Outcome> {
        Box::pin(async move {
            match request.action.as_str() {
                "fetch" if uses_imap(&request) => imap::fetch(&request).await,
                "fetch" => blocking(request, maildir::fetch).await,
                "send" => blocking(request, smtp::send).await,
                other => Err(Failure::new(format!("the email tool has no action `{other}`"))),
            }
        })
    }
}

/// IMAP when the step names a host, or when `ALPHA_IMAP_HOST` is set and no Maildir is named.
fn uses_imap(request: &Request) -> bool {
    request.str("host").is_some_and(|h| !h.is_empty())
        || (request.str("maildir").is_none_or(str::is_empty)
            && std::env::var("ALPHA_IMAP_HOST").is_ok_and(|h| !h.is_empty()))
}

async fn blocking(request: Request, work: fn(&Request) -> Outcome) -> Outcome {
    tokio::task::spawn_blocking(move || work(&request)).await.unwrap_or_else(|e| Err(Failure::new(e.to_string())))
}

/// What a digest needs to know about one message, whichever store it came from.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Summary {
    /// The `From` header.
    pub from: String,
    /// The `Subject` header.
    pub subject: String,
    /// The `Date` header.
    pub date: String,
    /// The start of the body.
    pub preview: String,
}

impl Summary {
    /// Reads the headers and the start of the body from a raw message.
    pub fn parse(head: &str, body: &str) -> Summary {
        Summary {
            from: header(head, "From").unwrap_or_default(),
            subject: header(head, "Subject").unwrap_or_default(),
            date: header(head, "Date").unwrap_or_default(),
            preview: body.trim().chars().take(300).collect(),
        }
    }

    /// Splits a whole message at the blank line that ends its headers.
    pub fn from_message(message: &str) -> Summary {
        let (head, body) =
            message.split_once("\r\n\r\n").or_else(|| message.split_once("\n\n")).unwrap_or((message, ""));
        Summary::parse(head, body)
    }
}

/// `limit` (default 20) and `unread_only` (default true), shared by both stores.
fn fetch_options(request: &Request) -> (usize, bool) {
    let limit = match request.params.get("limit") {
        Some(Value::Number(n)) => n.as_u64().map_or(20, |n| n as usize),
        Some(Value::String(s)) => s.parse().unwrap_or(20),
        _ => 20,
    };
    let unread_only = !matches!(request.params.get("unread_only"), Some(Value::Bool(false)))
        && request.str("unread_only") != Some("false");
    (limit, unread_only)
}

/// The step's result: `count`, `messages` and a listing as `output`.
fn fetched(messages: Vec<Summary>) -> Outcome {
    let listing: Vec<String> = messages.iter().map(|m| format!("- {} (from {})", m.subject, m.from)).collect();
    let messages: Vec<Value> = messages
        .into_iter()
        .map(|m| json!({ "from": m.from, "subject": m.subject, "date": m.date, "preview": m.preview }))
        .collect();
    let mut fields = Map::new();
    fields.insert("count".into(), Value::from(messages.len()));
    fields.insert("output".into(), text(listing.join("\n")));
    fields.insert("messages".into(), Value::Array(messages));
    Ok(fields)
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_unfolded_and_case_insensitive() {
        let message = "subject: a long\r\n  subject line\r\nFrom: Ann <ann@example.org>\r\n\r\nHello\r\n";
        let summary = Summary::from_message(message);
        assert_eq!(summary.subject, "a long subject line");
        assert_eq!(summary.from, "Ann <ann@example.org>");
        assert_eq!(summary.preview, "Hello");
        assert_eq!(summary.date, "");
    }
}
