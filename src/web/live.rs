//! Runs this server started: their events as they happen (for the pages that follow them) and
//! the switch that cancels them.
//!
//! A run goes on a thread of its own with the ordinary executor. Its events go to a bounded
//! backlog, so a page that opens late sees the run from its start, and to a broadcast channel
//! for the pages already open. Runs started elsewhere (the CLI, the scheduler) are followed from
//! the database instead (see `sse`).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{broadcast, oneshot, watch};

use crate::commands::Context;
use crate::error::{Error, Result};
use crate::executor::RunRequest;
use crate::executor::events::Event;

/// Events kept for a page that opens while the run goes on.
const BACKLOG: usize = 2_000;

/// One run in progress.
pub struct LiveRun {
    inner: Mutex<Followers>,
    cancel: watch::Sender<bool>,
}

struct Followers {
    backlog: VecDeque<Arc<Event>>,
    sender: broadcast::Sender<Arc<Event>>,
}

impl LiveRun {
    /// What happened so far and a receiver for what comes next, taken together so nothing falls
    /// between them.
    pub fn follow(&self) -> (Vec<Arc<Event>>, broadcast::Receiver<Arc<Event>>) {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        (inner.backlog.iter().cloned().collect(), inner.sender.subscribe())
    }

    fn push(&self, event: Event) {
        let event = Arc::new(event);
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        if inner.backlog.len() == BACKLOG {
            inner.backlog.pop_front();
        }
        inner.backlog.push_back(event.clone());
        let _ = inner.sender.send(event);
    }
}

/// The runs in progress, by run id, with the threads that run them.
#[derive(Clone, Default)]
pub struct LiveRuns {
    runs: Arc<Mutex<HashMap<String, Arc<LiveRun>>>>,
    threads: Arc<Mutex<Vec<std::thread::JoinHandle<()>>>>,
}

impl LiveRuns {
    /// The run with this id, while it goes on here.
    pub fn get(&self, run_id: &str) -> Option<Arc<LiveRun>> {
        self.runs.lock().unwrap_or_else(PoisonError::into_inner).get(run_id).cloned()
    }

    /// Asks a run to stop; false when it isn't running here.
    pub fn cancel(&self, run_id: &str) -> bool {
        self.get(run_id).is_some_and(|run| run.cancel.send(true).is_ok())
    }

    /// Starts `request` and returns its run id once it is recorded, or the error that kept it
    /// from starting (which the executor records too).
    pub async fn start(&self, ctx: Arc<Context>, mut request: RunRequest) -> Result<String> {
        let (cancel, cancelled) = watch::channel(false);
        let live = Arc::new(LiveRun {
            inner: Mutex::new(Followers { backlog: VecDeque::new(), sender: broadcast::channel(1_024).0 }),
            cancel,
        });
        let (started_tx, started_rx) = oneshot::channel::<Result<String>>();
        let started = Arc::new(Mutex::new(Some(started_tx)));
        let runs = self.runs.clone();
        let sink_live = live.clone();
        let sink_started = started.clone();
        request.sink = Arc::new(move |event: &Event| {
            if let Event::RunStarted { run_id, .. } = event {
                runs.lock().unwrap_or_else(PoisonError::into_inner).insert(run_id.clone(), sink_live.clone());
                if let Some(tx) = sink_started.lock().unwrap_or_else(PoisonError::into_inner).take() {
                    let _ = tx.send(Ok(run_id.clone()));
                }
            }
            sink_live.push(event.clone());
        });
        request.verbose = true;
        request.handle_signals = false;
        request.parent_cancel = Some(cancelled);
        let runs = self.runs.clone();
        let thread = std::thread::Builder::new()
            .name("alpha-web-run".into())
            .spawn(move || {
                let outcome = crate::commands::run::execute(&ctx, request);
                let waiting = started.lock().unwrap_or_else(PoisonError::into_inner).take();
                match (outcome, waiting) {
                    (Err(error), Some(tx)) => {
                        let _ = tx.send(Err(error));
                    }
                    (Ok(summary), _) => {
                        runs.lock().unwrap_or_else(PoisonError::into_inner).remove(&summary.run_id);
                    }
                    (Err(_), None) => {}
                }
            })
            .map_err(|e| Error::io("can't start a thread for the run", e))?;
        {
            let mut threads = self.threads.lock().unwrap_or_else(PoisonError::into_inner);
            threads.retain(|t| !t.is_finished());
            threads.push(thread);
        }
        match started_rx.await {
            Ok(result) => result,
            Err(_) => Err(Error::External("the run ended before it started".into())),
        }
    }

    /// Cancels every run still going and waits for each to record how it ended.
    pub async fn interrupt_all(&self) {
        for run in self.runs.lock().unwrap_or_else(PoisonError::into_inner).values() {
            let _ = run.cancel.send(true);
        }
        let threads: Vec<_> = std::mem::take(&mut *self.threads.lock().unwrap_or_else(PoisonError::into_inner));
        let _ = tokio::task::spawn_blocking(move || threads.into_iter().for_each(|t| drop(t.join()))).await;
    }
}
