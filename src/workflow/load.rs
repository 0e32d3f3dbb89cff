//! Reading workflow files (YAML, JSON, stdin) into checked definitions, and writing them back.

use std::io::Read;
use std::path::Path;

use serde_json::Value;

use super::decode::decode;
use super::locate::LocationIndex;
use super::model::Workflow;
use super::validate::validate;
use crate::diagnostic::{Diagnostic, Diagnostics, Target};

/// Largest workflow file accepted, so a stray multi-gigabyte file can't exhaust memory.
pub const MAX_FILE_BYTES: usize = 8 * 1024 * 1024;

/// Serialization formats of a workflow file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// YAML (`.yaml`, `.yml`, and stdin unless it looks like JSON).
    Yaml,
    /// JSON (`.json`).
    Json,
}

impl Format {
    /// The format a path's extension names; YAML when it names none.
    pub fn from_path(path: &Path) -> Format {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("json") => Format::Json,
            _ => Format::Yaml,
        }
    }

    /// Guesses from content: JSON starts with `{`.
    pub fn sniff(text: &str) -> Format {
        if text.trim_start().starts_with('{') { Format::Json } else { Format::Yaml }
    }
}

/// A workflow's source text and where it came from.
#[derive(Debug, Clone)]
pub struct Document {
    /// A path, `<stdin>` or a library name, used in diagnostics.
    pub origin: String,
    /// The text.
    pub text: String,
    /// How to parse it.
    pub format: Format,
}

impl Document {
    /// Reads a file, or stdin when `path` is `-`.
    pub fn read(path: &Path) -> Result<Document, Diagnostics> {
        let origin = path.display().to_string();
        let fail = |message: String| Diagnostics { diagnostics: vec![placed(&origin, message)], text: None };
        let mut bytes = Vec::new();
        if origin == "-" {
            std::io::stdin()
                .take(MAX_FILE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| fail(format!("can't read stdin: {e}")))?;
        } else {
            let file = std::fs::File::open(path).map_err(|e| fail(format!("can't read the file: {e}")))?;
            file.take(MAX_FILE_BYTES as u64 + 1)
                .read_to_end(&mut bytes)
                .map_err(|e| fail(format!("can't read the file: {e}")))?;
        }
        if bytes.len() > MAX_FILE_BYTES {
            return Err(fail(format!("the file is larger than {} MiB", MAX_FILE_BYTES / (1024 * 1024))));
        }
        let text = String::from_utf8(bytes).map_err(|e| {
            fail(format!("the file is not UTF-8 text (invalid byte at offset {})", e.utf8_error().valid_up_to()))
        })?;
        let format = if origin == "-" { Format::sniff(&text) } else { Format::from_path(path) };
        let origin = if origin == "-" { "<stdin>".to_string() } else { origin };
        Ok(Document { origin, text, format })
    }

    /// Wraps text already in memory.
    pub fn from_text(origin: impl Into<String>, text: impl Into<String>, format: Format) -> Document {
        Document { origin: origin.into(), text: text.into(), format }
    }

    /// Parses, decodes and validates: a workflow, or every problem found.
    pub fn load(&self) -> Result<Workflow, Diagnostics> {
        let value = self.parse_value()?;
        let mut diagnostics: Vec<Diagnostic> = Vec::new();
        match decode(&value) {
            Ok(workflow) => {
                diagnostics.extend(validate(&workflow));
                if diagnostics.is_empty() {
                    return Ok(workflow);
                }
            }
            Err(found) => {
                // Drop the broken optional values and check the rest too, so the user sees
                // every problem at once.
                if let Some(workflow) = prune(&value, &found) {
                    diagnostics.extend(validate(&workflow));
                }
                diagnostics.extend(found);
            }
        }
        // Positions are only needed to report problems, so the text is walked only then.
        Err(self.place(diagnostics, &LocationIndex::build(&self.text)))
    }

    fn parse_value(&self) -> Result<Value, Diagnostics> {
        let result = match self.format {
            Format::Json => serde_json::from_str::<UniqueKeys>(&self.text).map(|v| v.0).map_err(|error| {
                let (line, column) = (error.line(), error.column());
                (format!("invalid JSON: {}", strip_position(&error.to_string())), Some((line, column)))
            }),
            // JSON is YAML with the same meaning, and its parser is several times faster: a
            // YAML file written as JSON is read as JSON, and as YAML (for YAML's messages) if that fails.
            Format::Yaml
                if self.text.trim_start().starts_with('{')
                    && let Ok(value) = serde_json::from_str::<UniqueKeys>(&self.text) =>
            {
                Ok(value.0)
            }
            Format::Yaml => super::yaml::parse(&self.text).map_err(|error| {
                let position = error.location().map(|l| (l.line() as usize, l.column() as usize));
                (format!("invalid YAML: {}", yaml_message(&error)), position)
            }),
        };
        result.map_err(|(message, position)| {
            let mut diagnostic = placed(&self.origin, message);
            if let Some((line, column)) = position.filter(|(line, _)| *line > 0) {
                diagnostic.line = Some(line);
                diagnostic.column = Some(column.max(1));
            }
            Diagnostics { diagnostics: vec![diagnostic], text: Some(self.text.clone()) }
        })
    }

    fn place(&self, mut diagnostics: Vec<Diagnostic>, index: &LocationIndex) -> Diagnostics {
        for diagnostic in &mut diagnostics {
            diagnostic.file = self.origin.clone();
            let position = match diagnostic.path.strip_suffix("#key") {
                Some(path) => index.key(path),
                None => index.value(&diagnostic.path),
            };
            if let Some(position) = position {
                diagnostic.line = Some(position.line);
                diagnostic.column = Some(position.column);
                diagnostic.width = position.width;
                if let Some(needle) = diagnostic.needle.clone() {
                    self.aim(diagnostic, &needle);
                }
            }
            diagnostic.path = diagnostic.display_path().to_string();
        }
        diagnostics.sort_by_key(|d| (d.line.unwrap_or(0), d.column.unwrap_or(0)));
        Diagnostics { diagnostics, text: Some(self.text.clone()) }
    }

    /// Moves the caret onto `needle` when it occurs on the diagnostic's line at or after its column.
    fn aim(&self, diagnostic: &mut Diagnostic, needle: &str) {
        let (Some(line), Some(column)) = (diagnostic.line, diagnostic.column) else { return };
        let Some(text) = self.text.lines().nth(line - 1) else { return };
        let chars: Vec<char> = text.chars().collect();
        let needle: Vec<char> = needle.chars().collect();
        let start = column.saturating_sub(1);
        if let Some(offset) = (start..chars.len()).find(|&i| chars[i..].starts_with(&needle)) {
            diagnostic.column = Some(offset + 1);
            diagnostic.width = needle.len();
        }
    }
}

/// Keys whose loss would make later checks report errors that aren't there.
const LOAD_BEARING: &[&str] = &[
    "id",
    "tool",
    "action",
    "name",
    "type",
    "steps",
    "parallel",
    "then",
    "else",
    "if",
    "parameters",
    "depends_on",
    "fallback",
];

/// The document without the values `diagnostics` point at, when all of them are optional.
fn prune(value: &Value, diagnostics: &[Diagnostic]) -> Option<Workflow> {
    let mut pruned = value.clone();
    for diagnostic in diagnostics {
        let path = diagnostic.path.strip_suffix("#key").unwrap_or(&diagnostic.path);
        let (parent, key) = path.rsplit_once('.').unwrap_or(("", path));
        if path.is_empty() || key.ends_with(']') || LOAD_BEARING.contains(&key) {
            return None;
        }
        let target = if parent.is_empty() { Some(&mut pruned) } else { pointer(&mut pruned, parent) };
        target?.as_object_mut()?.remove(key);
    }
    super::decode::decode(&pruned).ok()
}

/// The value at a dotted path such as `steps[0].retry`.
fn pointer<'v>(value: &'v mut Value, path: &str) -> Option<&'v mut Value> {
    let mut current = value;
    for segment in path.split('.') {
        let (key, indexes) = match segment.find('[') {
            Some(cut) => (&segment[..cut], &segment[cut..]),
            None => (segment, ""),
        };
        if !key.is_empty() {
            current = current.get_mut(key)?;
        }
        for index in indexes.split(['[', ']']).filter(|s| !s.is_empty()) {
            current = current.get_mut(index.parse::<usize>().ok()?)?;
        }
    }
    Some(current)
}

/// A JSON value whose objects may not repeat a key (serde_json would keep the last silently).
struct UniqueKeys(Value);

impl<'de> serde::Deserialize<'de> for UniqueKeys {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(UniqueKeysVisitor).map(UniqueKeys)
    }
}

struct UniqueKeysVisitor;

impl<'de> serde::de::Visitor<'de> for UniqueKeysVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(Value::from(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_string()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::new();
        while let Some(UniqueKeys(item)) = seq.next_element()? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = serde_json::Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(serde::de::Error::custom(format!("duplicate key `{key}`")));
            }
            let UniqueKeys(value) = map.next_value()?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

fn placed(origin: &str, message: String) -> Diagnostic {
    let mut diagnostic = Diagnostic::new(Target::Value(String::new()), message);
    diagnostic.file = origin.to_string();
    diagnostic
}

fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(cut) => message[..cut].to_string(),
        None => message.to_string(),
    }
}

fn yaml_message(error: &serde_saphyr::Error) -> String {
    let text = error.to_string();
    if text.contains("budget breached") {
        return "the document is too large or too deeply nested (alias expansion is limited)".into();
    }
    if text.contains("multiple YAML documents") {
        return "a file holds one workflow, but this one has a second document after `---`; put each workflow in a file of its own".into();
    }
    let first = text.lines().next().unwrap_or(&text).trim();
    let first = first.strip_prefix("error: ").unwrap_or(first);
    // The position is reported separately; drop serde-saphyr's "line N column M: " prefix.
    let first = match first.strip_prefix("line ").and_then(|rest| rest.split_once(": ")) {
        Some((_, message)) => message,
        None => first,
    };
    let first = first.split(", set DuplicateKeyPolicy").next().unwrap_or(first);
    strip_position(first)
}

/// Loads a workflow from a file (or `-` for stdin).
pub fn load_file(path: &Path) -> Result<Workflow, Diagnostics> {
    Document::read(path)?.load()
}

/// Writes a workflow as YAML or JSON text.
pub fn to_text(workflow: &Workflow, format: Format) -> String {
    match format {
        Format::Json => {
            let mut text = serde_json::to_string_pretty(workflow).unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Yaml => serde_saphyr::to_string(workflow).unwrap_or_else(|_| {
            // JSON is valid YAML; never lose a definition over a formatting problem.
            serde_json::to_string_pretty(workflow).unwrap_or_default()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_keeps_every_value_type_and_refuses_a_repeated_key_at_any_depth() {
        let text = r#"{"a": [true, false, -1, 2, 1.5, "s", null, {"b": {"c": []}}], "u": 18446744073709551615}"#;
        let value = Document::from_text("t.json", text, Format::Json).parse_value().unwrap();
        assert_eq!(
            value,
            json!({"a": [true, false, -1, 2, 1.5, "s", null, {"b": {"c": []}}], "u": 18446744073709551615u64})
        );
        let repeated = r#"{"a": [{"b": 1, "b": 2}]}"#;
        let error = Document::from_text("t.json", repeated, Format::Json).parse_value().unwrap_err();
        let shown = error.render(false);
        assert!(shown.contains("t.json:1:") && shown.contains("`b`"), "{shown}");
    }

    #[test]
    fn the_format_is_sniffed_from_the_first_character() {
        let cases =
            [("{\"name\": 1}", Format::Json), ("  \n{", Format::Json), ("name: x", Format::Yaml), ("", Format::Yaml)];
        for (text, format) in cases {
            assert_eq!(Format::sniff(text), format, "{text:?}");
        }
    }
}
