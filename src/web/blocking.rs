//! Calling a command from a handler: on a blocking thread, since commands open the database and
//! wait on it, and with its error turned into an HTTP answer.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use super::AppState;
use crate::commands::Context;
use crate::error::Error;

/// A command's error as the API reports it: a status, the message, and the hint or the
/// diagnostics when there are any.
#[derive(Debug)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The error.
    pub error: Error,
}

impl From<Error> for ApiError {
    fn from(error: Error) -> Self {
        ApiError { status: status_of(&error), error }
    }
}

/// 404 for what isn't there, 400 for what was asked wrongly, 500 for the rest.
fn status_of(error: &Error) -> StatusCode {
    match error {
        Error::Usage { message, .. } if is_missing(message) => StatusCode::NOT_FOUND,
        Error::Usage { .. } | Error::Invalid(_) | Error::Config(_) => StatusCode::BAD_REQUEST,
        _ => StatusCode::INTERNAL_SERVER_ERROR,
    }
}

fn is_missing(message: &str) -> bool {
    ["no workflow", "no run with id", "no saved workflow", "no version"].iter().any(|p| message.starts_with(p))
        || message.contains("not found")
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut body = json!({ "error": self.error.to_string() });
        if let Error::Usage { help: Some(help), .. } = &self.error {
            body["help"] = json!(help);
        }
        if let Error::Invalid(diagnostics) = &self.error {
            body["diagnostics"] = serde_json::to_value(&diagnostics.diagnostics).unwrap_or_default();
        }
        (self.status, Json(body)).into_response()
    }
}

/// Runs `command` against the library on a blocking thread.
pub async fn call<T: Send + 'static>(
    state: &AppState,
    command: impl FnOnce(&Context) -> crate::error::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let ctx = state.ctx.clone();
    match tokio::task::spawn_blocking(move || command(&ctx)).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(join) => Err(ApiError {
            status: StatusCode::INTERNAL_SERVER_ERROR,
            error: Error::External(format!("the request failed: {join}")),
        }),
    }
}
