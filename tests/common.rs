//! A small builder that runs the real `alpha` binary in a temp dir with its own data dir.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

use assert_cmd::Command;
use tempfile::TempDir;

/// A sandbox: a temp dir used as working directory, HOME and ALPHA_HOME, with its library in a
/// SQLite file there or in a database of its own on the test PostgreSQL server.
pub struct Sandbox {
    pub dir: TempDir,
    /// The PostgreSQL database, when the library is on the server.
    pub postgres: Option<PgDatabase>,
}

/// Where a test's library lives: the whole store suite runs on each.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Sandbox {
    pub fn new() -> Self {
        Sandbox { dir: tempfile::tempdir().expect("temp dir"), postgres: None }
    }

    /// A sandbox whose library is on `backend`.
    pub fn on(backend: Backend) -> Self {
        let mut sandbox = Sandbox::new();
        if backend == Backend::Postgres {
            sandbox.postgres = Some(PgDatabase::create());
        }
        sandbox
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// The library: the SQLite file, or the PostgreSQL URL (which `--db` and `Store::open` take
    /// as well).
    pub fn db(&self) -> PathBuf {
        match &self.postgres {
            Some(db) => PathBuf::from(&db.url),
            None => self.path().join("home/alpha.db"),
        }
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
        if let Some(db) = &self.postgres {
            cmd.env("ALPHA_DB", &db.url);
        }
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

/// The test PostgreSQL server's URL (`.ci/run` starts one and sets `ALPHA_TEST_POSTGRES_URL`).
/// Tests that need it are `#[ignore = "needs PostgreSQL …"]`, so one that runs without it fails
/// instead of passing silently.
pub fn postgres_url() -> String {
    match std::env::var("ALPHA_TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => url,
        _ => panic!(
            "this test needs PostgreSQL: start a server and set ALPHA_TEST_POSTGRES_URL to a URL whose user may \
             create databases (.ci/run does)"
        ),
    }
}

/// A database of its own on the test server, dropped with it.
pub struct PgDatabase {
    pub name: String,
    pub url: String,
}

impl PgDatabase {
    pub fn create() -> PgDatabase {
        let admin = postgres_url();
        let name = format!("alpha_test_{}", uuid_like());
        let mut client = postgres::Client::connect(&admin, postgres::NoTls).expect("connect to the test server");
        client.batch_execute(&format!("CREATE DATABASE {name}")).expect("create a test database");
        let url = match admin.rsplit_once('/') {
            Some((server, rest)) => {
                let query = rest.split_once('?').map(|(_, q)| format!("?{q}")).unwrap_or_default();
                format!("{server}/{name}{query}")
            }
            None => panic!("ALPHA_TEST_POSTGRES_URL needs a /database part"),
        };
        PgDatabase { name, url }
    }

    /// A direct connection, for what a test checks behind alpha's back.
    pub fn client(&self) -> postgres::Client {
        postgres::Client::connect(&self.url, postgres::NoTls).expect("connect to the test database")
    }
}

impl Drop for PgDatabase {
    fn drop(&mut self) {
        if let Ok(mut client) = postgres::Client::connect(&postgres_url(), postgres::NoTls) {
            let _ = client.batch_execute(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", self.name));
        }
    }
}

fn uuid_like() -> String {
    use std::sync::atomic::{AtomicU32, Ordering};
    static COUNTER: AtomicU32 = AtomicU32::new(0);
    let nanos =
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.subsec_nanos()).unwrap_or(0);
    format!("{}_{}_{}", std::process::id(), COUNTER.fetch_add(1, Ordering::Relaxed), nanos)
}

/// Runs a test body on SQLite and, marked as needing PostgreSQL, on the test server:
/// `on_both! { fn name(backend) { … } }` makes `name::sqlite` and `name::postgres`.
#[macro_export]
macro_rules! on_both {
    ($(#[$meta:meta])* fn $name:ident($backend:ident) $body:block $($rest:tt)*) => {
        $(#[$meta])*
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            fn body($backend: $crate::common::Backend) $body
            #[test]
            fn sqlite() {
                body($crate::common::Backend::Sqlite)
            }
            #[test]
            #[ignore = "needs PostgreSQL: set ALPHA_TEST_POSTGRES_URL (.ci/run starts a server)"]
            fn postgres() {
                body($crate::common::Backend::Postgres)
            }
        }
        $crate::on_both! { $($rest)* }
    };
    () => {};
}
