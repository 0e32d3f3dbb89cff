//! Finding what the user keeps doing by hand: repeated contiguous command sequences (2-10
//! commands, `&&`/`;` chains too) within sessions, after normalizing commands and abstracting the
//! parts that vary into parameters. A pattern qualifies with at least 3 occurrences within 7 days
//! (both configurable).

use std::collections::HashMap;
use std::time::Duration;

use chrono::{DateTime, Utc};
use indexmap::IndexMap;
use regex::Regex;
use serde::Serialize;
use serde_json::json;

use super::history::Entry;
use crate::workflow::{ParamType, Parameter, Step, ToolStep, Workflow};

/// Mining thresholds.
#[derive(Debug, Clone)]
pub struct Options {
    /// Occurrences needed.
    pub min_occurrences: usize,
    /// Within this window.
    pub window: Duration,
    /// A gap this long starts a new session.
    pub session_gap: Duration,
    /// Longest sequence considered.
    pub max_len: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            min_occurrences: 3,
            window: Duration::from_secs(7 * 86_400),
            session_gap: Duration::from_secs(30 * 60),
            max_len: 10,
        }
    }
}

/// A varying part's values.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ParameterValues {
    /// The most frequent value.
    pub default: String,
    /// Every value seen, most frequent first.
    pub values: Vec<String>,
}

/// A qualifying pattern (design.md §6b).
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// Normalized commands, varying parts as `{{ param }}`.
    pub commands: Vec<String>,
    /// Occurrences inside the best window.
    pub occurrences: usize,
    /// First occurrence (RFC 3339 UTC), when known.
    pub first_seen: Option<String>,
    /// Last occurrence, when known.
    pub last_seen: Option<String>,
    /// Inferred parameters.
    pub parameters: IndexMap<String, ParameterValues>,
    /// A name for the workflow.
    pub suggested_name: String,
    /// The workflow that would be created.
    pub workflow: Workflow,
}

impl Suggestion {
    /// A stable key for remembering answers ("never").
    pub fn signature(&self) -> String {
        self.commands.join(" && ")
    }
}

/// A command with its varying parts taken out.
#[derive(Debug, Clone)]
struct Abstracted {
    template: String,
    slots: Vec<(&'static str, String)>,
}

const TRIVIAL: &[&str] = &["ls", "ll", "la", "l", "cd", "clear", "cls", "pwd", "exit", "history", "exa", "dir"];

fn kind_of(previous: Option<&str>, token: &str, program: &str, number: &Regex, host: &Regex) -> Option<&'static str> {
    let git_ref = program == "git"
        && matches!(
            previous,
            Some("origin" | "upstream" | "checkout" | "switch" | "merge" | "rebase" | "-b" | "branch")
        );
    if git_ref && !token.starts_with('-') {
        return Some("branch");
    }
    if token.starts_with("http://") || token.starts_with("https://") {
        return Some("url");
    }
    if host.is_match(token) || (matches!(program, "ssh" | "ping" | "scp" | "mosh") && !token.starts_with('-')) {
        return Some("host");
    }
    if (token.contains('/') || token.starts_with('~')) && !token.starts_with('-') {
        return Some("path");
    }
    if number.is_match(token) {
        return Some("number");
    }
    None
}

struct Abstractor {
    number: Regex,
    host: Regex,
}

impl Abstractor {
    fn new() -> Self {
        Abstractor {
            number: Regex::new(r"^\d+$").unwrap_or_else(|_| unreachable!("static regex")),
            host: Regex::new(r"^[\w.-]+@[\w.-]+(:\S*)?$").unwrap_or_else(|_| unreachable!("static regex")),
        }
    }

    fn abstract_command(&self, command: &str) -> Abstracted {
        let tokens: Vec<&str> = command.split_whitespace().collect();
        let program = tokens.first().copied().unwrap_or("");
        let simple = !command.contains(['|', '>', '<', '$', '`', '(', '"', '\'']);
        let mut slots = Vec::new();
        let mut parts = Vec::new();
        for (i, token) in tokens.iter().enumerate() {
            let previous = if i > 0 { Some(tokens[i - 1]) } else { None };
            match kind_of(previous, token, program, &self.number, &self.host).filter(|_| simple && i > 0) {
                Some(kind) => {
                    parts.push(format!("\u{1}{}\u{1}", slots.len()));
                    slots.push((kind, token.to_string()));
                }
                None => parts.push(token.to_string()),
            }
        }
        Abstracted { template: parts.join(" "), slots }
    }
}

/// Interactive programs: what a user does in them can't be replayed by a workflow.
const INTERACTIVE: &[&str] =
    &["vim", "vi", "nvim", "nano", "emacs", "less", "more", "man", "top", "htop", "watch", "tmux", "screen"];

fn trivial(command: &str) -> bool {
    let mut words = command.split_whitespace();
    let program = words.next().unwrap_or("");
    INTERACTIVE.contains(&program) || (TRIVIAL.contains(&program) && words.count() <= 1)
}

/// Splits `a && b; c` into its commands (not inside quotes).
fn split_chain(line: &str) -> Vec<String> {
    if !line.contains([';', '&']) {
        // Most commands are not chains: just normalize the spacing.
        let single = if line.contains("  ") || line.contains('\t') || line.starts_with(' ') || line.ends_with(' ') {
            line.split_whitespace().collect::<Vec<_>>().join(" ")
        } else {
            line.to_string()
        };
        return if single.is_empty() { Vec::new() } else { vec![single] };
    }
    let mut parts = Vec::new();
    let mut current = String::new();
    let (mut single, mut double) = (false, false);
    let chars: Vec<char> = line.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        match c {
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            _ => {}
        }
        let boundary = !single && !double && (c == ';' || (c == '&' && chars.get(i + 1) == Some(&'&')));
        if boundary {
            parts.push(std::mem::take(&mut current));
            if c == '&' {
                i += 1;
            }
        } else {
            current.push(c);
        }
        i += 1;
    }
    parts.push(current);
    parts.into_iter().map(|p| p.split_whitespace().collect::<Vec<_>>().join(" ")).filter(|p| !p.is_empty()).collect()
}

/// The varying parts of one command: (kind, value).
type Slots = Vec<(&'static str, String)>;

/// One command of a session: its template id, varying parts and time.
type Item = (u32, Slots, Option<DateTime<Utc>>);

struct Occurrence {
    session: usize,
    start: usize,
}

/// Mines `entries`; `covered` are the command templates of saved workflows (not suggested again).
pub fn mine(entries: &[Entry], options: &Options, covered: &[Vec<String>]) -> Vec<Suggestion> {
    let abstractor = Abstractor::new();
    // Sessions of (template id, slots, time).
    let mut interned: HashMap<String, u32> = HashMap::new();
    let mut templates: Vec<String> = Vec::new();
    let mut sessions: Vec<Vec<Item>> = vec![Vec::new()];
    let mut last_time: Option<DateTime<Utc>> = None;
    let mut seen: HashMap<String, (u32, Slots)> = HashMap::new();
    let gap = chrono::Duration::from_std(options.session_gap).unwrap_or(chrono::Duration::minutes(30));
    for entry in entries {
        if let (Some(now), Some(before)) = (entry.time, last_time)
            && now - before > gap
            && sessions.last().is_some_and(|s| !s.is_empty())
        {
            sessions.push(Vec::new());
        }
        if entry.time.is_some() {
            last_time = entry.time;
        }
        for command in split_chain(&entry.command) {
            if trivial(&command) {
                continue;
            }
            // Histories repeat themselves: abstract each distinct command once.
            let (id, slots) = match seen.get(&command) {
                Some(known) => known.clone(),
                None => {
                    let abstracted = abstractor.abstract_command(&command);
                    let next = templates.len() as u32;
                    let id = *interned.entry(abstracted.template.clone()).or_insert_with(|| {
                        templates.push(abstracted.template.clone());
                        next
                    });
                    seen.insert(command.clone(), (id, abstracted.slots.clone()));
                    (id, abstracted.slots)
                }
            };
            if let Some(session) = sessions.last_mut() {
                session.push((id, slots, entry.time));
            }
        }
    }
    // Frequent n-grams, grown apriori-style from frequent (n-1)-grams.
    let mut frequent: Vec<(Vec<u32>, Vec<Occurrence>)> = Vec::new();
    // Pairs first, counted in a compact map; only frequent pairs get their occurrences listed.
    let pair = |a: u32, b: u32| (u64::from(a) << 32) | u64::from(b);
    let mut pair_counts: HashMap<u64, u32> = HashMap::new();
    for session in &sessions {
        for w in session.windows(2) {
            *pair_counts.entry(pair(w[0].0, w[1].0)).or_default() += 1;
        }
    }
    pair_counts.retain(|_, n| *n as usize >= options.min_occurrences);
    let mut current: HashMap<Vec<u32>, Vec<Occurrence>> = HashMap::new();
    for (s, session) in sessions.iter().enumerate() {
        for start in 0..session.len().saturating_sub(1) {
            if pair_counts.contains_key(&pair(session[start].0, session[start + 1].0)) {
                current
                    .entry(vec![session[start].0, session[start + 1].0])
                    .or_default()
                    .push(Occurrence { session: s, start });
            }
        }
    }
    drop(pair_counts);
    for length in 2..=options.max_len {
        current.retain(|_, occurrences| distinct(occurrences, length) >= options.min_occurrences);
        if current.is_empty() {
            break;
        }
        let mut next: HashMap<Vec<u32>, Vec<Occurrence>> = HashMap::new();
        for (key, occurrences) in &current {
            for occurrence in occurrences {
                let session = &sessions[occurrence.session];
                if let Some(item) = session.get(occurrence.start + length) {
                    let mut longer = key.clone();
                    longer.push(item.0);
                    next.entry(longer)
                        .or_default()
                        .push(Occurrence { session: occurrence.session, start: occurrence.start });
                }
            }
        }
        frequent.extend(current.drain());
        current = next;
    }
    // Score, check the window, build suggestions.
    let mut candidates: Vec<Suggestion> = Vec::new();
    let mut keys: Vec<(Vec<u32>, Vec<Occurrence>)> = frequent;
    keys.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then_with(|| b.1.len().cmp(&a.1.len())).then_with(|| a.0.cmp(&b.0)));
    let mut accepted: Vec<(Vec<u32>, usize)> = Vec::new();
    for (key, occurrences) in keys {
        if key.windows(2).all(|w| w[0] == w[1]) {
            continue; // the same command repeated is not a workflow
        }
        let occurrences = non_overlapping(occurrences, key.len());
        let times: Vec<Option<DateTime<Utc>>> = occurrences.iter().map(|o| sessions[o.session][o.start].2).collect();
        let (count, window_times) = best_window(&times, options.window);
        if count < options.min_occurrences {
            continue;
        }
        if accepted
            .iter()
            .any(|(longer, longer_count)| contains(longer, &key) && count < longer_count + options.min_occurrences)
        {
            continue;
        }
        let commands_templates: Vec<String> = key.iter().map(|id| templates[*id as usize].clone()).collect();
        if covered.iter().any(|c| contains_str(c, &commands_templates)) {
            continue;
        }
        accepted.push((key.clone(), count));
        let slot_values: Vec<Vec<Vec<(&'static str, String)>>> = occurrences
            .iter()
            .map(|o| (0..key.len()).map(|i| sessions[o.session][o.start + i].1.clone()).collect())
            .collect();
        candidates.push(build(&commands_templates, &slot_values, count, &window_times));
    }
    candidates.sort_by(|a, b| {
        (b.occurrences * b.commands.len())
            .cmp(&(a.occurrences * a.commands.len()))
            .then_with(|| a.suggested_name.cmp(&b.suggested_name))
    });
    candidates
}

/// Occurrences that don't overlap (a b a b a b counts `a b` three times, not five).
fn non_overlapping(mut occurrences: Vec<Occurrence>, length: usize) -> Vec<Occurrence> {
    occurrences.sort_by_key(|o| (o.session, o.start));
    let mut kept: Vec<Occurrence> = Vec::new();
    for occurrence in occurrences {
        if let Some(last) = kept.last()
            && last.session == occurrence.session
            && occurrence.start < last.start + length
        {
            continue;
        }
        kept.push(occurrence);
    }
    kept
}

fn distinct(occurrences: &[Occurrence], length: usize) -> usize {
    let mut sorted: Vec<(usize, usize)> = occurrences.iter().map(|o| (o.session, o.start)).collect();
    sorted.sort_unstable();
    let mut count = 0;
    let mut last: Option<(usize, usize)> = None;
    for (session, start) in sorted {
        if last.is_some_and(|(s, p)| s == session && start < p + length) {
            continue;
        }
        count += 1;
        last = Some((session, start));
    }
    count
}

/// The most occurrences inside any window; untimed occurrences all count.
fn best_window(times: &[Option<DateTime<Utc>>], window: Duration) -> (usize, Vec<DateTime<Utc>>) {
    let mut known: Vec<DateTime<Utc>> = times.iter().flatten().copied().collect();
    let untimed = times.len() - known.len();
    known.sort();
    let window = chrono::Duration::from_std(window).unwrap_or(chrono::Duration::days(7));
    let (mut best, mut best_range) = (0, (0, 0));
    let mut start = 0;
    for end in 0..known.len() {
        while known[end] - known[start] > window {
            start += 1;
        }
        if end + 1 - start > best {
            best = end + 1 - start;
            best_range = (start, end + 1);
        }
    }
    (best + untimed, known[best_range.0..best_range.1].to_vec())
}

fn contains(haystack: &[u32], needle: &[u32]) -> bool {
    needle.len() <= haystack.len() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn contains_str(haystack: &[String], needle: &[String]) -> bool {
    needle.len() <= haystack.len() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn build(
    templates: &[String],
    slots: &[Vec<Vec<(&'static str, String)>>],
    count: usize,
    times: &[DateTime<Utc>],
) -> Suggestion {
    // One parameter per (command, slot); the same kind twice gets a number.
    let mut names: Vec<Vec<String>> = Vec::new();
    let mut parameters: IndexMap<String, ParameterValues> = IndexMap::new();
    let mut kinds_used: HashMap<&str, usize> = HashMap::new();
    for (c, _) in templates.iter().enumerate() {
        let slot_count = slots.first().map_or(0, |o| o[c].len());
        let mut command_names = Vec::new();
        for s in 0..slot_count {
            let kind = slots[0][c][s].0;
            let mut tally: IndexMap<String, usize> = IndexMap::new();
            for occurrence in slots {
                if let Some((_, value)) = occurrence[c].get(s) {
                    *tally.entry(value.clone()).or_default() += 1;
                }
            }
            let mut values: Vec<(String, usize)> = tally.into_iter().collect();
            values.sort_by_key(|(_, count)| std::cmp::Reverse(*count));
            // A part that never varies stays literal.
            if values.len() == 1 {
                command_names.push(format!("={}", values[0].0));
                continue;
            }
            // The same values in an earlier slot are the same parameter.
            let all: Vec<String> = values.iter().map(|(v, _)| v.clone()).collect();
            if let Some((existing, _)) = parameters.iter().find(|(_, p)| p.values == all) {
                command_names.push(existing.clone());
                continue;
            }
            let n = kinds_used.entry(kind).or_default();
            *n += 1;
            let name = if *n == 1 { kind.to_string() } else { format!("{kind}_{n}") };
            parameters.insert(name.clone(), ParameterValues { default: values[0].0.clone(), values: all });
            command_names.push(name);
        }
        names.push(command_names);
    }
    let commands: Vec<String> = templates
        .iter()
        .zip(&names)
        .map(|(template, slot_names)| {
            let mut text = template.clone();
            for (s, name) in slot_names.iter().enumerate() {
                let replacement = match name.strip_prefix('=') {
                    Some(literal) => literal.to_string(),
                    None => format!("{{{{ {name} }}}}"),
                };
                text = text.replace(&format!("\u{1}{s}\u{1}"), &replacement);
            }
            text
        })
        .collect();
    let suggested_name = name_for(&commands);
    let workflow = workflow_for(&suggested_name, &commands, &parameters);
    let stamp = |t: &DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    Suggestion {
        commands,
        occurrences: count,
        first_seen: times.first().map(stamp),
        last_seen: times.last().map(stamp),
        parameters,
        suggested_name,
        workflow,
    }
}

/// A command typed for a new step, with the parts that varied in the same command in `seen`
/// (the shell history) as `{{ parameters }}`: "git pull origin main", seen with dev and main,
/// becomes "git pull origin {{ branch }}" with `branch` defaulting to what was typed.
pub fn parameterize(command: &str, seen: &[String]) -> Option<(String, IndexMap<String, ParameterValues>)> {
    let abstractor = Abstractor::new();
    let typed = abstractor.abstract_command(command.trim());
    if typed.slots.is_empty() {
        return None;
    }
    let mut values: Vec<Vec<String>> = typed.slots.iter().map(|(_, v)| vec![v.clone()]).collect();
    for line in seen {
        let other = abstractor.abstract_command(line.trim());
        if other.template != typed.template || other.slots.len() != typed.slots.len() {
            continue;
        }
        for (slot, (_, value)) in other.slots.iter().enumerate() {
            if !values[slot].contains(value) {
                values[slot].push(value.clone());
            }
        }
    }
    let mut parameters = IndexMap::new();
    let mut text = typed.template.clone();
    let mut kinds_used: HashMap<&str, usize> = HashMap::new();
    for (slot, (kind, value)) in typed.slots.iter().enumerate() {
        let marker = format!("\u{1}{slot}\u{1}");
        if values[slot].len() < 2 {
            text = text.replace(&marker, value);
            continue;
        }
        let n = kinds_used.entry(kind).or_default();
        *n += 1;
        let name = if *n == 1 { kind.to_string() } else { format!("{kind}_{n}") };
        text = text.replace(&marker, &format!("{{{{ {name} }}}}"));
        parameters.insert(name, ParameterValues { default: value.clone(), values: values[slot].clone() });
    }
    (!parameters.is_empty()).then_some((text, parameters))
}

/// "git status", "git pull origin {{ branch }}", "pytest" → "Git Status Pull Pytest".
pub fn name_for(commands: &[String]) -> String {
    let mut words: Vec<String> = Vec::new();
    for command in commands {
        for word in command.split_whitespace().take(2) {
            if word.starts_with('-')
                || word.contains("{{")
                || word.contains('/')
                || word.contains('.')
                || word.contains('=')
            {
                break;
            }
            let word = word.rsplit('/').next().unwrap_or(word);
            if words.last().is_some_and(|w| w.eq_ignore_ascii_case(word))
                || words.iter().any(|w| w.eq_ignore_ascii_case(word)) && word.len() <= 4
            {
                continue;
            }
            let mut chars = word.chars();
            if let Some(first) = chars.next() {
                words.push(first.to_uppercase().collect::<String>() + chars.as_str());
            }
        }
    }
    words.truncate(6);
    let name = words.join(" ");
    if name.is_empty() { "Repeated Commands".into() } else { name }
}

fn workflow_for(name: &str, commands: &[String], parameters: &IndexMap<String, ParameterValues>) -> Workflow {
    let mut steps = Vec::new();
    for (i, command) in commands.iter().enumerate() {
        let program = command.split_whitespace().next().unwrap_or("step");
        let base: String = program
            .rsplit('/')
            .next()
            .unwrap_or(program)
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
            .collect();
        let base = if base.is_empty() || base.starts_with(|c: char| c.is_ascii_digit()) {
            format!("step_{}", i + 1)
        } else {
            base
        };
        let mut id = base.clone();
        let mut n = 1;
        while steps.iter().any(|s: &Step| s.id() == Some(id.as_str())) {
            n += 1;
            id = format!("{base}_{n}");
        }
        steps.push(Step::Tool(ToolStep {
            id,
            name: Some(command.clone()),
            tool: "shell".into(),
            action: "run".into(),
            parameters: IndexMap::from([("command".to_string(), json!(command))]),
            ..ToolStep::default()
        }));
    }
    let parameters = parameters
        .iter()
        .map(|(name, values)| {
            let kind = if name.starts_with("path") { ParamType::Path } else { ParamType::String };
            (name.clone(), Parameter { kind, default: Some(json!(values.default)), ..Parameter::default() })
        })
        .collect();
    Workflow {
        name: name.to_string(),
        version: "1.0.0".into(),
        description: Some(format!("Automates: {}", commands.join(" && "))),
        author: None,
        tags: vec!["suggested".into()],
        parameters,
        triggers: Vec::new(),
        execution: Default::default(),
        workdir: None,
        steps,
        outputs: IndexMap::new(),
    }
}

/// The command templates of a saved workflow, abstracted like history commands.
pub fn covered_commands(workflow: &Workflow) -> Vec<String> {
    let abstractor = Abstractor::new();
    let placeholder = Regex::new(r"\{\{[^}]*\}\}").unwrap_or_else(|_| unreachable!("static regex"));
    let mut out = Vec::new();
    fn walk(steps: &[Step], out: &mut Vec<String>, abstractor: &Abstractor, placeholder: &Regex) {
        for step in steps {
            match step {
                Step::Tool(tool) => {
                    if let Some(command) = tool.parameters.get("command").and_then(|c| c.as_str()) {
                        for part in split_chain(command) {
                            let template = placeholder.replace_all(&part, "VALUE").into_owned();
                            out.push(abstractor.abstract_command(&template).template);
                        }
                    }
                }
                Step::Parallel(g) => walk(&g.parallel, out, abstractor, placeholder),
                Step::Branch(b) => {
                    walk(&b.then, out, abstractor, placeholder);
                    walk(&b.otherwise, out, abstractor, placeholder);
                }
            }
        }
    }
    walk(&workflow.steps, &mut out, &abstractor, &placeholder);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(lines: &[&str]) -> Vec<Entry> {
        lines.iter().map(|l| Entry { command: l.to_string(), time: None }).collect()
    }

    #[test]
    fn finds_a_chain_repeated_with_a_varying_branch() {
        let lines = [
            "git status && git pull origin main && pytest",
            "ls",
            "vim x",
            "git status && git pull origin dev && pytest",
            "cd ..",
            "git status && git pull origin main && pytest",
            "make",
            "git status && git pull origin main && pytest",
        ];
        let found = mine(&entries(&lines), &Options::default(), &[]);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].commands, ["git status", "git pull origin {{ branch }}", "pytest"]);
        assert_eq!(found[0].occurrences, 4);
        assert_eq!(
            found[0].parameters["branch"],
            ParameterValues { default: "main".into(), values: vec!["main".into(), "dev".into()] }
        );
        assert_eq!(found[0].suggested_name, "Git Status Pull Pytest");
    }

    #[test]
    fn near_misses_and_noise_are_not_patterns() {
        let twice = ["a1 x", "b1 y", "a1 x", "b1 y"];
        assert!(mine(&entries(&twice), &Options::default(), &[]).is_empty());
        let noise = ["ls", "cd src", "ls", "cd src", "ls", "cd src", "clear"];
        assert!(mine(&entries(&noise), &Options::default(), &[]).is_empty());
        let spread: Vec<Entry> = (0..3)
            .flat_map(|day| {
                let t = Some(DateTime::<Utc>::from_timestamp(1_700_000_000 + day * 4 * 86_400, 0).unwrap());
                vec![Entry { command: "make build".into(), time: t }, Entry { command: "make deploy".into(), time: t }]
            })
            .collect();
        assert!(mine(&spread, &Options::default(), &[]).is_empty(), "3 occurrences over 8 days don't qualify");
    }

    #[test]
    fn saved_workflows_are_not_suggested_again() {
        let lines = ["cargo fmt", "cargo test", "cargo fmt", "cargo test", "cargo fmt", "cargo test"];
        let covered = vec![vec!["cargo fmt".to_string(), "cargo test".to_string(), "git push".to_string()]];
        assert!(mine(&entries(&lines), &Options::default(), &covered).is_empty());
        assert_eq!(mine(&entries(&lines), &Options::default(), &[]).len(), 1);
    }
}
