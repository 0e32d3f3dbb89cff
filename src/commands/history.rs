//! `history`: past runs, newest first, and one run's steps.

use serde::Serialize;

use super::Context;
use crate::error::Result;
use crate::store::{RunRecord, RunStatus, StepRecord, Store};

/// What `history` asks for.
#[derive(Debug, Clone)]
pub struct HistoryRequest {
    /// Only this workflow's runs (a deleted workflow's name works too).
    pub workflow: Option<String>,
    /// Only runs with this status.
    pub status: Option<RunStatus>,
    /// How many runs at most.
    pub limit: usize,
}

/// `history [NAME] [--status S] [--limit N]`
pub fn runs(ctx: &Context, request: &HistoryRequest) -> Result<Vec<RunRecord>> {
    let Some(store) = ctx.existing_store()? else { return Ok(Vec::new()) };
    let workflow_id = match &request.workflow {
        Some(name) => Some(workflow_id(&store, name)?),
        None => None,
    };
    store.history(workflow_id.as_deref(), request.status, request.limit)
}

/// A workflow id for history: a saved workflow, or the name of a deleted one found in run records.
fn workflow_id(store: &Store, name: &str) -> Result<String> {
    if let Some(saved) = store.find(name)? {
        return Ok(saved.id);
    }
    match store.workflow_id_in_runs(name)? {
        Some(id) => Ok(id),
        None => store.get(name).map(|s| s.id),
    }
}

/// One run with its step attempts.
#[derive(Debug, Clone, Serialize)]
pub struct RunDetails {
    /// The run.
    pub run: RunRecord,
    /// Its steps, one row per attempt.
    pub steps: Vec<StepRecord>,
}

/// `history --run ID` (a unique prefix of the id works).
pub fn run_details(ctx: &Context, run_id: &str) -> Result<RunDetails> {
    let store = ctx.store()?;
    let run = store.run(run_id)?;
    let steps = store.steps(&run.id)?;
    Ok(RunDetails { run, steps })
}

/// The output one step attempt left.
#[derive(Debug, Clone, Serialize)]
pub struct StepLog {
    /// Step id.
    pub step_id: String,
    /// Display name.
    pub name: Option<String>,
    /// Attempt number.
    pub attempt: i64,
    /// How it ended.
    pub status: crate::store::StepStatus,
    /// Its standard output (as recorded).
    pub stdout: String,
    /// Its standard error (as recorded).
    pub stderr: String,
    /// Its error, when it failed.
    pub error: Option<String>,
    /// The file holding its whole output (stdout and stderr as they came, secrets masked),
    /// when the attempt wrote one and it has not been pruned.
    pub log_file: Option<String>,
    /// Whether the recorded stdout or stderr lost its middle to the output limit.
    pub truncated: bool,
}

/// `logs RUN [STEP]`: what each step attempt of a run printed, in order.
pub fn logs(ctx: &Context, run_id: &str, step: Option<&str>) -> Result<Vec<StepLog>> {
    let store = ctx.store()?;
    let run = store.run(run_id)?;
    let steps = store.steps(&run.id)?;
    if let Some(step) = step
        && !steps.iter().any(|s| s.step_id == step)
    {
        let ids: Vec<&str> = steps.iter().map(|s| s.step_id.as_str()).collect();
        return Err(crate::error::Error::usage_with(
            format!("run {} has no step `{step}`", super::short_id(&run.id)),
            format!("its steps: {}", ids.join(", ")),
        ));
    }
    let field =
        |result: &serde_json::Value, key: &str| result.get(key).and_then(|v| v.as_str()).unwrap_or("").to_string();
    Ok(steps
        .into_iter()
        .filter(|s| step.is_none_or(|wanted| s.step_id == wanted))
        .map(|s| StepLog {
            log_file: s
                .result
                .get("log")
                .and_then(|v| v.as_str())
                .filter(|path| std::path::Path::new(path).is_file())
                .map(str::to_string),
            truncated: s.result.get("truncated") == Some(&serde_json::Value::Bool(true)),
            stdout: field(&s.result, "stdout"),
            stderr: field(&s.result, "stderr"),
            step_id: s.step_id,
            name: s.name,
            attempt: s.attempt,
            status: s.status,
            error: s.error,
        })
        .collect())
}

/// Scheduled runs that failed (or ended partial or interrupted) since the chat last asked, which
/// it tells the user at start; asking moves the mark to now.
pub fn scheduled_failures_since_last_look(ctx: &Context) -> Result<Vec<RunRecord>> {
    const KEY: &str = "chat_seen_scheduled_runs_at";
    let Some(store) = ctx.existing_store()? else { return Ok(Vec::new()) };
    let since = store.state(KEY)?;
    let now = crate::store::now();
    store.set_state(KEY, &now)?;
    // The first session has nothing to compare with: it starts the count.
    match since {
        Some(since) => store.unsuccessful_scheduled_runs(&since),
        None => Ok(Vec::new()),
    }
}
