//! What every feature uses and that uses no feature: who is asking (extractors), errors and
//! their pages, the page frame, forms, query strings and filters, i18n, Markdown, the page
//! cache, e-mail, static files, the connection's end and the shared state.

pub mod auth;
pub mod breaker;
pub mod cache;
pub mod edit_page;
pub mod error;
pub mod filters;
pub mod forms;
pub mod i18n;
pub mod layout;
pub mod mail;
pub mod markdown;
pub mod metrics;
pub mod observe;
pub mod personal;
pub mod query;
pub mod redirect;
pub mod state;
pub mod static_files;
pub mod unread_body;
pub mod upload;
