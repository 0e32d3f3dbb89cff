//! The pages: server-rendered HTML (maud escapes every value it is given), with a small script
//! for the live parts (a run's events, the forms that post to the API).

pub mod layout;
pub mod run;
pub mod runs;
pub mod schedules;
pub mod suggestions;
pub mod workflow;
pub mod workflows;

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use super::blocking::ApiError;

/// A page whose command failed: the error in words, with the status the API would give.
impl ApiError {
    pub fn page(self) -> Response {
        let message = self.error.to_string();
        (self.status, layout::message_page("alpha", &message)).into_response()
    }
}

/// Any other path.
pub async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, layout::message_page("Not found", "There is no page here.")).into_response()
}
