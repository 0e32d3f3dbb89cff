//! What reaches a person's terminal shows control characters instead of obeying them.
//!
//! Parameters, step output and error text can carry ESC, OSC, CR or backspace bytes that would
//! retitle the window, clear the screen or overwrite a line with a forged `✓ Step 9/9`. Every
//! line alpha prints goes through [`visible`]: newline and tab pass, everything else below
//! space, DEL and the C1 range are shown as `\x1b`-style escapes. alpha's own colours (plain
//! SGR sequences) pass only when colour is on.

use std::borrow::Cow;
use std::fmt::Write as _;
use std::io::Write as _;

/// `text` with control characters escaped; SGR colour sequences kept when `color`.
pub fn visible(text: &str, color: bool) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut shown = String::with_capacity(text.len() + 16);
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        if color && let Some(len) = colour_sequence(rest) {
            shown.push_str(&rest[..len]);
            rest = &rest[len..];
            continue;
        }
        if is_control(c) {
            let code = u32::from(c);
            if code <= 0xff {
                let _ = write!(shown, "\\x{code:02x}");
            } else {
                let _ = write!(shown, "\\u{{{code:x}}}");
            }
        } else {
            shown.push(c);
        }
        rest = &rest[c.len_utf8()..];
    }
    Cow::Owned(shown)
}

fn is_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}' | '\u{202e}')
}

/// The length of an SGR sequence (`ESC [ 1;36 m`) at the start of `text`, if one is there.
fn colour_sequence(text: &str) -> Option<usize> {
    let body = text.strip_prefix("\x1b[")?;
    let params = body.bytes().take_while(|b| b.is_ascii_digit() || *b == b';').count();
    (params <= 16 && body.as_bytes().get(params) == Some(&b'm')).then_some(2 + params + 1)
}

/// Writes formatted text to stdout (`err`: stderr) with control characters escaped. A closed
/// pipe (`alpha … | head`) ends the output quietly instead of panicking as `println!` does.
pub fn write(args: std::fmt::Arguments<'_>, err: bool) {
    let text = args.to_string();
    if err {
        let text = visible(&text, super::stderr_color());
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    } else {
        emit(visible(&text, super::Output::detect().color).as_bytes());
    }
}

/// Writes to stdout; a reader that went away ends alpha as SIGPIPE ends other Unix tools.
fn emit(bytes: &[u8]) -> bool {
    let mut stdout = std::io::stdout().lock();
    match stdout.write_all(bytes).and_then(|()| stdout.flush()) {
        Ok(()) => true,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {
            // SAFETY: restoring a signal's default disposition and raising it are async-signal-safe.
            unsafe {
                libc::signal(libc::SIGPIPE, libc::SIG_DFL);
                libc::raise(libc::SIGPIPE);
            }
            false
        }
        Err(_) => false,
    }
}

/// Writes a document (an export, a schema, JSON) to stdout as it is: its format escapes what
/// it must, and a byte changed here would change the data.
pub fn write_data(text: &str) {
    emit(text.as_bytes());
}

/// Copies a file to stdout in chunks, control characters escaped, and says whether it ended
/// with a newline (or was empty).
pub fn copy(mut file: std::fs::File) -> bool {
    use std::io::Read;
    let color = super::Output::detect().color;
    let mut buffer = vec![0u8; 64 * 1024];
    let mut carry = Vec::new();
    let mut last = b'\n';
    loop {
        let n = match file.read(&mut buffer) {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        carry.extend_from_slice(&buffer[..n]);
        // Hold back a character cut by the chunk's end.
        let complete = match std::str::from_utf8(&carry) {
            Ok(_) => carry.len(),
            Err(e) if e.error_len().is_none() => e.valid_up_to(),
            Err(_) => carry.len(),
        };
        let text = String::from_utf8_lossy(&carry[..complete]).into_owned();
        if !emit(visible(&text, color).as_bytes()) {
            return true;
        }
        last = carry[..complete].last().copied().unwrap_or(last);
        carry.drain(..complete);
    }
    if !carry.is_empty() {
        emit(visible(&String::from_utf8_lossy(&carry), color).as_bytes());
        last = carry.last().copied().unwrap_or(last);
    }
    last == b'\n'
}

/// `println!` for a person: control characters escaped.
#[macro_export]
macro_rules! outln {
    () => { $crate::terminal::visible::write(format_args!("\n"), false) };
    ($($arg:tt)*) => { $crate::terminal::visible::write(format_args!("{}\n", format_args!($($arg)*)), false) };
}

/// `print!` for a person: control characters escaped.
#[macro_export]
macro_rules! out {
    ($($arg:tt)*) => { $crate::terminal::visible::write(format_args!($($arg)*), false) };
}

/// `eprintln!` for a person: control characters escaped.
#[macro_export]
macro_rules! errln {
    () => { $crate::terminal::visible::write(format_args!("\n"), true) };
    ($($arg:tt)*) => { $crate::terminal::visible::write(format_args!("{}\n", format_args!($($arg)*)), true) };
}

/// `eprint!` for a person: control characters escaped.
#[macro_export]
macro_rules! err {
    ($($arg:tt)*) => { $crate::terminal::visible::write(format_args!($($arg)*), true) };
}

/// `logs`: each attempt's whole output from its log file, streamed (it may be gigabytes), or
/// what the run recorded when there is no file.
pub fn print_logs(logs: &[crate::commands::history::StepLog]) {
    if logs.is_empty() {
        crate::out!("{}", crate::terminal::text::logs(logs));
        return;
    }
    for log in logs {
        crate::out!("{}", crate::terminal::text::log_header(log));
        // The record holds everything unless the limit cut it; then the file has the whole.
        match log.log_file.as_deref().filter(|_| log.truncated).map(std::fs::File::open) {
            Some(Ok(file)) => {
                let ended_with_newline = copy(file);
                if !ended_with_newline {
                    crate::outln!();
                }
                if let Some(error) = &log.error {
                    crate::outln!("[error] {error}");
                }
            }
            _ => crate::out!("{}", crate::terminal::text::log_body(log)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::visible;

    #[test]
    fn control_characters_are_shown_not_obeyed() {
        let cases = [
            ("plain\ttext\n", false, "plain\ttext\n"),
            ("\x1b]0;pwned\x07title", false, "\\x1b]0;pwned\\x07title"),
            ("\x1b[2J\x1b[H", true, "\\x1b[2J\\x1b[H"),
            ("ok\r  ✓ Step 9/9", false, "ok\\x0d  ✓ Step 9/9"),
            ("\x1b[32m✓\x1b[0m", true, "\x1b[32m✓\x1b[0m"),
            ("\x1b[32m✓\x1b[0m", false, "\\x1b[32m✓\\x1b[0m"),
            ("\u{9b}31m c1", true, "\\x9b31m c1"),
            ("back\x08\x7f", false, "back\\x08\\x7f"),
        ];
        for (input, color, expected) in cases {
            assert_eq!(visible(input, color), expected, "{input:?}");
        }
    }
}
