//! `validate`: checks workflow files and reports every problem with its position.

use std::path::{Path, PathBuf};

use serde::Serialize;

use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::workflow::{Document, Step, Workflow};

/// The check of one file.
#[derive(Debug, Serialize)]
pub struct FileCheck {
    /// The file as named (`<stdin>` for `-`).
    pub file: String,
    /// No problems found.
    pub valid: bool,
    /// The workflow's name, when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Tool steps, when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub steps: Option<usize>,
    /// Parameters, when valid.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parameters: Option<usize>,
    /// Every problem, with file, line and column.
    pub diagnostics: Vec<Diagnostic>,
    /// The valid workflow, for one-line summaries.
    #[serde(skip)]
    pub workflow: Option<Workflow>,
    /// The problems with their source text, for rendering with carets.
    #[serde(skip)]
    pub problems: Option<Diagnostics>,
}

/// Checks each file; `-` reads stdin.
pub fn validate(files: &[PathBuf]) -> Vec<FileCheck> {
    files.iter().map(|path| check(path.as_path())).collect()
}

fn check(path: &Path) -> FileCheck {
    let file = if path.as_os_str() == "-" { "<stdin>".to_string() } else { path.display().to_string() };
    match Document::read(path).and_then(|doc| doc.load()) {
        Ok(workflow) => FileCheck {
            file,
            valid: true,
            name: Some(workflow.name.clone()),
            steps: Some(count_steps(&workflow.steps)),
            parameters: Some(workflow.parameters.len()),
            diagnostics: Vec::new(),
            workflow: Some(workflow),
            problems: None,
        },
        Err(problems) => FileCheck {
            file,
            valid: false,
            name: None,
            steps: None,
            parameters: None,
            diagnostics: problems.diagnostics.clone(),
            workflow: None,
            problems: Some(problems),
        },
    }
}

/// Tool steps in a workflow, nested ones included (fallbacks are not counted).
pub fn count_steps(steps: &[Step]) -> usize {
    steps
        .iter()
        .map(|step| match step {
            Step::Tool(_) => 1,
            Step::Parallel(group) => count_steps(&group.parallel),
            Step::Branch(branch) => count_steps(&branch.then) + count_steps(&branch.otherwise),
        })
        .sum()
}
