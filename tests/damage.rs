//! Damaged surroundings: a truncated or scribbled-over database, a full disk and an unreadable or
//! invalid config each give a clear error, never a panic, and lose nothing saved before.

use std::path::Path;
use std::process::Command;

use crate::common::{Sandbox, stderr, stdout};

/// A library with `count` workflows, each run once.
fn library(sandbox: &Sandbox, count: usize) {
    for i in 1..=count {
        sandbox.save(
            "w.yaml",
            &format!("name: W{i}\ndescription: {}\nsteps:\n  - {{ id: a, tool: shell, action: run, parameters: {{ command: \"echo {i}\" }} }}\n", "d".repeat(400)),
        );
        assert!(sandbox.run(&["workflow", "run", &format!("W{i}")]).status.success());
    }
}

fn digest(path: &Path) -> Vec<u8> {
    std::fs::read(path).unwrap()
}

/// Every everyday command fails with the damaged-file message and leaves the file as it was.
fn assert_refused_untouched(sandbox: &Sandbox) {
    let before = digest(&sandbox.db());
    let file = sandbox.write(
        "new.yaml",
        "name: New\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: \"true\" } }\n",
    );
    for args in [
        vec!["workflow", "list"],
        vec!["workflow", "show", "W3"],
        vec!["workflow", "history"],
        vec!["workflow", "run", "W1"],
        vec!["workflow", "create", "--file", file.to_str().unwrap()],
        vec!["scheduler", "status"],
    ] {
        let out = sandbox.run(&args);
        let err = stderr(&out);
        assert_eq!(
            out.status.code(),
            Some(3),
            "{args:?}: a damaged database is a storage error: {err}{}",
            stdout(&out)
        );
        assert!(err.contains("is damaged") && err.contains("alpha leaves it untouched"), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    assert!(digest(&sandbox.db()) == before, "a damaged database must not be written to");
}

#[test]
fn a_truncated_database_is_refused_with_a_clear_error_and_left_untouched() {
    let sandbox = Sandbox::new();
    library(&sandbox, 40);
    let bytes = digest(&sandbox.db());
    assert!(bytes.len() > 100_000, "{}", bytes.len());
    std::fs::write(sandbox.db(), &bytes[..bytes.len() / 2]).unwrap();
    assert_refused_untouched(&sandbox);
}

#[test]
fn a_database_with_scribbled_pages_is_refused_with_a_clear_error_and_left_untouched() {
    let sandbox = Sandbox::new();
    library(&sandbox, 40);
    let mut bytes = digest(&sandbox.db());
    // Keep page 1 (the header and the start of the schema); scribble over everything after it.
    for (i, byte) in bytes.iter_mut().enumerate().skip(4096) {
        *byte = (i * 7 % 251) as u8;
    }
    std::fs::write(sandbox.db(), &bytes).unwrap();
    assert_refused_untouched(&sandbox);
}

#[test]
#[ignore = "needs root to mount a tmpfs (unshare -m)"]
fn a_full_disk_gives_a_clear_error_and_keeps_what_was_saved() {
    let sandbox = Sandbox::new();
    library(&sandbox, 20);
    // A private mount namespace with a 1 MB tmpfs: the library is copied in, the disk filled up.
    let script = r#"
        set -u
        mkdir -p full
        mount -t tmpfs -o size=1M tmpfs full 2>/dev/null || exit 90
        cp home/alpha.db full/alpha.db
        export ALPHA_HOME="$PWD/full"
        printf 'name: Fill\nsteps:\n  - { id: fill, tool: shell, action: run, parameters: { command: "dd if=/dev/zero of=full/filler bs=4k" }, on_error: log_and_continue }\n  - { id: talk, tool: shell, action: run, parameters: { command: "head -c 100000 /dev/zero" } }\n' > fill.yaml
        "$ALPHA" workflow run fill.yaml > run-during.out 2> run-during.err; echo $? > run-during.code
        { printf 'name: Big\ndescription: '; head -c 200000 /dev/zero | tr '\0' d; printf '\nsteps:\n  - { id: a, tool: shell, action: run, parameters: { command: "true" } }\n'; } > big.yaml
        "$ALPHA" workflow create --file big.yaml > create-full.out 2> create-full.err; echo $? > create-full.code
        "$ALPHA" workflow run W2 > run-full.out 2> run-full.err; echo $? > run-full.code
        rm full/filler
        "$ALPHA" workflow list > list-after.out 2>&1; echo $? > list-after.code
        "$ALPHA" workflow history --limit 100 > history-after.out 2>&1
        cp full/alpha.db after.db
    "#;
    let status = Command::new("unshare")
        .args(["-m", "sh", "-c", script])
        .current_dir(sandbox.path())
        .env("ALPHA", env!("CARGO_BIN_EXE_alpha"))
        .env("HOME", sandbox.path())
        .env("NO_COLOR", "1")
        .status();
    let usable = status.as_ref().is_ok_and(|s| s.code() != Some(90));
    if !usable {
        panic!("this test needs root to mount a small tmpfs in a private mount namespace (unshare -m): {status:?}");
    }
    let read = |name: &str| std::fs::read_to_string(sandbox.path().join(name)).unwrap_or_default();
    for name in ["run-during", "create-full", "run-full"] {
        assert_eq!(
            read(&format!("{name}.code")).trim(),
            "3",
            "{name}: {}{}",
            read(&format!("{name}.out")),
            read(&format!("{name}.err"))
        );
        let err = read(&format!("{name}.err"));
        assert!(err.contains("full"), "{name} says the disk is full: {err}");
        assert!(!err.contains("panicked"), "{name}: {err}");
    }
    assert_eq!(read("list-after.code").trim(), "0", "{}", read("list-after.out"));
    let list = read("list-after.out");
    for i in 1..=20 {
        assert!(list.contains(&format!(" W{i} (v1.0.0)")), "W{i} survived: {list}");
    }
    let history = read("history-after.out");
    assert!(history.contains("Fill interrupted"), "the run cut short by the full disk is marked: {history}");
    let conn = rusqlite::Connection::open(sandbox.path().join("after.db")).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let runs: i64 = conn
        .query_row("SELECT COUNT(*) FROM workflow_executions WHERE status = 'completed'", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 20, "every earlier run is still recorded");
}

#[test]
fn an_unreadable_or_invalid_config_names_the_file_and_harms_nothing() {
    let sandbox = Sandbox::new();
    library(&sandbox, 2);
    let config = sandbox.path().join("home/config.yaml");
    std::fs::create_dir_all(&config).unwrap(); // a directory where the file should be: unreadable even for root
    let out = sandbox.alpha().write_stdin("what is the weather like\n").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "any problem with the config is a configuration (usage) error");
    assert!(stderr(&out).contains(&format!("can't read the config {}", config.display())), "{}", stderr(&out));

    std::fs::remove_dir(&config).unwrap();
    std::fs::write(&config, "llm:\n  base_url: [unclosed\n").unwrap();
    let out = sandbox.alpha().write_stdin("what is the weather like\n").output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an invalid config is a usage error");
    let err = stderr(&out);
    assert!(err.contains(&format!("invalid config {}: line 2 column", config.display())), "{err}");
    assert!(!err.contains("panicked"), "{err}");

    let step = sandbox
        .write("ask.yaml", "name: Ask\nsteps:\n  - { id: a, tool: llm, action: chat, parameters: { prompt: hi } }\n");
    let out = sandbox.run(&["workflow", "run", step.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(stdout(&out).contains("invalid config"), "{}", stdout(&out));

    let list = stdout(&sandbox.run(&["workflow", "list"]));
    assert!(list.contains("W1 (v1.0.0)") && list.contains("W2 (v1.0.0)"), "{list}");
}
