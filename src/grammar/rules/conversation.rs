//! Follow-ups and questions of a conversation (design.md §6, §7 "Conversation"): "run it
//! again", "again with branch dev", "why did it fail?", "what's scheduled?", "list templates",
//! "thanks". The chat resolves "it" and "the last run" from its context; the grammar only says
//! which was meant.

use std::sync::LazyLock;

use regex::Regex;

use super::super::*;

/// The first pattern that matches `text`, with its captures.
fn first_match<'t>(patterns: &[Regex], text: &'t str) -> Option<regex::Captures<'t>> {
    patterns.iter().find_map(|p| p.captures(text))
}

/// Words that mean "the one we were talking about" rather than a name.
pub(crate) fn is_reference(typed: &str) -> bool {
    let lower = typed.trim().to_ascii_lowercase();
    let lower = lower.trim_start_matches("the ").trim_start_matches("my ").trim();
    matches!(
        lower,
        "it" | "that"
            | "this"
            | "same"
            | "same one"
            | "same thing"
            | "last one"
            | "last run"
            | "latest run"
            | "previous run"
            | "run"
            | "that run"
            | "this run"
            | "that one"
            | "this one"
            | "one"
            | "last"
            | "last workflow"
            | "last job"
            | "job"
            | "workflow"
            | "thing"
            | "last thing"
            | "last command"
            | "previous one"
            | "failed one"
            | "failed run"
            | "last failed run"
            | "last failed one"
            | "one that failed"
            | "last one that failed"
    ) || is_failure_reference(typed)
}

/// "the failed one", "the last failure", "what failed": a reference to the newest run that did
/// not succeed.
fn is_failure_reference(typed: &str) -> bool {
    let lower = typed.trim().to_ascii_lowercase();
    let lower = lower.trim_start_matches("the ").trim_start_matches("my ").trim();
    matches!(
        lower,
        "failed one"
            | "failed run"
            | "last failed run"
            | "last failed one"
            | "one that failed"
            | "last one that failed"
            | "run that failed"
            | "last failure"
            | "failure"
            | "failed"
            | "what failed"
            | "whatever failed"
            | "failed job"
            | "failed workflow"
            | "broken one"
    )
}

/// A run id as printed (`3f2a9c1e`, or the whole uuid).
pub(crate) fn run_id(typed: &str) -> Option<String> {
    let typed = typed.trim().trim_start_matches("run ").trim();
    let hexish = typed.len() >= 6 && typed.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    let has_digit = typed.chars().any(|c| c.is_ascii_digit());
    (hexish && has_digit).then(|| typed.to_ascii_lowercase())
}

/// The workflow a follow-up names: `None` for "it", "the last run" and no name at all.
fn named(library: &Library, typed: Option<&str>) -> Option<String> {
    let typed = typed.map(str::trim).filter(|t| !t.is_empty())?;
    if is_reference(typed) {
        return None;
    }
    Some(library.canonical(typed))
}

/// Small talk: greetings, thanks, praise. Answered briefly, never acted on.
pub(crate) fn thanks(_: &str, lower: &str, _: &Library) -> Option<Intent> {
    static SMALL_TALK: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?i)^(?:(?:ok(?:ay)?|great|cool|nice|perfect|awesome|wonderful|excellent|brilliant|sweet|lovely|alright|all right|good|wow|oh|love it|love this|that's great|that is great|that's perfect|that's awesome|that's nice)[,!. ]*)*(?:thanks|thank you|thank u|thx|ty|tysm|cheers|many thanks|much appreciated|appreciated|appreciate it|great|awesome|nice|cool|perfect|excellent|brilliant|amazing|lovely|sweet|wonderful|good job|well done|nice work|good work|great work|nice one|great job|good stuff|you rock|you're great|you are great|you're the best|that worked|it worked|that's great|that is great|that's perfect|that helps|that helped|hello|hi|hey|hey there|hi there|hello there|howdy|yo|good morning|good afternoon|good evening|morning|how are you|how are things|how's everything|how is everything|ta|love it|love this|how are you doing|how are you today|how are you doing today|how's your day|how's your day going|how's it going|how is it going|what's up|sup|ok|okay|alright|all right|got it|noted|understood|sounds good|fine|good|no worries|never mind|nevermind|nvm|forget it|no thanks|no thank you|nothing|that's all|that is all|that's it|i'm done|i'm done for today|done for today|that's all for today|i'm good|all good|lol|haha|who are you|what are you|are you there|you there|anybody there|anyone there|are you awake|are you alive|i love this tool|i love this|i love it|love this tool|this is great|this is awesome|this tool is great|you're awesome|you are awesome|what's your name|what is your name|tell me about yourself|introduce yourself|:\)|:-\))(?:[,!. ]+(?:so much|a lot|a bunch|very much|alpha|buddy|mate|man|friend|for that|for the help|for your help|for helping|for everything|that's all|that is all|that's it|:\)))*[!.?:)\s]*$",
        )
        .expect("a valid pattern")
    });
    SMALL_TALK.is_match(lower.trim()).then_some(Intent::Thanks)
}

/// "run it again", "again with branch dev", "rerun deploy", "with environment prod this time".
pub(crate) fn rerun(text: &str, _: &str, library: &Library) -> Option<Intent> {
    static RERUN: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        super::anchored_all(&[
            r"(?:(?:run|do|try|execute|start|launch|trigger|kick off)\s+(?P<name>.+?)\s+)?(?:again|once more|one more time|another time)(?:\s*,?\s+(?:but\s+|only\s+|and\s+)?(?P<params>(?:with|using|set|on)\b.*?))?(?:\s+(?:this time|instead|now))?",
            r"(?:(?:run|do|try|execute|start|launch|trigger|kick off)\s+(?P<name>.+?)\s+)?(?:again|once more|one more time)\s*[,:;]\s*(?:but\s+|only\s+)?(?P<params>[a-z_][a-z0-9_-]*(?:\s*=\s*|\s+)[^\s,]+(?:\s*,?\s*(?:and\s+)?[a-z_][a-z0-9_-]*(?:\s*=\s*|\s+)[^\s,]+)*?)(?:\s+(?:this time|instead|now))?",
            r"(?:re-?run|redo|repeat|retry|rerun)(?:\s+(?P<name>.+?))??(?:\s*,?\s+(?:but\s+)?(?P<params>(?:with|using|on)\b.*?))?(?:\s+(?:this time|instead|now))?",
            r"(?:try|go|run|do)\s+(?:again|once more|one more time)",
            r"(?:same (?:thing |one )?again|the same again|same again|do the same|same thing|same as before|same as last time|like before|as before)(?:\s*,?\s+(?:but\s+)?(?P<params>(?:with|using)\b.*?))?(?:\s+(?:this time|instead))?",
            r"(?:and |now |but |ok |okay )?(?:this time |now |again )?(?P<params>(?:with|using)\s+.+?)(?:\s+(?:this time|instead|now|please))?",
            r"(?:this time|now|and now),?\s+(?P<params>(?:with|using)\s+.+?)",
        ])
    });
    let line = text.trim().trim_end_matches(['.', '!', '?']).trim();
    let captures = first_match(&RERUN, line)?;
    let typed = captures.name("name").map(|m| m.as_str());
    // "run deploy pipeline again" names a workflow; "run forest again" names nothing we know.
    if let Some(typed) = typed
        && !is_reference(typed)
        && !library.knows(typed)
        && typed.split_whitespace().count() > 4
    {
        return None;
    }
    let workflow = named(library, typed);
    let known =
        workflow.as_ref().and_then(|w| library.params.get(w)).cloned().unwrap_or_else(|| all_param_names(library));
    // Parameter names are checked against the workflow's (or, for "the last run", every
    // workflow's), so "help me with my homework" is not a rerun with `my=homework`.
    let unknown_workflow = workflow.as_ref().is_some_and(|w| !library.params.contains_key(w));
    let params = match captures.name("params") {
        Some(given) if unknown_workflow => parse_params(given.as_str(), None)?,
        Some(given) => parse_params(given.as_str(), Some(&known))?,
        None => IndexMap::new(),
    };
    // "with the same parameters" changes nothing on purpose; other words that name no
    // parameter are no rerun.
    let same = captures.name("params").is_some_and(|given| given.as_str().to_ascii_lowercase().contains("same"));
    if captures.name("params").is_some() && params.is_empty() && !same {
        return None;
    }
    let failed = typed.is_some_and(is_failure_reference);
    Some(Intent::Rerun { workflow, params, failed })
}

/// Every parameter name in the library, for "with branch dev" when the workflow is "the last".
fn all_param_names(library: &Library) -> Vec<String> {
    let mut names: Vec<String> = library.params.values().flatten().cloned().collect();
    names.sort();
    names.dedup();
    names
}

/// "why did it fail?", "what went wrong with deploy?", "explain the last run", "explain 3f2a9c1e".
pub(crate) fn explain(text: &str, _: &str, library: &Library) -> Option<Intent> {
    static EXPLAIN: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        super::anchored_all(&[
            r"(?:so\s+|and\s+|but\s+)?(?:why|how come|for what reason)\s+(?:did|does|do|is|was|has|have|would|didn't|doesn't|don't|won't|isn't|wasn't|hasn't|did not|does not)\s+(?P<name>.+?)\s+(?:work|run|finish|succeed|pass|fail|failed|failing|fails|break|broke|broken|crash|crashed|crashing|error|errored|erroring|keep failing|keeps failing|stop|stopped|go wrong|gone wrong|not work|not finish|not complete|not succeed|time out|timed out)(?:\s+(?:again|last time|this time|today|yesterday|last night|just now|this morning|this afternoon|this evening|tonight|overnight|earlier|earlier today))?",
            r"(?:why|how come)(?:\s+(?:did it|it|did that|that)\s+(?:fail|failed|break|broke|crash|crashed))?",
            r"(?:why|how come)\s+(?P<name>.+?)\s+(?:failed|broke|crashed|errored|timed out|is failing|keeps failing|didn't work|did not work|is broken)",
            r"what(?:\s+went|\s+is|\s+was|'s|\s+has gone|\s+had gone|\s+happened)\s+wrong(?:\s+(?:with|in|to|on)\s+(?P<name>.+?))?(?:\s+(?:again|last time|this time|today|yesterday|last night|this morning|overnight|recently|lately))?",
            r"what\s+(?:failed|broke|went wrong)\s+and\s+why",
            r"what\s+(?:caused|made)\s+(?:the\s+|that\s+|this\s+)?(?:failure|error|crash|problem|it (?:to )?fail|it break)",
            r"what\s+(?:caused|made)\s+(?:the\s+|that\s+|this\s+)?(?:failure|error|crash|problem)\s+(?:in|with|of|on|for)\s+(?P<name>.+?)",
            r"what(?:'s|\s+is)\s+(?:going on|up|the matter|wrong)\s+with\s+(?P<name>.+?)",
            r"(?:show|give|tell|display)(?:\s+me)?(?:\s+about)?\s+(?:the|my)\s+(?:most recent|last|latest|newest|previous)\s+run",
            r"what(?:'s|\s+is|\s+was)\s+(?:my\s+|the\s+)?(?:most recent|last|latest|newest|previous)\s+run",
            r"(?:(?:please\s+)?explain\s+|tell me\s+|show me\s+)?what\s+(?:happened|went on)\s+(?:with|to|in)\s+(?P<name>.+?)(?:\s+(?:last time|this time|today|yesterday|last night|just now))?",
            r"(?:please\s+)?explain(?:\s+(?:to me|me))?(?:\s+(?:the|that|this|my))?\s+(?:last\s+|latest\s+|recent\s+|previous\s+)?(?:failure|error|failed run|crash|problem|run|result|outcome)(?:\s+(?:of|for|in|with)\s+(?P<name>.+?))?",
            r"(?:please\s+)?explain\s+(?:run\s+)?(?P<run>[0-9a-f][0-9a-f-]{5,})",
            r"(?:please\s+)?explain\s+(?:it|that|this|what happened)",
            r"(?:show|give|tell)(?:\s+me)?\s+(?:the\s+|that\s+)?(?:error|errors|failure|reason|cause)(?:\s+(?:of|for|in|with|from)\s+(?P<name>.+?))?",
            r"(?:show|tell)(?:\s+me)?\s+why\s+(?P<name>.+?)\s+(?:failed|broke|crashed)",
            r"what(?:'s|\s+is|\s+was)\s+the\s+(?:error|problem|issue|failure)(?:\s+(?:with|in|of)\s+(?P<name>.+?))?",
            r"(?:is|was)\s+(?P<name>.+?)\s+(?:broken|failing|still failing|ok|okay|working|healthy|fine)(?:\s+now)?",
            r"(?:what|which)\s+step\s+(?:failed|broke)(?:\s+(?:in|with)\s+(?P<name>.+?))?",
            r"what\s+did\s+(?P<name>.+?)\s+do(?:\s+(?:yesterday|today|last night|this morning|last time|overnight))?",
            r"what(?:'s|\s+is|\s+was)\s+the\s+(?:status|state|result|outcome)\s+of\s+(?P<name>.+?)",
            r"what(?:'s|\s+is|\s+was)\s+the\s+(?:latest|last|most recent|previous)\s+run(?:\s+of\s+(?P<name>.+?))?",
            r"(?:did|has|was)\s+(?P<name>it|that|this|my last run|the last run|the run|that run|my run)\s+(?:work|succeed|pass|finish|complete|fail|go well|go ok|go okay|break)",
            r"(?:is|was)\s+(?P<name>it|that|this|the run|my run)\s+(?:done|finished|over|complete|ok|okay|working|successful)",
            r"(?:pick up|continue|carry on|start again)\s+(?:from\s+)?where\s+(?:it|we|i)\s+(?:left off|stopped|failed|broke)",
            r"(?:resume|continue|finish|pick up)\s+(?P<name>.+?)(?:\s+from where it (?:stopped|left off|failed|broke))?",
            // "resume" alone: the last failure, shown, with its resume offered.
            r"resume",
        ])
    });
    let line = text.trim().trim_end_matches(['.', '!', '?']).trim();
    let captures = first_match(&EXPLAIN, line)?;
    if let Some(id) = captures.name("run") {
        return Some(Intent::Explain { workflow: None, run: Some(id.as_str().to_ascii_lowercase()) });
    }
    let typed = captures.name("name").map(|m| m.as_str().trim());
    if let Some(typed) = typed {
        if let Some(id) = run_id(typed) {
            return Some(Intent::Explain { workflow: None, run: Some(id) });
        }
        // "is backup.yaml ok?" asks about a file: validation reads it.
        let lower = typed.to_ascii_lowercase();
        if lower.ends_with(".yaml") || lower.ends_with(".yml") || lower.ends_with(".json") || typed.contains('/') {
            return None;
        }
        // A question about something that isn't a workflow ("why is the sky blue") is not ours.
        if !is_reference(typed) && !library.knows(typed) && !looks_like_a_name(typed) {
            return None;
        }
        // "what happened in 1969", "what happened to the dinosaurs": only a saved workflow's
        // runs have a story to tell.
        if line.to_ascii_lowercase().contains("what happened") && !is_reference(typed) && !library.knows(typed) {
            return None;
        }
    }
    Some(Intent::Explain { workflow: named(library, typed), run: None })
}

/// Words a person may use for a workflow they have, unknown to the library (short, no verbs or
/// pronouns): "the nightly build".
pub(crate) fn looks_like_a_name(typed: &str) -> bool {
    const NOT_IN_NAMES: &[&str] = &[
        "i",
        "you",
        "we",
        "they",
        "he",
        "she",
        "me",
        "us",
        "is",
        "are",
        "was",
        "were",
        "am",
        "be",
        "do",
        "does",
        "did",
        "can",
        "could",
        "should",
        "would",
        "will",
        "what",
        "why",
        "how",
        "when",
        "where",
        "who",
        "which",
        "if",
        "because",
        "there",
        "that",
        "this",
        "these",
        "those",
        "your",
        "anyone",
        "someone",
        "everyone",
        "people",
        "yourself",
        "myself",
        "itself",
        "themselves",
        "himself",
        "herself",
        "ourselves",
        "anything",
        "something",
        "nothing",
        "to",
        "from",
    ];
    /// A name doesn't start with a preposition ("run for the hills", "go to bed").
    const NOT_FIRST: &[&str] = &[
        "for",
        "to",
        "from",
        "with",
        "at",
        "in",
        "on",
        "into",
        "about",
        "away",
        "off",
        "out",
        "list",
        "everything",
        "all",
        // Articles and quantifiers ("start a fire", "run some errands") and command verbs
        // ("delete my browser history") don't begin a name either.
        "a",
        "an",
        "some",
        "any",
        "every",
        "delete",
        "remove",
        "clear",
        "erase",
        "wipe",
    ];
    /// Words that alone are no name ("run faster", "go home").
    const NOT_ALONE: &[&str] = &[
        "faster",
        "slower",
        "quicker",
        "better",
        "harder",
        "fast",
        "slow",
        "quickly",
        "slowly",
        "home",
        "around",
        "outside",
        "inside",
        "late",
        "early",
        "wild",
        "free",
        "now",
        "again",
        "money",
        "data",
        "something",
    ];
    /// Nor does it end with one, or with an article ("anything interesting in the").
    const NOT_LAST: &[&str] =
        &["the", "a", "an", "in", "of", "for", "to", "on", "at", "with", "and", "or", "my", "any"];
    let words: Vec<String> = typed.split_whitespace().map(|w| w.to_ascii_lowercase()).collect();
    let (Some(first), Some(last)) = (words.first(), words.last()) else { return false };
    let lone = match words.as_slice() {
        [only] | [_, only] if words.len() == 1 || first == "the" => NOT_ALONE.contains(&only.as_str()),
        _ => false,
    };
    words.len() <= 4
        && !NOT_FIRST.contains(&first.as_str())
        && !NOT_LAST.contains(&last.as_str())
        && !lone
        && !words.iter().any(|w| NOT_IN_NAMES.contains(&w.as_str()))
        // "rm -rf node_modules": a flag belongs to a command line, never to a name.
        && !words.iter().any(|w| w.starts_with('-'))
        // "export PATH=$PATH:/usr/local/bin": an assignment or a variable is shell, not a name.
        && !words.iter().any(|w| w.contains('=') || w.contains('$'))
}

/// "list schedules", "what's scheduled?", "when does backup run next?", "backup's schedule".
pub(crate) fn schedules(text: &str, _: &str, library: &Library) -> Option<Intent> {
    static ALL: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        super::anchored_all(&[
            r"(?:(?:list|show|display|get|see|view|print|check|give)\s+)?(?:me\s+)?(?:(?:all|my|the|our|every|current|active)\s+)*(?:schedules|scheduled (?:workflows|runs|jobs|tasks)|schedule list|list of schedules|upcoming runs|next runs|planned runs|cron jobs|crons|timers|schedule)",
            r"(?:what|which)(?:'s|\s+is|\s+are|\s+workflows are|\s+jobs are|\s+runs are)?\s+(?:scheduled|on the schedule|planned|coming up|up next|next|due|running next|going to run|queued up)(?:\s+to run)?(?:\s+(?:for\s+)?(?:today|tonight|tomorrow|this week|next|soon|later))?",
            r"(?:what|which)\s+(?:runs|will run|is running|workflows run|runs automatically|runs on a schedule|happens)\s+(?:next|later|today|tonight|tomorrow|automatically|on a schedule|soon)",
            r"(?:(?:is|are)\s+)?(?:anything|there any(?:thing)?|any workflows?)\s+scheduled(?:\s+(?:for\s+)?(?:today|tonight|tomorrow|this week|soon))?",
            r"(?:are there|is there|have i got|do we have)\s+(?:any\s+)?(?:scheduled (?:workflows|runs|jobs)|schedules|schedule)",
            r"(?:do i have|have i got)\s+(?:any(?:thing)?\s+)?(?:schedules|scheduled(?:\s+(?:workflows|runs|jobs))?|anything scheduled)",
            r"when\s+(?:do|will)\s+(?:my\s+)?(?:workflows|things|jobs)\s+run(?:\s+next)?",
            r"(?:what|which)\s+(?:schedules|scheduled (?:workflows|runs|jobs)|timers|cron jobs|crons)(?:\s+(?:do i have|have i got|do we have|are there|exist|are set up|are active|are running|are on))?",
            r"(?:what|which)(?:'s|\s+is|\s+are)?\s+(?:running|set to run|set up to run|going)\s+(?:on a (?:timer|schedule|cron)|on timers|automatically|by itself|on its own)",
        ])
    });
    static ONE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        super::anchored_all(&[
            r"when\s+(?:does|will|is|do)\s+(?P<name>.+?)\s+(?:run|runs|fire|fires|go|start|execute|scheduled|scheduled to run|going to run|due|supposed to run|next run|run next)(?:\s+(?:next|again|automatically|next time))?",
            r"when(?:'s|\s+is)\s+(?:the\s+)?next\s+(?:run|fire)\s+(?:of|for)\s+(?P<name>.+?)",
            r"when(?:'s|\s+is|\s+will)\s+(?:the\s+|my\s+)?next\s+(?P<name>.+?)(?:\s+(?:run|be))?",
            r"(?:is|are)\s+(?P<name>.+?)\s+(?:scheduled|on a schedule|on the schedule|automated|set to run)",
            r"(?:(?:show|list|display|get|what's|what is|what are|check)\s+)?(?:me\s+)?(?:the\s+)?(?:schedules?|next runs?|next fires?|timing|cron)\s+(?:of|for|on)\s+(?P<name>.+?)",
            r"(?P<name>.+?)(?:'s|s')?\s+(?:schedules?|next runs?|next fires?|timing)",
            r"how\s+often\s+(?:does|do|is)\s+(?P<name>.+?)\s+(?:run|runs|scheduled)",
        ])
    });
    let line = text.trim().trim_end_matches(['.', '!', '?']).trim();
    if first_match(&ALL, line).is_some() {
        return Some(Intent::Schedules { workflow: None });
    }
    let captures = first_match(&ONE, line)?;
    let typed = captures.name("name")?.as_str().trim();
    if is_reference(typed) {
        return Some(Intent::Schedules { workflow: Some("it".into()) });
    }
    // "pause the backup schedule", "clear the schedule of X": a change, not a question.
    let first = typed.split_whitespace().next().unwrap_or("").to_ascii_lowercase();
    if matches!(
        first.as_str(),
        "pause" | "suspend" | "disable" | "turn" | "stop" | "cancel" | "remove" | "delete" | "clear" | "kill" | "drop"
    ) {
        return None;
    }
    if !library.knows(typed) && !looks_like_a_name(typed) {
        return None;
    }
    // "backup schedule" names the backup; "every schedule" or "show schedule" is the list.
    if !library.knows(typed) && typed.split_whitespace().count() == 1 && !typed.chars().any(char::is_uppercase) {
        let lower = typed.to_ascii_lowercase();
        if matches!(lower.as_str(), "show" | "list" | "my" | "the" | "all" | "every" | "view" | "see") {
            return Some(Intent::Schedules { workflow: None });
        }
    }
    Some(Intent::Schedules { workflow: Some(library.canonical(typed)) })
}

/// "list templates", "which templates do you have?".
pub(crate) fn templates(text: &str, _: &str, _: &Library) -> Option<Intent> {
    static TEMPLATES: LazyLock<Vec<Regex>> = LazyLock::new(|| {
        super::anchored_all(&[
            r"(?:(?:list|show|display|see|view|browse|print|get|give)\s+)?(?:me\s+)?(?:(?:all|the|your|available|built-in|builtin|built in|existing|workflow|starter|ready-made|example)\s+)*(?:templates?|template list|list of templates)(?:\s+(?:are there|do you have|are available|available|exist|you have|i can use))?",
            r"(?:what|which)\s+(?:templates|kinds? of templates|template)(?:\s+(?:are there|do you have|are available|exist|can i use|have you got|you have|is there|do you offer|do you provide|are on offer|come with alpha))?",
            r"(?:do you have|are there|have you got|got|any)\s+(?:any\s+)?(?:(?:good|useful|starter|ready-made|built-in|builtin|example|workflow|premade|pre-made)\s+)*templates(?:\s+(?:i can use|to start from|for me))?",
            r"(?:what|which)\s+(?:workflows|things)\s+(?:can i start from|come built in|are built in)",
        ])
    });
    let line = text.trim().trim_end_matches(['.', '!', '?']).trim();
    first_match(&TEMPLATES, line).map(|_| Intent::Templates)
}
