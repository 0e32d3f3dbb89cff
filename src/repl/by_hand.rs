//! Commands typed by hand (`!git pull`): run in place, remembered for "save that as a
//! workflow", and recognized as the start of a saved workflow.

use super::session::Session;
use crate::commands::{self, library};
use crate::error::{Result, exit};
use crate::terminal::Output;
use crate::terminal::progress::renderer;
use crate::workflow::Format;
use std::io::Write;

impl Session {
    /// `!command`: runs it in place and remembers it for "save that as a workflow".
    pub(super) fn shell(&mut self, command: &str) -> i32 {
        if command.is_empty() {
            crate::outln!("Type a shell command after !, e.g. !git status");
            return exit::USAGE;
        }
        let _ = std::io::stdout().flush();
        let status = std::process::Command::new("sh").arg("-c").arg(command).status();
        let code = match &status {
            Ok(status) => status.code().unwrap_or(1),
            Err(error) => {
                crate::errln!("error: can't run `{command}`: {error}");
                127
            }
        };
        let cwd = std::env::current_dir().ok().map(|d| d.display().to_string());
        if let Err(error) =
            commands::suggest::record_command(&self.ctx, command, cwd.as_deref(), code, &self.session_id)
        {
            crate::errln!("warning: could not record the command: {error}");
        }
        self.unsaved.push(command.to_string());
        if code == 0 {
            self.recognize_workflow_in_progress();
        }
        if code == 0 { exit::OK } else { exit::FAILED }
    }

    /// When the last `!` commands are how a saved workflow starts, offers to run the rest of it.
    pub(super) fn recognize_workflow_in_progress(&mut self) {
        let Ok(workflows) = library::definitions(&self.ctx) else { return };
        for workflow in &workflows {
            let commands: Vec<String> = workflow
                .steps
                .iter()
                .map(|s| match s {
                    crate::workflow::Step::Tool(t) if t.tool == "shell" => {
                        t.parameters.get("command").and_then(|c| c.as_str()).unwrap_or("").to_string()
                    }
                    _ => String::new(),
                })
                .collect();
            let done = (2..commands.len()).rev().find(|&k| {
                self.unsaved.len() >= k && same_commands(&self.unsaved[self.unsaved.len() - k..], &commands[..k])
            });
            let Some(done) = done else { continue };
            let rest = workflow.steps.len() - done;
            crate::outln!(
                "That's how '{}' starts. Say \"run the rest\" to run its remaining {rest} step{} as that workflow.",
                workflow.name,
                if rest == 1 { "" } else { "s" }
            );
            self.in_progress = Some((workflow.name.clone(), done));
            return;
        }
    }

    /// Runs the steps of a recognised workflow after those the user already ran by hand.
    pub(super) fn run_rest(&mut self) -> Result<i32> {
        let Some((name, done)) = self.in_progress.take() else {
            crate::outln!("There is no workflow in progress.");
            return Ok(exit::USAGE);
        };
        let target = commands::run::resolve(&self.ctx, &name)?;
        let mut rest = target.workflow.clone();
        rest.steps = rest.steps.split_off(done.min(rest.steps.len()));
        rest.outputs.clear();
        let text = crate::workflow::to_text(&rest, Format::Yaml);
        let workflow = match crate::workflow::Document::from_text("rest", text, Format::Yaml).load() {
            Ok(valid) => valid,
            Err(_) => {
                crate::outln!(
                    "The remaining steps use results of the ones you ran by hand, so I'll run the whole workflow."
                );
                target.workflow.clone()
            }
        };
        let summary = commands::run::execute(
            &self.ctx,
            crate::executor::RunRequest {
                workflow,
                workflow_id: target.workflow_id,
                params: Default::default(),
                trigger: "manual".into(),
                verbose: false,
                sink: renderer(self.style(), Output::detect()),
                handle_signals: true,
                stack: Vec::new(),
                carried: None,
                workdir: None,
                inherited_secrets: std::sync::Arc::from([]),
                parent_cancel: None,
                deadline: None,
                claimed: None,
            },
        )?;
        self.last_workflow = Some(name);
        Ok(summary.exit_code())
    }

    /// "save the last 3 commands as a workflow [called X]".
    pub(super) fn save_recent(&mut self, count: usize, name: Option<String>) -> i32 {
        let commands = if count == 0 {
            self.unsaved.clone()
        } else {
            commands::suggest::recent_commands(&self.ctx, &self.session_id, count).unwrap_or_default()
        };
        if commands.is_empty() {
            crate::outln!("There is nothing to save yet: run commands with ! first (e.g. !git pull), then ask again.");
            return exit::USAGE;
        }
        if count > commands.len() {
            crate::outln!("Only {} command(s) were run in this session; using those.", commands.len());
        }
        let workflow = crate::builder::recent::workflow(&commands, name.as_deref().unwrap_or(""));
        let dir = std::env::current_dir().unwrap_or_default();
        let (dialog, lines) = crate::builder::Dialog::from_draft(workflow, name.as_deref(), &dir);
        self.dialog = Some(dialog);
        self.unsaved.clear();
        for line in lines {
            crate::outln!("{line}");
        }
        exit::OK
    }
}

/// Commands typed by hand and a workflow's commands are the same when their words are.
fn same_commands(typed: &[String], saved: &[String]) -> bool {
    typed.iter().zip(saved).all(|(a, b)| a.split_whitespace().eq(b.split_whitespace()))
}
