//! A workflow's graph as SVG, drawn here rather than by a script: steps as boxes, conditions as
//! diamonds, parallel members side by side, each node in the row after the longest path that
//! leads to it. On a run's page the boxes take the colour of the step's status.

use std::collections::HashMap;

use maud::{Markup, html};

use crate::executor::Graph;

const WIDTH: i64 = 190;
const HEIGHT: i64 = 44;
const GAP_X: i64 = 26;
const GAP_Y: i64 = 46;
const MARGIN: i64 = 12;

/// Where each node goes: its row (by longest path from the start) and its column in that row.
fn layout(graph: &Graph) -> (HashMap<&str, (i64, i64)>, i64, i64) {
    let mut row: HashMap<&str, i64> = graph.nodes.iter().map(|(id, ..)| (id.as_str(), 0)).collect();
    // The plan lists edges in run order, so a few passes settle the longest paths.
    for _ in 0..graph.nodes.len() {
        let mut changed = false;
        for (from, to, _) in &graph.edges {
            let next = row.get(from.as_str()).copied().unwrap_or(0) + 1;
            if let Some(current) = row.get_mut(to.as_str())
                && *current < next
            {
                *current = next;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let mut columns: HashMap<i64, i64> = HashMap::new();
    let mut place = HashMap::new();
    for (id, ..) in &graph.nodes {
        let r = row.get(id.as_str()).copied().unwrap_or(0);
        let column = columns.entry(r).or_insert(0);
        place.insert(id.as_str(), (r, *column));
        *column += 1;
    }
    let widest = columns.values().copied().max().unwrap_or(1);
    let rows = columns.keys().copied().max().unwrap_or(0) + 1;
    // Centre each row under the widest one.
    let centred = place
        .into_iter()
        .map(|(id, (r, c))| {
            let in_row = columns.get(&r).copied().unwrap_or(1);
            let offset = (widest - in_row) * (WIDTH + GAP_X) / 2;
            (id, (MARGIN + offset + c * (WIDTH + GAP_X), MARGIN + r * (HEIGHT + GAP_Y)))
        })
        .collect();
    (centred, MARGIN * 2 + widest * (WIDTH + GAP_X) - GAP_X, MARGIN * 2 + rows * (HEIGHT + GAP_Y) - GAP_Y)
}

/// The SVG; `status` colours a step by id (a run's page), else every box is neutral.
pub fn svg(graph: &Graph, status: &HashMap<String, String>) -> Markup {
    let (place, width, height) = layout(graph);
    html! {
        svg.graph xmlns="http://www.w3.org/2000/svg" viewBox=(format!("0 0 {width} {height}"))
            width=(width) height=(height) role="img" aria-label="workflow graph" {
            defs { marker #arrow viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse" {
                path d="M 0 0 L 10 5 L 0 10 z" {}
            } }
            @for (from, to, label) in &graph.edges {
                @if let (Some(&(x1, y1)), Some(&(x2, y2))) = (place.get(from.as_str()), place.get(to.as_str())) {
                    @let (sx, sy, ex, ey) = (x1 + WIDTH / 2, y1 + HEIGHT, x2 + WIDTH / 2, y2);
                    @let mid = (sy + ey) / 2;
                    path.edge d=(format!("M {sx} {sy} C {sx} {mid}, {ex} {mid}, {ex} {ey}")) marker-end="url(#arrow)" {}
                    @if let Some(label) = label {
                        text.edge-label x=((sx + ex) / 2 + 4) y=(mid) { (label) }
                    }
                }
            }
            @for (id, title, decision) in &graph.nodes {
                @if let Some(&(x, y)) = place.get(id.as_str()) {
                    (node(id, title, *decision, x, y, status.get(id).map(String::as_str)))
                }
            }
        }
    }
}

fn node(id: &str, title: &str, decision: bool, x: i64, y: i64, status: Option<&str>) -> Markup {
    let class = format!("node {}", status.unwrap_or("idle"));
    let (cx, cy) = (x + WIDTH / 2, y + HEIGHT / 2);
    let short = shorten(title, 26);
    html! {
        g class=(class) data-step=(id) {
            title { (title) }
            @if id == "Start" || id == "End" {
                ellipse.terminal cx=(cx) cy=(cy) rx="34" ry=(HEIGHT / 2 - 4) {}
            } @else if decision {
                polygon points=(format!("{cx},{y} {},{cy} {cx},{} {x},{cy}", x + WIDTH, y + HEIGHT)) {}
            } @else {
                rect x=(x) y=(y) width=(WIDTH) height=(HEIGHT) rx="7" {}
            }
            text x=(cx) y=(cy + 4) text-anchor="middle" { (short) }
        }
    }
}

fn shorten(text: &str, limit: usize) -> String {
    if text.chars().count() <= limit {
        return text.to_string();
    }
    let mut short: String = text.chars().take(limit - 1).collect();
    short.push('…');
    short
}
