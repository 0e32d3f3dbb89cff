//! Commands that manage the library: list, show, create, edit, delete, history, export,
//! import, versions, diff, rollback.

use std::io::{BufRead, IsTerminal, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde_json::{Value, json};

use super::args::TextFormat;
use super::files::{count_steps, summary};
use super::output::{Output, print_json, stderr_color};
use crate::error::{Error, Result, exit};
use crate::store::{RunRecord, RunStatus, Store, bump_patch};
use crate::workflow::{Document, Format, Trigger, Workflow, load_file, to_text};

impl From<TextFormat> for Format {
    fn from(format: TextFormat) -> Format {
        match format {
            TextFormat::Yaml => Format::Yaml,
            TextFormat::Json => Format::Json,
        }
    }
}

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

/// The word users see for a stored run status.
pub fn outcome(status: &str) -> &str {
    match status {
        "completed" => "success",
        other => other,
    }
}

/// `alpha workflow list`
pub fn list(store: &Store, tags: &[String], search: Option<&str>, json: bool) -> Result<i32> {
    let listings = store.list(tags, search)?;
    if json {
        let rows: Vec<Value> = listings
            .iter()
            .map(|l| {
                json!({
                    "id": l.saved.id, "name": l.saved.workflow.name, "version": l.saved.workflow.version,
                    "description": l.saved.workflow.description, "tags": l.saved.workflow.tags,
                    "execution_count": l.saved.execution_count, "last_executed": l.saved.last_executed,
                    "last_status": l.last_status,
                    "schedules": l.schedules.iter().map(|s| json!({
                        "cron": s.cron, "timezone": s.timezone, "description": crate::schedule::describe(&s.cron)
                    })).collect::<Vec<_>>(),
                })
            })
            .collect();
        print_json(&rows);
        return Ok(exit::OK);
    }
    let out = Output::detect();
    if listings.is_empty() {
        if tags.is_empty() && search.is_none() {
            println!("No workflows yet. Save one with `alpha workflow create --file FILE`.");
        } else {
            println!("No workflows match.");
        }
        return Ok(exit::OK);
    }
    println!("{}", out.bold("Available Workflows:"));
    for (index, listing) in listings.iter().enumerate() {
        let workflow = &listing.saved.workflow;
        let tags =
            if workflow.tags.is_empty() { String::new() } else { format!(" - tags: {}", workflow.tags.join(", ")) };
        println!("  {}. {} (v{}){tags}", index + 1, out.bold(&workflow.name), workflow.version);
        if let (Some(when), Some(status)) = (&listing.saved.last_executed, &listing.last_status) {
            println!("     Last run: {} ({})", ago(when), outcome(status));
        }
        for schedule in &listing.schedules {
            let zone = schedule.timezone.as_deref().map(|z| format!(" ({z})")).unwrap_or_default();
            println!("     Scheduled: {}{zone}", crate::schedule::describe(&schedule.cron));
        }
    }
    Ok(exit::OK)
}

/// `alpha workflow show`
pub fn show(store: &Store, name: &str, version: Option<&str>, format: TextFormat, json: bool) -> Result<i32> {
    let saved = store.get(name)?;
    let workflow = match version {
        Some(v) => store.version(&saved.id, v)?.workflow,
        None => saved.workflow.clone(),
    };
    let runs = store.history(Some(&saved.id), None, 5)?;
    if json {
        print_json(&json!({
            "id": saved.id, "name": workflow.name, "version": workflow.version,
            "created_at": saved.created_at, "updated_at": saved.updated_at,
            "execution_count": saved.execution_count, "last_executed": saved.last_executed,
            "definition": workflow, "recent_runs": runs,
        }));
        return Ok(exit::OK);
    }
    let out = Output::detect();
    print!("{}", to_text(&workflow, format.into()));
    println!();
    println!("{}", out.dim("# ─── summary ───"));
    println!("{} v{}: {}", out.bold(&workflow.name), workflow.version, summary_tail(&workflow));
    if !workflow.parameters.is_empty() {
        println!("Parameters:");
        for (name, p) in &workflow.parameters {
            let default = match &p.default {
                Some(v) => format!(", default: {}", v.as_str().map_or_else(|| v.to_string(), str::to_string)),
                None if p.is_required() => ", required".into(),
                None => String::new(),
            };
            let about = p.description.as_deref().map(|d| format!(" - {d}")).unwrap_or_default();
            println!("  - {name} ({}{default}){about}", p.kind.as_str());
        }
    }
    println!("Triggers:");
    if workflow.triggers.is_empty() {
        println!("  - manual");
    }
    for trigger in &workflow.triggers {
        match trigger {
            Trigger::Manual => println!("  - manual"),
            Trigger::Schedule { cron, timezone } => {
                let zone = timezone.as_deref().map(|z| format!(", {z}")).unwrap_or_default();
                println!("  - schedule: {} ({cron}{zone})", crate::schedule::describe(cron));
            }
        }
    }
    if runs.is_empty() {
        println!("Recent runs: none");
    } else {
        println!("Recent runs:");
        for run in &runs {
            println!("  - {}", run_line(run));
        }
    }
    Ok(exit::OK)
}

fn summary_tail(workflow: &Workflow) -> String {
    let steps = count_steps(&workflow.steps);
    let description = workflow.description.as_deref().map(|d| format!(" - {d}")).unwrap_or_default();
    format!("{steps} step{}{description}", if steps == 1 { "" } else { "s" })
}

fn duration_between(start: Option<&str>, end: Option<&str>) -> Option<String> {
    let start = DateTime::parse_from_rfc3339(start?).ok()?;
    let end = DateTime::parse_from_rfc3339(end?).ok()?;
    let ms = (end - start).num_milliseconds().max(0);
    Some(format_ms(ms))
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

fn run_line(run: &RunRecord) -> String {
    let when = run.started_at.as_deref().map(ago).unwrap_or_default();
    let took = duration_between(run.started_at.as_deref(), run.completed_at.as_deref()).unwrap_or_else(|| "-".into());
    let params = match &run.parameters {
        Value::Object(map) if !map.is_empty() => {
            let pairs: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k}={}", v.as_str().map_or_else(|| v.to_string(), str::to_string)))
                .collect();
            format!(" {}", pairs.join(" "))
        }
        _ => String::new(),
    };
    let error = run.error.as_deref().map(|e| format!(": {}", e.lines().next().unwrap_or(""))).unwrap_or_default();
    format!(
        "{} {} {} {when} ({took}, {}){params}{error}",
        &run.id[..8.min(run.id.len())],
        run.workflow_name,
        outcome(&run.status),
        run.trigger
    )
}

/// `alpha workflow create --file`
pub fn create(store: &mut Store, file: &Path, replace: bool, json: bool) -> Result<i32> {
    let workflow = load_file(file)?;
    let saved = store.create(&workflow, replace)?;
    if json {
        print_json(&json!({"id": saved.id, "name": saved.workflow.name, "version": saved.workflow.version}));
    } else {
        let out = Output::detect();
        println!("{} Workflow '{}' saved (v{}).", out.good("✓"), saved.workflow.name, saved.workflow.version);
        let params: Vec<String> = saved
            .workflow
            .parameters
            .iter()
            .filter(|(_, p)| p.default.is_some() || p.is_required())
            .map(|(k, p)| match &p.default {
                Some(v) => format!("{k}={}", v.as_str().map_or_else(|| v.to_string(), str::to_string)),
                None => format!("{k}=…"),
            })
            .collect();
        println!(
            "Run with: alpha workflow run '{}'{}",
            saved.workflow.name,
            params.iter().map(|p| format!(" {p}")).collect::<String>()
        );
    }
    Ok(exit::OK)
}

/// `alpha workflow edit`
pub fn edit(store: &mut Store, name: &str) -> Result<i32> {
    let saved = store.get(name)?;
    let editor = std::env::var("VISUAL")
        .ok()
        .filter(|v| !v.trim().is_empty())
        .or_else(|| std::env::var("EDITOR").ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "vi".into());
    let dir =
        tempfile::Builder::new().prefix("alpha-edit").tempdir().map_err(|e| Error::io("can't create a temp dir", e))?;
    let path = dir.path().join(format!("{}.yaml", file_stem(&saved.workflow.name)));
    let original = to_text(&saved.workflow, Format::Yaml);
    std::fs::write(&path, &original).map_err(|e| Error::io("can't write the temp file", e))?;
    let interactive = std::io::stdin().is_terminal();
    loop {
        let status = std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{editor} \"$1\""))
            .arg("sh")
            .arg(&path)
            .status()
            .map_err(|e| Error::io(format!("can't start the editor `{editor}`"), e))?;
        if !status.success() {
            return Err(Error::Other(format!("the editor `{editor}` exited with {status}; nothing was changed")));
        }
        let text = std::fs::read_to_string(&path).map_err(|e| Error::io("can't read the edited file", e))?;
        if text == original {
            println!("No changes; '{}' stays at v{}.", saved.workflow.name, saved.workflow.version);
            return Ok(exit::OK);
        }
        let document = Document::from_text(path.display().to_string(), text, Format::Yaml);
        match document.load() {
            Ok(mut workflow) => {
                if workflow == saved.workflow {
                    println!("No changes; '{}' stays at v{}.", saved.workflow.name, saved.workflow.version);
                    return Ok(exit::OK);
                }
                if workflow.version == saved.workflow.version {
                    workflow.version = bump_patch(&workflow.version);
                }
                let updated = store.update(&saved.id, &workflow, "edited")?;
                println!("Saved '{}' as v{}.", updated.workflow.name, updated.workflow.version);
                return Ok(exit::OK);
            }
            Err(diagnostics) => {
                eprint!("{}", diagnostics.render(stderr_color()));
                if !interactive {
                    eprintln!("The edited workflow is invalid; nothing was saved.");
                    return Ok(exit::USAGE);
                }
                match ask("The workflow is invalid. (r)e-open the editor or (d)iscard the changes? [r/d] ")?.as_str() {
                    "d" | "discard" => {
                        println!("Discarded; nothing was saved.");
                        return Ok(exit::USAGE);
                    }
                    _ => continue,
                }
            }
        }
    }
}

fn file_stem(name: &str) -> String {
    let stem: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let stem = stem.trim_matches('-').to_string();
    if stem.is_empty() { "workflow".into() } else { stem }
}

/// Prints a prompt on stderr and reads one trimmed, lowercased answer.
pub fn ask(prompt: &str) -> Result<String> {
    eprint!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| Error::io("can't read the answer", e))?;
    Ok(line.trim().to_lowercase())
}

/// `alpha workflow delete`
pub fn delete(store: &mut Store, name: &str, yes: bool) -> Result<i32> {
    let saved = store.get(name)?;
    if !yes {
        if !std::io::stdin().is_terminal() {
            return Err(Error::usage_with(
                format!("not deleting '{}' without confirmation", saved.workflow.name),
                "pass --yes to delete without a terminal",
            ));
        }
        let answer = ask(&format!(
            "Delete workflow '{}' (v{}, {} runs)? Its run history stays readable. [y/N] ",
            saved.workflow.name, saved.workflow.version, saved.execution_count
        ))?;
        if !matches!(answer.as_str(), "y" | "yes") {
            println!("Kept '{}'.", saved.workflow.name);
            return Ok(exit::OK);
        }
    }
    store.delete(&saved.id)?;
    println!("Deleted workflow '{}'.", saved.workflow.name);
    Ok(exit::OK)
}

/// `alpha workflow history`
pub fn history(
    store: &Store,
    name: Option<&str>,
    limit: usize,
    status: Option<&str>,
    run: Option<&str>,
    json: bool,
) -> Result<i32> {
    if let Some(run_id) = run {
        return run_details(store, run_id, json);
    }
    let status = match status {
        Some(text) => Some(RunStatus::parse(text).ok_or_else(|| {
            Error::usage_with(format!("unknown status `{text}`"), "use completed, failed, interrupted or running")
        })?),
        None => None,
    };
    let workflow_id = match name {
        Some(name) => Some(history_workflow_id(store, name)?),
        None => None,
    };
    let runs = store.history(workflow_id.as_deref(), status, limit)?;
    if json {
        print_json(&runs);
        return Ok(exit::OK);
    }
    if runs.is_empty() {
        println!("No runs recorded yet.");
        return Ok(exit::OK);
    }
    for run in &runs {
        println!("{}", run_line(run));
    }
    Ok(exit::OK)
}

/// A workflow id for history: a saved workflow, or the name of a deleted one found in run records.
fn history_workflow_id(store: &Store, name: &str) -> Result<String> {
    if let Some(saved) = store.find(name)? {
        return Ok(saved.id);
    }
    let deleted = store.workflow_id_in_runs(name)?;
    match deleted {
        Some(id) => Ok(id),
        None => store.get(name).map(|s| s.id),
    }
}

fn run_details(store: &Store, run_id: &str, json: bool) -> Result<i32> {
    let run = store.run(run_id)?;
    let steps = store.steps(&run.id)?;
    if json {
        print_json(&json!({"run": run, "steps": steps}));
        return Ok(exit::OK);
    }
    println!("Run {} of '{}' v{} ({})", run.id, run.workflow_name, run.workflow_version, run.trigger);
    println!("Status: {}", outcome(&run.status));
    if let Some(started) = &run.started_at {
        println!("Started: {started}");
    }
    if let Some(took) = duration_between(run.started_at.as_deref(), run.completed_at.as_deref()) {
        println!("Duration: {took}");
    }
    if let Value::Object(params) = &run.parameters {
        for (k, v) in params {
            println!("Parameter {k} = {}", v.as_str().map_or_else(|| v.to_string(), str::to_string));
        }
    }
    if let Some(error) = &run.error {
        println!("Error: {error}");
    }
    println!("Steps:");
    if steps.is_empty() {
        println!("  (none recorded)");
    }
    for step in &steps {
        let took = step.duration_ms.map(format_ms).unwrap_or_default();
        let attempt = if step.attempt > 1 { format!(" attempt {}", step.attempt) } else { String::new() };
        let error = step.error.as_deref().map(|e| format!(": {}", e.lines().next().unwrap_or(""))).unwrap_or_default();
        println!("  {} {}{attempt} ({took}){error}", step.status, step.name.as_deref().unwrap_or(&step.step_id));
    }
    Ok(exit::OK)
}

/// `alpha workflow export`
pub fn export(store: &Store, name: &str, file: Option<&Path>, format: Option<TextFormat>) -> Result<i32> {
    let saved = store.get(name)?;
    let format = match (format, file) {
        (Some(f), _) => f.into(),
        (None, Some(path)) => Format::from_path(path),
        (None, None) => Format::Yaml,
    };
    let text = to_text(&saved.workflow, format);
    match file {
        Some(path) if path.as_os_str() != "-" => {
            std::fs::write(path, &text).map_err(|e| Error::io(format!("can't write {}", path.display()), e))?;
            eprintln!("Exported '{}' v{} to {}", saved.workflow.name, saved.workflow.version, path.display());
        }
        _ => print!("{text}"),
    }
    Ok(exit::OK)
}

/// `alpha workflow import`
pub fn import(store: &mut Store, files: &[PathBuf], replace: bool, json: bool) -> Result<i32> {
    let out = Output::detect();
    let mut reports = Vec::new();
    let mut failed = false;
    for path in files {
        let shown = path.display().to_string();
        let result = load_file(path).map_err(Error::from).and_then(|w| store.create(&w, replace));
        match result {
            Ok(saved) => {
                if !json {
                    println!("{} {shown}: imported {}", out.good("✓"), summary(&saved.workflow));
                }
                reports.push(json!({"file": shown, "imported": true, "name": saved.workflow.name, "version": saved.workflow.version}));
            }
            Err(error) => {
                failed = true;
                if !json {
                    super::report(&error);
                    println!("{} {shown}: not imported", out.bad("✗"));
                }
                let diagnostics = match &error {
                    Error::Invalid(d) => serde_json::to_value(&d.diagnostics).unwrap_or(Value::Null),
                    _ => Value::Null,
                };
                reports.push(
                    json!({"file": shown, "imported": false, "error": error.to_string(), "diagnostics": diagnostics}),
                );
            }
        }
    }
    if json {
        print_json(&reports);
    }
    Ok(if failed { exit::USAGE } else { exit::OK })
}

/// `alpha workflow versions`
pub fn versions(store: &Store, name: &str, json: bool) -> Result<i32> {
    let saved = store.get(name)?;
    let versions = store.versions(&saved.id)?;
    if json {
        let rows: Vec<Value> = versions
            .iter()
            .map(|v| json!({"version": v.version, "created_at": v.created_at, "note": v.note, "current": v.version == saved.workflow.version}))
            .collect();
        print_json(&rows);
        return Ok(exit::OK);
    }
    println!("Versions of '{}':", saved.workflow.name);
    for v in &versions {
        let current = if v.version == saved.workflow.version { " (current)" } else { "" };
        let note = v.note.as_deref().map(|n| format!(" - {n}")).unwrap_or_default();
        println!("  v{}  {}{note}{current}", v.version, ago(&v.created_at));
    }
    Ok(exit::OK)
}

/// `alpha workflow diff`
pub fn diff(store: &Store, name: &str, v1: &str, v2: Option<&str>) -> Result<i32> {
    let saved = store.get(name)?;
    let old = store.version(&saved.id, v1)?;
    let new = match v2 {
        Some(v) => store.version(&saved.id, v)?,
        None => store.version(&saved.id, &saved.workflow.version)?,
    };
    print!("{}", unified_diff(&old.workflow, &new.workflow, &old.version, &new.version));
    Ok(exit::OK)
}

/// A unified diff of two definitions as YAML.
pub fn unified_diff(old: &Workflow, new: &Workflow, old_label: &str, new_label: &str) -> String {
    let (a, b) = (to_text(old, Format::Yaml), to_text(new, Format::Yaml));
    if a == b {
        return format!("v{old_label} and v{new_label} are identical\n");
    }
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(3)
        .header(&format!("v{old_label}"), &format!("v{new_label}"))
        .to_string()
}

/// `alpha workflow rollback`
pub fn rollback(store: &mut Store, name: &str, version: &str) -> Result<i32> {
    let saved = store.get(name)?;
    let old = store.version(&saved.id, version)?;
    let mut workflow = old.workflow.clone();
    workflow.version = bump_patch(&saved.workflow.version);
    let updated = store.update(&saved.id, &workflow, &format!("rollback to {}", old.version))?;
    println!("Rolled '{}' back to v{}; saved as v{}.", updated.workflow.name, old.version, updated.workflow.version);
    Ok(exit::OK)
}
