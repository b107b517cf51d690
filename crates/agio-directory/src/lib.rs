//! The directory of welfare services, without I/O: how AGIO reads an Open Referral HSDS 3.0
//! service document (the source of truth, see `docs/directory.md`), its taxonomy of needs,
//! opening hours in Italian time, the checks an import runs beyond the JSON Schemas, and the
//! demo and synthetic services built from templates.

pub mod checks;
pub mod editing;
pub mod generate;
pub mod geo;
pub mod ids;
pub mod schedule;
pub mod service;
pub mod taxonomy;

pub use service::{Localized, Service};
