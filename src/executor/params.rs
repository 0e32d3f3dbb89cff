//! Run parameters: `key=value` arguments converted to their declared types, defaults applied,
//! required ones enforced, constraints checked. Errors name the parameter.

use indexmap::IndexMap;
use serde_json::{Map, Value};

use crate::diagnostic::did_you_mean;
use crate::error::{Error, Result};
use crate::paths::expand_home;
use crate::workflow::validate::check_type;
use crate::workflow::{ParamType, Workflow};

/// Parsed `key=value` pairs, in the order given.
pub fn parse_assignments(args: &[String]) -> Result<IndexMap<String, String>> {
    let mut pairs = IndexMap::new();
    for arg in args {
        let Some((key, value)) = arg.split_once('=') else {
            return Err(Error::usage_with(format!("`{arg}` is not a parameter"), "write parameters as key=value"));
        };
        let key = key.trim();
        if key.is_empty() {
            return Err(Error::usage(format!("`{arg}` has no parameter name before `=`")));
        }
        pairs.insert(key.to_string(), value.to_string());
    }
    Ok(pairs)
}

/// Converts a command-line string to the declared type.
pub fn convert(kind: ParamType, text: &str) -> std::result::Result<Value, String> {
    match kind {
        ParamType::String | ParamType::Secret => Ok(Value::String(text.to_string())),
        ParamType::Path => Ok(Value::String(expand_home(text))),
        ParamType::Integer => {
            text.trim().parse::<i64>().map(Value::from).map_err(|_| format!("expected a whole number, got `{text}`"))
        }
        ParamType::Number => text
            .trim()
            .parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .and_then(|n| serde_json::Number::from_f64(n).map(Value::Number))
            .ok_or_else(|| format!("expected a number, got `{text}`")),
        ParamType::Boolean => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "y" | "on" | "1" => Ok(Value::Bool(true)),
            "false" | "no" | "n" | "off" | "0" => Ok(Value::Bool(false)),
            _ => Err(format!("expected true or false, got `{text}`")),
        },
        // A JSON array, or a comma list (`a, b,,c`); text that starts like JSON must be JSON.
        ParamType::Array => match serde_json::from_str::<Value>(text) {
            Ok(Value::Array(items)) => Ok(Value::Array(items)),
            _ if text.trim_start().starts_with(['[', '{']) => {
                Err(format!("expected a JSON array such as [\"a\", \"b\"] or a comma list a,b, got `{text}`"))
            }
            _ => Ok(Value::Array(
                text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| Value::String(s.into())).collect(),
            )),
        },
        ParamType::Object => match serde_json::from_str::<Value>(text) {
            Ok(Value::Object(map)) => Ok(Value::Object(map)),
            _ => Err(format!("expected a JSON object such as {{\"k\": \"v\"}}, got `{text}`")),
        },
    }
}

/// Resolves the run's parameter values from typed or textual inputs.
pub fn resolve(workflow: &Workflow, given: &IndexMap<String, Value>) -> Result<Map<String, Value>> {
    for key in given.keys() {
        if !workflow.parameters.contains_key(key) {
            let names: Vec<&str> = workflow.parameters.keys().map(String::as_str).collect();
            let help = match did_you_mean(key, names.iter().copied()) {
                Some(close) => format!("did you mean `{close}`?"),
                None if names.is_empty() => format!("'{}' takes no parameters", workflow.name),
                None => format!("its parameters are: {}", names.join(", ")),
            };
            return Err(Error::usage_with(format!("unknown parameter `{key}` for '{}'", workflow.name), help));
        }
    }
    let mut values = Map::new();
    for (name, spec) in &workflow.parameters {
        let value = match given.get(name) {
            Some(Value::String(text)) if spec.kind != ParamType::String && spec.kind != ParamType::Secret => {
                convert(spec.kind, text).map_err(|e| Error::usage(format!("parameter `{name}`: {e}")))?
            }
            Some(Value::String(text)) if spec.kind == ParamType::Path => Value::String(expand_home(text)),
            Some(value) => value.clone(),
            None => match (&spec.default, spec.kind) {
                (Some(Value::String(text)), ParamType::Path) => Value::String(expand_home(text)),
                (Some(default), _) => default.clone(),
                (None, ParamType::Secret) => match secret_from_env(name) {
                    Some(value) => Value::String(value),
                    None if spec.is_required() => return Err(missing(workflow, name)),
                    None => Value::Null,
                },
                (None, _) if spec.is_required() => return Err(missing(workflow, name)),
                (None, _) => Value::Null,
            },
        };
        if !value.is_null() {
            check_type(spec.kind, &value).map_err(|e| Error::usage(format!("parameter `{name}`: {e}")))?;
            if let Some(choices) = &spec.choices
                && !choices.contains(&value)
            {
                let listed: Vec<String> =
                    choices.iter().map(|c| c.as_str().map_or_else(|| c.to_string(), str::to_string)).collect();
                return Err(Error::usage_with(
                    format!("parameter `{name}` must be one of the allowed values"),
                    format!("allowed: {}", listed.join(", ")),
                ));
            }
            if let (Some(pattern), Some(text)) = (&spec.pattern, value.as_str())
                && let Ok(regex) = regex::Regex::new(&format!("^(?:{pattern})$"))
                && !regex.is_match(text)
            {
                let shown = if spec.kind == ParamType::Secret { "***" } else { text };
                return Err(Error::usage(format!(
                    "parameter `{name}`: `{shown}` does not match the pattern `{pattern}`"
                )));
            }
        }
        values.insert(name.clone(), value);
    }
    Ok(values)
}

/// A secret may come from `ALPHA_SECRET_<NAME>` in the environment instead of the command line,
/// so it never appears in shell history or `ps`.
pub fn secret_from_env(name: &str) -> Option<String> {
    std::env::var(format!("ALPHA_SECRET_{}", name.to_ascii_uppercase())).ok().filter(|v| !v.is_empty())
}

fn missing(workflow: &Workflow, name: &str) -> Error {
    let kind = workflow.parameters.get(name).map(|p| p.kind.as_str()).unwrap_or("string");
    Error::usage_with(
        format!("missing required parameter `{name}` ({kind}) for '{}'", workflow.name),
        format!("pass it as {name}=VALUE"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::workflow::{Document, Format};
    use serde_json::json;

    #[test]
    fn command_line_text_converts_to_the_declared_type() {
        let cases: &[(ParamType, &str, Result<Value, &str>)] = &[
            (ParamType::String, " a b ", Ok(json!(" a b "))),
            (ParamType::Integer, " 42 ", Ok(json!(42))),
            (ParamType::Integer, "4.2", Err("expected a whole number, got `4.2`")),
            (ParamType::Number, "2.5", Ok(json!(2.5))),
            (ParamType::Number, "NaN", Err("expected a number, got `NaN`")),
            (ParamType::Boolean, "Yes", Ok(json!(true))),
            (ParamType::Boolean, "off", Ok(json!(false))),
            (ParamType::Boolean, "maybe", Err("expected true or false, got `maybe`")),
            (ParamType::Array, "[1, \"x\"]", Ok(json!([1, "x"]))),
            (ParamType::Array, "a, b,,c", Ok(json!(["a", "b", "c"]))),
            (
                ParamType::Array,
                "[1,2",
                Err("expected a JSON array such as [\"a\", \"b\"] or a comma list a,b, got `[1,2`"),
            ),
            (
                ParamType::Array,
                "{\"k\": 1}",
                Err("expected a JSON array such as [\"a\", \"b\"] or a comma list a,b, got `{\"k\": 1}`"),
            ),
            (ParamType::Object, "{\"k\": 1}", Ok(json!({"k": 1}))),
            (ParamType::Object, "[1]", Err("expected a JSON object such as {\"k\": \"v\"}, got `[1]`")),
        ];
        for (kind, text, expected) in cases {
            assert_eq!(convert(*kind, text), expected.clone().map_err(str::to_string), "{kind:?} {text:?}");
        }
    }

    #[test]
    fn assignments_need_a_name_and_an_equals_sign() {
        let ok = parse_assignments(&["a=1".into(), " b =x=y".into(), "c=".into()]).unwrap();
        assert_eq!(
            ok.into_iter().collect::<Vec<_>>(),
            [("a".into(), "1".into()), ("b".into(), "x=y".into()), ("c".into(), String::new())]
        );
        for (arg, message) in [("flag", "`flag` is not a parameter"), ("=1", "`=1` has no parameter name before `=`")] {
            let error = parse_assignments(&[arg.to_string()]).unwrap_err();
            assert_eq!(error.to_string(), message);
        }
    }

    fn workflow() -> Workflow {
        let text = "name: P\nparameters:\n  branch: { type: string, default: main, pattern: \"[a-z/]+\" }\n  stage: { type: string, default: staging, enum: [staging, prod] }\n  count: { type: integer, required: false }\n  token: { type: secret, pattern: \"[0-9]+\" }\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: \"true\" } }\n";
        Document::from_text("p.yaml", text, Format::Yaml).load().unwrap()
    }

    #[test]
    fn resolving_checks_names_types_choices_and_patterns() {
        let given = |pairs: &[(&str, &str)]| -> IndexMap<String, Value> {
            pairs.iter().map(|(k, v)| (k.to_string(), Value::String(v.to_string()))).collect()
        };
        type Case<'a> = (&'a [(&'a str, &'a str)], Result<&'a str, &'a str>);
        let cases: &[Case<'_>] = &[
            (&[("token", "123")], Ok(r#"{"branch":"main","stage":"staging","count":null,"token":"123"}"#)),
            (
                &[("token", "1"), ("count", "7"), ("stage", "prod")],
                Ok(r#"{"branch":"main","stage":"prod","count":7,"token":"1"}"#),
            ),
            (&[("token", "1"), ("brnch", "x")], Err("unknown parameter `brnch` for 'P'")),
            (&[("token", "1"), ("count", "seven")], Err("parameter `count`: expected a whole number, got `seven`")),
            (&[("token", "1"), ("stage", "dev")], Err("parameter `stage` must be one of the allowed values")),
            (
                &[("token", "1"), ("branch", "Main!")],
                Err("parameter `branch`: `Main!` does not match the pattern `[a-z/]+`"),
            ),
            (&[("token", "abc")], Err("parameter `token`: `***` does not match the pattern `[0-9]+`")),
        ];
        let workflow = workflow();
        for (pairs, expected) in cases {
            let got =
                resolve(&workflow, &given(pairs)).map(|v| Value::Object(v).to_string()).map_err(|e| e.to_string());
            let expected = expected.map(str::to_string).map_err(str::to_string);
            assert_eq!(got, expected, "{pairs:?}");
        }
        let error = resolve(&workflow, &given(&[("token", "1"), ("brnch", "x")])).unwrap_err();
        assert!(matches!(error, Error::Usage { help: Some(ref h), .. } if h == "did you mean `branch`?"), "{error:?}");
    }
}
