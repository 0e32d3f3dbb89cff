//! alpha: a personal workflow assistant.
//!
//! The library holds everything; the `alpha` binary is a thin shell over [`cli`]. The REPL, the
//! CLI and the scheduler all go through the same layers: [`workflow`] (format, loading,
//! validation), [`store`] (the SQLite library), [`executor`] (runs), and [`tools`].

pub mod builder;
pub mod cli;
pub mod clip;
pub mod commands;
pub mod config;
pub mod diagnostic;
pub mod error;
pub mod executor;
pub mod grammar;
pub mod llm;
pub mod paths;
pub mod proactive;
pub mod process;
pub mod repl;
pub mod schedule;
pub mod secrets;
pub mod store;
pub mod template;
pub mod templates;
pub mod terminal;
pub mod tools;
pub mod web;
pub mod workflow;
