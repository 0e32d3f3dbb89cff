//! `optimize`: recommendations from recorded runs, and the changed definition they lead to.

use serde::Serialize;

use super::Context;
use super::library::{Proposal, proposal};
use crate::error::Result;
use crate::proactive::optimizer::{self, Recommendation};

/// What the recorded runs suggest.
#[derive(Debug, Clone, Serialize)]
pub struct Optimized {
    /// The workflow's name.
    pub workflow: String,
    /// Runs read.
    pub runs: usize,
    /// Recommendations, most useful first.
    pub recommendations: Vec<Recommendation>,
    /// The new version the applicable ones make, shown as a diff before it is saved.
    #[serde(skip)]
    pub proposal: Option<Proposal>,
}

/// `optimize NAME`
pub fn optimize(ctx: &Context, name: &str) -> Result<Optimized> {
    let store = ctx.store()?;
    let saved = store.get(name)?;
    let (recommendations, runs) = optimizer::recommend(&store, &saved.id, &saved.workflow)?;
    let applicable: Vec<Recommendation> = recommendations.iter().filter(|r| r.applicable).cloned().collect();
    let proposal = if applicable.is_empty() {
        None
    } else {
        let changed = optimizer::apply(&saved.workflow, &applicable);
        Some(proposal(saved.id.clone(), &saved.workflow, changed, &format!("optimized '{}'", saved.workflow.name))?)
    };
    Ok(Optimized { workflow: saved.workflow.name, runs, recommendations, proposal })
}
