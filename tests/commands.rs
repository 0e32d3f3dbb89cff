//! The commands layer on its own: typed requests in, typed reports out, against a real SQLite
//! file in a temp dir, with no binary and no printing.

use indexmap::IndexMap;

use alpha::commands::history::HistoryRequest;
use alpha::commands::library::{self, Edited, ListRequest};
use alpha::commands::schedule::{self, ScheduleRequest};
use alpha::commands::{Context, run};
use alpha::error::Error;
use alpha::store::{RunStatus, StepStatus};
use alpha::workflow::{Document, Format};

use super::test::unindent;
use crate::on_both;

fn context() -> (tempfile::TempDir, Context) {
    let dir = tempfile::tempdir().expect("temp dir");
    let ctx = Context::new(&dir.path().join("alpha.db"));
    (dir, ctx)
}

/// A context whose library is on `backend`.
fn context_on(backend: crate::common::Backend) -> (crate::common::Sandbox, Context) {
    let sandbox = crate::common::Sandbox::on(backend);
    let ctx = Context::new(&sandbox.db());
    (sandbox, ctx)
}

fn workflow(yaml: &str) -> alpha::workflow::Workflow {
    Document::from_text("test.yaml".to_string(), unindent(yaml), Format::Yaml).load().expect("a valid workflow")
}

const GREET: &str = "
    name: Greet
    tags: [demo]
    parameters:
      who: { type: string, default: World }
    steps:
      - id: hello
        tool: shell
        action: run
        parameters: { command: 'echo hello {{ who }}' }
";

#[test]
fn reading_commands_never_create_a_library() {
    let (dir, ctx) = context();
    assert!(library::list(&ctx, &ListRequest::default()).expect("list").is_empty());
    let runs =
        alpha::commands::history::runs(&ctx, &HistoryRequest { workflow: None, status: None, since: None, limit: 5 });
    assert!(runs.expect("history").is_empty());
    assert!(schedule::status(&ctx).expect("status").is_empty());
    assert!(!dir.path().join("alpha.db").exists(), "asking questions must not create a database");
}

on_both! {
    fn save_list_show_and_versions_report_what_is_stored(backend) {
        let (_dir, ctx) = context_on(backend);
        let saved = library::save(&ctx, &workflow(GREET), false).expect("save");
        assert_eq!((saved.name.as_str(), saved.version.as_str()), ("Greet", "1.0.0"));
        let again = library::save(&ctx, &workflow(GREET), false);
        assert!(matches!(again, Err(Error::Usage { .. })), "a duplicate name is a usage error: {again:?}");

        let tagged = library::list(&ctx, &ListRequest { tags: vec!["DEMO".into()], search: None }).expect("list");
        assert_eq!(tagged.iter().map(|l| l.name.as_str()).collect::<Vec<_>>(), ["Greet"]);
        let none = library::list(&ctx, &ListRequest { tags: vec!["other".into()], search: None }).expect("list");
        assert!(none.is_empty());

        let shown = library::show(&ctx, "greet", None).expect("show is case-insensitive");
        assert_eq!(shown.definition.parameters["who"].default, Some(serde_json::json!("World")));
        assert!(shown.recent_runs.is_empty());

        let changed = workflow(&GREET.replace("World", "Everyone"));
        library::save(&ctx, &changed, true).expect("replace keeps a version");
        let (name, versions) = library::versions(&ctx, "Greet").expect("versions");
        assert_eq!(name, "Greet");
        assert_eq!(versions.len(), 2);
        assert_eq!(versions.iter().filter(|v| v.current).count(), 1);
        let diffed = library::diff(&ctx, "Greet", &versions[0].version, None).expect("diff");
        let removed = diffed.diff.lines().any(|l| l.starts_with('-') && l.contains("World"));
        let added = diffed.diff.lines().any(|l| l.starts_with('+') && l.contains("Everyone"));
        assert!(removed && added, "{}", diffed.diff);
    }
}

on_both! {
    fn an_edit_saves_a_new_version_and_an_invalid_one_saves_nothing(backend) {
        let (_dir, ctx) = context_on(backend);
        library::save(&ctx, &workflow(GREET), false).expect("save");
        let editing = library::begin_edit(&ctx, "Greet").expect("begin");
        let same = library::finish_edit(&ctx, &editing, "greet.yaml", editing.text.clone()).expect("unchanged");
        assert!(matches!(same, Edited::Unchanged { ref version, .. } if version == "1.0.0"));

        let broken =
            library::finish_edit(&ctx, &editing, "greet.yaml", editing.text.replace("tool: shell", "tool: nosuch"));
        assert!(matches!(broken, Err(Error::Invalid(_))), "{broken:?}");
        assert_eq!(library::show(&ctx, "Greet", None).expect("show").version, "1.0.0", "nothing was saved");

        let edited = editing.text.replace("World", "Friends");
        let saved = library::finish_edit(&ctx, &editing, "greet.yaml", edited).expect("saved");
        assert!(matches!(saved, Edited::Saved { ref version, .. } if version == "1.0.1"), "{saved:?}");
    }
}

on_both! {
    fn a_run_is_recorded_and_its_details_are_read_back(backend) {
        let (_dir, ctx) = context_on(backend);
        library::save(&ctx, &workflow(GREET), false).expect("save");
        let events = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
        let seen = events.clone();
        let command = run::RunCommand {
            target: "Greet".into(),
            params: IndexMap::from([("who".to_string(), "Bob".to_string())]),
            trigger: "manual".into(),
            verbose: false,
            sink: std::sync::Arc::new(move |event: &alpha::executor::events::Event| {
                seen.lock().unwrap().push(serde_json::to_value(event).unwrap());
            }),
        };
        let summary = run::run(&ctx, command).expect("run");
        assert_eq!(summary.status, RunStatus::Completed);
        assert_eq!(summary.exit_code(), 0);
        let events = events.lock().unwrap();
        assert_eq!(events.first().map(|e| e["event"].clone()), Some("run_started".into()));
        assert_eq!(events.last().map(|e| e["event"].clone()), Some("run_finished".into()));

        let details = alpha::commands::history::run_details(&ctx, &summary.run_id[..8]).expect("details by prefix");
        assert_eq!(details.run.parameters["who"], "Bob");
        assert_eq!(details.steps.len(), 1);
        assert_eq!(details.steps[0].status, StepStatus::Success);
        assert_eq!(details.steps[0].output.as_deref(), Some("hello Bob"));

        let plan = run::dry_run(&ctx, "Greet", IndexMap::new()).expect("dry run");
        assert!(plan.text.contains("who = World") && plan.text.contains("1/1 hello [shell run]"), "{}", plan.text);
        let unknown = run::dry_run(&ctx, "Greet", IndexMap::from([("whom".to_string(), "x".to_string())]));
        assert!(matches!(unknown, Err(Error::Usage { ref help, .. }) if help.as_deref() == Some("did you mean `who`?")));
    }
}

on_both! {
    fn scheduling_normalizes_phrases_and_a_repeat_is_not_added_twice(backend) {
        let (_dir, ctx) = context_on(backend);
        library::save(&ctx, &workflow(GREET), false).expect("save");
        let request = ScheduleRequest {
            workflow: "greet".into(),
            when: "every weekday at 9am".into(),
            timezone: Some("Europe/Berlin".into()),
            policy: Default::default(),
            params: IndexMap::from([("who".to_string(), "Bob".to_string())]),
            add: false,
        };
        let first = schedule::schedule(&ctx, &request).expect("schedule");
        assert_eq!(first.cron, "0 9 * * 1-5");
        assert!(first.added);
        assert_eq!(first.next_fires.len(), 3);
        assert!(!schedule::schedule(&ctx, &request).expect("again").added);
        let bad = schedule::schedule(&ctx, &ScheduleRequest { when: "whenever".into(), ..request.clone() });
        assert!(matches!(bad, Err(Error::Usage { .. })));
        let zone = schedule::schedule(&ctx, &ScheduleRequest { timezone: Some("Mars/Olympus".into()), ..request });
        assert!(matches!(zone, Err(Error::Usage { .. })));
        let status = schedule::status(&ctx).expect("status");
        assert_eq!(status.len(), 1);
        assert_eq!(status[0].timezone.as_deref(), Some("Europe/Berlin"));
        assert!(status[0].next_fire.is_some());
        assert_eq!(status[0].parameters["who"], "Bob");
        assert_eq!(schedule::unschedule(&ctx, "Greet", None).expect("unschedule").removed, 1);
    }
}

#[test]
fn parse_reads_the_library_and_reports_its_source() {
    let (_dir, ctx) = context();
    library::save(&ctx, &workflow(GREET), false).expect("save");
    let parsed = alpha::commands::parse::parse(&ctx, "please run greet with who=Bob").expect("parse");
    let json = serde_json::to_value(&parsed).expect("json");
    assert_eq!(
        json,
        serde_json::json!({"intent": "run", "workflow": "Greet", "params": {"who": "Bob"}, "source": "grammar"})
    );
}
