//! Which shell histories alpha reads, and reading only what is new in them.
//!
//! The files come from `history.sources` in the config when set, else from the environment:
//! `$HISTFILE`, then the usual files of the shell in `$SHELL` and of the others under `$HOME`
//! (bash, zsh, fish, atuin's database). Each file's format is told from its content, never from
//! its name or the variable that named it. A file is read from where the last read stopped:
//! unchanged files cost a `stat`, grown ones the new bytes, and a rewritten one (bash trims its
//! history on exit) is searched for the bytes that ended the last read.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::history::{self, Entry, HistoryFormat};
use crate::store::history::SourceState;

/// One history file alpha reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Source {
    /// The file.
    pub path: PathBuf,
    /// Why it is read: `config`, `$HISTFILE`, `bash`, `zsh`, `fish` or `atuin`.
    pub origin: &'static str,
}

/// The history files to read, existing ones only, each once.
pub fn discover(configured: Option<&[String]>) -> Vec<Source> {
    let home = std::env::var_os("HOME").map(PathBuf::from);
    let mut sources: Vec<Source> = Vec::new();
    let mut add = |path: PathBuf, origin: &'static str| {
        let known = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        let taken = sources.iter().any(|s| std::fs::canonicalize(&s.path).unwrap_or_else(|_| s.path.clone()) == known);
        if !taken && path.is_file() {
            sources.push(Source { path, origin });
        }
    };
    if let Some(configured) = configured {
        for path in configured {
            add(expand(path, home.as_deref()), "config");
        }
        return sources;
    }
    if let Some(file) = std::env::var_os("HISTFILE").filter(|f| !f.is_empty()) {
        add(expand(&file.to_string_lossy(), home.as_deref()), "$HISTFILE");
    }
    let Some(home) = home else { return sources };
    let data = std::env::var_os("XDG_DATA_HOME").map(PathBuf::from).unwrap_or_else(|| home.join(".local/share"));
    let zdot = std::env::var_os("ZDOTDIR").map(PathBuf::from).unwrap_or_else(|| home.clone());
    let mut defaults: Vec<(PathBuf, &'static str)> = vec![
        (home.join(".bash_history"), "bash"),
        (zdot.join(".zsh_history"), "zsh"),
        (zdot.join(".zhistory"), "zsh"),
        (data.join("fish/fish_history"), "fish"),
        (
            std::env::var_os("ATUIN_DB_PATH").map(PathBuf::from).unwrap_or_else(|| data.join("atuin/history.db")),
            "atuin",
        ),
    ];
    // The user's own shell first.
    let shell = std::env::var("SHELL").unwrap_or_default();
    let shell = shell.rsplit('/').next().unwrap_or("");
    defaults.sort_by_key(|(_, origin)| *origin != shell);
    for (path, origin) in defaults {
        add(path, origin);
    }
    sources
}

fn expand(path: &str, home: Option<&Path>) -> PathBuf {
    match (path.strip_prefix("~/"), home) {
        (Some(rest), Some(home)) => home.join(rest),
        _ => PathBuf::from(path),
    }
}

/// What a read of one source found.
#[derive(Debug, Clone)]
pub struct NewEntries {
    /// The entries added since the last read.
    pub entries: Vec<Entry>,
    /// The position of the first of them (for telling untimed entries apart).
    pub first: usize,
    /// The state to record.
    pub state: SourceState,
}

/// The whole lines just before the read position that recognize the file after a rewrite, at
/// most this many bytes (at least one line).
const MARK_LINES: usize = 4;
const MARK_BYTES: usize = 4096;

/// A mark for the whole lines ending at `end` of `bytes`: their length and SHA-256, never their
/// text, which may hold secrets.
fn mark(bytes: &[u8], end: usize) -> Vec<u8> {
    let mut start = end;
    for _ in 0..MARK_LINES {
        if start == 0 {
            break;
        }
        let previous = memchr::memrchr(b'\n', &bytes[..start - 1]).map_or(0, |i| i + 1);
        if end - previous > MARK_BYTES && start != end {
            break;
        }
        start = previous;
    }
    if start == end {
        return Vec::new();
    }
    let mut out = ((end - start) as u64).to_le_bytes().to_vec();
    out.extend_from_slice(&Sha256::digest(&bytes[start..end]));
    out
}

/// The length a mark covers.
fn mark_len(mark: &[u8]) -> Option<usize> {
    let length: [u8; 8] = mark.get(..8)?.try_into().ok()?;
    Some(u64::from_le_bytes(length) as usize)
}

/// The entries of `path` not read before (`previous`); `None` when it has not changed.
pub fn read_new(path: &Path, previous: Option<&SourceState>) -> Result<Option<NewEntries>, String> {
    let meta = std::fs::metadata(path).map_err(|e| format!("can't read {}: {e}", path.display()))?;
    let size = meta.len() as i64;
    let modified = meta
        .modified()
        .ok()
        .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
        .map_or(0, |d| d.as_nanos() as i64);
    if let Some(previous) = previous
        && previous.size == size
        && previous.modified == modified
    {
        return Ok(None);
    }
    let mut file = File::open(path).map_err(|e| format!("can't read {}: {e}", path.display()))?;
    let mut head = [0u8; 16];
    let n = file.read(&mut head).map_err(|e| format!("can't read {}: {e}", path.display()))?;
    if head[..n].starts_with(b"SQLite format 3\0") {
        return read_atuin(path, previous, size, modified).map(Some);
    }
    let start = previous.map_or(Ok(0), |p| resume_at(&mut file, p, size))?;
    file.seek(SeekFrom::Start(start as u64)).map_err(|e| format!("can't read {}: {e}", path.display()))?;
    let mut bytes = Vec::with_capacity((size - start).max(0) as usize);
    file.read_to_end(&mut bytes).map_err(|e| format!("can't read {}: {e}", path.display()))?;
    let format = match previous {
        Some(p) if start > 0 => HistoryFormat::parse(&p.format).unwrap_or(HistoryFormat::Plain),
        _ => detect(path, &bytes),
    };
    let end = whole_entries(&bytes, format);
    let entries = history::parse(&bytes[..end], format);
    let offset = start + end as i64;
    // The mark needs the lines before the new ones when the read was short.
    let tail = if end >= MARK_BYTES || start == 0 {
        mark(&bytes, end)
    } else {
        let from = (offset - MARK_BYTES as i64 * 2).max(0);
        let mut around = vec![0u8; (offset - from) as usize];
        file.seek(SeekFrom::Start(from as u64)).map_err(|e| format!("can't read {}: {e}", path.display()))?;
        file.read_exact(&mut around).map_err(|e| format!("can't read {}: {e}", path.display()))?;
        // Start the window at a line start.
        let skip = if from == 0 { 0 } else { memchr::memchr(b'\n', &around).map_or(around.len(), |i| i + 1) };
        mark(&around[skip..], around.len() - skip)
    };
    let state = SourceState {
        format: format.as_str().to_string(),
        size,
        modified,
        offset,
        tail,
        commands: previous.map_or(0, |p| p.commands),
        read_at: String::new(),
    };
    Ok(Some(NewEntries { entries, first: start as usize, state }))
}

/// Where to go on reading: the last offset when the file only grew, else just after the bytes
/// that ended the last read, else the start.
fn resume_at(file: &mut File, previous: &SourceState, size: i64) -> Result<i64, String> {
    let read_error = |e: std::io::Error| format!("can't read the history: {e}");
    let Some(length) = mark_len(&previous.tail) else { return Ok(0) };
    if previous.offset <= size && previous.offset >= length as i64 {
        let mut before = vec![0u8; length];
        file.seek(SeekFrom::Start((previous.offset - length as i64) as u64)).map_err(read_error)?;
        file.read_exact(&mut before).map_err(read_error)?;
        if mark(&before, length) == previous.tail {
            return Ok(previous.offset);
        }
    }
    // Rewritten: find the marked lines, the last place they end.
    let mut all = Vec::new();
    file.seek(SeekFrom::Start(0)).map_err(read_error)?;
    file.read_to_end(&mut all).map_err(read_error)?;
    let digest = &previous.tail[8..];
    let mut end = all.len();
    while let Some(newline) = memchr::memrchr(b'\n', &all[..end]) {
        let line_end = newline + 1;
        if line_end >= length {
            let start = line_end - length;
            if (start == 0 || all[start - 1] == b'\n') && Sha256::digest(&all[start..line_end]).as_slice() == digest {
                return Ok(line_end as i64);
            }
        }
        end = newline;
    }
    Ok(0)
}

/// The format of a history from its content; a zsh file without timestamps reads as zsh.
pub fn detect(path: &Path, bytes: &[u8]) -> HistoryFormat {
    let format = HistoryFormat::detect(bytes);
    let named_zsh = path.file_name().is_some_and(|n| n.to_string_lossy().contains("zsh") || n == ".zhistory");
    if format == HistoryFormat::Plain && named_zsh { HistoryFormat::Zsh } else { format }
}

/// How many bytes hold whole entries: up to the last newline, less a bash timestamp line or a
/// zsh continuation that waits for its command.
fn whole_entries(bytes: &[u8], format: HistoryFormat) -> usize {
    let Some(last_newline) = memchr::memrchr(b'\n', bytes) else { return 0 };
    let mut end = last_newline + 1;
    loop {
        let line_start = memchr::memrchr(b'\n', &bytes[..end - 1]).map_or(0, |i| i + 1);
        let line = &bytes[line_start..end - 1];
        let waiting = match format {
            HistoryFormat::Bash => line.first() == Some(&b'#') && line[1..].iter().all(u8::is_ascii_digit),
            HistoryFormat::Zsh => line.last() == Some(&b'\\'),
            _ => false,
        };
        if !waiting || line_start == 0 {
            return if waiting { 0 } else { end };
        }
        end = line_start;
    }
}

fn read_atuin(path: &Path, previous: Option<&SourceState>, size: i64, modified: i64) -> Result<NewEntries, String> {
    let since = previous.filter(|p| p.format == "atuin").map_or(i64::MIN, |p| p.offset);
    let (mut entries, newest) = crate::store::history::read_atuin_since(path, since)?;
    history::redact_all(&mut entries);
    let state = SourceState {
        format: "atuin".into(),
        size,
        modified,
        offset: newest,
        tail: Vec::new(),
        commands: previous.map_or(0, |p| p.commands),
        read_at: String::new(),
    };
    Ok(NewEntries { entries, first: 0, state })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grown_file_is_read_from_where_it_stopped_and_a_rewritten_one_after_its_old_end() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history");
        std::fs::write(&path, "#1795000000\ngit status\n#1795000060\n").unwrap();
        let first = read_new(&path, None).unwrap().unwrap();
        assert_eq!(first.entries.len(), 1, "the timestamp waits for its command");
        assert_eq!(first.state.format, "bash");
        assert!(read_new(&path, Some(&first.state)).unwrap().is_none(), "unchanged");
        std::fs::write(&path, "#1795000000\ngit status\n#1795000060\ngit pull\n#1795000120\npytest\n").unwrap();
        let grown = read_new(&path, Some(&first.state)).unwrap().unwrap();
        let commands: Vec<&str> = grown.entries.iter().map(|e| e.command.as_str()).collect();
        assert_eq!(commands, ["git pull", "pytest"]);
        assert_eq!(grown.entries[0].time.map(|t| t.timestamp()), Some(1_795_000_060));
        // bash trims the file on exit: the old start is gone, the new lines follow the old end.
        std::fs::write(&path, "#1795000060\ngit pull\n#1795000120\npytest\n#1795000180\nmake\n").unwrap();
        let trimmed = read_new(&path, Some(&grown.state)).unwrap().unwrap();
        let commands: Vec<&str> = trimmed.entries.iter().map(|e| e.command.as_str()).collect();
        assert_eq!(commands, ["make"]);
    }

    #[test]
    fn formats_come_from_the_content() {
        let dir = tempfile::tempdir().unwrap();
        let zsh_named_bash = dir.path().join(".bash_history");
        std::fs::write(&zsh_named_bash, ": 1795000000:0;git status\n: 1795000005:0;make\n").unwrap();
        assert_eq!(read_new(&zsh_named_bash, None).unwrap().unwrap().state.format, "zsh");
        let plain_zsh = dir.path().join(".zsh_history");
        std::fs::write(&plain_zsh, "echo one \\\ntwo\nmake\n").unwrap();
        let read = read_new(&plain_zsh, None).unwrap().unwrap();
        assert_eq!(read.state.format, "zsh");
        assert_eq!(read.entries[0].command, "echo one\ntwo");
    }
}
