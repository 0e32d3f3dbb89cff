//! Facts about operating-system processes that the store and the tools both need.

/// Environment variable every step process carries: the id of the run that started it.
pub const RUN_ID_VAR: &str = "ALPHA_RUN_ID";

/// The run id this process put in its own environment at startup (see [`reserve_run_id`]).
static RESERVED: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// Whether the reserved id was taken by a run.
static RESERVED_TAKEN: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Chooses the id of the run this process is about to start and puts it in alpha's own
/// environment as [`RUN_ID_VAR`], so the run's steps inherit it. A step that sets no variable
/// of its own is then spawned with alpha's environment as it is; setting one per step makes
/// the standard library copy and sort the whole environment for every spawn (a quarter of a
/// no-op step's instructions).
///
/// # Safety
/// Changes the environment: call it while the process has a single thread.
pub unsafe fn reserve_run_id() {
    let id = uuid::Uuid::new_v4().to_string();
    // SAFETY: the caller guarantees no other thread reads or writes the environment.
    unsafe { std::env::set_var(RUN_ID_VAR, &id) };
    let _ = RESERVED.set(id);
}

/// The reserved run id, once: the first run this process starts takes it.
pub fn take_reserved_run_id() -> Option<String> {
    let id = RESERVED.get()?;
    (!RESERVED_TAKEN.swap(true, std::sync::atomic::Ordering::SeqCst)).then(|| id.clone())
}

/// Whether a process spawned with alpha's own environment already carries `run_id`.
pub fn environment_carries(run_id: &str) -> bool {
    RESERVED.get().is_some_and(|id| id == run_id)
}

/// Stops every process that carries one of `run_ids` in [`RUN_ID_VAR`]: what runs abandoned by
/// a killed alpha left behind. Returns how many processes were signalled.
pub fn stop_abandoned(run_ids: &[String]) -> usize {
    if run_ids.is_empty() {
        return 0;
    }
    let Ok(entries) = std::fs::read_dir("/proc") else { return 0 };
    let mut groups = Vec::new();
    for entry in entries.flatten() {
        let Some(pid) = entry.file_name().to_str().and_then(|n| n.parse::<i32>().ok()) else { continue };
        // The caller may carry one of the ids itself (the watchdog inherits alpha's environment).
        if pid == std::process::id() as i32 {
            continue;
        }
        let Ok(environ) = std::fs::read(entry.path().join("environ")) else { continue };
        let belongs = environ.split(|b| *b == 0).any(|pair| {
            pair.strip_prefix(RUN_ID_VAR.as_bytes())
                .and_then(|rest| rest.strip_prefix(b"="))
                .is_some_and(|id| run_ids.iter().any(|r| r.as_bytes() == id))
        });
        if belongs {
            // SAFETY: getpgid only reads.
            let pgid = unsafe { libc::getpgid(pid) };
            // SAFETY: as above.
            if pgid == unsafe { libc::getpgid(0) } {
                continue;
            }
            groups.push(if pgid > 1 { pgid } else { -pid });
        }
    }
    for group in &groups {
        if *group > 0 {
            // SAFETY: a process group that carries an abandoned run's id.
            unsafe {
                libc::killpg(*group, libc::SIGKILL);
            }
        } else {
            // SAFETY: a single process that carries an abandoned run's id.
            unsafe {
                libc::kill(-*group, libc::SIGKILL);
            }
        }
    }
    groups.len()
}

/// When process `pid` started, in clock ticks since boot (field 22 of `/proc/PID/stat`): with
/// the pid, it tells a live run's process from a new one that reused its pid.
pub fn start_time(pid: u32) -> Option<u64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name (field 2) may hold spaces and parentheses; fields after it don't.
    let after = &stat[stat.rfind(')')? + 2..];
    after.split(' ').nth(19)?.parse().ok()
}
