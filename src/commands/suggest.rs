//! `suggest` and `history import`: repeated command sequences found in shell history, offered
//! as workflows (design.md §6b).

use std::path::PathBuf;

use serde::Serialize;

use super::Context;
use crate::error::{Error, Result};
use crate::proactive::history::{self, Entry, HistoryFormat};
use crate::proactive::miner::{Options, Suggestion};
use crate::proactive::sources;
use crate::proactive::suggest;

/// Where the history to mine comes from.
#[derive(Debug, Clone)]
pub enum HistorySource {
    /// A history file.
    File(PathBuf),
    /// Text the face read (piped stdin).
    Text(Vec<u8>),
    /// The library's recorded history and runs, after reading what is new in the user's shell
    /// histories.
    Recorded,
}

/// Suggestions, best first, and how many commands were read.
#[derive(Debug, Clone, Serialize)]
pub struct Suggestions {
    /// The qualifying patterns, numbered from 1 in this order.
    pub suggestions: Vec<Suggestion>,
    /// Commands read.
    pub commands_read: usize,
    /// Patterns the user dismissed ("never") that still qualify: listed only when asked for
    /// (`--all`), counted always.
    pub dismissed: Vec<Suggestion>,
    /// Whether the dismissed ones were asked for.
    pub all: bool,
}

/// `suggest [--from FILE|-] [--format F] [--all]`
pub fn suggest(ctx: &Context, source: HistorySource, format: Option<HistoryFormat>, all: bool) -> Result<Suggestions> {
    let entries = entries(ctx, source, format)?;
    let store = ctx.existing_store()?;
    let (suggestions, dismissed) = suggest::for_library(store.as_ref(), &entries, &Options::default())?;
    Ok(Suggestions { suggestions, commands_read: entries.len(), dismissed, all })
}

fn entries(ctx: &Context, source: HistorySource, format: Option<HistoryFormat>) -> Result<Vec<Entry>> {
    Ok(match source {
        HistorySource::File(path) => history::read(&path, format).map_err(Error::usage)?.0,
        HistorySource::Text(bytes) => parse_text(&bytes, format)?,
        HistorySource::Recorded => {
            read_sources(ctx)?;
            match ctx.existing_store()? {
                Some(store) => {
                    let mut entries = store.history_entries()?;
                    entries.extend(store.workflow_run_entries()?);
                    entries.sort_by_key(|e| e.time);
                    entries
                }
                None => Vec::new(),
            }
        }
    })
}

/// A suggestion turned into a saved workflow.
#[derive(Debug, Clone, Serialize)]
pub struct Accepted {
    /// The workflow saved.
    pub saved: super::library::SavedReport,
    /// The suggestion it came from.
    pub suggestion: Suggestion,
}

/// `suggest --accept N [--name NAME]`: saves suggestion `number` (from 1, in `suggest`'s
/// order) as a workflow, remembered as accepted.
pub fn accept(
    ctx: &Context,
    source: HistorySource,
    format: Option<HistoryFormat>,
    number: usize,
    name: Option<&str>,
) -> Result<Accepted> {
    let suggestion = numbered(ctx, source, format, number)?;
    save_suggestion(ctx, suggestion, name)
}

/// Saves `suggestion` as a workflow named `name` (else its suggested name), remembered as
/// accepted.
pub fn save_suggestion(ctx: &Context, suggestion: Suggestion, name: Option<&str>) -> Result<Accepted> {
    let mut workflow = suggestion.workflow.clone();
    if let Some(name) = name.map(str::trim).filter(|n| !n.is_empty()) {
        workflow.name = name.to_string();
    }
    if ctx.existing_store()?.is_some_and(|store| store.find(&workflow.name).ok().flatten().is_some()) {
        return Err(Error::usage_with(
            format!("a workflow named '{}' already exists", workflow.name),
            "give the new one another name with --name NAME (in the chat: \"yes, call it NAME\")",
        ));
    }
    let saved = super::library::save(ctx, &workflow, false)?;
    answer(ctx, &suggestion, Answer::Accepted, Some(&saved.name))?;
    Ok(Accepted { saved, suggestion })
}

/// `suggest --dismiss N`: never suggests number `number` again.
pub fn dismiss(
    ctx: &Context,
    source: HistorySource,
    format: Option<HistoryFormat>,
    number: usize,
) -> Result<Suggestion> {
    let suggestion = numbered(ctx, source, format, number)?;
    answer(ctx, &suggestion, Answer::Dismissed, None)?;
    Ok(suggestion)
}

fn numbered(ctx: &Context, source: HistorySource, format: Option<HistoryFormat>, number: usize) -> Result<Suggestion> {
    let found = suggest(ctx, source, format, false)?;
    let count = found.suggestions.len();
    if count == 0 {
        return Err(Error::usage("there are no suggestions to accept: `alpha suggest` lists them when there are"));
    }
    number.checked_sub(1).and_then(|i| found.suggestions.into_iter().nth(i)).ok_or_else(|| {
        Error::usage_with(
            format!("there is no suggestion {number}"),
            format!("`alpha suggest` numbers them 1 to {count}"),
        )
    })
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

/// `history import [--from FILE] [--format F]`: the given file whole, else what is new in the
/// user's history sources.
pub fn import_history(
    ctx: &Context,
    from: Option<PathBuf>,
    format: Option<HistoryFormat>,
) -> Result<Vec<HistoryImported>> {
    let Some(path) = from else { return read_sources(ctx) };
    let mut store = ctx.store()?;
    let (entries, detected) = history::read(&path, format).map_err(Error::usage)?;
    let added = store.import_history(detected.as_str(), &entries)?;
    Ok(vec![HistoryImported {
        path: path.display().to_string(),
        read: entries.len(),
        format: detected.as_str().to_string(),
        added,
    }])
}

/// Reads what is new in every history source into the library (nothing when
/// `history.enabled` is false); one source that can't be read doesn't stop the others.
pub fn read_sources(ctx: &Context) -> Result<Vec<HistoryImported>> {
    let config = history_config(ctx);
    if !config.enabled() {
        return Ok(Vec::new());
    }
    let found = sources::discover(config.sources.as_deref());
    if found.is_empty() {
        return Ok(Vec::new());
    }
    let mut store = ctx.store()?;
    let mut imported = Vec::new();
    for source in found {
        let path = source.path.display().to_string();
        let previous = store.history_source(&path)?;
        let Ok(Some(new)) = sources::read_new(&source.path, previous.as_ref()) else { continue };
        let added = store.advance_history_source(&path, &new.state, &new.entries, new.first)?;
        imported.push(HistoryImported { path, read: new.entries.len(), format: new.state.format.clone(), added });
    }
    Ok(imported)
}

fn history_config(ctx: &Context) -> crate::config::HistoryConfig {
    ctx.settings.config().map(|c| c.history.clone()).unwrap_or_default()
}

/// One history file alpha reads.
#[derive(Debug, Clone, Serialize)]
pub struct SourceInfo {
    /// The file.
    pub path: String,
    /// Why it is read: `config`, `$HISTFILE`, `bash`, `zsh`, `fish` or `atuin`.
    pub origin: String,
    /// Its format as detected at the last read, when it has been read.
    pub format: Option<String>,
    /// Commands imported from it so far.
    pub commands: i64,
    /// When it was last read (RFC 3339), if ever.
    pub read_at: Option<String>,
}

/// What `history sources` shows.
#[derive(Debug, Clone, Serialize)]
pub struct Sources {
    /// Whether shell histories are read at all (`history.enabled`).
    pub enabled: bool,
    /// Whether the list comes from `history.sources` in the config.
    pub configured: bool,
    /// The files.
    pub sources: Vec<SourceInfo>,
}

/// `history sources`: the files alpha reads and how far.
pub fn list_sources(ctx: &Context) -> Result<Sources> {
    let config = history_config(ctx);
    let known: Vec<(String, crate::store::history::SourceState)> = match ctx.existing_store()? {
        Some(store) => store.history_sources()?,
        None => Vec::new(),
    };
    let sources = sources::discover(config.sources.as_deref())
        .into_iter()
        .map(|s| {
            let path = s.path.display().to_string();
            let state = known.iter().find(|(p, _)| *p == path).map(|(_, state)| state);
            SourceInfo {
                origin: s.origin.to_string(),
                format: state.map(|st| st.format.clone()),
                commands: state.map_or(0, |st| st.commands),
                read_at: state.map(|st| st.read_at.clone()),
                path,
            }
        })
        .collect();
    Ok(Sources { enabled: config.enabled(), configured: config.sources.is_some(), sources })
}

/// `history read FILE`: what alpha reads from a file, without keeping it.
pub fn read_file(path: &std::path::Path, format: Option<HistoryFormat>) -> Result<HistoryImported> {
    let (entries, detected) = history::read(path, format).map_err(Error::usage)?;
    Ok(HistoryImported {
        path: path.display().to_string(),
        read: entries.len(),
        format: detected.as_str().to_string(),
        added: 0,
    })
}

/// Records a command the user ran in the chat shell (`!command`), for "save that as a workflow"
/// and for mining.
pub fn record_command(ctx: &Context, command: &str, cwd: Option<&str>, exit_code: i32, session: &str) -> Result<()> {
    let command = crate::proactive::redact::redact(command);
    ctx.store()?.record_command("repl", &command, cwd, Some(exit_code), session)
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
    let mut entries = store.history_entries()?;
    entries.extend(store.workflow_run_entries()?);
    if entries.len() < 2 {
        return Ok(Vec::new());
    }
    entries.sort_by_key(|e| e.time);
    Ok(suggest::for_library(Some(&store), &entries, &Options::default())?.0)
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
