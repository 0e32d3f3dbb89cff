//! The layers of design.md §1, checked on the source: arrows between top-level modules point
//! down only (which also rules out cycles), SQL is written only in the store, and nothing in the
//! commands layer or below prints.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Each top-level module of `src/` and its layer, from the faces (0) down to the model (4).
/// A module may use modules of its own layer or below; within a layer the graph must still be
/// acyclic.
const LAYERS: &[(&str, u8)] = &[
    ("cli", 0),
    ("repl", 0),
    ("terminal", 0),
    ("web", 0),
    ("commands", 1),
    ("builder", 2),
    ("grammar", 2),
    ("proactive", 2),
    ("llm", 2),
    ("executor", 2),
    ("schedule", 2),
    ("templates", 2),
    ("tools", 3),
    ("store", 3),
    ("workflow", 4),
    ("template", 4),
    ("diagnostic", 4),
    ("error", 4),
    ("secrets", 4),
    ("clip", 4),
    ("paths", 4),
    ("process", 4),
    ("config", 4),
];

fn layer(module: &str) -> Option<u8> {
    LAYERS.iter().find(|(name, _)| *name == module).map(|(_, layer)| *layer)
}

/// Every `.rs` file under `dir`.
fn sources(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                pending.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The source without `#[cfg(test)] mod … { … }` blocks and without comments.
fn code(text: &str) -> String {
    let mut kept = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("#[cfg(test)]") {
        kept.push_str(&rest[..start]);
        let after = &rest[start..];
        match after.find('{') {
            Some(open) if after[..open].contains("mod ") => {
                let mut depth = 0;
                let mut end = after.len();
                for (i, c) in after[open..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = open + i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                rest = &after[end..];
            }
            _ => {
                kept.push_str("#[cfg(test)]");
                rest = &after["#[cfg(test)]".len()..];
            }
        }
    }
    kept.push_str(rest);
    kept.lines().filter(|line| !line.trim_start().starts_with("//")).collect::<Vec<_>>().join("\n")
}

fn module_of(src: &Path, file: &Path) -> String {
    let relative = file.strip_prefix(src).expect("inside src");
    let first = relative.components().next().expect("a component").as_os_str().to_string_lossy().into_owned();
    first.trim_end_matches(".rs").to_string()
}

/// `crate::x` references, including those inside `use crate::{x, y::z}` groups.
fn references(code: &str) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    let ident = |s: &str| s.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect::<String>();
    for (i, _) in code.match_indices("crate::") {
        let after = &code[i + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let inner = &group[..group.find('}').unwrap_or(group.len())];
            found.extend(inner.split(',').map(|item| ident(item.trim())).filter(|m| !m.is_empty()));
        } else {
            let name = ident(after);
            if !name.is_empty() {
                found.insert(name);
            }
        }
    }
    found
}

fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut edges: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for file in sources(&src) {
        let module = module_of(&src, &file);
        if module == "lib" || module == "main" {
            continue;
        }
        let text = code(&std::fs::read_to_string(&file).expect("read source"));
        let targets: Vec<String> = references(&text).into_iter().filter(|t| *t != module).collect();
        edges.entry(module).or_default().extend(targets);
    }
    edges
}

#[test]
fn every_module_has_a_layer() {
    for module in graph().keys() {
        assert!(layer(module).is_some(), "src/{module} has no layer in tests/architecture.rs (design.md §1)");
    }
}

#[test]
fn imports_point_down_the_layers_only() {
    let mut upward = Vec::new();
    for (from, targets) in graph() {
        for to in targets {
            if let (Some(a), Some(b)) = (layer(&from), layer(&to))
                && b < a
            {
                upward.push(format!("{from} (layer {a}) uses {to} (layer {b})"));
            }
        }
    }
    assert!(upward.is_empty(), "imports that point up the layers:\n{}", upward.join("\n"));
}

#[test]
fn the_module_graph_has_no_cycles() {
    let edges = graph();
    // Depth-first search for a back edge; reports the cycle it closes.
    fn visit(
        node: &str,
        edges: &BTreeMap<String, BTreeSet<String>>,
        path: &mut Vec<String>,
        done: &mut BTreeSet<String>,
    ) -> Option<Vec<String>> {
        if let Some(at) = path.iter().position(|n| n == node) {
            let mut cycle = path[at..].to_vec();
            cycle.push(node.to_string());
            return Some(cycle);
        }
        if done.contains(node) {
            return None;
        }
        path.push(node.to_string());
        for next in edges.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(next, edges, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        done.insert(node.to_string());
        None
    }
    let mut done = BTreeSet::new();
    for node in edges.keys() {
        if let Some(cycle) = visit(node, &edges, &mut Vec::new(), &mut done) {
            panic!("a cycle between modules: {}", cycle.join(" -> "));
        }
    }
}

#[test]
fn sql_is_written_only_in_the_store() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let statements = ["SELECT ", "INSERT INTO", "INSERT OR", "UPDATE ", "DELETE FROM", "CREATE TABLE", "PRAGMA "];
    let mut leaks = Vec::new();
    for file in sources(&src) {
        if module_of(&src, &file) == "store" {
            continue;
        }
        let text = code(&std::fs::read_to_string(&file).expect("read source"));
        for literal in text.split('"').skip(1).step_by(2) {
            let upper = literal.trim_start();
            if statements.iter().any(|s| upper.starts_with(s))
                && (upper.contains(" FROM ")
                    || upper.contains(" INTO ")
                    || upper.contains(" SET ")
                    || upper.starts_with("PRAGMA")
                    || upper.starts_with("CREATE"))
            {
                leaks.push(format!("{}: \"{literal}\"", file.display()));
            }
        }
    }
    assert!(leaks.is_empty(), "SQL outside src/store:\n{}", leaks.join("\n"));
}

#[test]
fn nothing_below_the_faces_prints() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut prints = Vec::new();
    for file in sources(&src) {
        let module = module_of(&src, &file);
        if layer(&module).is_none_or(|l| l == 0) {
            continue;
        }
        let text = code(&std::fs::read_to_string(&file).expect("read source"));
        for (n, line) in text.lines().enumerate() {
            if ["println!", "print!(", "std::process::exit"].iter().any(|p| line.contains(p)) {
                prints.push(format!("{}:{}: {}", file.display(), n + 1, line.trim()));
            }
        }
    }
    assert!(prints.is_empty(), "printing below the faces:\n{}", prints.join("\n"));
}

#[test]
fn the_chat_shell_never_calls_the_cli() {
    let edges = graph();
    assert!(!edges.get("repl").is_some_and(|t| t.contains("cli")), "repl uses cli: {:?}", edges.get("repl"));
}

#[test]
fn the_dashboard_is_a_face_of_its_own_over_the_commands() {
    let edges = graph();
    let web = edges.get("web").cloned().unwrap_or_default();
    for other in ["cli", "repl", "terminal"] {
        assert!(!web.contains(other), "web uses {other}: {web:?}");
    }
    assert!(web.contains("commands"), "the dashboard calls the commands layer: {web:?}");
}
