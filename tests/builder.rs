//! The builder: Story 1 in the chat shell, the interactive CLI of the specification, corrections,
//! cancelling, saving commands just run, edits by conversation, and LLM drafts with repairs.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Sandbox, stderr, stdout};

fn shell(sandbox: &Sandbox, input: &str) -> std::process::Output {
    sandbox.alpha().write_stdin(input).output().unwrap()
}

fn saved(sandbox: &Sandbox) -> Vec<String> {
    let list: Value = serde_json::from_slice(&sandbox.run(&["workflow", "list", "--json"]).stdout).unwrap();
    list.as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap().to_string()).collect()
}

fn definition(sandbox: &Sandbox, name: &str) -> Value {
    let out = sandbox.run(&["workflow", "show", name, "--json"]);
    serde_json::from_slice::<Value>(&out.stdout).unwrap()["definition"].clone()
}

#[test]
fn story_1_word_for_word_in_the_chat_shell() {
    let sandbox = Sandbox::new();
    sandbox.write("Cargo.toml", "[package]\n");
    let out = shell(
        &sandbox,
        "I want to create a workflow that pulls latest code, runs tests, and deploys if tests pass\nDeploy Pipeline\nYes - branch name and environment\n\nyes\n",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let expected = [
        "I'll create a workflow for you.",
        "What should I name it?",
        "Should this workflow take any parameters?",
        "How do you deploy?",
        "  1. Git Pull: git pull origin {{ branch }} (retries up to 2 times)",
        "  2. Run Tests: cargo test",
        "  3. Deploy: ./deploy.sh {{ environment }} (only if tests pass)",
        "Workflow 'Deploy Pipeline' created with parameters:\n  - branch (default: main)\n  - environment (default: staging)\nRun with: alpha workflow run 'Deploy Pipeline' branch=dev environment=prod",
    ];
    let mut at = 0;
    for line in expected {
        let found = text[at..].find(line).unwrap_or_else(|| panic!("missing or out of order: {line:?}\n{text}"));
        at += found + line.len();
    }
    let workflow = definition(&sandbox, "Deploy Pipeline");
    assert_eq!(workflow["steps"][2]["if"], "{{ test.status == 'success' }}");
    assert_eq!(workflow["steps"][1]["on_error"], "log_and_continue", "the condition must be able to see a failure");
    let plan =
        stdout(&sandbox.run(&["workflow", "run", "Deploy Pipeline", "branch=dev", "environment=prod", "--dry-run"]));
    assert!(plan.contains("branch = dev") && plan.contains("environment = prod"), "{plan}");
}

#[test]
fn scenario_1_a_workflow_created_by_conversation_is_saved_and_runs() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .alpha()
        .args(["workflow", "create", "check disk space and send me a notification"])
        .write_stdin("Disk Check\nno\nyes\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Workflow 'Disk Check' created."), "{}", stdout(&out));
    let run = sandbox.run(&["workflow", "run", "disk check"]);
    assert_eq!(run.status.code(), Some(0), "{}{}", stdout(&run), stderr(&run));
    assert!(stdout(&run).contains("✓ Step 1/2: Check Disk Space"), "{}", stdout(&run));
    assert!(stdout(&run).contains("✓ Step 2/2: Notify Me"), "{}", stdout(&run));
    assert!(stderr(&run).contains("Disk Check finished"), "the notification names the workflow: {}", stderr(&run));
}

#[test]
fn the_interactive_cli_session_of_the_specification() {
    let sandbox = Sandbox::new();
    let out = sandbox
        .alpha()
        .args(["workflow", "create", "--interactive"])
        .write_stdin("Git Sync and Test\nPull latest code and run tests\ngit, testing, ci\ngit pull\nretry\ny\nrun pytest\nabort\nn\ny\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    for line in [
        "Workflow name: Git Sync and Test",
        "Description: Pull latest code and run tests",
        "Tags (comma-separated): git, testing, ci",
        "Step 1:\n  Action: git pull\n  Error handling: [retry/abort/continue]: retry",
        "Step 2:\n  Action: run pytest\n  Error handling: [retry/abort/continue]: abort",
        "Add another step? (y/n): n",
        "Here is the draft:",
        "Save it? (y/n): y",
        "Workflow 'Git Sync and Test' created successfully!",
    ] {
        assert!(text.contains(line), "missing {line:?} in:\n{text}");
    }
    let workflow = definition(&sandbox, "Git Sync and Test");
    assert_eq!(workflow["tags"], json!(["git", "testing", "ci"]));
    assert_eq!(workflow["steps"][0]["parameters"]["command"], "git pull");
    assert_eq!(workflow["steps"][0]["on_error"], "retry");
    assert_eq!(workflow["steps"][1]["parameters"]["command"], "pytest");
}

#[test]
fn a_cancelled_dialog_saves_nothing() {
    let sandbox = Sandbox::new();
    let out = shell(&sandbox, "create a workflow that pulls latest code and runs tests\nNightly\ncancel\nlist\n");
    assert!(stdout(&out).contains("OK, cancelled. Nothing was saved."), "{}", stdout(&out));
    assert!(saved(&sandbox).is_empty());
    let out =
        sandbox.alpha().args(["workflow", "create", "pull latest code"]).write_stdin("Half Done\n").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "input ended before a yes");
    assert!(saved(&sandbox).is_empty());
}

#[test]
fn corrections_mid_dialog_change_the_draft() {
    let sandbox = Sandbox::new();
    let out = shell(
        &sandbox,
        "create a workflow that pulls latest code and runs tests\nNightly\nno\nmake the tests retry 3 times\ncall it Ship It\nadd a step that notifies me\nshow yaml\nyes\n",
    );
    let text = stdout(&out);
    assert!(text.contains("Run Tests now retries up to 3 times."), "{text}");
    assert!(text.contains("Renamed it to 'Ship It'."), "{text}");
    assert!(text.contains("Added a step: Notify Me."), "{text}");
    assert!(text.contains("name: Ship It"), "show yaml prints the draft: {text}");
    assert_eq!(saved(&sandbox), ["Ship It"]);
    let workflow = definition(&sandbox, "Ship It");
    assert_eq!(workflow["steps"][1]["retry"]["max_attempts"], 4, "three retries after the first try");
    assert_eq!(workflow["steps"][2]["tool"], "notification");
}

#[test]
fn save_the_last_3_commands_as_a_workflow() {
    let sandbox = Sandbox::new();
    let out = shell(
        &sandbox,
        "!echo first > first.txt\n!mkdir -p out/dir\n!cp first.txt out/dir/copy.txt\nsave the last 3 commands as a workflow called Copy Job\nyes\n",
    );
    let text = stdout(&out);
    assert!(text.contains("Here is the draft of 'Copy Job'"), "{text}");
    assert!(text.contains("Workflow 'Copy Job' created with parameters:"), "{text}");
    let workflow = definition(&sandbox, "Copy Job");
    assert_eq!(workflow["steps"].as_array().unwrap().len(), 3);
    assert_eq!(workflow["parameters"]["path"]["default"], "out/dir", "a path that varies is a parameter: {workflow}");
    std::fs::remove_dir_all(sandbox.path().join("out")).unwrap();
    let run = sandbox.run(&["workflow", "run", "Copy Job"]);
    assert_eq!(run.status.code(), Some(0), "{}", stdout(&run));
    assert!(sandbox.path().join("out/dir/copy.txt").exists());
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    let recorded: i64 =
        conn.query_row("SELECT COUNT(*) FROM history_commands WHERE source = 'repl'", [], |r| r.get(0)).unwrap();
    assert_eq!(recorded, 3, "! commands are recorded in history_commands");
}

#[test]
fn edit_by_conversation_shows_a_diff_and_saves_a_new_version_on_yes() {
    let sandbox = Sandbox::new();
    let path = sandbox.write(
        "b.yaml",
        "name: Backup Files\nsteps:\n  - { id: pull, tool: shell, action: run, parameters: { command: \"true\" } }\n",
    );
    sandbox.run(&["workflow", "create", "--file", path.to_str().unwrap()]);
    let out = shell(
        &sandbox,
        "add a notification step to backup files\nno\nadd a notification step to backup files\nyes\nmake backup files retry the pull 5 times\nyes\n",
    );
    let text = stdout(&out);
    assert!(text.contains("+- id: notify"), "{text}");
    assert!(text.contains("OK, 'Backup Files' is unchanged."), "{text}");
    assert!(text.contains("Saved 'Backup Files' as v1.0.1."), "{text}");
    assert!(text.contains("Saved 'Backup Files' as v1.0.2."), "{text}");
    let workflow = definition(&sandbox, "Backup Files");
    assert_eq!(workflow["steps"][0]["retry"]["max_attempts"], 6, "five retries after the first try");
    assert_eq!(workflow["steps"][1]["tool"], "notification");
}

/// Answers chat completions with `contents` in turn.
fn drafting_server(contents: Vec<Value>) -> (String, std::thread::JoinHandle<usize>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut served = 0;
        listener.set_nonblocking(true).unwrap();
        let deadline = std::time::Instant::now() + Duration::from_secs(20);
        for content in contents {
            let mut stream = loop {
                match listener.accept() {
                    Ok((stream, _)) => break Some(stream),
                    Err(_) if std::time::Instant::now() < deadline => std::thread::sleep(Duration::from_millis(20)),
                    Err(_) => break None,
                }
            };
            let Some(mut stream) = stream.take() else { break };
            stream.set_nonblocking(false).unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 16384];
            loop {
                let n = stream.read(&mut buf).unwrap_or(0);
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request).to_string();
                if n == 0 {
                    break;
                }
                if let Some(end) = text.find("\r\n\r\n") {
                    let length = text
                        .lines()
                        .find_map(|l| {
                            l.to_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if request.len() >= end + 4 + length {
                        break;
                    }
                }
            }
            let body = json!({"choices": [{"finish_reason": "stop", "message": {"role": "assistant", "content": content.to_string()}}]}).to_string();
            let reply = format!(
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
            served += 1;
        }
        served
    });
    (url, handle)
}

#[test]
fn an_invalid_llm_draft_is_repaired_and_saved_only_after_confirmation() {
    let sandbox = Sandbox::new();
    let invalid = json!({"name": "Mail", "steps": [{"id": "fetch", "name": "Fetch", "tool": "shell", "command": "echo {{ nowhere.output }}"}]});
    let valid = json!({"name": "Mail Summary", "parameters": [{"name": "folder", "default": "INBOX"}], "steps": [
        {"id": "fetch", "name": "Fetch", "tool": "shell", "command": "echo {{ folder }}"},
        {"id": "tell", "name": "Tell me", "tool": "notification", "message": "{{ fetch.output }}", "only_if_success_of": "fetch"}
    ]});
    let (url, server) = drafting_server(vec![invalid, valid]);
    let out = sandbox
        .alpha()
        .args(["workflow", "create", "fetch my mail folder and tell me what is in it"])
        .env("ALPHA_LLM_BASE_URL", &url)
        .write_stdin("\nshow yaml\nyes\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert_eq!(server.join().unwrap(), 2, "one repair round");
    let text = stdout(&out);
    assert!(text.contains("The LLM drafted it"), "{text}");
    assert!(text.contains("What should I name it? (Enter for 'Mail Summary')"), "{text}");
    assert!(text.contains("Workflow 'Mail Summary' created with parameters:"), "{text}");
    let exported = sandbox.run(&["workflow", "export", "Mail Summary", "--file", "mail.yaml"]);
    assert_eq!(exported.status.code(), Some(0));
    assert_eq!(sandbox.run(&["workflow", "validate", "mail.yaml"]).status.code(), Some(0));

    // Without a yes, an LLM draft is never saved.
    let valid = json!({"name": "Other", "steps": [{"id": "a", "name": "A", "tool": "shell", "command": "true"}]});
    let (url, _server) = drafting_server(vec![valid]);
    let out = sandbox
        .alpha()
        .args(["workflow", "create", "do a thing"])
        .env("ALPHA_LLM_BASE_URL", &url)
        .write_stdin("Other\ncancel\n")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("Nothing was saved"), "{}", stdout(&out));
    assert!(!saved(&sandbox).contains(&"Other".to_string()));
}

#[test]
fn drafts_that_stay_invalid_fall_back_to_the_rules() {
    let sandbox = Sandbox::new();
    let invalid =
        json!({"name": "Bad", "steps": [{"id": "x", "name": "X", "tool": "shell", "command": "echo {{ ghost }}"}]});
    let (url, server) = drafting_server(vec![invalid.clone(), invalid.clone(), invalid.clone(), invalid]);
    let out = sandbox
        .alpha()
        .args(["workflow", "create", "check disk space"])
        .env("ALPHA_LLM_BASE_URL", &url)
        .write_stdin("Disk\nno\nyes\n")
        .output()
        .unwrap();
    assert_eq!(server.join().unwrap(), 4, "the first draft and 3 repairs");
    let text = stdout(&out);
    assert!(text.contains("could not produce a valid draft"), "{text}");
    assert!(text.contains("Workflow 'Disk' created."), "{text}");
}

#[test]
#[ignore = "needs the local model (scripts/local-llm, ALPHA_TEST_LLM_URL)"]
fn the_real_model_ends_with_a_valid_draft_or_a_clear_message() {
    let (url, _turn) = crate::common::real_model();
    let sandbox = Sandbox::new();
    let out = sandbox
        .alpha()
        .args(["workflow", "create", "check disk space and notify me"])
        .env("ALPHA_LLM_BASE_URL", &url)
        .env("ALPHA_LLM_TIMEOUT", "240")
        .write_stdin("Real Draft\nno\nyes\nyes\n")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("The LLM drafted it") || text.contains("could not produce a valid draft"),
        "{text}{}",
        stderr(&out)
    );
    for name in saved(&sandbox) {
        let file = format!("{}.yaml", name.replace(' ', "_"));
        sandbox.run(&["workflow", "export", &name, "--file", &file]);
        assert_eq!(sandbox.run(&["workflow", "validate", &file]).status.code(), Some(0), "a saved workflow is valid");
    }
}

#[test]
fn slash_create_alone_asks_the_interactive_prompts_in_the_shell() {
    let sandbox = Sandbox::new();
    let answers = "/create\nBackup Notes\nCopies my notes\nbackup, notes\nrun tar czf notes.tgz notes\nretry\nn\ny\nshow Backup Notes\n";
    let text = stdout(&sandbox.alpha().write_stdin(answers).output().unwrap());
    for prompt in [
        "Workflow name: ",
        "Description: ",
        "Tags (comma-separated): ",
        "  Action: ",
        "  Error handling: [retry/abort/continue]: ",
        "Add another step? (y/n): ",
    ] {
        assert!(text.contains(prompt), "{prompt:?} in {text}");
    }
    assert!(text.contains("Workflow 'Backup Notes' created successfully!"), "{text}");
    let show = stdout(&sandbox.run(&["workflow", "show", "Backup Notes", "--format", "yaml"]));
    assert!(show.contains("command: tar czf notes.tgz notes") && show.contains("on_error: retry"), "{show}");
    assert!(show.contains("- backup") && show.contains("- notes"), "{show}");
}

#[test]
fn the_interactive_builder_maps_words_to_tools_asks_parameters_and_checks_the_name() {
    let sandbox = Sandbox::new();
    sandbox.save(
        "taken.yaml",
        "name: Taken\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: \"true\" } }\n",
    );
    let answers = [
        "Taken",
        "Morning Routine",
        "Start the day",
        "",
        "fetch https://example.com/status.json",
        "continue",
        "y",
        "back up ~/notes",
        "abort",
        "y",
        "run git pull origin {{ branch }}",
        "retry",
        "y",
        "send me a notification saying all done",
        "continue",
        "n",
        "main",
        "y",
    ];
    let out = sandbox
        .alpha()
        .args(["workflow", "create", "--interactive"])
        .write_stdin(answers.join("\n") + "\n")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.contains("A workflow named 'Taken' already exists; pick another name."), "{text}");
    assert!(text.contains("Default for `branch`"), "the {{ branch }} became a parameter: {text}");
    assert!(text.contains("Here is the draft:") && text.contains("tool: notification"), "a preview: {text}");
    let workflow = definition(&sandbox, "Morning Routine");
    let steps = workflow["steps"].as_array().unwrap();
    assert_eq!(steps[0]["tool"], "http");
    assert_eq!(steps[0]["parameters"]["url"], "https://example.com/status.json");
    assert_eq!(steps[1]["tool"], "file");
    assert_eq!(steps[1]["action"], "archive");
    assert_eq!(steps[1]["parameters"]["source"], "~/notes");
    assert_eq!(steps[2]["parameters"]["command"], "git pull origin {{ branch }}");
    assert_eq!(steps[3]["tool"], "notification");
    assert_eq!(steps[3]["parameters"]["message"], "all done");
    assert_eq!(workflow["parameters"]["branch"]["default"], "main");

    // "n" at the preview saves nothing.
    let out = sandbox
        .alpha()
        .args(["workflow", "create", "--interactive"])
        .write_stdin("Never Saved\n\n\nnotify me\ncontinue\nn\nn\n")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
    assert!(stdout(&out).contains("Nothing was saved."));
    assert_eq!(sandbox.run(&["workflow", "show", "Never Saved"]).status.code(), Some(2));
}

#[test]
fn the_interactive_builder_offers_what_varied_in_the_history_as_parameters() {
    let sandbox = Sandbox::new();
    sandbox
        .write(".bash_history", "git pull origin dev\ncargo test\ngit pull origin feature-x\ngit pull origin main\n");
    let answers = ["Sync", "", "", "git pull origin main", "abort", "y", "n", "y"];
    let out = sandbox
        .alpha()
        .args(["workflow", "create", "--interactive"])
        .env("HISTFILE", sandbox.path().join(".bash_history"))
        .write_stdin(answers.join("\n") + "\n")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(0), "{text}{}", stderr(&out));
    assert!(text.contains("Your history has this command with other values: branch (main, "), "{text}");
    assert!(text.contains("dev") && text.contains("feature-x"), "{text}");
    assert!(!text.contains("Default for `branch`"), "the default came from what was typed: {text}");
    let workflow = definition(&sandbox, "Sync");
    assert_eq!(workflow["steps"][0]["parameters"]["command"], "git pull origin {{ branch }}");
    assert_eq!(workflow["parameters"]["branch"]["default"], "main");
}

#[test]
fn goodbye_in_the_middle_of_a_draft_cancels_it_and_saves_nothing() {
    let sandbox = Sandbox::new();
    let out = shell(&sandbox, "create a workflow that pulls latest code and runs tests\nNightly\nno\nbye\n");
    let text = stdout(&out);
    assert!(text.contains("OK, cancelled. Nothing was saved."), "{text}");
    assert!(saved(&sandbox).is_empty(), "{text}");
}
