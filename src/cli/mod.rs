//! The command-line face: parses arguments with clap, calls the commands layer, and renders
//! each report as text or as `--json` (serde of the same report), in one place per command.

pub mod args;
mod create;
mod library;
mod run;
mod scheduler;
mod serve;
mod worker;

use clap::Parser as _;

use crate::commands::Context;
use crate::error::{Error, exit};
use crate::terminal::stderr_color;
use args::{Cli, Command};

/// Runs the CLI and returns the process exit code.
pub fn main() -> i32 {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            let code = if error.use_stderr() { exit::USAGE } else { exit::OK };
            let _ = error.print();
            return code;
        }
    };
    if cli.starts_a_run() {
        // SAFETY: nothing has started a thread yet: only the arguments were parsed.
        unsafe { crate::process::reserve_run_id() };
    }
    match dispatch(cli) {
        Ok(code) => code,
        Err(error) => report(&error),
    }
}

/// Prints an error the way users should see it and returns its exit code.
pub fn report(error: &Error) -> i32 {
    crate::err!("{}", crate::terminal::text::error(error, stderr_color()));
    error.exit_code()
}

/// Prints one report as a JSON document.
fn print_json<T: serde::Serialize>(value: &T) -> Result<i32, Error> {
    let text =
        serde_json::to_string_pretty(value).map_err(|e| Error::io("can't encode JSON", std::io::Error::other(e)))?;
    crate::outln!("{text}");
    Ok(exit::OK)
}

fn dispatch(cli: Cli) -> Result<i32, Error> {
    let db = crate::paths::database(cli.db.or_else(|| crate::config::settings().store()));
    let ctx = Context::new(&db);
    let Some(command) = cli.command else {
        return crate::repl::run(&ctx);
    };
    match command {
        Command::Workflow(command) => library::workflow(&ctx, command),
        Command::Run(args) => run::run(&ctx, args),
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            let mut buffer = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "alpha", &mut buffer);
            crate::terminal::visible::write_data(&String::from_utf8_lossy(&buffer));
            Ok(exit::OK)
        }
        Command::Man => {
            use clap::CommandFactory as _;
            let mut buffer = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut buffer)
                .map_err(|e| Error::io("can't write the manual page", e))?;
            crate::terminal::visible::write_data(&String::from_utf8_lossy(&buffer));
            Ok(exit::OK)
        }
        Command::Parse { utterance, json } => {
            let parsed = crate::commands::parse::parse(&ctx, &utterance)?;
            if !json {
                crate::outln!("{}", crate::terminal::intent::describe(&parsed.intent));
            }
            let line =
                serde_json::to_string(&parsed).map_err(|e| Error::io("can't encode JSON", std::io::Error::other(e)))?;
            crate::outln!("{line}");
            Ok(exit::OK)
        }
        Command::Suggest { from, format, accept, name, dismiss, all, json } => {
            let request = library::SuggestArgs { from, format, accept, name, dismiss, all, json };
            library::suggest(&ctx, request)
        }
        Command::History(command) => library::history(&ctx, command),
        Command::Scheduler(command) => scheduler::command(&ctx, command),
        Command::Template(command) => library::template(&ctx, command),
        Command::Serve(args) => serve::serve(&ctx, args),
        Command::Worker(args) => worker::worker(&ctx, args),
    }
}
