//! The run queue and its workers (design.md §5, "Workers"): a queued run is a `pending` run row
//! with a `run_queue` row beside it. A worker claims one in a write transaction (SQLite holds
//! one writer at a time, so two workers never claim the same run), holds it with a lease it
//! renews, and the run is done with the queue when the run is finished (in the same
//! transaction). A run whose lease ran out goes back to `pending`: the attempts its worker had
//! under way are recorded as interrupted, and whoever claims it next goes on from its first
//! unfinished step.

use std::collections::HashMap;

use rusqlite::{OptionalExtension, params};
use serde::Serialize;
use serde_json::Value;

use super::Store;
use super::runs::NewRun;
use crate::error::Result;

/// A queued run a worker took.
#[derive(Debug, Clone)]
pub struct Claim {
    /// The run.
    pub run_id: String,
    /// Its workflow's id.
    pub workflow_id: String,
    /// The workflow's name when queued (its version and parameters are the run's own record).
    pub workflow_name: String,
    /// How many times it has been claimed, this one included.
    pub claims: i64,
}

/// A worker as `alpha worker list` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct WorkerRow {
    /// Its name.
    pub name: String,
    /// Its tags.
    pub tags: Vec<String>,
    /// How many runs it takes at once.
    pub concurrency: i64,
    /// The machine.
    pub host: String,
    /// Its process.
    pub pid: i64,
    /// running, draining or stopped.
    pub state: String,
    /// When it started (RFC 3339).
    pub started_at: String,
    /// Its last heartbeat (unix ms).
    pub heartbeat_at: i64,
    /// The runs it holds.
    pub runs: Vec<String>,
}

fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

impl Store {
    /// Runs `work` in a transaction that takes the write lock first (`BEGIN IMMEDIATE`), so a
    /// read that decides a write can't be overtaken by another process's write in between.
    fn immediate<T>(&self, work: impl FnOnce(&rusqlite::Connection) -> Result<T>) -> Result<T> {
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match work(&self.conn) {
            Ok(value) => {
                self.conn.execute_batch("COMMIT")?;
                Ok(value)
            }
            Err(error) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(error)
            }
        }
    }

    /// Records a run as `pending` in the queue, for a worker with every one of `tags`; returns its
    /// id. `parameters` must already be redacted.
    pub fn enqueue_run(
        &self,
        workflow_id: &str,
        name: &str,
        version: &str,
        parameters: &Value,
        trigger: &str,
        tags: &[String],
    ) -> Result<String> {
        let id = uuid::Uuid::new_v4().to_string();
        let tx = self.conn.unchecked_transaction()?;
        NewRun::new(workflow_id, name, version, parameters, trigger).insert(&tx, &id)?;
        tx.execute("UPDATE workflow_executions SET status = 'pending' WHERE id = ?1", [&id])?;
        // Nobody runs it yet: no process to watch.
        tx.execute("UPDATE execution_context SET pid = NULL, pid_started = NULL WHERE execution_id = ?1", [&id])?;
        tx.execute(
            "INSERT INTO run_queue (run_id, tags, state, enqueued_at) VALUES (?1, ?2, 'pending', ?3)",
            params![id, tags_json(tags), super::now()],
        )?;
        tx.commit()?;
        Ok(id)
    }

    /// Takes the oldest pending run this worker's tags allow, holding it until `lease_until`
    /// (unix ms); `None` when there is none.
    pub fn claim_run(&self, worker: &str, tags: &[String], lease_until: i64) -> Result<Option<Claim>> {
        // Idle workers look often: only take the write lock when there is something to take.
        let waiting: bool = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM run_queue WHERE state = 'pending')")?
            .query_row([], |r| r.get(0))?;
        if !waiting {
            return Ok(None);
        }
        self.immediate(|tx| Self::claim_in(tx, worker, tags, lease_until))
    }

    fn claim_in(tx: &rusqlite::Connection, worker: &str, tags: &[String], lease_until: i64) -> Result<Option<Claim>> {
        let found: Option<String> = tx
            .prepare_cached(
                "SELECT q.run_id FROM run_queue q JOIN workflow_executions e ON e.id = q.run_id
                 WHERE q.state = 'pending' AND e.status = 'pending'
                   AND NOT EXISTS (SELECT 1 FROM json_each(q.tags) t WHERE t.value NOT IN (SELECT value FROM json_each(?1)))
                 ORDER BY q.enqueued_at, q.rowid LIMIT 1",
            )?
            .query_row([tags_json(tags)], |r| r.get(0))
            .optional()?;
        let Some(run_id) = found else { return Ok(None) };
        tx.execute(
            "UPDATE run_queue SET state = 'claimed', worker = ?2, lease_until = ?3, claims = claims + 1 WHERE run_id = ?1",
            params![run_id, worker, lease_until],
        )?;
        // A run starts when a worker first takes it, not when it was queued.
        tx.execute(
            "UPDATE workflow_executions SET status = 'running',
                 started_at = CASE WHEN (SELECT claims FROM run_queue WHERE run_id = ?1) = 1 THEN ?2 ELSE started_at END
             WHERE id = ?1",
            params![run_id, super::now()],
        )?;
        tx.execute(
            "UPDATE execution_context SET pid = ?2, pid_started = ?3 WHERE execution_id = ?1",
            params![run_id, std::process::id(), crate::process::start_time(std::process::id()).map(|t| t as i64)],
        )?;
        let claim = tx.query_row(
            "SELECT e.id, e.workflow_id, c.workflow_name, q.claims
             FROM workflow_executions e JOIN execution_context c ON c.execution_id = e.id JOIN run_queue q ON q.run_id = e.id
             WHERE e.id = ?1",
            [&run_id],
            |r| Ok(Claim { run_id: r.get(0)?, workflow_id: r.get(1)?, workflow_name: r.get(2)?, claims: r.get(3)? }),
        )?;
        Ok(Some(claim))
    }

    /// Extends the leases of every run `worker` holds, and notes its heartbeat.
    pub fn renew_leases(&self, worker: &str, lease_until: i64, now_ms: i64) -> Result<usize> {
        let tx = self.conn.unchecked_transaction()?;
        let renewed = tx.execute(
            "UPDATE run_queue SET lease_until = ?2 WHERE worker = ?1 AND state = 'claimed'",
            params![worker, lease_until],
        )?;
        tx.execute("UPDATE workers SET heartbeat_at = ?2 WHERE name = ?1", params![worker, now_ms])?;
        tx.commit()?;
        Ok(renewed)
    }

    /// Notes that a claimed run's step began an attempt (so it is known if the worker dies).
    pub fn note_attempt_started(&self, run_id: &str, step: &str, attempt: i64, started_at: &str) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE run_queue SET in_flight = json_set(in_flight, '$.' || json_quote(?2),
                     json_object('attempt', ?3, 'started_at', ?4))
                 WHERE run_id = ?1 AND state = 'claimed'",
            )?
            .execute(params![run_id, step, attempt, started_at])?;
        Ok(())
    }

    /// Notes that the attempt ended (its row is recorded).
    pub fn note_attempt_ended(&self, run_id: &str, step: &str) -> Result<()> {
        self.conn
            .prepare_cached(
                "UPDATE run_queue SET in_flight = json_remove(in_flight, '$.' || json_quote(?2)) WHERE run_id = ?1",
            )?
            .execute(params![run_id, step])?;
        Ok(())
    }

    /// Puts back every claimed run whose lease ended before `now_ms`: the attempts its worker had
    /// under way are recorded as interrupted, and the run is `pending` again. Returns the runs.
    pub fn requeue_expired(&self, now_ms: i64) -> Result<Vec<String>> {
        // Most passes find nothing: look before taking the write lock.
        let any: bool = self
            .conn
            .prepare_cached("SELECT EXISTS (SELECT 1 FROM run_queue WHERE state = 'claimed' AND lease_until < ?1)")?
            .query_row([now_ms], |r| r.get(0))?;
        if !any {
            return Ok(Vec::new());
        }
        self.immediate(|tx| Self::requeue_in(tx, now_ms))
    }

    fn requeue_in(tx: &rusqlite::Connection, now_ms: i64) -> Result<Vec<String>> {
        let expired: Vec<(String, Option<String>, String)> = tx
            .prepare_cached(
                "SELECT run_id, worker, in_flight FROM run_queue WHERE state = 'claimed' AND lease_until < ?1",
            )?
            .query_map([now_ms], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        let stamp = super::now();
        for (run_id, worker, in_flight) in &expired {
            let steps: serde_json::Map<String, Value> = serde_json::from_str(in_flight).unwrap_or_default();
            let worker = worker.as_deref().unwrap_or("?");
            for (step, note) in steps {
                let error = format!("its worker {worker} stopped renewing its lease; the step runs again");
                tx.execute(
                    "INSERT INTO step_executions (execution_id, step_id, attempt, status, started_at, completed_at, error)
                     VALUES (?1, ?2, ?3, 'interrupted', ?4, ?5, ?6)",
                    params![run_id, step, note["attempt"].as_i64().unwrap_or(1), note["started_at"].as_str(), stamp, error],
                )?;
            }
            tx.execute(
                "UPDATE run_queue SET state = 'pending', worker = NULL, lease_until = NULL, in_flight = '{}' WHERE run_id = ?1",
                [run_id],
            )?;
            tx.execute(
                "UPDATE workflow_executions SET status = 'pending' WHERE id = ?1 AND status = 'running'",
                [run_id],
            )?;
        }
        Ok(expired.into_iter().map(|(id, ..)| id).collect())
    }

    /// The highest attempt recorded for each step of a run (a requeued run numbers on from it).
    pub fn attempts_so_far(&self, run_id: &str) -> Result<HashMap<String, u32>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT step_id, MAX(attempt) FROM step_executions WHERE execution_id = ?1 GROUP BY step_id",
        )?;
        let rows = stmt
            .query_map([run_id], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?.max(0) as u32)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Where a queued run is in the queue (`pending`, `claimed`, `done`); `None` if it never was.
    pub fn queue_state(&self, run_id: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .prepare_cached("SELECT state FROM run_queue WHERE run_id = ?1")?
            .query_row([run_id], |r| r.get(0))
            .optional()?)
    }

    /// Announces a worker (replacing a stopped one of the same name).
    pub fn register_worker(
        &self,
        name: &str,
        tags: &[String],
        concurrency: i64,
        host: &str,
        now_ms: i64,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT OR REPLACE INTO workers (name, tags, concurrency, host, pid, state, started_at, heartbeat_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6, ?7)",
            params![name, tags_json(tags), concurrency, host, std::process::id(), super::now(), now_ms],
        )?;
        Ok(())
    }

    /// Sets a worker's state: `draining` (it takes nothing new) or `stopped`.
    pub fn set_worker_state(&self, name: &str, state: &str) -> Result<()> {
        self.conn.execute("UPDATE workers SET state = ?2 WHERE name = ?1", params![name, state])?;
        Ok(())
    }

    /// The last heartbeat of the worker with this name, if it is not stopped.
    pub fn worker_heartbeat(&self, name: &str) -> Result<Option<i64>> {
        Ok(self
            .conn
            .prepare_cached("SELECT heartbeat_at FROM workers WHERE name = ?1 AND state != 'stopped'")?
            .query_row([name], |r| r.get(0))
            .optional()?)
    }

    /// Every worker, with the runs it holds.
    pub fn workers(&self) -> Result<Vec<WorkerRow>> {
        let mut holding: HashMap<String, Vec<String>> = HashMap::new();
        let mut stmt =
            self.conn.prepare_cached("SELECT worker, run_id FROM run_queue WHERE state = 'claimed' ORDER BY rowid")?;
        for row in stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))? {
            let (worker, run) = row?;
            holding.entry(worker).or_default().push(run);
        }
        let mut stmt = self.conn.prepare_cached(
            "SELECT name, tags, concurrency, host, pid, state, started_at, heartbeat_at FROM workers ORDER BY name",
        )?;
        let workers = stmt
            .query_map([], |r| {
                let name: String = r.get(0)?;
                Ok(WorkerRow {
                    runs: holding.remove(&name).unwrap_or_default(),
                    name,
                    tags: serde_json::from_str(&r.get::<_, String>(1)?).unwrap_or_default(),
                    concurrency: r.get(2)?,
                    host: r.get(3)?,
                    pid: r.get(4)?,
                    state: r.get(5)?,
                    started_at: r.get(6)?,
                    heartbeat_at: r.get(7)?,
                })
            })?
            .collect::<rusqlite::Result<_>>()?;
        Ok(workers)
    }

    /// How many queued runs wait, and how many are held by workers.
    pub fn queue_counts(&self) -> Result<(i64, i64)> {
        Ok(self.conn.query_row(
            "SELECT COALESCE(SUM(state = 'pending'), 0), COALESCE(SUM(state = 'claimed'), 0) FROM run_queue",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }
}
