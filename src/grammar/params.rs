//! Parameters in an utterance: `key=value`, "with branch dev", "for Bob", quoted values.

use super::*;

/// Splits "Deploy Pipeline with branch dev and environment prod" into the name and parameters.
/// The longest prefix that names a saved workflow wins; otherwise the name ends at the first
/// parameter introducer ("with", "using", "on", "for", or a `key=value`).
pub(crate) fn split_name_and_params(body: &str, library: &Library) -> Option<(String, IndexMap<String, String>)> {
    let body = body.trim();
    if let Some(quoted) = leading_quoted(body) {
        let rest = body[quoted.len() + 2..].trim();
        let params = parse_params(rest, None)?;
        return Some((quoted.to_string(), params));
    }
    let boundaries: Vec<usize> =
        std::iter::once(body.len()).chain(body.match_indices(' ').map(|(i, _)| i).rev()).collect();
    for &cut in &boundaries {
        let name = body[..cut].trim();
        // Parameters are cheap to check; fuzzy name matching is not, so it comes second.
        let rest = body[cut..].trim();
        let may_be_params = parse_params(rest, None).is_some() || may_start_params(rest);
        if name.is_empty() || !may_be_params || ends_in_a_joining_word(name, library) || !library.knows(name) {
            continue;
        }
        let known = library.params.get(&library.canonical(name)).cloned().unwrap_or_default();
        if let Some(params) = parse_params(body[cut..].trim(), Some(&known)) {
            return Some((name.to_string(), params));
        }
    }
    // No saved name: cut at the first introducer.
    let lower = body.to_ascii_lowercase();
    let mut cut = body.len();
    for (i, _) in lower.match_indices(' ') {
        let after = &lower[i + 1..];
        let word = after.split_whitespace().next().unwrap_or("");
        if matches!(word, "with" | "using" | "use" | "on" | "for" | "where" | "setting") || word.contains('=') {
            cut = i;
            break;
        }
    }
    let name = body[..cut].trim();
    // A saved name whose words after it aren't its parameters: not a reading to guess at.
    let known = library.knows(name).then(|| library.params.get(&library.canonical(name)).cloned().unwrap_or_default());
    let params = parse_params(body[cut..].trim(), known.as_deref())?;
    (!name.is_empty()).then(|| (name.to_string(), params))
}

/// "deploy pipeline but": a joining word ends a sentence's clause, not a name (unless the saved
/// name itself ends so), so the name is read without it and "but use branch hotfix" as parameters.
fn ends_in_a_joining_word(name: &str, library: &Library) -> bool {
    let last = name.rsplit(' ').next().unwrap_or("").to_ascii_lowercase();
    matches!(last.as_str(), "but" | "and" | "then" | "also" | "only" | "just")
        && library.resolve(name).is_none_or(|saved| !saved.eq_ignore_ascii_case(name))
}

pub(crate) fn leading_quoted(text: &str) -> Option<&str> {
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
/// `known` is the workflow's parameter names when it is known: then a `key value` pair must name
/// one of them (so "run backup job immediately" never invents `job=immediately`); an explicit
/// `key=value` is always taken, and checked when the run starts.
pub(crate) fn parse_params(text: &str, known: Option<&[String]>) -> Option<IndexMap<String, String>> {
    let mut params = IndexMap::new();
    let words = shell_words(text)?;
    let mut i = 0;
    let introducer = |w: &str| {
        matches!(
            w.to_ascii_lowercase().as_str(),
            "with" | "using" | "use" | "on" | "for" | "where" | "setting" | "and" | "," | "&" | "plus" | "set" | "but"
        )
    };
    while i < words.len() {
        // "(branch=dev)", "[env prod]": brackets around parameters group nothing.
        let word = words[i].trim_end_matches(',').trim_matches(['(', ')', '[', ']']);
        if word.is_empty()
            || introducer(word)
            || matches!(
                word.to_ascii_lowercase().as_str(),
                "the"
                    | "a"
                    | "an"
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
        // "run the deploy for me? branch=main", "… please, with branch dev": courtesy between
        // the name and its values.
        let said = words[i].as_str();
        let courtesy = said.trim_end_matches(['?', '!', '.', ',']);
        let punctuated = courtesy.len() < said.len();
        let after_for = i > 0 && words[i - 1].eq_ignore_ascii_case("for");
        let next_begins_values = words.get(i + 1).is_none_or(|next| introducer(next) || next.contains('='));
        if courtesy.eq_ignore_ascii_case("please")
            || (courtesy.eq_ignore_ascii_case("me") && after_for && (punctuated || next_begins_values))
        {
            i += 1;
            continue;
        }
        // `--branch dev`, `--branch=dev`: the CLI's spelling.
        if let Some(flag) = word.strip_prefix("--").filter(|f| !f.is_empty()) {
            match flag.split_once('=') {
                Some((key, value)) if is_key(key) => {
                    params.insert(key.to_string(), value.to_string());
                    i += 1;
                }
                None if is_key(flag) && i + 1 < words.len() => {
                    params.insert(flag.to_string(), words[i + 1].clone());
                    i += 2;
                }
                _ => return None,
            }
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
        // "with the same parameters": nothing changes.
        if word.eq_ignore_ascii_case("same")
            && words.get(i + 1).is_some_and(|next| {
                matches!(
                    next.to_ascii_lowercase().trim_end_matches(','),
                    "params"
                        | "parameters"
                        | "settings"
                        | "values"
                        | "inputs"
                        | "options"
                        | "arguments"
                        | "args"
                        | "ones"
                )
            })
        {
            i += 2;
            continue;
        }
        // "branch: main, environment: prod": a name and a colon, then the value.
        if let Some(key) = word.strip_suffix(':').filter(|k| is_key(k))
            && let Some(value) = words.get(i + 1).map(|v| v.trim_end_matches(','))
            && !value.is_empty()
        {
            let key = match known {
                None => key.to_string(),
                Some(known) => known_key(known, key)?,
            };
            params.insert(key, value.to_string());
            i += 2;
            continue;
        }
        // "the dev branch", "the prod environment": the value before a parameter's name.
        if let Some(known) = known
            && i + 1 < words.len()
            && let Some(key) = known.iter().find(|k| k.eq_ignore_ascii_case(words[i + 1].trim_end_matches(',')))
            && !known.iter().any(|k| k.eq_ignore_ascii_case(word))
            && !is_place_word(word)
        {
            params.insert(key.clone(), word.to_string());
            i += 2;
            continue;
        }
        // "to production", "on staging", "from ~/docs": a value for the one parameter that the
        // preposition before it names a place for.
        if let Some(known) = known
            && let Some(place) = i.checked_sub(1).map(|p| words[p].to_ascii_lowercase())
            && let Some(key) = place_parameter(known, &place)
            && !params.contains_key(&key)
            && !known.iter().any(|k| k.eq_ignore_ascii_case(word))
        {
            params.insert(key, word.to_string());
            i += 1;
            continue;
        }
        if let Some(known) = known
            && is_place_word(word)
            && i + 1 < words.len()
            && (place_parameter(known, &word.to_ascii_lowercase()).is_some()
                || known.iter().any(|k| k.eq_ignore_ascii_case(words[i + 1].trim_end_matches(','))))
        {
            // "from ~/docs", and "from branch release": a preposition before a place or a name.
            i += 1;
            continue;
        }
        // "for https://example.com", "on input.csv": a value whose shape says which one
        // parameter it is for.
        if let Some(known) = known
            && let Some(key) = shaped_parameter(known, word, &params)
        {
            params.insert(key, word.to_string());
            i += 1;
            continue;
        }
        // "keeping 5 copies", "limiting it to 20": a parameter's name as a verb, then its value
        // (and the noun counted, which names nothing).
        if let Some(known) = known
            && let Some(key) = verb_parameter(known, word)
        {
            let mut j = i + 1;
            while j < words.len() && matches!(words[j].to_ascii_lowercase().as_str(), "it" | "to" | "at" | "only") {
                j += 1;
            }
            if let Some(value) = words.get(j) {
                let value = value.trim_end_matches(',');
                params.insert(key, value.to_string());
                i = j + 1;
                let counted = words.get(i).is_some_and(|w| {
                    value.parse::<f64>().is_ok()
                        && w.chars().all(|c| c.is_ascii_alphabetic())
                        && !introducer(w)
                        && !known.iter().any(|k| k.eq_ignore_ascii_case(w))
                });
                if counted {
                    i += 1;
                }
                continue;
            }
        }
        // "branch dev", "branch set to dev", "branch as dev", "branch is dev"; an article is
        // never a parameter's name ("on a schedule").
        let article = matches!(word.to_ascii_lowercase().as_str(), "a" | "an");
        if is_key(word) && !article && i + 1 < words.len() {
            let mut j = i + 1;
            while j < words.len()
                && matches!(
                    words[j].to_ascii_lowercase().as_str(),
                    "set" | "to" | "as" | "is" | "=" | "of" | "equal" | "equals"
                )
            {
                j += 1;
            }
            if j < words.len() && !(known.is_none() && introducer(&words[j])) {
                let key = match known {
                    None => word.to_string(),
                    Some(known) => known_key(known, word)?,
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

/// Whether `text` may be where parameters start: a preposition a value can follow ("to
/// production"), or a verb that may be a parameter's name ("keeping 5").
fn may_start_params(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or("");
    is_place_word(first) || (first.len() > 5 && (first.ends_with("ing") || first.ends_with("ed")))
}

/// Whether `word` is a preposition that puts a value in a place: "to production", "from ~/docs".
fn is_place_word(word: &str) -> bool {
    matches!(word.to_ascii_lowercase().as_str(), "to" | "into" | "on" | "in" | "against" | "at" | "from" | "for")
}

/// The one parameter of `known` that a value after `preposition` is for: "to production" is an
/// environment or a destination, "from ~/docs" a source; `None` when none or several could be.
fn place_parameter(known: &[String], preposition: &str) -> Option<String> {
    let places: &[&str] = match preposition {
        "to" | "into" => &["destination", "dest", "target", "output", "environment", "env", "stage", "host", "server"],
        "on" | "in" | "against" | "at" => {
            &["environment", "env", "stage", "host", "server", "target", "cluster", "region"]
        }
        "from" => &["source", "src", "input", "from"],
        // "greet for Bob": the one parameter there is, or the one that names whom it is for.
        "for" if known.len() == 1 => return known.first().cloned(),
        "for" => &["name", "user", "person", "who", "recipient", "customer", "client", "city", "for"],
        _ => return None,
    };
    let mut matching = known.iter().filter(|k| places.contains(&k.to_ascii_lowercase().as_str()));
    match (matching.next(), matching.next()) {
        (Some(only), None) => Some(only.clone()),
        _ => None,
    }
}

/// The one parameter a value is for by its shape: a URL for `url`, a file or a path for the
/// input; `None` when the shape is plain or several parameters could take it.
fn shaped_parameter(known: &[String], value: &str, given: &IndexMap<String, String>) -> Option<String> {
    let lower = value.to_ascii_lowercase();
    let kinds: &[&str] = if lower.starts_with("http://") || lower.starts_with("https://") {
        &["url", "uri", "endpoint", "link", "site", "address", "webhook", "target"]
    } else if value.starts_with(['/', '~', '.']) || value.contains('/') || has_file_extension(value) {
        &["input", "file", "path", "source", "src", "dir", "directory", "folder"]
    } else {
        return None;
    };
    // The first free one in the order above: "on data.csv" is an input before it is a path.
    kinds.iter().find_map(|kind| {
        known.iter().find(|k| k.eq_ignore_ascii_case(kind) && !given.keys().any(|g| g.eq_ignore_ascii_case(k))).cloned()
    })
}

/// `name.ext` with a short extension of letters: "data.csv", not "1.5" or "v2.0".
fn has_file_extension(value: &str) -> bool {
    value.rsplit_once('.').is_some_and(|(stem, ext)| {
        !stem.is_empty() && (1..=5).contains(&ext.len()) && ext.chars().all(|c| c.is_ascii_alphabetic())
    })
}

/// The parameter a verb form of its name stands for: "keeping" for `keep`, "limiting" and
/// "limited" for `limit`.
fn verb_parameter(known: &[String], word: &str) -> Option<String> {
    let lower = word.to_ascii_lowercase();
    let stem = lower.strip_suffix("ing").or_else(|| lower.strip_suffix("ed"))?;
    known
        .iter()
        .find(|k| {
            let k = k.to_ascii_lowercase();
            k.len() >= 3 && (stem == k || stem.strip_suffix(k.chars().last().unwrap_or(' ')) == Some(k.as_str()))
        })
        .cloned()
}

/// The workflow's parameter `word` names: itself, or the one parameter it starts ("env" for
/// `environment`).
fn known_key(known: &[String], word: &str) -> Option<String> {
    if let Some(exact) = known.iter().find(|k| k.eq_ignore_ascii_case(word)) {
        return Some(exact.clone());
    }
    let lower = word.to_ascii_lowercase();
    let mut starting = known.iter().filter(|k| lower.len() >= 3 && k.to_ascii_lowercase().starts_with(&lower));
    if let (Some(only), None) = (starting.next(), starting.next()) {
        return Some(only.clone());
    }
    // A typo of one letter ("brnach" for `branch`), when only one parameter is that close.
    let mut close =
        known.iter().filter(|k| lower.len() >= 4 && strsim::damerau_levenshtein(&k.to_ascii_lowercase(), &lower) == 1);
    match (close.next(), close.next()) {
        (Some(only), None) => Some(only.clone()),
        _ => None,
    }
}

pub(crate) fn is_key(word: &str) -> bool {
    let mut chars = word.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// Splits like a shell (quotes group words), but keeps `key="a b"` together.
pub(crate) fn shell_words(text: &str) -> Option<Vec<String>> {
    if text.trim().is_empty() {
        return Some(Vec::new());
    }
    shlex::split(text).or_else(|| Some(text.split_whitespace().map(str::to_string).collect()))
}
