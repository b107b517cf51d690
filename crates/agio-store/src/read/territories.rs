//! Territories: region, districts, unions, comuni.

use agio_domain::model::{Agenda, KeyFigures, Territory};
use agio_domain::{Page, PageRequest, TerritoryKind};
use sqlx::any::AnyRow;

use super::{code, col, from_row, paged, push_code_or_slug, push_contains, territory_ref_opt};
use crate::sql::Sql;
use crate::{Result, Store};

const COLUMNS: &str = "SELECT t.id, t.kind, t.code, t.slug, t.name, p.code AS parent_code, p.slug AS parent_slug, \
    p.name AS parent_name, p.kind AS parent_kind, t.province, t.province_code, t.health_authority, t.population, \
    t.lat, t.lon, \
    CASE t.kind WHEN 'comune' THEN 1 \
        WHEN 'union' THEN (SELECT COUNT(*) FROM union_members um WHERE um.union_id = t.id) \
        WHEN 'region' THEN (SELECT COUNT(*) FROM territories c WHERE c.kind = 'comune') \
        ELSE (SELECT COUNT(*) FROM territories c WHERE c.parent_id = t.id AND c.kind = 'comune') END AS comuni_count, \
    (SELECT COUNT(*) FROM agendas a WHERE a.territory_id = t.id AND a.status <> 'draft') AS agendas_count";
const FROM: &str = " FROM territories t LEFT JOIN territories p ON p.id = t.parent_id WHERE 1 = 1";
/// The territory columns and their FROM, for a query to complete.
fn select() -> Sql {
    Sql::new(&format!("{COLUMNS}{FROM}"))
}

const ORDER: &str =
    "CASE t.kind WHEN 'region' THEN 0 WHEN 'district' THEN 1 WHEN 'union' THEN 2 ELSE 3 END, t.name, t.code";

fn territory(r: &AnyRow) -> Result<Territory> {
    Ok(from_row!(r, Territory {
        id, code, slug, name, province, province_code, health_authority, population, lat, lon, comuni_count,
        agendas_count;
        kind: code(r, "kind")?,
        parent: territory_ref_opt(r, "parent_")?,
    }))
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
        sql.push(" AND t.archived_at IS NULL");
        if let Some(kind) = self.kind {
            sql.push(" AND t.kind = ").bind(kind.code());
        }
        if let Some(parent) = &self.parent {
            push_code_or_slug(sql.push(" AND "), "p", parent);
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
    /// Its unions of comuni.
    pub unions: Vec<Territory>,
    pub agendas: Vec<Agenda>,
}

/// A union of comuni with its comuni.
#[derive(Debug, Clone)]
pub struct UnionDetail {
    pub union: Territory,
    pub comuni: Vec<Territory>,
    pub archived_at: Option<String>,
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
        paged(&self.pool, COLUMNS, FROM, |s| filter.apply(s), ORDER, page, territory).await
    }

    /// A territory by code (ISTAT code, district code) or slug.
    pub async fn territory(&self, key: &str) -> Result<Option<Territory>> {
        let mut sql = select();
        push_code_or_slug(sql.push(" AND "), "t", key);
        sql.map_optional(&self.pool, territory).await
    }

    /// All districts, by name.
    pub async fn territory_by_id(&self, id: &str) -> Result<Option<Territory>> {
        let mut sql = select();
        sql.push(" AND t.id = ").bind(id);
        sql.map_optional(&self.pool, territory).await
    }

    pub async fn districts(&self) -> Result<Vec<Territory>> {
        let mut sql = select();
        sql.push(" AND t.kind = 'district' ORDER BY t.name");
        sql.map_all(&self.pool, territory).await
    }

    pub async fn district_detail(&self, key: &str) -> Result<Option<DistrictDetail>> {
        let Some(district) = self.territory(key).await? else { return Ok(None) };
        if district.kind != TerritoryKind::District {
            return Ok(None);
        }
        let children = |kind: TerritoryKind| {
            let mut sql = select();
            sql.push(" AND t.archived_at IS NULL AND t.kind = ")
                .bind(kind.code())
                .push(" AND t.parent_id = ")
                .bind(district.id.clone())
                .push(" ORDER BY t.name");
            sql
        };
        let comuni = children(TerritoryKind::Comune).map_all(&self.pool, territory).await?;
        let unions = children(TerritoryKind::Union).map_all(&self.pool, territory).await?;
        let agendas = self.agendas_of_territory(&district.id).await?;
        Ok(Some(DistrictDetail { district, comuni, unions, agendas }))
    }

    /// A union of comuni (archived ones too: their page stays) with its comuni.
    pub async fn union_detail(&self, slug: &str) -> Result<Option<UnionDetail>> {
        let mut sql = select();
        sql.push(" AND t.kind = 'union' AND t.slug = ").bind(slug);
        let Some(row) = sql.fetch_optional(&self.pool).await? else { return Ok(None) };
        let union = territory(&row)?;
        let mut sql = select();
        sql.push(" AND t.id IN (SELECT comune_id FROM union_members WHERE union_id = ")
            .bind(union.id.clone())
            .push(") ORDER BY t.name");
        let comuni = sql.map_all(&self.pool, territory).await?;
        let mut archived = Sql::new("SELECT archived_at FROM territories WHERE id = ");
        archived.bind(union.id.clone());
        let archived_at = col(&archived.fetch_one(&self.pool).await?, "archived_at")?;
        Ok(Some(UnionDetail { union, comuni, archived_at }))
    }

    pub async fn map_shapes(&self) -> Result<Vec<MapShape>> {
        let rows = sqlx::query(
            "SELECT c.name AS comune_name, d.slug AS district_slug, d.name AS district_name, c.boundary AS geometry, \
             d.province_code AS district_province_code FROM territories c JOIN territories d ON d.id = c.parent_id \
             WHERE c.kind = 'comune' AND c.boundary IS NOT NULL ORDER BY d.name, c.name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(from_row!(
                    r,
                    MapShape { comune_name, district_slug, district_name, geometry, district_province_code }
                ))
            })
            .collect()
    }

    pub async fn key_figures(&self) -> Result<KeyFigures> {
        let row = sqlx::query(
            "SELECT (SELECT COUNT(*) FROM territories WHERE kind = 'district') AS districts, \
             (SELECT COUNT(*) FROM territories WHERE kind = 'comune') AS comuni, \
             (SELECT CAST(COALESCE(SUM(population), 0) AS BIGINT) FROM territories WHERE kind = 'comune') AS population, \
             (SELECT COUNT(*) FROM agendas WHERE status IN ('consultation', 'approved')) AS agendas, \
             (SELECT COUNT(*) FROM actions WHERE archived_at IS NULL) AS actions, \
             (SELECT COUNT(*) FROM organizations WHERE archived_at IS NULL) AS organizations, \
             (SELECT COUNT(*) FROM digital_assets) AS assets",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(from_row!(&row, KeyFigures { districts, comuni, population, agendas, actions, organizations, assets }))
    }
}

/// A territory as a place people name in a form, with the comuni it stands for.
#[derive(Debug, Clone)]
pub struct Place {
    pub id: String,
    pub kind: TerritoryKind,
    pub code: String,
    pub slug: String,
    pub name: String,
    /// The id of the territory it is part of (a comune's district, a district's region).
    pub parent_id: Option<String>,
    /// ISTAT codes of its comuni (itself, for a comune).
    pub comuni: Vec<String>,
}

/// Every territory that is not archived, to read the places written in forms and API bodies.
#[derive(Debug, Clone, Default)]
pub struct Places {
    /// Comuni first, then unions, districts, the region: a name shared by a comune and a
    /// district (Guastalla) means the comune.
    entries: Vec<Place>,
}

impl Places {
    /// The place a code, slug or name (any case and accents) stands for.
    /// "Name (code)", as the forms show a place, is found by its code.
    pub fn find(&self, name: &str) -> Option<&Place> {
        let name = name.trim();
        if let Some(code) = name.strip_suffix(')').and_then(|n| n.rsplit_once(" (")).map(|(_, code)| code) {
            return self.entries.iter().find(|p| p.code == code);
        }
        let as_slug = agio_domain::slugify(name);
        self.entries
            .iter()
            .find(|p| p.code == name || p.slug == name)
            .or_else(|| self.entries.iter().find(|p| !as_slug.is_empty() && agio_domain::slugify(&p.name) == as_slug))
    }

    /// The ISTAT codes of the comuni a name stands for.
    pub fn comuni_of(&self, name: &str) -> Option<Vec<String>> {
        self.find(name).map(|p| p.comuni.clone())
    }

    pub fn of_kind(&self, kind: TerritoryKind) -> impl Iterator<Item = &Place> {
        self.entries.iter().filter(move |p| p.kind == kind)
    }

    /// The ids of a place and of the territories it is part of, nearest first (what the
    /// authorisation module checks a territorial scope against).
    pub fn path(&self, place: &Place) -> Vec<String> {
        let mut path = vec![place.id.clone()];
        let mut parent = place.parent_id.clone();
        while let Some(id) = parent.filter(|id| !path.contains(id)) {
            parent = self.entries.iter().find(|p| p.id == id).and_then(|p| p.parent_id.clone());
            path.push(id);
        }
        path
    }

    /// Comuni given by ISTAT code, as "Name (code)", in the same order.
    pub fn comune_labels<'a>(&self, codes: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        codes
            .into_iter()
            .map(|c| match self.of_kind(TerritoryKind::Comune).find(|p| p.code == c) {
                Some(p) => format!("{} ({})", p.name, p.code),
                None => c.to_string(),
            })
            .collect()
    }
}

impl Store {
    pub async fn places(&self) -> Result<Places> {
        let rows = Sql::new(
            "SELECT t.id, t.kind, t.code, t.slug, t.name, t.parent_id FROM territories t WHERE t.archived_at IS NULL \
             ORDER BY CASE t.kind WHEN 'comune' THEN 0 WHEN 'union' THEN 1 WHEN 'district' THEN 2 ELSE 3 END, t.name",
        )
        .fetch_all(&self.pool)
        .await?;
        let members = Sql::new(
            "SELECT m.union_id, c.code FROM union_members m JOIN territories c ON c.id = m.comune_id ORDER BY c.name",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut comuni_of_parent: std::collections::HashMap<String, Vec<String>> = Default::default();
        let mut entries = Vec::with_capacity(rows.len());
        for r in &rows {
            let place = from_row!(r, Place {
                id, code, slug, name, parent_id;
                kind: code(r, "kind")?,
                comuni: Vec::new(),
            });
            if let (TerritoryKind::Comune, Some(parent)) = (place.kind, &place.parent_id) {
                comuni_of_parent.entry(parent.clone()).or_default().push(place.code.clone());
            }
            entries.push(place);
        }
        let mut comuni_of_union: std::collections::HashMap<String, Vec<String>> = Default::default();
        for r in &members {
            comuni_of_union.entry(col(r, "union_id")?).or_default().push(col(r, "code")?);
        }
        let all: Vec<String> =
            entries.iter().filter(|p| p.kind == TerritoryKind::Comune).map(|p| p.code.clone()).collect();
        for p in &mut entries {
            p.comuni = match p.kind {
                TerritoryKind::Comune => vec![p.code.clone()],
                TerritoryKind::Union => comuni_of_union.remove(&p.id).unwrap_or_default(),
                TerritoryKind::District => comuni_of_parent.remove(&p.id).unwrap_or_default(),
                TerritoryKind::Region => all.clone(),
            };
        }
        Ok(Places { entries })
    }
}
