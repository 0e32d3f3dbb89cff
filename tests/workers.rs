//! Queued runs and workers, on SQLite and on PostgreSQL (design.md §5, "Workers"): several worker processes drain
//! one queue, each run exactly once; a worker killed mid-step loses its run to another, which
//! goes on from the first unfinished step with the next attempt recorded; `runs_on` tags route
//! runs; `--wait` follows a queued run to its end.

use std::process::{Child, Stdio};
use std::time::Duration;

use serde_json::Value;

use crate::common::{Sandbox, eventually, stderr, stdout};
use crate::on_both;

const JOB: &str = "name: Job\nparameters:\n  n: {type: integer}\nsteps:\n  - {id: a, tool: shell, action: run, parameters: {command: \"echo a >> runs/{{ n }}.log\"}}\n  - {id: b, tool: shell, action: run, parameters: {command: \"sleep 0.05; echo b >> runs/{{ n }}.log\"}}\n";

/// The second step waits for a long time the first time only (when its worker is killed).
const SLOW: &str = "name: Slow\nsteps:\n  - {id: first, tool: shell, action: run, parameters: {command: \"echo first >> slow.log\"}}\n  - {id: second, tool: shell, action: run, parameters: {command: \"if [ -e second-started ]; then echo again; else touch second-started; sleep 60; fi\"}}\n  - {id: third, tool: shell, action: run, parameters: {command: \"echo third >> slow.log\"}}\n";

fn worker(sandbox: &Sandbox, args: &[&str]) -> Child {
    sandbox
        .command()
        .arg("worker")
        .args(args)
        .env("ALPHA_WORKER_LEASE_MS", "1500")
        .env("ALPHA_WORKER_POLL_MS", "50")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start a worker")
}

fn queue(sandbox: &Sandbox, args: &[&str]) -> String {
    let out = sandbox.run(&[&["workflow", "run"], args, &["--queue"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    stdout(&out).trim().to_string()
}

fn history(sandbox: &Sandbox) -> Vec<Value> {
    let out = sandbox.run(&["workflow", "history", "--json", "--limit", "1000"]);
    serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().cloned().unwrap()
}

fn terminate(child: &mut Child) -> String {
    // SAFETY: signalling our own child.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().unwrap();
    let mut text = String::new();
    std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut text).unwrap();
    assert!(status.success(), "a drained worker exits 0: {status:?}\n{text}");
    text
}

on_both! {
    fn workers_drain_the_queue_once_each_and_a_killed_workers_run_goes_on_elsewhere(backend) {
        let sandbox = Sandbox::on(backend);
        sandbox.save("job.yaml", JOB);
        sandbox.save("slow.yaml", SLOW);
        std::fs::create_dir(sandbox.path().join("runs")).unwrap();
        let slow = queue(&sandbox, &["Slow"]);
        let mut victim = worker(&sandbox, &["--name", "victim"]);
        assert!(
            eventually(Duration::from_secs(20), || sandbox.path().join("second-started").exists()),
            "the victim never reached the slow step"
        );
        victim.kill().unwrap();
        victim.wait().unwrap();
        let count = 200;
        for n in 0..count {
            queue(&sandbox, &["Job", &format!("n={n}")]);
        }
        let mut workers: Vec<Child> =
            (0..2).map(|i| worker(&sandbox, &["--concurrency", "2", "--name", &format!("w{i}")])).collect();
        let drained = eventually(Duration::from_secs(120), || {
            history(&sandbox).iter().all(|r| r["status"] == "completed") && history(&sandbox).len() == count + 1
        });
        let logs: Vec<String> = workers.iter_mut().map(terminate).collect();
        assert!(
            drained,
            "not every run completed: {:?}",
            history(&sandbox).iter().map(|r| &r["status"]).collect::<Vec<_>>()
        );
        // Each Job run ran each of its steps exactly once.
        for n in 0..count {
            let log = std::fs::read_to_string(sandbox.path().join(format!("runs/{n}.log"))).unwrap();
            assert_eq!(log, "a\nb\n", "run n={n}");
        }
        let runs = history(&sandbox);
        assert_eq!(runs.iter().filter(|r| r["workflow_name"] == "Job").count(), count);
        // The killed worker's run went on from its unfinished step, with the next attempt.
        assert!(logs.iter().any(|l| l.contains(&format!("requeued run {}", &slow[..8]))), "{logs:?}");
        assert_eq!(std::fs::read_to_string(sandbox.path().join("slow.log")).unwrap(), "first\nthird\n");
        let details: Value =
            serde_json::from_slice(&sandbox.run(&["workflow", "history", "--run", &slow, "--json"]).stdout).unwrap();
        assert_eq!(details["run"]["status"], "completed");
        let rows: Vec<(String, i64, String)> = details["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s["step_id"].as_str().unwrap().into(),
                    s["attempt"].as_i64().unwrap(),
                    s["status"].as_str().unwrap().into(),
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("first".into(), 1, "success".into()),
                ("second".into(), 1, "interrupted".into()),
                ("second".into(), 2, "success".into()),
                ("third".into(), 1, "success".into())
            ],
            "{details}"
        );
        let list: Value = serde_json::from_slice(&sandbox.run(&["worker", "list", "--json"]).stdout).unwrap();
        assert_eq!((list["pending"].clone(), list["claimed"].clone()), (Value::from(0), Value::from(0)), "{list}");
        let states: Vec<&str> = list["workers"].as_array().unwrap().iter().map(|w| w["state"].as_str().unwrap()).collect();
        assert_eq!(states.iter().filter(|s| **s == "stopped").count(), 2, "{list}");
    }
}

on_both! {
    fn a_run_with_runs_on_goes_only_to_a_worker_with_those_tags(backend) {
        let sandbox = Sandbox::on(backend);
        sandbox.save(
            "gpu.yaml",
            "name: Train\nruns_on: [gpu]\nsteps:\n  - {id: fit, tool: shell, action: run, parameters: {command: \"echo trained > trained\"}}\n",
        );
        sandbox.save("plain.yaml", "name: Plain\nsteps:\n  - {id: echo, tool: shell, action: run, parameters: {command: \"echo plain > plain\"}}\n");
        let train = queue(&sandbox, &["Train"]);
        let plain = queue(&sandbox, &["Plain"]);
        let mut cpu = worker(&sandbox, &["--name", "cpu", "--tags", "fast"]);
        assert!(eventually(Duration::from_secs(20), || sandbox.path().join("plain").exists()), "the plain run never ran");
        // The untagged worker took the plain run and left the gpu one waiting.
        let list: Value = serde_json::from_slice(&sandbox.run(&["worker", "list", "--json"]).stdout).unwrap();
        assert_eq!(list["pending"], 1, "{list}");
        let cpu_log = terminate(&mut cpu);
        assert!(cpu_log.contains(&format!("took run {}", &plain[..8])) && !cpu_log.contains(&train[..8]), "{cpu_log}");
        let mut gpu = worker(&sandbox, &["--name", "gpu", "--tags", "gpu,cuda"]);
        assert!(eventually(Duration::from_secs(20), || sandbox.path().join("trained").exists()), "the gpu run never ran");
        let gpu_log = terminate(&mut gpu);
        assert!(gpu_log.contains(&format!("took run {}", &train[..8])), "{gpu_log}");
    }
}

on_both! {
    fn wait_follows_a_queued_run_to_its_end_with_its_exit_code(backend) {
        let sandbox = Sandbox::on(backend);
        sandbox.save("fail.yaml", "name: Breaks\nsteps:\n  - {id: ok, tool: shell, action: run, parameters: {command: \"true\"}}\n  - {id: boom, tool: shell, action: run, parameters: {command: \"echo broken >&2; exit 5\"}}\n");
        let mut w = worker(&sandbox, &["--name", "solo"]);
        let out = sandbox
            .alpha()
            .args(["workflow", "run", "Breaks", "--queue", "--wait"])
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        terminate(&mut w);
        assert_eq!(out.status.code(), Some(1), "{}{}", stdout(&out), stderr(&out));
        let text = format!("{}{}", stdout(&out), stderr(&out));
        assert!(text.contains("Queued run") && text.contains("boom"), "{text}");
        // Values are checked when queued: a wrong type is refused then, and recorded.
        sandbox.save("job.yaml", JOB);
        let refused = sandbox.run(&["workflow", "run", "Job", "--queue", "n=lots"]);
        assert_eq!(refused.status.code(), Some(2), "{}", stderr(&refused));
        assert!(stderr(&refused).contains("`n`"), "{}", stderr(&refused));
    }
}

on_both! {
    fn a_scheduled_run_of_a_tagged_workflow_waits_for_a_worker_with_the_tags(backend) {
        let sandbox = Sandbox::on(backend);
        sandbox.save(
            "train.yaml",
            "name: Train\nruns_on: [gpu]\nsteps:\n  - {id: fit, tool: shell, action: run, parameters: {command: \"echo fitted >> fitted\"}}\n",
        );
        let made = sandbox
            .alpha()
            .args(["workflow", "schedule", "Train", "0 9 * * *", "--timezone", "UTC"])
            .env("ALPHA_NOW", "2026-11-25T08:00:00Z")
            .output()
            .unwrap();
        assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
        let mut scheduler = sandbox
            .command()
            .args(["scheduler", "run"])
            .env("ALPHA_NOW", "2026-11-25T08:59:59Z")
            .env("ALPHA_SCHEDULER_TICK_MS", "100")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let queued = eventually(Duration::from_secs(20), || {
            history(&sandbox).first().is_some_and(|r| r["status"] == "pending" && r["trigger"] == "schedule")
        });
        let _ = scheduler.kill();
        let _ = scheduler.wait();
        assert!(queued, "the fire was not queued: {:?}", history(&sandbox));
        assert!(!sandbox.path().join("fitted").exists(), "the scheduler ran a run meant for a gpu worker");
        let mut gpu = worker(&sandbox, &["--name", "gpu", "--tags", "gpu"]);
        assert!(eventually(Duration::from_secs(20), || history(&sandbox)[0]["status"] == "completed"));
        terminate(&mut gpu);
        assert_eq!(std::fs::read_to_string(sandbox.path().join("fitted")).unwrap(), "fitted\n");
        assert_eq!(history(&sandbox).len(), 1, "the occurrence fired once");
    }
}
