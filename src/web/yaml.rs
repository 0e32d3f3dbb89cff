//! YAML with its keys, strings, numbers and comments marked for colour. Every piece goes
//! through maud, so a definition's text is escaped like any other.

use maud::{Markup, html};

/// The definition's text, line by line, with spans around what deserves a colour.
pub fn highlighted(text: &str) -> Markup {
    html! {
        pre.yaml { code {
            @for line in text.lines() { (line_markup(line)) "\n" }
        } }
    }
}

fn line_markup(line: &str) -> Markup {
    let indent = line.len() - line.trim_start().len();
    let (lead, rest) = line.split_at(indent);
    let (dash, rest) = match rest.strip_prefix("- ") {
        Some(after) => ("- ", after),
        None => ("", rest),
    };
    if rest.starts_with('#') {
        return html! { (lead) span.c { (rest) } };
    }
    match key_of(rest) {
        Some((key, value)) => html! { (lead) (dash) span.k { (key) } ":" (scalar(value)) },
        None => html! { (lead) (dash) (scalar(rest)) },
    }
}

/// `key: value` split at the key's colon (not one inside quotes or a value).
fn key_of(text: &str) -> Option<(&str, &str)> {
    if text.starts_with(['"', '\'', '{', '[']) {
        return None;
    }
    let colon = text.find(": ").or_else(|| text.strip_suffix(':').map(|k| k.len()))?;
    let key = &text[..colon];
    (!key.is_empty() && !key.contains('#')).then(|| (key, &text[colon + 1..]))
}

fn scalar(value: &str) -> Markup {
    let trimmed = value.trim();
    let class = if trimmed.starts_with(['"', '\'']) {
        "s"
    } else if trimmed.parse::<f64>().is_ok() || matches!(trimmed, "true" | "false" | "null") {
        "n"
    } else if trimmed.starts_with('|') || trimmed.starts_with('>') {
        "p"
    } else {
        ""
    };
    if class.is_empty() {
        html! { (value) }
    } else {
        html! { span class=(class) { (value) } }
    }
}
