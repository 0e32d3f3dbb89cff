//! "run deploy pipeline with branch dev", or a saved workflow's name alone.

use super::super::*;

/// `run X`, `start X with branch=dev`, `execute X on branch dev`.
pub(crate) fn run(text: &str, lower: &str, library: &Library) -> Option<Intent> {
    let mut rest = None;
    for verb in RUN_VERBS.iter().copied() {
        if let Ok((after, _)) = token(verb).parse(lower) {
            rest = Some(after);
            break;
        }
    }
    let rest = rest?;
    let body = original(text, lower, rest).trim();
    if body.is_empty() {
        return None;
    }
    let body = flags_last(body);
    let (name, params) = split_name_and_params(&body, library)?;
    // "run that", "run this": the workflow the conversation is about.
    if matches!(name.to_ascii_lowercase().as_str(), "it" | "that" | "this" | "that one" | "this one") {
        return Some(Intent::Run { workflow: "it".into(), params });
    }
    Some(Intent::Run { workflow: library.canonical(&name), params })
}

/// "get the backup going", "get deploy started": a saved name only.
pub(crate) fn get_going(text: &str, _: &str, library: &Library) -> Option<Intent> {
    static GOING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(?:get|have|set)\s+(?:the\s+|my\s+)?(?P<name>.+?)\s+(?:started|going|running|kicked off|moving)(?:\s+(?:now|please))?[.!]?$")
            .expect("a valid pattern")
    });
    let typed = GOING.captures(text.trim())?.name("name")?.as_str();
    library.knows(typed).then(|| Intent::Run { workflow: library.canonical(typed), params: IndexMap::new() })
}

/// An utterance that is only a workflow name runs it ("backup files").
pub(crate) fn bare_name(text: &str, _: &str, library: &Library) -> Option<Intent> {
    let (name, params) = split_name_and_params(text, library)?;
    library.knows(&name).then(|| Intent::Run { workflow: library.canonical(&name), params })
}

/// "process input.csv into output.csv", "monitor https://example.com with threshold 500": the
/// workflow named by what it does, its verb a word of exactly one saved name ("Data Processing
/// Pipeline", "Monitor and Alert"), followed only by that workflow's parameters. The name was
/// not typed, so the chat asks before it runs.
pub(crate) fn by_what_it_does(text: &str, lower: &str, library: &Library) -> Option<Intent> {
    let (verb, rest) = lower.trim().split_once(' ')?;
    if verb.len() < 5 || RUN_VERBS.contains(&verb) {
        return None;
    }
    let root = names::stem(verb);
    let mut doing_it = library.names.iter().filter(|name| {
        names::words(name).iter().any(|word| {
            let word_root = names::stem(word);
            word.as_str() == verb || word_root == verb || word_root == root
        })
    });
    let (Some(workflow), None) = (doing_it.next(), doing_it.next()) else { return None };
    let known = library.params.get(workflow)?;
    let given = original(text, lower, rest).trim();
    let params = parse_params(given, Some(known)).filter(|params| !params.is_empty())?;
    Some(Intent::Run { workflow: workflow.clone(), params })
}

/// "run --branch=dev deploy pipeline": flags typed before the name go after it.
fn flags_last(body: &str) -> String {
    if !body.starts_with("--") {
        return body.to_string();
    }
    let Some(words) = shell_words(body) else { return body.to_string() };
    let mut flags = Vec::new();
    let mut i = 0;
    while i < words.len() && words[i].starts_with("--") {
        flags.push(shlex::try_quote(&words[i]).map_or_else(|_| words[i].clone(), |q| q.into_owned()));
        if !words[i].contains('=') && i + 1 < words.len() {
            flags.push(shlex::try_quote(&words[i + 1]).map_or_else(|_| words[i + 1].clone(), |q| q.into_owned()));
            i += 1;
        }
        i += 1;
    }
    if i >= words.len() {
        return body.to_string();
    }
    format!("{} {}", words[i..].join(" "), flags.join(" "))
}

/// The name first: "nightly backup - run it", "deploy pipeline: run with branch dev",
/// "'deploy pipeline' run". Only a saved name reads so.
pub(crate) fn name_first(text: &str, _: &str, library: &Library) -> Option<Intent> {
    static NAME_FIRST: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)^(?P<name>.+?)\s*(?:[-:,]\s*|\s)(?:run|start|execute|go|launch)(?:\s+it)?(?:\s+(?:now|please))?(?:\s+(?P<params>(?:with|using)\s+.+?))?[.!]?$",
        )
        .expect("a valid pattern")
    });
    // "deploy pipeline, branch hotfix, go": the parameters between the name and the word to go.
    static PARAMS_BETWEEN: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)^(?P<name>[^,:;]+?)\s*[,:;]\s*(?P<params>.+?)\s*[,;:]?\s+(?:go|run it|run|go ahead|now|start|do it)[.!]?$",
        )
        .expect("a valid pattern")
    });
    let captures = [&*NAME_FIRST, &*PARAMS_BETWEEN]
        .into_iter()
        .filter_map(|shape| shape.captures(text.trim()))
        .find(|captures| captures.name("name").is_some_and(|name| library.knows(unquote(name.as_str().trim()))))?;
    let typed = unquote(captures.name("name")?.as_str().trim());
    let workflow = library.canonical(typed);
    let known = library.params.get(&workflow).cloned().unwrap_or_default();
    let params = match captures.name("params") {
        Some(given) => parse_params(given.as_str(), Some(&known))?,
        None => IndexMap::new(),
    };
    Some(Intent::Run { workflow, params })
}
