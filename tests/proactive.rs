//! Suggestions from shell history: planted patterns in every supported format, near misses and
//! noise, precision and recall over generated histories, import, and Story 2 in the chat shell.

use chrono::{DateTime, TimeZone, Utc};
use serde_json::Value;

use alpha::proactive::history::Entry;
use alpha::proactive::miner::{Options, mine};

use crate::common::{Sandbox, stderr, stdout};
use crate::synthetic;

/// A tiny deterministic generator (no external randomness, so failures reproduce).
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        self.0 >> 33
    }

    fn pick<'a>(&mut self, items: &'a [&'a str]) -> &'a str {
        items[(self.next() as usize) % items.len()]
    }
}

/// A planted pattern: its commands (with `{}` where the value varies) and the values used.
struct Plant {
    commands: Vec<&'static str>,
    values: Vec<&'static str>,
    times: usize,
    spread_days: i64,
}

fn history(plants: &[Plant], seed: u64) -> Vec<Entry> {
    let mut rng = Lcg(seed);
    let start = Utc.with_ymd_and_hms(2026, 11, 1, 8, 0, 0).unwrap();
    let mut entries = Vec::new();
    let mut noise = 0;
    // Each occurrence is its own session, with unique noise around it.
    let mut slots: Vec<(DateTime<Utc>, usize, usize)> = Vec::new();
    for (p, plant) in plants.iter().enumerate() {
        for i in 0..plant.times {
            let day = if plant.times > 1 { plant.spread_days * i as i64 / (plant.times as i64 - 1) } else { 0 };
            let at = start
                + chrono::Duration::days(day)
                + chrono::Duration::hours((p * 3 + i) as i64 % 10)
                + chrono::Duration::minutes(rng.next() as i64 % 50);
            slots.push((at, p, i));
        }
    }
    slots.sort();
    for (at, p, i) in slots {
        let plant = &plants[p];
        let value = plant.values[i % plant.values.len()];
        let mut t = at;
        for _ in 0..(rng.next() % 3) {
            noise += 1;
            entries.push(Entry::new(format!("echo noise-{noise}-{}", rng.next()), Some(t)));
            t += chrono::Duration::seconds(20);
        }
        for command in &plant.commands {
            entries.push(Entry::new(command.replace("{}", value), Some(t)));
            t += chrono::Duration::seconds(30);
        }
        entries.push(Entry::new(rng.pick(&["ls", "clear", "cd ..", "pwd"]).to_string(), Some(t)));
    }
    entries
}

fn planted() -> Vec<Plant> {
    vec![
        Plant {
            commands: vec!["git status", "git pull origin {}", "pytest -q"],
            values: vec!["main", "main", "dev"],
            times: 4,
            spread_days: 5,
        },
        Plant {
            commands: vec!["make build", "scp build/app.tar deploy@{}:/srv"],
            values: vec!["web1.example.com", "web2.example.com"],
            times: 3,
            spread_days: 2,
        },
        // Near misses: twice only, and three times spread over 8 days.
        Plant { commands: vec!["terraform plan", "terraform apply"], values: vec![""], times: 2, spread_days: 1 },
        Plant { commands: vec!["npm run lint", "npm run build"], values: vec![""], times: 3, spread_days: 8 },
    ]
}

fn write_formats(sandbox: &Sandbox, entries: &[Entry]) -> Vec<(&'static str, std::path::PathBuf)> {
    let bash: String = entries.iter().map(|e| format!("#{}\n{}\n", e.time.unwrap().timestamp(), e.command)).collect();
    let zsh: String = entries.iter().map(|e| format!(": {}:0;{}\n", e.time.unwrap().timestamp(), e.command)).collect();
    let fish: String =
        entries.iter().map(|e| format!("- cmd: {}\n  when: {}\n", e.command, e.time.unwrap().timestamp())).collect();
    let mut files = vec![
        ("bash", sandbox.write("bash_history", &bash)),
        ("zsh", sandbox.write("zsh_history", &zsh)),
        ("fish", sandbox.write("fish_history", &fish)),
    ];
    let atuin = sandbox.path().join("history.db");
    let conn = rusqlite::Connection::open(&atuin).unwrap();
    conn.execute_batch("CREATE TABLE history (id TEXT PRIMARY KEY, timestamp INTEGER NOT NULL, duration INTEGER, exit INTEGER, command TEXT, cwd TEXT, session TEXT, hostname TEXT, deleted_at INTEGER)").unwrap();
    for (i, e) in entries.iter().enumerate() {
        conn.execute(
            "INSERT INTO history (id, timestamp, duration, exit, command, cwd, session, hostname) VALUES (?1, ?2, 0, 0, ?3, '/', 's', 'h')",
            rusqlite::params![i.to_string(), e.time.unwrap().timestamp() * 1_000_000_000, e.command],
        )
        .unwrap();
    }
    files.push(("atuin", atuin));
    files
}

#[test]
fn exactly_the_planted_qualifying_patterns_are_found_in_every_format() {
    let sandbox = Sandbox::new();
    let entries = history(&planted(), 7);
    for (format, path) in write_formats(&sandbox, &entries) {
        let out = sandbox.run(&["suggest", "--from", path.to_str().unwrap(), "--json"]);
        assert_eq!(out.status.code(), Some(0), "{format}: {}", stderr(&out));
        let found: Value = serde_json::from_slice(&out.stdout).unwrap();
        let commands: Vec<Vec<String>> = found
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["commands"].as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect())
            .collect();
        assert_eq!(commands.len(), 2, "{format}: {commands:?}");
        assert!(
            commands.contains(&vec!["git status".into(), "git pull origin {{ branch }}".into(), "pytest -q".into()]),
            "{format}: {commands:?}"
        );
        assert!(
            commands
                .contains(&vec!["make build".into(), "scp build/app.tar deploy@{{ host }}.example.com:/srv".into()]),
            "{format}: {commands:?}"
        );
        let git = found.as_array().unwrap().iter().find(|s| s["commands"][0] == "git status").unwrap();
        assert_eq!(git["parameters"]["branch"]["default"], "main", "{format}");
        assert_eq!(git["occurrences"], 4, "{format}");
        assert!(git["first_seen"].as_str().unwrap().ends_with('Z'), "{format}");
    }
    // Piped plain text, without timestamps.
    let plain: String = entries.iter().map(|e| format!("{}\n", e.command)).collect();
    let out = sandbox.alpha().args(["suggest", "--json"]).write_stdin(plain).output().unwrap();
    let found: Value = serde_json::from_slice(&out.stdout).unwrap();
    let firsts: Vec<&str> = found.as_array().unwrap().iter().map(|s| s["commands"][0].as_str().unwrap()).collect();
    assert!(firsts.contains(&"git status") && firsts.contains(&"make build"), "{firsts:?}");
    assert!(found.as_array().unwrap().iter().all(|s| s["first_seen"].is_null()), "no timestamps in plain input");
}

/// Precision, recall and near misses over generated histories in every format.
#[derive(Default)]
struct Score {
    histories: usize,
    true_positives: usize,
    false_positives: Vec<Vec<String>>,
    missed: Vec<Vec<String>>,
    near_misses: Vec<Vec<String>>,
}

impl Score {
    fn add(&mut self, history: &synthetic::History, timed: bool, found: &[alpha::proactive::miner::Suggestion]) {
        self.histories += 1;
        let mut expected = history.routines.clone();
        let mut never = history.near_misses.clone();
        // Without timestamps input order stands in for time: three times is three times.
        if timed {
            never.extend(history.spread.clone())
        } else {
            expected.extend(history.spread.clone())
        }
        let found: Vec<Vec<String>> = found.iter().map(|s| synthetic::normalized(&s.commands)).collect();
        for pattern in &found {
            if expected.contains(pattern) {
                self.true_positives += 1;
            } else {
                self.false_positives.push(pattern.clone());
            }
            if never.iter().any(|n| n.iter().all(|c| pattern.contains(c))) {
                self.near_misses.push(pattern.clone());
            }
        }
        self.missed.extend(expected.into_iter().filter(|e| !found.contains(e)));
    }

    fn precision(&self) -> f64 {
        self.true_positives as f64 / (self.true_positives + self.false_positives.len()).max(1) as f64
    }

    fn recall(&self) -> f64 {
        self.true_positives as f64 / (self.true_positives + self.missed.len()).max(1) as f64
    }
}

#[test]
fn generated_histories_in_every_format_give_the_planted_routines_and_no_near_miss() {
    let dir = tempfile::tempdir().unwrap();
    let mut score = Score::default();
    for i in 0..std::env::var("ALPHA_SYNTHETIC_HISTORIES").ok().and_then(|n| n.parse().ok()).unwrap_or(24u64) {
        let size = 2_000 + (i as usize * 18_000) / 23;
        let history = synthetic::generate(i * 7 + 1, size);
        let format = synthetic::Format::ALL[i as usize % synthetic::Format::ALL.len()];
        let path = synthetic::write(&history, format, dir.path());
        let (entries, _) = alpha::proactive::history::read(&path, None).unwrap();
        assert!(entries.len() >= size, "{format:?}: {} of {size} commands read", entries.len());
        let found = mine(&entries, &Options::default(), &[], &[]);
        score.add(&history, format.timed(), &found);
        std::fs::remove_file(&path).unwrap();
    }
    println!(
        "{} generated histories: precision {:.3}, recall {:.3}, {} found, {} near misses reported",
        score.histories,
        score.precision(),
        score.recall(),
        score.true_positives,
        score.near_misses.len()
    );
    assert!(score.near_misses.is_empty(), "near misses reported: {:#?}", score.near_misses);
    assert!(
        score.precision() >= 0.95 && score.recall() >= 0.95,
        "precision {:.3}, recall {:.3}\nfalse positives: {:#?}\nmissed: {:#?}",
        score.precision(),
        score.recall(),
        score.false_positives,
        score.missed
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig { cases: 12, ..Default::default() })]

    /// Noise in any order is never a routine: whatever meets by chance stays below the test.
    #[test]
    fn shuffled_noise_never_gives_a_suggestion(seed in 0u64..1_000_000, size in 2_000usize..6_000) {
        let entries: Vec<Entry> = synthetic::noise_history(seed, size)
            .into_iter()
            .map(|(c, t)| Entry::new(c, Utc.timestamp_opt(t, 0).single()))
            .collect();
        let found = mine(&entries, &Options::default(), &[], &[]);
        let found: Vec<&Vec<String>> = found.iter().map(|s| &s.commands).collect();
        proptest::prop_assert!(found.is_empty(), "{found:?}");
    }
}

#[test]
fn history_import_is_incremental() {
    let sandbox = Sandbox::new();
    let path = sandbox.write("h", "#1795000000\ngit status\n#1795000060\ngit pull\n");
    let first = stdout(&sandbox.run(&["history", "import", "--from", path.to_str().unwrap()]));
    assert!(first.contains("2 commands read (bash), 2 new"), "{first}");
    let again = stdout(&sandbox.run(&["history", "import", "--from", path.to_str().unwrap()]));
    assert!(again.contains("0 new"), "{again}");
    std::fs::write(&path, "#1795000000\ngit status\n#1795000060\ngit pull\n#1795000120\npytest\n").unwrap();
    let grown = stdout(&sandbox.run(&["history", "import", "--from", path.to_str().unwrap()]));
    assert!(grown.contains("1 new"), "{grown}");
    let bad = sandbox.run(&["history", "import", "--from", path.to_str().unwrap(), "--format", "tcsh"]);
    assert_eq!(bad.status.code(), Some(2));
}

fn story_history(sandbox: &Sandbox) {
    let mut text = String::new();
    for day in 0..5 {
        let t = 1_795_000_000 + day * 86_400;
        text.push_str(&format!("#{t}\ngit status\n#{}\ngit pull\n#{}\npytest\n", t + 10, t + 20));
    }
    let path = sandbox.write("bash_history", &text);
    assert_eq!(sandbox.run(&["history", "import", "--from", path.to_str().unwrap()]).status.code(), Some(0));
}

#[test]
fn scenario_2_story_2_pattern_suggested_accepted_created_and_scheduled() {
    let sandbox = Sandbox::new();
    story_history(&sandbox);
    let out =
        sandbox.alpha().write_stdin("Yes, call it Git Sync and Test\nRun it every morning at 10am\n").output().unwrap();
    let text = stdout(&out);
    assert!(text.contains("I noticed you've run 'git status && git pull && pytest' 5 times. Would you like me to create a workflow for this?"), "{text}");
    assert!(text.contains("Workflow 'Git Sync and Test' created. Schedule it or run on demand?"), "{text}");
    assert!(text.contains("Scheduled for 10:00 AM daily."), "{text}");
    let list = stdout(&sandbox.run(&["workflow", "list"]));
    assert!(list.contains("Git Sync and Test") && list.contains("Scheduled: Daily at 10:00 AM"), "{list}");
    // Accepted and covered by a saved workflow: not offered again.
    let again = stdout(&sandbox.alpha().write_stdin("list\n").output().unwrap());
    assert!(!again.contains("I noticed"), "{again}");
}

#[test]
fn a_plain_yes_asks_for_the_name_then_about_a_schedule() {
    let sandbox = Sandbox::new();
    story_history(&sandbox);
    let text = stdout(
        &sandbox.alpha().write_stdin("yes\nMorning Sync\nyes\nschedule it every weekday at 9am\n").output().unwrap(),
    );
    assert!(text.contains("What should I name it? (Enter for 'Git Status Pull Pytest')"), "{text}");
    assert!(text.contains("Workflow 'Morning Sync' created."), "{text}");
    assert!(text.contains("Schedule it or run on demand?"), "{text}");
    assert!(text.contains("Scheduled 'Morning Sync': Weekdays at 9:00 AM"), "{text}");
}

#[test]
fn never_is_remembered_and_no_only_postpones() {
    let sandbox = Sandbox::new();
    story_history(&sandbox);
    let first = stdout(&sandbox.alpha().write_stdin("no\n").output().unwrap());
    assert!(first.contains("OK, not now."), "{first}");
    let second = stdout(&sandbox.alpha().write_stdin("never\n").output().unwrap());
    assert!(second.contains("I noticed"), "no only postpones: {second}");
    assert!(second.contains("I won't suggest that again."), "{second}");
    let third = stdout(&sandbox.alpha().write_stdin("list\n").output().unwrap());
    assert!(!third.contains("I noticed"), "{third}");
    let json: Value = serde_json::from_slice(&sandbox.run(&["suggest", "--json"]).stdout).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 0, "dismissed patterns are not suggested: {json}");
}

#[test]
fn optimizer_recommends_from_recorded_runs_and_applies_a_new_version() {
    let sandbox = Sandbox::new();
    let yaml = "name: Slow Build\nsteps:\n  - { id: deps, tool: shell, action: run, parameters: { command: \"sleep 0.15\" } }\n  - { id: docs, tool: shell, action: run, parameters: { command: \"sleep 0.15\" } }\n  - { id: flaky, tool: shell, action: run, parameters: { command: \"n=$(cat n 2>/dev/null || echo 0); echo $((n+1)) > n; [ $((n % 2)) -eq 1 ]\" } }\n  - { id: report, tool: shell, action: run, parameters: { command: \"echo {{ deps.output }}\" } }\n";
    let path = sandbox.write("w.yaml", yaml);
    sandbox.run(&["workflow", "create", "--file", path.to_str().unwrap()]);
    for _ in 0..6 {
        sandbox.run(&["workflow", "run", "Slow Build"]);
    }
    let out = sandbox.run(&["workflow", "optimize", "slow build", "--json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    let kinds: Vec<&str> =
        report["recommendations"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"parallelize"), "{report}");
    assert!(kinds.contains(&"retry"), "{report}");
    let parallel = report["recommendations"].as_array().unwrap().iter().find(|r| r["kind"] == "parallelize").unwrap();
    assert!(parallel["advice"].as_str().unwrap().contains("deps, docs"), "{parallel}");
    let saved = parallel["seconds_saved"].as_f64().unwrap();
    assert!((0.1..1.0).contains(&saved), "two 0.15 s steps side by side save about 0.15 s: {parallel}");
    let text = stdout(&sandbox.alpha().write_stdin("how can I make slow build faster?\n").output().unwrap());
    assert!(text.contains("Recommendations for 'Slow Build'") && text.contains("parallel group"), "{text}");
    let applied = sandbox.run(&["workflow", "optimize", "Slow Build", "--apply", "--yes"]);
    assert_eq!(applied.status.code(), Some(0), "{}", stderr(&applied));
    assert!(stdout(&applied).contains("Saved 'Slow Build' as v1.0.1."), "{}", stdout(&applied));
    let shown: Value =
        serde_json::from_slice(&sandbox.run(&["workflow", "show", "Slow Build", "--json"]).stdout).unwrap();
    let steps = &shown["definition"]["steps"];
    let group = steps[0]["parallel"].as_array().expect("a parallel group first");
    assert_eq!(
        group.iter().map(|s| s["id"].as_str().unwrap()).collect::<Vec<_>>(),
        ["deps", "docs", "flaky"],
        "{steps}"
    );
    assert_eq!(steps[1]["id"], "report", "the step that reads deps stays after the group");
    let flaky = group.iter().find(|s| s["id"] == "flaky").unwrap();
    assert_eq!(flaky["on_error"], "retry", "{steps}");
}

#[test]
fn running_the_first_commands_of_a_workflow_offers_the_rest() {
    let sandbox = Sandbox::new();
    let yaml = "name: Three Steps\nsteps:\n  - { id: one, tool: shell, action: run, parameters: { command: \"echo one\" } }\n  - { id: two, tool: shell, action: run, parameters: { command: \"echo two\" } }\n  - { id: three, tool: shell, action: run, parameters: { command: \"touch third-ran\" } }\n";
    let path = sandbox.write("w.yaml", yaml);
    sandbox.run(&["workflow", "create", "--file", path.to_str().unwrap()]);
    let out = sandbox.alpha().write_stdin("!echo one\n!echo two\nrun the rest\n").output().unwrap();
    let text = stdout(&out);
    assert!(
        text.contains("That's how 'Three Steps' starts. Say \"run the rest\" to run its remaining 1 step"),
        "{text}"
    );
    assert!(text.contains("✓ Step 1/1: three"), "only the remaining step runs: {text}");
    assert!(sandbox.path().join("third-ran").exists());
}

#[test]
fn repeated_workflow_runs_are_suggested_as_one_and_empty_outputs_are_reported() {
    let sandbox = Sandbox::new();
    for name in ["Fetch", "Report"] {
        let path = sandbox.write(&format!("{name}.yaml"), &format!("name: {name}\nsteps:\n  - {{ id: a, tool: shell, action: run, parameters: {{ command: \"true\" }} }}\noutputs:\n  note: \"{{{{ a.output }}}}\"\n"));
        sandbox.run(&["workflow", "create", "--file", path.to_str().unwrap()]);
    }
    for _ in 0..3 {
        sandbox.run(&["workflow", "run", "Fetch"]);
        sandbox.run(&["workflow", "run", "Report"]);
    }
    let found: Value = serde_json::from_slice(&sandbox.run(&["suggest", "--json"]).stdout).unwrap();
    let commands: Vec<&str> = found[0]["commands"].as_array().unwrap().iter().map(|c| c.as_str().unwrap()).collect();
    assert_eq!(commands, ["alpha workflow run Fetch", "alpha workflow run Report"], "{found}");
    // A workflow of workflows: each step runs one of them.
    let steps = found[0]["workflow"]["steps"].as_array().unwrap();
    assert!(steps.iter().all(|s| s["tool"] == "workflow"), "{found}");
    assert_eq!(steps[1]["parameters"]["workflow"], "Report", "{found}");
    let report: Value =
        serde_json::from_slice(&sandbox.run(&["workflow", "optimize", "Fetch", "--json"]).stdout).unwrap();
    let kinds: Vec<&str> =
        report["recommendations"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"unused_output"), "{report}");
}

#[test]
fn asking_for_suggestions_in_the_shell_offers_them_again() {
    let sandbox = Sandbox::new();
    let empty = stdout(&sandbox.alpha().write_stdin("suggest\n").output().unwrap());
    assert!(empty.contains("No repeated command sequences yet: a pattern needs 3 runs within 7 days."), "{empty}");
    story_history(&sandbox);
    let text = stdout(&sandbox.alpha().write_stdin("no\nsuggest\n").output().unwrap());
    assert_eq!(text.matches("I noticed you've run 'git status && git pull && pytest' 5 times.").count(), 2, "{text}");
    assert!(text.contains("OK, not now."), "{text}");
}

#[test]
fn the_optimizer_does_not_recommend_retries_for_a_step_that_fails_the_same_every_time() {
    let sandbox = Sandbox::new();
    let yaml = "name: Broken\nsteps:\n  - { id: ok, tool: shell, action: run, parameters: { command: \"true\" } }\n  - { id: broken, tool: shell, action: run, parameters: { command: \"n=$(cat n 2>/dev/null || echo 0); echo $((n+1)) > n; [ $n -lt 2 ] || { echo missing config >&2; exit 3; }\" } }\n";
    let path = sandbox.write("w.yaml", yaml);
    sandbox.run(&["workflow", "create", "--file", path.to_str().unwrap()]);
    // Two runs that succeed, then runs that fail the same way every time: broken, not flaky.
    for _ in 0..5 {
        sandbox.run(&["workflow", "run", "Broken"]);
    }
    let report: Value =
        serde_json::from_slice(&sandbox.run(&["workflow", "optimize", "Broken", "--json"]).stdout).unwrap();
    let kinds: Vec<&str> =
        report["recommendations"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert!(!kinds.contains(&"retry"), "no retry advice for a deterministic failure: {report}");
    assert!(kinds.contains(&"fails_the_same"), "{report}");
}

#[test]
fn the_optimizer_still_recommends_retries_for_a_flaky_step() {
    let sandbox = Sandbox::new();
    let yaml = "name: Flaky\nsteps:\n  - { id: ok, tool: shell, action: run, parameters: { command: \"true\" } }\n  - { id: flaky, tool: shell, action: run, parameters: { command: \"n=$(cat n 2>/dev/null || echo 0); echo $((n+1)) > n; [ $((n % 2)) -eq 1 ] || { echo timeout >&2; exit 3; }\" } }\n";
    let path = sandbox.write("w.yaml", yaml);
    sandbox.run(&["workflow", "create", "--file", path.to_str().unwrap()]);
    for _ in 0..6 {
        sandbox.run(&["workflow", "run", "Flaky"]);
    }
    let report: Value =
        serde_json::from_slice(&sandbox.run(&["workflow", "optimize", "Flaky", "--json"]).stdout).unwrap();
    let kinds: Vec<&str> =
        report["recommendations"].as_array().unwrap().iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"retry"), "failures between successes are worth a retry: {report}");
}
