//! Read side: the queries behind the public pages and the API.

mod actions;
mod agendas;
mod assets;
mod organizations;
mod territories;
mod vocabularies;

use std::str::FromStr;

use agio_domain::model::{AssetRef, OrganizationRef, Term, TerritoryRef};
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

/// Reads the column called `name` (its `AS` alias, lower case: PostgreSQL folds unquoted
/// aliases, and reading by name keeps a query's columns free to move).
pub(crate) fn col<'r, T>(row: &'r AnyRow, name: &str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    Ok(row.try_get::<T, _>(name)?)
}

/// Builds a struct from a row: the fields listed first from the columns of the same names,
/// those after `;` from their expressions (codes, flags, references, computed values).
///
/// `from_row!(r, VersionInfo { number, created_at, note })`,
/// `from_row!(r, ResultEdit { description; kind: code(r, "kind")? })`.
macro_rules! from_row {
    ($row:expr, $($ty:ident)::+ { $($field:ident),* $(,)? $(; $($name:ident : $value:expr),+ $(,)?)? }) => {
        $($ty)::+ { $($field: $crate::read::col($row, stringify!($field))?,)* $($($name: $value,)+)? }
    };
}
pub(crate) use from_row;

/// Reads column `name` as a code of a closed set.
pub(crate) fn code<T: FromStr>(row: &AnyRow, name: &str) -> Result<T>
where
    T::Err: std::fmt::Display,
{
    let raw: String = col(row, name)?;
    raw.parse().map_err(|e: T::Err| StoreError::InvalidData(format!("column {name}: {e}")))
}

/// A JSON array of codes, as stored in a text column.
pub(crate) fn codes(row: &AnyRow, name: &str) -> Result<Vec<String>> {
    let text: String = col(row, name)?;
    serde_json::from_str(&text).map_err(|e| StoreError::InvalidData(format!("column {name}: {e}")))
}

/// Flags are stored as 0/1 integers on both backends (see the foundation migration).
pub(crate) fn flag(row: &AnyRow, name: &str) -> Result<bool> {
    Ok(col::<i64>(row, name)? != 0)
}

/// A territory reference from the columns `{prefix}code`, `{prefix}slug`, `{prefix}name`, `{prefix}kind`.
pub(crate) fn territory_ref(row: &AnyRow, prefix: &str) -> Result<TerritoryRef> {
    let named = |field: &str| format!("{prefix}{field}");
    Ok(TerritoryRef {
        code: col(row, &named("code"))?,
        slug: col(row, &named("slug"))?,
        name: col(row, &named("name"))?,
        kind: code(row, &named("kind"))?,
    })
}

/// Optional territory reference (left join): present when `{prefix}code` is not null.
pub(crate) fn territory_ref_opt(row: &AnyRow, prefix: &str) -> Result<Option<TerritoryRef>> {
    match col::<Option<String>>(row, &format!("{prefix}code"))? {
        Some(_) => Ok(Some(territory_ref(row, prefix)?)),
        None => Ok(None),
    }
}

/// Optional organisation reference (left join) from `{prefix}slug` and `{prefix}name`.
pub(crate) fn org_ref_opt(row: &AnyRow, prefix: &str) -> Result<Option<OrganizationRef>> {
    match col::<Option<String>>(row, &format!("{prefix}slug"))? {
        Some(slug) => Ok(Some(OrganizationRef { slug, name: col(row, &format!("{prefix}name"))? })),
        None => Ok(None),
    }
}

/// A vocabulary term from the columns `{prefix}code`, `{prefix}label_it`, `{prefix}label_en`.
pub(crate) fn term(row: &AnyRow, prefix: &str) -> Result<Term> {
    Ok(Term {
        code: col(row, &format!("{prefix}code"))?,
        label_it: col(row, &format!("{prefix}label_it"))?,
        label_en: col(row, &format!("{prefix}label_en"))?,
    })
}

/// A digital asset reference from the columns `slug`, `name`, `kind`.
pub(crate) fn asset_ref(row: &AnyRow) -> Result<AssetRef> {
    Ok(AssetRef { slug: col(row, "slug")?, name: col(row, "name")?, kind: code(row, "kind")? })
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

/// Appends `(alias.code = … OR alias.slug = …)`: a territory named by its code or its slug.
pub(crate) fn push_code_or_slug<'s>(sql: &'s mut Sql, alias: &str, key: &str) -> &'s mut Sql {
    sql.push(&format!("({alias}.code = ")).bind(key).push(&format!(" OR {alias}.slug = ")).bind(key).push(")")
}

/// Runs a paged list: the rows of `columns` + `from` (which `filter` completes), and their
/// count (`SELECT COUNT(*) AS n` + the same `from`).
pub(crate) async fn paged<T>(
    pool: &AnyPool,
    columns: &str,
    from: &str,
    filter: impl Fn(&mut Sql),
    order: &str,
    page: PageRequest,
    map: impl Fn(&AnyRow) -> Result<T>,
) -> Result<Page<T>> {
    let mut count_sql = Sql::new(&format!("SELECT COUNT(*) AS n{from}"));
    filter(&mut count_sql);
    let total: i64 = col(&count_sql.fetch_one(pool).await?, "n")?;
    let mut list = Sql::new(&format!("{columns}{from}"));
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
        sql.map_all(&self.pool, |r| Ok((col(r, "slug")?, col(r, "name")?))).await
    }
}
