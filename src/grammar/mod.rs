//! The command grammar: an utterance (plain language or a slash command) to an [`Intent`]
//! (design.md §6). `grammar/grammar.ebnf` documents it; `grammar/corpus/*.tsv` tests it.
//!
//! Keywords and time phrases are parsed with nom on an ASCII-lowercased copy, which keeps byte
//! offsets, so names and values are cut from the original text with their case intact.

pub mod answer;
mod intent;
mod lexicon;
mod library;
pub mod names;
mod params;
mod paraphrase;
mod rules;
mod slash;
mod suggest;
pub mod time;

pub use intent::{Change, Intent, Parsed, Source};
use lexicon::*;
pub use library::Library;
use params::*;
use rules::*;
use slash::*;
pub use suggest::suggestions;

use indexmap::IndexMap;
use nom::Parser;
use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::character::complete::{multispace0, satisfy};
use nom::combinator::{not, opt};
use nom::sequence::terminated;
use serde::{Deserialize, Serialize};

/// `text` without the CLI's output flags (`--json`, `--quiet`, `-v` …), which a chat has no use for.
fn without_output_flags(text: &str) -> String {
    const OUTPUT_FLAGS: &[&str] = &["--json", "--plain", "--quiet", "-q", "--verbose", "-v", "--no-color", "--color"];
    if !text.contains(" -") {
        return text.to_string();
    }
    text.split(' ').filter(|word| !OUTPUT_FLAGS.contains(word)).collect::<Vec<_>>().join(" ").trim().to_string()
}

/// One way of reading an utterance: (original text, lowercase text, library) → intent.
type Rule = fn(&str, &str, &Library) -> Option<Intent>;

/// Compiles the grammar's patterns (some hundreds of regular expressions, compiled on first
/// use: about 50 ms) by reading a line no rule takes. The chat calls it in the background once
/// its prompt is shown, so the first line typed reads as fast as the rest.
pub fn warm_up() {
    let library = Library::of(&["Warm Up"]);
    for line in ["zqx wibble flob", "run warm up every day at 9am with a=b", "make step 2 of warm up retry 3 times"] {
        let _ = parse(line, &library);
    }
}

/// Parses an utterance with no side effects.
pub fn parse(utterance: &str, library: &Library) -> Intent {
    let mut intent = parse_without_flags(utterance, library);
    // "show me the last 5 runs": the count is read from the line as typed, whichever rule or
    // rewrite read the rest of it.
    if let Intent::History { limit: limit @ None, .. } = &mut intent {
        *limit = rules::asked_count(utterance);
    }
    intent
}

/// [`parse`], and once more without the CLI's output flags when the line did not read.
fn parse_without_flags(utterance: &str, library: &Library) -> Intent {
    let intent = parse_as_typed(utterance, library);
    // "show email digest --json": the CLI's output flags mean nothing in a chat, but only a
    // request that reads is read without them ("… to run cargo test --quiet" keeps its flag).
    if matches!(intent, Intent::Unknown { .. }) {
        let plain = without_output_flags(utterance.trim());
        if plain != utterance.trim() && !plain.is_empty() {
            let reading = parse_as_typed(&plain, library);
            if reading.only_reads() && !matches!(reading, Intent::Unknown { .. }) {
                return reading;
            }
        }
    }
    intent
}

fn parse_as_typed(utterance: &str, library: &Library) -> Intent {
    let text = utterance.trim();
    if let Some(slash) = text.strip_prefix('/') {
        return slash_command(slash, library);
    }
    if let Some(command) = text.strip_prefix('!') {
        return Intent::Shell { command: command.trim().to_string() };
    }
    if let Some(rewritten) = paraphrase::early(&text.to_ascii_lowercase())
        && let Some(intent) = reread(&rewritten, library)
        && names_a_saved_workflow(&intent, library)
    {
        return restore_case(intent, text);
    }
    // Phrases whose words matter to the end ("… faster?", "… for me") are read before the
    // courtesy words are stripped.
    let chat: &[Rule] =
        &[thanks, help_in_courtesy_words, run_rest, save_recent, optimize, use_template, change, create_in_other_words];
    let lower = text.to_ascii_lowercase();
    for rule in chat {
        if let Some(intent) = rule(text, &lower, library) {
            return intent;
        }
    }
    // Follow-ups keep "again", which is only courtesy elsewhere.
    let kept = strip_courtesy_keeping(text, &["again", "thanks", "thank you"]);
    let kept_lower = kept.to_ascii_lowercase();
    let follow_ups: &[Rule] = &[thanks, rerun, explain, schedules, templates];
    // A follow-up on a name nothing saved bears ("rerun the election") is refused unless another
    // reading below (a paraphrase) finds a saved one.
    let mut refused = None;
    for rule in follow_ups {
        if let Some(intent) = rule(kept, &kept_lower, library) {
            match on_a_real_name(intent, &kept_lower, library) {
                unknown @ Intent::Unknown { .. } => {
                    refused = Some(unknown);
                    break;
                }
                intent => return intent,
            }
        }
    }
    let original_lower = lower;
    let text = strip_courtesy(text);
    if text.is_empty() {
        return Intent::Help;
    }
    let lower = text.to_ascii_lowercase();
    let parsers: &[Rule] = &[
        simple,
        rollback,
        rename,
        list,
        history,
        unschedule,
        create,
        schedule,
        validate_question,
        file_command,
        export,
        manage,
        run,
        bare_name,
        name_first,
        get_going,
        by_what_it_does,
    ];
    // "I need to run errands", "we have to delete the old photos": a sentence about the speaker
    // is a command only on something saved.
    let about_the_speaker = speaks_of_self(&original_lower);
    for parser in parsers {
        if let Some(intent) = parser(text, &lower, library) {
            let intent = if about_the_speaker && !names_a_saved_workflow(&intent, library) {
                Intent::Unknown { did_you_mean: Vec::new() }
            } else {
                on_a_real_name(intent, &lower, library)
            };
            match intent {
                unknown @ Intent::Unknown { .. } => {
                    refused = refused.or(Some(unknown));
                    break;
                }
                intent => return intent,
            }
        }
    }
    // Said in other words, once: without the courtesy words, or as typed when those words were
    // the shape's own ("go back to version 2 of X" starts with a "go" that is filler elsewhere).
    let as_typed = (original_lower.trim() != lower).then_some(original_lower.trim());
    for said in std::iter::once(lower.as_str()).chain(as_typed) {
        if let Some(rewritten) = paraphrase::paraphrase(said)
            && let Some(intent) = reread(&rewritten, library)
            && !matches!(intent, Intent::Unknown { .. })
            && (!paraphrase::is_early(said) || names_a_saved_workflow(&intent, library))
        {
            return restore_case(intent, utterance);
        }
    }
    if let Some(refused) = refused {
        return refused;
    }
    let did_you_mean = suggestions(&lower, library);
    // A misspelt command word ("lsit workflows", "hisotry"): what only reads is read at once;
    // anything else stays a "did you mean", answered with yes.
    if let Some(corrected) = did_you_mean.first()
        && corrected.split_whitespace().next() != lower.split_whitespace().next()
        && !corrected.starts_with('/')
    {
        let intent = parse_without_correction(corrected, library);
        if intent.only_reads() {
            return intent;
        }
    }
    Intent::Unknown { did_you_mean }
}

/// A line said in other words was lowercased; the values it carries (a file's path, a branch, a
/// name, a command) get back the case they were typed in.
fn restore_case(mut intent: Intent, typed: &str) -> Intent {
    let lower = typed.to_ascii_lowercase();
    let restore = |value: &mut String| {
        if value.is_empty() || *value != value.to_ascii_lowercase() {
            return;
        }
        // ASCII lowercasing keeps byte offsets, so the match is cut from the line as typed.
        if let Some(at) = lower.find(value.as_str())
            && let Some(original) = typed.get(at..at + value.len())
        {
            *value = original.to_string();
        }
    };
    match &mut intent {
        Intent::Import { file } | Intent::Validate { file } => restore(file),
        Intent::Export { file: Some(file), .. } => restore(file),
        Intent::Run { params, .. } | Intent::Rerun { params, .. } | Intent::Schedule { params, .. } => {
            params.values_mut().for_each(restore);
        }
        Intent::Create { name, description, .. } => {
            name.iter_mut().chain(description.iter_mut()).for_each(restore);
        }
        Intent::UseTemplate { name: Some(name), .. } | Intent::SaveRecent { name: Some(name), .. } => restore(name),
        Intent::Rename { to, .. } => restore(to),
        Intent::Change { change, .. } => match change {
            Change::Add { what } => restore(what),
            Change::Command { command, .. } => restore(command),
            Change::Rename { to, .. } => restore(to),
            Change::Retry { .. } | Change::Remove { .. } | Change::Timeout { .. } => {}
        },
        _ => {}
    }
    intent
}

thread_local! {
    /// A line said in other words is read once more, never rewritten again.
    static REWRITING: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// [`parse`] of a line said in other words; `None` when this line is itself a rewrite.
fn reread(rewritten: &str, library: &Library) -> Option<Intent> {
    if REWRITING.with(|r| r.replace(true)) {
        return None;
    }
    let intent = parse(rewritten, library);
    REWRITING.with(|r| r.set(false));
    Some(intent)
}

/// [`parse`] of a line already corrected once (no second correction).
fn parse_without_correction(line: &str, library: &Library) -> Intent {
    match parse(line, library) {
        Intent::Unknown { .. } => Intent::Unknown { did_you_mean: Vec::new() },
        intent => intent,
    }
}

/// "delete my emails", "delete the evidence": something of the user's, or one plain noun, that
/// the library doesn't know (a workflow is named, or called a workflow: "delete the old workflow").
fn possessed_or_plain_noun(lower: &str, name: &str) -> bool {
    lower.contains(" my ")
        || (!lower.contains("workflow")
            && (lower.contains(" the ") || lower.contains(" of "))
            && name.split_whitespace().count() <= 3)
}

/// "that one", "this workflow", "the same one": a reference, not a name.
fn is_the_one_talked_about(typed: &str) -> bool {
    let lower = typed.trim().to_ascii_lowercase();
    matches!(
        lower.trim_end_matches(" workflow").trim_end_matches(" one"),
        "that" | "this" | "the same" | "same" | "the last" | "the latest" | "the previous"
    )
}

/// "i need to …", "we have to …", "i'm going to …": the line speaks of its speaker.
fn speaks_of_self(lower: &str) -> bool {
    let first = lower.split_whitespace().next().unwrap_or("");
    matches!(first, "i" | "i'm" | "im" | "i've" | "i'll" | "we" | "we're" | "we've" | "we'll")
}

/// The intent acts on a workflow the library has (or on the one the conversation is about).
fn names_a_saved_workflow(intent: &Intent, library: &Library) -> bool {
    match intent {
        Intent::Run { workflow, .. }
        | Intent::Show { workflow }
        | Intent::Edit { workflow }
        | Intent::Delete { workflow }
        | Intent::Versions { workflow }
        | Intent::Unschedule { workflow }
        | Intent::Schedule { workflow, .. } => workflow == "it" || library.knows(workflow),
        Intent::Unknown { .. } => false,
        _ => true,
    }
}

/// An action on a name that is no saved workflow and doesn't read as one ("show me how to make
/// coffee", "delete everything I ever did") is not a command: it is left alone.
fn on_a_real_name(mut intent: Intent, lower: &str, library: &Library) -> Intent {
    // "edit that one", "delete this workflow": the one the conversation is about.
    let shows = matches!(intent, Intent::Show { .. });
    if let Intent::Show { workflow } | Intent::Edit { workflow } | Intent::Delete { workflow } | Intent::Export { workflow, .. } | Intent::Unschedule { workflow } | Intent::Rollback { workflow, .. } | Intent::Schedule { workflow, .. } = &mut intent
        && workflow != "it"
        && !library.knows(workflow)
        && is_the_one_talked_about(workflow)
        // "how does this work?" (said as "show this") asks about alpha, not about a workflow.
        && !(shows && matches!(workflow.as_str(), "this" | "that"))
    {
        *workflow = "it".to_string();
    }
    let named = match &intent {
        Intent::Run { workflow, .. }
        | Intent::Show { workflow }
        | Intent::Edit { workflow }
        | Intent::Delete { workflow }
        | Intent::Export { workflow, .. }
        | Intent::Unschedule { workflow }
        | Intent::Rollback { workflow, .. }
        | Intent::Schedule { workflow, .. } => Some(workflow),
        Intent::History { workflow: Some(workflow), .. }
        | Intent::Logs { workflow: Some(workflow), .. }
        | Intent::Versions { workflow }
        | Intent::Schedules { workflow: Some(workflow) }
        | Intent::Explain { workflow: Some(workflow), .. }
        | Intent::Rerun { workflow: Some(workflow), .. } => Some(workflow),
        _ => None,
    };
    // Verbs that are everyday English ("open the door", "tell me about yourself") act only on a
    // name the library knows.
    const EVERYDAY: &[&str] = &[
        "open",
        "do",
        "go",
        "use",
        "call",
        "tell",
        "look",
        "check",
        "view",
        "print",
        "begin",
        "see",
        "explain",
        "running",
        "starting",
        "executing",
        "kicking",
        "showing",
    ];
    let first = lower.split_whitespace().next().unwrap_or("");
    match named {
        // "delete my browser history": something of mine the library doesn't know is not a
        // workflow; "did you mean" offers the close ones.
        Some(name)
            if name != "it"
                // A file is shown, validated or run as it is; it is never deleted.
                && (!looks_like_path(name) || matches!(intent, Intent::Delete { .. }))
                && !library.knows(name)
                && (!rules::looks_like_a_name(name)
                    || EVERYDAY.contains(&first)
                    // "start my car", "edit my resume": something of mine that is no workflow.
                    || (lower.contains(" my ") && !lower.contains("workflow"))
                    // "what happened in 1969", "rerun the election": only a saved workflow has
                    // a failure to explain or a run to repeat.
                    || matches!(intent, Intent::Explain { .. } | Intent::Rerun { .. })
                    // "logs of my day", "versions of python": only a saved workflow has them.
                    // "go back to version 2 of windows": only a saved workflow has versions.
                    || matches!(
                        intent,
                        Intent::Logs { .. } | Intent::Versions { .. } | Intent::Schedules { .. } | Intent::Rollback { .. }
                    )
                    // "what does rm -rf do", "how does git work": a question about anything
                    // else in the world is not one about a workflow.
                    || (matches!(intent, Intent::Show { .. }) && matches!(first, "what" | "how" | "what's" | "whats"))
                    || (matches!(intent, Intent::Delete { .. }) && name.split_whitespace().any(looks_like_path))
                    || matches!(
                        intent,
                        Intent::Delete { .. }
                            | Intent::History { .. }
                            | Intent::Edit { .. }
                            | Intent::Show { .. }
                            | Intent::Run { .. }
                    ) && possessed_or_plain_noun(lower, name)) =>
        {
            Intent::Unknown { did_you_mean: suggestions(lower, library) }
        }
        _ => intent,
    }
}
