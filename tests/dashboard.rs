//! The dashboard's JSON API over real HTTP on 127.0.0.1 (design.md §7b): the token, the reports,
//! a run started with parameters and followed over server-sent events to its end, cancel,
//! resume, the refusal of cross-site writes and foreign hosts, and hostile text escaped.

use std::io::{BufRead, BufReader};
use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::{Value, json};

use crate::common::{Sandbox, eventually, stdout};

/// A running `alpha serve` on a free port of 127.0.0.1, stopped (SIGTERM) when dropped.
pub struct Dashboard {
    child: Child,
    /// `http://127.0.0.1:PORT`
    pub base: String,
    /// The token it printed.
    pub token: String,
    runtime: tokio::runtime::Runtime,
    client: reqwest::Client,
}

/// An answer: status, headers, body text.
pub struct Answer {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
}

impl Answer {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.text))
    }
}

impl Dashboard {
    /// Starts the dashboard of `sandbox`'s library and waits for the line with its address.
    pub fn start(sandbox: &Sandbox) -> Dashboard {
        let mut child = sandbox
            .command()
            .args(["serve", "--port", "0"])
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start alpha serve");
        let mut lines = BufReader::new(child.stdout.take().expect("stdout"));
        let mut line = String::new();
        let _ = lines.read_line(&mut line);
        let Some(url) = line.trim().strip_prefix("alpha dashboard: ").map(str::to_string) else {
            let _ = child.kill();
            let _ = child.wait();
            panic!("alpha serve did not say where it listens: {line:?}");
        };
        let (base, token) = url.split_once("/?token=").expect("the URL carries the token");
        // Keep reading its stdout so it never blocks on a full pipe.
        std::thread::spawn(move || for _ in lines.lines() {});
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().expect("client");
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
        Dashboard { child, base: base.to_string(), token: token.to_string(), runtime, client }
    }

    /// The address a browser opens first.
    pub fn url(&self) -> String {
        format!("{}/?token={}", self.base, self.token)
    }

    /// Sends `request` and reads the whole answer.
    pub fn send(&self, request: reqwest::RequestBuilder) -> Answer {
        self.runtime.block_on(async {
            let response = request.send().await.expect("request");
            let status = response.status().as_u16();
            let headers = response.headers().clone();
            let text = response.text().await.expect("body");
            Answer { status, headers, text }
        })
    }

    /// A request with the bearer token.
    pub fn authed(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base)).bearer_auth(&self.token)
    }

    pub fn get(&self, path: &str) -> Answer {
        self.send(self.authed(reqwest::Method::GET, path))
    }

    pub fn post(&self, path: &str, body: Value) -> Answer {
        self.send(self.authed(reqwest::Method::POST, path).json(&body))
    }

    /// A request with no credentials at all.
    pub fn bare(&self, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.client.request(method, format!("{}{path}", self.base))
    }

    /// Follows a run's events to their end (or `limit`), returning them as (kind, data).
    pub fn events(&self, run_id: &str, limit: Duration) -> Vec<(String, Value)> {
        self.runtime.block_on(async {
            let mut response =
                self.authed(reqwest::Method::GET, &format!("/api/runs/{run_id}/events")).send().await.expect("events");
            assert_eq!(response.status().as_u16(), 200);
            assert!(
                response.headers()["content-type"].to_str().unwrap().starts_with("text/event-stream"),
                "{:?}",
                response.headers()
            );
            let mut buffer = String::new();
            let mut events = Vec::new();
            let deadline = tokio::time::Instant::now() + limit;
            loop {
                let chunk = tokio::time::timeout_at(deadline, response.chunk()).await;
                let Ok(Ok(Some(chunk))) = chunk else { break };
                buffer.push_str(&String::from_utf8_lossy(&chunk));
                while let Some(end) = buffer.find("\n\n") {
                    let message: String = buffer.drain(..end + 2).collect();
                    let kind = message.lines().find_map(|l| l.strip_prefix("event: ")).unwrap_or("").to_string();
                    let data = message.lines().find_map(|l| l.strip_prefix("data: "));
                    if let Some(data) = data {
                        events.push((kind, serde_json::from_str(data).expect("event JSON")));
                    }
                }
                if events.last().is_some_and(|(k, _)| k == "run_finished") {
                    break;
                }
            }
            events
        })
    }
}

impl Drop for Dashboard {
    fn drop(&mut self) {
        // SAFETY: signalling our own child by its pid.
        unsafe { libc::kill(self.child.id() as i32, libc::SIGTERM) };
        let _ = self.child.wait();
    }
}

/// Percent-encodes a path segment.
pub fn segment(text: &str) -> String {
    text.bytes()
        .map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") })
        .collect()
}

pub const DEPLOY: &str = r#"name: Deploy
description: Pull, check and ship
tags: [ci]
parameters:
  branch: {type: string, default: main}
  copies: {type: integer, default: 1}
  target: {type: string, enum: [staging, prod], default: staging}
  token: {type: secret, required: false}
steps:
  - id: pull
    tool: shell
    action: run
    parameters: {command: "echo pulling {{ params.branch }} x{{ params.copies }}"}
  - parallel:
      - {id: lint, tool: shell, action: run, parameters: {command: "echo lint ok"}}
      - {id: unit, tool: shell, action: run, parameters: {command: "echo unit ok"}}
  - id: ship
    tool: shell
    action: run
    parameters: {command: "echo shipped to {{ params.target }}"}
"#;

fn history_of(sandbox: &Sandbox, name: &str) -> Vec<Value> {
    let out = sandbox.run(&["workflow", "history", name, "--json"]);
    serde_json::from_str::<Value>(&stdout(&out)).map(|v| v.as_array().cloned().unwrap_or_default()).unwrap_or_default()
}

#[test]
fn every_request_needs_the_token_and_the_url_token_becomes_a_strict_cookie() {
    let sandbox = Sandbox::new();
    sandbox.save("deploy.yaml", DEPLOY);
    let web = Dashboard::start(&sandbox);
    for path in ["/api/workflows", "/", "/runs", "/assets/app.js"] {
        let answer = web.send(web.bare(reqwest::Method::GET, path));
        assert_eq!(answer.status, 401, "{path} without the token: {}", answer.text);
    }
    let wrong = web.send(web.bare(reqwest::Method::GET, "/api/workflows").bearer_auth("x".repeat(64)));
    assert_eq!(wrong.status, 401);
    assert!(wrong.json()["error"].as_str().unwrap().contains("token"), "{}", wrong.text);
    let listed = web.get("/api/workflows");
    assert_eq!(listed.status, 200);
    assert_eq!(listed.json()[0]["name"], "Deploy");
    assert!(listed.headers.get("access-control-allow-origin").is_none(), "no CORS");
    // The token in the URL, once: a cookie, and the same page without the token.
    let first = web.send(web.bare(reqwest::Method::GET, &format!("/runs?status=failed&token={}", web.token)));
    assert_eq!(first.status, 303);
    assert_eq!(first.headers["location"], "/runs?status=failed");
    let cookie = first.headers["set-cookie"].to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    let pair = cookie.split(';').next().unwrap().to_string();
    let page = web.send(web.bare(reqwest::Method::GET, "/").header("cookie", &pair));
    assert_eq!(page.status, 200);
    assert!(page.text.contains("Deploy"), "{}", page.text);
    assert!(page.headers["content-security-policy"].to_str().unwrap().contains("script-src 'self'"));
    // A generated token is kept readable by its owner only.
    use std::os::unix::fs::PermissionsExt;
    let file = sandbox.path().join("home/web-token");
    assert_eq!(std::fs::read_to_string(&file).unwrap().trim(), web.token);
    assert_eq!(std::fs::metadata(&file).unwrap().permissions().mode() & 0o777, 0o600);
}

#[test]
fn a_run_started_over_the_api_with_parameters_is_followed_to_its_end_over_sse() {
    let sandbox = Sandbox::new();
    sandbox.save("deploy.yaml", DEPLOY);
    let web = Dashboard::start(&sandbox);
    let shown = web.get("/api/workflows/Deploy").json();
    assert_eq!(shown["definition"]["parameters"]["copies"]["type"], "integer");
    let started = web.post(
        "/api/workflows/Deploy/runs",
        json!({"params": {"branch": "feature/x", "copies": 3, "target": "prod", "token": "s3cr3t-value-1"}}),
    );
    assert_eq!(started.status, 202, "{}", started.text);
    let run_id = started.json()["run_id"].as_str().unwrap().to_string();
    let events = web.events(&run_id, Duration::from_secs(30));
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"run_started"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"run_finished"), "{kinds:?}");
    assert_eq!(events.last().unwrap().1["status"], "completed");
    let lines: Vec<&str> =
        events.iter().filter(|(k, _)| k == "step_output").filter_map(|(_, d)| d["line"].as_str()).collect();
    assert!(lines.contains(&"pulling feature/x x3") && lines.contains(&"shipped to prod"), "{lines:?}");
    let finished: Vec<&str> =
        events.iter().filter(|(k, _)| k == "step_finished").filter_map(|(_, d)| d["id"].as_str()).collect();
    assert_eq!(finished.len(), 4, "{finished:?}");
    // Recorded like any run, the secret masked.
    let details = web.get(&format!("/api/runs/{run_id}")).json();
    assert_eq!(details["run"]["status"], "completed");
    assert_eq!(details["run"]["parameters"]["branch"], "feature/x");
    assert_ne!(details["run"]["parameters"]["token"], "s3cr3t-value-1");
    assert_eq!(details["steps"].as_array().unwrap().len(), 4);
    let db = String::from_utf8_lossy(&std::fs::read(sandbox.db()).unwrap()).into_owned();
    assert!(!db.contains("s3cr3t-value-1"), "a secret from the run form reached the database");
    assert_eq!(history_of(&sandbox, "Deploy")[0]["trigger"], "dashboard");
    // A finished run's events come from the record, ending the same way.
    let replay = web.events(&run_id, Duration::from_secs(10));
    assert_eq!(replay.last().unwrap().1["status"], "completed");
    assert_eq!(replay.iter().filter(|(k, _)| k == "step_finished").count(), 4);
    // The grid has the run with each step's status.
    let grid = web.get("/api/runs?workflow=Deploy").json();
    assert_eq!(grid["rows"][0]["run"]["id"], run_id.as_str());
    assert_eq!(grid["rows"][0]["cells"]["ship"], "success");
    assert_eq!(grid["steps"], json!(["pull", "lint", "unit", "ship"]));
}

#[test]
fn a_run_refused_for_its_parameters_is_a_400_and_still_recorded() {
    let sandbox = Sandbox::new();
    sandbox.save("deploy.yaml", DEPLOY);
    let web = Dashboard::start(&sandbox);
    let refused = web.post("/api/workflows/Deploy/runs", json!({"params": {"copies": "many"}}));
    assert_eq!(refused.status, 400, "{}", refused.text);
    assert!(refused.json()["error"].as_str().unwrap().contains("copies"), "{}", refused.text);
    let runs = history_of(&sandbox, "Deploy");
    assert_eq!(runs.len(), 1, "{runs:?}");
    assert_eq!(runs[0]["status"], "failed");
    let missing = web.post("/api/workflows/Nope/runs", json!({}));
    assert_eq!(missing.status, 404, "{}", missing.text);
    assert_eq!(web.get("/api/runs/ffffffff").status, 404);
    assert_eq!(web.get("/api/nothing-here").status, 404);
}

#[test]
fn a_long_run_is_cancelled_from_the_api_and_recorded_interrupted() {
    let sandbox = Sandbox::new();
    sandbox.save(
        "slow.yaml",
        "name: Slow\nsteps:\n  - {id: wait, tool: shell, action: run, parameters: {command: \"echo waiting; sleep 60\"}}\n  - {id: after, tool: shell, action: run, parameters: {command: \"echo never\"}}\n",
    );
    let web = Dashboard::start(&sandbox);
    let run_id = web.post("/api/workflows/Slow/runs", json!({})).json()["run_id"].as_str().unwrap().to_string();
    assert!(
        eventually(Duration::from_secs(10), || web.get(&format!("/api/runs/{run_id}")).json()["run"]["status"]
            == "running"),
        "the run never showed as running"
    );
    let cancelled = web.post(&format!("/api/runs/{run_id}/cancel"), json!({}));
    assert_eq!(cancelled.status, 202, "{}", cancelled.text);
    let events = web.events(&run_id, Duration::from_secs(20));
    assert_eq!(
        events.last().map(|(k, d)| (k.as_str(), d["status"].clone())),
        Some(("run_finished", json!("interrupted")))
    );
    let details = web.get(&format!("/api/runs/{run_id}")).json();
    assert_eq!(details["run"]["status"], "interrupted");
    assert!(details["steps"].as_array().unwrap().iter().all(|s| s["step_id"] != "after"), "{details}");
    // Cancelling what isn't running says so.
    assert_eq!(web.post(&format!("/api/runs/{run_id}/cancel"), json!({})).status, 400);
}

#[test]
fn a_failed_run_is_resumed_from_the_api_from_its_first_unfinished_step() {
    let sandbox = Sandbox::new();
    sandbox.save(
        "flaky.yaml",
        "name: Flaky\nsteps:\n  - {id: prepare, tool: shell, action: run, parameters: {command: \"echo prepared >> prepared.log\"}}\n  - {id: check, tool: shell, action: run, parameters: {command: \"test -f ready || { echo not ready >&2; exit 3; }\"}}\n  - {id: finish, tool: shell, action: run, parameters: {command: \"echo finished\"}}\n",
    );
    let web = Dashboard::start(&sandbox);
    let first = web.post("/api/workflows/Flaky/runs", json!({})).json()["run_id"].as_str().unwrap().to_string();
    let events = web.events(&first, Duration::from_secs(20));
    assert_eq!(events.last().unwrap().1["status"], "failed");
    let failed = web.get(&format!("/api/runs/{first}")).json();
    let check = failed["steps"].as_array().unwrap().iter().find(|s| s["step_id"] == "check").cloned().unwrap();
    assert_eq!(check["exit_code"], 3);
    std::fs::write(sandbox.path().join("ready"), "").unwrap();
    let resumed = web.post(&format!("/api/runs/{first}/resume"), json!({}));
    assert_eq!(resumed.status, 202, "{}", resumed.text);
    let second = resumed.json()["run_id"].as_str().unwrap().to_string();
    assert_ne!(second, first);
    let events = web.events(&second, Duration::from_secs(20));
    assert_eq!(events.last().unwrap().1["status"], "completed", "{events:?}");
    let details = web.get(&format!("/api/runs/{second}")).json();
    let statuses: Vec<(String, String)> = details["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["step_id"].as_str().unwrap().to_string(), s["status"].as_str().unwrap().to_string()))
        .collect();
    assert_eq!(statuses[0], ("prepare".into(), "carried".into()), "{statuses:?}");
    let prepared = std::fs::read_to_string(sandbox.path().join("prepared.log")).unwrap();
    assert_eq!(prepared.lines().count(), 1, "a finished step ran again");
    assert_eq!(
        web.post(&format!("/api/runs/{second}/resume"), json!({})).status,
        400,
        "a completed run can't be resumed"
    );
}

#[test]
fn writes_from_another_site_or_to_another_host_are_refused_and_start_nothing() {
    let sandbox = Sandbox::new();
    sandbox.save("deploy.yaml", DEPLOY);
    let web = Dashboard::start(&sandbox);
    let cookie = format!("alpha_token={}", web.token);
    let path = "/api/workflows/Deploy/runs";
    let from_evil = web.send(
        web.bare(reqwest::Method::POST, path)
            .header("cookie", &cookie)
            .header("origin", "http://evil.example")
            .json(&json!({})),
    );
    assert_eq!(from_evil.status, 403, "{}", from_evil.text);
    let bearer_evil =
        web.send(web.authed(reqwest::Method::POST, path).header("origin", "http://evil.example").json(&json!({})));
    assert_eq!(bearer_evil.status, 403);
    let cookie_no_origin = web.send(web.bare(reqwest::Method::POST, path).header("cookie", &cookie).json(&json!({})));
    assert_eq!(cookie_no_origin.status, 403, "a cookie write must say where it comes from");
    let cross_site = web.send(
        web.bare(reqwest::Method::POST, path)
            .header("cookie", &cookie)
            .header("origin", web.base.as_str())
            .header("sec-fetch-site", "cross-site")
            .json(&json!({})),
    );
    assert_eq!(cross_site.status, 403);
    let rebound = web.send(web.authed(reqwest::Method::GET, "/api/workflows").header("host", "attacker.example:80"));
    assert_eq!(rebound.status, 421, "a foreign Host (DNS rebinding) is refused");
    assert!(history_of(&sandbox, "Deploy").is_empty(), "a refused write started a run");
    // The same write from the dashboard's own page goes through.
    let own = web.send(
        web.bare(reqwest::Method::POST, path)
            .header("cookie", &cookie)
            .header("origin", web.base.as_str())
            .json(&json!({})),
    );
    assert_eq!(own.status, 202, "{}", own.text);
}

#[test]
fn hostile_names_and_outputs_are_escaped_on_every_page() {
    let sandbox = Sandbox::new();
    let name = "<img src=x onerror=alert(1)>";
    sandbox.save(
        "hostile.yaml",
        &format!(
            "name: \"{name}\"\ndescription: \"<b>bold</b> & co\"\ntags: [\"<i>t</i>\"]\nsteps:\n  - {{id: shout, tool: shell, action: run, parameters: {{command: \"echo '<script>alert(2)</script>'; echo '</pre><h1>x</h1>' >&2; exit 1\"}}}}\n"
        ),
    );
    let web = Dashboard::start(&sandbox);
    let run_id = web.post(&format!("/api/workflows/{}/runs", segment(name)), json!({})).json()["run_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(web.events(&run_id, Duration::from_secs(20)).last().unwrap().1["status"], "failed");
    let pages = [
        "/".to_string(),
        format!("/workflows/{}", segment(name)),
        "/runs".to_string(),
        format!("/runs/{run_id}"),
        "/schedules".to_string(),
    ];
    for page in &pages {
        let answer = web.get(page);
        assert_eq!(answer.status, 200, "{page}");
        for raw in ["<img src=x", "<script>alert", "<b>bold", "<i>t</i>", "</pre><h1>"] {
            assert!(!answer.text.contains(raw), "{page} has unescaped {raw}");
        }
    }
    let run_page = web.get(&format!("/runs/{run_id}")).text;
    assert!(run_page.contains("&lt;script&gt;alert(2)&lt;/script&gt;"), "the output is shown as text");
    assert!(run_page.contains("&lt;/pre&gt;&lt;h1&gt;x&lt;/h1&gt;"), "stderr is shown as text");
    assert!(web.get("/").text.contains("&lt;img src=x onerror=alert(1)&gt;"));
}

#[test]
fn schedules_are_listed_paused_resumed_and_removed_from_the_api() {
    let sandbox = Sandbox::new();
    sandbox.save("deploy.yaml", DEPLOY);
    let out = sandbox.run(&["workflow", "schedule", "Deploy", "every day at 9am", "branch=release"]);
    assert_eq!(out.status.code(), Some(0), "{}", crate::common::stderr(&out));
    let web = Dashboard::start(&sandbox);
    let listed = web.get("/api/schedules").json();
    assert_eq!(listed[0]["workflow"], "Deploy");
    assert_eq!(listed[0]["parameters"]["branch"], "release");
    assert!(listed[0]["next_fire"].is_string());
    let page = web.get("/schedules").text;
    assert_eq!(page.matches("class=\"fire\"").count(), 3, "the next three fires: {page}");
    let paused = web.post("/api/schedules/Deploy/pause", json!({}));
    assert_eq!(paused.json()["changed"], 1, "{}", paused.text);
    let listed = web.get("/api/schedules").json();
    assert_eq!((listed[0]["paused"].clone(), listed[0]["next_fire"].clone()), (json!(true), Value::Null));
    let page = web.get("/schedules").text;
    assert!(page.contains("data-paused=\"yes\"") && page.contains("/api/schedules/Deploy/resume"), "{page}");
    assert_eq!(web.post("/api/schedules/Deploy/resume", json!({})).json()["changed"], 1);
    assert_eq!(web.get("/api/schedules").json()[0]["paused"], false);
    let removed = web.post("/api/schedules/Deploy/remove", json!({"when": "0 9 * * *"}));
    assert_eq!(removed.json()["removed"], 1, "{}", removed.text);
    assert_eq!(web.get("/api/schedules").json(), json!([]));
}

#[test]
fn a_run_started_from_the_cli_is_followed_from_the_record_until_it_ends() {
    let sandbox = Sandbox::new();
    sandbox.save(
        "two.yaml",
        "name: Two\nsteps:\n  - {id: first, tool: shell, action: run, parameters: {command: \"echo one\"}}\n  - {id: second, tool: shell, action: run, parameters: {command: \"sleep 1.5; echo two\"}}\n",
    );
    let web = Dashboard::start(&sandbox);
    let mut cli = sandbox.command().args(["workflow", "run", "Two"]).stdout(Stdio::null()).spawn().unwrap();
    let mut run_id = String::new();
    let running = eventually(Duration::from_secs(10), || {
        let grid = web.get("/api/runs").json();
        match grid["rows"].as_array().and_then(|rows| rows.first()) {
            Some(row) if row["run"]["status"] == "running" => {
                run_id = row["run"]["id"].as_str().unwrap().to_string();
                true
            }
            _ => false,
        }
    });
    assert!(running, "the CLI's run never showed as running");
    let page = web.get(&format!("/runs/{run_id}")).text;
    assert!(page.contains("Started by another alpha process"), "no cancel button for a run this server can't stop");
    let events = web.events(&run_id, Duration::from_secs(20));
    let kinds: Vec<&str> = events.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(kinds.first(), Some(&"run_started"));
    assert_eq!(events.iter().filter(|(k, _)| k == "step_finished").count(), 2, "{kinds:?}");
    assert_eq!(events.last().unwrap().1["status"], "completed");
    assert!(cli.wait().unwrap().success());
}

#[test]
fn the_chat_serves_the_dashboard_while_it_is_open() {
    use std::io::Write;
    let sandbox = Sandbox::new();
    sandbox.save("deploy.yaml", DEPLOY);
    let mut chat = sandbox
        .command()
        .env("ALPHA_WEB_TOKEN", "chat-token-0123456789")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut stdin = chat.stdin.take().unwrap();
    writeln!(stdin, "open the dashboard").unwrap();
    let mut lines = BufReader::new(chat.stdout.take().unwrap()).lines();
    let url = lines
        .by_ref()
        .map_while(Result::ok)
        .find_map(|l| l.strip_prefix("The dashboard is at ").map(str::to_string))
        .expect("the chat says where the dashboard is");
    let (base, token) = url.split_once("/?token=").unwrap();
    assert_eq!(token, "chat-token-0123456789");
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let listed: Value = runtime.block_on(async {
        let client = reqwest::Client::new();
        let response = client.get(format!("{base}/api/workflows")).bearer_auth(token).send().await.unwrap();
        response.json().await.unwrap()
    });
    assert_eq!(listed[0]["name"], "Deploy");
    drop(stdin);
    assert!(chat.wait().unwrap().success());
    let gone =
        runtime.block_on(async { reqwest::Client::new().get(format!("{base}/api/workflows")).send().await.is_err() });
    assert!(gone, "the dashboard ends with the chat");
}

#[test]
fn a_dashboard_bound_beyond_loopback_warns_and_still_needs_its_token() {
    let sandbox = Sandbox::new();
    let mut child = sandbox
        .command()
        .args(["serve", "--bind", "0.0.0.0", "--port", "0", "--token", "a-token-of-24-characters"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut warning = String::new();
    let mut errors = BufReader::new(child.stderr.take().unwrap());
    errors.read_line(&mut warning).unwrap();
    let mut line = String::new();
    let mut output = BufReader::new(child.stdout.take().unwrap());
    output.read_line(&mut line).unwrap();
    // Keep both pipes open (and drained) while it serves: a closed one would end it.
    std::thread::spawn(move || for _ in output.lines() {});
    std::thread::spawn(move || for _ in errors.lines() {});
    assert!(warning.starts_with("warning: listening on 0.0.0.0:"), "{warning}");
    assert!(warning.contains("needs the token"), "{warning}");
    let url = line.trim().strip_prefix("alpha dashboard: ").unwrap().to_string();
    assert!(url.ends_with("/?token=a-token-of-24-characters"), "{url}");
    let base = url.split("/?token=").next().unwrap().to_string();
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    let (bare, authed) = runtime.block_on(async {
        let client = reqwest::Client::new();
        let bare = client.get(format!("{base}/api/workflows")).send().await.unwrap().status().as_u16();
        let authed = client
            .get(format!("{base}/api/workflows"))
            .bearer_auth("a-token-of-24-characters")
            .send()
            .await
            .unwrap()
            .status()
            .as_u16();
        (bare, authed)
    });
    assert_eq!((bare, authed), (401, 200));
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    assert!(child.wait().unwrap().success());
    let short = sandbox.alpha().args(["serve", "--port", "0", "--token", "short"]).output().unwrap();
    assert_eq!(short.status.code(), Some(2), "a token too short to guard anything is refused");
}
