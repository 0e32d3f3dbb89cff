//! One step: its attempts under the step's timeout and the run's cancellation, retries, and
//! the `workflow` tool that runs another saved workflow.

use super::*;

impl Run {
    pub(super) async fn tool_step(&self, step: &ToolStep) -> Flow {
        if let Some(result) = self.carried.results.get(&step.id) {
            self.carry(step, result.clone());
            return Ok(());
        }
        // A requeued run numbers its attempts on from those its earlier claims recorded.
        let earlier = self.carried.attempts.get(&step.id).copied().unwrap_or(0);
        if let Some(condition) = &step.condition {
            match self.condition(condition) {
                Ok(true) => {}
                Ok(false) => {
                    self.skip(step, "condition false");
                    return Ok(());
                }
                Err(e) => {
                    return self.finish_failed(step, &format!("condition: {e}"), Map::new(), 0, Duration::ZERO, None);
                }
            }
        }
        let index = self.numbers.get(&step.id).copied().unwrap_or(0);
        let policy = if step.on_error == OnError::Retry {
            step.retry.clone().unwrap_or_default()
        } else {
            crate::workflow::Retry { max_attempts: 1, ..Default::default() }
        };
        let clock = Instant::now();
        let mut attempt = 0u32;
        let failure = loop {
            attempt += 1;
            let number = earlier + attempt;
            (self.sink)(&Event::StepStarted {
                index,
                total: self.total,
                id: step.id.clone(),
                label: step.label(),
                attempt: number,
            });
            let started_at = now();
            let attempt_clock = Instant::now();
            self.lock_in_flight().insert(
                step.id.clone(),
                InFlight { step: step.clone(), attempt: number, started_at: started_at.clone(), clock: attempt_clock },
            );
            self.note_attempt_started(&step.id, number, &started_at).await;
            let outcome = self.attempt(step, number).await;
            self.lock_in_flight().remove(&step.id);
            let took = attempt_clock.elapsed();
            let (status, fields, error) = match &outcome {
                Ok(fields) => (StepStatus::Success, fields.clone(), None),
                Err(f) => (
                    if f.cancelled { StepStatus::Interrupted } else { StepStatus::Failed },
                    f.fields.clone(),
                    Some(f.message.clone()),
                ),
            };
            self.record(&StepRecord {
                step_id: step.id.clone(),
                name: step.name.clone(),
                attempt: i64::from(number),
                status,
                started_at: Some(started_at),
                completed_at: Some(now()),
                duration_ms: Some(took.as_millis() as i64),
                exit_code: fields.get("exit_code").and_then(Value::as_i64),
                output: fields.get("output").map(|o| o.as_str().map_or_else(|| o.to_string(), str::to_string)),
                error: error.clone(),
                result: Value::Object(fields.clone()),
            });
            match outcome {
                Ok(fields) => {
                    let object = result_object("success", fields, attempt, clock.elapsed(), None);
                    self.set_result(&step.id, object);
                    self.finished(step, StepStatus::Success, clock.elapsed(), attempt, None, None);
                    return Ok(());
                }
                Err(f) if f.cancelled => {
                    self.finished(step, StepStatus::Failed, clock.elapsed(), attempt, Some("interrupted".into()), None);
                    return Err(Stop::Interrupted);
                }
                Err(f) => {
                    if attempt < policy.max_attempts && retry::applies(&policy, &f) {
                        let delay = retry::delay(&policy, attempt);
                        (self.sink)(&Event::StepRetrying {
                            index,
                            total: self.total,
                            id: step.id.clone(),
                            label: step.label(),
                            next_attempt: attempt + 1,
                            max_attempts: policy.max_attempts,
                            delay_ms: delay.as_millis() as u64,
                            error: self.scrub(&f.message),
                        });
                        let mut cancel = self.cancel.clone();
                        tokio::select! {
                            () = tokio::time::sleep(delay) => {}
                            _ = cancel.wait_for(|c| *c) => return Err(Stop::Interrupted),
                        }
                        continue;
                    }
                    break f;
                }
            }
        };
        let strategy = match step.on_error {
            OnError::Retry => policy.then.unwrap_or(OnError::Abort),
            other => other,
        };
        let stderr_tail = output_tail(&failure.fields);
        match strategy {
            OnError::LogAndContinue => {
                self.continued.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(step.label());
                self.set_result(
                    &step.id,
                    result_object("failed", failure.fields.clone(), attempt, clock.elapsed(), Some(&failure.message)),
                );
                self.finished(
                    step,
                    StepStatus::Failed,
                    clock.elapsed(),
                    attempt,
                    Some(format!("{} (continuing)", failure.message)),
                    stderr_tail,
                );
                Ok(())
            }
            OnError::Skip => {
                self.set_result(
                    &step.id,
                    result_object("skipped", failure.fields.clone(), attempt, clock.elapsed(), Some(&failure.message)),
                );
                self.finished(
                    step,
                    StepStatus::Skipped,
                    clock.elapsed(),
                    attempt,
                    Some(format!("after error: {}", failure.message)),
                    None,
                );
                Ok(())
            }
            OnError::Fallback => self.fallback(step, failure, attempt, clock).await,
            OnError::Abort | OnError::Retry => self.finish_failed(
                step,
                &failure.message,
                failure.fields.clone(),
                attempt,
                clock.elapsed(),
                stderr_tail,
            ),
        }
    }

    /// One attempt: render, call the tool under the step's timeout and the run's cancellation.
    pub(super) async fn attempt(
        &self,
        step: &ToolStep,
        attempt: u32,
    ) -> std::result::Result<Map<String, Value>, Failure> {
        let params = self.render_params(step).map_err(Failure::new)?;
        let _slot = self.slots.acquire().await.map_err(|e| Failure::new(e.to_string()))?;
        let deadline = step.timeout.map(|t| Instant::now() + t.get());
        let workdir = self.step_directory(step).map_err(Failure::new)?;
        let request = Request {
            workdir,
            action: step.action.clone(),
            params,
            step_id: step.id.clone(),
            run_id: self.run_id.clone(),
            deadline,
            cancel: self.cancel.clone(),
            verbose: self.verbose.then(|| self.output_sink(&step.id)),
            secret_forms: self.forms.clone(),
            notice: self.notice_sink(&step.id),
            output_limit: step
                .output_limit
                .or(self.workflow.execution.output_limit)
                .map_or(crate::config::settings().limits.output_limit, |size| size.bytes().max(1)),
            log: self.log_dir.as_ref().map(|dir| LogFile::shared(dir.join(log_name(&step.id, attempt)))),
            groups: self.groups.clone(),
        };
        let canonical = crate::workflow::catalog::builtin(&step.tool).map_or(step.tool.as_str(), |t| t.name);
        let external;
        let timed_out = |mut f: Failure| {
            if f.kind == Some(crate::workflow::ErrorKind::Timeout)
                && let Some(t) = step.timeout
            {
                f.message = format!("timed out after {t}");
            }
            f
        };
        let tool: &dyn Tool = if canonical == "workflow" {
            return self.sub_workflow(request).await.map_err(timed_out);
        } else if let Some(tool) = self.executor.registry.get(canonical) {
            tool
        } else if crate::workflow::catalog::builtin(canonical).is_some() {
            return Err(Failure::new(format!("the `{canonical}` tool is not available in this version of alpha yet")));
        } else {
            external = External { name: step.tool.clone() };
            &external
        };
        let mut cancel = self.cancel.clone();
        let call = tool.call(request);
        let limit = async {
            match deadline {
                // A grace period lets the tool report its own timeout (and kill its processes) first.
                Some(deadline) => tokio::time::sleep_until((deadline + Duration::from_secs(2)).into()).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            outcome = call => outcome.map_err(timed_out),
            () = limit => Err(Failure::kind(format!("timed out after {}", step.timeout.map(|t| t.to_string()).unwrap_or_default()), crate::workflow::ErrorKind::Timeout)),
            _ = cancel.wait_for(|c| *c) => Err(Failure { message: "cancelled".into(), cancelled: true, ..Failure::default() }),
        }
    }

    pub(super) async fn sub_workflow(&self, request: Request) -> std::result::Result<Map<String, Value>, Failure> {
        let name = request.required("workflow")?.to_string();
        if self.stack.len() + 1 >= MAX_DEPTH {
            return Err(Failure::new(format!("sub-workflows nest deeper than {MAX_DEPTH} levels")));
        }
        let wanted = name.clone();
        let saved = self.executor.db(move |store| store.get(&wanted)).await.map_err(|e| Failure::new(e.to_string()))?;
        let mut stack = self.stack.clone();
        stack.push(self.workflow.name.clone());
        if stack.iter().any(|n| n.eq_ignore_ascii_case(&saved.workflow.name)) {
            return Err(Failure::new(format!("workflow cycle: {} → {}", stack.join(" → "), saved.workflow.name)));
        }
        let deadline = request.deadline;
        let params: IndexMap<String, Value> = match request.params.get("params") {
            Some(Value::Object(map)) => map.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
            _ => IndexMap::new(),
        };
        let summary = self
            .executor
            .run(RunRequest {
                workflow: saved.workflow.clone(),
                workflow_id: saved.id.clone(),
                params,
                trigger: "workflow".into(),
                verbose: false,
                sink: self.notices_only(),
                handle_signals: false,
                stack,
                carried: None,
                workdir: self.workdir.clone(),
                inherited_secrets: self.secrets.clone(),
                parent_cancel: Some(self.cancel.clone()),
                deadline: request.deadline,
                claimed: None,
            })
            .await
            .map_err(|e| Failure::new(e.to_string()))?;
        let mut fields = Map::new();
        fields.insert("run_id".into(), Value::String(summary.run_id.clone()));
        fields.insert("outputs".into(), summary.outputs.clone());
        fields.insert("json".into(), summary.outputs.clone());
        fields.insert("output".into(), Value::String(summary.outputs.to_string()));
        match summary.status {
            RunStatus::Completed => Ok(fields),
            // Something failed inside: the step says so, and its own `on_error` decides.
            RunStatus::Partial => Err(Failure {
                message: format!("workflow '{}' {}", saved.workflow.name, summary.error.unwrap_or_default()),
                fields,
                ..Failure::default()
            }),
            RunStatus::Interrupted => {
                Err(Failure { message: "cancelled".into(), cancelled: true, fields, ..Failure::default() })
            }
            RunStatus::Failed if deadline.is_some_and(|d| Instant::now() >= d) => Err(Failure {
                message: "timed out".into(),
                kind: Some(crate::workflow::ErrorKind::Timeout),
                fields,
                ..Failure::default()
            }),
            _ => Err(Failure {
                message: format!("workflow '{}' failed: {}", saved.workflow.name, summary.error.unwrap_or_default()),
                fields,
                ..Failure::default()
            }),
        }
    }
}

impl Run {
    fn lock_in_flight(&self) -> std::sync::MutexGuard<'_, HashMap<String, InFlight>> {
        self.in_flight.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records every attempt still under way as failed with `reason` (the run's timeout ended
    /// them), with its ✗ line, so no step the run started goes unrecorded.
    pub(super) fn cut_short(&self, reason: &str) {
        let mut cut: Vec<InFlight> = self.lock_in_flight().drain().map(|(_, attempt)| attempt).collect();
        cut.sort_by_key(|a| self.numbers.get(&a.step.id).copied().unwrap_or(0));
        for InFlight { step, attempt, started_at, clock } in cut {
            let took = clock.elapsed();
            let message = format!("timed out: {reason}");
            self.record(&StepRecord {
                step_id: step.id.clone(),
                name: step.name.clone(),
                attempt: i64::from(attempt),
                status: StepStatus::Failed,
                started_at: Some(started_at),
                completed_at: Some(now()),
                duration_ms: Some(took.as_millis() as i64),
                exit_code: None,
                output: None,
                error: Some(message.clone()),
                result: Value::Null,
            });
            self.set_result(&step.id, result_object("failed", Map::new(), attempt, took, Some(&message)));
            self.finished(&step, StepStatus::Failed, took, attempt, Some(message), None);
        }
    }
}

/// `<step>.<attempt>.log`, with anything but letters, digits, `-` and `_` in the id replaced.
fn log_name(step_id: &str, attempt: u32) -> String {
    let safe: String =
        step_id.chars().map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c } else { '_' }).collect();
    format!("{safe}.{attempt}.log")
}

/// Lines of a failed step's output shown under its ✗ line.
pub const TAIL_LINES: usize = 20;

/// The last lines of a failed step's stderr, or of its stdout when stderr is empty: what a
/// person needs to see why it failed.
pub(super) fn output_tail(fields: &Map<String, Value>) -> Option<String> {
    let text = |key: &str| fields.get(key).and_then(Value::as_str).filter(|t| !t.trim().is_empty());
    text("stderr").or_else(|| text("stdout")).map(tail)
}

fn tail(text: &str) -> String {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(TAIL_LINES)..].join("\n")
}
