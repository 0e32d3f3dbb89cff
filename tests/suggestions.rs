//! Suggestions with no import step: the chat reads the user's shell histories on its own
//! (found from `$HOME` and `$HISTFILE`, formats from the content, only what is new), secrets
//! never stored, suggestions accepted from the CLI or the chat, and "never" remembered.

use serde_json::Value;

use crate::common::{Sandbox, stderr, stdout};

/// A timestamped bash history with a routine repeated `times` times among other commands.
fn bash_history(times: usize, extra: &[&str]) -> String {
    let mut text = String::new();
    let mut t = 1_795_000_000;
    for day in 0..times {
        for command in ["git status", "git pull origin main", "pytest -q"].iter().chain(extra) {
            text.push_str(&format!("#{t}\n{command}\n"));
            t += 15;
        }
        for noise in ["ls", &format!("vim notes-{day}.md"), &format!("echo {day}")] {
            text.push_str(&format!("#{t}\n{noise}\n"));
            t += 15;
        }
        t += 86_400 / 2;
    }
    text
}

#[test]
fn the_chat_reads_bash_history_from_home_and_yes_call_it_creates_the_workflow() {
    let sandbox = Sandbox::new();
    sandbox.write(".bash_history", &bash_history(5, &[]));
    let out = sandbox.alpha().write_stdin("yes, call it Sync and Test\n").output().unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("I noticed you've run 'git status && git pull origin main && pytest -q' 5 times."),
        "no import step needed: {text}"
    );
    assert!(text.contains("Workflow 'Sync and Test' created."), "{text}");
    let shown: Value =
        serde_json::from_slice(&sandbox.run(&["workflow", "show", "Sync and Test", "--json"]).stdout).unwrap();
    let commands: Vec<&str> = shown["definition"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["parameters"]["command"].as_str().unwrap())
        .collect();
    assert_eq!(commands, ["git status", "git pull origin main", "pytest -q"]);
    // Read once: a second session finds nothing new and, the pattern saved, offers nothing.
    let sources: Value = serde_json::from_slice(&sandbox.run(&["history", "sources", "--json"]).stdout).unwrap();
    let bash = &sources["sources"][0];
    assert_eq!(bash["origin"], "bash", "{sources}");
    assert_eq!(bash["format"], "bash", "{sources}");
    assert_eq!(bash["commands"], 30, "{sources}");
    let again = stdout(&sandbox.alpha().write_stdin("list\n").output().unwrap());
    assert!(!again.contains("I noticed"), "{again}");
    let after: Value = serde_json::from_slice(&sandbox.run(&["history", "sources", "--json"]).stdout).unwrap();
    assert_eq!(after["sources"][0]["commands"], 30, "nothing read twice: {after}");
}

#[test]
fn histfile_is_read_by_its_content_and_a_zsh_history_beside_it_too() {
    let sandbox = Sandbox::new();
    // $HISTFILE names a bash history: it must not be read as zsh.
    let bash = sandbox.write("custom_history", &bash_history(2, &[]));
    let mut zsh = String::new();
    for (i, t) in (0..2).map(|d| 1_795_100_000 + d * 40_000).enumerate() {
        for (j, command) in ["git status", "git pull origin main", "pytest -q"].iter().enumerate() {
            zsh.push_str(&format!(": {}:0;{command}\n", t + j as i64 * 10));
        }
        zsh.push_str(&format!(": {}:0;echo other-{i}\n", t + 100));
    }
    sandbox.write(".zsh_history", &zsh);
    let out = sandbox.alpha().env("HISTFILE", &bash).write_stdin("never\n").output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("I noticed you've run 'git status && git pull origin main && pytest -q' 4 times."), "{text}");
    assert!(text.contains("I won't suggest that again."), "{text}");
    let sources: Value = serde_json::from_slice(
        &sandbox.command().env("HISTFILE", &bash).args(["history", "sources", "--json"]).output().unwrap().stdout,
    )
    .unwrap();
    let rows: Vec<(&str, &str)> = sources["sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| (s["origin"].as_str().unwrap(), s["format"].as_str().unwrap()))
        .collect();
    assert_eq!(rows, [("$HISTFILE", "bash"), ("zsh", "zsh")], "{sources}");
    // "never" holds in the next session, and `suggest` says one was dismissed.
    let next = stdout(&sandbox.alpha().env("HISTFILE", &bash).write_stdin("list\n").output().unwrap());
    assert!(!next.contains("I noticed"), "{next}");
    let listed = stdout(&sandbox.command().env("HISTFILE", &bash).args(["suggest"]).output().unwrap());
    assert!(listed.contains("1 dismissed suggestion not shown (`alpha suggest --all` lists them)."), "{listed}");
    let all = stdout(&sandbox.command().env("HISTFILE", &bash).args(["suggest", "--all"]).output().unwrap());
    assert!(all.contains("(dismissed)") && all.contains("$ git pull origin main"), "{all}");
}

#[test]
fn reading_history_can_be_turned_off_and_pointed_elsewhere() {
    let sandbox = Sandbox::new();
    sandbox.write(".bash_history", &bash_history(5, &[]));
    sandbox.write("home/config.yaml", "history:\n  enabled: false\n");
    let text = stdout(&sandbox.alpha().write_stdin("list\n").output().unwrap());
    assert!(!text.contains("I noticed"), "{text}");
    let sources = stdout(&sandbox.run(&["history", "sources"]));
    assert!(sources.contains("Reading shell history is off"), "{sources}");
    sandbox.write("elsewhere/hist", &bash_history(3, &[]));
    sandbox.write("home/config.yaml", "history:\n  sources: [~/elsewhere/hist]\n");
    let text = stdout(&sandbox.alpha().write_stdin("no\n").output().unwrap());
    assert!(text.contains("I noticed you've run 'git status && git pull origin main && pytest -q' 3 times."), "{text}");
    let sources: Value = serde_json::from_slice(&sandbox.run(&["history", "sources", "--json"]).stdout).unwrap();
    assert_eq!(sources["sources"].as_array().unwrap().len(), 1, "{sources}");
    assert_eq!(sources["sources"][0]["origin"], "config");
}

#[test]
fn secrets_in_shell_history_never_reach_the_database_or_the_screen() {
    let sandbox = Sandbox::new();
    let secret = "ghp_0123456789abcdefghijklmnopqrstuvwxyzAB";
    let line = format!("export GITHUB_TOKEN={secret}");
    let extra = [line.as_str(), "mysql -u root -phunter2secret shop"];
    sandbox.write(".bash_history", &bash_history(4, &extra));
    let text = stdout(&sandbox.alpha().write_stdin("no\n").output().unwrap());
    assert!(text.contains("export GITHUB_TOKEN=***"), "the routine is offered, its secret masked: {text}");
    assert!(!text.contains(secret) && !text.contains("hunter2secret"), "{text}");
    let db = std::fs::read(sandbox.db()).unwrap();
    let db = String::from_utf8_lossy(&db);
    assert!(!db.contains(secret) && !db.contains("hunter2secret"), "a secret reached the database");
    let listed = stdout(&sandbox.run(&["suggest"]));
    assert!(listed.contains("$ mysql -u root -p*** shop") && !listed.contains("hunter2secret"), "{listed}");
}

/// Two routines, the second in a directory atuin recorded.
fn two_routines(sandbox: &Sandbox) {
    sandbox.write(".bash_history", &bash_history(6, &[]));
    let atuin = sandbox.path().join(".local/share/atuin/history.db");
    std::fs::create_dir_all(atuin.parent().unwrap()).unwrap();
    let conn = rusqlite::Connection::open(&atuin).unwrap();
    conn.execute_batch(
        "CREATE TABLE history (id TEXT PRIMARY KEY, timestamp INTEGER NOT NULL, duration INTEGER NOT NULL, exit INTEGER NOT NULL,
         command TEXT NOT NULL, cwd TEXT NOT NULL, session TEXT NOT NULL, hostname TEXT NOT NULL, deleted_at INTEGER)",
    )
    .unwrap();
    let mut t: i64 = 1_795_500_000;
    for (i, env) in ["staging", "prod", "staging", "prod"].iter().enumerate() {
        for command in ["docker compose build", &format!("npm run deploy -- --env {env}")] {
            conn.execute(
                "INSERT INTO history VALUES (?1, ?2, 1, 0, ?3, '/srv/shop', 's', 'h', NULL)",
                rusqlite::params![format!("{i}-{command}"), t * 1_000_000_000, command],
            )
            .unwrap();
            t += 20;
        }
        t += 7_200;
    }
}

#[test]
fn suggest_numbers_its_suggestions_and_accepts_or_dismisses_one_by_number() {
    let sandbox = Sandbox::new();
    two_routines(&sandbox);
    let listed = stdout(&sandbox.run(&["suggest"]));
    assert!(listed.contains("1. ") && listed.contains("2. "), "{listed}");
    assert!(listed.contains("Save one with `alpha suggest --accept N [--name NAME]`"), "{listed}");
    let found: Value = serde_json::from_slice(&sandbox.run(&["suggest", "--json"]).stdout).unwrap();
    let docker = found.as_array().unwrap().iter().position(|s| s["commands"][0] == "docker compose build").unwrap();
    assert_eq!(found[docker]["commands"][1], "npm run deploy -- --env {{ env }}", "{found}");
    let number = (docker + 1).to_string();
    let out = sandbox.run(&["suggest", "--accept", &number, "--name", "Ship It"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("Workflow 'Ship It' created"), "{}", stdout(&out));
    let shown: Value = serde_json::from_slice(&sandbox.run(&["workflow", "show", "Ship It", "--json"]).stdout).unwrap();
    assert_eq!(shown["definition"]["workdir"], "/srv/shop", "the directory atuin recorded: {shown}");
    assert_eq!(shown["definition"]["parameters"]["env"]["default"], "staging", "{shown}");
    // Saved, it is not suggested again; the other one is now number 1.
    let rest: Value = serde_json::from_slice(&sandbox.run(&["suggest", "--json"]).stdout).unwrap();
    assert_eq!(rest.as_array().unwrap().len(), 1, "{rest}");
    let out = sandbox.run(&["suggest", "--accept", "1", "--name", "Ship It"]);
    assert_eq!(out.status.code(), Some(2), "a taken name is refused");
    assert!(stderr(&out).contains("already exists"), "{}", stderr(&out));
    let out = sandbox.run(&["suggest", "--accept", "5"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("there is no suggestion 5"), "{}", stderr(&out));
    let out = sandbox.run(&["suggest", "--dismiss", "1"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let none = stdout(&sandbox.run(&["suggest"]));
    assert!(none.contains("No new repeated command sequences") && none.contains("1 dismissed suggestion"), "{none}");
}

#[test]
fn the_chat_lists_several_suggestions_and_takes_the_second_one() {
    let sandbox = Sandbox::new();
    two_routines(&sandbox);
    let text = stdout(&sandbox.alpha().write_stdin("no\n/suggest\nthe second one, call it Picked\n").output().unwrap());
    assert!(text.contains("Which one should I create?"), "{text}");
    assert!(text.contains("Workflow 'Picked' created."), "{text}");
    let list = stdout(&sandbox.run(&["workflow", "list"]));
    assert!(list.contains("Picked"), "{list}");
}

#[test]
fn commands_run_in_the_chat_are_suggested_too_with_the_directory_they_ran_in() {
    let sandbox = Sandbox::new();
    let mut input = String::new();
    for i in 0..3 {
        input.push_str(&format!("!touch page-{i}.html && tar -cf site.tar .\n"));
    }
    input.push_str("/suggest\n");
    let text = stdout(&sandbox.alpha().write_stdin(input).output().unwrap());
    assert!(text.contains("I noticed you've run 'touch page-0.html && tar -cf site.tar .' 3 times."), "{text}");
    let found: Value = serde_json::from_slice(&sandbox.run(&["suggest", "--json"]).stdout).unwrap();
    assert_eq!(found[0]["commands"][0], "touch page-{{ file }}.html", "{found}");
    assert_eq!(found[0]["workflow"]["workdir"], sandbox.path().display().to_string(), "{found}");
}

#[test]
fn on_a_terminal_the_offer_appears_above_the_prompt_once_the_history_is_read() {
    let sandbox = Sandbox::new();
    sandbox.write(".bash_history", &bash_history(5, &[]));
    let mut session = rexpect::session::spawn_command(sandbox.command(), Some(15_000)).expect("spawn in a pty");
    session.exp_string("alpha>").expect("the prompt comes first");
    session
        .exp_string("I noticed you've run 'git status && git pull origin main && pytest -q' 5 times.")
        .expect("the offer");
    session.send_line("yes, call it Terminal Sync").unwrap();
    session.exp_string("Workflow 'Terminal Sync' created.").expect("accepted");
    session.send_line("/quit").unwrap();
    session.exp_eof().expect("quits");
}
