//! Managing the library: list, show, create, edit, delete, export, import, versions, diff,
//! rollback. Every change keeps the earlier definition as a version.

use std::path::{Path, PathBuf};

use serde::Serialize;

use super::Context;
use crate::diagnostic::{Diagnostic, Diagnostics};
use crate::error::{Error, Result};
use crate::store::{RunRecord, RunStatus, Schedule, bump_patch};
use crate::workflow::{Document, Format, Workflow, load_file, to_text};

/// What `list` asks for.
#[derive(Debug, Clone, Default)]
pub struct ListRequest {
    /// Only workflows with all of these tags.
    pub tags: Vec<String>,
    /// Only workflows whose name, tags or description match, best first.
    pub search: Option<String>,
}

/// One workflow in a listing.
#[derive(Debug, Clone, Serialize)]
pub struct Listed {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: String,
    /// Current version.
    pub version: String,
    /// Description.
    pub description: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// Runs recorded.
    pub execution_count: i64,
    /// When it last ran.
    pub last_executed: Option<String>,
    /// Status of the last run.
    pub last_status: Option<RunStatus>,
    /// Its schedules.
    pub schedules: Vec<ScheduleWords>,
}

/// A schedule in words.
#[derive(Debug, Clone, Serialize)]
pub struct ScheduleWords {
    /// 5-field cron.
    pub cron: String,
    /// IANA zone, local when absent.
    pub timezone: Option<String>,
    /// "Daily at 9:00 AM".
    pub description: String,
    /// The values its runs get.
    pub parameters: serde_json::Map<String, serde_json::Value>,
    /// The next fire, when asked for (`show`): "Mon 2026-12-07 09:00".
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_fire: Option<String>,
}

impl From<&Schedule> for ScheduleWords {
    fn from(schedule: &Schedule) -> Self {
        ScheduleWords {
            cron: schedule.cron.clone(),
            timezone: schedule.timezone.clone(),
            description: crate::schedule::describe(&schedule.cron),
            parameters: schedule.parameters.clone(),
            next_fire: None,
        }
    }
}

/// `list`: the saved workflows.
pub fn list(ctx: &Context, request: &ListRequest) -> Result<Vec<Listed>> {
    let Some(store) = ctx.existing_store()? else { return Ok(Vec::new()) };
    if request.search.as_deref().is_none_or(|s| s.trim().is_empty()) {
        // No search: the columns are enough, and no definition is read.
        return Ok(store
            .summaries(&request.tags)?
            .into_iter()
            .map(|s| Listed {
                last_status: s.last_status.as_deref().and_then(RunStatus::parse),
                schedules: s.schedules.iter().map(ScheduleWords::from).collect(),
                id: s.id,
                name: s.name,
                version: s.version,
                description: s.description,
                tags: s.tags,
                execution_count: s.execution_count,
                last_executed: s.last_executed,
            })
            .collect());
    }
    let listings = store.list(&request.tags, request.search.as_deref())?;
    Ok(listings
        .into_iter()
        .map(|l| Listed {
            id: l.saved.id,
            name: l.saved.workflow.name,
            version: l.saved.workflow.version,
            description: l.saved.workflow.description,
            tags: l.saved.workflow.tags,
            execution_count: l.saved.execution_count,
            last_executed: l.saved.last_executed,
            last_status: l.last_status.as_deref().and_then(RunStatus::parse),
            schedules: l.schedules.iter().map(ScheduleWords::from).collect(),
        })
        .collect())
}

/// `show`: a workflow with its definition and recent runs.
#[derive(Debug, Clone, Serialize)]
pub struct Shown {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The version shown.
    pub version: String,
    /// When it was first saved.
    pub created_at: String,
    /// When the current version was saved.
    pub updated_at: String,
    /// Runs recorded.
    pub execution_count: i64,
    /// When it last ran.
    pub last_executed: Option<String>,
    /// The definition of the version shown.
    pub definition: Workflow,
    /// The last five runs, newest first.
    pub recent_runs: Vec<RunRecord>,
    /// Its schedules (from `schedule` and from its `triggers`), with their next fires.
    pub schedules: Vec<ScheduleWords>,
    /// Where a scheduled run runs when the workflow names no `workdir:` (where it was made).
    pub scheduled_dir: Option<String>,
}

/// `show NAME [--version V]`
pub fn show(ctx: &Context, name: &str, version: Option<&str>) -> Result<Shown> {
    let store = ctx.store()?;
    let saved = store.get(name)?;
    let definition = match version {
        Some(v) => store.version(&saved.id, v)?.workflow,
        None => saved.workflow.clone(),
    };
    let recent_runs = store.history(Some(&saved.id), None, None, 5)?;
    let mut schedules = Vec::new();
    for schedule in store.schedules()?.iter().filter(|s| s.workflow_id == saved.id) {
        let mut words = ScheduleWords::from(schedule);
        words.next_fire =
            super::schedule::next_fires(ctx, &schedule.cron, schedule.timezone.as_deref(), 1)?.into_iter().next();
        schedules.push(words);
    }
    let scheduled_dir = store.workflow_dir(&saved.id)?;
    Ok(Shown {
        schedules,
        scheduled_dir,
        id: saved.id,
        name: definition.name.clone(),
        version: definition.version.clone(),
        created_at: saved.created_at,
        updated_at: saved.updated_at,
        execution_count: saved.execution_count,
        last_executed: saved.last_executed,
        definition,
        recent_runs,
    })
}

/// A workflow just saved.
#[derive(Debug, Clone, Serialize)]
pub struct SavedReport {
    /// Stable id.
    pub id: String,
    /// Name.
    pub name: String,
    /// The version saved.
    pub version: String,
    /// The definition saved.
    #[serde(skip)]
    pub workflow: Workflow,
}

impl SavedReport {
    fn of(saved: crate::store::Saved) -> SavedReport {
        SavedReport {
            id: saved.id,
            name: saved.workflow.name.clone(),
            version: saved.workflow.version.clone(),
            workflow: saved.workflow,
        }
    }
}

/// Saves a new workflow (with `replace`, a new version of the one of the same name), recording
/// the directory the user is in for its scheduled runs.
pub fn save(ctx: &Context, workflow: &Workflow, replace: bool) -> Result<SavedReport> {
    let mut store = ctx.store()?;
    let saved = store.create(workflow, replace)?;
    if let Some(dir) = &ctx.cwd {
        store.record_workflow_dir(&saved.id, &dir.display().to_string())?;
    }
    Ok(SavedReport::of(saved))
}

/// `create --file FILE`
pub fn create_from_file(ctx: &Context, file: &Path, replace: bool) -> Result<SavedReport> {
    let workflow = load_file(file)?;
    save(ctx, &workflow, replace)
}

/// Whether a workflow of this name is saved.
pub fn exists(ctx: &Context, name: &str) -> Result<bool> {
    match ctx.existing_store()? {
        Some(store) => Ok(store.find(name)?.is_some()),
        None => Ok(false),
    }
}

/// What the user confirms before a deletion.
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    /// Name.
    pub name: String,
    /// Current version.
    pub version: String,
    /// Runs recorded.
    pub execution_count: i64,
}

impl Summary {
    fn of(saved: crate::store::Saved) -> Summary {
        Summary { name: saved.workflow.name, version: saved.workflow.version, execution_count: saved.execution_count }
    }
}

/// A saved workflow in brief.
pub fn summary(ctx: &Context, name: &str) -> Result<Summary> {
    let saved = ctx.store()?.get(name)?;
    Ok(Summary::of(saved))
}

/// `delete NAME` (the face has asked for confirmation); its run history stays readable.
pub fn delete(ctx: &Context, name: &str) -> Result<Summary> {
    let mut store = ctx.store()?;
    let saved = store.get(name)?;
    store.delete(&saved.id)?;
    Ok(Summary::of(saved))
}

/// A definition opened for editing as text.
#[derive(Debug, Clone)]
pub struct Editing {
    /// The workflow's id.
    pub id: String,
    /// The definition as saved.
    pub workflow: Workflow,
    /// The text handed to the editor.
    pub text: String,
    /// A file name for it (`deploy-pipeline.yaml`).
    pub file_name: String,
}

/// How an edit ended.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Edited {
    /// Nothing changed; the version stays.
    Unchanged {
        /// Name.
        name: String,
        /// The version kept.
        version: String,
    },
    /// Saved as a new version.
    Saved {
        /// Name.
        name: String,
        /// The new version.
        version: String,
    },
}

/// Opens a workflow's definition as YAML for an editor.
pub fn begin_edit(ctx: &Context, name: &str) -> Result<Editing> {
    let saved = ctx.store()?.get(name)?;
    let text = to_text(&saved.workflow, Format::Yaml);
    Ok(Editing {
        file_name: format!("{}.yaml", file_stem(&saved.workflow.name)),
        id: saved.id,
        workflow: saved.workflow,
        text,
    })
}

/// Saves edited text as a new version when it is valid and different; an invalid text is an
/// [`Error::Invalid`] with its diagnostics, and nothing is saved. An unchanged version number is
/// bumped, so no version is ever overwritten.
pub fn finish_edit(ctx: &Context, editing: &Editing, origin: &str, text: String) -> Result<Edited> {
    let unchanged =
        || Edited::Unchanged { name: editing.workflow.name.clone(), version: editing.workflow.version.clone() };
    if text == editing.text {
        return Ok(unchanged());
    }
    let mut workflow = Document::from_text(origin.to_string(), text, Format::Yaml).load()?;
    if workflow == editing.workflow {
        return Ok(unchanged());
    }
    if workflow.version == editing.workflow.version {
        workflow.version = bump_patch(&workflow.version);
    }
    let updated = ctx.store()?.update(&editing.id, &workflow, "edited")?;
    Ok(Edited::Saved { name: updated.workflow.name, version: updated.workflow.version })
}

/// A changed definition proposed for saving (by a conversational edit or the optimizer): the
/// version is bumped and the whole definition validated before it is shown.
#[derive(Debug, Clone, Serialize)]
pub struct Proposal {
    /// The workflow's id.
    #[serde(skip)]
    pub id: String,
    /// Name.
    pub name: String,
    /// The version now.
    pub from_version: String,
    /// The version it would be saved as.
    pub to_version: String,
    /// A unified diff of the two definitions.
    pub diff: String,
    /// The changed definition.
    #[serde(skip)]
    pub workflow: Workflow,
}

/// Validates `changed` as the next version of the saved workflow `name`.
pub fn propose(ctx: &Context, name: &str, changed: Workflow, origin: &str) -> Result<Proposal> {
    let saved = ctx.store()?.get(name)?;
    proposal(saved.id, &saved.workflow, changed, origin)
}

pub(crate) fn proposal(id: String, current: &Workflow, mut changed: Workflow, origin: &str) -> Result<Proposal> {
    changed.version = bump_patch(&current.version);
    let changed = Document::from_text(origin.to_string(), to_text(&changed, Format::Yaml), Format::Yaml).load()?;
    Ok(Proposal {
        id,
        name: current.name.clone(),
        from_version: current.version.clone(),
        to_version: changed.version.clone(),
        diff: unified_diff(current, &changed, &current.version, &changed.version),
        workflow: changed,
    })
}

/// Saves a proposal the user accepted.
pub fn accept(ctx: &Context, proposal: &Proposal, note: &str) -> Result<SavedReport> {
    Ok(SavedReport::of(ctx.store()?.update(&proposal.id, &proposal.workflow, note)?))
}

fn file_stem(name: &str) -> String {
    let stem: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' }).collect();
    let stem = stem.trim_matches('-').to_string();
    if stem.is_empty() { "workflow".into() } else { stem }
}

/// `export`: the definition as text, written to `file` when one is given (`-` is stdout).
#[derive(Debug, Clone, Serialize)]
pub struct Exported {
    /// Name.
    pub name: String,
    /// Version.
    pub version: String,
    /// Where it was written; `None` when the text is for stdout.
    pub file: Option<String>,
    /// The text, when it was not written to a file.
    pub text: Option<String>,
}

/// `export NAME [--file PATH] [--format F] [--force]`: an existing file is overwritten only
/// with `force`.
pub fn export(ctx: &Context, name: &str, file: Option<&Path>, format: Option<Format>, force: bool) -> Result<Exported> {
    let saved = ctx.store()?.get(name)?;
    let file = file.filter(|path| path.as_os_str() != "-");
    let format = format.unwrap_or_else(|| file.map_or(Format::Yaml, Format::from_path));
    let text = to_text(&saved.workflow, format);
    let (name, version) = (saved.workflow.name, saved.workflow.version);
    match file {
        Some(path) => {
            if path.exists() && !force {
                return Err(Error::usage_with(
                    format!("{} already exists; nothing was written", path.display()),
                    "pass --force to overwrite it",
                ));
            }
            std::fs::write(path, &text).map_err(|e| Error::io(format!("can't write {}", path.display()), e))?;
            Ok(Exported { name, version, file: Some(path.display().to_string()), text: None })
        }
        None => Ok(Exported { name, version, file: None, text: Some(text) }),
    }
}

/// The import of one file.
#[derive(Debug, Serialize)]
pub struct Imported {
    /// The file.
    pub file: String,
    /// Saved.
    pub imported: bool,
    /// The workflow's name, when saved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// The version saved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// Why not, when not saved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The problems of an invalid file.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diagnostics: Option<Vec<Diagnostic>>,
    /// The workflow saved, for summaries.
    #[serde(skip)]
    pub workflow: Option<Workflow>,
    /// The failure, for rendering.
    #[serde(skip)]
    pub failure: Option<Error>,
}

/// `import FILE...`: validates and saves each file; one file's failure doesn't stop the rest.
pub fn import(ctx: &Context, files: &[PathBuf], replace: bool) -> Result<Vec<Imported>> {
    let mut store = ctx.store()?;
    Ok(files
        .iter()
        .map(|path| {
            let file = path.display().to_string();
            let saved = load_file(path).map_err(Error::from).and_then(|w| store.create(&w, replace));
            if let (Ok(saved), Some(dir)) = (&saved, &ctx.cwd) {
                let _ = store.record_workflow_dir(&saved.id, &dir.display().to_string());
            }
            match saved {
                Ok(saved) => Imported {
                    file,
                    imported: true,
                    name: Some(saved.workflow.name.clone()),
                    version: Some(saved.workflow.version.clone()),
                    error: None,
                    diagnostics: None,
                    workflow: Some(saved.workflow),
                    failure: None,
                },
                Err(error) => Imported {
                    file,
                    imported: false,
                    name: None,
                    version: None,
                    error: Some(error.to_string()),
                    diagnostics: match &error {
                        Error::Invalid(d) => Some(d.diagnostics.clone()),
                        _ => None,
                    },
                    workflow: None,
                    failure: Some(error),
                },
            }
        })
        .collect())
}

/// One saved version.
#[derive(Debug, Clone, Serialize)]
pub struct VersionRow {
    /// Semver.
    pub version: String,
    /// When it was saved.
    pub created_at: String,
    /// Why (created, edited, rollback to …).
    pub note: Option<String>,
    /// It is the current one.
    pub current: bool,
}

/// Every saved workflow's name, in order (a filter's choices).
pub fn names(ctx: &Context) -> Result<Vec<String>> {
    match ctx.existing_store()? {
        Some(store) => store.names(),
        None => Ok(Vec::new()),
    }
}

/// `versions NAME`: the workflow's name and its versions, oldest first.
pub fn versions(ctx: &Context, name: &str) -> Result<(String, Vec<VersionRow>)> {
    let store = ctx.store()?;
    let saved = store.get(name)?;
    let rows = store
        .versions(&saved.id)?
        .into_iter()
        .map(|v| VersionRow {
            current: v.version == saved.workflow.version,
            version: v.version,
            created_at: v.created_at,
            note: v.note,
        })
        .collect();
    Ok((saved.workflow.name, rows))
}

/// `diff NAME V1 [V2]`: what changed between two versions (V2 defaults to the current one).
#[derive(Debug, Clone, Serialize)]
pub struct Diffed {
    /// Name.
    pub name: String,
    /// The older version.
    pub from: String,
    /// The newer version.
    pub to: String,
    /// The unified diff of their YAML; empty when identical.
    pub diff: String,
}

/// `diff NAME V1 [V2]`
pub fn diff(ctx: &Context, name: &str, v1: &str, v2: Option<&str>) -> Result<Diffed> {
    let store = ctx.store()?;
    let saved = store.get(name)?;
    let old = store.version(&saved.id, v1)?;
    let new = store.version(&saved.id, v2.unwrap_or(&saved.workflow.version))?;
    let diff = unified_diff(&old.workflow, &new.workflow, &old.version, &new.version);
    Ok(Diffed { name: saved.workflow.name, from: old.version, to: new.version, diff })
}

/// A unified diff of two definitions as YAML; empty when they are the same.
pub fn unified_diff(old: &Workflow, new: &Workflow, old_label: &str, new_label: &str) -> String {
    let (a, b) = (to_text(old, Format::Yaml), to_text(new, Format::Yaml));
    if a == b {
        return String::new();
    }
    similar::TextDiff::from_lines(&a, &b)
        .unified_diff()
        .context_radius(3)
        .header(&format!("v{old_label}"), &format!("v{new_label}"))
        .to_string()
}

/// `rollback NAME VERSION`: the old definition saved again as a new version.
#[derive(Debug, Clone, Serialize)]
pub struct RolledBack {
    /// Name.
    pub name: String,
    /// The version restored.
    pub restored: String,
    /// The new version it was saved as.
    pub version: String,
}

/// `rollback NAME VERSION`
pub fn rollback(ctx: &Context, name: &str, version: &str) -> Result<RolledBack> {
    let mut store = ctx.store()?;
    let saved = store.get(name)?;
    let old = store.version(&saved.id, version)?;
    let mut workflow = old.workflow.clone();
    workflow.version = bump_patch(&saved.workflow.version);
    let updated = store.update(&saved.id, &workflow, &format!("rollback to {}", old.version))?;
    Ok(RolledBack { name: updated.workflow.name, restored: old.version, version: updated.workflow.version })
}

/// `rename NAME NEW`: the workflow under another name, saved as a new version.
#[derive(Debug, Clone, Serialize)]
pub struct Renamed {
    /// The name it had.
    pub from: String,
    /// The name it has now.
    pub name: String,
    /// The new version the renamed definition was saved as.
    pub version: String,
}

/// `rename NAME NEW`. The workflow keeps its id, so its versions, runs and schedules stay with
/// it; the old name is refused afterwards like any unknown one. A name another workflow has (in
/// any case) is refused before anything is written.
pub fn rename(ctx: &Context, name: &str, new_name: &str) -> Result<Renamed> {
    let new_name = new_name.trim();
    if new_name.is_empty() {
        return Err(Error::usage("a workflow needs a name that is not empty"));
    }
    let mut store = ctx.store()?;
    let saved = store.get(name)?;
    if saved.workflow.name == new_name {
        return Err(Error::usage(format!("'{new_name}' is already that workflow's name")));
    }
    let mut changed = saved.workflow.clone();
    changed.name = new_name.to_string();
    let proposal = proposal(saved.id, &saved.workflow, changed, "the new name")?;
    let updated = store.update(&proposal.id, &proposal.workflow, &format!("renamed from {}", saved.workflow.name))?;
    Ok(Renamed { from: saved.workflow.name, name: updated.workflow.name, version: updated.workflow.version })
}

/// The problems of an invalid definition, for faces that show them.
pub fn diagnostics_of(error: &Error) -> Option<&Diagnostics> {
    match error {
        Error::Invalid(diagnostics) => Some(diagnostics),
        _ => None,
    }
}

/// Every saved definition, in listing order (for recognizing a workflow typed by hand).
pub fn definitions(ctx: &Context) -> Result<Vec<Workflow>> {
    let Some(store) = ctx.existing_store()? else { return Ok(Vec::new()) };
    Ok(store.list(&[], None)?.into_iter().map(|l| l.saved.workflow).collect())
}

/// A saved definition by name, if there is one.
pub fn definition(ctx: &Context, name: &str) -> Result<Option<Workflow>> {
    let Some(store) = ctx.existing_store()? else { return Ok(None) };
    Ok(store.find(name)?.map(|s| s.workflow))
}

/// The canonical name of a saved workflow (`it` resolution and fuzzy names end here).
pub fn canonical_name(ctx: &Context, name: &str) -> Result<String> {
    Ok(ctx.store()?.get(name)?.workflow.name)
}
