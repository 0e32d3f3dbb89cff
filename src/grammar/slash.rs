//! Slash commands: `/run NAME key=value`, `/list --tags ci`, …, mirroring the CLI.

use super::*;

/// Slash commands mirror the CLI: `/run NAME k=v`, `/list [--tags T] [search]`, `/show NAME`, …
pub(crate) fn slash_command(text: &str, library: &Library) -> Intent {
    let (verb, rest) = text.split_once(char::is_whitespace).unwrap_or((text, ""));
    let rest = rest.trim();
    let name = |rest: &str| library.canonical(rest);
    let needs_name = |make: fn(String) -> Intent| {
        if rest.is_empty() { Intent::Unknown { did_you_mean: vec![format!("/{verb} NAME")] } } else { make(name(rest)) }
    };
    match verb.to_ascii_lowercase().as_str() {
        "run" | "r" => match split_name_and_params(rest, library) {
            Some((n, params)) if !n.is_empty() => Intent::Run { workflow: name(&n), params },
            _ => Intent::Unknown { did_you_mean: vec!["/run NAME key=value".into()] },
        },
        "list" | "ls" | "l" => {
            let mut tags = Vec::new();
            let mut search = Vec::new();
            let mut words = rest.split_whitespace();
            while let Some(word) = words.next() {
                if word == "--tags" || word == "--tag" || word == "-t" {
                    tags.extend(
                        words.next().map(|t| t.split(',').map(str::to_string).collect::<Vec<_>>()).unwrap_or_default(),
                    );
                } else if let Some(t) = word
                    .strip_prefix("--tags=")
                    .or_else(|| word.strip_prefix("tag:"))
                    .or_else(|| word.strip_prefix('#'))
                {
                    tags.extend(t.split(',').map(str::to_string));
                } else if word != "--search" {
                    search.push(word);
                }
            }
            Intent::List { tags, search: (!search.is_empty()).then(|| search.join(" ")) }
        }
        "show" | "cat" => needs_name(|workflow| Intent::Show { workflow }),
        "edit" => needs_name(|workflow| Intent::Edit { workflow }),
        "delete" | "rm" => needs_name(|workflow| Intent::Delete { workflow }),
        "unschedule" => needs_name(|workflow| Intent::Unschedule { workflow }),
        "history" | "runs" => Intent::History { workflow: (!rest.is_empty()).then(|| name(rest)) },
        "export" => {
            let words = shell_words(rest).unwrap_or_default();
            match words.as_slice() {
                [] => Intent::Unknown { did_you_mean: vec!["/export NAME [FILE]".into()] },
                [n] => Intent::Export { workflow: name(n), file: None },
                [init @ .., last] if looks_like_path(last) => {
                    Intent::Export { workflow: name(&init.join(" ")), file: Some(last.clone()) }
                }
                all => Intent::Export { workflow: name(&all.join(" ")), file: None },
            }
        }
        "schedule" => {
            let lower = rest.to_ascii_lowercase();
            match find_schedule(&lower, 0) {
                Some((offset, cron, timezone)) if offset > 0 => {
                    Intent::Schedule { workflow: name(rest[..offset].trim()), cron, timezone }
                }
                _ => Intent::Unknown { did_you_mean: vec!["/schedule NAME every weekday at 9am".into()] },
            }
        }
        "create" | "new" => {
            let interactive = rest.is_empty() || rest == "--interactive";
            let description = (!interactive).then(|| rest.to_string());
            Intent::Create { description, name: None, interactive }
        }
        "import" if !rest.is_empty() => Intent::Import { file: unquote(rest).to_string() },
        "validate" | "check" if !rest.is_empty() => Intent::Validate { file: unquote(rest).to_string() },
        "suggest" | "suggestions" => Intent::Suggest,
        "help" | "h" | "?" => Intent::Help,
        "quit" | "exit" | "q" | "bye" => Intent::Quit,
        other => {
            let commands = [
                "run",
                "list",
                "show",
                "create",
                "edit",
                "delete",
                "schedule",
                "unschedule",
                "history",
                "export",
                "import",
                "validate",
                "suggest",
                "help",
                "quit",
            ];
            Intent::Unknown {
                did_you_mean: crate::diagnostic::did_you_mean(other, commands)
                    .map(|c| vec![format!("/{c}")])
                    .unwrap_or_default(),
            }
        }
    }
}
