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
    let (rest, _) =
        opt(alt((token("the file"), token("file"), token("workflow from"), token("workflow file"), token("from"))))
            .parse(rest)
            .ok()?;
    let file = unquote(original(text, lower, rest).trim());
    if file.is_empty() || !looks_like_path(file) {
        return None;
    }
    Some(if verb == "import" {
        Intent::Import { file: file.to_string() }
    } else {
        Intent::Validate { file: file.to_string() }
    })
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
    (!name.is_empty()).then(|| Intent::Export { workflow: library.canonical(name), file })
}
