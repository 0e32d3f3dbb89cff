//! A generator of synthetic shell histories: sessions of noise drawn from a realistic vocabulary
//! with Zipf-like frequencies, planted routines of 2 to 5 commands (values varying in any
//! position, some typed as `&&` chains, trivial commands between their steps), and near misses
//! that must not be reported: a routine seen twice, three times spread over 8 days, a routine
//! interrupted by another command every time, and two very frequent commands that meet only by
//! chance. Written out in every format alpha reads.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// splitmix64: deterministic, so a failing seed reproduces.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }

    pub fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    pub fn range(&mut self, low: usize, high: usize) -> usize {
        low + self.below(high - low + 1)
    }

    pub fn chance(&mut self, p: f64) -> bool {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64 <= p
    }

    pub fn pick<'a, T: ?Sized>(&mut self, items: &'a [&'a T]) -> &'a T {
        items[self.below(items.len())]
    }
}

/// The history formats written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    BashTimed,
    Bash,
    Zsh,
    Fish,
    Atuin,
    Plain,
}

impl Format {
    pub const ALL: [Format; 6] =
        [Format::BashTimed, Format::Bash, Format::Zsh, Format::Fish, Format::Atuin, Format::Plain];

    pub fn timed(self) -> bool {
        !matches!(self, Format::Bash | Format::Plain)
    }
}

/// A generated history: its commands in order, and what was planted.
pub struct History {
    /// (command line, Unix time).
    pub lines: Vec<(String, i64)>,
    /// Routines that qualify, as commands with `{}` where the value varies.
    pub routines: Vec<Vec<String>>,
    /// Near misses that qualify only without timestamps (three times over 8 days).
    pub spread: Vec<Vec<String>>,
    /// Near misses that never qualify.
    pub near_misses: Vec<Vec<String>>,
}

/// A routine command: its text with `{}` for the varying value, and the values.
struct Template {
    text: &'static str,
    values: &'static [&'static str],
}

const ENVS: &[&str] = &["staging", "prod", "qa"];
const BRANCHES: &[&str] = &["main", "develop", "release"];
const HOSTS: &[&str] = &["web1", "web2", "db3", "cache4"];
const SERVICES: &[&str] = &["api", "worker", "frontend"];
const VERSIONS: &[&str] = &["1.4.0", "1.5.2", "2.0.1"];
const MESSAGES: &[&str] = &["\"fix typo\"", "\"update deps\"", "\"wip\"", "\"address review\""];

const ROUTINE_COMMANDS: &[Template] = &[
    Template { text: "git pull origin {}", values: BRANCHES },
    Template { text: "kubectl get pods -n {}", values: ENVS },
    Template { text: "npm run deploy -- --env {}", values: ENVS },
    Template { text: "docker compose logs -f {}", values: SERVICES },
    Template { text: "ssh {} uptime", values: HOSTS },
    Template { text: "curl -fsS https://{}.example.com/health", values: SERVICES },
    Template { text: "./scripts/release.sh {} --dry-run", values: VERSIONS },
    Template { text: "make deploy ENV={}", values: ENVS },
    Template { text: "terraform workspace select {}", values: ENVS },
    Template { text: "helm upgrade shop ./chart -f values-{}.yaml", values: ENVS },
    Template { text: "rsync -az dist/ {}:/var/www/shop", values: HOSTS },
    Template { text: "git checkout {}", values: BRANCHES },
    Template { text: "make release-{}", values: ENVS },
    Template { text: "git commit -am {}", values: MESSAGES },
    Template { text: "cargo fmt --all", values: &[] },
    Template { text: "cargo clippy --all-targets -- -D warnings", values: &[] },
    Template { text: "cargo test --workspace", values: &[] },
    Template { text: "pytest -q tests/", values: &[] },
    Template { text: "make build", values: &[] },
    Template { text: "docker compose build", values: &[] },
    Template { text: "docker compose up -d", values: &[] },
    Template { text: "npm ci", values: &[] },
    Template { text: "npm test -- --coverage", values: &[] },
    Template { text: "go test ./...", values: &[] },
    Template { text: "terraform plan -out plan.tfplan", values: &[] },
    Template { text: "terraform apply plan.tfplan", values: &[] },
    Template { text: "git fetch --prune", values: &[] },
    Template { text: "git push --force-with-lease", values: &[] },
    Template { text: "kubectl rollout status deploy/shop", values: &[] },
    Template { text: "systemctl --user restart shop", values: &[] },
    Template { text: "./gradlew assemble", values: &[] },
    Template { text: "bundle exec rspec", values: &[] },
    Template { text: "psql -h localhost -c 'vacuum analyze'", values: &[] },
    Template { text: "redis-cli flushall", values: &[] },
    Template { text: "poetry install --sync", values: &[] },
    // Commands the noise uses now and then.
    Template { text: "git pull", values: &[] },
    Template { text: "docker compose ps", values: &[] },
];

/// Noise: (template, weight). `{f}` a file, `{d}` a directory, `{h}` a host, `{w}` a word,
/// `{n}` a number.
const NOISE: &[(&str, u32)] = &[
    ("git status", 60),
    ("ls", 70),
    ("ls -la", 25),
    ("cd {d}", 55),
    ("cd ..", 20),
    ("clear", 20),
    ("git diff", 30),
    ("git log --oneline -n {n}", 12),
    ("git add {f}", 18),
    ("vim {f}", 25),
    ("less {f}", 6),
    ("cat {f}", 14),
    ("grep -rn {w} src", 12),
    ("make test", 45),
    ("cargo build", 16),
    ("cargo run -- {w}", 8),
    ("python3 scripts/{w}.py", 7),
    ("ping -c 1 {h}", 5),
    ("ssh {h}", 9),
    ("docker ps", 11),
    ("docker images", 4),
    ("kubectl get svc", 6),
    ("htop", 5),
    ("npm install {w}", 6),
    ("man {w}", 3),
    ("echo ${w}", 4),
    ("tail -n {n} logs/{w}.log", 6),
    ("find . -name '*.{w}'", 4),
    ("du -sh {d}", 3),
    ("curl -s localhost:{n}/{w}", 5),
    ("history", 4),
    ("pwd", 6),
    ("brew upgrade", 2),
    ("git branch -a", 5),
    ("git stash", 4),
    ("git stash pop", 3),
    ("make lint", 6),
    ("code .", 5),
    ("open {f}", 2),
    ("sudo apt update", 2),
    ("df -h", 3),
    ("jq . {f}", 4),
    ("wc -l {f}", 3),
    ("rm -rf build/{w}", 3),
    ("mkdir -p tmp/{w}", 3),
    ("touch {f}", 3),
    // Commands that look like routine steps, typed on their own.
    ("docker compose ps", 4),
    ("npm run lint", 4),
    ("git pull", 6),
    ("kubectl get pods -n {e}", 3),
    ("git checkout -b {w}", 3),
    ("ssh {h} uptime", 2),
];

const FILES: &[&str] = &[
    "README.md",
    "src/main.rs",
    "src/lib.rs",
    "app.py",
    "config.yaml",
    "Makefile",
    "notes.txt",
    "data.json",
    "index.ts",
    "Cargo.toml",
    "setup.cfg",
    "todo.md",
    "schema.sql",
    "main.go",
    "test.log",
];
const DIRS: &[&str] =
    &["src", "docs", "~/projects/shop", "/tmp", "tests", "infra", "web", "~/notes", "build", "scripts"];
const WORDS: &[&str] = &[
    "parse", "token", "retry", "cache", "user", "order", "invoice", "report", "sync", "queue", "auth", "login",
    "metric", "export", "backup", "index", "search", "render",
];
const NOISE_HOSTS: &[&str] = &["example.com", "10.0.0.7", "gateway", "nas.local", "pi@raspberry", "bastion"];

fn fill(template: &str, rng: &mut Rng) -> String {
    let mut out = template.to_string();
    for (hole, values) in [("{f}", FILES), ("{d}", DIRS), ("{w}", WORDS), ("{h}", NOISE_HOSTS), ("{e}", ENVS)] {
        while out.contains(hole) {
            out = out.replacen(hole, rng.pick(values), 1);
        }
    }
    while out.contains("{n}") {
        out = out.replacen("{n}", &[5, 10, 20, 50, 100, 3000, 8080][rng.below(7)].to_string(), 1);
    }
    out
}

/// A planted sequence: its templates and how it is placed.
struct Plant {
    templates: Vec<&'static Template>,
    /// Session indexes it goes into.
    sessions: Vec<usize>,
    chain: bool,
    interrupted: bool,
}

const DAY: i64 = 86_400;

/// What interrupts a near-miss routine: a different command each time.
const INTERRUPTIONS: &[&str] = &[
    "make test",
    "git diff",
    "cargo build",
    "docker ps",
    "grep -rn retry src",
    "cat README.md",
    "make lint",
    "kubectl get svc",
    "git branch -a",
    "df -h",
    "git stash",
    "jq . data.json",
    "wc -l notes.txt",
    "docker images",
    "python3 scripts/sync.py",
    "tail -n 50 logs/auth.log",
    "ssh bastion",
    "npm install cache",
    "du -sh docs",
];

/// Generates a history of about `size` commands.
pub fn generate(seed: u64, size: usize) -> History {
    let mut rng = Rng::new(seed);
    // Sessions first: starts and lengths.
    let mut starts = Vec::new();
    let mut lengths = Vec::new();
    // Some histories are typed in bursts with nights between; others at a steady pace of about
    // one command an hour, where no gap tells sessions apart.
    let steady = seed.is_multiple_of(3);
    let pause = |rng: &mut Rng| if steady { rng.range(600, 6_600) as i64 } else { rng.range(3, 90) as i64 };
    let mut t = 1_780_000_000 + rng.below(1_000_000) as i64;
    let mut total = 0;
    while total < size {
        let length = rng.range(6, 40).min(size - total).max(1);
        starts.push(t);
        lengths.push(length);
        total += length;
        t += if steady { length as i64 * 3_600 } else { length as i64 * 60 + rng.range(3_600, 16 * 3_600) as i64 };
    }
    // A session is a list of blocks: one noise command, or one whole occurrence of a plant, so a
    // plant is never split by another.
    let mut sessions: Vec<Vec<Vec<String>>> =
        lengths.iter().map(|&n| noise(&mut rng, n).into_iter().map(|c| vec![c]).collect()).collect();
    // Routines: distinct commands, never reused between plants.
    let mut pool: Vec<usize> = (0..ROUTINE_COMMANDS.len()).collect();
    let mut take = |rng: &mut Rng, n: usize| -> Vec<&'static Template> {
        (0..n)
            .map_while(|_| (!pool.is_empty()).then(|| &ROUTINE_COMMANDS[pool.swap_remove(rng.below(pool.len()))]))
            .collect()
    };
    let mut plants: Vec<(Plant, &'static str)> = Vec::new();
    let qualifying = rng.range(3, 5);
    for _ in 0..qualifying {
        let length = rng.range(2, 5);
        let templates = take(&mut rng, length);
        let times = rng.range(3, 9);
        let chosen = within_days(&mut rng, &starts, times, 6);
        plants.push((Plant { templates, sessions: chosen, chain: rng.chance(0.3), interrupted: false }, "routine"));
    }
    // Near misses.
    let n = rng.range(2, 4);
    let twice = take(&mut rng, n);
    let chosen = within_days(&mut rng, &starts, 2, 3);
    plants.push((Plant { templates: twice, sessions: chosen, chain: false, interrupted: false }, "never"));
    let n = rng.range(2, 3);
    let spread = take(&mut rng, n);
    let chosen = spread_days(&mut rng, &starts, &[0, 4 * DAY, 8 * DAY + 3_600]);
    plants.push((Plant { templates: spread, sessions: chosen, chain: false, interrupted: false }, "spread"));
    let interrupted = take(&mut rng, 2);
    let times = rng.range(4, 7);
    let chosen = within_days(&mut rng, &starts, times, 6);
    plants.push((Plant { templates: interrupted, sessions: chosen, chain: false, interrupted: true }, "never"));
    let mut history = History { lines: Vec::new(), routines: Vec::new(), spread: Vec::new(), near_misses: Vec::new() };
    for (plant, kind) in &plants {
        // A history too short for the sessions asked for gets fewer occurrences: a routine
        // placed fewer than 3 times is left out rather than expected.
        let needed = if *kind == "routine" || *kind == "spread" { 3 } else { 2 };
        if plant.sessions.len() < needed || plant.templates.len() < 2 {
            continue;
        }
        let expected: Vec<String> = plant.templates.iter().map(|t| t.text.to_string()).collect();
        let interruption_offset = rng.below(INTERRUPTIONS.len());
        let values: Vec<Vec<&str>> =
            plant.templates.iter().map(|t| varied_values(&mut rng, t, plant.sessions.len())).collect();
        for (o, &session) in plant.sessions.iter().enumerate() {
            let commands: Vec<String> = plant
                .templates
                .iter()
                .zip(&values)
                .map(|(t, v)| t.text.replace("{}", v.get(o).copied().unwrap_or("")))
                .collect();
            let lines = if plant.chain {
                vec![commands.join(" && ")]
            } else if plant.interrupted {
                let mut lines = vec![commands[0].clone()];
                for (i, command) in commands[1..].iter().enumerate() {
                    lines.push(INTERRUPTIONS[(o * 3 + i + interruption_offset) % INTERRUPTIONS.len()].to_string());
                    lines.push(command.clone());
                }
                lines
            } else {
                let mut lines = Vec::new();
                for (i, command) in commands.iter().enumerate() {
                    if i > 0 && rng.chance(0.15) {
                        lines.push(rng.pick(&["ls", "clear", "cd src", "pwd"]).to_string());
                    }
                    lines.push(command.clone());
                }
                lines
            };
            let at = rng.below(sessions[session].len() + 1);
            sessions[session].insert(at, lines);
        }
        match *kind {
            "routine" => history.routines.push(expected),
            "spread" => history.spread.push(expected),
            _ => history.near_misses.push(expected),
        }
    }
    for (session, commands) in sessions.into_iter().enumerate() {
        let mut t = starts[session];
        for command in commands.into_iter().flatten() {
            history.lines.push((command, t));
            t += pause(&mut rng);
        }
    }
    history
}

/// A history of noise alone, shuffled by `seed`: nothing in it is a routine.
pub fn noise_history(seed: u64, size: usize) -> Vec<(String, i64)> {
    let mut rng = Rng::new(seed);
    let mut commands = noise(&mut rng, size);
    for i in (1..commands.len()).rev() {
        commands.swap(i, rng.below(i + 1));
    }
    let mut t = 1_780_000_000;
    commands
        .into_iter()
        .map(|c| {
            t += if rng.chance(0.05) { rng.range(3_600, 40_000) as i64 } else { rng.range(3, 90) as i64 };
            (c, t)
        })
        .collect()
}

/// Values for each occurrence of a varying command: at least two different ones, none taking
/// more than 60% (a real parameter, not a typo).
fn varied_values(rng: &mut Rng, template: &Template, occurrences: usize) -> Vec<&'static str> {
    if template.values.is_empty() {
        return vec![""; occurrences];
    }
    let kinds = template.values.len().min(occurrences.max(2));
    let offset = rng.below(template.values.len());
    (0..occurrences).map(|o| template.values[(offset + o) % kinds % template.values.len()]).collect()
}

fn noise(rng: &mut Rng, count: usize) -> Vec<String> {
    let total: u32 = NOISE.iter().map(|(_, w)| w).sum();
    (0..count)
        .map(|_| {
            let mut roll = rng.below(total as usize) as u32;
            for (template, weight) in NOISE {
                if roll < *weight {
                    return fill(template, rng);
                }
                roll -= weight;
            }
            "git status".to_string()
        })
        .collect()
}

/// `count` distinct sessions starting within `days` days of a random one.
fn within_days(rng: &mut Rng, starts: &[i64], count: usize, days: i64) -> Vec<usize> {
    let first = rng.below(starts.len());
    let mut candidates: Vec<usize> =
        (first..starts.len()).take_while(|&s| starts[s] - starts[first] <= days * DAY).collect();
    let mut chosen = Vec::new();
    while chosen.len() < count && !candidates.is_empty() {
        chosen.push(candidates.swap_remove(rng.below(candidates.len())));
    }
    chosen.sort_unstable();
    chosen
}

/// One session near each of `offsets` after a random start.
fn spread_days(rng: &mut Rng, starts: &[i64], offsets: &[i64]) -> Vec<usize> {
    let first = rng.below(starts.len());
    let mut chosen = Vec::new();
    for offset in offsets {
        let at = starts[first] + offset;
        if let Some(s) = (first..starts.len()).find(|&s| starts[s] >= at)
            && !chosen.contains(&s)
        {
            chosen.push(s);
        }
    }
    if chosen.len() == offsets.len() { chosen } else { Vec::new() }
}

/// Writes the history in `format` under `dir`.
pub fn write(history: &History, format: Format, dir: &Path) -> PathBuf {
    let mut text = String::new();
    let path = dir.join(match format {
        Format::BashTimed | Format::Bash => "bash_history",
        Format::Zsh => "zsh_history",
        Format::Fish => "fish_history",
        Format::Atuin => "history.db",
        Format::Plain => "history.txt",
    });
    match format {
        Format::BashTimed => history.lines.iter().for_each(|(c, t)| _ = write!(text, "#{t}\n{c}\n")),
        Format::Bash => history.lines.iter().for_each(|(c, _)| _ = writeln!(text, "{c}")),
        Format::Zsh => history.lines.iter().for_each(|(c, t)| _ = writeln!(text, ": {t}:0;{c}")),
        Format::Fish => history.lines.iter().for_each(|(c, t)| {
            _ = write!(text, "- cmd: {}\n  when: {t}\n", c.replace('\\', "\\\\"));
        }),
        Format::Plain => {
            history.lines.iter().enumerate().for_each(|(i, (c, _))| _ = writeln!(text, "{:>5}  {c}", i + 1))
        }
        Format::Atuin => {
            let conn = rusqlite::Connection::open(&path).unwrap();
            conn.execute_batch(
                "CREATE TABLE history (id TEXT PRIMARY KEY, timestamp INTEGER NOT NULL, duration INTEGER NOT NULL, exit INTEGER NOT NULL,
                 command TEXT NOT NULL, cwd TEXT NOT NULL, session TEXT NOT NULL, hostname TEXT NOT NULL, deleted_at INTEGER);
                 BEGIN;",
            )
            .unwrap();
            for (i, (c, t)) in history.lines.iter().enumerate() {
                conn.execute(
                    "INSERT INTO history VALUES (?1, ?2, 1000, 0, ?3, '/home/me/shop', 's', 'laptop', NULL)",
                    rusqlite::params![format!("{i:08}"), t * 1_000_000_000, c],
                )
                .unwrap();
            }
            conn.execute_batch("COMMIT").unwrap();
            return path;
        }
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Commands with every `{{ name }}` as `{}`, for comparing with what was planted.
pub fn normalized(commands: &[String]) -> Vec<String> {
    commands
        .iter()
        .map(|c| {
            let mut out = String::new();
            let mut rest = c.as_str();
            while let Some(start) = rest.find("{{") {
                out.push_str(&rest[..start]);
                match rest[start..].find("}}") {
                    Some(end) => {
                        out.push_str("{}");
                        rest = &rest[start + end + 2..];
                    }
                    None => break,
                }
            }
            out.push_str(rest);
            out
        })
        .collect()
}
