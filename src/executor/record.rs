//! Recording and reporting: step rows in the store, events to the sink, secrets scrubbed from both.

use super::*;

impl Run {
    /// Queues a step row for the database, every string of it masked first; a row that can't
    /// be written is a warning, not the run's end, unless the database server is gone: a run
    /// that can't be recorded stops, rather than going on with nothing kept of what it does.
    pub(super) fn record(&self, record: &StepRecord) {
        let mut record = record.clone();
        record.output = record.output.map(|o| self.scrub(&o));
        record.error = record.error.map(|e| self.scrub(&e));
        crate::secrets::mask_value(&mut record.result, &self.forms);
        let (run_id, sink, stop) = (self.run_id.clone(), self.sink.clone(), self.stop.clone());
        let step_id = record.step_id.clone();
        let shown = record.step_id.clone();
        self.executor.db_step(run_id, record, move |error| {
            sink(&Event::Warning { message: format!("could not record step {shown}: {error}") });
            if matches!(error, Error::Disconnected(_)) {
                let _ = stop.send(true);
            }
        });
        self.note_attempt_ended(&step_id);
    }

    /// For a run a worker claimed from the queue: notes that an attempt ended, after its row,
    /// in order with the rows, so a lost worker's attempt is known.
    pub(super) fn note_attempt_ended(&self, step_id: &str) {
        if !self.queued {
            return;
        }
        let (run_id, step) = (self.run_id.clone(), step_id.to_string());
        self.executor.db_later(move |store| {
            let _ = store.note_attempt_ended(&run_id, &step);
        });
    }

    /// For a run a worker claimed from the queue: notes an attempt under way, and waits until
    /// it and every row before it are committed. A queued run goes on elsewhere from its
    /// record if this worker dies, so the step must not start while the rows of the steps
    /// before it could still be lost: another worker would run a finished step again.
    pub(super) async fn note_attempt_started(&self, step_id: &str, attempt: u32, started_at: &str) {
        if !self.queued {
            return;
        }
        let (run_id, step, at) = (self.run_id.clone(), step_id.to_string(), started_at.to_string());
        let _ =
            self.executor.db(move |store| store.note_attempt_started(&run_id, &step, i64::from(attempt), &at)).await;
    }

    /// Replaces secret values, in every form they take, with `***`.
    pub(super) fn scrub(&self, text: &str) -> String {
        crate::secrets::mask(text, &self.forms)
    }

    /// The sink for a step's streamed output lines: each becomes an event, secrets scrubbed.
    pub(super) fn output_sink(&self, step_id: &str) -> crate::tools::LineSink {
        let sink = self.sink.clone();
        let forms = self.forms.clone();
        let id = step_id.to_string();
        Arc::new(move |stream: &str, line: &str| {
            sink(&Event::StepOutput {
                id: id.clone(),
                stream: stream.to_string(),
                line: crate::secrets::mask(line, &forms),
            })
        })
    }

    /// The sink for a step's notices to the person watching, secrets scrubbed.
    pub(super) fn notice_sink(&self, step_id: &str) -> crate::tools::Notice {
        let sink = self.sink.clone();
        let forms = self.forms.clone();
        let id = step_id.to_string();
        Arc::new(move |text: &str| sink(&Event::Notice { id: id.clone(), text: crate::secrets::mask(text, &forms) }))
    }

    /// A sink for a sub-workflow: its progress stays inside its step, its notices and warnings
    /// reach the person watching.
    pub(super) fn notices_only(&self) -> Sink {
        let sink = self.sink.clone();
        Arc::new(move |event: &Event| {
            if matches!(event, Event::Notice { .. } | Event::Warning { .. }) {
                sink(event)
            }
        })
    }
}
