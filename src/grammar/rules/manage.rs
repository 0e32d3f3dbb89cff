//! "show / edit / delete the deploy pipeline".

use super::super::*;

/// `show X`, `edit X`, `delete X` and their synonyms.
pub(crate) fn manage(text: &str, lower: &str, library: &Library) -> Option<Intent> {
    if let Some(logs) = what_it_printed(text, library) {
        return Some(logs);
    }
    // "what's deploy pipeline?", "show me how the backup works": a saved name only.
    static ABOUT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(?:what(?:'s|\s+is)|(?:show|tell)(?:\s+me)?\s+how|explain\s+how)\s+(?:the\s+)?(?P<name>.+?)(?:\s+(?:works|work|runs))?[?.!]*$")
            .expect("a valid pattern")
    });
    if let Some(typed) = ABOUT.captures(text.trim()).and_then(|c| c.name("name")).map(|m| m.as_str())
        && !names_a_kind(typed)
        && library.knows(typed)
    {
        return Some(Intent::Show { workflow: library.canonical(typed) });
    }
    // "what steps does deploy have?", "which steps are in deploy?"
    static STEPS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(?:what|which)\s+steps\s+(?:does|do|are in|is in|are there in)\s+(?:the\s+)?(?P<name>.+?)(?:\s+(?:have|contain|run|do))?[?.!]*$")
            .expect("a valid pattern")
    });
    if let Some(typed) = STEPS.captures(text.trim()).and_then(|c| c.name("name")).map(|m| m.as_str())
        && library.knows(typed)
    {
        return Some(Intent::Show { workflow: library.canonical(typed) });
    }
    // "logs", "show the output": the last run's.
    if matches!(
        lower.trim_end_matches(['.', '!', '?']),
        "logs"
            | "log"
            | "output"
            | "the logs"
            | "the output"
            | "show logs"
            | "show the logs"
            | "show me the logs"
            | "show output"
            | "show the output"
            | "show me the output"
            | "print the logs"
            | "print the output"
    ) {
        return Some(Intent::Logs { workflow: None, run: None });
    }
    let (rest, verb) = alt((
        alt((
            token("show me the versions of"),
            token("show the versions of"),
            token("show versions of"),
            token("versions of"),
            token("what versions of"),
            token("which versions of"),
            token("list the versions of"),
            token("list versions of"),
            token("how many versions of"),
            token("versions"),
            token("version history of"),
        ))
        .map(|_| "versions-or-logs"),
        alt((
            token("show the diff of"),
            token("show me the diff of"),
            token("the diff of"),
            token("diff of"),
            token("what changed in"),
            token("what has changed in"),
            token("show the logs of"),
            token("show me the logs of"),
            token("show logs of"),
            token("logs of"),
            token("show the logs for"),
            token("show me the logs for"),
            token("show logs for"),
            token("logs for"),
        ))
        .map(|_| "versions-or-logs"),
        alt((
            token("logs"),
            token("output of"),
            token("give me the output of"),
            token("show me the output of"),
            token("show the output of"),
            token("the output of"),
            token("print the output of"),
        ))
        .map(|_| "versions-or-logs"),
        alt((
            token("show me"),
            token("show"),
            token("describe"),
            token("display"),
            token("explain"),
            token("cat"),
            token("print"),
            token("view"),
            token("inspect"),
            token("details of"),
            token("details for"),
            token("info on"),
            token("info about"),
            alt((
                token("tell me more about"),
                token("summarize"),
                token("summarise"),
                token("outline"),
                token("give me an overview of"),
                token("overview of"),
            )),
            token("tell me about"),
            token("what's in"),
            token("what is in"),
            token("open up"),
            // "open the daily report" shows it; "open it in my editor" edits (below).
            token("open"),
            token("look at"),
            token("see"),
        ))
        .map(|_| "show"),
        (alt((token("what does"), token("what's"))), nom::combinator::success(())).map(|_| "show-q"),
        alt((token("edit"), token("modify"), token("change"), token("update"), token("tweak"), token("fix")))
            .map(|_| "edit"),
        alt((
            token("delete"),
            token("remove"),
            token("drop"),
            token("get rid of"),
            token("throw away"),
            token("throw out"),
            token("scrap"),
            token("ditch"),
            token("erase"),
            token("destroy"),
            token("trash"),
            token("rm"),
            token("forget"),
        ))
        .map(|_| "delete"),
    ))
    .parse(lower)
    .ok()?;
    let mut name = original(text, lower, rest).trim();
    let in_an_editor = [" in my editor", " in the editor", " in an editor", " in vim", " for editing", " to edit it"]
        .iter()
        .any(|s| lower.trim_end_matches(['.', '!', '?']).ends_with(s));
    let verb = if lower.starts_with("open ") && in_an_editor { "edit" } else { verb };
    // "what is a pipeline", "what's an email digest": a kind of thing, not a saved one.
    if (verb == "show-q" || lower.starts_with("what is ") || lower.starts_with("what's ")) && names_a_kind(name) {
        return None;
    }
    if verb == "show-q" {
        let lowered = name.to_ascii_lowercase();
        let head = lowered
            .strip_suffix(" do")
            .or_else(|| lowered.strip_suffix(" contain"))
            .or_else(|| lowered.strip_suffix(" consist of"))
            .or_else(|| lowered.strip_suffix(" include"))
            .or_else(|| lowered.strip_suffix(" involve"))
            .or_else(|| lowered.strip_suffix(" look like"))?;
        name = &name[..head.len()];
    }
    // "show me what the backup does"
    if verb == "show" {
        let lowered = name.to_ascii_lowercase();
        if let Some(inner) =
            lowered.strip_prefix("what ").and_then(|r| r.strip_suffix(" does").or_else(|| r.strip_suffix(" do")))
        {
            name = &name["what ".len().."what ".len() + inner.len()];
        }
        // "show me the backup template": the built-in templates.
        if lowered.ends_with(" template") || lowered.ends_with(" templates") {
            return Some(Intent::Templates);
        }
    }
    for prefix in [
        "the definition of ",
        "the workflow called ",
        "the workflow named ",
        "workflow called ",
        "workflow named ",
        "the one called ",
        "the details of ",
        "details of ",
        "the details for ",
        "details for ",
        "info on ",
        "info about ",
        "what's in ",
        "what is in ",
        "what's inside ",
        "the steps of ",
        "the steps in ",
        "steps of ",
        "steps in ",
        "the parameters of ",
        "parameters of ",
        "the params of ",
        "the contents of ",
        "the yaml of ",
        "the yaml for ",
    ] {
        if name.to_ascii_lowercase().starts_with(prefix) {
            name = &name[prefix.len()..];
        }
    }
    for suffix in [
        " in detail",
        " to me",
        " details",
        " definition",
        " for me",
        " in my editor",
        " in the editor",
        " steps",
        " as yaml",
        " in yaml",
        " as json",
        " in json",
        " are there",
        " do i have",
        " exist",
        " in an editor",
        " in vim",
        " for editing",
        " to edit it",
        " in the terminal",
    ] {
        if let Some(head) = name.to_ascii_lowercase().strip_suffix(suffix) {
            name = &name[..head.len()];
        }
    }
    let name = name.trim();
    if name.is_empty() || (verb.starts_with("show") && is_list_words(name)) {
        return None;
    }
    if verb == "versions-or-logs" && (lower.contains("log") || lower.contains("output of")) {
        // "the logs of the last run", "logs of 3f2a9c1e": no workflow name.
        if let Some(run) = super::conversation::run_id(name) {
            return Some(Intent::Logs { workflow: None, run: Some(run) });
        }
        if super::conversation::is_reference(name) {
            return Some(Intent::Logs { workflow: None, run: None });
        }
    }
    // "the logs of the last backup": the last run of a workflow named so.
    let name = match [
        "the last ",
        "the latest ",
        "the most recent ",
        "the previous ",
        "last ",
        "latest ",
        "most recent ",
        "previous ",
    ]
    .iter()
    .find_map(|p| name.get(p.len()..).filter(|_| name.to_ascii_lowercase().starts_with(p)))
    {
        Some(rest) if verb == "versions-or-logs" && library.knows(rest.trim()) => rest.trim(),
        _ => name,
    };
    // "what versions of python are there": a question about something else.
    if verb == "versions-or-logs" && lower.starts_with("what") && !library.knows(name) {
        return None;
    }
    // "show me pictures of cats": a phrase no saved name is close to is not a workflow's name.
    if verb.starts_with("show") && !library.knows(name) && name.split_whitespace().count() >= 3 {
        return None;
    }
    let workflow = library.canonical(name);
    if verb == "versions-or-logs" {
        let logs = lower.contains("log") || lower.contains("output of");
        return Some(if logs {
            Intent::Logs { workflow: Some(workflow), run: None }
        } else {
            Intent::Versions { workflow }
        });
    }
    Some(match verb {
        "edit" => Intent::Edit { workflow },
        "delete" => Intent::Delete { workflow },
        _ => Intent::Show { workflow },
    })
}

/// "a pipeline", "an email digest": a kind of thing, not a saved one ("what is a pipeline").
fn names_a_kind(typed: &str) -> bool {
    let lowered = typed.trim().to_ascii_lowercase();
    lowered.starts_with("a ") || lowered.starts_with("an ")
}

/// "what did the last run print?", "what did deploy output?": a run's output.
fn what_it_printed(text: &str, library: &Library) -> Option<Intent> {
    static PRINTED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)^what\s+did\s+(?P<name>.+?)\s+(?:print|output|say|log|write|show)(?:\s+out)?[?.!]*$")
            .expect("a valid pattern")
    });
    let typed = PRINTED.captures(text.trim())?.name("name")?.as_str().trim();
    if let Some(run) = super::conversation::run_id(typed) {
        return Some(Intent::Logs { workflow: None, run: Some(run) });
    }
    if super::conversation::is_reference(typed) {
        return Some(Intent::Logs { workflow: None, run: None });
    }
    library.knows(typed).then(|| Intent::Logs { workflow: Some(library.canonical(typed)), run: None })
}

/// Versions are semantic: "version 2" is 2.0.0, "1.2" is 1.2.0.
fn semantic(typed: &str) -> String {
    let mut version = typed.to_string();
    while version.matches('.').count() < 2 {
        version.push_str(".0");
    }
    version
}

/// "roll back deploy pipeline to 1.0.0", "revert X to v1.2.0", "undo the last change to X".
pub(crate) fn rollback(text: &str, lower: &str, library: &Library) -> Option<Intent> {
    static TO: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)^(?:roll\s*back|revert|restore)\s+(?:the\s+)?(?P<name>.+?)\s+(?:back\s+)?to\s+(?:version\s+|v)?(?P<v>\d+(?:\.\d+){0,2})$",
        )
        .expect("a valid pattern")
    });
    static PREVIOUS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)^(?:undo the last (?:change|edit) (?:to|of|on)|roll\s*back|revert)\s+(?:the\s+)?(?P<name>.+?)(?:\s+to (?:the|its) (?:previous|last|earlier) version)?$",
        )
        .expect("a valid pattern")
    });
    // "roll it back", "revert that to 1.2": the workflow the conversation is about.
    static IT: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?i)^(?:roll (?:it|that|this) back|roll\s*back (?:it|that|this)|revert (?:it|that|this))(?:\s+to\s+(?:(?:the|its) (?:previous|last|earlier) version|(?:version\s+|v)?(?P<v>\d+(?:\.\d+){0,2})))?$",
        )
        .expect("a valid pattern")
    });
    let text = text.trim();
    if let Some(c) = IT.captures(text) {
        return Some(Intent::Rollback { workflow: "it".into(), version: c.name("v").map(|v| semantic(v.as_str())) });
    }
    if let Some(c) = TO.captures(text) {
        let name = if library.knows(&c["name"]) { library.canonical(&c["name"]) } else { c["name"].to_string() };
        return Some(Intent::Rollback { workflow: name, version: Some(semantic(&c["v"])) });
    }
    let starts = ["undo the last", "roll back", "rollback", "revert"].iter().any(|p| lower.starts_with(p));
    // Without a version, only on a saved name: "roll back the carpet" is not a command.
    if starts
        && let Some(c) = PREVIOUS.captures(text)
        && library.knows(&c["name"])
    {
        return Some(Intent::Rollback { workflow: library.canonical(&c["name"]), version: None });
    }
    None
}

/// "rename greet to say hello", "change the name of the backup to Nightly Backup", "greet
/// should be called hello", `call it "Daily Digest"`: a whole workflow under another name. The
/// workflow must be saved (or be the one talked about); "rename my photos by date" is not one.
pub(crate) fn rename(text: &str, _: &str, library: &Library) -> Option<Intent> {
    static SHAPES: std::sync::LazyLock<Vec<regex::Regex>> = std::sync::LazyLock::new(|| {
        super::anchored_all(&[
            r"re-?name\s+(?:the\s+)?(?:workflow\s+)?(?P<name>.+?)(?:\s+workflow)?\s+(?:to|as|into)\s+(?P<to>.+?)",
            r"(?:change|set)\s+(?:the\s+)?name\s+of\s+(?:the\s+)?(?:workflow\s+)?(?P<name>.+?)(?:\s+workflow)?\s+to\s+(?P<to>.+?)",
            r"give\s+(?:the\s+)?(?P<name>.+?)(?:\s+workflow)?\s+(?:the\s+|a\s+)?(?:new\s+)?name\s+(?P<to>.+?)",
            r"(?:the\s+)?(?P<name>.+?)(?:\s+workflow)?\s+should\s+be\s+(?:called|named)\s+(?P<to>.+?)",
            // Only with the name quoted: "call it a day" is not a rename.
            r#"(?:call|name)\s+(?P<name>it|that|this|that one|this one|this workflow|that workflow)\s+(?P<to>"[^"]+"|'[^']+'|“[^”]+”)"#,
        ])
    });
    let text = text.trim().trim_end_matches(['.', '!']);
    let c = SHAPES.iter().find_map(|shape| shape.captures(text))?;
    let to = unquote(c["to"].trim().trim_end_matches(" instead").trim_end_matches(" from now on")).trim();
    if to.is_empty() || to.ends_with(" step") || c["name"].to_ascii_lowercase().ends_with(" step") {
        return None;
    }
    let typed = c["name"].trim();
    let workflow = if typed.eq_ignore_ascii_case("it") || crate::grammar::is_the_one_talked_about(typed) {
        "it".to_string()
    } else if library.knows(typed) {
        library.canonical(typed)
    } else {
        return None;
    };
    Some(Intent::Rename { workflow, to: to.to_string() })
}
