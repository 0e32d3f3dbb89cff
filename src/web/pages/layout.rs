//! The frame every page shares: the navigation, the stylesheet and the script.

use maud::{DOCTYPE, Markup, html};

use crate::store::RunStatus;

/// Which section a page belongs to, for the navigation.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Workflows,
    Runs,
    Schedules,
    Suggestions,
    None,
}

/// A whole page.
pub fn frame(title: &str, section: Section, body: Markup) -> Markup {
    let link = |href: &str, label: &str, this: Section| {
        html! { a href=(href) class=[(section == this).then_some("here")] { (label) } }
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · alpha" }
                link rel="stylesheet" href="/assets/style.css";
                script src="/assets/app.js" defer {}
            }
            body {
                header.top {
                    a.brand href="/" { "alpha" }
                    nav {
                        (link("/", "Workflows", Section::Workflows))
                        (link("/runs", "Runs", Section::Runs))
                        (link("/schedules", "Schedules", Section::Schedules))
                        (link("/suggestions", "Suggestions", Section::Suggestions))
                    }
                }
                main { (body) }
            }
        }
    }
}

/// A page that only says something (an error, a refusal).
pub fn message_page(title: &str, message: &str) -> Markup {
    frame(title, Section::None, html! { h1 { (title) } p.message { (message) } })
}

/// A status as a coloured word.
pub fn badge(status: &str) -> Markup {
    html! { span class=(format!("badge {status}")) data-status=(status) { (status) } }
}

/// A run status as a coloured word.
pub fn run_badge(status: RunStatus) -> Markup {
    badge(status.as_str())
}

/// A recorded time as `2026-12-03 14:05:09` (UTC, as stored), or a dash.
pub fn time(text: Option<&str>) -> Markup {
    match text {
        Some(t) => {
            let short = t.get(..19).unwrap_or(t).replace('T', " ");
            html! { time datetime=(t) { (short) } }
        }
        None => html! { span.muted { "—" } },
    }
}

/// A duration in milliseconds, the way people read it.
pub fn duration(ms: Option<i64>) -> String {
    match ms {
        None => "—".into(),
        Some(ms) if ms < 1_000 => format!("{ms} ms"),
        Some(ms) if ms < 60_000 => format!("{:.1} s", ms as f64 / 1000.0),
        Some(ms) => format!("{}m {:02}s", ms / 60_000, (ms % 60_000) / 1000),
    }
}

/// A link to a workflow's page.
pub fn workflow_link(name: &str) -> Markup {
    html! { a href=(format!("/workflows/{}", super::super::auth::encode(name))) { (name) } }
}

/// A link to a run's page, by its short id.
pub fn run_link(id: &str) -> Markup {
    html! { a.mono href=(format!("/runs/{}", super::super::auth::encode(id))) { (crate::commands::short_id(id)) } }
}

/// A JSON value as a person types it: strings bare, the rest as JSON.
pub fn value_text(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
