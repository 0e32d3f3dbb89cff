//! Phrases the chat shell acts on beyond the CLI's commands: changes in words, "how can I make
//! X faster", "use the backup template", "save that as a workflow", "run the rest". They are
//! rules of the grammar like any other, so `alpha parse` shows what the shell will do.

use regex::Regex;

use super::super::*;

/// A saved workflow's name, or "it" (the one the conversation is about, resolved by the chat).
fn known_or_it(library: &Library, typed: &str) -> Option<String> {
    let typed = typed.trim();
    if matches!(typed.to_lowercase().as_str(), "it" | "that" | "this") {
        return Some(typed.to_lowercase());
    }
    library.knows(typed).then(|| library.canonical(typed))
}

fn captures<'t>(pattern: &str, text: &'t str) -> Option<regex::Captures<'t>> {
    Regex::new(pattern).ok()?.captures(text)
}

/// "add a notification step to Backup Files", "make Deploy retry the pull 5 times", "remove the
/// lint step from CI".
pub(crate) fn change(text: &str, _: &str, library: &Library) -> Option<Intent> {
    let line = text.trim().trim_end_matches(['.', '!']);
    let (workflow, change) = if let Some(c) = captures(
        r"(?i)^(?:please )?add (?:a |an |another )?(.+?)(?: step)? (?:to|in|into) (?:the )?(.+?)(?: workflow)?$",
        line,
    ) {
        (c[2].to_string(), Change::Add { what: c[1].to_string() })
    } else if let Some(c) = captures(
        r"(?i)^(?:please )?make (?:the )?(.+?)(?: workflow)? retry (?:the )?(.+?)(?: step)? (\d+) times$",
        line,
    ) {
        (c[1].to_string(), Change::Retry { step: c[2].to_string(), times: c[3].parse().ok()? })
    } else if let Some(c) = captures(
        r"(?i)^(?:please )?(?:remove|drop|delete) (?:the )?(.+?)(?: step)? from (?:the )?(.+?)(?: workflow)?$",
        line,
    ) {
        (c[2].to_string(), Change::Remove { step: c[1].to_string() })
    } else {
        return None;
    };
    Some(Intent::Change { workflow: known_or_it(library, &workflow)?, change })
}

/// "how can I make the backup faster?"
pub(crate) fn optimize(text: &str, _: &str, library: &Library) -> Option<Intent> {
    let c = captures(
        r"(?i)^how (?:can|could|do|should) i (?:make|speed up|improve|optimi[sz]e) (?:the )?(.+?)(?: workflow)?(?: faster| better| quicker| more reliable)?\??$",
        text.trim(),
    )?;
    Some(Intent::Optimize { workflow: known_or_it(library, &c[1])? })
}

/// "use the backup template", "start from the email digest template as Inbox".
pub(crate) fn use_template(text: &str, _: &str, _: &Library) -> Option<Intent> {
    let c = captures(
        r"(?i)^(?:please )?(?:use|start from|copy|install) (?:the )?(.+?) template(?: as (.+))?$",
        text.trim().trim_end_matches(['.', '!']),
    )?;
    Some(Intent::UseTemplate { template: c[1].to_string(), name: c.get(2).map(|m| m.as_str().to_string()) })
}

/// "save the last 3 commands as a workflow called Sync", "save that as a workflow".
pub(crate) fn save_recent(text: &str, _: &str, _: &Library) -> Option<Intent> {
    let c = captures(
        r"(?i)^(?:please )?(?:save|turn|make|keep)\s+(?:the\s+)?(?:last\s+(\w+)\s+commands?|last\s+command|that|this|these|those|what i (?:just )?did|them)(?:\s+commands?)?\s+(?:as|into)\s+(?:a\s+)?(?:new\s+)?workflow(?:\s+(?:called|named)\s+(.+?))?[.!]?$",
        text.trim(),
    )?;
    let count = match c.get(1).map(|m| m.as_str().to_lowercase()) {
        None => 0,
        Some(word) => word.parse().ok().or_else(|| number_word(&word))?,
    };
    let name = c.get(2).map(|m| m.as_str().trim().trim_matches(['"', '\'']).to_string()).filter(|n| !n.is_empty());
    Some(Intent::SaveRecent { count, name })
}

fn number_word(word: &str) -> Option<usize> {
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
        .iter()
        .position(|w| *w == word)
}

/// "run the rest", "finish it".
pub(crate) fn run_rest(_: &str, lower: &str, _: &Library) -> Option<Intent> {
    matches!(
        lower.trim_end_matches(['.', '!']),
        "run the rest" | "yes, run the rest" | "run the rest of it" | "finish it"
    )
    .then_some(Intent::RunRest)
}
