//! Suggestions for a library: mine the history, leave out what saved workflows already do and
//! what the user declined.

use crate::error::Result;
use crate::proactive::history::Entry;
use crate::proactive::miner::{self, Options, Suggestion};
use crate::store::Store;

/// Suggestions from `entries`, without patterns saved workflows cover or the user accepted;
/// those the user dismissed ("never") come second, apart.
pub fn for_library(
    store: Option<&Store>,
    entries: &[Entry],
    options: &Options,
) -> Result<(Vec<Suggestion>, Vec<Suggestion>)> {
    let (covered, accepted, dismissed) = match store {
        Some(store) => {
            let covered: Vec<Vec<String>> =
                store.list(&[], None)?.iter().map(|l| miner::covered_commands(&l.saved.workflow)).collect();
            (covered, store.suggestions_in("accepted")?, store.suggestions_in("dismissed")?)
        }
        None => (Vec::new(), Vec::new(), Vec::new()),
    };
    let found = miner::mine(entries, options, &covered, &accepted);
    Ok(found.into_iter().partition(|s| !dismissed.contains(&s.signature())))
}

/// Story 2's words: "I noticed you've run 'git status && git pull && pytest' 5 times. …"
pub fn offer(suggestion: &Suggestion) -> String {
    let shown: Vec<String> = suggestion
        .commands
        .iter()
        .map(|c| {
            let mut text = c.clone();
            for (name, values) in &suggestion.parameters {
                text = text.replace(&format!("{{{{ {name} }}}}"), &values.default);
            }
            text
        })
        .collect();
    format!(
        "I noticed you've run '{}' {} times. Would you like me to create a workflow for this? (yes / yes, call it NAME / no / never)",
        shown.join(" && "),
        suggestion.occurrences
    )
}
