//! "Did you mean …" for an utterance the grammar could not read.

use super::*;

/// "Did you mean" phrasings for an utterance the grammar could not parse.
pub fn suggestions(lower: &str, library: &Library) -> Vec<String> {
    let lower = lower.trim();
    let first = lower.split_whitespace().next().unwrap_or("");
    let rest = lower[first.len()..].trim();
    let verbs = [
        "run", "list", "show", "edit", "delete", "schedule", "history", "export", "import", "validate", "create",
        "suggest", "help",
    ];
    // Question words are English, not misspelled commands.
    let question = matches!(
        first,
        "how" | "what" | "why" | "when" | "who" | "where" | "which" | "is" | "are" | "can" | "do" | "does"
    );
    let mut out = Vec::new();
    let name = library.resolve(rest);
    if !question && let Some(verb) = crate::diagnostic::did_you_mean(first, verbs) {
        out.push(match (name, rest.is_empty()) {
            (Some(name), _) => format!("{verb} {name}"),
            (None, true) => verb,
            (None, false) => format!("{verb} {rest}"),
        });
    }
    if out.is_empty()
        && let Some(name) = library.resolve(lower).or(name)
    {
        out.push(format!("run {name}"));
    }
    // Never offer back what was typed.
    let typed = names::words(lower);
    out.retain(|o| names::words(o) != typed);
    out
}
