//! Maps document paths (`steps[2].parameters.command`) to line and column, so that semantic
//! errors found on decoded values can point at the text the user wrote.
//!
//! JSON is YAML 1.2 flow syntax, so one event walk serves both formats. The walk never expands
//! aliases, so it is linear in the size of the text.

use std::collections::HashMap;

use granit_parser::{Event, Parser};

/// Line and column (both 1-based) and the width of the token there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Position {
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
    /// Characters the token spans on its line (at least 1).
    pub width: usize,
}

/// Positions of every key and value in a document.
#[derive(Debug, Default)]
pub struct LocationIndex {
    values: HashMap<String, Position>,
    keys: HashMap<String, Position>,
    duplicates: Vec<(String, Position)>,
}

enum Frame {
    Map { path: String, key: Option<String>, seen: Vec<String> },
    Seq { path: String, index: usize },
}

/// Joins a path and a map key.
pub fn child(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_string() } else { format!("{path}.{key}") }
}

/// Joins a path and a sequence index.
pub fn item(path: &str, index: usize) -> String {
    format!("{path}[{index}]")
}

impl LocationIndex {
    /// Walks `text`; a document that fails to parse yields the positions seen up to the error.
    pub fn build(text: &str) -> Self {
        let mut index = LocationIndex::default();
        let mut stack: Vec<Frame> = Vec::new();
        for event in Parser::new_from_str(text) {
            let Ok((event, span)) = event else { break };
            let position = |value: Option<&str>| {
                let width = if span.start.line() == span.end.line() {
                    span.end.index().saturating_sub(span.start.index()).max(1)
                } else {
                    value.map_or(1, |v| v.lines().next().map_or(1, |l| l.chars().count().max(1)))
                };
                Position { line: span.start.line(), column: span.start.col() + 1, width }
            };
            match event {
                Event::Scalar(value, ..) => {
                    let position = position(Some(&value));
                    index.node(&mut stack, position, Some(value.to_string()), None);
                }
                Event::Alias(..) => index.node(&mut stack, position(None), Some("*".into()), None),
                Event::MappingStart(..) => {
                    let position = position(None);
                    index.node(&mut stack, position, None, Some(true));
                }
                Event::SequenceStart(..) => {
                    let position = position(None);
                    index.node(&mut stack, position, None, Some(false));
                }
                Event::MappingEnd | Event::SequenceEnd => {
                    stack.pop();
                    Self::advance(&mut stack);
                }
                _ => {}
            }
        }
        index
    }

    fn node(&mut self, stack: &mut Vec<Frame>, position: Position, scalar: Option<String>, opens: Option<bool>) {
        let path = match stack.last_mut() {
            None => String::new(),
            Some(Frame::Map { path, key, seen }) => match key {
                None => {
                    let name = scalar.clone().unwrap_or_else(|| "?".into());
                    let key_path = child(path, &name);
                    if seen.contains(&name) {
                        self.duplicates.push((key_path.clone(), position));
                    } else {
                        seen.push(name.clone());
                    }
                    self.keys.entry(key_path).or_insert(position);
                    *key = Some(name);
                    if opens.is_some() {
                        // A complex key: track it as an anonymous container.
                        stack.push(Frame::Seq { path: "?".into(), index: 0 });
                    }
                    return;
                }
                Some(name) => child(path, name),
            },
            Some(Frame::Seq { path, index }) => item(path, *index),
        };
        self.values.entry(path.clone()).or_insert(position);
        match opens {
            Some(true) => stack.push(Frame::Map { path, key: None, seen: Vec::new() }),
            Some(false) => stack.push(Frame::Seq { path, index: 0 }),
            None => Self::advance(stack),
        }
    }

    fn advance(stack: &mut [Frame]) {
        match stack.last_mut() {
            Some(Frame::Map { key, .. }) => *key = None,
            Some(Frame::Seq { index, .. }) => *index += 1,
            None => {}
        }
    }

    /// The position of the value at `path`, else of its nearest located ancestor.
    pub fn value(&self, path: &str) -> Option<Position> {
        let mut path = path;
        loop {
            if let Some(position) = self.values.get(path) {
                return Some(*position);
            }
            path = parent(path)?;
        }
    }

    /// The position of the key that ends `path`, else of its value.
    pub fn key(&self, path: &str) -> Option<Position> {
        self.keys.get(path).copied().or_else(|| self.value(path))
    }

    /// Keys that appear twice in one mapping, with the position of the second.
    pub fn duplicates(&self) -> &[(String, Position)] {
        &self.duplicates
    }
}

/// The path one level up, `None` at the root.
pub fn parent(path: &str) -> Option<&str> {
    if path.is_empty() {
        return None;
    }
    let cut = path.rfind(['.', '[']).unwrap_or(0);
    Some(&path[..cut])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locates_keys_and_values_in_yaml_and_json() {
        let yaml = "name: x\nsteps:\n  - id: a\n    parameters: { command: ls }\n";
        let index = LocationIndex::build(yaml);
        let cases = [
            ("name", 1, 7),
            ("steps[0].id", 3, 9),
            ("steps[0].parameters.command", 4, 28),
            ("steps[0].parameters.nope", 4, 17),
        ];
        for (path, line, column) in cases {
            let p = index.value(path).unwrap();
            assert_eq!((p.line, p.column), (line, column), "{path}");
        }
        assert_eq!(index.key("steps[0].parameters.command").map(|p| (p.line, p.column)), Some((4, 19)));

        let json = "{\n  \"name\": \"x\",\n  \"steps\": [\n    {\"id\": \"a\"}\n  ]\n}";
        let index = LocationIndex::build(json);
        assert_eq!(index.value("steps[0].id").map(|p| (p.line, p.column)), Some((4, 12)));
    }

    #[test]
    fn finds_duplicate_keys() {
        let index = LocationIndex::build("{\"a\": 1, \"a\": 2}");
        assert_eq!(index.duplicates().len(), 1);
        assert_eq!(index.duplicates()[0].0, "a");
    }
}
