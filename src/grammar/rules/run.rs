//! "run deploy pipeline with branch dev", or a saved workflow's name alone.

use super::super::*;

/// `run X`, `start X with branch=dev`, `execute X on branch dev`.
pub(crate) fn run(text: &str, lower: &str, library: &Library) -> Option<Intent> {
    let mut rest = None;
    for verb in RUN_VERBS.iter().copied() {
        if let Ok((after, _)) = token(verb).parse(lower) {
            rest = Some(after);
            break;
        }
    }
    let rest = rest?;
    let body = original(text, lower, rest).trim();
    if body.is_empty() {
        return None;
    }
    let (name, params) = split_name_and_params(body, library)?;
    // "run that", "run this": the workflow the conversation is about.
    if matches!(name.to_ascii_lowercase().as_str(), "it" | "that" | "this" | "that one" | "this one") {
        return Some(Intent::Run { workflow: "it".into(), params });
    }
    Some(Intent::Run { workflow: library.canonical(&name), params })
}

/// An utterance that is only a workflow name runs it ("backup files").
pub(crate) fn bare_name(text: &str, _: &str, library: &Library) -> Option<Intent> {
    let (name, params) = split_name_and_params(text, library)?;
    library.knows(&name).then(|| Intent::Run { workflow: library.canonical(&name), params })
}
