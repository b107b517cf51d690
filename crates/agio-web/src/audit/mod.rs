//! The audit trail: the history of one record, and the administrators' search of the whole log.

mod history;

pub use history::router;
