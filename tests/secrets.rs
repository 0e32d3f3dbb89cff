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

/// Twenty secrets built from the characters that break naive redaction.
const HOSTILE: [&str; 20] = [
    "qu\"ote'Mix-01",
    "back\\slash\\n-02",
    "tab\there-03x",
    "new\nline-04x",
    "per%20cent%-05",
    "at@host.example-06",
    "sl/ash/es-07",
    "sp ace s-08x",
    "ünïcødé-Пароль-09",
    "日本語の秘密-10",
    "p@ss w/rd\"<x>-11",
    "Mixed-CASE-Secret-12",
    "$(id)`id`-13x",
    "semi;colon|pipe-14",
    "amp&and=eq-15",
    "hash#frag?q=1-16",
    "plus+sign+-17",
    "{{ braces }}-18",
    "emoji-🔑-key-19",
    "comma,sep:colon-20",
];

/// Every form a secret could take on its way out: raw, JSON-escaped, percent-encoded by each
/// common set (with `+` for spaces too), and case-folded.
fn encodings(secret: &str) -> Vec<String> {
    let encode = |keep: &dyn Fn(u8) -> bool| -> String {
        secret.bytes().map(|b| if keep(b) { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
    };
    let unreserved = |b: u8| b.is_ascii_alphanumeric() || b"-._~".contains(&b);
    let path = |b: u8| b.is_ascii_graphic() && !b" \"#<>?`{}".contains(&b);
    let userinfo = |b: u8| path(b) && !b"/:;=@[\\]^|".contains(&b);
    let mut forms = vec![
        secret.to_string(),
        serde_json::to_string(secret).unwrap().trim_matches('"').to_string(),
        encode(&|b| b.is_ascii_alphanumeric()),
        encode(&unreserved),
        encode(&unreserved).replace("%20", "+"),
        encode(&path),
        encode(&userinfo),
    ];
    let folded: Vec<String> = forms.iter().flat_map(|f| [f.to_lowercase(), f.to_uppercase()]).collect();
    forms.extend(folded);
    forms.sort();
    forms.dedup();
    forms
}

fn assert_no_hostile_secret(what: &str, text: &str) {
    for secret in HOSTILE {
        for form in encodings(secret) {
            assert!(!text.contains(&form), "{what} holds the secret {secret:?} as {form:?}");
        }
    }
}

/// Every table's every value, as text: what `sqlite3 .dump` would show.
fn dump(db: &Path) -> String {
    let conn = rusqlite::Connection::open(db).unwrap();
    let tables: Vec<String> = conn
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table'")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let mut text = String::new();
    for table in tables {
        let mut statement = conn.prepare(&format!("SELECT * FROM \"{table}\"")).unwrap();
        let columns = statement.column_count();
        let mut rows = statement.query([]).unwrap();
        while let Some(row) = rows.next().unwrap() {
            for i in 0..columns {
                match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
                        text.push_str(&String::from_utf8_lossy(t));
                    }
                    other => text.push_str(&format!("{other:?}")),
                }
                text.push('\t');
            }
            text.push('\n');
        }
    }
    text
}

fn scan_files(dir: &Path, check: &dyn Fn(&str, &str)) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            scan_files(&path, check);
        } else {
            check(&path.display().to_string(), &String::from_utf8_lossy(&std::fs::read(&path).unwrap()));
        }
    }
}

#[test]
fn hostile_secrets_stay_masked_directly_through_sub_workflows_and_in_urls() {
    let sandbox = Sandbox::new();
    let url = echo_server();
    sandbox.save(
        "child.yaml",
        "name: Child\nparameters:\n  t: { type: string }\n  u: { type: string }\nsteps:\n  - { id: echo, tool: shell, action: run, parameters: { command: \"printf '%s|%s\\n' {{ t }} {{ u }}\" } }\noutputs:\n  back: \"{{ t }}\"\n",
    );
    let names: Vec<String> = (1..=20).map(|i| format!("s{i}")).collect();
    let mut yaml = String::from("name: Hostile\nparameters:\n");
    for name in &names {
        yaml.push_str(&format!("  {name}: {{ type: secret }}\n"));
    }
    let all: Vec<String> = names.iter().map(|n| format!("{{{{ {n} }}}}")).collect();
    let query: Vec<String> = names.iter().map(|n| format!("{n}={{{{ {n} }}}}")).collect();
    yaml.push_str(&format!(
        r#"steps:
  - {{ id: say, tool: shell, action: run, parameters: {{ command: "printf '%s\n' {all}" }} }}
  - {{ id: query, tool: http, action: get, parameters: {{ url: "{url}/p/{{{{ s7 }}}}/{{{{ s11 }}}}?{query}" }} }}
  - {{ id: userinfo, tool: http, action: get, on_error: log_and_continue, parameters: {{ url: "http://user:{{{{ s11 }}}}@127.0.0.1:1/x" }} }}
  - {{ id: sub, tool: workflow, action: run, parameters: {{ workflow: Child, params: {{ t: "{{{{ s5 }}}}", u: "before {{{{ s6 }}}} after" }} }} }}
  - {{ id: tell, tool: notification, action: send, parameters: {{ message: "{{{{ s9 }}}} and {{{{ s12 }}}}" }} }}
  - {{ id: fail, tool: shell, action: run, parameters: {{ command: "printf '%s\n' {{{{ s1 }}}} {{{{ s4 }}}} >&2; exit 3" }} }}
outputs:
  leak: "{{{{ s8 }}}} {{{{ sub.outputs.back }}}} {{{{ query.body }}}}"
"#,
        all = all.join(" "),
        query = query.join("&")
    ));
    sandbox.save("hostile.yaml", &yaml);
    let args: Vec<String> = names.iter().zip(HOSTILE).map(|(n, s)| format!("{n}={s}")).collect();
    let mut printed = Vec::new();
    for extra in [vec!["--json"], vec!["--verbose"], vec![]] {
        let out = sandbox.alpha().args(["workflow", "run", "Hostile"]).args(&extra).args(&args).output().unwrap();
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(1), "the last step fails: {text}");
        assert!(text.contains("***"), "{text}");
        printed.push((format!("run {extra:?}"), text));
    }
    // The requests really carried the secrets: the echo came back, masked.
    assert!(printed[1].1.contains("GET /p/***/***?s1=***&s2=***"), "{}", printed[1].1);

    let runs: serde_json::Value =
        serde_json::from_slice(&sandbox.run(&["workflow", "history", "--json"]).stdout).unwrap();
    let ids: Vec<String> = runs.as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(ids.len(), 6, "three runs and their sub-workflows: {runs}");
    for id in &ids {
        for extra in [vec!["--json"], vec![]] {
            let out = sandbox.alpha().args(["workflow", "history", "--run", id]).args(&extra).output().unwrap();
            printed.push((format!("history {id} {extra:?}"), stdout(&out)));
        }
        printed.push((format!("logs {id}"), stdout(&sandbox.run(&["workflow", "logs", id]))));
    }
    printed.push(("history".into(), stdout(&sandbox.run(&["workflow", "history"]))));

    // The chat: two secrets typed in the line, the rest from ALPHA_SECRET_<NAME>.
    let mut command = sandbox.command();
    command.env("TERM", "xterm");
    for (name, secret) in names.iter().zip(HOSTILE) {
        if name != "s6" && name != "s12" {
            command.env(format!("ALPHA_SECRET_{}", name.to_uppercase()), secret);
        }
    }
    let mut session = rexpect::session::spawn_command(command, Some(30_000)).expect("spawn in a pty");
    session.exp_string("alpha> ").expect("prompt");
    session.send_line(&format!("run Hostile with s12 {} and s6 {}", HOSTILE[11], HOSTILE[5])).unwrap();
    let shown = session.exp_string("Workflow failed").expect("the run ends");
    session.exp_string("alpha> ").unwrap();
    session.send_line("/quit").unwrap();
    session.exp_eof().expect("quits");
    // The terminal echoes what was typed; what alpha printed after the line must be clean.
    let after = shown.rsplit_once(HOSTILE[5]).map_or(shown.as_str(), |(_, rest)| rest).to_string();
    printed.push(("the chat".into(), after));
    let chat_history = std::fs::read_to_string(sandbox.path().join("home/repl_history")).unwrap();
    assert!(chat_history.contains("run Hostile with s12 *** and s6 ***"), "{chat_history}");
    for (what, text) in &printed {
        assert_no_hostile_secret(what, text);
    }
    assert_no_hostile_secret("the database dump", &dump(&sandbox.db()));
    scan_files(&sandbox.path().join("home"), &|what, text| assert_no_hostile_secret(what, text));
}
