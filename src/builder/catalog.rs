//! The phrase catalog (`grammar/phrases.yaml`): the words users say for common steps.

use std::path::Path;
use std::sync::OnceLock;

use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::Value;

/// One catalog entry.
#[derive(Debug, Clone, Deserialize)]
pub struct Phrase {
    /// Step id it produces.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Phrases that name it.
    #[serde(rename = "match")]
    pub phrases: Vec<String>,
    /// Tool.
    pub tool: String,
    /// Action (shell: run).
    #[serde(default)]
    pub action: Option<String>,
    /// Shell command, with `{test}`, `{build}`, `{lint}` and `{{ param }}`.
    #[serde(default)]
    pub command: Option<String>,
    /// The command when the workflow lacks the parameters in `needs`.
    #[serde(default)]
    pub plain: Option<String>,
    /// Other tool parameters.
    #[serde(default)]
    pub parameters: IndexMap<String, Value>,
    /// Workflow parameters the step uses.
    #[serde(default)]
    pub needs: Vec<String>,
    /// A question to ask for the command.
    #[serde(default)]
    pub ask: Option<String>,
    /// Retry attempts that suit the step (network operations).
    #[serde(default)]
    pub retry: Option<u32>,
}

/// The catalog, parsed once.
pub fn phrases() -> &'static [Phrase] {
    static CATALOG: OnceLock<Vec<Phrase>> = OnceLock::new();
    CATALOG.get_or_init(|| serde_saphyr::from_str(include_str!("../../grammar/phrases.yaml")).unwrap_or_default())
}

/// The entry whose longest phrase occurs in `clause` (as whole words).
pub fn find(clause: &str) -> Option<&'static Phrase> {
    let clause = format!(" {} ", normalize(clause));
    phrases()
        .iter()
        .flat_map(|p| p.phrases.iter().map(move |phrase| (phrase, p)))
        .filter(|(phrase, _)| clause.contains(&format!(" {} ", normalize(phrase))))
        .max_by_key(|(phrase, _)| phrase.len())
        .map(|(_, p)| p)
}

/// Lowercase words separated by single spaces, punctuation dropped.
pub fn normalize(text: &str) -> String {
    text.to_lowercase()
        .split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '-' || c == '.' || c == '/'))
        .filter(|w| !w.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

/// The project's own commands, detected from the files in `dir`.
#[derive(Debug, Clone)]
pub struct Project {
    /// Test command.
    pub test: String,
    /// Build command.
    pub build: String,
    /// Lint command.
    pub lint: String,
}

impl Project {
    /// Detects cargo, Python, npm, Go or make projects; make targets otherwise.
    pub fn detect(dir: &Path) -> Project {
        let has = |name: &str| dir.join(name).exists();
        let (test, build, lint) = if has("Cargo.toml") {
            ("cargo test", "cargo build --release", "cargo clippy")
        } else if has("pyproject.toml") || has("pytest.ini") || has("setup.py") || has("setup.cfg") || has("tox.ini") {
            ("pytest", "python -m build", "ruff check .")
        } else if has("package.json") {
            ("npm test", "npm run build", "npm run lint")
        } else if has("go.mod") {
            ("go test ./...", "go build ./...", "go vet ./...")
        } else {
            ("make test", "make", "make lint")
        };
        Project { test: test.into(), build: build.into(), lint: lint.into() }
    }

    /// A catalog command with the project's own commands in place of `{test}`, `{build}`, `{lint}`.
    pub fn fill(&self, command: &str) -> String {
        command.replace("{test}", &self.test).replace("{build}", &self.build).replace("{lint}", &self.lint)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clauses_map_to_catalog_steps() {
        let cases = [
            ("pulls latest code", Some("pull")),
            ("runs tests", Some("test")),
            ("and deploys if tests pass", Some("deploy")),
            ("git status", Some("status")),
            ("back up my documents every night", Some("backup")),
            ("check disk space", Some("disk")),
            ("send me a notification", Some("notify")),
            ("summarize it", Some("summarize")),
            ("water the plants", None),
        ];
        for (clause, expected) in cases {
            assert_eq!(find(clause).map(|p| p.id.as_str()), expected, "{clause}");
        }
    }

    #[test]
    fn detects_project_commands() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(Project::detect(dir.path()).test, "make test");
        std::fs::write(dir.path().join("go.mod"), "module x").unwrap();
        assert_eq!(Project::detect(dir.path()).test, "go test ./...");
        std::fs::write(dir.path().join("Cargo.toml"), "[package]").unwrap();
        assert_eq!(Project::detect(dir.path()).test, "cargo test");
    }
}
