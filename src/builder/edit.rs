//! Edits by conversation: "add a notification step to Backup Files", "make Deploy Pipeline retry
//! the pull 5 times", "remove the lint step from CI". The result is shown as a diff and saved as
//! a new version only after the user confirms.

use regex::Regex;

use super::catalog;
use crate::workflow::{OnError, Retry, Step, ToolStep, Workflow};

/// A recognised edit request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Append a catalog step.
    Add {
        /// What to add, in the user's words.
        what: String,
        /// The workflow, as typed.
        workflow: String,
    },
    /// Make a step retry.
    Retry {
        /// The workflow, as typed.
        workflow: String,
        /// The step, as typed.
        step: String,
        /// Attempts in total.
        times: u32,
    },
    /// Remove a step.
    Remove {
        /// The step, as typed.
        step: String,
        /// The workflow, as typed.
        workflow: String,
    },
}

/// Recognises an edit request.
pub fn request(line: &str) -> Option<Change> {
    let line = line.trim().trim_end_matches(['.', '!']);
    let add = Regex::new(
        r"(?i)^(?:please )?add (?:a |an |another )?(.+?)(?: step)? (?:to|in|into) (?:the )?(.+?)(?: workflow)?$",
    )
    .ok()?;
    if let Some(c) = add.captures(line) {
        return Some(Change::Add { what: c[1].to_string(), workflow: c[2].to_string() });
    }
    let retry =
        Regex::new(r"(?i)^(?:please )?make (?:the )?(.+?)(?: workflow)? retry (?:the )?(.+?)(?: step)? (\d+) times$")
            .ok()?;
    if let Some(c) = retry.captures(line) {
        return Some(Change::Retry { workflow: c[1].to_string(), step: c[2].to_string(), times: c[3].parse().ok()? });
    }
    let remove = Regex::new(
        r"(?i)^(?:please )?(?:remove|drop|delete) (?:the )?(.+?)(?: step)? from (?:the )?(.+?)(?: workflow)?$",
    )
    .ok()?;
    if let Some(c) = remove.captures(line) {
        return Some(Change::Remove { step: c[1].to_string(), workflow: c[2].to_string() });
    }
    None
}

impl Change {
    /// The workflow the change is about, as typed.
    pub fn workflow(&self) -> &str {
        match self {
            Change::Add { workflow, .. } | Change::Retry { workflow, .. } | Change::Remove { workflow, .. } => workflow,
        }
    }

    /// Applies the change to a copy of `workflow`; the error says why it can't be done.
    pub fn apply(&self, workflow: &Workflow) -> Result<(Workflow, String), String> {
        let mut changed = workflow.clone();
        match self {
            Change::Add { what, .. } => {
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
            Change::Retry { step, times, .. } => {
                let target = find_step_mut(&mut changed.steps, step)
                    .ok_or_else(|| format!("'{}' has no step like \"{step}\"", workflow.name))?;
                target.on_error = OnError::Retry;
                let mut retry = target.retry.clone().unwrap_or_default();
                retry.max_attempts = (*times).max(1);
                target.retry = Some(Retry { ..retry });
                let label = target.name.clone().unwrap_or_else(|| target.id.clone());
                Ok((changed, format!("{label} retries up to {times} times")))
            }
            Change::Remove { step, .. } => {
                let id = find_step(&changed.steps, step)
                    .ok_or_else(|| format!("'{}' has no step like \"{step}\"", workflow.name))?;
                remove_step(&mut changed.steps, &id);
                Ok((changed, format!("remove the step {id}")))
            }
        }
    }
}

fn matches(step: &ToolStep, words: &str) -> bool {
    let words = catalog::normalize(words);
    let name = step.name.as_deref().unwrap_or("").to_lowercase();
    step.id == words || name == words || name.contains(&words) || step.id.contains(&words) || words.contains(&step.id)
}

fn find_step(steps: &[Step], words: &str) -> Option<String> {
    steps.iter().find_map(|s| match s {
        Step::Tool(t) if matches(t, words) => Some(t.id.clone()),
        Step::Tool(_) => None,
        Step::Parallel(g) => find_step(&g.parallel, words),
        Step::Branch(b) => find_step(&b.then, words).or_else(|| find_step(&b.otherwise, words)),
    })
}

fn find_step_mut<'a>(steps: &'a mut [Step], words: &str) -> Option<&'a mut ToolStep> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests() {
        assert_eq!(
            request("add a notification step to Backup Files"),
            Some(Change::Add { what: "notification".into(), workflow: "Backup Files".into() })
        );
        assert_eq!(
            request("make Deploy Pipeline retry the pull 5 times"),
            Some(Change::Retry { workflow: "Deploy Pipeline".into(), step: "pull".into(), times: 5 })
        );
        assert_eq!(
            request("remove the lint step from CI"),
            Some(Change::Remove { step: "lint".into(), workflow: "CI".into() })
        );
        assert_eq!(request("run backup files"), None);
    }
}
