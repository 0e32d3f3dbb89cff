//! Every `--json` output is exactly one JSON document (run events: one per line), so scripts
//! can parse what alpha prints.

use serde_json::Value;

use super::common::{Sandbox, stderr, stdout};
use super::test::{Test, unindent};

const GREET: &str = "
    name: Greet
    description: Says hello
    tags: [demo]
    parameters:
      who: { type: string, default: World }
    steps:
      - id: hello
        tool: shell
        action: run
        parameters: { command: 'echo hello {{ who }}' }
";

/// Parses the whole of stdout as one JSON document (serde rejects anything after it).
fn one_document(sandbox: &Sandbox, args: &[&str]) -> Value {
    let out = sandbox.run(args);
    let text = stdout(&out);
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("alpha {args:?} printed more than one JSON document ({e}):\n{text}{}", stderr(&out)))
}

#[test]
fn every_json_output_is_exactly_one_document() {
    let (sandbox, _) = Test::new().saved("greet.yaml", GREET).args(&["workflow", "run", "Greet"]).run();
    let greet = sandbox.path().join("greet.yaml");
    let greet = greet.to_str().unwrap();
    let history = sandbox.write("history.txt", "git pull\nmake test\ngit pull\nmake test\ngit pull\nmake test\n");

    let shown = one_document(&sandbox, &["workflow", "show", "Greet", "--json"]);
    assert_eq!(shown["name"], "Greet");
    assert_eq!(shown["definition"]["steps"][0]["id"], "hello");

    let definition = one_document(&sandbox, &["workflow", "show", "Greet", "--format", "json"]);
    assert_eq!(definition["name"], "Greet", "--format json prints the definition alone");
    assert!(definition.get("recent_runs").is_none());

    let listed = one_document(&sandbox, &["workflow", "list", "--json"]);
    assert_eq!(listed[0]["name"], "Greet");
    assert_eq!(listed[0]["last_status"], "completed");

    let runs = one_document(&sandbox, &["workflow", "history", "--json"]);
    let run_id = runs[0]["id"].as_str().expect("a run id").to_string();
    assert_eq!(runs[0]["status"], "completed");
    let details = one_document(&sandbox, &["workflow", "history", "--run", &run_id, "--json"]);
    assert_eq!(details["steps"][0]["status"], "success");

    let checked = one_document(&sandbox, &["workflow", "validate", greet, "--json"]);
    assert_eq!(checked[0]["valid"], true);

    let changed = sandbox.write("greet2.yaml", &unindent(&GREET.replace("Says hello", "Says hello twice")));
    let imported = one_document(&sandbox, &["workflow", "import", changed.to_str().unwrap(), "--replace", "--json"]);
    assert_eq!(imported[0]["imported"], true, "{imported}");
    let versions = one_document(&sandbox, &["workflow", "versions", "Greet", "--json"]);
    assert_eq!(versions.as_array().map(Vec::len), Some(2), "{versions}");
    let diffed = one_document(&sandbox, &["workflow", "diff", "Greet", "1.0.0", "--json"]);
    assert!(diffed["diff"].as_str().is_some(), "{diffed}");
    let rolled = one_document(&sandbox, &["workflow", "rollback", "Greet", "1.0.0", "--json"]);
    assert_eq!(rolled["restored"], "1.0.0");

    let scheduled =
        one_document(&sandbox, &["workflow", "schedule", "Greet", "every", "weekday", "at", "9am", "--json"]);
    assert_eq!(scheduled["cron"], "0 9 * * 1-5");
    let status = one_document(&sandbox, &["scheduler", "status", "--json"]);
    assert_eq!(status[0]["workflow"], "Greet");
    let unscheduled = one_document(&sandbox, &["workflow", "unschedule", "Greet", "--json"]);
    assert_eq!(unscheduled["removed"], 1);

    let optimized = one_document(&sandbox, &["workflow", "optimize", "Greet", "--json"]);
    assert_eq!(optimized["workflow"], "Greet");
    let parsed = one_document(&sandbox, &["parse", "run greet with who Bob", "--json"]);
    assert_eq!(parsed["intent"], "run");
    let suggested = one_document(&sandbox, &["suggest", "--from", history.to_str().unwrap(), "--json"]);
    assert!(suggested.is_array());
    let read = one_document(&sandbox, &["history", "import", "--from", history.to_str().unwrap(), "--json"]);
    assert_eq!(read[0]["read"], 6);
    let templates = one_document(&sandbox, &["template", "list", "--json"]);
    let first = templates[0]["name"].as_str().expect("a template name").to_string();
    let made = one_document(&sandbox, &["template", "use", &first, "--name", "From Template", "--json"]);
    assert_eq!(made["saved"]["name"], "From Template");
    let service = one_document(&sandbox, &["scheduler", "install", "--json"]);
    assert_eq!(service["written"], false);
    let created = one_document(&sandbox, &["workflow", "create", "--file", greet, "--replace", "--json"]);
    assert_eq!(created["name"], "Greet");
    let schema = one_document(&sandbox, &["workflow", "schema"]);
    assert!(schema["properties"]["steps"].is_object());
}

#[test]
fn run_events_are_one_json_document_per_line() {
    let (_, out) =
        Test::new().saved("greet.yaml", GREET).args(&["workflow", "run", "Greet", "who=Bob", "--json"]).run();
    let lines: Vec<Value> = stdout(&out)
        .lines()
        .map(|line| serde_json::from_str(line).unwrap_or_else(|e| panic!("not one JSON event ({e}): {line}")))
        .collect();
    assert_eq!(lines.first().map(|e| e["event"].clone()), Some("run_started".into()));
    assert_eq!(lines.last().map(|e| e["status"].clone()), Some("completed".into()));
}

#[test]
fn a_storage_failure_exits_3_and_a_usage_error_2() {
    let sandbox = Sandbox::new();
    std::fs::create_dir_all(sandbox.db().parent().unwrap()).unwrap();
    std::fs::write(sandbox.db(), b"not a database at all, but long enough to look like a header of one").unwrap();
    let (sandbox, _) = Test::in_sandbox(sandbox)
        .args(&["workflow", "list"])
        .status(3)
        .stderr_contains("not an alpha database or is damaged")
        .run();
    std::fs::remove_file(sandbox.db()).unwrap();
    Test::in_sandbox(sandbox)
        .args(&["workflow", "show", "Nothing"])
        .status(2)
        .stderr_contains("no workflow named 'Nothing'")
        .run();
}
