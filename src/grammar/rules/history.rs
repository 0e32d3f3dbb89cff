//! "show me the history of deploy", "what ran?", "what failed yesterday?", "my last runs".
//!
//! A status word ("failed", "succeeded", "interrupted") and a time phrase ("yesterday", "in the
//! last 3 days") are taken out first and become the `status` and `since` filters; what is left
//! must be one of the ways people ask for runs, with or without a workflow's name.

use std::sync::LazyLock;

use chrono::{DateTime, Duration, FixedOffset, NaiveTime, TimeZone};
use regex::Regex;

use super::super::*;
use super::conversation::looks_like_a_name;

static TIME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)(?:^|\s+)(?:(?:from|since|during|in|over|within|for|of)\s+)?(?P<when>yesterday(?:\s+(?:morning|afternoon|evening))?|(?:the|this|last)\s+weekend|today|tonight|last night|overnight|this morning|this afternoon|this evening|this week|last week|the last week|the past week|past week|this month|last month|the last month|the past month|(?:last\s+)?(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)|(?:the\s+)?(?:last|past)\s+(?:(?P<n>\d+|a|an|one|two|three|four|five|six|seven|eight|nine|ten|twelve|24|48)\s+)?(?P<unit>minutes?|mins?|hours?|hrs?|days?|weeks?|months?))(?:'s)?(?:\s+or so)?",
    )
    .expect("a valid pattern")
});

static STATUS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(?:(?P<failed>failed|failing|fail|fails|failures?|break|broke|broken|errored|errors|crashed|went wrong)|(?P<completed>succeeded|successful|successfully|completed|passed|worked|went well|green|finished)|(?P<interrupted>interrupted|cancell?ed|killed|aborted|stopped)|(?P<partial>partial|partially|partly))\b",
    )
    .expect("a valid pattern")
});

/// Asking for runs in general, once the filters are out.
static ALL: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    super::anchored_all(&[
        r"(?:(?:show|list|display|get|give|see|view|print|check|pull up|bring up)\s+)?(?:me\s+)?(?:(?:all|the|my|our|every|any)\s+)*(?:(?:last|latest|recent|previous|past|most recent)\s+)?(?:\d+\s+|few\s+|couple of\s+)?(?:(?:workflow|workflows'|failed|successful)\s+)?(?:runs?|executions?|history|run history|execution history|activity|results|run log|run logs)(?:\s+(?:so far|lately|recently))?",
        r"(?:what|which|what's|what has|what's been|what has been|which workflow|what workflow|which job|which one|everything|everything that|all that|anything|any|did anything|has anything|have any|were there any|are there any|any runs|which runs|which workflows|what runs|what workflows|what jobs|anything that|runs that|workflows that)",
        r"(?:what|which)(?:'s|\s+has|\s+have|\s+did)?\s+(?:ran|run|been run|happened|been happening|been running|i run|i ran|i've run|did i run|we run|we ran|got run|was run|were run|executed|has been executed)(?:\s+(?:lately|recently|so far))?",
        r"(?:what|which)\s+(?:did i run|have i run|did we run|has run|have run|runs have run|workflows ran|workflows have run|jobs ran)(?:\s+(?:lately|recently|so far))?",
        r"(?:what|which)\s+(?:runs|workflows|jobs)",
        r"how\s+many\s+(?:runs|workflows|jobs|times)(?:\s+(?:have|were there|did))?",
        r"(?:everything|anything|all|what)\s+(?:that\s+)?(?:ran|has run|was run|got run|have run|has been run)",
        r"(?:recent|past|previous|latest|last)\s+(?:runs|executions|activity|results)",
        r"(?:how|what)\s+(?:did|have)\s+(?:my|the|our)?\s*(?:runs|workflows|jobs)\s+(?:go|gone|do|done)",
    ])
});

/// Asking for one workflow's runs.
static ONE: LazyLock<Vec<Regex>> = LazyLock::new(|| {
    super::anchored_all(&[
        r"when\s+(?:did|have)\s+(?:i|we|you)\s+(?:last\s+)?(?:run|ran|used)\s+(?P<name>.+?)(?:\s+last)?",
        r"when\s+(?:was|is)\s+the\s+(?:last|latest|most recent|previous)\s+time\s+(?:that\s+)?(?P<name>.+?)\s+(?:ran|was run|got run|has run|run|succeeded|worked|passed|failed|broke|finished)",
        r"when\s+(?:was|is)\s+the\s+(?:last|latest|most recent|previous)\s+(?:run|execution)\s+of\s+(?P<name>.+?)",
        r"when\s+(?:was|is)\s+the\s+(?:last|latest|most recent|previous)\s+time\s+(?:that\s+)?(?P<name>.+?)",
        r"(?:(?:show|list|display|get|give|see|view|print|check|what's|what is|what are)\s+)?(?:me\s+)?(?:(?:the|all|my|every)\s+)*(?:\d+\s+)?(?:(?:last|latest|recent|previous|past|most recent)\s+)?(?:\d+\s+)?(?:run history|execution history|history|runs|executions|results|activity)\s+(?:of|for|from|on)\s+(?P<name>.+?)",
        r"(?:(?:show|list|display|get|give|see|view)\s+)?(?:me\s+)?(?P<name>.+?)(?:'s|s')?\s+(?:run history|execution history|history|runs|executions|past runs|recent runs|last runs)",
        r"how\s+(?:did|has|is|was|'s|have|were)\s+(?P<name>.+?)\s+(?:do|doing|done|been doing|been going|going|gone|go|been|performing|been performing)(?:\s+(?:lately|recently|so far))?",
        r"how(?:'s|\s+is|\s+has)\s+(?P<name>.+?)(?:\s+(?:been\s+)?(?:lately|recently|doing|going|running))?",
        r"(?:the\s+)?(?:last|latest|most recent|previous)\s+(?:run|execution)\s+(?:of|for|from)\s+(?P<name>.+?)",
        r"when\s+(?:did|was|has|have)\s+(?P<name>.+?)\s+(?:last run|run last|last ran|ran last|last been run|been run|run|ran|last(?:\s+(?:succeed|succeeded|work|worked|pass|passed|fail|failed|finish|finished|complete|completed))?)",
        r"(?:did|has|have|was|were)\s+(?P<name>.+?)\s+(?:ever\s+)?(?:run|ran|been run|succeed|succeeded|work|worked|finish|finished|complete|completed|pass|passed|go ok|go well|go through)",
        r"(?:did|has|was)\s+(?P<name>.+?)",
        r"(?:what|which)\s+(?:runs\s+)?(?:of|in)\s+(?P<name>.+?)",
        r"(?P<name>.+?)\s+(?:runs|history)",
        r"(?:history|runs)\s+(?:of\s+|for\s+)?(?P<name>.+?)",
        r"how\s+(?:many\s+times|often)\s+(?:did|has|have|does|do)\s+(?P<name>.+?)\s+(?:run|ran|been run|failed|fail)(?:\s+(?:so far|lately|recently))?",
        r"how\s+(?:many\s+times|often)\s+(?:did|has|have|does|do)\s+(?P<name>.+?)",
        r"how\s+long\s+(?:did|does|do)\s+(?P<name>.+?)\s+(?:take|run|last)(?:\s+to run)?",
    ])
});

/// "the last 5 runs", "my 3 most recent runs", "the last ten executions": how many runs were
/// asked for, and the runs they are counted in.
static COUNT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)\b(?:(?:the\s+)?(?:last|latest|recent|previous|past|most recent|newest)\s+(?P<after>\d+|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty)\s+|(?P<before>\d+|two|three|four|five|six|seven|eight|nine|ten|twenty|fifty)\s+(?:(?:most\s+)?(?:recent|latest|last|newest|previous)\s+)?)(?P<runs>(?:(?:failed|successful|completed|interrupted)\s+)?(?:runs|executions|results))\b")
        .expect("a valid pattern")
});

/// How many runs `text` asks for ("show me the last 5 runs"), if it says.
pub(crate) fn asked_count(text: &str) -> Option<usize> {
    let c = COUNT.captures(text)?;
    let said = c.name("after").or_else(|| c.name("before"))?.as_str().to_ascii_lowercase();
    let n = match said.as_str() {
        "twenty" => Some(20),
        "fifty" => Some(50),
        word => word.parse().ok().or_else(|| number_word(word)),
    };
    n.filter(|n| *n > 0)
}

/// `history`, `what ran yesterday`, `what failed?`, `when did backup last run`, `show the
/// history of X`, `failed runs of deploy this week`; the count of "the last 5 runs" is read
/// by [`asked_count`], and here it reads as "the last runs".
pub(crate) fn history(text: &str, _: &str, library: &Library) -> Option<Intent> {
    let uncounted = COUNT.replace(text, "last $runs");
    let text = uncounted.as_ref();
    let line = text.trim().trim_end_matches(['.', '!', '?']).trim();
    // "run" alone is a command without its workflow, not a request for runs.
    if line.eq_ignore_ascii_case("run") {
        return None;
    }
    let (line, since) = take_time(line, library);
    // "any failures lately?", "were there errors today?"
    static FAILURES: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:(?:(?:were|are|have|has)\s+there\s+(?:been\s+)?)(?:any\s+|some\s+)?|(?:any|some)\s+|(?:list|show|show me|display)\s+(?:the\s+|all\s+|my\s+)*)?(?:(?:recent|latest|last|new)\s+)?(?:failures|errors|problems|issues|failed runs|crashes)(?:\s+(?:lately|recently|so far))?$")
            .expect("a valid pattern")
    });
    if FAILURES.is_match(line.trim()) {
        return Some(Intent::History { workflow: None, status: Some("failed".into()), since, limit: None });
    }
    let (line, status) = take_status(&line);
    let mut line = tidy(&line);
    // "check the history for errors" once "errors" was read as the status.
    if status.is_some() {
        for dangling in [" for", " with", " of", " in"] {
            if line.to_ascii_lowercase().ends_with(dangling) {
                line.truncate(line.len() - dangling.len());
            }
        }
    }
    // "run fail" runs a workflow called Fail; "run" is a command, not a request for runs.
    if line.eq_ignore_ascii_case("run") {
        return None;
    }
    for prefix in ["show me ", "tell me ", "give me ", "let me see ", "list ", "show ", "see "] {
        if line.to_ascii_lowercase().starts_with(prefix)
            && !line[prefix.len()..].to_ascii_lowercase().starts_with("the ")
        {
            let rest = line[prefix.len()..].to_string();
            if rest.to_ascii_lowercase().starts_with("what") || rest.to_ascii_lowercase().starts_with("everything") {
                line = rest;
            }
            break;
        }
    }
    let filtered = since.is_some() || status.is_some();
    // "show failed", "list interrupted": a verb and a filter.
    static VERB: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:show|list|display|see|get)(?:\s+me)?(?:\s+the|\s+all)?$").expect("a valid pattern")
    });
    if filtered && VERB.is_match(line.trim()) {
        return Some(Intent::History { workflow: None, status, since, limit: None });
    }
    if ALL.iter().any(|p| p.is_match(&line)) && (filtered || !is_bare_question(&line)) {
        return Some(Intent::History { workflow: None, status, since, limit: None });
    }
    // "what happened with the backups this week": a span of a workflow's runs, where the
    // same question without a time or status asks about its last run (explain).
    static HAPPENED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^what(?:'s|\s+has)?\s+(?:happened|been happening|been going on|went on|gone on)\s+(?:with|to|in|for)\s+(?P<name>.+?)$")
            .expect("a valid pattern")
    });
    let happened = if filtered { HAPPENED.captures(line.trim()) } else { None };
    let captures = match happened {
        Some(captures) => captures,
        None => ONE.iter().find_map(|p| p.captures(&line))?,
    };
    let typed = captures.name("name")?.as_str().trim();
    let typed = typed.trim_start_matches("the ").trim();
    let typed = typed.trim_start_matches("last ").trim_start_matches("latest ").trim();
    let typed = typed.strip_suffix(" ever").unwrap_or(typed).trim();
    let typed =
        [" recently", " lately", " so far", " at all"].iter().fold(typed, |t, s| t.strip_suffix(s).unwrap_or(t)).trim();
    if typed.is_empty() {
        return None;
    }
    // "the history of my runs", "runs of all workflows": every run, not a workflow named so.
    if means_everything(typed) {
        return Some(Intent::History { workflow: None, status, since, limit: None });
    }
    // "summarize my history", "what's in my history": a verb and "my", not a name.
    let lowered = typed.to_ascii_lowercase();
    if let Some(head) = ["my", "the", "our", "all"].iter().find_map(|w| lowered.strip_suffix(&format!(" {w}")))
        && head.split_whitespace().count() <= 3
        && !library.knows(head)
    {
        return Some(Intent::History { workflow: None, status, since, limit: None });
    }
    // "check the history for problems": the failed runs of every workflow.
    if matches!(
        typed.to_ascii_lowercase().as_str(),
        "problems" | "errors" | "issues" | "failures" | "trouble" | "mistakes" | "anything wrong" | "something wrong"
    ) {
        return Some(Intent::History {
            workflow: None,
            status: Some(status.unwrap_or_else(|| "failed".into())),
            since,
            limit: None,
        });
    }
    let reference = matches!(typed.to_ascii_lowercase().as_str(), "it" | "that" | "this");
    let known = library.knows(typed);
    // Loose shapes ("how's X", "did X", "X runs") need a name we know or a filter to mean history.
    let loose = !line.to_ascii_lowercase().contains("history")
        && !line.to_ascii_lowercase().contains(" of ")
        && !line.to_ascii_lowercase().contains(" for ");
    if !known && !reference && (!looks_like_a_name(typed) || (loose && !filtered)) {
        return None;
    }
    let workflow = if reference { "it".to_string() } else { library.canonical(typed) };
    Some(Intent::History { workflow: Some(workflow), status, since, limit: None })
}

/// Words that stand for all runs or all workflows where a name would go.
fn means_everything(typed: &str) -> bool {
    let lower = typed.to_ascii_lowercase();
    let mut words: Vec<&str> = lower.split_whitespace().collect();
    words.retain(|w| !matches!(*w, "my" | "all" | "the" | "of" | "our" | "every" | "recent" | "latest" | "past"));
    matches!(
        words.as_slice(),
        [] | ["runs"]
            | ["run"]
            | ["workflows"]
            | ["jobs"]
            | ["everything"]
            | ["things"]
            | ["stuff"]
            | ["automations"]
            | ["executions"]
            | ["them"]
    )
}

/// "what" or "which" alone is a question, not a request for runs, unless a filter came with it.
fn is_bare_question(line: &str) -> bool {
    matches!(
        line.to_ascii_lowercase().as_str(),
        "what"
            | "which"
            | "anything"
            | "any"
            | "did anything"
            | "has anything"
            | "have any"
            | "were there any"
            | "are there any"
            | "anything that"
            | "runs that"
            | "workflows that"
    )
}

fn tidy(text: &str) -> String {
    let words: Vec<&str> = text.split_whitespace().collect();
    words.join(" ").trim_matches([',', ' ']).to_string()
}

/// Takes the status word out: "what failed" → ("what", failed).
fn take_status(line: &str) -> (String, Option<String>) {
    let Some(captures) = STATUS.captures(line) else { return (line.to_string(), None) };
    let status = ["failed", "completed", "interrupted", "partial"]
        .into_iter()
        .find(|group| captures.name(group).is_some())
        .map(str::to_string);
    let mut whole = captures.get(0).map_or(0..0, |m| m.range());
    // "partially failed", "partly succeeded": one status, partial.
    if status.as_deref() == Some("partial") {
        let after = &line[whole.end..];
        if let Some(next) = STATUS.find(after).filter(|m| after[..m.start()].trim().is_empty()) {
            whole.end += next.end();
        }
    }
    let mut rest = format!("{} {}", &line[..whole.start], &line[whole.end..]);
    // "runs that failed" → "runs", "what has failed" → "what".
    // "runs that got", "runs that have been": as many of them as there are.
    while let Some(head) = [" that", " which", " has", " have", " were", " was", " did", " got", " been", " get"]
        .iter()
        .find_map(|filler| rest.trim_end().strip_suffix(filler))
    {
        rest = head.to_string();
    }
    (rest, status)
}

/// Takes the time phrase out: "what ran yesterday" → ("what ran", start of yesterday).
fn take_time(line: &str, library: &Library) -> (String, Option<String>) {
    let Some(captures) = TIME.captures(line) else { return (line.to_string(), None) };
    let now = library.now.unwrap_or_else(|| chrono::Local::now().fixed_offset());
    let since = since(&captures, now);
    let whole = captures.get(0).map_or(0..0, |m| m.range());
    let rest = format!("{} {}", &line[..whole.start], &line[whole.end..]);
    (rest, since.map(|t| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)))
}

fn since(captures: &regex::Captures<'_>, now: DateTime<FixedOffset>) -> Option<DateTime<FixedOffset>> {
    let when = captures.name("when")?.as_str().to_ascii_lowercase();
    let midnight = |days_back: i64| {
        let date = now.date_naive() - Duration::days(days_back);
        now.offset().from_local_datetime(&date.and_time(NaiveTime::MIN)).single()
    };
    if let Some(unit) = captures.name("unit") {
        let n = match captures.name("n").map_or("1".to_string(), |n| n.as_str().to_ascii_lowercase()).as_str() {
            "a" | "an" => 1,
            "twelve" => 12,
            word => number_word(word).map(|n| n as i64).or_else(|| word.parse().ok())?,
        };
        let unit = unit.as_str().to_ascii_lowercase();
        let span = match unit.chars().next()? {
            'm' if unit.starts_with("mo") => Duration::days(30 * n),
            'm' => Duration::minutes(n),
            'h' => Duration::hours(n),
            'd' => Duration::days(n),
            'w' => Duration::weeks(n),
            _ => return None,
        };
        return Some(now - span);
    }
    // "since monday", "last friday": the latest such day before today (a week ago on the day).
    const DAYS: [&str; 7] = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"];
    if let Some(day) = DAYS.iter().position(|d| when.trim_start_matches("last").trim() == *d) {
        let today = chrono::Datelike::weekday(&now.date_naive()).num_days_from_monday() as i64;
        let back = (today - day as i64).rem_euclid(7);
        return midnight(if back == 0 { 7 } else { back });
    }
    // "over the weekend": since the latest Saturday that began before now.
    if when.ends_with("weekend") {
        let today = chrono::Datelike::weekday(&now.date_naive()).num_days_from_monday() as i64;
        let back = (today - 5).rem_euclid(7);
        return midnight(if when.starts_with("last") && back < 2 { back + 7 } else { back });
    }
    match when.as_str() {
        "today" | "tonight" | "this morning" | "this afternoon" | "this evening" => midnight(0),
        "yesterday"
        | "yesterday morning"
        | "yesterday afternoon"
        | "yesterday evening"
        | "last night"
        | "overnight" => midnight(1),
        "this week" | "last week" | "the last week" | "the past week" | "past week" => Some(now - Duration::weeks(1)),
        _ => Some(now - Duration::days(30)),
    }
}
