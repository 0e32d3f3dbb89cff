//! Sending over SMTP with lettre: STARTTLS on 587 by default, implicit TLS on 465, plain only
//! without a password or to this machine.

use std::time::{Duration, Instant};

use lettre::message::{Mailbox, Mailboxes, header::ContentType};
use lettre::transport::smtp::authentication::Credentials;
use lettre::transport::smtp::client::{Certificate, Tls, TlsParameters};
use lettre::{Message, SmtpTransport, Transport};
use serde_json::{Map, Value};

use super::server::{Protocol, Security, Server};
use super::{Failure, Outcome, Request, text};
use crate::tools::error_chain;
use crate::workflow::ErrorKind;

/// Sends `body` with `subject` to `to` (one address, a comma-separated list or an array).
pub fn send(request: &Request) -> Outcome {
    let server = Server::from_request(request, Protocol::Smtp)?;
    let recipients = recipients(request)?;
    let from = sender(request, &server)?;
    let mut builder = Message::builder().from(from.clone()).subject(request.required("subject")?);
    for recipient in recipients.iter() {
        builder = builder.to(recipient.clone());
    }
    let body = request
        .params
        .get("body")
        .map_or_else(String::new, |b| b.as_str().map_or_else(|| b.to_string(), str::to_string));
    let message = builder
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| Failure::new(format!("can't build the message: {e}")))?;
    let message_id = message.headers().get_raw("Message-ID").unwrap_or_default().to_string();
    let timeout = request.deadline.map_or(Duration::from_secs(60), |d| d.saturating_duration_since(Instant::now()));
    let transport = transport(&server, timeout)?;
    transport.send(&message).map_err(|e| failure(&server, &e))?;
    let to: Vec<String> = recipients.iter().map(|m| m.email.to_string()).collect();
    let mut fields = Map::new();
    fields.insert(
        "output".into(),
        text(format!("sent \"{}\" to {}", request.str("subject").unwrap_or(""), to.join(", "))),
    );
    fields.insert("message_id".into(), text(message_id));
    fields.insert("count".into(), Value::from(to.len()));
    fields.insert("to".into(), Value::from(to));
    Ok(fields)
}

fn transport(server: &Server, timeout: Duration) -> Result<SmtpTransport, Failure> {
    let tls = match server.security {
        Security::None => Tls::None,
        security => {
            let mut parameters = TlsParameters::builder(server.host.clone());
            if let Some(pem) = &server.ca_pem {
                server.extra_roots()?;
                let certificate = Certificate::from_pem(pem).map_err(|e| Failure::new(format!("ca_file: {e}")))?;
                parameters = parameters.add_root_certificate(certificate);
            }
            let parameters = parameters.build_rustls().map_err(|e| Failure::new(format!("{server}: TLS: {e}")))?;
            if security == Security::Implicit { Tls::Wrapper(parameters) } else { Tls::Required(parameters) }
        }
    };
    let mut builder =
        SmtpTransport::builder_dangerous(server.host.as_str()).port(server.port).tls(tls).timeout(Some(timeout));
    if let (Some(user), Some(password)) = (&server.username, &server.password) {
        builder = builder.credentials(Credentials::new(user.clone(), password.clone()));
    }
    Ok(builder.build())
}

fn recipients(request: &Request) -> Result<Mailboxes, Failure> {
    let list: Vec<String> = match request.params.get("to") {
        Some(Value::Array(items)) => {
            items.iter().map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).collect()
        }
        Some(Value::String(s)) => s.split(',').map(str::to_string).collect(),
        _ => return Err(Failure::new("missing parameter `to`")),
    };
    let mut mailboxes = Mailboxes::new();
    for address in list.iter().map(|a| a.trim()).filter(|a| !a.is_empty()) {
        let mailbox: Mailbox =
            address.parse().map_err(|e| Failure::new(format!("`{address}` is not an email address: {e}")))?;
        mailboxes.push(mailbox);
    }
    if mailboxes.iter().next().is_none() {
        return Err(Failure::new("`to` names no recipient"));
    }
    Ok(mailboxes)
}

fn sender(request: &Request, server: &Server) -> Result<Mailbox, Failure> {
    let from = request
        .str("from")
        .filter(|f| !f.is_empty())
        .map(str::to_string)
        .or_else(|| std::env::var("ALPHA_EMAIL_FROM").ok().filter(|f| !f.is_empty()))
        .or_else(|| server.username.clone().filter(|u| u.contains('@')))
        .ok_or_else(|| Failure::new("missing parameter `from` (or set ALPHA_EMAIL_FROM)"))?;
    from.parse().map_err(|e| Failure::new(format!("`{from}` is not an email address: {e}")))
}

fn failure(server: &Server, error: &lettre::transport::smtp::Error) -> Failure {
    let detail = error_chain(error);
    let message = format!("{server}: {detail}");
    if error.is_timeout() {
        Failure::kind(message, ErrorKind::Timeout)
    } else if error.is_transient() || (error.is_client() && detail.contains("onnection")) {
        Failure::kind(message, ErrorKind::Network)
    } else {
        Failure::new(message)
    }
}
