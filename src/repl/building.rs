//! Building and changing workflows in the conversation: the builder dialog, `/create`,
//! "add a step to …", "use the backup template".

use super::session::{Ask, Session, report, yes};
use crate::commands::{self, library};
use crate::error::{Error, Result, exit};
use crate::terminal::text;
use indexmap::IndexMap;

impl Session {
    /// `/create` alone: the prompts of `alpha workflow create --interactive`, answered in the
    /// shell. ("create a workflow that …" starts the conversation instead.)
    pub(super) fn create_interactively(&mut self, ask: &mut Ask<'_>) -> Result<i32> {
        let ctx = self.ctx.clone();
        let taken = |name: &str| library::exists(&ctx, name).unwrap_or(false);
        let seen = |command: &str| commands::suggest::similar_commands(&ctx, command);
        let lookups = crate::builder::interactive::Lookups { taken: &taken, seen: &seen };
        let Some(workflow) =
            crate::builder::interactive::build_with(ask, &mut |text| crate::outln!("{text}"), &lookups)
        else {
            crate::outln!("Nothing was saved.");
            return Ok(exit::OK);
        };
        if library::exists(&self.ctx, &workflow.name)? {
            crate::outln!("A workflow named '{}' already exists; nothing was saved. Pick another name.", workflow.name);
            return Ok(exit::USAGE);
        }
        let saved = library::save(&self.ctx, &workflow, false)?;
        crate::outln!("\nWorkflow '{}' created successfully!", saved.name);
        self.last_workflow = Some(saved.name);
        Ok(exit::OK)
    }

    /// Whether a builder conversation is waiting for an answer (an empty line means "the default").
    pub fn in_dialog(&self) -> bool {
        self.dialog.is_some()
    }

    /// At the name question, a line that reads as a command ("list workflows") is asked about:
    /// the name it would be, or the command with the draft left. `None` to go on as a name.
    pub(super) fn command_at_name_prompt(&mut self, line: &str, ask: &mut Ask<'_>) -> Option<i32> {
        let waiting_for_name = self.dialog.as_ref().is_some_and(crate::builder::Dialog::asks_for_name);
        if !waiting_for_name || line.trim().is_empty() {
            return None;
        }
        let library = self.library();
        let intent = crate::grammar::parse(line, &library);
        use crate::grammar::Intent as I;
        // The commands people type by habit; a name like "Nightly" (a time) or "Backup" is a name.
        let command = match &intent {
            I::Run { workflow, .. } => library.knows(workflow),
            I::List { .. }
            | I::History { .. }
            | I::Show { .. }
            | I::Edit { .. }
            | I::Delete { .. }
            | I::Schedules { .. }
            | I::Templates
            | I::Suggest
            | I::Quit
            | I::Explain { .. }
            | I::Versions { .. }
            | I::Logs { .. }
            | I::Export { .. }
            | I::Import { .. }
            | I::Validate { .. } => true,
            _ => false,
        };
        if !command {
            return None;
        }
        let name = line.trim();
        let answer = ask(&format!("Name it '{name}', or leave the draft and do that? [name/leave] "))?;
        let lower = answer.trim().to_lowercase();
        let naming = lower.is_empty()
            || matches!(lower.as_str(), "name" | "name it" | "use it" | "keep it" | "use that" | "that name")
            || crate::grammar::answer::is_yes(&lower);
        let leaving = matches!(lower.as_str(), "leave" | "l" | "do that" | "the command" | "no" | "n" | "leave it");
        if !naming && !leaving {
            // Another name typed instead ("Repo Check"): that is the name.
            return Some(self.continue_dialog(answer.trim()));
        }
        if leaving {
            self.dialog = None;
            self.from_suggestion = false;
            crate::outln!("Draft left; nothing was saved.");
            return Some(match self.act(intent, ask) {
                Ok(code) => code,
                Err(error) => report(&error),
            });
        }
        None
    }

    /// Feeds a line to the builder conversation.
    pub(super) fn continue_dialog(&mut self, line: &str) -> i32 {
        let Some(dialog) = self.dialog.as_mut() else { return exit::OK };
        match dialog.answer(line) {
            crate::builder::Reply::Ask(lines) => {
                for line in lines {
                    crate::outln!("{line}");
                }
                exit::OK
            }
            crate::builder::Reply::Cancelled(message) => {
                crate::outln!("{message}");
                self.dialog = None;
                self.from_suggestion = false;
                exit::OK
            }
            crate::builder::Reply::Save(workflow) => {
                let exists = library::exists(&self.ctx, &workflow.name).unwrap_or(false);
                if exists {
                    for line in dialog.ask_name_again(&workflow.name) {
                        crate::outln!("{line}");
                    }
                    return exit::OK;
                }
                match library::save(&self.ctx, &workflow, false) {
                    Ok(saved) => {
                        for line in crate::builder::Dialog::saved_message(&saved.workflow) {
                            crate::outln!("{line}");
                        }
                        if std::mem::take(&mut self.from_suggestion) {
                            crate::outln!("Schedule it or run on demand?");
                        }
                        self.last_workflow = Some(saved.name);
                        self.dialog = None;
                        exit::OK
                    }
                    Err(error) => report(&error),
                }
            }
        }
    }

    /// "add a notification step to Backup Files": a new version, shown as a diff, saved on yes.
    pub(super) fn edit_by_conversation(
        &mut self,
        workflow: &str,
        change: &crate::grammar::Change,
        ask: &mut Ask<'_>,
    ) -> Result<i32> {
        let name = self.target(workflow)?;
        let current = library::definition(&self.ctx, &name)?
            .ok_or_else(|| Error::usage(format!("no workflow named '{name}'")))?;
        let (changed, what) = crate::builder::edit::apply(change, &current).map_err(Error::usage)?;
        let proposal = library::propose(&self.ctx, &name, changed, &format!("'{name}'"))?;
        crate::out!("{}", text::diff_text(&proposal.diff, &proposal.from_version, &proposal.to_version));
        if !yes(ask(&format!("Save '{name}' as v{} ({what})? [y/N] ", proposal.to_version))) {
            crate::outln!("OK, '{name}' is unchanged.");
            return Ok(exit::OK);
        }
        let saved = library::accept(&self.ctx, &proposal, "edited by conversation")?;
        self.last_workflow = Some(saved.name.clone());
        crate::outln!("Saved '{}' as v{}.", saved.name, saved.version);
        Ok(exit::OK)
    }

    /// "use the backup template": saves a copy of a built-in template.
    pub(super) fn use_template(&mut self, template: &str, name: Option<&str>) -> Result<i32> {
        let made = commands::templates::use_template(&self.ctx, template, name, &IndexMap::new())?;
        let saved = made.saved;
        self.last_workflow = Some(saved.name.clone());
        crate::outln!("Saved '{}' from the '{}' template. Its parameters:", saved.name, made.template);
        for (key, parameter) in &saved.workflow.parameters {
            let default = parameter
                .default
                .as_ref()
                .map(|d| d.as_str().map_or_else(|| d.to_string(), str::to_string))
                .unwrap_or_default();
            crate::outln!(
                "  - {key} (default: {default}){}",
                parameter.description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
            );
        }
        crate::outln!("Run it with: run {} key=value …", saved.name);
        Ok(exit::OK)
    }
}
