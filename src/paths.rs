//! Where alpha keeps its files (design.md §8): `$ALPHA_HOME`, else the platform data dir.

use std::path::PathBuf;

/// The data directory: `$ALPHA_HOME`, else `~/.local/share/alpha` (XDG_DATA_HOME respected).
pub fn data_dir() -> PathBuf {
    if let Some(home) = std::env::var_os("ALPHA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home);
    }
    directories::ProjectDirs::from("", "", "alpha")
        .map(|dirs| dirs.data_dir().to_path_buf())
        .unwrap_or_else(|| PathBuf::from(".alpha"))
}

/// The database file: `--db`, else `alpha.db` in the data directory.
pub fn database(explicit: Option<PathBuf>) -> PathBuf {
    explicit.unwrap_or_else(|| data_dir().join("alpha.db"))
}

/// The config file: `$ALPHA_HOME/config.yaml`, else `~/.config/alpha/config.yaml`.
pub fn config_file() -> PathBuf {
    if let Some(home) = std::env::var_os("ALPHA_HOME").filter(|v| !v.is_empty()) {
        return PathBuf::from(home).join("config.yaml");
    }
    directories::ProjectDirs::from("", "", "alpha")
        .map(|dirs| dirs.config_dir().join("config.yaml"))
        .unwrap_or_else(|| PathBuf::from(".alpha/config.yaml"))
}

/// `~/x` → `$HOME/x`; anything else unchanged.
pub fn expand_home(path: &str) -> String {
    match (path.strip_prefix("~/").or(if path == "~" { Some("") } else { None }), std::env::var("HOME")) {
        (Some(""), Ok(home)) => home,
        (Some(rest), Ok(home)) => format!("{}/{rest}", home.trim_end_matches('/')),
        _ => path.to_string(),
    }
}

/// The step logs that belong with the database in `data_dir`: `logs/` beside it.
pub fn logs_dir(data_dir: &std::path::Path) -> PathBuf {
    data_dir.join("logs")
}

/// Creates `dir` and any missing parents readable by their owner only (0700): the data dir
/// holds run history, parameters and logs that are nobody else's business.
pub fn create_private_dir(dir: &std::path::Path) -> std::io::Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    std::fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
}
