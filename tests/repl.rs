//! The chat shell: piped stdin (one utterance per line) and a real pseudo-terminal.

use std::time::Duration;

use crate::common::{Sandbox, stderr, stdout};
use crate::on_both;

const GREET: &str = "name: Greet\nparameters:\n  who: { type: string, default: world }\nsteps:\n  - { id: hello, name: Say Hello, tool: shell, action: run, parameters: { command: \"echo hello {{ who }}\" } }\noutputs:\n  said: \"{{ hello.output }}\"\n";

fn with_greet(sandbox: &Sandbox) {
    let path = sandbox.write("greet.yaml", GREET);
    assert_eq!(sandbox.run(&["workflow", "create", "--file", path.to_str().unwrap()]).status.code(), Some(0));
}

on_both! {
    fn piped_session_lists_runs_with_parameters_and_quits(backend) {
        let sandbox = Sandbox::on(backend);
        with_greet(&sandbox);
        let out = sandbox
            .alpha()
            .write_stdin("what workflows do I have?\nrun greet with who alice\nwhat ran recently?\nschedule it every morning at 10am\nyes\n/quit\nlist\n")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        let text = stdout(&out);
        assert!(text.contains("1. Greet (v1.0.0)"), "{text}");
        assert!(text.contains("✓ Step 1/1: Say Hello"), "{text}");
        assert!(text.contains("said: hello alice"), "{text}");
        assert!(text.contains("Greet success"), "{text}");
        assert!(text.contains("With the last run's parameters (who=alice)?"), "{text}");
        assert!(text.contains("Scheduled 'Greet': Daily at 10:00 AM (cron: 0 10 * * *) with who=alice."), "{text}");
        assert_eq!(text.matches("Available Workflows").count(), 1, "nothing after /quit runs: {text}");
    }
}

on_both! {
    fn piped_session_reports_failures_in_its_exit_code(backend) {
        let sandbox = Sandbox::on(backend);
        with_greet(&sandbox);
        let out = sandbox.alpha().write_stdin("run greet\nrnu greet\nno\n").output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(stdout(&out).contains("Did you mean \"run Greet\"? [y/N] no"), "{}", stdout(&out));
        assert_eq!(stdout(&out).matches("Executing workflow: Greet").count(), 1, "no is no: {}", stdout(&out));
        let out = sandbox.alpha().write_stdin("show nothing-like-it\n").output().unwrap();
        assert_eq!(out.status.code(), Some(2));
        assert!(stderr(&out).contains("no workflow named"), "{}", stderr(&out));
    }
}

on_both! {
    fn piped_delete_asks_and_honours_no_and_yes(backend) {
        let sandbox = Sandbox::on(backend);
        with_greet(&sandbox);
        let out = sandbox.alpha().write_stdin("delete greet\nno\nlist\n").output().unwrap();
        assert!(stdout(&out).contains("Kept 'Greet'"), "{}", stdout(&out));
        assert!(stdout(&out).contains("1. Greet"), "{}", stdout(&out));
        let out = sandbox.alpha().write_stdin("delete greet\nyes\nlist\n").output().unwrap();
        assert!(stdout(&out).contains("Deleted workflow 'Greet'"), "{}", stdout(&out));
        assert!(stdout(&out).contains("No workflows yet"), "{}", stdout(&out));
    }
}

#[test]
fn slash_help_lists_every_command() {
    let sandbox = Sandbox::new();
    let out = sandbox.alpha().write_stdin("/help\n").output().unwrap();
    let text = stdout(&out);
    for command in [
        "/run",
        "/list",
        "/show",
        "/create",
        "/edit",
        "/delete",
        "/schedule",
        "/history",
        "/export",
        "/import",
        "/validate",
        "/suggest",
        "/help",
        "/quit",
    ] {
        assert!(text.contains(command), "{command} missing: {text}");
    }
}

#[test]
fn pty_session_with_completion_progress_and_quit() {
    let sandbox = Sandbox::new();
    with_greet(&sandbox);
    let mut command = sandbox.command();
    command.env("TERM", "xterm");
    let mut session = rexpect::session::spawn_command(command, Some(15_000)).expect("spawn in a pty");
    session.exp_string("/help lists them").expect("greeting");
    session.exp_string("alpha> ").expect("prompt");
    session.send_line("list workflows").unwrap();
    session.exp_string("1. Greet (v1.0.0)").expect("list output");
    session.exp_string("alpha> ").unwrap();
    // Tab completes the workflow name after /run.
    session.send("/run Gr").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    session.send("\t").unwrap();
    std::thread::sleep(Duration::from_millis(200));
    session.send_line(" who=pty").unwrap();
    let before = session.exp_string("said: hello pty").expect("the completed name ran with the parameter");
    assert!(before.contains("Step 1/1: Say Hello"), "progress line shown: {before}");
    session.exp_string("alpha> ").unwrap();
    session.send_line("/quit").unwrap();
    session.exp_eof().expect("quits");
    let history = std::fs::read_to_string(sandbox.path().join("home/repl_history")).unwrap_or_default();
    assert!(history.contains("list workflows"), "history is kept in the data dir: {history}");
}

#[test]
fn a_colour_terminal_chat_prints_the_runs_summary_and_its_id_on_failure() {
    let sandbox = Sandbox::new();
    with_greet(&sandbox);
    sandbox.save(
        "fail.yaml",
        "name: Fail\nsteps:\n  - { id: boom, tool: shell, action: run, parameters: { command: 'echo broken >&2; exit 4' } }\n",
    );
    let mut command = sandbox.command();
    command.env("TERM", "xterm").env_remove("NO_COLOR");
    let mut session = rexpect::session::spawn_command(command, Some(15_000)).expect("spawn in a pty");
    session.exp_string("alpha>").expect("prompt");
    session.send_line("run greet who=colour").unwrap();
    session.exp_string("Workflow completed successfully").expect("the summary line of a run in the chat");
    session.exp_string("alpha>").unwrap();
    session.send_line("run fail").unwrap();
    session.exp_string("broken").expect("the failed step's stderr under its line");
    session.exp_string("Workflow failed at step 1/1").expect("the failure summary");
    session.exp_string("alpha workflow run --resume").expect("the resume hint with the run id");
    session.exp_string("alpha>").unwrap();
    session.send_line("/quit").unwrap();
    session.exp_eof().expect("quits");
}

#[test]
fn a_colour_terminal_keeps_its_progress_lines_when_stderr_is_redirected() {
    let sandbox = Sandbox::new();
    with_greet(&sandbox);
    let mut command = std::process::Command::new("sh");
    command
        .arg("-c")
        .arg(format!("exec '{}' workflow run Greet who=redirected 2>/dev/null", env!("CARGO_BIN_EXE_alpha")))
        .current_dir(sandbox.path())
        .env("ALPHA_HOME", sandbox.path().join("home"))
        .env("HOME", sandbox.path())
        .env("TERM", "xterm")
        .env_remove("NO_COLOR");
    let mut session = rexpect::session::spawn_command(command, Some(15_000)).expect("spawn in a pty");
    session.exp_string("Step 1/1: Say Hello").expect("the step's line on stdout");
    session.exp_string("Workflow completed successfully").expect("the summary on stdout");
    session.exp_eof().expect("ends");
}
