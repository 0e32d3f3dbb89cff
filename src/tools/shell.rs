//! `shell run`: runs a command in its own process group, captures stdout and stderr, and kills
//! the whole group on timeout or cancellation. A command with no shell syntax is executed
//! directly, without an intermediate shell.

use std::process::Stdio;
use std::time::Instant;

use futures_util::future::BoxFuture;
use serde_json::{Map, Value};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWriteExt, BufReader};
use tokio::process::Command;

use super::{Failure, Outcome, Request, Tool, text};
use crate::workflow::ErrorKind;

/// The shell tool.
pub struct Shell;

/// Characters that make a command need `sh -c`.
const SHELL_SYNTAX: &[char] = &[
    '|', '&', ';', '<', '>', '(', ')', '$', '`', '\\', '"', '\'', '*', '?', '[', ']', '#', '~', '=', '%', '{', '}',
    '\n', '!',
];

/// The argv to execute directly, when the command has no shell syntax.
pub fn direct_argv(command: &str) -> Option<Vec<String>> {
    if command.contains(SHELL_SYNTAX) {
        return None;
    }
    let words: Vec<String> = command.split_whitespace().map(str::to_string).collect();
    let first = words.first()?;
    // Shell builtins and keywords need the shell.
    const BUILTINS: &[&str] = &[
        "cd", "export", "source", ".", "exit", "set", "unset", "alias", "if", "for", "while", "exec", "eval", "ulimit",
        "umask", "read", "trap", "wait", "shift",
    ];
    if BUILTINS.contains(&first.as_str()) {
        return None;
    }
    Some(words)
}

impl Tool for Shell {
    fn call(&self, request: Request) -> BoxFuture<'_, Outcome> {
        Box::pin(run(request))
    }
}

async fn run(mut request: Request) -> Outcome {
    let command = request.required("command")?.to_string();
    let mut cmd = match direct_argv(&command) {
        Some(argv) => {
            let mut cmd = Command::new(&argv[0]);
            cmd.args(&argv[1..]);
            cmd
        }
        None => {
            let shell = request.str("shell").unwrap_or("sh").to_string();
            let mut cmd = Command::new(shell);
            cmd.arg("-c").arg(&command);
            cmd
        }
    };
    let dir = request.str("cwd").map(|dir| request.path_of(dir)).or_else(|| request.workdir.clone());
    if let Some(dir) = dir {
        // Said plainly: a missing directory would otherwise read as "can't start 'echo'".
        if !dir.is_dir() {
            return Err(Failure::new(format!("the working directory {} does not exist", dir.display())));
        }
        cmd.current_dir(dir);
    }
    if let Some(Value::Object(env)) = request.params.get("env") {
        for (key, value) in env {
            // No environment variable can hold NUL: drop it, as quoting does for arguments.
            let value = value.as_str().map_or_else(|| value.to_string(), str::to_string).replace('\0', "");
            cmd.env(key, value);
        }
    }
    let stdin_text = request.str("stdin").map(str::to_string);
    cmd.stdin(if stdin_text.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = cmd.spawn().map_err(|e| {
        let mut failure = Failure::new(format!("can't start `{command}`: {e}"));
        failure.exit_code = Some(127);
        failure
    })?;
    let pgid = child.id().map(|id| id as i32);
    let _guard = GroupGuard(pgid);
    if let (Some(input), Some(mut stdin)) = (stdin_text, child.stdin.take()) {
        tokio::spawn(async move {
            let _ = stdin.write_all(input.as_bytes()).await;
        });
    }
    let verbose = request.verbose.clone();
    let stdout = tokio::spawn(collect(child.stdout.take(), verbose.clone(), "stdout"));
    let stderr = tokio::spawn(collect(child.stderr.take(), verbose, "stderr"));
    let sleep = async {
        match request.deadline {
            Some(deadline) => tokio::time::sleep_until(deadline.into()).await,
            None => std::future::pending().await,
        }
    };
    let mut interrupted = None;
    let status = tokio::select! {
        status = child.wait() => Some(status),
        () = sleep => { interrupted = Some(false); None }
        _ = request.cancel.wait_for(|c| *c) => { interrupted = Some(true); None }
    };
    if status.is_none() {
        kill_group(pgid);
        let _ = child.wait().await;
    }
    let stdout = stdout.await.unwrap_or_default();
    let stderr = stderr.await.unwrap_or_default();
    let mut fields = Map::new();
    fields.insert("output".into(), text(stdout.trim_end_matches(['\n', '\r'])));
    fields.insert("stdout".into(), text(stdout.clone()));
    fields.insert("stderr".into(), text(stderr.clone()));
    let json = serde_json::from_str::<Value>(stdout.trim()).ok().filter(|v| v.is_object() || v.is_array());
    fields.insert("json".into(), json.unwrap_or(Value::Null));
    match (status, interrupted) {
        (Some(Ok(status)), _) => {
            let code = status.code().unwrap_or(128 + status_signal(&status));
            fields.insert("exit_code".into(), Value::from(code));
            if status.success() {
                Ok(fields)
            } else {
                let first = stderr.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                let message = if first.is_empty() {
                    format!("exited with code {code}")
                } else {
                    format!("exited with code {code}: {}", first.trim())
                };
                Err(Failure { message, exit_code: Some(code), fields, ..Failure::default() })
            }
        }
        (Some(Err(e)), _) => {
            Err(Failure { message: format!("waiting for the command failed: {e}"), fields, ..Failure::default() })
        }
        (None, Some(true)) => {
            Err(Failure { message: "cancelled".into(), fields, cancelled: true, ..Failure::default() })
        }
        (None, _) => {
            let limit = request.deadline.map(|d| d.saturating_duration_since(Instant::now()));
            let _ = limit;
            Err(Failure { message: "timed out".into(), kind: Some(ErrorKind::Timeout), fields, ..Failure::default() })
        }
    }
}

fn status_signal(status: &std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.signal().unwrap_or(0)
}

async fn collect<R: AsyncRead + Unpin>(
    stream: Option<R>,
    verbose: Option<super::LineSink>,
    name: &'static str,
) -> String {
    let Some(stream) = stream else { return String::new() };
    let mut reader = BufReader::new(stream);
    let mut all = Vec::new();
    let mut line = Vec::new();
    loop {
        line.clear();
        match reader.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => break,
            Ok(_) => {
                if let Some(sink) = &verbose {
                    let text = String::from_utf8_lossy(&line).trim_end_matches(['\n', '\r']).to_string();
                    sink(name, &text);
                }
                all.extend_from_slice(&line);
            }
        }
    }
    String::from_utf8_lossy(&all).into_owned()
}

/// Kills the process group: SIGTERM, then SIGKILL for whatever is left.
fn kill_group(pgid: Option<i32>) {
    let Some(pgid) = pgid.filter(|p| *p > 0) else { return };
    // SAFETY: signalling a process group we created; a stale id only yields ESRCH.
    unsafe {
        libc::killpg(pgid, libc::SIGTERM);
    }
    std::thread::sleep(std::time::Duration::from_millis(100));
    // SAFETY: as above.
    unsafe {
        libc::killpg(pgid, libc::SIGKILL);
    }
}

/// Kills the group when the step's future is dropped (the run aborted or timed out around it),
/// so no grandchild outlives its step.
struct GroupGuard(Option<i32>);

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if let Some(pgid) = self.0.filter(|p| *p > 0) {
            // SAFETY: as in kill_group; after a normal exit the group is empty and this is a no-op.
            unsafe {
                libc::killpg(pgid, libc::SIGKILL);
            }
        }
    }
}
