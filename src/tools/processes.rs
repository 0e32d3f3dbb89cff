//! The processes steps start, and how they are stopped (design.md §4): a step's process group
//! is killed when it times out or is cancelled; background processes it leaves behind (a server
//! started for the next step) live until the run ends and are then stopped with their groups,
//! as GitHub Actions cleans up a job's orphans. A watchdog process stops them if alpha itself
//! dies (even by SIGKILL), and every step process carries its run's id in `ALPHA_RUN_ID`, so the
//! next start can find and stop what an abandoned run left.

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};
use std::time::Duration;

pub use crate::process::RUN_ID_VAR;

/// How long a stopped group gets between SIGTERM and SIGKILL.
const TERM_GRACE: Duration = Duration::from_millis(200);

/// Process groups a run keeps until it ends.
#[derive(Clone, Default)]
pub struct Groups(Arc<Mutex<Vec<i32>>>);

impl Groups {
    /// Keeps `pgid`, whose leader exited but whose other members still run.
    pub fn keep(&self, pgid: i32) {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(pgid);
    }

    /// Stops every kept group: the run is over.
    pub async fn stop_all(&self) {
        let groups = std::mem::take(&mut *self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        stop(&groups).await;
    }
}

/// Kills a process group: SIGTERM, then SIGKILL for whatever is left after a short grace.
pub async fn kill_group(pgid: i32) {
    stop(&[pgid]).await;
}

/// SIGTERM to every group, a short grace while any is left, then SIGKILL; the watchdog forgets them.
async fn stop(groups: &[i32]) {
    if groups.is_empty() {
        return;
    }
    for pgid in groups {
        signal_group(*pgid, libc::SIGTERM);
    }
    let deadline = tokio::time::Instant::now() + TERM_GRACE;
    while groups.iter().any(|g| group_alive(*g)) && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    for pgid in groups {
        signal_group(*pgid, libc::SIGKILL);
        release(*pgid);
    }
}

/// Sends `signal` to the group `pgid`.
pub fn signal_group(pgid: i32, signal: i32) {
    if pgid > 0 {
        // SAFETY: signalling a process group alpha created; a gone group only yields ESRCH.
        unsafe {
            libc::killpg(pgid, signal);
        }
    }
}

/// Whether any process of group `pgid` is still there (zombies included until reaped).
pub fn group_alive(pgid: i32) -> bool {
    // SAFETY: signal 0 only checks for existence.
    pgid > 0 && unsafe { libc::killpg(pgid, 0) } == 0
}

/// Tells the watchdog about a new step group, so it is stopped if alpha dies.
pub fn watch(pgid: i32) {
    tell(&format!("+{pgid}\n"));
}

/// The group is gone or stopped: the watchdog forgets it.
pub fn release(pgid: i32) {
    tell(&format!("-{pgid}\n"));
}

/// Tells the watchdog a run has started, before its first step: a step spawned a moment before
/// alpha was killed may not have been [`watch`]ed yet, but it carries the run's id, so the
/// watchdog finds it by that.
pub fn watch_run(run_id: &str) {
    tell(&format!("R{run_id}\n"));
}

/// The run has ended (its leftovers stopped): the watchdog forgets it.
pub fn release_run(run_id: &str) {
    tell(&format!("r{run_id}\n"));
}

/// The watchdog: a process in a group of its own (so Ctrl-C and a closed terminal don't reach
/// it) that keeps the set of live step groups from alpha's lines on its stdin; when the pipe
/// closes (alpha exited, however it died) it kills whatever groups are left. One small process
/// per alpha process, started with the first step.
///
/// It reads the pipe every [`WATCHDOG_PERIOD`] instead of waiting on it: a reader blocked on a
/// pipe is woken by every line, and that wake-up cost each step more than make spends between
/// two commands. In the `alpha` binary the watchdog is alpha itself ([`serve_watchdog`]); in
/// another program linking the library, an `awk` that reads line by line.
fn tell(line: &str) {
    static WATCHDOG: OnceLock<Mutex<Option<std::process::ChildStdin>>> = OnceLock::new();
    let slot = WATCHDOG.get_or_init(|| Mutex::new(start_watchdog()));
    let mut slot = slot.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(pipe) = slot.as_mut()
        && pipe.write_all(line.as_bytes()).is_err()
    {
        *slot = None;
    }
}

/// The argument that makes the `alpha` binary the watchdog.
const WATCHDOG_ARG: &str = "__alpha-watchdog";

/// How often the watchdog looks at its pipe; also how long orphans may outlive a killed alpha.
const WATCHDOG_PERIOD: Duration = Duration::from_millis(200);

/// Whether this process is the `alpha` binary, which can run its own watchdog.
static SELF_WATCHDOG: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// For the `alpha` binary's `main`: serves as the watchdog and returns its exit code when
/// started as one; otherwise notes that later watchdogs can be this binary, and returns `None`.
pub fn serve_watchdog() -> Option<i32> {
    if std::env::args_os().nth(1).is_none_or(|arg| arg != WATCHDOG_ARG) {
        SELF_WATCHDOG.store(true, std::sync::atomic::Ordering::Relaxed);
        return None;
    }
    // SAFETY: ignoring signals and setting a flag on stdin, at the start of a single thread.
    unsafe {
        libc::signal(libc::SIGINT, libc::SIG_IGN);
        libc::signal(libc::SIGHUP, libc::SIG_IGN);
        let flags = libc::fcntl(0, libc::F_GETFL);
        libc::fcntl(0, libc::F_SETFL, flags | libc::O_NONBLOCK);
    }
    let mut live = std::collections::BTreeSet::new();
    let mut runs = std::collections::BTreeSet::new();
    let mut pending = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        std::thread::sleep(WATCHDOG_PERIOD);
        loop {
            // SAFETY: reading into a buffer of the given length.
            let read = unsafe { libc::read(0, buffer.as_mut_ptr().cast(), buffer.len()) };
            if read > 0 {
                pending.extend_from_slice(&buffer[..read as usize]);
                note_lines(&mut pending, &mut live, &mut runs);
                continue;
            }
            let again = read < 0 && std::io::Error::last_os_error().kind() == std::io::ErrorKind::WouldBlock;
            if again {
                break;
            }
            // The pipe closed: alpha is gone.
            let groups: Vec<i32> = live.into_iter().collect();
            stop_blocking(&groups);
            // A step spawned just before alpha died, not watched yet, is found by its run's id.
            crate::process::stop_abandoned(&runs.into_iter().collect::<Vec<_>>());
            return Some(0);
        }
    }
}

/// Applies the complete `+pgid` / `-pgid` (groups) and `Rid` / `rid` (runs) lines at the
/// front of `pending` to `live` and `runs`.
fn note_lines(
    pending: &mut Vec<u8>,
    live: &mut std::collections::BTreeSet<i32>,
    runs: &mut std::collections::BTreeSet<String>,
) {
    let Some(end) = pending.iter().rposition(|b| *b == b'\n') else { return };
    for line in String::from_utf8_lossy(&pending[..end]).lines() {
        let (sign, rest) = line.split_at(line.len().min(1));
        match (sign, rest.parse::<i32>()) {
            ("+", Ok(pgid)) => live.insert(pgid),
            ("-", Ok(pgid)) => live.remove(&pgid),
            ("R", _) if !rest.is_empty() => runs.insert(rest.to_string()),
            ("r", _) => runs.remove(rest),
            _ => false,
        };
    }
    pending.drain(..=end);
}

/// [`stop`] for a process with no runtime: SIGTERM, a grace while any is left, SIGKILL.
fn stop_blocking(groups: &[i32]) {
    for pgid in groups {
        signal_group(*pgid, libc::SIGTERM);
    }
    let deadline = std::time::Instant::now() + TERM_GRACE;
    while groups.iter().any(|g| group_alive(*g)) && std::time::Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    for pgid in groups {
        signal_group(*pgid, libc::SIGKILL);
    }
}

const WATCHDOG_SCRIPT: &str = r#"
/^\+/ { live[substr($0, 2)] = 1; next }
/^-/ { delete live[substr($0, 2)]; next }
END {
  n = 0
  for (g in live) { system("kill -TERM -" g " 2>/dev/null"); n++ }
  if (n) { system("sleep 0.2"); for (g in live) system("kill -KILL -" g " 2>/dev/null") }
}
"#;

fn start_watchdog() -> Option<std::process::ChildStdin> {
    use std::os::unix::process::CommandExt;
    let spawn = |mut command: std::process::Command| {
        command
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .process_group(0)
            .spawn()
            .ok()
    };
    let itself = SELF_WATCHDOG.load(std::sync::atomic::Ordering::Relaxed).then(std::env::current_exe);
    let mut child = match itself {
        // An alpha upgraded while it runs has no file to start: the awk takes over.
        Some(Ok(binary)) => spawn({
            let mut command = std::process::Command::new(binary);
            command.arg(WATCHDOG_ARG);
            command
        }),
        _ => None,
    }
    .or_else(|| {
        let mut command = std::process::Command::new("awk");
        command.arg(WATCHDOG_SCRIPT);
        spawn(command)
    })?;
    let stdin = child.stdin.take();
    if let Some(pipe) = &stdin {
        use std::os::fd::AsRawFd;
        // Room for many thousands of lines between two of the watchdog's reads (Linux).
        // SAFETY: resizing a pipe alpha owns; a refusal leaves the default size.
        unsafe {
            libc::fcntl(pipe.as_raw_fd(), libc::F_SETPIPE_SZ, 1 << 20);
        }
    }
    // Reaped by nobody on purpose: it outlives alpha by design and init adopts it.
    std::mem::forget(child);
    stdin
}
