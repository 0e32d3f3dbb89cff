//! One rule per family of intents, tried in order by [`super::parse`].

mod chat;
mod conversation;
mod create;
mod files;
mod history;
mod list;
mod manage;
mod run;
mod schedule;
mod simple;

pub(crate) use chat::*;
pub(crate) use conversation::*;
pub(crate) use create::*;
pub(crate) use files::*;
pub(crate) use history::*;
pub(crate) use list::*;
pub(crate) use manage::*;
pub(crate) use run::*;
pub(crate) use schedule::*;
pub(crate) use simple::*;

/// A rule's phrase as a whole-line, case-insensitive regex. The patterns are constants: one
/// that does not compile is a bug the corpus test finds at once.
pub(crate) fn anchored(source: &str) -> regex::Regex {
    regex::Regex::new(&format!("(?i)^{source}$")).unwrap_or_else(|e| panic!("pattern {source}: {e}"))
}

/// [`anchored`] for each of a rule's phrasings, tried in order.
pub(crate) fn anchored_all(sources: &[&str]) -> Vec<regex::Regex> {
    sources.iter().map(|source| anchored(source)).collect()
}
