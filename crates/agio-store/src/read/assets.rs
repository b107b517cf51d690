//! Digital assets: the catalogue, their reuse by actions and their coverage by comune.

use agio_domain::model::{ActionSummary, DigitalAsset, TerritoryRef};
use agio_domain::{AssetKind, AssetStatus, Page, PageRequest};
use sqlx::any::AnyRow;

use super::{actions::ActionFilter, code, flag, from_row, paged, push_code_or_slug, push_contains, territory_ref};
use crate::sql::Sql;
use crate::{Result, Store};

const FROM: &str = " FROM digital_assets d WHERE 1 = 1";
const COLUMNS: &str = "SELECT d.id, d.slug, d.name, d.kind, d.provider, d.description, d.status, d.url, d.is_demo, \
    (SELECT COUNT(*) FROM asset_coverage c WHERE c.asset_id = d.id) AS comuni_covered, \
    (SELECT COUNT(*) FROM action_assets aa WHERE aa.asset_id = d.id) AS actions_count, \
    d.created_at, d.updated_at, d.version";

fn asset(r: &AnyRow) -> Result<DigitalAsset> {
    Ok(from_row!(r, DigitalAsset {
        id, slug, name, provider, description, url, comuni_covered, actions_count, created_at, updated_at, version;
        kind: code(r, "kind")?,
        status: code(r, "status")?,
        is_demo: flag(r, "is_demo")?,
    }))
}

#[derive(Debug, Clone, Default)]
pub struct AssetFilter {
    pub kind: Option<AssetKind>,
    pub status: Option<AssetStatus>,
    /// ISTAT code or slug of a comune the asset covers.
    pub comune: Option<String>,
    pub q: Option<String>,
}

impl AssetFilter {
    fn apply(&self, sql: &mut Sql) {
        if let Some(v) = self.kind {
            sql.push(" AND d.kind = ").bind(v.code());
        }
        if let Some(v) = self.status {
            sql.push(" AND d.status = ").bind(v.code());
        }
        if let Some(v) = &self.comune {
            sql.push(" AND EXISTS (SELECT 1 FROM asset_coverage c JOIN territories t ON t.id = c.comune_id WHERE c.asset_id = d.id AND ");
            push_code_or_slug(sql, "t", v).push(")");
        }
        if let Some(q) = &self.q {
            push_contains(sql, &["d.name", "d.description", "d.provider"], q);
        }
    }
}

/// An asset, the actions that reuse it and the comuni it covers.
#[derive(Debug, Clone)]
pub struct AssetDetail {
    pub asset: DigitalAsset,
    pub actions: Vec<ActionSummary>,
    pub comuni: Vec<TerritoryRef>,
}

impl Store {
    pub async fn list_assets(&self, filter: &AssetFilter, page: PageRequest) -> Result<Page<DigitalAsset>> {
        paged(&self.pool, COLUMNS, FROM, |s| filter.apply(s), "d.name", page, asset).await
    }

    pub async fn asset(&self, slug: &str) -> Result<Option<DigitalAsset>> {
        let mut sql = Sql::new(&format!("{COLUMNS}{FROM}"));
        sql.push(" AND d.slug = ").bind(slug);
        sql.map_optional(&self.pool, asset).await
    }

    pub async fn asset_detail(&self, slug: &str) -> Result<Option<AssetDetail>> {
        let Some(asset) = self.asset(slug).await? else { return Ok(None) };
        let actions = self.actions_where(&ActionFilter { asset: Some(slug.to_string()), ..Default::default() }).await?;
        let mut sql = Sql::new(
            "SELECT t.code, t.slug, t.name, t.kind FROM asset_coverage c JOIN territories t ON t.id = c.comune_id WHERE c.asset_id = ",
        );
        sql.bind(asset.id.clone()).push(" ORDER BY t.name");
        let comuni = sql.map_all(&self.pool, |r| territory_ref(r, "")).await?;
        Ok(Some(AssetDetail { asset, actions, comuni }))
    }
}
