//! Schedules that carry parameters (design.md §4b): checked when made, replacing by default,
//! shown everywhere, and given to the runs they fire.

use std::time::Duration;

use serde_json::Value;

use crate::common::{Sandbox, eventually, stdout};
use crate::test::Test;

const GREET: &str = "
    name: Greet
    parameters:
      who: { type: string }
      times: { type: integer, default: 1 }
    steps:
      - { id: hello, tool: shell, action: run, parameters: { command: 'echo hello {{ who }} {{ times }} >> greeted' } }
";

#[test]
fn a_schedule_missing_a_required_value_or_with_a_wrong_type_is_refused_when_made() {
    let (sandbox, _) = Test::new()
        .saved("greet.yaml", GREET)
        .args(&["workflow", "schedule", "Greet", "every minute"])
        .status(2)
        .stderr_contains("missing required parameter `who`")
        .run();
    let (sandbox, _) = Test::in_sandbox(sandbox)
        .args(&["workflow", "schedule", "Greet", "every minute", "who=Bob", "times=often"])
        .status(2)
        .stderr_contains("times")
        .run();
    let (sandbox, _) = Test::in_sandbox(sandbox)
        .args(&["workflow", "schedule", "Greet", "every minute", "whom=Bob"])
        .status(2)
        .stderr_contains("unknown parameter `whom`")
        .run();
    let status: Value = serde_json::from_slice(&sandbox.run(&["scheduler", "status", "--json"]).stdout).unwrap();
    assert_eq!(status.as_array().map(Vec::len), Some(0), "nothing was scheduled: {status}");
}

#[test]
fn rescheduling_replaces_unless_add_and_every_view_shows_the_parameters() {
    let (sandbox, _) = Test::new()
        .saved("greet.yaml", GREET)
        .args(&["workflow", "schedule", "Greet", "every", "day", "at", "9am", "who=Bob"])
        .stdout_contains("Scheduled 'Greet': Daily at 9:00 AM (cron: 0 9 * * *) with who=Bob.")
        .run();
    let (sandbox, _) = Test::in_sandbox(sandbox)
        .args(&["workflow", "schedule", "Greet", "0 18 * * *", "who=Ann", "times=2"])
        .stdout_contains("Replaced the schedule Daily at 9:00 AM (cron: 0 9 * * *) with who=Bob.")
        .stdout_contains("with who=Ann, times=2")
        .run();
    let (sandbox, _) = Test::in_sandbox(sandbox)
        .args(&["workflow", "schedule", "Greet", "hourly", "who=Cy", "--add"])
        .stdout_lacks("Replaced")
        .run();
    let status: Value = serde_json::from_slice(&sandbox.run(&["scheduler", "status", "--json"]).stdout).unwrap();
    let crons: Vec<&str> = status.as_array().unwrap().iter().map(|s| s["cron"].as_str().unwrap()).collect();
    assert_eq!(crons, ["0 18 * * *", "0 * * * *"], "{status}");
    assert_eq!(status[0]["parameters"], serde_json::json!({"who": "Ann", "times": 2}), "typed values are kept");
    let (sandbox, _) = Test::in_sandbox(sandbox)
        .args(&["workflow", "list"])
        .stdout_contains("Scheduled: Daily at 6:00 PM with who=Ann, times=2")
        .stdout_contains("Scheduled: Hourly with who=Cy")
        .run();
    let (sandbox, _) = Test::in_sandbox(sandbox)
        .args(&["workflow", "show", "Greet"])
        .stdout_contains("- schedule: Daily at 6:00 PM (0 18 * * *) with who=Ann, times=2; next: ")
        .run();
    let (sandbox, _) = Test::in_sandbox(sandbox)
        .args(&["workflow", "unschedule", "Greet", "hourly"])
        .stdout_contains("Removed 1 schedule of 'Greet'.")
        .run();
    let status: Value = serde_json::from_slice(&sandbox.run(&["scheduler", "status", "--json"]).stdout).unwrap();
    assert_eq!(status.as_array().map(Vec::len), Some(1), "{status}");
}

#[test]
fn intervals_cron_cannot_keep_and_crons_that_never_fire_are_refused() {
    let sandbox = Sandbox::new();
    sandbox.save("greet.yaml", &crate::test::unindent(GREET));
    for (when, why) in [
        ("every 45 minutes", "every 45 minutes can't be kept by a cron schedule"),
        ("every 61 minutes", "use 1, 2, 3, 4, 5, 6, 10, 12, 15, 20, 30 or 60 minutes"),
        ("every 5 hours", "starts counting again every day"),
        ("every 25 hours", "use 1, 2, 3, 4, 6, 8, 12 or 24 hours"),
        ("0 0 31 4 *", "never fires"),
    ] {
        let out = sandbox.run(&["workflow", "schedule", "Greet", when, "who=Bob"]);
        assert_eq!(out.status.code(), Some(2), "{when}");
        assert!(crate::common::stderr(&out).contains(why), "{when}: {}", crate::common::stderr(&out));
    }
    for (when, cron) in
        [("every 20 minutes", "*/20 * * * *"), ("every 6 hours", "0 */6 * * *"), ("every 60 minutes", "0 * * * *")]
    {
        let out = sandbox.run(&["workflow", "schedule", "Greet", when, "who=Bob"]);
        assert!(stdout(&out).contains(&format!("(cron: {cron})")), "{when}: {}", stdout(&out));
    }
}

#[test]
fn a_scheduled_run_gets_the_schedules_parameters() {
    let sandbox = Sandbox::new();
    sandbox.save("greet.yaml", &crate::test::unindent(GREET));
    let start = "2026-11-25T08:59:58Z";
    let out = sandbox
        .alpha()
        .args(["workflow", "schedule", "Greet", "0 9 * * *", "--timezone", "UTC", "who=Bob", "times=3"])
        .env("ALPHA_NOW", start)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", crate::common::stderr(&out));
    let mut scheduler = sandbox
        .command()
        .args(["scheduler", "run"])
        .env("ALPHA_NOW", start)
        .env("ALPHA_SCHEDULER_TICK_MS", "100")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let greeted = sandbox.path().join("greeted");
    let fired = eventually(Duration::from_secs(30), || {
        std::fs::read_to_string(&greeted).is_ok_and(|t| t.contains("hello Bob 3"))
    });
    let _ = scheduler.kill();
    let _ = scheduler.wait();
    assert!(fired, "the scheduled run greeted Bob three times: {:?}", std::fs::read_to_string(&greeted));
    let runs: Value = serde_json::from_slice(&sandbox.run(&["workflow", "history", "--json"]).stdout).unwrap();
    assert_eq!(runs[0]["trigger"], "schedule");
    assert_eq!(runs[0]["parameters"], serde_json::json!({"who": "Bob", "times": 3}));
}

/// Schedules the saved `Slow` every minute (UTC) with `--overlap queue --catchup all`, made at `now`.
fn schedule_slow_every_minute_queued(sandbox: &Sandbox, now: &str) {
    let out = sandbox
        .alpha()
        .args([
            "workflow",
            "schedule",
            "Slow",
            "* * * * *",
            "--timezone",
            "UTC",
            "--overlap",
            "queue",
            "--catchup",
            "all",
        ])
        .env("ALPHA_NOW", now)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", crate::common::stderr(&out));
}

#[test]
fn two_schedulers_with_overlap_queue_never_overlap_a_run() {
    let sandbox = Sandbox::new();
    sandbox.save(
        "slow.yaml",
        "name: Slow\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: 'echo start $(date +%s%N) >> spans; sleep 0.4; echo end $(date +%s%N) >> spans' } }\n",
    );
    // Made at 08:55; the schedulers start at 09:00:30: five missed fires, all to be caught up.
    schedule_slow_every_minute_queued(&sandbox, "2026-11-25T08:55:00Z");
    let spawn = || {
        sandbox
            .command()
            .args(["scheduler", "run"])
            .env("ALPHA_NOW", "2026-11-25T09:00:30Z")
            .env("ALPHA_SCHEDULER_TICK_MS", "50")
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let (mut one, mut two) = (spawn(), spawn());
    let spans = sandbox.path().join("spans");
    let done = eventually(Duration::from_secs(40), || {
        std::fs::read_to_string(&spans).is_ok_and(|t| t.lines().filter(|l| l.starts_with("end")).count() >= 5)
    });
    for child in [&mut one, &mut two] {
        let _ = child.kill();
        let _ = child.wait();
    }
    let text = std::fs::read_to_string(&spans).unwrap_or_default();
    assert!(done, "five runs finished: {text}");
    let times: Vec<(String, u128)> = text
        .lines()
        .filter_map(|l| l.split_once(' ').map(|(k, t)| (k.to_string(), t.trim().parse().unwrap_or(0))))
        .collect();
    // Strictly alternating start/end: no run began before the previous one ended.
    for pair in times.chunks(2) {
        assert!(pair.len() == 2 && pair[0].0 == "start" && pair[1].0 == "end", "overlapping runs: {text}");
    }
    let runs: Value = serde_json::from_slice(&sandbox.run(&["workflow", "history", "--json"]).stdout).unwrap();
    assert_eq!(runs.as_array().map(Vec::len), Some(5), "each missed fire ran once: {runs}");
}

#[test]
fn a_stopped_scheduler_leaves_no_queued_fire_behind() {
    let sandbox = Sandbox::new();
    sandbox.save(
        "slow.yaml",
        "name: Slow\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: 'touch started; sleep 30' } }\n",
    );
    schedule_slow_every_minute_queued(&sandbox, "2026-11-25T08:57:00Z");
    let mut scheduler = sandbox
        .command()
        .args(["scheduler", "run"])
        .env("ALPHA_NOW", "2026-11-25T09:00:30Z")
        .env("ALPHA_SCHEDULER_TICK_MS", "50")
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let fires = |status: &str| -> i64 {
        let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
        conn.query_row("SELECT COUNT(*) FROM schedule_fires WHERE status = ?1", [status], |r| r.get(0)).unwrap_or(0)
    };
    assert!(
        eventually(Duration::from_secs(20), || sandbox.path().join("started").exists() && fires("queued") >= 2),
        "one fire runs and the missed ones queue behind it"
    );
    let queued = fires("queued");
    unsafe { libc::kill(scheduler.id() as i32, libc::SIGTERM) };
    let status = scheduler.wait().unwrap();
    assert_eq!(status.code(), Some(0), "a SIGTERM'd scheduler exits cleanly");
    let mut log = String::new();
    std::io::Read::read_to_string(&mut scheduler.stdout.take().unwrap(), &mut log).unwrap();
    assert_eq!(fires("queued"), 0, "no queued fire waits for a scheduler that is gone");
    assert_eq!(fires("skipped"), queued, "they are recorded as skipped");
    assert!(log.contains(&format!("stopped with {queued} queued fires not run")), "{log}");
}

/// Runs the scheduler from `now` until the witness file appears, then stops it.
fn schedule_until_witnessed(sandbox: &Sandbox, now: &str) {
    let mut scheduler = sandbox
        .command()
        .args(["scheduler", "run"])
        .env("ALPHA_NOW", now)
        .env("ALPHA_SCHEDULER_TICK_MS", "100")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let witnessed = eventually(Duration::from_secs(30), || sandbox.path().join("witnessed").exists());
    let _ = scheduler.kill();
    let _ = scheduler.wait();
    assert!(witnessed, "the witness schedule never fired");
    std::fs::remove_file(sandbox.path().join("witnessed")).unwrap();
}

#[test]
fn a_paused_schedule_fires_nothing_and_resumed_does_not_catch_up_what_it_missed() {
    let sandbox = Sandbox::new();
    sandbox.save("greet.yaml", &crate::test::unindent(GREET));
    sandbox.save(
        "witness.yaml",
        "name: Witness\nsteps:\n  - { id: mark, tool: shell, action: run, parameters: { command: 'sleep 0.5; touch witnessed' } }\n",
    );
    let made = "2026-11-25T08:00:00Z";
    let schedule = |args: &[&str]| {
        let out = sandbox.alpha().args(args).env("ALPHA_NOW", made).output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}: {}", crate::common::stderr(&out));
        stdout(&out)
    };
    schedule(&["workflow", "schedule", "Greet", "0 9 * * *", "--timezone", "UTC", "who=Ann"]);
    schedule(&["workflow", "schedule", "Witness", "0 9 * * *", "--timezone", "UTC"]);
    assert!(schedule(&["scheduler", "pause", "Greet"]).contains("Paused the schedule of 'Greet'."));
    let status: Value = serde_json::from_str(&schedule(&["scheduler", "status", "--json"])).unwrap();
    let greet = status.as_array().unwrap().iter().find(|s| s["workflow"] == "Greet").unwrap().clone();
    assert_eq!((greet["paused"].clone(), greet["next_fire"].clone()), (Value::Bool(true), Value::Null), "{status}");
    assert!(schedule(&["scheduler", "status"]).contains("paused"));
    // 09:00 passes: the witness fires in the same tick the paused schedule would have.
    schedule_until_witnessed(&sandbox, "2026-11-25T08:59:59Z");
    assert!(!sandbox.path().join("greeted").exists(), "a paused schedule fired");
    // Resumed after 09:00, it does not catch up the 09:00 it missed while paused (catch-up
    // `latest` would have run it), and it fires again at its next occurrence.
    let out = sandbox
        .alpha()
        .args(["scheduler", "resume", "Greet"])
        .env("ALPHA_NOW", "2026-11-25T09:00:30Z")
        .output()
        .unwrap();
    assert!(stdout(&out).contains("Resumed the schedule of 'Greet'."), "{}", stdout(&out));
    schedule(&["workflow", "schedule", "Witness", "1 9 * * *", "--timezone", "UTC"]);
    schedule_until_witnessed(&sandbox, "2026-11-25T09:00:59Z");
    assert!(!sandbox.path().join("greeted").exists(), "the occurrence missed while paused was caught up");
    let mut scheduler = sandbox
        .command()
        .args(["scheduler", "run"])
        .env("ALPHA_NOW", "2026-11-26T08:59:59Z")
        .env("ALPHA_SCHEDULER_TICK_MS", "100")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let greeted = sandbox.path().join("greeted");
    let fired = eventually(Duration::from_secs(30), || std::fs::read_to_string(&greeted).is_ok_and(|t| !t.is_empty()));
    let _ = scheduler.kill();
    let _ = scheduler.wait();
    assert!(fired, "the resumed schedule never fired at its next occurrence");
    assert_eq!(std::fs::read_to_string(greeted).unwrap(), "hello Ann 1\n");
}
