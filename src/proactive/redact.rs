//! Secrets in shell history: what looks like a token, a password or a key is replaced by `***`
//! before a history line is stored, shown or mined (as atuin users ask for). Matching is by form
//! — secret-named variables and flags, credentials in URLs and headers, the shapes of well-known
//! tokens — since the values themselves are unknown.

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

struct Rules {
    /// Anything that could need a rule: most lines don't, and skip the rest.
    trigger: Regex,
    rules: Vec<(Regex, &'static str)>,
}

fn rules() -> &'static Rules {
    static RULES: OnceLock<Rules> = OnceLock::new();
    RULES.get_or_init(|| {
        let compile = |pattern: &str| Regex::new(pattern).unwrap_or_else(|e| unreachable!("static regex: {e}"));
        let name = r"[A-Za-z0-9_]*(?i:token|secret|passw(?:or)?d|pass|pwd|api_?key|access_?key|private_?key|credentials?|auth_?key|auth_?token)[A-Za-z0-9_]*";
        let value = r#"(?:"[^"]*"|'[^']*'|[^\s;&|]+)"#;
        Rules {
            trigger: compile(
                r"(?i)pass|token|secret|key|auth|cred|pwd|://[^/\s]*@|ghp_|gho_|ghs_|github_pat_|sk-|xox[abprs]-|akia|glpat-|eyj|mysql",
            ),
            rules: vec![
                (compile(&format!(r"((?:^|\s)(?:export\s+)?{name}=){value}")), "${1}***"),
                (
                    compile(&format!(
                        r"(?i)((?:^|\s)--?(?:password|passwd|pass|token|api-?key|secret|auth-token|access-token|client-secret|private-key)(?:=|\s+)){value}"
                    )),
                    "${1}***",
                ),
                (compile(r"(?i)((?:^|\s)mysql\S*\s(?:.*\s)?-p)([^\s]+)"), "${1}***"),
                (compile(r#"(?i)((?:authorization|proxy-authorization):\s*(?:bearer\s+|basic\s+|token\s+)?)[^\s"']+"#), "${1}***"),
                (compile(r#"(?i)((?:x-)?(?:api-?key|auth-?token|access-?token):\s*)[^\s"']+"#), "${1}***"),
                (compile(r"(://[^/\s:@]+:)[^@\s/]+@"), "${1}***@"),
                (
                    compile(
                        r"\b(?:gh[pousr]_[A-Za-z0-9]{20,}|github_pat_[A-Za-z0-9_]{20,}|sk-[A-Za-z0-9_-]{20,}|xox[abprs]-[A-Za-z0-9-]{10,}|AKIA[0-9A-Z]{16}|glpat-[A-Za-z0-9_-]{20,}|eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,})",
                    ),
                    "***",
                ),
            ],
        }
    })
}

/// `command` with what looks like a secret as `***`.
pub fn redact(command: &str) -> Cow<'_, str> {
    let rules = rules();
    if !rules.trigger.is_match(command) {
        return Cow::Borrowed(command);
    }
    let mut text = Cow::Borrowed(command);
    for (rule, replacement) in &rules.rules {
        if let Cow::Owned(changed) = rule.replace_all(&text, *replacement) {
            text = Cow::Owned(changed);
        }
    }
    text
}

#[cfg(test)]
mod tests {
    use super::redact;

    #[test]
    fn secrets_in_history_lines_become_stars() {
        let cases = [
            ("export GITHUB_TOKEN=ghp_abcdefghijklmnopqrstuvwxyz0123456789", "export GITHUB_TOKEN=***"),
            ("MY_API_KEY='s3cr3t value' ./deploy.sh", "MY_API_KEY=*** ./deploy.sh"),
            ("db_password=hunter2 make migrate", "db_password=*** make migrate"),
            ("psql --password=hunter2 -h db", "psql --password=*** -h db"),
            ("vault login --token s.abcdef", "vault login --token ***"),
            ("mysql -u root -phunter2 shop", "mysql -u root -p*** shop"),
            ("curl -H 'Authorization: Bearer abc.def' https://api", "curl -H 'Authorization: Bearer ***' https://api"),
            ("git clone https://me:hunter2@github.com/x/y", "git clone https://me:***@github.com/x/y"),
            ("echo sk-proj-abcdefghijklmnopqrstuvwx", "echo ***"),
            ("aws configure set aws_access_key_id AKIAABCDEFGHIJKLMNOP", "aws configure set aws_access_key_id ***"),
        ];
        for (line, expected) in cases {
            assert_eq!(redact(line), expected, "{line}");
        }
        for harmless in [
            "git push origin main",
            "ls -la ~/.ssh",
            "make deploy ENV=prod",
            "echo 1 2 3 true",
            "git log --author=me",
            "AUTHOR=me git commit",
        ] {
            assert_eq!(redact(harmless), harmless);
        }
    }
}
