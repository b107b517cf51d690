//! The web crate's integration tests, one module per file, in one binary: one link instead of
//! sixteen, and one pool of test threads, so a file's last slow test leaves no core idle.
//! `statements.rs` stays a binary of its own: it counts every SQL statement of its process.

mod support;

mod accounts;
mod api;
mod api_writes;
mod decidim;
mod delivery;
mod editing;
mod frameworks;
mod hostile;
mod hsds_api;
mod instances;
mod integrity;
mod lab;
mod metrics;
mod monitoring;
mod monitoring_sheet;
mod opendata;
mod outage;
mod pages;
mod password_reset;
mod people;
mod profile;
mod records;
mod redirects;
mod registration;
mod relevance;
mod search_quality;
mod services;
mod signed_in_pages;
