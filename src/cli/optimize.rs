//! `alpha workflow optimize NAME`: recommendations from recorded runs, applied as a new version
//! after confirmation.

use std::io::IsTerminal;
use std::path::Path;

use crate::error::{Result, exit};
use crate::proactive::optimizer;
use crate::store::{Store, bump_patch};

/// Prints recommendations; with `apply`, saves the changed definition (asking first on a
/// terminal unless `yes`).
pub fn optimize(db: &Path, name: &str, apply: bool, yes: bool, json: bool) -> Result<i32> {
    let mut store = Store::open(db)?;
    let saved = store.get(name)?;
    let (recommendations, runs) = optimizer::recommend(&store, &saved.id, &saved.workflow)?;
    if json {
        super::output::print_json(
            &serde_json::json!({"workflow": saved.workflow.name, "runs": runs, "recommendations": recommendations}),
        );
    } else if recommendations.is_empty() {
        println!("No recommendations for '{}' from its {runs} recorded runs.", saved.workflow.name);
    } else {
        println!("Recommendations for '{}' from {runs} recorded runs:", saved.workflow.name);
        for (n, r) in recommendations.iter().enumerate() {
            let gain = r.gain.as_deref().map(|g| format!(" Estimated gain: {g}.")).unwrap_or_default();
            println!("  {}. {} ({}){gain}", n + 1, r.advice, r.evidence);
        }
    }
    let applicable: Vec<_> = recommendations.iter().filter(|r| r.applicable).cloned().collect();
    if !apply || applicable.is_empty() {
        if !json && !applicable.is_empty() {
            println!("Apply them as a new version with: alpha workflow optimize '{}' --apply", saved.workflow.name);
        }
        return Ok(exit::OK);
    }
    let mut changed = optimizer::apply(&saved.workflow, &applicable);
    changed.version = bump_patch(&saved.workflow.version);
    let changed = crate::workflow::Document::from_text(
        format!("optimized '{}'", saved.workflow.name),
        crate::workflow::to_text(&changed, crate::workflow::Format::Yaml),
        crate::workflow::Format::Yaml,
    )
    .load()?;
    print!("{}", super::library::unified_diff(&saved.workflow, &changed, &saved.workflow.version, &changed.version));
    if !yes {
        if !std::io::stdin().is_terminal() {
            println!("Not applied: confirm on a terminal or pass --yes.");
            return Ok(exit::USAGE);
        }
        let answer = super::library::ask(&format!("Save as v{}? [y/N] ", changed.version))?;
        if !matches!(answer.as_str(), "y" | "yes") {
            println!("Not applied.");
            return Ok(exit::OK);
        }
    }
    let updated = store.update(&saved.id, &changed, "optimized")?;
    println!("Saved '{}' as v{}.", updated.workflow.name, updated.workflow.version);
    Ok(exit::OK)
}
