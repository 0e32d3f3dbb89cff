//! Recording and reporting: step rows in the store, events to the sink, secrets scrubbed from both.

use super::*;

impl Run {
    pub(super) fn record(&self, record: &StepRecord) {
        let mut record = record.clone();
        record.output = record.output.map(|o| self.scrub(&o));
        record.error = record.error.map(|e| self.scrub(&e));
        if !record.result.is_null() {
            record.result = serde_json::from_str(&self.scrub(&record.result.to_string())).unwrap_or(Value::Null);
        }
        if let Err(error) = self.executor.store().record_step(&self.run_id, &record) {
            (self.sink)(&Event::Warning { message: format!("could not record step {}: {error}", record.step_id) });
        }
    }

    /// Replaces secret values with `***`.
    pub(super) fn scrub(&self, text: &str) -> String {
        redact(text, &self.secrets)
    }

    /// The sink for a step's streamed output lines: each becomes an event, secrets scrubbed.
    pub(super) fn output_sink(&self, step_id: &str) -> crate::tools::LineSink {
        let sink = self.sink.clone();
        let secrets = self.secrets.clone();
        let id = step_id.to_string();
        Arc::new(move |stream: &str, line: &str| {
            sink(&Event::StepOutput { id: id.clone(), stream: stream.to_string(), line: redact(line, &secrets) })
        })
    }

    /// The sink for a step's notices to the person watching, secrets scrubbed.
    pub(super) fn notice_sink(&self, step_id: &str) -> crate::tools::Notice {
        let sink = self.sink.clone();
        let secrets = self.secrets.clone();
        let id = step_id.to_string();
        Arc::new(move |text: &str| sink(&Event::Notice { id: id.clone(), text: redact(text, &secrets) }))
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
