//! What the grammar knows of the saved workflows: their names and parameter names.

use super::*;

/// What the grammar knows of the library: names and each workflow's parameter names.
#[derive(Debug, Clone, Default)]
pub struct Library {
    /// Saved workflow names.
    pub names: Vec<String>,
    /// Parameter names by workflow name.
    pub params: IndexMap<String, Vec<String>>,
    /// The moment "yesterday" and "in the last 3 days" count from; `None` for the local clock.
    pub now: Option<chrono::DateTime<chrono::FixedOffset>>,
    /// Each name's words, split once on first use (a sentence tries many prefixes as names).
    words: std::sync::OnceLock<Vec<Vec<String>>>,
}

impl Library {
    /// A library of just these names.
    pub fn of(names: &[&str]) -> Self {
        Library { names: names.iter().map(|s| s.to_string()).collect(), ..Library::default() }
    }

    pub(crate) fn canonical(&self, typed: &str) -> String {
        let typed = unquote(typed.trim());
        self.resolve(typed).map_or_else(|| clean_name(typed), str::to_string)
    }

    /// The saved name `typed` refers to, else the words as typed (tidied).
    pub fn canonical_name(&self, typed: &str) -> String {
        self.canonical(typed)
    }

    /// The saved name `typed` refers to (see [`names::resolve`]).
    pub fn resolve(&self, typed: &str) -> Option<&str> {
        let split = self.words.get_or_init(|| self.names.iter().map(|n| names::words(n)).collect());
        if split.len() != self.names.len() {
            // Names were added after the first use: split them afresh.
            return names::resolve(typed, &self.names);
        }
        names::resolve_in(typed, &self.names, split)
    }

    /// The one saved workflow whose every word appears in `text` ("get my nightly backup going"
    /// mentions Nightly Backup); `None` when no name or more than one is mentioned.
    pub fn mentioned_in(&self, text: &str) -> Option<&str> {
        let said = names::words(text);
        let mut found = self.names.iter().filter(|name| {
            let wanted = names::words(name);
            !wanted.is_empty() && wanted.iter().all(|w| said.contains(w))
        });
        match (found.next(), found.next()) {
            (Some(only), None) => Some(only.as_str()),
            _ => None,
        }
    }

    /// Whether `typed` names a saved workflow.
    pub fn knows(&self, typed: &str) -> bool {
        self.resolve(unquote(typed.trim())).is_some()
    }
}
