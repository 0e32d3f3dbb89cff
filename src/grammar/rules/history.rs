//! "show me the history of deploy", "what ran?".

use super::super::*;

/// `history`, `what ran yesterday`, `when did backup last run`, `show the history of X`.
pub(crate) fn history(text: &str, lower: &str, library: &Library) -> Option<Intent> {
    let all = [
        "history",
        "show history",
        "show the history",
        "show me the history",
        "run history",
        "recent runs",
        "show recent runs",
        "what ran",
        "what ran yesterday",
        "what ran today",
        "what ran recently",
        "what has run",
        "what's run recently",
        "what happened",
        "what happened yesterday",
        "what happened today",
        "what did i run",
        "what did i run yesterday",
        "what ran last night",
        "show runs",
        "show me recent runs",
        "list runs",
        "past runs",
        "last runs",
        "show executions",
        "list executions",
        "what failed",
        "what failed recently",
        "any failures",
        "did anything fail",
        "show me what ran",
        "execution history",
    ];
    if all.contains(&lower) {
        return Some(Intent::History { workflow: None });
    }
    // "when did X last run", "when did X run last", "did X run"
    if let Ok((rest, _)) =
        alt((token("when did"), token("when was"), token("did"), token("has"), token("when has"))).parse(lower)
    {
        let stops =
            [" last run", " run last", " last ran", " ran last", " last", " run", " ran", " succeed", " fail", " work"];
        for stop in stops {
            if let Some(cut) = rest.find(stop) {
                let name = original(text, lower, rest)[..cut].trim();
                if !name.is_empty() {
                    return Some(Intent::History { workflow: Some(library.canonical(name)) });
                }
            }
        }
    }
    let (rest, _) = alt((
        (
            opt(alt((
                token("show me"),
                token("show"),
                token("display"),
                token("list"),
                token("get"),
                token("what's"),
                token("what is"),
            ))),
            opt(token("the")),
            alt((
                token("run history"),
                token("execution history"),
                token("history"),
                token("runs"),
                token("executions"),
                token("past runs"),
                token("recent runs"),
                token("last runs"),
            )),
            alt((token("of"), token("for"))),
        )
            .map(|_| ()),
        alt((token("how did"), token("how has"), token("how's"), token("how is"))).map(|_| ()),
    ))
    .parse(lower)
    .ok()?;
    let mut name = original(text, lower, rest).trim();
    for suffix in [" been doing", " doing", " been going", " going", " runs", " do", " run", " been"] {
        if let Some(head) = name.to_ascii_lowercase().strip_suffix(suffix) {
            name = &name[..head.len()];
        }
    }
    (!name.is_empty()).then(|| Intent::History { workflow: Some(library.canonical(name)) })
}
