//! External tools: an executable `alpha-tool-NAME` on PATH that reads a JSON request on stdin and
//! writes a JSON result on stdout.

use futures_util::future::BoxFuture;
use serde_json::{Map, Value, json};

use super::shell::Shell;
use super::{Failure, Outcome, Request, Tool};

/// An external tool found on PATH.
pub struct External {
    /// The tool's name (without the `alpha-tool-` prefix).
    pub name: String,
}

impl Tool for External {
    fn call(&self, request: Request) -> BoxFuture<'_, Outcome> {
        Box::pin(async move {
            let Some(program) = super::catalog::external(&self.name) else {
                return Err(Failure::new(format!(
                    "unknown tool `{}`: no executable alpha-tool-{} on PATH",
                    self.name, self.name
                )));
            };
            let payload = json!({
                "tool": self.name, "action": request.action, "parameters": request.params,
                "run_id": request.run_id, "step_id": request.step_id,
            });
            let mut params = Map::new();
            params
                .insert("command".into(), Value::String(crate::template::shell_quote(&program.display().to_string())));
            params.insert("stdin".into(), Value::String(payload.to_string()));
            let shell = Request { action: "run".into(), params, ..request };
            let result = Shell.call(shell).await;
            let (fields, failed) = match result {
                Ok(fields) => (fields, None),
                Err(failure) => (failure.fields.clone(), Some(failure)),
            };
            let stdout = fields.get("stdout").and_then(Value::as_str).unwrap_or("").trim().to_string();
            let answer: Option<Map<String, Value>> = serde_json::from_str(&stdout).ok();
            match (answer, failed) {
                (Some(mut answer), None) => {
                    if let Some(error) = answer.get("error").and_then(Value::as_str).filter(|e| !e.is_empty()) {
                        return Err(Failure {
                            message: error.to_string(),
                            fields: answer.clone(),
                            ..Failure::default()
                        });
                    }
                    answer.entry("stdout").or_insert_with(|| Value::String(stdout.clone()));
                    answer.entry("stderr").or_insert(fields.get("stderr").cloned().unwrap_or(Value::Null));
                    Ok(answer)
                }
                (_, Some(mut failure)) => {
                    failure.message = format!("alpha-tool-{} {}", self.name, failure.message);
                    Err(failure)
                }
                (None, None) => Err(Failure {
                    message: format!("alpha-tool-{} did not answer with a JSON object", self.name),
                    fields,
                    ..Failure::default()
                }),
            }
        })
    }
}
