//! `alpha workflow run` with real processes, a real HTTP server and a real database.

use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::Duration;

use serde_json::Value;

use crate::common::{Sandbox, eventually, stderr, stdout};

fn events(output: &std::process::Output) -> Vec<Value> {
    stdout(output).lines().filter_map(|l| serde_json::from_str(l).ok()).collect()
}

fn run_file(sandbox: &Sandbox, yaml: &str, extra: &[&str]) -> std::process::Output {
    let path = sandbox.write("wf.yaml", yaml);
    let mut args = vec!["workflow", "run", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    sandbox.run(&args)
}

#[test]
fn sequential_steps_run_in_order_and_pass_outputs() {
    let sandbox = Sandbox::new();
    let out = run_file(
        &sandbox,
        "name: Seq\nsteps:\n  - { id: one, name: First, tool: shell, action: run, parameters: { command: echo 1 } }\n  - { id: two, name: Second, tool: shell, action: run, parameters: { command: \"echo {{ one.output }}2\" } }\noutputs:\n  joined: \"{{ two.output }}\"\n",
        &[],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    let first = text.find("✓ Step 1/2: First").expect(&text);
    let second = text.find("✓ Step 2/2: Second").expect(&text);
    assert!(first < second);
    assert!(text.contains("Workflow completed successfully in"), "{text}");
    assert!(text.contains("joined: 12"), "{text}");
}

#[test]
fn scenario_5_parallel_group_overlaps_and_results_merge() {
    let sandbox = Sandbox::new();
    let yaml = "name: Par\nsteps:\n  - parallel:\n      - { id: a, tool: shell, action: run, parameters: { command: \"s=$(date +%s%N); sleep 0.4; echo $s $(date +%s%N)\" } }\n      - { id: b, tool: shell, action: run, parameters: { command: \"s=$(date +%s%N); sleep 0.4; echo $s $(date +%s%N)\" } }\n  - { id: merge, tool: shell, action: run, parameters: { command: \"echo {{ a.output }} {{ b.output }}\" } }\noutputs:\n  merged: \"{{ merge.output }}\"\n";
    let out = run_file(&sandbox, yaml, &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let finished = events(&out).into_iter().find(|e| e["event"] == "run_finished").unwrap();
    let merged: Vec<u128> =
        finished["outputs"]["merged"].as_str().unwrap().split_whitespace().map(|n| n.parse().unwrap()).collect();
    let (a_start, a_end, b_start, b_end) = (merged[0], merged[1], merged[2], merged[3]);
    assert!(a_start < b_end && b_start < a_end, "the two steps overlap in time: {merged:?}");
}

#[test]
fn dag_mode_starts_independent_steps_together() {
    let sandbox = Sandbox::new();
    let yaml = "name: Dag\nexecution: { mode: dag }\nsteps:\n  - { id: report, tool: shell, action: run, parameters: { command: \"echo {{ a.output }} {{ b.output }}\" } }\n  - { id: a, tool: shell, action: run, parameters: { command: \"sleep 0.3; date +%s%N\" } }\n  - { id: b, tool: shell, action: run, parameters: { command: \"date +%s%N; sleep 0.3\" } }\noutputs:\n  r: \"{{ report.output }}\"\n";
    let out = run_file(&sandbox, yaml, &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let evs = events(&out);
    let order: Vec<String> =
        evs.iter().filter(|e| e["event"] == "step_finished").map(|e| e["id"].as_str().unwrap().to_string()).collect();
    assert_eq!(order.last().map(String::as_str), Some("report"), "report waits for a and b: {order:?}");
    let r = evs.iter().find(|e| e["event"] == "run_finished").unwrap()["outputs"]["r"].as_str().unwrap().to_string();
    let times: Vec<u128> = r.split_whitespace().map(|n| n.parse().unwrap()).collect();
    // b printed its time at its start; a printed at its end: a's end comes after b's start.
    assert!(times[0] > times[1], "a and b ran at the same time: {r}");
}

#[test]
fn hostile_parameter_values_are_data_not_shell() {
    let sandbox = Sandbox::new();
    let marker = sandbox.path().join("pwned");
    let m = marker.display().to_string();
    let hostile = [
        format!("x; touch {m}"),
        format!("$(touch {m})"),
        format!("`touch {m}`"),
        format!("a && touch {m}"),
        format!("a || touch {m}"),
        format!("a | touch {m}"),
        format!("'; touch {m}; '"),
        format!("\"; touch {m}; \""),
        format!("a\ntouch {m}"),
        format!("> {m}"),
        format!("< /etc/passwd > {m}"),
        "${HOME}".to_string(),
        "$HOME".to_string(),
        "*".to_string(),
        "~".to_string(),
        "a b   c".to_string(),
        "-rf".to_string(),
        "--help".to_string(),
        "\\".to_string(),
        "'".to_string(),
        "\"".to_string(),
        "!!".to_string(),
        "#comment".to_string(),
        "ünïcödé ✓".to_string(),
        "".to_string(),
    ];
    let yaml = "name: Quote\nparameters:\n  v: { type: string }\nsteps:\n  - { id: echo, tool: shell, action: run, parameters: { command: \"printf '%s' {{ v }}\" } }\noutputs:\n  got: \"{{ echo.stdout }}\"\n";
    for value in &hostile {
        let arg = format!("v={value}");
        let out = run_file(&sandbox, yaml, &["--json", &arg]);
        assert_eq!(out.status.code(), Some(0), "{value:?}: {}", stderr(&out));
        let finished = events(&out).into_iter().find(|e| e["event"] == "run_finished").unwrap();
        assert_eq!(finished["outputs"]["got"].as_str().unwrap(), value, "value came through unchanged");
        assert!(!marker.exists(), "{value:?} was executed");
    }
}

#[test]
fn branches_and_conditions_skip_and_record() {
    let sandbox = Sandbox::new();
    let yaml = "name: Branch\nparameters:\n  target_env: { type: string, default: staging }\nsteps:\n  - { id: test, tool: shell, action: run, parameters: { command: \"exit 1\" }, on_error: log_and_continue }\n  - id: gate\n    if: \"{{ test.exit_code == 0 }}\"\n    then:\n      - { id: deploy, name: Deploy, tool: shell, action: run, parameters: { command: echo deploy } }\n    else:\n      - { id: alert, name: Alert, tool: shell, action: run, parameters: { command: echo alert } }\n  - { id: announce, name: Announce, tool: shell, action: run, if: \"deploy.status == 'success'\", parameters: { command: echo hi } }\n";
    let out = run_file(&sandbox, yaml, &[]);
    assert_eq!(out.status.code(), Some(1), "the test step failed and the run went on: partial {}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Workflow completed with 1 failed step"), "{text}");
    assert!(text.contains("↷ Step 2/4: Deploy (skipped: condition false)"), "{text}");
    assert!(text.contains("✓ Step 3/4: Alert"), "{text}");
    assert!(text.contains("↷ Step 4/4: Announce (skipped: condition false)"), "{text}");
    let history: Value = serde_json::from_slice(&sandbox.run(&["workflow", "history", "--json"]).stdout).unwrap();
    let run_id = history[0]["id"].as_str().unwrap().to_string();
    let details: Value =
        serde_json::from_slice(&sandbox.run(&["workflow", "history", "--run", &run_id, "--json"]).stdout).unwrap();
    let statuses: Vec<(String, String)> = details["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step_id"].as_str().unwrap().to_string(), s["status"].as_str().unwrap().to_string()))
        .collect();
    assert!(statuses.contains(&("deploy".into(), "skipped".into())), "{statuses:?}");
    assert!(statuses.contains(&("announce".into(), "skipped".into())), "{statuses:?}");
    assert!(statuses.contains(&("test".into(), "failed".into())), "{statuses:?}");
}

#[test]
fn scenario_4_retry_then_success_counts_attempts_and_backoff() {
    let sandbox = Sandbox::new();
    let yaml = "name: Retry\nsteps:\n  - id: flaky\n    tool: shell\n    action: run\n    parameters: { command: \"n=$(cat count 2>/dev/null || echo 0); n=$((n+1)); echo $n > count; [ $n -ge 3 ]\" }\n    on_error: retry\n    retry: { max_attempts: 4, backoff: exponential, delay: 50ms }\n";
    let out = run_file(&sandbox, yaml, &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let evs = events(&out);
    let delays: Vec<u64> =
        evs.iter().filter(|e| e["event"] == "step_retrying").map(|e| e["delay_ms"].as_u64().unwrap()).collect();
    assert_eq!(delays, [50, 100], "exponential backoff");
    let finished = evs.iter().find(|e| e["event"] == "step_finished").unwrap();
    assert_eq!(finished["attempts"], 3);
    assert_eq!(std::fs::read_to_string(sandbox.path().join("count")).unwrap().trim(), "3");
}

#[test]
fn scenario_4_retry_exhausted_aborts_and_records_failure() {
    let sandbox = Sandbox::new();
    let yaml = "name: Abort\nsteps:\n  - { id: bad, name: Always Fails, tool: shell, action: run, parameters: { command: \"echo boom >&2; exit 7\" }, on_error: retry, retry: { max_attempts: 3, backoff: fixed, delay: 10ms } }\n  - { id: never, tool: shell, action: run, parameters: { command: touch never } }\n";
    let out = run_file(&sandbox, yaml, &[]);
    assert_eq!(out.status.code(), Some(1));
    let text = stdout(&out);
    assert_eq!(text.matches("↻ Step 1/2: Always Fails: retry").count(), 2, "{text}");
    assert!(text.contains("✗ Step 1/2: Always Fails"), "{text}");
    assert!(text.contains("boom"), "stderr tail shown: {text}");
    assert!(text.contains("Workflow failed"), "{text}");
    assert!(!sandbox.path().join("never").exists(), "later steps don't run after abort");
    let history: Value = serde_json::from_slice(&sandbox.run(&["workflow", "history", "--json"]).stdout).unwrap();
    assert_eq!(history[0]["status"], "failed");
    assert!(history[0]["error"].as_str().unwrap().contains("exited with code 7"));
    let details: Value = serde_json::from_slice(
        &sandbox.run(&["workflow", "history", "--run", history[0]["id"].as_str().unwrap(), "--json"]).stdout,
    )
    .unwrap();
    assert_eq!(details["steps"].as_array().unwrap().len(), 3, "one record per attempt");
}

#[test]
fn retry_on_limits_which_failures_are_retried_and_then_applies() {
    let sandbox = Sandbox::new();
    let yaml = "name: RetryOn\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: \"exit 2\" }, on_error: retry, retry: { max_attempts: 5, delay: 10ms, retry_on: [75], then: log_and_continue } }\n  - { id: b, tool: shell, action: run, parameters: { command: \"echo {{ a.status }} {{ a.attempts }}\" } }\noutputs:\n  b: \"{{ b.output }}\"\n";
    let out = run_file(&sandbox, yaml, &["--json"]);
    assert_eq!(out.status.code(), Some(1), "`then: log_and_continue` makes the run partial: {}", stderr(&out));
    let finished = events(&out).into_iter().find(|e| e["event"] == "run_finished").unwrap();
    assert_eq!(finished["status"], "partial");
    assert_eq!(finished["outputs"]["b"], "failed 1", "exit 2 is not in retry_on, so one attempt");
}

#[test]
fn fallback_recovers_or_fails() {
    let sandbox = Sandbox::new();
    let ok = "name: Fb\nsteps:\n  - { id: main, name: Main, tool: shell, action: run, parameters: { command: \"exit 1\" }, on_error: fallback, fallback: { tool: shell, action: run, parameters: { command: echo backup } } }\noutputs:\n  out: \"{{ main.output }} {{ main.status }}\"\n";
    let out = run_file(&sandbox, ok, &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let finished = events(&out).into_iter().find(|e| e["event"] == "run_finished").unwrap();
    assert_eq!(finished["outputs"]["out"], "backup recovered");
    let bad = ok.replace("echo backup", "exit 9");
    let out = run_file(&sandbox, &bad, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("fallback failed too"), "{}", stdout(&out));
}

#[test]
fn skip_strategy_marks_the_step_skipped() {
    let sandbox = Sandbox::new();
    let yaml = "name: Skip\nsteps:\n  - { id: a, name: Optional, tool: shell, action: run, parameters: { command: \"exit 1\" }, on_error: skip }\n  - { id: b, tool: shell, action: run, parameters: { command: \"echo {{ a.status }}\" } }\noutputs:\n  b: \"{{ b.output }}\"\n";
    let out = run_file(&sandbox, yaml, &[]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("↷ Step 1/2: Optional (skipped: after error"), "{}", stdout(&out));
    assert!(stdout(&out).contains("b: skipped"), "{}", stdout(&out));
}

fn pid_alive(pid: i32) -> bool {
    std::path::Path::new(&format!("/proc/{pid}")).exists()
        && !std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default().contains(") Z ")
}

#[test]
fn timeout_kills_the_whole_process_group() {
    let sandbox = Sandbox::new();
    let yaml = "name: Slow\nsteps:\n  - { id: slow, tool: shell, action: run, parameters: { command: \"sleep 30 & echo $! > grandchild; wait\" }, timeout: 300ms }\n";
    let out = run_file(&sandbox, yaml, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("timed out after 300ms"), "{}", stdout(&out));
    let pid: i32 = std::fs::read_to_string(sandbox.path().join("grandchild")).unwrap().trim().parse().unwrap();
    assert!(eventually(Duration::from_secs(5), || !pid_alive(pid)), "grandchild {pid} survived the timeout");
}

#[test]
fn sigint_interrupts_records_and_exits_130() {
    let sandbox = Sandbox::new();
    let path = sandbox.write("wf.yaml", "name: Long\nsteps:\n  - { id: wait, tool: shell, action: run, parameters: { command: \"sleep 30 & echo $! > grandchild; wait\" } }\n");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_alpha"))
        .args(["workflow", "run", path.to_str().unwrap()])
        .current_dir(sandbox.path())
        .env("ALPHA_HOME", sandbox.path().join("home"))
        .env("NO_COLOR", "1")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let grandchild = sandbox.path().join("grandchild");
    eventually(Duration::from_secs(5), || std::fs::read_to_string(&grandchild).is_ok_and(|t| !t.trim().is_empty()));
    // SAFETY: sending SIGINT to our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(130));
    let pid: i32 = std::fs::read_to_string(&grandchild).unwrap().trim().parse().unwrap();
    assert!(eventually(Duration::from_secs(5), || !pid_alive(pid)), "children are killed on Ctrl-C");
    let history: Value = serde_json::from_slice(&sandbox.run(&["workflow", "history", "--json"]).stdout).unwrap();
    assert_eq!(history[0]["status"], "interrupted");
}

/// A one-shot HTTP server on 127.0.0.1 answering every request with `status` and `body`.
fn http_server(status: u16, body: &'static str, requests: usize) -> (String, std::thread::JoinHandle<Vec<String>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let mut seen = Vec::new();
        for stream in listener.incoming().take(requests) {
            let mut stream = stream.unwrap();
            stream.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
            let mut buf = vec![0u8; 65536];
            let n = stream.read(&mut buf).unwrap_or(0);
            seen.push(String::from_utf8_lossy(&buf[..n]).into_owned());
            let reply = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
                body.len()
            );
            let _ = stream.write_all(reply.as_bytes());
        }
        seen
    });
    (url, handle)
}

#[test]
fn http_tool_against_a_local_server() {
    let sandbox = Sandbox::new();
    let (url, server) = http_server(200, r#"{"state":"green","n":3}"#, 1);
    let yaml = format!(
        "name: Http\nsteps:\n  - {{ id: call, tool: http, action: post, parameters: {{ url: \"{url}/status\", headers: {{ X-Test: abc }}, json: {{ ping: true }} }} }}\noutputs:\n  state: \"{{{{ call.json.state }}}} {{{{ call.status_code }}}}\"\n"
    );
    let out = run_file(&sandbox, &yaml, &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let finished = events(&out).into_iter().find(|e| e["event"] == "run_finished").unwrap();
    assert_eq!(finished["outputs"]["state"], "green 200");
    let seen = server.join().unwrap();
    assert!(seen[0].starts_with("POST /status"), "{}", seen[0]);
    assert!(seen[0].to_lowercase().contains("x-test: abc"));
    assert!(seen[0].contains(r#"{"ping":true}"#));

    let (url, _server) = http_server(503, "down", 2);
    let yaml = format!(
        "name: Http5\nsteps:\n  - {{ id: call, tool: http, action: get, parameters: {{ url: \"{url}\" }}, on_error: retry, retry: {{ max_attempts: 2, delay: 10ms, retry_on: [http_5xx] }} }}\n"
    );
    let out = run_file(&sandbox, &yaml, &[]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("retry 2/2"), "{}", stdout(&out));
    assert!(stdout(&out).contains("answered 503"), "{}", stdout(&out));
}

#[test]
fn llm_tool_against_a_local_openai_compatible_server() {
    let sandbox = Sandbox::new();
    let (url, server) = http_server(
        200,
        r#"{"choices":[{"message":{"role":"assistant","content":"All quiet."},"finish_reason":"stop"}],"usage":{"total_tokens":5}}"#,
        1,
    );
    let yaml = "name: Llm\nsteps:\n  - { id: sum, tool: llm, action: summarize, parameters: { text: \"mail one\" } }\noutputs:\n  s: \"{{ sum.output }}\"\n";
    let path = sandbox.write("wf.yaml", yaml);
    let out = sandbox
        .alpha()
        .args(["workflow", "run", path.to_str().unwrap()])
        .env("ALPHA_LLM_BASE_URL", format!("{url}/v1"))
        .env("ALPHA_LLM_MODEL", "tiny")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("s: All quiet."), "{}", stdout(&out));
    let seen = server.join().unwrap();
    assert!(seen[0].starts_with("POST /v1/chat/completions"), "{}", seen[0]);
    assert!(seen[0].contains("mail one") && seen[0].contains("\"model\":\"tiny\""), "{}", seen[0]);

    let out = sandbox.run(&["workflow", "run", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("no LLM is configured"), "{}", stdout(&out));
}

/// Every step process carries its own run's id (what a crashed run's leftovers are found by),
/// whether it inherits alpha's environment (the run the command started) or is given it (a
/// sub-workflow's run, which has an id of its own).
#[test]
fn every_step_carries_the_id_of_its_own_run() {
    let sandbox = Sandbox::new();
    let child = sandbox.write("child.yaml", "name: Child\nsteps:\n  - { id: me, tool: shell, action: run, parameters: { command: printenv ALPHA_RUN_ID } }\noutputs:\n  rid: \"{{ me.output }}\"\n");
    assert_eq!(sandbox.run(&["workflow", "create", "--file", child.to_str().unwrap()]).status.code(), Some(0));
    let parent = "name: Parent\nsteps:\n  - { id: me, tool: shell, action: run, parameters: { command: printenv ALPHA_RUN_ID } }\n  - { id: sub, tool: workflow, action: run, parameters: { workflow: child } }\n  - { id: shelled, tool: shell, action: run, parameters: { command: 'echo \"$ALPHA_RUN_ID\"' } }\noutputs:\n  mine: \"{{ me.output }}\"\n  shelled: \"{{ shelled.output }}\"\n  child_run: \"{{ sub.run_id }}\"\n  child_saw: \"{{ sub.outputs.rid }}\"\n";
    let out = run_file(&sandbox, parent, &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    let finished = events(&out).into_iter().find(|e| e["event"] == "run_finished").expect("a run_finished event");
    let run_id = finished["run_id"].as_str().expect("a run id");
    let outputs = &finished["outputs"];
    assert_eq!(outputs["mine"], run_id, "{finished}");
    assert_eq!(outputs["shelled"], run_id, "{finished}");
    assert_ne!(outputs["child_run"], run_id, "{finished}");
    assert_eq!(outputs["child_saw"], outputs["child_run"], "{finished}");
}

#[test]
fn sub_workflows_run_and_cycles_are_refused() {
    let sandbox = Sandbox::new();
    let child = sandbox.write("child.yaml", "name: Child\nparameters:\n  who: { type: string, default: x }\nsteps:\n  - { id: hi, tool: shell, action: run, parameters: { command: \"echo hi {{ who }}\" } }\noutputs:\n  said: \"{{ hi.output }}\"\n");
    assert_eq!(sandbox.run(&["workflow", "create", "--file", child.to_str().unwrap()]).status.code(), Some(0));
    let parent = "name: Parent\nsteps:\n  - { id: sub, tool: workflow, action: run, parameters: { workflow: child, params: { who: bob } } }\noutputs:\n  said: \"{{ sub.outputs.said }}\"\n";
    let out = run_file(&sandbox, parent, &[]);
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("said: hi bob"), "{}", stdout(&out));

    let a = sandbox.write(
        "a.yaml",
        "name: Loop A\nsteps:\n  - { id: b, tool: workflow, action: run, parameters: { workflow: Loop B } }\n",
    );
    let b = sandbox.write(
        "b.yaml",
        "name: Loop B\nsteps:\n  - { id: a, tool: workflow, action: run, parameters: { workflow: Loop A } }\n",
    );
    for f in [&a, &b] {
        assert_eq!(sandbox.run(&["workflow", "create", "--file", f.to_str().unwrap()]).status.code(), Some(0));
    }
    let out = sandbox.run(&["workflow", "run", "Loop A"]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("workflow cycle: Loop A → Loop B → Loop A"), "{}", stdout(&out));
}

#[test]
fn external_tool_receives_json_and_answers_json() {
    let sandbox = Sandbox::new();
    let bin = sandbox.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let tool = bin.join("alpha-tool-greet");
    std::fs::write(&tool, "#!/bin/sh\nread req\nname=$(printf '%s' \"$req\" | sed 's/.*\"name\":\"\\([^\"]*\\)\".*/\\1/')\nprintf '{\"output\":\"hello %s\",\"count\":2}' \"$name\"\n").unwrap();
    let mut perms = std::fs::metadata(&tool).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&tool, perms).unwrap();
    let path = sandbox.write("wf.yaml", "name: Ext\nsteps:\n  - { id: g, tool: greet, action: say, parameters: { name: ann } }\noutputs:\n  o: \"{{ g.output }} {{ g.count }}\"\n");
    let path_env = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let out = sandbox.alpha().args(["workflow", "run", path.to_str().unwrap()]).env("PATH", path_env).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("o: hello ann 2"), "{}", stdout(&out));
}

#[test]
fn parameters_are_typed_required_and_secrets_are_redacted() {
    let sandbox = Sandbox::new();
    let yaml = "name: Params\nparameters:\n  n: { type: integer }\n  token: { type: secret }\n  env: { type: string, default: staging, enum: [staging, prod] }\nsteps:\n  - { id: s, tool: shell, action: run, parameters: { command: \"echo {{ n + 1 }} {{ token }}\" } }\noutputs:\n  o: \"{{ s.output }}\"\n";
    let yaml = yaml.replace("env:", "target:");
    let missing = run_file(&sandbox, &yaml, &["n=1"]);
    assert_eq!(missing.status.code(), Some(2));
    assert!(stderr(&missing).contains("missing required parameter `token`"), "{}", stderr(&missing));
    let wrong = run_file(&sandbox, &yaml, &["n=one", "token=x"]);
    assert_eq!(wrong.status.code(), Some(2));
    assert!(stderr(&wrong).contains("parameter `n`: expected a whole number"), "{}", stderr(&wrong));
    let bad_enum = run_file(&sandbox, &yaml, &["n=1", "token=x", "target=dev"]);
    assert_eq!(bad_enum.status.code(), Some(2));
    let ok = run_file(&sandbox, &yaml, &["n=41", "token=hunter2secret"]);
    assert_eq!(ok.status.code(), Some(0), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("o: 42 ***"), "{}", stdout(&ok));
    assert!(!stdout(&ok).contains("hunter2secret"));
    let db = std::fs::read(sandbox.db()).unwrap();
    let wal = std::fs::read(sandbox.db().with_extension("db-wal")).unwrap_or_default();
    for bytes in [db, wal] {
        assert!(!String::from_utf8_lossy(&bytes).contains("hunter2secret"), "the secret reached the database");
    }
}

#[test]
fn dry_run_prints_the_plan_and_runs_nothing() {
    let sandbox = Sandbox::new();
    let yaml = "name: Plan\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: touch ran } }\n  - parallel:\n      - { id: b, tool: shell, action: run, parameters: { command: echo b } }\n      - { id: c, tool: shell, action: run, parameters: { command: echo c } }\n";
    let out = run_file(&sandbox, yaml, &["--dry-run"]);
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    assert!(text.contains("1/3 a [shell run]: touch ran"), "{text}");
    assert!(text.contains("in parallel:"), "{text}");
    assert!(!sandbox.path().join("ran").exists());
}

#[test]
fn saved_workflow_runs_update_counts_and_list() {
    let sandbox = Sandbox::new();
    let path = sandbox.write(
        "w.yaml",
        "name: Counted\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: \"true\" } }\n",
    );
    sandbox.run(&["workflow", "create", "--file", path.to_str().unwrap()]);
    for _ in 0..2 {
        assert_eq!(sandbox.run(&["workflow", "run", "counted"]).status.code(), Some(0));
    }
    let list: Value = serde_json::from_slice(&sandbox.run(&["workflow", "list", "--json"]).stdout).unwrap();
    assert_eq!(list[0]["execution_count"], 2);
    assert_eq!(list[0]["last_status"], "completed");
    assert!(stdout(&sandbox.run(&["workflow", "list"])).contains("Last run: just now (success)"));
}

#[test]
fn graph_draws_the_plan_in_mermaid_and_dot() {
    let sandbox = Sandbox::new();
    let path = crate::common::root().join("tests/fixtures/workflows/valid/design-deploy-pipeline.yaml");
    let mermaid = stdout(&sandbox.run(&["workflow", "graph", path.to_str().unwrap()]));
    assert!(mermaid.starts_with("flowchart TD"), "{mermaid}");
    for edge in [
        "Start --> pull",
        "pull --> test",
        "pull --> lint",
        "test --> gate",
        "lint --> gate",
        "gate -->|yes| deploy",
        "gate -->|no| alert",
        "announce --> End",
    ] {
        assert!(mermaid.contains(edge), "missing `{edge}` in:\n{mermaid}");
    }
    let dag = crate::common::root().join("tests/fixtures/workflows/valid/dag-mode.yaml");
    let dot = stdout(&sandbox.run(&["workflow", "graph", dag.to_str().unwrap(), "--format", "dot"]));
    assert!(dot.starts_with("digraph \"Fan In\""), "{dot}");
    for edge in ["Start -> a;", "a -> b;", "a -> report;", "b -> report;", "report -> End;"] {
        assert!(dot.contains(edge), "missing `{edge}` in:\n{dot}");
    }
}

#[test]
fn verbose_streams_step_output() {
    let sandbox = Sandbox::new();
    let out = run_file(
        &sandbox,
        "name: Loud\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: \"echo line-one; echo line-two\" } }\n",
        &["--verbose"],
    );
    assert_eq!(out.status.code(), Some(0));
    let text = stdout(&out);
    let one = text.find("│ line-one").expect(&text);
    let done = text.find("✓ Step 1/1").expect(&text);
    assert!(one < done, "{text}");
}

#[test]
fn dry_run_shows_branches_groups_and_dag_dependencies() {
    let sandbox = Sandbox::new();
    let fixture = |name: &str| crate::common::root().join("tests/fixtures/workflows/valid").join(name);
    let deploy = stdout(&sandbox.run(&[
        "workflow",
        "run",
        fixture("design-deploy-pipeline.yaml").to_str().unwrap(),
        "--dry-run",
    ]));
    for line in [
        "Mode: sequential, at most 4 at once",
        "  in parallel:\n    2/6 test [shell run]: cargo test\n    3/6 lint [shell run]: cargo clippy",
        "  if test.exit_code == 0:\n    4/6 deploy [shell run]: ./deploy.sh staging\n  else:\n    5/6 alert [notification send]",
        "  api_token = null",
        "Nothing was run (dry run).",
    ] {
        assert!(deploy.contains(line), "{line:?} in {deploy}");
    }
    let dag = stdout(&sandbox.run(&["workflow", "run", fixture("dag-mode.yaml").to_str().unwrap(), "--dry-run"]));
    assert!(dag.contains("Mode: dag (each step starts when its dependencies are done), at most 2 at once"), "{dag}");
    assert!(dag.contains("1/3 report [shell run]: echo {{ a.output }} {{ b.output }}\n    after: a, b"), "{dag}");
    assert!(dag.contains("3/3 b [shell run]: echo b\n    after: a"), "{dag}");
    let dot = stdout(&sandbox.run(&[
        "workflow",
        "graph",
        fixture("design-deploy-pipeline.yaml").to_str().unwrap(),
        "--format",
        "dot",
    ]));
    assert!(dot.contains("gate [label=\"test.exit_code == 0\", shape=diamond];"), "{dot}");
    assert!(dot.contains("gate -> deploy [label=\"yes\"];") && dot.contains("gate -> alert [label=\"no\"];"), "{dot}");
}

#[test]
fn every_file_tool_action_does_what_it_says() {
    let sandbox = Sandbox::new();
    let yaml = r#"name: Files
steps:
  - { id: w, tool: file, action: write, parameters: { path: data/in/a.json, content: "{\"n\": 1}" } }
  - { id: ap, tool: file, action: append, parameters: { path: data/in/log.txt, content: "one\n" } }
  - { id: ap2, tool: file, action: append, parameters: { path: data/in/log.txt, content: "two\n" } }
  - { id: r, tool: file, action: read, parameters: { path: data/in/a.json } }
  - { id: cp, tool: file, action: copy, parameters: { from: data/in/log.txt, to: data/in/sub/copy.txt } }
  - { id: ls, tool: file, action: list, parameters: { path: data/in, pattern: "*.txt", recursive: true } }
  - { id: flat, tool: file, action: list, parameters: { path: data/in } }
  - { id: sum, tool: file, action: checksum, parameters: { path: data/in/log.txt } }
  - { id: pack, tool: file, action: archive, parameters: { source: data/in, destination: data/backup.tar.gz } }
  - { id: bad, tool: file, action: checksum, parameters: { path: data/in/log.txt, expected: "00ff" }, on_error: log_and_continue }
  - { id: rm, tool: file, action: delete, parameters: { path: data/in/a.json } }
  - { id: rm2, tool: file, action: delete, parameters: { path: data/in/a.json, missing_ok: true } }
  - { id: rm3, tool: file, action: delete, parameters: { path: data/in/a.json }, on_error: log_and_continue }
outputs:
  n: "{{ r.json.n }}"
  size: "{{ cp.size }}"
  txt: "{{ ls.count }}: {{ ls.files | join(',') }}"
  flat: "{{ flat.count }}"
  sum: "{{ sum.checksum }}"
  packed: "{{ pack.size > 0 }}"
  bad: "{{ bad.status }}: {{ bad.error }}"
  rm2: "{{ rm2.status }}"
  rm3: "{{ rm3.status }}"
"#;
    let out = run_file(&sandbox, yaml, &["--json"]);
    let text = format!("{}{}", stdout(&out), stderr(&out));
    assert_eq!(out.status.code(), Some(1), "two steps fail on purpose and the run goes on: {text}");
    let finished = events(&out).into_iter().find(|e| e["event"] == "run_finished").unwrap();
    assert_eq!(finished["status"], "partial", "{text}");
    let o = &finished["outputs"];
    assert_eq!(o["n"], 1, "read parses JSON: {o}");
    assert_eq!(o["size"], 8, "copy reports the bytes copied: {o}");
    assert_eq!(o["txt"], "2: data/in/log.txt,data/in/sub/copy.txt", "recursive list with a pattern: {o}");
    assert_eq!(o["flat"], 3, "a.json, log.txt and the sub folder: {o}");
    let expected = "c3f9c8c283a2b1f2f1896f27a01cbe3cddc0c9d93f752e4639035a0f5b36f6e8"; // sha256 of "one\ntwo\n"
    assert_eq!(o["sum"], expected, "{o}");
    assert_eq!(o["packed"], true, "{o}");
    assert_eq!(o["bad"], format!("failed: checksum of data/in/log.txt is {expected}, expected 00ff"), "{o}");
    assert_eq!(o["rm2"], "success", "{o}");
    assert_eq!(o["rm3"], "failed", "deleting a missing file without missing_ok fails: {o}");
    assert!(!sandbox.path().join("data/in/a.json").exists());
    let listing = std::process::Command::new("tar")
        .args(["tzf", "data/backup.tar.gz"])
        .current_dir(sandbox.path())
        .output()
        .unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    for name in ["log.txt", "sub/copy.txt", "a.json"] {
        assert!(listing.lines().any(|l| l.ends_with(name)), "{name} in the archive: {listing}");
    }
}

#[test]
fn a_run_timeout_stops_the_whole_run_and_records_it() {
    let sandbox = Sandbox::new();
    let yaml = "name: Slow Run\nexecution: { timeout: 500ms }\nsteps:\n  - { id: quick, tool: shell, action: run, parameters: { command: \"true\" } }\n  - { id: slow, tool: shell, action: run, parameters: { command: \"sleep 30\" } }\n  - { id: never, tool: shell, action: run, parameters: { command: \"touch never\" } }\n";
    let started = std::time::Instant::now();
    let out = run_file(&sandbox, yaml, &[]);
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    assert!(started.elapsed() < Duration::from_secs(20), "the run was not stopped");
    assert!(stdout(&out).contains("the run timed out after 500ms"), "{}", stdout(&out));
    assert!(!sandbox.path().join("never").exists());
    let history = stdout(&sandbox.run(&["workflow", "history"]));
    assert!(history.contains("Slow Run failed") && history.contains("the run timed out after 500ms"), "{history}");
}

#[test]
fn in_dag_mode_a_failure_stops_dependents_but_not_independent_steps() {
    let sandbox = Sandbox::new();
    let yaml = "name: Dag Fail\nexecution: { mode: dag }\nsteps:\n  - { id: build, tool: shell, action: run, parameters: { command: \"exit 3\" } }\n  - { id: docs, tool: shell, action: run, parameters: { command: \"sleep 0.2; touch docs-done\" } }\n  - { id: ship, tool: shell, action: run, parameters: { command: \"touch shipped {{ build.output }}\" } }\n";
    let out = run_file(&sandbox, yaml, &[]);
    let text = stdout(&out);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(text.contains("step `build` failed: exited with code 3"), "{text}");
    assert!(sandbox.path().join("docs-done").exists(), "an independent step runs to its end: {text}");
    assert!(!sandbox.path().join("shipped").exists(), "a dependent never starts: {text}");
}

#[test]
fn a_branch_not_taken_skips_everything_inside_it_and_array_parameters_render() {
    let sandbox = Sandbox::new();
    let yaml = r#"name: Nested
parameters:
  go: { type: boolean, default: false }
  dir: { type: string, default: notes }
steps:
  - { id: prep, tool: shell, action: run, parameters: { command: "mkdir -p notes && echo hi > notes/a.txt && echo yo > b.txt" } }
  - id: gate
    if: go
    then:
      - parallel:
          - { id: p1, tool: shell, action: run, parameters: { command: "touch p1" } }
          - { id: p2, tool: shell, action: run, parameters: { command: "touch p2" } }
      - id: inner
        if: "true"
        then:
          - { id: deep, tool: shell, action: run, parameters: { command: "touch deep" } }
  - { id: pack, tool: file, action: archive, parameters: { source: ["{{ dir }}/a.txt", "b.txt"], destination: out.tar.gz } }
outputs:
  states: "{{ [p1.status, p2.status, inner.status, deep.status] | join(' ') }}"
"#;
    let out = run_file(&sandbox, yaml, &["--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let finished = events(&out).into_iter().find(|e| e["event"] == "run_finished").unwrap();
    assert_eq!(finished["outputs"]["states"], "skipped skipped skipped skipped", "{finished}");
    for file in ["p1", "p2", "deep"] {
        assert!(!sandbox.path().join(file).exists(), "{file} ran");
    }
    let listing =
        std::process::Command::new("tar").args(["tzf", "out.tar.gz"]).current_dir(sandbox.path()).output().unwrap();
    let listing = String::from_utf8_lossy(&listing.stdout);
    assert!(listing.contains("a.txt") && listing.contains("b.txt"), "{listing}");
}
