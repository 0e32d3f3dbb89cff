//! What a failed step leads to: abort, fallback, and the step's final event.

use super::*;

impl Run {
    pub(super) fn finish_failed(
        &self,
        step: &ToolStep,
        message: &str,
        fields: Map<String, Value>,
        attempts: u32,
        took: Duration,
        stderr_tail: Option<String>,
    ) -> Flow {
        self.set_result(&step.id, result_object("failed", fields, attempts, took, Some(message)));
        self.finished(step, StepStatus::Failed, took, attempts, Some(message.to_string()), stderr_tail);
        let position = format!("{}/{} {}", self.numbers.get(&step.id).copied().unwrap_or(0), self.total, step.label());
        self.failed_at.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get_or_insert(position);
        Err(Stop::Failed(format!("step `{}` failed: {message}", step.id)))
    }

    pub(super) async fn fallback(&self, step: &ToolStep, failure: Failure, attempts: u32, clock: Instant) -> Flow {
        self.set_result(
            &step.id,
            result_object("failed", failure.fields.clone(), attempts, clock.elapsed(), Some(&failure.message)),
        );
        let mut last = Map::new();
        for (n, fallback) in step.fallback.iter().enumerate() {
            let mut fallback = fallback.clone();
            if fallback.id.is_empty() {
                fallback.id = format!("{}_fallback_{}", step.id, n + 1);
            }
            if fallback.name.is_none() {
                fallback.name = Some(format!("{} (fallback {})", step.label(), n + 1));
            }
            if let Err(stop) = Box::pin(self.tool_step(&fallback)).await {
                let stderr_tail = output_tail(&failure.fields);
                self.finished(
                    step,
                    StepStatus::Failed,
                    clock.elapsed(),
                    attempts,
                    Some(format!("{} (fallback failed too)", failure.message)),
                    stderr_tail,
                );
                return Err(stop);
            }
            if let Some(Value::Object(result)) =
                self.results.lock().unwrap_or_else(std::sync::PoisonError::into_inner).get(&fallback.id)
            {
                last = result.clone();
            }
        }
        let mut fields = failure.fields.clone();
        for key in ["output", "json"] {
            if let Some(value) = last.get(key) {
                fields.insert(key.into(), value.clone());
            }
        }
        self.set_result(
            &step.id,
            result_object("recovered", fields, attempts, clock.elapsed(), Some(&failure.message)),
        );
        self.finished(
            step,
            StepStatus::Recovered,
            clock.elapsed(),
            attempts,
            Some(format!("recovered by fallback after: {}", failure.message)),
            None,
        );
        Ok(())
    }

    pub(super) fn finished(
        &self,
        step: &ToolStep,
        status: StepStatus,
        took: Duration,
        attempts: u32,
        reason: Option<String>,
        stderr_tail: Option<String>,
    ) {
        (self.sink)(&Event::StepFinished {
            index: self.numbers.get(&step.id).copied().unwrap_or(0),
            total: self.total,
            id: step.id.clone(),
            label: step.label(),
            status,
            duration_ms: took.as_millis() as u64,
            attempts,
            reason: reason.map(|r| self.scrub(&r)),
            stderr_tail: stderr_tail.map(|t| self.scrub(&t)),
        });
    }
}
