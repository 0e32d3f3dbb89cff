//! `alpha suggest` and `alpha history import`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use crate::error::{Error, Result, exit};
use crate::proactive::history::{self, HistoryFormat};
use crate::proactive::miner::Options;
use crate::proactive::suggest;
use crate::store::Store;

fn format(name: Option<&str>) -> Result<Option<HistoryFormat>> {
    name.map(|n| {
        HistoryFormat::parse(n).ok_or_else(|| {
            Error::usage_with(format!("unknown history format `{n}`"), "use bash, zsh, fish, atuin or plain")
        })
    })
    .transpose()
}

/// `alpha suggest [--from FILE|-] [--format F] [--json]`
pub fn suggest(db: &Path, from: Option<&Path>, format_name: Option<&str>, json: bool) -> Result<i32> {
    let format = format(format_name)?;
    let piped = from.is_none() && !std::io::stdin().is_terminal();
    let store = if db.exists() { Some(Store::open(db)?) } else { None };
    let piped_entries = if piped { history::read(Path::new("-"), format).map_err(Error::usage)?.0 } else { Vec::new() };
    let entries = match (from, !piped_entries.is_empty()) {
        (Some(path), _) => history::read(path, format).map_err(Error::usage)?.0,
        (None, true) => piped_entries,
        (None, false) => {
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
    let found = suggest::for_library(store.as_ref(), &entries, &Options::default())?;
    if json {
        super::output::print_json(&found);
        return Ok(exit::OK);
    }
    if found.is_empty() {
        println!(
            "No repeated command sequences yet (a pattern needs 3 runs within 7 days; {} commands read).",
            entries.len()
        );
        return Ok(exit::OK);
    }
    for (n, suggestion) in found.iter().enumerate() {
        let window = match (&suggestion.first_seen, &suggestion.last_seen) {
            (Some(first), Some(last)) => format!(" between {} and {}", &first[..10], &last[..10]),
            _ => String::new(),
        };
        println!("{}. {} ({} times{window})", n + 1, suggestion.suggested_name, suggestion.occurrences);
        for command in &suggestion.commands {
            println!("     $ {command}");
        }
        for (name, values) in &suggestion.parameters {
            println!("     parameter {name} (default: {}; seen: {})", values.default, values.values.join(", "));
        }
    }
    println!("\nAccept one in the chat shell (`alpha`), which offers them one at a time.");
    Ok(exit::OK)
}

/// `alpha history import [--from FILE] [--format F]`
pub fn import(db: &Path, from: Option<PathBuf>, format_name: Option<&str>) -> Result<i32> {
    let format = format(format_name)?;
    let sources: Vec<(PathBuf, Option<HistoryFormat>)> = match from {
        Some(path) => vec![(path, format)],
        None => history::default_sources().into_iter().map(|(p, f)| (p, Some(format.unwrap_or(f)))).collect(),
    };
    if sources.is_empty() {
        println!("No shell history found (looked for bash, zsh, fish and atuin histories). Pass --from FILE.");
        return Ok(exit::OK);
    }
    let mut store = Store::open(db)?;
    for (path, format) in sources {
        let (entries, detected) = history::read(&path, format).map_err(Error::usage)?;
        let added = store.import_history(detected.as_str(), &entries)?;
        println!("{}: {} commands read ({}), {added} new", path.display(), entries.len(), detected.as_str());
    }
    Ok(exit::OK)
}
