//! The JSON API under `/api` (docs/reference/http-api.md): the same typed reports `--json`
//! prints, one document per answer.

use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{Value, json};

use super::AppState;
use super::blocking::{ApiError, call};
use crate::commands::{history, library, run, schedule, suggest};
use crate::error::Error;

/// `?search=&tag=` of the workflows list.
#[derive(Debug, Default, Deserialize)]
pub struct WorkflowQuery {
    /// Words to look for in names, tags and descriptions.
    #[serde(default)]
    pub search: Option<String>,
    /// Only workflows with this tag (comma-separated for several).
    #[serde(default)]
    pub tag: Option<String>,
}

impl WorkflowQuery {
    /// The commands layer's request.
    pub fn request(&self) -> library::ListRequest {
        let tags = self.tag.as_deref().unwrap_or("").split(',').map(str::trim).filter(|t| !t.is_empty());
        library::ListRequest {
            tags: tags.map(str::to_string).collect(),
            search: self.search.clone().filter(|s| !s.trim().is_empty()),
        }
    }
}

/// `GET /api/workflows`
pub async fn workflows(
    State(state): State<AppState>,
    Query(query): Query<WorkflowQuery>,
) -> Result<Response, ApiError> {
    let request = query.request();
    let listed = call(&state, move |ctx| library::list(ctx, &request)).await?;
    Ok(Json(listed).into_response())
}

/// `GET /api/workflows/{name}`
pub async fn workflow(State(state): State<AppState>, Path(name): Path<String>) -> Result<Response, ApiError> {
    let shown = call(&state, move |ctx| library::show(ctx, &name, None)).await?;
    Ok(Json(shown).into_response())
}

/// `GET /api/workflows/{name}/versions`
pub async fn versions(State(state): State<AppState>, Path(name): Path<String>) -> Result<Response, ApiError> {
    let (name, versions) = call(&state, move |ctx| library::versions(ctx, &name)).await?;
    Ok(Json(json!({ "name": name, "versions": versions })).into_response())
}

/// `?from=&to=` of a diff.
#[derive(Debug, Deserialize)]
pub struct DiffQuery {
    /// The older version.
    pub from: String,
    /// The newer version (default: the current one).
    #[serde(default)]
    pub to: Option<String>,
}

/// `GET /api/workflows/{name}/diff?from=V1&to=V2`
pub async fn diff(
    State(state): State<AppState>,
    Path(name): Path<String>,
    Query(query): Query<DiffQuery>,
) -> Result<Response, ApiError> {
    let diffed = call(&state, move |ctx| library::diff(ctx, &name, &query.from, query.to.as_deref())).await?;
    Ok(Json(diffed).into_response())
}

/// The body of a run request: `{"params": {...}}`.
#[derive(Debug, Default, Deserialize)]
pub struct RunBody {
    /// Parameter values: strings, numbers, booleans, or JSON for arrays and objects.
    #[serde(default)]
    pub params: serde_json::Map<String, Value>,
}

impl RunBody {
    /// The values as the commands layer takes them: text, as typed on a command line.
    fn as_text(&self) -> IndexMap<String, String> {
        self.params.iter().map(|(k, v)| (k.clone(), super::pages::layout::value_text(v))).collect()
    }
}

/// A body that may be empty or absent (a resume with no overrides).
fn body_of(body: Option<Json<RunBody>>) -> RunBody {
    body.map(|Json(b)| b).unwrap_or_default()
}

/// `POST /api/workflows/{name}/runs`: starts a run and answers `202` with its id once it is
/// recorded; follow it at `/api/runs/{id}/events`.
pub async fn start_run(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Option<Json<RunBody>>,
) -> Result<Response, ApiError> {
    let params = body_of(body).as_text();
    let request = call(&state, move |ctx| {
        // Only saved workflows: a path from the network must not name a file to run.
        let name = library::canonical_name(ctx, &name)?;
        run::prepare(
            ctx,
            run::RunCommand {
                target: name,
                params,
                trigger: "dashboard".into(),
                verbose: true,
                sink: crate::executor::events::silent(),
            },
        )
    })
    .await?;
    started(&state, request).await
}

async fn started(state: &AppState, request: crate::executor::RunRequest) -> Result<Response, ApiError> {
    let run_id = state.live.start(state.ctx.clone(), request).await?;
    let body =
        json!({ "run_id": run_id, "events": format!("/api/runs/{run_id}/events"), "page": format!("/runs/{run_id}") });
    Ok((StatusCode::ACCEPTED, Json(body)).into_response())
}

/// `?workflow=&status=&limit=` of the runs list.
#[derive(Debug, Default, Deserialize)]
pub struct RunsQuery {
    /// Only this workflow's runs.
    #[serde(default)]
    pub workflow: Option<String>,
    /// Only runs with this status.
    #[serde(default)]
    pub status: Option<String>,
    /// How many (default 50, at most 500).
    #[serde(default)]
    pub limit: Option<usize>,
}

impl RunsQuery {
    /// The commands layer's request.
    pub fn request(&self) -> crate::error::Result<history::HistoryRequest> {
        let status = self.status.as_deref().filter(|s| !s.is_empty()).map(history::status).transpose()?;
        Ok(history::HistoryRequest {
            workflow: self.workflow.clone().filter(|w| !w.is_empty()),
            status,
            since: None,
            limit: self.limit.unwrap_or(50).clamp(1, 500),
        })
    }
}

/// `GET /api/runs`: recent runs, each with its steps' statuses (the grid).
pub async fn runs(State(state): State<AppState>, Query(query): Query<RunsQuery>) -> Result<Response, ApiError> {
    let grid = call(&state, move |ctx| history::grid(ctx, &query.request()?)).await?;
    Ok(Json(grid).into_response())
}

/// `GET /api/runs/{id}`
pub async fn run(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let details = call(&state, move |ctx| history::run_details(ctx, &id)).await?;
    Ok(Json(details).into_response())
}

/// `GET /api/runs/{id}/logs`
pub async fn logs(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let logs = call(&state, move |ctx| history::logs(ctx, &id, None)).await?;
    Ok(Json(logs).into_response())
}

/// `POST /api/runs/{id}/cancel`: stops a run this server started; it ends `interrupted`.
pub async fn cancel(State(state): State<AppState>, Path(id): Path<String>) -> Result<Response, ApiError> {
    let wanted = id.clone();
    let details = call(&state, move |ctx| history::run_details(ctx, &wanted)).await?;
    let run = details.run;
    if !matches!(run.status, crate::store::RunStatus::Running | crate::store::RunStatus::Pending) {
        return Err(Error::usage(format!(
            "run {} is not running (it {})",
            crate::commands::short_id(&run.id),
            run.status.as_str()
        ))
        .into());
    }
    if !state.live.cancel(&run.id) {
        return Err(ApiError {
            status: StatusCode::CONFLICT,
            error: Error::usage_with(
                format!("run {} was started by another alpha process", crate::commands::short_id(&run.id)),
                "stop it where it runs (Ctrl-C in its terminal, or stop the scheduler)",
            ),
        });
    }
    Ok((StatusCode::ACCEPTED, Json(json!({ "run_id": run.id, "cancelling": true }))).into_response())
}

/// `POST /api/runs/{id}/resume`: runs a failed, partial or interrupted run again from its first
/// unfinished step (`{"params": {...}}` overrides values; secrets must be given again).
pub async fn resume(
    State(state): State<AppState>,
    Path(id): Path<String>,
    body: Option<Json<RunBody>>,
) -> Result<Response, ApiError> {
    let overrides = body_of(body).as_text();
    let resumption = call(&state, move |ctx| run::resume(ctx, &id, overrides)).await?;
    started(&state, resumption.request).await
}

/// `GET /api/schedules`
pub async fn schedules(State(state): State<AppState>) -> Result<Response, ApiError> {
    let status = call(&state, schedule::status).await?;
    Ok(Json(status).into_response())
}

/// The body of a schedule removal: which one (cron or phrase), else all of the workflow's.
#[derive(Debug, Default, Deserialize)]
pub struct UnscheduleBody {
    /// The schedule's cron or phrase.
    #[serde(default)]
    pub when: Option<String>,
}

/// `POST /api/schedules/{name}/remove`
pub async fn unschedule(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Option<Json<UnscheduleBody>>,
) -> Result<Response, ApiError> {
    let when = body.and_then(|Json(b)| b.when).filter(|w| !w.trim().is_empty());
    let removed = call(&state, move |ctx| schedule::unschedule(ctx, &name, when.as_deref())).await?;
    Ok(Json(removed).into_response())
}

/// `POST /api/schedules/{name}/pause`: the workflow's schedules (or the one `when` names) fire
/// nothing until resumed.
pub async fn pause(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Option<Json<UnscheduleBody>>,
) -> Result<Response, ApiError> {
    set_paused(state, name, body, true).await
}

/// `POST /api/schedules/{name}/resume`: they fire again from their next occurrence.
pub async fn resume_schedule(
    State(state): State<AppState>,
    Path(name): Path<String>,
    body: Option<Json<UnscheduleBody>>,
) -> Result<Response, ApiError> {
    set_paused(state, name, body, false).await
}

async fn set_paused(
    state: AppState,
    name: String,
    body: Option<Json<UnscheduleBody>>,
    paused: bool,
) -> Result<Response, ApiError> {
    let when = body.and_then(|Json(b)| b.when).filter(|w| !w.trim().is_empty());
    let report = call(&state, move |ctx| schedule::set_paused(ctx, &name, when.as_deref(), paused)).await?;
    Ok(Json(report).into_response())
}

/// `GET /api/suggestions`
pub async fn suggestions(State(state): State<AppState>) -> Result<Response, ApiError> {
    let found = call(&state, |ctx| suggest::suggest(ctx, suggest::HistorySource::Recorded, None, false)).await?;
    Ok(Json(found).into_response())
}

/// The body of an accept: the new workflow's name.
#[derive(Debug, Default, Deserialize)]
pub struct AcceptBody {
    /// Default: the suggested name.
    #[serde(default)]
    pub name: Option<String>,
}

/// `POST /api/suggestions/{number}/accept`
pub async fn accept_suggestion(
    State(state): State<AppState>,
    Path(number): Path<usize>,
    body: Option<Json<AcceptBody>>,
) -> Result<Response, ApiError> {
    let name = body.and_then(|Json(b)| b.name);
    let accepted =
        call(&state, move |ctx| suggest::accept(ctx, suggest::HistorySource::Recorded, None, number, name.as_deref()))
            .await?;
    Ok(Json(accepted).into_response())
}

/// `POST /api/suggestions/{number}/dismiss`
pub async fn dismiss_suggestion(
    State(state): State<AppState>,
    Path(number): Path<usize>,
) -> Result<Response, ApiError> {
    let dismissed =
        call(&state, move |ctx| suggest::dismiss(ctx, suggest::HistorySource::Recorded, None, number)).await?;
    Ok(Json(json!({ "dismissed": dismissed })).into_response())
}

/// Any other `/api` path.
pub async fn not_found() -> Response {
    (StatusCode::NOT_FOUND, Json(json!({ "error": "no such API route; see docs/reference/http-api.md" })))
        .into_response()
}
