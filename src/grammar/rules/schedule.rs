//! "schedule the backup every weekday at 9am", "stop running the backup".

use super::super::*;

/// `unschedule X`, `stop scheduling X`, `cancel the schedule for X`.
pub(crate) fn unschedule(text: &str, lower: &str, library: &Library) -> Option<Intent> {
    let (rest, how) = alt((
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
                token("scheduling for"),
                token("scheduling of"),
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
        // "stop running X on a schedule": only with a schedule word after the name (below).
        (token("stop"), alt((token("running"), token("starting")))).map(|_| "stop running"),
        // "remove the backup from the schedule", "take deploy off the schedule".
        // "remove the backup schedule", "delete deploy's schedule".
        alt((token("remove"), token("take"), token("drop"), token("delete"), token("clear"))).map(|_| "remove from"),
        // "pause the backup schedule", "suspend the nightly backup": there is no pause, a
        // schedule is removed (and added back with "schedule X …").
        alt((token("pause"), token("suspend"), token("disable"), token("turn off"), token("cancel"))).map(|_| "pause"),
    ))
    .parse(lower)
    .ok()?;
    let mut name = original(text, lower, rest).trim();
    let paused = lower.starts_with("pause")
        || lower.starts_with("suspend")
        || lower.starts_with("disable")
        || lower.starts_with("turn off")
        || lower.starts_with("cancel");
    if paused {
        name = name.strip_prefix("the ").or_else(|| name.strip_prefix("The ")).unwrap_or(name);
    }
    let stop_running = lower.starts_with("stop running") || lower.starts_with("stop starting");
    let removing = how == "remove from";
    if removing {
        let ends = [
            " from the schedule",
            " from schedule",
            " off the schedule",
            " from the schedules",
            " off schedule",
            " schedule",
            " schedules",
        ];
        if !ends.iter().any(|e| lower.trim_end_matches(['.', '!', '?']).ends_with(e)) {
            return None;
        }
        name = name.strip_prefix("the ").or_else(|| name.strip_prefix("The ")).unwrap_or(name);
    }
    let lowered = name.to_ascii_lowercase();
    if stop_running
        && ![" automatically", " on a schedule", " on schedule", " every day", " anymore", " any more"]
            .iter()
            .any(|s| lowered.ends_with(s))
    {
        return None;
    }
    let mut cut = true;
    while cut {
        cut = false;
        for suffix in [
            " from the schedule",
            " from schedule",
            " off the schedule",
            " on schedule",
            " automatically",
            " anymore",
            " any more",
            " on a schedule",
            " every day",
            " for now",
            " schedules",
            " schedule",
            "'s schedule",
            " from running",
        ] {
            if let Some(head) = name.to_ascii_lowercase().strip_suffix(suffix) {
                name = &name[..head.len()];
                cut = true;
            }
        }
    }
    if name.is_empty() {
        return None;
    }
    // "stop the music", "pause for a second": only a saved workflow is paused.
    if (paused || removing) && !library.knows(name) {
        return None;
    }
    Some(Intent::Unschedule { workflow: library.canonical(name) })
}

/// Finds a schedule phrase inside `lower` after `start`: its byte offset and cron, when it runs
/// to the end (optionally followed by a time zone).
pub(crate) fn find_schedule(lower: &str, start: usize) -> Option<(usize, String, Option<String>)> {
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
pub(crate) fn timezone(rest: &str) -> Option<String> {
    let rest = rest.strip_prefix("in ").or_else(|| rest.strip_prefix("tz ")).unwrap_or(rest).trim();
    let rest = rest.strip_suffix(" time").unwrap_or(rest).trim();
    chrono_tz::TZ_VARIANTS.iter().find(|tz| tz.name().eq_ignore_ascii_case(rest)).map(|tz| tz.name().to_string())
}

/// `schedule X every weekday at 9am`, `run X every morning at 10`, `X daily at 7`, and the time
/// first: `at 7am every day, run X`.
pub(crate) fn schedule(text: &str, lower: &str, library: &Library) -> Option<Intent> {
    if let Some(intent) = time_first(text, lower, library) {
        return Some(intent);
    }
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
        token("plan"),
    )))
    .parse(lower)
    .ok()?;
    let mut start = lower.len() - rest.len();
    // "shedule nightly backup every day at 8": a misspelt "schedule" is not part of the name.
    if start == 0
        && let Some(first) = lower.split_whitespace().next()
        && first != "schedule"
        && first.len() >= 6
        && strsim::damerau_levenshtein(first, "schedule") <= 2
    {
        start = first.len();
    }
    // "… daily at 6pm with branch main": the parameters after the time.
    let (end, trailing) = trailing_params(text, lower, start);
    let (text, lower) = (&text[..end], &lower[..end]);
    let (offset, cron, timezone) = find_schedule(lower, start)?;
    if offset == start {
        // "run it every morning at 10" (no name): the REPL fills in the workflow in context.
        let name = "it".to_string();
        return Some(Intent::Schedule { workflow: name, cron, timezone, params: trailing });
    }
    let mut name = text[start..offset].trim();
    // "schedule deploy with cron 0 4 * * *": the words that introduce the expression.
    for suffix in [
        " with cron",
        " using cron",
        " with the cron",
        " cron",
        " with cron expression",
        " automatically",
        " to run",
        " to",
        " run",
        " so it runs",
        " for",
        " at",
        " on",
        ",",
    ] {
        if let Some(head) = name.to_ascii_lowercase().strip_suffix(suffix) {
            name = text[start..start + head.len()].trim();
        }
    }
    let name = name.trim();
    if name.is_empty() {
        return None;
    }
    // "schedule deploy with branch main every day at 6": the parameters after the name.
    let (name, mut params) = match split_name_and_params(name, library) {
        Some((name, params)) if !params.is_empty() => (name, params),
        _ => (name.to_string(), IndexMap::new()),
    };
    let workflow = workflow_or_it(&name, library);
    if let Some(known) = library.params.get(&workflow)
        && trailing.keys().chain(params.keys()).any(|key| !known.contains(key))
    {
        return None;
    }
    params.extend(trailing);
    Some(Intent::Schedule { workflow, cron, timezone, params })
}

/// Where a trailing "with branch main" (or "using …") starts after `start`, and its parameters;
/// `(lower.len(), {})` when there is none.
fn trailing_params(text: &str, lower: &str, start: usize) -> (usize, IndexMap<String, String>) {
    for introducer in [" with ", " using "] {
        if let Some(at) = lower[start..].rfind(introducer).map(|i| start + i)
            && let Some(params) = parse_params(&text[at..], None).filter(|p| !p.is_empty())
            && find_schedule(&lower[..at], start).is_some()
        {
            return (at, params);
        }
    }
    (lower.len(), IndexMap::new())
}

/// "at 7am every day, run the backup", "every night at 2am run backup files".
fn time_first(text: &str, lower: &str, library: &Library) -> Option<Intent> {
    let (cron, rest) = time::phrase(lower)?;
    let rest = rest.trim_start_matches([',', ' ', ':', '-']);
    let (rest, _) =
        opt(alt((token("please"), token("i want to"), token("i'd like to"), token("can you")))).parse(rest).ok()?;
    let verb = alt((
        token("run"),
        token("execute"),
        token("start"),
        token("trigger"),
        token("launch"),
        token("kick off"),
        token("do"),
    ))
    .parse(rest);
    let Ok((rest, _)) = verb else {
        // "every sunday at 11pm back up my files": the workflow's own words, a saved name only.
        let name = original(text, lower, rest).trim().trim_end_matches(['.', '!']);
        // "daily report" is a name, not "report" every day.
        let whole_is_a_name = library.knows(text.trim().trim_end_matches(['.', '!']));
        return (library.knows(name) && !whole_is_a_name).then(|| Intent::Schedule {
            workflow: library.canonical(name),
            cron,
            timezone: None,
            params: IndexMap::new(),
        });
    };
    let name = original(text, lower, rest).trim();
    if name.is_empty() {
        return None;
    }
    let workflow = workflow_or_it(name, library);
    Some(Intent::Schedule { workflow, cron, timezone: None, params: IndexMap::new() })
}

/// "it", "that" and "this" are the conversation's workflow; anything else is looked up.
fn workflow_or_it(name: &str, library: &Library) -> String {
    if matches!(name.to_ascii_lowercase().as_str(), "it" | "that" | "this") {
        "it".to_string()
    } else {
        library.canonical(name)
    }
}
