//! A corpus of hostile values (shell metacharacters, newlines, NUL, very long strings, unicode
//! tricks, path traversal) through every tool that reaches a shell or the filesystem: the shell
//! (command, environment, stdin, working directory), the file tool (paths and content) and the
//! notification tool's file channel. None may be executed, and none may lead a write out of the
//! directory its path template names.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::common::{Sandbox, stderr, stdout};

/// The corpus; `PWNED` stands for a marker file that must never appear.
fn corpus() -> Vec<String> {
    let mut values: Vec<String> = [
        // shell syntax
        "x; touch PWNED",
        "$(touch PWNED)",
        "`touch PWNED`",
        "a && touch PWNED",
        "a || touch PWNED",
        "a | touch PWNED",
        "a & touch PWNED",
        "'; touch PWNED; '",
        "\"; touch PWNED; \"",
        "\\'; touch PWNED; \\'",
        "> PWNED",
        ">> PWNED",
        "< /etc/passwd > PWNED",
        "2> PWNED",
        "${IFS}touch${IFS}PWNED",
        "$((1+1))",
        "${HOME}",
        "$HOME",
        "$0",
        "$@",
        "*",
        "?",
        "[a-z]*",
        "{a,b}",
        "~",
        "~root",
        "!!",
        "!-1",
        "#comment",
        "-rf",
        "--help",
        "-",
        "%s%s%s%n",
        "\\",
        "'",
        "\"",
        "\"'\"'",
        "a b   c",
        "\ttab",
        // line breaks and control characters
        "a\ntouch PWNED",
        "a\r\ntouch PWNED",
        "line1\nline2\n",
        "\u{1b}[31mred\u{1b}[0m",
        "bell\u{7}",
        // unicode tricks
        "ünïcödé ✓",
        "\u{202e}txt.exe",
        "zero\u{200b}width",
        "\u{feff}bom",
        "ｔｏｕｃｈ PWNED",
        "；touch PWNED",
        "a\u{2028}b",
        "e\u{301}\u{301}\u{301}",
        "🦀🔥",
        // path traversal
        "../PWNED",
        "../../../../../../tmp/PWNED-alpha",
        "..",
        "a/../../PWNED",
        "./../PWNED",
        "/tmp/PWNED-alpha-absolute",
        "..\\PWNED",
        "%2e%2e%2fPWNED",
        "....//PWNED",
        "sub/dir/name",
        "",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    values.push("a\0b".to_string());
    values.push("..\0/PWNED".to_string());
    values.push("x".repeat(60_000));
    values.push(format!("{}; touch PWNED", "y".repeat(5_000)));
    values
}

/// A JSON workflow with one parameter per value (its default) and, for each, steps through the
/// shell and the file and notification tools.
fn workflow(values: &[String]) -> Value {
    let mut parameters = serde_json::Map::new();
    let mut steps = Vec::new();
    for (i, value) in values.iter().enumerate() {
        let v = format!("{{{{ v{i} }}}}");
        parameters.insert(format!("v{i}"), json!({ "type": "string", "default": value }));
        let tolerate = |step: Value| {
            let mut step = step;
            step["on_error"] = json!("log_and_continue");
            step
        };
        steps.push(json!({ "id": format!("cmd{i}"), "tool": "shell", "action": "run",
            "parameters": { "command": format!("printf '%s' {v} > out/cmd{i}.txt") } }));
        steps.push(json!({ "id": format!("env{i}"), "tool": "shell", "action": "run",
            "parameters": { "command": format!("printf '%s' \"$V\" > out/env{i}.txt"), "env": { "V": v } } }));
        steps.push(json!({ "id": format!("stdin{i}"), "tool": "shell", "action": "run",
            "parameters": { "command": format!("cat > out/stdin{i}.txt"), "stdin": v } }));
        steps.push(json!({ "id": format!("content{i}"), "tool": "file", "action": "write",
            "parameters": { "path": format!("out/content{i}.txt"), "content": v } }));
        steps.push(tolerate(json!({ "id": format!("path{i}"), "tool": "file", "action": "write",
            "parameters": { "path": format!("out/paths/{i}/{v}.txt"), "content": "x" } })));
        steps.push(tolerate(json!({ "id": format!("cwd{i}"), "tool": "shell", "action": "run",
            "parameters": { "command": "touch cwd-was-here", "cwd": format!("out/cwd/{i}/{v}") } })));
        steps.push(tolerate(json!({ "id": format!("note{i}"), "tool": "notification", "action": "send",
            "parameters": { "channel": "file", "path": format!("out/notes/{i}/{v}.log"), "message": v } })));
    }
    steps.insert(
        0,
        json!({ "id": "setup", "tool": "shell", "action": "run",
        "parameters": { "command": "mkdir -p out/paths out/notes out/cwd" } }),
    );
    json!({ "name": "Hostile", "parameters": parameters, "steps": steps })
}

/// Whether a relative path, normalized, goes above where it starts.
fn climbs_above_start(path: &str) -> bool {
    let mut depth = 0i32;
    for component in path.split('/') {
        match component {
            "" | "." => {}
            ".." => depth -= 1,
            _ => depth += 1,
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

/// Every file under `dir`, recursively.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() && !path.is_symlink() {
                found.extend(files(&path));
            } else {
                found.push(path);
            }
        }
    }
    found
}

#[test]
fn hostile_values_are_never_executed_and_never_escape_their_directory() {
    let values = corpus();
    assert!(values.len() >= 50, "the corpus has {} values", values.len());
    let sandbox = Sandbox::new();
    let outside = ["/tmp/PWNED-alpha", "/tmp/PWNED-alpha.txt", "/tmp/PWNED-alpha.log", "/tmp/PWNED-alpha-absolute"];
    for path in outside {
        let _ = std::fs::remove_file(path);
    }
    let path = sandbox.write("hostile.json", &serde_json::to_string_pretty(&workflow(&values)).unwrap());
    let output = sandbox.alpha().args(["workflow", "run", "--json"]).arg(&path).output().unwrap();
    let run = stdout(&output);
    let failures: Vec<&str> = run.lines().filter(|l| l.contains("\"failed\"") && !l.contains("(continuing)")).collect();
    assert!(failures.is_empty(), "{failures:?}\n{}", stderr(&output).lines().last().unwrap_or(""));
    let continued = run.lines().any(|l| l.contains("(continuing)"));
    let expected = if continued { 1 } else { 0 };
    assert_eq!(output.status.code(), Some(expected), "partial when a step failed and the run went on");

    // Nothing ran: no marker anywhere, nothing written outside the sandbox's out/ folder.
    let all = files(sandbox.path());
    assert!(
        !all.iter().any(|p| p.to_string_lossy().contains("PWNED") && !p.starts_with(sandbox.path().join("out"))),
        "a value escaped: {all:?}"
    );
    for path in outside {
        assert!(!Path::new(path).exists(), "a write escaped to {path}");
    }
    for path in &all {
        let inside = path.starts_with(sandbox.path().join("out")) || path.starts_with(sandbox.path().join("home"));
        assert!(inside || path == &sandbox.path().join("hostile.json"), "written outside out/: {}", path.display());
    }
    let pwned = all.iter().filter(|p| p.file_name().is_some_and(|n| n == "PWNED")).count();
    assert_eq!(pwned, 0, "a command ran: {all:?}");

    let finished: Vec<Value> = run.lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let status = |id: &str| {
        finished
            .iter()
            .find(|e| e["event"] == "step_finished" && e["id"] == id)
            .map(|e| e["status"].as_str().unwrap_or("").to_string())
    };
    for (i, value) in values.iter().enumerate() {
        // The shell got the value as one argument, one variable and its stdin, byte for byte
        // (a NUL, which no argument or variable can hold, is dropped).
        let expected = value.replace('\0', "");
        for kind in ["cmd", "env"] {
            let got = std::fs::read_to_string(sandbox.path().join(format!("out/{kind}{i}.txt"))).unwrap_or_default();
            assert_eq!(got, expected, "{kind} {i}: {value:?}");
        }
        let got = std::fs::read(sandbox.path().join(format!("out/stdin{i}.txt"))).unwrap_or_default();
        assert_eq!(got, value.as_bytes(), "stdin {i}");
        let got = std::fs::read(sandbox.path().join(format!("out/content{i}.txt"))).unwrap_or_default();
        assert_eq!(got, value.as_bytes(), "content {i}");

        // A value that would climb out of its path (or hold NUL) is refused; others land inside.
        // The check is on the whole path after the value, normalized, so `..` alone in
        // `{{ v }}.txt` is the file `...txt`, while `..` as `cwd` climbs.
        let too_long = value.len() > 200;
        for (kind, suffix) in [("path", ".txt"), ("note", ".log"), ("cwd", "")] {
            let climbs = value.contains('\0') || climbs_above_start(&format!("{value}{suffix}"));
            let status = status(&format!("{kind}{i}")).unwrap_or_default();
            if climbs || too_long {
                assert_ne!(status, "success", "{kind} {i}: {value:?} should be refused");
            } else if kind != "cwd" {
                assert_eq!(status, "success", "{kind} {i}: {value:?}");
            }
        }
    }
    let refused = run.matches("would climb out of the directory around it").count();
    assert!(refused >= 5, "refusals name the reason: {refused}");
}
