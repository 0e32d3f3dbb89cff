//! Errors with source positions, rendered like a compiler's: file, line, column, the offending
//! line and a caret under the culprit.

use std::fmt::{self, Write as _};

use serde::Serialize;

/// Where in a workflow document a diagnostic points: a key or value, by its path such as
/// `steps[1].parameters.command`. Resolved to a line and column by the workflow loader's locator.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The key named by the path (for unknown or misspelled keys).
    Key(String),
    /// The value at the path.
    Value(String),
}

impl Target {
    /// The document path the target names.
    pub fn path(&self) -> &str {
        match self {
            Target::Key(path) | Target::Value(path) => path,
        }
    }
}

/// One problem found in a workflow file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Diagnostic {
    /// The file, `<stdin>` or a workflow's name.
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    /// 1-based column, when known.
    pub column: Option<usize>,
    /// The document path, e.g. `steps[0].retry.delay`.
    pub path: String,
    /// What is wrong and what was expected.
    pub message: String,
    /// A hint such as "did you mean `command`?".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub help: Option<String>,
    /// How many characters the caret underlines.
    #[serde(skip)]
    pub width: usize,
    /// Text inside the value the caret should point at (a reference name).
    #[serde(skip)]
    pub needle: Option<String>,
}

impl Diagnostic {
    /// A diagnostic not yet placed in a file.
    pub fn new(target: Target, message: impl Into<String>) -> Self {
        Diagnostic {
            file: String::new(),
            line: None,
            column: None,
            path: target.path().to_string(),
            message: message.into(),
            help: None,
            width: 1,
            needle: None,
        }
        .with_target(target)
    }

    fn with_target(mut self, target: Target) -> Self {
        self.path = match &target {
            Target::Key(path) => format!("{path}#key"),
            Target::Value(path) => path.clone(),
        };
        self
    }

    /// The path without the internal `#key` marker.
    pub fn display_path(&self) -> &str {
        self.path.strip_suffix("#key").unwrap_or(&self.path)
    }

    /// Adds a hint.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Renders the diagnostic with the source line and a caret.
    pub fn render(&self, source: Option<&str>, color: bool) -> String {
        let style = |code: &str, text: &str| {
            if color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
        };
        let mut out = String::new();
        let _ = writeln!(out, "{}{}", style("1;31", "error"), style("1", &format!(": {}", self.message)));
        match (self.line, self.column) {
            (Some(line), Some(column)) => {
                let gutter = line.to_string().len();
                let _ = writeln!(out, "{:gutter$}{} {}:{line}:{column}", "", style("1;34", "-->"), self.file);
                if let Some(text) = source.and_then(|s| s.lines().nth(line - 1)) {
                    let bar = style("1;34", "|");
                    let text = text.replace('\t', " ");
                    let caret_pad: String = text.chars().take(column.saturating_sub(1)).map(|_| ' ').collect();
                    let carets = "^".repeat(self.width.max(1));
                    let _ = writeln!(out, "{:gutter$} {bar}", "");
                    let _ = writeln!(out, "{} {bar} {text}", style("1;34", &line.to_string()));
                    let _ = writeln!(out, "{:gutter$} {bar} {caret_pad}{}", "", style("1;31", &carets));
                }
            }
            _ => {
                let _ = writeln!(out, "{} {}", style("1;34", "-->"), self.file);
            }
        }
        if let Some(help) = &self.help {
            let _ = writeln!(out, "  = {}: {help}", style("1", "help"));
        }
        out
    }
}

impl fmt::Display for Diagnostic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.line, self.column) {
            (Some(line), Some(column)) => write!(f, "{}:{line}:{column}: {}", self.file, self.message)?,
            _ => write!(f, "{}: {}", self.file, self.message)?,
        }
        if let Some(help) = &self.help {
            write!(f, " ({help})")?;
        }
        Ok(())
    }
}

/// The closest of `candidates` to `word`, when it is close enough to be a likely typo.
pub fn did_you_mean<'a, I>(word: &str, candidates: I) -> Option<String>
where
    I: IntoIterator<Item = &'a str>,
{
    let lowered = word.to_lowercase();
    let candidates: Vec<&str> = candidates.into_iter().collect();
    if lowered.len() >= 3
        && let Some(prefixed) = candidates.iter().find(|c| c.to_lowercase().starts_with(&lowered))
    {
        return Some((*prefixed).to_string());
    }
    candidates
        .into_iter()
        .map(|candidate| (strsim::damerau_levenshtein(&lowered, &candidate.to_lowercase()), candidate))
        .filter(|(distance, candidate)| {
            let limit = (candidate.len().max(word.len()) / 3).max(1);
            *distance <= limit
        })
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, candidate)| candidate.to_string())
}

/// A list of diagnostics for one source, as an error value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", render_plain(.diagnostics))]
pub struct Diagnostics {
    /// The diagnostics, in source order.
    pub diagnostics: Vec<Diagnostic>,
    /// The source text, for rendering.
    pub text: Option<String>,
}

fn render_plain(diagnostics: &[Diagnostic]) -> String {
    diagnostics.iter().map(ToString::to_string).collect::<Vec<_>>().join("\n")
}

impl Diagnostics {
    /// Renders every diagnostic with its source snippet.
    pub fn render(&self, color: bool) -> String {
        self.diagnostics.iter().map(|d| d.render(self.text.as_deref(), color)).collect::<Vec<_>>().join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_words_only() {
        let keys = ["command", "cwd", "env", "stdin"];
        let cases = [("comand", Some("command")), ("commnad", Some("command")), ("ENV", Some("env")), ("bogus", None)];
        for (word, expected) in cases {
            assert_eq!(did_you_mean(word, keys).as_deref(), expected, "{word}");
        }
    }

    #[test]
    fn renders_caret_under_column() {
        let mut d = Diagnostic::new(Target::Value("name".into()), "bad name");
        d.file = "f.yaml".into();
        d.line = Some(2);
        d.column = Some(7);
        d.width = 3;
        let text = d.render(Some("a: 1\nname: xyz\n"), false);
        assert!(text.contains("--> f.yaml:2:7"), "{text}");
        assert!(text.contains("2 | name: xyz"), "{text}");
        assert!(text.contains("  |       ^^^"), "{text}");
    }
}
