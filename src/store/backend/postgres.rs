//! A library on a PostgreSQL server, shared by every machine pointed at it. Connections follow
//! libpq's conventions, so a URL or the `PG*` variables that work for `psql` work here:
//! `postgres://user:password@host:port/db?sslmode=…`, with `PGHOST`, `PGPORT`, `PGUSER`,
//! `PGPASSWORD`, `PGDATABASE`, `PGSSLMODE`, `PGAPPNAME` and `PGCONNECT_TIMEOUT` filling in what
//! the URL leaves out. A password is never printed: every message shows the URL through
//! [`mask_url`].

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use postgres::{Client, Config, NoTls, Statement};

use super::Param;
use crate::error::{Error, Result};

/// Where a library lives, from `--db`, `ALPHA_DB` or `store:`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A SQLite file.
    File(PathBuf),
    /// A PostgreSQL URL.
    Postgres(String),
}

/// Whether a `--db` value is a URL (a server) rather than a file path.
pub fn is_url(value: &Path) -> bool {
    value.to_string_lossy().contains("://")
}

impl Location {
    /// Reads a `--db` value: a `postgres://` or `postgresql://` URL, or a file path. Any other
    /// URL is refused rather than taken for a file in a folder named `scheme:`.
    pub fn of(value: &Path) -> Result<Location> {
        if !is_url(value) {
            return Ok(Location::File(value.to_path_buf()));
        }
        let text = value.to_string_lossy();
        let (scheme, _) = text.split_once("://").unwrap_or_default();
        match scheme.to_ascii_lowercase().as_str() {
            "postgres" | "postgresql" => Ok(Location::Postgres(text.into_owned())),
            other => Err(Error::Storage(format!(
                "{}: `{other}://` is not a store alpha knows; give --db a file path or a postgres:// URL",
                mask_url(&text)
            ))),
        }
    }
}

/// `url` with its password replaced by `***`, for messages and logs.
pub fn mask_url(url: &str) -> String {
    redact_url(url, Some("***"))
}

/// `url` without its password, for a file alpha writes (a service unit), which then takes the
/// password from `PGPASSWORD`.
pub fn url_without_password(url: &str) -> String {
    redact_url(url, None)
}

/// `url` with its password replaced by `mask`, or left out with `None`.
fn redact_url(url: &str, mask: Option<&str>) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_string() };
    let (authority, tail) = match rest.find(['/', '?']) {
        Some(at) => rest.split_at(at),
        None => (rest, ""),
    };
    let authority = match authority.rsplit_once('@') {
        Some((credentials, host)) => match (credentials.split_once(':'), mask) {
            (Some((user, _)), Some(mask)) => format!("{user}:{mask}@{host}"),
            (Some((user, _)), None) => format!("{user}@{host}"),
            (None, _) => authority.to_string(),
        },
        None => authority.to_string(),
    };
    // A password may also come as a query parameter.
    let tail = match tail.split_once('?') {
        Some((path, query)) => {
            let kept: Vec<String> = query
                .split('&')
                .filter_map(|pair| match (pair.split_once('='), mask) {
                    (Some((key, _)), Some(mask)) if key.eq_ignore_ascii_case("password") => {
                        Some(format!("{key}={mask}"))
                    }
                    (Some((key, _)), None) if key.eq_ignore_ascii_case("password") => None,
                    _ => Some(pair.to_string()),
                })
                .collect();
            if kept.is_empty() { path.to_string() } else { format!("{path}?{}", kept.join("&")) }
        }
        None => tail.to_string(),
    };
    format!("{scheme}://{authority}{tail}")
}

/// An open connection, with its prepared statements and the channels it listens on.
pub struct Pg {
    client: Client,
    statements: HashMap<String, Statement>,
    listening: HashSet<String>,
}

/// libpq's `sslmode`, which tokio-postgres knows only in part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SslMode {
    Disable,
    /// allow, prefer (the default), require: encrypted when the server offers it (required for
    /// `require`), the certificate not checked, as libpq does.
    Encrypt {
        required: bool,
    },
    /// verify-ca, verify-full: the certificate checked against the system's roots.
    Verify,
}

impl Pg {
    /// Connects to the server at `url`.
    pub fn connect(url: &str) -> Result<Pg> {
        let shown = mask_url(url);
        let (url, ssl) = take_sslmode(url)?;
        let mut config = Config::from_str(&url)
            .map_err(|e| Error::Storage(format!("{shown} is not a PostgreSQL URL alpha can read: {e}")))?;
        fill_from_environment(&mut config);
        let connected = match ssl {
            SslMode::Disable => {
                config.ssl_mode(postgres::config::SslMode::Disable);
                config.connect(NoTls)
            }
            SslMode::Encrypt { required } => {
                config.ssl_mode(if required {
                    postgres::config::SslMode::Require
                } else {
                    postgres::config::SslMode::Prefer
                });
                config.connect(tls(false)?)
            }
            SslMode::Verify => {
                config.ssl_mode(postgres::config::SslMode::Require);
                config.connect(tls(true)?)
            }
        };
        let client = connected.map_err(|e| connect_error(&shown, &config, &e))?;
        Ok(Pg { client, statements: HashMap::new(), listening: HashSet::new() })
    }

    /// Runs `work` on the client. Inside an async runtime, the blocking client can't wait on its
    /// own runtime, so the work goes to a scoped thread of its own.
    fn with<T: Send>(&mut self, work: impl FnOnce(&mut Pg) -> T + Send) -> T {
        if tokio::runtime::Handle::try_current().is_err() {
            return work(self);
        }
        std::thread::scope(|scope| match scope.spawn(|| work(self)).join() {
            Ok(value) => value,
            Err(panic) => std::panic::resume_unwind(panic),
        })
    }

    fn statement(&mut self, sql: &str) -> Result<Statement> {
        if let Some(statement) = self.statements.get(sql) {
            return Ok(statement.clone());
        }
        let statement = self.client.prepare(&translate(sql))?;
        self.statements.insert(sql.to_string(), statement.clone());
        Ok(statement)
    }

    /// Runs a statement; returns the rows it changed.
    pub fn execute(&mut self, sql: &str, params: &[&dyn Param]) -> Result<usize> {
        let params: Vec<_> = params.iter().map(|p| p.postgres()).collect();
        self.with(|pg| {
            let statement = pg.statement(sql)?;
            Ok(pg.client.execute(&statement, &params)? as usize)
        })
    }

    /// Runs a query.
    pub fn query(&mut self, sql: &str, params: &[&dyn Param]) -> Result<Vec<postgres::Row>> {
        let params: Vec<_> = params.iter().map(|p| p.postgres()).collect();
        self.with(|pg| {
            let statement = pg.statement(sql)?;
            Ok(pg.client.query(&statement, &params)?)
        })
    }

    /// Runs statements without parameters.
    pub fn batch(&mut self, sql: &str) -> Result<()> {
        self.with(|pg| Ok(pg.client.batch_execute(sql)?))
    }

    /// `NOTIFY channel`.
    pub fn notify(&mut self, channel: &str) -> Result<()> {
        self.execute("SELECT pg_notify(?1, '')", super::args![channel]).map(drop)
    }

    /// Listens on `channel` (once per connection) and waits up to `timeout` for a notification.
    pub fn wait_for(&mut self, channel: &str, timeout: Duration) -> Result<bool> {
        self.with(|pg| {
            if !pg.listening.contains(channel) {
                pg.client.batch_execute(&format!("LISTEN {channel}"))?;
                pg.listening.insert(channel.to_string());
            }
            let mut notifications = pg.client.notifications();
            let woken = postgres::fallible_iterator::FallibleIterator::next(&mut notifications.timeout_iter(timeout))?
                .is_some();
            // One wake is enough: drop what else arrived meanwhile.
            while postgres::fallible_iterator::FallibleIterator::next(&mut notifications.iter())?.is_some() {}
            Ok(woken)
        })
    }
}

/// The store's SQL in PostgreSQL's words: SQLite's case-insensitive `COLLATE NOCASE`
/// (ASCII case, as SQLite's own) becomes `lower(…)`, and `?N` becomes `$N`.
fn translate(sql: &str) -> String {
    static COMPARED: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"([\w.]+) = (\?\d+) COLLATE NOCASE").expect("a valid pattern"));
    static ORDERED: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"([\w.]+) COLLATE NOCASE").expect("a valid pattern"));
    let sql = COMPARED.replace_all(sql, "lower($1) = lower(CAST($2 AS TEXT))");
    placeholders(&ORDERED.replace_all(&sql, "lower($1)"))
}

/// `?N` → `$N`, outside quoted text.
fn placeholders(sql: &str) -> String {
    let mut out = String::with_capacity(sql.len() + 8);
    let mut quoted = false;
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\'' {
            quoted = !quoted;
        }
        if c == '?' && !quoted && chars.peek().is_some_and(char::is_ascii_digit) {
            out.push('$');
        } else {
            out.push(c);
        }
    }
    out
}

/// Takes libpq's `sslmode` out of the URL (or `PGSSLMODE`), since tokio-postgres reads only part
/// of it.
fn take_sslmode(url: &str) -> Result<(String, SslMode)> {
    let mut mode = std::env::var("PGSSLMODE").ok().filter(|m| !m.is_empty());
    let kept = match url.split_once('?') {
        Some((base, query)) => {
            let mut rest = Vec::new();
            for pair in query.split('&') {
                match pair.split_once('=') {
                    Some(("sslmode", value)) => mode = Some(value.to_string()),
                    _ => rest.push(pair),
                }
            }
            if rest.is_empty() { base.to_string() } else { format!("{base}?{}", rest.join("&")) }
        }
        None => url.to_string(),
    };
    let mode = match mode.as_deref().unwrap_or("prefer") {
        "disable" => SslMode::Disable,
        "allow" | "prefer" => SslMode::Encrypt { required: false },
        "require" => SslMode::Encrypt { required: true },
        "verify-ca" | "verify-full" => SslMode::Verify,
        other => {
            return Err(Error::Storage(format!(
                "sslmode={other} is not one of disable, allow, prefer, require, verify-ca, verify-full"
            )));
        }
    };
    Ok((kept, mode))
}

/// What the URL leaves out, from libpq's variables and defaults.
fn fill_from_environment(config: &mut Config) {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    if config.get_hosts().is_empty() {
        match var("PGHOST") {
            Some(hosts) => hosts.split(',').for_each(|host| {
                config.host(host);
            }),
            // libpq's default: the local socket where Debian puts it, else TCP on localhost.
            None if Path::new("/var/run/postgresql/.s.PGSQL.5432").exists() => {
                config.host_path("/var/run/postgresql");
            }
            None => {
                config.host("localhost");
            }
        }
    }
    if config.get_ports().is_empty()
        && let Some(port) = var("PGPORT").and_then(|p| p.parse::<u16>().ok())
    {
        config.port(port);
    }
    if config.get_user().is_none()
        && let Some(user) = var("PGUSER").or_else(|| var("USER")).or_else(|| var("LOGNAME"))
    {
        config.user(&user);
    }
    if config.get_password().is_none()
        && let Some(password) = var("PGPASSWORD")
    {
        config.password(password);
    }
    if config.get_dbname().is_none()
        && let Some(db) = var("PGDATABASE")
    {
        config.dbname(&db);
    }
    if config.get_application_name().is_none() {
        config.application_name(&var("PGAPPNAME").unwrap_or_else(|| "alpha".into()));
    }
    if config.get_connect_timeout().is_none() {
        // An unreachable server is an answer in seconds, not the system's minutes.
        let seconds = var("PGCONNECT_TIMEOUT").and_then(|s| s.parse::<u64>().ok()).unwrap_or(10);
        config.connect_timeout(Duration::from_secs(seconds.max(1)));
    }
}

/// A TLS connector over the rustls already in the build; `verify` checks the certificate.
fn tls(verify: bool) -> Result<tokio_postgres_rustls::MakeRustlsConnect> {
    let config = if verify {
        use rustls_platform_verifier::ConfigVerifierExt;
        rustls::ClientConfig::with_platform_verifier()
            .map_err(|e| Error::Storage(format!("can't read the system's certificates: {e}")))?
    } else {
        rustls::ClientConfig::builder()
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(unverified::Unverified::new()))
            .with_no_client_auth()
    };
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// Why a connection failed, in words, with the URL masked.
fn connect_error(shown: &str, config: &Config, error: &postgres::Error) -> Error {
    let detail = describe(error);
    let code = error.code().map(|c| c.code().to_string());
    let hint = match code.as_deref() {
        Some("28P01") | Some("28000") => "wrong user or password: check the URL or PGPASSWORD",
        Some("3D000") => "no such database: create it first (createdb NAME), or name another in the URL",
        Some(_) => "the server refused the connection",
        None if detail.contains("timed out") || detail.contains("refused") || detail.contains("No such file") => {
            "is the server running, and is the host and port right?"
        }
        None => "check the URL, the server and the network",
    };
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .map(|h| match h {
            postgres::config::Host::Tcp(name) => name.clone(),
            postgres::config::Host::Unix(path) => path.display().to_string(),
        })
        .collect();
    let port = config.get_ports().first().copied().unwrap_or(5432);
    Error::Storage(format!("can't connect to PostgreSQL {shown} ({}:{port}): {detail} ({hint})", hosts.join(",")))
}

/// A driver error as one line: the server's message with its detail and hint, or the cause.
pub fn describe(error: &postgres::Error) -> String {
    if let Some(db) = error.as_db_error() {
        let mut text = db.message().to_string();
        if let Some(detail) = db.detail() {
            text.push_str(&format!(": {detail}"));
        }
        if let Some(hint) = db.hint() {
            text.push_str(&format!(" ({hint})"));
        }
        return text;
    }
    if error.is_closed() {
        return "the connection to PostgreSQL was lost".into();
    }
    let mut text = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        let more = cause.to_string();
        if !text.contains(&more) {
            text.push_str(&format!(": {more}"));
        }
        source = cause.source();
    }
    text
}

/// The server ended the session (an administrator, a shutdown, a crash) or the socket broke.
fn is_disconnect(error: &postgres::Error) -> bool {
    let ended = error.code().is_some_and(|c| matches!(c.code(), "57P01" | "57P02" | "57P03"));
    let socket = std::error::Error::source(error).is_some_and(|s| s.downcast_ref::<std::io::Error>().is_some());
    error.is_closed() || ended || (error.as_db_error().is_none() && socket)
}

impl From<postgres::Error> for Error {
    fn from(error: postgres::Error) -> Error {
        let detail = describe(&error);
        if is_disconnect(&error) {
            return Error::Disconnected(format!(
                "the connection to PostgreSQL was lost ({detail}); what was recorded before it is intact, and a run \
                 it cut short shows as interrupted"
            ));
        }
        Error::Storage(format!("PostgreSQL: {detail}"))
    }
}

/// libpq's `sslmode=require`: encrypted, the certificate not checked.
mod unverified {
    use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
    use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
    use rustls::{DigitallySignedStruct, SignatureScheme};

    #[derive(Debug)]
    pub struct Unverified(rustls::crypto::WebPkiSupportedAlgorithms);

    impl Unverified {
        pub fn new() -> Self {
            Unverified(rustls::crypto::ring::default_provider().signature_verification_algorithms)
        }
    }

    impl ServerCertVerifier for Unverified {
        fn verify_server_cert(
            &self,
            _end_entity: &CertificateDer<'_>,
            _intermediates: &[CertificateDer<'_>],
            _server_name: &ServerName<'_>,
            _ocsp: &[u8],
            _now: UnixTime,
        ) -> Result<ServerCertVerified, rustls::Error> {
            Ok(ServerCertVerified::assertion())
        }

        fn verify_tls12_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls12_signature(message, cert, dss, &self.0)
        }

        fn verify_tls13_signature(
            &self,
            message: &[u8],
            cert: &CertificateDer<'_>,
            dss: &DigitallySignedStruct,
        ) -> Result<HandshakeSignatureValid, rustls::Error> {
            rustls::crypto::verify_tls13_signature(message, cert, dss, &self.0)
        }

        fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
            self.0.supported_schemes()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_never_show() {
        assert_eq!(mask_url("postgres://alice:s3cret@db.example/alpha"), "postgres://alice:***@db.example/alpha");
        assert_eq!(mask_url("postgres://alice@db/alpha"), "postgres://alice@db/alpha");
        assert_eq!(
            mask_url("postgresql://db/alpha?password=s3cret&sslmode=require"),
            "postgresql://db/alpha?password=***&sslmode=require"
        );
        assert_eq!(mask_url("postgres://a:p@ss@w0rd@h:5/d"), "postgres://a:***@h:5/d");
        assert_eq!(url_without_password("postgres://db/alpha?password=s3cret"), "postgres://db/alpha");
        assert_eq!(
            url_without_password("postgres://alice:s3cret@db/alpha?sslmode=require"),
            "postgres://alice@db/alpha?sslmode=require"
        );
    }

    #[test]
    fn parameters_are_numbered_for_postgres_outside_quotes() {
        assert_eq!(placeholders("SELECT ?1, '?2', ?10 WHERE x = ?2"), "SELECT $1, '?2', $10 WHERE x = $2");
        assert_eq!(
            translate("SELECT id FROM w WHERE c.name = ?1 COLLATE NOCASE ORDER BY w.name COLLATE NOCASE"),
            "SELECT id FROM w WHERE lower(c.name) = lower(CAST($1 AS TEXT)) ORDER BY lower(w.name)"
        );
    }

    #[test]
    fn urls_are_postgres_or_refused_and_paths_are_files() {
        assert_eq!(Location::of(Path::new("/tmp/a.db")).ok(), Some(Location::File("/tmp/a.db".into())));
        assert!(matches!(Location::of(Path::new("postgresql://h/d")), Ok(Location::Postgres(_))));
        let refused = Location::of(Path::new("mysql://u:pw@h/d")).err().map(|e| e.to_string()).unwrap_or_default();
        assert!(refused.contains("mysql://") && !refused.contains("pw"), "{refused}");
    }
}
