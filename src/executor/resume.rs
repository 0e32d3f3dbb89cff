//! Resuming: steps finished in an earlier run are carried over with their results.

use super::*;

impl Run {
    /// Takes a step's result from the run being resumed instead of running it again.
    pub(super) fn carry(&self, step: &ToolStep, result: Value) {
        let index = self.numbers.get(&step.id).copied().unwrap_or(0);
        let from = self.carried.from_run.chars().take(8).collect::<String>();
        // A requeued run goes on in the same run: its finished steps are recorded already.
        let same_run = self.carried.from_run == self.run_id;
        if !same_run {
            self.record_carried(step, &result);
        }
        self.set_result(&step.id, result);
        (self.sink)(&Event::StepFinished {
            index,
            total: self.total,
            id: step.id.clone(),
            label: step.label(),
            status: StepStatus::Carried,
            duration_ms: 0,
            attempts: 0,
            reason: Some(if same_run {
                "done before this run was requeued".into()
            } else {
                format!("done in run {from}")
            }),
            stderr_tail: None,
        });
    }

    fn record_carried(&self, step: &ToolStep, result: &Value) {
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
    }
}
