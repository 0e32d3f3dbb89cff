//! Honest run statuses (design.md §3): completed, partial, failed and interrupted, in the
//! database, `history`, `list`, the JSON events, the summary line and the exit code; runs that
//! could not start are recorded too.

use serde_json::Value;

use super::common::{Sandbox, stdout};
use super::test::Test;

/// Story 1 of the specification with failing tests.
const STORY: &str = "
    name: Deploy
    parameters:
      environment: { type: string, default: staging }
    steps:
      - { id: pull, name: Git Pull, tool: shell, action: run, parameters: { command: 'true' } }
      - { id: test, name: Run Tests, tool: shell, action: run, parameters: { command: 'echo 2 failed >&2; exit 1' }, on_error: log_and_continue }
      - { id: deploy, name: Deploy, tool: shell, action: run, if: test.exit_code == 0, parameters: { command: 'echo deploying {{ environment }}' } }
";

fn history(sandbox: &Sandbox) -> Value {
    serde_json::from_slice(&sandbox.run(&["workflow", "history", "--json"]).stdout).expect("history JSON")
}

#[test]
fn a_step_that_failed_and_continued_makes_the_run_partial() {
    let (sandbox, _) = Test::new()
        .saved("deploy.yaml", STORY)
        .args(&["workflow", "run", "Deploy"])
        .status(1)
        .stdout_contains("✗ Step 2/3: Run Tests")
        .stdout_contains("Workflow completed with 1 failed step in")
        .stdout_contains(": Run Tests")
        .stdout_lacks("completed successfully")
        .run();
    let runs = history(&sandbox);
    assert_eq!(runs[0]["status"], "partial");
    assert_eq!(runs[0]["error"], "completed with 1 failed step: Run Tests");
    let (sandbox, _) = Test::in_sandbox(sandbox).args(&["workflow", "list"]).stdout_contains("(partial)").run();
    let (_, out) = Test::in_sandbox(sandbox).args(&["workflow", "run", "Deploy", "--json"]).status(1).run();
    let last: Value = serde_json::from_str(stdout(&out).lines().last().expect("events")).expect("an event");
    assert_eq!(last["status"], "partial");
    assert_eq!(last["failed_steps"], serde_json::json!(["Run Tests"]));
}

#[test]
fn a_failure_that_stops_the_run_names_the_step() {
    let (sandbox, _) = Test::new()
        .saved("deploy.yaml", &STORY.replace(", on_error: log_and_continue", ""))
        .args(&["workflow", "run", "Deploy"])
        .status(1)
        .stdout_contains("Workflow failed at step 2/3 Run Tests after")
        .run();
    let runs = history(&sandbox);
    assert_eq!(runs[0]["status"], "failed");
    assert!(runs[0]["error"].as_str().is_some_and(|e| e.contains("step `test` failed")), "{}", runs[0]);
}

#[test]
fn runs_that_could_not_start_are_recorded_as_failed() {
    let (sandbox, _) = Test::new()
        .saved("deploy.yaml", STORY)
        .args(&["workflow", "run", "Deploy", "enviroment=prod"])
        .status(2)
        .stderr_contains("unknown parameter `enviroment`")
        .run();
    let (sandbox, _) = Test::in_sandbox(sandbox)
        .args(&["workflow", "run", "Nosuch"])
        .status(2)
        .stderr_contains("no workflow named 'Nosuch'")
        .run();
    let runs = history(&sandbox);
    assert_eq!(runs.as_array().map(Vec::len), Some(2), "{runs}");
    assert_eq!(runs[0]["workflow_name"], "Nosuch");
    assert_eq!(runs[0]["status"], "failed");
    assert_eq!(runs[1]["workflow_name"], "Deploy");
    assert_eq!(runs[1]["status"], "failed");
    assert_eq!(runs[1]["trigger"], "manual");
    assert_eq!(runs[1]["parameters"], serde_json::json!({"enviroment": "prod"}));
    assert!(runs[1]["error"].as_str().is_some_and(|e| e.contains("unknown parameter `enviroment`")), "{}", runs[1]);
    Test::in_sandbox(sandbox).args(&["workflow", "history", "Nosuch"]).stdout_contains("Nosuch failed").run();
}

#[test]
fn a_run_timeout_records_every_step_it_cut_short() {
    let (sandbox, out) = Test::new()
        .saved(
            "slow.yaml",
            "
            name: Slow
            execution: { timeout: 1s }
            steps:
              - parallel:
                  - { id: one, name: One, tool: shell, action: run, parameters: { command: 'sleep 30' } }
                  - { id: two, name: Two, tool: shell, action: run, parameters: { command: 'sleep 30' } }
            ",
        )
        .args(&["workflow", "run", "Slow"])
        .status(1)
        .stdout_contains("✗ Step 1/2: One")
        .stdout_contains("✗ Step 2/2: Two")
        .run();
    assert!(stdout(&out).contains("the run's timeout of 1s was reached"), "{}", stdout(&out));
    let run = history(&sandbox)[0]["id"].as_str().expect("a run id").to_string();
    let details: Value =
        serde_json::from_slice(&sandbox.run(&["workflow", "history", "--run", &run, "--json"]).stdout).unwrap();
    let steps = details["steps"].as_array().expect("steps");
    assert_eq!(steps.len(), 2, "{details}");
    assert!(steps.iter().all(|s| s["status"] == "failed" && s["error"].as_str().unwrap_or("").contains("timed out")));
}

#[test]
fn two_concurrent_resumes_run_the_rest_once() {
    let sandbox = Sandbox::new();
    let marker = sandbox.path().join("fixed");
    sandbox.save(
        "flaky.yaml",
        &format!(
            "name: Flaky\nsteps:\n  - {{ id: first, tool: shell, action: run, parameters: {{ command: 'echo once >> first.log' }} }}\n  - {{ id: second, tool: shell, action: run, parameters: {{ command: 'test -e {} && sleep 1 && echo ran >> second.log' }} }}\n",
            marker.display()
        ),
    );
    assert_eq!(sandbox.run(&["workflow", "run", "Flaky"]).status.code(), Some(1));
    let failed = history(&sandbox)[0]["id"].as_str().expect("run id").to_string();
    std::fs::write(&marker, "").unwrap();
    let children: Vec<_> = (0..3)
        .map(|_| {
            let mut command = sandbox.command();
            command.args(["workflow", "run", "--resume", &failed]);
            command.stdout(std::process::Stdio::piped()).stderr(std::process::Stdio::piped());
            command.spawn().expect("spawn alpha")
        })
        .collect();
    let codes: Vec<i32> =
        children.into_iter().map(|c| c.wait_with_output().unwrap().status.code().unwrap_or(-1)).collect();
    assert_eq!(codes.iter().filter(|c| **c == 0).count(), 1, "exactly one resume ran: {codes:?}");
    assert!(codes.iter().filter(|c| **c != 0).all(|c| *c == 2), "the others were refused as usage errors: {codes:?}");
    let ran = std::fs::read_to_string(sandbox.path().join("second.log")).unwrap_or_default();
    assert_eq!(ran.lines().count(), 1, "the rest ran once: {ran:?}");
    assert_eq!(std::fs::read_to_string(sandbox.path().join("first.log")).unwrap().lines().count(), 1);
}

#[test]
fn a_failing_output_template_fails_the_run_and_booleans_render_as_json_words() {
    let (sandbox, out) = Test::new()
        .saved(
            "outputs.yaml",
            "
            name: Outputs
            parameters:
              flag: { type: boolean, default: true }
              items: { type: array, default: [a] }
            steps:
              - { id: say, tool: shell, action: run, parameters: { command: 'echo {{ flag }} {{ not flag }}' } }
            outputs:
              said: '{{ say.output }}'
              broken: '{{ 1 / 0 }}'
            ",
        )
        .args(&["workflow", "run", "Outputs", "--json"])
        .status(1)
        .run();
    let last: Value = serde_json::from_str(stdout(&out).lines().last().expect("events")).expect("an event");
    assert_eq!(last["status"], "failed");
    assert!(last["error"].as_str().is_some_and(|e| e.starts_with("output `broken` ({{ 1 / 0 }}) failed")), "{last}");
    assert_eq!(last["outputs"]["said"], "true false", "booleans render as true/false: {last}");
    Test::in_sandbox(sandbox)
        .args(&["workflow", "run", "Outputs", "items=[1,2"])
        .status(2)
        .stderr_contains("expected a JSON array")
        .run();
}

#[test]
fn short_or_common_values_of_secret_named_variables_are_not_masked() {
    Test::new()
        .env("MY_API_TOKEN", "1")
        .env("OTHER_SECRET", "true")
        .env("REAL_PASSWORD", "hunter22")
        .saved(
            "echo.yaml",
            "
            name: Echo
            steps:
              - { id: say, tool: shell, action: run, parameters: { command: 'echo 1 2 3 true hunter22' } }
            outputs:
              said: '{{ say.output }}'
            ",
        )
        .args(&["workflow", "run", "Echo"])
        .stdout_contains("said: 1 2 3 true ***")
        .run();
}

#[test]
fn a_failed_step_shows_its_output_and_logs_print_every_line() {
    let noisy = "
        name: Noisy
        steps:
          - id: build
            name: Build
            tool: shell
            action: run
            parameters: { command: 'for i in $(seq 1 30); do echo line $i >&2; done; echo done; exit 2' }
    ";
    let (sandbox, out) = Test::new()
        .saved("noisy.yaml", noisy)
        .args(&["workflow", "run", "Noisy"])
        .status(1)
        .stdout_contains("      line 30")
        .stdout_contains("      line 11")
        .stdout_lacks("      line 10\n")
        .stdout_contains("alpha workflow run --resume ")
        .run();
    let text = stdout(&out);
    let id = text.split("Run ").last().and_then(|t| t.split(':').next()).expect("a run id").to_string();
    let (sandbox, _) = Test::in_sandbox(sandbox)
        .args(&["workflow", "history", "--run", &id])
        .stdout_contains("failed Build")
        .stdout_contains("│ line 30")
        .run();
    let (sandbox, out) = Test::in_sandbox(sandbox).args(&["workflow", "logs", &id, "build"]).run();
    let logs = stdout(&out);
    assert!(logs.starts_with("── Build (attempt 1, failed) ──\ndone\n[stderr]\nline 1\n"), "{logs}");
    assert!(logs.contains("line 30\n[error] exited with code 2"), "{logs}");
    Test::in_sandbox(sandbox)
        .args(&["workflow", "logs", &id, "nosuch"])
        .status(2)
        .stderr_contains("has no step `nosuch`")
        .run();
}

#[test]
fn a_dry_run_shows_commands_with_parameters_filled_in_and_secrets_masked() {
    Test::new()
        .saved(
            "deploy.yaml",
            "
            name: Ship
            parameters:
              branch: { type: string, default: main }
              token: { type: secret }
            steps:
              - { id: pull, tool: shell, action: run, parameters: { command: 'git pull origin {{ branch }}' } }
              - { id: push, tool: shell, action: run, parameters: { command: 'deploy --token {{ token }} {{ pull.output }}' } }
            ",
        )
        .args(&["workflow", "run", "Ship", "--dry-run", "branch=feature x", "token=hunter22"])
        .stdout_contains("1/2 pull [shell run]: git pull origin 'feature x'")
        .stdout_contains("2/2 push [shell run]: deploy --token {{ token }} {{ pull.output }}")
        .stdout_lacks("hunter22")
        .run();
}
