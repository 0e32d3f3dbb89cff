//! `{{ }}` templates and `if:` conditions, on MiniJinja with strict undefined (design.md §3).
//!
//! One environment serves the validator (which only parses) and the executor (which renders),
//! so both agree on syntax, filters and built-in names.

use std::collections::BTreeSet;

use minijinja::value::Value as JinjaValue;
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior};

/// Names every template may use besides parameters and step ids.
pub const BUILTIN_NAMES: &[&str] = &["params", "env", "now", "run", "workflow"];

/// MiniJinja's global functions, which are not references to anything the workflow defines.
const GLOBAL_FUNCTIONS: &[&str] = &["range", "dict", "namespace", "debug"];

/// Marker wrapped around values that `| raw` lets into a shell command unquoted.
const RAW_MARK: &str = "\u{1}alpha-raw\u{1}";

/// How rendered values are escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// Values are inserted as text.
    None,
    /// Every inserted value is shell-quoted, unless passed through `| raw`.
    Shell,
    /// A value inserted into a file path around other text may not climb out of it (a `..`
    /// component) or hold a NUL byte, unless passed through `| raw`. A path that is one whole
    /// `{{ expr }}` is the value itself and is not checked.
    Path,
}

/// Builds the template environment.
pub fn environment(escape: Escape) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(1_000_000));
    env.set_recursion_limit(64);
    env.add_filter("json", |value: JinjaValue| -> Result<String, Error> {
        serde_json::to_string(&value).map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
    });
    if escape == Escape::Shell {
        env.add_filter("raw", |value: JinjaValue| format!("{RAW_MARK}{}", display(&value)));
        env.set_formatter(|out, _state, value| {
            let text = display(value);
            if let Some(raw) = text.strip_prefix(RAW_MARK) {
                out.write_str(raw)?;
            } else {
                out.write_str(&shell_quote(&text))?;
            }
            Ok(())
        });
    } else if escape == Escape::Path {
        env.add_filter("raw", |value: JinjaValue| format!("{RAW_MARK}{}", display(&value)));
        env.set_formatter(|out, _state, value| {
            let text = display(value);
            if let Some(raw) = text.strip_prefix(RAW_MARK) {
                out.write_str(raw)?;
                return Ok(());
            }
            if let Some(problem) = path_problem(&text) {
                let shown: String = text.chars().take(60).collect();
                return Err(Error::new(
                    ErrorKind::InvalidOperation,
                    format!("the value {shown:?} would {problem}; pass it through `| raw` if that is intended"),
                ));
            }
            out.write_str(&text)?;
            Ok(())
        });
    } else {
        env.add_filter("raw", |value: JinjaValue| display(&value));
        env.set_formatter(|out, _state, value| {
            out.write_str(&display(value))?;
            Ok(())
        });
    }
    env
}

/// The text of a value as inserted into a template: strings as-is, null as empty, others as JSON.
pub fn display(value: &JinjaValue) -> String {
    if let Some(text) = value.as_str() {
        return text.to_string();
    }
    if value.is_none() || value.is_undefined() {
        return String::new();
    }
    match value.kind() {
        minijinja::value::ValueKind::Seq | minijinja::value::ValueKind::Map => {
            serde_json::to_string(value).unwrap_or_else(|_| value.to_string())
        }
        // JSON's words, as a shell command or a file expects, not Python's `True`.
        minijinja::value::ValueKind::Bool => if value.is_true() { "true" } else { "false" }.to_string(),
        _ => value.to_string(),
    }
}

/// A filter or test name a template uses that alpha's templates don't have
/// (`{{ x | nosuchfilter }}`), found before anything runs. The template is rendered once in a
/// lenient copy of the environment where every name is undefined, so only unknown names fail.
pub fn unknown_name(text: &str, expression: bool) -> Option<String> {
    let mut env = environment(Escape::None);
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    let result = if expression {
        env.compile_expression(condition_expression(text)).and_then(|e| e.eval(()).map(|_| ()))
    } else {
        env.render_str(text, ()).map(|_| ())
    };
    match result {
        Err(error) if matches!(error.kind(), ErrorKind::UnknownFilter | ErrorKind::UnknownTest) => {
            Some(match error.detail() {
                Some(detail) => format!("{}: {detail}", error.kind()),
                None => error.kind().to_string(),
            })
        }
        _ => None,
    }
}

/// Why a value may not be inserted into a path, if it may not.
pub fn path_problem(value: &str) -> Option<&'static str> {
    if value.contains('\0') {
        Some("put a NUL byte into a path")
    } else if value.split('/').any(|component| component == "..") {
        Some("climb out of the directory around it")
    } else {
        None
    }
}

/// Quotes `text` for a POSIX shell; NUL bytes, which no shell argument can hold, are dropped.
pub fn shell_quote(text: &str) -> String {
    let cleaned: String = text.chars().filter(|c| *c != '\0').collect();
    if cleaned.is_empty() {
        return "''".to_string();
    }
    match shlex::try_quote(&cleaned) {
        Ok(quoted) => quoted.into_owned(),
        Err(_) => format!("'{}'", cleaned.replace('\'', "'\\''")),
    }
}

/// True when `text` contains template syntax.
pub fn is_template(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// The expression of an `if:` condition, written with or without surrounding `{{ }}`.
pub fn condition_expression(condition: &str) -> &str {
    let trimmed = condition.trim();
    if let Some(inner) = trimmed.strip_prefix("{{").and_then(|rest| rest.strip_suffix("}}"))
        && !inner.contains("{{")
        && !inner.contains("}}")
    {
        return inner.trim();
    }
    trimmed
}

/// The dotted names (`step.field`, `param`) a template or expression reads from its context.
pub fn references(env: &Environment<'_>, text: &str, expression: bool) -> Result<BTreeSet<String>, Error> {
    let names = if expression {
        env.compile_expression(condition_expression(text))?.undeclared_variables(true)
    } else {
        env.template_from_str(text)?.undeclared_variables(true)
    };
    Ok(names.into_iter().filter(|name| !GLOBAL_FUNCTIONS.contains(&root(name))).collect())
}

/// The first segment of a dotted name.
pub fn root(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn each_escape_mode_inserts_values_its_own_way() {
        let ctx =
            minijinja::context! { v => "../etc; rm", items => vec!["a b", "c"], m => minijinja::context! { k => 1 } };
        let cases: &[(super::Escape, &str, Result<&str, &str>)] = &[
            (super::Escape::None, "x/{{ v }}", Ok("x/../etc; rm")),
            (super::Escape::Shell, "echo {{ v }}", Ok("echo '../etc; rm'")),
            (super::Escape::Shell, "echo {{ v | raw }}", Ok("echo ../etc; rm")),
            (super::Escape::Shell, "echo {{ items }}", Ok("echo '[\"a b\",\"c\"]'")),
            (super::Escape::Path, "out/{{ v }}", Err("climb out of the directory around it")),
            (super::Escape::Path, "out/{{ v | raw }}", Ok("out/../etc; rm")),
            (super::Escape::Path, "out/{{ m.k }}-{{ items | json }}", Ok("out/1-[\"a b\",\"c\"]")),
            (super::Escape::None, "{{ m }}", Ok("{\"k\":1}")),
        ];
        for (escape, template, expected) in cases {
            let got = super::environment(*escape).render_str(template, ctx.clone()).map_err(|e| e.to_string());
            match expected {
                Ok(text) => assert_eq!(got.as_deref(), Ok(*text), "{escape:?} {template}"),
                Err(part) => assert!(got.as_ref().is_err_and(|e| e.contains(part)), "{escape:?} {template}: {got:?}"),
            }
        }
    }
    #[test]
    fn values_that_would_leave_their_path_are_named() {
        let cases: &[(&str, Option<&str>)] = &[
            ("notes", None),
            ("sub/dir", None),
            ("/absolute", None),
            ("...", None),
            ("..hidden", None),
            ("..", Some("climb out of the directory around it")),
            ("../x", Some("climb out of the directory around it")),
            ("a/../../x", Some("climb out of the directory around it")),
            ("a/..", Some("climb out of the directory around it")),
            ("a\0b", Some("put a NUL byte into a path")),
        ];
        for (value, expected) in cases {
            assert_eq!(super::path_problem(value), *expected, "{value:?}");
        }
    }

    use super::*;

    #[test]
    fn booleans_render_as_json_words() {
        let env = environment(Escape::Shell);
        let out = env.render_str("echo {{ yes }} {{ no }}", minijinja::context! { yes => true, no => false }).unwrap();
        assert_eq!(out, "echo true false");
    }

    #[test]
    fn unknown_filters_tests_and_functions_are_found_without_a_context() {
        assert!(unknown_name("{{ x | nosuchfilter }}", false).is_some_and(|e| e.contains("unknown filter")));
        assert!(unknown_name("x is nosuchtest", true).is_some_and(|e| e.contains("unknown test")));
        assert_eq!(unknown_name("{{ x | upper | default('a') }} {{ y.z | json }}", false), None);
        assert_eq!(unknown_name("{% if a %}{{ b | trim }}{% endif %}", false), None);
    }

    #[test]
    fn strips_braces_from_conditions() {
        let cases = [
            ("{{ test.exit_code == 0 }}", "test.exit_code == 0"),
            ("test.exit_code == 0", "test.exit_code == 0"),
            ("  {{x}} ", "x"),
            ("{{ a }} and {{ b }}", "{{ a }} and {{ b }}"),
        ];
        for (input, expected) in cases {
            assert_eq!(condition_expression(input), expected, "{input}");
        }
    }

    #[test]
    fn finds_nested_references() {
        let env = environment(Escape::None);
        let refs =
            references(&env, "{{ fetch.count }} {{ branch | upper }} {% for x in items %}{{ x }}{% endfor %}", false)
                .unwrap();
        let refs: Vec<_> = refs.into_iter().collect();
        assert_eq!(refs, ["branch", "fetch.count", "items"]);
        let refs = references(&env, "test.exit_code == 0 and range(3)", true).unwrap();
        assert_eq!(refs.into_iter().collect::<Vec<_>>(), ["test.exit_code"]);
    }

    #[test]
    fn shell_escape_quotes_values_but_not_raw() {
        let env = environment(Escape::Shell);
        let ctx = minijinja::context! { v => "x; rm -rf ~", w => "a b" };
        let out = env.render_str("echo {{ v }} {{ w | raw }}", ctx).unwrap();
        assert_eq!(out, "echo 'x; rm -rf ~' a b");
    }
}
