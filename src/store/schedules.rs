//! Schedules (`schedules`) and the claims on their occurrences (`schedule_fires`), so any number
//! of scheduler loops fire each occurrence exactly once (design.md §4b).

use std::time::Duration;

use chrono::{DateTime, Utc};
use rusqlite::{OptionalExtension, params};
use serde::Serialize;

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
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.id, s.workflow_id, w.name, s.cron, s.timezone, s.source, s.last_fire_at, s.last_status, s.parameters,
                    s.paused_at
             FROM schedules s JOIN workflows w ON w.id = s.workflow_id ORDER BY w.name COLLATE NOCASE, s.id",
        )?;
        let schedules = stmt
            .query_map([], |row| {
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
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(schedules)
    }

    /// Every schedule of a saved workflow, with its policies and last fire.
    pub fn schedule_entries(&self) -> Result<Vec<ScheduleEntry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT s.id, s.workflow_id, w.name, s.cron, s.timezone, s.overlap, s.catchup, s.catchup_window_s,
                    COALESCE(MAX(s.created_at, s.resumed_at), s.created_at), s.last_fire_at, s.last_status, s.parameters,
                    s.paused_at IS NOT NULL
             FROM schedules s JOIN workflows w ON w.id = s.workflow_id ORDER BY w.name COLLATE NOCASE, s.id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(ScheduleEntry {
                    id: r.get(0)?,
                    workflow_id: r.get(1)?,
                    workflow_name: r.get(2)?,
                    cron: r.get(3)?,
                    timezone: r.get(4)?,
                    overlap: Overlap::parse(&r.get::<_, String>(5)?).unwrap_or(Overlap::Skip),
                    catchup: Catchup::parse(&r.get::<_, String>(6)?).unwrap_or(Catchup::Latest),
                    window: Duration::from_secs(r.get::<_, i64>(7)?.max(0) as u64),
                    created_at: parse_time(&r.get::<_, String>(8)?).unwrap_or_else(Utc::now),
                    last_fire_at: r.get::<_, Option<String>>(9)?.as_deref().and_then(parse_time),
                    last_status: r.get(10)?,
                    parameters: parameters(r.get(11)?),
                    paused: r.get(12)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Claims an occurrence: true for exactly one caller across all processes.
    pub fn claim_fire(&self, schedule: i64, fire: DateTime<Utc>) -> Result<bool> {
        let tx = self.conn.unchecked_transaction()?;
        let claimed = tx.execute(
            "INSERT OR IGNORE INTO schedule_fires (schedule_id, fire_at, claimed_at, claimed_by, status) VALUES (?1, ?2, ?3, ?4, 'running')",
            params![schedule, stamp(fire), now(), std::process::id()],
        )? == 1;
        tx.execute(
            "UPDATE schedules SET last_fire_at = ?2 WHERE id = ?1 AND (last_fire_at IS NULL OR last_fire_at < ?2)",
            params![schedule, stamp(fire)],
        )?;
        tx.commit()?;
        Ok(claimed)
    }

    /// Marks the fires process `pid` queued as skipped, except those of a schedule another
    /// process is running (it takes them when its run ends); returns how many.
    pub fn release_queued_fires(&self, pid: u32) -> Result<usize> {
        let released = self.conn.execute(
            "UPDATE schedule_fires SET status = 'skipped', note = 'the scheduler stopped before its turn came'
             WHERE status = 'queued' AND claimed_by = ?1
               AND NOT EXISTS (SELECT 1 FROM schedule_fires r WHERE r.schedule_id = schedule_fires.schedule_id
                               AND r.status = 'running' AND r.claimed_by != ?1)",
            params![pid],
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
        self.conn.execute(
            "UPDATE schedule_fires SET status = ?3, run_id = ?4, note = ?5 WHERE schedule_id = ?1 AND fire_at = ?2",
            params![schedule, stamp(fire), status, run_id, note],
        )?;
        self.conn.execute("UPDATE schedules SET last_status = ?2 WHERE id = ?1", params![schedule, status])?;
        Ok(())
    }

    /// Takes the oldest queued occurrence of a schedule for this process, if nothing of that
    /// schedule is running anywhere: one statement, so two schedulers never both take one.
    pub fn take_queued_fire(&self, schedule: i64) -> Result<Option<DateTime<Utc>>> {
        let fire: Option<String> = self
            .conn
            .query_row(
                "UPDATE schedule_fires SET status = 'running', claimed_by = ?2, claimed_at = ?3
                 WHERE schedule_id = ?1 AND status = 'queued'
                   AND fire_at = (SELECT MIN(fire_at) FROM schedule_fires WHERE schedule_id = ?1 AND status = 'queued')
                   AND NOT EXISTS (SELECT 1 FROM schedule_fires WHERE schedule_id = ?1 AND status = 'running')
                 RETURNING fire_at",
                params![schedule, std::process::id(), now()],
                |r| r.get(0),
            )
            .optional()?;
        Ok(fire.as_deref().and_then(parse_time))
    }

    /// Schedules with occurrences waiting their turn.
    pub fn schedules_with_queued_fires(&self) -> Result<Vec<i64>> {
        let ids = self
            .conn
            .prepare_cached(
                "SELECT DISTINCT schedule_id FROM schedule_fires WHERE status = 'queued' ORDER BY schedule_id",
            )?
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(ids)
    }

    /// Every occurrence marked running, with the process that claimed it.
    pub fn running_fires(&self) -> Result<Vec<(i64, String, i64)>> {
        let rows = self
            .conn
            .prepare_cached("SELECT schedule_id, fire_at, claimed_by FROM schedule_fires WHERE status = 'running'")?
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows)
    }

    /// Marks an occurrence whose scheduler died while running it as interrupted.
    pub fn abandon_fire(&self, schedule: i64, fire_at: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE schedule_fires SET status = 'interrupted', note = 'the scheduler running it stopped'
             WHERE schedule_id = ?1 AND fire_at = ?2 AND status = 'running'",
            params![schedule, fire_at],
        )?;
        Ok(())
    }

    /// The process ids that hold a running occurrence of a schedule.
    pub fn running_fire_claimants(&self, schedule: i64) -> Result<Vec<i64>> {
        let claims = self
            .conn
            .prepare_cached("SELECT claimed_by FROM schedule_fires WHERE schedule_id = ?1 AND status = 'running'")?
            .query_map([schedule], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(claims)
    }

    /// The last fire of a schedule: when, and with what outcome.
    pub fn last_fire(&self, schedule: i64) -> Result<Option<(String, String)>> {
        Ok(self
            .conn
            .query_row(
                "SELECT fire_at, status FROM schedule_fires WHERE schedule_id = ?1 ORDER BY fire_at DESC LIMIT 1",
                [schedule],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?)
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
        let tx = self.conn.unchecked_transaction()?;
        for old in &replaced {
            tx.execute("DELETE FROM schedules WHERE id = ?1", [old.id])?;
        }
        let added = tx.execute(
            "INSERT OR IGNORE INTO schedules (workflow_id, cron, timezone, source, created_at, overlap, catchup, catchup_window_s, parameters)
             VALUES (?1, ?2, ?3, 'cli', ?4, ?5, ?6, ?7, ?8)",
            params![workflow_id, cron, timezone, created_at, policy.overlap.as_str(), policy.catchup.as_str(), policy.catchup_window_s, parameters],
        )? > 0;
        if !added {
            tx.execute(
                "UPDATE schedules SET timezone = ?3, overlap = ?4, catchup = ?5, catchup_window_s = ?6, parameters = ?7
                 WHERE workflow_id = ?1 AND cron = ?2 AND source = 'cli'",
                params![
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
        tx.commit()?;
        Ok((added, replaced))
    }

    /// Removes one schedule made with `alpha workflow schedule` (by cron), or all of them.
    pub fn remove_schedule(&self, workflow_id: &str, cron: Option<&str>) -> Result<usize> {
        Ok(match cron {
            Some(cron) => self.conn.execute(
                "DELETE FROM schedules WHERE workflow_id = ?1 AND source = 'cli' AND cron = ?2",
                params![workflow_id, cron],
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
            "UPDATE schedules SET paused_at = ?3 WHERE workflow_id = ?1 AND (?2 IS NULL OR cron = ?2) AND paused_at IS NULL"
        } else {
            "UPDATE schedules SET paused_at = NULL, resumed_at = ?3
             WHERE workflow_id = ?1 AND (?2 IS NULL OR cron = ?2) AND paused_at IS NOT NULL"
        };
        Ok(self.conn.execute(sql, params![workflow_id, cron, now])?)
    }

    /// Removes the schedules added with `alpha workflow schedule`; returns how many.
    pub fn remove_schedules(&self, workflow_id: &str) -> Result<usize> {
        Ok(self.conn.execute("DELETE FROM schedules WHERE workflow_id = ?1 AND source = 'cli'", [workflow_id])?)
    }
}
