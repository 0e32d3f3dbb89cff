//! The utterance grammar: any line parses to some intent (at worst "unknown") without panicking,
//! and the "did you mean" suggestions for it are computed without panicking.
#![no_main]

use alpha::grammar::{Library, parse, suggestions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut library = Library::of(&["Deploy Pipeline", "Backup Files", "git sync", "Daily Standup Report"]);
    library.params.insert("Deploy Pipeline".into(), vec!["branch".into(), "environment".into()]);
    let _ = parse(text, &library);
    let _ = suggestions(&text.to_lowercase(), &library);
});
