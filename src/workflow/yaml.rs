//! Reading YAML into a value tree in one pass over the parser's events.
//!
//! serde-saphyr gives YAML its full meaning (anchors and their alias-bomb limits, tags, merge
//! keys, every number spelling) and its error messages, but it costs two and a half times the
//! parse itself (validating a 1,000-step workflow spent 9 of its 12 ms there). Workflows almost
//! never use those features, so [`parse`] builds the tree straight from the events of the common
//! subset and hands anything else to serde-saphyr: a document with an anchor, an alias, a tag,
//! a merge key, a duplicate or non-string key, more than one document, a syntax error, or a
//! plain scalar that could be a number in a spelling other than plain decimal. The fast path
//! reads every value the way serde-saphyr does; `tests` compares the two on every file the
//! project ships and on a table of tricky scalars.

use granit_parser::{Event, Parser, ScalarStyle};
use serde_json::{Map, Number, Value};

/// The document's value, or serde-saphyr's error when it is not valid YAML.
pub fn parse(text: &str) -> Result<Value, serde_saphyr::Error> {
    match compose(text) {
        Some(value) => Ok(value),
        None => serde_saphyr::from_str::<Value>(text),
    }
}

/// A container being filled: a sequence, or a mapping with the key waiting for its value.
enum Open {
    Seq(Vec<Value>),
    Map(Map<String, Value>, Option<String>),
}

/// The tree of a single-document stream in the common subset, or `None` to defer to serde-saphyr.
fn compose(text: &str) -> Option<Value> {
    let mut stack: Vec<Open> = Vec::new();
    let mut root: Option<Value> = None;
    let mut documents = 0;
    for event in Parser::new_from_str(text) {
        let (event, _) = event.ok()?;
        let finished = match event {
            Event::StreamStart | Event::DocumentEnd => continue,
            Event::StreamEnd => break,
            Event::DocumentStart(..) => {
                documents += 1;
                if documents > 1 {
                    return None;
                }
                continue;
            }
            Event::Scalar(text, style, 0, None) => {
                if let Some(Open::Map(_, key @ None)) = stack.last_mut() {
                    *key = Some(map_key(text, style)?);
                    continue;
                }
                scalar(&text, style)?
            }
            Event::SequenceStart(_, 0, None) => {
                stack.push(Open::Seq(Vec::new()));
                continue;
            }
            Event::MappingStart(_, 0, None) => {
                stack.push(Open::Map(Map::new(), None));
                continue;
            }
            Event::SequenceEnd => match stack.pop()? {
                Open::Seq(items) => Value::Array(items),
                Open::Map(..) => return None,
            },
            Event::MappingEnd => match stack.pop()? {
                Open::Map(map, None) => Value::Object(map),
                _ => return None,
            },
            _ => return None,
        };
        match stack.last_mut() {
            None => root = Some(finished),
            Some(Open::Seq(items)) => items.push(finished),
            Some(Open::Map(map, key)) => {
                // A collection as a key arrives here with no key waiting: defer.
                let key = key.take()?;
                if map.insert(key, finished).is_some() {
                    return None;
                }
            }
        }
    }
    if documents == 1 && stack.is_empty() { root } else { None }
}

/// A mapping key as serde-saphyr gives it to a value tree: its text, unless it is null-like or a
/// merge key, whose meaning the fast path does not reproduce.
fn map_key(text: std::borrow::Cow<'_, str>, style: ScalarStyle) -> Option<String> {
    let special = style == ScalarStyle::Plain && (null(&text) || text == "<<");
    if special { None } else { Some(text.into_owned()) }
}

/// A scalar's value: quoted and block scalars are strings; plain ones are null, a YAML 1.1
/// boolean, a plain decimal number, or a string. `None` for spellings left to serde-saphyr.
fn scalar(text: &str, style: ScalarStyle) -> Option<Value> {
    if style != ScalarStyle::Plain {
        return Some(Value::String(text.to_string()));
    }
    if null(text) {
        return Some(Value::Null);
    }
    if let Some(flag) = boolean(text) {
        return Some(Value::Bool(flag));
    }
    if may_be_number(text) {
        return decimal(text).map(Value::Number);
    }
    Some(Value::String(text.to_string()))
}

fn null(text: &str) -> bool {
    matches!(text, "" | "~" | "null" | "Null" | "NULL")
}

/// YAML 1.1's booleans, which serde-saphyr reads by default ("the Norway problem" included).
fn boolean(text: &str) -> Option<bool> {
    const TRUE: &[&str] = &["true", "yes", "y", "on"];
    const FALSE: &[&str] = &["false", "no", "n", "off"];
    if TRUE.iter().any(|word| text.eq_ignore_ascii_case(word)) {
        Some(true)
    } else if FALSE.iter().any(|word| text.eq_ignore_ascii_case(word)) {
        Some(false)
    } else {
        None
    }
}

/// Whether some YAML number spelling (hex, octal, binary, underscores, exponents, `.inf`,
/// `nan`, sexagesimal) could read `text` as a number: true for anything made only of the
/// characters those spellings use that starts like a number or is an infinity or NaN word.
fn may_be_number(text: &str) -> bool {
    let unsigned = text.strip_prefix(['+', '-']).unwrap_or(text);
    let starts_like_number = unsigned.starts_with(|c: char| c.is_ascii_digit() || c == '.');
    let word = unsigned.trim_start_matches('.').to_ascii_lowercase();
    let special_word = matches!(word.as_str(), "inf" | "infinity" | "nan");
    let number_characters = text.chars().all(|c| c.is_ascii_hexdigit() || "+-._:xXoOiInN".contains(c));
    special_word || (starts_like_number && number_characters)
}

/// A plain decimal integer or fraction (`42`, `-7`, `0.5`); `None` for every other spelling.
fn decimal(text: &str) -> Option<Number> {
    let unsigned = text.strip_prefix('-').unwrap_or(text);
    let (whole, fraction) = match unsigned.split_once('.') {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (unsigned, None),
    };
    let digits = |part: &str| !part.is_empty() && part.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (whole.len() > 1 && whole.starts_with('0')) {
        return None;
    }
    match fraction {
        None if text.starts_with('-') => text.parse::<i64>().ok().map(Number::from),
        None => text.parse::<u64>().ok().map(Number::from),
        Some(fraction) if digits(fraction) => text.parse::<f64>().ok().and_then(Number::from_f64),
        Some(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every YAML file the project ships, read both ways.
    #[test]
    fn reads_every_shipped_file_as_serde_saphyr_does() {
        let mut checked = 0;
        for directory in ["examples", "templates", "grammar"] {
            let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(directory);
            for path in yaml_files(&root) {
                let text = std::fs::read_to_string(&path).unwrap_or_default();
                let expected = serde_saphyr::from_str::<Value>(&text).ok();
                assert_eq!(parse(&text).ok(), expected, "{}", path.display());
                checked += 1;
            }
        }
        assert!(checked >= 10, "only {checked} YAML files found");
    }

    fn yaml_files(root: &std::path::Path) -> Vec<std::path::PathBuf> {
        let mut found = Vec::new();
        let Ok(entries) = std::fs::read_dir(root) else { return found };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                found.extend(yaml_files(&path));
            } else if path.extension().is_some_and(|e| e == "yaml" || e == "yml") {
                found.push(path);
            }
        }
        found
    }

    /// Scalars and shapes whose meaning differs between YAML readers.
    #[test]
    fn reads_tricky_documents_as_serde_saphyr_does() {
        let scalars = [
            "",
            "~",
            "null",
            "Null",
            "NULL",
            "nULL",
            "true",
            "True",
            "TRUE",
            "tRUE",
            "yes",
            "Yes",
            "no",
            "NO",
            "on",
            "Off",
            "y",
            "n",
            "Y",
            "0",
            "-0",
            "+1",
            "01",
            "007",
            "42",
            "-42",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "0.5",
            "-0.5",
            ".5",
            "5.",
            "1e3",
            "1E-3",
            "1.5e10",
            "0x1F",
            "0X1F",
            "0o17",
            "0O17",
            "0b101",
            "1_000",
            "1:30",
            ".inf",
            "-.inf",
            ".Inf",
            ".NaN",
            "nan",
            "inf",
            "infinity",
            "-nan",
            "1.0.0",
            "10ms",
            "2h",
            "0 9 * * *",
            "v1",
            "abc",
            "deadbeef",
            "fe",
            "1f",
            "3.14",
            "-",
            "--",
            ".",
            "..",
            "+",
            "::",
            "1-2",
            "2026-12-04",
            "12:30:00",
            "0.1.2-beta",
            "'quoted'",
            "\"42\"",
            "'yes'",
            "!!str 42",
            "!!int \"7\"",
            "&a 1",
            "[1, 2, yes]",
            "{a: 1, b: null}",
        ];
        for scalar in scalars {
            for text in [format!("value: {scalar}\n"), format!("- {scalar}\n"), format!("{scalar}\n")] {
                let expected = serde_saphyr::from_str::<Value>(&text).ok();
                assert_eq!(parse(&text).ok(), expected, "{text:?}");
            }
        }
        let documents = [
            "a: 1\na: 2\n",
            "base: &b {x: 1}\nother: *b\n",
            "<<: {a: 1}\nb: 2\n",
            "? [a, b]\n: 1\n",
            "~: 1\n",
            "1: one\ntrue: yes\n",
            "a: |\n  line one\n  line two\nb: >\n  folded\n  text\n",
            "--- 1\n--- 2\n",
            "---\na: 1\n...\n",
            "",
            "# only a comment\n",
            "a: [1, {b: [2, 3]}]\n",
            "steps:\n  - id: x\n    parameters:\n      command: \"echo {{ a }}\"\n",
            "a: b: c\n",
            "a:\n  - 1\n - 2\n",
        ];
        for text in documents {
            let expected = serde_saphyr::from_str::<Value>(text).map_err(|e| e.to_string());
            assert_eq!(parse(text).map_err(|e| e.to_string()), expected, "{text:?}");
        }
    }

    #[test]
    fn reads_the_common_subset_without_serde_saphyr() {
        let text = "name: Deploy\nsteps:\n  - id: build\n    retry: {max_attempts: 2, jitter: 0.5}\n    if: yes\n";
        let value = compose(text).unwrap_or_default();
        assert_eq!(value["steps"][0]["retry"]["jitter"], serde_json::json!(0.5));
        assert_eq!(value["steps"][0]["if"], Value::Bool(true));
        assert_eq!(compose("a: &x 1\nb: *x\n"), None, "anchors are left to serde-saphyr");
        assert_eq!(compose("a: 0x1F\n"), None, "hex numbers are left to serde-saphyr");
    }
}
