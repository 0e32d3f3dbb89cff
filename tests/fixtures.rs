//! The workflow fixtures corpus: every valid file loads; every invalid file produces exactly
//! the diagnostics in its `.expected` file (regenerate with `UPDATE_EXPECT=1 cargo test`).

use std::path::Path;

use alpha::workflow::{Document, Format};

use crate::common::root;

fn documents(kind: &str) -> Vec<(String, Document)> {
    let dir = root().join("tests/fixtures/workflows").join(kind);
    let mut entries: Vec<_> = std::fs::read_dir(&dir)
        .expect("fixtures dir")
        .map(|e| e.expect("entry").path())
        .filter(|p| matches!(p.extension().and_then(|e| e.to_str()), Some("yaml" | "yml" | "json")))
        .collect();
    entries.sort();
    entries
        .into_iter()
        .map(|path| {
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or_default().to_string();
            let text = std::fs::read_to_string(&path).expect("read fixture");
            let doc = Document::from_text(name.clone(), text, Format::from_path(Path::new(&name)));
            (name, doc)
        })
        .collect()
}

#[test]
fn valid_fixtures_load() {
    let docs = documents("valid");
    assert!(docs.len() >= 14, "expected at least 14 valid fixtures, found {}", docs.len());
    for (name, doc) in docs {
        if let Err(diagnostics) = doc.load() {
            panic!("{name} should be valid:\n{}", diagnostics.render(false));
        }
    }
}

#[test]
fn invalid_fixtures_report_expected_diagnostics() {
    let docs = documents("invalid");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut mismatches = Vec::new();
    for (name, doc) in &docs {
        let actual = match doc.load() {
            Ok(_) => "<valid>\n".to_string(),
            Err(diagnostics) => diagnostics.diagnostics.iter().map(|d| format!("{d}\n")).collect::<String>(),
        };
        let expected_path = root().join("tests/fixtures/workflows/invalid").join(format!("{name}.expected"));
        if update {
            std::fs::write(&expected_path, &actual).expect("write expected");
            continue;
        }
        let expected = std::fs::read_to_string(&expected_path).unwrap_or_default();
        if actual != expected {
            mismatches.push(format!("{name}\n--- expected\n{expected}--- actual\n{actual}"));
        }
    }
    assert!(docs.len() >= 26, "expected at least 26 invalid fixtures, found {}", docs.len());
    assert!(mismatches.is_empty(), "{} fixtures differ:\n{}", mismatches.len(), mismatches.join("\n"));
}

#[test]
fn every_invalid_fixture_points_at_a_line() {
    for (name, doc) in documents("invalid") {
        let diagnostics = doc.load().expect_err(&name).diagnostics;
        assert!(!diagnostics.is_empty(), "{name}");
        for d in diagnostics {
            if name != "empty-file.yaml" && name != "not-a-mapping.yaml" {
                assert!(d.line.is_some() && d.column.is_some(), "{name}: `{d}` has no position");
            }
        }
    }
}
