//! Long text cut short at a character boundary, with a marker saying how long it was: for the
//! database (a stored value never grows without bound) and for a terminal (an 8 MB output is not
//! printed whole in a run's summary).

use std::borrow::Cow;

/// `text` cut to at most `limit` bytes at a character boundary, followed by a marker naming its
/// whole length; `text` itself when it fits.
pub fn cut(text: &str, limit: usize) -> Cow<'_, str> {
    if text.len() <= limit {
        return Cow::Borrowed(text);
    }
    let mut end = limit;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}…[truncated: {} bytes in all]", &text[..end], text.len()))
}

#[cfg(test)]
mod tests {
    use super::cut;

    #[test]
    fn cuts_at_a_character_boundary_and_says_how_long_it_was() {
        assert_eq!(cut("short", 10), "short");
        assert_eq!(cut("héllo", 2), "h…[truncated: 6 bytes in all]");
        assert_eq!(cut("abcdef", 3), "abc…[truncated: 6 bytes in all]");
    }
}
