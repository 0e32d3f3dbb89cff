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
        "history" | "runs" => history_flags(rest, library),
        "rerun" | "again" => match split_name_and_params(rest, library) {
            _ if rest.is_empty() => Intent::Rerun { workflow: None, params: IndexMap::new(), failed: false },
            // "/rerun --branch dev": the last run, one parameter changed.
            _ if rest.starts_with("--") => match parse_params(rest, None) {
                Some(params) => Intent::Rerun { workflow: None, params, failed: false },
                None => Intent::Unknown { did_you_mean: vec!["/rerun [NAME] [--key value]".into()] },
            },
            _ if rest.split_whitespace().all(|w| w.contains('=')) => match parse_params(rest, None) {
                Some(params) => Intent::Rerun { workflow: None, params, failed: false },
                None => Intent::Unknown { did_you_mean: vec!["/rerun [NAME] [key=value]".into()] },
            },
            Some((n, params)) if n.is_empty() || n.eq_ignore_ascii_case("it") => {
                Intent::Rerun { workflow: None, params, failed: false }
            }
            Some((n, params)) => Intent::Rerun { workflow: Some(name(&n)), params, failed: false },
            None => match parse_params(rest, None) {
                Some(params) => Intent::Rerun { workflow: None, params, failed: false },
                None => Intent::Unknown { did_you_mean: vec!["/rerun [NAME] [key=value]".into()] },
            },
        },
        "explain" | "why" => {
            let words = rest.trim_start_matches("--run").trim();
            if words.is_empty() {
                Intent::Explain { workflow: None, run: None }
            } else if words.len() >= 6 && words.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
                Intent::Explain { workflow: None, run: Some(words.to_ascii_lowercase()) }
            } else {
                Intent::Explain { workflow: Some(name(words)), run: None }
            }
        }
        "schedules" => Intent::Schedules { workflow: (!rest.is_empty()).then(|| name(rest)) },
        "templates" => Intent::Templates,
        "versions" => needs_name(|workflow| Intent::Versions { workflow }),
        "logs" | "log" | "output" => {
            if rest.is_empty() {
                Intent::Logs { workflow: None, run: None }
            } else if rest.len() >= 6 && rest.chars().all(|c| c.is_ascii_hexdigit() || c == '-') {
                Intent::Logs { workflow: None, run: Some(rest.to_ascii_lowercase()) }
            } else {
                Intent::Logs { workflow: Some(name(rest)), run: None }
            }
        }
        "export" => {
            let (words, file, format) = export_flags(shell_words(rest).unwrap_or_default());
            match words.as_slice() {
                [] => Intent::Unknown { did_you_mean: vec!["/export NAME [FILE] [--format json|yaml]".into()] },
                [init @ .., last] if file.is_none() && !init.is_empty() && looks_like_path(last) => {
                    Intent::Export { workflow: name(&init.join(" ")), file: Some(last.clone()), format }
                }
                all => Intent::Export { workflow: name(&all.join(" ")), file, format },
            }
        }
        "schedule" => {
            let lower = rest.to_ascii_lowercase();
            match find_schedule(&lower, 0) {
                Some((offset, cron, timezone)) if offset > 0 => {
                    Intent::Schedule { workflow: name(rest[..offset].trim()), cron, timezone, params: IndexMap::new() }
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
        "dashboard" | "serve" | "web" => Intent::Dashboard,
        "rollback" if !rest.is_empty() => {
            let (name, version) = match rest.rsplit_once(' ') {
                Some((name, v)) if v.trim_start_matches('v').split('.').count() == 3 => {
                    (name.trim(), Some(v.trim_start_matches('v').to_string()))
                }
                _ => (rest, None),
            };
            Intent::Rollback { workflow: unquote(name).to_string(), version }
        }
        "rename" => rename_words(rest, library),
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
                "rerun",
                "explain",
                "schedules",
                "templates",
                "versions",
                "rename",
                "logs",
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

/// `/rename Greet to Say Hello`, `/rename "Old Sync" "New Sync"`, `/rename Deploy Pipeline
/// Release` (the longest saved name at the start is the workflow, the rest its new name).
fn rename_words(rest: &str, library: &Library) -> Intent {
    let words = shell_words(rest).unwrap_or_default();
    let split = match words.iter().position(|w| w == "to") {
        Some(at) => Some(at),
        None if words.len() == 2 => Some(1),
        None => (1..words.len()).rev().find(|&at| library.knows(&words[..at].join(" "))),
    };
    let (name, to) = match split {
        Some(at) if at > 0 => {
            let to_start = if words[at] == "to" { at + 1 } else { at };
            (words[..at].join(" "), words[to_start..].join(" "))
        }
        _ => (String::new(), String::new()),
    };
    if name.is_empty() || to.is_empty() {
        return Intent::Unknown { did_you_mean: vec!["/rename Greet to Say Hello".into()] };
    }
    Intent::Rename { workflow: library.canonical(&name), to }
}

/// `/history [NAME] [--status failed] [--since 2026-12-01T00:00:00Z] [--limit 5]`.
fn history_flags(rest: &str, library: &Library) -> Intent {
    let words = shell_words(rest).unwrap_or_default();
    let (mut status, mut since, mut limit, mut name) = (None, None, None, Vec::new());
    let mut i = 0;
    while i < words.len() {
        let word = words[i].as_str();
        let (flag, inline) = word.split_once('=').map_or((word, None), |(f, v)| (f, Some(v.to_string())));
        match flag {
            "--limit" | "-n" => {
                let value = inline.or_else(|| {
                    i += 1;
                    words.get(i).cloned()
                });
                limit = value.and_then(|v| v.parse().ok()).filter(|n: &usize| *n > 0);
            }
            "--status" | "-s" | "--since" => {
                let value = inline.or_else(|| {
                    i += 1;
                    words.get(i).cloned()
                });
                if flag == "--since" {
                    since = value.map(|v| since_value(&v, library));
                } else {
                    status = value;
                }
            }
            "--failed" => status = Some("failed".into()),
            _ => name.push(word.to_string()),
        }
        i += 1;
    }
    let workflow = (!name.is_empty()).then(|| library.canonical(&name.join(" ")));
    Intent::History { workflow, status, since, limit }
}

/// `--since` as given: an RFC 3339 time stays; a span (`24h`, `7d`) counts back from now.
fn since_value(value: &str, library: &Library) -> String {
    match crate::workflow::HumanDuration::parse(value) {
        Ok(span) => {
            let now = library.now.unwrap_or_else(|| chrono::Local::now().fixed_offset());
            let back = chrono::Duration::from_std(span.get()).unwrap_or(chrono::Duration::zero());
            (now - back).to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        }
        Err(_) => value.to_string(),
    }
}

/// `/export NAME --format json -f out.json`: the CLI's flags taken out of the words, with the
/// file and the format they give.
fn export_flags(words: Vec<String>) -> (Vec<String>, Option<String>, Option<String>) {
    let (mut rest, mut file, mut format) = (Vec::new(), None, None);
    let mut words = words.into_iter();
    while let Some(word) = words.next() {
        match word.as_str() {
            "--format" => format = words.next().map(|f| f.to_ascii_lowercase()),
            "--json" => format = Some("json".into()),
            "--yaml" => format = Some("yaml".into()),
            "--file" | "-f" | "-o" | "--output" => file = words.next(),
            _ => match word.strip_prefix("--format=").or_else(|| word.strip_prefix("--file=")) {
                Some(value) if word.starts_with("--format=") => format = Some(value.to_ascii_lowercase()),
                Some(value) => file = Some(value.to_string()),
                None => rest.push(word),
            },
        }
    }
    (rest, file, format)
}
