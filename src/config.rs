//! Configuration (design.md §8): `config.yaml` in the data or config dir, overridden by
//! `ALPHA_LLM_*` environment variables. No LLM configured is a normal, fully working mode.

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
                Error::Other(format!(
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
