//! Numbered schema migrations: one list, written in SQLite's DDL, tracked with `PRAGMA
//! user_version` there; PostgreSQL applies the same numbers (see [`postgres_ddl`]) and tracks
//! them in `schema_migrations`.
//!
//! `workflows` and `workflow_executions` are exactly the original specification's tables. The
//! declared foreign key is not enforced (SQLite's default, kept on purpose; left out on
//! PostgreSQL) so that run history outlives a deleted workflow; `execution_context` keeps each
//! run's workflow name.

use super::backend::{Db, Dialect, Lock, args};
use crate::error::{Error, Result};

/// The migrations, in order; migration `n` brings the schema to version `n`.
const MIGRATIONS: &[&str] = &[
    // 1: the specification's tables and alpha's own beside them.
    r#"
    CREATE TABLE workflows (
        id TEXT PRIMARY KEY,
        name TEXT UNIQUE NOT NULL,
        version TEXT NOT NULL,
        description TEXT,
        author TEXT,
        tags TEXT,  -- JSON array
        definition TEXT NOT NULL,  -- JSON workflow definition
        created_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        updated_at TIMESTAMP DEFAULT CURRENT_TIMESTAMP,
        execution_count INTEGER DEFAULT 0,
        last_executed TIMESTAMP
    );

    CREATE TABLE workflow_executions (
        id TEXT PRIMARY KEY,
        workflow_id TEXT NOT NULL,
        parameters TEXT,  -- JSON parameters
        status TEXT,  -- pending, running, completed, failed, interrupted
        started_at TIMESTAMP,
        completed_at TIMESTAMP,
        result TEXT,  -- JSON result
        error TEXT,
        FOREIGN KEY (workflow_id) REFERENCES workflows(id)
    );

    CREATE INDEX idx_workflows_name ON workflows(name);
    CREATE INDEX idx_workflows_tags ON workflows(tags);
    CREATE INDEX idx_executions_workflow ON workflow_executions(workflow_id);

    CREATE TABLE workflow_versions (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        workflow_id TEXT NOT NULL,
        name TEXT NOT NULL,
        version TEXT NOT NULL,
        definition TEXT NOT NULL,
        created_at TEXT NOT NULL,
        note TEXT,
        UNIQUE (workflow_id, version)
    );

    CREATE TABLE execution_context (
        execution_id TEXT PRIMARY KEY,
        workflow_name TEXT NOT NULL,
        workflow_version TEXT NOT NULL,
        trigger TEXT NOT NULL DEFAULT 'manual',
        pid INTEGER,
        resumed_from TEXT
    );

    CREATE TABLE step_executions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        execution_id TEXT NOT NULL,
        step_id TEXT NOT NULL,
        name TEXT,
        attempt INTEGER NOT NULL DEFAULT 1,
        status TEXT NOT NULL,
        started_at TEXT,
        completed_at TEXT,
        duration_ms INTEGER,
        exit_code INTEGER,
        output TEXT,
        error TEXT,
        result TEXT
    );
    CREATE INDEX idx_step_executions_run ON step_executions(execution_id);

    CREATE TABLE schedules (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        workflow_id TEXT NOT NULL,
        cron TEXT NOT NULL,
        timezone TEXT,
        source TEXT NOT NULL DEFAULT 'cli',  -- cli (alpha workflow schedule) or file (a trigger)
        overlap TEXT NOT NULL DEFAULT 'skip',
        catchup TEXT NOT NULL DEFAULT 'latest',
        catchup_window_s INTEGER NOT NULL DEFAULT 86400,
        created_at TEXT NOT NULL,
        last_fire_at TEXT,
        last_status TEXT,
        UNIQUE (workflow_id, cron, source)
    );
    "#,
    // 2: scheduler claims: one row per occurrence, so several schedulers fire each exactly once.
    r#"
    CREATE TABLE schedule_fires (
        schedule_id INTEGER NOT NULL,
        fire_at TEXT NOT NULL,
        claimed_at TEXT NOT NULL,
        claimed_by INTEGER NOT NULL,
        status TEXT NOT NULL,  -- running, completed, failed, interrupted, skipped
        run_id TEXT,
        note TEXT,
        PRIMARY KEY (schedule_id, fire_at)
    );
    "#,
    // 3: shell history: commands run in the chat shell with `!`, and imported histories.
    r#"
    CREATE TABLE history_commands (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        source TEXT NOT NULL,        -- repl, bash, zsh, fish, atuin, pipe, workflow
        command TEXT NOT NULL,
        executed_at TEXT,            -- RFC 3339 UTC, when known
        cwd TEXT,
        exit_code INTEGER,
        session TEXT
    );
    CREATE INDEX idx_history_commands_time ON history_commands(executed_at);
    "#,
    // 4: incremental history imports, and what the user said about suggestions.
    r#"
    ALTER TABLE history_commands ADD COLUMN fingerprint TEXT;
    CREATE UNIQUE INDEX idx_history_commands_fingerprint ON history_commands(source, fingerprint) WHERE fingerprint IS NOT NULL;
    CREATE TABLE suggestions (
        signature TEXT PRIMARY KEY,   -- the pattern's commands joined with " && "
        state TEXT NOT NULL,          -- new, accepted, dismissed
        occurrences INTEGER NOT NULL DEFAULT 0,
        workflow_name TEXT,
        updated_at TEXT NOT NULL
    );
    "#,
    // 5: resumes claim the run they continue (so two can't both run its rest), schedules carry
    // parameter values, and workflows remember the directory they were made in.
    r#"
    ALTER TABLE execution_context ADD COLUMN resumed_by TEXT;
    ALTER TABLE schedules ADD COLUMN parameters TEXT NOT NULL DEFAULT '{}';  -- JSON object, secrets never stored
    -- Small facts alpha keeps between sessions (when the chat last looked at scheduled runs).
    CREATE TABLE state (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL
    );
    -- Where the user was when a workflow was first saved: scheduled runs of it run there.
    CREATE TABLE workflow_dirs (
        workflow_id TEXT PRIMARY KEY,
        dir TEXT NOT NULL
    );
    "#,
    // 6: a run's process is known by its pid and its start time, so a reused pid can't keep a
    // dead run "running".
    r#"
    ALTER TABLE execution_context ADD COLUMN pid_started INTEGER;
    "#,
    // 7: how far each shell history file has been read, so the chat reads only what is new.
    r#"
    CREATE TABLE history_sources (
        path TEXT PRIMARY KEY,
        format TEXT NOT NULL,
        size INTEGER NOT NULL,       -- bytes when last read
        modified INTEGER NOT NULL,   -- mtime in nanoseconds when last read
        "offset" INTEGER NOT NULL,   -- bytes read (whole entries); for atuin, the last timestamp
        tail BLOB NOT NULL,          -- the bytes just before offset, to tell growth from a rewrite
        commands INTEGER NOT NULL,   -- commands imported from it in all
        read_at TEXT NOT NULL
    );
    "#,
    // 8: a schedule can be paused (it keeps its settings and fires nothing); when it is resumed,
    // the occurrences it missed while paused are not caught up.
    r#"
    ALTER TABLE schedules ADD COLUMN paused_at TEXT;
    ALTER TABLE schedules ADD COLUMN resumed_at TEXT;
    "#,
    // 9: queued runs and the workers that take them (design.md §5, "Workers").
    r#"
    CREATE TABLE run_queue (
        run_id TEXT PRIMARY KEY,          -- its workflow_executions row (status pending while queued)
        tags TEXT NOT NULL DEFAULT '[]',  -- JSON list: a worker needs every one (the workflow's runs_on)
        state TEXT NOT NULL,              -- pending, claimed, done
        worker TEXT,                      -- the worker holding it
        lease_until INTEGER,              -- unix ms; past it, the run goes back to pending
        claims INTEGER NOT NULL DEFAULT 0,
        in_flight TEXT NOT NULL DEFAULT '{}',  -- JSON {step: {"attempt", "started_at"}} of a claimed run
        enqueued_at TEXT NOT NULL
    );
    CREATE INDEX idx_run_queue_state ON run_queue(state, enqueued_at);
    CREATE TABLE workers (
        name TEXT PRIMARY KEY,
        tags TEXT NOT NULL DEFAULT '[]',
        concurrency INTEGER NOT NULL,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        state TEXT NOT NULL,              -- running, draining, stopped
        started_at TEXT NOT NULL,
        heartbeat_at INTEGER NOT NULL     -- unix ms
    );
    "#,
    // 10: the machine a run's (or a claimed occurrence's) process runs on: on a shared store,
    // only that machine can tell it is gone.
    r#"
    ALTER TABLE execution_context ADD COLUMN host TEXT;
    ALTER TABLE schedule_fires ADD COLUMN claimed_host TEXT;
    "#,
];

/// What PostgreSQL adds after a migration: the `rowid` SQLite gives every table, where the store
/// orders by it.
const POSTGRES_EXTRA: &[(usize, &str)] = &[
    (1, "ALTER TABLE workflow_executions ADD COLUMN rowid BIGSERIAL;"),
    (9, "ALTER TABLE run_queue ADD COLUMN rowid BIGSERIAL;"),
];

/// The schema version this build of alpha writes.
pub const CURRENT: i64 = MIGRATIONS.len() as i64;

/// Brings the database up to [`CURRENT`], refusing a database from a newer alpha.
pub fn migrate(db: &Db) -> Result<()> {
    match db.dialect() {
        Dialect::Sqlite => migrate_sqlite(db),
        Dialect::Postgres => migrate_postgres(db),
    }
}

fn too_new(version: i64) -> Error {
    Error::Storage(format!(
        "this database was written by a newer alpha (schema version {version}; this alpha knows up to {CURRENT}); \
         upgrade alpha to open it"
    ))
}

fn migrate_sqlite(db: &Db) -> Result<()> {
    let version = |db: &Db| db.query_one("PRAGMA user_version", args![], |row| row.get::<i64>(0));
    let found = version(db)?;
    if found > CURRENT {
        return Err(too_new(found));
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(found as usize) {
        db.transaction(Lock::Exclusive, |tx| {
            // Another process may have migrated while we waited for the lock.
            if version(tx)? > index as i64 {
                return Ok(());
            }
            tx.batch(sql)?;
            tx.batch(&format!("PRAGMA user_version = {}", index + 1))
        })?;
    }
    Ok(())
}

fn migrate_postgres(db: &Db) -> Result<()> {
    let version = |db: &Db| {
        db.query_one("SELECT COALESCE(MAX(version), 0) FROM schema_migrations", args![], |row| row.get::<i64>(0))
    };
    db.batch("CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY, applied_at TEXT NOT NULL)")?;
    let found = version(db)?;
    if found > CURRENT {
        return Err(too_new(found));
    }
    if found == CURRENT {
        return Ok(());
    }
    // All at once under the store's writer lock: a second machine starting now waits, then finds
    // the schema current.
    db.transaction(Lock::Exclusive, |tx| {
        let found = version(tx)?;
        for (index, sql) in MIGRATIONS.iter().enumerate().skip(found.max(0) as usize) {
            let number = index + 1;
            tx.batch(&postgres_ddl(sql))?;
            for (_, extra) in POSTGRES_EXTRA.iter().filter(|(after, _)| *after == number) {
                tx.batch(extra)?;
            }
            tx.execute(
                "INSERT INTO schema_migrations (version, applied_at) VALUES (?1, ?2)",
                args![number as i64, super::now()],
            )?;
        }
        Ok(())
    })
}

/// A migration's SQLite DDL in PostgreSQL's words: 64-bit integers and serials, text times,
/// byte arrays, and no enforced foreign key.
pub fn postgres_ddl(sql: &str) -> String {
    sql.replace("INTEGER PRIMARY KEY AUTOINCREMENT", "BIGSERIAL PRIMARY KEY")
        .replace("TIMESTAMP DEFAULT CURRENT_TIMESTAMP", "TEXT")
        .replace("TIMESTAMP", "TEXT")
        .replace("INTEGER", "BIGINT")
        .replace("BLOB", "BYTEA")
        .replace(",\n        FOREIGN KEY (workflow_id) REFERENCES workflows(id)", "")
}
