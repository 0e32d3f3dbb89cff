//! Secrets never surface: a `secret` parameter and the value of a secret-named environment
//! variable go through the shell, stdout, stderr, an HTTP header echoed back, outputs and a
//! failure message, then the database files, the data directory, `--json`, `--verbose`, the
//! history commands and a chat session (with its history file) are scanned for them.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::Duration;

use crate::common::{Sandbox, stderr, stdout};

const SECRET: &str = "Sup3r-s3cret-T0ken";
const ENV_SECRET: &str = "env-S3cret-Value-99";

/// An HTTP server that answers every request with the request's own headers as the body.
fn echo_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut stream = stream;
            stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut buf = vec![0u8; 65536];
            let n = stream.read(&mut buf).unwrap_or(0);
            let body = String::from_utf8_lossy(&buf[..n]).replace("\r\n", "\n");
            let reply = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len());
            let _ = stream.write_all(reply.as_bytes());
        }
    });
    url
}

fn workflow(url: &str) -> String {
    format!(
        r#"name: Secrets
parameters:
  token: {{ type: secret }}
steps:
  - {{ id: say, tool: shell, action: run, parameters: {{ command: "echo token is {{{{ token }}}} and env is $API_TOKEN" }} }}
  - {{ id: quoted, tool: shell, action: run, parameters: {{ command: "printf '%s\n' {{{{ token }}}} {{{{ env.API_TOKEN }}}}" }} }}
  - {{ id: call, tool: http, action: get, parameters: {{ url: "{url}/x", headers: {{ Authorization: "Bearer {{{{ token }}}}", X-Env: "{{{{ env.API_TOKEN }}}}" }} }} }}
  - {{ id: note, tool: notification, action: send, parameters: {{ message: "sent with {{{{ token }}}}" }} }}
  - {{ id: fail, tool: shell, action: run, parameters: {{ command: "echo {{{{ token }}}} >&2; exit 3" }}, on_error: log_and_continue }}
  - {{ id: boom, tool: shell, action: run, parameters: {{ command: "echo {{{{ token }}}} $API_TOKEN >&2; exit 4" }} }}
outputs:
  leak: "{{{{ token }}}} {{{{ say.output }}}} {{{{ call.output }}}}"
"#
    )
}

fn assert_clean(what: &str, text: &str) {
    assert!(!text.contains(SECRET), "the secret parameter leaked into {what}: {text}");
    assert!(!text.contains(ENV_SECRET), "the secret environment value leaked into {what}: {text}");
}

fn scan_dir(dir: &Path) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            scan_dir(&path);
        } else {
            let bytes = std::fs::read(&path).unwrap();
            assert_clean(&path.display().to_string(), &String::from_utf8_lossy(&bytes));
        }
    }
}

#[test]
fn secrets_never_reach_the_database_files_output_or_history() {
    let sandbox = Sandbox::new();
    let url = echo_server();
    sandbox.save("secrets.yaml", &workflow(&url));
    let run = |args: &[&str], token_from_env: bool| {
        let mut command = sandbox.alpha();
        command.args(args).env("API_TOKEN", ENV_SECRET);
        if token_from_env {
            command.env("ALPHA_SECRET_TOKEN", SECRET);
        }
        let out = command.output().unwrap();
        (out.status.code(), format!("{}{}", stdout(&out), stderr(&out)))
    };
    let token = format!("token={SECRET}");
    let mut printed = Vec::new();
    for (args, from_env) in [
        (vec!["workflow", "run", "Secrets", token.as_str()], false),
        (vec!["workflow", "run", "Secrets", "--json", token.as_str()], false),
        (vec!["workflow", "run", "Secrets", "--verbose"], true),
    ] {
        let (code, text) = run(&args, from_env);
        assert_eq!(code, Some(1), "the last step fails: {text}");
        assert!(text.contains("***"), "redacted values are marked: {text}");
        assert!(text.contains("Bearer ***"), "the echoed header came back redacted: {text}");
        printed.push(text);
    }
    assert!(printed[2].contains("token is *** and env is ***"), "verbose lines: {}", printed[2]);

    let history: serde_json::Value =
        serde_json::from_str(&run(&["workflow", "history", "Secrets", "--json"], false).1).unwrap();
    let last = history[0]["id"].as_str().unwrap().to_string();
    for args in [
        vec!["workflow", "history", "Secrets"],
        vec!["workflow", "history", "--run", last.as_str(), "--json"],
        vec!["workflow", "history", "--run", last.as_str()],
        vec!["workflow", "show", "Secrets"],
        vec!["workflow", "export", "Secrets"],
    ] {
        let (_, text) = run(&args, false);
        printed.push(text);
    }
    let details = printed.last().cloned().unwrap_or_default();
    assert!(!details.is_empty());

    // A chat session on a terminal: the line typed with the secret, its output, the history file.
    let mut command = sandbox.command();
    command.env("TERM", "xterm").env("API_TOKEN", ENV_SECRET);
    let mut session = rexpect::session::spawn_command(command, Some(20_000)).expect("spawn in a pty");
    session.exp_string("alpha> ").expect("prompt");
    session.send_line(&format!("run Secrets with token {SECRET}")).unwrap();
    let shown = session.exp_string("Workflow failed").expect("the run ends");
    session.exp_string("alpha> ").unwrap();
    session.send_line("/quit").unwrap();
    session.exp_eof().expect("quits");
    // The pty echoes what was typed; everything alpha printed after it must be clean.
    let after_typing = shown.split_once(SECRET).map_or(shown.as_str(), |(_, rest)| rest).to_string();
    printed.push(after_typing);
    let repl_history = std::fs::read_to_string(sandbox.path().join("home/repl_history")).unwrap();
    assert!(repl_history.contains("run Secrets with token ***"), "{repl_history}");

    for (i, text) in printed.iter().enumerate() {
        assert_clean(&format!("output {i}"), text);
    }
    scan_dir(&sandbox.path().join("home"));
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    let runs: i64 = conn.query_row("SELECT COUNT(*) FROM workflow_executions", [], |r| r.get(0)).unwrap();
    assert_eq!(runs, 4, "every run was recorded");
    scan_dir(&sandbox.path().join("home"));
}
