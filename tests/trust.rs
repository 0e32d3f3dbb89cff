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
    let output = sandbox
        .command()
        .args(["workflow", "schema"])
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

#[test]
fn three_processes_each_recording_1000_runs_lose_nothing_and_never_see_a_locked_database() {
    let sandbox = Sandbox::new();
    sandbox.save(
        "w.yaml",
        "name: Busy\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: \"echo $$\" } }\n",
    );
    let per_process = 1000;
    let alpha = env!("CARGO_BIN_EXE_alpha");
    let home = sandbox.path().join("home");
    // Two chat sessions, each given `run Busy` 1,000 times on stdin, and a CLI loop of 1,000 runs.
    let session = |name: &str| {
        let input = std::fs::File::create(sandbox.path().join(format!("{name}.in"))).unwrap();
        let mut writer = std::io::BufWriter::new(input);
        for _ in 0..per_process {
            std::io::Write::write_all(&mut writer, b"run Busy\n").unwrap();
        }
        drop(writer);
        sandbox
            .command()
            .stdin(std::fs::File::open(sandbox.path().join(format!("{name}.in"))).unwrap())
            .stdout(std::fs::File::create(sandbox.path().join(format!("{name}.out"))).unwrap())
            .stderr(std::fs::File::create(sandbox.path().join(format!("{name}.err"))).unwrap())
            .spawn()
            .unwrap()
    };
    let script = format!(
        "for i in $(seq {per_process}); do \"$ALPHA\" workflow run Busy >/dev/null 2>>cli.err || echo \"run $i failed\" >> cli.err; done"
    );
    let cli = std::process::Command::new("sh")
        .arg("-c")
        .arg(&script)
        .current_dir(sandbox.path())
        .env("ALPHA", alpha)
        .env("ALPHA_HOME", &home)
        .spawn()
        .unwrap();
    let mut children = [session("one"), session("two"), cli];
    for child in &mut children {
        assert!(child.wait().unwrap().success());
    }
    for name in ["one.err", "two.err", "cli.err", "one.out", "two.out"] {
        let text = std::fs::read_to_string(sandbox.path().join(name)).unwrap_or_default();
        assert!(!text.contains("locked") && !text.contains("busy"), "{name}: {text}");
        if name.ends_with(".err") {
            assert!(text.trim().is_empty(), "{name}: {text}");
        }
    }
    for name in ["one.out", "two.out"] {
        let text = std::fs::read_to_string(sandbox.path().join(name)).unwrap();
        assert_eq!(text.matches("Workflow completed successfully").count(), per_process, "{name}");
    }
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    let count = |sql: &str| -> i64 { conn.query_row(sql, [], |r| r.get(0)).unwrap() };
    assert_eq!(count("SELECT COUNT(*) FROM workflow_executions WHERE status = 'completed'"), 3 * per_process as i64);
    assert_eq!(count("SELECT COUNT(*) FROM workflow_executions"), 3 * per_process as i64);
    assert_eq!(count("SELECT COUNT(*) FROM step_executions WHERE status = 'success'"), 3 * per_process as i64);
    assert_eq!(count("SELECT execution_count FROM workflows WHERE name = 'Busy'"), 3 * per_process as i64);
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
}
