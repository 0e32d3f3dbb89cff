//! The run queue and its workers (design.md §5, "Workers"): a queued run is a `pending` run row
//! with a `run_queue` row beside it. A worker claims one in a write transaction (SQLite holds
//! one writer at a time, so two workers never claim the same run), holds it with a lease it
//! renews, and the run is done with the queue when the run is finished (in the same
//! transaction). A run whose lease ran out goes back to `pending`: the attempts its worker had
//! under way are recorded as interrupted, and whoever claims it next goes on from its first
//! unfinished step.

use std::collections::HashMap;

use serde::Serialize;
use serde_json::Value;

use super::Store;
use super::backend::{Db, Dialect, Lock, args};
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

/// The channel enqueues notify and idle workers listen on (PostgreSQL).
pub const QUEUE_CHANNEL: &str = "alpha_queue";

impl Store {
    /// Waits up to `timeout` for a run to be queued: woken at once on PostgreSQL by the
    /// enqueue's `NOTIFY`, a plain sleep on SQLite. Polling stays the fallback either way.
    pub fn wait_for_queued(&self, timeout: std::time::Duration) -> Result<bool> {
        self.db.wait_for(QUEUE_CHANNEL, timeout)
    }
}

fn tags_json(tags: &[String]) -> String {
    serde_json::to_string(tags).unwrap_or_else(|_| "[]".into())
}

impl Store {
    /// The lock a claim or a requeue takes: SQLite's one writer, or on PostgreSQL row locks
    /// taken with `FOR UPDATE SKIP LOCKED`, so workers claim side by side.
    fn claim_lock(&self) -> Lock {
        match self.db.dialect() {
            Dialect::Sqlite => Lock::Exclusive,
            Dialect::Postgres => Lock::Deferred,
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
        self.db.transaction(Lock::Deferred, |tx| {
            NewRun::new(workflow_id, name, version, parameters, trigger).insert(tx, &id, &self.host)?;
            tx.execute("UPDATE workflow_executions SET status = 'pending' WHERE id = ?1", args![id])?;
            // Nobody runs it yet: no process to watch.
            tx.execute(
                "UPDATE execution_context SET pid = NULL, pid_started = NULL, host = NULL WHERE execution_id = ?1",
                args![id],
            )?;
            tx.execute(
                "INSERT INTO run_queue (run_id, tags, state, enqueued_at) VALUES (?1, ?2, 'pending', ?3)",
                args![id, tags_json(tags), super::now()],
            )?;
            // Idle workers listening on PostgreSQL wake at the commit.
            tx.notify(QUEUE_CHANNEL)
        })?;
        Ok(id)
    }

    /// Takes the oldest pending run this worker's tags allow, holding it until `lease_until`
    /// (unix ms); `None` when there is none.
    pub fn claim_run(&self, worker: &str, tags: &[String], lease_until: i64) -> Result<Option<Claim>> {
        // Idle workers look often: only take the write lock when there is something to take.
        let waiting: bool =
            self.db
                .query_one("SELECT EXISTS (SELECT 1 FROM run_queue WHERE state = 'pending')", args![], |r| r.get(0))?;
        if !waiting {
            return Ok(None);
        }
        self.db.transaction(self.claim_lock(), |tx| self.claim_in(tx, worker, tags, lease_until))
    }

    fn claim_in(&self, tx: &Db, worker: &str, tags: &[String], lease_until: i64) -> Result<Option<Claim>> {
        let sql = match tx.dialect() {
            Dialect::Sqlite => {
                "SELECT q.run_id FROM run_queue q JOIN workflow_executions e ON e.id = q.run_id
                 WHERE q.state = 'pending' AND e.status = 'pending'
                   AND NOT EXISTS (SELECT 1 FROM json_each(q.tags) t WHERE t.value NOT IN (SELECT value FROM json_each(?1)))
                 ORDER BY q.enqueued_at, q.rowid LIMIT 1"
            }
            // Windmill's claim: the oldest run this worker may take that no other worker holds.
            Dialect::Postgres => {
                "SELECT q.run_id FROM run_queue q JOIN workflow_executions e ON e.id = q.run_id
                 WHERE q.state = 'pending' AND e.status = 'pending'
                   AND NOT EXISTS (SELECT 1 FROM jsonb_array_elements_text(CAST(q.tags AS jsonb)) t(tag)
                                   WHERE t.tag NOT IN (SELECT jsonb_array_elements_text(CAST(CAST(?1 AS TEXT) AS jsonb))))
                 ORDER BY q.enqueued_at, q.rowid LIMIT 1
                 FOR UPDATE OF q SKIP LOCKED"
            }
        };
        let found: Option<String> = tx.query_opt(sql, args![tags_json(tags)], |r| r.get(0))?;
        let Some(run_id) = found else { return Ok(None) };
        tx.execute(
            "UPDATE run_queue SET state = 'claimed', worker = ?2, lease_until = ?3, claims = claims + 1 WHERE run_id = ?1",
            args![run_id, worker, lease_until],
        )?;
        // A run starts when a worker first takes it, not when it was queued.
        tx.execute(
            "UPDATE workflow_executions SET status = 'running',
                 started_at = CASE WHEN (SELECT claims FROM run_queue WHERE run_id = ?1) = 1 THEN ?2 ELSE started_at END
             WHERE id = ?1",
            args![run_id, super::now()],
        )?;
        tx.execute(
            "UPDATE execution_context SET pid = ?2, pid_started = ?3, host = ?4 WHERE execution_id = ?1",
            args![
                run_id,
                i64::from(std::process::id()),
                crate::process::start_time(std::process::id()).map(|t| t as i64),
                self.host
            ],
        )?;
        let claim = tx.query_one(
            "SELECT e.id, e.workflow_id, c.workflow_name, q.claims
             FROM workflow_executions e JOIN execution_context c ON c.execution_id = e.id JOIN run_queue q ON q.run_id = e.id
             WHERE e.id = ?1",
            args![run_id],
            |r| Ok(Claim { run_id: r.get(0)?, workflow_id: r.get(1)?, workflow_name: r.get(2)?, claims: r.get(3)? }),
        )?;
        Ok(Some(claim))
    }

    /// Extends the leases of every run `worker` holds, and notes its heartbeat.
    pub fn renew_leases(&self, worker: &str, lease_until: i64, now_ms: i64) -> Result<usize> {
        self.db.transaction(Lock::Deferred, |tx| {
            let renewed = tx.execute(
                "UPDATE run_queue SET lease_until = ?2 WHERE worker = ?1 AND state = 'claimed'",
                args![worker, lease_until],
            )?;
            tx.execute("UPDATE workers SET heartbeat_at = ?2 WHERE name = ?1", args![worker, now_ms])?;
            Ok(renewed)
        })
    }

    /// Notes that a claimed run's step began an attempt (so it is known if the worker dies).
    pub fn note_attempt_started(&self, run_id: &str, step: &str, attempt: i64, started_at: &str) -> Result<()> {
        let sql = match self.db.dialect() {
            Dialect::Sqlite => {
                "UPDATE run_queue SET in_flight = json_set(in_flight, '$.' || json_quote(?2),
                     json_object('attempt', ?3, 'started_at', ?4))
                 WHERE run_id = ?1 AND state = 'claimed'"
            }
            Dialect::Postgres => {
                "UPDATE run_queue SET in_flight = CAST(CAST(in_flight AS jsonb) || jsonb_build_object(CAST(?2 AS TEXT),
                     jsonb_build_object('attempt', CAST(?3 AS BIGINT), 'started_at', CAST(?4 AS TEXT))) AS TEXT)
                 WHERE run_id = ?1 AND state = 'claimed'"
            }
        };
        self.db.execute(sql, args![run_id, step, attempt, started_at])?;
        Ok(())
    }

    /// Notes that the attempt ended (its row is recorded).
    pub fn note_attempt_ended(&self, run_id: &str, step: &str) -> Result<()> {
        let sql = match self.db.dialect() {
            Dialect::Sqlite => {
                "UPDATE run_queue SET in_flight = json_remove(in_flight, '$.' || json_quote(?2)) WHERE run_id = ?1"
            }
            Dialect::Postgres => {
                "UPDATE run_queue SET in_flight = CAST(CAST(in_flight AS jsonb) - CAST(?2 AS TEXT) AS TEXT) WHERE run_id = ?1"
            }
        };
        self.db.execute(sql, args![run_id, step])?;
        Ok(())
    }

    /// Puts back every claimed run whose lease ended before `now_ms`: the attempts its worker had
    /// under way are recorded as interrupted, and the run is `pending` again. Returns the runs.
    pub fn requeue_expired(&self, now_ms: i64) -> Result<Vec<String>> {
        // Most passes find nothing: look before taking the write lock.
        let any: bool = self.db.query_one(
            "SELECT EXISTS (SELECT 1 FROM run_queue WHERE state = 'claimed' AND lease_until < ?1)",
            args![now_ms],
            |r| r.get(0),
        )?;
        if !any {
            return Ok(Vec::new());
        }
        self.db.transaction(self.claim_lock(), |tx| Self::requeue_in(tx, now_ms))
    }

    fn requeue_in(tx: &Db, now_ms: i64) -> Result<Vec<String>> {
        let sql = match tx.dialect() {
            Dialect::Sqlite => {
                "SELECT run_id, worker, in_flight FROM run_queue WHERE state = 'claimed' AND lease_until < ?1"
            }
            // Another reaper may be at the same rows: each takes the ones nobody holds.
            Dialect::Postgres => {
                "SELECT run_id, worker, in_flight FROM run_queue WHERE state = 'claimed' AND lease_until < ?1
                 FOR UPDATE SKIP LOCKED"
            }
        };
        let expired: Vec<(String, Option<String>, String)> =
            tx.query(sql, args![now_ms], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
        let stamp = super::now();
        for (run_id, worker, in_flight) in &expired {
            let steps: serde_json::Map<String, Value> = serde_json::from_str(in_flight).unwrap_or_default();
            let worker = worker.as_deref().unwrap_or("?");
            for (step, note) in steps {
                let error = format!("its worker {worker} stopped renewing its lease; the step runs again");
                tx.execute(
                    "INSERT INTO step_executions (execution_id, step_id, attempt, status, started_at, completed_at, error)
                     VALUES (?1, ?2, ?3, 'interrupted', ?4, ?5, ?6)",
                    args![run_id, step, note["attempt"].as_i64().unwrap_or(1), note["started_at"].as_str(), stamp, error],
                )?;
            }
            tx.execute(
                "UPDATE run_queue SET state = 'pending', worker = NULL, lease_until = NULL, in_flight = '{}' WHERE run_id = ?1",
                args![run_id],
            )?;
            tx.execute(
                "UPDATE workflow_executions SET status = 'pending' WHERE id = ?1 AND status = 'running'",
                args![run_id],
            )?;
        }
        if !expired.is_empty() {
            tx.notify(QUEUE_CHANNEL)?;
        }
        Ok(expired.into_iter().map(|(id, ..)| id).collect())
    }

    /// The highest attempt recorded for each step of a run (a requeued run numbers on from it).
    pub fn attempts_so_far(&self, run_id: &str) -> Result<HashMap<String, u32>> {
        let rows = self.db.query(
            "SELECT step_id, MAX(attempt) FROM step_executions WHERE execution_id = ?1 GROUP BY step_id",
            args![run_id],
            |r| Ok((r.get::<String>(0)?, r.get::<i64>(1)?.max(0) as u32)),
        )?;
        Ok(rows.into_iter().collect())
    }

    /// Where a queued run is in the queue (`pending`, `claimed`, `done`); `None` if it never was.
    pub fn queue_state(&self, run_id: &str) -> Result<Option<String>> {
        self.db.query_opt("SELECT state FROM run_queue WHERE run_id = ?1", args![run_id], |r| r.get(0))
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
        self.db.execute(
            "INSERT INTO workers (name, tags, concurrency, host, pid, state, started_at, heartbeat_at)
             VALUES (?1, ?2, ?3, ?4, ?5, 'running', ?6, ?7)
             ON CONFLICT (name) DO UPDATE SET tags = excluded.tags, concurrency = excluded.concurrency, host = excluded.host,
                 pid = excluded.pid, state = excluded.state, started_at = excluded.started_at, heartbeat_at = excluded.heartbeat_at",
            args![name, tags_json(tags), concurrency, host, i64::from(std::process::id()), super::now(), now_ms],
        )?;
        Ok(())
    }

    /// Sets a worker's state: `draining` (it takes nothing new) or `stopped`.
    pub fn set_worker_state(&self, name: &str, state: &str) -> Result<()> {
        self.db.execute("UPDATE workers SET state = ?2 WHERE name = ?1", args![name, state])?;
        Ok(())
    }

    /// The last heartbeat of the worker with this name, if it is not stopped.
    pub fn worker_heartbeat(&self, name: &str) -> Result<Option<i64>> {
        self.db.query_opt("SELECT heartbeat_at FROM workers WHERE name = ?1 AND state != 'stopped'", args![name], |r| {
            r.get(0)
        })
    }

    /// Every worker, with the runs it holds.
    pub fn workers(&self) -> Result<Vec<WorkerRow>> {
        let mut holding: HashMap<String, Vec<String>> = HashMap::new();
        let claimed = self.db.query(
            "SELECT worker, run_id FROM run_queue WHERE state = 'claimed' ORDER BY rowid",
            args![],
            |r| Ok((r.get::<String>(0)?, r.get::<String>(1)?)),
        )?;
        for (worker, run) in claimed {
            holding.entry(worker).or_default().push(run);
        }
        self.db.query(
            "SELECT name, tags, concurrency, host, pid, state, started_at, heartbeat_at FROM workers ORDER BY name",
            args![],
            |r| {
                let name: String = r.get(0)?;
                Ok(WorkerRow {
                    runs: holding.remove(&name).unwrap_or_default(),
                    name,
                    tags: serde_json::from_str(&r.get::<String>(1)?).unwrap_or_default(),
                    concurrency: r.get(2)?,
                    host: r.get(3)?,
                    pid: r.get(4)?,
                    state: r.get(5)?,
                    started_at: r.get(6)?,
                    heartbeat_at: r.get(7)?,
                })
            },
        )
    }

    /// How many queued runs wait, and how many are held by workers.
    pub fn queue_counts(&self) -> Result<(i64, i64)> {
        self.db.query_one(
            "SELECT COUNT(*) FILTER (WHERE state = 'pending'), COUNT(*) FILTER (WHERE state = 'claimed') FROM run_queue",
            args![],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }
}
