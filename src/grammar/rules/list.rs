//! "what workflows do I have?", "list workflows tagged ci", "find the backup".

use super::super::*;

/// `list workflows`, `what workflows do i have`, `list workflows tagged ci`, `find workflows about email`.
pub(crate) fn list(text: &str, lower: &str, _: &Library) -> Option<Intent> {
    let whole = [
        "list",
        "ls",
        "list workflows",
        "list all workflows",
        "list my workflows",
        "list the workflows",
        "show workflows",
        "show all workflows",
        "show my workflows",
        "show me my workflows",
        "show me all workflows",
        "show me the workflows",
        "show me all my workflows",
        "what workflows do i have",
        "what workflows are there",
        "which workflows do i have",
        "which workflows are there",
        "what workflows exist",
        "what do i have",
        "what have i got",
        "workflows",
        "my workflows",
        "all workflows",
        "list everything",
        "show me everything",
        "show everything",
        "see my workflows",
        "see all my workflows",
        "see the workflows",
        "what workflows have i got",
        "what workflows have i saved",
        "what have i saved",
        "what did i save",
        "what do i have saved",
        "list all",
        "show all",
        "list them all",
        "what's available",
        "what is available",
        "which workflows are saved",
        "what workflows are available",
        "what's in my library",
        "how many workflows do i have",
        "how many workflows are there",
        "how many workflows have i got",
        "what have i got saved",
        "what's saved",
        "what is saved",
        "what workflows are saved",
        "show the library",
        "what's in the library",
        "what is in my library",
        "display workflows",
        "display all workflows",
        "list saved workflows",
        "what workflows have i saved",
        "what can i run",
        "what can you run",
        "which workflows can i run",
        "enumerate workflows",
        "what workflows do i have saved",
        "which automations are there",
        "what automations are there",
        "which automations exist",
        "what automations exist",
        "show me my stuff",
        "my stuff",
        "show my stuff",
        "list my stuff",
        "which workflows do i have saved",
        "show me everything i have",
        "everything i have",
        "list everything i have",
        "show everything i have",
        "do i have any workflows",
        "do i have workflows",
        "do i have any saved workflows",
        "have i got any workflows",
        "are there any workflows",
        "any workflows",
        "got any workflows",
        "what automations do i have",
        "which automations do i have",
        "show my automations",
        "list my automations",
        "list automations",
        "list em",
        "list 'em",
        "list them",
        "show them all",
        "show em",
        "show 'em",
        "show everything you've saved",
        "show everything you have saved",
        "everything you've saved",
        "what have you saved",
        "what have you got saved",
        "what did you save",
    ];
    // "what have i saved so far?", "what workflows do i have at the moment"
    let asked = lower.trim_end_matches(['?', '.', '!']);
    let asked = [" so far", " until now", " at the moment", " currently", " right now", " by now", " yet", " in here"]
        .iter()
        .find_map(|said| asked.strip_suffix(said))
        .unwrap_or(asked);
    // No phrase in `whole` ends in punctuation or one of those words, so this also finds `lower`.
    if whole.contains(&asked) {
        return Some(Intent::List { tags: Vec::new(), search: None });
    }
    // "search for backup workflows", "find email workflows".
    static SEARCH: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"(?i)^(?:search|find|look)(?:\s+for)?\s+(?:the\s+|my\s+|any\s+)?(?P<q>.+?)\s+workflows?$")
            .expect("a valid pattern")
    });
    if let Some(c) = SEARCH.captures(text.trim()) {
        return Some(Intent::List { tags: Vec::new(), search: Some(c["q"].to_string()) });
    }
    // "find workflows with deploy in the name", "workflows that have email in their name".
    static IN_NAME: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"(?i)^(?:(?:search|find|look|list|show|show me|get)(?:\s+for)?\s+)?(?:the\s+|my\s+|all\s+|any\s+)?workflows?\s+(?:with|that have|having|which have|containing|that contain)\s+["'“]?(?P<q>[^"'”]+?)["'”]?\s+in\s+(?:the|their|its)\s+(?:names?|titles?|descriptions?)$"#)
            .expect("a valid pattern")
    });
    if let Some(c) = IN_NAME.captures(text.trim().trim_end_matches(['.', '?', '!'])) {
        return Some(Intent::List { tags: Vec::new(), search: Some(c["q"].to_string()) });
    }
    // "display every workflow I have", "show me all of my saved workflows"
    let asks_for_all =
        ["show", "display", "list", "give me", "tell me", "what are"].iter().any(|v| lower.starts_with(v))
            && lower.split_whitespace().any(|w| w == "workflows" || w == "every" || w == "all")
            && lower.split_whitespace().any(|w| w.starts_with("workflow"))
            && ![
                "tagged",
                "tag",
                "tags",
                "with",
                "about",
                "matching",
                "containing",
                "labeled",
                "labelled",
                "related",
                "mention",
            ]
            .iter()
            .any(|w| lower.split_whitespace().any(|x| x == *w));
    if asks_for_all {
        return Some(Intent::List { tags: Vec::new(), search: None });
    }
    let (rest, _) = (
        opt(alt((
            token("any"),
            token("which are"),
            token("what are"),
            token("which"),
            token("what"),
            token("list"),
            token("show me"),
            token("show"),
            token("find"),
            token("search for"),
            token("search"),
            token("look for"),
            token("which are"),
            token("what are"),
            token("display"),
        ))),
        opt(token("all")),
        opt(alt((token("my"), token("the")))),
        alt((token("workflows"), token("workflow"), token("everything"), token("automations"))),
        opt(alt((token("are"), token("that are"), token("which are"), token("do i have"), token("i have")))),
    )
        .parse(lower)
        .ok()?;
    let (rest, kind) = alt((
        (
            alt((
                token("tagged with"),
                token("tagged"),
                token("with tags"),
                token("with the tag"),
                token("with tag"),
                token("labeled"),
                token("labelled"),
            )),
            nom::combinator::success(()),
        )
            .map(|_| "tag"),
        (
            alt((
                token("matching"),
                token("about"),
                token("containing"),
                token("named like"),
                token("that mention"),
                token("mentioning"),
                token("related to"),
                token("for"),
            )),
            nom::combinator::success(()),
        )
            .map(|_| "search"),
    ))
    .parse(rest)
    .ok()?;
    let value = original(text, lower, rest).trim();
    if value.is_empty() {
        return None;
    }
    Some(match kind {
        "tag" => Intent::List {
            tags: value
                .split([',', ' '])
                .map(|t| t.trim().trim_start_matches('#'))
                .filter(|t| !t.is_empty() && *t != "and" && *t != "or")
                .map(str::to_string)
                .collect(),
            search: None,
        },
        _ => Intent::List { tags: Vec::new(), search: Some(unquote(value).to_string()) },
    })
}
