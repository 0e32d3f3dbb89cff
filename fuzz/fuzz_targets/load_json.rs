//! Workflow loading from JSON: any text gives a workflow (which must serialize again) or
//! diagnostics (which must render), never a panic or a hang.
#![no_main]

use alpha::workflow::{Document, Format, to_text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    match Document::from_text("fuzz.json", text, Format::Json).load() {
        Ok(workflow) => {
            let again = to_text(&workflow, Format::Json);
            assert!(Document::from_text("again.json", again, Format::Json).load().is_ok());
        }
        Err(diagnostics) => {
            let _ = diagnostics.render(false);
        }
    }
});
