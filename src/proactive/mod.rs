//! Proactive intelligence: reading shell histories and finding what the user repeats, so alpha
//! can offer to automate it.

pub mod history;
pub mod miner;
pub mod optimizer;
pub mod redact;
pub mod sources;
pub mod suggest;
