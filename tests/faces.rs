//! The faces around the chat: `alpha run` as a shortcut, shell completions, the man page, and
//! `/help` listing every slash command.

use crate::common::{Sandbox, stderr, stdout};

#[test]
fn alpha_run_is_a_shortcut_for_workflow_run() {
    let sandbox = Sandbox::new();
    sandbox.save(
        "greet.yaml",
        "name: Greet\nparameters:\n  who: { type: string }\nsteps:\n  - { id: hi, tool: shell, action: run, parameters: { command: \"echo hi {{ who }}\" } }\n",
    );
    let out = sandbox.run(&["run", "Greet", "who=Ann", "--verbose"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("hi Ann"), "{}", stdout(&out));
    let out = sandbox.run(&["run", "Greet"]);
    assert_eq!(out.status.code(), Some(2), "a missing parameter is a usage error, as with workflow run");
    assert!(stderr(&out).contains("who"), "{}", stderr(&out));
}

#[test]
fn completions_are_valid_scripts_for_each_shell() {
    let sandbox = Sandbox::new();
    let bash = stdout(&sandbox.run(&["completions", "bash"]));
    assert!(bash.contains("workflow") && bash.contains("complete -F"), "{bash}");
    let file = sandbox.write("alpha.bash", &bash);
    let check = std::process::Command::new("bash").arg("-n").arg(&file).output().unwrap();
    assert!(check.status.success(), "bash -n: {}", String::from_utf8_lossy(&check.stderr));
    for shell in ["zsh", "fish", "elvish", "powershell"] {
        let out = sandbox.run(&["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        assert!(stdout(&out).contains("schedule"), "{shell} completes subcommands");
    }
    assert_eq!(sandbox.run(&["completions", "tcsh"]).status.code(), Some(2), "an unknown shell is a usage error");
}

#[test]
fn the_man_page_documents_the_commands() {
    let sandbox = Sandbox::new();
    let page = stdout(&sandbox.run(&["man"]));
    assert!(page.starts_with(".ie") || page.contains(".TH alpha 1"), "{page}");
    for command in ["workflow", "run", "completions", "scheduler"] {
        assert!(page.contains(command), "the page names {command}");
    }
}

#[test]
fn slash_help_lists_the_conversation_commands() {
    let sandbox = Sandbox::new();
    let text = stdout(&sandbox.alpha().write_stdin("/help\n").output().unwrap());
    for command in ["/rerun", "/explain", "/logs", "/versions", "/schedules", "/templates", "/history"] {
        assert!(text.contains(command), "{command} in /help: {text}");
    }
}
