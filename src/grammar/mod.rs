//! The command grammar: an utterance (plain language or a slash command) to an [`Intent`]
//! (design.md §6). `grammar/grammar.ebnf` documents it; `grammar/corpus/*.tsv` tests it.
//!
//! Keywords and time phrases are parsed with nom on an ASCII-lowercased copy, which keeps byte
//! offsets, so names and values are cut from the original text with their case intact.

pub mod names;
pub mod time;

use indexmap::IndexMap;
use nom::Parser;
use nom::branch::alt;
use nom::bytes::complete::tag;
use nom::character::complete::{multispace0, satisfy};
use nom::combinator::{not, opt};
use nom::sequence::terminated;
use serde::{Deserialize, Serialize};

/// What the user wants (the grammar's and the LLM's common output).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "intent", rename_all = "lowercase")]
pub enum Intent {
    /// Run a workflow.
    Run {
        /// Canonical name, or the words as typed.
        workflow: String,
        /// Parameters as strings.
        #[serde(default)]
        params: IndexMap<String, String>,
    },
    /// List workflows.
    List {
        /// Tags to filter by.
        #[serde(default)]
        tags: Vec<String>,
        /// Search text.
        #[serde(default)]
        search: Option<String>,
    },
    /// Show a workflow.
    Show {
        /// Name.
        workflow: String,
    },
    /// Edit a workflow.
    Edit {
        /// Name.
        workflow: String,
    },
    /// Delete a workflow.
    Delete {
        /// Name.
        workflow: String,
    },
    /// Run history, of one workflow or all.
    History {
        /// Name, or null for all.
        #[serde(default)]
        workflow: Option<String>,
    },
    /// Export a workflow.
    Export {
        /// Name.
        workflow: String,
        /// Destination file, or null for stdout.
        #[serde(default)]
        file: Option<String>,
    },
    /// Remove a workflow's schedule.
    Unschedule {
        /// Name.
        workflow: String,
    },
    /// Schedule a workflow.
    Schedule {
        /// Name.
        workflow: String,
        /// 5-field cron.
        cron: String,
        /// IANA zone.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        timezone: Option<String>,
    },
    /// Create a workflow.
    Create {
        /// What it should do, in the user's words.
        #[serde(default)]
        description: Option<String>,
        /// Its name.
        #[serde(default)]
        name: Option<String>,
    },
    /// Import a file.
    Import {
        /// The file.
        file: String,
    },
    /// Validate a file.
    Validate {
        /// The file.
        file: String,
    },
    /// Suggest workflows from history.
    Suggest,
    /// Show help.
    Help,
    /// Leave.
    Quit,
    /// Not understood.
    Unknown {
        /// Close phrasings the user may have meant.
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        did_you_mean: Vec<String>,
    },
}

/// Where an intent came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Source {
    /// This grammar.
    Grammar,
    /// The LLM fallback.
    Llm,
}

/// An intent with its source, as `alpha parse --json` prints it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parsed {
    /// The intent.
    #[serde(flatten)]
    pub intent: Intent,
    /// grammar or llm.
    pub source: Source,
}

/// What the grammar knows of the library: names and each workflow's parameter names.
#[derive(Debug, Clone, Default)]
pub struct Library {
    /// Saved workflow names.
    pub names: Vec<String>,
    /// Parameter names by workflow name.
    pub params: IndexMap<String, Vec<String>>,
}

impl Library {
    /// A library of just these names.
    pub fn of(names: &[&str]) -> Self {
        Library { names: names.iter().map(|s| s.to_string()).collect(), params: IndexMap::new() }
    }

    fn canonical(&self, typed: &str) -> String {
        let typed = unquote(typed.trim());
        names::resolve(typed, &self.names).map_or_else(|| clean_name(typed), str::to_string)
    }

    /// The saved name `typed` refers to, else the words as typed (tidied).
    pub fn canonical_name(&self, typed: &str) -> String {
        self.canonical(typed)
    }

    fn knows(&self, typed: &str) -> bool {
        names::resolve(unquote(typed.trim()), &self.names).is_some()
    }
}

/// A keyword or phrase as a whole word.
fn kw<'a>(w: &'static str) -> impl Parser<&'a str, Output = &'a str, Error = nom::error::Error<&'a str>> {
    terminated(tag(w), not(satisfy(|c: char| c.is_alphanumeric() || c == '_')))
}

/// Consumes `kw` and the spaces after it.
fn token<'a>(w: &'static str) -> impl Parser<&'a str, Output = &'a str, Error = nom::error::Error<&'a str>> {
    terminated(kw(w), multispace0)
}

const POLITE: &[&str] = &[
    "hey alpha",
    "hi alpha",
    "ok alpha",
    "okay alpha",
    "alpha",
    "hey",
    "hi",
    "ok",
    "okay",
    "so",
    "um",
    "uh",
    "please",
    "pls",
    "could you please",
    "could you",
    "can you please",
    "can you",
    "would you please",
    "would you",
    "will you",
    "would you mind",
    "i want to",
    "i wanna",
    "i'd like to",
    "i would like to",
    "i need to",
    "i need you to",
    "i want you to",
    "let's",
    "lets",
    "go ahead and",
    "kindly",
    "just",
    "quickly",
    "now",
    "then",
];

const TRAILING: &[&str] = &[
    "please",
    "for me",
    "thanks",
    "thank you",
    "now",
    "right now",
    "asap",
    "again",
    "pls",
    "if you can",
    "if possible",
    "real quick",
];

/// Strips courtesy words at both ends: "could you please run the backup for me?" → "run the backup".
fn strip_courtesy(text: &str) -> &str {
    let mut text = text.trim().trim_end_matches(['?', '!', '.', ' ']).trim();
    loop {
        let lower = text.to_ascii_lowercase();
        let before = text.len();
        for phrase in POLITE.iter().copied() {
            if let Ok((rest, _)) = (kw(phrase), opt(tag(",")), multispace0).parse(lower.as_str()) {
                if rest.is_empty() {
                    continue;
                }
                text = &text[lower.len() - rest.len()..];
                break;
            }
        }
        let lower = text.to_ascii_lowercase();
        for phrase in TRAILING.iter().copied() {
            if let Some(head) = lower.strip_suffix(phrase)
                && (head.ends_with(' ') || head.ends_with(','))
            {
                text = text[..head.len()].trim_end_matches([' ', ',']);
                break;
            }
        }
        text = text.trim().trim_end_matches(['?', '!', '.', ' ']).trim();
        if text.len() == before {
            return text;
        }
    }
}

/// One way of reading an utterance: (original text, lowercase text, library) → intent.
type Rule = fn(&str, &str, &Library) -> Option<Intent>;

/// Parses an utterance with no side effects.
pub fn parse(utterance: &str, library: &Library) -> Intent {
    let text = utterance.trim();
    if let Some(slash) = text.strip_prefix('/') {
        return slash_command(slash, library);
    }
    let text = strip_courtesy(text);
    if text.is_empty() {
        return Intent::Help;
    }
    let lower = text.to_ascii_lowercase();
    let parsers: &[Rule] =
        &[simple, list, history, unschedule, create, schedule, file_command, export, manage, run, bare_name];
    for parser in parsers {
        if let Some(intent) = parser(text, &lower, library) {
            return intent;
        }
    }
    Intent::Unknown { did_you_mean: suggestions(&lower, library) }
}

/// The original text after the lowercase `rest`.
fn original<'a>(text: &'a str, lower: &str, rest: &str) -> &'a str {
    &text[lower.len() - rest.len()..]
}

fn simple(_: &str, lower: &str, _: &Library) -> Option<Intent> {
    let quit = ["quit", "exit", "bye", "goodbye", "q", ":q", "see you", "good bye", "close", "stop talking"];
    let help = [
        "help",
        "h",
        "?",
        "what can you do",
        "what do you do",
        "how does this work",
        "how do i use this",
        "commands",
        "show commands",
        "show help",
        "help me",
        "what are the commands",
        "usage",
        "menu",
    ];
    let suggest = [
        "suggest",
        "suggestions",
        "any suggestions",
        "show suggestions",
        "suggest workflows",
        "suggest something",
        "what should i automate",
        "what can i automate",
        "what could i automate",
        "what do i repeat",
        "what do i keep doing",
        "find patterns",
        "any ideas",
        "give me suggestions",
        "recommend workflows",
        "recommend something",
        "show me suggestions",
        "do you have any suggestions",
    ];
    if quit.contains(&lower) {
        Some(Intent::Quit)
    } else if help.contains(&lower) {
        Some(Intent::Help)
    } else if suggest.contains(&lower) {
        Some(Intent::Suggest)
    } else {
        None
    }
}

/// `list workflows`, `what workflows do i have`, `list workflows tagged ci`, `find workflows about email`.
fn list(text: &str, lower: &str, _: &Library) -> Option<Intent> {
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
    ];
    if whole.contains(&lower) {
        return Some(Intent::List { tags: Vec::new(), search: None });
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
        alt((
            token("list"),
            token("show me"),
            token("show"),
            token("find"),
            token("search for"),
            token("search"),
            token("which are"),
            token("what are"),
            token("display"),
        )),
        opt(token("all")),
        opt(alt((token("my"), token("the")))),
        alt((token("workflows"), token("workflow"))),
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

/// `history`, `what ran yesterday`, `when did backup last run`, `show the history of X`.
fn history(text: &str, lower: &str, library: &Library) -> Option<Intent> {
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

/// `unschedule X`, `stop scheduling X`, `cancel the schedule for X`.
fn unschedule(text: &str, lower: &str, library: &Library) -> Option<Intent> {
    let (rest, _) = alt((
        token("unschedule"),
        (
            alt((
                token("stop"),
                token("cancel"),
                token("remove"),
                token("delete"),
                token("disable"),
                token("turn off"),
            )),
            opt(token("the")),
            alt((
                token("scheduling"),
                token("schedules for"),
                token("schedule for"),
                token("schedule of"),
                token("schedules of"),
                token("schedule on"),
                token("the schedule for"),
            )),
        )
            .map(|_| ""),
        (token("don't"), alt((token("schedule"), token("run")))).map(|_| ""),
    ))
    .parse(lower)
    .ok()?;
    let mut name = original(text, lower, rest).trim();
    for suffix in [" automatically", " anymore", " any more", " on a schedule"] {
        if let Some(head) = name.to_ascii_lowercase().strip_suffix(suffix) {
            name = &name[..head.len()];
        }
    }
    (!name.is_empty()).then(|| Intent::Unschedule { workflow: library.canonical(name) })
}

/// Finds a schedule phrase inside `lower` after `start`: its byte offset and cron, when it runs
/// to the end (optionally followed by a time zone).
fn find_schedule(lower: &str, start: usize) -> Option<(usize, String, Option<String>)> {
    let mut offsets: Vec<usize> = vec![start];
    offsets.extend(lower[start..].match_indices(' ').map(|(i, _)| start + i + 1));
    for offset in offsets {
        let candidate = &lower[offset..];
        if let Some((cron, rest)) = time::phrase(candidate) {
            let rest = rest.trim();
            if rest.is_empty() {
                return Some((offset, cron, None));
            }
            if let Some(zone) = timezone(rest) {
                return Some((offset, cron, Some(zone)));
            }
        }
    }
    None
}

/// `in Europe/Berlin`, `europe/berlin time`, `utc`.
fn timezone(rest: &str) -> Option<String> {
    let rest = rest.strip_prefix("in ").or_else(|| rest.strip_prefix("tz ")).unwrap_or(rest).trim();
    let rest = rest.strip_suffix(" time").unwrap_or(rest).trim();
    chrono_tz::TZ_VARIANTS.iter().find(|tz| tz.name().eq_ignore_ascii_case(rest)).map(|tz| tz.name().to_string())
}

/// `schedule X every weekday at 9am`, `run X every morning at 10`, `X daily at 7`.
fn schedule(text: &str, lower: &str, library: &Library) -> Option<Intent> {
    let (rest, _) = opt(alt((
        token("schedule"),
        token("run"),
        token("execute"),
        token("start"),
        token("trigger"),
        token("launch"),
        token("kick off"),
        token("set up"),
        token("set"),
        token("make"),
        token("have"),
    )))
    .parse(lower)
    .ok()?;
    let start = lower.len() - rest.len();
    let (offset, cron, timezone) = find_schedule(lower, start)?;
    if offset == start {
        // "run it every morning at 10" (no name): the REPL fills in the workflow in context.
        let name = "it".to_string();
        return Some(Intent::Schedule { workflow: name, cron, timezone });
    }
    let mut name = text[start..offset].trim();
    for suffix in [" to run", " to", " run", " so it runs", " for", " at", " on", ","] {
        if let Some(head) = name.to_ascii_lowercase().strip_suffix(suffix) {
            name = text[start..start + head.len()].trim();
        }
    }
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    let workflow = if matches!(name.to_ascii_lowercase().as_str(), "it" | "that" | "this") {
        "it".to_string()
    } else {
        library.canonical(name)
    };
    Some(Intent::Schedule { workflow, cron, timezone })
}

/// `create a workflow that …`, `new workflow called X`, `automate …`.
fn create(text: &str, lower: &str, _: &Library) -> Option<Intent> {
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
    if body.is_empty() {
        return Some(Intent::Create { description: None, name: None });
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
    Some(Intent::Create { description, name })
}

/// `import FILE`, `validate FILE`, `check FILE`.
fn file_command(text: &str, lower: &str, _: &Library) -> Option<Intent> {
    let (rest, verb) = alt((
        token("import").map(|_| "import"),
        alt((token("validate"), token("check"), token("lint"), token("verify"))).map(|_| "validate"),
        (token("load"), opt(token("workflow from")), opt(token("from"))).map(|_| "import"),
    ))
    .parse(lower)
    .ok()?;
    let (rest, _) =
        opt(alt((token("the file"), token("file"), token("workflow from"), token("workflow file"), token("from"))))
            .parse(rest)
            .ok()?;
    let file = unquote(original(text, lower, rest).trim());
    if file.is_empty() || !looks_like_path(file) {
        return None;
    }
    Some(if verb == "import" {
        Intent::Import { file: file.to_string() }
    } else {
        Intent::Validate { file: file.to_string() }
    })
}

fn looks_like_path(text: &str) -> bool {
    !text.contains(' ') && (text.contains('.') || text.contains('/') || text == "-")
}

/// `export X [to FILE]`, `save X to FILE`.
fn export(text: &str, lower: &str, library: &Library) -> Option<Intent> {
    let (rest, _) = alt((token("export"), token("save"), token("dump"), token("write out"))).parse(lower).ok()?;
    let body = original(text, lower, rest).trim();
    let body_lower = body.to_ascii_lowercase();
    let (name, file) =
        match [" to ", " as ", " into "].iter().filter_map(|sep| body_lower.rfind(sep).map(|i| (i, sep.len()))).max() {
            Some((i, len)) if looks_like_path(unquote(body[i + len..].trim())) => {
                (&body[..i], Some(unquote(body[i + len..].trim()).to_string()))
            }
            _ if lower.starts_with("export") || lower.starts_with("dump") => (body, None),
            _ => return None,
        };
    let name = name.trim();
    (!name.is_empty()).then(|| Intent::Export { workflow: library.canonical(name), file })
}

/// `show X`, `edit X`, `delete X` and their synonyms.
fn manage(text: &str, lower: &str, library: &Library) -> Option<Intent> {
    let (rest, verb) = alt((
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
            token("tell me about"),
            token("what's in"),
            token("what is in"),
            token("open up"),
            token("look at"),
        ))
        .map(|_| "show"),
        (alt((token("what does"), token("what's"))), nom::combinator::success(())).map(|_| "show-q"),
        alt((
            token("edit"),
            token("modify"),
            token("change"),
            token("update"),
            token("tweak"),
            token("open"),
            token("fix"),
        ))
        .map(|_| "edit"),
        alt((
            token("delete"),
            token("remove"),
            token("drop"),
            token("get rid of"),
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
    if verb == "show-q" {
        let lowered = name.to_ascii_lowercase();
        let head = lowered
            .strip_suffix(" do")
            .or_else(|| lowered.strip_suffix(" contain"))
            .or_else(|| lowered.strip_suffix(" look like"))?;
        name = &name[..head.len()];
    }
    for prefix in ["the definition of ", "the details of ", "details of "] {
        if name.to_ascii_lowercase().starts_with(prefix) {
            name = &name[prefix.len()..];
        }
    }
    for suffix in [" in detail", " details", " definition", " for me"] {
        if let Some(head) = name.to_ascii_lowercase().strip_suffix(suffix) {
            name = &name[..head.len()];
        }
    }
    let name = name.trim();
    if name.is_empty() || (verb.starts_with("show") && is_list_words(name)) {
        return None;
    }
    let workflow = library.canonical(name);
    Some(match verb {
        "edit" => Intent::Edit { workflow },
        "delete" => Intent::Delete { workflow },
        _ => Intent::Show { workflow },
    })
}

fn is_list_words(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.split_whitespace().any(|w| w == "workflows") {
        return true;
    }
    let words = names::words(name);
    words.is_empty() || words.iter().all(|w| matches!(w.as_str(), "all" | "everything" | "list" | "saved" | "me"))
}

const RUN_VERBS: &[&str] = &[
    "run", "start", "execute", "launch", "trigger", "kick off", "fire off", "fire up", "do", "perform", "invoke", "go",
    "begin", "rerun", "re-run", "redo", "call", "use",
];

/// `run X`, `start X with branch=dev`, `execute X on branch dev`.
fn run(text: &str, lower: &str, library: &Library) -> Option<Intent> {
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
    let (name, params) = split_name_and_params(body, library)?;
    Some(Intent::Run { workflow: library.canonical(&name), params })
}

/// An utterance that is only a workflow name runs it ("backup files").
fn bare_name(text: &str, _: &str, library: &Library) -> Option<Intent> {
    let (name, params) = split_name_and_params(text, library)?;
    library.knows(&name).then(|| Intent::Run { workflow: library.canonical(&name), params })
}

/// Splits "Deploy Pipeline with branch dev and environment prod" into the name and parameters.
/// The longest prefix that names a saved workflow wins; otherwise the name ends at the first
/// parameter introducer ("with", "using", "on", "for", or a `key=value`).
fn split_name_and_params(body: &str, library: &Library) -> Option<(String, IndexMap<String, String>)> {
    let body = body.trim();
    if let Some(quoted) = leading_quoted(body) {
        let rest = body[quoted.len() + 2..].trim();
        let params = parse_params(rest, &[])?;
        return Some((quoted.to_string(), params));
    }
    let boundaries: Vec<usize> =
        std::iter::once(body.len()).chain(body.match_indices(' ').map(|(i, _)| i).rev()).collect();
    for &cut in &boundaries {
        let name = body[..cut].trim();
        // Parameters are cheap to check; fuzzy name matching is not, so it comes second.
        if name.is_empty() || parse_params(body[cut..].trim(), &[]).is_none() || !library.knows(name) {
            continue;
        }
        let known = library.params.get(&library.canonical(name)).cloned().unwrap_or_default();
        if let Some(params) = parse_params(body[cut..].trim(), &known) {
            return Some((name.to_string(), params));
        }
    }
    // No saved name: cut at the first introducer.
    let lower = body.to_ascii_lowercase();
    let mut cut = body.len();
    for (i, _) in lower.match_indices(' ') {
        let after = &lower[i + 1..];
        let word = after.split_whitespace().next().unwrap_or("");
        if matches!(word, "with" | "using" | "on" | "for" | "where" | "setting") || word.contains('=') {
            cut = i;
            break;
        }
    }
    let params = parse_params(body[cut..].trim(), &[])?;
    let name = body[..cut].trim();
    (!name.is_empty()).then(|| (name.to_string(), params))
}

fn leading_quoted(text: &str) -> Option<&str> {
    let quote = text.chars().next().filter(|c| matches!(c, '"' | '\'' | '“' | '‘'))?;
    let close = match quote {
        '“' => '”',
        '‘' => '’',
        other => other,
    };
    let inner = &text[quote.len_utf8()..];
    let end = inner.find(close)?;
    Some(&inner[..end]).filter(|_| close.len_utf8() == quote.len_utf8())
}

/// Parameters: `k=v`, `k v` (after "with"), "with branch dev and environment prod", "on branch dev".
fn parse_params(text: &str, known: &[String]) -> Option<IndexMap<String, String>> {
    let mut params = IndexMap::new();
    let words = shell_words(text)?;
    let mut i = 0;
    let introducer = |w: &str| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "with" | "using" | "on" | "for" | "where" | "setting" | "and" | "," | "&" | "plus" | "set"
        )
    };
    while i < words.len() {
        let word = words[i].trim_end_matches(',');
        if word.is_empty()
            || introducer(word)
            || matches!(
                word.to_ascii_lowercase().as_str(),
                "the"
                    | "parameter"
                    | "param"
                    | "parameters"
                    | "params"
                    | "as"
                    | "to"
                    | "of"
                    | "is"
                    | "equal"
                    | "equals"
            )
        {
            i += 1;
            continue;
        }
        if let Some((key, value)) = word.split_once('=') {
            let key = key.trim();
            if key.is_empty() || !is_key(key) {
                return None;
            }
            let value = if value.is_empty() && i + 1 < words.len() {
                i += 1;
                words[i].clone()
            } else {
                value.to_string()
            };
            params.insert(key.to_string(), value);
            i += 1;
            continue;
        }
        if let Some((key, value)) =
            word.split_once(':').filter(|(k, v)| is_key(k) && !v.is_empty() && !v.starts_with('/'))
        {
            params.insert(key.to_string(), value.to_string());
            i += 1;
            continue;
        }
        // "branch dev", "branch set to dev", "branch as dev", "branch is dev"
        if is_key(word) && i + 1 < words.len() {
            let mut j = i + 1;
            while j < words.len()
                && matches!(
                    words[j].to_ascii_lowercase().as_str(),
                    "set" | "to" | "as" | "is" | "=" | "of" | "equal" | "equals"
                )
            {
                j += 1;
            }
            if j < words.len() && !(known.is_empty() && introducer(&words[j])) {
                let key = if known.is_empty() {
                    word.to_string()
                } else {
                    known.iter().find(|k| k.eq_ignore_ascii_case(word))?.clone()
                };
                params.insert(key, words[j].trim_end_matches(',').to_string());
                i = j + 1;
                continue;
            }
        }
        return None;
    }
    Some(params)
}

fn is_key(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Splits like a shell (quotes group words), but keeps `key="a b"` together.
fn shell_words(text: &str) -> Option<Vec<String>> {
    if text.trim().is_empty() {
        return Some(Vec::new());
    }
    shlex::split(text).or_else(|| Some(text.split_whitespace().map(str::to_string).collect()))
}

fn unquote(text: &str) -> &str {
    let text = text.trim();
    for (open, close) in [('"', '"'), ('\'', '\''), ('“', '”'), ('‘', '’'), ('`', '`')] {
        if let Some(inner) = text.strip_prefix(open).and_then(|t| t.strip_suffix(close)) {
            return inner;
        }
    }
    text
}

/// A name as typed, tidied: quotes and filler removed, original case kept.
fn clean_name(typed: &str) -> String {
    let typed = unquote(typed);
    let lower = typed.to_ascii_lowercase();
    let mut start = 0;
    for article in ["the ", "my ", "our "] {
        if lower[start..].starts_with(article) {
            start += article.len();
        }
    }
    let mut end = typed.len();
    for suffix in [" workflow", " pipeline workflow"] {
        if lower[..end].ends_with(suffix) && end - suffix.len() > start {
            end -= suffix.len();
        }
    }
    typed[start..end].trim().to_string()
}

/// Slash commands mirror the CLI: `/run NAME k=v`, `/list [--tags T] [search]`, `/show NAME`, …
fn slash_command(text: &str, library: &Library) -> Intent {
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
        "create" | "new" => Intent::Create { description: (!rest.is_empty()).then(|| rest.to_string()), name: None },
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

/// "Did you mean" phrasings for an utterance the grammar could not parse.
pub fn suggestions(lower: &str, library: &Library) -> Vec<String> {
    let lower = lower.trim();
    let first = lower.split_whitespace().next().unwrap_or("");
    let rest = lower[first.len()..].trim();
    let verbs = [
        "run", "list", "show", "edit", "delete", "schedule", "history", "export", "import", "validate", "create",
        "suggest", "help",
    ];
    // Question words are English, not misspelled commands.
    let question = matches!(
        first,
        "how" | "what" | "why" | "when" | "who" | "where" | "which" | "is" | "are" | "can" | "do" | "does"
    );
    let mut out = Vec::new();
    let name = names::resolve(rest, &library.names);
    if !question && let Some(verb) = crate::diagnostic::did_you_mean(first, verbs) {
        out.push(match (name, rest.is_empty()) {
            (Some(name), _) => format!("{verb} {name}"),
            (None, true) => verb,
            (None, false) => format!("{verb} {rest}"),
        });
    }
    if out.is_empty()
        && let Some(name) = names::resolve(lower, &library.names).or(name)
    {
        out.push(format!("run {name}"));
    }
    out
}
