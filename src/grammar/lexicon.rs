//! Words and phrases: keywords as whole words, courtesy words stripped at both ends, names and
//! paths as typed.

use super::*;

/// A keyword or phrase as a whole word.
pub(crate) fn kw<'a>(w: &'static str) -> impl Parser<&'a str, Output = &'a str, Error = nom::error::Error<&'a str>> {
    terminated(tag(w), not(satisfy(|c: char| c.is_alphanumeric() || c == '_')))
}

/// Consumes `kw` and the spaces after it.
pub(crate) fn token<'a>(w: &'static str) -> impl Parser<&'a str, Output = &'a str, Error = nom::error::Error<&'a str>> {
    terminated(kw(w), multispace0)
}

pub(crate) const POLITE: &[&str] = &[
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
    "hmm",
    "great",
    "perfect",
    "cool",
    "nice",
    "awesome",
    "alright",
    "all right",
    "yeah",
    "yep",
    "sure",
    "fine",
    "good",
    "oh",
    "uh",
    "please",
    "pls",
    "plz",
    "so yeah",
    "ok so",
    "okay so",
    "so",
    "um",
    "umm",
    "erm",
    "hmm",
    "like",
    "could you please",
    "could you",
    "could u",
    "can u",
    "can u please",
    "would u",
    "would you be so kind as to",
    "would you be kind enough to",
    "be so kind as to",
    "do me a favor and",
    "do me a favour and",
    "if you could",
    "if it's not too much trouble",
    "if it is not too much trouble",
    "if you don't mind",
    "if you do not mind",
    "can you please",
    "can you",
    "would you please",
    "would you mind",
    "would you",
    "will you",
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
    "i'd love to",
    "i would love to",
    "i'd like you to",
    "help me",
    "maybe",
    "hey there",
    "yo",
    "well",
    "right",
    "actually",
    "oh",
    "go on and",
    "go and",
    "go",
    "try to",
    "do me a favor and",
    "can i",
    "could i",
    "may i",
    "i'd like",
    "i want",
    "show me how to",
    "can we",
    "could we",
    "shall we",
    "let us",
    "kindly",
    "time to",
    "would it be possible to",
    "is there a way to",
    "is there any way to",
    "is it possible to",
    "is it possible for you to",
    "would you be able to",
    "could you possibly",
    "do you mind",
    "mind",
    "and",
    "and then",
    "also",
    "it's time to",
    "it is time to",
    "we need to",
    "we should",
    "you should",
    "i think we should",
    "please go ahead and",
    "would you kindly",
    "just",
    "quickly",
    "now",
    "then",
];

pub(crate) const TRAILING: &[&str] = &[
    "please",
    "for me",
    "thanks",
    "thank you",
    "for now",
    "right now",
    "now",
    "i guess",
    "i think",
    "then",
    "immediately",
    "right away",
    "straight away",
    "at once",
    "asap",
    "again",
    "pls",
    "if you can",
    "if possible",
    "real quick",
    "when you get a chance",
    "exactly",
    "precisely",
    "when you can",
    "if that's ok",
    "if that's okay",
    "for us",
];

/// Strips courtesy words at both ends: "could you please run the backup for me?" → "run the backup".
pub(crate) fn strip_courtesy(text: &str) -> &str {
    strip_courtesy_keeping(text, &[])
}

/// [`strip_courtesy`], keeping the trailing words in `keep` ("again" matters to "run it again").
pub(crate) fn strip_courtesy_keeping<'t>(text: &'t str, keep: &[&str]) -> &'t str {
    let mut text = text.trim().trim_end_matches(['?', '!', '.', ' ']).trim();
    loop {
        let lower = text.to_ascii_lowercase();
        let before = text.len();
        for phrase in POLITE.iter().copied() {
            // "hey alpha,", "hey!", "ok.": the greeting's own punctuation goes with it.
            if let Ok((rest, _)) =
                (kw(phrase), opt(alt((tag(","), tag("!"), tag(".")))), multispace0).parse(lower.as_str())
            {
                if rest.is_empty() {
                    continue;
                }
                text = &text[lower.len() - rest.len()..];
                break;
            }
        }
        let lower = text.to_ascii_lowercase();
        for phrase in TRAILING.iter().copied().filter(|p| !keep.contains(p)) {
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

/// The original text after the lowercase `rest`.
pub(crate) fn original<'a>(text: &'a str, lower: &str, rest: &str) -> &'a str {
    &text[lower.len() - rest.len()..]
}

/// A small number said in words, "zero" to "ten" (each rule's pattern says which it accepts).
pub(crate) fn number_word(word: &str) -> Option<usize> {
    ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"]
        .iter()
        .position(|w| *w == word)
}

pub(crate) fn unquote(text: &str) -> &str {
    let text = text.trim();
    for (open, close) in [('"', '"'), ('\'', '\''), ('“', '”'), ('‘', '’'), ('`', '`')] {
        if let Some(inner) = text.strip_prefix(open).and_then(|t| t.strip_suffix(close)) {
            return inner;
        }
    }
    text
}

/// A name as typed, tidied: quotes and filler removed, original case kept.
pub(crate) fn clean_name(typed: &str) -> String {
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

pub(crate) fn is_list_words(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    if lower.split_whitespace().any(|w| matches!(w, "workflows" | "wf" | "wfs" | "automations")) {
        return true;
    }
    let words = names::words(name);
    words.is_empty() || words.iter().all(|w| matches!(w.as_str(), "all" | "everything" | "list" | "saved" | "me"))
}

pub(crate) fn looks_like_path(text: &str) -> bool {
    // "PATH=$PATH:/usr/local/bin" is a shell assignment, not a file.
    !text.contains(' ') && !text.contains('=') && (text.contains('.') || text.contains('/') || text == "-")
}

pub(crate) const RUN_VERBS: &[&str] = &[
    "run",
    "start",
    "execute",
    "exec",
    "launch",
    "trigger",
    "kick off",
    "fire off",
    "fire up",
    "do",
    "perform",
    "invoke",
    "go",
    "begin",
    "rerun",
    "re-run",
    "redo",
    "call",
    "use",
    "running",
    "starting",
    "executing",
    "kicking off",
];
