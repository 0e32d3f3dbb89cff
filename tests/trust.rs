//! Crash safety: `alpha workflow run` killed with SIGKILL at random points leaves a database that
//! opens, passes `PRAGMA integrity_check`, and marks the abandoned run `interrupted`.

use std::time::Duration;

use serde_json::Value;

use crate::common::{Sandbox, stdout};

#[test]
fn sigkill_at_random_points_never_corrupts_the_library() {
    let sandbox = Sandbox::new();
    let yaml = "name: Busy\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: \"echo a\" } }\n  - parallel:\n      - { id: b, tool: shell, action: run, parameters: { command: \"sleep 0.02\" } }\n      - { id: c, tool: shell, action: run, parameters: { command: \"echo c\" } }\n  - { id: d, tool: file, action: write, parameters: { path: out.txt, content: \"{{ a.output }}\" } }\n";
    let path = sandbox.write("busy.yaml", yaml);
    assert_eq!(sandbox.run(&["workflow", "create", "--file", path.to_str().unwrap()]).status.code(), Some(0));
    let mut seed: u64 = 12345;
    let trials = 100;
    for trial in 0..trials {
        seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        let delay = Duration::from_millis((seed >> 33) % 60);
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_alpha"))
            .args(["workflow", "run", "Busy"])
            .current_dir(sandbox.path())
            .env("ALPHA_HOME", sandbox.path().join("home"))
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();
        let conn = rusqlite::Connection::open(sandbox.db())
            .unwrap_or_else(|e| panic!("trial {trial}: the database doesn't open: {e}"));
        let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
        assert_eq!(check, "ok", "trial {trial}");
    }
    // The next start finds runs whose process is gone and marks them interrupted.
    let history: Value =
        serde_json::from_slice(&sandbox.run(&["workflow", "history", "--limit", "1000", "--json"]).stdout).unwrap();
    let runs = history.as_array().unwrap();
    assert!(!runs.is_empty());
    let statuses: Vec<&str> = runs.iter().map(|r| r["status"].as_str().unwrap()).collect();
    assert!(statuses.iter().all(|s| *s == "completed" || *s == "interrupted"), "{statuses:?}");
    assert!(statuses.contains(&"interrupted"), "some runs were killed mid-way: {statuses:?}");
    let interrupted = runs.iter().find(|r| r["status"] == "interrupted").unwrap();
    assert!(interrupted["error"].as_str().unwrap().contains("stopped unexpectedly"));
    assert!(stdout(&sandbox.run(&["workflow", "list"])).contains("Busy"));
}

#[test]
fn a_closed_stdout_ends_alpha_like_sigpipe_without_a_panic_message() {
    use std::os::unix::process::ExitStatusExt;
    let sandbox = Sandbox::new();
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_alpha"))
        .args(["workflow", "schema"])
        .env("ALPHA_HOME", sandbox.path().join("home"))
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(output.status.signal(), Some(libc::SIGPIPE), "{:?}", output.status);
    assert!(output.stderr.is_empty(), "{}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_peer_that_closes_its_socket_fails_the_step_instead_of_killing_the_run() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let mut buf = [0u8; 1024];
            let _ = std::io::Read::read(&mut &stream, &mut buf);
            drop(stream); // closes with unread data: the client's next writes get EPIPE
        }
    });
    let sandbox = Sandbox::new();
    let yaml = format!(
        "name: Upload\nsteps:\n  - {{ id: make, tool: shell, action: run, parameters: {{ command: \"head -c 8000000 /dev/zero | tr '\\\\0' x > big.txt\" }} }}\n  - {{ id: read, tool: file, action: read, parameters: {{ path: big.txt }} }}\n  - {{ id: post, tool: http, action: post, parameters: {{ url: \"http://127.0.0.1:{port}/upload\", body: \"{{{{ read.output }}}}\" }} }}\n"
    );
    let path = sandbox.write("upload.yaml", &yaml);
    let output = sandbox.run(&["workflow", "run", path.to_str().unwrap()]);
    let text = format!("{}{}", stdout(&output), String::from_utf8_lossy(&output.stderr));
    assert_eq!(output.status.code(), Some(1), "the run fails and reports it: {text}");
    assert!(text.contains("step `post` failed"), "{text}");
    let history = stdout(&sandbox.run(&["workflow", "history", "Upload"]));
    assert!(history.contains("failed"), "{history}");
}
