//! Nothing is lost to a signal or a timeout (design.md §4): background children neither hold a
//! step open nor outlive their run; SIGINT, SIGTERM and SIGHUP stop a run and its sub-workflows;
//! a sub-workflow obeys its step's timeout; SIGKILL leaves a consistent database, runs marked
//! interrupted at the next start and no step process alive; a locked database does not freeze
//! timeouts; a group far larger than the open-file limit finishes.

use std::path::Path;
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Sandbox, eventually, stderr, stdout};

fn alive(pid: i32) -> bool {
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .is_ok_and(|stat| stat.rsplit_once(") ").is_some_and(|(_, rest)| !rest.starts_with('Z')))
}

/// The pids written one per line to `file` by the steps.
fn pids(file: &Path) -> Vec<i32> {
    std::fs::read_to_string(file).unwrap_or_default().lines().filter_map(|l| l.trim().parse().ok()).collect()
}

fn all_dead(pids: &[i32]) -> bool {
    eventually(Duration::from_secs(10), || pids.iter().all(|pid| !alive(*pid)))
}

fn history(sandbox: &Sandbox) -> Vec<Value> {
    let out = sandbox.run(&["workflow", "history", "--json", "--limit", "100"]);
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice::<Vec<Value>>(&out.stdout).unwrap()
}

fn spawn_run(sandbox: &Sandbox, args: &[&str]) -> Child {
    sandbox.command().args(args).stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap()
}

fn signal(child: &Child, signal: i32) {
    // SAFETY: signalling a child this test spawned and has not reaped.
    unsafe { libc::kill(child.id() as i32, signal) };
}

fn wait_for_pids(file: &Path, count: usize) {
    assert!(eventually(Duration::from_secs(20), || pids(file).len() >= count), "the steps started: {:?}", pids(file));
}

#[test]
fn a_background_child_neither_holds_its_step_nor_outlives_the_run() {
    let sandbox = Sandbox::new();
    // `nohup` keeps stdout when it is not a terminal: the sleep holds the step's pipe.
    sandbox.write(
        "bg.yaml",
        r#"name: Background
steps:
  - { id: start, tool: shell, action: run, parameters: { command: "nohup sleep 301 & echo $! > bg; echo started" } }
  - { id: check, tool: shell, action: run, parameters: { command: "kill -0 $(cat bg) && echo still running" } }
"#,
    );
    let started = Instant::now();
    let out = sandbox.run(&["workflow", "run", "bg.yaml", "--verbose"]);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(took < Duration::from_secs(20), "the step ended when its shell did, not with the sleep: {took:?}");
    assert!(stdout(&out).contains("still running"), "the background sleep lived into the next step: {}", stdout(&out));
    let bg = pids(&sandbox.path().join("bg"));
    assert_eq!(bg.len(), 1);
    assert!(all_dead(&bg), "the background sleep was stopped when the run ended");
}

#[test]
fn a_server_started_in_the_background_answers_the_next_step() {
    let sandbox = Sandbox::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    sandbox.write("index.html", "hello from the background\n");
    sandbox.write(
        "serve.yaml",
        &format!(
            r#"name: Serve and test
steps:
  - {{ id: serve, tool: shell, action: run, parameters: {{ command: "python3 -m http.server {port} --bind 127.0.0.1 & echo $! > server" }} }}
  - id: probe
    tool: http
    action: get
    parameters: {{ url: "http://127.0.0.1:{port}/index.html" }}
    on_error: retry
    retry: {{ max_attempts: 50, backoff: fixed, delay: 100ms, retry_on: [network] }}
outputs:
  page: "{{{{ probe.body }}}}"
"#
        ),
    );
    let out = sandbox.run(&["workflow", "run", "serve.yaml", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("hello from the background"), "{}", stdout(&out));
    let server = pids(&sandbox.path().join("server"));
    assert!(all_dead(&server), "the server was stopped when the run ended");
    assert!(std::net::TcpStream::connect(("127.0.0.1", port)).is_err(), "nothing listens any more");
}

fn sub_workflow_sandbox(child_step_timeout: &str) -> Sandbox {
    let sandbox = Sandbox::new();
    sandbox.save(
        "child.yaml",
        "name: Child\nsteps:\n  - { id: wait, tool: shell, action: run, parameters: { command: \"sleep 60 & echo $! >> pids; wait\" } }\n",
    );
    sandbox.save(
        "parent.yaml",
        &format!(
            "name: Parent\nsteps:\n  - {{ id: before, tool: shell, action: run, parameters: {{ command: \"echo $$ >> pids\" }} }}\n  - {{ id: sub, tool: workflow, action: run, parameters: {{ workflow: Child }}{child_step_timeout} }}\n  - {{ id: after, tool: shell, action: run, parameters: {{ command: \"touch after\" }} }}\n"
        ),
    );
    sandbox
}

#[test]
fn sigint_sigterm_and_sighup_during_a_sub_workflow_stop_both_runs() {
    for (name, number) in [("SIGINT", libc::SIGINT), ("SIGTERM", libc::SIGTERM), ("SIGHUP", libc::SIGHUP)] {
        let sandbox = sub_workflow_sandbox("");
        let pid_file = sandbox.path().join("pids");
        let mut child = spawn_run(&sandbox, &["workflow", "run", "Parent"]);
        wait_for_pids(&pid_file, 2);
        signal(&child, number);
        let status = child.wait().unwrap();
        assert_eq!(status.code(), Some(130), "{name}");
        assert!(all_dead(&pids(&pid_file)), "{name}: the sub-workflow's sleep was stopped");
        assert!(!sandbox.path().join("after").exists(), "{name}: nothing ran after the signal");
        let runs = history(&sandbox);
        assert_eq!(runs.len(), 2, "{name}: {runs:?}");
        for run in &runs {
            assert_eq!(run["status"], "interrupted", "{name}: {} is {}", run["workflow_name"], run["status"]);
        }
    }
}

#[test]
fn a_sub_workflow_obeys_its_steps_timeout() {
    let sandbox = sub_workflow_sandbox(", timeout: 1s");
    let started = Instant::now();
    let out = sandbox.run(&["workflow", "run", "Parent"]);
    let took = started.elapsed();
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(took < Duration::from_secs(15), "the 1s timeout ended the sub-workflow: {took:?}");
    assert!(stdout(&out).contains("timed out after 1s"), "{}", stdout(&out));
    assert!(all_dead(&pids(&sandbox.path().join("pids"))), "the sub-workflow's sleep was stopped");
    assert!(!sandbox.path().join("after").exists());
    let runs = history(&sandbox);
    let status_of = |name: &str| runs.iter().find(|r| r["workflow_name"] == name).map(|r| r["status"].clone());
    assert_eq!(status_of("Parent"), Some(Value::from("failed")), "{runs:?}");
    let child = status_of("Child").expect("the sub-workflow's run is recorded");
    assert!(child == "interrupted" || child == "failed", "the sub-workflow did not finish: {child}");
}

#[test]
fn sigkills_mid_run_leave_a_consistent_database_and_no_step_process() {
    let sandbox = Sandbox::new();
    sandbox.save(
        "long.yaml",
        "name: Long\nsteps:\n  - { id: mark, tool: shell, action: run, parameters: { command: \"echo marked\" } }\n  - parallel:\n      - { id: a, tool: shell, action: run, parameters: { command: \"sleep 120 & echo $! >> pids; wait\" } }\n      - { id: b, tool: shell, action: run, parameters: { command: \"sleep 120 & echo $! >> pids; wait\" } }\n",
    );
    let pid_file = sandbox.path().join("pids");
    const KILLS: usize = 20;
    for round in 1..=KILLS {
        let mut child = spawn_run(&sandbox, &["workflow", "run", "Long"]);
        wait_for_pids(&pid_file, round * 2);
        signal(&child, libc::SIGKILL);
        child.wait().unwrap();
    }
    let started = pids(&pid_file);
    assert!(all_dead(&started), "every step process died with its alpha");
    let runs = history(&sandbox);
    assert_eq!(runs.len(), KILLS);
    for run in &runs {
        assert_eq!(run["status"], "interrupted", "{run}");
    }
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let running: i64 = conn
        .query_row("SELECT COUNT(*) FROM step_executions WHERE status IN ('running', 'pending')", [], |r| r.get(0))
        .unwrap();
    assert_eq!(running, 0, "no step is left running in the records");
}

#[test]
fn a_locked_database_does_not_hold_back_a_step_timeout() {
    let sandbox = Sandbox::new();
    sandbox.write(
        "group.yaml",
        r#"name: Group
steps:
  - parallel:
      - { id: slow, tool: shell, action: run, timeout: 1s, parameters: { command: "sleep 60 & echo $! >> pids; wait" } }
      - { id: other, tool: shell, action: run, parameters: { command: "echo $$ >> pids; sleep 2; echo done" } }
"#,
    );
    // The database exists before the run, so another process can lock it.
    assert!(sandbox.run(&["workflow", "list"]).status.success());
    let pid_file = sandbox.path().join("pids");
    let mut child = spawn_run(&sandbox, &["workflow", "run", "group.yaml"]);
    wait_for_pids(&pid_file, 2);
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let locked = Instant::now();
    let slow = pids(&pid_file)[..2].to_vec();
    // The 1 s timeout fires while another process holds the database for 5 s.
    let stopped = eventually(Duration::from_millis(3500), || slow.iter().any(|pid| !alive(*pid)));
    let held = locked.elapsed();
    std::thread::sleep(Duration::from_secs(5).saturating_sub(held));
    conn.execute_batch("COMMIT").unwrap();
    assert!(stopped && held < Duration::from_secs(4), "the timeout fired while the database was locked ({held:?})");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(1));
    let runs = history(&sandbox);
    assert_eq!(runs[0]["status"], "failed", "{}", runs[0]);
}

#[test]
fn a_group_of_5000_under_a_low_open_file_limit_finishes() {
    let sandbox = Sandbox::new();
    let mut yaml = String::from("name: Wide\nsteps:\n  - parallel:\n");
    for i in 0..5000 {
        yaml.push_str(&format!(
            "      - {{ id: s{i}, tool: shell, action: run, parameters: {{ command: \"true\" }} }}\n"
        ));
    }
    let file = sandbox.write("wide.yaml", &yaml);
    let out = sandbox
        .command_for("sh")
        .arg("-c")
        .arg(format!("ulimit -n 256 && exec '{}' workflow run '{}'", env!("CARGO_BIN_EXE_alpha"), file.display()))
        .output()
        .unwrap();
    let printed = format!("{}{}", stdout(&out), stderr(&out));
    assert!(!printed.contains("panicked"), "{printed}");
    assert_eq!(out.status.code(), Some(0), "{}", &printed[printed.len().saturating_sub(2000)..]);
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    let done: i64 =
        conn.query_row("SELECT COUNT(*) FROM step_executions WHERE status = 'success'", [], |r| r.get(0)).unwrap();
    assert_eq!(done, 5000);
}

#[test]
fn a_fifo_read_with_no_writer_ends_by_its_timeout_and_by_sigint() {
    let sandbox = Sandbox::new();
    let fifo = sandbox.path().join("pipe");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().unwrap().success());
    sandbox.write(
        "fifo.yaml",
        "name: Fifo\nsteps:\n  - { id: read, tool: file, action: read, timeout: 1s, parameters: { path: pipe, allow_special: true } }\n",
    );
    sandbox.write(
        "fifo-long.yaml",
        "name: Fifo Long\nsteps:\n  - { id: read, tool: file, action: read, timeout: 5m, parameters: { path: pipe, allow_special: true } }\n",
    );
    let started = Instant::now();
    let out = sandbox.run(&["workflow", "run", "fifo.yaml"]);
    assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
    assert!(started.elapsed() < Duration::from_secs(15), "ended by its 1s timeout: {:?}", started.elapsed());
    assert!(stdout(&out).contains("did not end in time") || stdout(&out).contains("timed out"), "{}", stdout(&out));

    let mut child = spawn_run(&sandbox, &["workflow", "run", "fifo-long.yaml"]);
    // The run is reading once its step is recorded as running.
    assert!(eventually(Duration::from_secs(20), || history(&sandbox)
        .first()
        .is_some_and(|r| r["status"] == "running")));
    let signalled = Instant::now();
    signal(&child, libc::SIGINT);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    assert!(signalled.elapsed() < Duration::from_secs(10), "Ctrl-C ended the read: {:?}", signalled.elapsed());
    assert_eq!(history(&sandbox)[0]["status"], "interrupted");
}
