//! Run records: `workflow_executions` rows, their context, and one `step_executions` row per
//! step attempt.

use serde::Serialize;
use serde_json::Value;

use super::backend::{Db, Lock, Row, args};
use super::{Store, now};
use crate::error::{Error, Result};

/// States of a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum RunStatus {
    /// Recorded, not started.
    Pending,
    /// In progress.
    Running,
    /// Every step succeeded, recovered, or was skipped by its condition or a branch.
    Completed,
    /// The run reached its end, but steps failed under `on_error: log_and_continue`.
    Partial,
    /// A step failed and aborted the run.
    Failed,
    /// Cancelled (Ctrl-C, SIGTERM) or found abandoned by a crashed process.
    Interrupted,
}

impl RunStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            RunStatus::Pending => "pending",
            RunStatus::Running => "running",
            RunStatus::Completed => "completed",
            RunStatus::Partial => "partial",
            RunStatus::Failed => "failed",
            RunStatus::Interrupted => "interrupted",
        }
    }

    /// The process exit code a run that ended so gives (design.md §3).
    pub fn exit_code(self) -> i32 {
        match self {
            RunStatus::Completed => crate::error::exit::OK,
            RunStatus::Interrupted => crate::error::exit::INTERRUPTED,
            _ => crate::error::exit::FAILED,
        }
    }

    /// Parses a stored or user-given name.
    pub fn parse(text: &str) -> Option<RunStatus> {
        Some(match text.to_ascii_lowercase().as_str() {
            "pending" => RunStatus::Pending,
            "running" => RunStatus::Running,
            "completed" | "success" | "succeeded" => RunStatus::Completed,
            "partial" => RunStatus::Partial,
            "failed" | "failure" => RunStatus::Failed,
            "interrupted" | "cancelled" => RunStatus::Interrupted,
            _ => return None,
        })
    }
}

/// States of one step attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum StepStatus {
    /// It succeeded.
    Success,
    /// It failed.
    Failed,
    /// It failed and its fallback (or a later attempt) recovered it.
    Recovered,
    /// Skipped by its condition, a branch, or `on_error: skip`.
    Skipped,
    /// Done in an earlier run that this one resumes.
    Carried,
    /// Cancelled while it ran.
    Interrupted,
}

impl StepStatus {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            StepStatus::Success => "success",
            StepStatus::Failed => "failed",
            StepStatus::Recovered => "recovered",
            StepStatus::Skipped => "skipped",
            StepStatus::Carried => "carried",
            StepStatus::Interrupted => "interrupted",
        }
    }

    /// Parses a stored name; an unknown one reads as failed, never as success.
    pub fn parse(text: &str) -> StepStatus {
        match text {
            "success" => StepStatus::Success,
            "recovered" => StepStatus::Recovered,
            "skipped" => StepStatus::Skipped,
            "carried" => StepStatus::Carried,
            "interrupted" => StepStatus::Interrupted,
            _ => StepStatus::Failed,
        }
    }

    /// The step is done: a resumed run keeps its result instead of running it again.
    pub fn is_finished(self) -> bool {
        matches!(self, StepStatus::Success | StepStatus::Recovered | StepStatus::Skipped | StepStatus::Carried)
    }
}

impl std::fmt::Display for StepStatus {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One run as history shows it.
#[derive(Debug, Clone, Serialize)]
pub struct RunRecord {
    /// Run id.
    pub id: String,
    /// The workflow's id.
    pub workflow_id: String,
    /// The workflow's name now (so a renamed workflow's runs are found and rerun under it); the
    /// name it ran under once the workflow is deleted.
    pub workflow_name: String,
    /// The version that ran.
    pub workflow_version: String,
    /// manual, schedule, …
    pub trigger: String,
    /// Its status.
    pub status: RunStatus,
    /// Parameters, secrets redacted.
    pub parameters: Value,
    /// Start time.
    pub started_at: Option<String>,
    /// End time.
    pub completed_at: Option<String>,
    /// Outputs and summary.
    pub result: Value,
    /// The failure, when it failed.
    pub error: Option<String>,
}

/// One step attempt.
#[derive(Debug, Clone, Serialize)]
pub struct StepRecord {
    /// Step id.
    pub step_id: String,
    /// Display name.
    pub name: Option<String>,
    /// Attempt number, from 1.
    pub attempt: i64,
    /// How the attempt ended.
    pub status: StepStatus,
    /// Start time.
    pub started_at: Option<String>,
    /// End time.
    pub completed_at: Option<String>,
    /// Duration.
    pub duration_ms: Option<i64>,
    /// Exit code for processes.
    pub exit_code: Option<i64>,
    /// Primary output (truncated).
    pub output: Option<String>,
    /// Error message.
    pub error: Option<String>,
    /// The full result object.
    #[serde(skip_serializing_if = "Value::is_null")]
    pub result: Value,
}

const RUN_COLUMNS: &str =
    "e.id, e.workflow_id, COALESCE(w.name, c.workflow_name, '?'), COALESCE(c.workflow_version, ''),
     COALESCE(c.trigger, 'manual'), e.status, e.parameters, e.started_at, e.completed_at, e.result, e.error";

fn run_from_row(row: &Row<'_>) -> Result<RunRecord> {
    let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null);
    Ok(RunRecord {
        id: row.get(0)?,
        workflow_id: row.get(1)?,
        workflow_name: row.get(2)?,
        workflow_version: row.get(3)?,
        trigger: row.get(4)?,
        status: RunStatus::parse(&row.get::<Option<String>>(5)?.unwrap_or_default()).unwrap_or(RunStatus::Failed),
        parameters: parse(row.get(6)?),
        started_at: row.get(7)?,
        completed_at: row.get(8)?,
        result: parse(row.get(9)?),
        error: row.get(10)?,
    })
}

/// Longest output kept per step attempt in the database.
pub const MAX_STORED_OUTPUT: usize = 64 * 1024;

/// Most text one stored value (a step result, a run's outputs, its parameters) keeps in all.
pub const MAX_STORED_VALUE: usize = 1024 * 1024;

fn truncate(text: &str) -> String {
    cut(text, MAX_STORED_OUTPUT)
}

fn cut(text: &str, limit: usize) -> String {
    crate::clip::cut(text, limit).into_owned()
}

/// `value` as stored: valid JSON whatever its size, with each string cut to
/// [`MAX_STORED_OUTPUT`] and all of them together to [`MAX_STORED_VALUE`]. Cutting the JSON
/// text instead would store a document nothing can read back.
pub fn bounded(value: &Value) -> String {
    fn bound(value: &Value, budget: &mut usize) -> Value {
        match value {
            Value::String(text) => {
                let kept = cut(text, MAX_STORED_OUTPUT.min(*budget));
                *budget = budget.saturating_sub(kept.len());
                Value::String(kept)
            }
            Value::Array(items) => Value::Array(items.iter().map(|item| bound(item, budget)).collect()),
            Value::Object(map) => Value::Object(map.iter().map(|(k, v)| (k.clone(), bound(v, budget))).collect()),
            other => other.clone(),
        }
    }
    /// Whether every string already fits, so the value is stored as it is.
    fn fits(value: &Value, budget: &mut usize) -> bool {
        match value {
            Value::String(text) => {
                let fits = text.len() <= MAX_STORED_OUTPUT.min(*budget);
                *budget = budget.saturating_sub(text.len());
                fits
            }
            Value::Array(items) => items.iter().all(|item| fits(item, budget)),
            Value::Object(map) => map.values().all(|item| fits(item, budget)),
            _ => true,
        }
    }
    let (mut measured, mut left) = (MAX_STORED_VALUE, MAX_STORED_VALUE);
    if fits(value, &mut measured) {
        return value.to_string();
    }
    bound(value, &mut left).to_string()
}

/// A run row about to be written: `workflow_executions` and its `execution_context`.
pub(super) struct NewRun<'a> {
    workflow_id: &'a str,
    name: &'a str,
    version: &'a str,
    parameters: &'a Value,
    trigger: &'a str,
    /// `running`, or `failed` for a run that could not start (with its error).
    failed: Option<&'a str>,
    resumed_from: Option<&'a str>,
}

impl<'a> NewRun<'a> {
    /// A run about to start (or, with `queued`, to wait in the queue).
    pub(super) fn new(
        workflow_id: &'a str,
        name: &'a str,
        version: &'a str,
        parameters: &'a Value,
        trigger: &'a str,
    ) -> Self {
        NewRun { workflow_id, name, version, parameters, trigger, failed: None, resumed_from: None }
    }
}

impl NewRun<'_> {
    /// Writes both rows with a new id; the caller holds the transaction.
    pub(super) fn insert(&self, conn: &Db, id: &str, host: &str) -> Result<()> {
        let stamp = now();
        let (status, completed) = match self.failed {
            Some(_) => ("failed", Some(stamp.as_str())),
            None => ("running", None),
        };
        conn.execute(
            "INSERT INTO workflow_executions (id, workflow_id, parameters, status, started_at, completed_at, error)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            args![id, self.workflow_id, bounded(self.parameters), status, stamp, completed, self.failed.map(truncate)],
        )?;
        conn.execute(
            "INSERT INTO execution_context (execution_id, workflow_name, workflow_version, trigger, pid, resumed_from, pid_started, host)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            args![
                id,
                self.name,
                self.version,
                self.trigger,
                i64::from(std::process::id()),
                self.resumed_from,
                own_start_time().map(|t| t as i64),
                host
            ],
        )?;
        Ok(())
    }
}

impl Store {
    /// Records a new run as running; `parameters` must already be redacted.
    pub fn start_run(
        &self,
        workflow_id: &str,
        name: &str,
        version: &str,
        parameters: &Value,
        trigger: &str,
    ) -> Result<String> {
        self.start_run_as(&uuid::Uuid::new_v4().to_string(), workflow_id, name, version, parameters, trigger)
    }

    /// Records a new run under an id its caller chose: the CLI picks one before any thread
    /// starts, so that the run's steps inherit it through alpha's own environment.
    pub fn start_run_as(
        &self,
        id: &str,
        workflow_id: &str,
        name: &str,
        version: &str,
        parameters: &Value,
        trigger: &str,
    ) -> Result<String> {
        let run = NewRun { workflow_id, name, version, parameters, trigger, failed: None, resumed_from: None };
        self.record_new(id, run)
    }

    /// Writes a new run in a transaction of its own and returns its id.
    fn record_new(&self, id: &str, run: NewRun<'_>) -> Result<String> {
        self.db.transaction(Lock::Deferred, |tx| run.insert(tx, id, &self.host))?;
        Ok(id.to_string())
    }

    /// Records a run that resumes `from`, claiming `from` in the same transaction: while another
    /// resume of it is running (or one completed), this one is refused and nothing is recorded.
    pub fn start_resumed_run(
        &self,
        workflow_id: &str,
        name: &str,
        version: &str,
        parameters: &Value,
        from: &str,
    ) -> Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        self.db.transaction(Lock::Exclusive, |tx| {
            let taken = tx.execute(
                "UPDATE execution_context SET resumed_by = ?2 WHERE execution_id = ?1
                 AND (resumed_by IS NULL OR resumed_by IN
                      (SELECT id FROM workflow_executions WHERE status IN ('failed', 'interrupted', 'partial')))",
                args![from, id],
            )?;
            if taken == 0 {
                let holder: Option<String> = tx
                    .query_opt("SELECT resumed_by FROM execution_context WHERE execution_id = ?1", args![from], |r| {
                        r.get::<Option<String>>(0)
                    })?
                    .flatten();
                let short = |id: &str| id.get(..8).unwrap_or(id).to_string();
                return Err(Error::usage(match holder {
                    Some(holder) => format!("run {} is already being resumed by run {}", short(from), short(&holder)),
                    None => format!("run {} can't be resumed", short(from)),
                }));
            }
            let run = NewRun {
                workflow_id,
                name,
                version,
                parameters,
                trigger: "resume",
                failed: None,
                resumed_from: Some(from),
            };
            run.insert(tx, &id, &self.host)
        })?;
        Ok(id)
    }

    /// Records a run that was asked for but could not start (bad parameters, a missing
    /// workflow): failed, with its error, so nothing asked for disappears without a trace.
    pub fn record_unstarted(
        &self,
        workflow_id: &str,
        name: &str,
        version: &str,
        parameters: &Value,
        trigger: &str,
        error: &str,
    ) -> Result<String> {
        let run = NewRun { workflow_id, name, version, parameters, trigger, failed: Some(error), resumed_from: None };
        self.record_new(&uuid::Uuid::new_v4().to_string(), run)
    }

    /// The newest run that resumed `run_id`, with its status.
    pub fn resumed_by(&self, run_id: &str) -> Result<Option<(String, String)>> {
        self.db.query_opt(
            "SELECT e.id, e.status FROM execution_context c JOIN workflow_executions e ON e.id = c.execution_id
             WHERE c.resumed_from = ?1 ORDER BY e.started_at DESC, e.rowid DESC LIMIT 1",
            args![run_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Ends a run and counts it on its workflow.
    pub fn finish_run(&self, run_id: &str, status: RunStatus, result: &Value, error: Option<&str>) -> Result<()> {
        let ended = now();
        self.db.transaction(Lock::Deferred, |tx| {
            tx.execute(
                "UPDATE workflow_executions SET status = ?2, completed_at = ?3, result = ?4, error = ?5 WHERE id = ?1",
                args![run_id, status.as_str(), ended, bounded(result), error.map(truncate)],
            )?;
            tx.execute(
                "UPDATE workflows SET execution_count = COALESCE(execution_count, 0) + 1, last_executed = ?2
                 WHERE id = (SELECT workflow_id FROM workflow_executions WHERE id = ?1)",
                args![run_id, ended],
            )?;
            // A queued run is done with the queue in the same transaction, so a worker that dies
            // right after can't have it requeued.
            tx.execute(
                "UPDATE run_queue SET state = 'done', lease_until = NULL, in_flight = '{}' WHERE run_id = ?1",
                args![run_id],
            )?;
            Ok(())
        })
    }

    /// Records step attempts of any runs in one transaction: all of them or none.
    pub fn record_steps(&self, steps: &[(&str, &StepRecord)]) -> Result<()> {
        self.db.transaction(Lock::Deferred, |_| {
            for (run_id, step) in steps {
                self.record_step(run_id, step)?;
            }
            Ok(())
        })
    }

    /// Records one step attempt.
    pub fn record_step(&self, run_id: &str, step: &StepRecord) -> Result<()> {
        self.db.execute(
            "INSERT INTO step_executions (execution_id, step_id, name, attempt, status, started_at, completed_at,
             duration_ms, exit_code, output, error, result) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            args![
                run_id,
                step.step_id,
                step.name,
                step.attempt,
                step.status.as_str(),
                step.started_at,
                step.completed_at,
                step.duration_ms,
                step.exit_code,
                step.output.as_deref().map(truncate),
                step.error.as_deref().map(truncate),
                if step.result.is_null() { None } else { Some(bounded(&step.result)) },
            ],
        )?;
        Ok(())
    }

    /// Past runs, newest first, optionally of one workflow and one status.
    pub fn history(
        &self,
        workflow_id: Option<&str>,
        status: Option<RunStatus>,
        since: Option<chrono::DateTime<chrono::Utc>>,
        limit: usize,
    ) -> Result<Vec<RunRecord>> {
        self.mark_abandoned_runs()?;
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM workflow_executions e
             LEFT JOIN execution_context c ON c.execution_id = e.id LEFT JOIN workflows w ON w.id = e.workflow_id
             WHERE (CAST(?1 AS TEXT) IS NULL OR e.workflow_id = ?1) AND (CAST(?2 AS TEXT) IS NULL OR e.status = ?2)
               AND (CAST(?3 AS TEXT) IS NULL OR e.started_at >= ?3)
             ORDER BY e.started_at DESC, e.rowid DESC LIMIT ?4"
        );
        let since = since.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true));
        self.db.query(&sql, args![workflow_id, status.map(RunStatus::as_str), since, limit as i64], run_from_row)
    }

    /// One run by id (or unique id prefix).
    pub fn run(&self, id: &str) -> Result<RunRecord> {
        self.mark_abandoned_runs()?;
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM workflow_executions e
             LEFT JOIN execution_context c ON c.execution_id = e.id LEFT JOIN workflows w ON w.id = e.workflow_id
             WHERE e.id = ?1 OR e.id LIKE CAST(?1 AS TEXT) || '%' ORDER BY e.id = ?1 DESC LIMIT 2"
        );
        let runs = self.db.query(&sql, args![id], run_from_row)?;
        match runs.as_slice() {
            [] => Err(Error::usage_with(format!("no run with id {id}"), "see `alpha workflow history`")),
            [one, ..] if one.id == id || runs.len() == 1 => Ok(one.clone()),
            _ => Err(Error::usage(format!("run id prefix {id} is ambiguous; give more characters"))),
        }
    }

    /// The step attempts of a run, in order.
    pub fn steps(&self, run_id: &str) -> Result<Vec<StepRecord>> {
        self.db.query(
            "SELECT step_id, name, attempt, status, started_at, completed_at, duration_ms, exit_code, output, error, result
             FROM step_executions WHERE execution_id = ?1 ORDER BY id",
            args![run_id],
            |row| {
                Ok(StepRecord {
                    step_id: row.get(0)?,
                    name: row.get(1)?,
                    attempt: row.get(2)?,
                    status: StepStatus::parse(&row.get::<String>(3)?),
                    started_at: row.get(4)?,
                    completed_at: row.get(5)?,
                    duration_ms: row.get(6)?,
                    exit_code: row.get(7)?,
                    output: row.get(8)?,
                    error: row.get(9)?,
                    result: row
                        .get::<Option<String>>(10)?
                        .and_then(|t| serde_json::from_str(&t).ok())
                        .unwrap_or(Value::Null),
                })
            },
        )
    }

    /// Each attempt's status of many runs at once (the dashboard's grid), in run then step order:
    /// `(run id, step id, status)`. One query, however many runs.
    pub fn step_statuses(&self, run_ids: &[String]) -> Result<Vec<(String, String, StepStatus)>> {
        if run_ids.is_empty() {
            return Ok(Vec::new());
        }
        let ids = serde_json::to_string(run_ids).unwrap_or_else(|_| "[]".into());
        let sql = match self.db.dialect() {
            super::Dialect::Sqlite => {
                "SELECT execution_id, step_id, status FROM step_executions
                 WHERE execution_id IN (SELECT value FROM json_each(?1)) ORDER BY execution_id, id"
            }
            super::Dialect::Postgres => {
                "SELECT execution_id, step_id, status FROM step_executions
                 WHERE execution_id IN (SELECT jsonb_array_elements_text(CAST(?1 AS TEXT)::jsonb)) ORDER BY execution_id, id"
            }
        };
        self.db.query(sql, args![ids], |row| Ok((row.get(0)?, row.get(1)?, StepStatus::parse(&row.get::<String>(2)?))))
    }

    /// Marks runs whose process is gone (killed, crashed, power loss) as interrupted, and stops
    /// any step process they left behind. A run's process is known by its pid and its start
    /// time, so a new process that reused the pid doesn't keep a dead run "running".
    pub fn mark_abandoned_runs(&self) -> Result<usize> {
        // Only this machine can tell whether one of its processes is gone; a shared library's
        // runs elsewhere are their own machine's to mark (a worker's, by its lease).
        let running: Vec<(String, Option<i64>, Option<i64>)> = self.db.query(
            "SELECT e.id, c.pid, c.pid_started FROM workflow_executions e LEFT JOIN execution_context c ON c.execution_id = e.id
             WHERE e.status IN ('running', 'pending') AND (c.host IS NULL OR c.host = ?1)
               AND NOT EXISTS (SELECT 1 FROM run_queue q WHERE q.run_id = e.id AND q.state != 'done')",
            args![self.host],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )?;
        let mut marked = Vec::new();
        for (id, pid, started) in running {
            let alive = pid.is_some_and(|pid| {
                process_alive(pid)
                    && started.is_none_or(|started| {
                        u32::try_from(pid).ok().and_then(crate::process::start_time) == Some(started as u64)
                    })
            });
            if !alive {
                let changed = self.db.execute(
                    "UPDATE workflow_executions SET status = 'interrupted', completed_at = COALESCE(completed_at, ?2),
                     error = COALESCE(error, 'the alpha process running it stopped unexpectedly')
                     WHERE id = ?1 AND status IN ('running', 'pending')",
                    args![id, now()],
                )?;
                if changed > 0 {
                    marked.push(id);
                }
            }
        }
        crate::process::stop_abandoned(&marked);
        Ok(marked.len())
    }
}

/// This process's start time, read once.
fn own_start_time() -> Option<u64> {
    static STARTED: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    *STARTED.get_or_init(|| crate::process::start_time(std::process::id()))
}

/// Whether a process with this id exists (signal 0 probes without signalling).
fn process_alive(pid: i64) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else { return false };
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 only checks for existence and permission; it sends nothing.
    let result = unsafe { libc::kill(pid, 0) };
    result == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::RunStatus;

    #[test]
    fn statuses_read_back_as_written_and_cancelled_means_interrupted() {
        for status in
            [RunStatus::Pending, RunStatus::Running, RunStatus::Completed, RunStatus::Failed, RunStatus::Interrupted]
        {
            assert_eq!(RunStatus::parse(status.as_str()), Some(status));
        }
        assert_eq!(RunStatus::parse("cancelled"), Some(RunStatus::Interrupted));
        assert_eq!(RunStatus::parse("exploded"), None);
    }
}

/// One recorded attempt of a step, as the optimizer reads them.
#[derive(Debug, Clone)]
pub struct AttemptRow {
    /// The run.
    pub run: String,
    /// The step id.
    pub step: String,
    /// Attempt number.
    pub attempt: i64,
    /// Step status.
    pub status: String,
    /// How long it took.
    pub duration_ms: i64,
    /// Its error, empty when none.
    pub error: String,
}

impl Store {
    /// Every attempt of every non-skipped step of a workflow's runs, oldest run first.
    pub fn step_attempts_of(&self, workflow_id: &str) -> Result<Vec<AttemptRow>> {
        self.db.query(
            "SELECT s.execution_id, s.step_id, s.attempt, s.status, COALESCE(s.duration_ms, 0), COALESCE(s.error, '')
             FROM step_executions s JOIN workflow_executions e ON e.id = s.execution_id
             WHERE e.workflow_id = ?1 AND s.status != 'skipped' ORDER BY e.started_at, s.id",
            args![workflow_id],
            |r| {
                Ok(AttemptRow {
                    run: r.get(0)?,
                    step: r.get(1)?,
                    attempt: r.get(2)?,
                    status: r.get(3)?,
                    duration_ms: r.get(4)?,
                    error: r.get(5)?,
                })
            },
        )
    }

    /// The id of the workflow a name belonged to, from run records: a deleted workflow's
    /// history stays readable by its name.
    pub fn workflow_id_in_runs(&self, name: &str) -> Result<Option<String>> {
        self.db.query_opt(
            "SELECT e.workflow_id FROM execution_context c JOIN workflow_executions e ON e.id = c.execution_id
             WHERE c.workflow_name = ?1 COLLATE NOCASE ORDER BY e.started_at DESC LIMIT 1",
            args![name],
            |r| r.get(0),
        )
    }
}

impl Store {
    /// A fact kept between sessions.
    pub fn state(&self, key: &str) -> Result<Option<String>> {
        self.db.query_opt("SELECT value FROM state WHERE key = ?1", args![key], |r| r.get(0))
    }

    /// Keeps a fact between sessions.
    pub fn set_state(&self, key: &str, value: &str) -> Result<()> {
        self.db.execute(
            "INSERT INTO state (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            args![key, value],
        )?;
        Ok(())
    }

    /// Scheduled runs that did not complete and started after `since`, oldest first.
    pub fn unsuccessful_scheduled_runs(&self, since: &str) -> Result<Vec<RunRecord>> {
        let sql = format!(
            "SELECT {RUN_COLUMNS} FROM workflow_executions e
             LEFT JOIN execution_context c ON c.execution_id = e.id LEFT JOIN workflows w ON w.id = e.workflow_id
             WHERE c.trigger = 'schedule' AND e.status IN ('failed', 'partial', 'interrupted') AND e.started_at > ?1
             ORDER BY e.started_at"
        );
        self.db.query(&sql, args![since], run_from_row)
    }
}
