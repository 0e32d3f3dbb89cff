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
}

impl Library {
    /// A library of just these names.
    pub fn of(names: &[&str]) -> Self {
        Library { names: names.iter().map(|s| s.to_string()).collect(), params: IndexMap::new(), now: None }
    }

    pub(crate) fn canonical(&self, typed: &str) -> String {
        let typed = unquote(typed.trim());
        names::resolve(typed, &self.names).map_or_else(|| clean_name(typed), str::to_string)
    }

    /// The saved name `typed` refers to, else the words as typed (tidied).
    pub fn canonical_name(&self, typed: &str) -> String {
        self.canonical(typed)
    }

    pub(crate) fn knows(&self, typed: &str) -> bool {
        names::resolve(unquote(typed.trim()), &self.names).is_some()
    }
}
