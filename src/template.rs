//! `{{ }}` templates and `if:` conditions, on MiniJinja with strict undefined (design.md §3).
//!
//! One environment serves the validator (which only parses) and the executor (which renders),
//! so both agree on syntax, filters and built-in names.

use std::collections::BTreeSet;

use minijinja::value::Value as JinjaValue;
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior};

/// Names every template may use besides parameters and step ids.
pub const BUILTIN_NAMES: &[&str] = &["params", "env", "now", "run", "workflow"];

/// MiniJinja's global functions, which are not references to anything the workflow defines.
const GLOBAL_FUNCTIONS: &[&str] = &["range", "dict", "namespace", "debug"];

/// Marker wrapped around values that `| raw` lets into a shell command unquoted.
const RAW_MARK: &str = "\u{1}alpha-raw\u{1}";

/// Around a value inserted into a path or a URL, until [`finish`] deals with it.
const VALUE_START: char = '\u{2}';
const VALUE_END: char = '\u{3}';
/// Around a value passed through `| raw` there.
const RAW_START: char = '\u{4}';
const RAW_END: char = '\u{5}';
const MARKS: [char; 4] = [VALUE_START, VALUE_END, RAW_START, RAW_END];

/// Characters a URL value keeps as they are (RFC 3986's unreserved); every other byte is
/// percent-encoded, as `encodeURIComponent` does.
pub const URL_COMPONENT: &percent_encoding::AsciiSet =
    &percent_encoding::NON_ALPHANUMERIC.remove(b'-').remove(b'.').remove(b'_').remove(b'~');

/// How rendered values are escaped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Escape {
    /// Values are inserted as text.
    None,
    /// Every inserted value is shell-quoted, unless passed through `| raw`.
    Shell,
    /// A value inserted into a file path around other text may not climb out of it (a `..`
    /// component) or hold a NUL byte, unless passed through `| raw`. A path that is one whole
    /// `{{ expr }}` is the value itself and is not checked. The check is on the final,
    /// normalized path: it may not climb above the literal directory the template starts with.
    Path,
    /// Values inserted into a URL's path, query or fragment are percent-encoded, unless passed
    /// through `| raw`; values before the path (the scheme and host, a base URL) are the
    /// author's choice and go in as they are.
    Url,
}

/// Builds the template environment.
pub fn environment(escape: Escape) -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(1_000_000));
    env.set_recursion_limit(64);
    env.add_filter("arg", |value: JinjaValue| -> Result<JinjaValue, Error> {
        let text = display(&value);
        if text.starts_with('-') {
            let shown: String = text.chars().take(60).collect();
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("the value {shown:?} starts with `-` and would be read as an option, not an argument"),
            ));
        }
        Ok(value)
    });
    env.add_filter("json", |value: JinjaValue| -> Result<String, Error> {
        serde_json::to_string(&value).map_err(|e| Error::new(ErrorKind::InvalidOperation, e.to_string()))
    });
    if escape == Escape::Shell {
        env.add_filter("raw", |value: JinjaValue| format!("{RAW_MARK}{}", display(&value)));
        env.set_formatter(|out, _state, value| {
            let text = display(value);
            if let Some(raw) = text.strip_prefix(RAW_MARK) {
                out.write_str(raw)?;
            } else {
                out.write_str(&shell_quote(&text))?;
            }
            Ok(())
        });
    } else if matches!(escape, Escape::Path | Escape::Url) {
        // Values are marked where they land; [`finish`] checks or encodes them once the whole
        // text is known, since where a value lands decides what it may hold.
        env.add_filter("raw", |value: JinjaValue| format!("{RAW_MARK}{}", display(&value)));
        env.set_formatter(|out, _state, value| {
            let text = display(value);
            match text.strip_prefix(RAW_MARK) {
                Some(raw) => write!(out, "{RAW_START}{}{RAW_END}", without_marks(raw))?,
                None => write!(out, "{VALUE_START}{}{VALUE_END}", text.replace(MARKS, "\u{fffd}"))?,
            }
            Ok(())
        });
    } else {
        env.add_filter("raw", |value: JinjaValue| display(&value));
        env.set_formatter(|out, _state, value| {
            out.write_str(&display(value))?;
            Ok(())
        });
    }
    env
}

/// The text of a value as inserted into a template: strings as-is, null as empty, others as JSON.
pub fn display(value: &JinjaValue) -> String {
    if let Some(text) = value.as_str() {
        return text.to_string();
    }
    if value.is_none() || value.is_undefined() {
        return String::new();
    }
    match value.kind() {
        minijinja::value::ValueKind::Seq | minijinja::value::ValueKind::Map => {
            serde_json::to_string(value).unwrap_or_else(|_| value.to_string())
        }
        // JSON's words, as a shell command or a file expects, not Python's `True`.
        minijinja::value::ValueKind::Bool => if value.is_true() { "true" } else { "false" }.to_string(),
        _ => value.to_string(),
    }
}

/// A filter or test name a template uses that alpha's templates don't have
/// (`{{ x | nosuchfilter }}`), found before anything runs. The template is rendered once in a
/// lenient copy of the environment where every name is undefined, so only unknown names fail.
pub fn unknown_name(text: &str, expression: bool) -> Option<String> {
    // Filters need `|` and tests `is`: most templates have neither, and skip the render.
    if !text.contains('|') && !text.split_whitespace().any(|w| w == "is") {
        return None;
    }
    let mut env = environment(Escape::None);
    env.set_undefined_behavior(UndefinedBehavior::Chainable);
    let result = if expression {
        env.compile_expression(condition_expression(text)).and_then(|e| e.eval(()).map(|_| ()))
    } else {
        env.render_str(text, ()).map(|_| ())
    };
    match result {
        Err(error) if matches!(error.kind(), ErrorKind::UnknownFilter | ErrorKind::UnknownTest) => {
            Some(match error.detail() {
                Some(detail) => format!("{}: {detail}", error.kind()),
                None => error.kind().to_string(),
            })
        }
        _ => None,
    }
}

/// `text` without the marks [`Escape::Path`] and [`Escape::Url`] put around values.
fn without_marks(text: &str) -> String {
    text.replace(MARKS, "")
}

/// One piece of a text rendered with value marks.
enum Piece<'a> {
    Literal(&'a str),
    Value(&'a str),
    Raw(&'a str),
}

fn pieces(rendered: &str) -> Vec<Piece<'_>> {
    let mut pieces = Vec::new();
    let mut rest = rendered;
    while let Some(start) = rest.find([VALUE_START, RAW_START]) {
        if start > 0 {
            pieces.push(Piece::Literal(&rest[..start]));
        }
        let raw = rest[start..].starts_with(RAW_START);
        let body = &rest[start + 1..];
        let end = body.find(if raw { RAW_END } else { VALUE_END }).unwrap_or(body.len());
        pieces.push(if raw { Piece::Raw(&body[..end]) } else { Piece::Value(&body[..end]) });
        rest = body.get(end + 1..).unwrap_or("");
    }
    if !rest.is_empty() {
        pieces.push(Piece::Literal(rest));
    }
    pieces
}

/// The text of a template rendered in `escape`, with its values checked or encoded where they
/// landed. Rendering in [`Escape::Path`] or [`Escape::Url`] leaves marks only this removes.
pub fn finish(escape: Escape, rendered: String) -> Result<String, String> {
    match escape {
        Escape::Path => finish_path(&rendered),
        Escape::Url => finish_url(&rendered),
        Escape::None | Escape::Shell => Ok(rendered),
    }
}

/// A path from its pieces: the literal directory it starts with is its root, and the whole
/// path, normalized, may not climb above it (`~/.{{ app }}rc` with `app=./evil` would).
fn finish_path(rendered: &str) -> Result<String, String> {
    let pieces = pieces(rendered);
    let mut path = String::new();
    let mut raw = false;
    for piece in &pieces {
        match piece {
            Piece::Literal(text) => path.push_str(text),
            Piece::Value(text) => {
                if text.contains('\0') {
                    return Err(format!("the value {:?} would put a NUL byte into a path", shown(text)));
                }
                path.push_str(text);
            }
            Piece::Raw(text) => {
                raw = true;
                path.push_str(text);
            }
        }
    }
    if raw {
        return Ok(path);
    }
    let prefix = match pieces.first() {
        Some(Piece::Literal(text)) => *text,
        _ => "",
    };
    let root = &prefix[..prefix.rfind('/').map_or(0, |i| i + 1)];
    if climbs(&path[root.len()..]) {
        let around = if root.is_empty() { "the directory it starts in".to_string() } else { format!("`{root}`") };
        return Err(format!(
            "the path {:?} would climb out of the directory around it ({around}); pass the values through `| raw` if that is intended",
            shown(&path)
        ));
    }
    Ok(path)
}

/// Whether a relative path, normalized, goes above where it starts.
fn climbs(path: &str) -> bool {
    let mut depth = 0usize;
    for component in path.split('/') {
        match component {
            "" | "." => {}
            ".." => match depth.checked_sub(1) {
                Some(up) => depth = up,
                None => return true,
            },
            _ => depth += 1,
        }
    }
    false
}

/// A URL from its pieces: each value percent-encoded for where it landed, except before the
/// path begins (a base URL or host as the author wrote it) and through `| raw`.
fn finish_url(rendered: &str) -> Result<String, String> {
    let mut url = String::new();
    for piece in pieces(rendered) {
        match piece {
            Piece::Literal(text) | Piece::Raw(text) => url.push_str(text),
            Piece::Value(text) => {
                let after_scheme = url.find("://").map_or(0, |i| i + 3);
                let in_base = !url[after_scheme..].contains(['/', '?', '#']);
                if in_base {
                    url.push_str(text);
                    continue;
                }
                let in_path = !url[after_scheme..].contains(['?', '#']);
                if in_path && (text == "." || text == "..") {
                    return Err(format!(
                        "the value {text:?} would move up the URL's path; pass it through `| raw` if that is intended"
                    ));
                }
                url.extend(percent_encoding::utf8_percent_encode(text, URL_COMPONENT));
            }
        }
    }
    Ok(url)
}

/// At most 60 characters of `text`, for a message.
fn shown(text: &str) -> String {
    text.chars().take(60).collect()
}

/// Quotes `text` for a POSIX shell; NUL bytes, which no shell argument can hold, are dropped.
pub fn shell_quote(text: &str) -> String {
    let cleaned: String = text.chars().filter(|c| *c != '\0').collect();
    if cleaned.is_empty() {
        return "''".to_string();
    }
    match shlex::try_quote(&cleaned) {
        Ok(quoted) => quoted.into_owned(),
        Err(_) => format!("'{}'", cleaned.replace('\'', "'\\''")),
    }
}

/// True when `text` contains template syntax.
pub fn is_template(text: &str) -> bool {
    text.contains("{{") || text.contains("{%")
}

/// The expression of an `if:` condition, written with or without surrounding `{{ }}`.
pub fn condition_expression(condition: &str) -> &str {
    let trimmed = condition.trim();
    if let Some(inner) = trimmed.strip_prefix("{{").and_then(|rest| rest.strip_suffix("}}"))
        && !inner.contains("{{")
        && !inner.contains("}}")
    {
        return inner.trim();
    }
    trimmed
}

/// The dotted names (`step.field`, `param`) a template or expression reads from its context.
pub fn references(env: &Environment<'_>, text: &str, expression: bool) -> Result<BTreeSet<String>, Error> {
    if !expression && let Some(names) = plain_references(text) {
        return Ok(names.into_iter().filter(|name| !GLOBAL_FUNCTIONS.contains(&root(name))).collect());
    }
    let names = if expression {
        env.compile_expression(condition_expression(text))?.undeclared_variables(true)
    } else {
        env.template_from_str(text)?.undeclared_variables(true)
    };
    Ok(names.into_iter().filter(|name| !GLOBAL_FUNCTIONS.contains(&root(name))).collect())
}

/// The names of a template made only of `{{ a.b.c }}` references (most are), read without
/// compiling it; `None` for anything else (filters, blocks, expressions), which the template
/// engine reads.
fn plain_references(text: &str) -> Option<BTreeSet<String>> {
    if text.contains("{%") || text.contains("{#") {
        return None;
    }
    let mut names = BTreeSet::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let end = after.find("}}")?;
        let inner = after[..end].trim().trim_start_matches('-').trim_end_matches('-').trim();
        let path = inner.split('.').all(|part| {
            part.chars().next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
                && part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
        if !path || is_keyword(inner) {
            return None;
        }
        names.insert(inner.to_string());
        rest = &after[end + 2..];
    }
    Some(names)
}

/// Words the template language gives a meaning of its own.
fn is_keyword(word: &str) -> bool {
    matches!(word, "true" | "false" | "none" | "True" | "False" | "None" | "loop" | "self")
}

/// The first segment of a dotted name.
pub fn root(name: &str) -> &str {
    name.split('.').next().unwrap_or(name)
}

#[cfg(test)]
mod tests {
    #[test]
    fn plain_references_read_what_the_engine_reads() {
        let env = super::environment(super::Escape::None);
        for text in
            ["echo {{ s0.output }}", "{{a}} and {{ b.c.d }}", "{{- x -}}", "x {{ params.branch }} {{ s1.stdout }}"]
        {
            let fast = super::plain_references(text).expect("a plain template");
            let engine: std::collections::BTreeSet<String> =
                env.template_from_str(text).unwrap().undeclared_variables(true).into_iter().collect();
            assert_eq!(fast, engine, "{text}");
        }
        for text in ["{{ x | upper }}", "{% if a %}b{% endif %}", "{{ a + 1 }}", "{{ true }}", "{{ a['b'] }}"] {
            assert!(super::plain_references(text).is_none(), "{text}");
        }
    }

    #[test]
    fn each_escape_mode_inserts_values_its_own_way() {
        let ctx =
            minijinja::context! { v => "../etc; rm", items => vec!["a b", "c"], m => minijinja::context! { k => 1 } };
        let cases: &[(super::Escape, &str, Result<&str, &str>)] = &[
            (super::Escape::None, "x/{{ v }}", Ok("x/../etc; rm")),
            (super::Escape::Shell, "echo {{ v }}", Ok("echo '../etc; rm'")),
            (super::Escape::Shell, "echo {{ v | raw }}", Ok("echo ../etc; rm")),
            (super::Escape::Shell, "echo {{ items }}", Ok("echo '[\"a b\",\"c\"]'")),
            (super::Escape::None, "{{ m }}", Ok("{\"k\":1}")),
        ];
        for (escape, template, expected) in cases {
            let got = super::environment(*escape).render_str(template, ctx.clone()).map_err(|e| e.to_string());
            match expected {
                Ok(text) => assert_eq!(got.as_deref(), Ok(*text), "{escape:?} {template}"),
                Err(part) => assert!(got.as_ref().is_err_and(|e| e.contains(part)), "{escape:?} {template}: {got:?}"),
            }
        }
    }
    #[test]
    fn paths_may_not_climb_above_the_directory_they_start_in() {
        let cases: &[(&str, &str, &str, Result<&str, &str>)] = &[
            ("out/{{ a }}", "notes", "", Ok("out/notes")),
            ("out/{{ a }}", "sub/../dir", "", Ok("out/sub/../dir")),
            ("out/{{ a }}.txt", "..", "", Ok("out/...txt")),
            ("out/{{ a }}", "..", "", Err("climb out")),
            ("out/{{ a }}", "a/../../x", "", Err("climb out")),
            ("~/.{{ a }}rc", "./evil", "", Err("climb out of the directory around it (`~/`)")),
            ("/sandbox/{{ a }}{{ b }}", ".", "./x", Err("climb out")),
            ("/sandbox/{{ a }}{{ b }}", "a", "/x", Ok("/sandbox/a/x")),
            ("/sandbox/{{ a | raw }}{{ b }}", ".", "./x", Ok("/sandbox/../x")),
            ("{{ a }}/{{ b }}", "/tmp", "x", Ok("/tmp/x")),
            ("{{ a }}/x", "..", "", Err("climb out")),
            ("out/{{ a }}", "a\0b", "", Err("NUL byte")),
        ];
        let env = environment(Escape::Path);
        for (template, a, b, expected) in cases {
            let got = env
                .render_str(template, minijinja::context! { a => *a, b => *b })
                .map_err(|e| e.to_string())
                .and_then(|rendered| finish(Escape::Path, rendered));
            match expected {
                Ok(text) => assert_eq!(got.as_deref(), Ok(*text), "{template} a={a:?} b={b:?}"),
                Err(part) => assert!(got.as_ref().is_err_and(|e| e.contains(part)), "{template} a={a:?}: {got:?}"),
            }
        }
    }

    #[test]
    fn url_values_are_encoded_where_they_land() {
        let cases: &[(&str, &str, Result<&str, &str>)] = &[
            ("https://api.test/items/{{ a }}", "../admin", Ok("https://api.test/items/..%2Fadmin")),
            ("https://api.test/items/{{ a }}", "..", Err("move up the URL's path")),
            ("https://api.test/s?q={{ a }}&x=1", "a&b=c #d", Ok("https://api.test/s?q=a%26b%3Dc%20%23d&x=1")),
            ("{{ a }}/items", "http://127.0.0.1:8080/api", Ok("http://127.0.0.1:8080/api/items")),
            ("https://{{ a }}/x", "host.test:8443", Ok("https://host.test:8443/x")),
            ("https://api.test/{{ a | raw }}", "a/b?c", Ok("https://api.test/a/b?c")),
            ("https://api.test/#{{ a }}", "x y", Ok("https://api.test/#x%20y")),
            ("https://api.test/{{ a }}", "ünï", Ok("https://api.test/%C3%BCn%C3%AF")),
        ];
        let env = environment(Escape::Url);
        for (template, a, expected) in cases {
            let got = env
                .render_str(template, minijinja::context! { a => *a })
                .map_err(|e| e.to_string())
                .and_then(|rendered| finish(Escape::Url, rendered));
            match expected {
                Ok(text) => assert_eq!(got.as_deref(), Ok(*text), "{template} a={a:?}"),
                Err(part) => assert!(got.as_ref().is_err_and(|e| e.contains(part)), "{template} a={a:?}: {got:?}"),
            }
        }
    }

    #[test]
    fn the_arg_filter_refuses_what_would_read_as_an_option() {
        let env = environment(Escape::Shell);
        let ok = env.render_str("grep {{ p | arg }} f", minijinja::context! { p => "needle" });
        assert_eq!(ok.as_deref().ok(), Some("grep needle f"));
        let refused = env.render_str("grep {{ p | arg }} f", minijinja::context! { p => "--include=x" });
        assert!(refused.is_err_and(|e| e.to_string().contains("would be read as an option")));
    }

    use super::*;

    #[test]
    fn booleans_render_as_json_words() {
        let env = environment(Escape::Shell);
        let out = env.render_str("echo {{ yes }} {{ no }}", minijinja::context! { yes => true, no => false }).unwrap();
        assert_eq!(out, "echo true false");
    }

    #[test]
    fn unknown_filters_tests_and_functions_are_found_without_a_context() {
        assert!(unknown_name("{{ x | nosuchfilter }}", false).is_some_and(|e| e.contains("unknown filter")));
        assert!(unknown_name("x is nosuchtest", true).is_some_and(|e| e.contains("unknown test")));
        assert_eq!(unknown_name("{{ x | upper | default('a') }} {{ y.z | json }}", false), None);
        assert_eq!(unknown_name("{% if a %}{{ b | trim }}{% endif %}", false), None);
    }

    #[test]
    fn strips_braces_from_conditions() {
        let cases = [
            ("{{ test.exit_code == 0 }}", "test.exit_code == 0"),
            ("test.exit_code == 0", "test.exit_code == 0"),
            ("  {{x}} ", "x"),
            ("{{ a }} and {{ b }}", "{{ a }} and {{ b }}"),
        ];
        for (input, expected) in cases {
            assert_eq!(condition_expression(input), expected, "{input}");
        }
    }

    #[test]
    fn finds_nested_references() {
        let env = environment(Escape::None);
        let refs =
            references(&env, "{{ fetch.count }} {{ branch | upper }} {% for x in items %}{{ x }}{% endfor %}", false)
                .unwrap();
        let refs: Vec<_> = refs.into_iter().collect();
        assert_eq!(refs, ["branch", "fetch.count", "items"]);
        let refs = references(&env, "test.exit_code == 0 and range(3)", true).unwrap();
        assert_eq!(refs.into_iter().collect::<Vec<_>>(), ["test.exit_code"]);
    }

    #[test]
    fn shell_escape_quotes_values_but_not_raw() {
        let env = environment(Escape::Shell);
        let ctx = minijinja::context! { v => "x; rm -rf ~", w => "a b" };
        let out = env.render_str("echo {{ v }} {{ w | raw }}", ctx).unwrap();
        assert_eq!(out, "echo 'x; rm -rf ~' a b");
    }
}
