//! One rule per family of intents, tried in order by [`super::parse`].

mod chat;
mod conversation;
mod create;
mod files;
mod history;
mod list;
mod manage;
mod run;
mod schedule;
mod simple;

pub(crate) use chat::*;
pub(crate) use conversation::*;
pub(crate) use create::*;
pub(crate) use files::*;
pub(crate) use history::*;
pub(crate) use list::*;
pub(crate) use manage::*;
pub(crate) use run::*;
pub(crate) use schedule::*;
pub(crate) use simple::*;
