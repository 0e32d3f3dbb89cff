//! A small builder that runs the real `alpha` binary in a temp dir with its own data dir.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// A sandbox: a temp dir used as working directory, HOME and ALPHA_HOME.
pub struct Sandbox {
    pub dir: TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox { dir: tempfile::tempdir().expect("temp dir") }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn db(&self) -> PathBuf {
        self.path().join("home/alpha.db")
    }

    /// Writes a file relative to the sandbox and returns its path.
    pub fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.path().join(name);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
        path
    }

    /// A command for the real binary with a clean environment pointing into the sandbox.
    pub fn alpha(&self) -> Command {
        Command::from_std(self.command())
    }

    /// The same as a plain `std::process::Command`, for spawning, pipes and pty sessions.
    pub fn command(&self) -> std::process::Command {
        self.command_for(env!("CARGO_BIN_EXE_alpha"))
    }

    /// Another program (`sh` wrapping alpha, say) with the same environment as [`Self::command`].
    pub fn command_for(&self, program: &str) -> std::process::Command {
        let mut cmd = std::process::Command::new(program);
        cmd.current_dir(self.path())
            .env_remove("ALPHA_DB")
            .env_remove("ALPHA_LLM_BASE_URL")
            .env_remove("ALPHA_LLM_MODEL")
            .env_remove("ALPHA_LLM_API_KEY")
            // The shell histories read are the sandbox's own.
            .env_remove("HISTFILE")
            .env_remove("ZDOTDIR")
            .env_remove("ATUIN_DB_PATH")
            .env_remove("ALPHA_HISTORY")
            .env("ALPHA_HOME", self.path().join("home"))
            .env("HOME", self.path())
            .env("XDG_DATA_HOME", self.path().join(".local/share"))
            .env("XDG_CONFIG_HOME", self.path().join(".config"))
            .env("NO_COLOR", "1");
        cmd
    }

    /// Writes `yaml` to `file` and saves it into the library, which must succeed.
    pub fn save(&self, file: &str, yaml: &str) {
        let path = self.write(file, yaml);
        let out = self.run(&["workflow", "create", "--file", path.to_str().expect("utf-8 path")]);
        assert!(out.status.success(), "saving {file}: {}", stderr(&out));
    }

    /// Runs alpha with `args` and returns the output.
    pub fn run(&self, args: &[&str]) -> Output {
        self.alpha().args(args).output().expect("run alpha")
    }
}

/// Stdout of an output, as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Stderr of an output, as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The real local model serves one request at a time: its tests take turns.
pub static REAL_MODEL: std::sync::Mutex<()> = std::sync::Mutex::new(());

/// The real local model's URL (`.ci/run` starts it and sets `ALPHA_TEST_LLM_URL`), holding the
/// turn for as long as the returned guard lives. Tests that need it are `#[ignore = "needs the
/// local model …"]`, so one that runs without it fails instead of passing silently.
pub fn real_model() -> (String, std::sync::MutexGuard<'static, ()>) {
    match std::env::var("ALPHA_TEST_LLM_URL") {
        Ok(url) if !url.is_empty() => (url, REAL_MODEL.lock().unwrap_or_else(std::sync::PoisonError::into_inner)),
        _ => {
            panic!("this test needs the local model: start scripts/local-llm and set ALPHA_TEST_LLM_URL (.ci/run does)")
        }
    }
}

/// Polls `done` every 20 ms until it holds or `limit` passes; true when it held. Tests wait for
/// what they need instead of sleeping a fixed time.
pub fn eventually(limit: std::time::Duration, mut done: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    loop {
        if done() {
            return true;
        }
        if start.elapsed() > limit {
            return false;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}
