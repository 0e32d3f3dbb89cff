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
        if request.action == "read" {
            return Box::pin(read(request));
        }
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
            refuse_special(&from, false)?;
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
    refuse_special(path, false)?;
    let mut file = std::fs::File::open(path).map_err(|e| io("read", path, e))?;
    let mut hasher = Sha256::new();
    std::io::copy(&mut file, &mut hasher).map_err(|e| io("read", path, e))?;
    Ok(hasher.finalize().iter().map(|b| format!("{b:02x}")).collect())
}

/// What kind of special file `path` is (a FIFO, a device, a socket), if it is one. `stat` never
/// blocks, even on a FIFO with no writer.
fn special_kind(metadata: &std::fs::Metadata) -> Option<&'static str> {
    use std::os::unix::fs::FileTypeExt;
    let kind = metadata.file_type();
    if kind.is_fifo() {
        Some("a FIFO")
    } else if kind.is_char_device() {
        Some("a character device")
    } else if kind.is_block_device() {
        Some("a block device")
    } else if kind.is_socket() {
        Some("a socket")
    } else {
        None
    }
}

/// Refuses a FIFO or a device, which may never end or never answer, unless `allowed`.
fn refuse_special(path: &Path, allowed: bool) -> Result<Option<&'static str>, Failure> {
    let metadata = std::fs::metadata(path).map_err(|e| io("read", path, e))?;
    if metadata.is_dir() {
        return Err(Failure::new(format!("can't read {}: it is a directory", path.display())));
    }
    match special_kind(&metadata) {
        Some(kind) if !allowed => Err(Failure::new(format!(
            "{} is {kind}, not a regular file; reading it may never end (set `allow_special: true` on a read to read it anyway)",
            path.display()
        ))),
        kind => Ok(kind),
    }
}

/// `file read`: the file streamed through a bounded capture on a thread of its own, so a FIFO
/// with no writer or an endless device never holds the step past its timeout or a signal; the
/// result keeps the head and tail, and the marker points at the file itself for the rest.
async fn read(request: Request) -> Outcome {
    let path = path(&request, "path")?;
    let allowed = request.params.get("allow_special") == Some(&Value::Bool(true));
    let probe = path.clone();
    let special = tokio::task::spawn_blocking(move || refuse_special(&probe, allowed))
        .await
        .map_err(|e| Failure::new(e.to_string()))??;
    let (chunks, mut received) = tokio::sync::mpsc::channel::<std::io::Result<Vec<u8>>>(4);
    let reader = Reader { path: path.clone(), fifo: special == Some("a FIFO"), done: Default::default() };
    let finished = reader.done.clone();
    let source = path.clone();
    std::thread::Builder::new()
        .name("alpha-file-read".into())
        .spawn(move || read_chunks(&source, &chunks, &finished))
        .map_err(|e| Failure::new(format!("can't start reading {}: {e}", path.display())))?;
    // No log: the whole text is the file itself.
    let mut stream = super::capture::Stream::new(
        "output",
        request.output_limit,
        request.secret_forms.clone(),
        None,
        request.verbose.clone(),
    );
    let copy = async {
        while let Some(chunk) = received.recv().await {
            stream.push(&chunk?);
        }
        Ok::<(), std::io::Error>(())
    };
    let copied = match request.deadline {
        Some(deadline) => tokio::time::timeout_at(deadline.into(), copy).await,
        None => Ok(copy.await),
    };
    match copied {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(io("read", &path, e)),
        Err(_) => {
            return Err(Failure::kind(
                format!("reading {} did not end in time", path.display()),
                crate::workflow::ErrorKind::Timeout,
            ));
        }
    }
    drop(reader);
    let captured = stream.finish_whole_in(&path.display().to_string());
    let mut fields = done(&path, String::new());
    let json =
        if captured.truncated { Value::Null } else { serde_json::from_str(&captured.text).unwrap_or(Value::Null) };
    fields.insert("json".into(), json);
    fields.insert("size".into(), Value::from(captured.bytes));
    fields.insert("output".into(), text(captured.text.clone()));
    fields.insert("bytes".into(), Value::from(captured.bytes));
    fields.insert("truncated".into(), Value::Bool(captured.truncated));
    Ok(fields)
}

/// Reads `path` in chunks into `chunks` until its end, an error, or nobody listening.
fn read_chunks(
    path: &Path,
    chunks: &tokio::sync::mpsc::Sender<std::io::Result<Vec<u8>>>,
    done: &std::sync::atomic::AtomicBool,
) {
    use std::io::Read;
    let result = (|| {
        let mut file = std::fs::File::open(path)?;
        loop {
            let mut buffer = vec![0u8; 64 * 1024];
            let n = file.read(&mut buffer)?;
            if n == 0 {
                return Ok(());
            }
            buffer.truncate(n);
            if chunks.blocking_send(Ok(buffer)).is_err() {
                return Ok(());
            }
        }
    })();
    done.store(true, std::sync::atomic::Ordering::SeqCst);
    if let Err(e) = result {
        let _ = chunks.blocking_send(Err(e));
    }
}

/// The reading thread's handle: dropped early (the step timed out or the run was cancelled),
/// it wakes a thread still waiting in `open` for a FIFO writer by opening the FIFO for writing
/// once, so the thread sees the end and exits instead of lingering.
struct Reader {
    path: PathBuf,
    fifo: bool,
    done: std::sync::Arc<std::sync::atomic::AtomicBool>,
}

impl Drop for Reader {
    fn drop(&mut self) {
        if self.fifo && !self.done.load(std::sync::atomic::Ordering::SeqCst) {
            use std::os::unix::fs::OpenOptionsExt;
            let _ = std::fs::OpenOptions::new().write(true).custom_flags(libc::O_NONBLOCK).open(&self.path);
        }
    }
}
