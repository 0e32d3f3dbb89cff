//! Runs workflows (design.md §4): sequential steps, parallel groups, dag mode, branches,
//! conditions, error strategies with retry and fallback, timeouts, cancellation, and a record
//! of every run and step attempt in the library.

mod attempt;
mod context;
mod dag;
pub mod events;
pub mod logs;
pub mod params;
mod plan;
mod record;
mod resume;
mod retry;
mod strategy;
mod walk;
mod writer;

pub use attempt::TAIL_LINES;
use attempt::output_tail;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::{BoxFuture, join_all};
use futures_util::stream::{FuturesUnordered, StreamExt};
use indexmap::IndexMap;
use serde_json::{Map, Value, json};
use tokio::sync::{Semaphore, watch};

use crate::error::{Error, Result};
use crate::store::{RunStatus, StepRecord, StepStatus, Store, now};
use crate::template::{self, Escape};
use crate::tools::capture::LogFile;
use crate::tools::external::External;
use crate::tools::processes::Groups;
use crate::tools::{Failure, Registry, Request, Tool};
use crate::workflow::{Branch, ExecutionMode, OnError, Step, ToolStep, Workflow};
use events::{Event, Sink};
pub use plan::{Diagram, Graph, dry_run, graph, numbering, step_graph};

/// Sub-workflows may nest this deep.
pub const MAX_DEPTH: usize = 8;

/// What to run and how.
pub struct RunRequest {
    /// The definition.
    pub workflow: Workflow,
    /// Its library id (`file:PATH` for a file that isn't saved).
    pub workflow_id: String,
    /// Parameter values: strings from the command line, typed values from callers.
    pub params: IndexMap<String, Value>,
    /// manual, schedule, workflow, …
    pub trigger: String,
    /// Stream step output as events.
    pub verbose: bool,
    /// Where progress goes.
    pub sink: Sink,
    /// Cancel on Ctrl-C and SIGTERM.
    pub handle_signals: bool,
    /// Names of the workflows that called this one (cycle detection).
    pub stack: Vec<String>,
    /// Step results kept from an earlier run that this one resumes.
    pub carried: Option<Carried>,
    /// The directory steps run in when the workflow names none: the caller's for a CLI or chat
    /// run, the recorded one (else `$HOME`) for a scheduled run. `None`: alpha's own.
    pub workdir: Option<std::path::PathBuf>,
    /// The calling run's secrets, for a sub-workflow: masked here too.
    pub inherited_secrets: Arc<[String]>,
    /// The calling run's cancellation, for a sub-workflow: it stops this run too.
    pub parent_cancel: Option<watch::Receiver<bool>>,
    /// When the calling step's timeout ends this run (a sub-workflow).
    pub deadline: Option<Instant>,
    /// A queued run a worker claimed: the run goes on in that run's row instead of a new one.
    pub claimed: Option<String>,
}

/// The finished steps of a failed or interrupted run, which `--resume` doesn't run again.
#[derive(Debug, Clone, Default)]
pub struct Carried {
    /// The earlier run's id.
    pub from_run: String,
    /// Result objects by step id.
    pub results: Map<String, Value>,
    /// The highest attempt each step reached before (a requeued run numbers on from it).
    pub attempts: HashMap<String, u32>,
}

/// How a run ended.
#[derive(Debug, Clone)]
pub struct RunSummary {
    /// Run id.
    pub run_id: String,
    /// Final status.
    pub status: RunStatus,
    /// Rendered outputs.
    pub outputs: Value,
    /// Why it failed.
    pub error: Option<String>,
    /// Wall time.
    pub duration: Duration,
    /// Steps that failed under `log_and_continue` (a `partial` run), by label.
    pub failed_steps: Vec<String>,
    /// The step whose failure stopped a `failed` run: "2/3 Run Tests".
    pub failed_at: Option<String>,
}

impl RunSummary {
    /// The process exit code for this outcome.
    pub fn exit_code(&self) -> i32 {
        self.status.exit_code()
    }
}

/// Where a run that no one started from a terminal (a scheduled run, a worker's) runs when its
/// workflow names no `workdir:`: the directory it was saved from, else `$HOME`, never the
/// scheduler's or the worker's own.
pub fn unattended_workdir(store: &Store, workflow_id: &str) -> Result<Option<std::path::PathBuf>> {
    Ok(store
        .workflow_dir(workflow_id)?
        .map(std::path::PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(std::path::PathBuf::from)))
}

/// Runs workflows against one library.
#[derive(Clone)]
pub struct Executor {
    store: Arc<Mutex<Store>>,
    registry: Arc<Registry>,
    writer: writer::Writer,
    /// `logs/` beside the database, where each run's step logs go.
    logs_root: Option<std::path::PathBuf>,
}

enum Stop {
    Failed(String),
    Interrupted,
}

type Flow = std::result::Result<(), Stop>;

/// One run in progress.
struct Run {
    executor: Executor,
    workflow: Arc<Workflow>,
    run_id: String,
    params: Map<String, Value>,
    results: Mutex<Map<String, Value>>,
    numbers: HashMap<String, usize>,
    total: usize,
    sink: Sink,
    verbose: bool,
    cancel: watch::Receiver<bool>,
    /// Stops the run from inside: a record that can never be written (the server is gone).
    stop: watch::Sender<bool>,
    slots: Semaphore,
    secrets: Arc<[String]>,
    /// Every form of every secret ([`crate::secrets::forms`]), masked wherever text leaves.
    forms: Arc<[String]>,
    /// Template context entries that don't change during the run: parameters and built-ins.
    fixed: Vec<(String, minijinja::Value)>,
    /// Step results as template values, converted once, so contexts are cheap to build.
    jinja_results: Mutex<Vec<(String, minijinja::Value)>>,
    plain: minijinja::Environment<'static>,
    quoting: minijinja::Environment<'static>,
    paths: minijinja::Environment<'static>,
    stack: Vec<String>,
    carried: Carried,
    /// The run came from the queue: attempts under way are noted for the worker's lease.
    queued: bool,
    /// Steps that failed under `on_error: log_and_continue`, by label: the run is `partial`.
    continued: Mutex<Vec<String>>,
    /// The step whose failure stopped the run: "2/3 Run Tests".
    failed_at: Mutex<Option<String>>,
    /// Attempts under way, by step id, so a run timeout can record the steps it cut short.
    in_flight: Mutex<HashMap<String, InFlight>>,
    /// The run's directory: the workflow's `workdir:` (rendered), else the request's.
    workdir: Option<std::path::PathBuf>,
    /// Where the run's step logs go: `logs/<run id>/` beside the database.
    log_dir: Option<std::path::PathBuf>,
    /// Background process groups left by finished steps, stopped when the run ends.
    groups: Groups,
}

/// An attempt under way.
struct InFlight {
    step: ToolStep,
    attempt: u32,
    started_at: String,
    clock: Instant,
}

impl Executor {
    /// An executor recording into `store`.
    pub fn new(store: Store) -> Self {
        let logs_root = Some(crate::paths::logs_dir(&store.local_dir()));
        if let Some(root) = &logs_root {
            let limits = crate::config::settings().limits;
            logs::prune_in_background(root.clone(), limits.logs_max_age, limits.logs_max_total);
        }
        let store = Arc::new(Mutex::new(store));
        Executor {
            writer: writer::Writer::start(store.clone()),
            store,
            registry: Arc::new(Registry::default()),
            logs_root,
        }
    }

    /// The library.
    pub fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Runs a workflow to its end. Parameter problems are usage errors returned before anything
    /// is recorded; everything after is recorded and summarized.
    pub fn run(&self, request: RunRequest) -> BoxFuture<'_, Result<RunSummary>> {
        Box::pin(self.run_inner(request))
    }

    /// Runs to the end on a runtime of its own, for callers outside async code.
    pub fn run_blocking(&self, request: RunRequest) -> Result<RunSummary> {
        runtime()?.block_on(self.run(request))
    }

    async fn run_inner(&self, request: RunRequest) -> Result<RunSummary> {
        let workflow = request.workflow;
        let params = match params::resolve(&workflow, &request.params) {
            Ok(params) => params,
            Err(error) => {
                // Asked for and refused: recorded as failed, with why (design.md §3).
                let given: Map<String, Value> = request.params.clone().into_iter().collect();
                let mut shown = crate::secrets::redacted(&workflow, &given);
                let mut secrets = crate::secrets::secret_env_values();
                secrets.extend(request.inherited_secrets.iter().cloned());
                let forms = crate::secrets::forms(&secrets);
                crate::secrets::mask_value(&mut shown, &forms);
                let message = crate::secrets::mask(&error.to_string(), &forms);
                let (id, name, version, trigger) = (
                    request.workflow_id.clone(),
                    workflow.name.clone(),
                    workflow.version.clone(),
                    request.trigger.clone(),
                );
                match request.claimed.clone() {
                    // A queued run that can't start ends in its own row.
                    Some(run) => {
                        self.db(move |store| store.finish_run(&run, RunStatus::Failed, &json!({}), Some(&message)))
                            .await?;
                    }
                    None => {
                        self.db(move |store| store.record_unstarted(&id, &name, &version, &shown, &trigger, &message))
                            .await?;
                    }
                }
                return Err(error);
            }
        };
        let mut shown = crate::secrets::redacted(&workflow, &params);
        let mut secrets = crate::secrets::secret_values(&workflow, &params);
        secrets.extend(crate::secrets::secret_env_values());
        // A value that came from a secret stays one in a sub-workflow, whatever its type there.
        secrets.extend(request.inherited_secrets.iter().cloned());
        let forms: Arc<[String]> = crate::secrets::forms(&secrets).into();
        crate::secrets::mask_value(&mut shown, &forms);
        let (id, name, version) = (request.workflow_id.clone(), workflow.name.clone(), workflow.version.clone());
        let run_id = match (&request.claimed, &request.carried) {
            (Some(claimed), _) => claimed.clone(),
            (None, Some(carried)) => {
                let from = carried.from_run.clone();
                self.db(move |store| store.start_resumed_run(&id, &name, &version, &shown, &from)).await?
            }
            (None, None) => {
                let trigger = request.trigger.clone();
                match crate::process::take_reserved_run_id() {
                    Some(run_id) => {
                        self.db(move |store| store.start_run_as(&run_id, &id, &name, &version, &shown, &trigger))
                            .await?
                    }
                    None => self.db(move |store| store.start_run(&id, &name, &version, &shown, &trigger)).await?,
                }
            }
        };
        crate::tools::processes::watch_run(&run_id);
        let (numbers, total) = numbering(&workflow.steps);
        (request.sink)(&Event::RunStarted {
            run_id: run_id.clone(),
            workflow: workflow.name.clone(),
            total_steps: total,
        });
        let (cancel_tx, cancel_rx) = watch::channel(false);
        let signals = request.handle_signals.then(|| tokio::spawn(watch_signals(cancel_tx.clone())));
        let max_parallel = workflow
            .execution
            .max_parallel
            .map_or(crate::config::settings().limits.max_parallel, |n| n.max(1) as usize);
        let log_dir = self.logs_root.as_ref().map(|root| root.join(&run_id));
        let run = Run {
            executor: self.clone(),
            workflow: Arc::new(workflow),
            run_id: run_id.clone(),
            params,
            results: Mutex::new(Map::new()),
            numbers,
            total,
            sink: request.sink.clone(),
            verbose: request.verbose,
            cancel: cancel_rx,
            stop: cancel_tx.clone(),
            slots: Semaphore::new(max_parallel),
            fixed: Vec::new(),
            jinja_results: Mutex::new(Vec::new()),
            plain: template::environment(Escape::None),
            quoting: template::environment(Escape::Shell),
            paths: template::environment(Escape::Path),
            secrets: secrets.into(),
            forms,
            stack: request.stack,
            carried: request.carried.unwrap_or_default(),
            queued: request.claimed.is_some(),
            continued: Mutex::new(Vec::new()),
            failed_at: Mutex::new(None),
            in_flight: Mutex::new(HashMap::new()),
            workdir: request.workdir.clone(),
            log_dir,
            groups: Groups::default(),
        };
        let mut run = run;
        run.fixed = run.fixed_context();
        if let Some(text) = run.workflow.workdir.clone() {
            match run.directory(&text, request.workdir.as_deref()) {
                Ok(dir) => run.workdir = Some(dir),
                Err(message) => {
                    let message = format!("workdir `{text}`: {message}");
                    let (id, shown) = (run_id.clone(), run.scrub(&message));
                    self.db(move |store| store.finish_run(&id, RunStatus::Failed, &json!({}), Some(&shown))).await?;
                    return Err(Error::usage(message));
                }
            }
        }
        let clock = Instant::now();
        // A sub-workflow stops with the run that called it.
        let forward = request.parent_cancel.map(|mut parent| {
            let cancel = cancel_tx.clone();
            tokio::spawn(async move {
                if parent.wait_for(|c| *c).await.is_ok() {
                    let _ = cancel.send(true);
                }
            })
        });
        let body = run.top_level();
        let flow = match time_limit(run.workflow.execution.timeout, request.deadline) {
            Some((limit, reason, message)) => tokio::select! {
                flow = body => flow,
                () = tokio::time::sleep(limit) => {
                    let _ = cancel_tx.send(true);
                    run.cut_short(&reason);
                    Err(Stop::Failed(message))
                }
            },
            None => body.await,
        };
        if let Some(handle) = forward {
            handle.abort();
        }
        if let Some(handle) = signals {
            handle.abort();
        }
        run.groups.stop_all().await;
        let failed_steps =
            std::mem::take(&mut *run.continued.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        let failed_at = run.failed_at.lock().unwrap_or_else(std::sync::PoisonError::into_inner).take();
        let (outputs, output_failure) = run.outputs();
        let flow = match (flow, output_failure) {
            (Ok(()), Some(failure)) => Err(Stop::Failed(failure)),
            (flow, _) => flow,
        };
        let (status, error) = match flow {
            Ok(()) if failed_steps.is_empty() => (RunStatus::Completed, None),
            Ok(()) => (RunStatus::Partial, Some(partial_summary(&failed_steps))),
            Err(Stop::Failed(message)) => (RunStatus::Failed, Some(run.scrub(&message))),
            Err(Stop::Interrupted) => (RunStatus::Interrupted, Some("interrupted by the user".to_string())),
        };
        let duration = clock.elapsed();
        let mut result = json!({ "outputs": outputs, "duration_ms": duration.as_millis() as u64 });
        crate::secrets::mask_value(&mut result, &run.forms);
        let (id, stored_error) = (run_id.clone(), error.clone());
        self.db(move |store| store.finish_run(&id, status, &result, stored_error.as_deref())).await?;
        crate::tools::processes::release_run(&run_id);
        (request.sink)(&Event::RunFinished {
            run_id: run_id.clone(),
            status,
            duration_ms: duration.as_millis() as u64,
            outputs: outputs.clone(),
            error: error.clone(),
            failed_steps: failed_steps.clone(),
            failed_at: failed_at.clone(),
        });
        Ok(RunSummary { run_id, status, outputs, error, duration, failed_steps, failed_at })
    }
}

/// The nearer of the run's own timeout and the calling step's deadline (for a sub-workflow):
/// how long the run may go on, what the steps it cuts short are told, and the run's error.
fn time_limit(
    own: Option<crate::workflow::HumanDuration>,
    deadline: Option<Instant>,
) -> Option<(Duration, String, String)> {
    let own =
        own.map(|t| (t.get(), format!("the run's timeout of {t} was reached"), format!("the run timed out after {t}")));
    let caller = deadline.map(|d| {
        let left = d.saturating_duration_since(Instant::now());
        (
            left,
            "the calling step's timeout was reached".to_string(),
            "timed out: the calling step's timeout was reached".to_string(),
        )
    });
    match (own, caller) {
        (Some(a), Some(b)) => Some(if a.0 <= b.0 { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// "completed with 2 failed steps: Run Tests, Lint".
fn partial_summary(failed: &[String]) -> String {
    let steps = if failed.len() == 1 { "step" } else { "steps" };
    format!("completed with {} failed {steps}: {}", failed.len(), failed.join(", "))
}

async fn watch_signals(cancel: watch::Sender<bool>) {
    stop_signal().await;
    let _ = cancel.send(true);
}

/// Resolves on Ctrl-C (SIGINT), SIGTERM, or SIGHUP (the terminal was closed).
pub async fn stop_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    let wait = |kind: SignalKind| {
        let mut stream = signal(kind).ok();
        async move {
            match stream.as_mut() {
                Some(signal) => {
                    signal.recv().await;
                }
                None => std::future::pending().await,
            }
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = wait(SignalKind::terminate()) => {}
        () = wait(SignalKind::hangup()) => {}
    }
}

/// A single-threaded runtime, as the synchronous faces (CLI, chat shell, scheduler threads) use.
pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::io("can't start the runtime", e))
}

/// A step result with every common field present.
fn result_object(
    status: &str,
    fields: Map<String, Value>,
    attempts: u32,
    duration: Duration,
    error: Option<&str>,
) -> Value {
    let mut object = Map::new();
    for key in ["output", "exit_code", "stdout", "stderr", "json"] {
        object.insert(key.into(), Value::Null);
    }
    object.extend(fields);
    object.insert("status".into(), Value::String(status.into()));
    object.insert("attempts".into(), Value::from(attempts));
    object.insert("duration_ms".into(), Value::from(duration.as_millis() as u64));
    object.insert("error".into(), error.map_or(Value::Null, |e| Value::String(e.into())));
    Value::Object(object)
}

fn skipped_object(reason: &str) -> Value {
    let mut object = result_object("skipped", Map::new(), 0, Duration::ZERO, None);
    object["reason"] = Value::String(reason.into());
    object
}
