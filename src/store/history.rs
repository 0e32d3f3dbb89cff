//! Shell history in the library (`history_commands`), the answers to suggestions
//! (`suggestions`), and atuin's own SQLite history, read in place.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};
use rusqlite::params;

use super::{Store, now, parse_time};
use crate::error::Result;

/// One command from a history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The command line.
    pub command: String,
    /// When it ran, when the history says.
    pub time: Option<DateTime<Utc>>,
    /// The directory it ran in, when the history says (atuin, the chat's `!` commands).
    pub cwd: Option<String>,
}

impl Entry {
    /// An entry with no directory known.
    pub fn new(command: String, time: Option<DateTime<Utc>>) -> Entry {
        Entry { command, time, cwd: None }
    }
}

/// Reads atuin's database (table `history`, timestamps in nanoseconds).
pub fn read_atuin(path: &Path) -> Result<Vec<Entry>, String> {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| e.to_string())?;
    let mut stmt = conn
        .prepare("SELECT command, timestamp, cwd FROM history WHERE deleted_at IS NULL ORDER BY timestamp")
        .or_else(|_| conn.prepare("SELECT command, timestamp, NULL FROM history ORDER BY timestamp"))
        .map_err(|e| format!("not an atuin database: {e}"))?;
    let rows = stmt
        .query_map([], |r| {
            Ok(Entry {
                command: r.get(0)?,
                time: r.get::<_, i64>(1).ok().and_then(|ns| Utc.timestamp_opt(ns / 1_000_000_000, 0).single()),
                cwd: r.get::<_, Option<String>>(2).ok().flatten().filter(|d| !d.is_empty() && d != "unknown"),
            })
        })
        .map_err(|e| e.to_string())?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| e.to_string())?;
    Ok(rows)
}

impl Store {
    /// Records a command the user ran (in the chat shell with `!`, or imported from a history).
    pub fn record_command(
        &self,
        source: &str,
        command: &str,
        cwd: Option<&str>,
        exit_code: Option<i32>,
        session: &str,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO history_commands (source, command, executed_at, cwd, exit_code, session) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            params![source, command, now(), cwd, exit_code, session],
        )?;
        Ok(())
    }

    /// Distinct recorded commands that start with `program` (the newest first, at most `count`):
    /// what the builder compares a new step's command with.
    pub fn commands_of(&self, program: &str, count: usize) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT command FROM history_commands WHERE command = ?1 OR substr(command, 1, length(?1) + 1) = ?1 || ' '
             GROUP BY command ORDER BY MAX(id) DESC LIMIT ?2",
        )?;
        let commands =
            stmt.query_map(params![program, count as i64], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(commands)
    }

    /// The last `count` commands of a session, oldest first.
    pub fn recent_commands(&self, session: &str, count: usize) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT command FROM (SELECT id, command FROM history_commands WHERE session = ?1 ORDER BY id DESC LIMIT ?2) ORDER BY id",
        )?;
        let commands =
            stmt.query_map(params![session, count as i64], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(commands)
    }
}

impl Store {
    /// Imports history entries, skipping those already imported; returns how many were new.
    pub fn import_history(&mut self, source: &str, entries: &[Entry]) -> Result<usize> {
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let mut added = 0;
        {
            let mut stmt = tx.prepare_cached(
                "INSERT OR IGNORE INTO history_commands (source, command, executed_at, fingerprint) VALUES (?1, ?2, ?3, ?4)",
            )?;
            for (line, entry) in entries.iter().enumerate() {
                let time = entry.time.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
                // Timed entries are identified by time and text; untimed ones by position, so
                // re-reading a file that only grew adds just the new lines.
                let fingerprint = match &time {
                    Some(t) => format!("t:{t}:{}", entry.command),
                    None => format!("n:{line}:{}", entry.command),
                };
                added += stmt.execute(params![source, entry.command, time, fingerprint])?;
            }
        }
        tx.commit()?;
        Ok(added)
    }

    /// Every recorded command, oldest first.
    pub fn history_entries(&self) -> Result<Vec<Entry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT command, executed_at, cwd FROM history_commands ORDER BY COALESCE(executed_at, ''), id",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let time: Option<String> = r.get(1)?;
                Ok(Entry { command: r.get(0)?, time: time.as_deref().and_then(parse_time), cwd: r.get(2)? })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Remembers the user's answer to a suggestion.
    pub fn set_suggestion_state(
        &self,
        signature: &str,
        state: &str,
        occurrences: usize,
        workflow: Option<&str>,
    ) -> Result<()> {
        self.conn.execute(
            "INSERT INTO suggestions (signature, state, occurrences, workflow_name, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(signature) DO UPDATE SET state = ?2, occurrences = ?3, workflow_name = COALESCE(?4, workflow_name), updated_at = ?5",
            params![signature, state, occurrences as i64, workflow, now()],
        )?;
        Ok(())
    }

    /// Signatures the user declined for good ("never") or already accepted.
    pub fn settled_suggestions(&self) -> Result<Vec<String>> {
        let mut stmt =
            self.conn.prepare_cached("SELECT signature FROM suggestions WHERE state IN ('dismissed', 'accepted')")?;
        let rows = stmt.query_map([], |r| r.get(0))?.collect::<rusqlite::Result<Vec<String>>>()?;
        Ok(rows)
    }
}

impl Store {
    /// alpha's own runs as history entries (`alpha workflow run 'NAME'`), so repeated sequences
    /// of workflows can be suggested as one.
    pub fn workflow_run_entries(&self) -> Result<Vec<Entry>> {
        let mut stmt = self.conn.prepare_cached(
            "SELECT c.workflow_name, e.started_at FROM workflow_executions e JOIN execution_context c ON c.execution_id = e.id
             WHERE c.trigger = 'manual' ORDER BY e.started_at",
        )?;
        let rows = stmt
            .query_map([], |r| {
                let name: String = r.get(0)?;
                let time: Option<String> = r.get(1)?;
                Ok(Entry {
                    command: format!("alpha workflow run {}", crate::template::shell_quote(&name)),
                    time: time.as_deref().and_then(parse_time),
                    cwd: None,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}
