//! What the chat brings up on its own: scheduled runs that failed since the last session, and
//! suggestions, at most one at a time, with "no" and "never" remembered.
//!
//! The user's shell histories are read on a thread of their own when the chat starts, so the
//! prompt never waits for them; the best suggestion is offered when it is ready (above the
//! prompt on a terminal, before the first answer when input is piped).

use std::sync::mpsc;
use std::time::Duration;

use super::session::{Session, report};
use crate::commands::suggest::Answer;
use crate::commands::{self, Context};
use crate::error::exit;
use crate::proactive::miner::Suggestion;
use regex::Regex;

/// The first suggestion, found in the background.
pub(super) struct Reader {
    found: mpsc::Receiver<Option<(Suggestion, bool)>>,
}

impl Reader {
    /// Reads what is new in the shell histories and mines them; `announce` prints the offer as
    /// soon as it is found (a terminal's external printer), else the session prints it.
    pub(super) fn start(ctx: &Context, announce: Option<crate::schedule::daemon::Notice>) -> Reader {
        let (sender, found) = mpsc::channel();
        let ctx = ctx.clone();
        std::thread::spawn(move || {
            let _ = commands::suggest::read_sources(&ctx);
            let first = commands::suggest::offers(&ctx).ok().and_then(|all| all.into_iter().next());
            let printed = match (&first, &announce) {
                (Some(suggestion), Some(announce)) => {
                    announce(&crate::proactive::suggest::offer(suggestion));
                    true
                }
                _ => false,
            };
            let _ = sender.send(first.map(|s| (s, printed)));
        });
        Reader { found }
    }
}

impl Session {
    /// Says which scheduled runs did not complete since the last chat session.
    pub fn report_scheduled_failures(&self) {
        let Ok(runs) = commands::history::scheduled_failures_since_last_look(&self.ctx) else { return };
        if runs.is_empty() {
            return;
        }
        let what = if runs.len() == 1 { "scheduled run" } else { "scheduled runs" };
        crate::outln!("Since we last talked, {} {what} did not complete:", runs.len());
        for run in &runs {
            crate::outln!("  - {}", crate::terminal::text::run_line(run));
        }
        crate::outln!("`alpha workflow logs RUN` shows what a run printed; `--resume RUN` continues it.");
    }

    /// Takes the background reader's suggestion when it is ready (waiting up to `wait`), and
    /// offers it unless the conversation is busy.
    pub(super) fn receive_offer(&mut self, wait: Duration) {
        let Some(reader) = &self.reader else { return };
        let received = if wait.is_zero() { reader.found.try_recv().ok() } else { reader.found.recv_timeout(wait).ok() };
        let Some(found) = received else { return };
        self.reader = None;
        let Some((suggestion, printed)) = found else { return };
        if self.offered.is_some() || self.dialog.is_some() || self.postponed.contains(&suggestion.signature()) {
            return;
        }
        if !printed {
            crate::outln!("{}", crate::proactive::suggest::offer(&suggestion));
        }
        self.offered = Some(suggestion);
    }

    /// `/suggest`: what is new in the shell histories, mined; one suggestion is offered, several
    /// are listed for the user to pick by number.
    pub(super) fn list_suggestions(&mut self) -> Result<i32, crate::error::Error> {
        self.offered = None;
        self.postponed.clear();
        let found = commands::suggest::suggest(&self.ctx, commands::suggest::HistorySource::Recorded, None, false)?;
        let dismissed = found.dismissed.len();
        match found.suggestions.len() {
            0 => {
                crate::outln!("No repeated command sequences yet: a pattern needs 3 runs within 7 days.");
                if dismissed > 0 {
                    crate::outln!("({dismissed} you dismissed still qualify: `alpha suggest --all` lists them.)");
                }
            }
            1 => {
                let suggestion = found.suggestions.into_iter().next();
                if let Some(suggestion) = suggestion {
                    crate::outln!("{}", crate::proactive::suggest::offer(&suggestion));
                    self.offered = Some(suggestion);
                }
            }
            _ => {
                crate::out!("{}", crate::terminal::text::suggestions(&found));
                crate::outln!(
                    "Which one should I create? (a number, \"the second one\", \"the first, call it NAME\", or no)"
                );
                self.listed = found.suggestions;
            }
        }
        Ok(exit::OK)
    }

    /// The answer to a numbered list of suggestions; `None` when the line is about something else.
    pub(super) fn answer_list(&mut self, line: &str) -> Option<i32> {
        let lower = line.trim().to_lowercase();
        if matches!(lower.trim_end_matches(['.', '!']), "no" | "none" | "not now" | "neither" | "nope") {
            self.listed.clear();
            crate::outln!("OK, none of them.");
            return Some(exit::OK);
        }
        let (number, name) = ordinal_choice(line)?;
        let Some(suggestion) = number.checked_sub(1).and_then(|i| self.listed.get(i)).cloned() else {
            crate::outln!("There are {} suggestions: pick 1 to {}.", self.listed.len(), self.listed.len());
            return Some(exit::USAGE);
        };
        self.listed.clear();
        Some(self.accept_offer(suggestion, name))
    }

    /// The answer to an offered suggestion; `None` when the line is about something else.
    pub(super) fn answer_offer(&mut self, suggestion: &crate::proactive::miner::Suggestion, line: &str) -> Option<i32> {
        let lower = line.trim().to_lowercase();
        let lower = lower.trim_end_matches(['.', '!']);
        let signature = suggestion.signature();
        if matches!(lower, "no" | "n" | "not now" | "later" | "nope") {
            self.postponed.push(signature);
            crate::outln!("OK, not now.");
            return Some(exit::OK);
        }
        if matches!(lower, "never" | "no, never" | "never ask again" | "don't ask again") {
            let _ = commands::suggest::answer(&self.ctx, suggestion, Answer::Dismissed, None);
            crate::outln!("OK, I won't suggest that again.");
            return Some(exit::OK);
        }
        let yes = Regex::new(r"(?i)^(?:yes|yeah|yep|sure|ok|okay|please do|do it)\b[\s,.!-]*(?:(?:please\s+)?(?:call it|name it|named|called)\s+(.+))?$").ok()?;
        let caps = yes.captures(line.trim())?;
        let name =
            caps.get(1).map(|m| m.as_str().trim().trim_matches(['"', '\'']).trim_end_matches(['.', '!']).to_string());
        Some(self.accept_offer(suggestion.clone(), name))
    }

    /// Saves an accepted suggestion: at once when named, else after asking for the name.
    fn accept_offer(&mut self, suggestion: Suggestion, name: Option<String>) -> i32 {
        if name.is_none() {
            let dir = std::env::current_dir().unwrap_or_default();
            let (dialog, lines) = crate::builder::Dialog::from_draft(suggestion.workflow.clone(), None, &dir);
            self.dialog = Some(dialog);
            self.from_suggestion = true;
            for line in lines {
                crate::outln!("{line}");
            }
            let _ = commands::suggest::answer(&self.ctx, &suggestion, Answer::Accepted, None);
            return exit::OK;
        }
        match commands::suggest::save_suggestion(&self.ctx, suggestion, name.as_deref()) {
            Ok(accepted) => {
                crate::outln!("Workflow '{}' created. Schedule it or run on demand?", accepted.saved.name);
                self.last_workflow = Some(accepted.saved.name);
                exit::OK
            }
            Err(error) => report(&error),
        }
    }
}

/// "the second one", "2", "number 2", "#2", "the 2nd, call it X": the number chosen and a name.
fn ordinal_choice(line: &str) -> Option<(usize, Option<String>)> {
    const WORDS: [&str; 10] =
        ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"];
    let pattern = Regex::new(
        r"(?i)^(?:(?:yes|ok|okay|sure)[\s,]+)?(?:(?:the|number|no\.?|#)\s*)?(\d+|first|second|third|fourth|fifth|sixth|seventh|eighth|ninth|tenth|one|two|three|four|five)(?:st|nd|rd|th)?(?:\s+one)?(?:[\s,.-]+(?:please\s+)?(?:call it|name it|named|called)\s+(.+?))?[.!]?$",
    )
    .ok()?;
    let caps = pattern.captures(line.trim())?;
    let word = caps.get(1)?.as_str().to_lowercase();
    let number = match word.parse::<usize>() {
        Ok(n) => n,
        Err(_) => match word.as_str() {
            "one" => 1,
            "two" => 2,
            "three" => 3,
            "four" => 4,
            "five" => 5,
            other => WORDS.iter().position(|w| *w == other)? + 1,
        },
    };
    let name = caps.get(2).map(|m| m.as_str().trim().trim_matches(['"', '\'']).to_string()).filter(|n| !n.is_empty());
    Some((number, name))
}

#[cfg(test)]
mod tests {
    use super::ordinal_choice;

    #[test]
    fn choices_by_number_or_ordinal() {
        assert_eq!(ordinal_choice("the second one"), Some((2, None)));
        assert_eq!(ordinal_choice("2"), Some((2, None)));
        assert_eq!(ordinal_choice("number 3"), Some((3, None)));
        assert_eq!(ordinal_choice("#1"), Some((1, None)));
        assert_eq!(ordinal_choice("the first, call it Morning Sync"), Some((1, Some("Morning Sync".into()))));
        assert_eq!(ordinal_choice("yes, the 2nd one"), Some((2, None)));
        assert_eq!(ordinal_choice("run deploy"), None);
    }
}
