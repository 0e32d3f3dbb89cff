//! The chat as a conversation (design.md §7 "Conversation"), through piped stdin and a real
//! pseudo-terminal: "run it again" with the last parameters (in the same and in a new session),
//! "why did it fail?", yes and no to a "did you mean", a loose name that waits for yes, history
//! by status and time, schedules and templates, a step edited by conversation, small talk.

use crate::common::{Sandbox, stderr, stdout};
use crate::on_both;

const DEPLOY: &str = r#"name: Deploy Pipeline
parameters:
  branch: { type: string, default: main }
  environment: { type: string, default: staging, enum: [staging, prod] }
steps:
  - { id: pull, tool: shell, action: run, parameters: { command: "echo pulling {{ branch }} >> runs.log" } }
  - { id: test, tool: shell, action: run, parameters: { command: "echo testing; test -f tests-pass || { echo 'assertion failed: 2 + 2 == 5' >&2; exit 3; }" } }
  - { id: deploy, tool: shell, action: run, parameters: { command: "echo deploying {{ branch }} to {{ environment }} >> runs.log" } }
"#;

fn deploy_sandbox() -> Sandbox {
    deploy_sandbox_on(crate::common::Backend::Sqlite)
}

fn deploy_sandbox_on(backend: crate::common::Backend) -> Sandbox {
    let sandbox = Sandbox::on(backend);
    sandbox.save("deploy.yaml", DEPLOY);
    std::fs::write(sandbox.path().join("tests-pass"), "").unwrap();
    sandbox
}

fn chat(sandbox: &Sandbox, lines: &str) -> (Option<i32>, String) {
    let out = sandbox.alpha().write_stdin(lines).output().unwrap();
    (out.status.code(), format!("{}{}", stdout(&out), stderr(&out)))
}

fn runs_log(sandbox: &Sandbox) -> String {
    std::fs::read_to_string(sandbox.path().join("runs.log")).unwrap_or_default()
}

on_both! {
    fn run_it_again_reuses_the_last_parameters_and_says_so(backend) {
        let sandbox = deploy_sandbox_on(backend);
        let (code, text) = chat(
            &sandbox,
            "run deploy pipeline with branch dev and environment prod\nrun it again\nagain with branch hotfix\n",
        );
        assert_eq!(code, Some(0), "{text}");
        assert!(
            text.contains("Running 'Deploy Pipeline' again with the same parameters: branch=dev environment=prod."),
            "{text}"
        );
        assert!(
            text.contains("Running 'Deploy Pipeline' again with branch=hotfix environment=prod (branch changed)."),
            "{text}"
        );
        assert_eq!(
            runs_log(&sandbox),
            "pulling dev\ndeploying dev to prod\npulling dev\ndeploying dev to prod\npulling hotfix\ndeploying hotfix to prod\n"
        );
        // A new session knows the last run from the database.
        let (code, text) = chat(&sandbox, "run it again\n");
        assert_eq!(code, Some(0), "{text}");
        assert!(text.contains("again with the same parameters: branch=hotfix environment=prod"), "{text}");
        assert!(
            runs_log(&sandbox)
                .ends_with("pulling hotfix\ndeploying hotfix to prod\npulling hotfix\ndeploying hotfix to prod\n")
        );
    }
}

on_both! {
    fn rerun_the_failed_one_repeats_the_newest_failed_run_not_the_newest(backend) {
        let sandbox = deploy_sandbox_on(backend);
        sandbox.save(
            "greet.yaml",
            "name: Greet\nsteps:\n  - { id: hi, tool: shell, action: run, parameters: { command: \"echo hi >> runs.log\" } }\n",
        );
        std::fs::remove_file(sandbox.path().join("tests-pass")).unwrap();
        let (_, text) = chat(&sandbox, "run deploy pipeline with branch dev\nrun greet\n");
        assert!(text.contains("failed"), "{text}");
        std::fs::write(sandbox.path().join("tests-pass"), "").unwrap();
        // In a new session, from the database: the deploy failed, then Greet ran fine.
        let (code, text) = chat(&sandbox, "rerun the failed one\n");
        assert_eq!(code, Some(0), "{text}");
        assert!(text.contains("Running 'Deploy Pipeline' (run "), "{text}");
        assert!(text.contains(" failed) again with the same parameters: branch=dev environment=staging."), "{text}");
        assert!(runs_log(&sandbox).ends_with("hi\npulling dev\ndeploying dev to staging\n"), "{}", runs_log(&sandbox));
        // Where nothing ever failed, it says so and runs nothing.
        let fresh = deploy_sandbox();
        let (_, text) = chat(&fresh, "run deploy pipeline\nretry the failed run\n");
        assert!(text.contains("no run has failed"), "{text}");
        assert_eq!(runs_log(&fresh), "pulling main\ndeploying main to staging\n");
    }
}

on_both! {
    fn why_did_it_fail_names_the_step_its_error_and_output_and_resumes_on_yes(backend) {
        let sandbox = deploy_sandbox_on(backend);
        std::fs::remove_file(sandbox.path().join("tests-pass")).unwrap();
        let (code, text) = chat(&sandbox, "run deploy pipeline with branch dev\nwhy did it fail?\nno\n");
        assert_eq!(code, Some(1), "the run failed: {text}");
        assert!(text.contains("The step test failed: exited with code 3"), "{text}");
        assert!(text.contains("assertion failed: 2 + 2 == 5"), "its output: {text}");
        assert!(text.contains("from where it stopped? [y/N] no"), "{text}");
        assert_eq!(runs_log(&sandbox), "pulling dev\n", "no resumed without yes");

        std::fs::write(sandbox.path().join("tests-pass"), "").unwrap();
        let (code, text) = chat(&sandbox, "what went wrong with the deploy?\nyes\n");
        assert_eq!(code, Some(0), "{text}");
        assert!(text.contains("Resuming run"), "{text}");
        assert_eq!(runs_log(&sandbox), "pulling dev\ndeploying dev to staging\n", "the pull was not run again");
    }
}

#[test]
fn a_loose_name_waits_for_yes_and_a_did_you_mean_is_answered() {
    let sandbox = deploy_sandbox();
    let (_, text) = chat(&sandbox, "run deploy pipline\nno\n");
    assert!(text.contains("Did you mean 'Deploy Pipeline'? Run it? [y/N] no"), "{text}");
    assert!(text.contains("OK, nothing done."));
    assert_eq!(runs_log(&sandbox), "", "a typo ran nothing before yes");

    let (code, text) = chat(&sandbox, "run deploy pipline\nyes\n");
    assert_eq!(code, Some(0), "{text}");
    assert_eq!(runs_log(&sandbox), "pulling main\ndeploying main to staging\n");

    let (code, text) = chat(&sandbox, "rn deploy pipeline\nyes\n");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("Did you mean \"run Deploy Pipeline\"? [y/N] yes"), "{text}");
    assert_eq!(runs_log(&sandbox).matches("pulling main").count(), 2, "yes ran it, without a second question");
    assert!(!text.contains("Run it? [y/N]"), "{text}");

    // Named by what it does, not by its name: asked about, then nothing runs on no.
    let (_, text) = chat(&sandbox, "deploy branch hotfix to prod\nno\n");
    assert!(text.contains("Did you mean 'Deploy Pipeline'? Run it? [y/N] no"), "{text}");
    assert!(!runs_log(&sandbox).contains("hotfix"), "nothing ran before yes");

    // Never offered back what was typed; a bare command asks which workflow.
    let (_, text) = chat(&sandbox, "run\nlist schedules\nlist templates\n");
    assert!(text.contains("Run which workflow?") && text.contains("Deploy Pipeline"), "{text}");
    assert!(!text.contains("Did you mean"), "{text}");
}

#[test]
fn answers_are_read_as_people_type_them_and_a_stray_yes_does_nothing() {
    let sandbox = deploy_sandbox();
    let (_, text) = chat(&sandbox, "yes\nrun deploy pipline\nyes please\n");
    assert!(text.contains("There is no open question to answer."), "{text}");
    assert_eq!(runs_log(&sandbox), "pulling main\ndeploying main to staging\n", "{text}");
    let (_, text) = chat(&sandbox, "run deploy pipline\nyes, but not now\n");
    assert!(text.contains("nothing done"), "{text}");
    assert_eq!(runs_log(&sandbox), "pulling main\ndeploying main to staging\n", "a doubtful answer is a no: {text}");
}

#[test]
fn a_command_typed_at_a_yes_no_question_is_a_no_and_then_done() {
    let sandbox = deploy_sandbox();
    std::fs::remove_file(sandbox.path().join("tests-pass")).unwrap();
    let (_, text) = chat(
        &sandbox,
        "run deploy pipeline
why did it fail?
list workflows
",
    );
    assert!(text.contains("from where it stopped? [y/N] list workflows"), "{text}");
    assert!(text.contains("(Taken as no.)"), "{text}");
    assert!(!text.contains("Resuming run"), "nothing resumed on a command: {text}");
    assert!(text.contains("Available Workflows"), "the command was not lost: {text}");

    // A destructive question answered with another request deletes nothing, and the request runs.
    let (_, text) = chat(
        &sandbox,
        "delete deploy pipeline
run deploy pipeline with branch dev
",
    );
    assert!(text.contains("(Taken as no.)"), "{text}");
    assert_eq!(runs_log(&sandbox), "pulling main\npulling dev\n", "{text}");
    let out = sandbox.run(&["workflow", "show", "Deploy Pipeline"]);
    assert!(out.status.success(), "still saved: {}", stderr(&out));
}

#[test]
fn history_is_filtered_by_status_and_time_in_words() {
    let sandbox = deploy_sandbox();
    chat(&sandbox, "run deploy pipeline\n");
    std::fs::remove_file(sandbox.path().join("tests-pass")).unwrap();
    chat(&sandbox, "run deploy pipeline with branch broken\n");
    let (_, text) = chat(&sandbox, "what failed?\n");
    assert_eq!(text.matches("Deploy Pipeline").count(), 1, "only the failed run: {text}");
    assert!(text.contains("failed") && text.contains("branch=broken"), "{text}");
    let (_, text) = chat(&sandbox, "what ran today?\nwhat succeeded today?\n");
    assert_eq!(text.matches("Deploy Pipeline").count(), 3, "two today, one of them a success: {text}");
    // Runs recorded as older than the window are not "today".
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    conn.execute("UPDATE workflow_executions SET started_at = '2020-01-01T00:00:00.000Z'", []).unwrap();
    let (_, text) = chat(&sandbox, "what failed yesterday?\nshow me my last runs\n");
    assert!(text.contains("No failed runs in that time."), "{text}");
    assert_eq!(text.matches("Deploy Pipeline").count(), 2, "my last runs lists both: {text}");
    // The CLI's spans count back from the same clock as the chat's words.
    let listed = |now: &str| {
        let out = sandbox
            .alpha()
            .args(["workflow", "history", "--since", "3d", "--json"])
            .env("ALPHA_NOW", now)
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap().as_array().map_or(0, Vec::len)
    };
    assert_eq!(listed("2020-01-02T00:00:00Z"), 2, "a day after the runs, both are within 3 days");
    assert_eq!(listed("2020-01-09T00:00:00Z"), 0, "a week after, none are");
    // A count said in words or typed as a flag is how many runs are listed, newest first.
    chat(
        &sandbox,
        "run deploy pipeline with branch third
",
    );
    let (_, text) = chat(
        &sandbox,
        "show me the last 2 runs
",
    );
    assert_eq!(text.matches("Deploy Pipeline").count(), 2, "two of three: {text}");
    assert!(text.contains("branch=third"), "the newest is one of them: {text}");
    let (_, text) = chat(
        &sandbox,
        "/history --limit 1
",
    );
    assert_eq!(text.matches("Deploy Pipeline").count(), 1, "{text}");
    assert!(text.contains("branch=third"), "{text}");
}

#[test]
fn schedules_templates_and_small_talk_are_answered() {
    let sandbox = deploy_sandbox();
    let (_, text) = chat(&sandbox, "what's scheduled?\n");
    assert!(text.contains("Nothing is scheduled"), "{text}");
    let (_, text) = chat(
        &sandbox,
        "schedule deploy pipeline every weekday at 9am\nwhat's scheduled?\nwhen does the deploy run next?\n",
    );
    assert_eq!(text.matches("Weekdays at 9:00 AM").count(), 3, "{text}");
    // Parameters said with the time are kept with the schedule.
    let (_, text) = chat(&sandbox, "schedule deploy pipeline daily at 6pm with branch release and environment prod\n");
    assert!(text.contains("with branch=release, environment=prod"), "{text}");
    let status: serde_json::Value =
        serde_json::from_slice(&sandbox.run(&["scheduler", "status", "--json"]).stdout).unwrap();
    assert_eq!(status[0]["cron"], "0 18 * * *", "{status}");
    assert_eq!(status[0]["parameters"], serde_json::json!({"branch": "release", "environment": "prod"}), "{status}");
    let (_, text) = chat(&sandbox, "which templates do you have?\n");
    assert!(text.to_lowercase().contains("backup"), "the built-in templates: {text}");
    let (code, text) = chat(&sandbox, "thanks!\nhello\nwhat's the weather like?\n");
    assert!(text.contains("You're welcome.") && text.contains("Hello!"), "{text}");
    assert!(text.contains("I didn't understand that"), "{text}");
    assert_eq!(code, Some(2), "the last line was not understood");
    // "schedule X" with no time asks when; the answer is the time.
    let (code, text) = chat(&sandbox, "schedule deploy pipeline\nevery sunday at 4am\n");
    assert!(text.contains("When should 'Deploy Pipeline' run?"), "{text}");
    assert_eq!(code, Some(0), "{text}");
    let status: serde_json::Value =
        serde_json::from_slice(&sandbox.run(&["scheduler", "status", "--json"]).stdout).unwrap();
    assert!(status.as_array().unwrap().iter().any(|s| s["cron"] == "0 4 * * 0"), "{status}");
    // A command on a name nothing saved bears says what there is.
    let (code, text) = chat(&sandbox, "run greet for Bob\n");
    assert!(text.contains("I didn't find one of your workflows in that. You have: Deploy Pipeline."), "{text}");
    assert_eq!(code, Some(2), "{text}");
    assert_eq!(runs_log(&sandbox), "", "small talk ran nothing");
}

on_both! {
    fn a_step_edited_by_conversation_is_shown_and_saved_on_yes(backend) {
        let sandbox = deploy_sandbox_on(backend);
        let (_, text) = chat(&sandbox, "show deploy pipeline\nchange the test step to run cargo test --quiet\nyes\n");
        assert!(text.contains("cargo test --quiet"), "the diff shows the new command: {text}");
        let exported = stdout(&sandbox.run(&["workflow", "export", "Deploy Pipeline"]));
        assert!(exported.contains("cargo test --quiet"), "{exported}");
        let versions = stdout(&sandbox.run(&["workflow", "versions", "Deploy Pipeline"]));
        assert!(versions.contains("1.0.1") || versions.lines().count() >= 3, "a new version was kept: {versions}");
        let (_, text) = chat(&sandbox, "make step 1 of deploy pipeline retry 3 times\nno\n");
        assert!(text.contains("retries up to 3 times") && text.contains("max_attempts: 4"), "three retries after the first try: {text}");
        assert!(!stdout(&sandbox.run(&["workflow", "export", "Deploy Pipeline"])).contains("max_attempts"), "no is no");
    }
}

#[test]
fn a_step_renamed_or_given_a_time_limit_by_conversation_keeps_its_id() {
    let sandbox = deploy_sandbox();
    let (code, text) = chat(
        &sandbox,
        "rename the test step of deploy pipeline to Run the tests\nyes\nset a timeout of 5 minutes on the pull step of deploy pipeline\nyes\n",
    );
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("+  name: Run the tests") && text.contains("+  timeout: 5m"), "both diffs are shown: {text}");
    let exported = stdout(&sandbox.run(&["workflow", "export", "Deploy Pipeline", "--format", "json"]));
    let definition: serde_json::Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(definition["steps"][1]["id"], "test", "references to the step by id keep working: {definition}");
    assert_eq!(definition["steps"][1]["name"], "Run the tests", "{definition}");
    assert_eq!(definition["steps"][0]["timeout"], "5m", "{definition}");
    // A step that isn't there is named with the ones that are; nothing is saved.
    let (code, text) = chat(&sandbox, "rename step 9 of deploy pipeline to nothing\n");
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("no step like \"step 9\" (its steps: pull, test, deploy)"), "{text}");
    // Asked with no workflow in the conversation, the example is the request itself.
    let (_, text) = chat(&sandbox, "make the pull step retry 3 times\n");
    assert!(text.contains("e.g. \"make the pull step of Deploy Pipeline retry 3 times\""), "{text}");
    let versions = stdout(&sandbox.run(&["workflow", "versions", "Deploy Pipeline", "--json"]));
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&versions).unwrap().as_array().map(Vec::len),
        Some(3),
        "{versions}"
    );
}

#[test]
fn the_conversation_works_on_a_terminal_too() {
    let sandbox = deploy_sandbox();
    let mut command = sandbox.command();
    command.env("TERM", "xterm");
    let mut session = rexpect::session::spawn_command(command, Some(20_000)).expect("spawn in a pty");
    session.exp_string("alpha> ").expect("prompt");
    session.send_line("run deploy pipeline with branch dev").unwrap();
    session.exp_string("Workflow completed successfully").expect("the first run");
    session.exp_string("alpha> ").unwrap();
    session.send_line("again with environment prod").unwrap();
    session
        .exp_string("Running 'Deploy Pipeline' again with branch=dev environment=prod (environment changed).")
        .unwrap();
    session.exp_string("Workflow completed successfully").expect("the rerun");
    session.exp_string("alpha> ").unwrap();
    session.send_line("run deploy pipline").unwrap();
    session.exp_string("Did you mean 'Deploy Pipeline'? Run it? [y/N]").unwrap();
    session.send_line("n").unwrap();
    session.exp_string("OK, nothing done.").unwrap();
    session.exp_string("alpha> ").unwrap();
    session.send_line("/quit").unwrap();
    session.exp_eof().expect("quits");
    assert_eq!(runs_log(&sandbox), "pulling dev\ndeploying dev to staging\npulling dev\ndeploying dev to prod\n");
}

#[test]
fn a_command_typed_at_the_name_question_is_asked_about() {
    let sandbox = deploy_sandbox();
    let (_, text) = chat(&sandbox, "create a workflow that runs cargo test\nlist workflows\nleave\n");
    assert!(text.contains("Name it 'list workflows', or leave the draft and do that? [name/leave] leave"), "{text}");
    assert!(text.contains("Draft left; nothing was saved.") && text.contains("Deploy Pipeline"), "it listed: {text}");
    let (_, text) = chat(&sandbox, "create a workflow that runs cargo test\nlist workflows\nname\nno\nyes\n");
    assert!(text.contains("Name it 'list workflows'"), "{text}");
    let listed = stdout(&sandbox.run(&["workflow", "list"]));
    assert!(listed.contains("list workflows"), "named as asked: {listed}{text}");
    // Another name typed at that question is the name.
    let (_, text) = chat(&sandbox, "create a workflow that runs cargo build\nshow history\nBuild It\nno\nyes\n");
    assert!(text.contains("Workflow 'Build It' created."), "{text}");
    assert!(!stdout(&sandbox.run(&["workflow", "list"])).contains("show history"), "{text}");
}

#[test]
fn roll_back_asks_then_saves_the_earlier_definition_as_a_new_version() {
    let sandbox = Sandbox::new();
    let first =
        "name: Greeter\nsteps:\n  - {id: hi, tool: shell, action: run, parameters: {command: \"echo hello\"}}\n";
    sandbox.save("greeter.yaml", first);
    let second = sandbox.write(
        "greeter2.yaml",
        &first.replace("echo hello", "echo goodbye").replace("name: Greeter", "name: Greeter\nversion: 1.1.0"),
    );
    let out = sandbox.run(&["workflow", "create", "--file", second.to_str().unwrap(), "--replace"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (_, text) = chat(&sandbox, "undo the last change to greeter\nno\n");
    assert!(text.contains("Roll 'Greeter' back to v1.0.0?"), "{text}");
    assert!(text.contains("Left 'Greeter' as it is."), "{text}");
    let (_, text) = chat(&sandbox, "roll back greeter to 1.0.0\nyes\n");
    assert!(text.contains("1.0.0"), "{text}");
    let shown: serde_json::Value =
        serde_json::from_slice(&sandbox.run(&["workflow", "show", "Greeter", "--json"]).stdout).unwrap();
    let command = shown["definition"]["steps"][0]["parameters"]["command"].as_str().unwrap().to_string();
    assert_eq!(command, "echo hello", "the earlier definition is current again");
    let versions = stdout(&sandbox.run(&["workflow", "versions", "Greeter"]));
    assert!(versions.contains("1.1.0") && versions.contains("1.0.0"), "nothing was lost: {versions}");
}

#[test]
fn export_as_json_prints_the_definition_in_json() {
    let sandbox = deploy_sandbox();
    let (code, text) = chat(&sandbox, "export deploy pipeline as json\n");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("\"name\": \"Deploy Pipeline\""), "JSON, not YAML: {text}");
    assert!(!text.contains("name: Deploy Pipeline"), "{text}");
}

#[test]
fn a_workflow_renamed_by_conversation_asks_first_and_is_run_under_its_new_name() {
    let sandbox = deploy_sandbox();
    let (code, text) = chat(&sandbox, "rename deploy pipline to Release\nno\n");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("Rename 'Deploy Pipeline' to 'Release'?"), "the near name is shown resolved: {text}");
    assert!(text.contains("Left 'Deploy Pipeline' as it is."), "{text}");
    assert!(stdout(&sandbox.run(&["workflow", "list"])).contains("Deploy Pipeline"), "no means nothing changed");

    // The one talked about, then run under its new name in the same conversation.
    let (code, text) =
        chat(&sandbox, "run deploy pipeline with branch dev\nplease rename it to Release Train\nyes\nrun it again\n");
    assert_eq!(code, Some(0), "{text}");
    assert!(text.contains("Renamed 'Deploy Pipeline' to 'Release Train'"), "{text}");
    assert!(text.contains("Running 'Release Train' again with the same parameters: branch=dev"), "{text}");
    assert_eq!(runs_log(&sandbox), "pulling dev\ndeploying dev to staging\npulling dev\ndeploying dev to staging\n");
    let history = stdout(&sandbox.run(&["workflow", "history", "Release Train", "--json"]));
    let runs: serde_json::Value = serde_json::from_str(&history).unwrap();
    assert_eq!(runs.as_array().map(Vec::len), Some(2), "{history}");

    // A slash command, with the new name quoted; and a sentence on no saved name is left alone.
    let (_, text) = chat(&sandbox, "/rename \"Release Train\" \"Ship It\"\ny\nrename my photos to holiday\n");
    assert!(text.contains("Renamed 'Release Train' to 'Ship It'"), "{text}");
    assert!(!text.contains("Rename 'my photos"), "{text}");
    assert!(stdout(&sandbox.run(&["workflow", "list"])).contains("Ship It (v1.0.2)"));
}
