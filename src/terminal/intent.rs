//! An intent in words, for `alpha parse` and for the chat's "I understood: …".

use crate::grammar::{Change, Intent};

/// A one-line reading of an intent.
pub fn describe(intent: &Intent) -> String {
    match intent {
        Intent::Run { workflow, params } if params.is_empty() => format!("run '{workflow}'"),
        Intent::Run { workflow, params } => {
            format!(
                "run '{workflow}' with {}",
                params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" ")
            )
        }
        Intent::List { tags, search } => {
            let mut text = "list workflows".to_string();
            if !tags.is_empty() {
                text.push_str(&format!(" tagged {}", tags.join(", ")));
            }
            if let Some(search) = search {
                text.push_str(&format!(" matching \"{search}\""));
            }
            text
        }
        Intent::Show { workflow } => format!("show '{workflow}'"),
        Intent::Edit { workflow } => format!("edit '{workflow}'"),
        Intent::Delete { workflow } => format!("delete '{workflow}'"),
        Intent::History { workflow, status, since, limit } => {
            let mut text = match workflow {
                Some(w) => format!("history of '{w}'"),
                None => "run history".into(),
            };
            if let Some(limit) = limit {
                text.push_str(&format!(", the last {limit}"));
            }
            if let Some(status) = status {
                text.push_str(&format!(", {status} runs"));
            }
            if let Some(since) = since {
                text.push_str(&format!(", since {since}"));
            }
            text
        }
        Intent::Rerun { workflow, params, failed } => {
            let what = match (workflow, failed) {
                (Some(w), false) => format!("'{w}'"),
                (Some(w), true) => format!("the last failed run of '{w}'"),
                (None, false) => "the last run".to_string(),
                (None, true) => "the last failed run".to_string(),
            };
            if params.is_empty() {
                format!("run {what} again with the same parameters")
            } else {
                let changed: Vec<String> = params.iter().map(|(k, v)| format!("{k}={v}")).collect();
                format!("run {what} again with {}", changed.join(" "))
            }
        }
        Intent::Explain { run: Some(run), .. } => format!("explain run {run}"),
        Intent::Explain { workflow: Some(w), .. } => format!("explain the last run of '{w}'"),
        Intent::Explain { .. } => "explain the last run".into(),
        Intent::Schedules { workflow: Some(w) } => format!("list the schedules of '{w}'"),
        Intent::Schedules { workflow: None } => "list schedules".into(),
        Intent::Templates => "list the built-in templates".into(),
        Intent::Versions { workflow } => format!("list the versions of '{workflow}'"),
        Intent::Rollback { workflow, version: Some(version) } => format!("roll '{workflow}' back to v{version}"),
        Intent::Rollback { workflow, version: None } => format!("roll '{workflow}' back to its previous version"),
        Intent::Rename { workflow, to } => format!("rename '{workflow}' to '{to}'"),
        Intent::Logs { run: Some(run), .. } => format!("show what run {run} printed"),
        Intent::Logs { workflow: Some(w), .. } => format!("show what the last run of '{w}' printed"),
        Intent::Logs { .. } => "show what the last run printed".into(),
        Intent::Thanks => "small talk".into(),
        Intent::Export { workflow, file: Some(f), .. } => format!("export '{workflow}' to {f}"),
        Intent::Export { workflow, file: None, format: Some(format) } => format!("export '{workflow}' as {format}"),
        Intent::Export { workflow, file: None, format: None } => format!("export '{workflow}'"),
        Intent::Unschedule { workflow } => format!("unschedule '{workflow}'"),
        Intent::Schedule { workflow, cron, params, .. } => {
            let with = if params.is_empty() {
                String::new()
            } else {
                format!(" with {}", params.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join(" "))
            };
            format!("schedule '{workflow}' {} ({cron}){with}", crate::schedule::describe(cron).to_lowercase())
        }
        Intent::Create { interactive: true, .. } => "create a workflow, step by step".into(),
        Intent::Create { description, name, .. } => format!(
            "create a workflow{}{}",
            name.as_deref().map(|n| format!(" named '{n}'")).unwrap_or_default(),
            description.as_deref().map(|d| format!(" that {d}")).unwrap_or_default()
        ),
        Intent::Import { file } => format!("import {file}"),
        Intent::Validate { file } => format!("validate {file}"),
        Intent::Suggest => "suggest workflows".into(),
        Intent::Change { workflow, change } => match change {
            Change::Add { what } => format!("add {what} to '{workflow}'"),
            Change::Retry { step, times } => format!("make '{workflow}' retry {step} {times} times"),
            Change::Remove { step } => format!("remove {step} from '{workflow}'"),
            Change::Command { step, command } => format!("make {step} of '{workflow}' run `{command}`"),
            Change::Rename { step, to } => format!("rename {step} of '{workflow}' to '{to}'"),
            Change::Timeout { step, seconds } => {
                format!(
                    "give {step} of '{workflow}' a time limit of {}",
                    crate::workflow::HumanDuration::from_secs(*seconds)
                )
            }
        },
        Intent::Optimize { workflow } => format!("recommend changes to '{workflow}'"),
        Intent::UseTemplate { template, name: Some(name) } => format!("save the {template} template as '{name}'"),
        Intent::UseTemplate { template, name: None } => format!("save a copy of the {template} template"),
        Intent::SaveRecent { count: 0, name } => {
            format!(
                "save the commands run here as a workflow{}",
                name.as_deref().map(|n| format!(" named '{n}'")).unwrap_or_default()
            )
        }
        Intent::SaveRecent { count, name } => format!(
            "save the last {count} commands as a workflow{}",
            name.as_deref().map(|n| format!(" named '{n}'")).unwrap_or_default()
        ),
        Intent::RunRest => "run the rest of the workflow".into(),
        Intent::Shell { command } => format!("run `{command}` in the shell"),
        Intent::Help => "help".into(),
        Intent::Dashboard => "open the dashboard".into(),
        Intent::Quit => "quit".into(),
        Intent::Unknown { did_you_mean } if did_you_mean.is_empty() => "not understood".into(),
        Intent::Unknown { did_you_mean } => format!("not understood; did you mean: {}?", did_you_mean.join(", ")),
    }
}
