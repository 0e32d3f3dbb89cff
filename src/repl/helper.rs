//! Line editing help for the chat shell: completion of slash commands, workflow names and
//! parameter names; inline hints; `\` at the end of a line continues it.

use std::borrow::Cow;
use std::sync::{Arc, Mutex};

use rustyline::completion::{Completer, Pair};
use rustyline::highlight::Highlighter;
use rustyline::hint::Hinter;
use rustyline::validate::{ValidationContext, ValidationResult, Validator};
use rustyline::{Context, Helper};

use crate::grammar::Library;

/// Slash commands with a one-line example each (also the `/help` text).
pub const COMMANDS: &[(&str, &str)] = &[
    ("/run", "/run Deploy Pipeline branch=dev"),
    ("/list", "/list --tags ci"),
    ("/show", "/show Deploy Pipeline"),
    ("/create", "/create pull, test and deploy"),
    ("/edit", "/edit Deploy Pipeline"),
    ("/delete", "/delete Old Sync"),
    ("/schedule", "/schedule Backup Files every night at 2am"),
    ("/unschedule", "/unschedule Backup Files"),
    ("/history", "/history Deploy Pipeline --status failed --since 24h"),
    ("/rerun", "/rerun branch=dev"),
    ("/explain", "/explain Deploy Pipeline"),
    ("/logs", "/logs 3f2a9c1e"),
    ("/versions", "/versions Deploy Pipeline"),
    ("/rollback", "/rollback Deploy Pipeline 1.0.0"),
    ("/rename", "/rename Greet to Say Hello"),
    ("/schedules", "/schedules"),
    ("/templates", "/templates"),
    ("/export", "/export Deploy Pipeline deploy.yaml"),
    ("/import", "/import deploy.yaml"),
    ("/validate", "/validate deploy.yaml"),
    ("/suggest", "/suggest"),
    ("/dashboard", "/dashboard"),
    ("/help", "/help"),
    ("/quit", "/quit"),
];

const NAME_COMMANDS: &[&str] = &[
    "/run",
    "/show",
    "/edit",
    "/delete",
    "/schedule",
    "/unschedule",
    "/history",
    "/rerun",
    "/explain",
    "/logs",
    "/versions",
    "/rename",
    "/schedules",
    "/export",
    "run",
    "show",
    "edit",
    "delete",
    "schedule",
    "start",
    "execute",
];

/// The shell's rustyline helper; the library is shared so new workflows complete at once.
pub struct ShellHelper {
    /// Names and parameters of saved workflows.
    pub library: Arc<Mutex<Library>>,
}

impl ShellHelper {
    fn library(&self) -> Library {
        self.library.lock().map(|l| l.clone()).unwrap_or_default()
    }
}

impl Completer for ShellHelper {
    type Candidate = Pair;

    fn complete(&self, line: &str, pos: usize, _: &Context<'_>) -> rustyline::Result<(usize, Vec<Pair>)> {
        let before = &line[..pos];
        let pair = |text: String| Pair { display: text.clone(), replacement: text };
        if !before.contains(' ') && before.starts_with('/') {
            let found =
                COMMANDS.iter().filter(|(c, _)| c.starts_with(before)).map(|(c, _)| pair(format!("{c} "))).collect();
            return Ok((0, found));
        }
        let Some((verb, rest)) = before.split_once(' ') else { return Ok((pos, Vec::new())) };
        if !NAME_COMMANDS.contains(&verb.to_ascii_lowercase().as_str()) {
            return Ok((pos, Vec::new()));
        }
        let library = self.library();
        let start = verb.len() + 1;
        // After a full name: complete its parameter names.
        for name in &library.names {
            if let Some(tail) = rest.strip_prefix(name.as_str()).filter(|t| t.starts_with(' ')) {
                let word_start = before.rfind(' ').map_or(0, |i| i + 1);
                let word = &before[word_start..];
                let params = library.params.get(name).cloned().unwrap_or_default();
                let _ = tail;
                let found = params
                    .iter()
                    .filter(|p| p.starts_with(word) && !word.contains('='))
                    .map(|p| pair(format!("{p}=")))
                    .collect();
                return Ok((word_start, found));
            }
        }
        let typed = rest.to_lowercase();
        let found = library
            .names
            .iter()
            .filter(|n| n.to_lowercase().starts_with(&typed))
            .map(|n| pair(format!("{n} ")))
            .collect();
        Ok((start, found))
    }
}

impl Hinter for ShellHelper {
    type Hint = String;

    fn hint(&self, line: &str, pos: usize, _: &Context<'_>) -> Option<String> {
        if pos < line.len() || line.is_empty() {
            return None;
        }
        if line.starts_with('/') && !line.contains(' ') {
            return COMMANDS
                .iter()
                .find(|(c, _)| c.starts_with(line) && *c != line)
                .map(|(c, _)| c[line.len()..].to_string());
        }
        let (verb, rest) = line.split_once(' ')?;
        if !NAME_COMMANDS.contains(&verb.to_ascii_lowercase().as_str()) || rest.is_empty() {
            return None;
        }
        let library = self.library();
        let name = library
            .names
            .iter()
            .find(|n| n.to_lowercase().starts_with(&rest.to_lowercase()) && n.len() > rest.len())?;
        Some(name[rest.len()..].to_string())
    }
}

impl Highlighter for ShellHelper {
    fn highlight_hint<'h>(&self, hint: &'h str) -> Cow<'h, str> {
        if crate::terminal::style::no_color() {
            Cow::Borrowed(hint)
        } else {
            Cow::Owned(format!("\x1b[2m{hint}\x1b[0m"))
        }
    }
}

impl Validator for ShellHelper {
    fn validate(&self, ctx: &mut ValidationContext<'_>) -> rustyline::Result<ValidationResult> {
        Ok(if ctx.input().ends_with('\\') { ValidationResult::Incomplete } else { ValidationResult::Valid(None) })
    }
}

impl Helper for ShellHelper {}
