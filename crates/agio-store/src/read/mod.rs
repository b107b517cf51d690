//! Read side: the queries behind the public pages and the API.

mod actions;
mod agendas;
mod assets;
mod organizations;
mod territories;
mod vocabularies;

use std::str::FromStr;

use agio_domain::model::{OrganizationRef, Term, TerritoryRef};
use agio_domain::{Page, PageRequest};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::sql::Sql;
use crate::{Result, Store, StoreError};

pub use actions::ActionFilter;
pub use agendas::{AgendaDetail, AgendaFilter, AgendaPartner, ObjectiveWithActions};
pub use assets::{AssetDetail, AssetFilter};
pub use organizations::{OrganizationDetail, OrganizationFilter};
pub use territories::{DistrictDetail, MapShape, Place, Places, TerritoryFilter, UnionDetail};

/// Reads column `i` of a row.
pub(crate) fn col<'r, T>(row: &'r AnyRow, i: usize) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    Ok(row.try_get::<T, _>(i)?)
}

/// Reads column `i` as a code of a closed set.
pub(crate) fn code<T: FromStr>(row: &AnyRow, i: usize) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    let raw: String = col(row, i)?;
    raw.parse().map_err(|e: T::Err| StoreError::InvalidData(format!("column {i}: {e}")))
}

/// Flags are stored as 0/1 integers on both backends (see the foundation migration).
pub(crate) fn flag(row: &AnyRow, i: usize) -> Result<bool> {
    Ok(col::<i64>(row, i)? != 0)
}

/// Columns `i..i+4` as a territory reference: code, slug, name, kind.
pub(crate) fn territory_ref(row: &AnyRow, i: usize) -> Result<TerritoryRef> {
    Ok(TerritoryRef { code: col(row, i)?, slug: col(row, i + 1)?, name: col(row, i + 2)?, kind: code(row, i + 3)? })
}

/// Optional territory reference (left join): present when the code column is not null.
pub(crate) fn territory_ref_opt(row: &AnyRow, i: usize) -> Result<Option<TerritoryRef>> {
    match col::<Option<String>>(row, i)? {
        Some(_) => Ok(Some(territory_ref(row, i)?)),
        None => Ok(None),
    }
}

pub(crate) fn org_ref_opt(row: &AnyRow, i: usize) -> Result<Option<OrganizationRef>> {
    match col::<Option<String>>(row, i)? {
        Some(slug) => Ok(Some(OrganizationRef { slug, name: col(row, i + 1)? })),
        None => Ok(None),
    }
}

/// Columns `i..i+3` as a vocabulary term: code, label_it, label_en.
pub(crate) fn term(row: &AnyRow, i: usize) -> Result<Term> {
    Ok(Term { code: col(row, i)?, label_it: col(row, i + 1)?, label_en: col(row, i + 2)? })
}

/// Appends `AND LOWER(column) LIKE %text%` with LIKE wildcards in the text escaped.
pub(crate) fn push_contains(sql: &mut Sql, columns: &[&str], text: &str) {
    let escaped = text.to_lowercase().replace('!', "!!").replace('%', "!%").replace('_', "!_");
    let pattern = format!("%{escaped}%");
    sql.push(" AND (");
    for (i, c) in columns.iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        sql.push(&format!("LOWER({c}) LIKE ")).bind(pattern.clone()).push(" ESCAPE '!'");
    }
    sql.push(")");
}

/// Runs a paged list: `select` and `count` share the same FROM/WHERE built by `filter`.
pub(crate) async fn paged<T>(
    pool: &AnyPool,
    select: &str,
    count: &str,
    filter: impl Fn(&mut Sql),
    order: &str,
    page: PageRequest,
    map: impl Fn(&AnyRow) -> Result<T>,
) -> Result<Page<T>> {
    let mut count_sql = Sql::new(count);
    filter(&mut count_sql);
    let total: i64 = col(&count_sql.fetch_one(pool).await?, 0)?;
    let mut list = Sql::new(select);
    filter(&mut list);
    list.push(" ORDER BY ").push(order).push(" LIMIT ").bind(page.limit()).push(" OFFSET ").bind(page.offset());
    let items = list.fetch_all(pool).await?.iter().map(map).collect::<Result<Vec<T>>>()?;
    Ok(Page::new(items, page, total))
}

/// The records a form offers to choose from.
#[derive(Debug, Clone, Copy)]
pub enum Choosable {
    Organizations,
    Assets,
}

impl Store {
    /// Every record of a kind as (slug, name), by name: the options of a select.
    pub async fn choices(&self, of: Choosable) -> Result<Vec<(String, String)>> {
        // Archived organisations and retired assets are no longer offered.
        let from = match of {
            Choosable::Organizations => "organizations WHERE archived_at IS NULL",
            Choosable::Assets => "digital_assets WHERE status <> 'retired'",
        };
        let sql = Sql::new(&format!("SELECT slug, name FROM {from} ORDER BY name, slug"));
        sql.fetch_all(&self.pool).await?.iter().map(|r| Ok((col(r, 0)?, col(r, 1)?))).collect()
    }
}
