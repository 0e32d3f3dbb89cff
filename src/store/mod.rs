//! The workflow library: workflows, every saved version, runs, step attempts and schedules
//! (design.md §5), in a SQLite file or on a PostgreSQL server shared by several machines. The
//! REPL, CLI, scheduler, workers and dashboard all go through [`Store`].

pub mod backend;
pub mod history;
pub mod migrations;
pub mod queue;
mod runs;
pub mod schedules;

use std::path::{Path, PathBuf};

use chrono::{SecondsFormat, Utc};
use serde::Serialize;

use self::backend::{Db, Dialect, Location, Lock, Row, args};

use crate::diagnostic::did_you_mean;
use crate::error::{Error, Result};
use crate::workflow::{Trigger, Workflow};

pub use queue::{Claim, WorkerRow};
pub use runs::{AttemptRow, RunRecord, RunStatus, StepRecord, StepStatus};
pub use schedules::{Catchup, Overlap, Schedule, ScheduleEntry, SchedulePolicy};

pub use backend::{is_url, mask_url, url_without_password};

/// An open library.
pub struct Store {
    db: Db,
    path: PathBuf,
    host: String,
}

/// A workflow as saved in the library.
#[derive(Debug, Clone, Serialize)]
pub struct Saved {
    /// Stable id (survives renames and versions).
    pub id: String,
    /// The current definition.
    pub workflow: Workflow,
    /// When it was first saved.
    pub created_at: String,
    /// When the current version was saved.
    pub updated_at: String,
    /// Runs recorded.
    pub execution_count: i64,
    /// When it last ran.
    pub last_executed: Option<String>,
}

/// One saved version of a workflow.
#[derive(Debug, Clone, Serialize)]
pub struct Version {
    /// The semver string.
    pub version: String,
    /// When it was saved.
    pub created_at: String,
    /// Why (created, edited, rollback to …).
    pub note: Option<String>,
    /// The definition.
    pub workflow: Workflow,
}

/// What `list` shows for each workflow.
#[derive(Debug, Clone, Serialize)]
pub struct Listing {
    /// The saved workflow.
    #[serde(flatten)]
    pub saved: Saved,
    /// Outcome of the last run, if any.
    pub last_status: Option<String>,
    /// Its schedules.
    pub schedules: Vec<Schedule>,
}

/// What a listing shows of a workflow, read from its columns.
#[derive(Debug, Clone)]
pub struct Summary {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Current version.
    pub version: String,
    /// Description.
    pub description: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Runs recorded.
    pub execution_count: i64,
    /// When it last ran.
    pub last_executed: Option<String>,
    /// Outcome of the last run, if any.
    pub last_status: Option<String>,
    /// Its schedules.
    pub schedules: Vec<Schedule>,
}

/// A stored RFC 3339 time, read back as UTC.
pub fn parse_time(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text).ok().map(|t| t.with_timezone(&chrono::Utc))
}

/// The current time as stored: RFC 3339 UTC with milliseconds, so text order is time order.
pub fn now() -> String {
    Utc::now().to_rfc3339_opts(SecondsFormat::Millis, true)
}

fn json<T: Serialize>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_else(|_| "null".into())
}

fn decode_definition(text: &str) -> Result<Workflow> {
    serde_json::from_str(text)
        .map_err(|e| Error::Storage(format!("a saved definition can't be read back ({e}); the library is damaged")))
}

/// The next patch version after `version` (or `version` itself when it isn't semver).
pub fn bump_patch(version: &str) -> String {
    match semver::Version::parse(version) {
        Ok(mut v) => {
            v.patch += 1;
            v.pre = semver::Prerelease::EMPTY;
            v.to_string()
        }
        Err(_) => format!("{version}.1"),
    }
}

const SAVED_COLUMNS: &str = "id, definition, created_at, updated_at, execution_count, last_executed";

fn saved_from_row(row: &Row<'_>) -> Result<Saved> {
    Ok(Saved {
        id: row.get(0)?,
        workflow: decode_definition(&row.get::<String>(1)?)?,
        created_at: row.get(2)?,
        updated_at: row.get(3)?,
        execution_count: row.get::<Option<i64>>(4)?.unwrap_or(0),
        last_executed: row.get(5)?,
    })
}

/// This machine's directory beside the library at `db` (run logs, the dashboard's token,
/// rejected edits): a file's own directory, or the data directory when the library is on a
/// server.
pub fn local_dir(db: &Path) -> PathBuf {
    if is_url(db) {
        return crate::paths::data_dir();
    }
    db.parent().filter(|p| !p.as_os_str().is_empty()).map(Path::to_path_buf).unwrap_or_else(crate::paths::data_dir)
}

/// This machine's name, as runs and workers record it.
pub fn host_name() -> String {
    let mut buffer = [0u8; 256];
    // SAFETY: gethostname writes at most the buffer's length into the buffer we own.
    let named = unsafe { libc::gethostname(buffer.as_mut_ptr().cast(), buffer.len()) } == 0;
    let end = buffer.iter().position(|b| *b == 0).unwrap_or(buffer.len());
    match std::str::from_utf8(&buffer[..end]) {
        Ok(name) if named && !name.is_empty() => name.to_string(),
        _ => "localhost".into(),
    }
}

impl Store {
    /// Opens the library at `path` (a file, created if needed, or a `postgres://` URL) and
    /// brings its schema up to date.
    pub fn open(path: &Path) -> Result<Store> {
        let db = match Location::of(path)? {
            Location::File(file) => {
                let db = Db::open_sqlite(&file)?;
                migrations::migrate(&db).map_err(|e| match e {
                    Error::Database(inner) => backend::sqlite_open_error(&file, inner),
                    other => other,
                })?;
                db
            }
            Location::Postgres(url) => {
                let db = Db::connect_postgres(&url)?;
                migrations::migrate(&db)?;
                db
            }
        };
        Ok(Store { db, path: path.to_path_buf(), host: host_name() })
    }

    /// The directory beside the library for run logs and the dashboard's token.
    pub fn local_dir(&self) -> PathBuf {
        local_dir(&self.path)
    }

    /// The database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Finds a workflow by id or by name, ignoring case.
    pub fn find(&self, name_or_id: &str) -> Result<Option<Saved>> {
        let sql = format!("SELECT {SAVED_COLUMNS} FROM workflows WHERE id = ?1 OR name = ?1 COLLATE NOCASE LIMIT 1");
        self.db.query_opt(&sql, args![name_or_id], saved_from_row)
    }

    /// Like [`Store::find`], but an unknown name is a usage error with a "did you mean".
    pub fn get(&self, name: &str) -> Result<Saved> {
        if let Some(saved) = self.find(name)? {
            return Ok(saved);
        }
        let names = self.names()?;
        let suggestion = did_you_mean(name, names.iter().map(String::as_str));
        Err(match suggestion {
            Some(close) => Error::usage_with(format!("no workflow named '{name}'"), format!("did you mean '{close}'?")),
            None if names.is_empty() => Error::usage_with(
                format!("no workflow named '{name}'"),
                "the library is empty; save one with `alpha workflow create --file FILE`",
            ),
            None => Error::usage_with(format!("no workflow named '{name}'"), "see `alpha workflow list`"),
        })
    }

    /// Every workflow name, alphabetically.
    pub fn names(&self) -> Result<Vec<String>> {
        self.db.query("SELECT name FROM workflows ORDER BY name COLLATE NOCASE", args![], |row| row.get(0))
    }

    /// Every workflow's name with its parameters' names, alphabetically: what the grammar knows
    /// of the library. Only the definitions' `parameters` are decoded (the chat reads this before
    /// its prompt, and a library may hold a thousand workflows).
    pub fn parameter_names(&self) -> Result<Vec<(String, Vec<String>)>> {
        #[derive(serde::Deserialize)]
        struct Parameters {
            #[serde(default)]
            parameters: indexmap::IndexMap<String, serde::de::IgnoredAny>,
        }
        let mut found = Vec::new();
        self.db.for_each("SELECT name, definition FROM workflows ORDER BY name COLLATE NOCASE", args![], |row| {
            let name: String = row.get(0)?;
            let keys = row.with_text(1, |text| {
                text.and_then(|t| serde_json::from_str::<Parameters>(t).ok())
                    .map(|p| p.parameters.into_keys().collect())
                    .unwrap_or_default()
            })?;
            found.push((name, keys));
            Ok(())
        })?;
        Ok(found)
    }

    /// Saves a new workflow; an existing name (any case) is refused unless `replace`.
    pub fn create(&mut self, workflow: &Workflow, replace: bool) -> Result<Saved> {
        let saved_version = self.db.transaction(Lock::Exclusive, |tx| {
        let existing: Option<String> =
            tx.query_opt("SELECT id FROM workflows WHERE name = ?1 COLLATE NOCASE", args![workflow.name], |r| r.get(0))?;
        Ok(match existing {
            Some(_) if !replace => {
                return Err(Error::usage_with(
                    format!("a workflow named '{}' already exists", workflow.name),
                    "use --replace to save this as its new version (old versions are kept)",
                ));
            }
            Some(id) => write_version(tx, &id, workflow, "replaced")?,
            None => {
                let id = uuid::Uuid::new_v4().to_string();
                let now = now();
                tx.execute(
                    "INSERT INTO workflows (id, name, version, description, author, tags, definition, created_at, updated_at, execution_count)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?8, 0)",
                    args![id, workflow.name, workflow.version, workflow.description, workflow.author, json(&workflow.tags), json(workflow), now],
                )?;
                write_version(tx, &id, workflow, "created")?;
                id
            }
        })
        })?;
        self.get(&saved_version)
    }

    /// Stores `workflow` as the new current version of the workflow `id`; returns the version
    /// actually written (bumped when that version number already holds a different definition).
    pub fn update(&mut self, id: &str, workflow: &Workflow, note: &str) -> Result<Saved> {
        self.db.transaction(Lock::Exclusive, |tx| {
            let clash: Option<String> = tx.query_opt(
                "SELECT id FROM workflows WHERE name = ?1 COLLATE NOCASE AND id != ?2",
                args![workflow.name, id],
                |r| r.get(0),
            )?;
            if clash.is_some() {
                return Err(Error::usage(format!("another workflow is already named '{}'", workflow.name)));
            }
            write_version(tx, id, workflow, note)
        })?;
        self.get(id)
    }

    /// Deletes a workflow and its schedules; its versions and runs stay readable.
    pub fn delete(&mut self, id: &str) -> Result<()> {
        self.db.transaction(Lock::Exclusive, |tx| {
            tx.execute("DELETE FROM schedules WHERE workflow_id = ?1", args![id])?;
            tx.execute("DELETE FROM workflows WHERE id = ?1", args![id])?;
            Ok(())
        })
    }

    /// Workflows with every tag in `tags` whose name, tags or description match `search`,
    /// best matches first (name, then tags, then description), otherwise by name.
    pub fn list(&self, tags: &[String], search: Option<&str>) -> Result<Vec<Listing>> {
        let sql = format!(
            "SELECT {SAVED_COLUMNS}, (SELECT status FROM workflow_executions e WHERE e.workflow_id = w.id
               ORDER BY started_at DESC, rowid DESC LIMIT 1) FROM workflows w ORDER BY name COLLATE NOCASE"
        );
        let rows = self.db.query(&sql, args![], |row| Ok((saved_from_row(row)?, row.get::<Option<String>>(6)?)))?;
        let wanted: Vec<String> = tags.iter().map(|t| t.to_lowercase()).collect();
        let needle = search.map(str::to_lowercase).filter(|s| !s.trim().is_empty());
        let mut scored = Vec::new();
        for (saved, last_status) in rows {
            let workflow = &saved.workflow;
            let own: Vec<String> = workflow.tags.iter().map(|t| t.to_lowercase()).collect();
            if !wanted.iter().all(|t| own.contains(t)) {
                continue;
            }
            let score = match &needle {
                None => 0,
                Some(needle) => match search_score(workflow, &own, needle) {
                    Some(score) => score,
                    None => continue,
                },
            };
            scored.push((score, Listing { saved, last_status, schedules: Vec::new() }));
        }
        scored.sort_by_key(|(score, _)| *score);
        let mut listings: Vec<Listing> = scored.into_iter().map(|(_, l)| l).collect();
        let schedules = self.schedules()?;
        for listing in &mut listings {
            listing.schedules = schedules.iter().filter(|s| s.workflow_id == listing.saved.id).cloned().collect();
        }
        Ok(listings)
    }

    /// The columns a listing shows, without reading any definition: what `workflow list` needs
    /// when it doesn't search.
    pub fn summaries(&self, tags: &[String]) -> Result<Vec<Summary>> {
        let wanted: Vec<String> = tags.iter().map(|t| t.to_lowercase()).collect();
        let mut summaries = Vec::new();
        self.db.for_each(
            "SELECT id, name, version, description, tags, execution_count, last_executed,
               (SELECT status FROM workflow_executions e WHERE e.workflow_id = w.id ORDER BY started_at DESC, rowid DESC LIMIT 1)
             FROM workflows w ORDER BY name COLLATE NOCASE",
            args![],
            |row| {
            let tags: Vec<String> =
                row.with_text(4, |t| t.and_then(|t| serde_json::from_str(t).ok()).unwrap_or_default())?;
            if !wanted.iter().all(|w| tags.iter().any(|t| t.eq_ignore_ascii_case(w))) {
                return Ok(());
            }
            summaries.push(Summary {
                id: row.get(0)?,
                name: row.get(1)?,
                version: row.get(2)?,
                description: row.get(3)?,
                tags,
                execution_count: row.get::<Option<i64>>(5)?.unwrap_or(0),
                last_executed: row.get(6)?,
                last_status: row.get(7)?,
                schedules: Vec::new(),
            });
            Ok(())
        })?;
        let schedules = self.schedules()?;
        if !schedules.is_empty() {
            for summary in &mut summaries {
                summary.schedules = schedules.iter().filter(|s| s.workflow_id == summary.id).cloned().collect();
            }
        }
        Ok(summaries)
    }

    /// Every saved version of a workflow, oldest first.
    pub fn versions(&self, id: &str) -> Result<Vec<Version>> {
        self.db.query(
            "SELECT version, created_at, note, definition FROM workflow_versions WHERE workflow_id = ?1 ORDER BY seq",
            args![id],
            |row| {
                Ok(Version {
                    version: row.get(0)?,
                    created_at: row.get(1)?,
                    note: row.get(2)?,
                    workflow: decode_definition(&row.get::<String>(3)?)?,
                })
            },
        )
    }

    /// One saved version; an unknown one is a usage error listing the known ones.
    pub fn version(&self, id: &str, version: &str) -> Result<Version> {
        let versions = self.versions(id)?;
        let wanted = version.trim_start_matches('v');
        let known: Vec<String> = versions.iter().map(|v| v.version.clone()).collect();
        versions.into_iter().find(|v| v.version == wanted).ok_or_else(|| {
            Error::usage_with(format!("no version {version}"), format!("saved versions: {}", known.join(", ")))
        })
    }
}

/// Lower is better: 0 name equals, 1 name starts with, 2 name contains, 3 tag, 4 description.
fn search_score(workflow: &Workflow, tags: &[String], needle: &str) -> Option<u8> {
    let name = workflow.name.to_lowercase();
    let words: Vec<&str> = needle.split_whitespace().collect();
    if name == needle {
        Some(0)
    } else if name.starts_with(needle) {
        Some(1)
    } else if name.contains(needle) || words.iter().all(|w| holds_word(&name, w)) {
        Some(2)
    } else if tags.iter().any(|t| t.contains(needle) || holds_word(t, needle)) {
        Some(3)
    } else if workflow.description.as_deref().is_some_and(|d| {
        let d = d.to_lowercase();
        d.contains(needle) || words.iter().all(|w| holds_word(&d, w))
    }) {
        Some(4)
    } else {
        None
    }
}

/// Whether `hay` holds `word`, or its singular: a search for "backups" finds "Backup Files".
fn holds_word(hay: &str, word: &str) -> bool {
    hay.contains(word)
        || ["es", "s"]
            .iter()
            .filter_map(|plural| word.strip_suffix(plural))
            .any(|singular| singular.len() >= 3 && hay.contains(singular))
}

/// Writes `workflow` as the current definition of `id` and records the version, keeping every
/// earlier one. Returns the workflow id.
fn write_version(tx: &Db, id: &str, workflow: &Workflow, note: &str) -> Result<String> {
    let mut workflow = workflow.clone();
    let existing: Option<String> = tx.query_opt(
        "SELECT definition FROM workflow_versions WHERE workflow_id = ?1 AND version = ?2",
        args![id, workflow.version],
        |r| r.get(0),
    )?;
    let definition = json(&workflow);
    let unchanged = existing.as_deref() == Some(definition.as_str());
    if existing.is_some() && !unchanged {
        // Never overwrite a saved version: give the new definition the next free patch number.
        let taken: Vec<String> =
            tx.query("SELECT version FROM workflow_versions WHERE workflow_id = ?1", args![id], |r| r.get(0))?;
        let mut next = bump_patch(&workflow.version);
        while taken.contains(&next) {
            next = bump_patch(&next);
        }
        workflow.version = next;
    }
    let definition = json(&workflow);
    let now = now();
    if !unchanged {
        tx.execute(
            "INSERT INTO workflow_versions (workflow_id, name, version, definition, created_at, note) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
            args![id, workflow.name, workflow.version, definition, now, note],
        )?;
    }
    tx.execute(
        "UPDATE workflows SET name = ?2, version = ?3, description = ?4, author = ?5, tags = ?6, definition = ?7, updated_at = ?8
         WHERE id = ?1",
        args![id, workflow.name, workflow.version, workflow.description, workflow.author, json(&workflow.tags), definition, now],
    )?;
    sync_trigger_schedules(tx, id, &workflow)?;
    Ok(id.to_string())
}

/// Registers the workflow's `schedule` triggers and removes those no longer in the file.
fn sync_trigger_schedules(tx: &Db, id: &str, workflow: &Workflow) -> Result<()> {
    let wanted: Vec<(String, Option<String>)> = workflow
        .triggers
        .iter()
        .filter_map(|t| match t {
            Trigger::Schedule { cron, timezone } => Some((cron.clone(), timezone.clone())),
            Trigger::Manual => None,
        })
        .collect();
    let existing: Vec<(i64, String, Option<String>)> = tx.query(
        "SELECT id, cron, timezone FROM schedules WHERE workflow_id = ?1 AND source = 'file'",
        args![id],
        |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
    )?;
    for (row, cron, zone) in &existing {
        if !wanted.iter().any(|(c, z)| c == cron && z == zone) {
            tx.execute("DELETE FROM schedules WHERE id = ?1", args![row])?;
        }
    }
    for (cron, zone) in wanted {
        if !existing.iter().any(|(_, c, z)| *c == cron && *z == zone) {
            tx.execute(
                "INSERT INTO schedules (workflow_id, cron, timezone, source, created_at) VALUES (?1, ?2, ?3, 'file', ?4)
                 ON CONFLICT DO NOTHING",
                args![id, cron, zone, now()],
            )?;
        }
    }
    Ok(())
}

pub use backend::DAMAGED_HINT;

impl Store {
    /// Remembers where a workflow was made (the first directory recorded stays).
    pub fn record_workflow_dir(&self, workflow_id: &str, dir: &str) -> Result<()> {
        self.db.execute(
            "INSERT INTO workflow_dirs (workflow_id, dir) VALUES (?1, ?2) ON CONFLICT DO NOTHING",
            args![workflow_id, dir],
        )?;
        Ok(())
    }

    /// The directory a workflow was made in, if one was recorded.
    pub fn workflow_dir(&self, workflow_id: &str) -> Result<Option<String>> {
        self.db.query_opt("SELECT dir FROM workflow_dirs WHERE workflow_id = ?1", args![workflow_id], |r| r.get(0))
    }

    /// The outputs of a workflow's completed runs, oldest first.
    pub fn run_outputs(&self, workflow_id: &str) -> Result<Vec<serde_json::Value>> {
        let rows = self
            .db
            .query(
                "SELECT result FROM workflow_executions WHERE workflow_id = ?1 AND status = 'completed' ORDER BY started_at",
                args![workflow_id],
                |r| r.get::<Option<String>>(0),
            )?
            .into_iter()
            .flatten()
            .filter_map(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
            .map(|v| v["outputs"].clone())
            .collect();
        Ok(rows)
    }
}
