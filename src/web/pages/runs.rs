//! `/runs`: recent runs as a grid of runs by steps, each cell the colour of the step's status,
//! filterable by workflow and status.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;

use super::layout::{Section, badge, frame, run_badge, run_link, time, workflow_link};
use crate::web::AppState;
use crate::web::api::RunsQuery;
use crate::web::blocking::call;

const STATUSES: [&str; 6] = ["completed", "partial", "failed", "interrupted", "running", "pending"];

/// `GET /runs`
pub async fn page(State(state): State<AppState>, Query(query): Query<RunsQuery>) -> Response {
    let chosen_workflow = query.workflow.clone().unwrap_or_default();
    let chosen_status = query.status.clone().unwrap_or_default();
    let found = call(&state, move |ctx| {
        let grid = crate::commands::history::grid(ctx, &query.request()?)?;
        let names = crate::commands::library::names(ctx)?;
        Ok((grid, names))
    })
    .await;
    let (grid, names) = match found {
        Ok(found) => found,
        Err(error) => return error.page(),
    };
    // One workflow: its steps are the columns. Several: each row shows its own steps in order.
    let aligned = !chosen_workflow.is_empty();
    let body = html! {
        h1 { "Runs" }
        form.filters method="get" action="/runs" {
            select name="workflow" aria-label="workflow" {
                option value="" { "every workflow" }
                @for n in &names { option value=(n) selected[*n == chosen_workflow] { (n) } }
            }
            select name="status" aria-label="status" {
                option value="" { "any status" }
                @for s in STATUSES { option value=(s) selected[s == chosen_status] { (s) } }
            }
            button type="submit" { "Filter" }
        }
        @if grid.rows.is_empty() { p.empty { "No runs" @if aligned || !chosen_status.is_empty() { " match" } "." } }
        @else {
            table.grid #runs-grid {
                thead { tr {
                    th { "Run" } th { "Workflow" } th { "Status" } th { "Started" }
                    @if aligned { @for s in &grid.steps { th.step-col title=(s) { span { (s) } } } } @else { th { "Steps" } }
                } }
                tbody { @for row in &grid.rows {
                    tr data-run=(row.run.id) data-status=(row.run.status.as_str()) {
                        td { (run_link(&row.run.id)) }
                        td { (workflow_link(&row.run.workflow_name)) }
                        td { (run_badge(row.run.status)) }
                        td { (time(row.run.started_at.as_deref())) }
                        @if aligned {
                            @for s in &grid.steps { td.cell { @match row.cells.get(s) {
                                Some(status) => a class=(format!("sq {status}")) href=(format!("/runs/{}#step-{s}", row.run.id)) title=(format!("{s}: {status}")) { },
                                None => span.sq.none title=(format!("{s}: not reached")) { },
                            } } }
                        } @else {
                            td.cells { @for (s, status) in &row.cells {
                                a class=(format!("sq {status}")) href=(format!("/runs/{}#step-{s}", row.run.id)) title=(format!("{s}: {status}")) { }
                            } }
                        }
                    }
                } }
            }
            p.legend { @for s in ["success", "recovered", "failed", "skipped", "carried", "interrupted"] { span.legend-item { span class=(format!("sq {s}")) {} " " (badge(s)) } } }
        }
    };
    frame("Runs", Section::Runs, body).into_response()
}
