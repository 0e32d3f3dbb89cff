//! What each built-in tool accepts: actions, their parameters, and the result fields later steps
//! may read. The validator checks steps against it; the executor's tools implement it.

use std::path::PathBuf;

/// One action of a tool.
#[derive(Debug, Clone, Copy)]
pub struct ActionSpec {
    /// Name used in `action:`.
    pub name: &'static str,
    /// Parameters that must be present.
    pub required: &'static [&'static str],
    /// Parameters that may be present.
    pub optional: &'static [&'static str],
    /// One-line description for help and docs.
    pub summary: &'static str,
}

impl ActionSpec {
    /// Every parameter name the action accepts.
    pub fn accepts(&self) -> impl Iterator<Item = &'static str> {
        self.required.iter().chain(self.optional.iter()).copied()
    }
}

/// A built-in tool.
#[derive(Debug, Clone, Copy)]
pub struct ToolSpec {
    /// Name used in `tool:`.
    pub name: &'static str,
    /// Other accepted names (the original specification's `email_tool`).
    pub aliases: &'static [&'static str],
    /// Its actions.
    pub actions: &'static [ActionSpec],
    /// Result fields beyond the common ones.
    pub fields: &'static [&'static str],
}

/// Result fields every step has (design.md §3).
pub const COMMON_FIELDS: &[&str] =
    &["status", "output", "exit_code", "stdout", "stderr", "json", "attempts", "duration_ms", "error", "truncated"];

const fn action(
    name: &'static str,
    required: &'static [&'static str],
    optional: &'static [&'static str],
    summary: &'static str,
) -> ActionSpec {
    ActionSpec { name, required, optional, summary }
}

const HTTP_OPTIONAL: &[&str] = &["method", "headers", "body", "json", "query", "expect_status", "fail_on_error"];
const LLM_OPTIONAL: &[&str] = &["system", "context", "model", "temperature", "max_tokens", "format"];

/// The built-in tools.
pub const BUILTIN: &[ToolSpec] = &[
    ToolSpec {
        name: "shell",
        aliases: &[],
        actions: &[action("run", &["command"], &["cwd", "env", "stdin", "shell"], "run a command")],
        fields: &["stdout_bytes", "stderr_bytes", "log"],
    },
    ToolSpec {
        name: "http",
        aliases: &[],
        actions: &[
            action("request", &["url"], HTTP_OPTIONAL, "send an HTTP request (method defaults to GET)"),
            action("get", &["url"], HTTP_OPTIONAL, "GET a URL"),
            action("post", &["url"], HTTP_OPTIONAL, "POST to a URL"),
            action("put", &["url"], HTTP_OPTIONAL, "PUT to a URL"),
            action("patch", &["url"], HTTP_OPTIONAL, "PATCH a URL"),
            action("delete", &["url"], HTTP_OPTIONAL, "DELETE a URL"),
            action("head", &["url"], HTTP_OPTIONAL, "HEAD a URL"),
        ],
        fields: &["status_code", "headers", "body", "body_bytes", "log"],
    },
    ToolSpec {
        name: "file",
        aliases: &[],
        actions: &[
            action("read", &["path"], &["allow_special"], "read a text file"),
            action("write", &["path", "content"], &["mkdir"], "write a file, replacing it"),
            action("append", &["path", "content"], &["mkdir"], "append to a file"),
            action("copy", &["from", "to"], &["mkdir"], "copy a file"),
            action("list", &["path"], &["pattern", "recursive"], "list a directory"),
            action("archive", &["source", "destination"], &["exclude"], "pack files into a .tar.gz"),
            action("checksum", &["path"], &["algorithm", "expected"], "SHA-256 of a file"),
            action("delete", &["path"], &["missing_ok"], "delete a file"),
        ],
        fields: &["path", "files", "count", "size", "checksum", "bytes", "log"],
    },
    ToolSpec {
        name: "notification",
        aliases: &["notify"],
        actions: &[action(
            "send",
            &["message"],
            &["title", "channel", "url", "path", "level"],
            "notify: terminal, desktop, webhook or file",
        )],
        fields: &["channel"],
    },
    ToolSpec {
        name: "llm",
        aliases: &[],
        actions: &[
            action("chat", &["prompt"], LLM_OPTIONAL, "ask the configured model"),
            action("analyze", &["prompt"], LLM_OPTIONAL, "analyze context with the model"),
            action("summarize", &[], &["text", "prompt", "context", "system", "model", "max_tokens"], "summarize text"),
        ],
        fields: &["model", "tokens"],
    },
    ToolSpec {
        name: "email",
        aliases: &["email_tool"],
        actions: &[
            action(
                "fetch",
                &[],
                &[
                    "limit",
                    "maildir",
                    "unread_only",
                    "folder",
                    "host",
                    "port",
                    "tls",
                    "username",
                    "account",
                    "password",
                    "ca_file",
                ],
                "fetch messages from a Maildir or IMAP",
            ),
            action(
                "send",
                &["to", "subject"],
                &["body", "from", "host", "port", "tls", "username", "account", "password", "ca_file"],
                "send a message via SMTP",
            ),
        ],
        fields: &["count", "messages"],
    },
    ToolSpec {
        name: "workflow",
        aliases: &[],
        actions: &[action("run", &["workflow"], &["params"], "run another saved workflow")],
        fields: &["run_id", "outputs"],
    },
];

/// Finds a built-in tool by name or alias.
pub fn builtin(name: &str) -> Option<&'static ToolSpec> {
    BUILTIN.iter().find(|tool| tool.name == name || tool.aliases.contains(&name))
}

impl ToolSpec {
    /// Finds an action by name.
    pub fn action(&self, name: &str) -> Option<&'static ActionSpec> {
        self.actions.iter().find(|action| action.name == name)
    }
}

/// The executable that implements external tool `name`, searched on PATH.
pub fn external(name: &str) -> Option<PathBuf> {
    let file = format!("alpha-tool-{name}");
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path).map(|dir| dir.join(&file)).find(|candidate| is_executable(candidate))
}

fn is_executable(path: &std::path::Path) -> bool {
    use std::os::unix::fs::PermissionsExt;
    path.metadata().is_ok_and(|meta| meta.is_file() && meta.permissions().mode() & 0o111 != 0)
}

/// The values a closed-set parameter may take, lowercase.
pub fn allowed_values(tool: &str, key: &str) -> Option<&'static [&'static str]> {
    match (tool, key) {
        ("notification", "channel") => Some(&["terminal", "desktop", "webhook", "file"]),
        ("http", "method") => Some(&["get", "post", "put", "patch", "delete", "head", "options"]),
        _ => None,
    }
}

/// Parameters that must be text (a number or a list there is a mistake, not a value).
pub fn is_text(tool: &str, key: &str) -> bool {
    matches!(
        (tool, key),
        ("shell", "command" | "cwd" | "shell" | "stdin")
            | ("http", "url" | "method")
            | ("notification", "channel" | "title" | "url" | "path")
            | ("file", "path" | "from" | "to" | "destination")
            | ("email", "host" | "username" | "password" | "folder")
    )
}
