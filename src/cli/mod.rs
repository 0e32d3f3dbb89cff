//! The command-line face: parses arguments, calls the library, prints results, picks the exit code.

pub mod args;
pub mod create;
pub(crate) mod files;
pub mod library;
pub mod optimize;
pub mod output;
pub mod parse;
pub mod proactive;
pub mod run;
pub mod schedule;
pub mod scheduler;
pub mod templates;

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
        other => {
            eprintln!("error: {other}");
            if other.is_corrupt() {
                eprintln!("  help: {}", crate::store::DAMAGED_HINT);
            }
            if other.is_disk_full() {
                eprintln!(
                    "  help: the disk holding alpha's database is full; free some space and try again (what was saved before is intact)"
                );
            }
        }
    }
    error.exit_code()
}

fn dispatch(cli: Cli) -> Result<i32, Error> {
    let db = crate::paths::database(cli.db);
    let Some(command) = cli.command else {
        return crate::repl::run(&db);
    };
    match command {
        Command::Workflow(command) => workflow(command, &db),
        Command::Parse { utterance, json } => parse::parse(&db, &utterance, json),
        Command::Suggest { from, format, json } => proactive::suggest(&db, from.as_deref(), format.as_deref(), json),
        Command::History(args::HistoryCommand::Import { from, format }) => {
            proactive::import(&db, from, format.as_deref())
        }
        Command::Scheduler(command) => scheduler::command(&db, command),
        Command::Template(command) => templates::command(&db, command),
    }
}

fn workflow(command: WorkflowCommand, db: &std::path::Path) -> Result<i32, Error> {
    let open = || crate::store::Store::open(db);
    match command {
        WorkflowCommand::Validate { files, json } => files::validate(&files, json),
        WorkflowCommand::Schema => {
            print!("{}", crate::workflow::schema::json_schema());
            Ok(exit::OK)
        }
        WorkflowCommand::List { tags, search, json } => library::list(&open()?, &tags, search.as_deref(), json),
        WorkflowCommand::Show { name, version, format, json } => {
            library::show(&open()?, &name, version.as_deref(), format, json)
        }
        WorkflowCommand::Create { file: Some(file), replace, json, .. } => {
            library::create(&mut open()?, &file, replace, json)
        }
        WorkflowCommand::Create { file: None, interactive: true, .. } => create::interactive(&mut open()?),
        WorkflowCommand::Create { file: None, description: Some(description), .. } => {
            create::conversation(&mut open()?, &description)
        }
        WorkflowCommand::Create { file: None, .. } => Err(Error::usage_with(
            "nothing to create from",
            "pass --file FILE (or - for stdin), --interactive, or a description in quotes",
        )),
        WorkflowCommand::Edit { name } => library::edit(&mut open()?, &name),
        WorkflowCommand::Delete { name, yes } => library::delete(&mut open()?, &name, yes),
        WorkflowCommand::History { name, limit, status, run, json } => {
            library::history(&open()?, name.as_deref(), limit, status.as_deref(), run.as_deref(), json)
        }
        WorkflowCommand::Export { name, file, format } => library::export(&open()?, &name, file.as_deref(), format),
        WorkflowCommand::Import { files, replace, json } => library::import(&mut open()?, &files, replace, json),
        WorkflowCommand::Versions { name, json } => library::versions(&open()?, &name, json),
        WorkflowCommand::Diff { name, v1, v2 } => library::diff(&open()?, &name, &v1, v2.as_deref()),
        WorkflowCommand::Rollback { name, version } => library::rollback(&mut open()?, &name, &version),
        WorkflowCommand::Run(args) => run::run(db, args),
        WorkflowCommand::Schedule { name, when, timezone, overlap, catchup, catchup_window } => {
            let policy = crate::store::SchedulePolicy {
                overlap,
                catchup,
                catchup_window_s: schedule::window_seconds(&catchup_window)?,
            };
            schedule::schedule(&open()?, &name, &when.join(" "), timezone.as_deref(), &policy)
        }
        WorkflowCommand::Unschedule { name } => schedule::unschedule(&open()?, &name),
        WorkflowCommand::Optimize { name, apply, yes, json } => optimize::optimize(db, &name, apply, yes, json),
        WorkflowCommand::Graph { name, format } => {
            let store = open()?;
            let (workflow, _) = run::resolve_target(&store, &name)?;
            let diagram = match format {
                args::GraphFormat::Mermaid => crate::executor::Diagram::Mermaid,
                args::GraphFormat::Dot => crate::executor::Diagram::Dot,
            };
            print!("{}", crate::executor::graph(&workflow, diagram));
            Ok(exit::OK)
        }
    }
}
