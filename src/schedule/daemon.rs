//! The scheduler loop (design.md §4b): finds due occurrences, claims each in the database so any
//! number of loops (the daemon, open chat sessions) fire it exactly once, and runs it through the
//! executor with trigger `schedule`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;
use std::time::Duration;

use chrono::{DateTime, Local, Utc};

use super::fires::{self, Overlap};
use crate::error::{Error, Result};
use crate::executor::{Executor, RunRequest, events};
use crate::store::{RunStatus, Store};

/// The scheduler's clock. `ALPHA_NOW` (RFC 3339) shifts it, for tests that can't wait for real
/// minutes; time still passes at the real rate from there.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    offset: chrono::Duration,
}

impl Clock {
    /// The real clock, shifted by `ALPHA_NOW` when set.
    pub fn from_env() -> Result<Clock> {
        Clock::from_settings(crate::config::settings())
    }

    /// The real clock, shifted to start at the settings' `now` when there is one.
    pub fn from_settings(settings: &crate::config::Settings) -> Result<Clock> {
        Ok(match settings.clock_start()? {
            Some(start) => Clock::starting_at(start),
            None => Clock { offset: chrono::Duration::zero() },
        })
    }

    /// A clock that reads `start` now and runs at the real rate from there.
    pub fn starting_at(start: DateTime<Utc>) -> Clock {
        Clock { offset: start - Utc::now() }
    }

    /// The current time.
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + self.offset
    }
}

pub use crate::store::ScheduleEntry as Entry;

/// When a schedule fires: its due occurrences and its next one.
pub trait Timing {
    /// Occurrences due at `now`.
    fn due(&self, now: DateTime<Utc>) -> Result<Vec<DateTime<Utc>>>;
    /// The next occurrence after `now`.
    fn next(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>>;
}

impl Timing for Entry {
    fn due(&self, now: DateTime<Utc>) -> Result<Vec<DateTime<Utc>>> {
        let cron = super::parse_cron(&self.cron).map_err(Error::Schedule)?;
        let since = self.last_fire_at.unwrap_or(self.created_at).max(self.created_at - chrono::Duration::seconds(1));
        Ok(match self.timezone.as_deref().map(str::parse::<chrono_tz::Tz>) {
            Some(Ok(zone)) => fires::due(&cron, &zone, since, now, self.catchup, self.window),
            Some(Err(_)) => return Err(Error::Schedule(format!("unknown time zone in schedule {}", self.id))),
            None => fires::due(&cron, &Local, since, now, self.catchup, self.window),
        })
    }

    fn next(&self, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        let cron = super::parse_cron(&self.cron).ok()?;
        let horizon = now + chrono::Duration::days(800);
        match self.timezone.as_deref().map(str::parse::<chrono_tz::Tz>) {
            Some(Ok(zone)) => fires::occurrences(&cron, &zone, now, horizon, 1).first().copied(),
            Some(Err(_)) => None,
            None => fires::occurrences(&cron, &Local, now, horizon, 1).first().copied(),
        }
    }
}

/// Whether a run of this schedule is going on in any live process.
fn running_elsewhere(store: &Store, schedule: i64) -> Result<bool> {
    let claims = store.running_fire_claimants(schedule)?;
    Ok(claims.into_iter().any(|claim| match claim {
        Some(pid) => pid != i64::from(std::process::id()) && pid_alive(pid),
        None => true,
    }))
}

fn pid_alive(pid: i64) -> bool {
    libc::pid_t::try_from(pid).is_ok_and(|pid| {
        // SAFETY: signal 0 only checks that the process exists.
        pid > 0
            && (unsafe { libc::kill(pid, 0) } == 0
                || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM))
    })
}

/// Prints one line about a scheduled run (the daemon's log, or the chat session's notice).
pub type Notice = Arc<dyn Fn(&str) + Send + Sync>;

/// Options of a scheduler loop.
pub struct Options {
    /// On stop, let running workflows finish instead of interrupting them.
    pub drain: bool,
    /// Where notices go.
    pub notice: Notice,
    /// Set to stop the loop.
    pub stop: Arc<AtomicBool>,
    /// Time between checks.
    pub tick: Duration,
}

/// One scheduler loop over a library.
pub struct Scheduler {
    db: PathBuf,
    clock: Clock,
    options: Options,
    running: HashMap<i64, JoinHandle<()>>,
}

impl Scheduler {
    /// A loop over the library at `db`.
    pub fn new(db: &Path, clock: Clock, options: Options) -> Scheduler {
        Scheduler { db: db.to_path_buf(), clock, options, running: HashMap::new() }
    }

    /// Replaces the clock (tests move time forward this way).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = clock;
    }

    /// Waits for the runs this loop started, and for queued ones to run.
    pub fn wait(&mut self, store: &Store) -> Result<()> {
        loop {
            for (_, handle) in self.running.drain() {
                let _ = handle.join();
            }
            if store.schedules_with_queued_fires()?.is_empty() {
                return Ok(());
            }
            self.tick(store)?;
        }
    }

    /// Runs until the stop flag is set; then finishes or interrupts running workflows.
    pub fn run(&mut self) -> Result<()> {
        let store = Store::open(&self.db)?;
        while !self.options.stop.load(Ordering::SeqCst) {
            if let Err(error) = self.tick(&store) {
                (self.options.notice)(&format!("scheduler: {error}"));
            }
            // Parked rather than asleep, so whoever sets `stop` can unpark this thread and a
            // chat session quits at once instead of after the rest of a tick.
            std::thread::park_timeout(self.options.tick);
        }
        for (_, handle) in self.running.drain() {
            let _ = handle.join();
        }
        // Fires this loop queued would otherwise wait for a scheduler that may never come: they
        // are recorded as skipped, unless another scheduler is running that schedule and will
        // take them when its run ends.
        let released = store.release_queued_fires(std::process::id())?;
        if released > 0 {
            let what = if released == 1 { "queued fire" } else { "queued fires" };
            (self.options.notice)(&format!("scheduler: stopped with {released} {what} not run; recorded as skipped"));
        }
        Ok(())
    }

    /// One pass: claims and starts every due occurrence.
    pub fn tick(&mut self, store: &Store) -> Result<()> {
        store.mark_abandoned_runs()?;
        self.running.retain(|_, handle| !handle.is_finished());
        // A scheduler killed mid-run leaves its occurrence "running": it never will again.
        for (schedule, fire_at, pid) in store.running_fires()? {
            if pid != i64::from(std::process::id()) && !pid_alive(pid) {
                store.abandon_fire(schedule, &fire_at)?;
            }
        }
        let now = self.clock.now();
        for entry in store.schedule_entries()? {
            if entry.paused {
                continue;
            }
            let due = match entry.due(now) {
                Ok(due) => due,
                Err(error) => {
                    (self.options.notice)(&format!("scheduler: skipping '{}': {error}", entry.workflow_name));
                    continue;
                }
            };
            for (index, fire) in due.into_iter().enumerate() {
                if !store.claim_fire(entry.id, fire)? {
                    continue;
                }
                let busy = self.running.contains_key(&entry.id) || running_elsewhere(store, entry.id)?;
                // Missed fires caught up together run one after another, whatever the overlap policy.
                let overlap = if index > 0 { Overlap::Queue } else { entry.overlap };
                match (busy, overlap) {
                    (false, _) => self.start(&entry, fire),
                    // Queued in the database: whichever scheduler sees the schedule idle runs it.
                    (true, Overlap::Queue) => {
                        store.finish_fire(entry.id, fire, "queued", None, Some("waiting for the previous run"))?;
                    }
                    (true, Overlap::Skip) => {
                        store.finish_fire(entry.id, fire, "skipped", None, Some("the previous run was still going"))?;
                        (self.options.notice)(&format!(
                            "⏭ Skipped '{}' at {}: the previous run is still going",
                            entry.workflow_name,
                            local(fire)
                        ));
                    }
                }
            }
        }
        for id in store.schedules_with_queued_fires()? {
            if self.running.contains_key(&id) {
                continue;
            }
            let Some(entry) = store.schedule_entries()?.into_iter().find(|e| e.id == id) else { continue };
            if let Some(fire) = store.take_queued_fire(id)? {
                self.start(&entry, fire);
            }
        }
        Ok(())
    }

    fn start(&mut self, entry: &Entry, fire: DateTime<Utc>) {
        let db = self.db.clone();
        let entry = entry.clone();
        let notice = self.options.notice.clone();
        let interrupt = !self.options.drain;
        notice(&format!("⏰ Running '{}' (scheduled for {})", entry.workflow_name, local(fire)));
        let id = entry.id;
        let handle = std::thread::spawn(move || {
            let outcome = run_scheduled(&db, &entry, interrupt, notice.clone());
            let (status, run_id, note) = match &outcome {
                Ok((status, run_id)) => (status.as_str().to_string(), Some(run_id.clone()), None),
                Err(error) => ("failed".to_string(), None, Some(error.to_string())),
            };
            if let Ok(store) = Store::open(&db) {
                let _ = store.finish_fire(entry.id, fire, &status, run_id.as_deref(), note.as_deref());
            }
            let word = match status.as_str() {
                "completed" => "completed successfully".to_string(),
                other => format!("{other}{}", note.map(|n| format!(": {n}")).unwrap_or_default()),
            };
            notice(&format!(
                "{} Scheduled run of '{}' {word}",
                if status == "completed" { "✓" } else { "✗" },
                entry.workflow_name
            ));
        });
        self.running.insert(id, handle);
    }
}

fn local(time: DateTime<Utc>) -> String {
    time.with_timezone(&Local).format("%Y-%m-%d %H:%M").to_string()
}

fn run_scheduled(db: &Path, entry: &Entry, interrupt: bool, notice: Notice) -> Result<(RunStatus, String)> {
    let store = Store::open(db)?;
    let Some(saved) = store.find(&entry.workflow_id)? else {
        let error = format!("workflow '{}' no longer exists", entry.workflow_name);
        let shown = serde_json::Value::Object(entry.parameters.clone());
        store.record_unstarted(&entry.workflow_id, &entry.workflow_name, "", &shown, "schedule", &error)?;
        return Err(Error::usage(error));
    };
    // A workflow that needs worker tags runs on a worker that has them, not here.
    if !saved.workflow.runs_on.is_empty() {
        let shown = crate::secrets::redacted(&saved.workflow, &entry.parameters);
        let (workflow, tags) = (&saved.workflow, &saved.workflow.runs_on);
        let run_id = store.enqueue_run(&saved.id, &workflow.name, &workflow.version, &shown, "schedule", tags)?;
        notice(&format!(
            "queued run {} of '{}' for a worker with {}",
            &run_id[..8.min(run_id.len())],
            workflow.name,
            tags.join(", ")
        ));
        return Ok((RunStatus::Pending, run_id));
    }
    let workdir = crate::executor::unattended_workdir(&store, &saved.id)?;
    let summary = Executor::new(store).run_blocking(RunRequest {
        workdir,
        inherited_secrets: std::sync::Arc::from([]),
        parent_cancel: None,
        deadline: None,
        claimed: None,
        workflow: saved.workflow,
        workflow_id: saved.id,
        params: entry.parameters.clone().into_iter().collect(),
        trigger: "schedule".into(),
        verbose: false,
        // A scheduled run's notifications and warnings go where the scheduler's notices go.
        sink: Arc::new(move |event: &events::Event| match event {
            events::Event::Notice { text, .. } => notice(text),
            events::Event::Warning { message } => notice(&format!("warning: {message}")),
            _ => {}
        }),
        handle_signals: interrupt,
        stack: Vec::new(),
        carried: None,
    })?;
    Ok((summary.status, summary.run_id))
}
