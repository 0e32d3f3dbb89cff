//! `/workflows/{name}`: what a workflow is and does: its description, parameters, schedules,
//! graph, definition and versions, with a form to run it built from its typed parameters.

use std::collections::HashMap;

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};
use serde::Deserialize;

use super::layout::{Section, frame, run_badge, run_link, time, value_text};
use crate::commands::library::{self, Diffed, Shown, VersionRow};
use crate::web::AppState;
use crate::web::blocking::call;
use crate::workflow::{Format, ParamType, Parameter, Trigger, to_text};

/// `?diff=VERSION`: show what changed from that version to the current one.
#[derive(Debug, Default, Deserialize)]
pub struct WorkflowPageQuery {
    /// The older version.
    #[serde(default)]
    pub diff: Option<String>,
}

/// `GET /workflows/{name}`
pub async fn page(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<WorkflowPageQuery>,
) -> Response {
    let wanted = query.diff.clone();
    let found = call(&state, move |ctx| {
        let shown = library::show(ctx, &name, None)?;
        let (_, versions) = library::versions(ctx, &shown.name)?;
        let diffed = match wanted.as_deref() {
            Some(from) => Some(library::diff(ctx, &shown.name, from, None)?),
            None => None,
        };
        Ok((shown, versions, diffed))
    })
    .await;
    match found {
        Ok((shown, versions, diffed)) => {
            frame(&shown.name, Section::Workflows, body(&shown, &versions, diffed.as_ref())).into_response()
        }
        Err(error) => error.page(),
    }
}

fn body(shown: &Shown, versions: &[VersionRow], diffed: Option<&Diffed>) -> Markup {
    let workflow = &shown.definition;
    let graph = crate::executor::step_graph(workflow);
    html! {
        h1 { (shown.name) " " span.version { "v" (shown.version) } }
        @if let Some(description) = &workflow.description { p.description { (description) } }
        p { @for t in &workflow.tags { span.tag { (t) } " " } }
        div.columns {
            section.card #run-form-card {
                h2 { "Run" }
                (run_form(&shown.name, &workflow.parameters))
            }
            section.card {
                h2 { "Schedules" }
                @if shown.schedules.is_empty() && !workflow.triggers.iter().any(|t| matches!(t, Trigger::Schedule { .. })) {
                    p.muted { "Not scheduled. In the chat: " code { "schedule " (shown.name) " every day at 9am" } }
                } @else {
                    ul.schedules { @for s in &shown.schedules {
                        li { strong { (s.description) } " " code { (s.cron) } @if let Some(tz) = &s.timezone { " " (tz) }
                            @if let Some(next) = &s.next_fire { div.muted { "next: " (next) } }
                            @if !s.parameters.is_empty() { div.muted { "with " (params_text(&s.parameters)) } } }
                    } }
                }
                @if let Some(dir) = &shown.scheduled_dir { p.muted { "Scheduled runs run in " code { (dir) } } }
            }
        }
        section.card {
            h2 { "Graph" }
            div.graph-box { (crate::web::graph::svg(&graph, &HashMap::new())) }
        }
        @if !workflow.parameters.is_empty() {
            section.card {
                h2 { "Parameters" }
                table.list { thead { tr { th { "Name" } th { "Type" } th { "Required" } th { "Default" } th { "Description" } } }
                    tbody { @for (name, p) in &workflow.parameters {
                        tr { td.mono { (name) } td { (p.kind.as_str()) } td { @if p.is_required() { "yes" } @else { "no" } }
                            td.mono { @if p.kind == ParamType::Secret { "•••" } @else if let Some(d) = &p.default { (value_text(d)) } }
                            td { (p.description.as_deref().unwrap_or("")) } }
                    } }
                }
            }
        }
        section.card {
            h2 { "Recent runs" }
            @if shown.recent_runs.is_empty() { p.muted { "It has not run yet." } }
            @else {
                table.list { thead { tr { th { "Run" } th { "Status" } th { "Started" } th { "Trigger" } } }
                    tbody { @for r in &shown.recent_runs {
                        tr { td { (run_link(&r.id)) } td { (run_badge(r.status)) } td { (time(r.started_at.as_deref())) } td { (r.trigger) } }
                    } }
                }
                p { a href=(format!("/runs?workflow={}", crate::web::auth::encode(&shown.name))) { "All its runs →" } }
            }
        }
        section.card {
            h2 { "Definition" }
            (crate::web::yaml::highlighted(&to_text(workflow, Format::Yaml)))
        }
        section.card #versions {
            h2 { "Versions" }
            table.list { thead { tr { th { "Version" } th { "Saved" } th { "Note" } th {} } }
                tbody { @for v in versions.iter().rev() {
                    tr { td.mono { (v.version) @if v.current { " (current)" } } td { (time(Some(&v.created_at))) }
                        td { (v.note.as_deref().unwrap_or("")) }
                        td { @if !v.current { a href=(format!("?diff={}", crate::web::auth::encode(&v.version))) { "diff to current" } } } }
                } }
            }
            @if let Some(d) = diffed { (diff_markup(d)) }
        }
    }
}

fn diff_markup(diffed: &Diffed) -> Markup {
    html! {
        h3 { "v" (diffed.from) " → v" (diffed.to) }
        @if diffed.diff.is_empty() { p.muted { "No difference." } }
        @else { pre.diff { @for line in diffed.diff.lines() {
            @let class = if line.starts_with("+++") || line.starts_with("---") { "h" } else if line.starts_with('+') { "add" } else if line.starts_with('-') { "del" } else if line.starts_with("@@") { "h" } else { "" };
            span class=(class) { (line) } "\n"
        } } }
    }
}

/// The form that starts a run: one field per parameter, of the kind its type calls for. A secret
/// is a password field; its value goes to the run and is never shown or stored.
fn run_form(name: &str, parameters: &indexmap::IndexMap<String, Parameter>) -> Markup {
    let action = format!("/api/workflows/{}/runs", crate::web::auth::encode(name));
    html! {
        form.run-form data-api=(action) data-kind="run" autocomplete="off" {
            @for (key, p) in parameters { (field(key, p)) }
            @if parameters.is_empty() { p.muted { "It takes no parameters." } }
            div.actions { button.primary type="submit" { "Run " (name) } }
            p.error role="alert" {}
        }
    }
}

fn field(key: &str, p: &Parameter) -> Markup {
    let id = format!("param-{key}");
    let default = p.default.as_ref().map(value_text).unwrap_or_default();
    let required = p.is_required();
    html! {
        div.field {
            label for=(id) { (key) @if required { span.req title="required" { " *" } } " " span.muted { (p.kind.as_str()) } }
            @if let Some(choices) = &p.choices {
                select #(id) name=(key) data-type=(p.kind.as_str()) required[required] {
                    @if !required { option value="" { "(default)" } }
                    @for choice in choices { @let text = value_text(choice); option value=(text) selected[text == default] { (text) } }
                }
            } @else {
                @match p.kind {
                    ParamType::Boolean => input #(id) type="checkbox" name=(key) data-type="boolean" checked[default == "true"];,
                    ParamType::Integer => input #(id) type="number" step="1" name=(key) data-type="integer" value=(default) required[required];,
                    ParamType::Number => input #(id) type="number" step="any" name=(key) data-type="number" value=(default) required[required];,
                    ParamType::Secret => input #(id) type="password" name=(key) data-type="secret" autocomplete="new-password" required[required];,
                    ParamType::Array | ParamType::Object => textarea #(id) name=(key) data-type=(p.kind.as_str()) rows="2" placeholder="JSON" required[required] { (default) },
                    _ => input #(id) type="text" name=(key) data-type=(p.kind.as_str()) value=(default) required[required];,
                }
            }
            @if let Some(d) = &p.description { div.muted.help { (d) } }
        }
    }
}

fn params_text(params: &serde_json::Map<String, serde_json::Value>) -> String {
    params.iter().map(|(k, v)| format!("{k}={}", value_text(v))).collect::<Vec<_>>().join(" ")
}
