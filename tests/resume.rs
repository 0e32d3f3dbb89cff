//! `alpha workflow run --resume RUN_ID`: a failed or interrupted run continues from its first
//! unfinished step with the recorded results of the steps before it.

use std::time::{Duration, Instant};

use serde_json::Value;

use crate::common::{Sandbox, stderr, stdout};
use crate::on_both;

const FLAKY: &str = r#"
name: Flaky
parameters:
  who: { type: string, default: world }
  token: { type: secret, required: false }
steps:
  - { id: count, tool: shell, action: run, parameters: { command: "echo run >> counter.txt; wc -l < counter.txt" } }
  - parallel:
      - { id: left, tool: shell, action: run, parameters: { command: "echo left >> sides.txt" } }
      - { id: right, tool: shell, action: run, parameters: { command: "test -f ready && echo right >> sides.txt" } }
  - { id: wait, tool: shell, action: run, parameters: { command: "test -f slow && sleep 30; true" } }
  - { id: greet, tool: shell, action: run, parameters: { command: "echo hello {{ who }} after {{ count.output }} with {{ token | default('none') }}" } }
outputs:
  greeting: "{{ greet.output }}"
"#;

fn newest_run(sandbox: &Sandbox) -> Value {
    let history: Value =
        serde_json::from_slice(&sandbox.run(&["workflow", "history", "Flaky", "--json"]).stdout).unwrap();
    history[0].clone()
}

fn saved(sandbox: &Sandbox) {
    sandbox.save("flaky.yaml", FLAKY);
}

fn lines(sandbox: &Sandbox, file: &str) -> Vec<String> {
    std::fs::read_to_string(sandbox.path().join(file)).unwrap_or_default().lines().map(str::to_string).collect()
}

#[test]
fn a_failed_run_resumes_from_its_first_unfinished_step_with_earlier_outputs() {
    let sandbox = Sandbox::new();
    saved(&sandbox);
    let first = sandbox.run(&["workflow", "run", "Flaky", "who=ann"]);
    assert_eq!(first.status.code(), Some(1), "{}", stdout(&first));
    let failed = newest_run(&sandbox);
    let id = failed["id"].as_str().unwrap().to_string();
    std::fs::write(sandbox.path().join("ready"), "").unwrap();

    let output = sandbox.run(&["workflow", "run", "--resume", &id[..8]]);
    let text = stdout(&output);
    assert_eq!(output.status.code(), Some(0), "{text}{}", stderr(&output));
    assert!(text.contains(&format!("Resuming run {} of Flaky (v1.0.0): 2 steps already done", &id[..8])), "{text}");
    assert!(text.contains(&format!("↷ Step 1/5: count (done in run {})", &id[..8])), "{text}");
    assert!(text.contains("greeting: hello ann after 1 with \n"), "recorded output and parameters: {text}");
    assert_eq!(lines(&sandbox, "counter.txt"), ["run"], "the finished step did not run again");
    assert_eq!(lines(&sandbox, "sides.txt"), ["left", "right"], "only the failed member of the group ran again");

    let resumed = newest_run(&sandbox);
    assert_eq!(resumed["status"], "completed");
    assert_eq!(resumed["trigger"], "resume");
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    let from: String = conn
        .query_row(
            "SELECT resumed_from FROM execution_context WHERE execution_id = ?1",
            [resumed["id"].as_str().unwrap()],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(from, id);

    let again = sandbox.run(&["workflow", "run", "--resume", &id]);
    assert_eq!(again.status.code(), Some(2));
    assert!(stderr(&again).contains("was already resumed by run"), "{}", stderr(&again));
    let done = sandbox.run(&["workflow", "run", "--resume", resumed["id"].as_str().unwrap()]);
    assert_eq!(done.status.code(), Some(2));
    assert!(stderr(&done).contains("completed; there is nothing to resume"), "{}", stderr(&done));
    let unknown = sandbox.run(&["workflow", "run", "--resume", "ffffffff"]);
    assert_eq!(unknown.status.code(), Some(2));
    assert!(stderr(&unknown).contains("no run with id ffffffff"), "{}", stderr(&unknown));
}

on_both! {
    fn a_killed_run_is_marked_interrupted_and_resumes_with_secrets_given_again(backend) {
        let sandbox = Sandbox::on(backend);
        saved(&sandbox);
        std::fs::write(sandbox.path().join("ready"), "").unwrap();
        std::fs::write(sandbox.path().join("slow"), "").unwrap();
        let mut child = sandbox
            .command()
            .args(["workflow", "run", "Flaky", "token=s3cr3t-T0ken"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let start = Instant::now();
        while lines(&sandbox, "sides.txt").len() < 2 {
            assert!(start.elapsed() < Duration::from_secs(20), "the run never reached the slow step");
            std::thread::sleep(Duration::from_millis(20));
        }
        std::thread::sleep(Duration::from_millis(300));
        child.kill().unwrap();
        child.wait().unwrap();
        std::fs::remove_file(sandbox.path().join("slow")).unwrap();
        let killed = newest_run(&sandbox);
        assert_eq!(killed["status"], "interrupted", "{killed}");
        let id = killed["id"].as_str().unwrap();

        let output = sandbox.run(&["workflow", "run", "--resume", id]);
        assert_eq!(output.status.code(), Some(2), "the secret must be given again: {}", stdout(&output));
        assert!(stderr(&output).contains("was given the secret `token`, which alpha never stores"), "{}", stderr(&output));
        let output = sandbox
            .alpha()
            .args(["workflow", "run", "--resume", id])
            .env("ALPHA_SECRET_TOKEN", "s3cr3t-T0ken")
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
        assert!(stdout(&output).contains("greeting: hello world after 1 with ***"), "{}", stdout(&output));
        assert!(!stdout(&output).contains("s3cr3t-T0ken"));

        assert_eq!(lines(&sandbox, "counter.txt").len(), 1, "the step that finished before the kill did not run again");
    }
}

on_both! {
    fn resume_needs_a_required_secret_again(backend) {
        let sandbox = Sandbox::on(backend);
        sandbox.save(
            "deploy.yaml",
            "name: Deploy\nparameters:\n  key: { type: secret }\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: \"echo a >> a.txt\" } }\n  - { id: b, tool: shell, action: run, parameters: { command: \"test -f go && echo {{ key }} > key.txt\" } }\n",
        );
        assert_eq!(sandbox.run(&["workflow", "run", "Deploy", "key=K3y-value"]).status.code(), Some(1));
        let history: Value =
            serde_json::from_slice(&sandbox.run(&["workflow", "history", "Deploy", "--json"]).stdout).unwrap();
        let id = history[0]["id"].as_str().unwrap().to_string();
        assert_eq!(history[0]["parameters"]["key"], "***");
        std::fs::write(sandbox.path().join("go"), "").unwrap();
        let missing = sandbox.run(&["workflow", "run", "--resume", &id]);
        assert_eq!(missing.status.code(), Some(2), "{}", stderr(&missing));
        assert!(stderr(&missing).contains("key"), "{}", stderr(&missing));
        let output = sandbox.run(&["workflow", "run", "--resume", &id, "key=K3y-value"]);
        assert_eq!(output.status.code(), Some(0), "{}{}", stdout(&output), stderr(&output));
        assert_eq!(std::fs::read_to_string(sandbox.path().join("key.txt")).unwrap().trim(), "K3y-value");
        assert_eq!(lines(&sandbox, "a.txt").len(), 1);
    }
}
