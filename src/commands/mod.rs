//! The commands layer (design.md §1): one function per user action, each taking a typed request
//! and returning a typed, `Serialize` report. Every face (the CLI, the chat shell, and later the
//! dashboard and workers) calls these and renders the reports in its own voice; nothing here
//! prints, exits the process or reads the environment: the [`Context`] carries what the faces
//! read once.

pub mod files;
pub mod follow;
pub mod history;
pub mod library;
pub mod optimize;
pub mod parse;
pub mod queue;
pub mod run;
pub mod schedule;
pub mod suggest;
pub mod templates;

use std::path::{Path, PathBuf};

use crate::config::Settings;
use crate::error::Result;
use crate::schedule::daemon::Clock;
use crate::store::Store;

/// What every command runs against: the library's location and the settings read once per
/// process (which also give the clock).
#[derive(Debug, Clone)]
pub struct Context {
    /// The database file.
    pub db: PathBuf,
    /// Config file and `ALPHA_*` environment, as read at start.
    pub settings: &'static Settings,
    /// The directory the face was started in: where manual runs run, and what a new workflow
    /// records for its scheduled runs.
    pub cwd: Option<PathBuf>,
}

impl Context {
    /// A context for the database at `db` with the process's settings.
    pub fn new(db: &Path) -> Context {
        Context { db: db.to_path_buf(), settings: crate::config::settings(), cwd: std::env::current_dir().ok() }
    }

    /// The clock (shifted by `ALPHA_NOW` in tests); a malformed `ALPHA_NOW` is an error here.
    pub fn clock(&self) -> Result<Clock> {
        Clock::from_settings(self.settings)
    }

    /// Opens the library (creating it on first use).
    pub fn store(&self) -> Result<Store> {
        Store::open(&self.db)
    }

    /// The library as a user may be shown it: a URL's password masked.
    pub fn shown_db(&self) -> String {
        crate::store::mask_url(&self.db.to_string_lossy())
    }

    /// This machine's directory beside the library (rejected edits, the dashboard's token, run
    /// logs).
    pub fn local_dir(&self) -> PathBuf {
        crate::store::local_dir(&self.db)
    }

    /// Opens the library only if it exists: read-only questions never create one.
    pub fn existing_store(&self) -> Result<Option<Store>> {
        // A URL is never "not there yet": opening it says what it is.
        let url = crate::store::is_url(&self.db);
        if self.db.exists() || url { Store::open(&self.db).map(Some) } else { Ok(None) }
    }
}

/// The first 8 characters of a run id, as users see it.
pub fn short_id(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
}
