//! `shell run`: runs a command in its own process group, captures stdout and stderr, and kills
//! the whole group on timeout or cancellation. A command with no shell syntax is executed
//! directly, without an intermediate shell.

use std::process::Stdio;

use futures_util::future::BoxFuture;
use serde_json::{Map, Value};
use tokio::io::AsyncWriteExt;
use tokio::process::Command;

use super::{Failure, Outcome, Request, Tool, capture, processes, text};
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
        // Setting a directory makes the standard library fork instead of posix_spawn, which
        // costs a copy of alpha's page tables per step: only set it when it is another one.
        if !is_current_dir(&dir) {
            cmd.current_dir(dir);
        }
    }
    if let Some(Value::Object(env)) = request.params.get("env") {
        for (key, value) in env {
            // No environment variable can hold NUL: drop it, as quoting does for arguments.
            let value = value.as_str().map_or_else(|| value.to_string(), str::to_string).replace('\0', "");
            cmd.env(key, value);
        }
    }
    let stdin_text = request.str("stdin").map(str::to_string);
    if !crate::process::environment_carries(&request.run_id) {
        cmd.env(super::processes::RUN_ID_VAR, &request.run_id);
    }
    cmd.stdin(if stdin_text.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let mut child = cmd.spawn().map_err(|e| spawn_failure(&command, &e))?;
    let pgid = child.id().map_or(0, |id| id as i32);
    processes::watch(pgid);
    let mut guard = GroupGuard(pgid);
    if let (Some(input), Some(mut stdin)) = (stdin_text, child.stdin.take()) {
        tokio::spawn(async move {
            let _ = stdin.write_all(input.as_bytes()).await;
        });
    }
    let (stop_reading, stop) = tokio::sync::watch::channel(false);
    let stdout = capture::spawn_drain(child.stdout.take(), request.stream("stdout"), stop.clone());
    let stderr = capture::spawn_drain(child.stderr.take(), request.stream("stderr"), stop);
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
        processes::kill_group(pgid).await;
        let _ = child.wait().await;
    }
    // The step is over when its main process is: its output is read for a short grace period,
    // not until every background process it started closes the pipe.
    let outputs = async { (stdout.await.unwrap_or_default(), stderr.await.unwrap_or_default()) };
    tokio::pin!(outputs);
    let (stdout, stderr) = match tokio::time::timeout(DRAIN_GRACE, &mut outputs).await {
        Ok(both) => both,
        Err(_) => {
            let _ = stop_reading.send(true);
            outputs.await
        }
    };
    if processes::group_alive(pgid) {
        // Background processes live until the run ends (a server for the next step).
        request.groups.keep(pgid);
    } else {
        processes::release(pgid);
    }
    guard.disarm();
    let mut fields = Map::new();
    fields.insert("output".into(), text(stdout.text.trim_end_matches(['\n', '\r'])));
    stdout.insert_into(&mut fields, "stdout");
    stderr.insert_into(&mut fields, "stderr");
    let json = if stdout.truncated {
        None
    } else {
        serde_json::from_str::<Value>(stdout.text.trim()).ok().filter(|v| v.is_object() || v.is_array())
    };
    fields.insert("json".into(), json.unwrap_or(Value::Null));
    if let Some(log) = request.log_path() {
        fields.insert("log".into(), text(log));
    }
    let stderr = stderr.text;
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
            Err(Failure { message: "timed out".into(), kind: Some(ErrorKind::Timeout), fields, ..Failure::default() })
        }
    }
}

/// How long a step's output is still read after its main process exits.
const DRAIN_GRACE: std::time::Duration = std::time::Duration::from_millis(300);

/// Why a command could not start, said so a person knows what to change: the system refusing
/// another process or file descriptor is named as such, not as a missing program.
fn spawn_failure(command: &str, error: &std::io::Error) -> Failure {
    let short: String = command.chars().take(80).collect();
    let message = match error.raw_os_error() {
        Some(libc::EMFILE | libc::ENFILE) => format!(
            "can't start `{short}`: the system refused another open file ({error}); lower `max_parallel` or raise `ulimit -n`"
        ),
        Some(libc::EAGAIN | libc::ENOMEM) => format!(
            "can't start `{short}`: the system refused another process ({error}); lower `max_parallel` or raise `ulimit -u`"
        ),
        Some(libc::E2BIG) => format!("can't start `{short}`: its arguments and environment are too long ({error})"),
        _ => format!("can't start `{short}`: {error}"),
    };
    let mut failure = Failure::new(message);
    failure.exit_code = Some(127);
    failure
}

fn status_signal(status: &std::process::ExitStatus) -> i32 {
    use std::os::unix::process::ExitStatusExt;
    status.signal().unwrap_or(0)
}

/// Kills the group when the step's future is dropped (the run aborted or timed out around it),
/// so no grandchild outlives its step; disarmed once the step ended on its own.
struct GroupGuard(i32);

impl GroupGuard {
    fn disarm(&mut self) {
        self.0 = 0;
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        if self.0 > 0 {
            processes::signal_group(self.0, libc::SIGKILL);
            processes::release(self.0);
        }
    }
}

/// Whether `dir` is this process's working directory.
fn is_current_dir(dir: &std::path::Path) -> bool {
    static CURRENT: std::sync::OnceLock<Option<std::path::PathBuf>> = std::sync::OnceLock::new();
    let current = CURRENT.get_or_init(|| std::env::current_dir().ok().and_then(|d| d.canonicalize().ok()));
    current.as_deref().is_some_and(|current| dir == current || dir.canonicalize().is_ok_and(|d| d == current))
}
