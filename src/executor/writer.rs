//! The database off the async runtime (design.md §4): every read and write the executor makes
//! runs on one thread of its own, in order, so a database that another process holds locked for
//! seconds slows the record, never a timeout, a Ctrl-C or the draining of a step's pipes.

use std::sync::mpsc;

use super::*;

type Job = Box<dyn FnOnce(&Store) + Send>;

/// The queue to the database thread, shared by an executor's clones.
#[derive(Clone)]
pub(super) struct Writer(Arc<Thread>);

/// The database thread. When the last executor goes, the queue closes and the thread is joined,
/// so the connection is closed (and SQLite folds its write-ahead log back into the database
/// file) before the process exits.
pub(super) struct Thread {
    queue: Option<mpsc::Sender<Job>>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl Drop for Thread {
    fn drop(&mut self) {
        self.queue = None;
        if let Some(handle) = self.handle.take() {
            let _ = handle.join();
        }
    }
}

impl Writer {
    /// Starts the database thread for `store`; if the system refuses a thread, work runs inline.
    pub(super) fn start(store: Arc<Mutex<Store>>) -> Writer {
        let (sender, jobs) = mpsc::channel::<Job>();
        let started = std::thread::Builder::new().name("alpha-db".into()).spawn(move || {
            for job in jobs {
                let store = store.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
                job(&store);
            }
        });
        match started {
            Ok(handle) => Writer(Arc::new(Thread { queue: Some(sender), handle: Some(handle) })),
            Err(_) => Writer(Arc::new(Thread { queue: None, handle: None })),
        }
    }
}

impl Executor {
    /// Runs `work` on the database thread, after everything queued before it, and waits for its
    /// answer without holding up the runtime.
    pub(super) async fn db<T: Send + 'static>(
        &self,
        work: impl FnOnce(&Store) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let (answer, reply) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |store| {
            let _ = answer.send(work(store));
        });
        self.submit(job);
        // The thread died mid-job (a panic in SQLite's wrapper): nothing was answered.
        reply.await.unwrap_or_else(|_| Err(Error::Storage("the database thread stopped".into())))
    }

    /// Queues `work` on the database thread and returns at once.
    pub(super) fn db_later(&self, work: impl FnOnce(&Store) + Send + 'static) {
        self.submit(Box::new(work));
    }

    /// Queues `job`, or runs it here when there is no database thread.
    fn submit(&self, job: Job) {
        let unsent = match &self.writer.0.queue {
            Some(queue) => queue.send(job).err().map(|mpsc::SendError(job)| job),
            None => Some(job),
        };
        if let Some(job) = unsent {
            job(&self.store());
        }
    }
}
