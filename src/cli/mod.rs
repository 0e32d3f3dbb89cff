//! The command-line face: parses arguments, calls the library, prints results, picks the exit code.

pub mod args;
mod files;
pub mod output;

use clap::Parser as _;

use crate::error::{Error, exit};
use args::{Cli, Command, WorkflowCommand};
use output::stderr_color;

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
    match dispatch(cli) {
        Ok(code) => code,
        Err(error) => report(&error),
    }
}

/// Prints an error the way users should see it and returns its exit code.
pub fn report(error: &Error) -> i32 {
    match error {
        Error::Invalid(diagnostics) => eprint!("{}", diagnostics.render(stderr_color())),
        Error::Usage { message, help } => {
            eprintln!("error: {message}");
            if let Some(help) = help {
                eprintln!("  help: {help}");
            }
        }
        other => eprintln!("error: {other}"),
    }
    error.exit_code()
}

fn dispatch(cli: Cli) -> Result<i32, Error> {
    let Some(command) = cli.command else {
        return Err(not_yet("the chat shell"));
    };
    match command {
        Command::Workflow(command) => workflow(command),
        Command::Parse { .. } => Err(not_yet("`alpha parse`")),
        Command::Suggest { .. } => Err(not_yet("`alpha suggest`")),
        Command::History(_) => Err(not_yet("`alpha history`")),
        Command::Scheduler(_) => Err(not_yet("`alpha scheduler`")),
        Command::Template(_) => Err(not_yet("`alpha template`")),
    }
}

fn workflow(command: WorkflowCommand) -> Result<i32, Error> {
    match command {
        WorkflowCommand::Validate { files, json } => files::validate(&files, json),
        WorkflowCommand::Schema => {
            print!("{}", crate::workflow::schema::json_schema());
            Ok(exit::OK)
        }
        other => Err(not_yet(&format!("`alpha workflow {}`", subcommand_name(&other)))),
    }
}

fn subcommand_name(command: &WorkflowCommand) -> String {
    let debug = format!("{command:?}");
    debug.split([' ', '{', '(']).next().unwrap_or("").to_lowercase()
}

fn not_yet(what: &str) -> Error {
    Error::usage_with(
        format!("{what} is not available in this version of alpha yet"),
        "see `alpha --help` for what works today",
    )
}
