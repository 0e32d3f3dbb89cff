//! `alpha workflow run`: a saved workflow or a file, a dry run, or a resume, with progress drawn
//! for the terminal, as plain lines, or as JSON events.

use super::args::RunArgs;
use crate::commands::run::{self as runs, RunCommand};
use crate::commands::{Context, short_id};
use crate::error::{Error, Result, exit};
use crate::executor::params::parse_assignments;
use crate::terminal::Output;
use crate::terminal::progress::{Style, renderer};

/// `alpha workflow run`
pub fn run(ctx: &Context, args: RunArgs) -> Result<i32> {
    let style = style(&args);
    if let Some(run_id) = &args.resume {
        // With --resume, every positional word is a `key=value` override.
        let assignments: Vec<String> = args.target.iter().chain(&args.params).cloned().collect();
        let mut resumption = runs::resume(ctx, run_id, parse_assignments(&assignments)?)?;
        if style != Style::Json {
            let workflow = &resumption.request.workflow;
            crate::outln!(
                "Resuming run {} of {} (v{}): {} step{} already done",
                short_id(&resumption.earlier.id),
                workflow.name,
                workflow.version,
                resumption.done,
                if resumption.done == 1 { "" } else { "s" }
            );
        }
        resumption.request.verbose = args.verbose;
        resumption.request.sink = renderer(style, Output::detect());
        return Ok(runs::execute(ctx, resumption.request)?.exit_code());
    }
    let Some(target) = args.target.clone() else {
        return Err(Error::usage_with("which workflow?", "alpha workflow run NAME [key=value...]"));
    };
    let params = parse_assignments(&args.params)?;
    if args.queue {
        return queue(ctx, &target, params, &args, style);
    }
    if args.dry_run {
        crate::out!("{}", runs::dry_run(ctx, &target, params)?.text);
        return Ok(exit::OK);
    }
    let command = RunCommand {
        target,
        params,
        trigger: "manual".into(),
        verbose: args.verbose,
        sink: renderer(style, Output::detect()),
    };
    Ok(runs::run(ctx, command)?.exit_code())
}

fn style(args: &RunArgs) -> Style {
    if args.json {
        Style::Json
    } else if Output::detect().color {
        Style::Tty
    } else {
        Style::Plain
    }
}

/// `run NAME --queue [--wait]`: the id alone (a script's input), or the run followed to its end.
fn queue(
    ctx: &Context,
    target: &str,
    params: indexmap::IndexMap<String, String>,
    args: &RunArgs,
    style: Style,
) -> Result<i32> {
    let queued = crate::commands::queue::enqueue(ctx, target, params, "queue")?;
    if !args.wait {
        if args.json {
            crate::outln!("{}", serde_json::to_string(&queued).unwrap_or_default());
        } else {
            crate::outln!("{}", queued.run_id);
        }
        return Ok(exit::OK);
    }
    if style != Style::Json {
        let tags = if queued.tags.is_empty() {
            String::new()
        } else {
            format!(" (for a worker with {})", queued.tags.join(", "))
        };
        crate::outln!("Queued run {} of {}{tags}; waiting for a worker…", short_id(&queued.run_id), queued.workflow);
    }
    let sink = renderer(style, Output::detect());
    let waited = crate::commands::queue::wait(ctx, &queued.run_id, &sink, std::time::Duration::from_millis(100))?;
    Ok(waited.exit_code())
}
