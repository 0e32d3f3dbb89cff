//! Recommendations from recorded runs (`alpha workflow optimize`): independent steps that could
//! run in parallel, steps that need a retry, steps that never succeed, timeouts that are too
//! tight or missing, and steps that got slower. Each comes with its evidence and, where it
//! changes the definition, the change.

use std::collections::HashMap;

use serde::Serialize;

use crate::error::Result;
use crate::store::{AttemptRow, Store};
use crate::template::{self, Escape};
use crate::workflow::{HumanDuration, OnError, ParallelGroup, Retry, Step, Workflow};

/// One recommendation.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    /// parallelize, retry, never_succeeds, timeout, missing_timeout, regression.
    pub kind: String,
    /// What to do, in a sentence.
    pub advice: String,
    /// What in the records supports it.
    pub evidence: String,
    /// Expected gain, when it can be estimated.
    pub gain: Option<String>,
    /// Expected seconds saved per run, when the gain is time.
    pub seconds_saved: Option<f64>,
    /// Whether applying it changes the definition.
    pub applicable: bool,
    #[serde(skip)]
    change: Option<Change>,
}

#[derive(Debug, Clone)]
enum Change {
    Parallel(Vec<String>),
    Retry(String, u32),
    Timeout(String, HumanDuration),
}

/// Per step: final outcome and duration of each run, oldest first.
#[derive(Debug, Default)]
struct StepStats {
    /// (run, attempts, succeeded, total ms, timed out)
    runs: Vec<(String, i64, bool, i64, bool)>,
    /// The error of every failed attempt, in order.
    errors: Vec<String>,
}

impl StepStats {
    /// The step broke rather than flaked: retrying never recovered it, every failed attempt
    /// failed the same way, and no run succeeded after its first failure. More retries would only
    /// make it fail slower.
    fn fails_the_same_every_attempt(&self) -> bool {
        let recovered = self.runs.iter().any(|r| r.1 > 1 && r.2);
        let first_failure = self.runs.iter().position(|r| !r.2 || r.1 > 1);
        let success_after = first_failure.is_some_and(|i| self.runs[i..].iter().any(|r| r.2));
        self.errors.len() >= 2 && !recovered && !success_after && self.errors.windows(2).all(|pair| pair[0] == pair[1])
    }
}

fn stats(store: &Store, workflow_id: &str) -> Result<(HashMap<String, StepStats>, usize)> {
    let rows = store.step_attempts_of(workflow_id)?;
    let mut by_step: HashMap<String, StepStats> = HashMap::new();
    let mut runs = std::collections::HashSet::new();
    for AttemptRow { run, step, attempt, status, duration_ms: ms, error } in rows {
        let status = status.as_str();
        runs.insert(run.clone());
        let entry = by_step.entry(step).or_default();
        if status != "success" && !error.is_empty() {
            entry.errors.push(error.clone());
        }
        match entry.runs.last_mut() {
            Some(last) if last.0 == run => {
                last.1 = attempt;
                last.2 = status == "success";
                last.3 += ms;
                last.4 |= error.contains("timed out");
            }
            _ => entry.runs.push((run, attempt, status == "success", ms, error.contains("timed out"))),
        }
    }
    Ok((by_step, runs.len()))
}

fn mean(values: &[i64]) -> f64 {
    if values.is_empty() { 0.0 } else { values.iter().sum::<i64>() as f64 / values.len() as f64 }
}

fn seconds(ms: f64) -> String {
    if ms >= 1000.0 { format!("{:.1}s", ms / 1000.0) } else { format!("{ms:.0}ms") }
}

/// Recommendations for a saved workflow from its recorded runs.
pub fn recommend(store: &Store, workflow_id: &str, workflow: &Workflow) -> Result<(Vec<Recommendation>, usize)> {
    let (stats, runs) = stats(store, workflow_id)?;
    let mut out = Vec::new();
    let env = template::environment(Escape::None);
    // Independent neighbours at the top level of a sequential workflow.
    let tops: Vec<&crate::workflow::ToolStep> =
        workflow.steps.iter().filter_map(|s| if let Step::Tool(t) = s { Some(t) } else { None }).collect();
    if workflow.execution.mode == crate::workflow::ExecutionMode::Sequential && runs >= 2 {
        let mut group: Vec<&crate::workflow::ToolStep> = Vec::new();
        let flush = |group: &mut Vec<&crate::workflow::ToolStep>, out: &mut Vec<Recommendation>| {
            if group.len() >= 2 {
                let durations: Vec<f64> = group
                    .iter()
                    .map(|s| stats.get(&s.id).map_or(0.0, |st| mean(&st.runs.iter().map(|r| r.3).collect::<Vec<_>>())))
                    .collect();
                let total: f64 = durations.iter().sum();
                let longest = durations.iter().copied().fold(0.0, f64::max);
                if total - longest >= 100.0 {
                    let ids: Vec<String> = group.iter().map(|s| s.id.clone()).collect();
                    out.push(Recommendation {
                        kind: "parallelize".into(),
                        advice: format!(
                            "Run {} in a parallel group: none of them reads another's result.",
                            ids.join(", ")
                        ),
                        evidence: format!(
                            "average durations {} over {runs} runs",
                            durations.iter().map(|d| seconds(*d)).collect::<Vec<_>>().join(", ")
                        ),
                        gain: Some(format!("about {} per run", seconds(total - longest))),
                        seconds_saved: Some(((total - longest) / 1000.0 * 10.0).round() / 10.0),
                        applicable: true,
                        change: Some(Change::Parallel(ids)),
                    });
                }
            }
            group.clear();
        };
        for step in &tops {
            let references: Vec<String> = step
                .parameters
                .values()
                .filter_map(|v| v.as_str())
                .chain(step.condition.as_deref())
                .flat_map(|t| template::references(&env, t, false).unwrap_or_default())
                .map(|n| template::root(&n).to_string())
                .collect();
            let depends = !step.depends_on.is_empty()
                || references.iter().any(|r| group.iter().any(|g| &g.id == r))
                || step.condition.is_some();
            if depends || step.on_error != OnError::Abort && step.on_error != OnError::Retry {
                flush(&mut group, &mut out);
            }
            group.push(step);
        }
        flush(&mut group, &mut out);
    }
    for step in tops {
        let Some(stat) = stats.get(&step.id) else { continue };
        let n = stat.runs.len();
        if n < 3 {
            continue;
        }
        let recovered = stat.runs.iter().filter(|r| r.1 > 1 && r.2).count();
        let first_failures = stat.runs.iter().filter(|r| r.1 > 1 || !r.2).count();
        let succeeded = stat.runs.iter().filter(|r| r.2).count();
        let timeouts = stat.runs.iter().filter(|r| r.4).count();
        let durations: Vec<i64> = stat.runs.iter().map(|r| r.3).collect();
        if succeeded == 0 {
            out.push(Recommendation {
                kind: "never_succeeds".into(),
                advice: format!(
                    "Step {} has never succeeded: fix it, or mark it on_error: log_and_continue if it is optional.",
                    step.id
                ),
                evidence: format!("failed in all {n} recorded runs"),
                gain: None,
                seconds_saved: None,
                applicable: false,
                change: None,
            });
            continue;
        }
        if timeouts * 3 >= n
            && let Some(limit) = step.timeout
        {
            let new = HumanDuration::new(limit.get() * 2);
            out.push(Recommendation {
                kind: "timeout".into(),
                advice: format!("Raise the timeout of {} from {limit} to {new}.", step.id),
                evidence: format!("timed out in {timeouts} of {n} runs"),
                gain: None,
                seconds_saved: None,
                applicable: true,
                change: Some(Change::Timeout(step.id.clone(), new)),
            });
        } else if stat.fails_the_same_every_attempt() {
            out.push(Recommendation {
                kind: "fails_the_same".into(),
                advice: format!(
                    "Step {} fails the same way on every attempt: retrying won't help; fix the cause.",
                    step.id
                ),
                evidence: format!("\"{}\" on every failed attempt, with no success since", stat.errors[0]),
                gain: None,
                seconds_saved: None,
                applicable: false,
                change: None,
            });
        } else if let Some((attempts, evidence)) = retry_advice(step, stat, first_failures, recovered) {
            out.push(Recommendation {
                kind: "retry".into(),
                advice: format!("Let {} retry (up to {attempts} attempts): it often fails on the first try.", step.id),
                evidence,
                gain: Some(format!("fewer failed runs (it failed first in {first_failures} of {n})")),
                seconds_saved: None,
                applicable: true,
                change: Some(Change::Retry(step.id.clone(), attempts)),
            });
        }
        let max = durations.iter().copied().max().unwrap_or(0);
        if step.timeout.is_none() && max >= 600_000 {
            let limit = HumanDuration::new(std::time::Duration::from_millis((max as u64) * 2));
            out.push(Recommendation {
                kind: "missing_timeout".into(),
                advice: format!("Give {} a timeout of {limit}: it has no limit and can run long.", step.id),
                evidence: format!("longest run {}", seconds(max as f64)),
                gain: None,
                seconds_saved: None,
                applicable: true,
                change: Some(Change::Timeout(step.id.clone(), limit)),
            });
        }
        if n >= 6 {
            let (old, new) = durations.split_at(n - 3);
            let (before, after) = (mean(old), mean(new));
            if before > 0.0 && after > before * 1.5 && after - before >= 200.0 {
                out.push(Recommendation {
                    kind: "regression".into(),
                    advice: format!("Step {} got slower: look at what changed.", step.id),
                    evidence: format!("last 3 runs average {}, earlier runs {}", seconds(after), seconds(before)),
                    gain: Some(format!("about {} per run if it recovers", seconds(after - before))),
                    seconds_saved: Some(((after - before) / 1000.0 * 10.0).round() / 10.0),
                    applicable: false,
                    change: None,
                });
            }
        }
    }
    // Outputs that were empty in every completed run.
    let outputs = store.run_outputs(workflow_id)?;
    if outputs.len() >= 3 {
        for name in workflow.outputs.keys() {
            let empty = outputs.iter().all(|o| {
                matches!(o.get(name), None | Some(serde_json::Value::Null))
                    || o.get(name).and_then(|v| v.as_str()) == Some("")
            });
            if empty {
                out.push(Recommendation {
                    kind: "unused_output".into(),
                    advice: format!("Output `{name}` has been empty in every run: fix its template or remove it."),
                    evidence: format!("empty in all {} completed runs", outputs.len()),
                    gain: None,
                    seconds_saved: None,
                    applicable: false,
                    change: None,
                });
            }
        }
    }
    Ok((out, runs))
}

/// Add a retry to a step that fails first a quarter of the time but also succeeds; raise it when
/// runs still spend every attempt after recovering on others.
fn retry_advice(
    step: &crate::workflow::ToolStep,
    stat: &StepStats,
    first_failures: usize,
    recovered: usize,
) -> Option<(u32, String)> {
    let n = stat.runs.len();
    let current = step.retry.as_ref().map_or(1, |r| r.max_attempts);
    if step.on_error != OnError::Retry {
        let succeeded = stat.runs.iter().filter(|r| r.2).count();
        return (first_failures * 4 >= n && succeeded > 0).then(|| {
            (3, format!("failed in {first_failures} of {n} runs and succeeded in the others; it has no retry"))
        });
    }
    let exhausted = stat.runs.iter().filter(|r| !r.2 && r.1 as u32 >= current).count();
    (exhausted > 0 && recovered > 0).then(|| {
        (
            current + 2,
            format!(
                "{recovered} of {n} runs succeeded only after retrying, and {exhausted} spent all {current} attempts"
            ),
        )
    })
}

/// The workflow with the applicable recommendations applied.
pub fn apply(workflow: &Workflow, recommendations: &[Recommendation]) -> Workflow {
    let mut changed = workflow.clone();
    // Step-level changes first, while every step is still at the top level; then the groups.
    let mut ordered: Vec<&Recommendation> = recommendations.iter().collect();
    ordered.sort_by_key(|r| matches!(r.change, Some(Change::Parallel(_))));
    for recommendation in ordered {
        match &recommendation.change {
            Some(Change::Parallel(ids)) => {
                let Some(first) = changed.steps.iter().position(|s| s.id() == Some(ids[0].as_str())) else { continue };
                let members: Vec<Step> = changed
                    .steps
                    .iter()
                    .filter(|s| s.id().is_some_and(|id| ids.iter().any(|i| i == id)))
                    .cloned()
                    .collect();
                changed.steps.retain(|s| !s.id().is_some_and(|id| ids.iter().any(|i| i == id)));
                let group =
                    Step::Parallel(ParallelGroup { id: None, name: None, depends_on: Vec::new(), parallel: members });
                changed.steps.insert(first.min(changed.steps.len()), group);
            }
            Some(Change::Retry(id, attempts)) => {
                if let Some(Step::Tool(step)) = changed.steps.iter_mut().find(|s| s.id() == Some(id.as_str())) {
                    step.on_error = OnError::Retry;
                    let retry = step.retry.clone().unwrap_or_default();
                    step.retry = Some(Retry { max_attempts: *attempts, ..retry });
                }
            }
            Some(Change::Timeout(id, limit)) => {
                if let Some(Step::Tool(step)) = changed.steps.iter_mut().find(|s| s.id() == Some(id.as_str())) {
                    step.timeout = Some(*limit);
                }
            }
            None => {}
        }
    }
    changed
}
