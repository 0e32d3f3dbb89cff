//! One history line as the miner sees it: split into the commands of its chain (`&&`, `;`, `|`),
//! each reduced to a shape — the words that name what it does, with the parts that may vary
//! (values of flags, anything after `--`, hosts, paths, numbers, quoted text, later arguments)
//! taken out as slots. Commands with the same shape are the same step of a routine; which slots
//! really vary is decided later, from the routine's occurrences.

/// How a command is joined to the one before it on its history line.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Joint {
    /// It starts a history line.
    Line,
    /// `a && b`: runs when the one before succeeded.
    And,
    /// `a ; b`: runs whatever the one before did.
    Then,
    /// `a | b`: reads what the one before printed.
    Pipe,
}

/// One command of a line, with how it is joined to the previous one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The command, spacing normalized.
    pub text: String,
    /// Its joint.
    pub joint: Joint,
}

/// Splits `a && b; c | d` into its commands, outside quotes, `$( )` and backticks. `||` and a
/// lone `&` are kept inside the command: their meaning doesn't map onto steps.
pub fn split_line(line: &str) -> Vec<Part> {
    if line.contains('\n') || !line.contains([';', '&', '|']) {
        let text = normalize(line);
        return if text.is_empty() { Vec::new() } else { vec![Part { text, joint: Joint::Line }] };
    }
    let bytes = line.as_bytes();
    let mut parts = Vec::new();
    let (mut start, mut joint) = (0, Joint::Line);
    let (mut single, mut double, mut backtick, mut depth) = (false, false, false, 0usize);
    let mut i = 0;
    while i < bytes.len() {
        let c = bytes[i];
        let quoted = single || double || backtick || depth > 0;
        match c {
            b'\\' if !single => i += 1,
            b'\'' if !double && !backtick => single = !single,
            b'"' if !single => double = !double,
            b'`' if !single => backtick = !backtick,
            b'(' if !single && i > 0 && bytes[i - 1] == b'$' => depth += 1,
            b')' if !single && depth > 0 => depth -= 1,
            _ if quoted => {}
            b';' => {
                push(&mut parts, &line[start..i], joint);
                (start, joint) = (i + 1, Joint::Then);
            }
            b'&' if bytes.get(i + 1) == Some(&b'&') => {
                push(&mut parts, &line[start..i], joint);
                (start, joint) = (i + 2, Joint::And);
                i += 1;
            }
            b'|' if bytes.get(i + 1) == Some(&b'|') => i += 1,
            b'|' if i > 0 && bytes[i - 1] != b'>' => {
                push(&mut parts, &line[start..i], joint);
                (start, joint) = (i + 1, Joint::Pipe);
            }
            _ => {}
        }
        i += 1;
    }
    push(&mut parts, &line[start.min(line.len())..], joint);
    if let Some(first) = parts.first_mut() {
        first.joint = Joint::Line;
    }
    parts
}

fn push(parts: &mut Vec<Part>, text: &str, joint: Joint) {
    let text = normalize(text);
    if !text.is_empty() {
        parts.push(Part { text, joint });
    }
}

fn normalize(text: &str) -> String {
    let text = text.trim();
    if text.contains("  ") || text.contains('\t') { tokens(text).join(" ") } else { text.to_string() }
}

/// Words split at whitespace outside quotes; quotes stay in the words.
pub fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let (mut single, mut double) = (false, false);
    let mut start: Option<usize> = None;
    let mut escaped = false;
    for (i, c) in text.char_indices() {
        if escaped {
            escaped = false;
            continue;
        }
        match c {
            '\\' if !single => escaped = true,
            '\'' if !double => single = !single,
            '"' if !single => double = !double,
            c if c.is_whitespace() && !single && !double => {
                if let Some(s) = start.take() {
                    out.push(&text[s..i]);
                }
                continue;
            }
            _ => {}
        }
        if start.is_none() {
            start = Some(i);
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// What kind of command a line's part is to the miner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Worth automating.
    Work,
    /// Navigation and inspection (`cd`, `ls`, `clear`, `history`): neither counted nor breaking
    /// a sequence.
    Trivial,
    /// An interactive program (an editor, a pager): what happens inside can't be replayed, so it
    /// ends a sequence.
    Interactive,
}

const TRIVIAL: &[&str] = &[
    "ls", "ll", "la", "l", "lsd", "exa", "eza", "dir", "cd", "pushd", "popd", "z", "clear", "cls", "reset", "pwd",
    "exit", "logout", "history", "fc", "which", "type", "whoami", "date", "true", "tree",
];

const INTERACTIVE: &[&str] = &[
    "vim", "vi", "nvim", "nano", "emacs", "micro", "hx", "less", "more", "most", "man", "top", "htop", "btop", "watch",
    "tmux", "screen", "mc", "ranger", "nnn", "lazygit", "tig", "fzf",
];

/// The role of `command`.
pub fn role(command: &str) -> Role {
    let program = program_word(command);
    if TRIVIAL.contains(&program) {
        Role::Trivial
    } else if INTERACTIVE.contains(&program) {
        Role::Interactive
    } else {
        Role::Work
    }
}

/// The program a command runs: its first word after `VAR=value` assignments and `sudo`.
fn program_word(command: &str) -> &str {
    command
        .split_whitespace()
        .find(|w| !is_assignment(w) && *w != "sudo" && *w != "command" && *w != "time")
        .unwrap_or("")
}

fn is_assignment(word: &str) -> bool {
    word.split_once('=').is_some_and(|(name, _)| {
        !name.is_empty()
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && !name.starts_with(|c: char| c.is_ascii_digit())
    })
}

/// How sure the miner is that a slot is a value rather than a word that names what the command
/// does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strength {
    /// A flag's value, anything after `--`, a host, path, number, URL or quoted text: any
    /// variation makes it a parameter.
    Value,
    /// A bare word that may be a subcommand (`docker compose build`): a parameter only when no
    /// one value dominates.
    Word,
}

/// A part of a command that may vary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Slot {
    /// The name a parameter made of it gets.
    pub name: &'static str,
    /// How sure the miner is it is a value.
    pub strength: Strength,
    /// The value in this command.
    pub value: String,
}

/// A command with its slots taken out: `key` has `\u{1}` where each slot was.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shape {
    /// The command with every slot as `\u{1}`.
    pub key: String,
    /// The slots, in order.
    pub slots: Vec<Slot>,
}

/// Where slots are in a key.
pub const MARK: char = '\u{1}';

/// Programs whose first argument is a value (a host, a URL, a file) rather than a subcommand.
const VALUE_FIRST: &[&str] = &[
    "ssh",
    "mosh",
    "ping",
    "ping6",
    "telnet",
    "nc",
    "ncat",
    "curl",
    "wget",
    "http",
    "https",
    "xh",
    "dig",
    "nslookup",
    "host",
    "traceroute",
    "mtr",
    "open",
    "xdg-open",
    "code",
    "kill",
    "pkill",
    "killall",
    "cat",
    "bat",
    "tail",
    "head",
    "source",
    ".",
    "scp",
    "rsync",
    "cp",
    "mv",
    "rm",
    "mkdir",
    "touch",
    "chmod",
    "chown",
    "tar",
    "unzip",
    "zip",
    "python",
    "python3",
    "node",
    "deno",
    "bun",
    "ruby",
    "perl",
    "bash",
    "sh",
    "zsh",
    "psql",
    "mysql",
    "redis-cli",
];

/// The shape of `command`.
pub fn shape(command: &str) -> Shape {
    let words = tokens(command);
    let mut key = String::with_capacity(command.len());
    let mut slots = Vec::new();
    let mut program: Option<&str> = None;
    let mut position = 0usize;
    let mut after_dashes = false;
    let mut previous: Option<&str> = None;
    for word in &words {
        if !key.is_empty() {
            key.push(' ');
        }
        if program.is_none() {
            if let Some((name, value)) = word.split_once('=').filter(|_| is_assignment(word)) {
                key.push_str(name);
                key.push('=');
                slot(&mut key, &mut slots, assignment_name(name), Strength::Value, value);
                continue;
            }
            if *word == "sudo" {
                key.push_str(word);
                continue;
            }
            program = Some(word);
            key.push_str(word);
            previous = Some(word);
            continue;
        }
        position += 1;
        let program = program.unwrap_or("");
        let word = *word;
        if word == "--" {
            after_dashes = true;
            key.push_str(word);
        } else if word.starts_with('-') && word.len() > 1 {
            match word.split_once('=') {
                Some((flag, value)) => {
                    key.push_str(flag);
                    key.push('=');
                    slot(&mut key, &mut slots, flag_name(program, flag), Strength::Value, value);
                }
                None => key.push_str(word),
            }
        } else if let Some((stem, rest)) = suffixed(word).filter(|_| position == 1) {
            // `make deploy-prod`, `just build:release`: the target's stem names the command, its
            // suffix may be a value.
            key.push_str(stem);
            slot(&mut key, &mut slots, "value", Strength::Word, rest);
        } else if let Some((name, strength)) = classify(program, previous, word, position, after_dashes) {
            if let Some((name_part, value)) = word.split_once('=').filter(|_| is_assignment(word)) {
                key.push_str(name_part);
                key.push('=');
                slot(&mut key, &mut slots, assignment_name(name_part), Strength::Value, value);
            } else {
                slot(&mut key, &mut slots, name, strength, word);
            }
        } else {
            key.push_str(word);
        }
        previous = Some(word);
    }
    Shape { key, slots }
}

/// A bare first argument with a suffix after `-` or `:` (`deploy-prod`), split after the mark.
fn suffixed(word: &str) -> Option<(&str, &str)> {
    if !word.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | ':' | '_')) {
        return None;
    }
    let at = word.rfind(['-', ':'])?;
    let (stem, rest) = (&word[..=at], &word[at + 1..]);
    (stem.len() > 1 && !rest.is_empty()).then_some((stem, rest))
}

fn slot(key: &mut String, slots: &mut Vec<Slot>, name: &'static str, strength: Strength, value: &str) {
    key.push(MARK);
    slots.push(Slot { name, strength, value: value.to_string() });
}

/// Whether a non-flag word is a slot, with its name and strength.
fn classify(
    program: &str,
    previous: Option<&str>,
    word: &str,
    position: usize,
    after_dashes: bool,
) -> Option<(&'static str, Strength)> {
    let strong = |name| Some((name, Strength::Value));
    let previous_flag = previous.filter(|p| p.starts_with('-') && p.len() > 1 && !p.contains('=') && *p != "--");
    if word.starts_with(['"', '\'']) {
        let message = previous
            .is_some_and(|p| p == "--message" || (p.starts_with('-') && !p.starts_with("--") && p.ends_with('m')));
        return strong(if message { "message" } else { "text" });
    }
    if word.contains("://") {
        return strong("url");
    }
    if let Some(flag) = previous_flag {
        return strong(flag_name(program, flag));
    }
    if let Some(kind) = shape_kind(word) {
        return strong(kind);
    }
    if after_dashes {
        return strong("value");
    }
    if position == 1 {
        let script = program.contains('/') || program.ends_with(".sh") || program.ends_with(".py");
        return (VALUE_FIRST.contains(&program) || script).then(|| (first_argument_name(program), Strength::Value));
    }
    let name = match previous {
        Some("origin" | "upstream" | "checkout" | "switch" | "merge" | "rebase" | "branch") if program == "git" => {
            "branch"
        }
        _ if matches!(program, "docker" | "podman" | "docker-compose") => "service",
        _ if matches!(program, "systemctl" | "service" | "journalctl") => "unit",
        _ => "value",
    };
    Some((name, Strength::Word))
}

/// The kind of a word that looks like a value by its form alone.
fn shape_kind(word: &str) -> Option<&'static str> {
    if word.contains('@') {
        return Some("host");
    }
    if word.contains('/') || word.starts_with('~') {
        return Some("path");
    }
    if word.chars().all(|c| c.is_ascii_digit()) {
        return Some("number");
    }
    if word.contains(':') {
        return Some("host");
    }
    if let Some((_, extension)) = word.rsplit_once('.')
        && !extension.is_empty()
        && word.chars().next().is_some_and(|c| c.is_alphanumeric() || c == '.')
    {
        let file = matches!(
            extension,
            "py" | "rs"
                | "js"
                | "ts"
                | "go"
                | "rb"
                | "sh"
                | "yaml"
                | "yml"
                | "json"
                | "toml"
                | "txt"
                | "md"
                | "log"
                | "csv"
                | "sql"
                | "tar"
                | "gz"
                | "tgz"
                | "zip"
                | "conf"
                | "cfg"
                | "ini"
                | "env"
                | "lock"
                | "html"
        );
        let version = word.chars().all(|c| c.is_ascii_digit() || c == '.' || c == 'v');
        return Some(if file {
            "file"
        } else if version {
            "version"
        } else {
            "host"
        });
    }
    None
}

fn first_argument_name(program: &str) -> &'static str {
    match program {
        "ssh" | "mosh" | "ping" | "ping6" | "telnet" | "nc" | "ncat" | "dig" | "nslookup" | "host" | "traceroute"
        | "mtr" => "host",
        "curl" | "wget" | "http" | "https" | "xh" | "open" | "xdg-open" => "url",
        "kill" | "pkill" | "killall" => "process",
        "psql" | "mysql" | "redis-cli" => "database",
        _ => "value",
    }
}

fn flag_name(program: &str, flag: &str) -> &'static str {
    let name = flag.trim_start_matches('-');
    match name {
        "n" | "namespace" if matches!(program, "kubectl" | "helm" | "oc") => "namespace",
        "e" | "env" | "environment" => "env",
        "h" | "host" | "hostname" => "host",
        "p" | "port" if program != "mkdir" => "port",
        "u" | "user" | "username" => "user",
        "b" | "branch" => "branch",
        "m" | "message" => "message",
        "t" | "tag" => "tag",
        "f" | "file" | "filename" if !matches!(program, "docker" | "podman" | "docker-compose" | "tail") => "file",
        "c" | "config" => "config",
        "o" | "output" | "out" => "output",
        "r" | "region" => "region",
        "target" => "target",
        "profile" => "profile",
        "context" => "context",
        "version" => "version",
        "name" => "name",
        "stage" => "stage",
        "service" | "s" => "service",
        "project" => "project",
        "dir" | "directory" | "d" if !matches!(program, "docker" | "podman" | "docker-compose") => "dir",
        _ if matches!(program, "docker" | "podman" | "docker-compose") => "service",
        _ => "value",
    }
}

fn assignment_name(name: &str) -> &'static str {
    match name.to_ascii_lowercase().as_str() {
        "env" | "environment" | "stage" => "env",
        "host" | "hostname" => "host",
        "port" => "port",
        "branch" => "branch",
        "version" | "tag" => "version",
        "target" => "target",
        "region" => "region",
        "user" => "user",
        _ => "value",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(line: &str) -> Vec<(String, Joint)> {
        split_line(line).into_iter().map(|p| (p.text, p.joint)).collect()
    }

    #[test]
    fn chains_split_into_their_commands_outside_quotes() {
        assert_eq!(
            parts("git add -A && git commit -m 'a && b'; git push | tee log"),
            [
                ("git add -A".to_string(), Joint::Line),
                ("git commit -m 'a && b'".to_string(), Joint::And),
                ("git push".to_string(), Joint::Then),
                ("tee log".to_string(), Joint::Pipe),
            ]
        );
        assert_eq!(parts("make || echo failed").len(), 1);
        assert_eq!(parts("echo $(a; b) && c").len(), 2);
        assert_eq!(parts("ls 2>&1 | grep x").len(), 2);
    }

    #[test]
    fn shapes_take_out_values_wherever_they_are() {
        let cases = [
            ("kubectl get pods -n prod", "kubectl get \u{1} -n \u{1}"),
            ("npm run deploy -- --env staging", "npm run \u{1} -- --env \u{1}"),
            ("npm run deploy -- --env=staging", "npm run \u{1} -- --env=\u{1}"),
            ("git pull origin main", "git pull \u{1} \u{1}"),
            ("ssh deploy@web1", "ssh \u{1}"),
            ("docker compose build", "docker compose \u{1}"),
            ("make build", "make build"),
            ("make deploy-prod", "make deploy-\u{1}"),
            ("ENV=prod make deploy", "ENV=\u{1} make deploy"),
            ("curl -fsS http://web1:8080/health", "curl -fsS \u{1}"),
            ("git commit -m \"fix the build\"", "git commit -m \u{1}"),
            ("pytest tests/test_api.py", "pytest \u{1}"),
        ];
        for (command, key) in cases {
            assert_eq!(shape(command).key, key, "{command}");
        }
        let git = shape("git pull origin main");
        assert_eq!(git.slots[1].name, "branch");
        assert_eq!(git.slots[1].strength, Strength::Word);
        assert_eq!(shape("kubectl get pods -n prod").slots[1].name, "namespace");
    }

    #[test]
    fn roles() {
        assert_eq!(role("cd src"), Role::Trivial);
        assert_eq!(role("ls -la"), Role::Trivial);
        assert_eq!(role("vim notes.md"), Role::Interactive);
        assert_eq!(role("sudo systemctl restart nginx"), Role::Work);
        assert_eq!(role("git status"), Role::Work);
    }
}
