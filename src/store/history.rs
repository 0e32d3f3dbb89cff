//! Shell history in the library (`history_commands`), the answers to suggestions
//! (`suggestions`), and atuin's own SQLite history, read in place.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};

use super::backend::{Lock, Row, args};
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
    read_atuin_since(path, i64::MIN).map(|(entries, _)| entries)
}

/// Reads the commands atuin recorded after `since` (nanoseconds), with the newest timestamp.
pub fn read_atuin_since(path: &Path, since: i64) -> Result<(Vec<Entry>, i64), String> {
    let conn = rusqlite::Connection::open_with_flags(path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        .map_err(|e| e.to_string())?;
    let mut stmt = conn
        .prepare(
            "SELECT command, timestamp, cwd FROM history WHERE deleted_at IS NULL AND timestamp > ?1 ORDER BY timestamp",
        )
        .or_else(|_| conn.prepare("SELECT command, timestamp, NULL FROM history WHERE timestamp > ?1 ORDER BY timestamp"))
        .map_err(|e| format!("not an atuin database: {e}"))?;
    let mut newest = since;
    let rows = stmt
        .query_map([since], |r| {
            let ns: i64 = r.get(1)?;
            Ok((ns, r.get::<_, String>(0)?, r.get::<_, Option<String>>(2).ok().flatten()))
        })
        .map_err(|e| e.to_string())?
        .collect::<rusqlite::Result<Vec<_>>>()
        .map_err(|e| e.to_string())?
        .into_iter()
        .map(|(ns, command, cwd)| {
            newest = newest.max(ns);
            Entry {
                command,
                time: Utc.timestamp_opt(ns.div_euclid(1_000_000_000), 0).single(),
                cwd: cwd.filter(|d| !d.is_empty() && d != "unknown"),
            }
        })
        .collect();
    Ok((rows, newest))
}

/// How far one history file has been read.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SourceState {
    /// Its format.
    pub format: String,
    /// Its size then.
    pub size: i64,
    /// Its mtime then (nanoseconds).
    pub modified: i64,
    /// Bytes read (whole entries); for atuin, the newest timestamp read.
    pub offset: i64,
    /// The bytes just before `offset`.
    pub tail: Vec<u8>,
    /// Commands imported from it in all.
    pub commands: i64,
    /// When it was last read.
    pub read_at: String,
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
        self.db.execute(
            "INSERT INTO history_commands (source, command, executed_at, cwd, exit_code, session) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            args![source, command, now(), cwd, exit_code.map(i64::from), session],
        )?;
        Ok(())
    }

    /// Distinct recorded commands that start with `program` (the newest first, at most `count`):
    /// what the builder compares a new step's command with.
    pub fn commands_of(&self, program: &str, count: usize) -> Result<Vec<String>> {
        self.db.query(
            "SELECT command FROM history_commands
             WHERE command = ?1 OR substr(command, 1, length(CAST(?1 AS TEXT)) + 1) = CAST(?1 AS TEXT) || ' '
             GROUP BY command ORDER BY MAX(id) DESC LIMIT ?2",
            args![program, count as i64],
            |r| r.get(0),
        )
    }

    /// The last `count` commands of a session, oldest first.
    pub fn recent_commands(&self, session: &str, count: usize) -> Result<Vec<String>> {
        self.db.query(
            "SELECT command FROM (SELECT id, command FROM history_commands WHERE session = ?1 ORDER BY id DESC LIMIT ?2) recent
             ORDER BY id",
            args![session, count as i64],
            |r| r.get(0),
        )
    }
}

impl Store {
    /// Imports history entries, skipping those already imported; returns how many were new.
    pub fn import_history(&mut self, source: &str, entries: &[Entry]) -> Result<usize> {
        self.import_history_at(source, entries, "", 0)
    }

    /// Imports entries read from `place` starting at entry `first` (an untimed entry is known
    /// by its place and position, so reading a grown file again adds only the new ones).
    pub fn import_history_at(&mut self, source: &str, entries: &[Entry], place: &str, first: usize) -> Result<usize> {
        self.db.transaction(Lock::Exclusive, |tx| {
            let mut added = 0;
            for (line, entry) in entries.iter().enumerate() {
                let time = entry.time.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true));
                // Timed entries are identified by time and text; untimed ones by position.
                let fingerprint = match (&time, place) {
                    (Some(t), _) => format!("t:{t}:{}", entry.command),
                    (None, "") => format!("n:{line}:{}", entry.command),
                    (None, place) => format!("n:{place}:{}:{}", first + line, entry.command),
                };
                added += tx.execute(
                    "INSERT INTO history_commands (source, command, executed_at, cwd, fingerprint) VALUES (?1, ?2, ?3, ?4, ?5)
                     ON CONFLICT DO NOTHING",
                    args![source, entry.command, time, entry.cwd, fingerprint],
                )?;
            }
            Ok(added)
        })
    }

    /// How far a history file was read.
    pub fn history_source(&self, path: &str) -> Result<Option<SourceState>> {
        self.db.query_opt(
            r#"SELECT format, size, modified, "offset", tail, commands, read_at FROM history_sources WHERE path = ?1"#,
            args![path],
            |r| source_state(r, 0),
        )
    }

    /// Records how far a history file was read, with the entries read since, in one transaction.
    pub fn advance_history_source(
        &mut self,
        path: &str,
        state: &SourceState,
        entries: &[Entry],
        first: usize,
    ) -> Result<usize> {
        let added = self.import_history_at(&state.format, entries, path, first)?;
        self.db.execute(
            r#"INSERT INTO history_sources (path, format, size, modified, "offset", tail, commands, read_at)
               VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
               ON CONFLICT (path) DO UPDATE SET format = excluded.format, size = excluded.size, modified = excluded.modified,
                 "offset" = excluded."offset", tail = excluded.tail, commands = history_sources.commands + excluded.commands,
                 read_at = excluded.read_at"#,
            args![path, state.format, state.size, state.modified, state.offset, state.tail, added as i64, now()],
        )?;
        Ok(added)
    }

    /// Every recorded command, oldest first.
    pub fn history_entries(&self) -> Result<Vec<Entry>> {
        self.db.query(
            "SELECT command, executed_at, cwd FROM history_commands ORDER BY COALESCE(executed_at, ''), id",
            args![],
            |r| {
                let time: Option<String> = r.get(1)?;
                Ok(Entry { command: r.get(0)?, time: time.as_deref().and_then(parse_time), cwd: r.get(2)? })
            },
        )
    }

    /// Remembers the user's answer to a suggestion.
    pub fn set_suggestion_state(
        &self,
        signature: &str,
        state: &str,
        occurrences: usize,
        workflow: Option<&str>,
    ) -> Result<()> {
        self.db.execute(
            "INSERT INTO suggestions (signature, state, occurrences, workflow_name, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT (signature) DO UPDATE SET state = excluded.state, occurrences = excluded.occurrences,
               workflow_name = COALESCE(excluded.workflow_name, suggestions.workflow_name), updated_at = excluded.updated_at",
            args![signature, state, occurrences as i64, workflow, now()],
        )?;
        Ok(())
    }

    /// Signatures the user declined for good ("never") or already accepted.
    pub fn settled_suggestions(&self) -> Result<Vec<String>> {
        let mut all = self.suggestions_in("dismissed")?;
        all.extend(self.suggestions_in("accepted")?);
        Ok(all)
    }

    /// Signatures of the suggestions in `state` (`accepted` or `dismissed`).
    pub fn suggestions_in(&self, state: &str) -> Result<Vec<String>> {
        self.db.query("SELECT signature FROM suggestions WHERE state = ?1", args![state], |r| r.get(0))
    }

    /// Every history source read, with how far.
    pub fn history_sources(&self) -> Result<Vec<(String, SourceState)>> {
        self.db.query(
            r#"SELECT path, format, size, modified, "offset", tail, commands, read_at FROM history_sources ORDER BY path"#,
            args![],
            |r| Ok((r.get(0)?, source_state(r, 1)?)),
        )
    }
}

impl Store {
    /// alpha's own runs as history entries (`alpha workflow run 'NAME'`), so repeated sequences
    /// of workflows can be suggested as one.
    pub fn workflow_run_entries(&self) -> Result<Vec<Entry>> {
        self.db.query(
            "SELECT c.workflow_name, e.started_at FROM workflow_executions e JOIN execution_context c ON c.execution_id = e.id
             WHERE c.trigger = 'manual' ORDER BY e.started_at",
            args![],
            |r| {
                let name: String = r.get(0)?;
                let time: Option<String> = r.get(1)?;
                Ok(Entry {
                    command: format!("alpha workflow run {}", crate::template::shell_quote(&name)),
                    time: time.as_deref().and_then(parse_time),
                    cwd: None,
                })
            },
        )
    }
}

/// A `history_sources` row's state, from column `first` on.
fn source_state(r: &Row<'_>, first: usize) -> Result<SourceState> {
    Ok(SourceState {
        format: r.get(first)?,
        size: r.get(first + 1)?,
        modified: r.get(first + 2)?,
        offset: r.get(first + 3)?,
        tail: r.get(first + 4)?,
        commands: r.get(first + 5)?,
        read_at: r.get(first + 6)?,
    })
}
