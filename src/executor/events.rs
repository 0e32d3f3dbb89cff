//! Progress events: what a run reports while it goes. Renderers (TTY, plain, JSON lines) and the
//! REPL consume the same stream.

use serde::Serialize;
use serde_json::Value;

use crate::store::{RunStatus, StepStatus};

/// One thing that happened in a run.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// The run began.
    RunStarted {
        /// Run id.
        run_id: String,
        /// Workflow name.
        workflow: String,
        /// Tool steps in the definition.
        total_steps: usize,
    },
    /// A step began an attempt.
    StepStarted {
        /// 1-based position among the definition's tool steps.
        index: usize,
        /// Total tool steps.
        total: usize,
        /// Step id.
        id: String,
        /// Display name.
        label: String,
        /// Attempt number.
        attempt: u32,
    },
    /// A line of output (only with `--verbose`).
    StepOutput {
        /// Step id.
        id: String,
        /// stdout or stderr.
        stream: String,
        /// The line.
        line: String,
    },
    /// An attempt failed and another will follow.
    StepRetrying {
        /// Position.
        index: usize,
        /// Total.
        total: usize,
        /// Step id.
        id: String,
        /// Display name.
        label: String,
        /// The attempt that comes next.
        next_attempt: u32,
        /// Attempts allowed.
        max_attempts: u32,
        /// Wait before it.
        delay_ms: u64,
        /// Why the last one failed.
        error: String,
    },
    /// A step is done (success, failed, skipped, recovered).
    StepFinished {
        /// Position.
        index: usize,
        /// Total.
        total: usize,
        /// Step id.
        id: String,
        /// Display name.
        label: String,
        /// Final status.
        status: StepStatus,
        /// Time taken over all attempts.
        duration_ms: u64,
        /// Attempts made.
        attempts: u32,
        /// Why it failed or was skipped.
        #[serde(skip_serializing_if = "Option::is_none")]
        reason: Option<String>,
        /// The last lines of stderr of a failed step.
        #[serde(skip_serializing_if = "Option::is_none")]
        stderr_tail: Option<String>,
    },
    /// A line for the person watching: a terminal notification, shown on stderr.
    Notice {
        /// The step that sent it.
        id: String,
        /// The text (secrets scrubbed).
        text: String,
    },
    /// Something went wrong beside the run itself (a step could not be recorded).
    Warning {
        /// What.
        message: String,
    },
    /// The run ended.
    RunFinished {
        /// Run id.
        run_id: String,
        /// completed, partial, failed or interrupted.
        status: RunStatus,
        /// Wall time.
        duration_ms: u64,
        /// The workflow's outputs.
        outputs: Value,
        /// The failure.
        #[serde(skip_serializing_if = "Option::is_none")]
        error: Option<String>,
        /// Steps that failed under `log_and_continue`, by label (a `partial` run).
        #[serde(skip_serializing_if = "Vec::is_empty")]
        failed_steps: Vec<String>,
        /// The step whose failure stopped the run: "2/3 Run Tests".
        #[serde(skip_serializing_if = "Option::is_none")]
        failed_at: Option<String>,
    },
}

impl Event {
    /// A step attempt as recorded, told as the event a live run sent when it ended (for those
    /// who follow a run from the record: the dashboard, `--wait`).
    pub fn recorded_step(index: usize, total: usize, step: &crate::store::StepRecord) -> Event {
        Event::StepFinished {
            index,
            total,
            id: step.step_id.clone(),
            label: step.name.clone().unwrap_or_else(|| step.step_id.clone()),
            status: step.status,
            duration_ms: step.duration_ms.unwrap_or(0).max(0) as u64,
            attempts: step.attempt.max(1) as u32,
            reason: step.error.clone(),
            stderr_tail: None,
        }
    }

    /// A finished run as recorded, told as its `run_finished` event.
    pub fn recorded_end(run: &crate::store::RunRecord) -> Event {
        let recorded = run.result.get("duration_ms").and_then(Value::as_u64);
        let between = match (
            run.started_at.as_deref().and_then(crate::store::parse_time),
            run.completed_at.as_deref().and_then(crate::store::parse_time),
        ) {
            (Some(start), Some(end)) => (end - start).num_milliseconds().max(0) as u64,
            _ => 0,
        };
        Event::RunFinished {
            run_id: run.id.clone(),
            status: run.status,
            duration_ms: recorded.unwrap_or(between),
            outputs: run.result.get("outputs").cloned().unwrap_or(Value::Null),
            error: run.error.clone(),
            failed_steps: Vec::new(),
            failed_at: None,
        }
    }
}

/// Something that receives events.
pub type Sink = std::sync::Arc<dyn Fn(&Event) + Send + Sync>;

/// A sink that drops everything (sub-workflows, tests).
pub fn silent() -> Sink {
    std::sync::Arc::new(|_| {})
}
