//! The built-in templates (`templates/*.yaml`, compiled in): ready workflows users copy into
//! their library with their own defaults.

use indexmap::IndexMap;
use serde_json::Value;

use crate::diagnostic::did_you_mean;
use crate::error::{Error, Result};
use crate::executor::params;
use crate::workflow::{Document, Format, Workflow};

/// (file name, text) of every template.
pub const TEMPLATES: &[(&str, &str)] = &[
    ("git-sync-and-test.yaml", include_str!("../templates/git-sync-and-test.yaml")),
    ("daily-standup-report.yaml", include_str!("../templates/daily-standup-report.yaml")),
    ("backup-files.yaml", include_str!("../templates/backup-files.yaml")),
    ("monitor-and-alert.yaml", include_str!("../templates/monitor-and-alert.yaml")),
    ("deploy-pipeline.yaml", include_str!("../templates/deploy-pipeline.yaml")),
    ("email-digest.yaml", include_str!("../templates/email-digest.yaml")),
    ("data-processing-pipeline.yaml", include_str!("../templates/data-processing-pipeline.yaml")),
];

/// Every template, loaded and validated.
pub fn all() -> Result<Vec<Workflow>> {
    TEMPLATES
        .iter()
        .map(|(file, text)| Ok(Document::from_text(format!("templates/{file}"), *text, Format::Yaml).load()?))
        .collect()
}

/// The template a name refers to (case, punctuation and "template" don't matter).
pub fn find(name: &str) -> Result<Workflow> {
    let templates = all()?;
    let names: Vec<String> = templates.iter().map(|t| t.name.clone()).collect();
    let typed = name.trim().trim_end_matches(" template").trim();
    match crate::grammar::names::resolve(typed, &names) {
        Some(found) => Ok(templates
            .into_iter()
            .find(|t| t.name == found)
            .unwrap_or_else(|| unreachable!("resolved from the list"))),
        None => Err(match did_you_mean(typed, names.iter().map(String::as_str)) {
            Some(close) => {
                Error::usage_with(format!("no template named '{typed}'"), format!("did you mean '{close}'?"))
            }
            None => Error::usage_with(format!("no template named '{typed}'"), "see `alpha template list`"),
        }),
    }
}

/// A copy of a template named `new_name` with the given parameter defaults, validated.
pub fn instantiate(
    template: &Workflow,
    new_name: Option<&str>,
    defaults: &IndexMap<String, String>,
) -> Result<Workflow> {
    let mut workflow = template.clone();
    if let Some(name) = new_name {
        workflow.name = name.to_string();
    }
    for (key, text) in defaults {
        let Some(parameter) = workflow.parameters.get_mut(key) else {
            let known: Vec<&str> = template.parameters.keys().map(String::as_str).collect();
            return Err(Error::usage_with(
                format!("template '{}' has no parameter `{key}`", template.name),
                format!("its parameters are: {}", known.join(", ")),
            ));
        };
        let value: Value =
            params::convert(parameter.kind, text).map_err(|e| Error::usage(format!("parameter `{key}`: {e}")))?;
        parameter.default = Some(value);
    }
    workflow.tags.push("from-template".into());
    let text = crate::workflow::to_text(&workflow, Format::Yaml);
    Ok(Document::from_text(format!("'{}'", workflow.name), text, Format::Yaml).load()?)
}
