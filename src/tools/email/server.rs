//! Where a mail server is and how to reach it safely: host, port, TLS mode, credentials and the
//! certificates to trust. Shared by IMAP and SMTP so both read the same parameters the same way.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use serde_json::Value;

use super::super::{Failure, Request};
use crate::paths::expand_home;

/// The two protocols, which differ in default ports and the variable that names the host.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Protocol {
    /// Reading mail.
    Imap,
    /// Sending mail.
    Smtp,
}

/// How the connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (IMAP 993, SMTP 465).
    Implicit,
    /// A plain connection upgraded with STARTTLS (IMAP 143, SMTP 587).
    StartTls,
    /// No encryption: only without credentials, or to a server on this machine.
    None,
}

/// A mail server and the account on it.
pub struct Server {
    /// The protocol spoken.
    pub protocol: Protocol,
    /// Host name or address.
    pub host: String,
    /// TCP port.
    pub port: u16,
    /// TLS mode.
    pub security: Security,
    /// Login name, if any.
    pub username: Option<String>,
    /// Password, if any. Never part of any message.
    pub password: Option<String>,
    /// The PEM text of extra certificates to trust (`ca_file`), for self-hosted servers.
    pub ca_pem: Option<Vec<u8>>,
}

impl fmt::Display for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let scheme = match (self.protocol, self.security) {
            (Protocol::Imap, Security::Implicit) => "imaps",
            (Protocol::Imap, _) => "imap",
            (Protocol::Smtp, Security::Implicit) => "smtps",
            (Protocol::Smtp, _) => "smtp",
        };
        write!(f, "{scheme}://{}:{}", self.host, self.port)
    }
}

impl Server {
    /// Reads `host` (`name` or `name:port`), `port`, `tls`, `username`, `password` and `ca_file`
    /// from the step, falling back to `ALPHA_IMAP_HOST`/`ALPHA_SMTP_HOST`, `ALPHA_EMAIL_USER`,
    /// `ALPHA_EMAIL_PASSWORD` and `ALPHA_EMAIL_CA_FILE`.
    pub fn from_request(request: &Request, protocol: Protocol) -> Result<Server, Failure> {
        let host_var = match protocol {
            Protocol::Imap => "ALPHA_IMAP_HOST",
            Protocol::Smtp => "ALPHA_SMTP_HOST",
        };
        let host = param_or_env(request, "host", host_var)
            .ok_or_else(|| Failure::new(format!("missing parameter `host` (or set {host_var})")))?;
        let (host, port_in_host) = split_port(&host);
        let port = port(request)?.or(port_in_host);
        let security = security(request, protocol, port)?;
        let port = port.unwrap_or_else(|| default_port(protocol, security));
        // `account` is the original specification's name for the login.
        let username = param_or_env(request, "username", "ALPHA_EMAIL_USER")
            .or_else(|| request.str("account").filter(|a| !a.is_empty()).map(str::to_string));
        let password = param_or_env(request, "password", "ALPHA_EMAIL_PASSWORD");
        let ca_pem = match param_or_env(request, "ca_file", "ALPHA_EMAIL_CA_FILE") {
            Some(path) => {
                let path = expand_home(&path);
                Some(std::fs::read(&path).map_err(|e| Failure::new(format!("can't read ca_file {path}: {e}")))?)
            }
            None => None,
        };
        let server = Server { protocol, host, port, security, username, password, ca_pem };
        if server.security == Security::None && server.password.is_some() && !server.is_local() {
            return Err(Failure::new(format!(
                "{server}: refusing to send a password without TLS to another machine; use `tls: starttls` or `tls: implicit`"
            )));
        }
        Ok(server)
    }

    /// The login, required for IMAP.
    pub fn credentials(&self) -> Result<(&str, &str), Failure> {
        match (&self.username, &self.password) {
            (Some(user), Some(password)) => Ok((user, password)),
            _ => Err(Failure::new(format!(
                "{self}: needs `username` and `password` (a secret parameter) or ALPHA_EMAIL_USER and ALPHA_EMAIL_PASSWORD"
            ))),
        }
    }

    /// The extra trusted certificates from `ca_file`.
    pub fn extra_roots(&self) -> Result<Vec<CertificateDer<'static>>, Failure> {
        let Some(pem) = &self.ca_pem else { return Ok(Vec::new()) };
        let certs: Vec<_> = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<_, _>>()
            .map_err(|e| Failure::new(format!("ca_file is not a PEM certificate: {e}")))?;
        if certs.is_empty() {
            return Err(Failure::new("ca_file holds no PEM certificate"));
        }
        Ok(certs)
    }

    /// A rustls configuration that trusts the platform's roots plus `ca_file`.
    pub fn tls_config(&self) -> Result<Arc<rustls::ClientConfig>, Failure> {
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let verifier = rustls_platform_verifier::Verifier::new_with_extra_roots(self.extra_roots()?, provider.clone())
            .map_err(|e| Failure::new(format!("can't set up TLS: {e}")))?;
        let config = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| Failure::new(format!("can't set up TLS: {e}")))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(verifier))
            .with_no_client_auth();
        Ok(Arc::new(config))
    }

    fn is_local(&self) -> bool {
        self.host.eq_ignore_ascii_case("localhost") || self.host.parse::<IpAddr>().is_ok_and(|ip| ip.is_loopback())
    }
}

fn param_or_env(request: &Request, key: &str, var: &str) -> Option<String> {
    match request.params.get(key) {
        Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
        _ => std::env::var(var).ok().filter(|v| !v.is_empty()),
    }
}

/// `mail.example.org:2525` names the port too (handy in `ALPHA_SMTP_HOST`).
fn split_port(host: &str) -> (String, Option<u16>) {
    match host.rsplit_once(':') {
        Some((name, port)) if !name.contains(':') => match port.parse() {
            Ok(port) => (name.to_string(), Some(port)),
            Err(_) => (host.to_string(), None),
        },
        _ => (host.to_string(), None),
    }
}

fn port(request: &Request) -> Result<Option<u16>, Failure> {
    let invalid = |v: &Value| Failure::new(format!("`port` must be a number from 1 to 65535, not {v}"));
    match request.params.get("port") {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(v @ Value::Number(n)) => {
            n.as_u64().and_then(|n| u16::try_from(n).ok()).map(Some).ok_or_else(|| invalid(v))
        }
        Some(v @ Value::String(s)) => s.parse().map(Some).map_err(|_| invalid(v)),
        Some(v) => Err(invalid(v)),
    }
}

fn security(request: &Request, protocol: Protocol, port: Option<u16>) -> Result<Security, Failure> {
    match request.str("tls").map(str::to_ascii_lowercase).as_deref() {
        Some("implicit" | "tls" | "ssl") => Ok(Security::Implicit),
        Some("starttls") => Ok(Security::StartTls),
        Some("none" | "plain" | "off") => Ok(Security::None),
        Some("") | None => Ok(match (protocol, port) {
            (Protocol::Imap, Some(143)) | (Protocol::Smtp, Some(25 | 587)) => Security::StartTls,
            (Protocol::Imap, _) | (Protocol::Smtp, Some(465)) => Security::Implicit,
            (Protocol::Smtp, _) => Security::StartTls,
        }),
        Some(other) => Err(Failure::new(format!("`tls` must be implicit, starttls or none, not `{other}`"))),
    }
}

fn default_port(protocol: Protocol, security: Security) -> u16 {
    match (protocol, security) {
        (Protocol::Imap, Security::Implicit) => 993,
        (Protocol::Imap, _) => 143,
        (Protocol::Smtp, Security::Implicit) => 465,
        (Protocol::Smtp, Security::StartTls) => 587,
        (Protocol::Smtp, Security::None) => 25,
    }
}
