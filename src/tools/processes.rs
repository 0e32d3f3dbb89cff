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

/// The watchdog: an `awk` in a process group of its own (so Ctrl-C and a closed terminal don't
/// reach it) that keeps the set of live step groups from alpha's lines on its stdin; when the
/// pipe closes (alpha exited, however it died) it kills whatever groups are left. One small
/// process per alpha process, started with the first step; spawning steps stays on the fast
/// path (no code runs between fork and exec).
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
    let mut child = std::process::Command::new("awk")
        .arg(WATCHDOG_SCRIPT)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .process_group(0)
        .spawn()
        .ok()?;
    let stdin = child.stdin.take();
    // Reaped by nobody on purpose: it outlives alpha by design and init adopts it.
    std::mem::forget(child);
    stdin
}
