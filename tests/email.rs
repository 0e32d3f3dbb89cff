//! The email tool against real servers on 127.0.0.1: Dovecot for IMAP (implicit TLS and
//! STARTTLS) and aiosmtpd for SMTP (STARTTLS with AUTH), both with a certificate from a test CA
//! made with openssl. `.ci/run` installs Dovecot and aiosmtpd; elsewhere these tests say what is
//! missing and skip.

use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Sandbox, stderr, stdout};

const USER: &str = "ann@example.org";
const PASSWORD: &str = "hunter2-Zq8vK3";

/// A process killed when the test ends.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn tool_available(program: &str, args: &[&str], what: &str) -> bool {
    let found = Command::new(program)
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(found, "this test needs {what} (.ci/run installs it)");
    found
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

fn wait_for(port: u16) {
    let start = Instant::now();
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(start.elapsed() < Duration::from_secs(15), "server on port {port} did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A test CA and a server certificate for localhost and 127.0.0.1 signed by it.
fn certificates(dir: &Path) -> PathBuf {
    let openssl = |args: &[&str]| {
        let status = Command::new("openssl").args(args).current_dir(dir).stderr(Stdio::null()).status().unwrap();
        assert!(status.success(), "openssl {args:?}");
    };
    std::fs::write(
        dir.join("ext"),
        "subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n",
    )
    .unwrap();
    openssl(&[
        "req",
        "-x509",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "ca.key",
        "-out",
        "ca.pem",
        "-days",
        "2",
        "-subj",
        "/CN=alpha test CA",
    ]);
    openssl(&[
        "req",
        "-newkey",
        "rsa:2048",
        "-nodes",
        "-keyout",
        "server.key",
        "-out",
        "server.csr",
        "-subj",
        "/CN=localhost",
    ]);
    openssl(&[
        "x509",
        "-req",
        "-in",
        "server.csr",
        "-CA",
        "ca.pem",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-out",
        "server.pem",
        "-days",
        "2",
        "-extfile",
        "ext",
    ]);
    dir.join("ca.pem")
}

fn message(subject: &str, from: &str, body: &str) -> String {
    format!(
        "From: {from}\r\nTo: {USER}\r\nSubject: {subject}\r\nDate: Tue, 24 Nov 2026 10:00:00 +0000\r\n\r\n{body}\r\n"
    )
}

/// Dovecot serving one Maildir on two ports: implicit TLS and plain-with-STARTTLS.
struct Dovecot {
    _server: Server,
    imaps: u16,
    imap: u16,
    maildir: PathBuf,
}

fn dovecot(sandbox: &Sandbox) -> Option<Dovecot> {
    if !tool_available("dovecot", &["--version"], "Dovecot (Debian package dovecot-imapd)") {
        return None;
    }
    let dir = sandbox.path().join("imap");
    let maildir = dir.join("mail");
    for sub in ["cur", "new", "tmp"] {
        std::fs::create_dir_all(maildir.join(sub)).unwrap();
    }
    certificates(&dir);
    let mail = |name: &str, text: String| std::fs::write(maildir.join(name), text).unwrap();
    mail("new/1700000001.M1.host", message("Quarterly numbers", "Bob <bob@example.org>", "The numbers are in."));
    mail("new/1700000002.M2.host", message("Lunch on Friday?", "Carol <carol@example.org>", "Are you free?"));
    mail("cur/1700000000.M0.host:2,S", message("Already read", "Old <old@example.org>", "old news"));
    std::fs::write(dir.join("passwd"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).unwrap();
    let (imaps, imap) = (free_port(), free_port());
    // SAFETY: getuid has no preconditions.
    let root = unsafe { libc::getuid() } == 0;
    let users = if root {
        // Dovecot won't read mail as root: the Debian package's `dovecot` user does.
        let status = Command::new("chown").args(["-R", "dovecot:dovecot"]).arg(&maildir).status().unwrap();
        assert!(status.success());
        for path in [sandbox.path(), dir.as_path()] {
            std::fs::set_permissions(path, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
        }
        "first_valid_uid = 1\nmail_uid = dovecot\nmail_gid = dovecot\n".to_string()
    } else {
        let user = std::env::var("USER").unwrap_or_else(|_| "nobody".into());
        format!("default_login_user = {user}\ndefault_internal_user = {user}\ndefault_internal_group = {user}\n")
    };
    let d = dir.display();
    let config = format!(
        "base_dir = {d}/run\nstate_dir = {d}/state\nlog_path = {d}/dovecot.log\nprotocols = imap\nlisten = 127.0.0.1\n\
         ssl = required\nssl_cert = <{d}/server.pem\nssl_key = <{d}/server.key\nauth_mechanisms = plain login\n{users}\
         passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {d}/passwd\n}}\n\
         userdb {{\n  driver = static\n  args = home={d}\n}}\nmail_location = maildir:{d}/mail\n\
         service imap-login {{\n  inet_listener imap {{\n    port = {imap}\n  }}\n  inet_listener imaps {{\n    port = {imaps}\n    ssl = yes\n  }}\n}}\n"
    );
    std::fs::write(dir.join("dovecot.conf"), config).unwrap();
    let child = Command::new("dovecot").arg("-F").arg("-c").arg(dir.join("dovecot.conf")).spawn().unwrap();
    let server = Server(child);
    wait_for(imaps);
    wait_for(imap);
    Some(Dovecot { _server: server, imaps, imap, maildir })
}

/// aiosmtpd with STARTTLS required and AUTH for USER/PASSWORD, delivering into a Maildir.
struct Smtp {
    _server: Server,
    port: u16,
    outbox: PathBuf,
}

fn smtp(sandbox: &Sandbox) -> Option<Smtp> {
    if !tool_available("python3", &["-c", "import aiosmtpd"], "aiosmtpd (pip install aiosmtpd)") {
        return None;
    }
    let dir = sandbox.path().join("smtp");
    std::fs::create_dir_all(&dir).unwrap();
    certificates(&dir);
    let port = free_port();
    let outbox = dir.join("outbox");
    let child = Command::new("python3")
        .arg(crate::common::root().join("tests/support/smtp_server.py"))
        .arg(port.to_string())
        .arg(&outbox)
        .args(["--starttls", "server.pem", "server.key", "--auth", USER, PASSWORD])
        .current_dir(&dir)
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let server = Server(child);
    wait_for(port);
    Some(Smtp { _server: server, port, outbox })
}

fn delivered(outbox: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(outbox.join("new")) else { return Vec::new() };
    entries.flatten().map(|e| std::fs::read_to_string(e.path()).unwrap()).collect()
}

/// Runs `file` with `--json` and returns the exit code, the run_finished event and all output.
fn run_json(sandbox: &Sandbox, file: &Path, args: &[&str], env: &[(&str, &str)]) -> (i32, Value, String) {
    let mut command = sandbox.alpha();
    command.args(["workflow", "run", "--json"]).arg(file).args(args);
    for (key, value) in env {
        command.env(key, value);
    }
    let output = command.output().unwrap();
    let text = format!("{}{}", stdout(&output), stderr(&output));
    let finished = stdout(&output)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .find(|event| event["event"] == "run_finished")
        .unwrap_or(Value::Null);
    (output.status.code().unwrap_or(-1), finished, text)
}

/// Everything a secret could leak into: the database file, its WAL and what was printed.
fn assert_nowhere(sandbox: &Sandbox, secret: &str, printed: &str) {
    assert!(!printed.contains(secret), "the password was printed: {printed}");
    for name in ["alpha.db", "alpha.db-wal"] {
        let path = sandbox.path().join("home").join(name);
        if let Ok(bytes) = std::fs::read(&path) {
            assert!(!String::from_utf8_lossy(&bytes).contains(secret), "the password is in {name}");
        }
    }
}

const FETCH: &str = r#"
name: imap-fetch
parameters:
  password: { type: secret }
  port: { type: integer }
  tls: { type: string, default: implicit }
  ca_file: { type: string, default: "" }
  limit: { type: integer, default: 10 }
steps:
  - id: fetch
    tool: email
    action: fetch
    parameters: { host: 127.0.0.1, port: "{{ port }}", tls: "{{ tls }}", username: ann@example.org, password: "{{ password }}", ca_file: "{{ ca_file }}", limit: "{{ limit }}" }
outputs:
  count: "{{ fetch.count }}"
  subjects: "{{ fetch.messages | map(attribute='subject') | join(' | ') }}"
"#;

#[test]
#[ignore = "needs Dovecot (dovecot-imapd), which .ci/run installs"]
fn imap_over_tls_reads_unread_mail_newest_first_without_marking_it_read() {
    let sandbox = Sandbox::new();
    let Some(imap) = dovecot(&sandbox) else { return };
    let file = sandbox.write("fetch.yaml", FETCH);
    let ca = format!("ca_file={}", sandbox.path().join("imap/ca.pem").display());
    let port = format!("port={}", imap.imaps);
    let (code, finished, text) = run_json(&sandbox, &file, &[&port, &ca, &format!("password={PASSWORD}")], &[]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(finished["outputs"]["count"], 2, "{text}");
    assert_eq!(finished["outputs"]["subjects"], "Lunch on Friday? | Quarterly numbers", "{text}");
    assert_nowhere(&sandbox, PASSWORD, &text);
    let unread: Vec<_> = std::fs::read_dir(imap.maildir.join("new")).unwrap().collect();
    assert_eq!(unread.len(), 2, "fetching must not mark mail as read");

    let (code, finished, text) =
        run_json(&sandbox, &file, &[&port, &ca, "limit=1"], &[("ALPHA_SECRET_PASSWORD", PASSWORD)]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(finished["outputs"]["subjects"], "Lunch on Friday?", "limit keeps the newest: {text}");
}

#[test]
#[ignore = "needs Dovecot (dovecot-imapd), which .ci/run installs"]
fn imap_with_starttls_plain_local_wrong_password_and_untrusted_certificate() {
    let sandbox = Sandbox::new();
    let Some(imap) = dovecot(&sandbox) else { return };
    let file = sandbox.write("fetch.yaml", FETCH);
    let ca = format!("ca_file={}", sandbox.path().join("imap/ca.pem").display());
    let port = format!("port={}", imap.imap);
    let (code, finished, text) =
        run_json(&sandbox, &file, &[&port, "tls=starttls", &ca, &format!("password={PASSWORD}")], &[]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(finished["outputs"]["count"], 2, "{text}");

    let wrong = "not-the-Password-9";
    let (code, _, text) = run_json(&sandbox, &file, &[&port, "tls=starttls", &ca, &format!("password={wrong}")], &[]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("login as ann@example.org failed"), "{text}");
    assert_nowhere(&sandbox, wrong, &text);

    let implicit = format!("port={}", imap.imaps);
    let (code, _, text) = run_json(&sandbox, &file, &[&implicit, &format!("password={PASSWORD}")], &[]);
    assert_eq!(code, 1, "a certificate from an unknown CA must be refused: {text}");
    assert!(text.contains("TLS handshake failed"), "{text}");

    let (code, finished, text) = run_json(&sandbox, &file, &[&port, "tls=none", &format!("password={PASSWORD}")], &[]);
    assert_eq!(code, 0, "clear text is allowed to a server on this machine: {text}");
    assert_eq!(finished["outputs"]["count"], 2, "{text}");
}

const SEND: &str = r#"
name: smtp-send
parameters:
  password: { type: secret }
  port: { type: integer }
  ca_file: { type: string }
  host: { type: string, default: 127.0.0.1 }
  tls: { type: string, default: starttls }
  body: { type: string, default: "Line one" }
steps:
  - id: send
    tool: email
    action: send
    parameters: { host: "{{ host }}", port: "{{ port }}", tls: "{{ tls }}", username: ann@example.org, password: "{{ password }}", ca_file: "{{ ca_file }}", to: "bob@example.org, carol@example.org", subject: "Build report", body: "{{ body | raw }}" }
outputs:
  result: "{{ send.output }}"
  count: "{{ send.count }}"
"#;

#[test]
#[ignore = "needs aiosmtpd, which .ci/run installs"]
fn smtp_with_starttls_and_login_delivers_the_message_verbatim() {
    let sandbox = Sandbox::new();
    let Some(server) = smtp(&sandbox) else { return };
    let file = sandbox.write("send.yaml", SEND);
    let ca = format!("ca_file={}", sandbox.path().join("smtp/ca.pem").display());
    let port = format!("port={}", server.port);
    let body = "Line one\nLine two; $(touch pwned) `id` && echo 'quoted'";
    let (code, finished, text) =
        run_json(&sandbox, &file, &[&port, &ca, &format!("body={body}")], &[("ALPHA_SECRET_PASSWORD", PASSWORD)]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(finished["outputs"]["result"], "sent \"Build report\" to bob@example.org, carol@example.org", "{text}");
    assert_eq!(finished["outputs"]["count"], 2);
    let mail = delivered(&server.outbox);
    assert_eq!(mail.len(), 1, "{text}");
    assert!(mail[0].contains("Subject: Build report"), "{}", mail[0]);
    assert!(mail[0].contains("To: bob@example.org, carol@example.org"), "{}", mail[0]);
    assert!(mail[0].contains("X-MailFrom: ann@example.org"), "{}", mail[0]);
    assert!(mail[0].contains(body.lines().nth(1).unwrap()), "the body arrives as written: {}", mail[0]);
    assert!(!sandbox.path().join("pwned").exists());
    assert_nowhere(&sandbox, PASSWORD, &text);
}

#[test]
#[ignore = "needs aiosmtpd, which .ci/run installs"]
fn smtp_failures_are_clear_and_keep_the_password_secret() {
    let sandbox = Sandbox::new();
    let Some(server) = smtp(&sandbox) else { return };
    let file = sandbox.write("send.yaml", SEND);
    let ca = format!("ca_file={}", sandbox.path().join("smtp/ca.pem").display());
    let port = format!("port={}", server.port);
    let wrong = "wrong-Secret-77";
    let (code, _, text) = run_json(&sandbox, &file, &[&port, &ca, &format!("password={wrong}")], &[]);
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("535") && text.contains("Authentication credentials invalid"), "{text}");
    assert_nowhere(&sandbox, wrong, &text);

    let (code, _, text) = run_json(&sandbox, &file, &[&port, "ca_file=", &format!("password={PASSWORD}")], &[]);
    assert_eq!(code, 1, "an unknown CA must be refused: {text}");
    assert!(!text.contains("sent \""), "{text}");

    let (code, _, text) = run_json(
        &sandbox,
        &file,
        &["host=mail.example.invalid", "port=25", "tls=none", "ca_file=", &format!("password={PASSWORD}")],
        &[],
    );
    assert_eq!(code, 1, "{text}");
    assert!(text.contains("refusing to send a password without TLS to another machine"), "{text}");
    assert!(delivered(&server.outbox).is_empty());
    assert_nowhere(&sandbox, PASSWORD, &text);
}

#[test]
#[ignore = "needs Dovecot (dovecot-imapd) and aiosmtpd, which .ci/run installs"]
fn the_email_digest_template_reads_imap_and_mails_the_digest() {
    let sandbox = Sandbox::new();
    let (Some(imap), Some(server)) = (dovecot(&sandbox), smtp(&sandbox)) else { return };
    let output = sandbox.run(&[
        "template",
        "use",
        "email digest",
        "--name",
        "Digest",
        &format!("imap_host=127.0.0.1:{}", imap.imaps),
        "send_to=ann@example.org",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let ca_bundle = sandbox.path().join("both-cas.pem");
    let both = [sandbox.path().join("imap/ca.pem"), sandbox.path().join("smtp/ca.pem")]
        .iter()
        .map(|p| std::fs::read_to_string(p).unwrap())
        .collect::<String>();
    std::fs::write(&ca_bundle, both).unwrap();
    let smtp_host = format!("127.0.0.1:{}", server.port);
    let output = sandbox
        .alpha()
        .args(["workflow", "run", "Digest"])
        .env("ALPHA_EMAIL_USER", USER)
        .env("ALPHA_EMAIL_PASSWORD", PASSWORD)
        .env("ALPHA_EMAIL_CA_FILE", &ca_bundle)
        .env("ALPHA_SMTP_HOST", &smtp_host)
        .output()
        .unwrap();
    let text = format!("{}{}", stdout(&output), stderr(&output));
    assert!(output.status.success(), "{text}");
    let mail = delivered(&server.outbox);
    assert_eq!(mail.len(), 1, "{text}");
    assert!(mail[0].contains("Subject: Email digest: 2 unread"), "{}", mail[0]);
    assert!(mail[0].contains("- Lunch on Friday? (from Carol <carol@example.org>)"), "{}", mail[0]);
    assert!(mail[0].contains("- Quarterly numbers (from Bob <bob@example.org>)"), "{}", mail[0]);
    assert!(!mail[0].contains("Already read"), "{}", mail[0]);
    assert_nowhere(&sandbox, PASSWORD, &text);
}
