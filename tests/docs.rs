//! The manuals can't drift from the product: every YAML block validates and every `alpha …`
//! command parses.

use alpha::cli::args::Cli;
use alpha::workflow::{Document, Format};
use clap::Parser as _;

use crate::common::root;

fn blocks(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some(lang) = line.strip_prefix("```") {
            let body: Vec<&str> = lines.by_ref().take_while(|l| !l.starts_with("```")).collect();
            out.push((lang.trim().to_string(), body.join("\n")));
        }
    }
    out
}

#[test]
fn manual_yaml_validates_and_commands_parse() {
    let dir = root().join("docs/manual");
    let mut yaml = 0;
    let mut commands = 0;
    for name in ["workflow_guide_en.md", "workflow_guide_zh.md", "workflow_templates.md", "quick_reference.md"] {
        let text = std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        for (lang, body) in blocks(&text) {
            match lang.as_str() {
                "yaml" if body.starts_with("# ~/.config/alpha/config.yaml") => {
                    // A config file, checked against the config's own types.
                    if let Err(e) = serde_saphyr::from_str::<alpha::config::Config>(&body) {
                        panic!("{name}: a config block is invalid: {e}\n{body}");
                    }
                }
                "yaml" => {
                    yaml += 1;
                    if let Err(d) = Document::from_text(name, body.as_str(), Format::Yaml).load() {
                        panic!("{name}: a YAML block is invalid:\n{}", d.render(false));
                    }
                }
                "console" | "sh" => {
                    for line in body.lines() {
                        let Some(command) = line.strip_prefix("$ ").filter(|c| c.starts_with("alpha")) else {
                            continue;
                        };
                        commands += 1;
                        let words = shlex::split(command).unwrap_or_else(|| panic!("{name}: can't split {command}"));
                        if let Err(error) = Cli::try_parse_from(&words) {
                            panic!("{name}: `{command}` does not parse:\n{error}");
                        }
                    }
                }
                _ => {}
            }
        }
    }
    println!("manuals: {yaml} YAML blocks validated, {commands} commands parsed");
    assert!(yaml >= 3 && commands >= 40, "{yaml} YAML blocks, {commands} commands");
}

#[test]
fn english_and_chinese_guides_have_the_same_sections() {
    let dir = root().join("docs/manual");
    let count = |name: &str, prefix: &str| {
        std::fs::read_to_string(dir.join(name)).unwrap().lines().filter(|l| l.starts_with(prefix)).count()
    };
    for prefix in ["## ", "### ", "```"] {
        assert_eq!(
            count("workflow_guide_en.md", prefix),
            count("workflow_guide_zh.md", prefix),
            "{prefix:?} lines differ"
        );
    }
}
