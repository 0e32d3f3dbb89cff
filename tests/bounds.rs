//! Bounded capture (design.md §4) at a small size: a step's output, an HTTP body and a file read
//! past `output_limit` keep their head and tail with a marker and the real byte count, the whole
//! stream lands in the attempt's log file, `logs` shows it whole, and the database stays small.
//! HTTP calls end by the default timeout against servers that never finish answering.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::path::Path;
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Sandbox, stderr, stdout};

/// The bytes `seq 1 n` prints.
fn seq_bytes(n: u64) -> u64 {
    (1..=n).map(|i| i.to_string().len() as u64 + 1).sum()
}

/// The last run's details as `workflow history --run ID --json` gives them.
fn last_run(sandbox: &Sandbox) -> Value {
    let runs: Value = serde_json::from_str(&stdout(&sandbox.run(&["workflow", "history", "--json"]))).unwrap();
    let id = runs[0]["id"].as_str().expect("a run was recorded").to_string();
    let details = sandbox.run(&["workflow", "history", "--run", &id, "--json"]);
    serde_json::from_str(&stdout(&details)).unwrap()
}

/// The result of step `id` in a run's details.
fn result_of<'a>(details: &'a Value, id: &str) -> &'a Value {
    let steps = details["steps"].as_array().expect("steps");
    let step = steps.iter().rev().find(|s| s["step_id"] == id).unwrap_or_else(|| panic!("no step {id} in {details}"));
    &step["result"]
}

fn files_under(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[test]
fn output_past_the_limit_keeps_head_and_tail_the_real_count_and_a_whole_log() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "big.yaml",
        r#"name: Big
execution: { output_limit: 1KiB }
steps:
  - { id: lots, tool: shell, action: run, parameters: { command: "seq 1 20000; echo 'to stderr' >&2" } }
  - { id: small, tool: shell, action: run, parameters: { command: "echo fine" } }
outputs:
  count: "{{ lots.stdout_bytes }}"
"#,
    );
    let out = sandbox.run(&["workflow", "run", "big.yaml", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

    let details = last_run(&sandbox);
    let lots = result_of(&details, "lots");
    let kept = lots["stdout"].as_str().unwrap();
    assert_eq!(lots["truncated"], Value::Bool(true), "{lots}");
    assert_eq!(lots["stdout_bytes"].as_u64(), Some(seq_bytes(20000)), "the real byte count: {lots}");
    assert!(kept.starts_with("1\n2\n3\n"), "the head is kept: {kept}");
    assert!(kept.ends_with("19999\n20000\n"), "the tail is kept: {kept}");
    assert!(kept.contains("bytes not kept; the whole output is in "), "a marker names the log: {kept}");
    assert!(kept.len() < 1024 + 300, "at most the limit plus the marker is kept: {} bytes", kept.len());
    assert_eq!(lots["truncated"], Value::Bool(true));
    assert_eq!(lots["stderr"].as_str(), Some("to stderr\n"), "a short stream is kept whole: {lots}");
    assert_eq!(result_of(&details, "small")["truncated"], Value::Bool(false));
    assert_eq!(details["run"]["result"]["outputs"]["count"], Value::from(seq_bytes(20000)), "{}", details["run"]);

    // The whole stream is in the attempt's log file, and `logs` prints it from there.
    let run_id = details["run"]["id"].as_str().unwrap();
    let log = sandbox.path().join("home/logs").join(run_id).join("lots.1.log");
    let whole = std::fs::read_to_string(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
    assert!(whole.contains("\n10000\n") && whole.contains("to stderr"), "the log holds both streams whole");
    assert_eq!(whole.len() as u64, seq_bytes(20000) + "to stderr\n".len() as u64);
    let logs = sandbox.run(&["workflow", "logs", run_id]);
    assert!(logs.status.success(), "{}", stderr(&logs));
    let shown = stdout(&logs);
    assert!(shown.contains("\n10000\n") && shown.contains("\n20000\n"), "logs shows the part the result dropped");
    assert!(shown.contains("fine"), "and the other steps: {}", &shown[shown.len().saturating_sub(300)..]);
}

#[test]
fn stored_results_stay_valid_json_past_64_kib_so_resume_sees_what_ran() {
    let sandbox = Sandbox::new();
    let marker = sandbox.path().join("ran");
    sandbox.write(
        "resume.yaml",
        &format!(
            r#"name: Resumable
steps:
  - {{ id: wide, tool: shell, action: run, parameters: {{ command: "echo once >> '{}'; seq 1 40000" }} }}
  - {{ id: flaky, tool: shell, action: run, parameters: {{ command: "test -f '{}.ok'" }} }}
"#,
            marker.display(),
            marker.display()
        ),
    );
    let first = sandbox.run(&["workflow", "run", "resume.yaml"]);
    assert_eq!(first.status.code(), Some(1), "{}", stdout(&first));
    let details = last_run(&sandbox);
    let wide = result_of(&details, "wide");
    assert_eq!(wide["stdout_bytes"].as_u64(), Some(seq_bytes(40000)), "read back, not null: {wide}");
    let id = details["run"]["id"].as_str().unwrap().to_string();

    std::fs::write(format!("{}.ok", marker.display()), "").unwrap();
    let resumed = sandbox.run(&["workflow", "run", "--resume", &id]);
    assert_eq!(resumed.status.code(), Some(0), "{}{}", stdout(&resumed), stderr(&resumed));
    assert_eq!(std::fs::read_to_string(&marker).unwrap(), "once\n", "the completed wide step did not run again");
}

#[test]
fn outputs_and_error_text_are_bounded_in_the_database() {
    let sandbox = Sandbox::new();
    // 8 MB kept by the step (its own limit), then spliced into a command the system refuses
    // (E2BIG) and into the workflow's outputs.
    sandbox.write(
        "huge.yaml",
        r#"name: Huge
steps:
  - { id: make, tool: shell, action: run, output_limit: 16MiB, parameters: { command: "head -c 8000000 /dev/zero | tr '\\0' x" } }
  - { id: use, tool: shell, action: run, parameters: { command: "echo {{ make.stdout }}" } }
outputs:
  copy: "{{ make.stdout }}"
"#,
    );
    let out = sandbox.run(&["workflow", "run", "huge.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let printed = format!("{}{}", stdout(&out), stderr(&out));
    assert!(printed.len() < 64 * 1024, "the failure is told in a bounded message: {} bytes", printed.len());
    let size = std::fs::metadata(sandbox.db()).unwrap().len()
        + std::fs::metadata(sandbox.db().with_extension("db-wal")).map_or(0, |m| m.len());
    assert!(size < 4 << 20, "the database holds a bounded run: {size} bytes");
    let details = last_run(&sandbox);
    assert_eq!(details["run"]["status"], "failed", "{}", details["run"]["error"]);
    assert!(result_of(&details, "make")["stdout_bytes"].as_u64() == Some(8_000_000));
}

/// A server answering every request with `body`.
fn body_server(body: Vec<u8>) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut request = [0u8; 4096];
            let _ = stream.read(&mut request);
            let head = format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len());
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&body);
        }
    });
    url
}

#[test]
fn an_http_body_past_the_limit_is_cut_with_its_real_size() {
    let sandbox = Sandbox::new();
    let body: Vec<u8> = (0..200_000u32).map(|i| b'a' + (i % 26) as u8).collect();
    let url = body_server(body);
    sandbox.write(
        "get.yaml",
        &format!(
            r#"name: Get
execution: {{ output_limit: 2KiB }}
steps:
  - {{ id: get, tool: http, action: get, parameters: {{ url: "{url}/big" }} }}
"#
        ),
    );
    let out = sandbox.run(&["workflow", "run", "get.yaml"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let get = result_of(&last_run(&sandbox), "get").clone();
    assert_eq!(get["body_bytes"].as_u64(), Some(200_000), "{get}");
    assert_eq!(get["truncated"], Value::Bool(true));
    assert_eq!(get["json"], Value::Null, "a cut body is not parsed");
    let kept = get["body"].as_str().unwrap();
    assert!(kept.starts_with("abcdefghij") && kept.contains("bytes not kept"), "{kept}");
    assert!(kept.len() < 2048 + 300, "{} bytes kept", kept.len());
}

#[test]
fn a_file_read_past_the_limit_is_cut_and_special_files_are_refused() {
    let sandbox = Sandbox::new();
    let text: String = (1..=30000).map(|n| format!("{n}\n")).collect();
    sandbox.write("data.txt", &text);
    let fifo = sandbox.path().join("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    sandbox.write(
        "read.yaml",
        r#"name: Read
execution: { output_limit: 1KiB }
parameters:
  path: { type: string }
steps:
  - { id: read, tool: file, action: read, parameters: { path: "{{ path }}" } }
"#,
    );
    let out = sandbox.run(&["workflow", "run", "read.yaml", "path=data.txt"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let read = result_of(&last_run(&sandbox), "read").clone();
    assert_eq!(read["bytes"].as_u64(), Some(text.len() as u64), "{read}");
    assert_eq!(read["truncated"], Value::Bool(true));
    let kept = read["output"].as_str().unwrap();
    assert!(kept.starts_with("1\n2\n") && kept.contains("data.txt"), "the marker points at the file: {kept}");

    for special in ["pipe", "/dev/zero"] {
        let started = Instant::now();
        let out = sandbox.run(&["workflow", "run", "read.yaml", &format!("path={special}")]);
        let printed = format!("{}{}", stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(1), "{special}: {printed}");
        assert!(printed.contains("not a regular file") && printed.contains("allow_special"), "{printed}");
        assert!(started.elapsed() < Duration::from_secs(20), "refused at once");
    }
}

/// A server that accepts connections and never answers.
fn silent_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for stream in listener.incoming().flatten() {
            held.push(stream);
        }
    });
    url
}

/// A server that sends its headers and then one byte of body every 100 ms, forever.
fn dripping_server() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            std::thread::spawn(move || {
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request);
                let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 1000000\r\n\r\n");
                while stream.write_all(b"x").is_ok() {
                    std::thread::sleep(Duration::from_millis(100));
                }
            });
        }
    });
    url
}

#[test]
fn http_calls_end_by_the_default_timeout_against_silent_and_dripping_servers() {
    for (kind, url) in [("silent", silent_server()), ("dripping", dripping_server())] {
        let sandbox = Sandbox::new();
        sandbox.write(
            "slow.yaml",
            &format!(
                "name: Slow\nsteps:\n  - {{ id: call, tool: http, action: get, parameters: {{ url: \"{url}/slow\" }} }}\n"
            ),
        );
        let started = Instant::now();
        let out =
            sandbox.alpha().args(["workflow", "run", "slow.yaml"]).env("ALPHA_HTTP_TIMEOUT", "1s").output().unwrap();
        let took = started.elapsed();
        let printed = format!("{}{}", stdout(&out), stderr(&out));
        assert_eq!(out.status.code(), Some(1), "{kind}: {printed}");
        assert!(printed.contains("no complete answer within 1s"), "{kind}: {printed}");
        assert!(took < Duration::from_secs(15), "{kind}: ended by the timeout, took {took:?}");
        let details = last_run(&sandbox);
        assert_eq!(details["run"]["status"], "failed", "{kind}");
    }
}

#[test]
fn log_files_are_private_and_only_under_the_data_dir() {
    use std::os::unix::fs::PermissionsExt;
    let sandbox = Sandbox::new();
    sandbox.write(
        "p.yaml",
        "name: P\nsteps:\n  - { id: say, tool: shell, action: run, parameters: { command: \"echo hi\" } }\n",
    );
    assert!(sandbox.run(&["workflow", "run", "p.yaml"]).status.success());
    let logs = files_under(&sandbox.path().join("home/logs"));
    assert_eq!(logs.len(), 1, "{logs:?}");
    assert_eq!(std::fs::metadata(&logs[0]).unwrap().permissions().mode() & 0o777, 0o600);
    let dir = logs[0].parent().unwrap();
    assert_eq!(std::fs::metadata(dir).unwrap().permissions().mode() & 0o777, 0o700);
    assert_eq!(std::fs::metadata(sandbox.db()).unwrap().permissions().mode() & 0o777, 0o600);
}
