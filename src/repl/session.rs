//! One chat session: turns each utterance into an intent and acts on it through the same
//! commands as the CLI.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use indexmap::IndexMap;
use regex::Regex;

use crate::commands::suggest::Answer;
use crate::commands::{self, Context, library};
use crate::error::{Error, Result, exit};
use crate::grammar::{self, Intent, Library};
use crate::terminal::progress::{Style, renderer};
use crate::terminal::{Output, stderr_color, text};
use crate::workflow::Format;

/// Prints an error in the conversation and returns its exit code.
fn report(error: &Error) -> i32 {
    eprint!("{}", text::error(error, stderr_color()));
    error.exit_code()
}

/// What handling a line led to.
pub enum Outcome {
    /// Keep going; the exit code of what was done.
    Done(i32),
    /// The user wants to leave.
    Quit,
}

/// A question asked back to the user ("Delete 'X'? [y/N]"); `None` at end of input.
pub type Ask<'a> = dyn FnMut(&str) -> Option<String> + 'a;

/// The state of one chat session.
pub struct Session {
    ctx: Context,
    library: Arc<Mutex<Library>>,
    interactive: bool,
    /// The workflow the conversation is about ("run it every morning at 10").
    last_workflow: Option<String>,
    /// A builder conversation in progress: lines go to it until it saves or is cancelled.
    dialog: Option<crate::builder::Dialog>,
    /// This session's id in `history_commands`.
    session_id: String,
    /// `!` commands run since the last "save that as a workflow".
    unsaved: Vec<String>,
    /// A suggestion offered and waiting for yes / no / never.
    offered: Option<crate::proactive::miner::Suggestion>,
    /// Suggestions answered "no" in this session.
    postponed: Vec<String>,
    /// A saved workflow whose first steps the user just ran by hand, and how many.
    in_progress: Option<(String, usize)>,
    /// The dialog in progress came from an accepted suggestion (Story 2 asks about a schedule).
    from_suggestion: bool,
}

/// Reads an answer from piped stdin (the next line).
pub fn read_piped_answer(prompt: &str) -> Option<String> {
    print!("{prompt}");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    match std::io::stdin().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => {
            println!("{}", line.trim());
            Some(line.trim().to_string())
        }
    }
}

fn yes(answer: Option<String>) -> bool {
    matches!(
        answer.as_deref().map(str::to_lowercase).as_deref(),
        Some("y" | "yes" | "yeah" | "sure" | "ok" | "okay" | "do it" | "go")
    )
}

impl Session {
    /// Opens the library at `db`.
    pub fn new(ctx: &Context, library: Arc<Mutex<Library>>, interactive: bool) -> Result<Session> {
        // Open (and create) the library now, so a damaged database is reported at start.
        ctx.store()?;
        Ok(Session {
            ctx: ctx.clone(),
            library,
            interactive,
            last_workflow: None,
            dialog: None,
            session_id: uuid::Uuid::new_v4().to_string(),
            unsaved: Vec::new(),
            offered: None,
            postponed: Vec::new(),
            in_progress: None,
            from_suggestion: false,
        })
    }

    fn refresh_library(&self) {
        if let Ok(mut library) = self.library.lock() {
            *library = commands::parse::library(&self.ctx);
        }
    }

    fn library(&self) -> Library {
        self.library.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// The line as the persistent history should keep it: the values given to a workflow's
    /// `secret` parameters (and secret-named environment values) become `***`.
    pub fn history_line(&self, line: &str) -> String {
        let mut kept = line.to_string();
        if let Intent::Run { workflow, params } = crate::grammar::parse(line, &self.library())
            && let Ok(Some(saved)) = library::definition(&self.ctx, &workflow)
        {
            for (name, value) in &params {
                let secret = saved.parameters.get(name).is_some_and(|p| p.kind == crate::workflow::ParamType::Secret);
                if secret && !value.is_empty() {
                    kept = kept.replace(value.as_str(), "***");
                }
            }
        }
        for value in crate::secrets::secret_env_values() {
            kept = kept.replace(&value, "***");
        }
        kept
    }

    /// Handles one utterance.
    pub fn handle(&mut self, line: &str, ask: &mut Ask<'_>) -> Outcome {
        if let Some(suggestion) = self.offered.take()
            && let Some(code) = self.answer_offer(&suggestion, line)
        {
            self.refresh_library();
            return Outcome::Done(code);
        }
        if self.dialog.is_some() {
            let code = self.continue_dialog(line);
            self.refresh_library();
            return Outcome::Done(code);
        }
        if let Some(command) = line.trim().strip_prefix('!') {
            let code = self.shell(command.trim());
            return Outcome::Done(code);
        }
        if matches!(
            line.trim().to_lowercase().trim_end_matches(['.', '!']),
            "run the rest" | "yes, run the rest" | "run the rest of it" | "finish it"
        ) {
            let code = match self.run_rest() {
                Ok(code) => code,
                Err(error) => report(&error),
            };
            return Outcome::Done(code);
        }
        if let Some((count, name)) = crate::builder::recent::request(line) {
            let code = self.save_recent(count, name);
            return Outcome::Done(code);
        }
        if let Some(name) = Regex::new(r"(?i)^how (?:can|could|do|should) i (?:make|speed up|improve|optimi[sz]e) (?:the )?(.+?)(?: workflow)?(?: faster| better| quicker| more reliable)?\??$")
            .ok()
            .and_then(|re| re.captures(line.trim()).map(|c| c[1].to_string()))
        {
            let name = self.library().canonical_name(&name);
            let code = match commands::optimize::optimize(&self.ctx, &name) {
                Ok(optimized) => {
                    print!("{}", text::optimized(&optimized));
                    exit::OK
                }
                Err(error) => report(&error),
            };
            return Outcome::Done(code);
        }
        if let Some(name) =
            Regex::new(r"(?i)^(?:please )?(?:use|start from|copy|install) (?:the )?(.+?) template(?: as (.+))?$")
                .ok()
                .and_then(|re| {
                    re.captures(line.trim().trim_end_matches(['.', '!']))
                        .map(|c| (c[1].to_string(), c.get(2).map(|m| m.as_str().to_string())))
                })
        {
            let code = match self.use_template(&name.0, name.1.as_deref()) {
                Ok(code) => code,
                Err(error) => report(&error),
            };
            self.refresh_library();
            return Outcome::Done(code);
        }
        if matches!(line.trim(), "/create" | "/new" | "/create --interactive") {
            let code = match self.create_interactively(ask) {
                Ok(code) => code,
                Err(error) => report(&error),
            };
            self.refresh_library();
            return Outcome::Done(code);
        }
        if let Some(change) = crate::builder::edit::request(line) {
            let code = match self.edit_by_conversation(&change, ask) {
                Ok(code) => code,
                Err(error) => report(&error),
            };
            self.refresh_library();
            return Outcome::Done(code);
        }
        let library = self.library();
        let intent = grammar::parse(line, &library);
        let result = match intent {
            Intent::Quit => return Outcome::Quit,
            Intent::Unknown { did_you_mean } => self.fallback(line, &did_you_mean, ask),
            intent => self.act(intent, ask),
        };
        let code = match result {
            Ok(code) => code,
            Err(error) => report(&error),
        };
        self.refresh_library();
        Outcome::Done(code)
    }

    /// The workflow an intent names; "it" means the one the conversation is about.
    fn target(&self, typed: &str) -> Result<String> {
        if matches!(typed.to_lowercase().as_str(), "it" | "that" | "this") {
            return self.last_workflow.clone().ok_or_else(|| {
                Error::usage("which workflow do you mean? Name it, e.g. \"schedule Backup Files every night at 2am\"")
            });
        }
        library::canonical_name(&self.ctx, typed)
    }

    fn act(&mut self, intent: Intent, ask: &mut Ask<'_>) -> Result<i32> {
        let out = Output::detect();
        match intent {
            Intent::Run { workflow, params } => self.run(&workflow, params),
            Intent::List { tags, search } => {
                let filtered = !tags.is_empty() || search.is_some();
                let rows = library::list(&self.ctx, &library::ListRequest { tags, search })?;
                print!("{}", text::list(&rows, filtered, out));
                Ok(exit::OK)
            }
            Intent::Show { workflow } => {
                let name = self.target(&workflow)?;
                self.last_workflow = Some(name.clone());
                print!("{}", text::show(&library::show(&self.ctx, &name, None)?, Format::Yaml, out));
                Ok(exit::OK)
            }
            Intent::Edit { workflow } => {
                let name = self.target(&workflow)?;
                self.last_workflow = Some(name.clone());
                crate::terminal::editor::edit(&self.ctx, &name)
            }
            Intent::Delete { workflow } => {
                let name = self.target(&workflow)?;
                self.last_workflow = Some(name.clone());
                if !yes(ask(&format!("Delete workflow '{name}'? Its run history stays readable. [y/N] "))) {
                    println!("Kept '{name}'.");
                    return Ok(exit::OK);
                }
                let deleted = library::delete(&self.ctx, &name)?;
                println!("Deleted workflow '{}'.", deleted.name);
                Ok(exit::OK)
            }
            Intent::History { workflow } => {
                let name = workflow.map(|w| self.target(&w).unwrap_or(w));
                let request = commands::history::HistoryRequest { workflow: name, status: None, limit: 10 };
                print!("{}", text::history(&commands::history::runs(&self.ctx, &request)?));
                Ok(exit::OK)
            }
            Intent::Export { workflow, file } => {
                let name = self.target(&workflow)?;
                let exported = library::export(&self.ctx, &name, file.as_deref().map(Path::new), None)?;
                match (&exported.text, &exported.file) {
                    (Some(text), _) => print!("{text}"),
                    (None, Some(file)) => println!("Exported '{}' v{} to {file}", exported.name, exported.version),
                    (None, None) => {}
                }
                Ok(exit::OK)
            }
            Intent::Import { file } => {
                let mut code = exit::OK;
                for item in library::import(&self.ctx, &[PathBuf::from(file)], false)? {
                    match (&item.workflow, &item.failure) {
                        (Some(workflow), _) => {
                            println!("{} {}: imported {}", out.good("✓"), item.file, text::summary(workflow))
                        }
                        (None, failure) => {
                            if let Some(failure) = failure {
                                report(failure);
                            }
                            println!("{} {}: not imported", out.bad("✗"), item.file);
                            code = exit::USAGE;
                        }
                    }
                }
                Ok(code)
            }
            Intent::Validate { file } => {
                let mut code = exit::OK;
                for check in commands::files::validate(&[PathBuf::from(file)]) {
                    if let Some(problems) = &check.problems {
                        eprint!("{}", problems.render(stderr_color()));
                        code = exit::USAGE;
                    }
                    print!("{}", text::file_check(&check, out));
                }
                Ok(code)
            }
            Intent::Schedule { workflow, cron, timezone } => {
                let name = self.target(&workflow)?;
                self.last_workflow = Some(name.clone());
                let request = commands::schedule::ScheduleRequest {
                    workflow: name,
                    when: cron,
                    timezone,
                    policy: Default::default(),
                };
                print!("{}", text::scheduled(&commands::schedule::schedule(&self.ctx, &request)?));
                Ok(exit::OK)
            }
            Intent::Unschedule { workflow } => {
                let name = self.target(&workflow)?;
                print!("{}", text::unscheduled(&commands::schedule::unschedule(&self.ctx, &name)?));
                Ok(exit::OK)
            }
            Intent::Create { description, name } => {
                let dir = std::env::current_dir().unwrap_or_default();
                let (dialog, lines) = crate::builder::start(description.as_deref(), name.as_deref(), &dir)?;
                self.dialog = Some(dialog);
                for line in lines {
                    println!("{line}");
                }
                Ok(exit::OK)
            }
            Intent::Suggest => {
                // Asked for outright: offer again what "no" postponed.
                self.offered = None;
                self.postponed.clear();
                self.offer_suggestion();
                if self.offered.is_none() {
                    println!(
                        "No repeated command sequences yet: a pattern needs 3 runs within 7 days. \
                         `alpha history import` reads your shell history."
                    );
                }
                Ok(exit::OK)
            }
            Intent::Help => {
                help();
                Ok(exit::OK)
            }
            Intent::Quit | Intent::Unknown { .. } => Ok(exit::OK),
        }
    }

    /// `/create` alone: the prompts of `alpha workflow create --interactive`, answered in the
    /// shell. ("create a workflow that …" starts the conversation instead.)
    fn create_interactively(&mut self, ask: &mut Ask<'_>) -> Result<i32> {
        let Some(workflow) = crate::builder::interactive::build_with(ask, &mut |text| println!("{text}")) else {
            println!("Nothing was saved.");
            return Ok(exit::OK);
        };
        if library::exists(&self.ctx, &workflow.name)? {
            println!("A workflow named '{}' already exists; nothing was saved. Pick another name.", workflow.name);
            return Ok(exit::USAGE);
        }
        let saved = library::save(&self.ctx, &workflow, false)?;
        println!("\nWorkflow '{}' created successfully!", saved.name);
        self.last_workflow = Some(saved.name);
        Ok(exit::OK)
    }

    /// Offers the best suggestion from the recorded history, if there is one not yet answered.
    pub fn offer_suggestion(&mut self) {
        if self.offered.is_some() || self.dialog.is_some() {
            return;
        }
        let found = commands::suggest::offers(&self.ctx).unwrap_or_default();
        if let Some(suggestion) = found.into_iter().find(|s| !self.postponed.contains(&s.signature())) {
            println!("{}", crate::proactive::suggest::offer(&suggestion));
            self.offered = Some(suggestion);
        }
    }

    /// The answer to an offered suggestion; `None` when the line is about something else.
    fn answer_offer(&mut self, suggestion: &crate::proactive::miner::Suggestion, line: &str) -> Option<i32> {
        let lower = line.trim().to_lowercase();
        let lower = lower.trim_end_matches(['.', '!']);
        let signature = suggestion.signature();
        if matches!(lower, "no" | "n" | "not now" | "later" | "nope") {
            self.postponed.push(signature);
            println!("OK, not now.");
            return Some(exit::OK);
        }
        if matches!(lower, "never" | "no, never" | "never ask again" | "don't ask again") {
            let _ = commands::suggest::answer(&self.ctx, suggestion, Answer::Dismissed, None);
            println!("OK, I won't suggest that again.");
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
                println!("{line}");
            }
            let _ = commands::suggest::answer(&self.ctx, suggestion, Answer::Accepted, None);
            return Some(exit::OK);
        }
        match library::save(&self.ctx, &workflow, false) {
            Ok(saved) => {
                let _ = commands::suggest::answer(&self.ctx, suggestion, Answer::Accepted, Some(&saved.name));
                println!("Workflow '{}' created. Schedule it or run on demand?", saved.name);
                self.last_workflow = Some(saved.name);
                Some(exit::OK)
            }
            Err(error) => Some(report(&error)),
        }
    }

    /// "use the backup template": saves a copy of a built-in template.
    fn use_template(&mut self, template: &str, name: Option<&str>) -> Result<i32> {
        let made = commands::templates::use_template(&self.ctx, template, name, &IndexMap::new())?;
        let saved = made.saved;
        self.last_workflow = Some(saved.name.clone());
        println!("Saved '{}' from the '{}' template. Its parameters:", saved.name, made.template);
        for (key, parameter) in &saved.workflow.parameters {
            let default = parameter
                .default
                .as_ref()
                .map(|d| d.as_str().map_or_else(|| d.to_string(), str::to_string))
                .unwrap_or_default();
            println!(
                "  - {key} (default: {default}){}",
                parameter.description.as_deref().map(|d| format!(": {d}")).unwrap_or_default()
            );
        }
        println!("Run it with: run {} key=value …", saved.name);
        Ok(exit::OK)
    }

    /// `!command`: runs it in place and remembers it for "save that as a workflow".
    fn shell(&mut self, command: &str) -> i32 {
        if command.is_empty() {
            println!("Type a shell command after !, e.g. !git status");
            return exit::USAGE;
        }
        let _ = std::io::stdout().flush();
        let status = std::process::Command::new("sh").arg("-c").arg(command).status();
        let code = match &status {
            Ok(status) => status.code().unwrap_or(1),
            Err(error) => {
                eprintln!("error: can't run `{command}`: {error}");
                127
            }
        };
        let cwd = std::env::current_dir().ok().map(|d| d.display().to_string());
        if let Err(error) =
            commands::suggest::record_command(&self.ctx, command, cwd.as_deref(), code, &self.session_id)
        {
            eprintln!("warning: could not record the command: {error}");
        }
        self.unsaved.push(command.to_string());
        if code == 0 {
            self.recognize_workflow_in_progress();
        }
        if code == 0 { exit::OK } else { exit::FAILED }
    }

    /// When the last `!` commands are how a saved workflow starts, offers to run the rest of it.
    fn recognize_workflow_in_progress(&mut self) {
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
            println!(
                "That's how '{}' starts. Say \"run the rest\" to run its remaining {rest} step{} as that workflow.",
                workflow.name,
                if rest == 1 { "" } else { "s" }
            );
            self.in_progress = Some((workflow.name.clone(), done));
            return;
        }
    }

    /// Runs the steps of a recognised workflow after those the user already ran by hand.
    fn run_rest(&mut self) -> Result<i32> {
        let Some((name, done)) = self.in_progress.take() else {
            println!("There is no workflow in progress.");
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
                println!(
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
            },
        )?;
        self.last_workflow = Some(name);
        Ok(summary.exit_code())
    }

    fn style(&self) -> Style {
        if self.interactive && Output::detect().color { Style::Tty } else { Style::Plain }
    }

    /// "save the last 3 commands as a workflow [called X]".
    fn save_recent(&mut self, count: usize, name: Option<String>) -> i32 {
        let commands = if count == 0 {
            self.unsaved.clone()
        } else {
            commands::suggest::recent_commands(&self.ctx, &self.session_id, count).unwrap_or_default()
        };
        if commands.is_empty() {
            println!("There is nothing to save yet: run commands with ! first (e.g. !git pull), then ask again.");
            return exit::USAGE;
        }
        if count > commands.len() {
            println!("Only {} command(s) were run in this session; using those.", commands.len());
        }
        let workflow = crate::builder::recent::workflow(&commands, name.as_deref().unwrap_or(""));
        let dir = std::env::current_dir().unwrap_or_default();
        let (dialog, lines) = crate::builder::Dialog::from_draft(workflow, name.as_deref(), &dir);
        self.dialog = Some(dialog);
        self.unsaved.clear();
        for line in lines {
            println!("{line}");
        }
        exit::OK
    }

    /// "add a notification step to Backup Files": a new version, shown as a diff, saved on yes.
    fn edit_by_conversation(&mut self, change: &crate::builder::edit::Change, ask: &mut Ask<'_>) -> Result<i32> {
        let name = self.target(&self.library().canonical_name(change.workflow()))?;
        let current = library::definition(&self.ctx, &name)?
            .ok_or_else(|| Error::usage(format!("no workflow named '{name}'")))?;
        let (changed, what) = change.apply(&current).map_err(Error::usage)?;
        let proposal = library::propose(&self.ctx, &name, changed, &format!("'{name}'"))?;
        print!("{}", text::diff_text(&proposal.diff, &proposal.from_version, &proposal.to_version));
        if !yes(ask(&format!("Save '{name}' as v{} ({what})? [y/N] ", proposal.to_version))) {
            println!("OK, '{name}' is unchanged.");
            return Ok(exit::OK);
        }
        let saved = library::accept(&self.ctx, &proposal, "edited by conversation")?;
        self.last_workflow = Some(saved.name.clone());
        println!("Saved '{}' as v{}.", saved.name, saved.version);
        Ok(exit::OK)
    }

    /// Whether a builder conversation is waiting for an answer (an empty line means "the default").
    pub fn in_dialog(&self) -> bool {
        self.dialog.is_some()
    }

    /// Feeds a line to the builder conversation.
    fn continue_dialog(&mut self, line: &str) -> i32 {
        let Some(dialog) = self.dialog.as_mut() else { return exit::OK };
        match dialog.answer(line) {
            crate::builder::Reply::Ask(lines) => {
                for line in lines {
                    println!("{line}");
                }
                exit::OK
            }
            crate::builder::Reply::Cancelled(message) => {
                println!("{message}");
                self.dialog = None;
                self.from_suggestion = false;
                exit::OK
            }
            crate::builder::Reply::Save(workflow) => {
                let exists = library::exists(&self.ctx, &workflow.name).unwrap_or(false);
                if exists {
                    for line in dialog.ask_name_again(&workflow.name) {
                        println!("{line}");
                    }
                    return exit::OK;
                }
                match library::save(&self.ctx, &workflow, false) {
                    Ok(saved) => {
                        for line in crate::builder::Dialog::saved_message(&saved.workflow) {
                            println!("{line}");
                        }
                        if std::mem::take(&mut self.from_suggestion) {
                            println!("Schedule it or run on demand?");
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

    fn run(&mut self, workflow: &str, params: IndexMap<String, String>) -> Result<i32> {
        let name = self.target(workflow)?;
        self.last_workflow = Some(name.clone());
        let command = commands::run::RunCommand {
            target: name,
            params,
            trigger: "manual".into(),
            verbose: false,
            sink: renderer(self.style(), Output::detect()),
        };
        Ok(commands::run::run(&self.ctx, command)?.exit_code())
    }

    /// A line the grammar didn't understand: the LLM when configured, else "did you mean".
    fn fallback(&mut self, line: &str, did_you_mean: &[String], ask: &mut Ask<'_>) -> Result<i32> {
        let library = self.library();
        let endpoint = crate::llm::endpoint()?;
        if endpoint.is_none() {
            if did_you_mean.is_empty() {
                println!("I didn't understand that. Type /help to see what I can do.");
            } else {
                println!(
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
                println!("I didn't understand that, and the LLM could not help: {error}");
                return Ok(exit::USAGE);
            }
        };
        match intent {
            Intent::Unknown { did_you_mean } => {
                if let Some(reason) = did_you_mean.first().filter(|r| r.contains("workflow") || r.contains("parameter"))
                {
                    println!("I couldn't match that to your workflows ({reason}).");
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
                    println!("OK, nothing done.");
                    return Ok(exit::OK);
                }
                if !changes {
                    println!("({reading})");
                }
                self.act(intent, ask)
            }
        }
    }

    /// A conversational answer, streamed as it arrives.
    fn answer(&self, question: &str) -> Result<i32> {
        let Some(endpoint) = crate::llm::endpoint()? else { return Ok(exit::USAGE) };
        let system = include_str!("../../prompts/chat.txt");
        let mut stdout = std::io::stdout();
        crate::llm::stream_chat(&endpoint, system, question, |piece| {
            let _ = stdout.write_all(piece.as_bytes());
            let _ = stdout.flush();
        })?;
        println!();
        Ok(exit::OK)
    }
}

/// Commands typed by hand and a workflow's commands are the same when their words are.
fn same_commands(typed: &[String], saved: &[String]) -> bool {
    typed.iter().zip(saved).all(|(a, b)| a.split_whitespace().eq(b.split_whitespace()))
}

fn help() {
    println!("Talk to me in plain words, or use a command:");
    for (command, example) in super::COMMANDS {
        println!("  {command:<12} e.g. {example}");
    }
    println!("Plain words work too: \"what workflows do I have?\", \"run git sync with branch dev\",");
    println!(
        "\"schedule the backup every weekday at 9am\", \"what ran yesterday?\". Ctrl-C stops a run; Ctrl-D quits."
    );
}
