//! `suggest` and `history import`: repeated command sequences found in shell history, offered
//! as workflows (design.md §6b).

use std::path::PathBuf;

use serde::Serialize;

use super::Context;
use crate::error::{Error, Result};
use crate::proactive::history::{self, Entry, HistoryFormat};
use crate::proactive::miner::{Options, Suggestion};
use crate::proactive::suggest;

/// Where the history to mine comes from.
#[derive(Debug, Clone)]
pub enum HistorySource {
    /// A history file.
    File(PathBuf),
    /// Text the face read (piped stdin).
    Text(Vec<u8>),
    /// The library's recorded history and runs, else the user's usual history files.
    Recorded,
}

/// Suggestions, best first, and how many commands were read.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestions {
    /// The qualifying patterns.
    pub suggestions: Vec<Suggestion>,
    /// Commands read.
    pub commands_read: usize,
}

/// `suggest [--from FILE|-] [--format F]`
pub fn suggest(ctx: &Context, source: HistorySource, format: Option<HistoryFormat>) -> Result<Suggestions> {
    let store = ctx.existing_store()?;
    let entries = match source {
        HistorySource::File(path) => history::read(&path, format).map_err(Error::usage)?.0,
        HistorySource::Text(bytes) => parse_text(&bytes, format)?,
        HistorySource::Recorded => {
            let mut entries = match &store {
                Some(store) => {
                    let mut entries = store.history_entries()?;
                    entries.extend(store.workflow_run_entries()?);
                    entries.sort_by_key(|e| e.time);
                    entries
                }
                None => Vec::new(),
            };
            if entries.is_empty() {
                for (path, format) in history::default_sources() {
                    if let Ok((found, _)) = history::read(&path, Some(format)) {
                        entries.extend(found);
                    }
                }
            }
            entries
        }
    };
    let suggestions = suggest::for_library(store.as_ref(), &entries, &Options::default())?;
    Ok(Suggestions { suggestions, commands_read: entries.len() })
}

fn parse_text(bytes: &[u8], format: Option<HistoryFormat>) -> Result<Vec<Entry>> {
    let format = format.unwrap_or_else(|| HistoryFormat::detect(bytes));
    if format == HistoryFormat::Atuin {
        return Err(Error::usage("an atuin database can't be piped; pass --from PATH"));
    }
    Ok(history::parse(bytes, format))
}

/// One history file read into the library.
#[derive(Debug, Clone, Serialize)]
pub struct HistoryImported {
    /// The file.
    pub path: String,
    /// Commands read.
    pub read: usize,
    /// Its format (given or detected).
    pub format: String,
    /// Commands not imported before.
    pub added: usize,
}

/// `history import [--from FILE] [--format F]`: the given file, else the usual ones.
pub fn import_history(
    ctx: &Context,
    from: Option<PathBuf>,
    format: Option<HistoryFormat>,
) -> Result<Vec<HistoryImported>> {
    let sources: Vec<(PathBuf, Option<HistoryFormat>)> = match from {
        Some(path) => vec![(path, format)],
        None => history::default_sources().into_iter().map(|(p, f)| (p, Some(format.unwrap_or(f)))).collect(),
    };
    if sources.is_empty() {
        return Ok(Vec::new());
    }
    let mut store = ctx.store()?;
    let mut imported = Vec::new();
    for (path, format) in sources {
        let (entries, detected) = history::read(&path, format).map_err(Error::usage)?;
        let added = store.import_history(detected.as_str(), &entries)?;
        imported.push(HistoryImported {
            path: path.display().to_string(),
            read: entries.len(),
            format: detected.as_str().to_string(),
            added,
        });
    }
    Ok(imported)
}

/// Records a command the user ran in the chat shell (`!command`), for "save that as a workflow"
/// and for mining.
pub fn record_command(ctx: &Context, command: &str, cwd: Option<&str>, exit_code: i32, session: &str) -> Result<()> {
    ctx.store()?.record_command("repl", command, cwd, Some(exit_code), session)
}

/// Commands in the recorded shell history run with the same program as `command` (for the
/// builder to see which parts vary); none when nothing was recorded.
pub fn similar_commands(ctx: &Context, command: &str) -> Vec<String> {
    let Some(program) = command.split_whitespace().next() else { return Vec::new() };
    let Ok(Some(store)) = ctx.existing_store() else { return Vec::new() };
    store.commands_of(program, 500).unwrap_or_default()
}

/// The last `count` commands a chat session ran, oldest first.
pub fn recent_commands(ctx: &Context, session: &str, count: usize) -> Result<Vec<String>> {
    ctx.store()?.recent_commands(session, count)
}

/// What the chat offers unasked: suggestions from the recorded history, best first, without
/// those already accepted or dismissed.
pub fn offers(ctx: &Context) -> Result<Vec<Suggestion>> {
    let Some(store) = ctx.existing_store()? else { return Ok(Vec::new()) };
    let entries = store.history_entries()?;
    if entries.is_empty() {
        return Ok(Vec::new());
    }
    suggest::for_library(Some(&store), &entries, &Options::default())
}

/// How the user answered a suggestion.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Saved as a workflow.
    Accepted,
    /// "never": not offered again.
    Dismissed,
}

/// Remembers the answer to a suggestion, with the workflow it became.
pub fn answer(ctx: &Context, suggestion: &Suggestion, answer: Answer, workflow: Option<&str>) -> Result<()> {
    let state = match answer {
        Answer::Accepted => "accepted",
        Answer::Dismissed => "dismissed",
    };
    ctx.store()?.set_suggestion_state(&suggestion.signature(), state, suggestion.occurrences, workflow)
}
