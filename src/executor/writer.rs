//! The database off the async runtime (design.md §4): every read and write the executor makes
//! runs on one thread of its own, in order, so a database that another process holds locked for
//! seconds slows the record, never a timeout, a Ctrl-C or the draining of a step's pipes.
//!
//! Step rows are committed in groups: after a commit the thread waits [`GATHER`] before looking
//! at its queue again, and the rows that came in meanwhile share one transaction. Waking the
//! thread for every row, and committing every row alone, cost a run of fast steps more than the
//! steps themselves. A kill -9 can lose the rows of the last few milliseconds, and never more:
//! the run then reads as interrupted, as it would have anyway. Work whose answer someone awaits
//! wakes the thread at once.

use std::sync::mpsc;
use std::time::Duration;

use super::*;

/// What the database thread does, in the order it was asked.
pub(super) enum Job {
    /// A step row; consecutive ones share one commit. `failed` hears why one could not be written.
    Step { run_id: String, record: Box<StepRecord>, failed: Box<dyn FnOnce(&Error) + Send> },
    /// Anything else.
    Work(Box<dyn FnOnce(&Store) + Send>),
}

/// How long the database thread gathers step rows after a commit.
const GATHER: Duration = Duration::from_millis(4);

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
            // It may be gathering rows: the closed queue is news it should hear now.
            handle.thread().unpark();
            let _ = handle.join();
        }
    }
}

impl Writer {
    /// Starts the database thread for `store`; if the system refuses a thread, work runs inline.
    pub(super) fn start(store: Arc<Mutex<Store>>) -> Writer {
        let (sender, jobs) = mpsc::channel::<Job>();
        let started = std::thread::Builder::new().name("alpha-db".into()).spawn(move || serve(&store, &jobs));
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
        let job = Job::Work(Box::new(move |store| {
            let _ = answer.send(work(store));
        }));
        self.submit(job);
        self.writer.wake();
        // The thread died mid-job (a panic in SQLite's wrapper): nothing was answered.
        reply.await.unwrap_or_else(|_| Err(Error::Storage("the database thread stopped".into())))
    }

    /// Queues `work` on the database thread and returns at once.
    pub(super) fn db_later(&self, work: impl FnOnce(&Store) + Send + 'static) {
        self.submit(Job::Work(Box::new(work)));
    }

    /// Queues a step row, committed with the rows around it.
    pub(super) fn db_step(&self, run_id: String, record: StepRecord, failed: impl FnOnce(&Error) + Send + 'static) {
        self.submit(Job::Step { run_id, record: Box::new(record), failed: Box::new(failed) });
    }

    /// Queues `job`, or runs it here when there is no database thread.
    fn submit(&self, job: Job) {
        let unsent = match &self.writer.0.queue {
            Some(queue) => queue.send(job).err().map(|mpsc::SendError(job)| job),
            None => Some(job),
        };
        if let Some(job) = unsent {
            run(&self.store(), vec![job]);
        }
    }
}

impl Writer {
    /// Ends the database thread's gathering wait: someone awaits an answer.
    fn wake(&self) {
        if let Some(handle) = &self.0.handle {
            handle.thread().unpark();
        }
    }
}

/// The database thread: waits for work, then takes what has come in every [`GATHER`] until
/// none came, and waits again.
fn serve(store: &Mutex<Store>, jobs: &mpsc::Receiver<Job>) {
    while let Ok(first) = jobs.recv() {
        let mut batch = vec![first];
        loop {
            batch.extend(jobs.try_iter());
            run(&store.lock().unwrap_or_else(std::sync::PoisonError::into_inner), std::mem::take(&mut batch));
            // Not blocked on the queue, so queuing a row does not wake this thread.
            std::thread::park_timeout(GATHER);
            match jobs.try_recv() {
                Ok(job) => batch.push(job),
                Err(mpsc::TryRecvError::Empty) => break,
                Err(mpsc::TryRecvError::Disconnected) => return,
            }
        }
    }
}

/// Runs `batch` in order, each run of consecutive step rows in one transaction.
fn run(store: &Store, batch: Vec<Job>) {
    let mut rows = Vec::new();
    for job in batch {
        match job {
            Job::Step { run_id, record, failed } => rows.push((run_id, record, failed)),
            Job::Work(work) => {
                write_rows(store, std::mem::take(&mut rows));
                work(store);
            }
        }
    }
    write_rows(store, rows);
}

type Row = (String, Box<StepRecord>, Box<dyn FnOnce(&Error) + Send>);

/// Writes step rows in one commit; if that fails, one by one, so only a bad row is lost.
fn write_rows(store: &Store, rows: Vec<Row>) {
    if rows.is_empty() {
        return;
    }
    let together: Vec<(&str, &StepRecord)> = rows.iter().map(|(run, record, _)| (run.as_str(), &**record)).collect();
    if rows.len() > 1 && store.record_steps(&together).is_ok() {
        return;
    }
    for (run_id, record, failed) in rows {
        if let Err(error) = store.record_step(&run_id, &record) {
            failed(&error);
        }
    }
}
