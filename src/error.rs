//! The library's error type and the exit codes it maps to.

use crate::diagnostic::Diagnostics;

/// Exit codes shared by every command: 0 ok, 1 a run failed or partial, 2 usage or validation,
/// 3 storage or I/O, 130 interrupted.
pub mod exit {
    /// Success.
    pub const OK: i32 = 0;
    /// A workflow run (or another operation) failed.
    pub const FAILED: i32 = 1;
    /// Bad arguments, unknown names, invalid files.
    pub const USAGE: i32 = 2;
    /// The database or a file could not be read or written.
    pub const STORAGE: i32 = 3;
    /// Ctrl-C or SIGTERM.
    pub const INTERRUPTED: i32 = 130;
}

/// Errors the library reports to its faces (CLI, REPL, scheduler).
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A workflow file or definition is invalid.
    #[error("{0}")]
    Invalid(#[from] Diagnostics),
    /// The user asked for something that can't be done as asked.
    #[error("{message}")]
    Usage {
        /// What is wrong.
        message: String,
        /// A hint such as "did you mean …".
        help: Option<String>,
    },
    /// The database failed.
    #[error("database error: {0}")]
    Database(#[from] rusqlite::Error),
    /// A file could not be read or written.
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The cause.
        source: std::io::Error,
    },
    /// The database could not be opened or upgraded (damaged, locked, too new).
    #[error("{0}")]
    Storage(String),
    /// The connection to a database server was lost: nothing more can be recorded through it.
    #[error("{0}")]
    Disconnected(String),
    /// The configuration (config.yaml or an `ALPHA_*` variable) is invalid.
    #[error("{0}")]
    Config(String),
    /// The LLM endpoint failed or gave an unusable answer.
    #[error("{0}")]
    Llm(String),
    /// An outside program alpha hands over to (the editor, the line editor) failed.
    #[error("{0}")]
    External(String),
    /// A saved schedule can't be evaluated (its zone or cron is no longer valid).
    #[error("{0}")]
    Schedule(String),
}

impl Error {
    /// A usage error without a hint.
    pub fn usage(message: impl Into<String>) -> Self {
        Error::Usage { message: message.into(), help: None }
    }

    /// A usage error with a hint.
    pub fn usage_with(message: impl Into<String>, help: impl Into<String>) -> Self {
        Error::Usage { message: message.into(), help: Some(help.into()) }
    }

    /// Wraps an I/O error with what was being done.
    pub fn io(context: impl Into<String>, source: std::io::Error) -> Self {
        Error::Io { context: context.into(), source }
    }

    /// True when the database could not be written because its disk is full.
    pub fn is_disk_full(&self) -> bool {
        match self {
            Error::Database(rusqlite::Error::SqliteFailure(e, _)) => e.code == rusqlite::ErrorCode::DiskFull,
            Error::Io { source, .. } => source.kind() == std::io::ErrorKind::StorageFull,
            _ => false,
        }
    }

    /// True when SQLite found the database file damaged.
    pub fn is_corrupt(&self) -> bool {
        matches!(self, Error::Database(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase))
    }

    /// The exit code this error ends a command with.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Invalid(_) | Error::Usage { .. } | Error::Config(_) => exit::USAGE,
            Error::Database(_) | Error::Io { .. } | Error::Storage(_) | Error::Disconnected(_) => exit::STORAGE,
            Error::Llm(_) | Error::External(_) | Error::Schedule(_) => exit::FAILED,
        }
    }
}

/// Result with the library's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;
