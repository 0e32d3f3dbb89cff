//! The static shape of a run: step numbers for progress lines, dag dependencies, and the
//! `--dry-run` plan.

use std::collections::{BTreeSet, HashMap};
use std::fmt::Write as _;

use serde_json::Value;

use crate::template::{self, Escape};
use crate::workflow::{ExecutionMode, Step, ToolStep, Workflow};

/// 1-based numbers of the tool steps in definition order (fallbacks excluded), and their count.
pub fn numbering(steps: &[Step]) -> (HashMap<String, usize>, usize) {
    fn walk(steps: &[Step], numbers: &mut HashMap<String, usize>) {
        for step in steps {
            match step {
                Step::Tool(tool) => {
                    let next = numbers.len() + 1;
                    numbers.insert(tool.id.clone(), next);
                }
                Step::Parallel(group) => walk(&group.parallel, numbers),
                Step::Branch(branch) => {
                    walk(&branch.then, numbers);
                    walk(&branch.otherwise, numbers);
                }
            }
        }
    }
    let mut numbers = HashMap::new();
    walk(steps, &mut numbers);
    let total = numbers.len();
    (numbers, total)
}

fn ids(step: &Step, out: &mut Vec<String>) {
    if let Some(id) = step.id() {
        out.push(id.to_string());
    }
    match step {
        Step::Tool(tool) => out.extend(tool.fallback.iter().map(|f| f.id.clone()).filter(|id| !id.is_empty())),
        Step::Parallel(group) => group.parallel.iter().for_each(|s| ids(s, out)),
        Step::Branch(branch) => branch.then.iter().chain(&branch.otherwise).for_each(|s| ids(s, out)),
    }
}

fn texts(step: &Step, out: &mut Vec<(String, bool)>) {
    fn values(value: &Value, out: &mut Vec<(String, bool)>) {
        match value {
            Value::String(s) => out.push((s.clone(), false)),
            Value::Array(items) => items.iter().for_each(|v| values(v, out)),
            Value::Object(map) => map.values().for_each(|v| values(v, out)),
            _ => {}
        }
    }
    fn tool(step: &ToolStep, out: &mut Vec<(String, bool)>) {
        step.parameters.values().for_each(|v| values(v, out));
        if let Some(c) = &step.condition {
            out.push((c.clone(), true));
        }
        step.fallback.iter().for_each(|f| tool(f, out));
    }
    match step {
        Step::Tool(t) => tool(t, out),
        Step::Parallel(group) => group.parallel.iter().for_each(|s| texts(s, out)),
        Step::Branch(branch) => {
            out.push((branch.condition.clone(), true));
            branch.then.iter().chain(&branch.otherwise).for_each(|s| texts(s, out));
        }
    }
}

/// For dag mode: the top-level entries each entry waits for (its `depends_on` and the steps its
/// templates reference).
pub fn dependencies(workflow: &Workflow) -> Vec<Vec<usize>> {
    let mut owner: HashMap<String, usize> = HashMap::new();
    for (index, step) in workflow.steps.iter().enumerate() {
        let mut found = Vec::new();
        ids(step, &mut found);
        for id in found {
            owner.insert(id, index);
        }
    }
    let env = template::environment(Escape::None);
    workflow
        .steps
        .iter()
        .enumerate()
        .map(|(index, step)| {
            let mut deps = BTreeSet::new();
            for name in step.depends_on() {
                if let Some(&other) = owner.get(name) {
                    deps.insert(other);
                }
            }
            let mut found = Vec::new();
            texts(step, &mut found);
            for (text, expression) in found {
                if !expression && !template::is_template(&text) {
                    continue;
                }
                for name in template::references(&env, &text, expression).unwrap_or_default() {
                    if let Some(&other) = owner.get(template::root(&name)) {
                        deps.insert(other);
                    }
                }
            }
            deps.remove(&index);
            deps.into_iter().collect()
        })
        .collect()
}

/// The resolved plan, for `--dry-run`: parameters, order, parallel groups, conditions.
pub fn dry_run(workflow: &Workflow, params: &Value) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "Plan for workflow: {} (v{})", workflow.name, workflow.version);
    if let Value::Object(map) = params
        && !map.is_empty()
    {
        let _ = writeln!(out, "Parameters:");
        for (k, v) in map {
            let _ = writeln!(out, "  {k} = {}", v.as_str().map_or_else(|| v.to_string(), str::to_string));
        }
    }
    let (numbers, total) = numbering(&workflow.steps);
    let mode = match workflow.execution.mode {
        ExecutionMode::Sequential => "sequential".to_string(),
        ExecutionMode::Dag => "dag (each step starts when its dependencies are done)".to_string(),
    };
    let _ = writeln!(
        out,
        "Mode: {mode}{}",
        workflow.execution.max_parallel.map(|n| format!(", at most {n} at once")).unwrap_or_default()
    );
    let _ = writeln!(out, "Steps:");
    let deps = dependencies(workflow);
    for (index, step) in workflow.steps.iter().enumerate() {
        describe(step, &numbers, total, 1, params, &mut out);
        if workflow.execution.mode == ExecutionMode::Dag && !deps[index].is_empty() {
            let names: Vec<String> =
                deps[index].iter().map(|d| workflow.steps[*d].id().unwrap_or("group").to_string()).collect();
            let _ = writeln!(out, "    after: {}", names.join(", "));
        }
    }
    let _ = writeln!(out, "Nothing was run (dry run).");
    out
}

/// A command with the run's parameters filled in (quoted as the run would; secrets are already
/// `***`); one that reads earlier steps' results is shown as written, since they don't exist yet.
fn filled(command: &str, params: &Value) -> String {
    if !template::is_template(command) {
        return command.to_string();
    }
    let mut ctx = params.as_object().cloned().unwrap_or_default();
    ctx.insert("params".into(), params.clone());
    let env: serde_json::Map<String, Value> = std::env::vars().map(|(k, v)| (k, Value::String(v))).collect();
    ctx.insert("env".into(), Value::Object(env));
    template::environment(template::Escape::Shell)
        .render_str(command, minijinja::Value::from(minijinja::value::Serde(&Value::Object(ctx))))
        .unwrap_or_else(|_| command.to_string())
}

fn describe(
    step: &Step,
    numbers: &HashMap<String, usize>,
    total: usize,
    depth: usize,
    params: &Value,
    out: &mut String,
) {
    let pad = "  ".repeat(depth);
    match step {
        Step::Tool(tool) => {
            let number = numbers.get(&tool.id).copied().unwrap_or(0);
            let condition = tool
                .condition
                .as_deref()
                .map(|c| format!(" if {}", template::condition_expression(c)))
                .unwrap_or_default();
            let strategy = if tool.on_error.as_str() == "abort" {
                String::new()
            } else {
                format!(" on_error: {}", tool.on_error.as_str())
            };
            let command = tool
                .parameters
                .get("command")
                .and_then(Value::as_str)
                .map(|c| format!(": {}", filled(c, params)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "{pad}{number}/{total} {} [{} {}]{command}{condition}{strategy}",
                tool.name.as_deref().unwrap_or(&tool.id),
                tool.tool,
                tool.action
            );
        }
        Step::Parallel(group) => {
            let _ = writeln!(out, "{pad}in parallel:");
            group.parallel.iter().for_each(|s| describe(s, numbers, total, depth + 1, params, out));
        }
        Step::Branch(branch) => {
            let _ = writeln!(out, "{pad}if {}:", template::condition_expression(&branch.condition));
            branch.then.iter().for_each(|s| describe(s, numbers, total, depth + 1, params, out));
            if !branch.otherwise.is_empty() {
                let _ = writeln!(out, "{pad}else:");
                branch.otherwise.iter().for_each(|s| describe(s, numbers, total, depth + 1, params, out));
            }
        }
    }
}

/// Diagram languages for [`graph`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Diagram {
    /// Mermaid flowchart.
    Mermaid,
    /// Graphviz dot.
    Dot,
}

/// The plan as nodes and edges, in run order: what [`graph`] writes as text and the dashboard
/// draws as SVG.
#[derive(Debug, Clone)]
pub struct Graph {
    /// `(id, title, is a condition)`, starting with `Start` and ending with `End`.
    pub nodes: Vec<(String, String, bool)>,
    /// `(from, to, label)`: a branch's edges are labelled yes and no.
    pub edges: Vec<(String, String, Option<&'static str>)>,
}

impl Graph {
    fn edge_all(&mut self, from: &[String], to: &str, label: Option<&'static str>) {
        for source in from {
            self.edges.push((source.clone(), to.to_string(), label));
        }
    }

    /// Adds `step` after `frontier`; returns the new frontier (the nodes that finish it).
    fn step(&mut self, step: &Step, frontier: &[String], label: Option<&'static str>) -> Vec<String> {
        match step {
            Step::Tool(tool) => {
                let title = format!("{} [{} {}]", tool.name.as_deref().unwrap_or(&tool.id), tool.tool, tool.action);
                self.nodes.push((tool.id.clone(), title, false));
                self.edge_all(frontier, &tool.id, label);
                vec![tool.id.clone()]
            }
            Step::Parallel(group) => {
                let mut out = Vec::new();
                for member in &group.parallel {
                    out.extend(self.step(member, frontier, label));
                }
                out
            }
            Step::Branch(branch) => {
                let title = template::condition_expression(&branch.condition).to_string();
                self.nodes.push((branch.id.clone(), title, true));
                self.edge_all(frontier, &branch.id, label);
                let decision = vec![branch.id.clone()];
                let mut out = self.sequence(&branch.then, &decision, Some("yes"));
                if branch.otherwise.is_empty() {
                    out.push(branch.id.clone());
                } else {
                    out.extend(self.sequence(&branch.otherwise, &decision, Some("no")));
                }
                out
            }
        }
    }

    fn sequence(&mut self, steps: &[Step], frontier: &[String], label: Option<&'static str>) -> Vec<String> {
        let mut current = frontier.to_vec();
        let mut first = label;
        for step in steps {
            current = self.step(step, &current, first.take());
        }
        current
    }
}

/// The plan's nodes and edges: steps, conditions, and the order they run in.
pub fn step_graph(workflow: &Workflow) -> Graph {
    // Step ids are lowercase, so these can't clash (and Mermaid reserves lowercase `end`).
    let mut g = Graph { nodes: vec![("Start".into(), "start".into(), false)], edges: Vec::new() };
    let start = vec!["Start".to_string()];
    let end_frontier = match workflow.execution.mode {
        ExecutionMode::Sequential => g.sequence(&workflow.steps, &start, None),
        ExecutionMode::Dag => {
            let deps = dependencies(workflow);
            let mut exits: Vec<Vec<String>> = vec![Vec::new(); workflow.steps.len()];
            let mut placed = vec![false; workflow.steps.len()];
            let mut depended = vec![false; workflow.steps.len()];
            while placed.iter().any(|p| !p) {
                let Some(index) = (0..workflow.steps.len()).find(|&i| !placed[i] && deps[i].iter().all(|d| placed[*d]))
                else {
                    break;
                };
                let frontier: Vec<String> = if deps[index].is_empty() {
                    start.clone()
                } else {
                    deps[index].iter().flat_map(|d| exits[*d].clone()).collect()
                };
                deps[index].iter().for_each(|d| depended[*d] = true);
                exits[index] = g.step(&workflow.steps[index], &frontier, None);
                placed[index] = true;
            }
            (0..workflow.steps.len()).filter(|i| !depended[*i]).flat_map(|i| exits[i].clone()).collect()
        }
    };
    g.nodes.push(("End".into(), "end".into(), false));
    g.edge_all(&end_frontier, "End", None);
    g
}

/// The plan as a diagram: steps as boxes, conditions as diamonds, edges in run order.
pub fn graph(workflow: &Workflow, diagram: Diagram) -> String {
    let g = step_graph(workflow);
    let mut out = String::new();
    match diagram {
        Diagram::Mermaid => {
            out.push_str("flowchart TD\n");
            for (id, title, decision) in &g.nodes {
                let title = title.replace('"', "'");
                if *decision {
                    let _ = writeln!(out, "    {id}{{\"{title}\"}}");
                } else if id == "Start" || id == "End" {
                    let _ = writeln!(out, "    {id}((\"{title}\"))");
                } else {
                    let _ = writeln!(out, "    {id}[\"{title}\"]");
                }
            }
            for (from, to, label) in &g.edges {
                match label {
                    Some(label) => {
                        let _ = writeln!(out, "    {from} -->|{label}| {to}");
                    }
                    None => {
                        let _ = writeln!(out, "    {from} --> {to}");
                    }
                }
            }
        }
        Diagram::Dot => {
            let _ = writeln!(out, "digraph \"{}\" {{", workflow.name.replace('"', "'"));
            out.push_str("    rankdir=TB;\n");
            for (id, title, decision) in &g.nodes {
                let shape = if *decision {
                    "diamond"
                } else if id == "Start" || id == "End" {
                    "circle"
                } else {
                    "box"
                };
                let _ = writeln!(out, "    {id} [label=\"{}\", shape={shape}];", title.replace('"', "'"));
            }
            for (from, to, label) in &g.edges {
                match label {
                    Some(label) => {
                        let _ = writeln!(out, "    {from} -> {to} [label=\"{label}\"];");
                    }
                    None => {
                        let _ = writeln!(out, "    {from} -> {to};");
                    }
                }
            }
            out.push_str("}\n");
        }
    }
    out
}
