//! Terminal output rules: colour and symbols only on a TTY and never with NO_COLOR; plain,
//! stable lines otherwise.

use std::io::IsTerminal;

/// How to print for the current stdout.
#[derive(Debug, Clone, Copy)]
pub struct Output {
    /// Colours and spinners allowed.
    pub color: bool,
    /// Stdout is an interactive terminal.
    pub tty: bool,
}

impl Output {
    /// Decides from stdout and the settings (`NO_COLOR`).
    pub fn detect() -> Self {
        let tty = std::io::stdout().is_terminal();
        Output { color: tty && !no_color(), tty }
    }

    /// Wraps `text` in an ANSI style when colour is on.
    pub fn paint(&self, code: &str, text: &str) -> String {
        if self.color { format!("\x1b[{code}m{text}\x1b[0m") } else { text.to_string() }
    }

    /// Green.
    pub fn good(&self, text: &str) -> String {
        self.paint("32", text)
    }

    /// Red.
    pub fn bad(&self, text: &str) -> String {
        self.paint("31", text)
    }

    /// Dim.
    pub fn dim(&self, text: &str) -> String {
        self.paint("2", text)
    }

    /// Bold.
    pub fn bold(&self, text: &str) -> String {
        self.paint("1", text)
    }
}

/// Whether stderr is a terminal with colour allowed (for error rendering).
pub fn stderr_color() -> bool {
    std::io::stderr().is_terminal() && !no_color()
}

/// `NO_COLOR` is set.
pub fn no_color() -> bool {
    crate::config::settings().no_color
}

/// Prints a value as pretty JSON on stdout.
pub fn print_json<T: serde::Serialize>(value: &T) {
    match serde_json::to_string_pretty(value) {
        // JSON escapes every control character itself; the text goes out as it is.
        Ok(text) => {
            use std::io::Write;
            let mut stdout = std::io::stdout().lock();
            let _ = writeln!(stdout, "{text}");
            let _ = stdout.flush();
        }
        Err(error) => crate::errln!("error: can't encode JSON: {error}"),
    }
}
