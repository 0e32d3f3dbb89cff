//! `alpha workflow run`: resolves the target, runs it, and renders progress as TTY lines with
//! spinners, plain lines, or JSON events.

use std::collections::HashMap;
use std::io::Write;
use std::path::Path;
use std::sync::{Arc, Mutex};

use indexmap::IndexMap;
use serde_json::Value;

use super::args::RunArgs;
use super::library::format_ms;
use super::output::Output;
use crate::error::{Error, Result, exit};
use crate::executor::events::{Event, Sink};
use crate::executor::{Executor, RunRequest, dry_run, params};
use crate::store::Store;
use crate::workflow::{Workflow, load_file};

/// How progress is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// Spinners and colour.
    Tty,
    /// Stable plain lines.
    Plain,
    /// One JSON event per line.
    Json,
}

/// `alpha workflow run`
pub fn run(db: &Path, args: RunArgs) -> Result<i32> {
    if args.resume.is_some() {
        return Err(Error::usage("`--resume` is not available in this version of alpha yet"));
    }
    let Some(target) = args.target.clone() else {
        return Err(Error::usage_with("which workflow?", "alpha workflow run NAME [key=value...]"));
    };
    let store = Store::open(db)?;
    let (workflow, workflow_id) = resolve_target(&store, &target)?;
    let given: IndexMap<String, Value> =
        params::parse_assignments(&args.params)?.into_iter().map(|(k, v)| (k, Value::String(v))).collect();
    if args.dry_run {
        let values = params::resolve(&workflow, &given)?;
        print!("{}", dry_run(&workflow, &params::redacted(&workflow, &values)));
        return Ok(exit::OK);
    }
    let out = Output::detect();
    let style = if args.json {
        Style::Json
    } else if out.color {
        Style::Tty
    } else {
        Style::Plain
    };
    let sink = renderer(style, out);
    let summary = Executor::new(store).run_blocking(RunRequest {
        workflow,
        workflow_id,
        params: given,
        trigger: "manual".into(),
        verbose: args.verbose,
        sink,
        handle_signals: true,
        stack: Vec::new(),
    })?;
    Ok(summary.exit_code())
}

/// A saved workflow by name, or a file when the target is a path to one.
pub fn resolve_target(store: &Store, target: &str) -> Result<(Workflow, String)> {
    let path = Path::new(target);
    let looks_like_file =
        target.ends_with(".yaml") || target.ends_with(".yml") || target.ends_with(".json") || target.contains('/');
    if looks_like_file && path.is_file() {
        let workflow = load_file(path)?;
        let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
        return Ok((workflow, format!("file:{}", absolute.display())));
    }
    let saved = store.get(target)?;
    Ok((saved.workflow, saved.id))
}

/// A sink that draws events in `style`.
pub fn renderer(style: Style, out: Output) -> Sink {
    match style {
        Style::Json => Arc::new(|event: &Event| {
            if let Ok(line) = serde_json::to_string(event) {
                let mut stdout = std::io::stdout().lock();
                let _ = writeln!(stdout, "{line}");
                let _ = stdout.flush();
            }
        }),
        Style::Plain => Arc::new(move |event: &Event| {
            if let Some(text) = line(event, out) {
                println!("{text}");
            }
        }),
        Style::Tty => {
            let bars = indicatif::MultiProgress::new();
            let spinners: Arc<Mutex<HashMap<String, indicatif::ProgressBar>>> = Arc::default();
            Arc::new(move |event: &Event| {
                let mut spinners = spinners.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                match event {
                    Event::StepStarted { index, total, id, label, .. } => {
                        let bar = bars.add(indicatif::ProgressBar::new_spinner());
                        bar.set_style(
                            indicatif::ProgressStyle::with_template("  {spinner:.cyan} {msg} ({elapsed})")
                                .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
                        );
                        bar.set_message(format!("Step {index}/{total}: {label}"));
                        bar.enable_steady_tick(std::time::Duration::from_millis(80));
                        spinners.insert(id.clone(), bar);
                    }
                    Event::StepFinished { id, .. } | Event::StepRetrying { id, .. } => {
                        if let Some(bar) = spinners.remove(id) {
                            bar.finish_and_clear();
                            bars.remove(&bar);
                        }
                        if let Some(text) = line(event, out) {
                            let _ = bars.println(text);
                        }
                    }
                    other => {
                        if let Some(text) = line(other, out) {
                            let _ = bars.println(text);
                        }
                    }
                }
            })
        }
    }
}

/// The plain line for an event, in the words of the original specification.
pub fn line(event: &Event, out: Output) -> Option<String> {
    Some(match event {
        Event::RunStarted { workflow, .. } => format!("Executing workflow: {}", out.bold(workflow)),
        Event::StepStarted { .. } => return None,
        Event::StepOutput { line, stream, .. } => {
            if stream == "stderr" {
                out.dim(&format!("    │ {line}"))
            } else {
                format!("    │ {line}")
            }
        }
        Event::StepRetrying { index, total, label, next_attempt, max_attempts, delay_ms, error, .. } => format!(
            "  {} Step {index}/{total}: {label}: retry {next_attempt}/{max_attempts} in {} ({})",
            out.paint("33", "↻"),
            format_ms(*delay_ms as i64),
            first_line(error)
        ),
        Event::StepFinished { index, total, label, status, duration_ms, reason, stderr_tail, .. } => {
            let took = format_ms(*duration_ms as i64);
            match status.as_str() {
                "success" => format!("  {} Step {index}/{total}: {label} ({took})", out.good("✓")),
                "recovered" => format!(
                    "  {} Step {index}/{total}: {label} ({took}): {}",
                    out.paint("33", "✓"),
                    reason.as_deref().unwrap_or("recovered")
                ),
                "skipped" => format!(
                    "  {} Step {index}/{total}: {label} (skipped: {})",
                    out.dim("↷"),
                    reason.as_deref().unwrap_or("skipped")
                ),
                _ => {
                    let mut text = format!(
                        "  {} Step {index}/{total}: {label} ({took}): {}",
                        out.bad("✗"),
                        first_line(reason.as_deref().unwrap_or("failed"))
                    );
                    if let Some(tail) = stderr_tail
                        .as_deref()
                        .filter(|t| !t.is_empty() && reason.as_deref().is_none_or(|r| !r.contains("continuing")))
                    {
                        for l in tail.lines() {
                            text.push_str(&format!("\n      {}", out.dim(l)));
                        }
                    }
                    text
                }
            }
        }
        Event::RunFinished { status, duration_ms, outputs, error, .. } => {
            let took = format_ms(*duration_ms as i64);
            let mut text = match status.as_str() {
                "completed" => format!("\n{} in {took}", out.good("Workflow completed successfully")),
                "interrupted" => format!("\n{} after {took}", out.paint("33", "Workflow interrupted")),
                _ => format!("\n{} after {took}: {}", out.bad("Workflow failed"), error.as_deref().unwrap_or("")),
            };
            if let Value::Object(map) = outputs
                && !map.is_empty()
            {
                text.push_str("\nOutputs:");
                for (k, v) in map {
                    let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    text.push_str(&format!("\n  {k}: {v}"));
                }
            }
            text
        }
    })
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}
