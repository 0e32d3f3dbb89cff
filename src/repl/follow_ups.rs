//! The conversation's follow-ups (design.md §7 "Conversation"): "run it again" with the last
//! run's parameters, "why did it fail?" with an offer to resume, history filtered by status and
//! time, schedules, templates, small talk, and the confirmation a loosely named workflow needs.

use indexmap::IndexMap;

use super::session::{Ask, Session, yes};
use crate::commands::{self, history, short_id};
use crate::error::{Result, exit};
use crate::terminal::progress::renderer;
use crate::terminal::{Output, text};

impl Session {
    /// `history`, with the filters the utterance named.
    pub(super) fn history(
        &mut self,
        workflow: Option<String>,
        status: Option<String>,
        since: Option<String>,
        limit: Option<usize>,
    ) -> Result<i32> {
        let request = self.history_request(workflow.as_deref(), status.as_deref(), since.as_deref(), limit)?;
        let runs = history::runs(&self.ctx, &request)?;
        let filtered = request.status.is_some() || request.since.is_some();
        if runs.is_empty() && filtered {
            let which = request.status.map_or_else(|| "runs".to_string(), |s| format!("{} runs", s.as_str()));
            let of = request.workflow.as_deref().map(|n| format!(" of '{n}'")).unwrap_or_default();
            crate::outln!("No {which}{of} in that time.");
            return Ok(exit::OK);
        }
        if let Some(name) = request.workflow {
            self.last_workflow = Some(name);
        }
        crate::out!("{}", text::history(&runs));
        Ok(exit::OK)
    }

    /// The runs an utterance asks for: its workflow resolved, its status and time read.
    pub(super) fn history_request(
        &self,
        workflow: Option<&str>,
        status: Option<&str>,
        since: Option<&str>,
        limit: Option<usize>,
    ) -> Result<history::HistoryRequest> {
        Ok(history::HistoryRequest {
            workflow: workflow.map(|w| self.target(w)).transpose()?,
            status: status.map(history::status).transpose()?,
            since: since.map(|text| history::since(&self.ctx, text)).transpose()?,
            // Ten when the line said no count: a screenful, newest first.
            limit: limit.unwrap_or(10),
        })
    }

    /// The workflow a follow-up is about: the one named, or for "it" (and, with
    /// `default_to_context`, for no name) the one the conversation is about, if any.
    pub(super) fn follow_up_scope(&self, workflow: Option<&str>, default_to_context: bool) -> Result<Option<String>> {
        match workflow {
            Some("it") => Ok(self.last_workflow.clone()),
            Some(w) => self.target(w).map(Some),
            None if default_to_context => Ok(self.last_workflow.clone()),
            None => Ok(None),
        }
    }

    /// "run it again", "again with branch dev": the last run's workflow and parameters, changed
    /// where asked, said before it runs.
    /// "the failed one" looks at every workflow's runs unless one is named.
    pub(super) fn rerun(
        &mut self,
        workflow: Option<String>,
        changes: IndexMap<String, String>,
        failed: bool,
    ) -> Result<i32> {
        let workflow = self.follow_up_scope(workflow.as_deref(), !failed)?;
        let again = history::rerun(&self.ctx, workflow.as_deref(), failed, &changes)?;
        let shown: Vec<String> = again.params.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let how = match (shown.is_empty(), again.changed.is_empty()) {
            (true, _) => "with no parameters, as last time".to_string(),
            (false, true) => format!("with the same parameters: {}", shown.join(" ")),
            (false, false) => format!("with {} ({} changed)", shown.join(" "), again.changed.join(", ")),
        };
        let which = if failed {
            format!(" (run {} {})", short_id(&again.earlier.id), again.earlier.status.as_str())
        } else {
            String::new()
        };
        crate::outln!("Running '{}'{which} again {how}.", again.earlier.workflow_name);
        self.start_run(&again.target, again.params)
    }

    /// "why did it fail?": the failed steps, their errors and output, and an offer to resume.
    pub(super) fn explain(&mut self, workflow: Option<String>, run: Option<String>, ask: &mut Ask<'_>) -> Result<i32> {
        let workflow = self.follow_up_scope(workflow.as_deref(), run.is_none())?;
        let explanation = history::explain(&self.ctx, workflow.as_deref(), run.as_deref())?;
        self.last_workflow = Some(explanation.run.workflow_name.clone());
        crate::out!("{}", text::explanation(&explanation));
        if explanation.resumable {
            let id = short_id(&explanation.run.id).to_string();
            if yes(ask(&format!("Resume run {id} from where it stopped? [y/N] "))) {
                return self.resume(&id);
            }
        }
        Ok(exit::OK)
    }

    fn resume(&mut self, id: &str) -> Result<i32> {
        let mut resumption = commands::run::resume(&self.ctx, id, IndexMap::new())?;
        crate::outln!(
            "Resuming run {id}: {} step{} already done.",
            resumption.done,
            if resumption.done == 1 { "" } else { "s" }
        );
        resumption.request.sink = renderer(self.style(), Output::detect());
        Ok(commands::run::execute(&self.ctx, resumption.request)?.exit_code())
    }

    /// "what's scheduled?", "when does backup run next?".
    pub(super) fn schedules(&mut self, workflow: Option<String>) -> Result<i32> {
        let name = workflow.map(|w| self.target(&w)).transpose()?;
        let rows = self.schedule_rows(name.as_deref())?;
        if let Some(name) = &name {
            self.last_workflow = Some(name.clone());
            if rows.is_empty() {
                crate::outln!(
                    "'{name}' is not scheduled. Say \"schedule {name} every weekday at 9am\" to schedule it."
                );
                return Ok(exit::OK);
            }
        }
        crate::out!("{}", text::schedule_status(&rows));
        Ok(exit::OK)
    }

    /// Every schedule, or those of `name`.
    pub(super) fn schedule_rows(&self, name: Option<&str>) -> Result<Vec<commands::schedule::ScheduleStatus>> {
        let mut rows = commands::schedule::status(&self.ctx)?;
        if let Some(name) = name {
            rows.retain(|r| r.workflow.eq_ignore_ascii_case(name));
        }
        Ok(rows)
    }

    /// "versions of the backup".
    pub(super) fn versions(&mut self, workflow: &str) -> Result<i32> {
        let name = self.target(workflow)?;
        let (name, rows) = commands::library::versions(&self.ctx, &name)?;
        self.last_workflow = Some(name.clone());
        crate::out!("{}", text::versions(&name, &rows));
        Ok(exit::OK)
    }

    /// "logs of the backup", `/logs 3f2a9c1e`: everything the run's steps printed.
    pub(super) fn logs(&mut self, workflow: Option<String>, run: Option<String>) -> Result<i32> {
        let id = match run {
            Some(id) => id,
            None => {
                let workflow = match workflow {
                    Some(w) => Some(self.target(&w)?),
                    None => self.last_workflow.clone(),
                };
                history::last_run(&self.ctx, workflow.as_deref())?
                    .ok_or_else(|| crate::error::Error::usage("nothing has run yet"))?
                    .id
            }
        };
        let logs = history::logs(&self.ctx, &id, None)?;
        crate::outln!("Run {}:", short_id(&id));
        crate::terminal::visible::print_logs(&logs);
        Ok(exit::OK)
    }

    /// "list templates".
    pub(super) fn templates(&self) -> Result<i32> {
        crate::out!("{}", text::templates(&commands::templates::list()?));
        Ok(exit::OK)
    }

    /// "thanks", "hello": a short answer, nothing done.
    pub(super) fn small_talk(&self, line: &str) -> i32 {
        let lower = line.to_lowercase();
        let greeting = ["hello", "hi", "hey", "morning", "afternoon", "evening", "howdy", "yo", "what's up", "how are"]
            .iter()
            .any(|w| {
                lower.split(|c: char| !c.is_alphanumeric() && c != '\'').any(|word| word == *w) || lower.contains(w)
            });
        let identity = ["who are you", "what are you", "your name", "about yourself", "introduce yourself"];
        if identity.iter().any(|w| lower.contains(w)) {
            crate::outln!(
                "I'm alpha, a workflow assistant: I run, schedule and create your workflows, and notice what you keep doing by hand. /help shows more."
            );
        } else if greeting && !lower.contains("thank") {
            crate::outln!("Hello! Tell me what to run, list, schedule or create; /help shows more.");
        } else {
            crate::outln!("You're welcome.");
        }
        exit::OK
    }

    /// Whether the line named `canonical` exactly (its words, in order) rather than loosely
    /// ("deplyo", "backup" for "Backup Files"); loose names are confirmed before anything runs.
    pub(super) fn named_exactly(&self, canonical: &str) -> bool {
        let wanted = crate::grammar::names::words(canonical);
        let typed = crate::grammar::names::words(&self.line);
        !wanted.is_empty() && typed.windows(wanted.len()).any(|w| w == wanted.as_slice())
            || self.line.to_lowercase().contains(&canonical.to_lowercase())
    }

    /// Asks before acting on a loosely named workflow; true to go ahead. `typed` is the name as
    /// the grammar gave it: "it" is the conversation's workflow, named before.
    pub(super) fn confirm_loose_name(&self, typed: &str, canonical: &str, action: &str, ask: &mut Ask<'_>) -> bool {
        if self.confirmed || typed == "it" || self.named_exactly(canonical) {
            return true;
        }
        let go = yes(ask(&format!("Did you mean '{canonical}'? {action} it? [y/N] ")));
        if !go {
            crate::outln!("OK, nothing done.");
        }
        go
    }
}
