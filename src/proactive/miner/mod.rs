//! Finding what the user keeps doing by hand (design.md §6b): routines of two or more commands
//! that recur at least 3 times inside some 7-day window, far more often than the commands' own
//! frequencies would give by chance, reported at their maximal length, with the parts that vary
//! as parameters.
//!
//! The history becomes a sequence of command shapes (see [`command`]); sequences are counted
//! apriori-style (a sequence can only be frequent if its prefix is), then taken longest first:
//! each is refined into commands and parameters, tested against chance (see
//! [`significance`]), and kept only for the occurrences no longer routine already explains, so
//! prefixes, suffixes and the rotations of a cycle don't come back as suggestions of their own.

pub mod command;
pub mod parameters;
pub mod significance;
mod workflow;

use std::time::Duration;

use chrono::{DateTime, TimeZone, Utc};
use indexmap::IndexMap;
use serde::Serialize;

use self::command::{Joint, Role, Shape, Slot, role, shape, split_line};
use self::parameters::refine;
pub use self::parameters::{ParameterValues, parameterize};
use self::workflow::{Routine, workflow_for};
pub use self::workflow::{covered_commands, name_for, step_id};
use super::history::Entry;
use crate::workflow::Workflow;

/// The miner's hash tables: keys are its own ids and the user's commands, so a fast hash is
/// safe and the tables are hot.
type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;

/// Mining thresholds.
#[derive(Debug, Clone)]
pub struct Options {
    /// Occurrences needed.
    pub min_occurrences: usize,
    /// Within this window.
    pub window: Duration,
    /// A gap this long between two commands starts a new session (no routine spans it); `None`
    /// takes it from the history's own pace (see [`session_gap`]).
    pub session_gap: Option<Duration>,
    /// Longest sequence considered.
    pub max_len: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options { min_occurrences: 3, window: Duration::from_secs(7 * 86_400), session_gap: None, max_len: 10 }
    }
}

/// A qualifying pattern (design.md §6b).
#[derive(Debug, Clone, Serialize)]
pub struct Suggestion {
    /// Normalized commands, varying parts as `{{ param }}`.
    pub commands: Vec<String>,
    /// Occurrences inside the best window.
    pub occurrences: usize,
    /// First occurrence (RFC 3339 UTC), when known.
    pub first_seen: Option<String>,
    /// Last occurrence, when known.
    pub last_seen: Option<String>,
    /// Inferred parameters.
    pub parameters: IndexMap<String, ParameterValues>,
    /// A name for the workflow.
    pub suggested_name: String,
    /// Seconds one run of the workflow saves over typing the commands (see [`seconds_saved`]).
    pub seconds_saved: f64,
    /// The rank: occurrences × seconds saved × recency, higher first.
    pub score: f64,
    /// The workflow that would be created.
    pub workflow: Workflow,
}

impl Suggestion {
    /// A stable key for remembering answers ("never").
    pub fn signature(&self) -> String {
        self.commands.join(" && ")
    }
}

/// One command of the history as the miner keeps it.
#[derive(Clone, Copy)]
struct Item {
    /// Its shape (an index into `Mined::shapes`).
    shape: u32,
    /// Its shape's key, interned.
    key: u32,
    /// Its session.
    session: u32,
    /// How it is joined to the command before it.
    joint: Joint,
    /// When it ran (Unix seconds).
    time: Option<i64>,
    /// Where it ran (an index into `Mined::dirs`).
    cwd: Option<u32>,
}

/// The history as shapes.
struct Mined {
    items: Vec<Item>,
    shapes: Vec<Shape>,
    keys: Vec<String>,
    dirs: Vec<String>,
}

/// Reads `entries` into shapes: trivial commands left out, interactive ones and long gaps
/// ending a session.
fn read(entries: &[Entry], options: &Options) -> Mined {
    let mut key_ids: HashMap<String, u32> = HashMap::default();
    let mut dir_ids: HashMap<&str, u32> = HashMap::default();
    let mut mined =
        Mined { items: Vec::with_capacity(entries.len()), shapes: Vec::new(), keys: Vec::new(), dirs: Vec::new() };
    let gap = options.session_gap.map_or_else(|| session_gap(entries), |g| g.as_secs() as i64);
    let (mut session, mut last_time) = (0u32, None::<i64>);
    // Parts of one line are cached by the line: histories repeat themselves.
    let mut lines: HashMap<&str, Vec<(u32, u32, Joint, Role)>> = HashMap::default();
    for entry in entries {
        let time = entry.time.map(|t| t.timestamp());
        if let (Some(now), Some(before)) = (time, last_time)
            && now - before > gap
        {
            session += 1;
        }
        if time.is_some() {
            last_time = time;
        }
        let cwd = entry.cwd.as_deref().map(|dir| {
            let next = mined.dirs.len() as u32;
            *dir_ids.entry(dir).or_insert_with(|| {
                mined.dirs.push(dir.to_string());
                next
            })
        });
        let parts = lines.entry(entry.command.as_str()).or_insert_with(|| {
            split_line(&entry.command)
                .into_iter()
                .map(|part| {
                    let kind = role(&part.text);
                    let (id, key) = intern_shape(&mut mined, &mut key_ids, &part.text);
                    (id, key, part.joint, kind)
                })
                .collect()
        });
        for &(id, key, joint, kind) in parts.iter() {
            match kind {
                Role::Trivial => {}
                Role::Interactive => session += 1,
                Role::Work => {
                    mined.items.push(Item { shape: id, key, session, joint, time, cwd });
                }
            }
        }
    }
    mined
}

/// The gap that ends a session, from the history's own pace: 6 hours (a night), or 20 times the
/// median gap between commands when they are typically farther apart (a history of one command
/// an hour is still one sequence of work).
fn session_gap(entries: &[Entry]) -> i64 {
    let mut gaps: Vec<i64> = entries
        .windows(2)
        .filter_map(|w| Some(w[1].time?.timestamp() - w[0].time?.timestamp()))
        .filter(|g| *g > 0)
        .collect();
    if gaps.is_empty() {
        return i64::MAX;
    }
    let middle = gaps.len() / 2;
    let median = *gaps.select_nth_unstable(middle).1;
    (6 * 3_600).max(median.saturating_mul(20))
}

/// Keeps `text`'s shape; returns its id and its key's.
fn intern_shape(mined: &mut Mined, key_ids: &mut HashMap<String, u32>, text: &str) -> (u32, u32) {
    let shaped = shape(text);
    let key = match key_ids.get(&shaped.key) {
        Some(&key) => key,
        None => {
            let key = mined.keys.len() as u32;
            key_ids.insert(shaped.key.clone(), key);
            mined.keys.push(shaped.key.clone());
            key
        }
    };
    mined.shapes.push(shaped);
    ((mined.shapes.len() - 1) as u32, key)
}

/// A frequent sequence of keys with where it starts.
struct Sequence {
    keys: Vec<u32>,
    starts: Vec<u32>,
}

/// Every key sequence of 2..=`max_len` with at least `min` non-overlapping occurrences inside a
/// session.
fn frequent_sequences(mined: &Mined, options: &Options) -> Vec<Sequence> {
    let items = &mined.items;
    let same_session = |a: usize, b: usize| items[a].session == items[b].session;
    let mut pair_counts: HashMap<u64, u32> = HashMap::default();
    for i in 1..items.len() {
        if same_session(i - 1, i) {
            *pair_counts.entry(pair(items[i - 1].key, items[i].key)).or_default() += 1;
        }
    }
    // Sequences grow only through linked pairs: commands that follow each other far more often
    // than chance. Random neighbours never are, so noise doesn't grow into long candidates.
    let mut singles = vec![0usize; mined.keys.len()];
    for item in items {
        singles[item.key as usize] += 1;
    }
    pair_counts.retain(|&pair, n| {
        let (a, b) = ((pair >> 32) as usize, (pair & 0xFFFF_FFFF) as usize);
        *n as usize >= options.min_occurrences && significance::linked(*n as usize, singles[a], singles[b], items.len())
    });
    let mut current: HashMap<Vec<u32>, Vec<u32>> = HashMap::default();
    for i in 1..items.len() {
        if same_session(i - 1, i) && pair_counts.contains_key(&pair(items[i - 1].key, items[i].key)) {
            current.entry(vec![items[i - 1].key, items[i].key]).or_default().push((i - 1) as u32);
        }
    }
    let mut frequent = Vec::new();
    for length in 2..=options.max_len {
        current.retain(|_, starts| count_non_overlapping(starts, length) >= options.min_occurrences);
        if current.is_empty() {
            break;
        }
        let mut next: HashMap<Vec<u32>, Vec<u32>> = HashMap::default();
        if length < options.max_len {
            let mut by_next: HashMap<u32, Vec<u32>> = HashMap::default();
            for (keys, starts) in &current {
                by_next.clear();
                for &start in starts {
                    let end = start as usize + length;
                    if end < items.len()
                        && same_session(start as usize, end)
                        && pair_counts.contains_key(&pair(items[end - 1].key, items[end].key))
                    {
                        by_next.entry(items[end].key).or_default().push(start);
                    }
                }
                for (key, starts) in by_next.drain() {
                    if starts.len() >= options.min_occurrences {
                        let mut longer = Vec::with_capacity(length + 1);
                        longer.extend_from_slice(keys);
                        longer.push(key);
                        next.insert(longer, starts);
                    }
                }
            }
        }
        frequent.extend(current.drain().map(|(keys, starts)| Sequence { keys, starts }));
        current = next;
    }
    frequent
}

fn pair(a: u32, b: u32) -> u64 {
    (u64::from(a) << 32) | u64::from(b)
}

/// How many of `starts` don't overlap, without collecting them.
fn count_non_overlapping(starts: &[u32], length: usize) -> usize {
    let (mut count, mut next_free) = (0, 0usize);
    for &start in starts {
        if start as usize >= next_free {
            count += 1;
            next_free = start as usize + length;
        }
    }
    count
}

/// Starts that don't overlap (a b a b a b counts `a b` three times, not five); `starts` is sorted.
fn non_overlapping(starts: &[u32], length: usize) -> Vec<u32> {
    let mut kept: Vec<u32> = Vec::with_capacity(starts.len());
    for &start in starts {
        if kept.last().is_none_or(|&last| start as usize >= last as usize + length) {
            kept.push(start);
        }
    }
    kept
}

/// Mines `entries`. `covered` are the command keys of saved workflows and `settled` the
/// signatures the user already answered: neither is suggested, nor are its parts.
pub fn mine(entries: &[Entry], options: &Options, covered: &[Vec<String>], settled: &[String]) -> Vec<Suggestion> {
    let mined = read(entries, options);
    let mut sequences = frequent_sequences(&mined, options);
    if sequences.is_empty() {
        return Vec::new();
    }
    sequences.sort_by(|a, b| {
        b.keys
            .len()
            .cmp(&a.keys.len())
            .then_with(|| b.starts.len().cmp(&a.starts.len()))
            .then_with(|| a.starts[0].cmp(&b.starts[0]))
    });
    let counts = Counts::new(&mined, &sequences);
    let newest = mined.items.iter().filter_map(|i| i.time).max();
    let mut explained = vec![false; mined.items.len()];
    let mut accepted: Vec<Vec<String>> = Vec::new();
    let mut found = Vec::new();
    for sequence in &sequences {
        let length = sequence.keys.len();
        let starts: Vec<u32> = non_overlapping(&sequence.starts, length)
            .into_iter()
            .filter(|&s| !(s as usize..s as usize + length).all(|i| explained[i]))
            .collect();
        if starts.len() < options.min_occurrences {
            continue;
        }
        let Some(candidate) = Candidate::refine(&mined, sequence, &starts) else { continue };
        if candidate.starts.len() < options.min_occurrences || repetitive(&candidate.commands) {
            continue;
        }
        if accepted.iter().any(|a| is_rotation(a, &candidate.commands)) {
            continue;
        }
        let times: Vec<Option<i64>> = candidate.starts.iter().map(|&s| mined.items[s as usize].time).collect();
        let (in_window, _) = best_window(&times, options.window);
        if in_window < options.min_occurrences
            || !counts.significant(&sequence.keys, &candidate.literals, candidate.starts.len())
        {
            continue;
        }
        for &start in &candidate.starts {
            explained[start as usize..start as usize + length].fill(true);
        }
        let keys: Vec<&str> = sequence.keys.iter().map(|&k| mined.keys[k as usize].as_str()).collect();
        let signature = candidate.commands.join(" && ");
        accepted.push(candidate.commands.clone());
        if covered.iter().any(|c| contains(c, &keys)) || settled.contains(&signature) {
            continue;
        }
        found.push(candidate.suggestion(&mined, in_window, &times, newest));
    }
    found.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.suggested_name.cmp(&b.suggested_name)));
    found
}

/// Occurrences a command needs to be part of a qualifying routine.
const MIN_SEEN: usize = 3;

/// Where each key and each frequent sequence occurs, to count a routine's parts for the chance
/// test: counted with the routine's literal words, so `npm run lint` is not counted with every
/// other `npm run` script.
struct Counts<'a> {
    mined: &'a Mined,
    sequences: &'a [Sequence],
    by_key: Vec<Vec<u32>>,
    index: HashMap<&'a [u32], usize>,
    /// Distinct keys.
    distinct: usize,
    /// Distinct commands (as typed) seen at least [`MIN_SEEN`] times: what the number of pairs
    /// that could have been tested is counted in.
    commands: usize,
    /// How often each key occurs, for "some command".
    frequencies: Vec<usize>,
}

impl<'a> Counts<'a> {
    fn new(mined: &'a Mined, sequences: &'a [Sequence]) -> Counts<'a> {
        let mut by_key = vec![Vec::new(); mined.keys.len()];
        for (i, item) in mined.items.iter().enumerate() {
            by_key[item.key as usize].push(i as u32);
        }
        let frequencies: Vec<usize> = by_key.iter().map(Vec::len).filter(|n| *n > 0).collect();
        let distinct = frequencies.len();
        // Only commands seen often enough can be part of a routine: they are the ones tested.
        let mut per_shape = vec![0usize; mined.shapes.len()];
        for item in &mined.items {
            per_shape[item.shape as usize] += 1;
        }
        let seen_enough = per_shape.iter().filter(|n| **n >= MIN_SEEN).count();
        let index = sequences.iter().enumerate().map(|(i, s)| (s.keys.as_slice(), i)).collect();
        Counts { mined, sequences, by_key, index, distinct, commands: seen_enough.max(distinct), frequencies }
    }

    /// Non-overlapping occurrences of `keys` whose literal slots are `literals`.
    fn count(&self, keys: &[u32], literals: &[Vec<Option<String>>]) -> usize {
        let starts: &[u32] = match keys {
            [one] => &self.by_key[*one as usize],
            _ => match self.index.get(keys) {
                Some(&i) => &self.sequences[i].starts,
                None => return usize::MAX / 4,
            },
        };
        let matching: Vec<u32> = starts
            .iter()
            .copied()
            .filter(|&start| {
                literals.iter().enumerate().all(|(c, wanted)| {
                    let slots = &self.mined.shapes[self.mined.items[start as usize + c].shape as usize].slots;
                    wanted.iter().zip(slots).all(|(want, slot)| want.as_ref().is_none_or(|w| *w == slot.value))
                })
            })
            .collect();
        non_overlapping(&matching, keys.len()).len()
    }

    /// Whether `observed` occurrences of the routine are beyond chance, and its parts go
    /// together, at every cut.
    fn significant(&self, keys: &[u32], literals: &[Vec<Option<String>>], observed: usize) -> bool {
        let n = keys.len();
        let positions = self.mined.items.len();
        let cuts_hold = (1..n).all(|cut| {
            let left = self.count(&keys[..cut], &literals[..cut]);
            let right = self.count(&keys[cut..], &literals[cut..]);
            if !significance::together(observed, left, right) {
                return false;
            }
            let single_side = (left >= right && cut == 1) || (right >= left && cut == n - 1);
            if n == 2 {
                significance::beyond_chance(observed, left, right, positions, significance::level(self.commands, 2))
            } else if single_side {
                // One command added to a routine: chance would have to make the same command
                // follow (or precede) it this often, whichever command that is.
                let trials = left.min(right);
                let this_one = significance::log_binomial_tail(
                    observed,
                    trials.max(observed),
                    left.max(right) as f64 / positions.max(significance::MIN_POSITIONS) as f64,
                ) + (self.distinct as f64).ln();
                let any_one = significance::some_command_as_often(observed, trials, &self.frequencies, positions);
                this_one.min(any_one) < significance::level(10, 1)
            } else {
                significance::beyond_chance(observed, left, right, positions, significance::level(self.distinct, 1))
            }
        });
        if !cuts_hold || n == 2 {
            return cuts_hold;
        }
        // And the whole against its commands' own frequencies.
        let positions = positions.max(significance::MIN_POSITIONS) as f64;
        let expected = (0..n).fold(positions, |e, c| e * self.count(&keys[c..=c], &literals[c..=c]) as f64 / positions);
        significance::log_tail(observed, expected) < significance::level(self.commands, n as i32)
    }
}

/// A sequence refined into a routine.
struct Candidate {
    commands: Vec<String>,
    literals: Vec<Vec<Option<String>>>,
    parameters: IndexMap<String, ParameterValues>,
    starts: Vec<u32>,
    keys: Vec<u32>,
}

impl Candidate {
    fn refine(mined: &Mined, sequence: &Sequence, starts: &[u32]) -> Option<Candidate> {
        let length = sequence.keys.len();
        let keys: Vec<&str> = sequence.keys.iter().map(|&k| mined.keys[k as usize].as_str()).collect();
        let slots: Vec<Vec<&[Slot]>> = starts
            .iter()
            .map(|&s| {
                (0..length).map(|c| mined.shapes[mined.items[s as usize + c].shape as usize].slots.as_slice()).collect()
            })
            .collect();
        let refined = refine(&keys, &slots);
        let starts: Vec<u32> = starts.iter().zip(&refined.kept).filter(|(_, k)| **k).map(|(s, _)| *s).collect();
        Some(Candidate {
            commands: refined.commands,
            literals: refined.literals,
            parameters: refined.parameters,
            starts,
            keys: sequence.keys.clone(),
        })
    }

    fn suggestion(self, mined: &Mined, in_window: usize, times: &[Option<i64>], newest: Option<i64>) -> Suggestion {
        let length = self.keys.len();
        let joints: Vec<Joint> = (0..length)
            .map(|c| {
                let mut counts: HashMap<Joint, usize> = HashMap::default();
                for &s in &self.starts {
                    *counts.entry(mined.items[s as usize + c].joint).or_default() += 1;
                }
                if c == 0 {
                    Joint::Line
                } else if counts.contains_key(&Joint::Pipe) {
                    Joint::Pipe
                } else {
                    counts.into_iter().max_by_key(|(_, n)| *n).map_or(Joint::Line, |(j, _)| j)
                }
            })
            .collect();
        let workdir = common_dir(mined, &self.starts);
        let suggested_name = name_for(&self.commands);
        let routine = Routine { commands: &self.commands, joints: &joints, parameters: &self.parameters, workdir };
        let workflow = workflow_for(&suggested_name, &routine);
        let known: Vec<i64> = times.iter().flatten().copied().collect();
        let stamp = |t: i64| {
            Utc.timestamp_opt(t, 0)
                .single()
                .map(|t: DateTime<Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
        };
        let seconds_saved = seconds_saved(&self.commands);
        let last = known.iter().max().copied();
        let recency = match (last, newest) {
            (Some(last), Some(newest)) => 0.5_f64.powf((newest - last) as f64 / (14.0 * 86_400.0)),
            _ => 1.0,
        };
        Suggestion {
            occurrences: in_window,
            first_seen: known.iter().min().and_then(|t| stamp(*t)),
            last_seen: last.and_then(stamp),
            parameters: self.parameters,
            suggested_name,
            seconds_saved,
            score: in_window as f64 * seconds_saved * recency,
            workflow,
            commands: self.commands,
        }
    }
}

/// Seconds one run saves: 2 s to recall and start each command, plus typing it at 5 characters
/// a second.
pub fn seconds_saved(commands: &[String]) -> f64 {
    commands.iter().map(|c| 2.0 + c.chars().count() as f64 / 5.0).sum()
}

/// The directory the routine's first command ran in, when the history records one and it is
/// the same every time.
fn common_dir(mined: &Mined, starts: &[u32]) -> Option<String> {
    let mut dirs = starts.iter().map(|&s| mined.items[s as usize].cwd);
    let first = dirs.next()??;
    dirs.all(|d| d == Some(first)).then(|| mined.dirs[first as usize].clone())
}

/// The same command over and over, or a shorter routine repeated (`a b a b`): not a routine of
/// its own.
fn repetitive(commands: &[String]) -> bool {
    let n = commands.len();
    (1..n).any(|period| (0..n - period).all(|i| commands[i] == commands[i + period]))
}

/// `b` is `a` started somewhere else (`b c a` for `a b c`).
fn is_rotation(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && (1..a.len()).any(|shift| (0..a.len()).all(|i| a[(i + shift) % a.len()] == b[i]))
}

/// The most occurrences inside any window, with untimed occurrences all counting.
fn best_window(times: &[Option<i64>], window: Duration) -> (usize, (i64, i64)) {
    let mut known: Vec<i64> = times.iter().flatten().copied().collect();
    let untimed = times.len() - known.len();
    known.sort_unstable();
    let window = window.as_secs() as i64;
    let (mut best, mut range, mut start) = (0, (0, 0), 0);
    for end in 0..known.len() {
        while known[end] - known[start] > window {
            start += 1;
        }
        if end + 1 - start > best {
            best = end + 1 - start;
            range = (known[start], known[end]);
        }
    }
    (best + untimed, range)
}

fn contains(haystack: &[String], needle: &[&str]) -> bool {
    needle.len() <= haystack.len() && haystack.windows(needle.len()).any(|w| w.iter().zip(needle).all(|(a, b)| a == b))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entries(lines: &[&str]) -> Vec<Entry> {
        lines.iter().map(|l| Entry::new(l.to_string(), None)).collect()
    }

    fn mine_all(entries: &[Entry]) -> Vec<Suggestion> {
        mine(entries, &Options::default(), &[], &[])
    }

    #[test]
    fn finds_a_chain_repeated_with_a_varying_branch() {
        let lines = [
            "git status && git pull origin main && pytest",
            "ls",
            "vim x",
            "git status && git pull origin dev && pytest",
            "cd ..",
            "git status && git pull origin main && pytest",
            "make",
            "git status && git pull origin main && pytest",
        ];
        let found = mine_all(&entries(&lines));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].commands, ["git status", "git pull origin {{ branch }}", "pytest"]);
        assert_eq!(found[0].occurrences, 4);
        assert_eq!(
            found[0].parameters["branch"],
            ParameterValues { default: "main".into(), values: vec!["main".into(), "dev".into()] }
        );
        assert_eq!(found[0].suggested_name, "Git Status Pull Pytest");
    }

    #[test]
    fn near_misses_and_noise_are_not_patterns() {
        let twice = ["a1 x", "b1 y", "a1 x", "b1 y"];
        assert!(mine_all(&entries(&twice)).is_empty());
        let noise = ["ls", "cd src", "ls", "cd src", "ls", "cd src", "clear"];
        assert!(mine_all(&entries(&noise)).is_empty());
        let spread: Vec<Entry> = (0..3)
            .flat_map(|day| {
                let t = DateTime::<Utc>::from_timestamp(1_700_000_000 + day * 4 * 86_400, 0);
                vec![Entry::new("make build".into(), t), Entry::new("make deploy".into(), t)]
            })
            .collect();
        assert!(mine_all(&spread).is_empty(), "3 occurrences over 8 days don't qualify");
    }

    #[test]
    fn a_cycle_is_one_pattern_and_prefixes_are_not_reported() {
        let mut lines = Vec::new();
        for _ in 0..6 {
            lines.extend(["docker compose build", "docker compose up -d", "docker compose logs -f web"]);
        }
        let found = mine_all(&entries(&lines));
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].commands, ["docker compose build", "docker compose up -d", "docker compose logs -f web"]);
    }

    #[test]
    fn saved_workflows_and_settled_answers_are_not_suggested_again() {
        let lines = ["cargo fmt", "cargo test", "cargo fmt", "cargo test", "cargo fmt", "cargo test"];
        let covered = vec![vec!["cargo fmt".to_string(), "cargo test".to_string(), "git push".to_string()]];
        assert!(mine(&entries(&lines), &Options::default(), &covered, &[]).is_empty());
        assert!(mine(&entries(&lines), &Options::default(), &[], &["cargo fmt && cargo test".into()]).is_empty());
        assert_eq!(mine_all(&entries(&lines)).len(), 1);
    }

    #[test]
    fn a_pipeline_stays_one_step_and_semicolons_go_on() {
        let lines = ["make build; journalctl -u app | tail -n 5"; 3];
        let found = mine_all(&entries(&lines));
        assert_eq!(found[0].commands, ["make build", "journalctl -u app", "tail -n 5"]);
        let steps = &found[0].workflow.steps;
        assert_eq!(steps.len(), 2);
        let Step::Tool(first) = &steps[0] else { panic!() };
        assert_eq!(first.on_error, crate::workflow::OnError::LogAndContinue);
        let Step::Tool(second) = &steps[1] else { panic!() };
        assert_eq!(second.parameters["command"], "journalctl -u app | tail -n 5");
    }

    use crate::workflow::Step;
}
