//! The dashboard face (design.md §7b): an axum server over the commands layer, with every page,
//! style and script compiled into the binary, so it works offline and needs no build step.
//!
//! Like the other faces it never touches the store or the tools: each handler calls a command on
//! a blocking thread (the database never blocks the async runtime) and renders the typed report
//! as JSON under `/api` or as a page elsewhere.

mod api;
mod assets;
mod auth;
mod blocking;
mod graph;
mod live;
mod pages;
mod sse;
mod yaml;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;

use axum::Router;
use axum::routing::{get, post};

use crate::commands::Context;
use crate::error::{Error, Result};

pub use auth::token_file;

/// How `alpha serve` was asked to listen.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// The address to bind (loopback unless asked otherwise).
    pub bind: IpAddr,
    /// The port (0 picks a free one).
    pub port: u16,
    /// The token from `--token` or `ALPHA_WEB_TOKEN`; else the stored or a new one.
    pub token: Option<String>,
}

/// Where the dashboard listens, known once the socket is bound.
#[derive(Debug, Clone)]
pub struct Listening {
    /// The bound address.
    pub address: SocketAddr,
    /// The token every request needs.
    pub token: String,
    /// The address to open: it carries the token once, which sets the cookie.
    pub url: String,
    /// Where the token is kept, when it was not given.
    pub token_file: Option<std::path::PathBuf>,
    /// Whether the address is reachable from other machines.
    pub exposed: bool,
}

/// What every handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub ctx: Arc<Context>,
    pub token: Arc<str>,
    pub live: live::LiveRuns,
    /// The `Host` values this server answers to (a rebinding attack sends another).
    pub hosts: Arc<Vec<String>>,
}

/// Binds, calls `ready` with the address, then serves until SIGINT or SIGTERM.
pub fn serve(ctx: &Context, options: ServeOptions, ready: impl FnOnce(&Listening)) -> Result<()> {
    serve_until(ctx, options, crate::executor::stop_signal(), ready)
}

/// Serves on a thread of its own for as long as this process lives (the chat shell's
/// dashboard), and returns once it listens. Ctrl-C stays the caller's: it stops a run, not the
/// dashboard.
pub fn serve_in_background(ctx: &Context, options: ServeOptions) -> Result<Listening> {
    let (tx, rx) = std::sync::mpsc::channel::<Result<Listening>>();
    let ctx = ctx.clone();
    let failed = tx.clone();
    std::thread::Builder::new()
        .name("alpha-dashboard".into())
        .spawn(move || {
            let ready = tx.clone();
            if let Err(error) = serve_until(&ctx, options, std::future::pending(), move |l| {
                let _ = ready.send(Ok(l.clone()));
            }) {
                let _ = failed.send(Err(error));
            }
        })
        .map_err(|e| Error::io("can't start the dashboard's thread", e))?;
    rx.recv().unwrap_or_else(|_| Err(Error::External("the dashboard stopped before it listened".into())))
}

fn serve_until(
    ctx: &Context,
    options: ServeOptions,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ready: impl FnOnce(&Listening),
) -> Result<()> {
    // Two threads serve pages while runs go on threads of their own.
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| Error::io("can't start the runtime", e))?;
    runtime.block_on(async move {
        let data_dir = ctx.local_dir();
        let (token, token_file) = auth::token(&data_dir, options.token)?;
        let listener = tokio::net::TcpListener::bind((options.bind, options.port))
            .await
            .map_err(|e| Error::io(format!("can't listen on {}:{}", options.bind, options.port), e))?;
        let address = listener.local_addr().map_err(|e| Error::io("can't read the bound address", e))?;
        let state = AppState {
            ctx: Arc::new(ctx.clone()),
            token: token.clone().into(),
            live: live::LiveRuns::default(),
            hosts: Arc::new(auth::hosts_for(address)),
        };
        let shown_host = if address.ip().is_unspecified() { "127.0.0.1".to_string() } else { host_of(address) };
        let url = format!("http://{shown_host}:{}/?token={token}", address.port());
        ready(&Listening { address, token, url, token_file, exposed: !address.ip().is_loopback() });
        let live = state.live.clone();
        let served = axum::serve(listener, router(state))
            .with_graceful_shutdown(shutdown)
            .await
            .map_err(|e| Error::io("the dashboard stopped", e));
        // Runs started here end with the server, recorded as interrupted, not left running.
        live.interrupt_all().await;
        served
    })
}

fn host_of(address: SocketAddr) -> String {
    match address.ip() {
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    }
}

/// Every route: the pages, the JSON API and the assets, all behind the token.
fn router(state: AppState) -> Router {
    let api = Router::new()
        .route("/workflows", get(api::workflows))
        .route("/workflows/{name}", get(api::workflow))
        .route("/workflows/{name}/versions", get(api::versions))
        .route("/workflows/{name}/diff", get(api::diff))
        .route("/workflows/{name}/runs", post(api::start_run))
        .route("/runs", get(api::runs))
        .route("/runs/{id}", get(api::run))
        .route("/runs/{id}/logs", get(api::logs))
        .route("/runs/{id}/events", get(sse::events))
        .route("/runs/{id}/cancel", post(api::cancel))
        .route("/runs/{id}/resume", post(api::resume))
        .route("/schedules", get(api::schedules))
        .route("/schedules/{name}/remove", post(api::unschedule))
        .route("/schedules/{name}/pause", post(api::pause))
        .route("/schedules/{name}/resume", post(api::resume_schedule))
        .route("/suggestions", get(api::suggestions))
        .route("/suggestions/{number}/accept", post(api::accept_suggestion))
        .route("/suggestions/{number}/dismiss", post(api::dismiss_suggestion))
        .fallback(api::not_found);
    Router::new()
        .route("/", get(pages::workflows::page))
        .route("/workflows/{name}", get(pages::workflow::page))
        .route("/runs", get(pages::runs::page))
        .route("/runs/{id}", get(pages::run::page))
        .route("/schedules", get(pages::schedules::page))
        .route("/suggestions", get(pages::suggestions::page))
        .route("/assets/{file}", get(assets::asset))
        .nest("/api", api)
        .fallback(pages::not_found)
        .layer(axum::middleware::from_fn_with_state(state.clone(), auth::guard))
        .with_state(state)
}
