//! Scheduling: the CLI, the daemon with a shifted clock (ALPHA_NOW), claims across processes,
//! overlap and catch-up policies, and the chat session's background scheduler.

use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use alpha::schedule::daemon::{Clock, Options, Scheduler};
use alpha::store::Store;
use chrono::{DateTime, Utc};
use serde_json::Value;

use crate::common::{Sandbox, stderr, stdout};

fn utc(text: &str) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(text).unwrap().with_timezone(&Utc)
}

fn create(sandbox: &Sandbox, name: &str, command: &str) {
    let path = sandbox.write(&format!("{name}.yaml"), &format!("name: {name}\nsteps:\n  - {{ id: a, tool: shell, action: run, parameters: {{ command: \"{command}\" }} }}\n"));
    let out = sandbox.run(&["workflow", "create", "--file", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

fn history(sandbox: &Sandbox) -> Vec<Value> {
    let out = sandbox.run(&["workflow", "history", "--json"]);
    serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().cloned().unwrap_or_default()
}

#[test]
fn schedule_accepts_cron_and_phrases_and_shows_next_fires() {
    let sandbox = Sandbox::new();
    create(&sandbox, "Report", "true");
    let out = sandbox
        .alpha()
        .args(["workflow", "schedule", "report", "every", "weekday", "at", "9am"])
        .env("ALPHA_NOW", "2026-11-27T12:00:00Z")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = stdout(&out);
    assert!(text.contains("Scheduled 'Report': Weekdays at 9:00 AM"), "{text}");
    assert!(text.contains("cron: 0 9 * * 1-5"), "{text}");
    assert!(text.contains("Next runs: Mon 2026-11-30 09:00, Tue 2026-12-01 09:00, Wed 2026-12-02 09:00"), "{text}");
    let bad = sandbox.run(&["workflow", "schedule", "report", "whenever you like"]);
    assert_eq!(bad.status.code(), Some(2));
    let zone = sandbox.run(&["workflow", "schedule", "report", "hourly", "--timezone", "Mars/Olympus"]);
    assert_eq!(zone.status.code(), Some(2));
    let list = stdout(&sandbox.run(&["workflow", "list"]));
    assert!(list.contains("Scheduled: Weekdays at 9:00 AM"), "{list}");
    let removed = stdout(&sandbox.run(&["workflow", "unschedule", "report"]));
    assert!(removed.contains("Removed 1 schedule"), "{removed}");
    assert!(!stdout(&sandbox.run(&["workflow", "list"])).contains("Scheduled:"));
}

#[test]
fn triggers_in_a_file_are_registered_and_removed_with_the_definition() {
    let sandbox = Sandbox::new();
    let path = sandbox.write("t.yaml", "name: Triggered\ntriggers:\n  - { type: schedule, cron: \"30 6 * * *\" }\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: \"true\" } }\n");
    sandbox.run(&["workflow", "create", "--file", path.to_str().unwrap()]);
    let status: Value = serde_json::from_slice(&sandbox.run(&["scheduler", "status", "--json"]).stdout).unwrap();
    assert_eq!(status[0]["cron"], "30 6 * * *");
    assert_eq!(status[0]["description"], "Daily at 6:30 AM");
    let path = sandbox.write(
        "t.yaml",
        "name: Triggered\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: \"true\" } }\n",
    );
    sandbox.run(&["workflow", "create", "--replace", "--file", path.to_str().unwrap()]);
    let status: Value = serde_json::from_slice(&sandbox.run(&["scheduler", "status", "--json"]).stdout).unwrap();
    assert_eq!(status.as_array().unwrap().len(), 0, "{status}");
}

#[test]
fn scenario_3_a_scheduled_workflow_fires_at_its_time_once_across_two_daemons() {
    let sandbox = Sandbox::new();
    create(&sandbox, "Tick", "date +%s%N >> fired");
    let start = "2026-11-25T08:59:57Z";
    let out = sandbox
        .alpha()
        .args(["workflow", "schedule", "Tick", "0 9 * * *", "--timezone", "UTC"])
        .env("ALPHA_NOW", start)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let launched = Instant::now();
    let wall_start = Utc::now();
    let spawn = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_alpha"))
            .args(["scheduler", "run"])
            .current_dir(sandbox.path())
            .env("ALPHA_HOME", sandbox.path().join("home"))
            .env("ALPHA_NOW", start)
            .env("ALPHA_SCHEDULER_TICK_MS", "100")
            .stdout(std::process::Stdio::piped())
            .spawn()
            .unwrap()
    };
    let (one, two) = (spawn(), spawn());
    let fired = sandbox.path().join("fired");
    while !fired.exists() && launched.elapsed() < Duration::from_secs(30) {
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_secs(2));
    for child in [&one, &two] {
        // SAFETY: stopping our own children with SIGTERM.
        unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    }
    let outputs = [one.wait_with_output().unwrap(), two.wait_with_output().unwrap()];
    for out in &outputs {
        assert_eq!(out.status.code(), Some(0), "stops cleanly on SIGTERM");
        assert!(stdout(out).contains("alpha scheduler stopped"), "{}", stdout(out));
    }
    let lines = std::fs::read_to_string(&fired).unwrap();
    assert_eq!(lines.lines().count(), 1, "fired exactly once across two schedulers: {lines}");
    let fired_ns: i64 = lines.trim().parse().unwrap();
    let due_ns = (wall_start + chrono::Duration::seconds(3)).timestamp_nanos_opt().unwrap();
    assert!(fired_ns >= due_ns - 500_000_000, "it fired no earlier than its time");
    let runs = history(&sandbox);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["trigger"], "schedule");
    assert_eq!(runs[0]["status"], "completed");
    let text = stdout(&sandbox.run(&["workflow", "history", "Tick"]));
    assert!(text.contains("Tick success") && text.contains("schedule"), "{text}");
    let status = stdout(
        &sandbox.alpha().args(["scheduler", "status"]).env("ALPHA_NOW", "2026-11-25T09:01:00Z").output().unwrap(),
    );
    assert!(status.contains("2026-11-25 09:00:00 (completed)"), "{status}");
}

fn scheduler(sandbox: &Sandbox, at: &str) -> Scheduler {
    let options = Options {
        drain: true,
        notice: Arc::new(|_| {}),
        stop: Arc::new(AtomicBool::new(false)),
        tick: Duration::from_millis(50),
    };
    Scheduler::new(&sandbox.db(), Clock::starting_at(utc(at)), options)
}

fn fires(store: &Store) -> Vec<(String, String)> {
    store.fire_records().unwrap().into_iter().map(|(_, fire, status)| (fire, status)).collect()
}

fn schedule_with(sandbox: &Sandbox, name: &str, cron: &str, at: &str, extra: &[&str]) {
    let mut args = vec!["workflow", "schedule", name, cron, "--timezone", "UTC"];
    args.extend_from_slice(extra);
    let out = sandbox.alpha().args(&args).env("ALPHA_NOW", at).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn overlap_skip_records_the_skipped_fire_and_queue_runs_it_after() {
    for (policy, expected) in [("skip", "skipped"), ("queue", "completed")] {
        let sandbox = Sandbox::new();
        create(&sandbox, "Slow", "sleep 1.5");
        schedule_with(&sandbox, "Slow", "* * * * *", "2026-11-25T08:59:30Z", &["--overlap", policy]);
        let store = Store::open(&sandbox.db()).unwrap();
        let mut loop_ = scheduler(&sandbox, "2026-11-25T09:00:01Z");
        loop_.tick(&store).unwrap();
        loop_.set_clock(Clock::starting_at(utc("2026-11-25T09:01:01Z")));
        loop_.tick(&store).unwrap();
        let during = fires(&store);
        assert_eq!(during[0], ("2026-11-25T09:00:00Z".into(), "running".into()), "{policy}: {during:?}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            loop_.tick(&store).unwrap();
            let now = fires(&store);
            if now.iter().all(|(_, s)| s != "running" && s != "queued") {
                break;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        loop_.wait(&store).unwrap();
        let after = fires(&store);
        assert_eq!(after[0].1, "completed", "{policy}: {after:?}");
        assert_eq!(after[1], ("2026-11-25T09:01:00Z".into(), expected.into()), "{policy}: {after:?}");
    }
}

#[test]
fn catchup_runs_the_latest_missed_fire_once_or_none() {
    for (policy, expected_runs) in [("latest", 1), ("none", 0), ("all", 4)] {
        let sandbox = Sandbox::new();
        create(&sandbox, "Hourly", "true");
        schedule_with(&sandbox, "Hourly", "0 * * * *", "2026-11-25T05:30:00Z", &["--catchup", policy]);
        let store = Store::open(&sandbox.db()).unwrap();
        let mut loop_ = scheduler(&sandbox, "2026-11-25T09:20:00Z");
        loop_.tick(&store).unwrap();
        loop_.wait(&store).unwrap();
        loop_.tick(&store).unwrap();
        loop_.wait(&store).unwrap();
        let runs = history(&sandbox);
        assert_eq!(runs.len(), expected_runs, "{policy}: {runs:?}");
        if policy == "latest" {
            assert_eq!(fires(&store), [("2026-11-25T09:00:00Z".to_string(), "completed".to_string())]);
        }
    }
}

#[test]
fn a_failing_scheduled_run_is_recorded_and_the_loop_goes_on() {
    let sandbox = Sandbox::new();
    create(&sandbox, "Flaky", "exit 3");
    schedule_with(&sandbox, "Flaky", "*/5 * * * *", "2026-11-25T08:59:00Z", &[]);
    let store = Store::open(&sandbox.db()).unwrap();
    let mut loop_ = scheduler(&sandbox, "2026-11-25T09:00:02Z");
    loop_.tick(&store).unwrap();
    loop_.wait(&store).unwrap();
    loop_.set_clock(Clock::starting_at(utc("2026-11-25T09:05:02Z")));
    loop_.tick(&store).unwrap();
    loop_.wait(&store).unwrap();
    let states: Vec<String> = fires(&store).into_iter().map(|(_, s)| s).collect();
    assert_eq!(states, ["failed", "failed"]);
    assert_eq!(history(&sandbox).len(), 2);
}

#[test]
fn install_prints_a_systemd_unit_and_a_crontab_line() {
    let sandbox = Sandbox::new();
    let text = stdout(&sandbox.run(&["scheduler", "install"]));
    assert!(text.contains("ExecStart=") && text.contains("scheduler run"), "{text}");
    assert!(text.contains("@reboot "), "{text}");
    let out = sandbox.run(&["scheduler", "install", "--apply"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let unit = std::fs::read_to_string(sandbox.path().join(".config/systemd/user/alpha-scheduler.service")).unwrap();
    assert!(unit.contains("Restart=on-failure"), "{unit}");
}

#[test]
fn the_chat_session_runs_due_schedules_in_the_background() {
    let sandbox = Sandbox::new();
    create(&sandbox, "Chatty", "touch chat-fired");
    schedule_with(&sandbox, "Chatty", "0 9 * * *", "2026-11-25T08:59:58Z", &[]);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_alpha"))
        .current_dir(sandbox.path())
        .env("ALPHA_HOME", sandbox.path().join("home"))
        .env("ALPHA_NOW", "2026-11-25T08:59:58Z")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let marker = sandbox.path().join("chat-fired");
    let started = Instant::now();
    while !marker.exists() && started.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(100));
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(marker.exists(), "the open session fired the schedule: {}", stdout(&out));
    assert!(stdout(&out).contains("Scheduled run of 'Chatty' completed"), "{}", stdout(&out));
    assert_eq!(history(&sandbox)[0]["trigger"], "schedule");
}
