//! Secrets (design.md §4): which values are secret, and how they are masked wherever text leaves
//! alpha (terminal, database, logs, notifications). Every layer that prints or stores text calls
//! [`redact`], so it lives here, below all of them.

use serde_json::{Map, Value};

use crate::template;
use crate::workflow::{ParamType, Workflow};

/// `text` with every secret value, bare or shell-quoted, replaced by `***`.
pub fn redact(text: &str, secrets: &[String]) -> String {
    let mut text = text.to_string();
    for secret in secrets {
        // The quoted form first: it contains the bare one.
        let quoted = template::shell_quote(secret);
        if quoted != *secret {
            text = text.replace(&quoted, "***");
        }
        text = text.replace(secret.as_str(), "***");
    }
    text
}

/// The parameters as stored and shown: secrets replaced by `***`.
pub fn redacted(workflow: &Workflow, values: &Map<String, Value>) -> Value {
    let mut shown = Map::new();
    for (name, value) in values {
        let secret = workflow.parameters.get(name).is_some_and(|p| p.kind == ParamType::Secret);
        shown
            .insert(name.clone(), if secret && !value.is_null() { Value::String("***".into()) } else { value.clone() });
    }
    Value::Object(shown)
}

/// Values of environment variables whose names say they hold a secret (`*PASSWORD*`, `*TOKEN*`,
/// `*SECRET*`, `*API_KEY*`, …), such as `ALPHA_EMAIL_PASSWORD` or `ALPHA_SECRET_<NAME>`. A step
/// can reach them through `{{ env.X }}` or a tool's own fallback, so they are scrubbed like
/// `secret` parameters.
pub fn secret_env_values() -> Vec<String> {
    const MARKERS: &[&str] =
        &["PASSWORD", "PASSWD", "SECRET", "TOKEN", "API_KEY", "APIKEY", "PRIVATE_KEY", "CREDENTIAL"];
    std::env::vars()
        .filter(|(name, _)| {
            let name = name.to_ascii_uppercase();
            MARKERS.iter().any(|marker| name.contains(marker))
        })
        .map(|(_, value)| value)
        .filter(|value| worth_masking(value))
        .collect()
}

/// Whether an environment value is distinctive enough to mask wherever it appears: masking
/// `MY_API_TOKEN=1` would turn every `1` in every output into `***`. Values shorter than 4
/// characters, numbers and common words are left alone (they can't be told from ordinary text).
fn worth_masking(value: &str) -> bool {
    const COMMON: &[&str] = &["true", "false", "null", "none", "test", "default", "example", "unset", "empty"];
    let value = value.trim();
    value.chars().count() >= 4
        && value.parse::<f64>().is_err()
        && !COMMON.contains(&value.to_ascii_lowercase().as_str())
}

/// The secret values of a run, to scrub from everything recorded or printed.
pub fn secret_values(workflow: &Workflow, values: &Map<String, Value>) -> Vec<String> {
    values
        .iter()
        .filter(|(name, _)| workflow.parameters.get(*name).is_some_and(|p| p.kind == ParamType::Secret))
        .filter_map(|(_, v)| v.as_str().filter(|s| !s.is_empty()).map(str::to_string))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_distinctive_values_are_masked() {
        for value in ["1", "abc", "true", "False", "1234", "3.14", "none", "  "] {
            assert!(!worth_masking(value), "{value:?} is ordinary text");
        }
        for value in ["s3cr3t", "hunter22", "ghp_abc123", "a b c d"] {
            assert!(worth_masking(value), "{value:?} is a secret");
        }
        assert_eq!(redact("echo 1 2 3 true", &[]), "echo 1 2 3 true");
        assert_eq!(redact("token s3cr3t and 's3 cr'", &["s3cr3t".into(), "s3 cr".into()]), "token *** and ***");
    }
}
