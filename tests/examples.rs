//! Every example validates, and each one that needs no outside service runs and does its job.

use serde_json::Value;

use crate::common::{Sandbox, root, stderr, stdout};

fn examples() -> Vec<std::path::PathBuf> {
    let mut files: Vec<_> = std::fs::read_dir(root().join("examples"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    files
}

fn path_with_tools() -> String {
    format!("{}:{}", root().join("examples/tools").display(), std::env::var("PATH").unwrap_or_default())
}

fn run(sandbox: &Sandbox, file: &str, params: &[&str]) -> Value {
    run_expecting(sandbox, file, params, 0)
}

/// Runs an example and checks its exit code (1 for a `partial` run); returns its outputs.
fn run_expecting(sandbox: &Sandbox, file: &str, params: &[&str], code: i32) -> Value {
    let path = root().join("examples").join(file);
    let mut args = vec!["workflow", "run", path.to_str().unwrap(), "--json"];
    args.extend_from_slice(params);
    let out = sandbox.alpha().args(&args).env("PATH", path_with_tools()).output().unwrap();
    assert_eq!(out.status.code(), Some(code), "{file}: {}{}", stdout(&out), stderr(&out));
    let events: Vec<Value> = stdout(&out).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    events.into_iter().find(|e| e["event"] == "run_finished").unwrap()["outputs"].clone()
}

#[test]
fn every_example_validates_and_says_what_it_shows() {
    let sandbox = Sandbox::new();
    let files = examples();
    assert!(files.len() >= 10, "at least 10 examples, found {}", files.len());
    for file in files {
        let out = sandbox
            .alpha()
            .args(["workflow", "validate", file.to_str().unwrap()])
            .env("PATH", path_with_tools())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}: {}", file.display(), stderr(&out));
        let text = std::fs::read_to_string(&file).unwrap();
        assert!(text.starts_with('#'), "{} starts with a comment saying what it shows", file.display());
    }
}

#[test]
fn examples_that_need_no_outside_service_run() {
    let sandbox = Sandbox::new();
    assert!(run(&sandbox, "system-snapshot.yaml", &[])["summary"].as_str().unwrap().starts_with("kernel "));
    let out = run(&sandbox, "dag-build.yaml", &["out=build"]);
    assert_eq!(out["package"], "build/package.txt");
    assert_eq!(std::fs::read_to_string(sandbox.path().join("build/package.txt")).unwrap(), "frontend\nbackend\n");
    assert_eq!(run(&sandbox, "branch-on-tests.yaml", &[])["result"], "success");
    // The check failed under log_and_continue and the else branch ran: the run is partial.
    assert_eq!(run_expecting(&sandbox, "branch-on-tests.yaml", &["check=false"], 1)["result"], "failed");
    assert!(sandbox.path().join("failures.log").exists());
    let fallback = run(&sandbox, "retry-and-fallback.yaml", &[]);
    assert_eq!(fallback["source"], "cache");
    assert_eq!(fallback["attempts"], 2);
    let secrets = run(&sandbox, "secrets.yaml", &["token=s3cr3t-value"]);
    assert_eq!(secrets["result"], "token received (12 characters)");
    assert_eq!(run(&sandbox, "external-tool.yaml", &["text=one two three"])["words"], 3);
    sandbox.write("notes.txt", "some notes");
    assert_eq!(run(&sandbox, "llm-summary.yaml", &[])["summary"], "(no LLM configured)");
    let scratch = sandbox.path().join("scratch");
    assert_eq!(run(&sandbox, "scheduled-cleanup.yaml", &[&format!("folder={}", scratch.display())])["deleted"], "0");
    let greet = root().join("examples/greet.yaml");
    assert_eq!(sandbox.run(&["workflow", "create", "--file", greet.to_str().unwrap()]).status.code(), Some(0));
    assert_eq!(run(&sandbox, "sub-workflow.yaml", &[])["both"], "hello Ann / hello Bob");
}

#[test]
fn the_http_example_reads_a_local_service() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        if let Ok((mut stream, _)) = listener.accept() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let body = r#"{"state":"healthy"}"#;
            let _ = stream.write_all(
                format!("HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len())
                    .as_bytes(),
            );
        }
    });
    let sandbox = Sandbox::new();
    let out = run(&sandbox, "http-json.yaml", &[&format!("base_url=http://127.0.0.1:{port}")]);
    assert_eq!(out["state"], "healthy");
    assert_eq!(out["code"], 200);
}
