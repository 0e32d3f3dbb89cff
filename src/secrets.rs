//! Secrets (design.md §4): which values are secret, and how they are masked wherever text leaves
//! alpha (terminal, database, logs, notifications). Every layer that prints or stores text calls
//! [`redact`], so it lives here, below all of them.

use serde_json::{Map, Value};

use crate::template;
use crate::workflow::{ParamType, Workflow};

/// `text` with every secret value, in every form of [`forms`], replaced by `***`.
pub fn redact(text: &str, secrets: &[String]) -> String {
    if secrets.is_empty() {
        return text.to_string();
    }
    mask(text, &forms(secrets))
}

/// Every form in which a secret can reach text that leaves alpha: as given, shell-quoted,
/// JSON-escaped, as Rust's `{:?}` prints it, percent-encoded as URLs encode it (path, query,
/// user info and form encodings), and lower- and upper-cased (a hostname is case-folded).
/// Longest first, so a form is masked before a shorter one inside it.
pub fn forms(secrets: &[String]) -> Vec<String> {
    use percent_encoding::{AsciiSet, CONTROLS, NON_ALPHANUMERIC, utf8_percent_encode};
    const PATH: &AsciiSet =
        &CONTROLS.add(b' ').add(b'"').add(b'#').add(b'<').add(b'>').add(b'?').add(b'`').add(b'{').add(b'}');
    const USERINFO: &AsciiSet =
        &PATH.add(b'/').add(b':').add(b';').add(b'=').add(b'@').add(b'[').add(b'\\').add(b']').add(b'^').add(b'|');
    const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');
    let mut all: Vec<String> = Vec::new();
    for secret in secrets.iter().filter(|s| !s.is_empty()) {
        let json = serde_json::to_string(secret).unwrap_or_default();
        let debug = format!("{secret:?}");
        let mut these = vec![
            secret.clone(),
            template::shell_quote(secret),
            json.trim_matches('"').to_string(),
            debug.trim_matches('"').to_string(),
            utf8_percent_encode(secret, PATH).to_string(),
            utf8_percent_encode(secret, USERINFO).to_string(),
            utf8_percent_encode(secret, COMPONENT).to_string(),
            utf8_percent_encode(secret, NON_ALPHANUMERIC).to_string(),
            percent_encoding::percent_encode(secret.as_bytes(), COMPONENT).to_string().replace("%20", "+"),
        ];
        let folded: Vec<String> = these.iter().flat_map(|f| [f.to_lowercase(), f.to_uppercase()]).collect();
        these.extend(folded);
        all.extend(these);
    }
    all.retain(|f| !f.is_empty());
    all.sort_by(|a, b| b.len().cmp(&a.len()).then_with(|| a.cmp(b)));
    all.dedup();
    all
}

/// `text` with each of `forms` (from [`forms`]) replaced by `***`.
pub fn mask(text: &str, forms: &[String]) -> String {
    let mut text = std::borrow::Cow::Borrowed(text);
    for form in forms {
        if text.contains(form.as_str()) {
            text = std::borrow::Cow::Owned(text.replace(form.as_str(), "***"));
        }
    }
    text.into_owned()
}

/// Masks every string leaf (and key) of `value` in place, before it is serialized anywhere:
/// masking the JSON text instead would miss a secret whose quotes or tabs JSON escapes.
pub fn mask_value(value: &mut Value, forms: &[String]) {
    if forms.is_empty() {
        return;
    }
    match value {
        Value::String(text) if forms.iter().any(|f| text.contains(f.as_str())) => *text = mask(text, forms),
        Value::Array(items) => items.iter_mut().for_each(|item| mask_value(item, forms)),
        Value::Object(map) => {
            if map.keys().any(|k| forms.iter().any(|f| k.contains(f.as_str()))) {
                let old = std::mem::take(map);
                *map = old.into_iter().map(|(k, v)| (mask(&k, forms), v)).collect();
            }
            map.values_mut().for_each(|item| mask_value(item, forms));
        }
        _ => {}
    }
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

    #[test]
    fn every_encoded_form_of_a_secret_is_masked() {
        let secret = "p@ss w/rd\"<x>\tÜ".to_string();
        let shown = [
            "p@ss%20w/rd%22%3Cx%3E%09%C3%9C".to_string(),
            "p%40ss%20w%2Frd%22%3Cx%3E%09%C3%9C".to_string(),
            "p%40ss+w%2Frd%22%3Cx%3E%09%C3%9C".to_string(),
            serde_json::to_string(&secret).unwrap(),
            format!("{secret:?}"),
            crate::template::shell_quote(&secret),
            secret.to_lowercase(),
            secret.to_uppercase(),
        ];
        let forms = forms(std::slice::from_ref(&secret));
        for text in shown {
            let masked = mask(&format!("before {text} after"), &forms);
            assert!(!masked.contains("ss"), "{text} → {masked}");
        }
        let mut value = serde_json::json!({"a": [format!("x{secret}y")], secret.clone(): 1});
        mask_value(&mut value, &forms);
        assert_eq!(value.to_string(), r#"{"a":["x***y"],"***":1}"#);
    }
}
