//! `alpha workflow …`, `alpha suggest` and `alpha template …`: each subcommand calls one
//! command and renders its report.

use std::io::Read as _;
use std::path::PathBuf;

use super::args::{HistoryFormatArg, TemplateCommand, WorkflowCommand};
use super::print_json;
use crate::commands::library::{self, ListRequest};
use crate::commands::suggest::HistorySource;
use crate::commands::{Context, files, history, optimize, schedule, suggest, templates};
use crate::error::{Error, Result, exit};
use crate::store::SchedulePolicy;
use crate::terminal::{Output, prompt, stderr_color, text};
use crate::workflow::{Format, to_text};

/// Dispatches `alpha workflow …`.
pub fn workflow(ctx: &Context, command: WorkflowCommand) -> Result<i32> {
    let out = Output::detect();
    match command {
        WorkflowCommand::Validate { files, json } => validate(&files, json),
        WorkflowCommand::Schema => {
            crate::terminal::visible::write_data(&crate::workflow::schema::json_schema());
            Ok(exit::OK)
        }
        WorkflowCommand::List { tags, search, json } => {
            let filtered = !tags.is_empty() || search.is_some();
            let rows = library::list(ctx, &ListRequest { tags, search })?;
            if json {
                return print_json(&rows);
            }
            crate::out!("{}", text::list(&rows, filtered, out));
            Ok(exit::OK)
        }
        WorkflowCommand::Show { name, version, format, json } => {
            let shown = library::show(ctx, &name, version.as_deref())?;
            if json {
                return print_json(&shown);
            }
            let format = Format::from(format);
            let shown = text::show(&shown, format, out);
            if format == Format::Json {
                crate::terminal::visible::write_data(&shown);
            } else {
                crate::out!("{shown}");
            }
            Ok(exit::OK)
        }
        WorkflowCommand::Create { file: Some(file), replace, json, .. } => {
            let saved = library::create_from_file(ctx, &file, replace)?;
            if json {
                return print_json(&saved);
            }
            crate::out!("{}", text::saved(&saved, out));
            Ok(exit::OK)
        }
        WorkflowCommand::Create { file: None, interactive: true, .. } => super::create::interactive(ctx),
        WorkflowCommand::Create { file: None, description: Some(description), .. } => {
            super::create::conversation(ctx, &description)
        }
        WorkflowCommand::Create { file: None, .. } => Err(Error::usage_with(
            "nothing to create from",
            "pass --file FILE (or - for stdin), --interactive, or a description in quotes",
        )),
        WorkflowCommand::Edit { name } => crate::terminal::editor::edit(ctx, &name),
        WorkflowCommand::Delete { name, yes } => delete(ctx, &name, yes),
        WorkflowCommand::Rename { name, new_name, json } => {
            let renamed = library::rename(ctx, &name, &new_name)?;
            if json {
                return print_json(&renamed);
            }
            crate::out!("{}", text::renamed(&renamed));
            Ok(exit::OK)
        }
        WorkflowCommand::History { name, limit, status, since, run, json } => {
            if let Some(run_id) = run {
                let details = history::run_details(ctx, &run_id)?;
                if json {
                    return print_json(&details);
                }
                crate::out!("{}", text::run_details(&details));
                return Ok(exit::OK);
            }
            let since = since.as_deref().map(|text| history::since(ctx, text)).transpose()?;
            let runs = history::runs(ctx, &history::HistoryRequest { workflow: name, status, since, limit })?;
            if json {
                return print_json(&runs);
            }
            crate::out!("{}", text::history(&runs));
            if !runs.is_empty() && std::io::IsTerminal::is_terminal(&std::io::stdout()) {
                crate::outln!(
                    "See them as a grid of runs by steps, with timelines and output, in the dashboard: alpha serve"
                );
            }
            Ok(exit::OK)
        }
        WorkflowCommand::Logs { run, step, json } => {
            let logs = history::logs(ctx, &run, step.as_deref())?;
            if json {
                return print_json(&logs);
            }
            crate::terminal::visible::print_logs(&logs);
            Ok(exit::OK)
        }
        WorkflowCommand::Export { name, file, format, force } => {
            let exported = library::export(ctx, &name, file.as_deref(), format.map(Format::from), force)?;
            match (&exported.text, &exported.file) {
                (Some(text), _) => crate::terminal::visible::write_data(text),
                (None, Some(file)) => crate::errln!("Exported '{}' v{} to {file}", exported.name, exported.version),
                (None, None) => {}
            }
            Ok(exit::OK)
        }
        WorkflowCommand::Import { files, replace, json } => import(ctx, &files, replace, json),
        WorkflowCommand::Versions { name, json } => {
            let (name, rows) = library::versions(ctx, &name)?;
            if json {
                return print_json(&rows);
            }
            crate::out!("{}", text::versions(&name, &rows));
            Ok(exit::OK)
        }
        WorkflowCommand::Diff { name, v1, v2, json } => {
            let diffed = library::diff(ctx, &name, &v1, v2.as_deref())?;
            if json {
                return print_json(&diffed);
            }
            crate::out!("{}", text::diff(&diffed));
            Ok(exit::OK)
        }
        WorkflowCommand::Rollback { name, version, json } => {
            let rolled = library::rollback(ctx, &name, &version)?;
            if json {
                return print_json(&rolled);
            }
            crate::out!("{}", text::rolled_back(&rolled));
            Ok(exit::OK)
        }
        WorkflowCommand::Run(args) => super::run::run(ctx, args),
        WorkflowCommand::Schedule { name, when, add, timezone, overlap, catchup, catchup_window, json } => {
            let policy =
                SchedulePolicy { overlap, catchup, catchup_window_s: schedule::window_seconds(&catchup_window)? };
            // Words like `who=Bob` are parameters; cron and phrases never contain `=`.
            let (assignments, words): (Vec<String>, Vec<String>) = when.into_iter().partition(|w| is_assignment(w));
            let params = crate::executor::params::parse_assignments(&assignments)?;
            let request =
                schedule::ScheduleRequest { workflow: name, when: words.join(" "), timezone, policy, params, add };
            let scheduled = schedule::schedule(ctx, &request)?;
            if json {
                return print_json(&scheduled);
            }
            crate::out!("{}", text::scheduled(&scheduled));
            Ok(exit::OK)
        }
        WorkflowCommand::Unschedule { name, when, json } => {
            let when = (!when.is_empty()).then(|| when.join(" "));
            let removed = schedule::unschedule(ctx, &name, when.as_deref())?;
            if json {
                return print_json(&removed);
            }
            crate::out!("{}", text::unscheduled(&removed));
            Ok(exit::OK)
        }
        WorkflowCommand::Optimize { name, apply, yes, json } => optimize(ctx, &name, apply, yes, json),
        WorkflowCommand::Graph { name, format } => {
            crate::out!("{}", crate::commands::run::graph(ctx, &name, format.into())?);
            Ok(exit::OK)
        }
    }
}

/// `name=value`, with a parameter name before the `=`.
fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(key, _)| {
        key.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
            && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

fn validate(paths: &[PathBuf], json: bool) -> Result<i32> {
    let checks = files::validate(paths);
    let code = if checks.iter().all(|c| c.valid) { exit::OK } else { exit::USAGE };
    if json {
        print_json(&checks)?;
        return Ok(code);
    }
    let out = Output::detect();
    for check in &checks {
        if let Some(problems) = &check.problems {
            crate::err!("{}", problems.render(stderr_color()));
        }
        crate::out!("{}", text::file_check(check, out));
    }
    Ok(code)
}

fn delete(ctx: &Context, name: &str, yes: bool) -> Result<i32> {
    let found = library::summary(ctx, name)?;
    if !yes {
        if !prompt::interactive() {
            return Err(Error::usage_with(
                format!("not deleting '{}' without confirmation", found.name),
                "pass --yes to delete without a terminal",
            ));
        }
        let question = format!(
            "Delete workflow '{}' (v{}, {} runs)? Its run history stays readable. [y/N] ",
            found.name, found.version, found.execution_count
        );
        if !prompt::confirm(&question)? {
            crate::outln!("Kept '{}'.", found.name);
            return Ok(exit::OK);
        }
    }
    let deleted = library::delete(ctx, &found.name)?;
    crate::outln!("Deleted workflow '{}'.", deleted.name);
    Ok(exit::OK)
}

fn import(ctx: &Context, paths: &[PathBuf], replace: bool, json: bool) -> Result<i32> {
    let imported = library::import(ctx, paths, replace)?;
    let code = if imported.iter().all(|i| i.imported) { exit::OK } else { exit::USAGE };
    if json {
        print_json(&imported)?;
        return Ok(code);
    }
    let out = Output::detect();
    for item in &imported {
        match (&item.workflow, &item.failure) {
            (Some(workflow), _) => {
                crate::outln!("{} {}: imported {}", out.good("✓"), item.file, text::summary(workflow))
            }
            (None, failure) => {
                if let Some(failure) = failure {
                    crate::err!("{}", text::error(failure, stderr_color()));
                }
                crate::outln!("{} {}: not imported", out.bad("✗"), item.file);
            }
        }
    }
    Ok(code)
}

fn optimize(ctx: &Context, name: &str, apply: bool, yes: bool, json: bool) -> Result<i32> {
    let optimized = optimize::optimize(ctx, name)?;
    if json {
        print_json(&optimized)?;
    } else {
        crate::out!("{}", text::optimized(&optimized));
    }
    let Some(proposal) = &optimized.proposal else { return Ok(exit::OK) };
    if !apply {
        if !json {
            crate::outln!(
                "Apply them as a new version with: alpha workflow optimize {} --apply",
                crate::template::shell_quote(&optimized.workflow)
            );
        }
        return Ok(exit::OK);
    }
    crate::out!("{}", text::diff_text(&proposal.diff, &proposal.from_version, &proposal.to_version));
    if !yes {
        if !prompt::interactive() {
            crate::outln!("Not applied: confirm on a terminal or pass --yes.");
            return Ok(exit::USAGE);
        }
        if !prompt::confirm(&format!("Save as v{}? [y/N] ", proposal.to_version))? {
            crate::outln!("Not applied.");
            return Ok(exit::OK);
        }
    }
    let saved = library::accept(ctx, proposal, "optimized")?;
    crate::outln!("Saved '{}' as v{}.", saved.name, saved.version);
    Ok(exit::OK)
}

/// `alpha suggest`
/// `alpha suggest`'s arguments.
pub struct SuggestArgs {
    pub from: Option<PathBuf>,
    pub format: Option<HistoryFormatArg>,
    pub accept: Option<usize>,
    pub name: Option<String>,
    pub dismiss: Option<usize>,
    pub all: bool,
    pub json: bool,
}

/// `alpha suggest [--accept N [--name NAME] | --dismiss N] [--all]`
pub fn suggest(ctx: &Context, args: SuggestArgs) -> Result<i32> {
    let source = match args.from {
        Some(path) if path.as_os_str() == "-" => HistorySource::Text(read_stdin()?),
        Some(path) => HistorySource::File(path),
        None if !prompt::interactive() && args.accept.is_none() && args.dismiss.is_none() => {
            let bytes = read_stdin()?;
            if bytes.iter().all(u8::is_ascii_whitespace) { HistorySource::Recorded } else { HistorySource::Text(bytes) }
        }
        None => HistorySource::Recorded,
    };
    let format = args.format.map(Into::into);
    if let Some(number) = args.accept {
        let accepted = suggest::accept(ctx, source, format, number, args.name.as_deref())?;
        if args.json {
            return print_json(&accepted);
        }
        crate::out!("{}", text::suggestion_accepted(&accepted));
        return Ok(exit::OK);
    }
    if let Some(number) = args.dismiss {
        let dismissed = suggest::dismiss(ctx, source, format, number)?;
        if args.json {
            return print_json(&dismissed);
        }
        crate::outln!("Dismissed {number} ({}): it won't be suggested again.", dismissed.suggested_name);
        return Ok(exit::OK);
    }
    let found = suggest::suggest(ctx, source, format, args.all)?;
    if args.json {
        let mut all = found.suggestions.clone();
        if args.all {
            all.extend(found.dismissed.iter().cloned());
        }
        return print_json(&all);
    }
    crate::out!("{}", text::suggestions(&found));
    Ok(exit::OK)
}

/// `alpha history …`
pub fn history(ctx: &Context, command: crate::cli::args::HistoryCommand) -> Result<i32> {
    use crate::cli::args::HistoryCommand;
    match command {
        HistoryCommand::Sources { json } => {
            let sources = suggest::list_sources(ctx)?;
            if json {
                return print_json(&sources);
            }
            crate::out!("{}", text::history_sources(&sources));
        }
        HistoryCommand::Read { file, format, json } => {
            let read = suggest::read_file(&file, format.map(Into::into))?;
            if json {
                return print_json(&read);
            }
            crate::outln!("{}: {} commands ({})", read.path, read.read, read.format);
        }
        HistoryCommand::Import { from, format, json } => {
            let imported = suggest::import_history(ctx, from, format.map(Into::into))?;
            if json {
                return print_json(&imported);
            }
            crate::out!("{}", text::history_imported(&imported));
        }
    }
    Ok(exit::OK)
}

fn read_stdin() -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    std::io::stdin().read_to_end(&mut bytes).map_err(|e| Error::io("can't read stdin", e))?;
    Ok(bytes)
}

/// `alpha template …`
pub fn template(ctx: &Context, command: TemplateCommand) -> Result<i32> {
    match command {
        TemplateCommand::List { json } => {
            let all = templates::list()?;
            if json {
                return print_json(&all);
            }
            crate::out!("{}", text::templates(&all));
        }
        TemplateCommand::Show { name } => crate::out!("{}", to_text(&templates::show(&name)?, Format::Yaml)),
        TemplateCommand::Use { name, new_name, params, json } => {
            let defaults = crate::executor::params::parse_assignments(&params)?;
            let made = templates::use_template(ctx, &name, new_name.as_deref(), &defaults)?;
            if json {
                return print_json(&made);
            }
            crate::outln!("Saved '{}' from the '{}' template.", made.saved.name, made.template);
            crate::outln!("Run with: alpha workflow run {}", crate::template::shell_quote(&made.saved.name));
        }
    }
    Ok(exit::OK)
}
