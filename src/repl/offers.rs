//! What the chat brings up on its own: scheduled runs that failed since the last session, and
//! suggestions, at most one at a time, with "no" and "never" remembered.

use super::session::{Session, report};
use crate::commands::suggest::Answer;
use crate::commands::{self, library};
use crate::error::exit;
use regex::Regex;

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

    /// Offers the best suggestion from the recorded history, if there is one not yet answered.
    pub fn offer_suggestion(&mut self) {
        if self.offered.is_some() || self.dialog.is_some() {
            return;
        }
        let found = commands::suggest::offers(&self.ctx).unwrap_or_default();
        if let Some(suggestion) = found.into_iter().find(|s| !self.postponed.contains(&s.signature())) {
            crate::outln!("{}", crate::proactive::suggest::offer(&suggestion));
            self.offered = Some(suggestion);
        }
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
        let mut workflow = suggestion.workflow.clone();
        if let Some(name) = &name {
            workflow.name = name.clone();
        }
        let dir = std::env::current_dir().unwrap_or_default();
        if name.is_none() {
            let (dialog, lines) = crate::builder::Dialog::from_draft(workflow, None, &dir);
            self.dialog = Some(dialog);
            self.from_suggestion = true;
            for line in lines {
                crate::outln!("{line}");
            }
            let _ = commands::suggest::answer(&self.ctx, suggestion, Answer::Accepted, None);
            return Some(exit::OK);
        }
        match library::save(&self.ctx, &workflow, false) {
            Ok(saved) => {
                let _ = commands::suggest::answer(&self.ctx, suggestion, Answer::Accepted, Some(&saved.name));
                crate::outln!("Workflow '{}' created. Schedule it or run on demand?", saved.name);
                self.last_workflow = Some(saved.name);
                Some(exit::OK)
            }
            Err(error) => Some(report(&error)),
        }
    }
}
