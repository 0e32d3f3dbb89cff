//! Bounded capture (design.md §4): a step's stdout and stderr, an http body or a file read pass
//! through here in chunks and are never held whole. A result keeps the head and the tail of each
//! stream (`output_limit` bytes in all) with the full byte count; the whole stream, secrets
//! masked, goes to the attempt's log file under the data dir; each line reaches `--verbose`.

use std::collections::VecDeque;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use serde_json::{Map, Value};
use tokio::io::{AsyncRead, AsyncReadExt};

use super::LineSink;

/// Bytes read at a time.
const CHUNK: usize = 64 * 1024;

/// A line longer than this reaches `--verbose` cut, and is masked and passed on in pieces.
const LONGEST_LINE: usize = 64 * 1024;

/// What a result keeps of one stream.
#[derive(Debug, Clone, Default)]
pub struct Captured {
    /// The head and tail, with a marker line between them when the middle was dropped.
    pub text: String,
    /// How many bytes the stream had.
    pub bytes: u64,
    /// The middle was dropped.
    pub truncated: bool,
}

impl Captured {
    /// The result fields for a stream called `name`: `name` itself, `name_bytes`, and
    /// `truncated` when anything was dropped.
    pub fn insert_into(&self, fields: &mut Map<String, Value>, name: &str) {
        fields.insert(name.into(), Value::String(self.text.clone()));
        fields.insert(format!("{name}_bytes"), Value::from(self.bytes));
        let truncated = self.truncated || fields.get("truncated").is_some_and(|t| t == &Value::Bool(true));
        fields.insert("truncated".into(), Value::Bool(truncated));
    }
}

/// Where one attempt's streams are written whole: `logs/<run>/<step>.<attempt>.log`, created on
/// the first byte (a step that prints nothing leaves no file).
#[derive(Debug)]
pub struct LogFile {
    path: PathBuf,
    file: Option<std::io::BufWriter<std::fs::File>>,
    broken: bool,
}

/// A log file shared by the streams of one attempt.
pub type SharedLog = Arc<Mutex<LogFile>>;

impl LogFile {
    /// A log at `path`, not created yet.
    pub fn shared(path: PathBuf) -> SharedLog {
        Arc::new(Mutex::new(LogFile { path, file: None, broken: false }))
    }

    fn write(&mut self, bytes: &[u8]) {
        if self.broken {
            return;
        }
        if self.file.is_none() {
            match create_private(&self.path) {
                Ok(file) => self.file = Some(std::io::BufWriter::with_capacity(CHUNK, file)),
                Err(_) => {
                    // A full disk or a read-only data dir loses the log, never the run.
                    self.broken = true;
                    return;
                }
            }
        }
        if let Some(file) = &mut self.file
            && file.write_all(bytes).is_err()
        {
            self.broken = true;
        }
    }

    /// The file's path, once something was written to it.
    pub fn written(&mut self) -> Option<String> {
        let file = self.file.as_mut()?;
        let _ = file.flush();
        (!self.broken).then(|| self.path.display().to_string())
    }
}

/// Creates `path` readable by its owner only, and its directories as 0700.
fn create_private(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    if let Some(dir) = path.parent() {
        crate::paths::create_private_dir(dir)?;
    }
    std::fs::OpenOptions::new().create(true).append(true).mode(0o600).open(path)
}

/// One stream on its way through: masked, logged, shown, and kept within its limit.
pub struct Stream {
    name: &'static str,
    masker: Masker,
    kept: Kept,
    log: Option<SharedLog>,
    verbose: Option<LineSink>,
    /// A `--verbose` line still waiting for its newline.
    partial_line: Vec<u8>,
}

impl Stream {
    /// A stream called `name` (`stdout`, `stderr`, `body`), keeping `limit` bytes, masking
    /// `secret_forms` (from [`crate::secrets::forms`]).
    pub fn new(
        name: &'static str,
        limit: u64,
        secret_forms: Arc<[String]>,
        log: Option<SharedLog>,
        verbose: Option<LineSink>,
    ) -> Stream {
        Stream {
            name,
            masker: Masker::new(secret_forms),
            kept: Kept::new(limit),
            log,
            verbose,
            partial_line: Vec::new(),
        }
    }

    /// Takes the next chunk.
    pub fn push(&mut self, chunk: &[u8]) {
        self.kept.total += chunk.len() as u64;
        if self.masker.is_idle() {
            self.pass(chunk);
        } else {
            if let Some(piece) = self.masker.push(chunk) {
                self.pass(piece.as_bytes());
            }
        }
    }

    /// Ends the stream: what the result keeps.
    pub fn finish(mut self) -> Captured {
        if let Some(rest) = self.masker.finish() {
            self.pass(rest.as_bytes());
        }
        if !self.partial_line.is_empty() {
            let line = std::mem::take(&mut self.partial_line);
            self.show(&line);
        }
        let log = self.log.as_ref().and_then(|log| log.lock().ok().and_then(|mut log| log.written()));
        self.kept.finish(log.as_deref())
    }

    /// Ends a stream whose whole text stays at `source` (a file that was read): the marker
    /// points there instead of at a log.
    pub fn finish_whole_in(mut self, source: &str) -> Captured {
        if let Some(rest) = self.masker.finish() {
            self.pass(rest.as_bytes());
        }
        self.kept.finish(Some(source))
    }

    /// A masked piece: to the log, the kept head and tail, and `--verbose` line by line.
    fn pass(&mut self, piece: &[u8]) {
        if let Some(log) = &self.log
            && let Ok(mut log) = log.lock()
        {
            log.write(piece);
        }
        self.kept.push(piece);
        if self.verbose.is_some() {
            self.lines(piece);
        }
    }

    fn lines(&mut self, piece: &[u8]) {
        let mut rest = piece;
        while let Some(end) = rest.iter().position(|b| *b == b'\n') {
            let (line, after) = rest.split_at(end);
            if self.partial_line.is_empty() {
                self.show(line);
            } else {
                let mut whole = std::mem::take(&mut self.partial_line);
                whole.extend_from_slice(line);
                self.show(&whole);
            }
            rest = &after[1..];
        }
        if self.partial_line.len() < LONGEST_LINE {
            let room = LONGEST_LINE - self.partial_line.len();
            self.partial_line.extend_from_slice(&rest[..rest.len().min(room)]);
        }
    }

    fn show(&self, line: &[u8]) {
        if let Some(sink) = &self.verbose {
            let text = String::from_utf8_lossy(line);
            sink(self.name, text.trim_end_matches('\r'));
        }
    }
}

/// Reads `reader` through `stream` on a task of its own, until its end or until `stop` turns
/// true (the step's main process exited and its grace period passed), and sends what was
/// kept. A background process that still holds the pipe keeps being read, its output dropped,
/// so it never dies of a closed pipe before the run ends and stops it.
pub fn spawn_drain<R: AsyncRead + Unpin + Send + 'static>(
    reader: Option<R>,
    mut stream: Stream,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::sync::oneshot::Receiver<Captured> {
    let (sender, receiver) = tokio::sync::oneshot::channel();
    tokio::spawn(async move {
        let Some(mut reader) = reader else {
            let _ = sender.send(stream.finish());
            return;
        };
        // Filled through its spare capacity, so a step that prints nothing costs no 64 KB memset.
        let mut buffer = Vec::with_capacity(CHUNK);
        let ended = loop {
            buffer.clear();
            tokio::select! {
                read = reader.read_buf(&mut buffer) => match read {
                    Ok(0) | Err(_) => break true,
                    Ok(_) => stream.push(&buffer),
                },
                _ = stop.wait_for(|stop| *stop) => break false,
            }
        };
        let _ = sender.send(stream.finish());
        if !ended {
            buffer.clear();
            while let Ok(n) = reader.read_buf(&mut buffer).await {
                if n == 0 {
                    break;
                }
                buffer.clear();
            }
        }
    });
    receiver
}

/// The head and tail of a stream: the first half of the limit as it came, the last half in a
/// ring, and the count of everything.
struct Kept {
    half: usize,
    head: Vec<u8>,
    tail: VecDeque<u8>,
    total: u64,
    dropped: u64,
}

impl Kept {
    fn new(limit: u64) -> Kept {
        let half = usize::try_from(limit / 2).unwrap_or(usize::MAX / 4).max(1);
        Kept { half, head: Vec::new(), tail: VecDeque::new(), total: 0, dropped: 0 }
    }

    fn push(&mut self, mut bytes: &[u8]) {
        if self.head.len() < self.half {
            let take = bytes.len().min(self.half - self.head.len());
            self.head.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
        }
        if bytes.len() >= self.half {
            self.dropped += (self.tail.len() + bytes.len() - self.half) as u64;
            self.tail.clear();
            self.tail.extend(&bytes[bytes.len() - self.half..]);
            return;
        }
        let overflow = (self.tail.len() + bytes.len()).saturating_sub(self.half);
        self.tail.drain(..overflow);
        self.dropped += overflow as u64;
        self.tail.extend(bytes);
    }

    fn finish(self, log: Option<&str>) -> Captured {
        let tail: Vec<u8> = self.tail.into_iter().collect();
        if self.dropped == 0 {
            let mut all = self.head;
            all.extend_from_slice(&tail);
            return Captured { text: String::from_utf8_lossy(&all).into_owned(), bytes: self.total, truncated: false };
        }
        let head = whole_chars_prefix(&self.head);
        let tail = whole_chars_suffix(&tail);
        let whole = match log {
            Some(path) => format!("; the whole output is in {path}"),
            None => String::new(),
        };
        let not_kept = self.total.saturating_sub((head.len() + tail.len()) as u64);
        let marker = format!("\n…[{not_kept} of {} bytes not kept{whole}]…\n", self.total);
        let text = format!("{}{marker}{}", String::from_utf8_lossy(head), String::from_utf8_lossy(tail));
        Captured { text, bytes: self.total, truncated: true }
    }
}

/// `bytes` without a character cut at its end.
fn whole_chars_prefix(bytes: &[u8]) -> &[u8] {
    let mut end = bytes.len();
    for back in 1..=3.min(bytes.len()) {
        let b = bytes[bytes.len() - back];
        if b & 0xC0 == 0xC0 {
            // The start of a character: complete only if enough continuation bytes follow.
            let need = if b >= 0xF0 {
                4
            } else if b >= 0xE0 {
                3
            } else {
                2
            };
            if back < need {
                end = bytes.len() - back;
            }
            break;
        }
        if b & 0x80 == 0 {
            break;
        }
    }
    &bytes[..end]
}

/// `bytes` without a character cut at its start.
fn whole_chars_suffix(bytes: &[u8]) -> &[u8] {
    let skip = bytes.iter().take(3).take_while(|b| **b & 0xC0 == 0x80).count();
    &bytes[skip..]
}

/// Masks secrets in a stream that arrives in chunks, as GitHub Actions does: text is passed on
/// only where no secret can straddle the cut (at a line end when no secret spans lines, else
/// holding back one secret's length), so a secret split across two reads is still caught.
struct Masker {
    forms: Arc<[String]>,
    longest: usize,
    spans_lines: bool,
    pending: Vec<u8>,
}

impl Masker {
    fn new(forms: Arc<[String]>) -> Masker {
        let longest = forms.iter().map(String::len).max().unwrap_or(0);
        let spans_lines = forms.iter().any(|f| f.contains('\n'));
        Masker { forms, longest, spans_lines, pending: Vec::new() }
    }

    fn is_idle(&self) -> bool {
        self.forms.is_empty()
    }

    fn push(&mut self, chunk: &[u8]) -> Option<String> {
        self.pending.extend_from_slice(chunk);
        let cut = self.safe_cut()?;
        let ready: Vec<u8> = self.pending.drain(..cut).collect();
        Some(crate::secrets::mask(&String::from_utf8_lossy(&ready), &self.forms))
    }

    fn finish(&mut self) -> Option<String> {
        if self.pending.is_empty() {
            return None;
        }
        let rest = std::mem::take(&mut self.pending);
        Some(crate::secrets::mask(&String::from_utf8_lossy(&rest), &self.forms))
    }

    /// How much of the pending text can be masked and passed on now.
    fn safe_cut(&self) -> Option<usize> {
        let line_end = self.pending.iter().rposition(|b| *b == b'\n').map(|i| i + 1);
        let held = self.longest.saturating_sub(1);
        let cut = match line_end {
            Some(end) if !self.spans_lines => end,
            _ if self.pending.len() > LONGEST_LINE.max(held * 2) => self.pending.len() - held,
            _ => return None,
        };
        let cut = whole_chars_prefix(&self.pending[..self.outside_secrets(cut)]).len();
        (cut > 0).then_some(cut)
    }

    /// Moves `cut` back to the start of any secret it would split.
    fn outside_secrets(&self, mut cut: usize) -> usize {
        for form in self.forms.iter() {
            let form = form.as_bytes();
            let from = cut.saturating_sub(form.len() - 1);
            let to = (cut + form.len()).min(self.pending.len());
            if let Some(at) = self.pending[from..to].windows(form.len()).position(|w| w == form)
                && from + at < cut
            {
                cut = cut.min(from + at);
            }
        }
        cut
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stream(limit: u64, secrets: &[&str]) -> Stream {
        let secrets: Vec<String> = secrets.iter().map(|s| s.to_string()).collect();
        Stream::new("stdout", limit, crate::secrets::forms(&secrets).into(), None, None)
    }

    #[test]
    fn keeps_everything_within_the_limit_and_head_and_tail_beyond_it() {
        let mut s = stream(100, &[]);
        s.push(b"hello\n");
        let kept = s.finish();
        assert_eq!((kept.text.as_str(), kept.bytes, kept.truncated), ("hello\n", 6, false));

        let mut s = stream(20, &[]);
        for i in 0..1000 {
            s.push(format!("line {i}\n").as_bytes());
        }
        let kept = s.finish();
        assert!(kept.truncated);
        assert_eq!(kept.bytes, (0..1000).map(|i| format!("line {i}\n").len() as u64).sum::<u64>());
        assert!(kept.text.starts_with("line 0\nlin"), "{}", kept.text);
        assert!(kept.text.ends_with("line 999\n"), "{}", kept.text);
        assert!(kept.text.contains("bytes not kept"), "{}", kept.text);
        assert!(kept.text.len() < 20 + 80, "{}", kept.text.len());
    }

    #[test]
    fn a_secret_split_across_chunks_is_still_masked() {
        let mut s = stream(1 << 20, &["hunter2-secret"]);
        for piece in [&b"one hun"[..], b"ter2-sec", b"ret two\nthree hunter2", b"-secret\n"] {
            s.push(piece);
        }
        let kept = s.finish();
        assert_eq!(kept.text, "one *** two\nthree ***\n");

        // A line far longer than any buffer, with the secret across the point where it is cut.
        let mut s = stream(1 << 22, &["hunter2-secret"]);
        let mut long = vec![b'x'; LONGEST_LINE * 3 - 5];
        long.extend_from_slice(b"hunter2-secret");
        long.extend_from_slice(&[b'y'; 100]);
        for chunk in long.chunks(4096) {
            s.push(chunk);
        }
        let kept = s.finish();
        assert!(!kept.text.contains("hunter2"));
        assert!(kept.text.contains("x***y"));
    }

    #[test]
    fn cuts_never_split_a_character() {
        let mut s = stream(10, &[]);
        s.push("ééééééééééééééééééééééééé".as_bytes());
        let kept = s.finish();
        assert!(kept.truncated);
        assert!(!kept.text.contains('\u{FFFD}'), "{}", kept.text);
    }
}
