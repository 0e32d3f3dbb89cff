//! `file read|write|append|copy|list|archive|checksum|delete`.

use std::io::Write;
use std::path::{Path, PathBuf};

use futures_util::future::BoxFuture;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};

use super::{Failure, Outcome, Request, Tool, text};

/// The file tool.
pub struct File;

impl Tool for File {
    fn call(&self, request: Request) -> BoxFuture<'_, Outcome> {
        Box::pin(async move {
            tokio::task::spawn_blocking(move || run(&request))
                .await
                .unwrap_or_else(|e| Err(Failure::new(e.to_string())))
        })
    }
}

fn path(request: &Request, key: &str) -> Result<PathBuf, Failure> {
    Ok(request.path_of(request.required(key)?))
}

fn io(what: &str, path: &Path, error: std::io::Error) -> Failure {
    Failure::new(format!("can't {what} {}: {error}", path.display()))
}

fn mkdir_parent(request: &Request, path: &Path) -> Result<(), Failure> {
    if request.params.get("mkdir") != Some(&Value::Bool(false))
        && let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty())
    {
        std::fs::create_dir_all(parent).map_err(|e| io("create", parent, e))?;
    }
    Ok(())
}

fn content(request: &Request) -> String {
    match request.params.get("content") {
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
        None => String::new(),
    }
}

fn done(path: &Path, output: String) -> Map<String, Value> {
    let mut fields = Map::new();
    fields.insert("path".into(), text(path.display().to_string()));
    fields.insert("output".into(), text(output));
    fields
}

fn run(request: &Request) -> Outcome {
    match request.action.as_str() {
        "read" => {
            let path = path(request, "path")?;
            let body = std::fs::read_to_string(&path).map_err(|e| io("read", &path, e))?;
            let mut fields = done(&path, body.clone());
            fields.insert("json".into(), serde_json::from_str(&body).unwrap_or(Value::Null));
            fields.insert("size".into(), Value::from(body.len()));
            Ok(fields)
        }
        "write" | "append" => {
            let path = path(request, "path")?;
            mkdir_parent(request, &path)?;
            let body = content(request);
            let mut file = std::fs::OpenOptions::new()
                .create(true)
                .write(true)
                .append(request.action == "append")
                .truncate(request.action == "write")
                .open(&path)
                .map_err(|e| io("open", &path, e))?;
            file.write_all(body.as_bytes()).map_err(|e| io("write", &path, e))?;
            let mut fields = done(&path, path.display().to_string());
            fields.insert("size".into(), Value::from(body.len()));
            Ok(fields)
        }
        "copy" => {
            let from = path(request, "from")?;
            let to = path(request, "to")?;
            mkdir_parent(request, &to)?;
            let size = std::fs::copy(&from, &to).map_err(|e| io("copy", &from, e))?;
            let mut fields = done(&to, to.display().to_string());
            fields.insert("size".into(), Value::from(size));
            Ok(fields)
        }
        "list" => list(request),
        "archive" => archive(request),
        "checksum" => {
            let path = path(request, "path")?;
            let digest = sha256(&path)?;
            if let Some(expected) = request.str("expected")
                && !expected.eq_ignore_ascii_case(&digest)
            {
                return Err(Failure::new(format!("checksum of {} is {digest}, expected {expected}", path.display())));
            }
            let mut fields = done(&path, digest.clone());
            fields.insert("checksum".into(), text(digest));
            Ok(fields)
        }
        "delete" => {
            let path = path(request, "path")?;
            match std::fs::remove_file(&path) {
                Ok(()) => Ok(done(&path, path.display().to_string())),
                Err(e)
                    if e.kind() == std::io::ErrorKind::NotFound
                        && request.params.get("missing_ok") == Some(&Value::Bool(true)) =>
                {
                    Ok(done(&path, String::new()))
                }
                Err(e) => Err(io("delete", &path, e)),
            }
        }
        other => Err(Failure::new(format!("the file tool has no action `{other}`"))),
    }
}

fn list(request: &Request) -> Outcome {
    let dir = path(request, "path")?;
    let pattern = request.str("pattern").map(glob_to_regex);
    let recursive = request.params.get("recursive") == Some(&Value::Bool(true));
    let mut files = Vec::new();
    let mut pending = vec![dir.clone()];
    while let Some(current) = pending.pop() {
        let entries = std::fs::read_dir(&current).map_err(|e| io("list", &current, e))?;
        for entry in entries.flatten() {
            let entry_path = entry.path();
            if entry_path.is_dir() && recursive {
                pending.push(entry_path.clone());
            }
            let name = entry.file_name().to_string_lossy().into_owned();
            if pattern.as_ref().is_none_or(|re| re.is_match(&name)) {
                files.push(entry_path.display().to_string());
            }
        }
    }
    files.sort();
    let mut fields = done(&dir, files.join("\n"));
    fields.insert("count".into(), Value::from(files.len()));
    fields.insert("files".into(), Value::Array(files.into_iter().map(Value::String).collect()));
    Ok(fields)
}

fn glob_to_regex(glob: &str) -> regex::Regex {
    let mut pattern = String::from("^");
    for c in glob.chars() {
        match c {
            '*' => pattern.push_str(".*"),
            '?' => pattern.push('.'),
            other => pattern.push_str(&regex::escape(&other.to_string())),
        }
    }
    pattern.push('$');
    regex::Regex::new(&pattern).unwrap_or_else(|_| regex::Regex::new("^$").unwrap_or_else(|_| unreachable!()))
}

fn archive(request: &Request) -> Outcome {
    let sources: Vec<PathBuf> = match request.params.get("source") {
        Some(Value::Array(items)) => items.iter().filter_map(Value::as_str).map(|s| request.path_of(s)).collect(),
        Some(Value::String(s)) => vec![request.path_of(s)],
        _ => return Err(Failure::new("missing parameter `source`")),
    };
    let destination = path(request, "destination")?;
    mkdir_parent(request, &destination)?;
    let file = std::fs::File::create(&destination).map_err(|e| io("create", &destination, e))?;
    let encoder = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut builder = tar::Builder::new(encoder);
    builder.follow_symlinks(false);
    for source in &sources {
        let name = source.file_name().map(PathBuf::from).unwrap_or_else(|| PathBuf::from("root"));
        let result = if source.is_dir() {
            builder.append_dir_all(&name, source)
        } else {
            builder.append_path_with_name(source, &name)
        };
        result.map_err(|e| io("archive", source, e))?;
    }
    let encoder = builder.into_inner().map_err(|e| io("finish", &destination, e))?;
    encoder.finish().map_err(|e| io("finish", &destination, e))?;
    let digest = sha256(&destination)?;
    let size = std::fs::metadata(&destination).map(|m| m.len()).unwrap_or(0);
    let mut fields = done(&destination, destination.display().to_string());
    fields.insert("checksum".into(), text(digest));
    fields.insert("size".into(), Value::from(size));
    Ok(fields)
}

fn sha256(path: &Path) -> Result<String, Failure> {
    let mut file = std::fs::File::open(path).map_err(|e| io("read", path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| io("read", path, e))?;
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}
