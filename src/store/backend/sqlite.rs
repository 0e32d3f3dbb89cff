//! A library in one SQLite file: WAL, a busy timeout, and private file modes, so the chat, a
//! CLI call, the scheduler and workers on one machine can share it.

use std::path::Path;
use std::time::Duration;

use rusqlite::Connection;

use crate::error::{Error, Result};

/// How long a writer waits for another process's lock before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(30);

/// What to do about a damaged database file.
pub const DAMAGED_HINT: &str = "the file is not an alpha database or is damaged; alpha leaves it untouched: move it aside to \
     start a new library, or try `sqlite3 FILE .recover` to save what it holds";

/// Opens (creating, private) the file at `path`.
pub fn open(path: &Path) -> Result<Connection> {
    create_private(path)?;
    let conn = Connection::open(path).map_err(|e| open_error(path, e))?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "journal_mode", "WAL").map_err(|e| open_error(path, e))?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    // Run history must outlive a deleted workflow (see migrations.rs), so the specification's
    // declared foreign key stays unenforced.
    conn.pragma_update(None, "foreign_keys", "OFF")?;
    conn.set_prepared_statement_cache_capacity(64);
    Ok(conn)
}

/// Creates the database's directory (0700) and the file itself (0600) when they don't exist:
/// run history and parameters are nobody else's business. SQLite gives its `-wal` and `-shm`
/// files the database's own mode.
fn create_private(path: &Path) -> Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty() && !p.exists()) {
        crate::paths::create_private_dir(parent)
            .map_err(|e| Error::io(format!("can't create the data directory {}", parent.display()), e))?;
    }
    if !path.exists() {
        let created = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path);
        // Any failure here is SQLite's to report, with its advice, when it opens the file.
        let _ = created;
    }
    Ok(())
}

/// True when the filesystem holding `path` has no space left for unprivileged writers.
fn disk_full(path: &Path) -> bool {
    use std::os::unix::ffi::OsStrExt;
    let dir = path.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let Ok(c_path) = std::ffi::CString::new(dir.as_os_str().as_bytes()) else { return false };
    // SAFETY: statvfs writes into the zeroed struct we own; the path is a valid C string.
    unsafe {
        let mut stats: libc::statvfs = std::mem::zeroed();
        libc::statvfs(c_path.as_ptr(), &mut stats) == 0 && stats.f_bavail == 0
    }
}

/// An error opening or upgrading the file at `path`, with what to do about it.
pub fn open_error(path: &Path, error: rusqlite::Error) -> Error {
    let detail = error.to_string();
    let hint = if disk_full(path) {
        "the disk holding it is full: free some space and try again; what was saved before is intact"
    } else if detail.contains("not a database") || detail.contains("malformed") {
        DAMAGED_HINT
    } else if detail.contains("locked") || detail.contains("busy") {
        "another alpha process holds the database; try again when it finishes"
    } else {
        "check the path and its permissions, or pass another with --db"
    };
    Error::Storage(format!("can't open the database {}: {detail} ({hint})", path.display()))
}
