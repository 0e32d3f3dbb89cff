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
    /// Only runs started at or after this moment.
    pub since: Option<chrono::DateTime<chrono::Utc>>,
    /// How many runs at most.
    pub limit: usize,
}

/// A `since` as given: an RFC 3339 time, or a span back from now (`24h`, `7d`) on the
/// context's clock (the chat's "yesterday" reads the same clock).
pub fn since(ctx: &Context, text: &str) -> Result<chrono::DateTime<chrono::Utc>> {
    let text = text.trim();
    if let Ok(time) = chrono::DateTime::parse_from_rfc3339(text) {
        return Ok(time.with_timezone(&chrono::Utc));
    }
    match crate::workflow::HumanDuration::parse(text) {
        Ok(span) => Ok(ctx.clock()?.now() - chrono::Duration::from_std(span.get()).unwrap_or(chrono::Duration::zero())),
        Err(_) => Err(crate::error::Error::usage(format!(
            "`{text}` is not a time: give an RFC 3339 time such as 2026-12-01T09:00:00Z or a span such as 24h or 7d"
        ))),
    }
}

/// A status word as the grammar gives it (`failed`, `completed`, …).
pub fn status(text: &str) -> Result<RunStatus> {
    <RunStatus as clap::ValueEnum>::from_str(text, true).map_err(|_| {
        crate::error::Error::usage(format!("`{text}` is not a run status: completed, partial, failed or interrupted"))
    })
}

/// `history [NAME] [--status S] [--since WHEN] [--limit N]`
pub fn runs(ctx: &Context, request: &HistoryRequest) -> Result<Vec<RunRecord>> {
    let Some(store) = ctx.existing_store()? else { return Ok(Vec::new()) };
    let workflow_id = match &request.workflow {
        Some(name) => Some(workflow_id(&store, name)?),
        None => None,
    };
    store.history(workflow_id.as_deref(), request.status, request.since, request.limit)
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

/// Why a run failed, or what it did: the run, and the attempts that failed with the end of
/// their output.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// The run explained.
    pub run: RunRecord,
    /// Its steps that failed (their last attempt), in order.
    pub failed: Vec<FailedStep>,
    /// How many steps finished.
    pub finished: usize,
    /// Whether `run --resume` can continue it.
    pub resumable: bool,
}

/// One failed step of an [`Explanation`].
#[derive(Debug, Clone, Serialize)]
pub struct FailedStep {
    /// Its id.
    pub step_id: String,
    /// Its name, if it has one.
    pub name: Option<String>,
    /// The error recorded.
    pub error: Option<String>,
    /// Its exit code, for a process.
    pub exit_code: Option<i64>,
    /// The last lines it printed (stderr, else stdout).
    pub tail: Vec<String>,
}

/// Lines of output an explanation shows per failed step.
const TAIL_LINES: usize = 10;

/// `explain`: the run `run_id`, else the last run of `workflow`, else the last run of all.
pub fn explain(ctx: &Context, workflow: Option<&str>, run_id: Option<&str>) -> Result<Explanation> {
    let store = ctx.store()?;
    let run = match run_id {
        Some(id) => store.run(id)?,
        None => last_run(ctx, workflow)?.ok_or_else(|| match workflow {
            Some(name) => crate::error::Error::usage(format!("'{name}' has not run yet")),
            None => crate::error::Error::usage("nothing has run yet"),
        })?,
    };
    let steps = store.steps(&run.id)?;
    let mut last: indexmap::IndexMap<String, StepRecord> = indexmap::IndexMap::new();
    for step in steps {
        last.insert(step.step_id.clone(), step);
    }
    let finished = last.values().filter(|s| s.status.is_finished()).count();
    let failed = last
        .values()
        .filter(|s| s.status == crate::store::StepStatus::Failed)
        .map(|s| FailedStep {
            step_id: s.step_id.clone(),
            name: s.name.clone(),
            error: s.error.clone(),
            exit_code: s.exit_code,
            tail: tail(&s.result),
        })
        .collect();
    let resumable = matches!(run.status, RunStatus::Failed | RunStatus::Interrupted | RunStatus::Partial);
    Ok(Explanation { run, failed, finished, resumable })
}

/// The last lines of a step result's stderr, else its stdout.
fn tail(result: &serde_json::Value) -> Vec<String> {
    let text = |field: &str| result.get(field).and_then(serde_json::Value::as_str).unwrap_or("").trim_end().to_string();
    let stderr = text("stderr");
    let chosen = if stderr.is_empty() { text("stdout") } else { stderr };
    let lines: Vec<&str> = chosen.lines().collect();
    lines[lines.len().saturating_sub(TAIL_LINES)..].iter().map(|l| l.to_string()).collect()
}

/// The newest run of `workflow`, or of any workflow.
pub fn last_run(ctx: &Context, workflow: Option<&str>) -> Result<Option<RunRecord>> {
    let request = HistoryRequest { workflow: workflow.map(str::to_string), status: None, since: None, limit: 1 };
    Ok(runs(ctx, &request)?.into_iter().next())
}

/// A run to start again: what ran last (of `workflow`, or of all), with `changes` over its
/// parameters.
#[derive(Debug, Clone)]
pub struct Rerun {
    /// The run repeated.
    pub earlier: RunRecord,
    /// What to run: the saved workflow's name, or the file that ran.
    pub target: String,
    /// Its parameters, changes applied (secrets left out: they were never stored).
    pub params: indexmap::IndexMap<String, String>,
    /// The parameters whose value changed.
    pub changed: Vec<String>,
}

/// The newest run of `workflow` (or of any) that did not succeed: failed, partial or interrupted.
pub fn last_unsuccessful_run(ctx: &Context, workflow: Option<&str>) -> Result<Option<RunRecord>> {
    let Some(store) = ctx.existing_store()? else { return Ok(None) };
    let workflow_id = match workflow {
        Some(name) => Some(workflow_id(&store, name)?),
        None => None,
    };
    let newest = [RunStatus::Failed, RunStatus::Partial, RunStatus::Interrupted]
        .into_iter()
        .map(|status| store.history(workflow_id.as_deref(), Some(status), None, 1))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .max_by(|a, b| a.started_at.cmp(&b.started_at));
    Ok(newest)
}

/// `rerun`: the last run's workflow and parameters (or, with `failed`, the last unsuccessful
/// run's), with `changes` applied.
pub fn rerun(
    ctx: &Context,
    workflow: Option<&str>,
    failed: bool,
    changes: &indexmap::IndexMap<String, String>,
) -> Result<Rerun> {
    let earlier = if failed { last_unsuccessful_run(ctx, workflow)? } else { last_run(ctx, workflow)? };
    let earlier = earlier.ok_or_else(|| match (workflow, failed) {
        (Some(name), false) => crate::error::Error::usage(format!("'{name}' has not run yet: say \"run {name}\"")),
        (None, false) => crate::error::Error::usage("nothing has run yet: say \"run NAME\""),
        (Some(name), true) => crate::error::Error::usage(format!("no run of '{name}' has failed")),
        (None, true) => crate::error::Error::usage("no run has failed"),
    })?;
    let target = match earlier.workflow_id.strip_prefix("file:") {
        Some(path) => path.to_string(),
        None => earlier.workflow_name.clone(),
    };
    let secrets: Vec<String> = ctx
        .store()?
        .find(&earlier.workflow_name)?
        .map(|saved| {
            saved
                .workflow
                .parameters
                .iter()
                .filter(|(_, p)| p.kind == crate::workflow::ParamType::Secret)
                .map(|(name, _)| name.clone())
                .collect()
        })
        .unwrap_or_default();
    let mut params = indexmap::IndexMap::new();
    if let serde_json::Value::Object(recorded) = &earlier.parameters {
        for (name, value) in recorded {
            if secrets.contains(name) || value.is_null() {
                continue;
            }
            let text = value.as_str().map_or_else(|| value.to_string(), str::to_string);
            params.insert(name.clone(), text);
        }
    }
    let mut changed = Vec::new();
    for (name, value) in changes {
        if params.get(name) != Some(value) {
            changed.push(name.clone());
        }
        params.insert(name.clone(), value.clone());
    }
    Ok(Rerun { earlier, target, params, changed })
}

/// The dashboard's grid: recent runs as rows, the steps they ran as columns.
#[derive(Debug, Clone, Serialize)]
pub struct RunGrid {
    /// Step ids: one workflow's in its definition's order; else in the order they first appear
    /// across the rows (the newest run's order first).
    pub steps: Vec<String>,
    /// The runs, newest first.
    pub rows: Vec<GridRow>,
}

/// One run of the grid.
#[derive(Debug, Clone, Serialize)]
pub struct GridRow {
    /// The run.
    pub run: RunRecord,
    /// Each step's last attempt status, by step id (steps it never reached are absent).
    pub cells: indexmap::IndexMap<String, crate::store::StepStatus>,
}

/// `GET /api/runs`: the runs [`runs`] finds, each with its steps' statuses.
pub fn grid(ctx: &Context, request: &HistoryRequest) -> Result<RunGrid> {
    let runs = runs(ctx, request)?;
    let Some(store) = ctx.existing_store()? else { return Ok(RunGrid { steps: Vec::new(), rows: Vec::new() }) };
    let ids: Vec<String> = runs.iter().map(|r| r.id.clone()).collect();
    let mut by_run: std::collections::HashMap<String, indexmap::IndexMap<String, crate::store::StepStatus>> =
        std::collections::HashMap::new();
    for (run, step, status) in store.step_statuses(&ids)? {
        by_run.entry(run).or_default().insert(step, status);
    }
    let mut steps: indexmap::IndexSet<String> = indexmap::IndexSet::new();
    let rows: Vec<GridRow> = runs
        .into_iter()
        .map(|run| {
            let cells = by_run.remove(&run.id).unwrap_or_default();
            steps.extend(cells.keys().cloned());
            GridRow { run, cells }
        })
        .collect();
    let mut steps: Vec<String> = steps.into_iter().collect();
    // One workflow's grid has its columns in the definition's order, not in the order its
    // steps happened to finish (parallel steps finish in any order).
    if let Some(name) = &request.workflow
        && let Ok(saved) = store.get(name)
    {
        let (numbers, _) = crate::executor::numbering(&saved.workflow.steps);
        steps.sort_by_key(|id| numbers.get(id).copied().unwrap_or(usize::MAX));
    }
    Ok(RunGrid { steps, rows })
}
