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
    /// The LLM endpoint.
    #[serde(default)]
    pub llm: LlmConfig,
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
        Some(Llm { base_url: base_url.trim_end_matches('/').to_string(), model, api_key })
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
        Settings {
            config: Config::load().map_err(|e| e.to_string()),
            now,
            llm_timeout: Duration::from_secs(number("ALPHA_LLM_TIMEOUT").unwrap_or(60)),
            no_color: std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            scheduler_tick: Duration::from_millis(number("ALPHA_SCHEDULER_TICK_MS").unwrap_or(500)),
            editor: var("VISUAL").or_else(|| var("EDITOR")).unwrap_or_else(|| "vi".into()),
        }
    }

    /// The config file; an unreadable or invalid one is an error.
    pub fn config(&self) -> Result<&Config> {
        self.config.as_ref().map_err(|e| Error::Config(e.clone()))
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
