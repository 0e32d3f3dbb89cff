//! `execution.mode: dag`: every step starts as soon as its dependencies are done.

use super::*;

impl Run {
    /// dag mode: every top-level entry starts once the entries it depends on are done.
    pub(super) async fn dag(&self) -> Flow {
        let steps = &self.workflow.steps;
        let deps = plan::dependencies(&self.workflow);
        let mut done = vec![false; steps.len()];
        let mut started = vec![false; steps.len()];
        let mut running = FuturesUnordered::new();
        let mut stop: Option<Stop> = None;
        loop {
            if stop.is_none() {
                for index in 0..steps.len() {
                    if !started[index] && deps[index].iter().all(|d| done[*d]) {
                        started[index] = true;
                        running.push(async move { (index, self.step(&steps[index]).await) });
                    }
                }
            }
            let Some((index, flow)) = running.next().await else { break };
            done[index] = true;
            if let Err(s) = flow {
                stop = Some(match (stop.take(), s) {
                    (Some(Stop::Interrupted), _) | (_, Stop::Interrupted) => Stop::Interrupted,
                    (Some(first), _) => first,
                    (None, s) => s,
                });
            }
        }
        match stop {
            Some(stop) => Err(stop),
            None if done.iter().all(|d| *d) => Ok(()),
            None => Err(Stop::Failed("some steps could not start: their dependencies never finished".into())),
        }
    }
}
