//! Runs workflows (design.md §4): sequential steps, parallel groups, dag mode, branches,
//! conditions, error strategies with retry and fallback, timeouts, cancellation, and a record
//! of every run and step attempt in the library.

pub mod events;
pub mod params;
mod plan;
mod retry;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures_util::future::{BoxFuture, join_all};
use futures_util::stream::{FuturesUnordered, StreamExt};
use indexmap::IndexMap;
use serde_json::{Map, Value, json};
use tokio::sync::{Semaphore, watch};

use crate::error::{Error, Result};
use crate::secrets::redact;
use crate::store::{RunStatus, StepRecord, StepStatus, Store, now};
use crate::template::{self, Escape};
use crate::tools::external::External;
use crate::tools::{Failure, Registry, Request, Tool};
use crate::workflow::{Branch, ExecutionMode, OnError, Step, ToolStep, Workflow};
use events::{Event, Sink};
pub use plan::{Diagram, dry_run, graph, numbering};

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
}

/// The finished steps of a failed or interrupted run, which `--resume` doesn't run again.
#[derive(Debug, Clone, Default)]
pub struct Carried {
    /// The earlier run's id.
    pub from_run: String,
    /// Result objects by step id.
    pub results: Map<String, Value>,
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
}

impl RunSummary {
    /// The process exit code for this outcome.
    pub fn exit_code(&self) -> i32 {
        match self.status {
            RunStatus::Completed => crate::error::exit::OK,
            RunStatus::Interrupted => crate::error::exit::INTERRUPTED,
            _ => crate::error::exit::FAILED,
        }
    }
}

/// Runs workflows against one library.
#[derive(Clone)]
pub struct Executor {
    store: Arc<Mutex<Store>>,
    registry: Arc<Registry>,
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
    slots: Option<Semaphore>,
    secrets: Arc<[String]>,
    /// Template context entries that don't change during the run: parameters and built-ins.
    fixed: Vec<(String, minijinja::Value)>,
    /// Step results as template values, converted once, so contexts are cheap to build.
    jinja_results: Mutex<Vec<(String, minijinja::Value)>>,
    plain: minijinja::Environment<'static>,
    quoting: minijinja::Environment<'static>,
    paths: minijinja::Environment<'static>,
    stack: Vec<String>,
    carried: Carried,
}

impl Executor {
    /// An executor recording into `store`.
    pub fn new(store: Store) -> Self {
        Executor { store: Arc::new(Mutex::new(store)), registry: Arc::new(Registry::default()) }
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
        let params = params::resolve(&workflow, &request.params)?;
        let shown = crate::secrets::redacted(&workflow, &params);
        let mut secrets = crate::secrets::secret_values(&workflow, &params);
        secrets.extend(crate::secrets::secret_env_values());
        let run_id = self.store().start_run(
            &request.workflow_id,
            &workflow.name,
            &workflow.version,
            &shown,
            &request.trigger,
        )?;
        if let Some(carried) = &request.carried {
            self.store().mark_resumed(&run_id, &carried.from_run)?;
        }
        let (numbers, total) = numbering(&workflow.steps);
        (request.sink)(&Event::RunStarted {
            run_id: run_id.clone(),
            workflow: workflow.name.clone(),
            total_steps: total,
        });
        let (cancel_tx, cancel_rx) = watch::channel(false);
        let signals = request.handle_signals.then(|| tokio::spawn(watch_signals(cancel_tx.clone())));
        let max_parallel = workflow.execution.max_parallel.map(|n| Semaphore::new(n.max(1) as usize));
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
            slots: max_parallel,
            fixed: Vec::new(),
            jinja_results: Mutex::new(Vec::new()),
            plain: template::environment(Escape::None),
            quoting: template::environment(Escape::Shell),
            paths: template::environment(Escape::Path),
            secrets: secrets.into(),
            stack: request.stack,
            carried: request.carried.unwrap_or_default(),
        };
        let mut run = run;
        run.fixed = run.fixed_context();
        let clock = Instant::now();
        let body = run.top_level();
        let flow = match run.workflow.execution.timeout {
            Some(limit) => tokio::select! {
                flow = body => flow,
                () = tokio::time::sleep(limit.get()) => {
                    let _ = cancel_tx.send(true);
                    Err(Stop::Failed(format!("the run timed out after {limit}")))
                }
            },
            None => body.await,
        };
        if let Some(handle) = signals {
            handle.abort();
        }
        let (status, error) = match flow {
            Ok(()) => (RunStatus::Completed, None),
            Err(Stop::Failed(message)) => (RunStatus::Failed, Some(run.scrub(&message))),
            Err(Stop::Interrupted) => (RunStatus::Interrupted, Some("interrupted by the user".to_string())),
        };
        let outputs = run.outputs();
        let duration = clock.elapsed();
        let result = json!({ "outputs": outputs, "duration_ms": duration.as_millis() as u64 });
        self.store().finish_run(&run_id, status, &result, error.as_deref())?;
        (request.sink)(&Event::RunFinished {
            run_id: run_id.clone(),
            status,
            duration_ms: duration.as_millis() as u64,
            outputs: outputs.clone(),
            error: error.clone(),
        });
        Ok(RunSummary { run_id, status, outputs, error, duration })
    }
}

async fn watch_signals(cancel: watch::Sender<bool>) {
    stop_signal().await;
    let _ = cancel.send(true);
}

/// Resolves on Ctrl-C (SIGINT) or SIGTERM.
pub async fn stop_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).ok();
    let terminated = async {
        match term.as_mut() {
            Some(signal) => {
                signal.recv().await;
            }
            None => std::future::pending().await,
        }
    };
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        () = terminated => {}
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

impl Run {
    async fn top_level(&self) -> Flow {
        match self.workflow.execution.mode {
            ExecutionMode::Sequential => self.sequence(&self.workflow.steps).await,
            ExecutionMode::Dag => self.dag().await,
        }
    }

    fn sequence<'a>(&'a self, steps: &'a [Step]) -> BoxFuture<'a, Flow> {
        Box::pin(async move {
            for step in steps {
                self.step(step).await?;
            }
            Ok(())
        })
    }

    fn step<'a>(&'a self, step: &'a Step) -> BoxFuture<'a, Flow> {
        Box::pin(async move {
            if *self.cancel.borrow() {
                return Err(Stop::Interrupted);
            }
            match step {
                Step::Tool(tool) => self.tool_step(tool).await,
                Step::Parallel(group) => {
                    let flows = join_all(group.parallel.iter().map(|member| self.step(member))).await;
                    first_stop(flows)
                }
                Step::Branch(branch) => self.branch(branch).await,
            }
        })
    }

    async fn branch(&self, branch: &Branch) -> Flow {
        let taken =
            self.condition(&branch.condition).map_err(|e| Stop::Failed(format!("branch `{}`: {e}", branch.id)))?;
        let (run, skip) = if taken { (&branch.then, &branch.otherwise) } else { (&branch.otherwise, &branch.then) };
        self.skip_all(skip, if taken { "branch not taken" } else { "condition false" });
        let flow = self.sequence(run).await;
        let mut object =
            result_object(if flow.is_ok() { "success" } else { "failed" }, Map::new(), 1, Duration::ZERO, None);
        object["output"] = Value::Bool(taken);
        self.set_result(&branch.id, object);
        flow
    }

    fn skip_all(&self, steps: &[Step], reason: &str) {
        for step in steps {
            match step {
                Step::Tool(tool) => self.skip(tool, reason),
                Step::Parallel(group) => self.skip_all(&group.parallel, reason),
                Step::Branch(branch) => {
                    self.set_result(&branch.id, skipped_object(reason));
                    self.skip_all(&branch.then, reason);
                    self.skip_all(&branch.otherwise, reason);
                }
            }
        }
    }

    fn skip(&self, step: &ToolStep, reason: &str) {
        self.set_result(&step.id, skipped_object(reason));
        let index = self.numbers.get(&step.id).copied().unwrap_or(0);
        self.record(&StepRecord {
            step_id: step.id.clone(),
            name: step.name.clone(),
            attempt: 0,
            status: StepStatus::Skipped,
            started_at: Some(now()),
            completed_at: Some(now()),
            duration_ms: Some(0),
            exit_code: None,
            output: None,
            error: Some(reason.into()),
            result: Value::Null,
        });
        (self.sink)(&Event::StepFinished {
            index,
            total: self.total,
            id: step.id.clone(),
            label: label(step),
            status: StepStatus::Skipped,
            duration_ms: 0,
            attempts: 0,
            reason: Some(reason.into()),
            stderr_tail: None,
        });
    }

    /// Takes a step's result from the run being resumed instead of running it again.
    fn carry(&self, step: &ToolStep, result: Value) {
        let index = self.numbers.get(&step.id).copied().unwrap_or(0);
        let from = self.carried.from_run.chars().take(8).collect::<String>();
        self.record(&StepRecord {
            step_id: step.id.clone(),
            name: step.name.clone(),
            attempt: 0,
            status: StepStatus::Carried,
            started_at: Some(now()),
            completed_at: Some(now()),
            duration_ms: Some(0),
            exit_code: result.get("exit_code").and_then(Value::as_i64),
            output: result.get("output").map(|o| o.as_str().map_or_else(|| o.to_string(), str::to_string)),
            error: None,
            result: result.clone(),
        });
        self.set_result(&step.id, result);
        (self.sink)(&Event::StepFinished {
            index,
            total: self.total,
            id: step.id.clone(),
            label: label(step),
            status: StepStatus::Carried,
            duration_ms: 0,
            attempts: 0,
            reason: Some(format!("done in run {from}")),
            stderr_tail: None,
        });
    }

    fn set_result(&self, id: &str, value: Value) {
        if !id.is_empty() {
            let converted = minijinja::Value::from(minijinja::value::Serde(&value));
            let mut jinja = self.jinja_results.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match jinja.iter_mut().find(|(key, _)| key == id) {
                Some(entry) => entry.1 = converted,
                None => jinja.push((id.to_string(), converted)),
            }
            drop(jinja);
            self.results.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(id.to_string(), value);
        }
    }

    fn record(&self, record: &StepRecord) {
        let mut record = record.clone();
        record.output = record.output.map(|o| self.scrub(&o));
        record.error = record.error.map(|e| self.scrub(&e));
        if !record.result.is_null() {
            record.result = serde_json::from_str(&self.scrub(&record.result.to_string())).unwrap_or(Value::Null);
        }
        if let Err(error) = self.executor.store().record_step(&self.run_id, &record) {
            (self.sink)(&Event::Warning { message: format!("could not record step {}: {error}", record.step_id) });
        }
    }

    /// Replaces secret values with `***`.
    fn scrub(&self, text: &str) -> String {
        redact(text, &self.secrets)
    }

    /// The sink for a step's streamed output lines: each becomes an event, secrets scrubbed.
    fn output_sink(&self, step_id: &str) -> crate::tools::LineSink {
        let sink = self.sink.clone();
        let secrets = self.secrets.clone();
        let id = step_id.to_string();
        Arc::new(move |stream: &str, line: &str| {
            sink(&Event::StepOutput { id: id.clone(), stream: stream.to_string(), line: redact(line, &secrets) })
        })
    }

    /// The sink for a step's notices to the person watching, secrets scrubbed.
    fn notice_sink(&self, step_id: &str) -> crate::tools::Notice {
        let sink = self.sink.clone();
        let secrets = self.secrets.clone();
        let id = step_id.to_string();
        Arc::new(move |text: &str| sink(&Event::Notice { id: id.clone(), text: redact(text, &secrets) }))
    }

    /// A sink for a sub-workflow: its progress stays inside its step, its notices and warnings
    /// reach the person watching.
    fn notices_only(&self) -> Sink {
        let sink = self.sink.clone();
        Arc::new(move |event: &Event| {
            if matches!(event, Event::Notice { .. } | Event::Warning { .. }) {
                sink(event)
            }
        })
    }

    fn fixed_context(&self) -> Vec<(String, minijinja::Value)> {
        let to = |v: &Value| minijinja::Value::from(minijinja::value::Serde(v));
        let mut fixed: Vec<(String, minijinja::Value)> = self.params.iter().map(|(k, v)| (k.clone(), to(v))).collect();
        let env: Map<String, Value> = std::env::vars().map(|(k, v)| (k, Value::String(v))).collect();
        fixed.push(("params".into(), to(&Value::Object(self.params.clone()))));
        fixed.push(("env".into(), to(&Value::Object(env))));
        fixed.push(("now".into(), minijinja::Value::from(now())));
        fixed.push(("run".into(), to(&json!({"id": self.run_id}))));
        fixed.push(("workflow".into(), to(&json!({"name": self.workflow.name, "version": self.workflow.version}))));
        fixed
    }

    fn context(&self) -> minijinja::Value {
        let results = self.jinja_results.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        minijinja::Value::from_pairs(self.fixed.iter().cloned().chain(results.iter().cloned()))
    }

    fn condition(&self, text: &str) -> std::result::Result<bool, String> {
        let expression =
            self.plain.compile_expression(template::condition_expression(text)).map_err(|e| describe(&e))?;
        let value = expression.eval(self.context()).map_err(|e| describe(&e))?;
        Ok(value.is_true())
    }

    /// Renders every template string in a parameter value. A string that is one `{{ expr }}`
    /// keeps the expression's type (so `limit: "{{ max }}"` stays a number).
    fn render(&self, value: &Value, escape: Escape, ctx: &minijinja::Value) -> std::result::Result<Value, String> {
        match value {
            Value::String(text) if template::is_template(text) => {
                let env = match escape {
                    Escape::Shell => &self.quoting,
                    Escape::Path => &self.paths,
                    Escape::None => &self.plain,
                };
                let trimmed = text.trim();
                if escape != Escape::Shell
                    && let Some(inner) = trimmed.strip_prefix("{{").and_then(|r| r.strip_suffix("}}"))
                    && !inner.contains("{{")
                    && !inner.contains("}}")
                {
                    let expr = env.compile_expression(inner.trim()).map_err(|e| describe(&e))?;
                    let out = expr.eval(ctx.clone()).map_err(|e| describe(&e))?;
                    return serde_json::to_value(&out).map_err(|e| e.to_string());
                }
                env.render_str(text, ctx.clone()).map(Value::String).map_err(|e| describe(&e))
            }
            Value::Array(items) => items
                .iter()
                .map(|v| self.render(v, escape, ctx))
                .collect::<std::result::Result<_, _>>()
                .map(Value::Array),
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| self.render(v, escape, ctx).map(|v| (k.clone(), v)))
                .collect::<std::result::Result<Map<_, _>, _>>()
                .map(Value::Object),
            other => Ok(other.clone()),
        }
    }

    fn render_params(&self, step: &ToolStep) -> std::result::Result<Map<String, Value>, String> {
        if !step.parameters.values().any(has_template) {
            return Ok(step.parameters.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
        }
        let ctx = self.context();
        let tool = crate::workflow::catalog::builtin(&step.tool).map_or("", |t| t.name);
        step.parameters
            .iter()
            .map(|(key, value)| {
                let escape = match (tool, key.as_str()) {
                    ("shell", "command") => Escape::Shell,
                    ("file", "path" | "from" | "to" | "source" | "destination")
                    | ("notification", "path")
                    | ("shell", "cwd") => Escape::Path,
                    _ => Escape::None,
                };
                self.render(value, escape, &ctx)
                    .map(|v| (key.clone(), v))
                    .map_err(|e| format!("parameter `{key}`: {e}"))
            })
            .collect()
    }

    async fn tool_step(&self, step: &ToolStep) -> Flow {
        if let Some(result) = self.carried.results.get(&step.id) {
            self.carry(step, result.clone());
            return Ok(());
        }
        if let Some(condition) = &step.condition {
            match self.condition(condition) {
                Ok(true) => {}
                Ok(false) => {
                    self.skip(step, "condition false");
                    return Ok(());
                }
                Err(e) => {
                    return self.finish_failed(step, &format!("condition: {e}"), Map::new(), 0, Duration::ZERO, None);
                }
            }
        }
        let index = self.numbers.get(&step.id).copied().unwrap_or(0);
        let policy = if step.on_error == OnError::Retry {
            step.retry.clone().unwrap_or_default()
        } else {
            crate::workflow::Retry { max_attempts: 1, ..Default::default() }
        };
        let clock = Instant::now();
        let mut attempt = 0u32;
        let failure = loop {
            attempt += 1;
            (self.sink)(&Event::StepStarted {
                index,
                total: self.total,
                id: step.id.clone(),
                label: label(step),
                attempt,
            });
            let started_at = now();
            let attempt_clock = Instant::now();
            let outcome = self.attempt(step).await;
            let took = attempt_clock.elapsed();
            let (status, fields, error) = match &outcome {
                Ok(fields) => (StepStatus::Success, fields.clone(), None),
                Err(f) => (
                    if f.cancelled { StepStatus::Interrupted } else { StepStatus::Failed },
                    f.fields.clone(),
                    Some(f.message.clone()),
                ),
            };
            self.record(&StepRecord {
                step_id: step.id.clone(),
                name: step.name.clone(),
                attempt: i64::from(attempt),
                status,
                started_at: Some(started_at),
                completed_at: Some(now()),
                duration_ms: Some(took.as_millis() as i64),
                exit_code: fields.get("exit_code").and_then(Value::as_i64),
                output: fields.get("output").map(|o| o.as_str().map_or_else(|| o.to_string(), str::to_string)),
                error: error.clone(),
                result: Value::Object(fields.clone()),
            });
            match outcome {
                Ok(fields) => {
                    let object = result_object("success", fields, attempt, clock.elapsed(), None);
                    self.set_result(&step.id, object);
                    self.finished(step, StepStatus::Success, clock.elapsed(), attempt, None, None);
                    return Ok(());
                }
                Err(f) if f.cancelled => {
                    self.finished(step, StepStatus::Failed, clock.elapsed(), attempt, Some("interrupted".into()), None);
                    return Err(Stop::Interrupted);
                }
                Err(f) => {
                    if attempt < policy.max_attempts && retry::applies(&policy, &f) {
                        let delay = retry::delay(&policy, attempt);
                        (self.sink)(&Event::StepRetrying {
                            index,
                            total: self.total,
                            id: step.id.clone(),
                            label: label(step),
                            next_attempt: attempt + 1,
                            max_attempts: policy.max_attempts,
                            delay_ms: delay.as_millis() as u64,
                            error: self.scrub(&f.message),
                        });
                        let mut cancel = self.cancel.clone();
                        tokio::select! {
                            () = tokio::time::sleep(delay) => {}
                            _ = cancel.wait_for(|c| *c) => return Err(Stop::Interrupted),
                        }
                        continue;
                    }
                    break f;
                }
            }
        };
        let strategy = match step.on_error {
            OnError::Retry => policy.then.unwrap_or(OnError::Abort),
            other => other,
        };
        let stderr_tail = failure.fields.get("stderr").and_then(Value::as_str).map(tail);
        match strategy {
            OnError::LogAndContinue => {
                self.set_result(
                    &step.id,
                    result_object("failed", failure.fields.clone(), attempt, clock.elapsed(), Some(&failure.message)),
                );
                self.finished(
                    step,
                    StepStatus::Failed,
                    clock.elapsed(),
                    attempt,
                    Some(format!("{} (continuing)", failure.message)),
                    stderr_tail,
                );
                Ok(())
            }
            OnError::Skip => {
                self.set_result(
                    &step.id,
                    result_object("skipped", failure.fields.clone(), attempt, clock.elapsed(), Some(&failure.message)),
                );
                self.finished(
                    step,
                    StepStatus::Skipped,
                    clock.elapsed(),
                    attempt,
                    Some(format!("after error: {}", failure.message)),
                    None,
                );
                Ok(())
            }
            OnError::Fallback => self.fallback(step, failure, attempt, clock).await,
            OnError::Abort | OnError::Retry => self.finish_failed(
                step,
                &failure.message,
                failure.fields.clone(),
                attempt,
                clock.elapsed(),
                stderr_tail,
            ),
        }
    }

    fn finish_failed(
        &self,
        step: &ToolStep,
        message: &str,
        fields: Map<String, Value>,
        attempts: u32,
        took: Duration,
        stderr_tail: Option<String>,
    ) -> Flow {
        self.set_result(&step.id, result_object("failed", fields, attempts, took, Some(message)));
        self.finished(step, StepStatus::Failed, took, attempts, Some(message.to_string()), stderr_tail);
        Err(Stop::Failed(format!("step `{}` failed: {message}", step.id)))
    }

    async fn fallback(&self, step: &ToolStep, failure: Failure, attempts: u32, clock: Instant) -> Flow {
        self.set_result(
            &step.id,
            result_object("failed", failure.fields.clone(), attempts, clock.elapsed(), Some(&failure.message)),
        );
        let mut last = Map::new();
        for (n, fallback) in step.fallback.iter().enumerate() {
            let mut fallback = fallback.clone();
            if fallback.id.is_empty() {
                fallback.id = format!("{}_fallback_{}", step.id, n + 1);
            }
            if fallback.name.is_none() {
                fallback.name = Some(format!("{} (fallback {})", label(step), n + 1));
            }
            if let Err(stop) = Box::pin(self.tool_step(&fallback)).await {
                let stderr_tail = failure.fields.get("stderr").and_then(Value::as_str).map(tail);
                self.finished(
                    step,
                    StepStatus::Failed,
                    clock.elapsed(),
                    attempts,
                    Some(format!("{} (fallback failed too)", failure.message)),
                    stderr_tail,
                );
                return Err(stop);
            }
            if let Some(Value::Object(result)) =
                self.results.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&fallback.id)
            {
                last = result.clone();
            }
        }
        let mut fields = failure.fields.clone();
        for key in ["output", "json"] {
            if let Some(value) = last.get(key) {
                fields.insert(key.into(), value.clone());
            }
        }
        self.set_result(
            &step.id,
            result_object("recovered", fields, attempts, clock.elapsed(), Some(&failure.message)),
        );
        self.finished(
            step,
            StepStatus::Recovered,
            clock.elapsed(),
            attempts,
            Some(format!("recovered by fallback after: {}", failure.message)),
            None,
        );
        Ok(())
    }

    fn finished(
        &self,
        step: &ToolStep,
        status: StepStatus,
        took: Duration,
        attempts: u32,
        reason: Option<String>,
        stderr_tail: Option<String>,
    ) {
        (self.sink)(&Event::StepFinished {
            index: self.numbers.get(&step.id).copied().unwrap_or(0),
            total: self.total,
            id: step.id.clone(),
            label: label(step),
            status,
            duration_ms: took.as_millis() as u64,
            attempts,
            reason: reason.map(|r| self.scrub(&r)),
            stderr_tail: stderr_tail.map(|t| self.scrub(&t)),
        });
    }

    /// One attempt: render, call the tool under the step's timeout and the run's cancellation.
    async fn attempt(&self, step: &ToolStep) -> std::result::Result<Map<String, Value>, Failure> {
        let params = self.render_params(step).map_err(Failure::new)?;
        let _slot = match &self.slots {
            Some(slots) => Some(slots.acquire().await.map_err(|e| Failure::new(e.to_string()))?),
            None => None,
        };
        let deadline = step.timeout.map(|t| Instant::now() + t.get());
        let request = Request {
            action: step.action.clone(),
            params,
            step_id: step.id.clone(),
            run_id: self.run_id.clone(),
            deadline,
            cancel: self.cancel.clone(),
            verbose: self.verbose.then(|| self.output_sink(&step.id)),
            secrets: self.secrets.clone(),
            notice: self.notice_sink(&step.id),
        };
        let canonical = crate::workflow::catalog::builtin(&step.tool).map_or(step.tool.as_str(), |t| t.name);
        let external;
        let tool: &dyn Tool = if canonical == "workflow" {
            return self.sub_workflow(request).await;
        } else if let Some(tool) = self.executor.registry.get(canonical) {
            tool
        } else if crate::workflow::catalog::builtin(canonical).is_some() {
            return Err(Failure::new(format!("the `{canonical}` tool is not available in this version of alpha yet")));
        } else {
            external = External { name: step.tool.clone() };
            &external
        };
        let mut cancel = self.cancel.clone();
        let call = tool.call(request);
        let limit = async {
            match deadline {
                // A grace period lets the tool report its own timeout (and kill its processes) first.
                Some(deadline) => tokio::time::sleep_until((deadline + Duration::from_secs(2)).into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            outcome = call => outcome.map_err(|mut f| {
                if f.kind == Some(crate::workflow::ErrorKind::Timeout) && let Some(t) = step.timeout {
                    f.message = format!("timed out after {t}");
                }
                f
            }),
            () = limit => Err(Failure::kind(format!("timed out after {}", step.timeout.map(|t| t.to_string()).unwrap_or_default()), crate::workflow::ErrorKind::Timeout)),
            _ = cancel.wait_for(|c| *c) => Err(Failure { message: "cancelled".into(), cancelled: true, ..Failure::default() }),
        }
    }

    async fn sub_workflow(&self, request: Request) -> std::result::Result<Map<String, Value>, Failure> {
        let name = request.required("workflow")?.to_string();
        if self.stack.len() + 1 >= MAX_DEPTH {
            return Err(Failure::new(format!("sub-workflows nest deeper than {MAX_DEPTH} levels")));
        }
        let saved = self.executor.store().get(&name).map_err(|e| Failure::new(e.to_string()))?;
        let mut stack = self.stack.clone();
        stack.push(self.workflow.name.clone());
        if stack.iter().any(|n| n.eq_ignore_ascii_case(&saved.workflow.name)) {
            return Err(Failure::new(format!("workflow cycle: {} → {}", stack.join(" → "), saved.workflow.name)));
        }
        let params: IndexMap<String, Value> = match request.params.get("params") {
            Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            _ => IndexMap::new(),
        };
        let summary = self
            .executor
            .run(RunRequest {
                workflow: saved.workflow.clone(),
                workflow_id: saved.id.clone(),
                params,
                trigger: "workflow".into(),
                verbose: false,
                sink: self.notices_only(),
                handle_signals: false,
                stack,
                carried: None,
            })
            .await
            .map_err(|e| Failure::new(e.to_string()))?;
        let mut fields = Map::new();
        fields.insert("run_id".into(), Value::String(summary.run_id.clone()));
        fields.insert("outputs".into(), summary.outputs.clone());
        fields.insert("json".into(), summary.outputs.clone());
        fields.insert("output".into(), Value::String(summary.outputs.to_string()));
        match summary.status {
            RunStatus::Completed => Ok(fields),
            RunStatus::Interrupted => {
                Err(Failure { message: "cancelled".into(), cancelled: true, fields, ..Failure::default() })
            }
            _ => Err(Failure {
                message: format!("workflow '{}' failed: {}", saved.workflow.name, summary.error.unwrap_or_default()),
                fields,
                ..Failure::default()
            }),
        }
    }

    /// dag mode: every top-level entry starts once the entries it depends on are done.
    async fn dag(&self) -> Flow {
        let steps = &self.workflow.steps;
        let deps = plan::dependencies(&self.workflow);
        let mut done = vec![false; steps.len()];
        let mut started = vec![false; steps.len()];
        let mut running = FuturesUnordered::new();
        let mut stop: Option<Stop> = None;
        loop {
            if stop.is_none() {
                for index in 0..steps.len() {
                    if !started[index] && deps[index].iter().all(|d| done[*d]) {
                        started[index] = true;
                        running.push(async move { (index, self.step(&steps[index]).await) });
                    }
                }
            }
            let Some((index, flow)) = running.next().await else { break };
            done[index] = true;
            if let Err(s) = flow {
                stop = Some(match (stop.take(), s) {
                    (Some(Stop::Interrupted), _) | (_, Stop::Interrupted) => Stop::Interrupted,
                    (Some(first), _) => first,
                    (None, s) => s,
                });
            }
        }
        match stop {
            Some(stop) => Err(stop),
            None if done.iter().all(|d| *d) => Ok(()),
            None => Err(Stop::Failed("some steps could not start: their dependencies never finished".into())),
        }
    }

    fn outputs(&self) -> Value {
        let ctx = self.context();
        let mut outputs = Map::new();
        for (name, text) in &self.workflow.outputs {
            let value = self.render(&Value::String(text.clone()), Escape::None, &ctx).unwrap_or(Value::Null);
            let value = match value {
                Value::String(s) => Value::String(self.scrub(&s)),
                other => serde_json::from_str(&self.scrub(&other.to_string())).unwrap_or(Value::Null),
            };
            outputs.insert(name.clone(), value);
        }
        Value::Object(outputs)
    }
}

fn has_template(value: &Value) -> bool {
    match value {
        Value::String(text) => template::is_template(text),
        Value::Array(items) => items.iter().any(has_template),
        Value::Object(map) => map.values().any(has_template),
        _ => false,
    }
}

fn first_stop(flows: Vec<Flow>) -> Flow {
    let mut failed = None;
    for flow in flows {
        match flow {
            Err(Stop::Interrupted) => return Err(Stop::Interrupted),
            Err(stop) if failed.is_none() => failed = Some(stop),
            _ => {}
        }
    }
    failed.map_or(Ok(()), Err)
}

fn label(step: &ToolStep) -> String {
    step.name.clone().unwrap_or_else(|| step.id.clone())
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(5)..].join("\n")
}

fn describe(error: &minijinja::Error) -> String {
    let mut text = match error.detail() {
        Some(detail) => format!("{}: {detail}", error.kind()),
        None => error.kind().to_string(),
    };
    if let Some(name) = error.name().filter(|n| *n != "<string>" && *n != "<expression>") {
        text = format!("{text} in {name}");
    }
    text
}
