//! The library commands through the real binary on a temp database.

use std::process::Command as StdCommand;

use crate::common::{Sandbox, stderr, stdout};
use crate::on_both;
use crate::test::Test;

const DEPLOY: &str = "name: Deploy Pipeline
version: 1.0.0
description: Pull, test and deploy
tags: [deployment, ci/cd]
parameters:
  branch: { type: string, default: main }
triggers:
  - { type: schedule, cron: \"0 9 * * *\" }
steps:
  - { id: pull, tool: shell, action: run, parameters: { command: \"git pull origin {{ branch }}\" } }
";

const EMAIL: &str = "name: Email Check
tags: [email, productivity]
description: look at the inbox
steps:
  - { id: fetch, tool: email, action: fetch }
";

fn with_two(sandbox: &Sandbox) {
    for (file, text) in [("deploy.yaml", DEPLOY), ("email.yaml", EMAIL)] {
        let path = sandbox.write(file, text);
        let out = sandbox.run(&["workflow", "create", "--file", path.to_str().unwrap()]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
}

#[test]
fn create_list_and_show() {
    let sandbox = Sandbox::new();
    with_two(&sandbox);
    assert!(sandbox.db().exists(), "the database is created under ALPHA_HOME");
    let (sandbox, _) = Test::in_sandbox(sandbox)
        .args(&["workflow", "list"])
        .stdout(
            "
            Available Workflows:
              1. Deploy Pipeline (v1.0.0) - tags: deployment, ci/cd
                 Scheduled: Daily at 9:00 AM
              2. Email Check (v1.0.0) - tags: email, productivity
            ",
        )
        .run();

    let show = sandbox.run(&["workflow", "show", "deploy PIPELINE"]);
    assert_eq!(show.status.code(), Some(0));
    let text = stdout(&show);
    assert!(text.contains("name: Deploy Pipeline"), "{text}");
    assert!(text.contains("branch (string, default: main)"), "{text}");
    assert!(text.contains("schedule: Daily at 9:00 AM"), "{text}");

    let json = sandbox.run(&["workflow", "show", "Deploy Pipeline", "--format", "json", "--json"]);
    let value: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
    assert_eq!(value["definition"]["parameters"]["branch"]["default"], "main");
}

on_both! {
    fn list_filters_by_tag_and_ranks_search_results(backend) {
        let sandbox = Sandbox::on(backend);
        with_two(&sandbox);
        let by_tag: serde_json::Value =
            serde_json::from_slice(&sandbox.run(&["workflow", "list", "--tags", "EMAIL", "--json"]).stdout).unwrap();
        assert_eq!(by_tag.as_array().unwrap().len(), 1);
        assert_eq!(by_tag[0]["name"], "Email Check");
        // "deploy" matches the Deploy name and the Email Check description does not contain it.
        let search: serde_json::Value =
            serde_json::from_slice(&sandbox.run(&["workflow", "list", "--search", "inbox", "--json"]).stdout).unwrap();
        assert_eq!(search.as_array().unwrap().len(), 1, "{search}");
        assert_eq!(search[0]["name"], "Email Check");
        let ranked: serde_json::Value =
            serde_json::from_slice(&sandbox.run(&["workflow", "list", "--search", "CHECK", "--json"]).stdout).unwrap();
        assert_eq!(ranked[0]["name"], "Email Check");
        // A plural finds the singular a name holds: "deploys" is Deploy Pipeline.
        let plural: serde_json::Value =
            serde_json::from_slice(&sandbox.run(&["workflow", "list", "--search", "deploys", "--json"]).stdout).unwrap();
        let names: Vec<&str> = plural.as_array().unwrap().iter().map(|w| w["name"].as_str().unwrap()).collect();
        assert_eq!(names, ["Deploy Pipeline"], "{plural}");
        let none = stdout(&sandbox.run(&["workflow", "list", "--search", "zzz"]));
        assert!(none.contains("No workflows match"), "{none}");
    }
}

on_both! {
    fn unknown_name_suggests_and_exits_two(backend) {
        let sandbox = Sandbox::on(backend);
        with_two(&sandbox);
        let out = sandbox.run(&["workflow", "show", "Deploy Pipelin"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("no workflow named 'Deploy Pipelin'"), "{}", stderr(&out));
        assert!(stderr(&out).contains("did you mean 'Deploy Pipeline'?"), "{}", stderr(&out));
    }
}

on_both! {
    fn name_clash_is_refused_unless_replace_and_versions_are_kept(backend) {
        let sandbox = Sandbox::on(backend);
        with_two(&sandbox);
        let changed = sandbox.write("deploy2.yaml", &DEPLOY.replace("Pull, test and deploy", "Changed"));
        let clash = sandbox.run(&["workflow", "create", "--file", changed.to_str().unwrap()]);
        assert_eq!(clash.status.code(), Some(2));
        assert!(stderr(&clash).contains("already exists"), "{}", stderr(&clash));
        let replaced = sandbox.run(&["workflow", "create", "--replace", "--file", changed.to_str().unwrap()]);
        assert_eq!(replaced.status.code(), Some(0), "{}", stderr(&replaced));
        let versions: serde_json::Value =
            serde_json::from_slice(&sandbox.run(&["workflow", "versions", "Deploy Pipeline", "--json"]).stdout).unwrap();
        let versions: Vec<&str> = versions.as_array().unwrap().iter().map(|v| v["version"].as_str().unwrap()).collect();
        assert_eq!(versions, ["1.0.0", "1.0.1"], "same version number with new content gets the next patch");
    }
}

#[test]
fn invalid_file_is_not_saved() {
    let sandbox = Sandbox::new();
    let bad = sandbox.write("bad.yaml", "name: Bad\nsteps:\n  - { id: a, tool: nope, action: run }\n");
    let out = sandbox.run(&["workflow", "create", "--file", bad.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown tool `nope`"), "{}", stderr(&out));
    assert!(stdout(&sandbox.run(&["workflow", "list"])).contains("No workflows yet"));
}

#[test]
fn create_reads_stdin() {
    let sandbox = Sandbox::new();
    let out = sandbox.alpha().args(["workflow", "create", "--file", "-"]).write_stdin(EMAIL).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&sandbox.run(&["workflow", "list"])).contains("Email Check"));
}

fn editor(sandbox: &Sandbox, script: &str) -> String {
    let path = sandbox.write("editor.sh", &format!("#!/bin/sh\n{script}\n"));
    let mut perms = std::fs::metadata(&path).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&path, perms).unwrap();
    path.to_str().unwrap().to_string()
}

on_both! {
    fn edit_saves_a_new_version_diff_and_rollback(backend) {
        let sandbox = Sandbox::on(backend);
        with_two(&sandbox);
        let unchanged = editor(&sandbox, "true");
        let out = sandbox.alpha().args(["workflow", "edit", "Deploy Pipeline"]).env("EDITOR", &unchanged).output().unwrap();
        assert!(stdout(&out).contains("No changes"), "{}", stdout(&out));

        let change = editor(&sandbox, "sed -i 's/Pull, test and deploy/Ship it/' \"$1\"");
        let out = sandbox.alpha().args(["workflow", "edit", "Deploy Pipeline"]).env("VISUAL", &change).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stdout(&out).contains("Saved 'Deploy Pipeline' as v1.0.1"), "{}", stdout(&out));

        let diff = stdout(&sandbox.run(&["workflow", "diff", "Deploy Pipeline", "1.0.0"]));
        assert!(diff.contains("-description: Pull, test and deploy"), "{diff}");
        assert!(diff.contains("+description: Ship it"), "{diff}");

        let out = sandbox.run(&["workflow", "rollback", "Deploy Pipeline", "1.0.0"]);
        assert!(stdout(&out).contains("saved as v1.0.2"), "{}", stdout(&out));
        let shown = stdout(&sandbox.run(&["workflow", "show", "Deploy Pipeline"]));
        assert!(shown.contains("description: Pull, test and deploy"), "{shown}");
        let old = stdout(&sandbox.run(&["workflow", "show", "Deploy Pipeline", "--version", "1.0.1"]));
        assert!(old.contains("description: Ship it"), "{old}");
    }
}

#[test]
fn editor_producing_an_invalid_file_stores_nothing() {
    let sandbox = Sandbox::new();
    with_two(&sandbox);
    let breaker = editor(&sandbox, "sed -i 's/tool: shell/tool: shelll/' \"$1\"");
    let out = sandbox.alpha().args(["workflow", "edit", "Deploy Pipeline"]).env("EDITOR", &breaker).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("unknown tool `shelll`"), "{}", stderr(&out));
    assert!(stderr(&out).contains("nothing was saved"), "{}", stderr(&out));
    let versions = stdout(&sandbox.run(&["workflow", "versions", "Deploy Pipeline"]));
    assert!(!versions.contains("1.0.1"), "{versions}");
}

on_both! {
    fn delete_needs_confirmation_and_keeps_history_readable(backend) {
        let sandbox = Sandbox::on(backend);
        with_two(&sandbox);
        // Record a run directly in the database as the executor would.
        let store = alpha::store::Store::open(&sandbox.db()).unwrap();
        let saved = store.find("Email Check").unwrap().unwrap();
        let run = store.start_run(&saved.id, "Email Check", "1.0.0", &serde_json::json!({}), "manual").unwrap();
        store.finish_run(&run, alpha::store::RunStatus::Completed, &serde_json::json!({}), None).unwrap();
        drop(store);

        let refused = sandbox.run(&["workflow", "delete", "Email Check"]);
        assert_eq!(refused.status.code(), Some(2));
        assert!(stdout(&sandbox.run(&["workflow", "list"])).contains("Email Check"));

        let deleted = sandbox.run(&["workflow", "delete", "email check", "--yes"]);
        assert_eq!(deleted.status.code(), Some(0), "{}", stderr(&deleted));
        assert!(!stdout(&sandbox.run(&["workflow", "list"])).contains("Email Check"));
        let history = stdout(&sandbox.run(&["workflow", "history"]));
        assert!(history.contains("Email Check success"), "{history}");
        let by_name = stdout(&sandbox.run(&["workflow", "history", "Email Check"]));
        assert!(by_name.contains("Email Check success"), "{by_name}");
    }
}

on_both! {
    fn export_and_import_round_trip_in_both_formats(backend) {
        let sandbox = Sandbox::on(backend);
        with_two(&sandbox);
        for file in ["out.json", "out.yaml"] {
            let out = sandbox.run(&["workflow", "export", "Deploy Pipeline", "--file", file]);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        }
        let json_text = std::fs::read_to_string(sandbox.path().join("out.json")).unwrap();
        assert!(json_text.trim_start().starts_with('{'));
        let other = Sandbox::new();
        let out = other.run(&[
            "workflow",
            "import",
            sandbox.path().join("out.json").to_str().unwrap(),
            sandbox.path().join("deploy.yaml").to_str().unwrap(),
        ]);
        assert_eq!(out.status.code(), Some(2), "the second file clashes by name");
        assert!(stdout(&out).contains("imported Deploy Pipeline"), "{}", stdout(&out));
        assert!(stdout(&out).contains("deploy.yaml: not imported"), "{}", stdout(&out));
        let exported_again = other.run(&["workflow", "export", "Deploy Pipeline", "--format", "yaml"]);
        let original = std::fs::read_to_string(sandbox.path().join("out.yaml")).unwrap();
        assert_eq!(stdout(&exported_again), original, "import → export loses nothing");
    }
}

on_both! {
    fn history_shows_runs_with_status_filter_and_redacted_parameters(backend) {
        let sandbox = Sandbox::on(backend);
        with_two(&sandbox);
        let store = alpha::store::Store::open(&sandbox.db()).unwrap();
        let saved = store.find("Deploy Pipeline").unwrap().unwrap();
        let ok = store
            .start_run(
                &saved.id,
                "Deploy Pipeline",
                "1.0.0",
                &serde_json::json!({"branch": "dev", "token": "***"}),
                "manual",
            )
            .unwrap();
        store.finish_run(&ok, alpha::store::RunStatus::Completed, &serde_json::json!({}), None).unwrap();
        let bad = store.start_run(&saved.id, "Deploy Pipeline", "1.0.0", &serde_json::json!({}), "schedule").unwrap();
        store.finish_run(&bad, alpha::store::RunStatus::Failed, &serde_json::json!({}), Some("tests failed")).unwrap();
        drop(store);
        let all = stdout(&sandbox.run(&["workflow", "history", "Deploy Pipeline"]));
        let lines: Vec<&str> = all.lines().collect();
        assert_eq!(lines.len(), 2, "{all}");
        assert!(lines[0].contains("failed") && lines[0].contains("schedule") && lines[0].contains("tests failed"), "{all}");
        assert!(lines[1].contains("branch=dev") && lines[1].contains("token=***"), "{all}");
        let failed: serde_json::Value =
            serde_json::from_slice(&sandbox.run(&["workflow", "history", "--status", "failed", "--json"]).stdout).unwrap();
        assert_eq!(failed.as_array().unwrap().len(), 1);
        let list = stdout(&sandbox.run(&["workflow", "list"]));
        assert!(list.contains("Last run: just now (failed)"), "{list}");
        let details = stdout(&sandbox.run(&["workflow", "history", "--run", &ok[..8]]));
        assert!(details.contains("Status: success"), "{details}");
    }
}

#[test]
fn newer_schema_is_refused_and_older_is_upgraded() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.db().parent().unwrap()).unwrap();
    {
        let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
        conn.execute_batch("PRAGMA user_version = 999").unwrap();
    }
    let (_, out) = Test::in_sandbox(sandbox).args(&["workflow", "list"]).status(3).stderr_contains("newer alpha").run();
    assert!(!stderr(&out).contains("panicked"));

    let fresh = Sandbox::new();
    std::fs::create_dir_all(fresh.db().parent().unwrap()).unwrap();
    rusqlite::Connection::open(fresh.db()).unwrap().execute_batch("CREATE TABLE keepme (x)").unwrap();
    assert_eq!(fresh.run(&["workflow", "list"]).status.code(), Some(0));
    let conn = rusqlite::Connection::open(fresh.db()).unwrap();
    let version: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap();
    assert_eq!(version, alpha::store::migrations::CURRENT);
    let mode: String = conn.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
}

#[test]
fn corrupt_database_gives_a_clear_error() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.db().parent().unwrap()).unwrap();
    std::fs::write(sandbox.db(), b"this is not a database, just text that is long enough to fill a header...").unwrap();
    Test::in_sandbox(sandbox)
        .args(&["workflow", "list"])
        .status(3)
        .stderr_contains("not an alpha database or is damaged")
        .stdout("")
        .run();
}

#[test]
fn db_flag_overrides_the_data_dir() {
    let sandbox = Sandbox::new();
    let path = sandbox.write("email.yaml", EMAIL);
    let custom = sandbox.path().join("custom/lib.db");
    let out = sandbox.run(&["--db", custom.to_str().unwrap(), "workflow", "create", "--file", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(custom.exists());
    assert!(!sandbox.db().exists());
}

#[test]
fn a_locked_database_waits_for_the_writer_instead_of_failing() {
    let sandbox = Sandbox::new();
    with_two(&sandbox);
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    conn.execute_batch("BEGIN EXCLUSIVE").unwrap();
    let path = sandbox.write("third.yaml", &EMAIL.replace("Email Check", "Third"));
    let mut child = StdCommand::new(env!("CARGO_BIN_EXE_alpha"))
        .args(["--db", sandbox.db().to_str().unwrap(), "workflow", "create", "--file", path.to_str().unwrap()])
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(std::time::Duration::from_millis(700));
    assert!(child.try_wait().unwrap().is_none(), "the writer waits while the database is locked");
    conn.execute_batch("COMMIT").unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!String::from_utf8_lossy(&out.stderr).contains("locked"));
}

on_both! {
    fn renames_unknown_versions_and_ambiguous_run_ids_are_clear_usage_errors(backend) {
        let sandbox = Sandbox::on(backend);
        with_two(&sandbox);
        let rename = editor(&sandbox, "sed -i 's/^name: Deploy Pipeline/name: email check/' \"$1\"");
        let out = sandbox.alpha().args(["workflow", "edit", "Deploy Pipeline"]).env("EDITOR", &rename).output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{}", stdout(&out));
        assert!(stderr(&out).contains("another workflow is already named 'email check'"), "{}", stderr(&out));

        let out = sandbox.run(&["workflow", "rollback", "Deploy Pipeline", "9.9.9"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(
            stderr(&out).contains("no version 9.9.9") && stderr(&out).contains("saved versions: 1.0.0"),
            "{}",
            stderr(&out)
        );

        // Seventeen runs: at least two share a first hex digit, so that one-character prefix is ambiguous.
        let store = alpha::store::Store::open(&sandbox.db()).unwrap();
        let saved = store.find("Email Check").unwrap().unwrap();
        let ids: Vec<String> = (0..17)
            .map(|_| store.start_run(&saved.id, "Email Check", "1.0.0", &serde_json::json!({}), "manual").unwrap())
            .collect();
        for id in &ids {
            store.finish_run(id, alpha::store::RunStatus::Completed, &serde_json::json!({}), None).unwrap();
        }
        let shared =
            ids.iter().map(|id| &id[..1]).find(|p| ids.iter().filter(|id| id.starts_with(*p)).count() > 1).unwrap();
        let out = sandbox.run(&["workflow", "history", "--run", shared]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains(&format!("run id prefix {shared} is ambiguous")), "{}", stderr(&out));
        let unique = &ids[0];
        let out = sandbox.run(&["workflow", "history", "--run", unique]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    }
}

#[test]
fn export_never_overwrites_a_file_without_force() {
    let sandbox = Sandbox::new();
    with_two(&sandbox);
    let target = sandbox.write("out.yaml", "my own notes\n");
    let (sandbox, _) = Test::in_sandbox(sandbox)
        .args(&["workflow", "export", "Deploy Pipeline", "--file", target.to_str().unwrap()])
        .status(2)
        .stderr_contains("already exists; nothing was written")
        .stderr_contains("--force")
        .run();
    assert_eq!(std::fs::read_to_string(&target).unwrap(), "my own notes\n");
    let (_sandbox, _) = Test::in_sandbox(sandbox)
        .args(&["workflow", "export", "Deploy Pipeline", "--file", target.to_str().unwrap(), "--force"])
        .run();
    assert!(std::fs::read_to_string(&target).unwrap().starts_with("name: Deploy Pipeline"));
}

#[test]
fn an_invalid_edit_keeps_the_edited_text() {
    let sandbox = Sandbox::new();
    with_two(&sandbox);
    // An "editor" that breaks the definition: the tool name becomes one that doesn't exist.
    let editor = sandbox.write("break.sh", "#!/bin/sh\nsed -i 's/tool: shell/tool: nosuch/' \"$1\"\n");
    std::fs::set_permissions(&editor, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let (sandbox, out) = Test::in_sandbox(sandbox)
        .env("EDITOR", editor.to_str().unwrap())
        .env("VISUAL", "")
        .args(&["workflow", "edit", "Deploy Pipeline"])
        .status(2)
        .stderr_contains("nothing was saved. Your text is kept in ")
        .run();
    let err = stderr(&out);
    let kept = err.split("Your text is kept in ").nth(1).unwrap().trim();
    let text = std::fs::read_to_string(kept).expect("the kept edit exists");
    assert!(text.contains("tool: nosuch"), "the edited text, not the original: {text}");
    let show = stdout(&sandbox.run(&["workflow", "show", "Deploy Pipeline"]));
    assert!(show.contains("tool: shell"), "nothing was saved: {show}");
}

on_both! {
    fn a_renamed_workflow_keeps_its_versions_runs_and_schedules(backend) {
        let sandbox = Sandbox::on(backend);
        with_two(&sandbox);
        let greet = sandbox.write(
            "greet.yaml",
            "name: Greet\nsteps:\n  - { id: hi, tool: shell, action: run, parameters: { command: \"echo hi\" } }\n",
        );
        assert_eq!(sandbox.run(&["workflow", "create", "--file", greet.to_str().unwrap()]).status.code(), Some(0));
        assert_eq!(sandbox.run(&["workflow", "run", "Greet"]).status.code(), Some(0));
        let out = sandbox.run(&["workflow", "schedule", "Greet", "every day at 9am"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));

        let out = sandbox.run(&["workflow", "rename", "greet", "Say Hello"]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stdout(&out).contains("Renamed 'Greet' to 'Say Hello'; saved as v1.0.1"), "{}", stdout(&out));

        let listed = stdout(&sandbox.run(&["workflow", "list"]));
        assert!(listed.contains("Say Hello (v1.0.1)") && !listed.contains("Greet"), "{listed}");
        let old = sandbox.run(&["workflow", "show", "Greet"]);
        assert_eq!(old.status.code(), Some(2), "the old name is gone: {}", stdout(&old));
        let history = stdout(&sandbox.run(&["workflow", "history", "Say Hello", "--json"]));
        let runs: serde_json::Value = serde_json::from_str(&history).unwrap();
        assert_eq!(runs.as_array().map(Vec::len), Some(1), "the run before the rename is still its run: {history}");
        let status: serde_json::Value =
            serde_json::from_str(&stdout(&sandbox.run(&["scheduler", "status", "--json"]))).unwrap();
        let workflows: Vec<&str> = status.as_array().unwrap().iter().filter_map(|s| s["workflow"].as_str()).collect();
        assert!(workflows.contains(&"Say Hello") && !workflows.contains(&"Greet"), "{status}");
        let versions = stdout(&sandbox.run(&["workflow", "versions", "Say Hello"]));
        assert!(versions.contains("v1.0.0") && versions.contains("renamed from Greet"), "{versions}");
        let first = stdout(&sandbox.run(&["workflow", "show", "Say Hello", "--version", "1.0.0"]));
        assert!(first.contains("name: Greet"), "the old version keeps its old name: {first}");

        // Another workflow's name, in any case, is refused and nothing changes.
        let out = sandbox.run(&["workflow", "rename", "Say Hello", "deploy PIPELINE"]);
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("already named 'deploy PIPELINE'"), "{}", stderr(&out));
        let versions = stdout(&sandbox.run(&["workflow", "versions", "Say Hello", "--json"]));
        let versions: serde_json::Value = serde_json::from_str(&versions).unwrap();
        assert_eq!(versions.as_array().map(Vec::len), Some(2), "{versions}");
        let out = sandbox.run(&["workflow", "rename", "Say Hello", "  "]);
        assert_eq!(out.status.code(), Some(2), "an empty name is refused");
        let out = sandbox.run(&["workflow", "rename", "Nothing Here", "Other"]);
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("no workflow named 'Nothing Here'"), "{}", stderr(&out));

        let renamed: serde_json::Value =
            serde_json::from_str(&stdout(&sandbox.run(&["workflow", "rename", "Say Hello", "Hello", "--json"]))).unwrap();
        assert_eq!((renamed["from"].as_str(), renamed["name"].as_str()), (Some("Say Hello"), Some("Hello")), "{renamed}");
    }
}
