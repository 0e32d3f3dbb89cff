//! Configuration (design.md §8): `config.yaml` in the data or config dir, overridden by
//! `ALPHA_*` environment variables. No LLM configured is a normal, fully working mode.
//!
//! Both are read once per process, here and nowhere else, into [`Settings`]: the faces hand it
//! to the commands in their context, and the engine reads the same snapshot through
//! [`settings`].

use std::sync::OnceLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::Deserialize;

use crate::error::{Error, Result};

/// The whole config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where the library lives when neither `--db` nor `ALPHA_DB` says: a file path (`~`
    /// expanded) or a `postgres://` URL shared by several machines.
    #[serde(default)]
    pub store: Option<String>,
    /// The LLM endpoint.
    #[serde(default)]
    pub llm: LlmConfig,
    /// Bounds on what one step may take.
    #[serde(default)]
    pub limits: LimitsConfig,
    /// Step log files under the data dir.
    #[serde(default)]
    pub logs: LogsConfig,
    /// The shell histories the chat reads for suggestions.
    #[serde(default)]
    pub history: HistoryConfig,
}

/// `history:` in the config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HistoryConfig {
    /// Read shell histories at all; default true. `ALPHA_HISTORY=off` turns it off too.
    pub enabled: Option<bool>,
    /// The files to read instead of the ones found from `$HISTFILE`, `$SHELL` and `$HOME`
    /// (`~` expanded; each file's format is detected from its content).
    pub sources: Option<Vec<String>>,
}

impl HistoryConfig {
    /// Whether shell histories are read.
    pub fn enabled(&self) -> bool {
        let off = std::env::var("ALPHA_HISTORY")
            .is_ok_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "0" | "off" | "false" | "no"));
        !off && self.enabled.unwrap_or(true)
    }
}

/// `limits:` in the config file: defaults for every workflow that sets none of its own.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsConfig {
    /// How much of each output a step result keeps (head and tail); default 1 MiB.
    pub output_limit: Option<crate::workflow::ByteSize>,
    /// Longest an HTTP request may take, body included; default 5m.
    pub http_timeout: Option<crate::workflow::HumanDuration>,
    /// Longest an HTTP connection may take to open; default 10s.
    pub http_connect_timeout: Option<crate::workflow::HumanDuration>,
    /// Steps running at once in a group with no `max_parallel`; default 64, or 16 × CPUs when more.
    pub max_parallel: Option<u32>,
}

/// `logs:` in the config file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogsConfig {
    /// Runs' logs older than this are deleted; default 30d.
    pub max_age: Option<crate::workflow::HumanDuration>,
    /// The oldest runs' logs are deleted while all logs together are larger; default 1GiB.
    pub max_total: Option<crate::workflow::ByteSize>,
}

/// The bounds in force, from the config file and the environment, with their defaults filled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of each output a result keeps.
    pub output_limit: u64,
    /// Total time for one HTTP request.
    pub http_timeout: Duration,
    /// Time to connect.
    pub http_connect_timeout: Duration,
    /// Default cap on steps running at once.
    pub max_parallel: usize,
    /// Age after which a run's logs are deleted.
    pub logs_max_age: Duration,
    /// Total size of all logs kept.
    pub logs_max_total: u64,
}

impl Limits {
    /// The documented defaults.
    pub fn defaults() -> Limits {
        let cpus = std::thread::available_parallelism().map_or(2, std::num::NonZeroUsize::get);
        Limits {
            output_limit: 1 << 20,
            http_timeout: Duration::from_secs(300),
            http_connect_timeout: Duration::from_secs(10),
            // Most parallel steps wait (on the network, a sleep, a child): the cap bounds
            // processes and descriptors, not CPU, so it is well above the number of cores.
            max_parallel: (cpus * 16).max(64),
            logs_max_age: Duration::from_secs(30 * 86_400),
            logs_max_total: 1 << 30,
        }
    }

    /// The config file's `limits:` and `logs:` over the defaults, and `ALPHA_OUTPUT_LIMIT`,
    /// `ALPHA_HTTP_TIMEOUT`, `ALPHA_MAX_PARALLEL` over both.
    fn from(config: Option<&Config>) -> Limits {
        let mut limits = Limits::defaults();
        if let Some(config) = config {
            let l = &config.limits;
            if let Some(size) = l.output_limit {
                limits.output_limit = size.bytes().max(1);
            }
            if let Some(t) = l.http_timeout {
                limits.http_timeout = t.get();
            }
            if let Some(t) = l.http_connect_timeout {
                limits.http_connect_timeout = t.get();
            }
            if let Some(n) = l.max_parallel {
                limits.max_parallel = (n as usize).max(1);
            }
            if let Some(t) = config.logs.max_age {
                limits.logs_max_age = t.get();
            }
            if let Some(size) = config.logs.max_total {
                limits.logs_max_total = size.bytes();
            }
        }
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        if let Some(size) = var("ALPHA_OUTPUT_LIMIT").and_then(|v| crate::workflow::ByteSize::parse(&v).ok()) {
            limits.output_limit = size.bytes().max(1);
        }
        if let Some(t) = var("ALPHA_HTTP_TIMEOUT").and_then(|v| crate::workflow::HumanDuration::parse(&v).ok()) {
            limits.http_timeout = t.get();
        }
        if let Some(n) = var("ALPHA_MAX_PARALLEL").and_then(|v| v.trim().parse::<usize>().ok()) {
            limits.max_parallel = n.max(1);
        }
        limits
    }
}

/// An OpenAI-compatible endpoint (Ollama, llama.cpp server, OpenAI).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LlmConfig {
    /// e.g. `http://127.0.0.1:11434/v1`.
    pub base_url: Option<String>,
    /// Model name.
    pub model: Option<String>,
    /// Name of the environment variable holding the API key (the key itself is never in the file).
    pub api_key_env: Option<String>,
    /// Ask for intents as OpenAI tool calls (OpenAI, Ollama, llama.cpp with `--jinja`) rather
    /// than schema-constrained JSON, which every OpenAI-compatible server takes; unset (or
    /// `auto`) asks the server once whether it answers tool calls.
    #[serde(default, deserialize_with = "tools_setting")]
    pub tools: Option<bool>,
}

/// A usable LLM endpoint.
#[derive(Debug, Clone)]
pub struct Llm {
    /// Base URL, without a trailing slash.
    pub base_url: String,
    /// Model name.
    pub model: String,
    /// API key, if any.
    pub api_key: Option<String>,
    /// Whether intents are asked for as tool calls (`llm.tools`, `ALPHA_LLM_TOOLS`); `None`
    /// finds out from the server (the LLM layer probes it once).
    pub tools: Option<bool>,
}

/// `tools: true | false | auto` in the config file.
fn tools_setting<'de, D: serde::Deserializer<'de>>(deserializer: D) -> std::result::Result<Option<bool>, D::Error> {
    #[derive(serde::Deserialize)]
    #[serde(untagged)]
    enum Setting {
        Flag(bool),
        Word(String),
    }
    match <Option<Setting> as serde::Deserialize>::deserialize(deserializer)? {
        None => Ok(None),
        Some(Setting::Flag(flag)) => Ok(Some(flag)),
        Some(Setting::Word(word)) => match word.trim().to_ascii_lowercase().as_str() {
            "auto" | "" => Ok(None),
            other => Err(serde::de::Error::custom(format!("`tools: {other}`: expected true, false or auto"))),
        },
    }
}

/// `ALPHA_LLM_TOOLS`: on (1, true, yes, on), off (0, false, no, off) or `auto`.
fn tools_from_env(value: &str) -> Option<Option<bool>> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Some(Some(true)),
        "0" | "false" | "no" | "off" => Some(Some(false)),
        "auto" => Some(None),
        _ => None,
    }
}

impl Config {
    /// Reads the config file, if there is one; an unreadable or invalid file is an error.
    pub fn load() -> Result<Config> {
        let path = crate::paths::config_file();
        match std::fs::read_to_string(&path) {
            Ok(text) => serde_saphyr::from_str(&text).map_err(|e| {
                Error::Config(format!(
                    "invalid config {}: {}",
                    path.display(),
                    e.to_string().lines().next().unwrap_or("").trim_start_matches("error: ")
                ))
            }),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(Error::io(format!("can't read the config {}", path.display()), e)),
        }
    }

    /// The LLM endpoint from the environment, else the file; `None` when not configured.
    pub fn llm(&self) -> Option<Llm> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let base_url = env("ALPHA_LLM_BASE_URL").or_else(|| self.llm.base_url.clone())?;
        let model = env("ALPHA_LLM_MODEL").or_else(|| self.llm.model.clone()).unwrap_or_else(|| "default".into());
        let api_key = env("ALPHA_LLM_API_KEY").or_else(|| self.llm.api_key_env.as_deref().and_then(env));
        let tools = env("ALPHA_LLM_TOOLS").as_deref().and_then(tools_from_env).unwrap_or(self.llm.tools);
        Some(Llm { base_url: base_url.trim_end_matches('/').to_string(), model, api_key, tools })
    }
}

/// Everything alpha takes from its config file and its `ALPHA_*` environment, read once. A
/// broken config file or `ALPHA_NOW` is kept as its error and reported by what needs it (an LLM
/// step, the scheduler's clock), so it never stops the rest of alpha.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The config file as read, or why it could not be.
    config: std::result::Result<Config, String>,
    /// `ALPHA_NOW`: the moment the clock starts from (tests that can't wait for real minutes).
    now: std::result::Result<Option<DateTime<Utc>>, String>,
    /// How long one LLM request may take (`ALPHA_LLM_TIMEOUT`, seconds; default 60).
    pub llm_timeout: Duration,
    /// `NO_COLOR` is set: no colours anywhere.
    pub no_color: bool,
    /// `ALPHA_SCHEDULER_TICK_MS`: time between scheduler checks (default 500 ms).
    pub scheduler_tick: Duration,
    /// `$VISUAL`, else `$EDITOR`, else `vi`.
    pub editor: String,
    /// Output, time and concurrency bounds.
    pub limits: Limits,
    /// `ALPHA_WEB_TOKEN`: the dashboard's token, instead of the one kept in the data directory.
    pub web_token: Option<String>,
    /// `ALPHA_WORKER_LEASE_MS`: how long a worker's claim holds without a heartbeat (default 30 s).
    pub worker_lease: Duration,
    /// `ALPHA_WORKER_POLL_MS`: how often an idle worker looks for queued runs (default 100 ms).
    pub worker_poll: Duration,
}

impl Settings {
    /// Reads the config file and the environment.
    pub fn load() -> Settings {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let now = match var("ALPHA_NOW") {
            Some(text) => DateTime::parse_from_rfc3339(&text)
                .map(|t| Some(t.with_timezone(&Utc)))
                .map_err(|e| format!("ALPHA_NOW must be an RFC 3339 time: {e}")),
            None => Ok(None),
        };
        let number = |name: &str| var(name).and_then(|v| v.trim().parse::<u64>().ok());
        let config = Config::load().map_err(|e| e.to_string());
        Settings {
            limits: Limits::from(config.as_ref().ok()),
            config,
            now,
            llm_timeout: Duration::from_secs(number("ALPHA_LLM_TIMEOUT").unwrap_or(60)),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            scheduler_tick: Duration::from_millis(number("ALPHA_SCHEDULER_TICK_MS").unwrap_or(500)),
            editor: var("VISUAL").or_else(|| var("EDITOR")).unwrap_or_else(|| "vi".into()),
            web_token: var("ALPHA_WEB_TOKEN"),
            worker_lease: Duration::from_millis(number("ALPHA_WORKER_LEASE_MS").unwrap_or(30_000).max(300)),
            worker_poll: Duration::from_millis(number("ALPHA_WORKER_POLL_MS").unwrap_or(100).max(10)),
        }
    }

    /// The config file; an unreadable or invalid one is an error.
    pub fn config(&self) -> Result<&Config> {
        self.config.as_ref().map_err(|e| Error::Config(e.clone()))
    }

    /// `store:` from the config file, if it sets one (a broken file is reported by what reads
    /// the rest of it).
    pub fn store(&self) -> Option<std::path::PathBuf> {
        let store = self.config.as_ref().ok()?.store.as_deref()?.trim();
        (!store.is_empty()).then(|| std::path::PathBuf::from(crate::paths::expand_home(store)))
    }

    /// The LLM endpoint, `None` when none is configured.
    pub fn llm(&self) -> Result<Option<Llm>> {
        Ok(self.config()?.llm())
    }

    /// Where the clock starts (`ALPHA_NOW`), `None` for real time.
    pub fn clock_start(&self) -> Result<Option<DateTime<Utc>>> {
        self.now.clone().map_err(Error::Config)
    }
}

/// The process's settings, read on first use.
pub fn settings() -> &'static Settings {
    static SETTINGS: OnceLock<Settings> = OnceLock::new();
    SETTINGS.get_or_init(Settings::load)
}
