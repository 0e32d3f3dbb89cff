//! Run progress as it happens (design.md §4): TTY lines with spinners, stable plain lines, or
//! one JSON event per line. The CLI and the chat shell draw runs with the same renderer.

use std::collections::HashMap;
use std::io::{IsTerminal, Write};
use std::sync::{Arc, Mutex};

use serde_json::Value;

use super::style::Output;
use super::text::format_ms;
use crate::executor::events::{Event, Sink};
use crate::store::{RunStatus, StepStatus};

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

/// A sink that draws events in `style`.
pub fn renderer(style: Style, out: Output) -> Sink {
    // Spinners draw on stderr; with stderr redirected they and every line printed through them
    // would vanish, so the lines go to stdout plainly instead.
    let style = if style == Style::Tty && !std::io::stderr().is_terminal() { Style::Plain } else { style };
    match style {
        Style::Json => Arc::new(|event: &Event| {
            if let Ok(line) = serde_json::to_string(event) {
                let mut stdout = std::io::stdout().lock();
                let _ = writeln!(stdout, "{line}");
                let _ = stdout.flush();
            }
        }),
        Style::Plain => Arc::new(move |event: &Event| {
            if let Some(text) = aside(event) {
                crate::errln!("{text}");
            } else if let Some(text) = line(event, out) {
                crate::outln!("{text}");
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
                        bar.set_message(
                            super::visible::visible(&format!("Step {index}/{total}: {label}"), out.color).into_owned(),
                        );
                        bar.enable_steady_tick(std::time::Duration::from_millis(80));
                        spinners.insert(id.clone(), bar);
                    }
                    Event::StepFinished { id, .. } | Event::StepRetrying { id, .. } => {
                        if let Some(bar) = spinners.remove(id) {
                            bar.finish_and_clear();
                            bars.remove(&bar);
                        }
                        if let Some(text) = line(event, out) {
                            let _ = bars.println(super::visible::visible(&text, out.color));
                        }
                    }
                    Event::RunStarted { .. } | Event::RunFinished { .. } => {
                        // Printed outright: with no bar on screen, `bars.println` may draw nothing.
                        if let Some(text) = line(event, out) {
                            bars.suspend(|| crate::outln!("{text}"));
                        }
                    }
                    other => {
                        if let Some(text) = aside(other) {
                            bars.suspend(|| crate::errln!("{text}"));
                        } else if let Some(text) = line(other, out) {
                            let _ = bars.println(super::visible::visible(&text, out.color));
                        }
                    }
                }
            })
        }
    }
}

fn failed_count(n: usize) -> String {
    format!("{n} failed step{}", if n == 1 { "" } else { "s" })
}

/// What is said beside the progress, on stderr: notices and warnings.
fn aside(event: &Event) -> Option<String> {
    match event {
        Event::Notice { text, .. } => Some(text.clone()),
        Event::Warning { message } => Some(format!("warning: {message}")),
        _ => None,
    }
}

/// The plain line for an event, in the words of the original specification.
pub fn line(event: &Event, out: Output) -> Option<String> {
    Some(match event {
        Event::RunStarted { workflow, .. } => format!("Executing workflow: {}", out.bold(workflow)),
        Event::StepStarted { .. } | Event::Notice { .. } | Event::Warning { .. } => return None,
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
            match status {
                StepStatus::Success => format!("  {} Step {index}/{total}: {label} ({took})", out.good("✓")),
                StepStatus::Recovered => format!(
                    "  {} Step {index}/{total}: {label} ({took}): {}",
                    out.paint("33", "✓"),
                    reason.as_deref().unwrap_or("recovered")
                ),
                StepStatus::Carried => format!(
                    "  {} Step {index}/{total}: {label} ({})",
                    out.dim("↷"),
                    reason.as_deref().unwrap_or("done before")
                ),
                StepStatus::Skipped => format!(
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
                    if let Some(tail) = stderr_tail.as_deref().filter(|t| !t.is_empty()) {
                        for l in tail.lines() {
                            text.push_str(&format!("\n      {}", out.dim(l)));
                        }
                    }
                    text
                }
            }
        }
        Event::RunFinished { run_id, status, duration_ms, outputs, error, failed_steps, failed_at } => {
            let took = format_ms(*duration_ms as i64);
            let mut text = match status {
                RunStatus::Completed => format!("\n{} in {took}", out.good("Workflow completed successfully")),
                RunStatus::Partial => format!(
                    "\n{} in {took}: {}",
                    out.paint("33", &format!("Workflow completed with {}", failed_count(failed_steps.len()))),
                    failed_steps.join(", ")
                ),
                RunStatus::Interrupted => format!("\n{} after {took}", out.paint("33", "Workflow interrupted")),
                RunStatus::Failed if failed_at.is_some() => format!(
                    "\n{} after {took}: {}",
                    out.bad(&format!("Workflow failed at step {}", failed_at.as_deref().unwrap_or(""))),
                    error.as_deref().unwrap_or("")
                ),
                _ => format!("\n{} after {took}: {}", out.bad("Workflow failed"), error.as_deref().unwrap_or("")),
            };
            if let Value::Object(map) = outputs
                && !map.is_empty()
            {
                text.push_str("\nOutputs:");
                for (k, v) in map {
                    let v = v.as_str().map_or_else(|| v.to_string(), str::to_string);
                    text.push_str(&format!("\n  {k}: {}", crate::clip::cut(&v, SHOWN_OUTPUT)));
                }
            }
            if matches!(status, RunStatus::Failed | RunStatus::Interrupted | RunStatus::Partial) {
                let id = crate::commands::short_id(run_id);
                text.push_str(&format!(
                    "\n{}",
                    out.dim(&format!(
                        "Run {id}: `alpha workflow logs {id}` shows its output; `alpha workflow run --resume {id}` continues it."
                    ))
                ));
            }
            text
        }
    })
}

/// Longest output value a run's summary prints; `--json` and `history --run` have the rest.
const SHOWN_OUTPUT: usize = 4096;

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or(text)
}
