//! Built-in templates: list, show, and saving a copy into the library.

use indexmap::IndexMap;
use serde::Serialize;

use super::Context;
use super::library::SavedReport;
use crate::error::Result;
use crate::workflow::Workflow;

/// `template list`
pub fn list() -> Result<Vec<Workflow>> {
    crate::templates::all()
}

/// `template show NAME`
pub fn show(name: &str) -> Result<Workflow> {
    crate::templates::find(name)
}

/// A template copied into the library.
#[derive(Debug, Clone, Serialize)]
pub struct FromTemplate {
    /// The template used.
    pub template: String,
    /// The workflow saved.
    pub saved: SavedReport,
}

/// `template use NAME [--name NEW] [key=value…]`: the given values become the parameters'
/// defaults.
pub fn use_template(
    ctx: &Context,
    name: &str,
    new_name: Option<&str>,
    defaults: &IndexMap<String, String>,
) -> Result<FromTemplate> {
    let template = crate::templates::find(name)?;
    let workflow = crate::templates::instantiate(&template, new_name, defaults)?;
    let saved = super::library::save(ctx, &workflow, false)?;
    Ok(FromTemplate { template: template.name, saved })
}
