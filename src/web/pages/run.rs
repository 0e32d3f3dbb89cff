//! `/runs/{id}`: one run: its parameters (secrets masked), each step attempt with its duration,
//! exit code and output, the steps as a timeline, and, while it runs, its progress and a live
//! tail of the current step's output; cancel and resume.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use maud::{Markup, html};

use super::layout::{Section, badge, duration, frame, run_badge, time, value_text, workflow_link};
use crate::commands::history::RunDetails;
use crate::store::{RunStatus, StepRecord, parse_time};
use crate::web::AppState;
use crate::web::blocking::call;

/// `GET /runs/{id}`
pub async fn page(State(state): State<AppState>, Path(id): Path<String>) -> Response {
    let found = call(&state, move |ctx| {
        let details = crate::commands::history::run_details(ctx, &id)?;
        // The graph of the definition that ran, when it is still in the library.
        let workflow = crate::commands::library::definition(ctx, &details.run.workflow_name).ok().flatten();
        Ok((details, workflow))
    })
    .await;
    match found {
        Ok((details, workflow)) => {
            let live = state.live.get(&details.run.id).is_some();
            let title = format!("Run {}", crate::commands::short_id(&details.run.id));
            frame(&title, Section::Runs, body(&details, workflow.as_ref(), live)).into_response()
        }
        Err(error) => error.page(),
    }
}

fn body(details: &RunDetails, workflow: Option<&crate::workflow::Workflow>, live: bool) -> Markup {
    let run = &details.run;
    let running = matches!(run.status, RunStatus::Running | RunStatus::Pending);
    let resumable = matches!(run.status, RunStatus::Failed | RunStatus::Interrupted | RunStatus::Partial);
    let started = run.started_at.as_deref().and_then(parse_time);
    let ended = run.completed_at.as_deref().and_then(parse_time);
    let took = started.zip(ended).map(|(s, e)| (e - s).num_milliseconds());
    let mut last_status: HashMap<String, String> = HashMap::new();
    for step in &details.steps {
        last_status.insert(step.step_id.clone(), step.status.as_str().to_string());
    }
    html! {
        div #run data-run=(run.id) data-status=(run.status.as_str()) data-live=[running.then_some("yes")] {
            h1 { "Run " span.mono { (crate::commands::short_id(&run.id)) } " of " (workflow_link(&run.workflow_name)) " "
                span #run-status { (run_badge(run.status)) } }
            p.meta {
                "v" (run.workflow_version) " · " (run.trigger) " · started " (time(run.started_at.as_deref()))
                @if run.completed_at.is_some() { " · ended " (time(run.completed_at.as_deref())) " · took " (duration(took)) }
            }
            div.actions {
                @if running {
                    @if live { button.danger #cancel type="button" data-post=(format!("/api/runs/{}/cancel", run.id)) { "Cancel" } }
                    @else { span.muted { "Started by another alpha process: stop it there." } }
                }
                @if resumable {
                    button.primary #resume type="button" data-post=(format!("/api/runs/{}/resume", run.id)) data-follow="run" { "Resume from the first unfinished step" }
                }
                p.error role="alert" {}
            }
            @if let Some(error) = &run.error { div.failure { strong { "Error: " } pre.inline { (error) } } }
            @if running {
                section.card #live {
                    h2 { "Live" }
                    p #progress { "Waiting for the next step…" }
                    pre.tail #tail aria-live="polite" {}
                }
            }
            @if let serde_json::Value::Object(params) = &run.parameters { @if !params.is_empty() {
                section.card {
                    h2 { "Parameters" }
                    table.list { tbody { @for (k, v) in params { tr { td.mono { (k) } td.mono { (value_text(v)) } } } } }
                }
            } }
            @if !details.steps.is_empty() {
                section.card {
                    h2 { "Timeline" }
                    (timeline(&details.steps, started))
                }
            }
            @if let Some(workflow) = workflow {
                section.card {
                    h2 { "Graph" }
                    div.graph-box #run-graph { (crate::web::graph::svg(&crate::executor::step_graph(workflow), &last_status)) }
                }
            }
            section.card {
                h2 { "Steps" }
                @if details.steps.is_empty() { p.muted { "No step has finished yet." } }
                table.list #steps {
                    thead { tr { th { "Step" } th { "Attempt" } th { "Status" } th { "Duration" } th { "Exit" } th { "Output" } } }
                    tbody { @for step in &details.steps { (step_row(step)) } }
                }
            }
            @if let Some(outputs) = run.result.get("outputs").filter(|o| o.as_object().is_some_and(|m| !m.is_empty())) {
                section.card { h2 { "Outputs" } pre { (serde_json::to_string_pretty(outputs).unwrap_or_default()) } }
            }
        }
    }
}

fn step_row(step: &StepRecord) -> Markup {
    let text = |key: &str| step.result.get(key).and_then(|v| v.as_str()).unwrap_or("").to_string();
    let (stdout, stderr) = (text("stdout"), text("stderr"));
    let output = if stdout.is_empty() { step.output.clone().unwrap_or_default() } else { stdout };
    let failed = step.status == crate::store::StepStatus::Failed;
    html! {
        tr.step id=(format!("step-{}", step.step_id)) data-step=(step.step_id) data-status=(step.status.as_str()) {
            td { strong { (step.name.as_deref().unwrap_or(&step.step_id)) } div.muted.mono { (step.step_id) } }
            td.num { (step.attempt) }
            td { (badge(step.status.as_str())) }
            td.num { (duration(step.duration_ms)) }
            td.num { @if let Some(code) = step.exit_code { (code) } @else { "—" } }
            td.output {
                details open[failed] {
                    summary { @if output.is_empty() && stderr.is_empty() && step.error.is_none() { span.muted { "no output" } } @else { "output" } }
                    @if !output.is_empty() { pre.stdout { (output) } }
                    @if !stderr.is_empty() { pre.stderr { (stderr) } }
                    @if let Some(error) = &step.error { pre.error-text { (error) } }
                }
            }
        }
    }
}

/// One bar per attempt from its start to its end, on the run's own time axis: steps that ran
/// side by side show as overlapping bars.
fn timeline(steps: &[StepRecord], run_start: Option<chrono::DateTime<chrono::Utc>>) -> Markup {
    let spans: Vec<(i64, i64)> = steps
        .iter()
        .map(|s| {
            let start = s.started_at.as_deref().and_then(parse_time);
            let end = s.completed_at.as_deref().and_then(parse_time);
            let origin = run_start.or(start);
            match (origin, start) {
                (Some(origin), Some(start)) => {
                    let from = (start - origin).num_milliseconds().max(0);
                    let to = end.map(|e| (e - origin).num_milliseconds()).unwrap_or(from + s.duration_ms.unwrap_or(0));
                    (from, to.max(from))
                }
                _ => (0, s.duration_ms.unwrap_or(0)),
            }
        })
        .collect();
    let total = spans.iter().map(|(_, to)| *to).max().unwrap_or(0).max(1);
    let (label_w, bar_w, row_h) = (200_i64, 600_i64, 22_i64);
    let height = row_h * steps.len() as i64 + 24;
    html! {
        svg.timeline xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {} {height}", label_w + bar_w + 80)) role="img" aria-label="timeline" {
            @for (i, (step, (from, to))) in steps.iter().zip(&spans).enumerate() {
                @let y = i as i64 * row_h + 4;
                @let x = label_w + from * bar_w / total;
                @let w = ((to - from) * bar_w / total).max(2);
                g class=(format!("bar {}", step.status.as_str())) data-step=(step.step_id) {
                    title { (step.step_id) " attempt " (step.attempt) ": " (duration(Some(to - from))) }
                    text.label x="0" y=(y + 14) { (step.name.as_deref().unwrap_or(&step.step_id)) @if step.attempt > 1 { " #" (step.attempt) } }
                    rect x=(x) y=(y) width=(w) height=(row_h - 6) rx="3" {}
                    text.dur x=(x + w + 4) y=(y + 14) { (duration(Some(to - from))) }
                }
            }
            text.axis x=(label_w) y=(height - 4) { "0" }
            text.axis x=(label_w + bar_w) y=(height - 4) text-anchor="end" { (duration(Some(total))) }
        }
    }
}
