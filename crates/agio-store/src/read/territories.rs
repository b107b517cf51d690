//! Territories: region, districts, unions, comuni.

use agio_domain::model::{Agenda, KeyFigures, Territory};
use agio_domain::{Page, PageRequest, TerritoryKind};
use sqlx::any::AnyRow;

use super::{code, col, paged, push_contains, territory_ref_opt};
use crate::sql::Sql;
use crate::{Result, Store};

const SELECT: &str = "SELECT t.id, t.kind, t.code, t.slug, t.name, p.code, p.slug, p.name, p.kind, \
    t.province, t.province_code, t.health_authority, t.population, t.lat, t.lon, \
    CASE t.kind WHEN 'comune' THEN 1 \
        WHEN 'union' THEN (SELECT COUNT(*) FROM union_members um WHERE um.union_id = t.id) \
        WHEN 'region' THEN (SELECT COUNT(*) FROM territories c WHERE c.kind = 'comune') \
        ELSE (SELECT COUNT(*) FROM territories c WHERE c.parent_id = t.id) END, \
    (SELECT COUNT(*) FROM agendas a WHERE a.territory_id = t.id AND a.status <> 'draft') \
    FROM territories t LEFT JOIN territories p ON p.id = t.parent_id WHERE 1 = 1";
const COUNT: &str = "SELECT COUNT(*) FROM territories t LEFT JOIN territories p ON p.id = t.parent_id WHERE 1 = 1";
const ORDER: &str =
    "CASE t.kind WHEN 'region' THEN 0 WHEN 'district' THEN 1 WHEN 'union' THEN 2 ELSE 3 END, t.name, t.code";

fn territory(r: &AnyRow) -> Result<Territory> {
    Ok(Territory {
        id: col(r, 0)?,
        kind: code(r, 1)?,
        code: col(r, 2)?,
        slug: col(r, 3)?,
        name: col(r, 4)?,
        parent: territory_ref_opt(r, 5)?,
        province: col(r, 9)?,
        province_code: col(r, 10)?,
        health_authority: col(r, 11)?,
        population: col(r, 12)?,
        lat: col(r, 13)?,
        lon: col(r, 14)?,
        comuni_count: col(r, 15)?,
        agendas_count: col(r, 16)?,
    })
}

/// Filters of the territory list.
#[derive(Debug, Clone, Default)]
pub struct TerritoryFilter {
    pub kind: Option<TerritoryKind>,
    /// Code or slug of the parent (e.g. a district, to list its comuni).
    pub parent: Option<String>,
    /// Words in the name.
    pub q: Option<String>,
}

impl TerritoryFilter {
    fn apply(&self, sql: &mut Sql) {
        if let Some(kind) = self.kind {
            sql.push(" AND t.kind = ").bind(kind.code());
        }
        if let Some(parent) = &self.parent {
            sql.push(" AND (p.code = ").bind(parent.clone()).push(" OR p.slug = ").bind(parent.clone()).push(")");
        }
        if let Some(q) = &self.q {
            push_contains(sql, &["t.name"], q);
        }
    }
}

/// A district with its comuni and agendas.
#[derive(Debug, Clone)]
pub struct DistrictDetail {
    pub district: Territory,
    pub comuni: Vec<Territory>,
    pub agendas: Vec<Agenda>,
}

/// The outline of one comune, for drawing the regional map.
#[derive(Debug, Clone)]
pub struct MapShape {
    pub comune_name: String,
    pub district_slug: String,
    pub district_name: String,
    pub district_province_code: Option<String>,
    /// GeoJSON geometry (Polygon or MultiPolygon).
    pub geometry: String,
}

impl Store {
    pub async fn list_territories(&self, filter: &TerritoryFilter, page: PageRequest) -> Result<Page<Territory>> {
        paged(&self.pool, SELECT, COUNT, |s| filter.apply(s), ORDER, page, territory).await
    }

    /// A territory by code (ISTAT code, district code) or slug.
    pub async fn territory(&self, key: &str) -> Result<Option<Territory>> {
        let mut sql = Sql::new(SELECT);
        sql.push(" AND (t.code = ").bind(key).push(" OR t.slug = ").bind(key).push(")");
        sql.fetch_optional(&self.pool).await?.as_ref().map(territory).transpose()
    }

    /// All districts, by name.
    pub async fn districts(&self) -> Result<Vec<Territory>> {
        let mut sql = Sql::new(SELECT);
        sql.push(" AND t.kind = 'district' ORDER BY t.name");
        sql.fetch_all(&self.pool).await?.iter().map(territory).collect()
    }

    pub async fn district_detail(&self, key: &str) -> Result<Option<DistrictDetail>> {
        let Some(district) = self.territory(key).await? else { return Ok(None) };
        if district.kind != TerritoryKind::District {
            return Ok(None);
        }
        let mut sql = Sql::new(SELECT);
        sql.push(" AND t.parent_id = ").bind(district.id.clone()).push(" ORDER BY t.name");
        let comuni = sql.fetch_all(&self.pool).await?.iter().map(territory).collect::<Result<_>>()?;
        let agendas = self.agendas_of_territory(&district.id).await?;
        Ok(Some(DistrictDetail { district, comuni, agendas }))
    }

    pub async fn map_shapes(&self) -> Result<Vec<MapShape>> {
        let rows = sqlx::query(
            "SELECT c.name, d.slug, d.name, c.boundary, d.province_code FROM territories c JOIN territories d ON d.id = c.parent_id \
             WHERE c.kind = 'comune' AND c.boundary IS NOT NULL ORDER BY d.name, c.name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(MapShape {
                    comune_name: col(r, 0)?,
                    district_slug: col(r, 1)?,
                    district_name: col(r, 2)?,
                    geometry: col(r, 3)?,
                    district_province_code: col(r, 4)?,
                })
            })
            .collect()
    }

    pub async fn key_figures(&self) -> Result<KeyFigures> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM territories WHERE kind = 'district'), \
             (SELECT COUNT(*) FROM territories WHERE kind = 'comune'), \
             (SELECT CAST(COALESCE(SUM(population), 0) AS BIGINT) FROM territories WHERE kind = 'comune'), \
             (SELECT COUNT(*) FROM agendas WHERE status IN ('consultation', 'approved')), \
             (SELECT COUNT(*) FROM actions), (SELECT COUNT(*) FROM organizations), (SELECT COUNT(*) FROM digital_assets)",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(KeyFigures {
            districts: col(&row, 0)?,
            comuni: col(&row, 1)?,
            population: col(&row, 2)?,
            agendas: col(&row, 3)?,
            actions: col(&row, 4)?,
            organizations: col(&row, 5)?,
            assets: col(&row, 6)?,
        })
    }
}
