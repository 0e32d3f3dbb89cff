//! The built-in templates do their real jobs on local resources: a temp git repository with a
//! remote, temp folders, /proc, a CSV file and SQLite.

use std::process::Command;

use serde_json::Value;

use crate::common::{Sandbox, stderr, stdout};

fn use_template(sandbox: &Sandbox, template: &str, name: &str, params: &[&str]) {
    let mut args = vec!["template", "use", template, "--name", name];
    args.extend_from_slice(params);
    let out = sandbox.run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

fn run(sandbox: &Sandbox, name: &str, params: &[&str]) -> (i32, Value, String) {
    let mut args = vec!["workflow", "run", name, "--json"];
    args.extend_from_slice(params);
    let out = sandbox.run(&args);
    let events: Vec<Value> = stdout(&out).lines().filter_map(|l| serde_json::from_str(l).ok()).collect();
    let finished = events.iter().find(|e| e["event"] == "run_finished").cloned().unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), finished, stdout(&out) + &stderr(&out))
}

fn git(dir: &std::path::Path, args: &[&str]) {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .env("GIT_AUTHOR_NAME", "Ann")
        .env("GIT_AUTHOR_EMAIL", "ann@example.com")
        .env("GIT_COMMITTER_NAME", "Ann")
        .env("GIT_COMMITTER_EMAIL", "ann@example.com")
        .output()
        .unwrap();
    assert!(out.status.success(), "git {args:?}: {}", String::from_utf8_lossy(&out.stderr));
}

/// A repository with a bare remote and one commit, and a second commit pushed by "someone else".
fn repository(sandbox: &Sandbox) -> std::path::PathBuf {
    let remote = sandbox.path().join("remote.git");
    let work = sandbox.path().join("work");
    let other = sandbox.path().join("other");
    git(sandbox.path(), &["init", "-q", "--bare", "-b", "main", remote.to_str().unwrap()]);
    git(sandbox.path(), &["clone", "-q", remote.to_str().unwrap(), work.to_str().unwrap()]);
    std::fs::write(work.join("Makefile"), "test:\n\ttest -f feature.txt\nbuild:\n\ttouch built\n").unwrap();
    std::fs::write(work.join("deploy.sh"), "#!/bin/sh\necho \"deploying to $DEPLOY_ENV\" > deployed.txt\n").unwrap();
    git(&work, &["add", "."]);
    git(&work, &["-c", "core.fileMode=false", "commit", "-q", "-m", "first commit"]);
    Command::new("chmod").args(["+x", work.join("deploy.sh").to_str().unwrap()]).status().unwrap();
    git(&work, &["push", "-q", "origin", "HEAD:main"]);
    git(sandbox.path(), &["clone", "-q", remote.to_str().unwrap(), other.to_str().unwrap()]);
    std::fs::write(other.join("feature.txt"), "TODO: finish the feature\n").unwrap();
    git(&other, &["add", "."]);
    git(&other, &["commit", "-q", "-m", "add the feature"]);
    git(&other, &["push", "-q", "origin", "HEAD:main"]);
    git(&work, &["branch", "-q", "--set-upstream-to=origin/main"]);
    work
}

#[test]
fn every_template_validates_and_lists() {
    let sandbox = Sandbox::new();
    let out = stdout(&sandbox.run(&["template", "list"]));
    for name in [
        "Git Sync and Test",
        "Daily Standup Report",
        "Backup Files",
        "Monitor and Alert",
        "Deploy Pipeline",
        "Email Digest",
        "Data Processing Pipeline",
    ] {
        assert!(out.contains(name), "{name}: {out}");
    }
    let shown = stdout(&sandbox.run(&["template", "show", "backup"]));
    let path = sandbox.write("t.yaml", &shown);
    assert_eq!(sandbox.run(&["workflow", "validate", path.to_str().unwrap()]).status.code(), Some(0));
    let bad = sandbox.run(&["template", "use", "backup files", "nope=1"]);
    assert_eq!(bad.status.code(), Some(2));
}

#[test]
fn backup_files_archives_verifies_and_keeps_the_last_n() {
    let sandbox = Sandbox::new();
    sandbox.write("docs/a.txt", "alpha");
    sandbox.write("docs/sub/b.txt", "beta");
    let dest = sandbox.path().join("backups");
    use_template(
        &sandbox,
        "backup files",
        "My Backup",
        &[
            &format!("source={}", sandbox.path().join("docs").display()),
            &format!("destination={}", dest.display()),
            "keep=2",
        ],
    );
    for _ in 0..3 {
        let (code, finished, text) = run(&sandbox, "My Backup", &[]);
        assert_eq!(code, 0, "{text}");
        let archive = finished["outputs"]["archive"].as_str().unwrap().to_string();
        let listing = Command::new("tar").args(["-tzf", &archive]).output().unwrap();
        assert!(String::from_utf8_lossy(&listing.stdout).contains("docs/sub/b.txt"), "the archive holds the files");
        std::thread::sleep(std::time::Duration::from_millis(1100));
    }
    let archives = std::fs::read_dir(&dest).unwrap().count();
    assert_eq!(archives, 2, "only the last 2 archives are kept");
}

#[test]
fn monitor_and_alert_fires_only_past_the_threshold() {
    let sandbox = Sandbox::new();
    let alerts = sandbox.path().join("alerts.log");
    use_template(&sandbox, "monitor and alert", "Watch", &[&format!("alert_file={}", alerts.display())]);
    let (code, _, text) =
        run(&sandbox, "Watch", &["disk_threshold=100", "memory_threshold=100", "load_threshold=1000"]);
    assert_eq!(code, 0, "{text}");
    assert!(!alerts.exists(), "no alert under the thresholds");
    let (code, finished, text) =
        run(&sandbox, "Watch", &["disk_threshold=0", "memory_threshold=100", "load_threshold=1000"]);
    assert_eq!(code, 0, "{text}");
    let log = std::fs::read_to_string(&alerts).unwrap();
    assert!(log.contains("disk") && log.contains("(limit 0)"), "{log}");
    assert!(finished["outputs"]["disk"].as_str().unwrap().parse::<u32>().is_ok(), "{finished}");
}

#[test]
fn git_sync_and_test_pulls_and_runs_the_tests() {
    let sandbox = Sandbox::new();
    let work = repository(&sandbox);
    use_template(&sandbox, "git sync and test", "Sync", &[&format!("repo={}", work.display())]);
    let (code, finished, text) = run(&sandbox, "Sync", &[]);
    assert_eq!(code, 0, "{text}");
    assert!(work.join("feature.txt").exists(), "pulled");
    assert_eq!(finished["outputs"]["tests"], "success", "make test passes only after the pull: {text}");
}

#[test]
fn deploy_pipeline_deploys_only_when_tests_pass() {
    let sandbox = Sandbox::new();
    let work = repository(&sandbox);
    use_template(&sandbox, "deploy pipeline", "Ship", &[&format!("repo={}", work.display())]);
    let (code, finished, text) = run(&sandbox, "Ship", &["environment=prod"]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(finished["outputs"]["deployed"], true, "{text}");
    assert_eq!(std::fs::read_to_string(work.join("deployed.txt")).unwrap().trim(), "deploying to prod");
    assert!(work.join("built").exists());
    std::fs::remove_file(work.join("deployed.txt")).unwrap();
    let (code, finished, text) = run(&sandbox, "Ship", &["test_command=false"]);
    assert_eq!(code, 1, "failed tests make the run partial, even though it went on to alert: {text}");
    assert_eq!(finished["status"], "partial", "{text}");
    assert_eq!(finished["outputs"]["deployed"], false);
    assert!(!work.join("deployed.txt").exists(), "no deploy after failed tests");
    assert!(text.contains("Tests failed on main"), "the failure is notified: {text}");
}

#[test]
fn daily_standup_report_writes_the_commits_and_todos() {
    let sandbox = Sandbox::new();
    let work = repository(&sandbox);
    git(&work, &["pull", "-q"]);
    let reports = sandbox.path().join("reports");
    use_template(
        &sandbox,
        "daily standup report",
        "Standup",
        &[&format!("repos={}", work.display()), &format!("report_dir={}", reports.display()), "since=1 week ago"],
    );
    let (code, finished, text) = run(&sandbox, "Standup", &[]);
    assert_eq!(code, 0, "{text}");
    let report = std::fs::read_to_string(finished["outputs"]["report"].as_str().unwrap()).unwrap();
    assert!(report.contains("- add the feature (Ann)") && report.contains("- first commit (Ann)"), "{report}");
    assert!(report.contains("TODO: finish the feature"), "{report}");
}

#[test]
fn data_processing_pipeline_lands_the_analysis_in_sqlite() {
    let sandbox = Sandbox::new();
    let csv = sandbox.write("sales.csv", "category,amount\nbooks,10\ntools,5.5\nbooks,2\n");
    let db = sandbox.path().join("out.db");
    use_template(
        &sandbox,
        "data processing pipeline",
        "Sales",
        &[&format!("input={}", csv.display()), &format!("database={}", db.display())],
    );
    let (code, _, text) = run(&sandbox, "Sales", &[]);
    assert_eq!(code, 0, "{text}");
    let conn = rusqlite::Connection::open(&db).unwrap();
    let books: (i64, f64) = conn
        .query_row("SELECT count, total FROM results WHERE grp = 'books'", [], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap();
    assert_eq!(books, (2, 12.0));
}

#[test]
fn the_shell_uses_a_template() {
    let sandbox = Sandbox::new();
    let text = stdout(&sandbox.alpha().write_stdin("use the backup template\nlist\n").output().unwrap());
    assert!(text.contains("Saved 'Backup Files' from the 'Backup Files' template."), "{text}");
    assert!(text.contains("1. Backup Files (v1.0.0)"), "{text}");
}

fn maildir(sandbox: &Sandbox) -> std::path::PathBuf {
    let dir = sandbox.path().join("Mail/INBOX");
    for sub in ["new", "cur", "tmp"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    std::fs::write(dir.join("new/1700000001.a.host"), "From: Ann <ann@example.com>\nSubject: Lunch on Friday?\nDate: Mon, 23 Nov 2026 09:00:00 +0000\n\nAre you free?\n").unwrap();
    std::fs::write(
        dir.join("cur/1700000002.b.host:2,S"),
        "From: Old <old@example.com>\nSubject: Already read\n\nold\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("cur/1700000003.c.host:2,"),
        "From: Bob <bob@example.com>\nSubject: Server is\n down\n\nPlease look.\n",
    )
    .unwrap();
    dir
}

#[test]
fn email_digest_lists_unread_mail_from_a_maildir_without_an_llm() {
    let sandbox = Sandbox::new();
    let dir = maildir(&sandbox);
    use_template(&sandbox, "email digest", "Digest", &[&format!("maildir={}", dir.display())]);
    let (code, finished, text) = run(&sandbox, "Digest", &[]);
    assert_eq!(code, 0, "{text}");
    assert_eq!(finished["outputs"]["count"], 2, "only unread messages: {text}");
    assert!(text.contains("Lunch on Friday? (from Ann <ann@example.com>)"), "{text}");
    assert!(text.contains("Server is down (from Bob <bob@example.com>)"), "folded headers are unfolded: {text}");
    assert!(!text.contains("Already read"), "{text}");
}
