//! Integration tests: one binary, a module per area (as just and ripgrep do).

mod architecture;
mod builder;
mod commands;
mod common;
mod damage;
mod docs;
mod email;
mod examples;
mod fixtures;
mod grammar;
mod hostile;
mod json_output;
mod library;
mod llm;
mod proactive;
mod repl;
mod resume;
mod roundtrip;
mod run;
mod scheduler;
mod secrets;
mod status;
mod templates;
mod test;
mod trust;
mod validate_cli;
