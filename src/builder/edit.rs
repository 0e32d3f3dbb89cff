//! Edits by conversation: "add a notification step to Backup Files", "make Deploy Pipeline retry
//! the pull 5 times", "remove the lint step from CI". The result is shown as a diff and saved as
//! a new version only after the user confirms.

use super::catalog;
use crate::grammar::Change;
use crate::workflow::{HumanDuration, OnError, Retry, Step, ToolStep, Workflow};

/// Applies the change to a copy of `workflow`; the error says why it can't be done.
pub fn apply(change: &Change, workflow: &Workflow) -> Result<(Workflow, String), String> {
    let mut changed = workflow.clone();
    match change {
        // "add a step that runs npm test": the command as given.
        Change::Add { what } if what.starts_with("run ") || what.starts_with("execute ") => {
            let step = super::interactive::step_for(what, changed.steps.len() + 1, &changed.steps);
            let label = step.label();
            changed.steps.push(Step::Tool(step));
            Ok((changed, format!("add a step: {label}")))
        }
        Change::Add { what } => {
            let phrase = catalog::find(what).ok_or_else(|| format!("I don't know a step for \"{what}\""))?;
            // Ids are compared exactly: the loose matching that finds a step by its words would
            // find "test" in every "test_2", "test_3" … and never end.
            let id = super::interactive::unique_id(&phrase.id, &changed.steps);
            let mut step = ToolStep {
                id,
                name: Some(phrase.name.clone()),
                tool: phrase.tool.clone(),
                action: phrase.action.clone().unwrap_or_else(|| "run".into()),
                parameters: phrase.parameters.clone(),
                ..ToolStep::default()
            };
            if let Some(command) = phrase.plain.clone().or_else(|| phrase.command.clone()) {
                let project = catalog::Project::detect(&std::env::current_dir().unwrap_or_default());
                step.parameters.insert("command".into(), serde_json::json!(project.fill(&command)));
            }
            if step.tool == "notification" {
                step.on_error = OnError::LogAndContinue;
            }
            let name = phrase.name.clone();
            changed.steps.push(Step::Tool(step));
            Ok((changed, format!("add a step: {name}")))
        }
        Change::Retry { step, times } => {
            let target = find_step_mut(&mut changed.steps, step).ok_or_else(|| no_such_step(workflow, step))?;
            target.on_error = OnError::Retry;
            let mut retry = target.retry.clone().unwrap_or_default();
            // "retry 3 times" is three more tries after the first: four attempts in all.
            retry.max_attempts = times.saturating_add(1);
            target.retry = Some(Retry { ..retry });
            let label = target.label();
            Ok((changed, format!("{label} {}", retries_in_words(retry.max_attempts))))
        }
        Change::Command { step, command } => {
            let target = find_step_mut(&mut changed.steps, step).ok_or_else(|| no_such_step(workflow, step))?;
            if target.tool != "shell" {
                return Err(format!("the step {} is a {} step, not a shell command", target.id, target.tool));
            }
            target.parameters.insert("command".into(), serde_json::json!(command));
            let label = target.label();
            Ok((changed, format!("{label} runs `{command}`")))
        }
        Change::Rename { step, to } => {
            let to = to.trim();
            if to.is_empty() {
                return Err("a step's new name can't be empty".into());
            }
            let target = find_step_mut(&mut changed.steps, step).ok_or_else(|| no_such_step(workflow, step))?;
            let before = target.label();
            target.name = Some(to.to_string());
            Ok((changed, format!("{before} is now called {to}")))
        }
        Change::Timeout { step, seconds } => {
            if *seconds == 0 {
                return Err("a time limit must be longer than zero".into());
            }
            let target = find_step_mut(&mut changed.steps, step).ok_or_else(|| no_such_step(workflow, step))?;
            let limit = HumanDuration::from_secs(*seconds);
            target.timeout = Some(limit);
            let label = target.label();
            Ok((changed, format!("{label} stops after {limit}")))
        }
        Change::Remove { step } => {
            let id = find_step(&changed.steps, step).ok_or_else(|| no_such_step(workflow, step))?;
            remove_step(&mut changed.steps, &id);
            Ok((changed, format!("remove the step {id}")))
        }
    }
}

/// "'Deploy' has no step like "step 9" (its steps: pull, test, deploy)": what there is to pick.
fn no_such_step(workflow: &Workflow, words: &str) -> String {
    let ids: Vec<&str> =
        tool_steps(&workflow.steps).iter().map(|t| t.id.as_str()).filter(|id| !id.is_empty()).collect();
    format!("'{}' has no step like \"{words}\" (its steps: {})", workflow.name, ids.join(", "))
}

fn matches(step: &ToolStep, words: &str) -> bool {
    let words = catalog::normalize(words);
    let name = step.name.as_deref().unwrap_or("").to_lowercase();
    step.id == words || name == words || name.contains(&words) || step.id.contains(&words) || words.contains(&step.id)
}

/// "2" or "step 2": the second tool step in file order.
fn step_number(words: &str) -> Option<usize> {
    words.trim().trim_start_matches("step").trim().parse().ok().filter(|n| *n > 0)
}

fn tool_steps(steps: &[Step]) -> Vec<&ToolStep> {
    let mut found = Vec::new();
    for step in steps {
        match step {
            Step::Tool(t) => found.push(t),
            Step::Parallel(g) => found.extend(tool_steps(&g.parallel)),
            Step::Branch(b) => {
                found.extend(tool_steps(&b.then));
                found.extend(tool_steps(&b.otherwise));
            }
        }
    }
    found
}

fn find_step(steps: &[Step], words: &str) -> Option<String> {
    if let Some(n) = step_number(words) {
        return tool_steps(steps).get(n - 1).map(|t| t.id.clone());
    }
    steps.iter().find_map(|s| match s {
        Step::Tool(t) if matches(t, words) => Some(t.id.clone()),
        Step::Tool(_) => None,
        Step::Parallel(g) => find_step(&g.parallel, words),
        Step::Branch(b) => find_step(&b.then, words).or_else(|| find_step(&b.otherwise, words)),
    })
}

fn find_step_mut<'a>(steps: &'a mut [Step], words: &str) -> Option<&'a mut ToolStep> {
    if step_number(words).is_some() {
        let id = find_step(steps, words)?;
        return find_step_mut(steps, &id);
    }
    for step in steps {
        let found = match step {
            Step::Tool(t) if matches(t, words) => Some(t),
            Step::Tool(_) => None,
            Step::Parallel(g) => find_step_mut(&mut g.parallel, words),
            Step::Branch(b) => {
                if let Some(found) = find_step_mut(&mut b.then, words) {
                    return Some(found);
                }
                find_step_mut(&mut b.otherwise, words)
            }
        };
        if found.is_some() {
            return found;
        }
    }
    None
}

fn remove_step(steps: &mut Vec<Step>, id: &str) {
    steps.retain(|s| s.id() != Some(id));
    for step in steps {
        match step {
            Step::Parallel(g) => remove_step(&mut g.parallel, id),
            Step::Branch(b) => {
                remove_step(&mut b.then, id);
                remove_step(&mut b.otherwise, id);
            }
            Step::Tool(_) => {}
        }
    }
}

/// What `max_attempts` means in words: the retries after the first attempt.
pub(crate) fn retries_in_words(max_attempts: u32) -> String {
    match max_attempts.saturating_sub(1) {
        0 => "does not retry".to_string(),
        1 => "retries once".to_string(),
        n => format!("retries up to {n} times"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::{Document, Format};

    fn workflow() -> Workflow {
        let text =
            "name: Flaky\nsteps:\n  - { id: test, tool: shell, action: run, parameters: { command: make test } }\n";
        Document::from_text("flaky.yaml", text, Format::Yaml).load().unwrap_or_else(|e| panic!("{e:?}"))
    }

    fn added(change: &Change) -> ToolStep {
        let (changed, _) = apply(change, &workflow()).unwrap_or_else(|e| panic!("{e}"));
        match changed.steps.last() {
            Some(Step::Tool(step)) => step.clone(),
            other => panic!("no tool step added: {other:?}"),
        }
    }

    #[test]
    fn an_added_step_gets_an_id_of_its_own_and_a_real_command() {
        let step = added(&Change::Add { what: "tests".into() });
        assert_eq!(step.id, "test_2", "the id is taken exactly, not loosely");
        let command = step.parameters["command"].as_str().unwrap_or_default();
        assert!(!command.contains('{'), "the project's test command, not a placeholder: {command}");
    }

    #[test]
    fn a_step_that_runs_a_command_runs_that_command() {
        let step = added(&Change::Add { what: "run npm test".into() });
        assert_eq!(step.parameters["command"], serde_json::json!("npm test"));
        assert_eq!(step.tool, "shell");
    }
}
