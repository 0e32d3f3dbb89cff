//! "Save what I just did": commands run in the chat shell become a workflow, with the values
//! that vary (branch names, paths, hosts, URLs) offered as parameters defaulting to what was used.

use indexmap::IndexMap;
use regex::Regex;
use serde_json::json;

use crate::workflow::{ParamType, Parameter, Step, ToolStep, Workflow};

/// The parameter a token stands for, if it looks like a value that varies.
fn classify(previous: Option<&str>, token: &str, program: &str) -> Option<(&'static str, ParamType)> {
    let git_ref = matches!(program, "git")
        && matches!(previous, Some("origin" | "upstream" | "checkout" | "switch" | "merge" | "rebase" | "-b"));
    if git_ref && !token.starts_with('-') {
        return Some(("branch", ParamType::String));
    }
    if token.starts_with("http://") || token.starts_with("https://") {
        return Some(("url", ParamType::String));
    }
    if Regex::new(r"^[\w.-]+@[\w.-]+(:.*)?$").ok()?.is_match(token)
        || (matches!(program, "ssh" | "ping" | "scp" | "rsync") && token.contains('.') && !token.contains('/'))
    {
        return Some(("host", ParamType::String));
    }
    if (token.contains('/') || token.starts_with('~') || token.starts_with("./")) && !token.starts_with('-') {
        return Some(("path", ParamType::Path));
    }
    None
}

/// A workflow that runs `commands` in order, with varying values made parameters.
pub fn workflow(commands: &[String], name: &str) -> Workflow {
    let mut parameters: IndexMap<String, Parameter> = IndexMap::new();
    let mut values: IndexMap<String, String> = IndexMap::new();
    let mut steps = Vec::new();
    for (index, command) in commands.iter().enumerate() {
        let tokens: Vec<String> =
            shlex::split(command).unwrap_or_else(|| command.split_whitespace().map(str::to_string).collect());
        let program = tokens.first().cloned().unwrap_or_default();
        let simple = !command.contains(['|', '&', ';', '>', '<', '$', '`']);
        let mut rendered = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            let previous = if i > 0 { Some(tokens[i - 1].as_str()) } else { None };
            match classify(previous, token, &program).filter(|_| simple && i > 0) {
                Some((kind, param_type)) => {
                    // The same value used twice is one parameter.
                    let name = match values.iter().find(|(_, v)| *v == token) {
                        Some((name, _)) => name.clone(),
                        None => {
                            let mut name = kind.to_string();
                            let mut n = 1;
                            while parameters.contains_key(&name) {
                                n += 1;
                                name = format!("{kind}_{n}");
                            }
                            parameters.insert(
                                name.clone(),
                                Parameter { kind: param_type, default: Some(json!(token)), ..Parameter::default() },
                            );
                            values.insert(name.clone(), token.clone());
                            name
                        }
                    };
                    rendered.push(format!("{{{{ {name} }}}}"));
                }
                None => rendered.push(if simple { crate::template::shell_quote(token) } else { token.clone() }),
            }
        }
        let text = if simple { rendered.join(" ") } else { command.clone() };
        let id = crate::proactive::miner::step_id(&program, index, &steps);
        steps.push(Step::Tool(ToolStep {
            id,
            name: Some(command.chars().take(60).collect()),
            tool: "shell".into(),
            action: "run".into(),
            parameters: IndexMap::from([("command".to_string(), json!(text))]),
            ..ToolStep::default()
        }));
    }
    Workflow {
        name: name.to_string(),
        version: "1.0.0".into(),
        description: Some(format!("Saved from the chat shell: {}", commands.join(" && "))),
        author: None,
        tags: Vec::new(),
        parameters,
        triggers: Vec::new(),
        execution: Default::default(),
        workdir: None,
        runs_on: Vec::new(),
        steps,
        outputs: IndexMap::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn varying_values_become_parameters() {
        let commands = [
            "git status".to_string(),
            "git pull origin feature/login".to_string(),
            "rsync -a ./site/ deploy@web.example.com:/srv".to_string(),
        ];
        let w = workflow(&commands, "Sync");
        let params: Vec<(&str, &str)> = w
            .parameters
            .iter()
            .map(|(k, p)| (k.as_str(), p.default.as_ref().and_then(|d| d.as_str()).unwrap_or("")))
            .collect();
        assert_eq!(params, [("branch", "feature/login"), ("path", "./site/"), ("host", "deploy@web.example.com:/srv")]);
        let Step::Tool(pull) = &w.steps[1] else { panic!() };
        assert_eq!(pull.parameters["command"], "git pull origin {{ branch }}");
    }
}
