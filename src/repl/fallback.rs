//! Lines the grammar cannot read: the LLM when one is configured (its proposals confirmed
//! first), else "did you mean".

use super::session::{Ask, Session, yes};
use crate::error::{Result, exit};
use crate::grammar::Intent;
use std::io::Write;

impl Session {
    /// A line the grammar didn't understand: the LLM when configured, else "did you mean".
    pub(super) fn fallback(&mut self, line: &str, did_you_mean: &[String], ask: &mut Ask<'_>) -> Result<i32> {
        let library = self.library();
        let endpoint = crate::llm::endpoint()?;
        if endpoint.is_none() {
            if did_you_mean.is_empty() {
                crate::outln!("I didn't understand that. Type /help to see what I can do.");
            } else {
                crate::outln!(
                    "I didn't understand that. Did you mean: {}?",
                    did_you_mean.iter().map(|d| format!("\"{d}\"")).collect::<Vec<_>>().join(" or ")
                );
            }
            return Ok(exit::USAGE);
        }
        let intent = match crate::llm::intent::from_llm(line, &library) {
            Ok(Some(intent)) => intent,
            Ok(None) => Intent::Unknown { did_you_mean: Vec::new() },
            Err(error) => {
                crate::outln!("I didn't understand that, and the LLM could not help: {error}");
                return Ok(exit::USAGE);
            }
        };
        match intent {
            Intent::Unknown { did_you_mean } => {
                if let Some(reason) = did_you_mean.first().filter(|r| r.contains("workflow") || r.contains("parameter"))
                {
                    crate::outln!("I couldn't match that to your workflows ({reason}).");
                }
                self.answer(line)
            }
            Intent::Quit => Ok(exit::OK),
            intent => {
                let reading = crate::terminal::intent::describe(&intent);
                let changes = !matches!(
                    intent,
                    Intent::List { .. }
                        | Intent::Show { .. }
                        | Intent::History { .. }
                        | Intent::Help
                        | Intent::Validate { .. }
                );
                if changes && !yes(ask(&format!("I understood: {reading}. Go ahead? [y/N] "))) {
                    crate::outln!("OK, nothing done.");
                    return Ok(exit::OK);
                }
                if !changes {
                    crate::outln!("({reading})");
                }
                self.act(intent, ask)
            }
        }
    }

    /// A conversational answer, streamed as it arrives.
    pub(super) fn answer(&self, question: &str) -> Result<i32> {
        let Some(endpoint) = crate::llm::endpoint()? else { return Ok(exit::USAGE) };
        let system = include_str!("../../prompts/chat.txt");
        let mut stdout = std::io::stdout();
        crate::llm::stream_chat(&endpoint, system, question, |piece| {
            let _ = stdout.write_all(piece.as_bytes());
            let _ = stdout.flush();
        })?;
        crate::outln!();
        Ok(exit::OK)
    }
}
