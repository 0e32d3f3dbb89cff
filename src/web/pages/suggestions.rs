//! `/suggestions`: what the miner found in the shell history, with accept (name it) and dismiss.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use maud::html;

use super::layout::{Section, frame, time};
use crate::commands::suggest::{HistorySource, suggest};
use crate::web::AppState;
use crate::web::blocking::call;

/// `GET /suggestions`
pub async fn page(State(state): State<AppState>) -> Response {
    let found = match call(&state, |ctx| suggest(ctx, HistorySource::Recorded, None, false)).await {
        Ok(found) => found,
        Err(error) => return error.page(),
    };
    let body = html! {
        h1 { "Suggestions" }
        p.muted { "Command sequences you keep typing, read from " (found.commands_read) " commands of your shell history and runs." }
        @if found.suggestions.is_empty() { p.empty { "Nothing repeats often enough to suggest yet." } }
        ol.suggestions #suggestions { @for (i, s) in found.suggestions.iter().enumerate() {
            @let number = i + 1;
            li.card data-suggestion=(number) {
                h2 { (s.suggested_name) }
                p.muted { "seen " (s.occurrences) " times, last " (time(s.last_seen.as_deref()))
                    " · saves about " (format!("{:.0}", s.seconds_saved)) " s a run" }
                pre { @for c in &s.commands { (c) "\n" } }
                form.inline data-api=(format!("/api/suggestions/{number}/accept")) data-kind="accept" {
                    label { "Name " input type="text" name="name" value=(s.suggested_name) aria-label="name"; }
                    button.primary type="submit" { "Accept" }
                    button type="button" data-post=(format!("/api/suggestions/{number}/dismiss")) { "Dismiss" }
                    p.error role="alert" {}
                }
            }
        } }
    };
    frame("Suggestions", Section::Suggestions, body).into_response()
}
