//! A territory's digital-welfare profile (step 1 of the regional method, *conoscenza*): the
//! services it runs and how digital each is, who they cover, and the comuni at risk of being
//! left out; with the maturity score and its components. The public services are read from the
//! directory (those located in the territory), the internal ones from the profile.
//!
//! The score, documented on the profile page and in `docs/profile.md`:
//! `score = 0.5 × digitalisation + 0.25 × coverage + 0.25 × inclusion`, each 0–100, where
//! digitalisation is the average digital level over 4, coverage the share of needs with at
//! least one service, inclusion the share of the population living in comuni not at risk.

use std::collections::BTreeMap;

use agio_directory::service::Service;
use agio_domain::access::ProfileFacts;
use agio_domain::edit::InternalServiceEdit;
use agio_domain::model::Territory;
use agio_domain::{NationalPlatform, ServiceChannel, TerritoryKind};
use agio_store::{ComuneFacts, Editable, Store, StoredProfile};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::directory::{Ask, Directory};
use crate::Error;

/// The weights of the score's components, in the order digitalisation, coverage, inclusion.
pub const WEIGHTS: [f64; 3] = [0.5, 0.25, 0.25];

/// One service of the inventory, public (from the directory) or internal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct InventoryItem {
    pub name: String,
    /// The directory's page of a public service; none for an internal one.
    pub directory_slug: Option<String>,
    /// The stored id of an internal service; none for a public one.
    pub internal_id: Option<String>,
    pub digital_level: u8,
    pub target_groups: Vec<String>,
    pub life_stages: Vec<String>,
    pub needs: Vec<String>,
    pub channels: Vec<String>,
    pub platforms: Vec<String>,
    /// For a district: the union or comune whose own profile lists this internal service.
    #[serde(default)]
    pub rolled_up_from: Option<String>,
}

/// A comune and whether its people risk being left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ComuneRisk {
    pub code: String,
    pub name: String,
    pub population: i64,
    /// The nearest point of digital facilitation of the district, in kilometres.
    pub nearest_facilitation_km: Option<f64>,
    /// Covered by an active network asset (broadband, public WiFi).
    pub connected: bool,
    /// No facilitation point within the profile's distance.
    pub far: bool,
    /// Far, or not connected.
    pub at_risk: bool,
}

/// A row of the coverage matrix: a target group at each life stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct MatrixRow {
    pub target_group: String,
    pub cells: Vec<Cell>,
}

/// A cell of the coverage matrix: the services for a target group at a life stage.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Cell {
    pub life_stage: String,
    pub services: usize,
    /// Their average digital level; none without services.
    pub average_level: Option<f64>,
}

/// What the profile page shows: the score, its parts, the matrix and the gaps.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Figures {
    /// 0–100.
    pub score: f64,
    /// 0–100 each, in the order of [`WEIGHTS`].
    pub digitalisation: f64,
    pub coverage: f64,
    pub inclusion: f64,
    pub average_level: f64,
    /// How many services are at each level, 0 to 4.
    pub by_level: Vec<usize>,
    /// Rows by target group, columns by life stage (vocabulary order).
    pub matrix: Vec<MatrixRow>,
    /// Needs of the vocabulary with no service.
    pub needs_without_service: Vec<String>,
    /// Services still at level 0 or 1, by name.
    pub low_level: Vec<String>,
    pub population: i64,
    pub population_at_risk: i64,
}

/// A territory's profile with everything its page shows.
#[derive(Debug, Clone)]
pub struct Profile {
    pub territory: Territory,
    pub stored: StoredProfile,
    pub services: Vec<InventoryItem>,
    pub comuni: Vec<ComuneRisk>,
    pub figures: Figures,
    pub zone_plan: Option<PlanDocument>,
    /// The essential databases the services rely on (with their stored ids), each with the
    /// union or comune whose own profile lists it (rolled up into a district's).
    pub databases: Vec<(Option<String>, Editable<agio_domain::edit::DatabaseEdit>)>,
    /// The registry's digital assets that cover its comuni.
    pub assets: Vec<agio_store::AssetInUse>,
    /// The objectives and actions of the district's public agendas that address its gaps.
    pub links: Vec<agio_store::GapLink>,
}

/// What kind of gap: a need with no service, a service still at level 0–1, a database nobody
/// else can reach, a comune at risk of exclusion.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GapKind {
    Need,
    LowLevelService,
    ClosedDatabase,
    ComuneAtRisk,
}

impl GapKind {
    /// The key prefixes of each kind ("service:" and "internal:" are both services).
    pub fn of_key(key: &str) -> Option<GapKind> {
        Some(match key.split_once(':')?.0 {
            "need" => GapKind::Need,
            "service" | "internal" => GapKind::LowLevelService,
            "database" => GapKind::ClosedDatabase,
            "comune" => GapKind::ComuneAtRisk,
            _ => return None,
        })
    }
}

/// The objectives and actions of `links` that address the gap `key`.
fn addressed_by(links: &[agio_store::GapLink], key: &str) -> Vec<ActionLink> {
    links
        .iter()
        .filter(|l| l.gaps.iter().any(|g| g == key))
        .map(|l| ActionLink { agenda_slug: l.agenda_slug.clone(), code: l.code.clone(), title: l.title.clone() })
        .collect()
}

impl ProfileDocument {
    /// A published version with the agendas as they are now (they go on after it): what
    /// addresses each gap, what carries each Piano di Zona sheet forward.
    pub async fn with_agendas(mut self, store: &Store, district_id: &str) -> Result<ProfileDocument, Error> {
        let links = store.gap_links(district_id).await?;
        for gap in &mut self.gaps {
            gap.addressed_by = addressed_by(&links, &gap.key);
        }
        if let Some(plan) = &mut self.zone_plan {
            let references = store.actions_with_zone_plan_ref(district_id).await?;
            for doc in &mut plan.sheets {
                doc.actions = sheet_actions(&references, &doc.sheet.number);
            }
        }
        Ok(self)
    }
}

/// A gap that an objective or action named and the profile no longer finds (the service went
/// online, the comune got a facilitation point): named by its key.
pub fn closed_gap(key: &str) -> Gap {
    Gap {
        key: key.to_string(),
        kind: GapKind::of_key(key).unwrap_or(GapKind::Need),
        subject: key.split_once(':').map_or(key, |(_, rest)| rest).to_string(),
        population: None,
        addressed_by: Vec::new(),
    }
}

/// A gap of a profile, with what addresses it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct Gap {
    /// Stable across edits: `need:{code}`, `service:{directory slug}`, `internal:{id}`,
    /// `database:{id}`, `comune:{ISTAT code}`.
    pub key: String,
    pub kind: GapKind,
    /// The need's code; the service's, database's or comune's name.
    pub subject: String,
    /// The people living there, for a comune at risk.
    pub population: Option<i64>,
    /// The objectives and actions of the district's public agendas that address it.
    pub addressed_by: Vec<ActionLink>,
}

/// The district's Piano di Zona, each sheet with the agenda actions that carry it forward.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PlanDocument {
    pub title: String,
    pub period_start: i64,
    pub period_end: i64,
    pub sheets: Vec<SheetDocument>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct SheetDocument {
    #[serde(flatten)]
    pub sheet: agio_domain::model::ZonePlanSheet,
    /// The agenda actions whose Piano di Zona reference names this sheet.
    pub actions: Vec<ActionLink>,
}

/// An objective (O1) or action (A03) of an agenda.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct ActionLink {
    pub agenda_slug: String,
    pub code: String,
    pub title: String,
}

impl ActionLink {
    /// Its page: an action's own, an objective's place on the agenda page.
    pub fn href(&self) -> String {
        match self.code.starts_with('O') {
            true => format!("/agende/{}#obj-{}", self.agenda_slug, self.code),
            false => format!("/agende/{}/azioni/{}", self.agenda_slug, self.code),
        }
    }
}

/// The actions among `references` whose Piano di Zona reference names sheet `number`.
fn sheet_actions(references: &[agio_store::ActionReference], number: &str) -> Vec<ActionLink> {
    references
        .iter()
        .filter(|r| crate::zone_plan::sheet_number(&r.zone_plan_ref).as_deref() == Some(number))
        .map(|r| ActionLink { agenda_slug: r.agenda_slug.clone(), code: r.code.clone(), title: r.title.clone() })
        .collect()
}

/// The plan of a profile with, for each sheet, the actions of the territory's agendas that name it.
async fn plan_of(store: &Store, profile_id: &str, territory_id: &str) -> Result<Option<PlanDocument>, Error> {
    let Some(plan) = store.zone_plan(profile_id).await? else { return Ok(None) };
    let references = store.actions_with_zone_plan_ref(territory_id).await?;
    let sheets = plan
        .sheets
        .into_iter()
        .map(|sheet| SheetDocument { actions: sheet_actions(&references, &sheet.number), sheet })
        .collect();
    Ok(Some(PlanDocument { title: plan.title, period_start: plan.period_start, period_end: plan.period_end, sheets }))
}

/// A profile as data: the API's answer and the JSON download.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProfileDocument {
    pub territory: agio_domain::model::TerritoryRef,
    pub status: agio_domain::ProfileStatus,
    /// The distance beyond which a comune counts as far from digital facilitation, in km.
    pub facilitation_km: f64,
    pub published_at: Option<String>,
    pub is_demo: bool,
    pub figures: Figures,
    /// Public (from the directory) and internal services, by name.
    pub services: Vec<InventoryItem>,
    pub comuni: Vec<ComuneRisk>,
    pub zone_plan: Option<PlanDocument>,
    pub databases: Vec<DatabaseDocument>,
    pub assets: Vec<agio_store::AssetInUse>,
    /// Every gap, with the objectives and actions that address it.
    pub gaps: Vec<Gap>,
}

/// An essential database of a profile, with its id.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct DatabaseDocument {
    pub id: String,
    #[serde(flatten)]
    pub fields: agio_domain::edit::DatabaseEdit,
    /// For a district: the union or comune whose own profile lists it.
    #[serde(default)]
    pub rolled_up_from: Option<String>,
}

/// A line of the regional list: a district's published profile in figures.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProfileSummary {
    pub territory: agio_domain::model::TerritoryRef,
    pub score: f64,
    pub services: usize,
    pub average_level: f64,
    pub comuni_at_risk: usize,
    pub population_at_risk: i64,
    pub is_demo: bool,
}

impl Profile {
    fn territory_ref(&self) -> agio_domain::model::TerritoryRef {
        let t = &self.territory;
        agio_domain::model::TerritoryRef {
            code: t.code.clone(),
            slug: t.slug.clone(),
            name: t.name.clone(),
            kind: t.kind,
        }
    }

    pub fn document(&self) -> ProfileDocument {
        ProfileDocument {
            territory: self.territory_ref(),
            status: self.stored.status,
            facilitation_km: self.stored.facilitation_km,
            published_at: self.stored.published_at.clone(),
            is_demo: self.stored.is_demo,
            figures: self.figures.clone(),
            services: self.services.clone(),
            comuni: self.comuni.clone(),
            zone_plan: self.zone_plan.clone(),
            databases: self
                .databases
                .iter()
                .map(|(from, d)| DatabaseDocument {
                    id: d.id.clone(),
                    fields: d.fields.clone(),
                    rolled_up_from: from.clone(),
                })
                .collect(),
            assets: self.assets.clone(),
            gaps: self.gaps(),
        }
    }

    /// Every gap of the profile, in the order of its page: needs, services, databases, comuni.
    pub fn gaps(&self) -> Vec<Gap> {
        let gap = |key: String, kind, subject: String, population| Gap {
            addressed_by: addressed_by(&self.links, &key),
            key,
            kind,
            subject,
            population,
        };
        let needs =
            self.figures.needs_without_service.iter().map(|n| gap(format!("need:{n}"), GapKind::Need, n.clone(), None));
        let services = self.services.iter().filter(|s| s.digital_level <= 1).filter_map(|s| {
            let key = match (&s.directory_slug, &s.internal_id) {
                (Some(slug), _) => format!("service:{slug}"),
                (None, Some(id)) => format!("internal:{id}"),
                (None, None) => return None,
            };
            Some(gap(key, GapKind::LowLevelService, s.name.clone(), None))
        });
        let databases = self
            .databases
            .iter()
            .map(|(_, d)| d)
            .filter(|d| d.fields.access == agio_domain::DatabaseAccess::None)
            .map(|d| gap(format!("database:{}", d.id), GapKind::ClosedDatabase, d.fields.name.clone(), None));
        let comuni = self
            .comuni
            .iter()
            .filter(|c| c.at_risk)
            .map(|c| gap(format!("comune:{}", c.code), GapKind::ComuneAtRisk, c.name.clone(), Some(c.population)));
        needs.chain(services).chain(databases).chain(comuni).collect()
    }

    pub fn summary(&self) -> ProfileSummary {
        ProfileSummary {
            territory: self.territory_ref(),
            score: self.figures.score,
            services: self.services.len(),
            average_level: self.figures.average_level,
            comuni_at_risk: self.comuni.iter().filter(|c| c.at_risk).count(),
            population_at_risk: self.figures.population_at_risk,
            is_demo: self.stored.is_demo,
        }
    }
}

/// The vocabularies a profile is measured against, by code in their order.
pub struct Measure<'a> {
    pub needs: &'a [String],
    pub target_groups: &'a [String],
    pub life_stages: &'a [String],
}

/// The facts that decide who reads and edits a territory's profile.
pub async fn facts(store: &Store, territory: &Territory, published: bool) -> Result<ProfileFacts, Error> {
    let territory_path = store.territory_path(&territory.id).await?;
    let agenda_ids = store.agenda_ids_of_territory(&territory.id).await?;
    Ok(ProfileFacts { territory_path, agenda_ids, public: published })
}

/// Reads a district's profile and works out its figures; none when it has no profile.
pub async fn load(
    store: &Store,
    directory: &Directory,
    territory: Territory,
    measure: &Measure<'_>,
) -> Result<Option<Profile>, Error> {
    if territory.kind == TerritoryKind::Region {
        return Ok(None);
    }
    let Some(stored) = store.profile(&territory.id).await? else { return Ok(None) };
    Ok(Some(live(store, directory, territory, stored, measure).await?))
}

/// A district's profile as it stands: its public services found in the directory now, its
/// own lists, its comuni and their risk, its figures.
pub async fn live(
    store: &Store,
    directory: &Directory,
    territory: Territory,
    stored: StoredProfile,
    measure: &Measure<'_>,
) -> Result<Profile, Error> {
    let now = time::OffsetDateTime::now_utc();
    let comuni = store.territory_comuni(&territory.id).await?;
    // The directory's services located in the territory: a district's at once, a union's or a
    // comune's comune by comune.
    let asks: Vec<Ask> = match territory.kind {
        TerritoryKind::District => vec![Ask::in_district(&territory.code)],
        _ => comuni.iter().map(|c| Ask::in_comune(&c.code)).collect(),
    };
    let mut ids: Vec<String> = Vec::new();
    for mut ask in asks {
        ask.limit = 100_000;
        ids.extend(directory.search(&ask, now)?.hits.into_iter().map(|h| h.id));
    }
    ids.sort();
    ids.dedup();
    let mut services: Vec<InventoryItem> = Vec::new();
    for stored in store.directory_services_by_id(&ids).await? {
        if let Ok(s) = Service::from_document(&stored.document) {
            services.push(public_item(&s, stored.slug));
        }
    }
    // Its own internal services and, for a district, those of its unions' and comuni's profiles.
    for (owner, item) in store.rolled_up_services(&territory.id).await? {
        let mut item = internal_item(item);
        if owner != territory.id {
            item.rolled_up_from = Some(territory_name(store, &owner).await?);
        }
        services.push(item);
    }
    services.sort_by(|a, b| a.name.cmp(&b.name));
    let comuni = risks(directory, comuni, stored.facilitation_km, now)?;
    let figures = figures(&services, &comuni, measure);
    let zone_plan = plan_of(store, &stored.id, &territory.id).await?;
    let mut databases = Vec::new();
    for (owner, database) in store.rolled_up_databases(&territory.id).await? {
        let from = match owner == territory.id {
            true => None,
            false => Some(territory_name(store, &owner).await?),
        };
        databases.push((from, database));
    }
    let assets = store.assets_in_district(&territory.id).await?;
    let links = store.gap_links(&territory.id).await?;
    Ok(Profile { territory, stored, services, comuni, figures, zone_plan, databases, assets, links })
}

impl Profile {
    /// The same profile with comuni far from facilitation beyond `km` instead (a change of the
    /// distance, before it is saved).
    pub fn at_distance(mut self, km: f64, measure: &Measure<'_>) -> Profile {
        for c in &mut self.comuni {
            c.far = c.nearest_facilitation_km.is_none_or(|nearest| nearest > km);
            c.at_risk = c.far || !c.connected;
        }
        self.figures = figures(&self.services, &self.comuni, measure);
        self.stored.facilitation_km = km;
        self
    }

    /// What a published version stores: its line in the regional table, its gaps, the whole.
    pub fn version_parts(&self) -> [serde_json::Value; 3] {
        let mut document = self.document();
        document.status = agio_domain::ProfileStatus::Published;
        let json = |v: serde_json::Result<serde_json::Value>| v.unwrap_or(serde_json::Value::Null);
        [
            json(serde_json::to_value(self.summary())),
            json(serde_json::to_value(&document.gaps)),
            json(serde_json::to_value(&document)),
        ]
    }
}

/// A district's profile, measured against the context's vocabularies; none without one.
pub async fn load_in(ctx: &impl crate::Context, territory: Territory) -> Result<Option<Profile>, Error> {
    let codes = Codes::of(ctx);
    load(ctx.store(), ctx.directory(), territory, &codes.measure()).await
}

/// The codes of the vocabularies a profile is measured against, owned (see [`Measure`]).
#[derive(Debug, Clone)]
pub struct Codes {
    needs: Vec<String>,
    target_groups: Vec<String>,
    life_stages: Vec<String>,
}

impl Codes {
    pub fn of(ctx: &impl crate::Context) -> Codes {
        let v = ctx.vocabularies();
        let codes = |terms: &[agio_domain::model::Term]| terms.iter().map(|t| t.code.clone()).collect::<Vec<_>>();
        Codes { needs: codes(&v.need), target_groups: codes(&v.target_group), life_stages: codes(&v.life_stage) }
    }

    pub fn measure(&self) -> Measure<'_> {
        Measure { needs: &self.needs, target_groups: &self.target_groups, life_stages: &self.life_stages }
    }
}

/// Publishes a first version of every published profile that has none (loaded as demo data,
/// generated for a benchmark, or published before profiles had versions); returns how many.
/// Instances starting together may race to it: a version another one wrote first is kept.
pub async fn publish_unversioned(ctx: &impl crate::Context) -> Result<usize, Error> {
    let codes = Codes::of(ctx);
    let mut published = 0;
    for stored in ctx.store().published_profiles().await? {
        if !ctx.store().profile_versions(&stored.id).await?.is_empty() {
            continue;
        }
        let Some(territory) = ctx.store().territory_by_id(&stored.territory_id).await? else { continue };
        let profile = live(ctx.store(), ctx.directory(), territory, stored, &codes.measure()).await?;
        let mut w = ctx.store().begin_write(&agio_store::Actor::cli()).await?;
        match publish(&mut w, &profile).await {
            Ok(_) => w.commit().await?,
            Err(e) if e.violation().is_some() => continue,
            Err(e) => return Err(e.into()),
        }
        published += 1;
    }
    Ok(published)
}

/// Publishes the profile as it stands as its next version; returns its number.
pub async fn publish(w: &mut agio_store::WriteTx, profile: &Profile) -> agio_store::Result<i64> {
    let [summary, gaps, document] = profile.version_parts();
    let parts = agio_store::PublishedProfile { summary: &summary, gaps: &gaps, document: &document };
    w.publish_profile_version(&profile.stored.id, &profile.territory.name, "", parts).await
}

/// The profile of the district a territory is in (or is), whatever its status; none without one.
pub async fn of_district_containing(
    ctx: &impl crate::Context,
    territory_path: &[String],
) -> Result<Option<Profile>, Error> {
    for id in territory_path {
        if let Some(t) = ctx.store().territory_by_id(id).await?.filter(|t| t.kind == TerritoryKind::District) {
            return load_in(ctx, t).await;
        }
    }
    Ok(None)
}

/// The name of the territory with id `id` (one whose profile rolls up into its district's).
async fn territory_name(store: &Store, id: &str) -> Result<String, Error> {
    Ok(store.territory_by_id(id).await?.map(|t| t.name).unwrap_or_default())
}

/// A directory service as the inventory lists it: its channels and platforms read from what
/// the directory says of it.
fn public_item(s: &Service, slug: String) -> InventoryItem {
    let mut channels = Vec::new();
    let mut platforms = Vec::new();
    if s.is_in_person() {
        channels.push(ServiceChannel::InPerson);
    }
    if !s.phones.is_empty() {
        channels.push(ServiceChannel::Phone);
    }
    if s.email.is_some() {
        channels.push(ServiceChannel::Email);
    }
    if s.is_online() {
        channels.push(ServiceChannel::Web);
    }
    for asset in &s.agio_assets {
        match asset.as_str() {
            "digital_identity" => platforms.extend([NationalPlatform::Spid, NationalPlatform::Cie]),
            "online_payment" => platforms.push(NationalPlatform::Pagopa),
            "app" => {
                channels.push(ServiceChannel::AppIo);
                platforms.push(NationalPlatform::AppIo);
            }
            _ => {}
        }
    }
    InventoryItem {
        name: s.name.clone(),
        directory_slug: Some(slug),
        internal_id: None,
        digital_level: s.agio_digital_level.unwrap_or(0).min(4),
        target_groups: s.term_codes("target_group"),
        life_stages: s.term_codes("life_stage"),
        needs: s.term_codes("need"),
        channels: channels.iter().map(|c| c.code().to_string()).collect(),
        platforms: platforms.iter().map(|p| p.code().to_string()).collect(),
        rolled_up_from: None,
    }
}

fn internal_item(stored: Editable<InternalServiceEdit>) -> InventoryItem {
    let s = stored.fields;
    InventoryItem {
        directory_slug: None,
        internal_id: Some(stored.id),
        name: s.name,
        digital_level: s.digital_level.clamp(0, 4) as u8,
        target_groups: s.target_groups,
        life_stages: s.life_stages,
        needs: s.needs,
        channels: s.channels,
        platforms: s.platforms,
        rolled_up_from: None,
    }
}

/// Each comune with its nearest point of digital facilitation (the directory's services of
/// that need, in the comune's district) and whether that is farther than `far_km`.
fn risks(
    directory: &Directory,
    comuni: Vec<ComuneFacts>,
    far_km: f64,
    now: time::OffsetDateTime,
) -> Result<Vec<ComuneRisk>, Error> {
    let mut out = Vec::new();
    for c in comuni {
        let ask = Ask {
            filters: BTreeMap::from([("need", agio_directory::taxonomy::DIGITAL_FACILITATION.to_string())]),
            comune: Some(c.code.clone()),
            limit: 10_000,
            ..Default::default()
        };
        let nearest = directory
            .search(&ask, now)?
            .hits
            .iter()
            .filter_map(|h| h.distance_m)
            .fold(None, |best: Option<f64>, d| Some(best.map_or(d, |b| b.min(d))))
            .map(|m| m / 1000.0);
        let far = nearest.is_none_or(|km| km > far_km);
        out.push(ComuneRisk {
            far,
            at_risk: far || !c.connected,
            nearest_facilitation_km: nearest,
            code: c.code,
            name: c.name,
            population: c.population,
            connected: c.connected,
        });
    }
    Ok(out)
}

/// The figures of an inventory and its comuni, measured against the vocabularies.
pub fn figures(services: &[InventoryItem], comuni: &[ComuneRisk], measure: &Measure<'_>) -> Figures {
    let mut by_level = vec![0usize; 5];
    for s in services {
        by_level[usize::from(s.digital_level.min(4))] += 1;
    }
    let average = |items: &mut dyn Iterator<Item = &InventoryItem>| {
        let (n, sum) = items.fold((0usize, 0u32), |(n, sum), s| (n + 1, sum + u32::from(s.digital_level)));
        (n > 0).then(|| f64::from(sum) / n as f64)
    };
    let average_level = average(&mut services.iter()).unwrap_or(0.0);
    let has = |list: &[String], code: &str| list.iter().any(|c| c == code);
    let needs_without_service: Vec<String> =
        measure.needs.iter().filter(|n| !services.iter().any(|s| has(&s.needs, n))).cloned().collect();
    let matrix = measure
        .target_groups
        .iter()
        .map(|group| {
            let cells = measure
                .life_stages
                .iter()
                .map(|stage| {
                    let mut here =
                        services.iter().filter(|s| has(&s.target_groups, group) && has(&s.life_stages, stage));
                    let count = here.clone().count();
                    Cell { life_stage: stage.clone(), services: count, average_level: average(&mut here) }
                })
                .collect();
            MatrixRow { target_group: group.clone(), cells }
        })
        .collect();
    let population: i64 = comuni.iter().map(|c| c.population).sum();
    let population_at_risk: i64 = comuni.iter().filter(|c| c.at_risk).map(|c| c.population).sum();
    let digitalisation = average_level / 4.0 * 100.0;
    let coverage = match measure.needs.len() {
        0 => 0.0,
        n => (n - needs_without_service.len()) as f64 / n as f64 * 100.0,
    };
    let inclusion = match population {
        0 => 0.0,
        p => (p - population_at_risk) as f64 / p as f64 * 100.0,
    };
    let score = WEIGHTS[0] * digitalisation + WEIGHTS[1] * coverage + WEIGHTS[2] * inclusion;
    Figures {
        score,
        digitalisation,
        coverage,
        inclusion,
        average_level,
        by_level,
        matrix,
        needs_without_service,
        low_level: services.iter().filter(|s| s.digital_level <= 1).map(|s| s.name.clone()).collect(),
        population,
        population_at_risk,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(name: &str, level: u8, group: &str, stage: &str, need: &str) -> InventoryItem {
        InventoryItem {
            name: name.into(),
            directory_slug: None,
            internal_id: None,
            digital_level: level,
            target_groups: vec![group.into()],
            life_stages: vec![stage.into()],
            needs: vec![need.into()],
            channels: vec![],
            platforms: vec![],
            rolled_up_from: None,
        }
    }

    fn comune(name: &str, population: i64, far: bool, connected: bool) -> ComuneRisk {
        ComuneRisk {
            code: name.into(),
            name: name.into(),
            population,
            nearest_facilitation_km: None,
            connected,
            far,
            at_risk: far || !connected,
        }
    }

    #[test]
    fn the_score_is_its_documented_components() {
        let codes = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let (needs, groups, stages) =
            (codes(&["casa", "anziani"]), codes(&["poverty", "caregivers"]), codes(&["adults"]));
        let measure = Measure { needs: &needs, target_groups: &groups, life_stages: &stages };
        let services = [item("A", 4, "poverty", "adults", "casa"), item("B", 0, "poverty", "adults", "casa")];
        let comuni =
            [comune("X", 3_000, false, true), comune("Y", 1_000, true, true), comune("Z", 1_000, false, false)];
        let f = figures(&services, &comuni, &measure);
        assert_eq!(f.average_level, 2.0);
        assert_eq!(f.digitalisation, 50.0);
        assert_eq!(f.needs_without_service, ["anziani"]);
        assert_eq!(f.coverage, 50.0);
        assert_eq!((f.population, f.population_at_risk), (5_000, 2_000), "far or unconnected");
        assert_eq!(f.inclusion, 60.0);
        assert_eq!(f.score, 0.5 * 50.0 + 0.25 * 50.0 + 0.25 * 60.0);
        assert_eq!(f.by_level, [1, 0, 0, 0, 1]);
        assert_eq!(f.low_level, ["B"]);
        let poverty = &f.matrix[0].cells[0];
        assert_eq!((poverty.services, poverty.average_level), (2, Some(2.0)));
        let caregivers = &f.matrix[1].cells[0];
        assert_eq!((caregivers.services, caregivers.average_level), (0, None));
    }

    #[test]
    fn an_empty_profile_scores_zero_without_dividing_by_zero() {
        let measure = Measure { needs: &[], target_groups: &[], life_stages: &[] };
        let f = figures(&[], &[], &measure);
        assert_eq!((f.score, f.average_level, f.population), (0.0, 0.0, 0));
    }
}
