//! `alpha template list|show|use`.

use crate::cli::args::TemplateCommand;
use crate::error::{Result, exit};
use crate::executor::params;
use crate::store::Store;
use crate::templates;
use crate::workflow::{Format, to_text};

/// Dispatches `alpha template …`.
pub fn command(db: &std::path::Path, command: TemplateCommand) -> Result<i32> {
    match command {
        TemplateCommand::List => {
            println!("Built-in templates:");
            for (n, template) in templates::all()?.iter().enumerate() {
                println!("  {}. {} - {}", n + 1, template.name, template.description.as_deref().unwrap_or(""));
                let params: Vec<String> = template
                    .parameters
                    .iter()
                    .map(|(k, p)| {
                        format!(
                            "{k}={}",
                            p.default
                                .as_ref()
                                .map(|d| d.as_str().map_or_else(|| d.to_string(), str::to_string))
                                .unwrap_or_default()
                        )
                    })
                    .collect();
                if !params.is_empty() {
                    println!("     parameters: {}", params.join(" "));
                }
            }
            println!("Use one with: alpha template use NAME [--name NEW] [key=value...]");
            Ok(exit::OK)
        }
        TemplateCommand::Show { name } => {
            print!("{}", to_text(&templates::find(&name)?, Format::Yaml));
            Ok(exit::OK)
        }
        TemplateCommand::Use { name, new_name, params: values } => {
            let template = templates::find(&name)?;
            let defaults = params::parse_assignments(&values)?;
            let workflow = templates::instantiate(&template, new_name.as_deref(), &defaults)?;
            let saved = Store::open(db)?.create(&workflow, false)?;
            println!("Saved '{}' from the '{}' template.", saved.workflow.name, template.name);
            println!("Run with: alpha workflow run '{}'", saved.workflow.name);
            Ok(exit::OK)
        }
    }
}
