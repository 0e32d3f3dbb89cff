//! The command grammar: an utterance (plain language or a slash command) to an [`Intent`]
//! (design.md §6). `grammar/grammar.ebnf` documents it; `grammar/corpus/*.tsv` tests it.
//!
//! Keywords and time phrases are parsed with nom on an ASCII-lowercased copy, which keeps byte
//! offsets, so names and values are cut from the original text with their case intact.

mod intent;
mod lexicon;
mod library;
pub mod names;
mod params;
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

/// One way of reading an utterance: (original text, lowercase text, library) → intent.
type Rule = fn(&str, &str, &Library) -> Option<Intent>;

/// Parses an utterance with no side effects.
pub fn parse(utterance: &str, library: &Library) -> Intent {
    let text = utterance.trim();
    if let Some(slash) = text.strip_prefix('/') {
        return slash_command(slash, library);
    }
    if let Some(command) = text.strip_prefix('!') {
        return Intent::Shell { command: command.trim().to_string() };
    }
    // Phrases whose words matter to the end ("… faster?", "… for me") are read before the
    // courtesy words are stripped.
    let chat: &[Rule] = &[run_rest, save_recent, optimize, use_template, change];
    let lower = text.to_ascii_lowercase();
    for rule in chat {
        if let Some(intent) = rule(text, &lower, library) {
            return intent;
        }
    }
    let text = strip_courtesy(text);
    if text.is_empty() {
        return Intent::Help;
    }
    let lower = text.to_ascii_lowercase();
    let parsers: &[Rule] =
        &[simple, list, history, unschedule, create, schedule, file_command, export, manage, run, bare_name];
    for parser in parsers {
        if let Some(intent) = parser(text, &lower, library) {
            return intent;
        }
    }
    Intent::Unknown { did_you_mean: suggestions(&lower, library) }
}
