//! Working directories (design.md §4): `workdir:` for the workflow and for a step, the caller's
//! directory for CLI runs, and the directory a workflow was made in for its scheduled runs.

use std::time::Duration;

use serde_json::Value;

use crate::common::{Sandbox, eventually, stdout};
use crate::test::Test;

#[test]
fn workdir_of_the_workflow_and_of_a_step_decide_where_commands_and_files_go() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.path().join("proj/sub")).unwrap();
    let (sandbox, out) = Test::in_sandbox(sandbox)
        .file(
            "wd.yaml",
            "
            name: Where
            workdir: proj
            steps:
              - { id: here, tool: shell, action: run, parameters: { command: pwd } }
              - { id: deeper, tool: shell, action: run, workdir: sub, parameters: { command: pwd } }
              - { id: note, tool: file, action: write, parameters: { path: note.txt, content: hi } }
            outputs:
              here: '{{ here.output }}'
              deeper: '{{ deeper.output }}'
            ",
        )
        .args(&["workflow", "run", "wd.yaml", "--json"])
        .run();
    let last: Value = serde_json::from_str(stdout(&out).lines().last().unwrap()).unwrap();
    let root = std::fs::canonicalize(sandbox.path()).unwrap();
    assert_eq!(last["outputs"]["here"], root.join("proj").display().to_string(), "{last}");
    assert_eq!(last["outputs"]["deeper"], root.join("proj/sub").display().to_string(), "{last}");
    assert_eq!(std::fs::read_to_string(sandbox.path().join("proj/note.txt")).unwrap(), "hi");
}

#[test]
fn a_missing_working_directory_is_named() {
    Test::new()
        .file(
            "gone.yaml",
            "
            name: Gone
            steps:
              - { id: a, tool: shell, action: run, workdir: /nonexistent/dir, parameters: { command: echo hi } }
            ",
        )
        .args(&["workflow", "run", "gone.yaml"])
        .status(1)
        .stdout_contains("the working directory /nonexistent/dir does not exist")
        .run();
}

#[test]
fn a_scheduled_run_runs_where_the_workflow_was_made_not_where_the_scheduler_started() {
    let sandbox = Sandbox::new();
    let project = sandbox.path().join("project");
    let elsewhere = sandbox.path().join("elsewhere");
    std::fs::create_dir_all(&project).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    let file = sandbox.write(
        "here.yaml",
        "name: Here\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: 'pwd > ran-here' } }\n",
    );
    let saved = sandbox.command().args(["workflow", "create", "--file"]).arg(&file).current_dir(&project).output();
    assert_eq!(saved.unwrap().status.code(), Some(0));
    let start = "2026-11-25T08:59:58Z";
    let out = sandbox
        .command()
        .args(["workflow", "schedule", "Here", "0 9 * * *", "--timezone", "UTC"])
        .env("ALPHA_NOW", start)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let shown = stdout(&sandbox.run(&["workflow", "show", "Here"]));
    assert!(shown.contains(&format!("scheduled runs in {}", project.display())), "{shown}");
    let mut scheduler = sandbox
        .command()
        .args(["scheduler", "run"])
        .current_dir(&elsewhere)
        .env("ALPHA_NOW", start)
        .env("ALPHA_SCHEDULER_TICK_MS", "100")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let marker = project.join("ran-here");
    let ran = eventually(Duration::from_secs(30), || marker.exists());
    let _ = scheduler.kill();
    let _ = scheduler.wait();
    assert!(ran, "the scheduled run wrote its marker in the project directory");
    assert!(!elsewhere.join("ran-here").exists());
    let pwd = std::fs::read_to_string(marker).unwrap();
    assert_eq!(pwd.trim(), std::fs::canonicalize(&project).unwrap().display().to_string());
}
