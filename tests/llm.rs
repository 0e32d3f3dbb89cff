//! The LLM fallback: against a small HTTP server of the test's own (deterministic), and against
//! the real local model that `.ci/run` starts (ALPHA_TEST_LLM_URL).

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Sandbox, stderr, stdout};

/// Serves `count` requests with a chat completion whose content is `content` (or a raw reply).
/// A probe for tool calls is answered in prose, as a server without tools does, and not counted.
fn fake_llm(reply: String, count: usize, delay: Duration) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let (url, server) = fake_server(reply, completion("pong"), count, delay);
    (url, std::thread::spawn(move || server.join().unwrap().0))
}

/// As [`fake_llm`], with the probe's answer given; also returns how many probes came.
fn fake_server(
    reply: String,
    probe_reply: String,
    count: usize,
    delay: Duration,
) -> (String, std::thread::JoinHandle<(Vec<String>, usize)>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}/v1", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut probes = 0;
        if count == 0 {
            return (seen, probes);
        }
        for stream in listener.incoming() {
            let mut stream = stream.unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut request = Vec::new();
            let mut buf = [0u8; 8192];
            loop {
                let n = stream.read(&mut buf).unwrap_or(0);
                request.extend_from_slice(&buf[..n]);
                let text = String::from_utf8_lossy(&request);
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
            let request = String::from_utf8_lossy(&request).into_owned();
            if request.contains("Call the function ping") {
                probes += 1;
                let _ = stream.write_all(probe_reply.as_bytes());
                continue;
            }
            seen.push(request);
            std::thread::sleep(delay);
            let _ = stream.write_all(reply.as_bytes());
            if seen.len() == count {
                break;
            }
        }
        (seen, probes)
    });
    (url, handle)
}

fn completion(content: &str) -> String {
    let body = json!({"choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": content}}]}).to_string();
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

fn with_library(sandbox: &Sandbox) {
    let path = sandbox.write("w.yaml", "name: Nightly Backup\nparameters:\n  target: { type: string, default: /tmp }\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: \"echo {{ target }}\" } }\n");
    assert_eq!(sandbox.run(&["workflow", "create", "--file", path.to_str().unwrap()]).status.code(), Some(0));
}

fn parse_with(sandbox: &Sandbox, url: &str, utterance: &str) -> std::process::Output {
    sandbox
        .alpha()
        .args(["parse", utterance, "--json"])
        .env("ALPHA_LLM_BASE_URL", url)
        .env("ALPHA_LLM_MODEL", "test")
        .env("ALPHA_LLM_TIMEOUT", "2")
        .output()
        .unwrap()
}

#[test]
fn a_valid_llm_intent_is_accepted_and_marked_llm() {
    let sandbox = Sandbox::new();
    with_library(&sandbox);
    let (url, server) = fake_llm(
        completion(r#"{"intent":"run","workflow":"nightly backup","params":{"target":"/srv"}}"#),
        1,
        Duration::ZERO,
    );
    let out = parse_with(&sandbox, &url, "make my stuff safe tonight somehow");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        parsed,
        json!({"intent": "run", "workflow": "Nightly Backup", "params": {"target": "/srv"}, "source": "llm"})
    );
    let request = &server.join().unwrap()[0];
    assert!(request.contains("\"json_schema\""), "the answer is schema-constrained: {request}");
    assert!(request.contains("Nightly Backup"), "the prompt names the library: {request}");
}

/// A completion that calls `name` with `arguments`.
fn tool_call(name: &str, arguments: &str) -> String {
    let body = json!({"choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null,
        "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": name, "arguments": arguments}}]}}]})
    .to_string();
    format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
}

#[test]
fn tool_calls_are_used_where_the_server_answers_them_and_the_finding_is_kept() {
    let sandbox = Sandbox::new();
    with_library(&sandbox);
    let arguments = r#"{"intent":"list","tags":[],"search":null}"#;
    let (url, server) = fake_server(tool_call("alpha_command", arguments), tool_call("ping", "{}"), 2, Duration::ZERO);
    for _ in 0..2 {
        let out = parse_with(&sandbox, &url, "which automations do I keep around");
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(parsed["intent"], "list", "{parsed}");
    }
    let (seen, probes) = server.join().unwrap();
    assert_eq!(probes, 1, "the server is asked once whether it takes tools, then remembered");
    for raw in &seen {
        let request: Value = serde_json::from_str(raw.split_once("\r\n\r\n").unwrap().1).unwrap();
        assert_eq!(request["tools"][0]["function"]["name"], "alpha_command", "{request}");
        assert!(request.get("response_format").is_none(), "{request}");
    }
}

#[test]
fn a_server_that_ignores_tools_gets_schema_constrained_json() {
    let sandbox = Sandbox::new();
    with_library(&sandbox);
    let (url, server) = fake_server(
        completion(r#"{"intent":"list","tags":[],"search":null}"#),
        completion("Pong! How can I help you today?"),
        1,
        Duration::ZERO,
    );
    let out = parse_with(&sandbox, &url, "which automations do I keep around");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let (seen, probes) = server.join().unwrap();
    assert_eq!(probes, 1);
    assert!(seen[0].contains("\"json_schema\""), "{}", seen[0]);
    assert!(!seen[0].contains("\"tools\""), "{}", seen[0]);
    let kept = std::fs::read_to_string(sandbox.path().join("home").join("llm-endpoints.json")).unwrap();
    assert!(kept.contains("false"), "the finding is kept: {kept}");
}

#[test]
fn with_tools_on_the_intent_comes_as_a_tool_call_of_alphas_command() {
    let sandbox = Sandbox::new();
    with_library(&sandbox);
    let arguments = r#"{"intent":"run","workflow":"Nightly Backup","params":{"target":"/srv"}}"#;
    let body = json!({"choices": [{"index": 0, "finish_reason": "tool_calls", "message": {"role": "assistant", "content": null,
        "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "alpha_command", "arguments": arguments}}]}}]})
    .to_string();
    let reply = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let (url, server) = fake_llm(reply, 1, Duration::ZERO);
    let out = sandbox
        .alpha()
        .args(["parse", "make my stuff safe tonight somehow", "--json"])
        .env("ALPHA_LLM_BASE_URL", &url)
        .env("ALPHA_LLM_TOOLS", "1")
        .env("ALPHA_LLM_TIMEOUT", "5")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(
        parsed,
        json!({"intent": "run", "workflow": "Nightly Backup", "params": {"target": "/srv"}, "source": "llm"})
    );
    let request: Value = {
        let raw = &server.join().unwrap()[0];
        serde_json::from_str(raw.split_once("\r\n\r\n").unwrap().1).unwrap()
    };
    assert_eq!(request["tools"][0]["function"]["name"], "alpha_command", "{request}");
    assert_eq!(request["tool_choice"], "required", "{request}");
    let names = &request["tools"][0]["function"]["parameters"]["properties"]["workflow"]["enum"];
    assert_eq!(names, &json!(["Nightly Backup", null]), "the saved names are the only choice: {request}");
    assert!(request.get("response_format").is_none());
}

#[test]
fn the_grammar_answers_without_asking_the_llm() {
    let sandbox = Sandbox::new();
    with_library(&sandbox);
    let out = sandbox
        .alpha()
        .args(["parse", "run nightly backup", "--json"])
        .env("ALPHA_LLM_BASE_URL", "http://127.0.0.1:9/v1")
        .output()
        .unwrap();
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(parsed["source"], "grammar");
}

#[test]
fn unknown_workflows_and_parameters_are_refused() {
    let sandbox = Sandbox::new();
    with_library(&sandbox);
    let (url, _server) =
        fake_llm(completion(r#"{"intent":"delete","workflow":"Production Database"}"#), 1, Duration::ZERO);
    let parsed: Value = serde_json::from_slice(&parse_with(&sandbox, &url, "wipe the prod thing").stdout).unwrap();
    assert_eq!(parsed["intent"], "unknown");
    assert!(parsed["did_you_mean"][0].as_str().unwrap().contains("Production Database"), "{parsed}");
    let (url, _server) = fake_llm(
        completion(r#"{"intent":"run","workflow":"Nightly Backup","params":{"rm":"-rf"}}"#),
        1,
        Duration::ZERO,
    );
    let parsed: Value = serde_json::from_slice(&parse_with(&sandbox, &url, "back up with extra flags").stdout).unwrap();
    assert_eq!(parsed["intent"], "unknown", "{parsed}");
}

#[test]
fn invalid_json_timeouts_and_http_errors_get_clear_messages() {
    let sandbox = Sandbox::new();
    with_library(&sandbox);
    let (url, _s) = fake_llm(completion("sure! here is your intent: run it"), 1, Duration::ZERO);
    let out = parse_with(&sandbox, &url, "zzz qqq gibberish");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("did not answer with valid JSON"), "{}", stderr(&out));

    let (url, _s) = fake_llm(completion("{}"), 1, Duration::from_secs(4));
    let out = parse_with(&sandbox, &url, "zzz qqq gibberish");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("did not answer within 2s"), "{}", stderr(&out));

    let (url, _s) = fake_llm(
        "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 4\r\nConnection: close\r\n\r\noops".into(),
        1,
        Duration::ZERO,
    );
    let out = parse_with(&sandbox, &url, "zzz qqq gibberish");
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("HTTP 500"), "{}", stderr(&out));
}

#[test]
fn the_shell_confirms_llm_actions_before_running_them() {
    let sandbox = Sandbox::new();
    with_library(&sandbox);
    let (url, _server) =
        fake_llm(completion(r#"{"intent":"run","workflow":"Nightly Backup","params":{}}"#), 2, Duration::ZERO);
    let out = sandbox
        .alpha()
        .env("ALPHA_LLM_BASE_URL", &url)
        .write_stdin("make my stuff safe\nno\nmake my stuff safe\nyes\n")
        .output()
        .unwrap();
    let text = stdout(&out);
    assert!(text.contains("I understood: run 'Nightly Backup'. Go ahead? [y/N]"), "{text}");
    assert!(text.contains("OK, nothing done."), "{text}");
    assert_eq!(text.matches("Executing workflow: Nightly Backup").count(), 1, "{text}");
}

#[test]
fn without_an_llm_unparsed_lines_get_did_you_mean() {
    let sandbox = Sandbox::new();
    with_library(&sandbox);
    let out = sandbox.run(&["parse", "rnu nightly backup", "--json"]);
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(parsed, json!({"intent": "unknown", "did_you_mean": ["run Nightly Backup"], "source": "grammar"}));
}

#[test]
#[ignore = "needs the local model (scripts/local-llm, ALPHA_TEST_LLM_URL)"]
fn real_model_fallback_gives_a_schema_conformant_intent() {
    let (url, _turn) = crate::common::real_model();
    let sandbox = Sandbox::new();
    with_library(&sandbox);
    let out = sandbox
        .alpha()
        .args(["parse", "could you make sure my files get saved somewhere tonight", "--json"])
        .env("ALPHA_LLM_BASE_URL", &url)
        .env("ALPHA_LLM_TIMEOUT", "240")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let parsed: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(parsed["source"], "llm", "{parsed}");
    let intents = [
        "run",
        "list",
        "show",
        "edit",
        "delete",
        "history",
        "export",
        "unschedule",
        "schedule",
        "create",
        "import",
        "validate",
        "suggest",
        "help",
        "quit",
        "unknown",
    ];
    assert!(intents.contains(&parsed["intent"].as_str().unwrap()), "{parsed}");
    if let Some(workflow) = parsed.get("workflow").and_then(Value::as_str) {
        assert_eq!(workflow, "Nightly Backup", "only saved workflows get through: {parsed}");
    }
}

#[test]
#[ignore = "needs the local model (scripts/local-llm, ALPHA_TEST_LLM_URL)"]
fn real_model_streams_an_answer_in_pieces() {
    let (url, _turn) = crate::common::real_model();
    let endpoint = alpha::config::Llm {
        base_url: url.trim_end_matches('/').to_string(),
        model: "local".into(),
        api_key: None,
        tools: Some(false),
    };
    let mut pieces = 0;
    let answer = alpha::llm::stream_chat(&endpoint, "Answer briefly.", "What is a cron expression?", |_| pieces += 1)
        .expect("streamed answer");
    assert!(pieces > 1, "the answer arrived in {pieces} piece(s)");
    assert!(!answer.trim().is_empty());
}

#[test]
#[ignore = "needs the local model (scripts/local-llm, ALPHA_TEST_LLM_URL)"]
fn shell_answers_questions_by_streaming_from_the_real_model() {
    let (url, _turn) = crate::common::real_model();
    let sandbox = Sandbox::new();
    let out = sandbox
        .alpha()
        .env("ALPHA_LLM_BASE_URL", &url)
        .env("ALPHA_LLM_TIMEOUT", "240")
        .write_stdin("what is a cron expression?\n")
        .output()
        .unwrap();
    assert!(!stdout(&out).trim().is_empty(), "{}", stderr(&out));
}

/// A library of one workflow that has run once, and a chat against the real model.
struct RealChat {
    sandbox: Sandbox,
    url: String,
    _turn: std::sync::MutexGuard<'static, ()>,
}

impl RealChat {
    fn new() -> RealChat {
        let (url, turn) = crate::common::real_model();
        let sandbox = Sandbox::new();
        sandbox.save(
            "nightly.yaml",
            "name: Nightly Backup\ndescription: Copies my files\nsteps:\n  - { id: copy, tool: shell, action: run, parameters: { command: \"touch ran-by-the-chat\" } }\n",
        );
        assert!(sandbox.run(&["workflow", "run", "Nightly Backup"]).status.success());
        std::fs::remove_file(sandbox.path().join("ran-by-the-chat")).unwrap();
        RealChat { sandbox, url, _turn: turn }
    }

    /// The chat's output for these lines (piped, as a script would type them).
    fn say(&self, lines: &str) -> String {
        let out = self
            .sandbox
            .alpha()
            .env("ALPHA_LLM_BASE_URL", &self.url)
            .env("ALPHA_LLM_TIMEOUT", "240")
            .write_stdin(lines.to_string())
            .output()
            .unwrap();
        format!("{}{}", stdout(&out), stderr(&out))
    }

    fn ran(&self) -> bool {
        self.sandbox.path().join("ran-by-the-chat").exists()
    }

    fn runs(&self) -> usize {
        let runs: Value = serde_json::from_slice(&self.sandbox.run(&["workflow", "history", "--json"]).stdout).unwrap();
        runs.as_array().map_or(0, Vec::len)
    }
}

/// The local server runs with no prompt cache at temperature 0, so a line gets the same reading
/// on every run: these lines are ones the grammar leaves to the model.
#[test]
#[ignore = "needs the local model (scripts/local-llm, ALPHA_TEST_LLM_URL)"]
fn real_model_lists_workflows_by_calling_alphas_list_command() {
    let chat = RealChat::new();
    let text = chat.say("which automations do I keep around\n");
    assert!(text.contains("(list workflows)"), "the model's reading is shown: {text}");
    assert!(text.contains("Nightly Backup"), "the listing comes from the library: {text}");
    assert!(!text.contains("Go ahead?"), "a read-only command runs without asking: {text}");
    assert!(!chat.ran());
    // The server ignores `tools` (SmolLM2's template has none): found out once and kept.
    let kept = std::fs::read_to_string(chat.sandbox.path().join("home").join("llm-endpoints.json")).unwrap();
    assert!(kept.contains(&format!("{} ", chat.url.trim_end_matches('/'))) && kept.contains("false"), "{kept}");
}

#[test]
#[ignore = "needs the local model (scripts/local-llm, ALPHA_TEST_LLM_URL)"]
fn real_model_answers_a_history_question_from_the_recorded_runs() {
    let chat = RealChat::new();
    let runs: Value = serde_json::from_slice(&chat.sandbox.run(&["workflow", "history", "--json"]).stdout).unwrap();
    let id = runs[0]["id"].as_str().unwrap()[..8].to_string();
    let text = chat.say("what does the history say\n");
    assert!(text.contains("(run history)"), "the model's reading is shown: {text}");
    assert!(text.contains(&id), "the answer is built on the recorded run {id}: {text}");
    assert!(!text.contains("Go ahead?"), "{text}");
    assert_eq!(chat.runs(), 1, "reading the history runs nothing");
}

#[test]
#[ignore = "needs the local model (scripts/local-llm, ALPHA_TEST_LLM_URL)"]
fn real_model_proposes_a_run_and_waits_for_yes() {
    let chat = RealChat::new();
    // A line the grammar doesn't read, so it goes to the model (if the grammar learns it, pick
    // another: this test is about the model's proposal).
    let parsed: Value =
        serde_json::from_slice(&chat.sandbox.run(&["parse", "let the nightly backup run", "--json"]).stdout).unwrap();
    assert_eq!(parsed["intent"], "unknown", "the grammar reads it now: {parsed}");
    let text = chat.say("let the nightly backup run\nno\n");
    assert!(text.contains("I understood: run 'Nightly Backup'"), "the proposal is shown resolved: {text}");
    assert!(text.contains("Go ahead? [y/N]"), "{text}");
    assert!(text.contains("nothing done"), "{text}");
    assert!(!chat.ran(), "nothing runs on no: {text}");
    assert_eq!(chat.runs(), 1);
    let text = chat.say("let the nightly backup run\nyes\n");
    assert!(chat.ran(), "it runs on yes: {text}");
    assert_eq!(chat.runs(), 2);
}
