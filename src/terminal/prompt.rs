//! Questions asked on the terminal (confirmations), on stderr so stdout stays the answer.

use std::io::{BufRead, IsTerminal, Write};

use crate::error::{Error, Result};

/// Prints a prompt on stderr and reads one trimmed, lowercased answer.
pub fn ask(prompt: &str) -> Result<String> {
    crate::err!("{prompt}");
    let _ = std::io::stderr().flush();
    let mut line = String::new();
    std::io::stdin().lock().read_line(&mut line).map_err(|e| Error::io("can't read the answer", e))?;
    Ok(line.trim().to_lowercase())
}

/// Asks a yes/no question; false unless the answer is yes.
pub fn confirm(prompt: &str) -> Result<bool> {
    Ok(crate::grammar::answer::is_yes(&ask(prompt)?))
}

/// Whether questions can be asked (stdin is a terminal).
pub fn interactive() -> bool {
    std::io::stdin().is_terminal()
}
