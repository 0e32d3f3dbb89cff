//! The utterance corpus (`grammar/corpus/*.tsv`): every line must parse to its expected intent.

use alpha::grammar::{Library, parse, suggestions};
use proptest::prelude::*;
use serde_json::Value;

use crate::common::root;

fn library() -> Library {
    let text = std::fs::read_to_string(root().join("grammar/corpus/library.txt")).expect("library.txt");
    let mut library = Library::default();
    for line in text.lines().filter(|l| !l.trim().is_empty() && !l.starts_with('#')) {
        let (name, params) = line.split_once(':').unwrap_or((line, ""));
        let params: Vec<String> =
            params.split(',').map(str::trim).filter(|p| !p.is_empty()).map(str::to_string).collect();
        library.names.push(name.trim().to_string());
        library.params.insert(name.trim().to_string(), params);
    }
    // "yesterday" and "in the last 3 days" count from a fixed moment, so the corpus is stable.
    library.now = chrono::DateTime::parse_from_rfc3339("2026-12-03T15:30:00+00:00").ok();
    library
}

#[test]
fn corpus_parses_to_expected_intents() {
    let library = library();
    let dir = root().join("grammar/corpus");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "tsv"))
        .collect();
    files.sort();
    let mut count = 0;
    let mut failures = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).unwrap();
        for (number, line) in text.lines().enumerate() {
            if line.starts_with('#') || line.trim().is_empty() {
                continue;
            }
            let (utterance, expected) =
                line.split_once('\t').unwrap_or_else(|| panic!("{}:{}: no tab", file.display(), number + 1));
            let expected: Value =
                serde_json::from_str(expected).unwrap_or_else(|e| panic!("{}:{}: {e}", file.display(), number + 1));
            let actual = serde_json::to_value(parse(utterance, &library)).unwrap();
            count += 1;
            if actual != expected {
                failures.push(format!(
                    "{}:{}: {utterance:?}\n  expected {expected}\n  actual   {actual}",
                    file.file_name().unwrap().to_string_lossy(),
                    number + 1
                ));
            }
        }
    }
    println!("grammar corpus: {count} utterances, {} failed", failures.len());
    assert!(count >= 1000, "the corpus needs at least 1,000 utterances, has {count}");
    assert!(failures.is_empty(), "{} of {count} utterances failed:\n{}", failures.len(), failures.join("\n"));
}

/// Inputs the fuzzers found; each once crashed something.
#[test]
fn fuzz_findings_stay_fixed() {
    let library = library();
    // fuzz/artifacts/grammar/crash-caa1237f: leading whitespace before a multi-byte character
    // made the suggester slice inside a character.
    let cases: &[(&str, &[&str])] =
        &[(" \u{2082}", &[]), ("  lsit", &["list"]), ("\u{3000}shwo backup files", &["show Backup Files"])];
    for (input, expected) in cases {
        let got = suggestions(&input.to_lowercase(), &library);
        assert_eq!(&got, expected, "{input:?}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, ..ProptestConfig::default() })]

    #[test]
    fn no_input_makes_the_suggester_panic(input in "\\PC{0,40}") {
        let _ = suggestions(&input, &library());
    }

    #[test]
    fn no_input_makes_the_parser_panic(input in "\\PC{0,80}") {
        let _ = parse(&input, &library());
    }

    #[test]
    fn command_shaped_input_never_panics(verb in prop::sample::select(vec!["run", "/run", "schedule", "list", "show", "export", "create a workflow called", "when did", "/list --tags", "/schedule"]), rest in "[ a-zA-Z0-9=:/,.'\"*-]{0,40}") {
        let _ = parse(&format!("{verb} {rest}"), &library());
    }
}
