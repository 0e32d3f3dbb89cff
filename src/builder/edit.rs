//! Edits by conversation: "add a notification step to Backup Files", "make Deploy Pipeline retry
//! the pull 5 times", "remove the lint step from CI". The result is shown as a diff and saved as
//! a new version only after the user confirms.

use super::catalog;
use crate::grammar::Change;
use crate::workflow::{OnError, Retry, Step, ToolStep, Workflow};

/// Applies the change to a copy of `workflow`; the error says why it can't be done.
pub fn apply(change: &Change, workflow: &Workflow) -> Result<(Workflow, String), String> {
    let mut changed = workflow.clone();
    match change {
        Change::Add { what } => {
            let phrase = catalog::find(what).ok_or_else(|| format!("I don't know a step for \"{what}\""))?;
            let mut id = phrase.id.clone();
            let mut n = 1;
            while find_step(&changed.steps, &id).is_some() {
                n += 1;
                id = format!("{}_{n}", phrase.id);
            }
            let mut step = ToolStep {
                id,
                name: Some(phrase.name.clone()),
                tool: phrase.tool.clone(),
                action: phrase.action.clone().unwrap_or_else(|| "run".into()),
                parameters: phrase.parameters.clone(),
                ..ToolStep::default()
            };
            if let Some(command) = phrase.plain.clone().or_else(|| phrase.command.clone()) {
                step.parameters.insert("command".into(), serde_json::json!(command));
            }
            if step.tool == "notification" {
                step.on_error = OnError::LogAndContinue;
            }
            let name = phrase.name.clone();
            changed.steps.push(Step::Tool(step));
            Ok((changed, format!("add a step: {name}")))
        }
        Change::Retry { step, times } => {
            let target = find_step_mut(&mut changed.steps, step)
                .ok_or_else(|| format!("'{}' has no step like \"{step}\"", workflow.name))?;
            target.on_error = OnError::Retry;
            let mut retry = target.retry.clone().unwrap_or_default();
            retry.max_attempts = (*times).max(1);
            target.retry = Some(Retry { ..retry });
            let label = target.name.clone().unwrap_or_else(|| target.id.clone());
            Ok((changed, format!("{label} retries up to {times} times")))
        }
        Change::Command { step, command } => {
            let target = find_step_mut(&mut changed.steps, step)
                .ok_or_else(|| format!("'{}' has no step like \"{step}\"", workflow.name))?;
            if target.tool != "shell" {
                return Err(format!("the step {} is a {} step, not a shell command", target.id, target.tool));
            }
            target.parameters.insert("command".into(), serde_json::json!(command));
            let label = target.name.clone().unwrap_or_else(|| target.id.clone());
            Ok((changed, format!("{label} runs `{command}`")))
        }
        Change::Remove { step } => {
            let id = find_step(&changed.steps, step)
                .ok_or_else(|| format!("'{}' has no step like \"{step}\"", workflow.name))?;
            remove_step(&mut changed.steps, &id);
            Ok((changed, format!("remove the step {id}")))
        }
    }
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
