//! Following a run from its record, as another process writes it: the events a local run
//! would have given (its start, each step attempt as it is recorded, its end), read from the
//! database. `run --queue --wait` and the dashboard's event stream for a run it didn't start
//! both follow a run so; only how they wait between looks differs.

use crate::executor::events::Event;
use crate::store::{RunRecord, RunStatus, StepRecord, Store};

/// Where a follower is in a run's record.
#[derive(Debug, Clone)]
pub struct Follower {
    /// Each step's number in its workflow's definition ("2/3"), as a local run numbers it.
    numbers: std::collections::HashMap<String, usize>,
    total: usize,
    started: bool,
    seen: usize,
    done: bool,
}

impl Follower {
    /// A follower of `run`, its steps numbered by the definition that ran (when it can still be
    /// read; in recorded order otherwise).
    pub fn new(store: &Store, run: &RunRecord) -> Follower {
        let (numbers, total) =
            super::run::workflow_that_ran(store, run).map(|w| crate::executor::numbering(&w.steps)).unwrap_or_default();
        Follower { numbers, total, started: false, seen: 0, done: false }
    }

    /// The run's start, told now whatever its state (a queued run is announced before it
    /// starts), and not again.
    pub fn start(&mut self, run: &RunRecord) -> Event {
        self.started = true;
        Event::RunStarted { run_id: run.id.clone(), workflow: run.workflow_name.clone(), total_steps: self.total }
    }

    /// The events that `run` and its `steps`, as recorded now, add to what was already told.
    pub fn events(&mut self, run: &RunRecord, steps: &[StepRecord]) -> Vec<Event> {
        let mut events = Vec::new();
        if self.done {
            return events;
        }
        if !self.started && run.status != RunStatus::Pending {
            self.started = true;
            events.push(Event::RunStarted {
                run_id: run.id.clone(),
                workflow: run.workflow_name.clone(),
                total_steps: self.total.max(steps.len()),
            });
        }
        for (index, step) in steps.iter().enumerate().skip(self.seen) {
            let number = self.numbers.get(&step.step_id).copied().unwrap_or(index + 1);
            events.push(Event::recorded_step(number, self.total.max(steps.len()), step));
        }
        self.seen = self.seen.max(steps.len());
        if !matches!(run.status, RunStatus::Pending | RunStatus::Running) {
            self.done = true;
            events.push(Event::recorded_end(run));
        }
        events
    }

    /// The run has ended and its end was told.
    pub fn is_done(&self) -> bool {
        self.done
    }
}
