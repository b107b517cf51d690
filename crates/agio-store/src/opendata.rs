//! The open data tables read straight from the database: territories, organisations and
//! digital assets, each row the values of the columns `agio_app::opendata` documents, in order.
//! (The agendas and what they contain are read from their public versions, not here.)

use serde_json::Value;
use sqlx::any::AnyRow;

use crate::read::col;
use crate::sql::Sql;
use crate::{Result, Store};

/// A row's text and number columns, as JSON values (null where empty).
fn values(r: &AnyRow, text: &[&str], numbers: &[&str]) -> Result<Vec<Value>> {
    let mut row = Vec::with_capacity(text.len() + numbers.len());
    for name in text {
        row.push(col::<Option<String>>(r, name)?.map_or(Value::Null, Value::String));
    }
    for name in numbers {
        row.push(col::<Option<i64>>(r, name)?.map_or(Value::Null, Value::from));
    }
    Ok(row)
}

impl Store {
    /// Region, districts, unions and comuni: code, slug, name, kind, the code of the territory
    /// containing it, province, population.
    pub async fn open_territories(&self) -> Result<Vec<Vec<Value>>> {
        let sql = Sql::new(
            "SELECT t.code, t.slug, t.name, t.kind, p.code AS parent_code, t.province, t.population \
             FROM territories t LEFT JOIN territories p ON p.id = t.parent_id \
             WHERE t.archived_at IS NULL ORDER BY t.code",
        );
        sql.map_all(&self.pool, |r| {
            values(r, &["code", "slug", "name", "kind", "parent_code", "province"], &["population"])
        })
        .await
    }

    /// Organisations: slug, name, type, tax code, territory code, website.
    pub async fn open_organizations(&self) -> Result<Vec<Vec<Value>>> {
        let sql = Sql::new(
            "SELECT o.slug, o.name, o.org_type, o.tax_code, t.code AS territory, o.website \
             FROM organizations o LEFT JOIN territories t ON t.id = o.territory_id \
             WHERE o.archived_at IS NULL ORDER BY o.slug",
        );
        sql.map_all(&self.pool, |r| values(r, &["slug", "name", "org_type", "tax_code", "territory", "website"], &[]))
            .await
    }

    /// Digital assets: slug, name, kind, provider, status, address, comuni covered.
    pub async fn open_assets(&self) -> Result<Vec<Vec<Value>>> {
        let sql = Sql::new(
            "SELECT d.slug, d.name, d.kind, d.provider, d.status, d.url, \
             CAST((SELECT COUNT(*) FROM asset_coverage c WHERE c.asset_id = d.id) AS BIGINT) AS comuni \
             FROM digital_assets d ORDER BY d.slug",
        );
        sql.map_all(&self.pool, |r| values(r, &["slug", "name", "kind", "provider", "status", "url"], &["comuni"]))
            .await
    }

    /// When any of these tables last changed (`YYYY-MM-DD…`), for the catalogue's `dct:modified`.
    pub async fn last_modified(&self, table: OpenTable) -> Result<Option<String>> {
        let from = match table {
            OpenTable::Territories => "territories",
            OpenTable::Organizations => "organizations",
            OpenTable::Assets => "digital_assets",
            OpenTable::Agendas => "agendas",
            OpenTable::Measurements => "measurements",
            OpenTable::Milestones => "milestones",
            OpenTable::Spending => "budget_spending",
            OpenTable::Services => "directory_services",
        };
        let sql = Sql::new(&format!("SELECT MAX(updated_at) AS at FROM {from}"));
        sql.map_one(&self.pool, |r| col::<Option<String>>(r, "at")).await
    }
}

/// The tables whose last change dates a dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenTable {
    Territories,
    Organizations,
    Assets,
    Agendas,
    Measurements,
    Milestones,
    Spending,
    Services,
}
