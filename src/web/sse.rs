//! `GET /api/runs/{id}/events`: a run's progress as server-sent events, one JSON event (the same
//! objects `run --json` prints) per message, named by its kind, ending with `run_finished`.
//!
//! A run this server started is followed live, from its backlog. Any other run is followed from
//! the database: its recorded steps at once, then new ones as they are recorded (polled every
//! 150 ms) until it ends; a finished run gives its steps and its end straight away.

use std::convert::Infallible;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Path, State};
use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures_util::Stream;
use tokio::sync::{broadcast, mpsc};

use super::AppState;
use super::blocking::{ApiError, call};
use crate::commands::follow::Follower;
use crate::commands::history::{RunDetails, run_details};
use crate::executor::events::Event;

/// How often a run of another process is looked at.
const POLL: Duration = Duration::from_millis(150);

/// The handler.
pub async fn events(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Sse<impl Stream<Item = Result<SseEvent, Infallible>>>, ApiError> {
    let wanted = id.clone();
    let details = call(&state, move |ctx| run_details(ctx, &wanted)).await?;
    let (tx, rx) = mpsc::channel::<SseEvent>(256);
    match state.live.get(&details.run.id) {
        Some(live) => {
            let (backlog, receiver) = live.follow();
            tokio::spawn(forward_live(backlog, receiver, tx));
        }
        None => {
            tokio::spawn(follow_recorded(state, details, tx));
        }
    }
    let stream = futures_util::stream::unfold(rx, |mut rx| async move { rx.recv().await.map(|e| (Ok(e), rx)) });
    Ok(Sse::new(stream).keep_alive(KeepAlive::default()))
}

fn message(event: &Event) -> SseEvent {
    let data = serde_json::to_value(event).unwrap_or_default();
    let kind = data.get("event").and_then(|k| k.as_str()).unwrap_or("message").to_string();
    SseEvent::default().event(kind).data(data.to_string())
}

async fn forward_live(
    backlog: Vec<Arc<Event>>,
    mut receiver: broadcast::Receiver<Arc<Event>>,
    tx: mpsc::Sender<SseEvent>,
) {
    for event in backlog {
        let last = matches!(*event, Event::RunFinished { .. });
        if tx.send(message(&event)).await.is_err() || last {
            return;
        }
    }
    loop {
        match receiver.recv().await {
            Ok(event) => {
                let last = matches!(*event, Event::RunFinished { .. });
                if tx.send(message(&event)).await.is_err() || last {
                    return;
                }
            }
            Err(broadcast::error::RecvError::Lagged(missed)) => {
                let warning = Event::Warning { message: format!("{missed} lines of output were skipped to keep up") };
                if tx.send(message(&warning)).await.is_err() {
                    return;
                }
            }
            Err(broadcast::error::RecvError::Closed) => return,
        }
    }
}

async fn follow_recorded(state: AppState, mut details: RunDetails, tx: mpsc::Sender<SseEvent>) {
    let run_id = details.run.id.clone();
    let first = details.run.clone();
    let Ok(mut follower) = call(&state, move |ctx| Ok(Follower::new(&ctx.store()?, &first))).await else { return };
    if tx.send(message(&follower.start(&details.run))).await.is_err() {
        return;
    }
    loop {
        for event in follower.events(&details.run, &details.steps) {
            if tx.send(message(&event)).await.is_err() {
                return;
            }
        }
        if follower.is_done() {
            return;
        }
        tokio::time::sleep(POLL).await;
        let id = run_id.clone();
        match call(&state, move |ctx| run_details(ctx, &id)).await {
            Ok(next) => details = next,
            Err(_) => return,
        }
    }
}
