//! Templates: the context a step's parameters and conditions are rendered in.

use super::*;

impl Run {
    pub(super) fn fixed_context(&self) -> Vec<(String, minijinja::Value)> {
        let to = |v: &Value| minijinja::Value::from(minijinja::value::Serde(v));
        let mut fixed: Vec<(String, minijinja::Value)> = self.params.iter().map(|(k, v)| (k.clone(), to(v))).collect();
        let env: Map<String, Value> = std::env::vars().map(|(k, v)| (k, Value::String(v))).collect();
        fixed.push(("params".into(), to(&Value::Object(self.params.clone()))));
        fixed.push(("env".into(), to(&Value::Object(env))));
        fixed.push(("now".into(), minijinja::Value::from(now())));
        fixed.push(("run".into(), to(&json!({"id": self.run_id}))));
        fixed.push(("workflow".into(), to(&json!({"name": self.workflow.name, "version": self.workflow.version}))));
        fixed
    }

    pub(super) fn context(&self) -> minijinja::Value {
        let results = self.jinja_results.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        minijinja::Value::from_pairs(self.fixed.iter().cloned().chain(results.iter().cloned()))
    }

    pub(super) fn condition(&self, text: &str) -> std::result::Result<bool, String> {
        let expression =
            self.plain.compile_expression(template::condition_expression(text)).map_err(|e| describe(&e))?;
        let ctx = self.context();
        let value = expression.eval(ctx.clone()).map_err(|e| self.explain(&e, text, true, &ctx))?;
        Ok(value.is_true())
    }

    /// The error's message, naming the undefined variable when that is what failed (MiniJinja
    /// only says "undefined value").
    fn explain(&self, error: &minijinja::Error, text: &str, expression: bool, ctx: &minijinja::Value) -> String {
        let message = describe(error);
        if error.kind() != minijinja::ErrorKind::UndefinedError {
            return message;
        }
        let Ok(names) = template::references(&self.plain, text, expression) else { return message };
        let missing: Vec<String> = names.into_iter().filter(|name| !defined(ctx, name)).collect();
        if missing.is_empty() || missing.iter().any(|name| message.contains(name.as_str())) {
            return message;
        }
        let names = missing.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
        format!("{message}: {names} is not defined (a parameter, a step that ran before, env.NAME or a built-in)")
    }

    /// Renders every template string in a parameter value. A string that is one `{{ expr }}`
    /// keeps the expression's type (so `limit: "{{ max }}"` stays a number).
    pub(super) fn render(
        &self,
        value: &Value,
        escape: Escape,
        ctx: &minijinja::Value,
    ) -> std::result::Result<Value, String> {
        match value {
            Value::String(text) if template::is_template(text) => {
                let env = match escape {
                    Escape::Shell => &self.quoting,
                    Escape::Path | Escape::Url => &self.paths,
                    Escape::None => &self.plain,
                };
                let trimmed = text.trim();
                if escape != Escape::Shell
                    && let Some(inner) = trimmed.strip_prefix("{{").and_then(|r| r.strip_suffix("}}"))
                    && !inner.contains("{{")
                    && !inner.contains("}}")
                {
                    let expr = env.compile_expression(inner.trim()).map_err(|e| describe(&e))?;
                    let out = expr.eval(ctx.clone()).map_err(|e| self.explain(&e, inner, true, ctx))?;
                    return serde_json::to_value(&out).map_err(|e| e.to_string());
                }
                let rendered = env.render_str(text, ctx.clone()).map_err(|e| self.explain(&e, text, false, ctx))?;
                template::finish(escape, rendered).map(Value::String)
            }
            Value::Array(items) => items
                .iter()
                .map(|v| self.render(v, escape, ctx))
                .collect::<std::result::Result<_, _>>()
                .map(Value::Array),
            Value::Object(map) => map
                .iter()
                .map(|(k, v)| self.render(v, escape, ctx).map(|v| (k.clone(), v)))
                .collect::<std::result::Result<Map<_, _>, _>>()
                .map(Value::Object),
            other => Ok(other.clone()),
        }
    }

    /// A `workdir:` rendered and made absolute: `~` expanded, relative to `base` (else alpha's
    /// own directory).
    pub(super) fn directory(
        &self,
        text: &str,
        base: Option<&std::path::Path>,
    ) -> std::result::Result<std::path::PathBuf, String> {
        let rendered = match self.render(&Value::String(text.to_string()), Escape::None, &self.context())? {
            Value::String(s) => s,
            other => other.to_string(),
        };
        let dir = std::path::PathBuf::from(crate::paths::expand_home(&rendered));
        Ok(match base {
            Some(base) if dir.is_relative() => base.join(dir),
            _ => dir,
        })
    }

    /// The directory a step runs in: its own `workdir:` (relative to the run's), else the run's.
    pub(super) fn step_directory(&self, step: &ToolStep) -> std::result::Result<Option<std::path::PathBuf>, String> {
        match &step.workdir {
            Some(text) => self.directory(text, self.workdir.as_deref()).map(Some).map_err(|e| format!("workdir: {e}")),
            None => Ok(self.workdir.clone()),
        }
    }

    pub(super) fn render_params(&self, step: &ToolStep) -> std::result::Result<Map<String, Value>, String> {
        if !step.parameters.values().any(has_template) {
            return Ok(step.parameters.iter().map(|(k, v)| (k.clone(), v.clone())).collect());
        }
        let ctx = self.context();
        let tool = crate::workflow::catalog::builtin(&step.tool).map_or("", |t| t.name);
        step.parameters
            .iter()
            .map(|(key, value)| {
                let escape = match (tool, key.as_str()) {
                    ("shell", "command") => Escape::Shell,
                    ("file", "path" | "from" | "to" | "source" | "destination")
                    | ("notification", "path")
                    | ("shell", "cwd") => Escape::Path,
                    ("http", "url") | ("notification", "url") => Escape::Url,
                    _ => Escape::None,
                };
                self.render(value, escape, &ctx)
                    .map(|v| (key.clone(), v))
                    .map_err(|e| format!("parameter `{key}`: {e}"))
            })
            .collect()
    }
}

/// Whether a dotted name (`step.field`, `env.HOME`) resolves in the context.
fn defined(ctx: &minijinja::Value, name: &str) -> bool {
    let mut value = ctx.clone();
    for part in name.split('.') {
        match value.get_attr(part) {
            Ok(next) if !next.is_undefined() => value = next,
            _ => return false,
        }
    }
    true
}

pub(super) fn has_template(value: &Value) -> bool {
    match value {
        Value::String(text) => template::is_template(text),
        Value::Array(items) => items.iter().any(has_template),
        Value::Object(map) => map.values().any(has_template),
        _ => false,
    }
}

pub(super) fn describe(error: &minijinja::Error) -> String {
    let mut text = match error.detail() {
        Some(detail) => format!("{}: {detail}", error.kind()),
        None => error.kind().to_string(),
    };
    if let Some(name) = error.name().filter(|n| *n != "<string>" && *n != "<expression>") {
        text = format!("{text} in {name}");
    }
    text
}
