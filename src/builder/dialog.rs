//! The conversational builder (Story 1): asks for a name and parameters, drafts the steps, shows
//! them, takes corrections, and hands back a validated workflow only when the user says yes.

use crate::grammar::Change;
use std::collections::VecDeque;
use std::path::Path;

use indexmap::IndexMap;
use regex::Regex;

use super::catalog::{self, Project};
use super::draft::{self, Item, Plan};
use crate::workflow::{Document, Format, Parameter, Workflow, to_text};

/// What the dialog needs next.
#[derive(Debug, Clone, PartialEq, Eq)]
enum State {
    Describe,
    Name,
    Parameters,
    /// A question about the item at this index (its command).
    Command(usize),
    Review,
}

/// The result of one answer.
#[derive(Debug)]
pub enum Reply {
    /// Say these lines and wait for the next answer.
    Ask(Vec<String>),
    /// Save this workflow (already validated), after saying these lines.
    Save(Box<Workflow>),
    /// The user gave up; nothing is saved.
    Cancelled(String),
}

/// A builder conversation in progress.
pub struct Dialog {
    state: State,
    description: String,
    name: Option<String>,
    params: IndexMap<String, Parameter>,
    plan: Plan,
    questions: VecDeque<usize>,
    project: Project,
    /// A draft written by the LLM, used instead of the rule-based plan when present.
    drafted: Option<Workflow>,
    /// A name the draft proposed, taken when the user just presses Enter.
    suggested: Option<String>,
}

const CANCEL: &[&str] = &[
    "cancel",
    "never mind",
    "nevermind",
    "forget it",
    "stop",
    "abort",
    "quit",
    "exit",
    "cancel that",
    "nah forget it",
    "bye",
    "goodbye",
    "discard",
    "discard it",
    "scrap it",
    "throw it away",
    "don't save it",
    "do not save it",
];
const YES: &[&str] = &[
    "yes",
    "y",
    "yep",
    "yeah",
    "sure",
    "ok",
    "okay",
    "save",
    "save it",
    "looks good",
    "confirm",
    "do it",
    "go ahead",
    "create it",
    "perfect",
];

impl Dialog {
    /// Starts a dialog for `description` (None: ask what it should do); returns the first question.
    pub fn start(description: Option<&str>, name: Option<&str>, dir: &Path) -> (Dialog, Vec<String>) {
        let mut dialog = Dialog {
            state: State::Describe,
            description: String::new(),
            name: name.map(str::to_string),
            params: IndexMap::new(),
            plan: Plan::default(),
            questions: VecDeque::new(),
            project: Project::detect(dir),
            drafted: None,
            suggested: None,
        };
        let lines = match description.map(str::trim).filter(|d| !d.is_empty()) {
            Some(text) => {
                dialog.describe(text);
                let mut lines = vec!["I'll create a workflow for you.".to_string()];
                lines.extend(dialog.next_question());
                lines
            }
            None => vec![
                "What should the workflow do? (for example: pull latest code, run tests and deploy if they pass)"
                    .into(),
            ],
        };
        (dialog, lines)
    }

    /// A dialog that reviews a ready draft (from the LLM or from commands just run).
    pub fn from_draft(workflow: Workflow, name: Option<&str>, dir: &Path) -> (Dialog, Vec<String>) {
        let (mut dialog, _) = Dialog::start(None, name, dir);
        dialog.description = workflow.description.clone().unwrap_or_default();
        dialog.suggested = Some(workflow.name.clone()).filter(|n| !n.trim().is_empty());
        dialog.use_draft(workflow);
        dialog.name = name.map(str::to_string);
        let lines = match (&dialog.name, &dialog.suggested) {
            (None, Some(suggested)) => {
                dialog.state = State::Name;
                vec![format!("What should I name it? (Enter for '{suggested}')")]
            }
            (None, None) => {
                dialog.state = State::Name;
                vec!["What should I name it?".to_string()]
            }
            (Some(_), _) => {
                dialog.state = State::Review;
                dialog.review()
            }
        };
        (dialog, lines)
    }

    /// Uses a draft written elsewhere (the LLM) instead of the rule-based plan.
    pub fn use_draft(&mut self, workflow: Workflow) {
        self.params = workflow.parameters.clone();
        self.drafted = Some(workflow);
        self.questions.clear();
        self.state = if self.name.is_none() { State::Name } else { State::Review };
    }

    /// The description being built.
    pub fn description(&self) -> &str {
        &self.description
    }

    fn describe(&mut self, text: &str) {
        self.description = text.to_string();
        self.plan = draft::plan(text);
        for unknown in self.plan.unknown.clone() {
            self.plan.add(Item {
                id: slug(&unknown),
                name: title(&unknown),
                phrase: None,
                command: None,
                condition: None,
                attempts: None,
            });
        }
        self.questions = self.plan.items.iter().enumerate().filter(|(_, i)| needs_command(i)).map(|(n, _)| n).collect();
        self.state = State::Name;
    }

    fn next_question(&mut self) -> Vec<String> {
        if self.name.is_none() {
            self.state = State::Name;
            return vec!["What should I name it?".into()];
        }
        if self.state == State::Name {
            self.state = State::Parameters;
            return vec!["Should this workflow take any parameters?".into()];
        }
        if let Some(index) = self.questions.pop_front() {
            self.state = State::Command(index);
            let item = &self.plan.items[index];
            let question = match item.phrase.and_then(|p| p.ask.clone()) {
                Some(ask) => format!("{ask} Press Enter for {}.", self.default_command(index)),
                None => {
                    format!("What command should \"{}\" run? (or 'skip' to leave it out)", item.name.to_lowercase())
                }
            };
            return vec![question];
        }
        self.state = State::Review;
        self.review()
    }

    fn default_command(&self, index: usize) -> String {
        let item = &self.plan.items[index];
        match item.phrase {
            Some(phrase) if phrase.needs.iter().all(|n| self.params.contains_key(n)) => {
                phrase.command.clone().unwrap_or_default()
            }
            Some(phrase) => phrase.plain.clone().or_else(|| phrase.command.clone()).unwrap_or_default(),
            None => String::new(),
        }
    }

    /// The workflow as drafted so far.
    pub fn workflow(&self) -> Workflow {
        if let Some(workflow) = &self.drafted {
            let mut workflow = workflow.clone();
            workflow.name = self.name.clone().unwrap_or_else(|| workflow.name.clone());
            return workflow;
        }
        let name = self.name.clone().unwrap_or_else(|| "New Workflow".into());
        self.plan.render(&name, &self.description, &self.params, &self.project)
    }

    fn review(&self) -> Vec<String> {
        let workflow = self.workflow();
        let mut lines = vec![format!("Here is the draft of '{}':", workflow.name)];
        for (n, step) in workflow.steps.iter().enumerate() {
            if let crate::workflow::Step::Tool(tool) = step {
                let what = tool
                    .parameters
                    .get("command")
                    .and_then(|c| c.as_str())
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("{} {}", tool.tool, tool.action));
                let mut notes = Vec::new();
                if let Some(retry) = tool.retry.as_ref().filter(|r| r.max_attempts > 1) {
                    notes.push(super::edit::retries_in_words(retry.max_attempts));
                }
                if let Some(item) = self.plan.items.iter().find(|i| i.id == tool.id)
                    && let Some(condition) = &item.condition
                {
                    notes.push(format!("only {}", condition.words));
                } else if let Some(condition) = &tool.condition {
                    notes.push(format!("only if {condition}"));
                }
                let notes = if notes.is_empty() { String::new() } else { format!(" ({})", notes.join(", ")) };
                lines.push(format!("  {}. {}: {what}{notes}", n + 1, tool.name.as_deref().unwrap_or(&tool.id)));
            }
        }
        for trigger in &workflow.triggers {
            if let crate::workflow::Trigger::Schedule { cron, .. } = trigger {
                lines.push(format!("  Runs {} ({cron}).", crate::schedule::describe(cron).to_lowercase()));
            }
        }
        lines.push("Save it? (yes / show yaml / a change such as \"make the tests retry 3 times\" / cancel)".into());
        lines
    }

    /// Handles the user's next line.
    /// Whether the dialog is waiting for the workflow's name (where a command typed by habit,
    /// "list workflows", must not silently become the name).
    pub fn asks_for_name(&self) -> bool {
        self.state == State::Name
    }

    pub fn answer(&mut self, line: &str) -> Reply {
        let text = line.trim();
        let lower = text.to_lowercase();
        let lower = lower.trim_end_matches(['.', '!']);
        if CANCEL.contains(&lower) {
            return Reply::Cancelled("OK, cancelled. Nothing was saved.".into());
        }
        match self.state.clone() {
            State::Describe => {
                if text.is_empty() {
                    return Reply::Ask(vec!["What should the workflow do?".into()]);
                }
                self.describe(text);
                Reply::Ask(self.next_question())
            }
            State::Name => {
                let name = text.trim_matches(['"', '\'']).trim();
                let name =
                    name.strip_prefix("call it ").or_else(|| name.strip_prefix("name it ")).unwrap_or(name).trim();
                let name = if name.is_empty() { self.suggested.clone().unwrap_or_default() } else { name.to_string() };
                let name = name.as_str();
                if name.is_empty() || name.chars().count() > 100 {
                    return Reply::Ask(vec!["Please give it a name (up to 100 characters).".into()]);
                }
                self.name = Some(name.to_string());
                if self.drafted.is_some() {
                    self.state = State::Review;
                    return Reply::Ask(self.review());
                }
                Reply::Ask(self.next_question())
            }
            State::Parameters => {
                if matches!(lower, "yes" | "y" | "yeah" | "yep" | "sure") {
                    return Reply::Ask(vec!["Which ones? (for example: branch name and environment)".into()]);
                }
                self.params = draft::parameters_from_answer(text);
                self.state = State::Parameters;
                Reply::Ask(self.next_question())
            }
            State::Command(index) => {
                if lower == "skip" {
                    self.plan.items.remove(index);
                    self.questions = self.questions.iter().map(|q| if *q > index { q - 1 } else { *q }).collect();
                } else {
                    let command = if text.is_empty() { self.default_command(index) } else { text.to_string() };
                    if command.is_empty() {
                        return Reply::Ask(vec!["I need a command for that step (or 'skip').".into()]);
                    }
                    self.plan.items[index].command = Some(command);
                }
                Reply::Ask(self.next_question())
            }
            State::Review => self.review_answer(text, lower),
        }
    }

    fn review_answer(&mut self, text: &str, lower: &str) -> Reply {
        if YES.contains(&lower) || crate::grammar::answer::is_yes(lower) {
            let workflow = self.workflow();
            let yaml = to_text(&workflow, Format::Yaml);
            return match Document::from_text(format!("draft of '{}'", workflow.name), yaml, Format::Yaml).load() {
                Ok(valid) => Reply::Save(Box::new(valid)),
                Err(diagnostics) => {
                    let mut lines = vec!["The draft isn't valid yet:".to_string()];
                    lines.extend(diagnostics.diagnostics.iter().map(|d| format!("  - {}", d.message)));
                    lines.push("Tell me what to change, or 'cancel'.".into());
                    Reply::Ask(lines)
                }
            };
        }
        if matches!(
            lower,
            "show yaml" | "yaml" | "show me the yaml" | "show the yaml" | "show it" | "let me see the yaml"
        ) {
            let mut lines: Vec<String> = to_text(&self.workflow(), Format::Yaml).lines().map(str::to_string).collect();
            lines.push("Save it? (yes / a change / cancel)".into());
            return Reply::Ask(lines);
        }
        if matches!(lower, "no" | "n" | "not yet" | "nope") {
            return Reply::Ask(vec!["What should I change? (or 'cancel')".into()]);
        }
        match self.change(text, lower) {
            Some(what) => {
                let mut lines = vec![what];
                lines.extend(self.review());
                Reply::Ask(lines)
            }
            None => Reply::Ask(vec![
                "I didn't get that. Say 'yes' to save, 'show yaml', a change such as \"make the tests retry 3 times\", \"call it Ship It\", \"add a step that notifies me\", or 'cancel'.".into(),
            ]),
        }
    }

    /// Applies a correction; returns what was done.
    fn change(&mut self, text: &str, lower: &str) -> Option<String> {
        let rename =
            Regex::new(r"^(?:call it|name it|rename it(?: to)?|let's call it|it should be called)\s+(.+)$").ok()?;
        if let Some(caps) = rename.captures(lower) {
            let start = text.len() - caps[1].len();
            let name = text[start..].trim().trim_matches(['"', '\'']).to_string();
            self.name = Some(name.clone());
            return Some(format!("Renamed it to '{name}'."));
        }
        let retry =
            Regex::new(r"(?:make )?(?:the )?(.+?) (?:step )?retry (\d+) times|retry (?:the )?(.+?) (\d+) times")
                .ok()?;
        if let Some(caps) = retry.captures(lower) {
            let (target, count) = match (caps.get(1), caps.get(2), caps.get(3), caps.get(4)) {
                (Some(t), Some(n), _, _) | (_, _, Some(t), Some(n)) => {
                    (t.as_str().to_string(), n.as_str().parse::<u32>().ok()?)
                }
                _ => return None,
            };
            if let Some(drafted) = &self.drafted {
                let change = Change::Retry { step: target, times: count };
                let (changed, what) = super::edit::apply(&change, drafted).ok()?;
                self.drafted = Some(changed);
                return Some(format!("{}.", capitalize_first(&what)));
            }
            let index = self.plan.find(&target)?;
            // "retry 3 times": three more tries after the first.
            self.plan.items[index].attempts = Some(count.saturating_add(1));
            return Some(format!("{} now retries up to {count} times.", self.plan.items[index].name));
        }
        let add = Regex::new(
            r"^(?:also |and )?(?:add|append|include)(?: a| an| another)?(?: step)?(?: that| to| which)?\s+(.+)$",
        )
        .ok()?;
        if let Some(caps) = add.captures(lower) {
            let what = caps[1].trim_end_matches(" step").trim().to_string();
            if let Some(drafted) = &self.drafted {
                let (changed, done) = super::edit::apply(&Change::Add { what }, drafted).ok()?;
                self.drafted = Some(changed);
                return Some(format!("{}.", capitalize_first(&done)));
            }
            let phrase = catalog::find(&what)?;
            self.plan.add(Item {
                id: phrase.id.clone(),
                name: phrase.name.clone(),
                phrase: Some(phrase),
                command: None,
                condition: None,
                attempts: phrase.retry,
            });
            return Some(format!("Added a step: {}.", phrase.name));
        }
        let remove = Regex::new(r"^(?:remove|drop|delete|skip|leave out)(?: the)? (.+?)(?: step)?$").ok()?;
        if let Some(caps) = remove.captures(lower) {
            if let Some(drafted) = &self.drafted {
                let (changed, done) =
                    super::edit::apply(&Change::Remove { step: caps[1].to_string() }, drafted).ok()?;
                self.drafted = Some(changed);
                return Some(format!("{}.", capitalize_first(&done)));
            }
            let index = self.plan.find(&caps[1])?;
            let item = self.plan.items.remove(index);
            return Some(format!("Removed {}.", item.name));
        }
        None
    }

    /// Asks for another name (the chosen one is taken).
    pub fn ask_name_again(&mut self, taken: &str) -> Vec<String> {
        self.name = None;
        self.state = State::Name;
        vec![format!("A workflow named '{taken}' already exists. What should I name this one?")]
    }

    /// Lines announcing a saved workflow, in the words of Story 1.
    pub fn saved_message(workflow: &Workflow) -> Vec<String> {
        let mut lines = Vec::new();
        if workflow.parameters.is_empty() {
            lines.push(format!("Workflow '{}' created.", workflow.name));
        } else {
            lines.push(format!("Workflow '{}' created with parameters:", workflow.name));
            for (name, parameter) in &workflow.parameters {
                let default =
                    parameter.default.as_ref().map(|d| d.as_str().map_or_else(|| d.to_string(), str::to_string));
                match default {
                    Some(value) => lines.push(format!("  - {name} (default: {value})")),
                    None => lines.push(format!("  - {name} (required)")),
                }
            }
        }
        let example: Vec<String> = workflow
            .parameters
            .iter()
            .map(|(name, p)| {
                format!("{name}={}", crate::template::shell_quote(&draft::example_value(name, p.default.as_ref())))
            })
            .collect();
        let example = if example.is_empty() { String::new() } else { format!(" {}", example.join(" ")) };
        lines.push(format!("Run with: alpha workflow run {}{example}", crate::template::shell_quote(&workflow.name)));
        lines
    }
}

fn capitalize_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

fn needs_command(item: &Item) -> bool {
    item.command.is_none() && (item.phrase.is_none() || item.phrase.is_some_and(|p| p.ask.is_some()))
}

fn slug(text: &str) -> String {
    let slug: String = text.to_lowercase().chars().map(|c| if c.is_ascii_alphanumeric() { c } else { '_' }).collect();
    let slug = slug.split('_').filter(|s| !s.is_empty()).take(4).collect::<Vec<_>>().join("_");
    if slug.is_empty() || slug.starts_with(|c: char| c.is_ascii_digit()) { format!("step_{slug}") } else { slug }
}

fn title(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_uppercase().collect::<String>() + chars.as_str()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn say(dialog: &mut Dialog, line: &str) -> Vec<String> {
        match dialog.answer(line) {
            Reply::Ask(lines) => lines,
            Reply::Save(w) => vec![format!("SAVE {}", w.name)],
            Reply::Cancelled(m) => vec![m],
        }
    }

    #[test]
    fn story_one_with_a_correction() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.toml"), "").unwrap();
        let (mut dialog, first) =
            Dialog::start(Some("pulls latest code, runs tests, and deploys if tests pass"), None, dir.path());
        assert_eq!(first, ["I'll create a workflow for you.", "What should I name it?"]);
        assert_eq!(say(&mut dialog, "Deploy Pipeline"), ["Should this workflow take any parameters?"]);
        let ask = say(&mut dialog, "Yes - branch name and environment");
        assert!(ask[0].starts_with("How do you deploy?"), "{ask:?}");
        let review = say(&mut dialog, "");
        assert!(
            review.contains(&"  1. Git Pull: git pull origin {{ branch }} (retries up to 2 times)".to_string()),
            "{review:?}"
        );
        assert!(review.contains(&"  2. Run Tests: cargo test".to_string()), "{review:?}");
        assert!(
            review.contains(&"  3. Deploy: ./deploy.sh {{ environment }} (only if tests pass)".to_string()),
            "{review:?}"
        );
        let changed = say(&mut dialog, "make the tests retry 3 times");
        assert_eq!(changed[0], "Run Tests now retries up to 3 times.");
        assert_eq!(say(&mut dialog, "yes"), ["SAVE Deploy Pipeline"]);
    }
}
