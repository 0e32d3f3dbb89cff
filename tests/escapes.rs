//! Nothing escapes where a value lands (design.md §5): URL values are percent-encoded in paths
//! and queries (`| raw` opts out), paths are checked once normalized, `| arg` refuses values a
//! program would read as options, notify-send gets `--`, control characters are shown escaped
//! in everything printed to a person, and commands printed for pasting are shell-quoted.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::sync::{Arc, Mutex};

use crate::common::{Sandbox, stderr, stdout};

/// A server that records each request line and answers 200 with an empty JSON object.
fn recording_server() -> (String, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = [0u8; 8192];
            let n = stream.read(&mut request).unwrap_or(0);
            let text = String::from_utf8_lossy(&request[..n]);
            let line = text.lines().next().unwrap_or_default().to_string();
            log.lock().unwrap().push(line);
            let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}");
        }
    });
    (url, seen)
}

fn printed(out: &std::process::Output) -> String {
    format!("{}{}", stdout(out), stderr(out))
}

#[test]
fn url_values_are_percent_encoded_where_they_land_and_raw_opts_out() {
    let sandbox = Sandbox::new();
    let (url, seen) = recording_server();
    sandbox.write(
        "api.yaml",
        r#"name: Api
parameters:
  base: { type: string }
  id: { type: string }
  q: { type: string }
  route: { type: string, default: "v1/list" }
steps:
  - { id: item, tool: http, action: get, parameters: { url: "{{ base }}/items/{{ id }}?q={{ q }}&n=1" } }
  - { id: raw, tool: http, action: get, parameters: { url: "{{ base }}/{{ route | raw }}" } }
"#,
    );
    let base = format!("base={url}");
    let out = sandbox.run(&["workflow", "run", "api.yaml", &base, "id=../admin", "q=a&b=c d#x"]);
    assert_eq!(out.status.code(), Some(0), "{}", printed(&out));
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen[0], "GET /items/..%2Fadmin?q=a%26b%3Dc%20d%23x&n=1 HTTP/1.1", "{seen:?}");
    assert_eq!(seen[1], "GET /v1/list HTTP/1.1", "| raw keeps the value as written: {seen:?}");

    // A value that is a whole dot segment would still move the path: refused.
    let out = sandbox.run(&["workflow", "run", "api.yaml", &base, "id=..", "q=x"]);
    assert_eq!(out.status.code(), Some(1), "{}", printed(&out));
    assert!(printed(&out).contains("would move up the URL's path"), "{}", printed(&out));
}

#[test]
fn paths_are_checked_once_normalized_against_their_literal_root() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "rc.yaml",
        r#"name: Rc
parameters:
  app: { type: string }
steps:
  - { id: write, tool: file, action: write, parameters: { path: "~/.{{ app }}rc", content: "set -o vi\n" } }
"#,
    );
    let out = sandbox.run(&["workflow", "run", "rc.yaml", "app=bash"]);
    assert_eq!(out.status.code(), Some(0), "{}", printed(&out));
    assert_eq!(std::fs::read_to_string(sandbox.path().join(".bashrc")).unwrap(), "set -o vi\n");

    for hostile in ["./evil", "./../evil", "/../../tmp/evil"] {
        let out = sandbox.run(&["workflow", "run", "rc.yaml", &format!("app={hostile}")]);
        assert_eq!(out.status.code(), Some(1), "{hostile}: {}", printed(&out));
        assert!(printed(&out).contains("would climb out of the directory around it"), "{hostile}: {}", printed(&out));
    }
    assert!(!sandbox.path().parent().unwrap().join("evilrc").exists(), "nothing was written above home");
}

#[test]
fn the_arg_filter_refuses_values_read_as_options() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "ls.yaml",
        "name: Ls\nparameters:\n  target: { type: string }\nsteps:\n  - { id: ls, tool: shell, action: run, parameters: { command: \"ls {{ target | arg }}\" } }\n",
    );
    sandbox.write("here.txt", "x");
    assert_eq!(sandbox.run(&["workflow", "run", "ls.yaml", "target=here.txt"]).status.code(), Some(0));
    for option in ["--help", "-la", "-"] {
        let out = sandbox.run(&["workflow", "run", "ls.yaml", &format!("target={option}")]);
        assert_eq!(out.status.code(), Some(1), "{option}: {}", printed(&out));
        assert!(printed(&out).contains("would be read as an option"), "{option}: {}", printed(&out));
    }
}

#[test]
fn notify_send_gets_a_double_dash_before_its_values() {
    let sandbox = Sandbox::new();
    let bin = sandbox.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let fake = sandbox
        .write("bin/notify-send", "#!/bin/sh\nfor a in \"$@\"; do printf '%s\\n' \"$a\"; done > \"$HOME/argv\"\n");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&fake, std::fs::Permissions::from_mode(0o755)).unwrap();
    sandbox.write(
        "n.yaml",
        "name: Notify\nsteps:\n  - { id: tell, tool: notification, action: send, parameters: { channel: desktop, title: \"--urgency=critical\", message: \"-t 1\" } }\n",
    );
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap_or_default());
    let out = sandbox.alpha().args(["workflow", "run", "n.yaml"]).env("PATH", path).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", printed(&out));
    let argv = std::fs::read_to_string(sandbox.path().join("argv")).unwrap();
    assert_eq!(argv, "--\n--urgency=critical\n-t 1\n");
}

#[test]
fn control_characters_in_output_are_shown_escaped() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "esc.yaml",
        r#"name: Esc
steps:
  - { id: noisy, tool: shell, action: run, parameters: { command: "printf 'a\\033]0;pwned\\007b \\033[31mred\\033[0m c\\rd\\n'; exit 2" } }
"#,
    );
    let out = sandbox.run(&["workflow", "run", "esc.yaml", "--verbose"]);
    assert_eq!(out.status.code(), Some(1));
    let run_id = {
        let runs: serde_json::Value =
            serde_json::from_slice(&sandbox.run(&["workflow", "history", "--json"]).stdout).unwrap();
        runs[0]["id"].as_str().unwrap().to_string()
    };
    let details = sandbox.run(&["workflow", "history", "--run", &run_id]);
    let logs = sandbox.run(&["workflow", "logs", &run_id]);
    for (what, output) in [("run --verbose", &out), ("history --run", &details), ("logs", &logs)] {
        let text = printed(output);
        assert!(!text.contains('\u{1b}') && !text.contains('\u{7}') && !text.contains('\r'), "{what}: {text:?}");
        assert!(text.contains("a\\x1b]0;pwned\\x07b"), "{what} shows the escape as text: {text}");
    }
    // --json is data for programs: the characters stay, JSON-escaped.
    let json = sandbox.run(&["workflow", "history", "--run", &run_id, "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert!(value.to_string().contains("\\u001b]0;pwned"), "{value}");
}

#[test]
fn pasteable_run_hints_are_shell_quoted() {
    let sandbox = Sandbox::new();
    let file = sandbox.write(
        "odd.yaml",
        "name: \"O'Brien $(touch PWNED)\"\nparameters:\n  who: { type: string }\nsteps:\n  - { id: hi, tool: shell, action: run, parameters: { command: \"echo hi {{ who }}\" } }\n",
    );
    let out = sandbox.run(&["workflow", "create", "--file", file.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", printed(&out));
    let text = printed(&out);
    let hint = text
        .lines()
        .find_map(|line| line.trim().split_once("alpha workflow run ").map(|(_, rest)| rest.to_string()))
        .unwrap_or_else(|| panic!("a Run with hint: {text}"));
    // Pasted into a shell with a real value, the hint runs the workflow and nothing else.
    let pasted = hint.replace("<who>", "Ann").replace("'<value>'", "Ann");
    let script = format!("'{}' workflow run {pasted}", env!("CARGO_BIN_EXE_alpha"));
    let run = sandbox.command_for("sh").arg("-c").arg(&script).output().unwrap();
    assert!(!sandbox.path().join("PWNED").exists(), "the hint ran the name as a command: {hint}");
    assert_eq!(run.status.code(), Some(0), "{script}: {}", printed(&run));
    assert!(stdout(&run).contains("O'Brien $(touch PWNED)"), "{}", stdout(&run));
}
