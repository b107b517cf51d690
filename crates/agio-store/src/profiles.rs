//! Digital-welfare profiles: one per territory, with the internal services the directory does
//! not hold, and what the profile reads of its territory (comuni, population, connectivity).

use agio_domain::edit::{DatabaseEdit, InternalServiceEdit, ProfileEdit};
use agio_domain::model::ZonePlanSheet;
use agio_domain::ProfileStatus;
use serde::Serialize;

use crate::read::{code, codes, col, flag, from_row};
use crate::sql::Sql;
use crate::write::Editable;
use crate::{Result, Store};

/// A territory's profile, as stored.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct StoredProfile {
    pub id: String,
    pub territory_id: String,
    pub status: ProfileStatus,
    pub facilitation_km: f64,
    pub is_demo: bool,
    pub version: i64,
    pub published_at: Option<String>,
    pub updated_at: String,
}

/// A comune of the territory, as the exclusion-risk figures need it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComuneFacts {
    pub code: String,
    pub name: String,
    pub population: i64,
    pub lat: Option<f64>,
    pub lon: Option<f64>,
    /// Covered by an active network asset (broadband, public WiFi) of the registry.
    pub connected: bool,
}

const PROFILE: &str = "SELECT id, territory_id, status, facilitation_km, is_demo, version, published_at, updated_at \
    FROM profiles";

fn profile(r: &sqlx::any::AnyRow) -> Result<StoredProfile> {
    Ok(from_row!(r, StoredProfile {
        id, territory_id, facilitation_km, version, published_at, updated_at;
        status: code(r, "status")?,
        is_demo: flag(r, "is_demo")?,
    }))
}

const INTERNAL_SERVICE: &str =
    "SELECT s.id, s.name, s.description, s.target_groups, s.life_stages, s.needs, s.channels, \
    s.platforms, s.digital_level, s.version, pr.territory_id FROM profile_services s \
    JOIN profiles pr ON pr.id = s.profile_id JOIN territories t ON t.id = pr.territory_id \
    WHERE s.archived_at IS NULL AND s.profile_id = ";

fn internal_service(r: &sqlx::any::AnyRow) -> Result<Editable<InternalServiceEdit>> {
    Ok(Editable {
        id: col(r, "id")?,
        label: col(r, "name")?,
        version: col(r, "version")?,
        fields: from_row!(r, InternalServiceEdit {
            name, description, digital_level;
            target_groups: codes(r, "target_groups")?,
            life_stages: codes(r, "life_stages")?,
            needs: codes(r, "needs")?,
            channels: codes(r, "channels")?,
            platforms: codes(r, "platforms")?,
        }),
    })
}

const DATABASE: &str = "SELECT s.id, s.name, s.holder, s.contents, s.personal_data, s.special_categories, \
    s.legal_basis, s.format, s.update_frequency, s.access, s.used_by, s.version, pr.territory_id FROM profile_databases s \
    JOIN profiles pr ON pr.id = s.profile_id JOIN territories t ON t.id = pr.territory_id \
    WHERE s.archived_at IS NULL AND s.profile_id = ";

fn database(r: &sqlx::any::AnyRow) -> Result<Editable<DatabaseEdit>> {
    Ok(Editable {
        id: col(r, "id")?,
        label: col(r, "name")?,
        version: col(r, "version")?,
        fields: from_row!(r, DatabaseEdit {
            name, holder, contents, legal_basis, format, update_frequency, used_by;
            personal_data: flag(r, "personal_data")?,
            special_categories: flag(r, "special_categories")?,
            access: code(r, "access")?,
        }),
    })
}

impl Store {
    /// The profile of a territory (by id), if it has one.
    pub async fn profile(&self, territory_id: &str) -> Result<Option<StoredProfile>> {
        let mut sql = Sql::new(PROFILE);
        sql.push(" WHERE territory_id = ").bind(territory_id);
        sql.map_optional(&self.pool, profile).await
    }

    /// Every published profile, for the regional figures.
    pub async fn published_profiles(&self) -> Result<Vec<StoredProfile>> {
        let mut sql = Sql::new(PROFILE);
        sql.push(" WHERE status = 'published' ORDER BY territory_id");
        sql.map_all(&self.pool, profile).await
    }

    pub async fn profile_for_edit(&self, territory_id: &str) -> Result<Option<Editable<ProfileEdit>>> {
        Ok(self.profile(territory_id).await?.map(|p| Editable {
            label: String::new(),
            version: p.version,
            fields: ProfileEdit { status: p.status, facilitation_km: p.facilitation_km },
            id: p.id,
        }))
    }

    /// The internal services of a profile, by name.
    pub async fn internal_services(&self, profile_id: &str) -> Result<Vec<Editable<InternalServiceEdit>>> {
        let mut sql = Sql::new(INTERNAL_SERVICE);
        sql.bind(profile_id).push(" ORDER BY s.name, s.id");
        sql.map_all(&self.pool, internal_service).await
    }

    /// One internal service of a profile, for editing.
    pub async fn internal_service_for_edit(
        &self,
        profile_id: &str,
        id: &str,
    ) -> Result<Option<Editable<InternalServiceEdit>>> {
        let mut sql = Sql::new(INTERNAL_SERVICE);
        sql.bind(profile_id).push(" AND s.id = ").bind(id);
        sql.map_optional(&self.pool, internal_service).await
    }

    /// The essential databases of a profile, by name.
    pub async fn profile_databases(&self, profile_id: &str) -> Result<Vec<Editable<DatabaseEdit>>> {
        let mut sql = Sql::new(DATABASE);
        sql.bind(profile_id).push(" ORDER BY s.name, s.id");
        sql.map_all(&self.pool, database).await
    }

    pub async fn profile_database_for_edit(
        &self,
        profile_id: &str,
        id: &str,
    ) -> Result<Option<Editable<DatabaseEdit>>> {
        let mut sql = Sql::new(DATABASE);
        sql.bind(profile_id).push(" AND s.id = ").bind(id);
        sql.map_optional(&self.pool, database).await
    }

    /// The comuni of a territory (a district's, a union's members, a comune itself), with their
    /// population, centre and connectivity, by name.
    pub async fn territory_comuni(&self, territory_id: &str) -> Result<Vec<ComuneFacts>> {
        let mut sql = Sql::new(
            "SELECT t.code, t.name, COALESCE(t.population, 0) AS population, t.lat, t.lon, \
             CAST(CASE WHEN EXISTS (SELECT 1 FROM asset_coverage c JOIN digital_assets a ON a.id = c.asset_id \
               WHERE c.comune_id = t.id AND a.kind = 'network' AND a.status = 'active') THEN 1 ELSE 0 END AS BIGINT) \
             AS connected FROM territories t WHERE ",
        );
        push_comuni_of(&mut sql, territory_id);
        sql.push(" ORDER BY t.name");
        sql.map_all(&self.pool, |r| {
            Ok(from_row!(r, ComuneFacts { code, name, population, lat, lon; connected: flag(r, "connected")? }))
        })
        .await
    }

    /// The internal services of a territory's profile and, for a district, those of the profiles
    /// of its unions and comuni (rolled up), each with the territory whose profile lists it.
    pub async fn rolled_up_services(&self, territory_id: &str) -> Result<Vec<(String, Editable<InternalServiceEdit>)>> {
        let mut sql = Sql::new(&format!("{}{ROLLED_UP}", INTERNAL_SERVICE.replace("s.profile_id = ", "1 = 1")));
        sql.bind(territory_id).push(" OR t.parent_id = ").bind(territory_id).push(") ORDER BY s.name, s.id");
        sql.map_all(&self.pool, |r| Ok((col(r, "territory_id")?, internal_service(r)?))).await
    }

    /// The essential databases of a territory's profile and, for a district, of its unions' and
    /// comuni's (rolled up), each with the territory whose profile lists it.
    pub async fn rolled_up_databases(&self, territory_id: &str) -> Result<Vec<(String, Editable<DatabaseEdit>)>> {
        let mut sql = Sql::new(&format!("{}{ROLLED_UP}", DATABASE.replace("s.profile_id = ", "1 = 1")));
        sql.bind(territory_id).push(" OR t.parent_id = ").bind(territory_id).push(") ORDER BY s.name, s.id");
        sql.map_all(&self.pool, |r| Ok((col(r, "territory_id")?, database(r)?))).await
    }
}

/// The rows of the profiles of a territory and of the territories directly in it.
const ROLLED_UP: &str = " AND (t.id = ";

/// `t.id` among the comuni of the territory `territory_id`, whatever its kind.
fn push_comuni_of(sql: &mut Sql, territory_id: &str) {
    sql.push("t.kind = 'comune' AND (t.parent_id = ").bind(territory_id);
    sql.push(" OR t.id = ").bind(territory_id);
    sql.push(" OR t.id IN (SELECT comune_id FROM union_members WHERE union_id = ").bind(territory_id).push("))");
}

impl Store {
    /// The ids of the agendas of a territory (archived ones too: their coordinators still plan there).
    pub async fn agenda_ids_of_territory(&self, territory_id: &str) -> Result<Vec<String>> {
        let mut sql = Sql::new("SELECT id FROM agendas WHERE territory_id = ");
        sql.bind(territory_id).push(" ORDER BY id");
        sql.map_all(&self.pool, |r| col(r, "id")).await
    }
}

impl Store {
    /// A territory's id and those of the territories containing it (district → region).
    pub async fn territory_path(&self, territory_id: &str) -> Result<Vec<String>> {
        let mut sql = Sql::new(
            "SELECT t.id, p.id AS parent_id, g.id AS grandparent_id FROM territories t \
             LEFT JOIN territories p ON p.id = t.parent_id LEFT JOIN territories g ON g.id = p.parent_id WHERE t.id = ",
        );
        sql.bind(territory_id);
        let Some(r) = sql.fetch_optional(&self.pool).await? else { return Ok(Vec::new()) };
        let ids = [col::<Option<String>>(&r, "id")?, col(&r, "parent_id")?, col(&r, "grandparent_id")?];
        Ok(ids.into_iter().flatten().collect())
    }
}

/// A district's Piano di Zona and its intervention sheets, in the plan's order.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ZonePlan {
    pub id: String,
    pub title: String,
    pub period_start: i64,
    pub period_end: i64,
    pub sheets: Vec<ZonePlanSheet>,
}

/// An agenda action that names a Piano di Zona sheet in its reference.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ActionReference {
    pub agenda_slug: String,
    pub code: String,
    pub title: String,
    pub zone_plan_ref: String,
}

impl Store {
    pub async fn zone_plan(&self, profile_id: &str) -> Result<Option<ZonePlan>> {
        let mut sql = Sql::new("SELECT id, title, period_start, period_end FROM zone_plans WHERE profile_id = ");
        sql.bind(profile_id);
        let Some(r) = sql.fetch_optional(&self.pool).await? else { return Ok(None) };
        let id: String = col(&r, "id")?;
        let mut sheets = Sql::new(
            "SELECT number, title, area, target_groups, budget_cents, status FROM zone_plan_sheets WHERE plan_id = ",
        );
        sheets.bind(id.clone()).push(" ORDER BY position");
        let sheets = sheets
            .map_all(&self.pool, |r| {
                Ok(from_row!(r, ZonePlanSheet {
                    number, title, area, budget_cents;
                    target_groups: codes(r, "target_groups")?,
                    status: code(r, "status")?,
                }))
            })
            .await?;
        Ok(Some(from_row!(&r, ZonePlan { title, period_start, period_end; id: id, sheets: sheets })))
    }

    /// The actions, in the public agendas of a district, whose reference to the Piano di Zona
    /// is set (a draft's actions are not shown on the public profile).
    pub async fn actions_with_zone_plan_ref(&self, district_id: &str) -> Result<Vec<ActionReference>> {
        let mut sql = Sql::new(
            "SELECT g.slug AS agenda_slug, a.code, a.title, a.zone_plan_ref FROM actions a \
             JOIN agendas g ON g.id = a.agenda_id \
             WHERE a.archived_at IS NULL AND a.zone_plan_ref IS NOT NULL AND a.zone_plan_ref <> '' \
             AND g.status <> 'draft' AND g.territory_id = ",
        );
        sql.bind(district_id).push(" ORDER BY g.slug, a.code");
        sql.map_all(&self.pool, |r| Ok(from_row!(r, ActionReference { agenda_slug, code, title, zone_plan_ref }))).await
    }
}

impl Store {
    /// The sheets of the Piano di Zona of an agenda's district (its profile's, whatever its
    /// status), as an action names them: "Scheda 16 – Welfare di comunità…", in the plan's order.
    pub async fn zone_plan_sheets_of_agenda(&self, agenda_slug: &str) -> Result<Vec<String>> {
        let mut sql = Sql::new(
            "SELECT s.number, s.title FROM agendas a JOIN territories t ON t.id = a.territory_id \
             LEFT JOIN territories p ON p.id = t.parent_id \
             JOIN profiles pr ON pr.territory_id = t.id OR pr.territory_id = p.id OR pr.territory_id = p.parent_id \
             JOIN zone_plans z ON z.profile_id = pr.id JOIN zone_plan_sheets s ON s.plan_id = z.id WHERE a.slug = ",
        );
        sql.bind(agenda_slug).push(" ORDER BY s.position");
        sql.map_all(&self.pool, |r| {
            Ok(format!("Scheda {} – {}", col::<String>(r, "number")?, col::<String>(r, "title")?))
        })
        .await
    }

    /// The district whose published profile has sheet `number` in its Piano di Zona, for an
    /// agenda of that district (its slug): where an action's reference leads.
    pub async fn zone_plan_sheet_district(&self, agenda_slug: &str, number: &str) -> Result<Option<String>> {
        let mut sql = Sql::new(
            "SELECT t.slug FROM agendas g JOIN territories t ON t.id = g.territory_id \
             JOIN profiles p ON p.territory_id = t.id AND p.status = 'published' \
             JOIN zone_plans z ON z.profile_id = p.id \
             JOIN zone_plan_sheets s ON s.plan_id = z.id WHERE g.slug = ",
        );
        sql.bind(agenda_slug).push(" AND s.number = ").bind(number);
        sql.map_optional(&self.pool, |r| col(r, "slug")).await
    }
}

/// A digital asset of the registry as a district uses it: how many of its comuni it covers.
#[derive(Debug, Clone, PartialEq, Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct AssetInUse {
    pub slug: String,
    pub name: String,
    pub kind: agio_domain::AssetKind,
    pub status: agio_domain::AssetStatus,
    /// Comuni of the district it covers.
    pub comuni: i64,
}

/// A district that uses a digital asset: how many of its comuni the asset covers, and whether
/// its profile is published.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DistrictUsing {
    pub slug: String,
    pub name: String,
    pub comuni: i64,
    pub published_profile: bool,
}

impl Store {
    /// The registry's digital assets that cover comuni of a district, most covering first.
    pub async fn assets_in_district(&self, district_id: &str) -> Result<Vec<AssetInUse>> {
        let mut sql = Sql::new(
            "SELECT a.slug, a.name, a.kind, a.status, CAST(COUNT(*) AS BIGINT) AS comuni FROM digital_assets a \
             JOIN asset_coverage c ON c.asset_id = a.id JOIN territories t ON t.id = c.comune_id WHERE ",
        );
        push_comuni_of(&mut sql, district_id);
        sql.push(" GROUP BY a.slug, a.name, a.kind, a.status ORDER BY comuni DESC, a.name");
        sql.map_all(&self.pool, |r| {
            Ok(from_row!(r, AssetInUse { slug, name, comuni; kind: code(r, "kind")?, status: code(r, "status")? }))
        })
        .await
    }

    /// The districts whose comuni a digital asset covers (its reuse across territories).
    pub async fn districts_using_asset(&self, asset_slug: &str) -> Result<Vec<DistrictUsing>> {
        let mut sql = Sql::new(
            "SELECT d.slug, d.name, CAST(COUNT(*) AS BIGINT) AS comuni, \
             CAST(CASE WHEN EXISTS (SELECT 1 FROM profiles p WHERE p.territory_id = d.id AND p.status = 'published') \
               THEN 1 ELSE 0 END AS BIGINT) AS published_profile \
             FROM digital_assets a JOIN asset_coverage c ON c.asset_id = a.id \
             JOIN territories t ON t.id = c.comune_id JOIN territories d ON d.id = t.parent_id WHERE a.slug = ",
        );
        sql.bind(asset_slug).push(" GROUP BY d.id, d.slug, d.name ORDER BY d.name");
        sql.map_all(&self.pool, |r| {
            Ok(from_row!(r, DistrictUsing { slug, name, comuni; published_profile: flag(r, "published_profile")? }))
        })
        .await
    }
}
