//! Commands on workflow files: `validate`.

use std::path::PathBuf;

use serde_json::json;

use super::output::{Output, print_json, stderr_color};
use crate::error::{Error, exit};
use crate::workflow::{Document, Step, Workflow};

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

/// One line summary: "Deploy Pipeline (4 steps, 2 parameters)".
pub fn summary(workflow: &Workflow) -> String {
    let steps = count_steps(&workflow.steps);
    let params = workflow.parameters.len();
    format!(
        "{} ({steps} step{}, {params} parameter{})",
        workflow.name,
        if steps == 1 { "" } else { "s" },
        if params == 1 { "" } else { "s" }
    )
}

/// `alpha workflow validate FILE...`
pub fn validate(files: &[PathBuf], json: bool) -> Result<i32, Error> {
    let out = Output::detect();
    let mut reports = Vec::new();
    let mut failed = false;
    for path in files {
        let result = Document::read(path).and_then(|doc| doc.load());
        let shown = if path.as_os_str() == "-" { "<stdin>".to_string() } else { path.display().to_string() };
        match result {
            Ok(workflow) => {
                if json {
                    reports.push(json!({
                        "file": shown, "valid": true, "name": workflow.name,
                        "steps": count_steps(&workflow.steps), "parameters": workflow.parameters.len(),
                        "diagnostics": [],
                    }));
                } else {
                    println!("{} {shown}: {}", out.good("✓"), summary(&workflow));
                }
            }
            Err(diagnostics) => {
                failed = true;
                if json {
                    reports.push(json!({ "file": shown, "valid": false, "diagnostics": diagnostics.diagnostics }));
                } else {
                    let count = diagnostics.diagnostics.len();
                    eprint!("{}", diagnostics.render(stderr_color()));
                    println!("{} {shown}: {count} error{}", out.bad("✗"), if count == 1 { "" } else { "s" });
                }
            }
        }
    }
    if json {
        print_json(&reports);
    }
    Ok(if failed { exit::USAGE } else { exit::OK })
}
