//! `parse`: the intent alpha understands from a sentence, with no side effects (design.md §6).

use super::Context;
use crate::error::Result;
use crate::grammar::{self, Intent, Library, Parsed, Source};

/// What the grammar knows of the library (empty when there is no database yet).
pub fn library(ctx: &Context) -> Library {
    let Ok(Some(store)) = ctx.existing_store() else { return Library::default() };
    let Ok(workflows) = store.parameter_names() else { return Library::default() };
    let mut library = Library::default();
    for (name, parameters) in workflows {
        library.params.insert(name.clone(), parameters);
        library.names.push(name);
    }
    library.now = now(ctx);
    library
}

/// The moment "yesterday" counts from: `ALPHA_NOW`'s clock when set, in local time.
fn now(ctx: &Context) -> Option<chrono::DateTime<chrono::FixedOffset>> {
    let clock = ctx.clock().ok()?;
    Some(clock.now().with_timezone(&chrono::Local).fixed_offset())
}

/// The grammar's reading of `utterance`; what it can't parse goes to the LLM when one is
/// configured.
pub fn parse(ctx: &Context, utterance: &str) -> Result<Parsed> {
    let library = library(ctx);
    Ok(match grammar::parse(utterance, &library) {
        Intent::Unknown { did_you_mean } => match crate::llm::intent::from_llm(utterance, &library, &[])? {
            Some(intent) => Parsed { intent, source: Source::Llm },
            None => Parsed { intent: Intent::Unknown { did_you_mean }, source: Source::Grammar },
        },
        intent => Parsed { intent, source: Source::Grammar },
    })
}
