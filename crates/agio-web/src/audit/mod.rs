//! The audit trail: the history of one record, and the administrators' search of the whole log.

mod fields;
mod history;

pub use history::router;
