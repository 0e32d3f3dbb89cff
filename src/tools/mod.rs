//! Tools that steps call, behind one trait, and the catalog of what each accepts.

pub mod catalog;
