//! Pruning the step logs under `logs/` (design.md §4): a run's folder goes once it is older than
//! `logs.max_age`, and the oldest go while all of them together are larger than
//! `logs.max_total`. It runs once per executor, on a thread of its own, so a large logs folder
//! never delays a run.

use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// One run's folder of logs.
struct RunLogs {
    path: PathBuf,
    modified: SystemTime,
    bytes: u64,
}

/// Starts pruning `root` in the background.
pub fn prune_in_background(root: PathBuf, max_age: Duration, max_total: u64) {
    let _ = std::thread::Builder::new().name("alpha-log-prune".into()).spawn(move || {
        prune(&root, max_age, max_total, SystemTime::now());
    });
}

/// Deletes what is too old, then the oldest while the rest is too large; returns what it
/// deleted.
pub fn prune(root: &Path, max_age: Duration, max_total: u64, now: SystemTime) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(root) else { return Vec::new() };
    let mut runs: Vec<RunLogs> = entries.flatten().filter(|e| e.path().is_dir()).map(|e| measure(e.path())).collect();
    runs.sort_by_key(|run| run.modified);
    let mut total: u64 = runs.iter().map(|run| run.bytes).sum();
    let mut deleted = Vec::new();
    for run in runs {
        let too_old = now.duration_since(run.modified).is_ok_and(|age| age > max_age);
        if !too_old && total <= max_total {
            break;
        }
        if std::fs::remove_dir_all(&run.path).is_ok() {
            total = total.saturating_sub(run.bytes);
            deleted.push(run.path);
        }
    }
    deleted
}

/// A run folder's size and its newest file's time.
fn measure(path: PathBuf) -> RunLogs {
    let mut modified = std::fs::metadata(&path).and_then(|m| m.modified()).unwrap_or(SystemTime::UNIX_EPOCH);
    let mut bytes = 0;
    if let Ok(files) = std::fs::read_dir(&path) {
        for metadata in files.flatten().filter_map(|f| f.metadata().ok()) {
            bytes += metadata.len();
            if let Ok(time) = metadata.modified() {
                modified = modified.max(time);
            }
        }
    }
    RunLogs { path, modified, bytes }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run_folder(root: &Path, name: &str, bytes: usize, age: Duration) -> PathBuf {
        let dir = root.join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("step.1.log");
        std::fs::write(&file, vec![b'x'; bytes]).unwrap();
        let when = SystemTime::now() - age;
        std::fs::File::options().write(true).open(&file).unwrap().set_modified(when).unwrap();
        std::fs::File::open(&dir).unwrap().set_modified(when).unwrap();
        dir
    }

    #[test]
    fn deletes_what_is_too_old_then_the_oldest_until_the_rest_fits() {
        let root = tempfile::tempdir().unwrap();
        let day = Duration::from_secs(86_400);
        let ancient = run_folder(root.path(), "ancient", 10, day * 40);
        let old = run_folder(root.path(), "old", 600, day * 3);
        let recent = run_folder(root.path(), "recent", 600, day);
        let today = run_folder(root.path(), "today", 100, Duration::ZERO);
        let deleted = prune(root.path(), day * 30, 1000, SystemTime::now());
        assert_eq!(deleted, vec![ancient.clone(), old.clone()]);
        assert!(!ancient.exists() && !old.exists());
        assert!(recent.exists() && today.exists());
        assert!(prune(root.path(), day * 30, 1000, SystemTime::now()).is_empty(), "what fits stays");
    }
}
