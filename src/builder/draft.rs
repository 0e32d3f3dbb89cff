//! The rule-based drafter: a description in the user's words → a plan of steps from the phrase
//! catalog, then a workflow once the name and parameters are known.

use indexmap::IndexMap;
use serde_json::{Value, json};

use super::catalog::{self, Phrase, Project};
use crate::workflow::{OnError, ParamType, Parameter, Retry, Step, ToolStep, Trigger, Workflow};

/// When a step runs, relative to an earlier one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Condition {
    /// The step id it depends on.
    pub on: String,
    /// Run when that step succeeded (else when it failed).
    pub success: bool,
    /// The words the user said ("if tests pass").
    pub words: String,
}

/// One planned step.
#[derive(Debug, Clone)]
pub struct Item {
    /// Step id.
    pub id: String,
    /// Display name.
    pub name: String,
    /// The catalog entry, when it came from one.
    pub phrase: Option<&'static Phrase>,
    /// A shell command given by the user (overrides the catalog's).
    pub command: Option<String>,
    /// Run only if.
    pub condition: Option<Condition>,
    /// Attempts in total (the first included) when it should retry: "retry 3 times" is 4.
    pub attempts: Option<u32>,
}

/// A plan: steps, a schedule, and the clauses not understood.
#[derive(Debug, Clone, Default)]
pub struct Plan {
    /// The steps in order.
    pub items: Vec<Item>,
    /// A cron from a time phrase ("every morning at 9").
    pub cron: Option<String>,
    /// Clauses that matched nothing.
    pub unknown: Vec<String>,
}

/// Defaults for parameters users commonly name.
pub fn parameter_default(name: &str) -> Option<Value> {
    Some(json!(match name {
        "branch" => "main",
        "environment" => "staging",
        "source" => "~/Documents",
        "destination" => "~/backups",
        "host" => "localhost",
        "folder" | "directory" | "path" => ".",
        "version" => "1.0.0",
        "remote" => "origin",
        _ => return None,
    }))
}

/// The value to show in the "Run with:" example for a parameter.
pub fn example_value(name: &str, default: Option<&Value>) -> String {
    match name {
        "branch" => "dev".into(),
        "environment" => "prod".into(),
        _ => default.map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_string)).unwrap_or_else(|| "…".into()),
    }
}

/// Splits a description into clauses and maps each to a step.
pub fn plan(description: &str) -> Plan {
    let mut plan = Plan::default();
    let mut text = description.trim().trim_end_matches(['.', '!', '?']).to_string();
    if let Some((cron, start, end)) = find_time_phrase(&text) {
        plan.cron = Some(cron);
        text = format!("{} {}", &text[..start], &text[end..]);
    }
    let lowered = text.to_lowercase();
    let mut clauses: Vec<String> = vec![lowered];
    for separator in [";", ",", " and then ", " then ", " and ", " after that ", " also "] {
        clauses = clauses.iter().flat_map(|c| c.split(separator).map(str::to_string).collect::<Vec<_>>()).collect();
    }
    for clause in clauses {
        let clause = clause.trim().trim_start_matches("and ").trim_start_matches("then ").trim().to_string();
        if clause.is_empty() {
            continue;
        }
        let (body, condition_words) = split_condition(&clause);
        match catalog::find(&body) {
            Some(phrase) => {
                let condition = condition_words.and_then(|words| condition_for(&words, &plan.items));
                plan.add(Item {
                    id: phrase.id.clone(),
                    name: phrase.name.clone(),
                    phrase: Some(phrase),
                    command: None,
                    condition,
                    attempts: phrase.retry,
                });
            }
            None => plan.unknown.push(body),
        }
    }
    plan
}

impl Plan {
    /// Appends an item with an id unique in the plan.
    pub fn add(&mut self, mut item: Item) {
        let base = item.id.clone();
        let mut n = 1;
        while self.items.iter().any(|i| i.id == item.id) {
            n += 1;
            item.id = format!("{base}_{n}");
        }
        self.items.push(item);
    }

    /// The item a user's words refer to ("the tests", "pull", "deploy step").
    pub fn find(&self, words: &str) -> Option<usize> {
        let words = catalog::normalize(words).replace(" step", "");
        let words = words.trim_start_matches("the ").trim();
        self.items.iter().position(|i| {
            let name = i.name.to_lowercase();
            i.id == words
                || name == words
                || name.contains(words)
                || words.contains(&i.id)
                || i.phrase.is_some_and(|p| p.phrases.iter().any(|ph| catalog::normalize(ph) == words))
        })
    }

    /// Parameters the plan's steps need that the user didn't give.
    pub fn needed(&self) -> Vec<String> {
        let mut needed = Vec::new();
        for item in &self.items {
            if let Some(phrase) = item.phrase
                && phrase.tool != "shell"
            {
                for need in &phrase.needs {
                    if !needed.contains(need) {
                        needed.push(need.clone());
                    }
                }
            }
        }
        needed
    }

    /// The workflow this plan describes, with `name`, `params` and the project's commands.
    pub fn render(
        &self,
        name: &str,
        description: &str,
        params: &IndexMap<String, Parameter>,
        project: &Project,
    ) -> Workflow {
        let mut parameters = params.clone();
        for need in self.needed() {
            parameters.entry(need.clone()).or_insert_with(|| Parameter {
                kind: if matches!(need.as_str(), "source" | "destination") {
                    ParamType::Path
                } else {
                    ParamType::String
                },
                default: parameter_default(&need),
                ..Parameter::default()
            });
        }
        let mut steps = Vec::new();
        let mut previous: Option<String> = None;
        for item in &self.items {
            let step = self.step(item, &parameters, project, previous.as_deref());
            previous = Some(item.id.clone());
            steps.push(Step::Tool(step));
        }
        // A step whose outcome a later condition reads must not abort the run when it fails.
        for item in &self.items {
            if let Some(condition) = &item.condition
                && let Some(Step::Tool(target)) = steps.iter_mut().find(|s| s.id() == Some(condition.on.as_str()))
                && target.on_error == OnError::Abort
            {
                target.on_error = OnError::LogAndContinue;
            }
        }
        let mut triggers = vec![Trigger::Manual];
        if let Some(cron) = &self.cron {
            triggers.push(Trigger::Schedule { cron: cron.clone(), timezone: None });
        }
        Workflow {
            name: name.to_string(),
            version: "1.0.0".into(),
            description: Some(description.to_string()).filter(|d| !d.is_empty()),
            author: None,
            tags: Vec::new(),
            parameters,
            triggers,
            execution: Default::default(),
            workdir: None,
            runs_on: Vec::new(),
            steps,
            outputs: IndexMap::new(),
        }
    }

    fn step(
        &self,
        item: &Item,
        params: &IndexMap<String, Parameter>,
        project: &Project,
        previous: Option<&str>,
    ) -> ToolStep {
        let mut step = ToolStep {
            id: item.id.clone(),
            name: Some(item.name.clone()),
            action: "run".into(),
            tool: "shell".into(),
            ..ToolStep::default()
        };
        match (item.phrase, &item.command) {
            (_, Some(command)) => {
                step.parameters.insert("command".into(), json!(command));
            }
            (Some(phrase), None) => {
                step.tool = phrase.tool.clone();
                step.action = phrase.action.clone().unwrap_or_else(|| "run".into());
                let has_all = phrase.needs.iter().all(|n| params.contains_key(n));
                if let Some(command) = &phrase.command {
                    let command =
                        if has_all { command.clone() } else { phrase.plain.clone().unwrap_or_else(|| command.clone()) };
                    let command = project.fill(&command);
                    step.parameters.insert("command".into(), json!(command));
                }
                for (key, value) in &phrase.parameters {
                    let value = match (value.as_str(), previous) {
                        (Some(text), Some(prev)) if text.contains("{{ previous }}") => {
                            json!(text.replace("{{ previous }}", &format!("{{{{ {prev}.output }}}}")))
                        }
                        (Some(text), None) if text.contains("{{ previous }}") => {
                            json!(text.replace("{{ previous }}", ""))
                        }
                        _ => value.clone(),
                    };
                    step.parameters.insert(key.clone(), value);
                }
            }
            (None, None) => {
                step.parameters.insert("command".into(), json!("true"));
            }
        }
        if let Some(attempts) = item.attempts {
            step.on_error = OnError::Retry;
            step.retry = Some(Retry { max_attempts: attempts, ..Retry::default() });
        }
        if let Some(condition) = &item.condition {
            let status = if condition.success { "success" } else { "failed" };
            step.condition = Some(format!("{{{{ {}.status == '{status}' }}}}", condition.on));
        }
        step
    }
}

/// "deploys if tests pass" → ("deploys", Some("if tests pass")).
fn split_condition(clause: &str) -> (String, Option<String>) {
    for marker in [" only if ", " if ", " when ", " unless "] {
        if let Some(index) = clause.find(marker) {
            return (clause[..index].trim().to_string(), Some(clause[index..].trim().to_string()));
        }
    }
    if let Some(rest) = clause.strip_prefix("if ") {
        // "if tests pass deploy" → condition first.
        for verb in ["deploy", "notify", "build", "ship", "send", "alert"] {
            if let Some(index) = rest.find(verb) {
                return (rest[index..].to_string(), Some(format!("if {}", rest[..index].trim())));
            }
        }
    }
    (clause.to_string(), None)
}

/// "if tests pass" → the test step, success; "if the build fails" → the build step, failure.
fn condition_for(words: &str, items: &[Item]) -> Option<Condition> {
    let lower = words.to_lowercase();
    let failure = ["fail", "break", "red", "error"].iter().any(|w| lower.contains(w)) || lower.starts_with("unless");
    let target = ["test", "build", "lint", "pull", "deploy", "backup"]
        .iter()
        .find(|w| lower.contains(*w))
        .and_then(|w| items.iter().rev().find(|i| i.id.starts_with(&w[..w.len().min(4)])))
        .or_else(|| items.last())?;
    let success = if lower.starts_with("unless") { true } else { !failure };
    Some(Condition { on: target.id.clone(), success, words: words.to_string() })
}

/// A time phrase inside free text: its cron and byte range.
pub fn find_time_phrase(text: &str) -> Option<(String, usize, usize)> {
    let lower = text.to_ascii_lowercase();
    let starts: Vec<usize> = std::iter::once(0).chain(lower.match_indices(' ').map(|(i, _)| i + 1)).collect();
    for start in starts {
        let candidate = &lower[start..];
        if let Some((cron, rest)) = crate::grammar::time::phrase(candidate) {
            let end = lower.len() - rest.len();
            let rest_trim = rest.trim_start();
            if rest_trim.is_empty()
                || rest_trim.starts_with(',')
                || rest_trim.starts_with("and")
                || rest_trim.starts_with('.')
            {
                return Some((cron, start, end));
            }
        }
    }
    None
}

/// Parameters from an answer such as "Yes - branch name and environment" or "branch=dev, env".
pub fn parameters_from_answer(answer: &str) -> IndexMap<String, Parameter> {
    let lower = answer.trim().to_lowercase();
    let mut params = IndexMap::new();
    if lower.is_empty()
        || ["no", "none", "nope", "no thanks", "n", "nothing", "no parameters"]
            .contains(&lower.trim_end_matches(['.', '!']))
    {
        return params;
    }
    let body = lower
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .trim_start_matches("yes")
        .trim_start_matches("yeah")
        .trim_start_matches("sure")
        .trim_start_matches(|c: char| c == ',' || c == '-' || c == ':' || c == '—' || c.is_whitespace());
    for part in body.split([',', ';']).flat_map(|p| p.split(" and ")) {
        let part = part.trim().trim_start_matches("the ").trim_start_matches("a ").trim();
        if part.is_empty() {
            continue;
        }
        let (raw, default) = match part.split_once(['=', ':']) {
            Some((k, v)) => (k.trim().to_string(), Some(json!(v.trim()))),
            None => (part.to_string(), None),
        };
        let name = canonical_parameter(&raw);
        if name.is_empty() {
            continue;
        }
        let default = default.or_else(|| parameter_default(&name));
        params.insert(name, Parameter { default, ..Parameter::default() });
    }
    params
}

fn canonical_parameter(raw: &str) -> String {
    let words: Vec<&str> = raw
        .split_whitespace()
        .filter(|w| !matches!(*w, "name" | "names" | "the" | "a" | "an" | "which" | "target" | "value"))
        .collect();
    let joined = words.join("_");
    match joined.as_str() {
        "env" | "environments" | "stage" => "environment".into(),
        "branches" | "git_branch" => "branch".into(),
        "dir" | "folder" | "directory" => "folder".into(),
        other => other.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '_').collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn story_one_plan() {
        let plan = plan("pulls latest code, runs tests, and deploys if tests pass");
        let ids: Vec<&str> = plan.items.iter().map(|i| i.id.as_str()).collect();
        assert_eq!(ids, ["pull", "test", "deploy"]);
        assert_eq!(plan.items[2].condition.as_ref().map(|c| (c.on.as_str(), c.success)), Some(("test", true)));
        assert!(plan.unknown.is_empty());
    }

    #[test]
    fn schedules_and_unknown_clauses() {
        let plan = plan("back up my documents every morning at 9 and water the plants");
        assert_eq!(plan.cron.as_deref(), Some("0 9 * * *"));
        assert_eq!(plan.items[0].id, "backup");
        assert_eq!(plan.unknown, ["water the plants"]);
    }

    #[test]
    fn parameter_answers() {
        type Expected<'a> = &'a [(&'a str, Option<&'a str>)];
        let cases: &[(&str, Expected<'_>)] = &[
            ("Yes - branch name and environment", &[("branch", Some("main")), ("environment", Some("staging"))]),
            ("no", &[]),
            ("yes, env=prod and region", &[("environment", Some("prod")), ("region", None)]),
        ];
        for (answer, expected) in cases {
            let got: Vec<(String, Option<String>)> = parameters_from_answer(answer)
                .into_iter()
                .map(|(k, p)| (k, p.default.and_then(|d| d.as_str().map(str::to_string))))
                .collect();
            let expected: Vec<(String, Option<String>)> =
                expected.iter().map(|(k, v)| (k.to_string(), v.map(str::to_string))).collect();
            assert_eq!(got, expected, "{answer}");
        }
    }
}
