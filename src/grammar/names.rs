//! Resolving the words a user typed to a saved workflow's name: case, punctuation, filler words
//! ("the", "workflow") and small typos don't matter.

/// Words that carry no identity in a workflow name as spoken.
const FILLER: &[&str] = &[
    "the",
    "teh",
    "hte",
    "a",
    "an",
    "my",
    "our",
    "workflow",
    "workflows",
    "job",
    "task",
    "please",
    "thing",
    "routine",
    "automation",
];

/// Lowercase words without punctuation or filler.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .filter(|w| !FILLER.contains(&w.as_str()))
        .collect()
}

/// How well `typed` names `name`: higher is better, `None` when it doesn't.
pub fn score(typed: &str, name: &str) -> Option<u32> {
    score_words(&words(typed), &words(name))
}

/// [`score`] on words already split by [`words`] (a resolve splits the typed text once, and a
/// library its names once).
pub fn score_words(typed_words: &[String], name_words: &[String]) -> Option<u32> {
    if typed_words.is_empty() || name_words.is_empty() {
        return None;
    }
    let typed_joined = typed_words.join(" ");
    let name_joined = name_words.join(" ");
    if typed_joined == name_joined {
        return Some(100);
    }
    let (a, b) = (typed_joined.chars().count(), name_joined.chars().count());
    let similar_length = a.abs_diff(b) * 100 <= a.max(b) * 15;
    // More words than the name and a different length: no rule below can match (each typed word
    // must be a word of the name, or the whole a small typo away). Most of a long sentence's
    // prefixes end here, which keeps parsing fast with many saved workflows.
    if typed_words.len() > name_words.len()
        && !similar_length
        && typed_words.concat().len() != name_words.concat().len()
    {
        return None;
    }
    if typed_words.concat() == name_words.concat() {
        return Some(95);
    }
    // "back up" for "Backup Files": the typed words run together are the name's first words.
    let typed_concat = typed_words.concat();
    if typed_words.len() > 1 && typed_concat.len() >= 4 {
        let mut joined = String::new();
        for word in name_words {
            joined.push_str(word);
            if joined == typed_concat {
                return Some(60);
            }
            if joined.len() >= typed_concat.len() {
                break;
            }
        }
    }
    // A typo changes few characters: skip the costly distance when the lengths differ too much.
    if similar_length {
        let close = strsim::normalized_damerau_levenshtein(&typed_joined, &name_joined);
        if close >= 0.85 {
            return Some(80 + (close * 10.0) as u32);
        }
    }
    // Every typed word is (nearly) a word of the name, in order: "git sync" → "Git Sync and Test".
    let mut position = 0;
    let mut matched = 0;
    // Endings are let go only across several words ("monitoring and alerting"): one word
    // alone ("deploying") is too loose a match.
    let stemmed = typed_words.len() >= 2;
    // One word alone that is spelt a little off stands for a name only as its first word
    // ("bakup" for Backup Files): "delete the file" does not mean Backup Files, nor "run the
    // tests" Git Sync and Test.
    let alone = typed_words.len() == 1;
    for word in typed_words {
        let found = name_words[position..].iter().enumerate().position(|(at, n)| {
            n == word
                || (stemmed && stem(n) == stem(word))
                || ((!alone || position + at == 0) && word.len() > 3 && strsim::damerau_levenshtein(n, word) <= 1)
        });
        match found {
            Some(offset) => {
                position += offset + 1;
                matched += 1;
            }
            None => return None,
        }
    }
    (matched > 0).then(|| 40 + (30 * matched / name_words.len()) as u32)
}

/// A word without its ending, so "monitoring" is "monitor" and "backups" is "backup".
pub(crate) fn stem(word: &str) -> &str {
    for ending in ["ing", "ed", "es", "s"] {
        if let Some(root) = word.strip_suffix(ending)
            && root.len() >= 4
        {
            return root;
        }
    }
    word
}

/// The saved name `typed` refers to, when exactly one is the best match.
pub fn resolve<'a>(typed: &str, names: &'a [String]) -> Option<&'a str> {
    let split: Vec<Vec<String>> = names.iter().map(|n| words(n)).collect();
    resolve_in(typed, names, &split)
}

/// [`resolve`] with each name's words split beforehand (`split[i]` is `words(&names[i])`).
pub fn resolve_in<'a>(typed: &str, names: &'a [String], split: &[Vec<String>]) -> Option<&'a str> {
    let found = resolve_words(words(typed), names, split);
    // "the monitor and alert check", "the backup job": a kind of thing after the name.
    const KINDS: &[&str] = &["check", "job", "task", "script", "process", "run", "pipeline", "report", "one"];
    let typed_words = words(typed);
    match (found, typed_words.split_last()) {
        (None, Some((last, rest))) if !rest.is_empty() && KINDS.contains(&last.as_str()) => {
            resolve_words(rest.to_vec(), names, split)
        }
        (found, _) => found,
    }
}

fn resolve_words<'a>(typed_words: Vec<String>, names: &'a [String], split: &[Vec<String>]) -> Option<&'a str> {
    if typed_words.is_empty() {
        return None;
    }
    let mut scored: Vec<(u32, &String)> =
        names.iter().zip(split).filter_map(|(n, w)| score_words(&typed_words, w).map(|s| (s, n))).collect();
    scored.sort_by_key(|(score, _)| std::cmp::Reverse(*score));
    match scored.as_slice() {
        [] => None,
        [(best, name), rest @ ..] if rest.first().is_none_or(|(second, _)| second < best) => Some(name.as_str()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolves_loosely_but_not_wrongly() {
        let names: Vec<String> =
            ["Git Sync and Test", "Deploy Pipeline", "Daily Standup Report", "Backup Files", "Daily Report"]
                .map(String::from)
                .to_vec();
        let cases = [
            ("git sync and test", Some("Git Sync and Test")),
            ("git sync", Some("Git Sync and Test")),
            ("the deploy pipeline workflow", Some("Deploy Pipeline")),
            ("deploy-pipeline", Some("Deploy Pipeline")),
            ("deplyo pipeline", Some("Deploy Pipeline")),
            ("backup", Some("Backup Files")),
            ("the backup", Some("Backup Files")),
            ("daily report", Some("Daily Report")),
            ("standup", Some("Daily Standup Report")),
            ("weather", None),
            // One word a letter off stands for a name only as its first word.
            ("bakup", Some("Backup Files")),
            ("file", None),
            ("tests", None),
        ];
        for (typed, expected) in cases {
            assert_eq!(resolve(typed, &names), expected, "{typed}");
        }
    }
}
