//! Shell history parsers (bash, zsh with metafied bytes, fish, plain): any bytes give entries
//! without panicking.
#![no_main]

use alpha::proactive::history::{HistoryFormat, parse, unmetafy};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for format in [HistoryFormat::Bash, HistoryFormat::Zsh, HistoryFormat::Fish, HistoryFormat::Plain] {
        let _ = parse(data, format);
    }
    let _ = unmetafy(data);
});
