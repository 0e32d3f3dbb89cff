//! Answers to a yes/no question, as people type them.

/// Whether an answer agrees: "yes", "y", "yes please", "sure, go ahead", "ok do it"; anything
/// with a no in it ("no", "not now", "don't") or anything else is a no, so nothing is done on a
/// doubtful answer.
pub fn is_yes(answer: &str) -> bool {
    let lower = answer.trim().to_lowercase();
    let words: Vec<&str> = lower.split(|c: char| !c.is_alphanumeric() && c != '\'').filter(|w| !w.is_empty()).collect();
    const AGREEING: &[&[&str]] = &[
        &["go", "ahead"],
        &["please", "do"],
        &["do", "it"],
        &["go"],
        &["of", "course"],
        &["sounds", "good"],
        &["why", "not"],
    ];
    if AGREEING.iter().any(|phrase| words.starts_with(phrase) && (phrase.len() > 1 || words.len() == 1)) {
        return true;
    }
    let refuses = words.iter().any(|w| {
        matches!(
            *w,
            "no" | "n" | "not" | "don't" | "dont" | "cancel" | "stop" | "nope" | "nah" | "never" | "wait" | "abort"
        )
    });
    let agrees = words.first().is_some_and(|w| {
        matches!(
            *w,
            "y" | "yes"
                | "yeah"
                | "yep"
                | "yup"
                | "ya"
                | "sure"
                | "ok"
                | "okay"
                | "absolutely"
                | "definitely"
                | "confirm"
                | "confirmed"
                | "correct"
                | "affirmative"
                | "proceed"
                | "yess"
                | "yea"
        )
    });
    agrees && !refuses
}

#[cfg(test)]
mod tests {
    use super::is_yes;

    #[test]
    fn agreeing_answers_are_yes_and_anything_doubtful_is_no() {
        for answer in
            ["y", "Yes", "yes please", "yep!", "sure, go ahead", "ok do it", "go ahead", "go", "of course", "YES."]
        {
            assert!(is_yes(answer), "{answer}");
        }
        for answer in [
            "",
            "n",
            "no",
            "nope",
            "not now",
            "yes, but don't run it",
            "ok wait",
            "please add a step",
            "maybe",
            "going home",
        ] {
            assert!(!is_yes(answer), "{answer}");
        }
    }
}
