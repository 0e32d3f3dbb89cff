//! `alpha workflow validate` and `alpha workflow schema` through the real binary.

use crate::common::{Sandbox, root, stderr, stdout};

#[test]
fn valid_file_prints_a_check_line_and_exits_zero() {
    let sandbox = Sandbox::new();
    let example = root().join("examples/daily-email-check.yaml");
    let output = sandbox.run(&["workflow", "validate", example.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("✓ "), "{}", stdout(&output));
    assert!(stdout(&output).contains("daily-email-check.yaml: Daily Email Check (3 steps, 2 parameters)"));
}

#[test]
fn invalid_file_renders_source_line_and_caret_and_exits_two() {
    let sandbox = Sandbox::new();
    let path = sandbox.write(
        "deploy.yaml",
        "name: Deploy\nsteps:\n  - { id: pull, tool: shell, action: run, parameters: { comand: ls } }\n",
    );
    let output = sandbox.run(&["workflow", "validate", path.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let err = stderr(&output);
    assert!(err.contains("error: `shell run` has no parameter `comand`"), "{err}");
    assert!(err.contains("deploy.yaml:3:"), "{err}");
    assert!(err.contains("3 |   - { id: pull"), "{err}");
    assert!(err.contains("^^^^^^"), "{err}");
    assert!(err.contains("help: did you mean `command`?"), "{err}");
    assert!(!err.contains("\x1b["), "no colour when NO_COLOR is set: {err}");
}

#[test]
fn json_diagnostics_are_machine_readable() {
    let sandbox = Sandbox::new();
    let good = sandbox.write(
        "good.json",
        r#"{"name":"G","steps":[{"id":"a","tool":"shell","action":"run","parameters":{"command":"ls"}}]}"#,
    );
    let bad = sandbox.write(
        "bad.yaml",
        "name: B\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: ls }, timeout: soon }\n",
    );
    let output = sandbox.run(&["workflow", "validate", "--json", good.to_str().unwrap(), bad.to_str().unwrap()]);
    assert_eq!(output.status.code(), Some(2));
    let reports: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    assert_eq!(reports[0]["valid"], true);
    assert_eq!(reports[0]["steps"], 1);
    assert_eq!(reports[1]["valid"], false);
    let diagnostic = &reports[1]["diagnostics"][0];
    assert_eq!(diagnostic["line"], 3);
    assert_eq!(diagnostic["path"], "steps[0].timeout");
    assert!(diagnostic["message"].as_str().unwrap().contains("soon"));
}

#[test]
fn stdin_is_read_with_dash() {
    let sandbox = Sandbox::new();
    let output = sandbox
        .alpha()
        .args(["workflow", "validate", "-"])
        .write_stdin("name: From Stdin\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: ls } }\n")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(stdout(&output).contains("<stdin>: From Stdin (1 step, 0 parameters)"));
}

#[test]
fn hostile_inputs_get_errors_not_panics() {
    let sandbox = Sandbox::new();
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let deep_yaml = format!("name: x\nsteps: {}", "[".repeat(3000));
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("garbage.yaml", (0..4096u32).map(|i| (i.wrapping_mul(2654435761) >> 13) as u8).collect()),
        ("deep.json", deep.into_bytes()),
        ("deep.yaml", deep_yaml.into_bytes()),
        (
            "huge.yaml",
            b"name: x\nversion: 1.0.0\nexecution: { max_parallel: 99999999999999999999999999 }\nsteps: []\n".to_vec(),
        ),
        ("nul.yaml", b"name: \0\nsteps: []\n".to_vec()),
        ("tabs.yaml", b"name:\tx\n\tsteps: []\n".to_vec()),
        ("bomb.yaml", std::fs::read(root().join("tests/fixtures/workflows/invalid/alias-bomb.yaml")).unwrap()),
    ];
    for (name, bytes) in cases {
        let path = sandbox.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let output = sandbox.run(&["workflow", "validate", path.to_str().unwrap()]);
        assert_eq!(output.status.code(), Some(2), "{name}: {}", stderr(&output));
        assert!(stderr(&output).contains("error"), "{name}: {}", stderr(&output));
        assert!(!stderr(&output).contains("panicked"), "{name}");
    }
}

#[test]
fn schema_command_matches_the_committed_schema() {
    let sandbox = Sandbox::new();
    let output = sandbox.run(&["workflow", "schema"]);
    assert_eq!(output.status.code(), Some(0));
    let committed =
        std::fs::read_to_string(root().join("docs/reference/workflow.schema.json")).expect("committed schema");
    assert_eq!(
        stdout(&output),
        committed,
        "the schema drifted: run `alpha workflow schema > docs/reference/workflow.schema.json`"
    );
    let schema: serde_json::Value = serde_json::from_str(&committed).unwrap();
    assert_eq!(schema["title"], "alpha workflow");
    assert!(schema["properties"]["steps"].is_object());
}

#[test]
fn help_lists_every_workflow_subcommand() {
    let sandbox = Sandbox::new();
    let help = stdout(&sandbox.run(&["workflow", "--help"]));
    for command in [
        "list", "show", "run", "create", "edit", "delete", "schedule", "history", "export", "import", "validate",
        "schema",
    ] {
        assert!(help.lines().any(|l| l.trim_start().starts_with(command)), "{command} missing from:\n{help}");
    }
    let version = stdout(&sandbox.run(&["--version"]));
    assert!(version.starts_with("alpha "), "{version}");
}
