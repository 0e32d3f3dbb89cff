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
            return self.did_you_mean(line, did_you_mean, ask);
        }
        let intent = match crate::llm::intent::from_llm(line, &library, &self.turns) {
            Ok(Some(intent)) => intent,
            Ok(None) => Intent::Unknown { did_you_mean: Vec::new() },
            Err(error) => {
                crate::outln!("The LLM could not help ({error}).");
                // The grammar's best guess, confirmed like any other.
                return self.did_you_mean(line, did_you_mean, ask);
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
                let changes = !intent.only_reads();
                if changes && !yes(ask(&format!("I understood: {reading}. Go ahead? [y/N] "))) {
                    crate::outln!("OK, nothing done.");
                    return Ok(exit::OK);
                }
                if !changes {
                    crate::outln!("({reading})");
                    if let Some(results) = self.read_only_report(&intent) {
                        crate::out!("{results}");
                        return self.answer_from(line, &results);
                    }
                }
                // The user said yes to the reading shown: no second question about the name.
                self.confirmed = true;
                self.act(intent, ask)
            }
        }
    }

    /// No LLM: offer the closest readings (never the text typed) and act on the one the user
    /// picks; a bare command word asks which workflow.
    fn did_you_mean(&mut self, line: &str, did_you_mean: &[String], ask: &mut Ask<'_>) -> Result<i32> {
        let typed = crate::grammar::names::words(line);
        let library = self.library();
        let offers: Vec<&String> = did_you_mean
            .iter()
            .filter(|d| crate::grammar::names::words(d) != typed)
            .filter(|d| !matches!(crate::grammar::parse(d, &library), Intent::Unknown { .. }))
            .collect();
        if offers.is_empty()
            && let Some(code) = self.schedule_without_a_time(line, ask)
        {
            return code;
        }
        if offers.is_empty() {
            let names: Vec<&str> = library.names.iter().take(8).map(String::as_str).collect();
            let known = if names.is_empty() {
                "You have no saved workflows yet: say \"create a workflow that …\".".to_string()
            } else {
                format!("You have: {}.", names.join(", "))
            };
            if let Some(verb) = bare_verb(line) {
                crate::outln!("{verb} which workflow? e.g. \"{verb} NAME\". {known}");
            } else if starts_with_a_command_verb(line) {
                // "run greet for Bob" with no "greet" saved: say what there is, not "didn't understand".
                crate::outln!("I didn't find one of your workflows in that. {known} Type /help to see what I can do.");
            } else {
                crate::outln!("I didn't understand that. Type /help to see what I can do.");
            }
            return Ok(exit::USAGE);
        }
        let chosen = if offers.len() == 1 {
            yes(ask(&format!("Did you mean \"{}\"? [y/N] ", offers[0]))).then(|| offers[0].clone())
        } else {
            let listed: Vec<String> = offers.iter().enumerate().map(|(i, o)| format!("{}) \"{o}\"", i + 1)).collect();
            let answer = ask(&format!("Did you mean {}? [number or no] ", listed.join(" or ")));
            answer
                .and_then(|a| a.trim().trim_end_matches(')').parse::<usize>().ok())
                .and_then(|n| offers.get(n.wrapping_sub(1)).map(|o| (*o).clone()))
        };
        let Some(chosen) = chosen else {
            crate::outln!("OK, nothing done.");
            // The line itself was not understood.
            return Ok(exit::USAGE);
        };
        self.line = chosen.clone();
        self.confirmed = true;
        let intent = crate::grammar::parse(&chosen, &library);
        self.act(intent, ask)
    }

    /// "schedule email digest" with no time said: asks when, and schedules it with the answer
    /// when that is a time ("every weekday at 9am"); `None` when the line is something else.
    fn schedule_without_a_time(&mut self, line: &str, ask: &mut Ask<'_>) -> Option<Result<i32>> {
        let library = self.library();
        let line = line.trim().trim_end_matches(['.', '!', '?']);
        let typed = line.get(..9).filter(|verb| verb.eq_ignore_ascii_case("schedule ")).and(line.get(9..))?.trim();
        let name = library.resolve(typed)?.to_string();
        let answer = ask(&format!("When should '{name}' run? (e.g. \"every weekday at 9am\", \"daily at 2am\") "))?;
        let when = answer.trim();
        let request = format!("schedule {name} {when}");
        match crate::grammar::parse(&request, &library) {
            intent @ Intent::Schedule { .. } if !when.is_empty() => {
                self.line = request;
                Some(self.act(intent, ask))
            }
            _ => {
                crate::outln!(
                    "\"{when}\" is not a time I can schedule. Say e.g. \"schedule {name} every night at 2am\"."
                );
                Some(Ok(exit::USAGE))
            }
        }
    }

    /// The text of a read-only command the LLM chose, for the model to answer from.
    fn read_only_report(&self, intent: &Intent) -> Option<String> {
        use crate::commands::{history, library};
        use crate::terminal::{Output, text};
        match intent {
            Intent::List { tags, search } => {
                let request = library::ListRequest { tags: tags.clone(), search: search.clone() };
                let rows = library::list(&self.ctx, &request).ok()?;
                Some(text::list(&rows, !tags.is_empty() || search.is_some(), Output::detect()))
            }
            Intent::History { workflow, status, since, limit } => {
                let workflow = self.follow_up_scope(workflow.as_deref(), false).ok()?;
                let request = self.history_request(None, status.as_deref(), since.as_deref(), *limit).ok()?;
                let request = history::HistoryRequest { workflow, ..request };
                Some(text::history(&history::runs(&self.ctx, &request).ok()?))
            }
            Intent::Schedules { workflow } => {
                let name = self.follow_up_scope(workflow.as_deref(), false).ok()?;
                Some(text::schedule_status(&self.schedule_rows(name.as_deref()).ok()?))
            }
            Intent::Explain { workflow, run } => {
                let name = self.follow_up_scope(workflow.as_deref(), false).ok()?;
                Some(text::explanation(&history::explain(&self.ctx, name.as_deref(), run.as_deref()).ok()?))
            }
            _ => None,
        }
    }

    /// The model's answer to `question` from `results`, streamed; the results stand alone when
    /// it can't answer.
    fn answer_from(&self, question: &str, results: &str) -> Result<i32> {
        let system = include_str!("../../prompts/answer.txt");
        let user = format!("Question: {question}\n\nOutput of alpha's command:\n{results}");
        match self.stream_answer(system, &user) {
            Ok(_) => Ok(exit::OK),
            Err(error) => {
                crate::outln!("(the LLM could not answer from these results: {error})");
                Ok(exit::OK)
            }
        }
    }

    /// A conversational answer, streamed as it arrives.
    pub(super) fn answer(&self, question: &str) -> Result<i32> {
        let answered = self.stream_answer(include_str!("../../prompts/chat.txt"), question)?;
        Ok(if answered { exit::OK } else { exit::USAGE })
    }

    /// Streams the model's answer to the terminal, control characters escaped, ending the line;
    /// false when no LLM is configured.
    fn stream_answer(&self, system: &str, user: &str) -> Result<bool> {
        let Some(endpoint) = crate::llm::endpoint()? else { return Ok(false) };
        let mut stdout = std::io::stdout();
        crate::llm::stream_chat(&endpoint, system, user, |piece| {
            let _ = stdout.write_all(crate::terminal::visible::visible(piece, false).as_bytes());
            let _ = stdout.flush();
        })?;
        crate::outln!();
        Ok(true)
    }
}

/// "run", "show", "delete" alone: a command that needs a workflow.
/// "run greet for Bob", "execute the thing": a command's verb first, then words that named
/// nothing saved.
fn starts_with_a_command_verb(line: &str) -> bool {
    let first = line.split_whitespace().next().unwrap_or("").to_lowercase();
    matches!(first.as_str(), "run" | "start" | "execute" | "launch" | "trigger" | "rerun" | "schedule")
}

fn bare_verb(line: &str) -> Option<&'static str> {
    let word = line.trim().trim_start_matches('/').trim_end_matches(['?', '!', '.']).to_lowercase();
    ["run", "show", "edit", "delete", "schedule", "unschedule", "export", "history", "start", "execute"]
        .into_iter()
        .find(|verb| *verb == word)
        .map(|verb| match verb {
            "start" | "execute" => "Run",
            "run" => "Run",
            "show" => "Show",
            "edit" => "Edit",
            "delete" => "Delete",
            "schedule" => "Schedule",
            "unschedule" => "Unschedule",
            "export" => "Export",
            _ => "History of",
        })
}
