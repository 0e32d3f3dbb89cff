//! `alpha workflow create --interactive` and `alpha workflow create "what it should do"`.

use std::io::{BufRead, IsTerminal, Write};

use crate::builder::{Dialog, Reply, interactive};
use crate::commands::{Context, library};
use crate::error::{Error, Result, exit};

/// The prompts of the original specification.
pub fn interactive(ctx: &Context) -> Result<i32> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let mut output = std::io::stdout();
    let echo = !std::io::stdin().is_terminal();
    // The shell history is read first, so its commands can suggest parameters.
    let _ = crate::commands::suggest::import_history(ctx, None, None);
    let taken = |name: &str| library::exists(ctx, name).unwrap_or(false);
    let seen = |command: &str| crate::commands::suggest::similar_commands(ctx, command);
    let lookups = interactive::Lookups { taken: &taken, seen: &seen };
    let workflow = interactive::build(&mut input, &mut output, echo, &lookups)
        .map_err(|e| Error::io("can't read the answers", e))?;
    let Some(workflow) = workflow else {
        crate::outln!("\nNothing was saved.");
        return Ok(exit::USAGE);
    };
    let saved = library::save(ctx, &workflow, false)?;
    crate::outln!("\nWorkflow '{}' created successfully!", saved.name);
    Ok(exit::OK)
}

/// The conversational builder, with answers read line by line from stdin.
pub fn conversation(ctx: &Context, description: &str) -> Result<i32> {
    let dir = std::env::current_dir().unwrap_or_default();
    let (mut dialog, lines) = crate::builder::start(Some(description), None, &dir)?;
    let say = |lines: &[String]| {
        for line in lines {
            crate::outln!("{line}");
        }
    };
    say(&lines);
    let stdin = std::io::stdin();
    let tty = stdin.is_terminal();
    loop {
        if tty {
            crate::out!("> ");
            let _ = std::io::stdout().flush();
        }
        let mut line = String::new();
        if stdin.lock().read_line(&mut line).map_err(|e| Error::io("can't read the answer", e))? == 0 {
            crate::outln!("Nothing was saved.");
            return Ok(exit::USAGE);
        }
        match dialog.answer(line.trim_end_matches(['\n', '\r'])) {
            Reply::Ask(lines) => say(&lines),
            Reply::Cancelled(message) => {
                crate::outln!("{message}");
                return Ok(exit::OK);
            }
            Reply::Save(workflow) => {
                if library::exists(ctx, &workflow.name)? {
                    say(&dialog.ask_name_again(&workflow.name));
                    continue;
                }
                let saved = library::save(ctx, &workflow, false)?;
                say(&Dialog::saved_message(&saved.workflow));
                return Ok(exit::OK);
            }
        }
    }
}
