//! `/`: every workflow with its tags, last run and next fire; search and a tag filter.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;

use super::layout::{Section, badge, frame, time, workflow_link};
use crate::commands::{library, schedule};
use crate::web::AppState;
use crate::web::api::WorkflowQuery;
use crate::web::blocking::call;

/// The page.
pub async fn page_of(state: AppState, query: WorkflowQuery) -> Response {
    let request = query.request();
    let filtered = !request.tags.is_empty() || request.search.is_some();
    let listed = call(&state, move |ctx| {
        let mut shown = library::list(ctx, &request)?;
        for workflow in &mut shown {
            for words in &mut workflow.schedules {
                words.next_fire =
                    schedule::next_fires(ctx, &words.cron, words.timezone.as_deref(), 1)?.into_iter().next();
            }
        }
        // The tag filter offers every tag in the library, not only those of the rows shown.
        let mut tags: Vec<String> = if filtered {
            let everything = library::ListRequest { tags: Vec::new(), search: None };
            library::list(ctx, &everything)?.into_iter().flat_map(|w| w.tags).collect()
        } else {
            shown.iter().flat_map(|w| w.tags.iter().cloned()).collect()
        };
        tags.sort();
        tags.dedup();
        Ok((shown, tags))
    })
    .await;
    let (listed, tags) = match listed {
        Ok(found) => found,
        Err(error) => return error.page(),
    };
    let search = query.search.clone().unwrap_or_default();
    let chosen = query.tag.clone().unwrap_or_default();
    let body = html! {
        h1 { "Workflows" }
        form.filters method="get" action="/" {
            input type="search" name="search" value=(search) placeholder="Search names, tags, descriptions" aria-label="search";
            select name="tag" aria-label="tag" {
                option value="" { "any tag" }
                @for tag in &tags { option value=(tag) selected[*tag == chosen] { (tag) } }
            }
            button type="submit" { "Filter" }
        }
        @if listed.is_empty() {
            p.empty { "No workflows" @if !search.is_empty() || !chosen.is_empty() { " match" } ". Create one with "
                code { "alpha workflow create --file FILE" } " or in the chat." }
        } @else {
            table.list #workflows {
                thead { tr { th { "Name" } th { "Tags" } th { "Last run" } th { "Status" } th { "Runs" } th { "Next fire" } } }
                tbody {
                    @for w in &listed {
                        tr data-workflow=(w.name) {
                            td { (workflow_link(&w.name)) @if let Some(d) = &w.description { div.muted { (d) } } }
                            td { @for t in &w.tags { span.tag { (t) } " " } }
                            td { (time(w.last_executed.as_deref())) }
                            td { @match w.last_status { Some(s) => (badge(s.as_str())), None => span.muted { "never run" } } }
                            td.num { (w.execution_count) }
                            td { @match w.schedules.first() {
                                Some(s) => { (s.next_fire.as_deref().unwrap_or(&s.description)) @if w.schedules.len() > 1 { " +" (w.schedules.len() - 1) } }
                                None => span.muted { "—" },
                            } }
                        }
                    }
                }
            }
            p.muted { (listed.len()) " workflow" @if listed.len() != 1 { "s" } }
        }
    };
    frame("Workflows", Section::Workflows, body).into_response()
}

/// `GET /`
pub async fn page(State(state): State<AppState>, Query(query): Query<WorkflowQuery>) -> Response {
    page_of(state, query).await
}
