//! The walk over a run's steps in order: sequences, parallel groups, branches and skips.

use super::*;

impl Run {
    pub(super) async fn top_level(&self) -> Flow {
        match self.workflow.execution.mode {
            ExecutionMode::Sequential => self.sequence(&self.workflow.steps).await,
            ExecutionMode::Dag => self.dag().await,
        }
    }

    pub(super) fn sequence<'a>(&'a self, steps: &'a [Step]) -> BoxFuture<'a, Flow> {
        Box::pin(async move {
            for step in steps {
                self.step(step).await?;
            }
            Ok(())
        })
    }

    pub(super) fn step<'a>(&'a self, step: &'a Step) -> BoxFuture<'a, Flow> {
        Box::pin(async move {
            if *self.cancel.borrow() {
                return Err(Stop::Interrupted);
            }
            match step {
                Step::Tool(tool) => self.tool_step(tool).await,
                Step::Parallel(group) => {
                    let flows = join_all(group.parallel.iter().map(|member| self.step(member))).await;
                    first_stop(flows)
                }
                Step::Branch(branch) => self.branch(branch).await,
            }
        })
    }

    pub(super) async fn branch(&self, branch: &Branch) -> Flow {
        let taken =
            self.condition(&branch.condition).map_err(|e| Stop::Failed(format!("branch `{}`: {e}", branch.id)))?;
        let (run, skip) = if taken { (&branch.then, &branch.otherwise) } else { (&branch.otherwise, &branch.then) };
        self.skip_all(skip, if taken { "branch not taken" } else { "condition false" });
        let flow = self.sequence(run).await;
        let mut object =
            result_object(if flow.is_ok() { "success" } else { "failed" }, Map::new(), 1, Duration::ZERO, None);
        object["output"] = Value::Bool(taken);
        self.set_result(&branch.id, object);
        flow
    }

    pub(super) fn skip_all(&self, steps: &[Step], reason: &str) {
        for step in steps {
            match step {
                Step::Tool(tool) => self.skip(tool, reason),
                Step::Parallel(group) => self.skip_all(&group.parallel, reason),
                Step::Branch(branch) => {
                    self.set_result(&branch.id, skipped_object(reason));
                    self.skip_all(&branch.then, reason);
                    self.skip_all(&branch.otherwise, reason);
                }
            }
        }
    }

    pub(super) fn skip(&self, step: &ToolStep, reason: &str) {
        self.set_result(&step.id, skipped_object(reason));
        let index = self.numbers.get(&step.id).copied().unwrap_or(0);
        self.record(&StepRecord {
            step_id: step.id.clone(),
            name: step.name.clone(),
            attempt: 0,
            status: StepStatus::Skipped,
            started_at: Some(now()),
            completed_at: Some(now()),
            duration_ms: Some(0),
            exit_code: None,
            output: None,
            error: Some(reason.into()),
            result: Value::Null,
        });
        (self.sink)(&Event::StepFinished {
            index,
            total: self.total,
            id: step.id.clone(),
            label: step.label(),
            status: StepStatus::Skipped,
            duration_ms: 0,
            attempts: 0,
            reason: Some(reason.into()),
            stderr_tail: None,
        });
    }

    pub(super) fn set_result(&self, id: &str, value: Value) {
        if !id.is_empty() {
            let converted = minijinja::Value::from(minijinja::value::Serde(&value));
            let mut jinja = self.jinja_results.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            match jinja.iter_mut().find(|(key, _)| key == id) {
                Some(entry) => entry.1 = converted,
                None => jinja.push((id.to_string(), converted)),
            }
            drop(jinja);
            self.results.lock().unwrap_or_else(std::sync::PoisonError::into_inner).insert(id.to_string(), value);
        }
    }

    /// The workflow's outputs, rendered. One that fails is the run's error (never a silent
    /// null): the first failure is returned beside the outputs that did render.
    pub(super) fn outputs(&self) -> (Value, Option<String>) {
        let ctx = self.context();
        let mut outputs = Map::new();
        let mut failure = None;
        for (name, text) in &self.workflow.outputs {
            let value = match self.render(&Value::String(text.clone()), Escape::None, &ctx) {
                Ok(value) => value,
                Err(error) => {
                    failure.get_or_insert_with(|| format!("output `{name}` ({text}) failed: {error}"));
                    Value::Null
                }
            };
            let value = match value {
                Value::String(s) => Value::String(self.scrub(&s)),
                other => serde_json::from_str(&self.scrub(&other.to_string())).unwrap_or(Value::Null),
            };
            outputs.insert(name.clone(), value);
        }
        (Value::Object(outputs), failure.map(|f| self.scrub(&f)))
    }
}

pub(super) fn first_stop(flows: Vec<Flow>) -> Flow {
    let mut failed = None;
    for flow in flows {
        match flow {
            Err(Stop::Interrupted) => return Err(Stop::Interrupted),
            Err(stop) if failed.is_none() => failed = Some(stop),
            _ => {}
        }
    }
    failed.map_or(Ok(()), Err)
}
