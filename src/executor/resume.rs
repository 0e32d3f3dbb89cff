//! Resuming: steps finished in an earlier run are carried over with their results.

use super::*;

impl Run {
    /// Takes a step's result from the run being resumed instead of running it again.
    pub(super) fn carry(&self, step: &ToolStep, result: Value) {
        let index = self.numbers.get(&step.id).copied().unwrap_or(0);
        let from = self.carried.from_run.chars().take(8).collect::<String>();
        self.record(&StepRecord {
            step_id: step.id.clone(),
            name: step.name.clone(),
            attempt: 0,
            status: StepStatus::Carried,
            started_at: Some(now()),
            completed_at: Some(now()),
            duration_ms: Some(0),
            exit_code: result.get("exit_code").and_then(Value::as_i64),
            output: result.get("output").map(|o| o.as_str().map_or_else(|| o.to_string(), str::to_string)),
            error: None,
            result: result.clone(),
        });
        self.set_result(&step.id, result);
        (self.sink)(&Event::StepFinished {
            index,
            total: self.total,
            id: step.id.clone(),
            label: label(step),
            status: StepStatus::Carried,
            duration_ms: 0,
            attempts: 0,
            reason: Some(format!("done in run {from}")),
            stderr_tail: None,
        });
    }
}
