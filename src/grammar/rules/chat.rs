//! Phrases the chat shell acts on beyond the CLI's commands: changes in words, "how can I make
//! X faster", "use the backup template", "save that as a workflow", "run the rest". They are
//! rules of the grammar like any other, so `alpha parse` shows what the shell will do.

use std::sync::LazyLock;

use regex::Regex;

use super::super::*;

/// A saved workflow's name, or "it" (the one the conversation is about, resolved by the chat).
fn known_or_it(library: &Library, typed: &str) -> Option<String> {
    let typed = typed.trim();
    if matches!(typed.to_lowercase().as_str(), "it" | "that" | "this") {
        return Some(typed.to_lowercase());
    }
    library.knows(typed).then(|| library.canonical(typed))
}

/// Compiled once: a pattern per rule, kept for the process (parsing is on every line typed).
fn captures<'t>(cell: &'static LazyLock<Regex>, text: &'t str) -> Option<regex::Captures<'t>> {
    cell.captures(text)
}

/// "add a notification step to Backup Files", "make Deploy retry the pull 5 times", "remove the
/// lint step from CI", "change the test step of CI to run npm test", "make step 2 retry 3 times"
/// (of the workflow the conversation is about).
pub(crate) fn change(text: &str, _: &str, library: &Library) -> Option<Intent> {
    static ADD: LazyLock<Regex> = LazyLock::new(|| {
        super::anchored(
            r"(?:please )?add (?:a |an |another )?(?P<what>.+?)(?: step)? (?:at the end of|to the end of|onto|into|to|in) (?:the )?(?P<wf>.+?)(?: workflow)?",
        )
    });
    static RETRY: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        super::anchored_all(&[
            r"(?:please )?make (?:the )?(?P<wf>.+?)(?: workflow)? retry (?:the )?(?P<step>.+?)(?: step)? (?:(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten) times|(?P<word>once|twice|thrice))",
            r"(?:please )?make (?:the )?(?P<step>step \d+|.+? step)(?: (?:of|in) (?:the )?(?P<wf>.+?))? retry(?: up to)? (?:(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten) times|(?P<word>once|twice|thrice))",
            r"(?:please )?(?:retry|let) (?:the )?(?P<step>step \d+|.+? step)(?: (?:of|in) (?:the )?(?P<wf>.+?))?(?: retry)?(?: up to)? (?:(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten) times|(?P<word>once|twice|thrice))",
            // "add a retry of 2 to the test step in git sync", "give step 3 of X 4 retries".
            r"(?:please )?(?:add|set) (?:a )?(?:retry|retries|retry count) of (?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten) (?:to|on|for) (?:the )?(?P<step>step \d+|.+? step)(?: (?:of|in) (?:the )?(?P<wf>.+?))?",
            r"(?:please )?(?:add|give) (?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten) retries (?:to|on|for) (?:the )?(?P<step>step \d+|.+? step)(?: (?:of|in) (?:the )?(?P<wf>.+?))?",
            r"(?:please )?give (?:the )?(?P<step>step \d+|.+? step)(?: (?:of|in) (?:the )?(?P<wf>.+?))? (?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten) retries",
        ])
    });
    static REMOVE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        super::anchored_all(&[
            r"(?:please )?(?:remove|drop|delete|get rid of) (?:the )?(?P<step>.+?)(?: step)? from (?:the )?(?P<wf>.+?)(?: workflow)?",
            r"(?:please )?(?:remove|drop|delete|get rid of) (?:the )?(?P<step>step \d+|.+? step) (?:of|in) (?:the )?(?P<wf>.+?)(?: workflow)?",
            r"(?:please )?(?:remove|drop|delete|get rid of) (?:the )?(?P<step>step \d+|.+? step)",
        ])
    });
    static COMMAND: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        super::anchored_all(&[
            r"(?:please )?(?:change|set|update|make|switch|edit) (?:the )?(?P<step>step \d+|.+?)(?: step)? (?:of|in|for) (?:the )?(?P<wf>.+?)(?: workflow)? (?:so (?:it|that it) runs|to run|to use|to|run) (?P<cmd>.+)",
            r"(?:please )?(?:change|set|update|make|switch|edit) (?:the )?(?P<step>step \d+|.+? step) (?:so (?:it|that it) runs|to run|to use|to|run) (?P<cmd>.+)",
            r"(?:please )?(?:change|set|update) the command of (?:the )?(?P<step>step \d+|.+?)(?: step)?(?: (?:of|in) (?:the )?(?P<wf>.+?))? to (?P<cmd>.+)",
        ])
    });
    // "rename the fetch step of email digest to download", "call step 2 build".
    static RENAME: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        super::anchored_all(&[
            r"(?:please )?rename (?:the )?(?P<step>step \d+|.+?)(?: step)? (?:of|in) (?:the )?(?P<wf>.+?)(?: workflow)? (?:to|as) (?P<to>.+)",
            r"(?:please )?rename (?:the )?(?P<step>step \d+|.+? step) (?:to|as) (?P<to>.+)",
            r"(?:please )?change the name of (?:the )?(?P<step>step \d+|.+? step)(?: (?:of|in) (?:the )?(?P<wf>.+?))? to (?P<to>.+)",
            r"(?:please )?(?:call|name) (?:the )?(?P<step>step \d+|.+? step)(?: (?:of|in) (?:the )?(?P<wf>.+?))? (?P<to>.+)",
        ])
    });
    // "set a timeout of 5 minutes on the fetch step of email digest", "make step 2 time out
    // after 30 seconds".
    static TIMEOUT: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        const STEP: &str = r"(?:the )?(?P<step>step \d+|.+? step)(?: (?:of|in) (?:the )?(?P<wf>.+?))?";
        const LIMIT: &str = r"(?P<limit>(?:\d+|an?|half an?|zero|one|two|three|four|five|six|seven|eight|nine|ten|fifteen|twenty|thirty|forty five|sixty|ninety)[ -]?(?:ms|milliseconds?|s|secs?|seconds?|m|mins?|minutes?|h|hrs?|hours?)|\d+[smh](?:\d+[sm])*)";
        let shapes = [
            format!(
                r"(?:please )?(?:set|add|put|give it|use) (?:a |an )?(?:timeout|time limit|limit|max(?:imum)? (?:run )?time) of {LIMIT} (?:on|to|for) {STEP}"
            ),
            format!(
                r"(?:please )?(?:set|add|put|use) (?:a |an )?{LIMIT} (?:timeout|time limit|limit) (?:on|to|for) {STEP}"
            ),
            format!(r"(?:please )?give {STEP} (?:a |an )?{LIMIT} (?:timeout|time limit|limit)"),
            format!(r"(?:please )?give {STEP} (?:a |an )?(?:timeout|time limit|limit) of {LIMIT}"),
            format!(r"(?:please )?make {STEP} time ?out (?:after|in|at) {LIMIT}"),
            format!(r"(?:please )?(?:limit|cap) {STEP} to {LIMIT}"),
            format!(
                r"(?:please )?(?:set|change|make) the (?:timeout|time limit) (?:of|on|for) {STEP} (?:to|at) {LIMIT}"
            ),
            format!(
                r"(?:please )?(?:let|make) {STEP} (?:run|take) (?:for )?(?:at most|no more than|no longer than|up to) {LIMIT}"
            ),
        ];
        super::anchored_all(&shapes.iter().map(String::as_str).collect::<Vec<_>>())
    });
    let line = strip_courtesy_keeping(text, TRAILING).trim();
    let line = if line.ends_with("..") { line } else { line.trim_end_matches(['.', '!']) };
    // "add a step to deploy pipeline that runs npm test": what the step does comes last.
    static ADD_THAT: LazyLock<Regex> = LazyLock::new(|| {
        super::anchored(
            r"(?:please )?add (?:a |an |another )?(?:new )?step (?:to|in|into) (?:the )?(?P<wf>.+?)(?: workflow)? (?:that|which|to) (?P<what>.+)",
        )
    });
    let mut candidates: Vec<(String, Change)> = Vec::new();
    if let Some(c) = ADD_THAT.captures(line) {
        let what = c["what"].to_string();
        let what = what.strip_prefix("runs ").map_or(what.clone(), |rest| format!("run {rest}"));
        candidates.push((c["wf"].to_string(), Change::Add { what }));
    }
    if let Some(c) = ADD.captures(line) {
        candidates.push((c["wf"].to_string(), Change::Add { what: c["what"].to_string() }));
    }
    let step_of = |c: &regex::Captures<'_>| c["step"].trim_end_matches(" step").to_string();
    for c in RETRY.iter().filter_map(|p| p.captures(line)) {
        let said = c.name("n").or_else(|| c.name("word")).map_or("", |m| m.as_str());
        if let Some(times) = count(said) {
            candidates.push((workflow_or_it(&c), Change::Retry { step: step_of(&c), times }));
        }
    }
    for c in TIMEOUT.iter().filter_map(|p| p.captures(line)) {
        if let Some(seconds) = seconds_in_words(&c["limit"]) {
            candidates.push((workflow_or_it(&c), Change::Timeout { step: step_of(&c), seconds }));
        }
    }
    for c in RENAME.iter().filter_map(|p| p.captures(line)) {
        let to = unquote(c["to"].trim()).to_string();
        candidates.push((workflow_or_it(&c), Change::Rename { step: step_of(&c), to }));
    }
    // "change the name of X to Y" names the workflow's new name, not a step called "name".
    for c in COMMAND.iter().filter_map(|p| p.captures(line)).filter(|c| !c["step"].eq_ignore_ascii_case("name")) {
        let command = unquote(&c["cmd"]).to_string();
        candidates.push((workflow_or_it(&c), Change::Command { step: step_of(&c), command }));
    }
    for c in REMOVE.iter().filter_map(|p| p.captures(line)) {
        candidates.push((workflow_or_it(&c), Change::Remove { step: step_of(&c) }));
    }
    candidates
        .into_iter()
        .find_map(|(workflow, change)| Some(Intent::Change { workflow: known_or_it(library, &workflow)?, change }))
}

/// A count in digits or words ("3", "three", "twice").
fn count(said: &str) -> Option<u32> {
    match said {
        "once" => Some(1),
        "twice" => Some(2),
        "thrice" => Some(3),
        "zero" => None,
        word => number_word(word).map(|n| n as u32).or_else(|| word.parse().ok()),
    }
}

/// "5 minutes", "an hour", "half an hour", "90s", "1h30m": whole seconds.
fn seconds_in_words(said: &str) -> Option<u64> {
    let said = said.trim().to_ascii_lowercase();
    if let Ok(limit) = crate::workflow::HumanDuration::parse(&said) {
        return Some(limit.get().as_secs());
    }
    let unit_at = said.rfind(|c: char| c == ' ' || c == '-' || c.is_ascii_digit()).map_or(0, |i| i + 1);
    let (amount, unit) = said.split_at(unit_at);
    let amount = amount.trim().trim_end_matches('-');
    let scale: u64 = match unit.trim() {
        "ms" | "millisecond" | "milliseconds" => return None,
        "s" | "sec" | "secs" | "second" | "seconds" => 1,
        "m" | "min" | "mins" | "minute" | "minutes" => 60,
        "h" | "hr" | "hrs" | "hour" | "hours" => 3600,
        _ => return None,
    };
    let count = match amount {
        "a" | "an" => 1.0,
        "half a" | "half an" => 0.5,
        "forty five" => 45.0,
        "fifteen" => 15.0,
        "twenty" => 20.0,
        "thirty" => 30.0,
        "sixty" => 60.0,
        "ninety" => 90.0,
        word => number_word(word).map(|n| n as f64).or_else(|| word.parse().ok())?,
    };
    // Zero is kept: the change says a limit must be longer than that, instead of "not understood".
    Some((count * scale as f64).round() as u64)
}

/// The workflow a change names, or "it" when it names none.
fn workflow_or_it(captures: &regex::Captures<'_>) -> String {
    captures.name("wf").map_or_else(|| "it".to_string(), |m| m.as_str().to_string())
}

/// "how can I make the backup faster?"
pub(crate) fn optimize(text: &str, _: &str, library: &Library) -> Option<Intent> {
    static OPTIMIZE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        super::anchored_all(&[
            r"how (?:can|could|do|should) i (?:make|speed up|improve|optimi[sz]e) (?:the )?(.+?)(?: workflow)?(?: faster| better| quicker| more reliable)?\??",
            r"(?:please |can you |could you )?(?:optimi[sz]e|speed up|tune|improve) (?:the )?(.+?)(?: workflow)?(?: for me| please)?[.!?]?",
            r"(?:please |can you |could you )?make (?:the )?(.+?)(?: workflow)? (?:faster|quicker|run faster)(?: please)?[.!?]?",
            r"(?:why is |)(?:the )?(.+?)(?: workflow)? (?:is )?(?:so |too |really )slow[.!?]?",
            r"(?:how )?(?:can|could|would) (?:the )?(.+?)(?: workflow)? be (?:made )?(?:faster|quicker|sped up|more efficient|optimi[sz]ed)\??",
            r"(?:is there (?:a|any) way to|any way to|any ideas? (?:on|for) how to) (?:make|speed up|optimi[sz]e) (?:the )?(.+?)(?: workflow)?(?: faster| quicker)?\??",
        ])
    });
    let line = text.trim();
    let c = OPTIMIZE.iter().find_map(|p| p.captures(line))?;
    Some(Intent::Optimize { workflow: known_or_it(library, &c[1])? })
}

/// "use the backup template", "start from the email digest template as Inbox".
pub(crate) fn use_template(text: &str, _: &str, _: &Library) -> Option<Intent> {
    static TEMPLATE: LazyLock<Regex> = LazyLock::new(|| {
        super::anchored(
            r"(?:please )?(?:use|start from|copy|install|create from|create a workflow from|make one from|make a workflow from|start with|base it on|build from) (?:the |a )?(.+?) template(?: as (.+))?",
        )
    });
    let c = captures(&TEMPLATE, text.trim().trim_end_matches(['.', '!']))?;
    Some(Intent::UseTemplate { template: c[1].to_string(), name: c.get(2).map(|m| m.as_str().to_string()) })
}

/// "save the last 3 commands as a workflow called Sync", "save that as a workflow".
pub(crate) fn save_recent(text: &str, _: &str, _: &Library) -> Option<Intent> {
    static SAVE: LazyLock<Regex> = LazyLock::new(|| {
        super::anchored(
            r"(?:please )?(?:save|turn|make|keep)\s+(?:the\s+|my\s+)?(?:last\s+(\w+)\s+commands?|last\s+command|that|this|these|those|what i (?:just )?did|them)(?:\s+commands?)?\s+(?:as|into)\s+(?:a\s+)?(?:new\s+)?workflow(?:\s+(?:called|named)\s+(.+?))?[.!]?",
        )
    });
    let c = captures(&SAVE, text.trim())?;
    let count = match c.get(1).map(|m| m.as_str().to_lowercase()) {
        None => 0,
        Some(word) => word.parse().ok().or_else(|| number_word(&word))?,
    };
    let name = c.get(2).map(|m| m.as_str().trim().trim_matches(['"', '\'']).to_string()).filter(|n| !n.is_empty());
    Some(Intent::SaveRecent { count, name })
}

/// "run the rest", "finish it", "finish the rest of the steps".
pub(crate) fn run_rest(_: &str, lower: &str, _: &Library) -> Option<Intent> {
    static REST: LazyLock<Regex> = LazyLock::new(|| {
        super::anchored(
            r"(?:yes,? |ok,? |okay,? )?(?:please )?(?:run|finish|do|complete|continue(?: with)?|go on with|carry on with) (?:the )?(?:rest|remaining steps|remaining ones|steps that are left|steps left)(?: of (?:the steps|the run|the workflow|it))?(?: please| now)?",
        )
    });
    let line = lower.trim_end_matches(['.', '!']);
    if REST.is_match(line) {
        return Some(Intent::RunRest);
    }
    matches!(
        lower.trim_end_matches(['.', '!']),
        "run the rest"
            | "yes, run the rest"
            | "run the rest of it"
            | "finish it"
            | "run the remaining steps"
            | "run the rest of the steps"
            | "finish the run"
            | "finish the remaining steps"
            | "continue the rest of the run"
            | "run the rest of the run"
            | "do the rest"
            | "finish the rest"
            | "run what's left"
            | "run the remaining ones"
            | "go on with the rest"
    )
    .then_some(Intent::RunRest)
}
