//! Who may use the dashboard: the token on every request, the `Host` it was asked for, and the
//! `Origin` of every request that changes something (design.md §7b).
//!
//! The token arrives as `Authorization: Bearer T` (scripts), or once as `?token=T` in the URL
//! `alpha serve` prints, which sets an HttpOnly, SameSite=Strict cookie and redirects to the same
//! page without it, so the token doesn't stay in the address bar or the history. A `Host` other
//! than the server's own names is refused (DNS rebinding), and a write whose `Origin` is not the
//! server's is refused (cross-site requests), as is a cookie-authenticated write with no
//! `Origin` at all. Nothing sets CORS headers, so other sites can't read the API either.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};

use super::AppState;
use crate::error::{Error, Result};

/// The cookie that carries the token after the first visit.
const COOKIE: &str = "alpha_token";

/// Where a generated token is kept between runs of `alpha serve`.
pub fn token_file(data_dir: &Path) -> PathBuf {
    data_dir.join("web-token")
}

/// The token to require: the one given, else the stored one, else a new one stored with mode
/// 0600. Returns the file when the token came from (or went to) one.
pub fn token(data_dir: &Path, given: Option<String>) -> Result<(String, Option<PathBuf>)> {
    if let Some(token) = given.map(|t| t.trim().to_string()) {
        if token.len() < 16 {
            return Err(Error::usage("the dashboard token must be at least 16 characters"));
        }
        return Ok((token, None));
    }
    let file = token_file(data_dir);
    if let Ok(text) = std::fs::read_to_string(&file)
        && text.trim().len() >= 16
    {
        return Ok((text.trim().to_string(), Some(file)));
    }
    let token = format!("{}{}", uuid::Uuid::new_v4().simple(), uuid::Uuid::new_v4().simple());
    crate::paths::create_private_dir(data_dir)
        .map_err(|e| Error::io(format!("can't create {}", data_dir.display()), e))?;
    write_private(&file, &token).map_err(|e| Error::io(format!("can't write {}", file.display()), e))?;
    Ok((token, Some(file)))
}

fn write_private(file: &Path, text: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let _ = std::fs::remove_file(file);
    let mut out = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(file)?;
    out.write_all(text.as_bytes())?;
    out.write_all(b"\n")
}

/// The `Host` values a browser sends for this server: its loopback names, or the address it was
/// bound to (and the loopback names too when it listens on every interface).
pub fn hosts_for(address: SocketAddr) -> Vec<String> {
    let port = address.port();
    let mut hosts = Vec::new();
    let ip = address.ip();
    if ip.is_loopback() || ip.is_unspecified() {
        hosts.extend([format!("127.0.0.1:{port}"), format!("localhost:{port}"), format!("[::1]:{port}")]);
    }
    if ip.is_unspecified() {
        // Every interface: any name that reaches this port (the token still guards it).
        hosts.push(format!("*:{port}"));
    } else if !ip.is_loopback() {
        hosts.push(format!("{}:{port}", super::host_of(address)));
    }
    hosts
}

/// How a request proved it may be served.
#[derive(PartialEq)]
enum Proof {
    Bearer,
    Cookie,
    Query,
}

/// The middleware in front of every route.
pub async fn guard(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok()).unwrap_or("").to_ascii_lowercase();
    let host_known = state.hosts.iter().any(|known| match known.strip_prefix('*') {
        Some(port) => host.ends_with(port),
        None => *known == host,
    });
    if !host_known {
        return refuse(StatusCode::MISDIRECTED_REQUEST, "this server does not answer to that host name", &request);
    }
    let Some(proof) = proof(&state.token, &request) else {
        return refuse(
            StatusCode::UNAUTHORIZED,
            "this dashboard needs its token: open the address `alpha serve` printed, or send Authorization: Bearer TOKEN",
            &request,
        );
    };
    let writes = !matches!(*request.method(), Method::GET | Method::HEAD);
    if writes && !same_origin(headers, &host, &proof) {
        return refuse(StatusCode::FORBIDDEN, "a request from another site can't change anything here", &request);
    }
    if proof == Proof::Query && request.method() == Method::GET && !request.uri().path().starts_with("/api/") {
        return redirect_without_token(&state.token, &request);
    }
    let began = std::time::Instant::now();
    let mut response = next.run(request).await;
    // How long the server took, for the browser's network panel and the benchmark.
    let took = format!("app;dur={:.2}", began.elapsed().as_secs_f64() * 1000.0);
    if let Ok(value) = HeaderValue::from_str(&took) {
        response.headers_mut().insert("server-timing", value);
    }
    if proof == Proof::Query {
        set_cookie(&mut response, &state.token);
    }
    protect(response.headers_mut());
    response
}

fn proof(token: &str, request: &Request) -> Option<Proof> {
    let headers = request.headers();
    if let Some(value) = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok())
        && let Some(given) = value.strip_prefix("Bearer ")
        && equal(given.trim(), token)
    {
        return Some(Proof::Bearer);
    }
    let cookies = headers.get_all(header::COOKIE).iter().filter_map(|v| v.to_str().ok());
    for cookie in cookies.flat_map(|line| line.split(';')) {
        if let Some((name, value)) = cookie.trim().split_once('=')
            && name == COOKIE
            && equal(value, token)
        {
            return Some(Proof::Cookie);
        }
    }
    let query = request.uri().query().unwrap_or("");
    let given = url_query(query).find(|(k, _)| k == "token").map(|(_, v)| v);
    given.filter(|v| equal(v, token)).map(|_| Proof::Query)
}

/// `key=value` pairs of a query string, percent-decoded.
fn url_query(query: &str) -> impl Iterator<Item = (String, String)> + '_ {
    query.split('&').filter(|p| !p.is_empty()).map(|pair| {
        let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
        let decode =
            |s: &str| percent_encoding::percent_decode_str(&s.replace('+', " ")).decode_utf8_lossy().into_owned();
        (decode(k), decode(v))
    })
}

/// Compares in time that doesn't depend on where the texts differ.
fn equal(given: &str, token: &str) -> bool {
    given.len() == token.len() && given.bytes().zip(token.bytes()).fold(0u8, |acc, (a, b)| acc | (a ^ b)) == 0
}

/// A write must come from a page of this server: its `Origin` names this host. A script with the
/// bearer token sends no `Origin`, and may; a browser always sends one with a write.
fn same_origin(headers: &HeaderMap, host: &str, proof: &Proof) -> bool {
    if headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()).is_some_and(|site| site == "cross-site") {
        return false;
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        Some(origin) => origin.eq_ignore_ascii_case(&format!("http://{host}")),
        None => *proof == Proof::Bearer,
    }
}

fn refuse(status: StatusCode, message: &str, request: &Request) -> Response {
    let mut response = if request.uri().path().starts_with("/api/") {
        (status, axum::Json(serde_json::json!({ "error": message }))).into_response()
    } else {
        (status, super::pages::layout::message_page("alpha", message)).into_response()
    };
    protect(response.headers_mut());
    response
}

fn redirect_without_token(token: &str, request: &Request) -> Response {
    let kept: Vec<String> = url_query(request.uri().query().unwrap_or(""))
        .filter(|(k, _)| k != "token")
        .map(|(k, v)| format!("{}={}", encode(&k), encode(&v)))
        .collect();
    let path = request.uri().path();
    let target = if kept.is_empty() { path.to_string() } else { format!("{path}?{}", kept.join("&")) };
    let mut response = Response::builder()
        .status(StatusCode::SEE_OTHER)
        .header(header::LOCATION, target)
        .body(Body::empty())
        .unwrap_or_default();
    set_cookie(&mut response, token);
    protect(response.headers_mut());
    response
}

/// Percent-encodes a query component.
pub fn encode(text: &str) -> String {
    percent_encoding::utf8_percent_encode(text, percent_encoding::NON_ALPHANUMERIC).to_string()
}

fn set_cookie(response: &mut Response, token: &str) {
    let cookie = format!("{COOKIE}={token}; Path=/; HttpOnly; SameSite=Strict");
    if let Ok(value) = HeaderValue::from_str(&cookie) {
        response.headers_mut().append(header::SET_COOKIE, value);
    }
}

/// Headers on every answer: no framing, no sniffing, no referrer (a URL may carry the token),
/// and scripts and styles only from this server.
fn protect(headers: &mut HeaderMap) {
    let set = |headers: &mut HeaderMap, name: &'static str, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, "x-content-type-options", "nosniff");
    set(headers, "x-frame-options", "DENY");
    set(headers, "referrer-policy", "no-referrer");
    set(
        headers,
        "content-security-policy",
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; \
         frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
    );
}
