//! Which slots of a routine are parameters: those whose values differ between its occurrences.
//! A value-like slot (a flag's value, a host, a path) becomes a parameter on any variation; a
//! bare word only when no one value dominates, since `docker compose build` now and then
//! followed by a stray `docker compose ps` is still a routine of `build`. Only the part of a
//! value that varies becomes the parameter (`deploy@{{ host }}.example.com:/srv`).

use std::collections::HashMap;

use indexmap::IndexMap;
use serde::Serialize;

use super::command::{MARK, Slot, Strength, shape};

/// A varying part's values.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct ParameterValues {
    /// The most frequent value.
    pub default: String,
    /// Every value seen, most frequent first.
    pub values: Vec<String>,
}

/// A bare word whose most frequent value has at least this share stays literal, and the
/// occurrences with another word are not the routine.
const DOMINANT_SHARE: f64 = 0.85;

/// A routine's commands with parameters in place, and which occurrences it describes.
#[derive(Debug, Clone)]
pub struct Refined {
    /// The commands, with `{{ name }}` where values vary.
    pub commands: Vec<String>,
    /// The parameters, in order of first use.
    pub parameters: IndexMap<String, ParameterValues>,
    /// Per occurrence: whether it is the routine (its literal words match).
    pub kept: Vec<bool>,
    /// Per command and slot: the value every occurrence has, for a slot that stays literal.
    pub literals: Vec<Vec<Option<String>>>,
}

/// What one slot of a routine becomes.
enum Decision {
    Literal(String),
    Parameter { prefix: String, suffix: String, middles: Vec<String> },
}

/// Refines a routine: `keys[c]` is its `c`-th command's key and `slots[o][c]` that command's
/// slots in occurrence `o`.
pub fn refine(keys: &[&str], slots: &[Vec<&[Slot]>]) -> Refined {
    let mut kept = vec![true; slots.len()];
    let mut decisions: Vec<Vec<Decision>> = Vec::with_capacity(keys.len());
    for (c, key) in keys.iter().enumerate() {
        let count = key.matches(MARK).count();
        let mut command = Vec::with_capacity(count);
        for s in 0..count {
            let values: Vec<&str> = slots.iter().map(|o| o[c].get(s).map_or("", |slot| slot.value.as_str())).collect();
            let strength = slots.first().and_then(|o| o[c].get(s)).map_or(Strength::Value, |slot| slot.strength);
            command.push(decide(&values, strength, &mut kept));
        }
        decisions.push(command);
    }
    render(keys, slots, decisions, &kept)
}

fn decide(values: &[&str], strength: Strength, kept: &mut [bool]) -> Decision {
    let tally = tally(values.iter().copied());
    let (top, top_count) = tally[0];
    if tally.len() == 1 {
        return Decision::Literal(top.to_string());
    }
    if strength == Strength::Word && top_count as f64 >= DOMINANT_SHARE * values.len() as f64 {
        for (i, value) in values.iter().enumerate() {
            if *value != top {
                kept[i] = false;
            }
        }
        return Decision::Literal(top.to_string());
    }
    // Quoted text varies as a whole, without its quotes: alpha quotes what it puts in a command.
    if values.iter().all(|v| unquote(v).is_some()) {
        let middles = values.iter().map(|v| unquote(v).unwrap_or(v).to_string()).collect();
        return Decision::Parameter { prefix: String::new(), suffix: String::new(), middles };
    }
    let distinct: Vec<&str> = tally.iter().map(|(v, _)| *v).collect();
    let (prefix, suffix) = common_ends(&distinct);
    let middles = values.iter().map(|v| v[prefix.len()..v.len() - suffix.len()].to_string()).collect();
    Decision::Parameter { prefix, suffix, middles }
}

/// The text inside matching quotes.
fn unquote(value: &str) -> Option<&str> {
    let quote = value.chars().next().filter(|c| *c == '"' || *c == '\'')?;
    value.strip_prefix(quote)?.strip_suffix(quote).filter(|inner| !inner.contains(quote))
}

/// Values with their counts, most frequent first (ties in order of first appearance).
fn tally<'a>(values: impl Iterator<Item = &'a str>) -> Vec<(&'a str, usize)> {
    let mut counts: IndexMap<&str, usize> = IndexMap::new();
    for value in values {
        *counts.entry(value).or_default() += 1;
    }
    let mut tally: Vec<(&str, usize)> = counts.into_iter().collect();
    tally.sort_by_key(|(_, n)| std::cmp::Reverse(*n));
    tally
}

/// The longest common prefix and suffix of `values` that end and start at punctuation, so only
/// a whole piece (a host, a port, a version) becomes the parameter.
fn common_ends(values: &[&str]) -> (String, String) {
    let first = values[0];
    let mut prefix = first.len();
    let mut suffix = first.len();
    for value in &values[1..] {
        prefix = prefix.min(first.bytes().zip(value.bytes()).take_while(|(a, b)| a == b).count());
        suffix = suffix.min(first.bytes().rev().zip(value.bytes().rev()).take_while(|(a, b)| a == b).count());
    }
    let shortest = values.iter().map(|v| v.len()).min().unwrap_or(0);
    let boundary = |c: u8| !c.is_ascii_alphanumeric() && c != b'_';
    // Back off to the last punctuation inside the common part.
    let mut p = prefix.min(shortest);
    while p > 0 && !(first.is_char_boundary(p) && boundary(first.as_bytes()[p - 1])) {
        p -= 1;
    }
    let mut s = suffix.min(shortest - p);
    while s > 0 && !(first.is_char_boundary(first.len() - s) && boundary(first.as_bytes()[first.len() - s])) {
        s -= 1;
    }
    (first[..p].to_string(), first[first.len() - s..].to_string())
}

fn render(keys: &[&str], slots: &[Vec<&[Slot]>], decisions: Vec<Vec<Decision>>, kept: &[bool]) -> Refined {
    let mut parameters: IndexMap<String, ParameterValues> = IndexMap::new();
    let mut seen = Vec::new();
    let mut commands = Vec::with_capacity(keys.len());
    let literals = decisions
        .iter()
        .map(|command| {
            command
                .iter()
                .map(|d| match d {
                    Decision::Literal(value) => Some(value.clone()),
                    Decision::Parameter { .. } => None,
                })
                .collect()
        })
        .collect();
    for (c, (key, command)) in keys.iter().zip(decisions).enumerate() {
        let mut text = String::with_capacity(key.len() + 16);
        let mut pieces = key.split(MARK);
        text.push_str(pieces.next().unwrap_or(""));
        for (s, decision) in command.into_iter().enumerate() {
            match decision {
                Decision::Literal(value) => text.push_str(&value),
                Decision::Parameter { prefix, suffix, middles } => {
                    let values: Vec<&str> =
                        middles.iter().zip(kept).filter(|(_, k)| **k).map(|(m, _)| m.as_str()).collect();
                    let hint = slots.first().and_then(|o| o[c].get(s)).map_or("value", |slot| slot.name);
                    let name = parameter(&mut parameters, &mut seen, hint, &values);
                    text.push_str(&format!("{prefix}{{{{ {name} }}}}{suffix}"));
                }
            }
            text.push_str(pieces.next().unwrap_or(""));
        }
        commands.push(text);
    }
    Refined { commands, parameters, kept: kept.to_vec(), literals }
}

/// The parameter for `values` (one per kept occurrence): an existing one with the same value in
/// every occurrence, else a new one named `hint` (numbered when taken).
fn parameter(
    parameters: &mut IndexMap<String, ParameterValues>,
    seen: &mut Vec<(String, Vec<String>)>,
    hint: &str,
    values: &[&str],
) -> String {
    if let Some((existing, _)) = seen.iter().find(|(_, v)| v.iter().map(String::as_str).eq(values.iter().copied())) {
        return existing.clone();
    }
    let tally = tally(values.iter().copied());
    let all: Vec<String> = tally.iter().map(|(v, _)| v.to_string()).collect();
    let mut name = hint.to_string();
    let mut n = 1;
    while parameters.contains_key(&name) {
        n += 1;
        name = format!("{hint}_{n}");
    }
    let default = all.first().cloned().unwrap_or_default();
    parameters.insert(name.clone(), ParameterValues { default, values: all });
    seen.push((name.clone(), values.iter().map(|v| v.to_string()).collect()));
    name
}

/// A command typed for a new step, with the parts that varied in the same command in `seen`
/// (the shell history) as `{{ parameters }}`: "git pull origin main", seen with dev and main,
/// becomes "git pull origin {{ branch }}" with `branch` defaulting to what was typed.
pub fn parameterize(command: &str, seen: &[String]) -> Option<(String, IndexMap<String, ParameterValues>)> {
    let typed = shape(command.trim());
    if typed.slots.is_empty() {
        return None;
    }
    let others: Vec<_> = seen.iter().map(|line| shape(line.trim())).filter(|s| s.key == typed.key).collect();
    let mut occurrences: Vec<Vec<&[Slot]>> = vec![vec![typed.slots.as_slice()]];
    occurrences.extend(others.iter().map(|o| vec![o.slots.as_slice()]));
    // What was typed is the default, whatever the history says most often.
    let mut parameters: IndexMap<String, ParameterValues> = IndexMap::new();
    let mut text = String::new();
    let mut pieces = typed.key.split(MARK);
    text.push_str(pieces.next().unwrap_or(""));
    let mut names: HashMap<&str, usize> = HashMap::new();
    for (s, slot) in typed.slots.iter().enumerate() {
        let mut values = vec![slot.value.clone()];
        for other in &occurrences[1..] {
            if let Some(o) = other[0].get(s)
                && !values.contains(&o.value)
            {
                values.push(o.value.clone());
            }
        }
        if values.len() < 2 {
            text.push_str(&slot.value);
        } else {
            let n = names.entry(slot.name).or_default();
            *n += 1;
            let name = if *n == 1 { slot.name.to_string() } else { format!("{}_{n}", slot.name) };
            text.push_str(&format!("{{{{ {name} }}}}"));
            parameters.insert(name, ParameterValues { default: slot.value.clone(), values });
        }
        text.push_str(pieces.next().unwrap_or(""));
    }
    (!parameters.is_empty()).then_some((text, parameters))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refine_commands(occurrences: &[&[&str]]) -> Refined {
        let shapes: Vec<Vec<_>> = occurrences.iter().map(|o| o.iter().map(|c| shape(c)).collect()).collect();
        let keys: Vec<&str> = shapes[0].iter().map(|s| s.key.as_str()).collect();
        let slots: Vec<Vec<&[Slot]>> = shapes.iter().map(|o| o.iter().map(|s| s.slots.as_slice()).collect()).collect();
        refine(&keys, &slots)
    }

    #[test]
    fn only_the_varying_piece_becomes_a_parameter() {
        let refined = refine_commands(&[
            &["scp app.tar deploy@web1.example.com:/srv"],
            &["scp app.tar deploy@web2.example.com:/srv"],
            &["scp app.tar deploy@web1.example.com:/srv"],
        ]);
        assert_eq!(refined.commands, ["scp app.tar deploy@{{ host }}.example.com:/srv"]);
        assert_eq!(refined.parameters["host"].values, ["web1", "web2"]);
    }

    #[test]
    fn a_dominant_word_stays_literal_and_strays_are_dropped() {
        let mut runs: Vec<&[&str]> = vec![&["docker compose build"]; 9];
        runs.push(&["docker compose ps"]);
        let refined = refine_commands(&runs);
        assert_eq!(refined.commands, ["docker compose build"]);
        assert_eq!(refined.kept.iter().filter(|k| !**k).count(), 1);
        let branches = refine_commands(&[
            &["git pull origin main"],
            &["git pull origin dev"],
            &["git pull origin main"],
            &["git pull origin main"],
        ]);
        assert_eq!(branches.commands, ["git pull origin {{ branch }}"]);
        assert_eq!(branches.parameters["branch"].default, "main");
    }

    #[test]
    fn the_same_values_in_two_commands_are_one_parameter() {
        let refined = refine_commands(&[
            &["kubectl apply -n prod -f k8s/", "kubectl get pods -n prod"],
            &["kubectl apply -n dev -f k8s/", "kubectl get pods -n dev"],
        ]);
        assert_eq!(
            refined.commands,
            ["kubectl apply -n {{ namespace }} -f k8s/", "kubectl get pods -n {{ namespace }}"]
        );
        assert_eq!(refined.parameters.len(), 1);
    }

    #[test]
    fn quoted_text_is_a_parameter_without_its_quotes() {
        let refined = refine_commands(&[&["git commit -am \"fix typo\""], &["git commit -am 'wip'"]]);
        assert_eq!(refined.commands, ["git commit -am {{ message }}"]);
        assert_eq!(refined.parameters["message"].values, ["fix typo", "wip"]);
    }
}
