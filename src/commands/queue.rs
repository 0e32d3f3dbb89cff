//! Queued runs and the workers that take them (design.md §5, "Workers"): `run --queue` records a
//! pending run, `--wait` follows one to its end, `alpha worker` claims and runs them, and
//! `worker list` shows who is working on what. The same calls work on any store; on SQLite,
//! several workers on one machine share the queue.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::Value;
use tokio::sync::watch;

use super::{Context, short_id};
use crate::error::{Error, Result};
use crate::executor::events::Sink;
use crate::executor::{Carried, Executor, RunRequest, params};
use crate::store::{Claim, RunStatus, WorkerRow};
use crate::workflow::ParamType;

/// A run put in the queue.
#[derive(Debug, Clone, Serialize)]
pub struct Queued {
    /// Its id.
    pub run_id: String,
    /// The workflow.
    pub workflow: String,
    /// The worker tags it needs (the workflow's `runs_on`).
    pub tags: Vec<String>,
}

/// `run NAME --queue [k=v…]`: checks the values as a run would, then records the run as pending
/// for a worker. Values that don't fit are refused (and recorded, like any run that could not
/// start); a secret can't wait in the queue, since alpha never stores one: the worker takes it
/// from its `ALPHA_SECRET_<NAME>`.
pub fn enqueue(ctx: &Context, target: &str, given: IndexMap<String, String>, trigger: &str) -> Result<Queued> {
    let store = ctx.store()?;
    let saved = store.get(target)?;
    let workflow = saved.workflow;
    if let Some((name, _)) =
        given.iter().find(|(k, _)| workflow.parameters.get(*k).is_some_and(|p| p.kind == ParamType::Secret))
    {
        return Err(Error::usage_with(
            format!("a queued run can't carry the secret `{name}`: alpha never stores secrets"),
            format!("set ALPHA_SECRET_{} where the worker runs", name.to_ascii_uppercase()),
        ));
    }
    let values: IndexMap<String, Value> = given.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    // Checked as the worker will check them, but for secrets, which the worker brings.
    let mut public = workflow.clone();
    public.parameters.retain(|_, p| p.kind != ParamType::Secret);
    let resolved = match params::resolve(&public, &values) {
        Ok(resolved) => resolved,
        Err(error) => {
            let shown: serde_json::Map<String, Value> = values.clone().into_iter().collect();
            let shown = crate::secrets::redacted(&workflow, &shown);
            store.record_unstarted(
                &saved.id,
                &workflow.name,
                &workflow.version,
                &shown,
                trigger,
                &error.to_string(),
            )?;
            return Err(error);
        }
    };
    let shown = crate::secrets::redacted(&workflow, &resolved);
    let run_id = store.enqueue_run(&saved.id, &workflow.name, &workflow.version, &shown, trigger, &workflow.runs_on)?;
    Ok(Queued { run_id, workflow: workflow.name, tags: workflow.runs_on })
}

/// How a run waited for ended.
#[derive(Debug, Clone, Serialize)]
pub struct Waited {
    /// The run as recorded at its end.
    pub run: crate::store::RunRecord,
}

impl Waited {
    /// The exit code its status means (design.md §3).
    pub fn exit_code(&self) -> i32 {
        self.run.status.exit_code()
    }
}

/// `--wait`: follows a queued run from the record until it ends, reporting each recorded step
/// and its end to `sink` as the events of a local run.
pub fn wait(ctx: &Context, run_id: &str, sink: &Sink, poll: Duration) -> Result<Waited> {
    let store = ctx.store()?;
    let mut follower = super::follow::Follower::new(&store, &store.run(run_id)?);
    loop {
        let run = store.run(run_id)?;
        let steps = store.steps(&run.id)?;
        follower.events(&run, &steps).iter().for_each(|event| sink(event));
        if follower.is_done() {
            return Ok(Waited { run });
        }
        std::thread::sleep(poll);
    }
}

/// How a worker works.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Its name, unique among the workers sharing the store.
    pub name: String,
    /// Its tags: it takes runs whose workflow's `runs_on` it has all of.
    pub tags: Vec<String>,
    /// How many runs at once.
    pub concurrency: usize,
    /// How long a claim holds without a heartbeat.
    pub lease: Duration,
    /// How often it looks for work when idle.
    pub poll: Duration,
}

/// What stops a worker: `drain` (it claims nothing new and ends when its runs have), then
/// `cancel` (its runs stop now, recorded as interrupted).
#[derive(Clone)]
pub struct WorkerControl {
    /// Set on the first SIGTERM or Ctrl-C.
    pub drain: Arc<AtomicBool>,
    /// Sent `true` on the second.
    pub cancel: watch::Sender<bool>,
}

impl Default for WorkerControl {
    fn default() -> Self {
        WorkerControl { drain: Arc::new(AtomicBool::new(false)), cancel: watch::channel(false).0 }
    }
}

/// What a worker did before it stopped.
#[derive(Debug, Clone, Serialize)]
pub struct WorkerReport {
    /// Its name.
    pub name: String,
    /// Runs it finished, by status.
    pub finished: IndexMap<String, usize>,
    /// Runs of dead workers it put back in the queue.
    pub requeued: usize,
}

fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

use crate::store::host_name;

/// The name a worker gets when none is given: `host-pid`.
pub fn default_worker_name() -> String {
    format!("{}-{}", host_name(), std::process::id())
}

/// `alpha worker`: claims queued runs its tags allow, up to `concurrency` at once, each run
/// with the ordinary executor on a thread of its own, renewing its leases; puts back the runs of
/// workers whose leases ran out. Returns when drained. `notice` hears what it does.
pub fn work(
    ctx: &Context,
    options: &WorkerOptions,
    control: &WorkerControl,
    notice: &(dyn Fn(&str) + Sync),
) -> Result<WorkerReport> {
    let store = ctx.store()?;
    let lease_ms = options.lease.as_millis() as i64;
    if let Some(beat) = store.worker_heartbeat(&options.name)?
        && now_ms() - beat < lease_ms
    {
        return Err(Error::usage(format!("a worker named '{}' is already running", options.name)));
    }
    store.register_worker(&options.name, &options.tags, options.concurrency as i64, &host_name(), now_ms())?;
    let mut report = WorkerReport { name: options.name.clone(), finished: IndexMap::new(), requeued: 0 };
    // One executor for all the worker's runs: one database connection and writer, not one per run.
    let executor = Executor::new(ctx.store()?);
    let (done_tx, done_rx) = std::sync::mpsc::channel::<(String, Result<RunStatus>)>();
    let mut running: Vec<std::thread::JoinHandle<()>> = Vec::new();
    // Runs taken and not yet reported done: a thread's handle can still look unfinished just
    // after it has said so, and a free slot must not wait for that.
    let mut in_flight = 0usize;
    let mut last_beat = Instant::now();
    let mut draining = false;
    loop {
        if control.drain.load(Ordering::SeqCst) && !draining {
            draining = true;
            store.set_worker_state(&options.name, "draining")?;
            notice(&format!("draining: {in_flight} run(s) to finish, nothing new taken"));
        }
        if last_beat.elapsed() >= options.lease / 3 {
            store.renew_leases(&options.name, now_ms() + lease_ms, now_ms())?;
            last_beat = Instant::now();
        }
        for run in store.requeue_expired(now_ms())? {
            report.requeued += 1;
            notice(&format!("requeued run {}: its worker stopped renewing its lease", short_id(&run)));
        }
        while !draining && in_flight < options.concurrency {
            let Some(claim) = store.claim_run(&options.name, &options.tags, now_ms() + lease_ms)? else { break };
            notice(&format!("took run {} of '{}'", short_id(&claim.run_id), claim.workflow_name));
            let (executor, tx, cancel) = (executor.clone(), done_tx.clone(), control.cancel.subscribe());
            let run_id = claim.run_id.clone();
            let handle = std::thread::Builder::new()
                .name("alpha-worker-run".into())
                .spawn(move || {
                    let outcome = run_claim(&executor, claim, cancel);
                    let _ = tx.send((run_id, outcome));
                })
                .map_err(|e| Error::io("can't start a thread for a run", e))?;
            running.push(handle);
            in_flight += 1;
        }
        if draining && in_flight == 0 {
            break;
        }
        let mut finished = Vec::new();
        if !draining && in_flight < options.concurrency {
            // A free slot and nothing to take: wait for a run to be queued (PostgreSQL's NOTIFY
            // wakes this at once; on SQLite, and as the fallback, it is the poll interval).
            store.wait_for_queued(options.poll)?;
            finished.extend(done_rx.try_iter());
        } else if let Ok(done) = done_rx.recv_timeout(options.poll) {
            finished.push(done);
        }
        for (run_id, outcome) in finished {
            in_flight = in_flight.saturating_sub(1);
            let status = match outcome {
                Ok(status) => status.as_str().to_string(),
                Err(error) => {
                    notice(&format!("run {}: {error}", short_id(&run_id)));
                    "failed".to_string()
                }
            };
            notice(&format!("run {} {status}", short_id(&run_id)));
            *report.finished.entry(status).or_default() += 1;
        }
        running.retain(|handle| !handle.is_finished());
    }
    for handle in running {
        let _ = handle.join();
    }
    store.set_worker_state(&options.name, "stopped")?;
    Ok(report)
}

/// Runs one claimed run to its end in its own row: a run claimed before (its worker died) keeps
/// its finished steps and numbers its attempts on.
fn run_claim(executor: &Executor, claim: Claim, cancel: watch::Receiver<bool>) -> Result<RunStatus> {
    let request = claimed_request(&executor.store(), claim, cancel)?;
    Ok(executor.run_blocking(request)?.status)
}

/// The request that runs a claimed run; a run whose definition is gone ends failed here.
fn claimed_request(store: &crate::store::Store, claim: Claim, cancel: watch::Receiver<bool>) -> Result<RunRequest> {
    let run = store.run(&claim.run_id)?;
    let workflow = match super::run::workflow_that_ran(store, &run) {
        Ok(workflow) => workflow,
        Err(error) => {
            store.finish_run(&claim.run_id, RunStatus::Failed, &serde_json::json!({}), Some(&error.to_string()))?;
            return Err(error);
        }
    };
    // The worker brings the secrets (ALPHA_SECRET_*): a queued run never carried one.
    let (given, _) = super::run::recorded_values(&workflow, &run.parameters);
    let carried = if claim.claims > 1 {
        Some(Carried {
            from_run: claim.run_id.clone(),
            results: super::run::finished_results(store, &claim.run_id)?,
            attempts: store.attempts_so_far(&claim.run_id)?,
        })
    } else {
        None
    };
    let workdir = crate::executor::unattended_workdir(store, &claim.workflow_id)?;
    Ok(RunRequest {
        workflow,
        workflow_id: claim.workflow_id.clone(),
        params: given,
        trigger: run.trigger.clone(),
        verbose: false,
        sink: crate::executor::events::silent(),
        handle_signals: false,
        stack: Vec::new(),
        carried,
        workdir,
        inherited_secrets: Arc::from([]),
        parent_cancel: Some(cancel),
        deadline: None,
        claimed: Some(claim.run_id.clone()),
    })
}

/// `alpha worker list`: the workers and what they hold, with how many runs wait.
#[derive(Debug, Clone, Serialize)]
pub struct WorkerList {
    /// Every worker that ever registered, newest state.
    pub workers: Vec<WorkerStatus>,
    /// Runs waiting for a worker.
    pub pending: i64,
    /// Runs workers hold.
    pub claimed: i64,
}

/// One worker, with whether it is alive.
#[derive(Debug, Clone, Serialize)]
pub struct WorkerStatus {
    /// The row.
    #[serde(flatten)]
    pub worker: WorkerRow,
    /// Seconds since its last heartbeat.
    pub seconds_since_heartbeat: i64,
    /// It is running or draining and its heartbeat is recent.
    pub alive: bool,
}

/// `alpha worker list`
pub fn list(ctx: &Context, lease: Duration) -> Result<WorkerList> {
    let Some(store) = ctx.existing_store()? else {
        return Ok(WorkerList { workers: Vec::new(), pending: 0, claimed: 0 });
    };
    let now = now_ms();
    let workers = store
        .workers()?
        .into_iter()
        .map(|worker| {
            let age = (now - worker.heartbeat_at).max(0);
            let alive = worker.state != "stopped" && age < lease.as_millis() as i64;
            WorkerStatus { seconds_since_heartbeat: age / 1000, alive, worker }
        })
        .collect();
    let (pending, claimed) = store.queue_counts()?;
    Ok(WorkerList { workers, pending, claimed })
}
