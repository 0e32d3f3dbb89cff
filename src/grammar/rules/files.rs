//! "import deploy.yaml", "validate x.yaml", "export deploy to d.yaml".

use super::super::*;

/// `import FILE`, `validate FILE`, `check FILE`.
pub(crate) fn file_command(text: &str, lower: &str, _: &Library) -> Option<Intent> {
    let (rest, verb) = alt((
        token("import").map(|_| "import"),
        alt((token("validate"), token("check"), token("lint"), token("verify"))).map(|_| "validate"),
        (token("load"), opt(token("workflow from")), opt(token("from"))).map(|_| "import"),
    ))
    .parse(lower)
    .ok()?;
    let (rest, _) = opt(alt((
        token("the file"),
        token("this file"),
        token("file"),
        token("workflow from"),
        token("workflow file"),
        token("from"),
    )))
    .parse(rest)
    .ok()?;
    // "import this file: flows/new.yaml"
    let file = unquote(original(text, lower, rest).trim().trim_start_matches(':').trim());
    if file.is_empty() || !looks_like_path(file) {
        return None;
    }
    Some(if verb == "import" {
        Intent::Import { file: file.to_string() }
    } else {
        Intent::Validate { file: file.to_string() }
    })
}

/// "is deploy.yaml a valid workflow?", "does x.yaml look right?", "can you check if x.yaml is ok?"
pub(crate) fn validate_question(text: &str, _: &str, _: &Library) -> Option<Intent> {
    static QUESTIONS: std::sync::LazyLock<Vec<regex::Regex>> = std::sync::LazyLock::new(|| {
        super::anchored_all(&[
            r"(?:is|are)\s+(?P<file>\S+)\s+(?:a\s+)?(?:valid|ok|okay|correct|right|fine|well[- ]formed)(?:\s+(?:workflow|yaml|json|file|workflow file))?",
            r"(?:does|do)\s+(?P<file>\S+)\s+(?:look|seem)\s+(?:right|ok|okay|correct|valid|fine|good)",
            r"(?:check|see|tell me)\s+(?:if|whether)\s+(?P<file>\S+)\s+(?:is|looks)\s+(?:valid|ok|okay|correct|right|fine|good)",
            r"(?:is there|are there)\s+(?:anything|something|any problems?|any errors?|a problem|an error)\s+(?:wrong\s+)?(?:with|in)\s+(?P<file>\S+)",
            r"what's wrong with\s+(?P<file>\S+\.(?:ya?ml|json))",
            r"(?:check|validate|lint|verify|test)\s+(?P<file>\S+)\s+for\s+(?:errors|problems|mistakes|issues|typos)",
        ])
    });
    let line = text.trim().trim_end_matches(['?', '.', '!']).trim();
    let captures = QUESTIONS.iter().find_map(|p| p.captures(line))?;
    let file = unquote(&captures["file"]);
    looks_like_path(file).then(|| Intent::Validate { file: file.to_string() })
}

/// `export X [to FILE]`, `save X to FILE`.
pub(crate) fn export(text: &str, lower: &str, library: &Library) -> Option<Intent> {
    let (rest, _) = alt((token("export"), token("save"), token("dump"), token("write out"))).parse(lower).ok()?;
    let body = original(text, lower, rest).trim();
    let body_lower = body.to_ascii_lowercase();
    let (name, file) =
        match [" to ", " as ", " into "].iter().filter_map(|sep| body_lower.rfind(sep).map(|i| (i, sep.len()))).max() {
            Some((i, len)) if looks_like_path(unquote(body[i + len..].trim())) => {
                (&body[..i], Some(unquote(body[i + len..].trim()).to_string()))
            }
            _ if lower.starts_with("export") || lower.starts_with("dump") => (body, None),
            _ => return None,
        };
    let name = name.trim();
    // "export email digest as json": printed in that format.
    let lower_name = name.to_ascii_lowercase();
    let said = [" as json", " as yaml", " as yml", " in json", " in yaml", " to json", " to yaml"]
        .iter()
        .find(|suffix| lower_name.ends_with(*suffix));
    let (name, format) = match said {
        Some(suffix) if file.is_none() => (
            name[..name.len() - suffix.len()].trim(),
            Some(if suffix.ends_with("json") { "json" } else { "yaml" }.to_string()),
        ),
        _ => (name, None),
    };
    (!name.is_empty()).then(|| Intent::Export { workflow: library.canonical(name), file, format })
}
