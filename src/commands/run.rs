//! Running: a saved workflow or a file, a dry run, and resuming a failed or interrupted run from
//! its first unfinished step.

use std::path::Path;

use indexmap::IndexMap;
use serde::Serialize;
use serde_json::{Map, Value};

use super::{Context, short_id};
use crate::error::{Error, Result};
use crate::executor::events::Sink;
use crate::executor::{Carried, Executor, RunRequest, RunSummary, params};
use crate::store::{RunRecord, RunStatus, Store};
use crate::workflow::{ParamType, Workflow, load_file};

/// What to run and how to report it.
pub struct RunCommand {
    /// A saved workflow's name, or a path to a workflow file.
    pub target: String,
    /// `key=value` parameters as typed.
    pub params: IndexMap<String, String>,
    /// manual, schedule, resume, …
    pub trigger: String,
    /// Stream step output as events.
    pub verbose: bool,
    /// Where progress events go.
    pub sink: Sink,
}

/// A workflow ready to run: its definition and the id its runs are recorded under.
#[derive(Debug, Clone)]
pub struct Target {
    /// The definition.
    pub workflow: Workflow,
    /// The saved workflow's id, or `file:/abs/path` for a file.
    pub workflow_id: String,
}

/// A saved workflow by name, or a file when the target is a path to one.
pub fn resolve(ctx: &Context, target: &str) -> Result<Target> {
    let path = Path::new(target);
    let looks_like_file =
        target.ends_with(".yaml") || target.ends_with(".yml") || target.ends_with(".json") || target.contains('/');
    if looks_like_file && path.is_file() {
        let workflow = load_file(path)?;
        let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        return Ok(Target { workflow, workflow_id: format!("file:{}", absolute.display()) });
    }
    let saved = ctx.store()?.get(target)?;
    Ok(Target { workflow: saved.workflow, workflow_id: saved.id })
}

fn as_values(params: IndexMap<String, String>) -> IndexMap<String, Value> {
    params.into_iter().map(|(k, v)| (k, Value::String(v))).collect()
}

/// Runs a workflow to its end; Ctrl-C and SIGTERM interrupt it and are recorded. A run that
/// can't start (no such workflow, bad parameters) is recorded as failed with its error.
pub fn run(ctx: &Context, command: RunCommand) -> Result<RunSummary> {
    let request = prepare(ctx, command)?;
    execute(ctx, request)
}

/// The request [`run`] would execute, for a face that runs it its own way (the dashboard runs it
/// on a thread of its own, cancellable, without taking over the process's signals). A target that
/// can't be found is recorded as a failed run here.
pub fn prepare(ctx: &Context, command: RunCommand) -> Result<RunRequest> {
    let target = match resolve(ctx, &command.target) {
        Ok(target) => target,
        Err(error) => {
            record_missing(ctx, &command, &error)?;
            return Err(error);
        }
    };
    Ok(RunRequest {
        workflow: target.workflow,
        workflow_id: target.workflow_id,
        params: as_values(command.params),
        trigger: command.trigger,
        verbose: command.verbose,
        sink: command.sink,
        handle_signals: true,
        stack: Vec::new(),
        carried: None,
        // The caller's directory is this process's: relative paths stay as written.
        workdir: None,
        inherited_secrets: std::sync::Arc::from([]),
        parent_cancel: None,
        deadline: None,
        claimed: None,
    })
}

/// Records a run of a workflow that could not be found or loaded.
fn record_missing(ctx: &Context, command: &RunCommand, error: &Error) -> Result<()> {
    // The values can't be checked against a definition: mask those that look secret.
    let secrets = crate::secrets::secret_env_values();
    let shown: serde_json::Map<String, Value> =
        command.params.iter().map(|(k, v)| (k.clone(), Value::String(crate::secrets::redact(v, &secrets)))).collect();
    let shown = Value::Object(shown);
    let message = crate::secrets::redact(&error.to_string(), &secrets);
    ctx.store()?.record_unstarted(
        &format!("missing:{}", command.target),
        &command.target,
        "",
        &shown,
        &command.trigger,
        &message,
    )?;
    Ok(())
}

/// Runs a prepared request with the executor.
pub fn execute(ctx: &Context, request: RunRequest) -> Result<RunSummary> {
    Executor::new(ctx.store()?).run_blocking(request)
}

/// The plan of a run that would happen, with its resolved parameters (secrets masked).
#[derive(Debug, Clone, Serialize)]
pub struct Plan {
    /// Workflow name.
    pub workflow: String,
    /// The plan as text: steps in order, what each would do.
    pub text: String,
}

/// `run --dry-run`: resolves the parameters and describes every step; runs nothing.
pub fn dry_run(ctx: &Context, target: &str, given: IndexMap<String, String>) -> Result<Plan> {
    let target = resolve(ctx, target)?;
    let values = params::resolve(&target.workflow, &as_values(given))?;
    let text = crate::executor::dry_run(&target.workflow, &crate::secrets::redacted(&target.workflow, &values));
    Ok(Plan { workflow: target.workflow.name, text })
}

/// A resume, ready to run.
pub struct Resumption {
    /// The run being resumed.
    pub earlier: RunRecord,
    /// The request that continues it (give it a sink).
    pub request: RunRequest,
    /// Steps whose results are carried over.
    pub done: usize,
}

/// `run --resume RUN_ID [key=value…]`: the version that ran, with the same parameters (the
/// overrides win), keeping the results of the steps that finished. Secrets were never recorded,
/// so a secret given before must be given again (or be in `ALPHA_SECRET_<NAME>`).
pub fn resume(ctx: &Context, run_id: &str, overrides: IndexMap<String, String>) -> Result<Resumption> {
    let store = ctx.store()?;
    let earlier = store.run(run_id)?;
    let id = short_id(&earlier.id).to_string();
    match earlier.status {
        RunStatus::Failed | RunStatus::Interrupted | RunStatus::Partial => {}
        RunStatus::Completed => return Err(Error::usage(format!("run {id} completed; there is nothing to resume"))),
        RunStatus::Running | RunStatus::Pending => return Err(Error::usage(format!("run {id} is still running"))),
    }
    if let Some((later, status)) = store.resumed_by(&earlier.id)?
        && status == "completed"
    {
        return Err(Error::usage(format!("run {id} was already resumed by run {}, which completed", short_id(&later))));
    }
    let workflow = workflow_that_ran(&store, &earlier)?;
    let (mut given, secrets_given_before) = recorded_values(&workflow, &earlier.parameters);
    given.extend(as_values(overrides));
    for name in secrets_given_before {
        if !given.contains_key(&name) && params::secret_from_env(&name).is_none() {
            return Err(Error::usage_with(
                format!("run {id} was given the secret `{name}`, which alpha never stores"),
                format!(
                    "give it again: alpha workflow run --resume {id} {name}=… (or set ALPHA_SECRET_{})",
                    name.to_ascii_uppercase()
                ),
            ));
        }
    }
    let results = finished_results(&store, &earlier.id)?;
    let done = results.len();
    let request = RunRequest {
        workflow,
        workflow_id: earlier.workflow_id.clone(),
        params: given,
        trigger: "resume".into(),
        verbose: false,
        sink: crate::executor::events::silent(),
        handle_signals: true,
        stack: Vec::new(),
        carried: Some(Carried { from_run: earlier.id.clone(), results, attempts: Default::default() }),
        workdir: None,
        inherited_secrets: std::sync::Arc::from([]),
        parent_cancel: None,
        deadline: None,
        claimed: None,
    };
    Ok(Resumption { earlier, request, done })
}

/// A run's recorded parameters as values to run with again, and the names of the secrets it was
/// given (recorded masked, never their values: they must come again).
pub(super) fn recorded_values(workflow: &Workflow, recorded: &Value) -> (IndexMap<String, Value>, Vec<String>) {
    let mut given = IndexMap::new();
    let mut secrets = Vec::new();
    if let Value::Object(recorded) = recorded {
        for (name, value) in recorded {
            if workflow.parameters.get(name).is_some_and(|p| p.kind == ParamType::Secret) {
                if !value.is_null() {
                    secrets.push(name.clone());
                }
            } else {
                given.insert(name.clone(), value.clone());
            }
        }
    }
    (given, secrets)
}

/// The results of the steps that finished in a run, by step id (a later failed attempt of a
/// step wins over an earlier success, so failed members of a group run again).
pub(super) fn finished_results(store: &Store, run_id: &str) -> Result<Map<String, Value>> {
    let mut results = Map::new();
    for step in store.steps(run_id)? {
        if step.status.is_finished() && !step.result.is_null() {
            results.insert(step.step_id, step.result);
        } else {
            results.remove(&step.step_id);
        }
    }
    Ok(results)
}

/// The definition a run used: the saved version it recorded, or its file.
pub(super) fn workflow_that_ran(store: &Store, run: &RunRecord) -> Result<Workflow> {
    if let Some(path) = run.workflow_id.strip_prefix("file:") {
        return Ok(load_file(Path::new(path))?);
    }
    match store.version(&run.workflow_id, &run.workflow_version) {
        Ok(version) => Ok(version.workflow),
        Err(_) => Ok(store
            .find(&run.workflow_id)?
            .ok_or_else(|| Error::usage(format!("the workflow of run {} no longer exists", short_id(&run.id))))?
            .workflow),
    }
}

/// `graph NAME|FILE`: the plan as a diagram.
pub fn graph(ctx: &Context, target: &str, diagram: crate::executor::Diagram) -> Result<String> {
    Ok(crate::executor::graph(&resolve(ctx, target)?.workflow, diagram))
}
