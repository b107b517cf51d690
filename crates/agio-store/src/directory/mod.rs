//! The directory of welfare services: HSDS service documents, stored whole, with the columns
//! and link tables derived from them on every write (see `docs/directory.md`). Writing is in
//! `import`; reading services, their organisations and their locations in a file each; what
//! the demo generator reads in `generator`.

mod generator;
mod import;
mod locations;
mod organizations;
mod services;

use serde_json::Value;
use sqlx::any::AnyRow;

use crate::read::col;
use crate::sql::Sql;
use crate::{Result, StoreError};

pub use import::{PreparedService, ServiceWriter};

/// A stored service: its document and what AGIO keeps beside it.
#[derive(Debug, Clone)]
pub struct StoredService {
    pub id: String,
    pub slug: String,
    pub document: Value,
    pub is_demo: bool,
    pub updated_at: String,
    /// Changes with every write (optimistic concurrency of the edit form).
    pub version: i64,
}

/// What a write of service documents did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct DirectoryWrite {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
    /// Ids of the services created or updated (the search index re-reads them).
    pub changed: Vec<String>,
}

/// Filters of the HSDS API's lists that SQL answers.
#[derive(Debug, Clone, Default)]
pub struct ServiceFilter {
    pub organization_id: Option<String>,
    /// Services carrying any of these taxonomy terms.
    pub term_ids: Option<Vec<String>>,
    /// RFC 3339: services modified on or after.
    pub modified_after: Option<String>,
    /// Only these services (the matches of a full-text search).
    pub ids: Option<Vec<String>>,
}

/// Where a reading of every service has come to (see `directory_services_batch`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServiceCursor {
    Start,
    /// After this service in the list's order.
    After {
        name: String,
        id: String,
    },
    /// This far into a search's matches.
    Position(usize),
    End,
}

impl ServiceCursor {
    /// The first cursor for `filter`: a search's matches are read by position.
    pub fn start(filter: &ServiceFilter) -> ServiceCursor {
        match filter.ids {
            Some(_) => ServiceCursor::Position(0),
            None => ServiceCursor::Start,
        }
    }
}

/// A service-at-location row, with the place it is at.
#[derive(Debug, Clone)]
pub struct StoredServiceAtLocation {
    pub id: String,
    pub service_id: String,
    pub position: usize,
    pub distance_m: Option<f64>,
}

/// The JSON of the `document` column.
fn document(row: &AnyRow) -> Result<Value> {
    let text: String = col(row, "document")?;
    serde_json::from_str(&text).map_err(|e| StoreError::InvalidData(format!("document: {e}")))
}

fn push_filter(sql: &mut Sql, filter: &ServiceFilter) {
    if let Some(org) = &filter.organization_id {
        sql.push(" AND s.organization_id = ").bind(org.as_str());
    }
    if let Some(after) = &filter.modified_after {
        sql.push(" AND s.last_modified >= ").bind(after.as_str());
    }
    if let Some(terms) = &filter.term_ids {
        if terms.is_empty() {
            sql.push(" AND 1 = 0");
        } else {
            sql.push(" AND s.id IN (SELECT t.service_id FROM directory_service_terms t WHERE t.term_id IN (")
                .bind_list(terms.iter().cloned())
                .push("))");
        }
    }
}
