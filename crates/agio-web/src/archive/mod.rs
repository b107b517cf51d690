//! Archiving and restoring records (the rules are `agio_app::archive`), and an agenda's archive.

pub(crate) mod archiving;

pub use archiving::router;
