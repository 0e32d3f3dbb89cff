//! One chat session: turns each utterance into an intent and acts on it through the same
//! commands as the CLI.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use indexmap::IndexMap;

use crate::commands::{self, Context, library};
use crate::error::{Error, Result, exit};
use crate::grammar::{self, Intent, Library};
use crate::terminal::progress::{Style, renderer};
use crate::terminal::{Output, stderr_color, text};
use crate::workflow::Format;

/// Prints an error in the conversation and returns its exit code.
pub(super) fn report(error: &Error) -> i32 {
    crate::err!("{}", text::error(error, stderr_color()));
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
    pub(super) ctx: Context,
    pub(super) library: Arc<Mutex<Library>>,
    pub(super) interactive: bool,
    /// The workflow the conversation is about ("run it every morning at 10").
    pub(super) last_workflow: Option<String>,
    /// A builder conversation in progress: lines go to it until it saves or is cancelled.
    pub(super) dialog: Option<crate::builder::Dialog>,
    /// This session's id in `history_commands`.
    pub(super) session_id: String,
    /// `!` commands run since the last "save that as a workflow".
    pub(super) unsaved: Vec<String>,
    /// A suggestion offered and waiting for yes / no / never.
    pub(super) offered: Option<crate::proactive::miner::Suggestion>,
    /// Suggestions answered "no" in this session.
    pub(super) postponed: Vec<String>,
    /// Suggestions listed by `/suggest`, waiting for the user to pick one by number.
    pub(super) listed: Vec<crate::proactive::miner::Suggestion>,
    /// The shell histories being read in the background, until their suggestion arrives.
    pub(super) reader: Option<super::offers::Reader>,
    /// A saved workflow whose first steps the user just ran by hand, and how many.
    pub(super) in_progress: Option<(String, usize)>,
    /// The dialog in progress came from an accepted suggestion (Story 2 asks about a schedule).
    pub(super) from_suggestion: bool,
    /// The last run started in this conversation: its workflow and the parameters given.
    pub(super) last_run: Option<(String, IndexMap<String, String>)>,
    /// The line being handled (to tell an exact name from a loose one).
    pub(super) line: String,
    /// The user already said yes to this reading (a "did you mean"): no second question.
    pub(super) confirmed: bool,
    /// The last lines typed and what alpha made of each, for the LLM's context.
    pub(super) turns: Vec<(String, String)>,
    /// The dashboard this session serves, once asked for ("open the dashboard").
    pub(super) dashboard: Option<crate::web::Listening>,
}

/// Reads an answer from piped stdin (the next line).
pub fn read_piped_answer(prompt: &str) -> Option<String> {
    crate::out!("{prompt}");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    match std::io::stdin().read_line(&mut line) {
        Ok(0) | Err(_) => None,
        Ok(_) => {
            crate::outln!("{}", line.trim());
            Some(line.trim().to_string())
        }
    }
}

/// Whether an answer agrees: "yes", "y", "yes please", "sure, go ahead", "ok do it"; anything
/// with a no in it ("no", "not now", "don't") or anything else is a no, so nothing is done on a
/// doubtful answer.
pub(super) fn yes(answer: Option<String>) -> bool {
    let Some(answer) = answer else { return false };
    crate::grammar::answer::is_yes(&answer)
}

/// Whether an answer to a yes/no question is rather a new request: it reads as a command, not
/// as a word of agreement or refusal.
fn reads_as_command(answer: &str, library: &Library) -> bool {
    !crate::grammar::answer::is_yes(answer)
        && !matches!(grammar::parse(answer, library), Intent::Unknown { did_you_mean } if did_you_mean.is_empty())
}

/// Whether a line is only an answer ("yes", "no thanks"), said when no question is open.
pub(super) fn is_bare_answer(line: &str) -> bool {
    let lower = line.trim().trim_end_matches(['.', '!']).to_lowercase();
    crate::grammar::answer::is_yes(&lower)
        && lower.split_whitespace().count() <= 3
        && !lower.starts_with("do ")
        && !lower.starts_with("go ")
        && !lower.starts_with("please ")
        || matches!(lower.as_str(), "no" | "n" | "nope" | "nah" | "cancel" | "no thanks" | "no thank you" | "abort")
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
            listed: Vec::new(),
            reader: None,
            in_progress: None,
            from_suggestion: false,
            last_run: None,
            line: String::new(),
            confirmed: false,
            turns: Vec::new(),
            dashboard: None,
        })
    }

    pub(super) fn refresh_library(&self) {
        if let Ok(mut library) = self.library.lock() {
            *library = commands::parse::library(&self.ctx);
        }
    }

    pub(super) fn library(&self) -> Library {
        self.library.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// The line as the persistent history should keep it: the values given to a workflow's
    /// `secret` parameters (and secret-named environment values) become `***`.
    pub fn history_line(&self, line: &str) -> String {
        self.masked_line(line, &crate::grammar::parse(line, &self.library()))
    }

    /// [`Self::history_line`] for a line already parsed into `intent`.
    fn masked_line(&self, line: &str, intent: &Intent) -> String {
        let mut kept = line.to_string();
        if let Intent::Run { workflow, params } = intent
            && let Ok(Some(saved)) = library::definition(&self.ctx, workflow)
        {
            for (name, value) in params {
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

    /// Handles one line as typed. A yes/no question answered with something that reads as a
    /// command ("rn deploy pipline" at "Resume run …? [y/N]") is taken as no, and the command is
    /// handled next: the user moved on, and what they typed is not lost.
    pub fn handle_line(&mut self, line: &str, ask: &mut Ask<'_>) -> Outcome {
        let mut next = Some(line.to_string());
        let mut code = exit::OK;
        while let Some(line) = next.take() {
            let library = self.library();
            let mut moved_on: Option<String> = None;
            let mut asking = |question: &str| -> Option<String> {
                if moved_on.is_some() {
                    return Some("no".to_string());
                }
                let answer = ask(question)?;
                let yes_or_no = question.trim_end().ends_with("[y/N]") || question.trim_end().ends_with("[Y/n]");
                if yes_or_no
                    && !is_bare_answer(&answer)
                    && !yes(Some(answer.clone()))
                    && reads_as_command(&answer, &library)
                {
                    crate::outln!("(Taken as no.)");
                    moved_on = Some(answer);
                    return Some("no".to_string());
                }
                Some(answer)
            };
            match self.handle(&line, &mut asking) {
                Outcome::Quit => return Outcome::Quit,
                Outcome::Done(result) if code == exit::OK => code = result,
                Outcome::Done(_) => {}
            }
            next = moved_on;
        }
        Outcome::Done(code)
    }

    /// Handles one utterance.
    pub fn handle(&mut self, line: &str, ask: &mut Ask<'_>) -> Outcome {
        self.receive_offer(std::time::Duration::ZERO);
        if !self.listed.is_empty()
            && let Some(code) = self.answer_list(line)
        {
            self.refresh_library();
            return Outcome::Done(code);
        }
        if let Some(suggestion) = self.offered.take()
            && let Some(code) = self.answer_offer(&suggestion, line)
        {
            self.refresh_library();
            return Outcome::Done(code);
        }
        if self.dialog.is_some() {
            if let Some(code) = self.command_at_name_prompt(line, ask) {
                self.refresh_library();
                return Outcome::Done(code);
            }
            let code = self.continue_dialog(line);
            self.refresh_library();
            return Outcome::Done(code);
        }
        let library = self.library();
        let intent = grammar::parse(line, &library);
        self.line = line.to_string();
        self.confirmed = false;
        // The line joins the conversation the LLM reads after it is answered, not as a turn
        // before itself.
        let turn = self.turn(line, &intent);
        let result = match intent {
            Intent::Quit => return Outcome::Quit,
            Intent::Unknown { .. } if is_bare_answer(line) => {
                crate::outln!("There is no open question to answer. Say what you'd like to do, or type /help.");
                Ok(exit::OK)
            }
            Intent::Unknown { did_you_mean } => self.fallback(line, &did_you_mean, ask),
            intent => self.act(intent, ask),
        };
        self.remember_turn(turn);
        let code = match result {
            Ok(code) => code,
            Err(error) => report(&error),
        };
        self.refresh_library();
        Outcome::Done(code)
    }

    /// A line and its reading (secrets masked) for the LLM's context; `None` without an LLM,
    /// since only an LLM reads them.
    fn turn(&self, line: &str, intent: &Intent) -> Option<(String, String)> {
        if !matches!(crate::llm::endpoint(), Ok(Some(_))) {
            return None;
        }
        let understood = match intent {
            Intent::Unknown { .. } => "(not understood by the grammar)".to_string(),
            other => crate::terminal::intent::describe(other),
        };
        Some((self.masked_line(line, intent), understood))
    }

    /// Keeps the last few turns.
    fn remember_turn(&mut self, turn: Option<(String, String)>) {
        const TURNS: usize = 6;
        let Some(turn) = turn else { return };
        self.turns.push(turn);
        if self.turns.len() > TURNS {
            self.turns.remove(0);
        }
    }

    /// The workflow an intent names; "it" means the one the conversation is about.
    pub(super) fn target(&self, typed: &str) -> Result<String> {
        if matches!(typed.to_lowercase().as_str(), "it" | "that" | "this") {
            return self.last_workflow.clone().ok_or_else(|| Error::usage(self.which_workflow()));
        }
        library::canonical_name(&self.ctx, typed)
    }

    /// "which workflow do you mean?", with the request itself said with a saved name as the
    /// example ("make the pull step of Backup Files retry 3 times"), so the answer fits what
    /// was asked.
    fn which_workflow(&self) -> String {
        let library = self.library();
        let Some(example) = library.names.first() else {
            return "which workflow do you mean? You have none saved yet: say \"create a workflow\" to make one".into();
        };
        let line = self.line.trim().trim_end_matches(['.', '!', '?']);
        let words: Vec<&str> = line.split_whitespace().collect();
        let mut said = Vec::new();
        // "schedule it every night" → "schedule Backup Files every night".
        if words.iter().any(|w| matches!(w.to_ascii_lowercase().as_str(), "it" | "that" | "this")) {
            let named: Vec<&str> = words
                .iter()
                .map(|w| {
                    if matches!(w.to_ascii_lowercase().as_str(), "it" | "that" | "this") { example.as_str() } else { w }
                })
                .collect();
            said.push(named.join(" "));
        }
        // "make the pull step retry 3 times" → "make the pull step of Backup Files retry 3 times".
        if let Some(at) = words.iter().position(|w| w.eq_ignore_ascii_case("step")).map(|i| i + 1) {
            let step_number = words.get(at).is_some_and(|w| w.parse::<u32>().is_ok());
            let at = if step_number { at + 1 } else { at };
            let (head, tail) = words.split_at(at.min(words.len()));
            said.push(format!("{} of {example} {}", head.join(" "), tail.join(" ")).trim().to_string());
        }
        said.push(format!("{line} {example}"));
        let fits = said.into_iter().find_map(|candidate| {
            let intent = grammar::parse(&candidate, &library);
            // The example repeats the line typed: a secret in it is shown as ***.
            crate::terminal::intent::describe(&intent)
                .contains(example.as_str())
                .then(|| self.masked_line(&candidate, &intent))
        });
        match fits {
            Some(request) => format!("which workflow do you mean? Name it, e.g. \"{request}\""),
            None => "which workflow do you mean? Say its name in the request (/list shows them)".into(),
        }
    }

    pub(super) fn act(&mut self, intent: Intent, ask: &mut Ask<'_>) -> Result<i32> {
        let out = Output::detect();
        match intent {
            Intent::Run { workflow, params } => self.run(&workflow, params, ask),
            Intent::Rerun { workflow, params, failed } => self.rerun(workflow, params, failed),
            Intent::Explain { workflow, run } => self.explain(workflow, run, ask),
            Intent::Schedules { workflow } => self.schedules(workflow),
            Intent::Templates => self.templates(),
            Intent::Versions { workflow } => self.versions(&workflow),
            Intent::Rollback { workflow, version } => self.rollback(&workflow, version, ask),
            Intent::Rename { workflow, to } => self.rename(&workflow, &to, ask),
            Intent::Logs { workflow, run } => self.logs(workflow, run),
            Intent::Thanks => Ok(self.small_talk(&self.line.clone())),
            Intent::List { tags, search } => {
                let filtered = !tags.is_empty() || search.is_some();
                let rows = library::list(&self.ctx, &library::ListRequest { tags, search })?;
                crate::out!("{}", text::list(&rows, filtered, out));
                Ok(exit::OK)
            }
            Intent::Show { workflow } => {
                let name = self.target(&workflow)?;
                self.last_workflow = Some(name.clone());
                crate::out!("{}", text::show(&library::show(&self.ctx, &name, None)?, Format::Yaml, out));
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
                    crate::outln!("Kept '{name}'.");
                    return Ok(exit::OK);
                }
                let deleted = library::delete(&self.ctx, &name)?;
                crate::outln!("Deleted workflow '{}'.", deleted.name);
                Ok(exit::OK)
            }
            Intent::History { workflow, status, since, limit } => self.history(workflow, status, since, limit),
            Intent::Export { workflow, file, format } => {
                let name = self.target(&workflow)?;
                let format = format.as_deref().map(|f| if f == "json" { Format::Json } else { Format::Yaml });
                let exported = library::export(&self.ctx, &name, file.as_deref().map(Path::new), format, false)?;
                match (&exported.text, &exported.file) {
                    (Some(text), _) => crate::terminal::visible::write_data(text),
                    (None, Some(file)) => crate::outln!("Exported '{}' v{} to {file}", exported.name, exported.version),
                    (None, None) => {}
                }
                Ok(exit::OK)
            }
            Intent::Import { file } => {
                let mut code = exit::OK;
                for item in library::import(&self.ctx, &[PathBuf::from(file)], false)? {
                    match (&item.workflow, &item.failure) {
                        (Some(workflow), _) => {
                            crate::outln!("{} {}: imported {}", out.good("✓"), item.file, text::summary(workflow))
                        }
                        (None, failure) => {
                            if let Some(failure) = failure {
                                report(failure);
                            }
                            crate::outln!("{} {}: not imported", out.bad("✗"), item.file);
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
                        crate::err!("{}", problems.render(stderr_color()));
                        code = exit::USAGE;
                    }
                    crate::out!("{}", text::file_check(&check, out));
                }
                Ok(code)
            }
            Intent::Schedule { workflow, cron, timezone, params: given } => {
                let name = self.target(&workflow)?;
                if !self.confirm_loose_name(&workflow, &name, "Schedule", ask) {
                    return Ok(exit::OK);
                }
                self.last_workflow = Some(name.clone());
                // "schedule it" right after a run: offer that run's parameters, unless some were
                // said.
                let mut params = given;
                if let Some((ran, given)) = &self.last_run
                    && ran == &name
                    && !given.is_empty()
                    && params.is_empty()
                {
                    let shown: Vec<String> = given.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    if yes(ask(&format!("With the last run's parameters ({})? [y/N] ", shown.join(" ")))) {
                        params = given.clone();
                    }
                }
                let request = commands::schedule::ScheduleRequest {
                    workflow: name,
                    when: cron,
                    timezone,
                    policy: Default::default(),
                    params,
                    add: false,
                };
                crate::out!("{}", text::scheduled(&commands::schedule::schedule(&self.ctx, &request)?));
                Ok(exit::OK)
            }
            Intent::Unschedule { workflow } => {
                let name = self.target(&workflow)?;
                if !self.confirm_loose_name(&workflow, &name, "Unschedule", ask) {
                    return Ok(exit::OK);
                }
                crate::out!("{}", text::unscheduled(&commands::schedule::unschedule(&self.ctx, &name, None)?));
                Ok(exit::OK)
            }
            Intent::Create { interactive: true, .. } => self.create_interactively(ask),
            Intent::Create { description, name, .. } => {
                let dir = std::env::current_dir().unwrap_or_default();
                let (dialog, lines) = crate::builder::start(description.as_deref(), name.as_deref(), &dir)?;
                self.dialog = Some(dialog);
                for line in lines {
                    crate::outln!("{line}");
                }
                Ok(exit::OK)
            }
            Intent::Suggest => self.list_suggestions(),
            Intent::Shell { command } => Ok(self.shell(&command)),
            Intent::RunRest => self.run_rest(),
            Intent::SaveRecent { count, name } => Ok(self.save_recent(count, name)),
            Intent::Optimize { workflow } => {
                let name = self.target(&workflow)?;
                crate::out!("{}", text::optimized(&commands::optimize::optimize(&self.ctx, &name)?));
                Ok(exit::OK)
            }
            Intent::UseTemplate { template, name } => self.use_template(&template, name.as_deref()),
            Intent::Change { workflow, change } => self.edit_by_conversation(&workflow, &change, ask),
            Intent::Help => {
                help();
                Ok(exit::OK)
            }
            Intent::Dashboard => self.dashboard(),
            Intent::Quit | Intent::Unknown { .. } => Ok(exit::OK),
        }
    }

    pub(super) fn style(&self) -> Style {
        if self.interactive && Output::detect().color { Style::Tty } else { Style::Plain }
    }

    /// Runs a workflow the user named; a loose name ("deplyo", "backup") is confirmed first.
    pub(super) fn run(&mut self, workflow: &str, params: IndexMap<String, String>, ask: &mut Ask<'_>) -> Result<i32> {
        if Path::new(workflow).is_file() {
            return self.start_run(workflow, params);
        }
        let name = self.target(workflow)?;
        if !self.confirm_loose_name(workflow, &name, "Run", ask) {
            return Ok(exit::OK);
        }
        self.start_run(&name, params)
    }

    /// Runs `target` (a saved name or a file) with `params`, remembering it for follow-ups.
    pub(super) fn start_run(&mut self, target: &str, params: IndexMap<String, String>) -> Result<i32> {
        self.last_workflow = Some(target.to_string());
        self.last_run = Some((target.to_string(), params.clone()));
        let command = commands::run::RunCommand {
            target: target.to_string(),
            params,
            trigger: "manual".into(),
            verbose: false,
            sink: renderer(self.style(), Output::detect()),
        };
        Ok(commands::run::run(&self.ctx, command)?.exit_code())
    }
}

impl Session {
    /// "roll X back to 1.0.0", "undo the last change to X": asked first, saved as a new version.
    fn rollback(&mut self, workflow: &str, version: Option<String>, ask: &mut Ask<'_>) -> Result<i32> {
        let name = self.target(workflow)?;
        self.last_workflow = Some(name.clone());
        let (name, versions) = library::versions(&self.ctx, &name)?;
        let version = match version {
            Some(version) => version.trim_start_matches('v').to_string(),
            None => match versions.iter().position(|v| v.current).and_then(|i| i.checked_sub(1)) {
                Some(i) => versions[i].version.clone(),
                None => {
                    crate::outln!("'{name}' has only the one version; there is nothing to roll back to.");
                    return Ok(exit::OK);
                }
            },
        };
        let question =
            format!("Roll '{name}' back to v{version}? It is saved as a new version; nothing is lost. [y/N] ");
        if !yes(ask(&question)) {
            crate::outln!("Left '{name}' as it is.");
            return Ok(exit::OK);
        }
        crate::out!("{}", text::rolled_back(&library::rollback(&self.ctx, &name, &version)?));
        Ok(exit::OK)
    }

    /// "rename greet to say hello": asked first (the name typed may have been a near match),
    /// then saved as a new version under the new name.
    fn rename(&mut self, workflow: &str, to: &str, ask: &mut Ask<'_>) -> Result<i32> {
        let name = self.target(workflow)?;
        self.last_workflow = Some(name.clone());
        let question = format!("Rename '{name}' to '{to}'? Its versions, runs and schedules stay with it. [y/N] ");
        if !yes(ask(&question)) {
            crate::outln!("Left '{name}' as it is.");
            return Ok(exit::OK);
        }
        let renamed = library::rename(&self.ctx, &name, to)?;
        self.last_workflow = Some(renamed.name.clone());
        crate::out!("{}", text::renamed(&renamed));
        Ok(exit::OK)
    }

    /// Serves the dashboard from this session (on alpha's usual port when it is free), or says
    /// where the one it already serves is.
    fn dashboard(&mut self) -> Result<i32> {
        if self.dashboard.is_none() {
            let options = |port| crate::web::ServeOptions {
                bind: std::net::IpAddr::V4(std::net::Ipv4Addr::LOCALHOST),
                port,
                token: self.ctx.settings.web_token.clone(),
            };
            let listening = crate::web::serve_in_background(&self.ctx, options(8642))
                .or_else(|_| crate::web::serve_in_background(&self.ctx, options(0)))?;
            self.dashboard = Some(listening);
        }
        if let Some(listening) = &self.dashboard {
            crate::outln!("The dashboard is at {}", listening.url);
            crate::outln!("It runs while this chat is open; `alpha serve` runs it on its own.");
        }
        Ok(exit::OK)
    }
}

fn help() {
    crate::outln!("Talk to me in plain words, or use a command:");
    for (command, example) in super::COMMANDS {
        crate::outln!("  {command:<12} e.g. {example}");
    }
    crate::outln!("Plain words work too: \"what workflows do I have?\", \"run git sync with branch dev\",");
    crate::outln!(
        "\"schedule the backup every weekday at 9am\", \"what ran yesterday?\". Ctrl-C stops a run; Ctrl-D quits."
    );
    crate::outln!("Runs, graphs and live logs in the browser: \"open the dashboard\" (or `alpha serve`).");
}
