//! The store's contract (design.md §5), one suite run on both backends: a SQLite file in a temp
//! dir and a database of its own on the test PostgreSQL server. Versions, runs and step
//! attempts, schedules and their claims, history and suggestions, the queue and its workers.

use chrono::{TimeZone, Utc};
use serde_json::json;

use alpha::store::history::{Entry, SourceState};
use alpha::store::{RunStatus, SchedulePolicy, StepRecord, StepStatus, Store};
use alpha::workflow::{Document, Format};

use crate::common::{Backend, Sandbox};
use crate::on_both;

fn open(backend: Backend) -> (Sandbox, Store) {
    let sandbox = Sandbox::on(backend);
    let store = Store::open(&sandbox.db()).expect("open the store");
    (sandbox, store)
}

fn workflow(name: &str, command: &str, version: &str) -> alpha::workflow::Workflow {
    let yaml = format!(
        "name: {name}\nversion: {version}\ntags: [ci, Nightly]\ndescription: builds things\nsteps:\n  - {{id: a, tool: shell, action: run, parameters: {{command: \"{command}\"}}}}\n"
    );
    Document::from_text("w.yaml".to_string(), yaml, Format::Yaml).load().expect("a valid workflow")
}

fn step(id: &str, attempt: i64, status: StepStatus) -> StepRecord {
    StepRecord {
        step_id: id.into(),
        name: Some(id.to_uppercase()),
        attempt,
        status,
        started_at: Some(alpha::store::now()),
        completed_at: Some(alpha::store::now()),
        duration_ms: Some(12),
        exit_code: Some(if status == StepStatus::Failed { 2 } else { 0 }),
        output: Some(format!("{id} says hi ✓")),
        error: (status == StepStatus::Failed).then(|| "exit 2".to_string()),
        result: json!({"stdout": format!("{id} out"), "n": attempt}),
    }
}

on_both! {
    fn versions_are_kept_and_names_are_found_in_any_case(backend) {
        let (_sandbox, mut store) = open(backend);
        let saved = store.create(&workflow("Deploy", "echo 1", "1.0.0"), false).unwrap();
        store.create(&workflow("backup", "echo b", "1.0.0"), false).unwrap();
        let refused = store.create(&workflow("DEPLOY", "echo 2", "1.0.0"), false).err().unwrap();
        assert!(refused.to_string().contains("already exists"), "{refused}");
        // The same version number with a new definition is saved under the next patch.
        let updated = store.update(&saved.id, &workflow("Deploy", "echo 2", "1.0.0"), "edited").unwrap();
        assert_eq!(updated.workflow.version, "1.0.1");
        let versions = store.versions(&saved.id).unwrap();
        let numbers: Vec<&str> = versions.iter().map(|v| v.version.as_str()).collect();
        assert_eq!(numbers, ["1.0.0", "1.0.1"]);
        assert_eq!(versions[1].note.as_deref(), Some("edited"));
        assert!(format!("{:?}", store.version(&saved.id, "v1.0.0").unwrap().workflow).contains("echo 1"));
        assert_eq!(store.find("dEpLoY").unwrap().map(|s| s.id), Some(saved.id.clone()));
        assert_eq!(store.names().unwrap(), ["backup", "Deploy"]);
        let listed = store.list(&["nightly".into()], Some("dep")).unwrap();
        assert_eq!(listed.iter().map(|l| l.saved.workflow.name.as_str()).collect::<Vec<_>>(), ["Deploy"]);
        let summaries = store.summaries(&["CI".into()]).unwrap();
        assert_eq!(summaries.len(), 2);
        assert_eq!(summaries[1].version, "1.0.1");
        assert_eq!(summaries[1].tags, ["ci", "Nightly"]);
        store.delete(&saved.id).unwrap();
        assert!(store.find("Deploy").unwrap().is_none());
        assert_eq!(store.versions(&saved.id).unwrap().len(), 2, "versions outlive the workflow");
        let missing = store.get("Deploi").err().unwrap().to_string();
        assert!(missing.contains("no workflow named 'Deploi'"), "{missing}");
    }

    fn runs_record_every_attempt_and_history_filters_them(backend) {
        let (_sandbox, mut store) = open(backend);
        let saved = store.create(&workflow("Build", "make", "1.0.0"), false).unwrap();
        let first = store.start_run(&saved.id, "Build", "1.0.0", &json!({"branch": "dev"}), "manual").unwrap();
        store.record_step(&first, &step("compile", 1, StepStatus::Failed)).unwrap();
        store.record_step(&first, &step("compile", 2, StepStatus::Recovered)).unwrap();
        store.finish_run(&first, RunStatus::Failed, &json!({"outputs": {"x": 1}}), Some("compile failed")).unwrap();
        let second = store.start_run(&saved.id, "Build", "1.0.0", &json!({}), "schedule").unwrap();
        store.record_step(&second, &step("compile", 1, StepStatus::Success)).unwrap();
        store.finish_run(&second, RunStatus::Completed, &json!({"outputs": {"x": 2}}), None).unwrap();
        let refused = store.record_unstarted(&saved.id, "Build", "1.0.0", &json!({"n": "x"}), "manual", "n must be an integer").unwrap();

        let all = store.history(Some(&saved.id), None, None, 10).unwrap();
        assert_eq!(all.iter().map(|r| r.id.as_str()).collect::<Vec<_>>(), [refused.as_str(), &second, &first]);
        let failed = store.history(None, Some(RunStatus::Failed), None, 10).unwrap();
        assert_eq!(failed.len(), 2);
        let later = store.history(None, None, Some(Utc::now() + chrono::Duration::hours(1)), 10).unwrap();
        assert!(later.is_empty());
        let run = store.run(&first[..8]).unwrap();
        assert_eq!((run.status, run.workflow_name.as_str(), run.trigger.as_str()), (RunStatus::Failed, "Build", "manual"));
        assert_eq!(run.parameters, json!({"branch": "dev"}));
        assert_eq!(run.error.as_deref(), Some("compile failed"));
        let steps = store.steps(&first).unwrap();
        assert_eq!(steps.iter().map(|s| (s.attempt, s.status)).collect::<Vec<_>>(), [(1, StepStatus::Failed), (2, StepStatus::Recovered)]);
        assert_eq!(steps[0].output.as_deref(), Some("compile says hi ✓"));
        assert_eq!(steps[1].result, json!({"stdout": "compile out", "n": 2}));
        let grid = store.step_statuses(&[first.clone(), second.clone()]).unwrap();
        assert_eq!(grid.len(), 3);
        assert_eq!(store.get("Build").unwrap().execution_count, 2);
        assert_eq!(store.run_outputs(&saved.id).unwrap(), [json!({"x": 2})]);
        assert_eq!(store.step_attempts_of(&saved.id).unwrap().len(), 3);
        assert_eq!(store.workflow_id_in_runs("build").unwrap(), Some(saved.id.clone()));
        assert_eq!(store.unsuccessful_scheduled_runs("2000-01-01T00:00:00Z").unwrap().len(), 0);
        // A resume claims the run it continues: a second one is refused while the first runs.
        let resumed = store.start_resumed_run(&saved.id, "Build", "1.0.0", &json!({}), &first).unwrap();
        let again = store.start_resumed_run(&saved.id, "Build", "1.0.0", &json!({}), &first).err().unwrap();
        assert!(again.to_string().contains("already being resumed"), "{again}");
        assert_eq!(store.resumed_by(&first).unwrap().map(|(id, _)| id), Some(resumed.clone()));
        // A run whose process is gone reads as interrupted (ours is alive: it stays running).
        assert_eq!(store.run(&resumed).unwrap().status, RunStatus::Running);
    }

    fn schedules_fire_each_occurrence_once_and_pause(backend) {
        let (_sandbox, mut store) = open(backend);
        let saved = store.create(&workflow("Nightly", "true", "1.0.0"), false).unwrap();
        let params = serde_json::Map::from_iter([("env".to_string(), json!("prod"))]);
        let (added, _) = store.save_schedule(&saved.id, "0 2 * * *", Some("UTC"), &SchedulePolicy::default(), &params, &alpha::store::now(), false).unwrap();
        assert!(added);
        let (added, _) = store.save_schedule(&saved.id, "0 2 * * *", Some("UTC"), &SchedulePolicy::default(), &params, &alpha::store::now(), false).unwrap();
        assert!(!added, "the same schedule again updates it");
        let schedules = store.schedules().unwrap();
        assert_eq!(schedules.len(), 1);
        assert_eq!(schedules[0].parameters, params);
        let id = schedules[0].id;
        let fire = Utc.with_ymd_and_hms(2026, 12, 1, 2, 0, 0).unwrap();
        assert!(store.claim_fire(id, fire).unwrap());
        assert!(!store.claim_fire(id, fire).unwrap(), "an occurrence is claimed once");
        store.finish_fire(id, fire, "completed", None, None).unwrap();
        assert_eq!(store.last_fire(id).unwrap().map(|(_, s)| s), Some("completed".to_string()));
        assert_eq!(store.fire_records().unwrap(), [(id, "2026-12-01T02:00:00Z".to_string(), "completed".to_string())]);
        let entries = store.schedule_entries().unwrap();
        assert_eq!((entries[0].paused, entries[0].last_fire_at), (false, Some(fire)));
        assert_eq!(store.set_schedules_paused(&saved.id, None, true, &alpha::store::now()).unwrap(), 1);
        assert!(store.schedule_entries().unwrap()[0].paused);
        assert_eq!(store.set_schedules_paused(&saved.id, Some("0 2 * * *"), false, &alpha::store::now()).unwrap(), 1);
        assert!(!store.schedule_entries().unwrap()[0].paused);
        // A queued occurrence waits for its turn, then one scheduler takes it.
        let next = Utc.with_ymd_and_hms(2026, 12, 2, 2, 0, 0).unwrap();
        assert!(store.claim_fire(id, next).unwrap());
        store.finish_fire(id, next, "queued", None, Some("waiting")).unwrap();
        assert_eq!(store.schedules_with_queued_fires().unwrap(), [id]);
        assert_eq!(store.take_queued_fire(id).unwrap(), Some(next));
        assert_eq!(store.take_queued_fire(id).unwrap(), None);
        assert_eq!(store.running_fire_claimants(id).unwrap(), [Some(i64::from(std::process::id()))]);
        assert_eq!(store.remove_schedule(&saved.id, Some("0 2 * * *")).unwrap(), 1);
        assert!(store.schedules().unwrap().is_empty());
    }

    fn history_and_suggestions_are_kept_once(backend) {
        let (_sandbox, mut store) = open(backend);
        store.record_command("repl", "git pull", Some("/src"), Some(0), "s1").unwrap();
        store.record_command("repl", "git push origin main", None, Some(1), "s1").unwrap();
        store.record_command("repl", "cargo test", None, None, "s2").unwrap();
        assert_eq!(store.commands_of("git", 5).unwrap(), ["git push origin main", "git pull"]);
        assert_eq!(store.recent_commands("s1", 5).unwrap(), ["git pull", "git push origin main"]);
        let at = Utc.with_ymd_and_hms(2026, 11, 30, 9, 0, 0).unwrap();
        let entries = vec![Entry::new("make".into(), Some(at)), Entry::new("make test".into(), None)];
        assert_eq!(store.import_history("bash", &entries).unwrap(), 2);
        assert_eq!(store.import_history("bash", &entries).unwrap(), 0, "an import twice adds nothing");
        let state = SourceState { format: "bash".into(), size: 10, modified: 7, offset: 10, tail: vec![0, 159, 10], commands: 0, read_at: String::new() };
        assert_eq!(store.advance_history_source("/h/.bash_history", &state, &[Entry::new("ls".into(), None)], 0).unwrap(), 1);
        assert_eq!(store.advance_history_source("/h/.bash_history", &state, &[Entry::new("pwd".into(), None)], 1).unwrap(), 1);
        let kept = store.history_source("/h/.bash_history").unwrap().unwrap();
        assert_eq!((kept.offset, kept.tail.clone(), kept.commands), (10, vec![0, 159, 10], 2));
        assert_eq!(store.history_sources().unwrap().len(), 1);
        assert_eq!(store.history_entries().unwrap().len(), 7);
        store.set_suggestion_state("git pull && cargo test", "dismissed", 4, None).unwrap();
        store.set_suggestion_state("make && make test", "accepted", 3, Some("Make")).unwrap();
        store.set_suggestion_state("make && make test", "accepted", 5, None).unwrap();
        assert_eq!(store.suggestions_in("accepted").unwrap(), ["make && make test"]);
        assert_eq!(store.settled_suggestions().unwrap().len(), 2);
        store.set_state("seen", "1").unwrap();
        store.set_state("seen", "2").unwrap();
        assert_eq!(store.state("seen").unwrap().as_deref(), Some("2"));
        store.record_workflow_dir("w1", "/a").unwrap();
        store.record_workflow_dir("w1", "/b").unwrap();
        assert_eq!(store.workflow_dir("w1").unwrap().as_deref(), Some("/a"), "the first directory stays");
    }

    fn the_queue_routes_by_tags_and_requeues_an_expired_lease(backend) {
        let (_sandbox, mut store) = open(backend);
        let saved = store.create(&workflow("Train", "true", "1.0.0"), false).unwrap();
        let gpu = store.enqueue_run(&saved.id, "Train", "1.0.0", &json!({}), "manual", &["gpu".into()]).unwrap();
        let any = store.enqueue_run(&saved.id, "Train", "1.0.0", &json!({}), "manual", &[]).unwrap();
        assert_eq!(store.queue_counts().unwrap(), (2, 0));
        assert_eq!(store.run(&gpu).unwrap().status, RunStatus::Pending);
        store.register_worker("cpu-1", &[], 1, "box", 0).unwrap();
        // An untagged worker passes over the gpu run and takes the one after it.
        let claim = store.claim_run("cpu-1", &[], 1_000).unwrap().unwrap();
        assert_eq!((claim.run_id.as_str(), claim.claims), (any.as_str(), 1));
        assert!(store.claim_run("cpu-1", &[], 1_000).unwrap().is_none());
        let claim = store.claim_run("gpu-1", &["gpu".into(), "big".into()], 1_000).unwrap().unwrap();
        assert_eq!(claim.run_id, gpu);
        assert_eq!(store.run(&gpu).unwrap().status, RunStatus::Running);
        store.note_attempt_started(&gpu, "fit", 1, "2026-12-01T00:00:00.000Z").unwrap();
        store.note_attempt_started(&gpu, "it's", 1, "2026-12-01T00:00:01.000Z").unwrap();
        store.note_attempt_ended(&gpu, "it's").unwrap();
        assert_eq!(store.renew_leases("cpu-1", 5_000, 10).unwrap(), 1);
        assert_eq!(store.worker_heartbeat("cpu-1").unwrap(), Some(10));
        // gpu-1's lease ran out: its run goes back, its step in flight recorded as interrupted.
        assert_eq!(store.requeue_expired(2_000).unwrap(), vec![gpu.clone()]);
        let steps = store.steps(&gpu).unwrap();
        assert_eq!(steps.iter().map(|s| (s.step_id.as_str(), s.status)).collect::<Vec<_>>(), [("fit", StepStatus::Interrupted)]);
        assert_eq!(store.attempts_so_far(&gpu).unwrap().get("fit"), Some(&1));
        assert_eq!(store.queue_counts().unwrap(), (1, 1));
        let again = store.claim_run("gpu-2", &["gpu".into()], 9_000).unwrap().unwrap();
        assert_eq!((again.run_id.as_str(), again.claims), (gpu.as_str(), 2));
        store.finish_run(&gpu, RunStatus::Completed, &json!({}), None).unwrap();
        assert_eq!(store.queue_state(&gpu).unwrap().as_deref(), Some("done"));
        let workers = store.workers().unwrap();
        assert_eq!(workers.len(), 1);
        assert_eq!(workers[0].runs, vec![any.clone()]);
        store.register_worker("cpu-1", &["x".into()], 4, "box", 20).unwrap();
        store.set_worker_state("cpu-1", "stopped").unwrap();
        assert_eq!(store.worker_heartbeat("cpu-1").unwrap(), None);
        assert_eq!(store.workers().unwrap()[0].concurrency, 4);
    }
}

#[test]
fn a_sqlite_library_from_a_newer_alpha_is_refused() {
    let sandbox = Sandbox::new();
    drop(Store::open(&sandbox.db()).unwrap());
    let conn = rusqlite::Connection::open(sandbox.db()).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let error = Store::open(&sandbox.db()).err().unwrap();
    assert!(error.to_string().contains("newer alpha (schema version 99"), "{error}");
    assert_eq!(error.exit_code(), 3);
}
