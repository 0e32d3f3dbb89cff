//! Schedules (`schedules`) and the claims on their occurrences (`schedule_fires`), so any number
//! of scheduler loops fire each occurrence exactly once (design.md §4b).

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::backend::{Dialect, Lock, args};
use super::{Store, now, parse_time};
use crate::error::Result;

/// What happens to occurrences missed while no scheduler ran (design.md §4b).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Catchup {
    /// Skip them.
    None,
    /// Run the most recent one once (the default).
    Latest,
    /// Run each.
    All,
}

impl Catchup {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Catchup::None => "none",
            Catchup::Latest => "latest",
            Catchup::All => "all",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<Catchup> {
        match text {
            "none" | "skip" => Some(Catchup::None),
            "latest" | "once" => Some(Catchup::Latest),
            "all" => Some(Catchup::All),
            _ => None,
        }
    }
}

/// A fire before another is still running.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Overlap {
    /// Skip it and record the skip (the default).
    Skip,
    /// Run it after the previous run ends.
    Queue,
}

impl Overlap {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Overlap::Skip => "skip",
            Overlap::Queue => "queue",
        }
    }

    /// Parses the stored name.
    pub fn parse(text: &str) -> Option<Overlap> {
        match text {
            "skip" => Some(Overlap::Skip),
            "queue" => Some(Overlap::Queue),
            _ => None,
        }
    }
}

/// A schedule row.
#[derive(Debug, Clone, Serialize)]
pub struct Schedule {
    /// Row id.
    pub id: i64,
    /// The workflow it runs.
    pub workflow_id: String,
    /// The workflow's name.
    pub workflow_name: String,
    /// 5-field cron.
    pub cron: String,
    /// IANA zone, local when absent.
    pub timezone: Option<String>,
    /// `cli` or `file`.
    pub source: String,
    /// Last time it fired.
    pub last_fire_at: Option<String>,
    /// Outcome of that fire.
    pub last_status: Option<String>,
    /// Parameter values its runs get (never secrets).
    pub parameters: serde_json::Map<String, serde_json::Value>,
    /// When it was paused; `None` while it fires.
    pub paused_at: Option<String>,
}

/// Per-schedule policies (design.md §4b).
#[derive(Debug, Clone)]
pub struct SchedulePolicy {
    /// A fire while the previous run is still going.
    pub overlap: Overlap,
    /// Fires missed while no scheduler ran.
    pub catchup: Catchup,
    /// Catch-up window in seconds.
    pub catchup_window_s: i64,
}

impl Default for SchedulePolicy {
    fn default() -> Self {
        SchedulePolicy { overlap: Overlap::Skip, catchup: Catchup::Latest, catchup_window_s: 86_400 }
    }
}

/// A schedule with everything the scheduler loop needs.
#[derive(Debug, Clone)]
pub struct ScheduleEntry {
    /// Row id.
    pub id: i64,
    /// Workflow id.
    pub workflow_id: String,
    /// Workflow name.
    pub workflow_name: String,
    /// 5-field cron.
    pub cron: String,
    /// IANA zone, local when absent.
    pub timezone: Option<String>,
    /// Overlap policy.
    pub overlap: Overlap,
    /// Catch-up policy.
    pub catchup: Catchup,
    /// Catch-up window.
    pub window: Duration,
    /// When the schedule was made.
    pub created_at: DateTime<Utc>,
    /// The latest occurrence handled.
    pub last_fire_at: Option<DateTime<Utc>>,
    /// Its outcome.
    pub last_status: Option<String>,
    /// Parameter values its runs get (never secrets).
    pub parameters: serde_json::Map<String, serde_json::Value>,
    /// Paused: it fires nothing until resumed.
    pub paused: bool,
}

fn parameters(text: Option<String>) -> serde_json::Map<String, serde_json::Value> {
    text.and_then(|t| serde_json::from_str(&t).ok()).unwrap_or_default()
}

fn stamp(time: DateTime<Utc>) -> String {
    time.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

impl Store {
    /// Every schedule with its workflow's name.
    pub fn schedules(&self) -> Result<Vec<Schedule>> {
        self.db.query(
            "SELECT s.id, s.workflow_id, w.name, s.cron, s.timezone, s.source, s.last_fire_at, s.last_status, s.parameters,
                    s.paused_at
             FROM schedules s JOIN workflows w ON w.id = s.workflow_id ORDER BY w.name COLLATE NOCASE, s.id",
            args![],
            |row| {
                Ok(Schedule {
                    id: row.get(0)?,
                    workflow_id: row.get(1)?,
                    workflow_name: row.get(2)?,
                    cron: row.get(3)?,
                    timezone: row.get(4)?,
                    source: row.get(5)?,
                    last_fire_at: row.get(6)?,
                    last_status: row.get(7)?,
                    parameters: parameters(row.get(8)?),
                    paused_at: row.get(9)?,
                })
            },
        )
    }

    /// Every schedule of a saved workflow, with its policies and last fire.
    pub fn schedule_entries(&self) -> Result<Vec<ScheduleEntry>> {
        // The later of created and resumed: SQLite's two-argument MAX is PostgreSQL's GREATEST.
        let sql = match self.db.dialect() {
            Dialect::Sqlite => {
                "SELECT s.id, s.workflow_id, w.name, s.cron, s.timezone, s.overlap, s.catchup, s.catchup_window_s,
                    COALESCE(MAX(s.created_at, s.resumed_at), s.created_at), s.last_fire_at, s.last_status, s.parameters,
                    s.paused_at IS NOT NULL
                 FROM schedules s JOIN workflows w ON w.id = s.workflow_id ORDER BY w.name COLLATE NOCASE, s.id"
            }
            Dialect::Postgres => {
                "SELECT s.id, s.workflow_id, w.name, s.cron, s.timezone, s.overlap, s.catchup, s.catchup_window_s,
                    GREATEST(s.created_at, s.resumed_at), s.last_fire_at, s.last_status, s.parameters,
                    s.paused_at IS NOT NULL
                 FROM schedules s JOIN workflows w ON w.id = s.workflow_id ORDER BY w.name COLLATE NOCASE, s.id"
            }
        };
        self.db.query(sql, args![], |r| {
            Ok(ScheduleEntry {
                id: r.get(0)?,
                workflow_id: r.get(1)?,
                workflow_name: r.get(2)?,
                cron: r.get(3)?,
                timezone: r.get(4)?,
                overlap: Overlap::parse(&r.get::<String>(5)?).unwrap_or(Overlap::Skip),
                catchup: Catchup::parse(&r.get::<String>(6)?).unwrap_or(Catchup::Latest),
                window: Duration::from_secs(r.get::<i64>(7)?.max(0) as u64),
                created_at: parse_time(&r.get::<String>(8)?).unwrap_or_else(Utc::now),
                last_fire_at: r.get::<Option<String>>(9)?.as_deref().and_then(parse_time),
                last_status: r.get(10)?,
                parameters: parameters(r.get(11)?),
                paused: r.get(12)?,
            })
        })
    }

    /// Claims an occurrence: true for exactly one caller across all processes.
    pub fn claim_fire(&self, schedule: i64, fire: DateTime<Utc>) -> Result<bool> {
        self.db.transaction(Lock::Deferred, |tx| {
            let claimed = tx.execute(
                "INSERT INTO schedule_fires (schedule_id, fire_at, claimed_at, claimed_by, claimed_host, status)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'running') ON CONFLICT DO NOTHING",
                args![schedule, stamp(fire), now(), i64::from(std::process::id()), self.host],
            )? == 1;
            tx.execute(
                "UPDATE schedules SET last_fire_at = ?2 WHERE id = ?1 AND (last_fire_at IS NULL OR last_fire_at < ?2)",
                args![schedule, stamp(fire)],
            )?;
            Ok(claimed)
        })
    }

    /// Marks the fires process `pid` queued as skipped, except those of a schedule another
    /// process is running (it takes them when its run ends); returns how many.
    pub fn release_queued_fires(&self, pid: u32) -> Result<usize> {
        let released = self.db.execute(
            "UPDATE schedule_fires SET status = 'skipped', note = 'the scheduler stopped before its turn came'
             WHERE status = 'queued' AND claimed_by = ?1
               AND NOT EXISTS (SELECT 1 FROM schedule_fires r WHERE r.schedule_id = schedule_fires.schedule_id
                               AND r.status = 'running' AND r.claimed_by != ?1)",
            args![i64::from(pid)],
        )?;
        Ok(released)
    }

    /// Records how a claimed occurrence ended.
    pub fn finish_fire(
        &self,
        schedule: i64,
        fire: DateTime<Utc>,
        status: &str,
        run_id: Option<&str>,
        note: Option<&str>,
    ) -> Result<()> {
        self.db.execute(
            "UPDATE schedule_fires SET status = ?3, run_id = ?4, note = ?5 WHERE schedule_id = ?1 AND fire_at = ?2",
            args![schedule, stamp(fire), status, run_id, note],
        )?;
        self.db.execute("UPDATE schedules SET last_status = ?2 WHERE id = ?1", args![schedule, status])?;
        Ok(())
    }

    /// Takes the oldest queued occurrence of a schedule for this process, if nothing of that
    /// schedule is running anywhere: one statement, so two schedulers never both take one.
    pub fn take_queued_fire(&self, schedule: i64) -> Result<Option<DateTime<Utc>>> {
        // One writer at a time, so two schedulers can't each take a different queued fire of it.
        let fire: Option<String> = self.db.transaction(Lock::Exclusive, |tx| {
            tx.query_opt(
                "UPDATE schedule_fires SET status = 'running', claimed_by = ?2, claimed_at = ?3, claimed_host = ?4
                 WHERE schedule_id = ?1 AND status = 'queued'
                   AND fire_at = (SELECT MIN(fire_at) FROM schedule_fires WHERE schedule_id = ?1 AND status = 'queued')
                   AND NOT EXISTS (SELECT 1 FROM schedule_fires WHERE schedule_id = ?1 AND status = 'running')
                 RETURNING fire_at",
                args![schedule, i64::from(std::process::id()), now(), self.host],
                |r| r.get(0),
            )
        })?;
        Ok(fire.as_deref().and_then(parse_time))
    }

    /// Schedules with occurrences waiting their turn.
    pub fn schedules_with_queued_fires(&self) -> Result<Vec<i64>> {
        self.db.query(
            "SELECT DISTINCT schedule_id FROM schedule_fires WHERE status = 'queued' ORDER BY schedule_id",
            args![],
            |r| r.get(0),
        )
    }

    /// Every claimed occurrence, oldest first: `(schedule, fire time, status)`.
    pub fn fire_records(&self) -> Result<Vec<(i64, String, String)>> {
        self.db.query(
            "SELECT schedule_id, fire_at, status FROM schedule_fires ORDER BY fire_at, schedule_id",
            args![],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }

    /// Every occurrence marked running by a process of this machine, with that process: only
    /// this machine can tell that one of its processes is gone.
    pub fn running_fires(&self) -> Result<Vec<(i64, String, i64)>> {
        self.db.query(
            "SELECT schedule_id, fire_at, claimed_by FROM schedule_fires
             WHERE status = 'running' AND (claimed_host IS NULL OR claimed_host = ?1)",
            args![self.host],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
    }

    /// Marks an occurrence whose scheduler died while running it as interrupted.
    pub fn abandon_fire(&self, schedule: i64, fire_at: &str) -> Result<()> {
        self.db.execute(
            "UPDATE schedule_fires SET status = 'interrupted', note = 'the scheduler running it stopped'
             WHERE schedule_id = ?1 AND fire_at = ?2 AND status = 'running'",
            args![schedule, fire_at],
        )?;
        Ok(())
    }

    /// The processes that hold a running occurrence of a schedule: `Some(pid)` on this machine,
    /// `None` on another (whose liveness only that machine can tell).
    pub fn running_fire_claimants(&self, schedule: i64) -> Result<Vec<Option<i64>>> {
        self.db.query(
            "SELECT claimed_by, claimed_host IS NULL OR claimed_host = ?2 FROM schedule_fires
             WHERE schedule_id = ?1 AND status = 'running'",
            args![schedule, self.host],
            |r| Ok(if r.get::<bool>(1)? { Some(r.get::<i64>(0)?) } else { None }),
        )
    }

    /// The last fire of a schedule: when, and with what outcome.
    pub fn last_fire(&self, schedule: i64) -> Result<Option<(String, String)>> {
        self.db.query_opt(
            "SELECT fire_at, status FROM schedule_fires WHERE schedule_id = ?1 ORDER BY fire_at DESC LIMIT 1",
            args![schedule],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
    }

    /// Saves a schedule from `alpha workflow schedule`. Unless `keep_others`, the workflow's
    /// other schedules made that way are replaced (removed in the same transaction); a schedule
    /// with the same cron is updated in place. Returns the schedules it replaced and whether the
    /// cron is new.
    #[allow(clippy::too_many_arguments)]
    pub fn save_schedule(
        &self,
        workflow_id: &str,
        cron: &str,
        timezone: Option<&str>,
        policy: &SchedulePolicy,
        parameters: &serde_json::Map<String, serde_json::Value>,
        created_at: &str,
        keep_others: bool,
    ) -> Result<(bool, Vec<Schedule>)> {
        let replaced: Vec<Schedule> = if keep_others {
            Vec::new()
        } else {
            self.schedules()?
                .into_iter()
                .filter(|s| s.workflow_id == workflow_id && s.source == "cli" && s.cron != cron)
                .collect()
        };
        let parameters = serde_json::Value::Object(parameters.clone()).to_string();
        let added = self.db.transaction(Lock::Deferred, |tx| {
        for old in &replaced {
            tx.execute("DELETE FROM schedules WHERE id = ?1", args![old.id])?;
        }
        let added = tx.execute(
            "INSERT INTO schedules (workflow_id, cron, timezone, source, created_at, overlap, catchup, catchup_window_s, parameters)
             VALUES (?1, ?2, ?3, 'cli', ?4, ?5, ?6, ?7, ?8) ON CONFLICT DO NOTHING",
            args![workflow_id, cron, timezone, created_at, policy.overlap.as_str(), policy.catchup.as_str(), policy.catchup_window_s, parameters],
        )? > 0;
        if !added {
            tx.execute(
                "UPDATE schedules SET timezone = ?3, overlap = ?4, catchup = ?5, catchup_window_s = ?6, parameters = ?7
                 WHERE workflow_id = ?1 AND cron = ?2 AND source = 'cli'",
                args![
                    workflow_id,
                    cron,
                    timezone,
                    policy.overlap.as_str(),
                    policy.catchup.as_str(),
                    policy.catchup_window_s,
                    parameters
                ],
            )?;
        }
        Ok(added)
        })?;
        Ok((added, replaced))
    }

    /// Removes one schedule made with `alpha workflow schedule` (by cron), or all of them.
    pub fn remove_schedule(&self, workflow_id: &str, cron: Option<&str>) -> Result<usize> {
        Ok(match cron {
            Some(cron) => self.db.execute(
                "DELETE FROM schedules WHERE workflow_id = ?1 AND source = 'cli' AND cron = ?2",
                args![workflow_id, cron],
            )?,
            None => self.remove_schedules(workflow_id)?,
        })
    }

    /// Pauses or resumes a workflow's schedules (one by cron, or all of them); returns how many
    /// changed. Resuming marks the moment, so what it missed while paused is not caught up.
    pub fn set_schedules_paused(
        &self,
        workflow_id: &str,
        cron: Option<&str>,
        paused: bool,
        now: &str,
    ) -> Result<usize> {
        let sql = if paused {
            "UPDATE schedules SET paused_at = ?3 WHERE workflow_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR cron = ?2) AND paused_at IS NULL"
        } else {
            "UPDATE schedules SET paused_at = NULL, resumed_at = ?3
             WHERE workflow_id = ?1 AND (CAST(?2 AS TEXT) IS NULL OR cron = ?2) AND paused_at IS NOT NULL"
        };
        self.db.execute(sql, args![workflow_id, cron, now])
    }

    /// Removes the schedules added with `alpha workflow schedule`; returns how many.
    pub fn remove_schedules(&self, workflow_id: &str) -> Result<usize> {
        self.db.execute("DELETE FROM schedules WHERE workflow_id = ?1 AND source = 'cli'", args![workflow_id])
    }
}
