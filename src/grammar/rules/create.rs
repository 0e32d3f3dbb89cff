//! "create a workflow that pulls, tests and deploys".

use super::super::*;

/// "I want something that emails me a summary", read before the courtesy words ("I want") go.
pub(crate) fn create_in_other_words(text: &str, _: &str, _: &Library) -> Option<Intent> {
    static SOMETHING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(?:i\s+(?:need|want|would like|'d like|would love|'d love)|can i have|could i get|give me|(?:make|build|get|set up|write)\s+(?:me|us)(?:\s+up)?)\s+(?:something|a thing|a tool|an automation)\s+(?:that|which|to)\s+(?P<what>.+?)[.!]?$")
            .expect("a valid pattern")
    });
    let what = SOMETHING.captures(text.trim())?.name("what")?.as_str().trim().to_string();
    // "something to eat", "something to read": too little to be a task.
    if what.split_whitespace().count() < 3 {
        return None;
    }
    Some(Intent::Create { description: Some(what), name: None, interactive: false })
}

/// `create a workflow that …`, `new workflow called X`, `automate …`.
pub(crate) fn create(text: &str, lower: &str, _: &Library) -> Option<Intent> {
    // "set me up a workflow that …", "I need something that …": the words after "that" are
    // what it should do.
    static OTHER_WORDS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(?:(?:set|make|build|write|create|give|get|put together|whip up|knock up)\s+(?:me|us)(?:\s+up)?\s+(?:a|an|some)\s+(?:new\s+)?(?:workflow|automation|pipeline|job|script|routine|thing)|i\s+(?:need|want|would like|'d like)\s+(?:a|an|some)\s+(?:new\s+)?(?:workflow|automation|pipeline|routine)|i\s+(?:need|want|would like|'d like)\s+something|(?:(?:can|could)\s+(?:i|we)\s+)?(?:have|get)\s+(?:a|an)\s+(?:new\s+)?(?:workflow|automation)|(?:set up|make|build|create|write|put together)\s+(?:something|a thing|an automation)|(?:a|an)\s+(?:new\s+)?(?:workflow|automation))\s+(?:that|which|to|so that it|that will|that can|for)\s+(?P<what>.+)$")
            .expect("a valid pattern")
    });
    // "i need a workflow", "make a new automation": a workflow to be described step by step.
    static BARE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(?:i\s+(?:need|want|would like|'d like)\s+|(?:make|build|create|set up|start|draft|write)\s+(?:me\s+)?)(?:a|an|another)\s+(?:new\s+)?(?:workflow|automation|pipeline|one)[.!]?$")
            .expect("a valid pattern")
    });
    // "set up a nightly database dump", "make a weekly report of my disk usage": a recurring task.
    static RECURRING: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(?:set up|create|build)\s+(?:me\s+)?(?:a|an)\s+(?P<what>(?:nightly|daily|weekly|hourly|monthly|regular|recurring|automatic|automated|scheduled)\s+\w+(?:\s+\w+){0,6})[.!]?$")
            .expect("a valid pattern")
    });
    // "i want a new workflow called nightly cleanup": the request with its name.
    static WANT_NAMED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(?:(?:i\s+(?:need|want|would like|'d like)|can i have|could i have|give me)\s+)?(?:a|an)\s+(?:new\s+)?(?:workflow|automation)\s+(?P<rest>(?:called|named)\s+.+)$")
            .expect("a valid pattern")
    });
    if let Some(c) = WANT_NAMED.captures(text.trim()) {
        let line = format!("create a workflow {}", &c["rest"]);
        // Names don't matter to a create request: no library is needed to read it again.
        return create(&line, &line.to_ascii_lowercase(), &Library::default());
    }
    if let Some(c) = RECURRING.captures(text.trim()) {
        return Some(Intent::Create { description: Some(c["what"].to_string()), name: None, interactive: false });
    }
    if BARE.is_match(text.trim()) || BARE.is_match(&format!("i need {}", text.trim())) {
        return Some(Intent::Create { description: None, name: None, interactive: false });
    }
    if let Some(c) = OTHER_WORDS.captures(text.trim()) {
        // "I need something to drink": "something" with too little after it is not a task.
        let vague = c[0][..c.name("what").map_or(0, |m| m.start())].to_ascii_lowercase().contains("something");
        if vague && c["what"].split_whitespace().count() < 3 {
            return None;
        }
        // "a workflow that failed yesterday" talks about runs; it doesn't ask for a workflow.
        let first = c["what"].split_whitespace().next().unwrap_or("").to_ascii_lowercase();
        if matches!(
            first.as_str(),
            "failed"
                | "ran"
                | "broke"
                | "crashed"
                | "succeeded"
                | "worked"
                | "was"
                | "is"
                | "did"
                | "has"
                | "had"
                | "keeps"
        ) {
            return None;
        }
        return Some(Intent::Create {
            description: Some(c["what"].trim().to_string()),
            name: None,
            interactive: false,
        });
    }
    let (rest, _) = alt((
        (
            alt((
                token("create"),
                token("make"),
                token("build"),
                token("set up"),
                token("define"),
                token("add"),
                token("write"),
                token("start"),
                token("draft"),
                token("design"),
                token("prepare"),
                token("whip up"),
                token("put together"),
                token("come up with"),
                token("generate"),
            )),
            opt(alt((token("a new"), token("a"), token("an"), token("new")))),
            alt((token("workflows"), token("workflow"), token("automation"), token("pipeline"))),
        )
            .map(|_| ""),
        (token("new"), alt((token("workflow"), token("automation")))).map(|_| ""),
        token("automate"),
        token("create"),
    ))
    .parse(lower)
    .ok()?;
    let automate = lower.starts_with("automate");
    let body = original(text, lower, rest).trim();
    if !automate && names_a_thing(lower, body) {
        return None;
    }
    if body.is_empty() {
        return Some(Intent::Create { description: None, name: None, interactive: false });
    }
    let body_lower = body.to_ascii_lowercase();
    let mut name = None;
    let mut description = body.to_string();
    if let Ok((after, _)) =
        alt((token("called"), token("named"), token("with the name"), token("with name"))).parse(body_lower.as_str())
    {
        let after_text = &body[body.len() - after.len()..];
        let after_lower = after.to_string();
        let cut = [" that ", " which ", " to ", " for ", " - ", ": "]
            .iter()
            .filter_map(|sep| after_lower.find(sep).map(|i| (i, sep.len())))
            .min();
        match cut {
            Some((i, len)) => {
                name = Some(unquote(after_text[..i].trim()).to_string());
                description = after_text[i + len..].trim().to_string();
            }
            None => {
                name = Some(unquote(after_text.trim()).to_string());
                description = String::new();
            }
        }
    } else if let Ok((after, _)) =
        alt((token("that"), token("which"), token("to"), token("for"), token(":"))).parse(body_lower.as_str())
    {
        description = body[body.len() - after.len()..].trim().to_string();
    }
    let description = if automate { Some(body.to_string()) } else { Some(description).filter(|d| !d.is_empty()) };
    Some(Intent::Create { description, name, interactive: false })
}

/// "create a playlist", "create a new document": a thing made, not a workflow described. A
/// workflow request names one ("a workflow", "a pipeline") or says what it does ("that …",
/// "to …", "every …").
fn names_a_thing(lower: &str, body: &str) -> bool {
    const KINDS: &[&str] =
        &["workflow", "workflows", "automation", "pipeline", "job", "routine", "script", "task", "flow"];
    if !lower.starts_with("create ") || body.is_empty() {
        return false;
    }
    let words: Vec<String> = body.split_whitespace().map(str::to_ascii_lowercase).collect();
    let nouns: Vec<&String> =
        words.iter().filter(|w| !matches!(w.as_str(), "a" | "an" | "some" | "new" | "my" | "the")).collect();
    // "create a story about dragons", "create a poem for mom": writing, not a workflow.
    const WRITING: &[&str] = &[
        "story",
        "stories",
        "poem",
        "poems",
        "essay",
        "song",
        "songs",
        "joke",
        "jokes",
        "picture",
        "image",
        "drawing",
        "logo",
        "letter",
        "article",
        "blog",
        "tweet",
        "novel",
        "book",
        "recipe",
        "speech",
        "presentation",
        "slide",
        "slides",
        "resume",
        "cv",
        "website",
        "account",
        "password",
        "playlist",
        "character",
        "game",
        "meme",
        "haiku",
    ];
    if nouns.first().is_some_and(|noun| WRITING.contains(&noun.as_str())) {
        return true;
    }
    !nouns.is_empty()
        && nouns.len() <= 2
        && words.iter().all(|w| w.chars().all(|c| c.is_ascii_alphabetic()))
        && !words.iter().any(|w| KINDS.contains(&w.as_str()))
}
