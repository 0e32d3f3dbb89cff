//! `/schedules`: every schedule with its phrase, parameters, next fire and last outcome; remove.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;

use super::layout::{Section, badge, frame, time, value_text, workflow_link};
use crate::web::AppState;
use crate::web::blocking::call;

/// `GET /schedules`
pub async fn page(State(state): State<AppState>) -> Response {
    // Each schedule with its next three fires.
    let found = call(&state, |ctx| {
        let schedules = crate::commands::schedule::status(ctx)?;
        let mut next = Vec::with_capacity(schedules.len());
        for s in &schedules {
            next.push(if s.paused {
                Vec::new()
            } else {
                crate::commands::schedule::next_fires(ctx, &s.cron, s.timezone.as_deref(), 3)?
            });
        }
        Ok((schedules, next))
    })
    .await;
    let (schedules, next) = match found {
        Ok(found) => found,
        Err(error) => return error.page(),
    };
    let body = html! {
        h1 { "Schedules" }
        @if schedules.is_empty() {
            p.empty { "Nothing is scheduled. " code { "alpha workflow schedule NAME \"every day at 9am\"" } }
        } @else {
            p.muted { "Schedules fire while " code { "alpha scheduler run" } " (or its service) is running." }
            table.list #schedules {
                thead { tr { th { "Workflow" } th { "When" } th { "Parameters" } th { "Next fires" } th { "Last fire" } th {} } }
                tbody { @for (s, fires) in schedules.iter().zip(&next) {
                    tr data-workflow=(s.workflow) data-paused=[s.paused.then_some("yes")] {
                        td { (workflow_link(&s.workflow)) }
                        td { strong { (s.description) } div.muted.mono { (s.cron) @if let Some(tz) = &s.timezone { " " (tz) } } }
                        td.mono { @for (k, v) in &s.parameters { (k) "=" (value_text(v)) " " } }
                        td { @if s.paused { (badge("paused")) } @else {
                            @for fire in fires { div.fire { (fire) } }
                        } }
                        td { (time(s.last_fire.as_deref())) @if let Some(status) = &s.last_status { " " (badge(status)) } }
                        td.actions {
                            @let path = crate::web::auth::encode(&s.workflow);
                            @let which = serde_json::json!({ "when": s.cron }).to_string();
                            @if s.paused {
                                button type="button" data-post=(format!("/api/schedules/{path}/resume")) data-body=(which) { "Resume" }
                            } @else {
                                button type="button" data-post=(format!("/api/schedules/{path}/pause")) data-body=(which) { "Pause" }
                            }
                            button.danger type="button" data-post=(format!("/api/schedules/{}/remove", crate::web::auth::encode(&s.workflow)))
                            data-body=(serde_json::json!({ "when": s.cron }).to_string())
                            data-confirm=(format!("Remove the schedule of {} ({})?", s.workflow, s.description)) { "Remove" }
                        }
                    }
                } }
            }
        }
    };
    frame("Schedules", Section::Schedules, body).into_response()
}
