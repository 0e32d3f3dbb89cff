//! One library shared by several processes and machines (design.md §5, "Backends"):
//! schedulers that fire each occurrence once, the faces unchanged on PostgreSQL, and the ways
//! a server can fail a user (unreachable, a wrong password, a newer schema, a connection lost
//! mid-run), each a clear error with exit code 3 and nothing half-written.

use std::process::Stdio;
use std::time::Duration;

use serde_json::Value;

use crate::common::{Backend, PgDatabase, Sandbox, eventually, postgres_url, stderr, stdout};
use crate::dashboard::Dashboard;
use crate::on_both;

const GREET: &str = "name: Greet\nparameters:\n  who: {type: string, default: World}\nsteps:\n  - {id: hello, name: Say Hello, tool: shell, action: run, parameters: {command: \"echo hello {{ who }}\"}}\n";

fn history(sandbox: &Sandbox) -> Vec<Value> {
    let out = sandbox.run(&["workflow", "history", "--json", "--limit", "1000"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    serde_json::from_slice::<Value>(&out.stdout).unwrap().as_array().cloned().unwrap()
}

on_both! {
    fn three_schedulers_fire_each_occurrence_of_a_minute_schedule_once(backend) {
        let sandbox = Sandbox::on(backend);
        sandbox.save("tick.yaml", "name: Tick\nsteps:\n  - {id: t, tool: shell, action: run, parameters: {command: \"echo $$ >> ticks; sleep 0.2\"}}\n");
        // Made at 08:57:30; three schedulers start at 09:00:57: the three minutes they missed are
        // caught up at once (the three race for each), and 09:01 comes three seconds later.
        let made = sandbox
            .alpha()
            .args(["workflow", "schedule", "Tick", "* * * * *", "--timezone", "UTC", "--catchup", "all", "--overlap", "queue"])
            .env("ALPHA_NOW", "2026-11-25T08:57:30Z")
            .output()
            .unwrap();
        assert_eq!(made.status.code(), Some(0), "{}", stderr(&made));
        let mut schedulers: Vec<_> = (0..3)
            .map(|_| {
                sandbox
                    .command()
                    .args(["scheduler", "run"])
                    .env("ALPHA_NOW", "2026-11-25T09:00:57Z")
                    .env("ALPHA_SCHEDULER_TICK_MS", "50")
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let ticks = sandbox.path().join("ticks");
        let fired = eventually(Duration::from_secs(60), || {
            std::fs::read_to_string(&ticks).is_ok_and(|t| t.lines().count() >= 4)
        });
        // Long enough for a duplicate to show, were there one.
        std::thread::sleep(Duration::from_millis(1500));
        for child in &mut schedulers {
            let _ = child.kill();
            let _ = child.wait();
        }
        let text = std::fs::read_to_string(&ticks).unwrap_or_default();
        assert!(fired, "four occurrences ran: {text:?}");
        let runs = history(&sandbox);
        assert_eq!(runs.len(), 4, "each of 08:58, 08:59, 09:00 and 09:01 fired once: {runs:?}");
        assert!(runs.iter().all(|r| r["trigger"] == "schedule" && r["status"] == "completed"), "{runs:?}");
        let store = alpha::store::Store::open(&sandbox.db()).unwrap();
        let fires: Vec<String> = store.fire_records().unwrap().into_iter().map(|(_, at, _)| at).collect();
        assert_eq!(
            fires,
            ["2026-11-25T08:58:00Z", "2026-11-25T08:59:00Z", "2026-11-25T09:00:00Z", "2026-11-25T09:01:00Z"],
            "one claim per occurrence"
        );
    }
}

#[test]
#[ignore = "needs PostgreSQL: set ALPHA_TEST_POSTGRES_URL (.ci/run starts a server)"]
fn the_cli_the_chat_and_the_dashboard_work_unchanged_on_postgres() {
    let sandbox = Sandbox::on(Backend::Postgres);
    sandbox.save("greet.yaml", GREET);
    let out = sandbox.run(&["workflow", "run", "Greet", "who=Ada"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Workflow completed successfully"), "{}", stdout(&out));
    // The chat reads the same library, and "again" finds the last run's values in it.
    let chat = sandbox.alpha().write_stdin("list workflows\nrun it again\n").output().unwrap();
    let text = stdout(&chat);
    assert!(text.contains("Greet (v1.0.0)"), "{text}");
    assert!(text.contains("who=Ada"), "{text}");
    let runs = history(&sandbox);
    assert_eq!(runs.len(), 2, "{runs:?}");
    assert!(runs.iter().all(|r| r["status"] == "completed" && r["parameters"]["who"] == "Ada"), "{runs:?}");
    // Nothing was written to a local file: the library is on the server.
    assert!(!sandbox.path().join("home/alpha.db").exists());
    let dashboard = Dashboard::start(&sandbox);
    let listed = dashboard.get("/api/workflows").json();
    assert_eq!(listed[0]["name"], "Greet", "{listed}");
    let page = dashboard.get("/runs");
    assert_eq!(page.status, 200);
    assert!(page.text.contains(&runs[0]["id"].as_str().unwrap()[..8]), "the runs page shows the server's runs");
}

#[test]
fn store_in_the_config_file_names_the_library_and_db_still_wins() {
    let sandbox = Sandbox::new();
    let elsewhere = sandbox.path().join("shared/library.db");
    sandbox.write("home/config.yaml", &format!("store: {}\n", elsewhere.display()));
    sandbox.save("greet.yaml", GREET);
    assert!(elsewhere.exists(), "the library is where `store:` says");
    assert!(!sandbox.db().exists(), "and not in the data directory");
    let listed = sandbox.run(&["workflow", "list", "--json"]);
    assert!(stdout(&listed).contains("Greet"), "{}", stdout(&listed));
    let other = sandbox.path().join("other.db");
    let out = sandbox.alpha().arg("--db").arg(&other).args(["workflow", "list", "--json"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(!stdout(&out).contains("Greet"), "--db names another library: {}", stdout(&out));
    let env = sandbox.alpha().env("ALPHA_DB", &other).args(["workflow", "list", "--json"]).output().unwrap();
    assert!(!stdout(&env).contains("Greet"), "ALPHA_DB wins over store: {}", stdout(&env));
}

#[test]
fn an_unreachable_server_is_a_clear_error_without_its_password_or_a_stray_folder() {
    let sandbox = Sandbox::new();
    for url in ["postgres://alpha:s3cret-pw@127.0.0.1:1/alpha", "postgresql://127.0.0.1:1/alpha?sslmode=disable"] {
        for args in [&["workflow", "list"][..], &["workflow", "run", "X"], &["worker", "list"]] {
            let out = sandbox.alpha().arg("--db").arg(url).args(args).output().unwrap();
            assert_eq!(out.status.code(), Some(3), "{args:?}: {}", stderr(&out));
            let text = stderr(&out);
            assert!(text.contains("can't connect to PostgreSQL") && text.contains("is the server running"), "{text}");
            assert!(!text.contains("s3cret-pw"), "{text}");
        }
    }
    let bad = sandbox.alpha().args(["--db", "mysql://u:pw@h/d", "workflow", "list"]).output().unwrap();
    assert_eq!(bad.status.code(), Some(3));
    assert!(stderr(&bad).contains("`mysql://` is not a store alpha knows"), "{}", stderr(&bad));
    let stray: Vec<_> = std::fs::read_dir(sandbox.path()).unwrap().flatten().map(|e| e.file_name()).collect();
    assert!(!stray.iter().any(|n| n.to_string_lossy().starts_with("postgres")), "{stray:?}");
}

#[test]
#[ignore = "needs PostgreSQL: set ALPHA_TEST_POSTGRES_URL (.ci/run starts a server)"]
fn a_wrong_password_is_a_clear_error_that_never_shows_it() {
    let good = postgres_url();
    let (head, host) = good.rsplit_once('@').expect("the test URL has user:password@host");
    let user = head.rsplit_once(':').map(|(user, _)| user).unwrap_or(head);
    let wrong = format!("{user}:not-the-password-42@{host}");
    let sandbox = Sandbox::new();
    let out = sandbox.alpha().args(["--db", &wrong, "workflow", "list"]).output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    let text = stderr(&out);
    assert!(text.contains("wrong user or password"), "{text}");
    assert!(!text.contains("not-the-password-42"), "{text}");
    // The same through PGPASSWORD.
    let url = format!("{user}@{host}");
    let out = sandbox
        .alpha()
        .args(["--db", &url, "workflow", "list"])
        .env("PGPASSWORD", "not-the-password-42")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(!stderr(&out).contains("not-the-password-42"), "{}", stderr(&out));
}

#[test]
#[ignore = "needs PostgreSQL: set ALPHA_TEST_POSTGRES_URL (.ci/run starts a server)"]
fn a_database_from_a_newer_alpha_is_refused_and_left_alone() {
    let sandbox = Sandbox::on(Backend::Postgres);
    sandbox.save("greet.yaml", GREET);
    let db: &PgDatabase = sandbox.postgres.as_ref().unwrap();
    db.client().batch_execute("INSERT INTO schema_migrations (version, applied_at) VALUES (99, 'later')").unwrap();
    for args in [&["workflow", "list"][..], &["workflow", "run", "Greet"]] {
        let out = sandbox.run(args);
        assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
        assert!(stderr(&out).contains("written by a newer alpha (schema version 99"), "{}", stderr(&out));
    }
    let runs: i64 = db.client().query_one("SELECT COUNT(*) FROM workflow_executions", &[]).unwrap().get(0);
    assert_eq!(runs, 0, "nothing was recorded in a schema this alpha doesn't know");
}

#[test]
#[ignore = "needs PostgreSQL: set ALPHA_TEST_POSTGRES_URL (.ci/run starts a server)"]
fn a_connection_lost_mid_run_stops_it_with_exit_3_and_the_run_reads_interrupted() {
    let sandbox = Sandbox::on(Backend::Postgres);
    sandbox.save(
        "long.yaml",
        "name: Long\nsteps:\n  - {id: one, tool: shell, action: run, parameters: {command: \"echo one\"}}\n  - {id: two, tool: shell, action: run, parameters: {command: \"touch two-started; sleep 2\"}}\n  - {id: three, tool: shell, action: run, parameters: {command: \"sleep 5\"}}\n",
    );
    let child = sandbox
        .command()
        .args(["workflow", "run", "Long"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    assert!(
        eventually(Duration::from_secs(20), || sandbox.path().join("two-started").exists()),
        "step two never started"
    );
    let db = sandbox.postgres.as_ref().unwrap();
    let mut admin = postgres::Client::connect(&postgres_url(), postgres::NoTls).unwrap();
    let ended: i64 = admin
        .query_one(
            "SELECT COUNT(*) FROM (SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()) t",
            &[&db.name],
        )
        .unwrap()
        .get(0);
    assert!(ended >= 1, "alpha's connection was there to cut");
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}{}", stdout(&out), stderr(&out));
    let text = stderr(&out);
    assert!(text.contains("connection to PostgreSQL was lost"), "{text}");
    // A new connection finds the run whole: its first step recorded, the run interrupted.
    let runs = history(&sandbox);
    assert_eq!(runs.len(), 1);
    assert_eq!(runs[0]["status"], "interrupted", "{:?}", runs[0]);
    let details: Value = serde_json::from_slice(
        &sandbox.run(&["workflow", "history", "--run", runs[0]["id"].as_str().unwrap(), "--json"]).stdout,
    )
    .unwrap();
    let steps: Vec<&str> =
        details["steps"].as_array().unwrap().iter().map(|s| s["step_id"].as_str().unwrap()).collect();
    assert_eq!(steps, ["one"], "{details}");
}
