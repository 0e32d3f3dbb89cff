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
use crate::executor::events::{self, Event, Sink};
use crate::executor::{Carried, Executor, RunRequest, dry_run, params};
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
    if let Some(run_id) = args.resume.clone() {
        return resume(db, &run_id, args);
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
        print!("{}", dry_run(&workflow, &crate::secrets::redacted(&workflow, &values)));
        return Ok(exit::OK);
    }
    execute(
        store,
        &args,
        RunRequest {
            workflow,
            workflow_id,
            params: given,
            trigger: "manual".into(),
            verbose: args.verbose,
            sink: events::silent(),
            handle_signals: true,
            stack: Vec::new(),
            carried: None,
        },
    )
}

/// Runs `request` with progress drawn as `args` ask.
fn execute(store: Store, args: &RunArgs, mut request: RunRequest) -> Result<i32> {
    let out = Output::detect();
    let style = if args.json {
        Style::Json
    } else if out.color {
        Style::Tty
    } else {
        Style::Plain
    };
    request.sink = renderer(style, out);
    let summary = Executor::new(store).run_blocking(request)?;
    Ok(summary.exit_code())
}

/// `alpha workflow run --resume RUN_ID [key=value...]`: runs the version that ran before with
/// the same parameters, keeping the results of the steps that finished and running the rest.
/// Secret parameters were never recorded, so they are given again (or via `ALPHA_SECRET_<NAME>`).
fn resume(db: &Path, run_id: &str, args: RunArgs) -> Result<i32> {
    let store = Store::open(db)?;
    let earlier = store.run(run_id)?;
    match earlier.status.as_str() {
        "failed" | "interrupted" => {}
        "completed" => {
            return Err(Error::usage(format!("run {} completed; there is nothing to resume", short(&earlier.id))));
        }
        "running" | "pending" => return Err(Error::usage(format!("run {} is still running", short(&earlier.id)))),
        other => {
            return Err(Error::usage(format!(
                "run {} is {other}; only failed or interrupted runs resume",
                short(&earlier.id)
            )));
        }
    }
    if let Some((later, status)) = store.resumed_by(&earlier.id)?
        && status == "completed"
    {
        return Err(Error::usage(format!(
            "run {} was already resumed by run {}, which completed",
            short(&earlier.id),
            short(&later)
        )));
    }
    let workflow = workflow_that_ran(&store, &earlier)?;
    let mut given: IndexMap<String, Value> = IndexMap::new();
    let mut secrets_given_before = Vec::new();
    if let Value::Object(recorded) = &earlier.parameters {
        for (name, value) in recorded {
            let secret = workflow.parameters.get(name).is_some_and(|p| p.kind == crate::workflow::ParamType::Secret);
            if !secret {
                given.insert(name.clone(), value.clone());
            } else if !value.is_null() {
                secrets_given_before.push(name.clone());
            }
        }
    }
    let assignments: Vec<String> = args.target.iter().chain(&args.params).cloned().collect();
    for (name, value) in params::parse_assignments(&assignments)? {
        given.insert(name, Value::String(value));
    }
    for name in secrets_given_before {
        let from_env =
            std::env::var(format!("ALPHA_SECRET_{}", name.to_ascii_uppercase())).is_ok_and(|v| !v.is_empty());
        if !given.contains_key(&name) && !from_env {
            return Err(Error::usage_with(
                format!("run {} was given the secret `{name}`, which alpha never stores", short(&earlier.id)),
                format!(
                    "give it again: alpha workflow run --resume {} {name}=… (or set ALPHA_SECRET_{})",
                    short(&earlier.id),
                    name.to_ascii_uppercase()
                ),
            ));
        }
    }
    let mut results = serde_json::Map::new();
    for step in store.steps(&earlier.id)? {
        let finished = matches!(step.status.as_str(), "success" | "recovered" | "skipped" | "carried");
        if finished && !step.result.is_null() {
            results.insert(step.step_id, step.result);
        } else {
            results.remove(&step.step_id);
        }
    }
    if !args.json {
        println!(
            "Resuming run {} of {} (v{}): {} step{} already done",
            short(&earlier.id),
            workflow.name,
            workflow.version,
            results.len(),
            if results.len() == 1 { "" } else { "s" }
        );
    }
    execute(
        store,
        &args,
        RunRequest {
            workflow,
            workflow_id: earlier.workflow_id.clone(),
            params: given,
            trigger: "resume".into(),
            verbose: args.verbose,
            sink: events::silent(),
            handle_signals: true,
            stack: Vec::new(),
            carried: Some(Carried { from_run: earlier.id.clone(), results }),
        },
    )
}

/// The definition a run used: the saved version it recorded, or its file.
fn workflow_that_ran(store: &Store, run: &crate::store::RunRecord) -> Result<Workflow> {
    if let Some(path) = run.workflow_id.strip_prefix("file:") {
        return Ok(load_file(Path::new(path))?);
    }
    match store.version(&run.workflow_id, &run.workflow_version) {
        Ok(version) => Ok(version.workflow),
        Err(_) => Ok(store
            .find(&run.workflow_id)?
            .ok_or_else(|| Error::usage(format!("the workflow of run {} no longer exists", short(&run.id))))?
            .workflow),
    }
}

fn short(id: &str) -> &str {
    id.get(..8).unwrap_or(id)
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
                "carried" => format!(
                    "  {} Step {index}/{total}: {label} ({})",
                    out.dim("↷"),
                    reason.as_deref().unwrap_or("done before")
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
