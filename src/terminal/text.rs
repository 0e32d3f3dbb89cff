//! The text of each report, in the words of the original specification. Each function returns
//! whole lines (ending in `\n`), so a face prints them as they are.

use crate::template::shell_quote;
use std::fmt::Write as _;

use chrono::{DateTime, Datelike, Local, Utc};
use serde_json::Value;

use super::style::Output;
use crate::commands::files::{FileCheck, count_steps};
use crate::commands::history::RunDetails;
use crate::commands::library::{Diffed, Edited, Listed, Renamed, RolledBack, SavedReport, Shown, VersionRow};
use crate::commands::optimize::Optimized;
use crate::commands::schedule::{ScheduleStatus, Scheduled, Unscheduled};
use crate::commands::suggest::{HistoryImported, Suggestions};
use crate::store::{RunRecord, RunStatus};
use crate::workflow::{Format, Trigger, Workflow, to_text};

/// "2 hours ago", "just now", "3 days ago".
pub fn ago(timestamp: &str) -> String {
    let Ok(then) = DateTime::parse_from_rfc3339(timestamp) else { return timestamp.to_string() };
    let seconds = (Utc::now() - then.with_timezone(&Utc)).num_seconds().max(0);
    let plural = |n: i64, unit: &str| format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" });
    match seconds {
        0..=44 => "just now".into(),
        45..=3_599 => plural((seconds + 30) / 60, "minute"),
        3_600..=86_399 => plural(seconds / 3_600, "hour"),
        86_400..=172_799 => "yesterday".into(),
        _ => plural(seconds / 86_400, "day"),
    }
}

/// The word users see for a run status.
pub fn outcome(status: RunStatus) -> &'static str {
    match status {
        RunStatus::Completed => "success",
        other => other.as_str(),
    }
}

/// `1.2s`, `450ms`, `2m05s`.
pub fn format_ms(ms: i64) -> String {
    if ms < 1_000 {
        format!("{ms}ms")
    } else if ms < 60_000 {
        format!("{:.1}s", ms as f64 / 1_000.0)
    } else {
        format!("{}m{:02}s", ms / 60_000, (ms % 60_000) / 1_000)
    }
}

/// A JSON value as a user typed it: strings bare, everything else as JSON.
pub fn plain_value(value: &Value) -> String {
    value.as_str().map_or_else(|| value.to_string(), str::to_string)
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// One line summary: "Deploy Pipeline (4 steps, 2 parameters)".
pub fn summary(workflow: &Workflow) -> String {
    format!(
        "{} ({}, {})",
        workflow.name,
        plural(count_steps(&workflow.steps), "step"),
        plural(workflow.parameters.len(), "parameter")
    )
}

/// `list`
pub fn list(rows: &[Listed], filtered: bool, out: Output) -> String {
    if rows.is_empty() {
        return if filtered {
            "No workflows match.\n".into()
        } else {
            "No workflows yet. Save one with `alpha workflow create --file FILE`.\n".into()
        };
    }
    let mut text = format!("{}\n", out.bold("Available Workflows:"));
    for (index, row) in rows.iter().enumerate() {
        let tags = if row.tags.is_empty() { String::new() } else { format!(" - tags: {}", row.tags.join(", ")) };
        let _ = writeln!(text, "  {}. {} (v{}){tags}", index + 1, out.bold(&row.name), row.version);
        if let (Some(when), Some(status)) = (&row.last_executed, row.last_status) {
            let _ = writeln!(text, "     Last run: {} ({})", ago(when), outcome(status));
        }
        for schedule in &row.schedules {
            let zone = schedule.timezone.as_deref().map(|z| format!(" ({z})")).unwrap_or_default();
            let _ = writeln!(text, "     Scheduled: {}{zone}{}", schedule.description, with(&schedule.parameters));
        }
    }
    text
}

/// `show`: the definition in `format`, then a summary (YAML only: JSON stays one document).
pub fn show(shown: &Shown, format: Format, out: Output) -> String {
    let mut text = to_text(&shown.definition, format);
    if format == Format::Json {
        return text;
    }
    let workflow = &shown.definition;
    let _ = writeln!(text, "\n{}", out.dim("# ─── summary ───"));
    let description = workflow.description.as_deref().map(|d| format!(" - {d}")).unwrap_or_default();
    let _ = writeln!(
        text,
        "{} v{}: {}{description}",
        out.bold(&workflow.name),
        workflow.version,
        plural(count_steps(&workflow.steps), "step")
    );
    if !workflow.parameters.is_empty() {
        text.push_str("Parameters:\n");
        for (name, p) in &workflow.parameters {
            let default = match &p.default {
                Some(v) => format!(", default: {}", plain_value(v)),
                None if p.is_required() => ", required".into(),
                None => String::new(),
            };
            let about = p.description.as_deref().map(|d| format!(" - {d}")).unwrap_or_default();
            let _ = writeln!(text, "  - {name} ({}{default}){about}", p.kind.as_str());
        }
    }
    match (&workflow.workdir, &shown.scheduled_dir) {
        (Some(dir), _) => {
            let _ = writeln!(text, "Runs in: {dir}");
        }
        (None, Some(dir)) => {
            let _ = writeln!(text, "Runs in: the directory you run it from; scheduled runs in {dir}");
        }
        (None, None) => {
            text.push_str("Runs in: the directory you run it from; scheduled runs in your home directory\n")
        }
    }
    text.push_str("Triggers:\n");
    let manual = workflow.triggers.is_empty() || workflow.triggers.iter().any(|t| matches!(t, Trigger::Manual));
    if manual {
        text.push_str("  - manual\n");
    }
    for schedule in &shown.schedules {
        let zone = schedule.timezone.as_deref().map(|z| format!(", {z}")).unwrap_or_default();
        let next = schedule.next_fire.as_deref().map(|n| format!("; next: {n}")).unwrap_or_default();
        let _ = writeln!(
            text,
            "  - schedule: {} ({}{zone}){}{next}",
            schedule.description,
            schedule.cron,
            with(&schedule.parameters)
        );
    }
    if shown.recent_runs.is_empty() {
        text.push_str("Recent runs: none\n");
    } else {
        text.push_str("Recent runs:\n");
        for run in &shown.recent_runs {
            let _ = writeln!(text, "  - {}", run_line(run));
        }
    }
    text
}

fn duration_between(start: Option<&str>, end: Option<&str>) -> Option<String> {
    let start = DateTime::parse_from_rfc3339(start?).ok()?;
    let end = DateTime::parse_from_rfc3339(end?).ok()?;
    Some(format_ms((end - start).num_milliseconds().max(0)))
}

fn first_line(text: &str) -> &str {
    text.lines().next().unwrap_or("")
}

/// One run on one line: id, workflow, outcome, when, how long, parameters, error.
pub fn run_line(run: &RunRecord) -> String {
    let when = run.started_at.as_deref().map(ago).unwrap_or_default();
    let took = duration_between(run.started_at.as_deref(), run.completed_at.as_deref()).unwrap_or_else(|| "-".into());
    let params = match &run.parameters {
        Value::Object(map) if !map.is_empty() => {
            let pairs: Vec<String> = map.iter().map(|(k, v)| format!("{k}={}", plain_value(v))).collect();
            format!(" {}", pairs.join(" "))
        }
        _ => String::new(),
    };
    let error = run.error.as_deref().map(|e| format!(": {}", first_line(e))).unwrap_or_default();
    format!(
        "{} {} {} {when} ({took}, {}){params}{error}",
        crate::commands::short_id(&run.id),
        run.workflow_name,
        outcome(run.status),
        run.trigger
    )
}

/// `history`
pub fn history(runs: &[RunRecord]) -> String {
    if runs.is_empty() {
        return "No runs recorded yet.\n".into();
    }
    runs.iter().map(|run| format!("{}\n", run_line(run))).collect()
}

/// `history --run ID`
pub fn run_details(details: &RunDetails) -> String {
    let run = &details.run;
    let mut text = format!("Run {} of '{}' v{} ({})\n", run.id, run.workflow_name, run.workflow_version, run.trigger);
    let _ = writeln!(text, "Status: {}", outcome(run.status));
    if let Some(started) = &run.started_at {
        let _ = writeln!(text, "Started: {started}");
    }
    if let Some(took) = duration_between(run.started_at.as_deref(), run.completed_at.as_deref()) {
        let _ = writeln!(text, "Duration: {took}");
    }
    if let Value::Object(params) = &run.parameters {
        for (k, v) in params {
            let _ = writeln!(text, "Parameter {k} = {}", plain_value(v));
        }
    }
    if let Some(error) = &run.error {
        let _ = writeln!(text, "Error: {error}");
    }
    text.push_str("Steps:\n");
    if details.steps.is_empty() {
        text.push_str("  (none recorded)\n");
    }
    for step in &details.steps {
        let took = step.duration_ms.map(format_ms).unwrap_or_default();
        let attempt = if step.attempt > 1 { format!(" attempt {}", step.attempt) } else { String::new() };
        let error = step.error.as_deref().map(|e| format!(": {}", first_line(e))).unwrap_or_default();
        let _ = writeln!(
            text,
            "  {} {}{attempt} ({took}){error}",
            step.status,
            step.name.as_deref().unwrap_or(&step.step_id)
        );
        let failed = step.status == crate::store::StepStatus::Failed;
        for line in output_tail(&step.result, failed, 5) {
            let _ = writeln!(text, "      │ {line}");
        }
    }
    text
}

/// The last `count` non-blank lines a step printed: stderr for a failure when it has any,
/// else stdout.
fn output_tail(result: &Value, failed: bool, count: usize) -> Vec<String> {
    let text = |key: &str| result.get(key).and_then(Value::as_str).filter(|t| !t.trim().is_empty());
    let chosen = if failed { text("stderr").or_else(|| text("stdout")) } else { text("stdout") };
    let lines: Vec<String> =
        chosen.unwrap_or("").lines().filter(|l| !l.trim().is_empty()).map(str::to_string).collect();
    lines[lines.len().saturating_sub(count)..].to_vec()
}

/// `logs`: each attempt's output under a header.
pub fn logs(logs: &[crate::commands::history::StepLog]) -> String {
    if logs.is_empty() {
        return "No steps were recorded for this run.\n".into();
    }
    let mut text = String::new();
    for log in logs {
        text.push_str(&log_header(log));
        text.push_str(&log_body(log));
    }
    text
}

/// The line that opens one attempt's output in `logs`.
pub fn log_header(log: &crate::commands::history::StepLog) -> String {
    format!("── {} (attempt {}, {}) ──\n", log.name.as_deref().unwrap_or(&log.step_id), log.attempt, log.status)
}

/// One attempt's output as recorded (head and tail when it was cut), and its error.
pub fn log_body(log: &crate::commands::history::StepLog) -> String {
    let mut text = String::new();
    {
        for (stream, body) in [("stdout", &log.stdout), ("stderr", &log.stderr)] {
            if body.is_empty() {
                continue;
            }
            if stream == "stderr" {
                text.push_str("[stderr]\n");
            }
            text.push_str(body);
            if !body.ends_with('\n') {
                text.push('\n');
            }
        }
        if let Some(error) = &log.error {
            let _ = writeln!(text, "[error] {error}");
        }
    }
    text
}

/// After `create`: what was saved and how to run it.
pub fn saved(saved: &SavedReport, out: Output) -> String {
    let params: String = saved
        .workflow
        .parameters
        .iter()
        .filter(|(_, p)| p.default.is_some() || p.is_required())
        .map(|(k, p)| match &p.default {
            Some(v) => format!(" {k}={}", shell_quote(&plain_value(v))),
            None => format!(" {k}=…"),
        })
        .collect();
    format!(
        "{} Workflow '{}' saved (v{}).\nRun with: alpha workflow run {}{params}\n",
        out.good("✓"),
        saved.name,
        saved.version,
        shell_quote(&saved.name)
    )
}

/// `edit`
pub fn edited(edited: &Edited) -> String {
    match edited {
        Edited::Unchanged { name, version } => format!("No changes; '{name}' stays at v{version}.\n"),
        Edited::Saved { name, version } => format!("Saved '{name}' as v{version}.\n"),
    }
}

/// `versions`
pub fn versions(name: &str, rows: &[VersionRow]) -> String {
    let mut text = format!("Versions of '{name}':\n");
    for v in rows {
        let current = if v.current { " (current)" } else { "" };
        let note = v.note.as_deref().map(|n| format!(" - {n}")).unwrap_or_default();
        let _ = writeln!(text, "  v{}  {}{note}{current}", v.version, ago(&v.created_at));
    }
    text
}

/// A diff, or a line saying the versions are the same.
pub fn diff_text(diff: &str, from: &str, to: &str) -> String {
    if diff.is_empty() { format!("v{from} and v{to} are identical\n") } else { diff.to_string() }
}

/// `diff`
pub fn diff(diffed: &Diffed) -> String {
    diff_text(&diffed.diff, &diffed.from, &diffed.to)
}

/// `rename`
pub fn renamed(r: &Renamed) -> String {
    format!("Renamed '{}' to '{}'; saved as v{}. Its runs and schedules stay with it.\n", r.from, r.name, r.version)
}

/// `rollback`
pub fn rolled_back(r: &RolledBack) -> String {
    format!("Rolled '{}' back to v{}; saved as v{}.\n", r.name, r.restored, r.version)
}

/// " with who=Bob, n=3", or nothing when there are no values.
fn with(parameters: &serde_json::Map<String, Value>) -> String {
    if parameters.is_empty() {
        return String::new();
    }
    let pairs: Vec<String> = parameters.iter().map(|(k, v)| format!("{k}={}", plain_value(v))).collect();
    format!(" with {}", pairs.join(", "))
}

/// `schedule`
pub fn scheduled(s: &Scheduled) -> String {
    let zone = s.timezone.as_deref().map(|z| format!(" ({z})")).unwrap_or_default();
    let mut text = String::new();
    for old in &s.replaced {
        let _ =
            writeln!(text, "Replaced the schedule {} (cron: {}){}.", old.description, old.cron, with(&old.parameters));
    }
    text += &if s.added {
        format!(
            "Scheduled '{}': {}{zone} (cron: {}){}.\nScheduled for {}.\n",
            s.workflow,
            s.description,
            s.cron,
            with(&s.parameters),
            s.spoken
        )
    } else {
        format!("'{}' is scheduled {}{zone} (cron: {}){}.\n", s.workflow, s.description, s.cron, with(&s.parameters))
    };
    let _ = writeln!(text, "Next runs: {}", s.next_fires.join(", "));
    text
}

/// `unschedule`
pub fn unscheduled(u: &Unscheduled) -> String {
    match (u.removed, u.from_triggers) {
        (0, 0) => format!("'{}' has no schedule to remove.\n", u.workflow),
        (n, 0) => format!("Removed {} of '{}'.\n", plural(n, "schedule"), u.workflow),
        (removed, left) => format!(
            "Removed {removed} schedule(s) of '{}'; {left} more come from its `triggers` (edit the workflow to remove them).\n",
            u.workflow
        ),
    }
}

/// `scheduler status`
pub fn schedule_status(rows: &[ScheduleStatus]) -> String {
    if rows.is_empty() {
        return "Nothing is scheduled. Try: alpha workflow schedule NAME \"every weekday at 9am\"\n".into();
    }
    // Columns as wide as their longest cell (at least the usual 28), so a long schedule with
    // parameters never runs into the next column.
    let describe = |row: &ScheduleStatus| {
        let zone = row.timezone.as_deref().map(|z| format!(" ({z})")).unwrap_or_default();
        format!("{}{zone}{}", row.description, with(&row.parameters))
    };
    let name_width = rows.iter().map(|r| r.workflow.chars().count()).max().unwrap_or(0).max(28);
    let schedule_width = rows.iter().map(|r| describe(r).chars().count()).max().unwrap_or(0).max(28);
    let mut text = format!("{:<name_width$} {:<schedule_width$} {:<20} last\n", "workflow", "schedule", "next");
    for row in rows {
        let next = row
            .next_fire
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .map(|t| {
                let t = t.with_timezone(&Local);
                // The year, when it is not this one (a yearly cron, a date far ahead).
                let format = if t.year() == Local::now().year() { "%a %m-%d %H:%M" } else { "%a %Y-%m-%d %H:%M" };
                t.format(format).to_string()
            })
            .unwrap_or_else(|| if row.paused { "paused".into() } else { "-".into() });
        let last = match (&row.last_fire, &row.last_status) {
            (Some(when), Some(status)) => format!("{} ({status})", when.replace('T', " ").trim_end_matches('Z')),
            _ => "never".into(),
        };
        let _ = writeln!(text, "{:<name_width$} {:<schedule_width$} {:<20} {last}", row.workflow, describe(row), next);
    }
    text
}

/// `suggest`
pub fn suggestions(found: &Suggestions) -> String {
    let dismissed = found.dismissed.len();
    let mut text = String::new();
    if found.suggestions.is_empty() {
        let _ = writeln!(
            text,
            "No {}repeated command sequences (a pattern needs 3 runs within 7 days; {} commands read).",
            if dismissed > 0 { "new " } else { "" },
            found.commands_read
        );
    }
    for (n, suggestion) in found.suggestions.iter().enumerate() {
        suggestion_lines(&mut text, n + 1, suggestion, "");
    }
    if found.all {
        for suggestion in &found.dismissed {
            suggestion_lines(&mut text, 0, suggestion, " (dismissed)");
        }
    }
    if !found.suggestions.is_empty() {
        text.push_str(
            "\nSave one with `alpha suggest --accept N [--name NAME]`, or answer yes when the chat offers it.\n",
        );
    }
    if dismissed > 0 && !found.all {
        let what = if dismissed == 1 { "suggestion" } else { "suggestions" };
        let _ = writeln!(text, "{dismissed} dismissed {what} not shown (`alpha suggest --all` lists them).");
    }
    text
}

fn suggestion_lines(text: &mut String, number: usize, suggestion: &crate::proactive::miner::Suggestion, note: &str) {
    let window = match (&suggestion.first_seen, &suggestion.last_seen) {
        (Some(first), Some(last)) => {
            format!(" between {} and {}", first.get(..10).unwrap_or(first), last.get(..10).unwrap_or(last))
        }
        _ => String::new(),
    };
    let mark = if number > 0 { format!("{number}.") } else { "-".into() };
    let _ = writeln!(
        text,
        "{mark} {} ({} times{window}; saves about {:.0}s a run){note}",
        suggestion.suggested_name, suggestion.occurrences, suggestion.seconds_saved
    );
    for command in &suggestion.commands {
        let _ = writeln!(text, "     $ {}", command);
    }
    for (name, values) in &suggestion.parameters {
        let _ =
            writeln!(text, "     parameter {name} (default: {}; seen: {})", values.default, values.values.join(", "));
    }
    if let Some(dir) = &suggestion.workflow.workdir {
        let _ = writeln!(text, "     in {}", dir);
    }
}

/// `suggest --accept N`
pub fn suggestion_accepted(accepted: &crate::commands::suggest::Accepted) -> String {
    format!(
        "Workflow '{}' created from {} commands. Run it with `alpha workflow run '{}'`, or schedule it.\n",
        accepted.saved.name,
        accepted.suggestion.commands.len(),
        accepted.saved.name
    )
}

/// `history import`
pub fn history_imported(rows: &[HistoryImported]) -> String {
    if rows.is_empty() {
        return "Nothing new in your shell histories (`alpha history sources` lists them). Pass --from FILE to import another.\n".into();
    }
    rows.iter().map(|r| format!("{}: {} commands read ({}), {} new\n", r.path, r.read, r.format, r.added)).collect()
}

/// `history sources`
pub fn history_sources(found: &crate::commands::suggest::Sources) -> String {
    let mut text = String::new();
    if !found.enabled {
        text.push_str("Reading shell history is off (history.enabled: false in the config, or ALPHA_HISTORY=off).\n");
    }
    if found.sources.is_empty() {
        text.push_str(if found.configured {
            "None of the files in history.sources exists.\n"
        } else {
            "No shell history found ($HISTFILE, ~/.bash_history, ~/.zsh_history, fish's and atuin's). Set history.sources in the config.\n"
        });
    }
    for source in &found.sources {
        let read = match (&source.read_at, &source.format) {
            (Some(at), Some(format)) => {
                format!("{format}, {} commands, read {}", source.commands, at.get(..19).unwrap_or(at))
            }
            _ => "not read yet".into(),
        };
        let _ = writeln!(text, "{} ({}): {read}", source.path, source.origin);
    }
    text
}

/// `optimize`
pub fn optimized(o: &Optimized) -> String {
    if o.recommendations.is_empty() {
        return format!("No recommendations for '{}' from its {} recorded runs.\n", o.workflow, o.runs);
    }
    let mut text = format!("Recommendations for '{}' from {} recorded runs:\n", o.workflow, o.runs);
    for (n, r) in o.recommendations.iter().enumerate() {
        let gain = r.gain.as_deref().map(|g| format!(" Estimated gain: {g}.")).unwrap_or_default();
        let _ = writeln!(text, "  {}. {} ({}){gain}", n + 1, r.advice, r.evidence);
    }
    text
}

/// `template list`
pub fn templates(templates: &[Workflow]) -> String {
    let mut text = String::from("Built-in templates:\n");
    for (n, template) in templates.iter().enumerate() {
        let _ = writeln!(text, "  {}. {} - {}", n + 1, template.name, template.description.as_deref().unwrap_or(""));
        let params: Vec<String> = template
            .parameters
            .iter()
            .map(|(k, p)| format!("{k}={}", p.default.as_ref().map(plain_value).unwrap_or_default()))
            .collect();
        if !params.is_empty() {
            let _ = writeln!(text, "     parameters: {}", params.join(" "));
        }
    }
    text.push_str("Use one with: alpha template use NAME [--name NEW] [key=value...]\n");
    text
}

/// `validate`: the line for one file (diagnostics are rendered separately, on stderr).
pub fn file_check(check: &FileCheck, out: Output) -> String {
    match &check.workflow {
        Some(workflow) => format!("{} {}: {}\n", out.good("✓"), check.file, summary(workflow)),
        None => format!("{} {}: {}\n", out.bad("✗"), check.file, plural(check.diagnostics.len(), "error")),
    }
}

/// An error as users see it: the message, then a hint when there is one.
pub fn error(error: &crate::error::Error, color: bool) -> String {
    use crate::error::Error;
    match error {
        Error::Invalid(diagnostics) => diagnostics.render(color),
        Error::Usage { message, help } => match help {
            Some(help) => format!("error: {message}\n  help: {help}\n"),
            None => format!("error: {message}\n"),
        },
        other => {
            let mut text = format!("error: {other}\n");
            if other.is_corrupt() {
                let _ = writeln!(text, "  help: {}", crate::store::DAMAGED_HINT);
            }
            if other.is_disk_full() {
                text.push_str("  help: the disk holding alpha's database is full; free some space and try again (what was saved before is intact)\n");
            }
            text
        }
    }
}

/// "why did it fail?": the run, each failed step with its error and last lines, or that it
/// went well.
pub fn explanation(explained: &crate::commands::history::Explanation) -> String {
    let run = &explained.run;
    let id = crate::commands::short_id(&run.id);
    let when = run
        .started_at
        .as_deref()
        .map(|t| format!(" (started {})", t.replace('T', " ").trim_end_matches('Z')))
        .unwrap_or_default();
    let mut text = format!("Run {id} of '{}'{when}: {}.\n", run.workflow_name, outcome(run.status));
    if explained.failed.is_empty() {
        if let Some(error) = &run.error {
            let _ = writeln!(text, "It failed before any step failed: {error}");
        } else if run.status == crate::store::RunStatus::Completed {
            let _ = writeln!(
                text,
                "Nothing failed: {} step{} finished.",
                explained.finished,
                if explained.finished == 1 { "" } else { "s" }
            );
        }
    }
    for step in &explained.failed {
        let label = step.name.as_deref().map_or_else(|| step.step_id.clone(), |n| format!("{n} ({})", step.step_id));
        let error = step.error.as_deref().unwrap_or("no error recorded");
        // "exited with code 1" says the code already; anything else gets it added.
        let code = step
            .exit_code
            .filter(|c| !error.contains(&format!("code {c}")))
            .map(|c| format!(", exit code {c}"))
            .unwrap_or_default();
        let _ = writeln!(text, "The step {label} failed{code}: {error}");
        if !step.tail.is_empty() {
            let _ = writeln!(text, "Its last lines:");
            for line in &step.tail {
                let _ = writeln!(text, "  {line}");
            }
        }
    }
    if explained.resumable {
        let _ = writeln!(text, "`alpha workflow logs {id}` shows everything it printed.");
    }
    text
}

/// `alpha worker list`: one line per worker, then what waits.
pub fn workers(list: &crate::commands::queue::WorkerList) -> String {
    let mut text = String::new();
    if list.workers.is_empty() {
        text.push_str("No worker has run yet. Start one with: alpha worker [--tags gpu] [--concurrency 2]\n");
    } else {
        let width = list.workers.iter().map(|w| w.worker.name.chars().count()).max().unwrap_or(0).max(12);
        let _ =
            writeln!(text, "{:<width$} {:<9} {:<16} {:>4} {:<14} runs", "worker", "state", "tags", "max", "heartbeat");
        for w in &list.workers {
            let state = if w.alive || w.worker.state == "stopped" { w.worker.state.as_str() } else { "lost" };
            let tags = if w.worker.tags.is_empty() { "-".to_string() } else { w.worker.tags.join(",") };
            let beat = format!("{}s ago", w.seconds_since_heartbeat);
            let runs: Vec<&str> = w.worker.runs.iter().map(|r| crate::commands::short_id(r)).collect();
            let runs = if runs.is_empty() { "-".to_string() } else { runs.join(" ") };
            let _ = writeln!(
                text,
                "{:<width$} {:<9} {:<16} {:>4} {:<14} {runs}",
                w.worker.name, state, tags, w.worker.concurrency, beat
            );
        }
    }
    let _ = writeln!(text, "{} run(s) waiting, {} held by workers", list.pending, list.claimed);
    text
}
