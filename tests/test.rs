//! `Test`: one invocation of the real binary, described in full and checked in one place, in
//! the style of casey/just's `tests/test.rs`. Workflow files are written as real YAML; the
//! expectations name stdout, stderr and the exit code.
//!
//! ```ignore
//! Test::new()
//!     .saved("greet.yaml", "name: Greet\nsteps: …")
//!     .args(&["workflow", "run", "Greet"])
//!     .stdout_contains("Workflow completed successfully")
//!     .status(0)
//!     .run();
//! ```

#![allow(dead_code)]

use std::process::Output;

use super::common::{Sandbox, stderr, stdout};

/// A test of one command.
pub struct Test {
    sandbox: Sandbox,
    args: Vec<String>,
    env: Vec<(String, String)>,
    stdin: Option<String>,
    status: i32,
    stdout: Option<String>,
    stdout_contains: Vec<String>,
    stdout_lacks: Vec<String>,
    stderr: Option<String>,
    stderr_contains: Vec<String>,
}

impl Default for Test {
    fn default() -> Self {
        Test::new()
    }
}

impl Test {
    /// A test in a fresh sandbox, expecting exit code 0 unless told otherwise.
    pub fn new() -> Test {
        Test::in_sandbox(Sandbox::new())
    }

    /// A test in an existing sandbox (for a sequence of commands on one library).
    pub fn in_sandbox(sandbox: Sandbox) -> Test {
        Test {
            sandbox,
            args: Vec::new(),
            env: Vec::new(),
            stdin: None,
            status: 0,
            stdout: None,
            stdout_contains: Vec::new(),
            stdout_lacks: Vec::new(),
            stderr: None,
            stderr_contains: Vec::new(),
        }
    }

    /// The sandbox, for files and the database.
    pub fn sandbox(&self) -> &Sandbox {
        &self.sandbox
    }

    /// Writes a file into the sandbox.
    pub fn file(self, name: &str, text: &str) -> Test {
        self.sandbox.write(name, &unindent(text));
        self
    }

    /// Writes a workflow file and saves it into the library.
    pub fn saved(self, name: &str, yaml: &str) -> Test {
        self.sandbox.save(name, &unindent(yaml));
        self
    }

    /// The command's arguments.
    pub fn args(mut self, args: &[&str]) -> Test {
        self.args = args.iter().map(|a| a.to_string()).collect();
        self
    }

    /// An environment variable for the command.
    pub fn env(mut self, key: &str, value: &str) -> Test {
        self.env.push((key.into(), value.into()));
        self
    }

    /// Text on standard input (otherwise stdin is empty).
    pub fn stdin(mut self, text: &str) -> Test {
        self.stdin = Some(unindent(text));
        self
    }

    /// The expected exit code.
    pub fn status(mut self, code: i32) -> Test {
        self.status = code;
        self
    }

    /// Standard output, exactly.
    pub fn stdout(mut self, text: &str) -> Test {
        self.stdout = Some(unindent(text));
        self
    }

    /// A piece standard output must contain.
    pub fn stdout_contains(mut self, text: &str) -> Test {
        self.stdout_contains.push(text.into());
        self
    }

    /// A piece standard output must not contain.
    pub fn stdout_lacks(mut self, text: &str) -> Test {
        self.stdout_lacks.push(text.into());
        self
    }

    /// Standard error, exactly.
    pub fn stderr(mut self, text: &str) -> Test {
        self.stderr = Some(unindent(text));
        self
    }

    /// A piece standard error must contain.
    pub fn stderr_contains(mut self, text: &str) -> Test {
        self.stderr_contains.push(text.into());
        self
    }

    /// Runs the command, checks every expectation, and returns the sandbox and the output
    /// for further checks.
    pub fn run(self) -> (Sandbox, Output) {
        let mut command = self.sandbox.alpha();
        command.args(&self.args);
        for (key, value) in &self.env {
            command.env(key, value);
        }
        command.write_stdin(self.stdin.clone().unwrap_or_default());
        let output = command.output().expect("run alpha");
        let (out, err) = (stdout(&output), stderr(&output));
        let shown = format!("alpha {:?}\n--- stdout\n{out}--- stderr\n{err}", self.args);
        assert_eq!(output.status.code(), Some(self.status), "exit code of {shown}");
        if let Some(expected) = &self.stdout {
            assert_eq!(&out, expected, "stdout of {shown}");
        }
        if let Some(expected) = &self.stderr {
            assert_eq!(&err, expected, "stderr of {shown}");
        }
        for piece in &self.stdout_contains {
            assert!(out.contains(piece.as_str()), "stdout should contain {piece:?}: {shown}");
        }
        for piece in &self.stdout_lacks {
            assert!(!out.contains(piece.as_str()), "stdout should not contain {piece:?}: {shown}");
        }
        for piece in &self.stderr_contains {
            assert!(err.contains(piece.as_str()), "stderr should contain {piece:?}: {shown}");
        }
        (self.sandbox, output)
    }
}

/// Text written indented inside a test, with the common indentation removed (as just's
/// `unindent`), so YAML in tests reads like YAML in files. A leading newline is dropped and the
/// text ends in exactly one newline.
pub fn unindent(text: &str) -> String {
    let text = text.strip_prefix('\n').unwrap_or(text);
    let indent = text
        .lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| line.len() - line.trim_start().len())
        .min()
        .unwrap_or(0);
    let lines: Vec<&str> = text.lines().map(|line| line.get(indent..).unwrap_or_else(|| line.trim_start())).collect();
    let body = lines.join("\n");
    let body = body.trim_end();
    if body.is_empty() { String::new() } else { format!("{body}\n") }
}

#[test]
fn unindent_keeps_relative_indentation() {
    let text = "
        name: A
        steps:
          - id: a
    ";
    assert_eq!(unindent(text), "name: A\nsteps:\n  - id: a\n");
    assert_eq!(unindent("one line"), "one line\n");
}
