//! Schedules: the scheduler loop and its fire claims (design.md §4b). Cron itself is part of the
//! model ([`crate::workflow::cron`]), re-exported here for the scheduler's callers.

pub mod daemon;
pub mod fires;

pub use crate::workflow::cron::{describe, next_fires, parse_cron};
