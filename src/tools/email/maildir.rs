//! Fetching from a local Maildir. Unread messages are those in `new/` and those in `cur/` without
//! the S (seen) flag; the newest come first.

use std::path::{Path, PathBuf};

use super::{Failure, Outcome, Request, Summary, fetch_options, fetched};
use crate::paths::expand_home;

/// Reads up to `limit` messages from the Maildir named by `maildir`, `$MAILDIR` or `~/Maildir`.
pub fn fetch(request: &Request) -> Outcome {
    let dir = maildir(request)?;
    let (limit, unread_only) = fetch_options(request);
    let mut files: Vec<(std::time::SystemTime, PathBuf)> = Vec::new();
    for folder in ["new", "cur"] {
        let Ok(entries) = std::fs::read_dir(dir.join(folder)) else { continue };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_file() && (!unread_only || unread(&path, folder)) {
                let modified = entry.metadata().and_then(|m| m.modified()).unwrap_or(std::time::UNIX_EPOCH);
                files.push((modified, path));
            }
        }
    }
    files.sort_by_key(|f| std::cmp::Reverse(f.0));
    let mut messages = Vec::new();
    for (_, path) in files.into_iter().take(limit) {
        let bytes = std::fs::read(&path).map_err(|e| Failure::new(format!("can't read {}: {e}", path.display())))?;
        messages.push(Summary::from_message(&String::from_utf8_lossy(&bytes)));
    }
    fetched(messages)
}

fn maildir(request: &Request) -> Result<PathBuf, Failure> {
    let path = match request.str("maildir") {
        Some(path) => expand_home(path),
        None => std::env::var("MAILDIR").ok().filter(|p| !p.is_empty()).unwrap_or_else(|| expand_home("~/Maildir")),
    };
    let path = PathBuf::from(path);
    if !path.join("cur").is_dir() && !path.join("new").is_dir() {
        return Err(Failure::new(format!("{} is not a Maildir (no cur/ or new/ folder)", path.display())));
    }
    Ok(path)
}

fn unread(file: &Path, folder: &str) -> bool {
    if folder == "new" {
        return true;
    }
    let name = file.file_name().and_then(|n| n.to_str()).unwrap_or("");
    !name.rsplit_once(":2,").is_some_and(|(_, flags)| flags.contains('S'))
}
