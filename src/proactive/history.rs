//! Shell history parsers: bash (plain and with `HISTTIMEFORMAT` `#epoch` lines), zsh (plain and
//! extended `: epoch:duration;cmd`, multi-line, metafied bytes), fish, atuin's SQLite database,
//! and plain piped text (`history | alpha suggest`, numbers stripped). Formats are detected.

use std::path::Path;

use chrono::{DateTime, TimeZone, Utc};

pub use crate::store::history::Entry;

/// History formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HistoryFormat {
    /// `~/.bash_history`, with or without `#epoch` lines.
    Bash,
    /// `~/.zsh_history`, plain or extended.
    Zsh,
    /// `~/.local/share/fish/fish_history`.
    Fish,
    /// atuin's `history.db`.
    Atuin,
    /// One command per line (the output of `history` is accepted too).
    Plain,
}

impl HistoryFormat {
    /// Parses a `--format` value.
    pub fn parse(name: &str) -> Option<HistoryFormat> {
        Some(match name.to_ascii_lowercase().as_str() {
            "bash" => HistoryFormat::Bash,
            "zsh" => HistoryFormat::Zsh,
            "fish" => HistoryFormat::Fish,
            "atuin" => HistoryFormat::Atuin,
            "plain" | "text" => HistoryFormat::Plain,
            _ => return None,
        })
    }

    /// The name used in the database's `source` column.
    pub fn as_str(self) -> &'static str {
        match self {
            HistoryFormat::Bash => "bash",
            HistoryFormat::Zsh => "zsh",
            HistoryFormat::Fish => "fish",
            HistoryFormat::Atuin => "atuin",
            HistoryFormat::Plain => "plain",
        }
    }

    /// Tells the format from the content: atuin's SQLite header, fish's `- cmd:`, zsh's
    /// `: epoch:duration;` lines, bash's `#epoch` lines, else one command per line.
    pub fn detect(bytes: &[u8]) -> HistoryFormat {
        if bytes.starts_with(b"SQLite format 3\0") {
            return HistoryFormat::Atuin;
        }
        let head = String::from_utf8_lossy(&bytes[..bytes.len().min(8192)]);
        let lines: Vec<&str> = head.lines().filter(|l| !l.trim().is_empty()).take(64).collect();
        let Some(first) = lines.first() else { return HistoryFormat::Plain };
        let zsh = |l: &&str| {
            l.strip_prefix(": ").and_then(|rest| rest.split_once(';')).is_some_and(|(meta, _)| {
                meta.split(':').all(|n| !n.is_empty() && n.trim().chars().all(|c| c.is_ascii_digit()))
            })
        };
        let stamp = |l: &&str| l.len() > 6 && l.starts_with('#') && l[1..].trim().chars().all(|c| c.is_ascii_digit());
        if first.starts_with("- cmd: ") {
            HistoryFormat::Fish
        } else if lines.iter().filter(|l| zsh(l)).count() * 2 >= lines.len() {
            HistoryFormat::Zsh
        } else if lines.iter().any(stamp) {
            HistoryFormat::Bash
        } else {
            HistoryFormat::Plain
        }
    }
}

fn epoch(seconds: i64) -> Option<DateTime<Utc>> {
    Utc.timestamp_opt(seconds, 0).single()
}

/// Undoes zsh's metafication: 0x83 followed by a byte means that byte XOR 0x20.
pub fn unmetafy(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut iter = bytes.iter();
    while let Some(&b) = iter.next() {
        if b == 0x83 {
            if let Some(&next) = iter.next() {
                out.push(next ^ 0x20);
            }
        } else {
            out.push(b);
        }
    }
    out
}

/// Parses history bytes in `format`; what looks like a secret is `***` (see
/// [`super::redact`]).
pub fn parse(bytes: &[u8], format: HistoryFormat) -> Vec<Entry> {
    let mut entries = parse_raw(bytes, format);
    redact_all(&mut entries);
    entries
}

/// Replaces what looks like a secret in each entry.
pub fn redact_all(entries: &mut [Entry]) {
    for entry in entries {
        if let std::borrow::Cow::Owned(redacted) = super::redact::redact(&entry.command) {
            entry.command = redacted;
        }
    }
}

fn parse_raw(bytes: &[u8], format: HistoryFormat) -> Vec<Entry> {
    match format {
        HistoryFormat::Zsh => zsh(&String::from_utf8_lossy(&unmetafy(bytes))),
        HistoryFormat::Bash => bash(&String::from_utf8_lossy(bytes)),
        HistoryFormat::Fish => fish(&String::from_utf8_lossy(bytes)),
        HistoryFormat::Plain => plain(&String::from_utf8_lossy(bytes)),
        HistoryFormat::Atuin => Vec::new(),
    }
}

fn bash(text: &str) -> Vec<Entry> {
    let mut entries = Vec::new();
    let mut time = None;
    for line in text.lines() {
        if let Some(stamp) = line.strip_prefix('#').filter(|s| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit())) {
            time = stamp.parse().ok().and_then(epoch);
            continue;
        }
        if !line.trim().is_empty() {
            entries.push(Entry::new(line.trim().to_string(), time.take()));
        }
    }
    entries
}

fn zsh(text: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut continuing = false;
    for line in text.lines() {
        if continuing && let Some(last) = entries.last_mut() {
            last.command.push('\n');
            last.command.push_str(line.strip_suffix('\\').unwrap_or(line));
            continuing = line.ends_with('\\');
            continue;
        }
        let (time, command) = match line.strip_prefix(": ").and_then(|rest| rest.split_once(';')) {
            Some((meta, command)) => {
                (meta.split(':').next().and_then(|s| s.trim().parse().ok()).and_then(epoch), command)
            }
            None => (None, line),
        };
        continuing = command.ends_with('\\');
        let command = command.strip_suffix('\\').unwrap_or(command);
        if !command.trim().is_empty() || continuing {
            entries.push(Entry::new(command.trim_end().to_string(), time));
        }
    }
    entries.retain(|e| !e.command.trim().is_empty());
    entries
}

fn fish(text: &str) -> Vec<Entry> {
    let mut entries: Vec<Entry> = Vec::new();
    for line in text.lines() {
        if let Some(command) = line.strip_prefix("- cmd: ") {
            // fish escapes backslashes and newlines in the command.
            let command = command.replace("\\n", "\n").replace("\\\\", "\\");
            entries.push(Entry::new(command, None));
        } else if let Some(when) = line.trim_start().strip_prefix("when: ")
            && let Some(last) = entries.last_mut()
        {
            last.time = when.trim().parse().ok().and_then(epoch);
        }
    }
    entries
}

fn plain(text: &str) -> Vec<Entry> {
    let numbered = text.lines().filter(|l| !l.trim().is_empty()).take(20).all(|l| {
        let t = l.trim_start();
        t.chars().next().is_some_and(|c| c.is_ascii_digit())
            && t.split_whitespace().next().is_some_and(|n| n.chars().all(|c| c.is_ascii_digit() || c == '*'))
    });
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let line = line.trim();
            let command =
                if numbered { line.split_once(char::is_whitespace).map_or("", |(_, rest)| rest).trim() } else { line };
            Entry::new(command.to_string(), None)
        })
        .filter(|e| !e.command.is_empty())
        .collect()
}

/// Reads a history file (or stdin for `-`), detecting the format unless given.
pub fn read(path: &Path, format: Option<HistoryFormat>) -> Result<(Vec<Entry>, HistoryFormat), String> {
    let bytes = if path.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map_err(|e| format!("can't read stdin: {e}"))?;
        bytes
    } else {
        std::fs::read(path).map_err(|e| format!("can't read {}: {e}", path.display()))?
    };
    let format = format.unwrap_or_else(|| super::sources::detect(path, &bytes));
    if format == HistoryFormat::Atuin {
        if path.as_os_str() == "-" {
            return Err("an atuin database can't be piped; pass --from PATH".into());
        }
        let mut entries = crate::store::history::read_atuin(path)?;
        redact_all(&mut entries);
        return Ok((entries, format));
    }
    Ok((parse(&bytes, format), format))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_format() {
        let bash_text = "#1700000000\ngit status\n#1700000060\ngit pull\nls\n";
        let entries = parse(bash_text.as_bytes(), HistoryFormat::detect(bash_text.as_bytes()));
        assert_eq!(entries.len(), 3);
        assert_eq!(entries[1].time.map(|t| t.timestamp()), Some(1_700_000_060));
        assert_eq!(entries[2].time, None);

        let zsh_text = ": 1700000000:0;git status\n: 1700000005:2;echo one \\\ntwo\n: 1700000009:0;pytest\n";
        let entries = parse(zsh_text.as_bytes(), HistoryFormat::detect(zsh_text.as_bytes()));
        assert_eq!(
            entries.iter().map(|e| e.command.as_str()).collect::<Vec<_>>(),
            ["git status", "echo one\ntwo", "pytest"]
        );

        // "ă" is C4 83; zsh stores the 0x83 byte as Meta (0x83) followed by 0x83 ^ 0x20.
        let meta = [b": 1700000000:0;echo \xc4".as_slice(), &[0x83, 0x83 ^ 0x20], b"\n"].concat();
        let entries = parse(&meta, HistoryFormat::Zsh);
        assert_eq!(entries[0].command, "echo ă");

        let fish_text =
            "- cmd: git status\n  when: 1700000000\n- cmd: make test\n  when: 1700000100\n  paths:\n    - src\n";
        let entries = parse(fish_text.as_bytes(), HistoryFormat::detect(fish_text.as_bytes()));
        assert_eq!(entries[1].command, "make test");
        assert_eq!(entries[1].time.map(|t| t.timestamp()), Some(1_700_000_100));

        let piped = "  501  git status\n  502  git pull origin main\n";
        let entries = parse(piped.as_bytes(), HistoryFormat::detect(piped.as_bytes()));
        assert_eq!(entries[1].command, "git pull origin main");
    }
}
