//! The chat shell tells the truth about runs it did not watch, and "schedule it" keeps the
//! parameters of the run it follows.

use serde_json::Value;

use crate::test::Test;

const GREET: &str = "
    name: Greet
    parameters:
      who: { type: string }
    steps:
      - { id: hello, tool: shell, action: run, parameters: { command: 'echo hello {{ who }}' } }
";

#[test]
fn the_next_chat_session_says_which_scheduled_runs_failed() {
    let (sandbox, _) = Test::new().saved("greet.yaml", GREET).args(&[]).stdin("list workflows\n").run();
    {
        let store = alpha::store::Store::open(&sandbox.db()).unwrap();
        let saved = store.get("Greet").unwrap();
        let run = store.start_run(&saved.id, "Greet", "1.0.0", &serde_json::json!({}), "schedule").unwrap();
        store
            .finish_run(&run, alpha::store::RunStatus::Failed, &serde_json::json!({}), Some("exited with code 1"))
            .unwrap();
    }
    let (sandbox, _) = Test::in_sandbox(sandbox)
        .stdin("list workflows\n")
        .stdout_contains("Since we last talked, 1 scheduled run did not complete:")
        .stdout_contains("Greet failed")
        .run();
    Test::in_sandbox(sandbox).stdin("list workflows\n").stdout_lacks("Since we last talked").run();
}

#[test]
fn schedule_it_after_a_run_offers_that_runs_parameters() {
    let (sandbox, _) = Test::new()
        .saved("greet.yaml", GREET)
        .stdin("run greet who=Bob\nschedule it every day at 9am\nyes\n")
        .stdout_contains("With the last run's parameters (who=Bob)?")
        .stdout_contains("with who=Bob")
        .run();
    let status: Value = serde_json::from_slice(&sandbox.run(&["scheduler", "status", "--json"]).stdout).unwrap();
    assert_eq!(status[0]["parameters"], serde_json::json!({"who": "Bob"}));
}
