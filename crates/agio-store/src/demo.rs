//! Demo content: two agendas for real districts, clearly flagged `is_demo`.
//! The files (`data/demo/*.json`) are compiled into the program.

use std::collections::HashMap;

use serde::Deserialize;
use sqlx::{Any, Transaction};

use crate::read::col;
use crate::sql::{columns, Sql, Value};
use agio_domain::access::Scope;
use agio_domain::Role;

use crate::audit::{Actor, EntityRef, WriteTx};
use crate::{new_id, now, NewPerson, Result, Store, StoreError};

const DEMO_FILES: &[(&str, &str)] = &[
    ("re-guastalla.json", include_str!("../../../data/demo/re-guastalla.json")),
    ("rn-rimini.json", include_str!("../../../data/demo/rn-rimini.json")),
];

#[derive(Deserialize)]
struct DemoFile {
    agenda: DemoAgenda,
    organizations: Vec<DemoOrganization>,
    assets: Vec<DemoAsset>,
    objectives: Vec<DemoObjective>,
    profile: DemoProfile,
}

/// The district's digital-welfare profile, the internal services it lists and its Piano di Zona.
#[derive(Deserialize)]
struct DemoProfile {
    status: String,
    facilitation_km: f64,
    internal_services: Vec<DemoInternalService>,
    zone_plan: DemoZonePlan,
    databases: Vec<agio_domain::edit::DatabaseEdit>,
}

#[derive(Deserialize)]
struct DemoZonePlan {
    title: String,
    period_start: i64,
    period_end: i64,
    sheets: Vec<DemoSheet>,
}

#[derive(Deserialize)]
struct DemoSheet {
    number: String,
    title: String,
    area: String,
    target_groups: Vec<String>,
    budget_cents: Option<i64>,
    status: String,
}

#[derive(Deserialize)]
struct DemoInternalService {
    name: String,
    description: String,
    target_groups: Vec<String>,
    life_stages: Vec<String>,
    needs: Vec<String>,
    channels: Vec<String>,
    platforms: Vec<String>,
    digital_level: i64,
}

#[derive(Deserialize)]
struct DemoAgenda {
    slug: String,
    territory: String,
    title: String,
    period_start: i64,
    period_end: i64,
    status: String,
    vision: String,
    context: String,
}

#[derive(Deserialize)]
struct DemoOrganization {
    slug: String,
    name: String,
    #[serde(rename = "type")]
    org_type: String,
    tax_code: Option<String>,
    territory: Option<String>,
    description: String,
    website: Option<String>,
}

#[derive(Deserialize)]
struct DemoAsset {
    slug: String,
    name: String,
    kind: String,
    provider: String,
    description: String,
    status: String,
    url: Option<String>,
    coverage: Vec<String>,
}

#[derive(Deserialize)]
struct DemoObjective {
    code: String,
    title: String,
    description: String,
    /// The gaps of the district's demo profile it addresses (keys, see `GapsEdit`).
    #[serde(default)]
    gaps: Vec<String>,
    /// The framework items it serves (keys, see `TargetsEdit`).
    #[serde(default)]
    targets: Vec<String>,
    actions: Vec<DemoAction>,
}

#[derive(Deserialize)]
struct DemoAction {
    code: String,
    title: String,
    description: String,
    term: String,
    start_date: Option<String>,
    end_date: Option<String>,
    status: String,
    lead: String,
    partners: Vec<DemoPartner>,
    target_groups: Vec<String>,
    life_stages: Vec<String>,
    themes: Vec<String>,
    budget: Vec<DemoBudget>,
    assets: Vec<String>,
    zone_plan_ref: Option<String>,
    #[serde(default)]
    gaps: Vec<String>,
    results: Vec<DemoResult>,
}

#[derive(Deserialize)]
struct DemoPartner {
    organization: String,
    role: String,
}

#[derive(Deserialize)]
struct DemoBudget {
    source: String,
    amount_eur: f64,
    cup: Option<String>,
    description: String,
}

#[derive(Deserialize)]
struct DemoResult {
    kind: String,
    description: String,
    indicators: Vec<DemoIndicator>,
}

#[derive(Deserialize)]
struct DemoIndicator {
    name: String,
    unit: String,
    baseline_value: Option<f64>,
    baseline_year: Option<i64>,
    target_value: Option<f64>,
    target_year: Option<i64>,
    direction: String,
}

/// What `load_demo` did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct DemoReport {
    pub agendas: usize,
    pub organizations: usize,
    pub assets: usize,
    pub actions: usize,
    pub people: usize,
    /// Community Labs (participatory processes) created.
    pub processes: usize,
    /// Services of the directory created or updated.
    pub services: usize,
}

type Tx = Transaction<'static, Any>;

impl Store {
    /// Loads the demo agendas that are not there yet, all in one transaction.
    pub async fn load_demo(&self) -> Result<DemoReport> {
        let files: Vec<DemoFile> = DEMO_FILES
            .iter()
            .map(|(name, text)| {
                serde_json::from_str(text).map_err(|e| StoreError::InvalidData(format!("data/demo/{name}: {e}")))
            })
            .collect::<Result<_>>()?;
        let mut report = DemoReport::default();
        let mut write = self.begin_write(&Actor::import()).await?;
        let tx = &mut write.tx;
        let mut assets: HashMap<String, String> = HashMap::new();
        let mut pending = Vec::new();
        for file in &files {
            if lookup(tx, "SELECT id FROM agendas WHERE slug = $1", &file.agenda.slug).await?.is_some() {
                continue;
            }
            for asset in &file.assets {
                let id = insert_asset(tx, asset).await?;
                assets.insert(asset.slug.clone(), id);
                report.assets += 1;
            }
            pending.push(file);
        }
        // Actions may reuse an asset of the other file, so assets go in first.
        for file in &pending {
            insert_agenda(tx, file, &assets, &mut report).await?;
            insert_profile(tx, &file.agenda.territory, &file.profile).await?;
        }
        for file in &pending {
            let id = lookup(&mut write.tx, "SELECT id FROM agendas WHERE slug = $1", &file.agenda.slug).await?;
            let id = id.ok_or_else(|| StoreError::InvalidData(format!("demo agenda {} vanished", file.agenda.slug)))?;
            let entity = EntityRef { kind: "agenda", id: &id, label: &file.agenda.title };
            let after = serde_json::json!({ "source": "demo", "slug": file.agenda.slug });
            write.record(entity, "import", None, Some(&after), "").await?;
        }
        report.people = demo_people(&mut write).await?;
        if report != DemoReport::default() {
            write.commit().await?;
        } else {
            drop(write);
        }
        // An approved agenda is published: its first version is what the public reads.
        for file in pending.iter().filter(|f| f.agenda.status == "approved") {
            let Some(snapshot) = self.agenda_snapshot(&file.agenda.slug).await? else { continue };
            let mut write = self.begin_write(&Actor::import()).await?;
            write.record_version(&snapshot.detail.agenda.id, &snapshot, "").await?;
            write.commit().await?;
        }
        // After the agendas and the people: the demo Community Labs lead to their actions.
        report.processes = self.load_demo_lab().await?;
        // After the agendas: two years of values for the agenda under way.
        self.load_demo_monitoring().await?;
        self.load_demo_decidim().await?;
        // After the agendas: demo services name the actions they come from.
        report.services = self.load_demo_directory().await?.changed.len();
        Ok(report)
    }
}

async fn lookup(tx: &mut Tx, sql: &str, key: &str) -> Result<Option<String>> {
    let row = sqlx::query(sql).bind(key.to_string()).fetch_optional(&mut **tx).await?;
    row.map(|r| col(&r, "id")).transpose()
}

async fn territory_id(tx: &mut Tx, code: &str) -> Result<String> {
    lookup(tx, "SELECT id FROM territories WHERE code = $1", code)
        .await?
        .ok_or_else(|| StoreError::InvalidData(format!("demo data names unknown territory '{code}'")))
}

async fn insert(tx: &mut Tx, table: &str, columns: Vec<(&str, Value)>) -> Result<()> {
    Sql::insert(table, columns).query().execute(&mut **tx).await?;
    Ok(())
}

async fn insert_profile(tx: &mut Tx, territory: &str, p: &DemoProfile) -> Result<()> {
    let (id, ts) = (new_id(), now());
    let published_at = (p.status == "published").then(|| ts.clone());
    let territory = territory_id(tx, territory).await?;
    insert(
        tx,
        "profiles",
        columns![
            "id" => id.clone(), "territory_id" => territory, "status" => p.status.clone(),
            "facilitation_km" => Some(p.facilitation_km), "is_demo" => 1, "published_at" => published_at,
            "created_at" => ts.clone(), "updated_at" => ts.clone(),
        ],
    )
    .await?;
    let list = |codes: &[String]| serde_json::to_string(codes).unwrap_or_else(|_| "[]".into());
    for s in &p.internal_services {
        insert(
            tx,
            "profile_services",
            columns![
                "id" => new_id(), "profile_id" => id.clone(), "name" => s.name.clone(),
                "description" => s.description.clone(), "target_groups" => list(&s.target_groups),
                "life_stages" => list(&s.life_stages), "needs" => list(&s.needs), "channels" => list(&s.channels),
                "platforms" => list(&s.platforms), "digital_level" => s.digital_level, "is_demo" => 1,
                "created_at" => ts.clone(), "updated_at" => ts.clone(),
            ],
        )
        .await?;
    }
    let (plan_id, plan) = (new_id(), &p.zone_plan);
    let columns = columns![
        "id" => plan_id.clone(), "profile_id" => id.clone(), "title" => plan.title.clone(),
        "period_start" => plan.period_start, "period_end" => plan.period_end, "is_demo" => 1,
        "created_at" => ts.clone(), "updated_at" => ts.clone(),
    ];
    insert(tx, "zone_plans", columns).await?;
    for (position, sheet) in plan.sheets.iter().enumerate() {
        let columns = columns![
            "id" => new_id(), "plan_id" => plan_id.clone(), "number" => sheet.number.clone(),
            "title" => sheet.title.clone(), "area" => sheet.area.clone(),
            "target_groups" => list(&sheet.target_groups), "budget_cents" => sheet.budget_cents,
            "status" => sheet.status.clone(), "position" => position as i64,
            "created_at" => ts.clone(), "updated_at" => ts.clone(),
        ];
        insert(tx, "zone_plan_sheets", columns).await?;
    }
    for d in &p.databases {
        let columns = columns![
            "id" => new_id(), "profile_id" => id.clone(), "name" => d.name.clone(), "holder" => d.holder.clone(),
            "contents" => d.contents.clone(), "personal_data" => i64::from(d.personal_data),
            "special_categories" => i64::from(d.special_categories), "legal_basis" => d.legal_basis.clone(),
            "format" => d.format.clone(), "update_frequency" => d.update_frequency.clone(),
            "access" => d.access.code(), "used_by" => d.used_by.clone(), "is_demo" => 1,
            "created_at" => ts.clone(), "updated_at" => ts.clone(),
        ];
        insert(tx, "profile_databases", columns).await?;
    }
    Ok(())
}

async fn insert_asset(tx: &mut Tx, a: &DemoAsset) -> Result<String> {
    let id = new_id();
    let ts = now();
    insert(
        tx,
        "digital_assets",
        columns![
            "id" => id.clone(), "slug" => a.slug.as_str(), "name" => a.name.as_str(), "kind" => a.kind.as_str(),
            "provider" => a.provider.as_str(), "description" => a.description.as_str(), "status" => a.status.as_str(),
            "url" => a.url.clone(), "is_demo" => 1i64, "created_at" => ts.clone(), "updated_at" => ts,
        ],
    )
    .await?;
    for code in &a.coverage {
        let comune = territory_id(tx, code).await?;
        insert(tx, "asset_coverage", columns!["asset_id" => id.clone(), "comune_id" => comune]).await?;
    }
    Ok(id)
}

async fn insert_agenda(
    tx: &mut Tx,
    f: &DemoFile,
    assets: &HashMap<String, String>,
    report: &mut DemoReport,
) -> Result<()> {
    let ts = now();
    let mut orgs: HashMap<&str, String> = HashMap::new();
    for o in &f.organizations {
        let territory = match &o.territory {
            Some(code) => Some(territory_id(tx, code).await?),
            None => None,
        };
        let id = new_id();
        insert(tx, "organizations", columns![
            "id" => id.clone(), "slug" => o.slug.as_str(), "name" => o.name.as_str(), "org_type" => o.org_type.as_str(),
            "tax_code" => o.tax_code.clone(), "territory_id" => territory, "description" => o.description.as_str(),
            "website" => o.website.clone(), "is_demo" => 1i64, "created_at" => ts.clone(), "updated_at" => ts.clone(),
        ]).await?;
        orgs.insert(o.slug.as_str(), id);
        report.organizations += 1;
    }

    let a = &f.agenda;
    let agenda_id = new_id();
    let territory = territory_id(tx, &a.territory).await?;
    insert(tx, "agendas", columns![
        "id" => agenda_id.clone(), "slug" => a.slug.as_str(), "territory_id" => territory, "title" => a.title.as_str(),
        "period_start" => a.period_start, "period_end" => a.period_end, "status" => a.status.as_str(),
        "vision" => a.vision.as_str(), "context" => a.context.as_str(), "is_demo" => 1i64,
        "created_at" => ts.clone(), "updated_at" => ts.clone(),
    ]).await?;
    report.agendas += 1;

    let org = |slug: &str| {
        orgs.get(slug)
            .cloned()
            .ok_or_else(|| StoreError::InvalidData(format!("demo action names unknown organisation '{slug}'")))
    };
    let mut action_position = 0i64;
    for (op, o) in f.objectives.iter().enumerate() {
        let objective_id = new_id();
        insert(
            tx,
            "objectives",
            columns![
                "id" => objective_id.clone(), "agenda_id" => agenda_id.clone(), "code" => o.code.as_str(),
                "position" => op as i64 + 1, "title" => o.title.as_str(), "description" => o.description.as_str(),
                "gaps" => crate::write::json_codes(&o.gaps), "targets" => crate::write::json_codes(&o.targets),
                "created_at" => ts.clone(), "updated_at" => ts.clone(),
            ],
        )
        .await?;

        for x in &o.actions {
            action_position += 1;
            let action_id = new_id();
            insert(tx, "actions", columns![
                "id" => action_id.clone(), "agenda_id" => agenda_id.clone(), "objective_id" => objective_id.clone(),
                "code" => x.code.as_str(), "position" => action_position, "title" => x.title.as_str(),
                "description" => x.description.as_str(), "term" => x.term.as_str(), "start_date" => x.start_date.clone(),
                "end_date" => x.end_date.clone(), "status" => x.status.as_str(), "zone_plan_ref" => x.zone_plan_ref.clone(),
                "gaps" => crate::write::json_codes(&x.gaps), "created_at" => ts.clone(), "updated_at" => ts.clone(),
            ]).await?;
            report.actions += 1;

            let mut partners = vec![(org(&x.lead)?, "lead", String::new())];
            for p in &x.partners {
                partners.push((org(&p.organization)?, "partner", p.role.clone()));
            }
            for (org_id, role, description) in partners {
                insert(tx, "action_organizations", columns![
                    "action_id" => action_id.clone(), "organization_id" => org_id, "role" => role, "role_description" => description,
                ]).await?;
            }
            for (vocabulary, codes) in
                [("target_group", &x.target_groups), ("life_stage", &x.life_stages), ("theme", &x.themes)]
            {
                for code in codes {
                    insert(
                        tx,
                        "action_terms",
                        columns!["action_id" => action_id.clone(), "vocabulary" => vocabulary, "code" => code.as_str()],
                    )
                    .await?;
                }
            }
            for (i, b) in x.budget.iter().enumerate() {
                insert(
                    tx,
                    "budget_lines",
                    columns![
                        "id" => new_id(), "action_id" => action_id.clone(), "position" => i as i64 + 1,
                        "funding_source" => b.source.as_str(), "amount_cents" => (b.amount_eur * 100.0).round() as i64,
                        "cup" => b.cup.clone(), "description" => b.description.as_str(),
                    ],
                )
                .await?;
            }
            for slug in &x.assets {
                let asset = assets
                    .get(slug)
                    .ok_or_else(|| StoreError::InvalidData(format!("demo action names unknown asset '{slug}'")))?;
                insert(tx, "action_assets", columns!["action_id" => action_id.clone(), "asset_id" => asset.clone()])
                    .await?;
            }
            for (ri, r) in x.results.iter().enumerate() {
                let result_id = new_id();
                insert(
                    tx,
                    "expected_results",
                    columns![
                        "id" => result_id.clone(), "action_id" => action_id.clone(), "position" => ri as i64 + 1,
                        "kind" => r.kind.as_str(), "description" => r.description.as_str(),
                    ],
                )
                .await?;
                for (ii, ind) in r.indicators.iter().enumerate() {
                    insert(
                        tx,
                        "indicators",
                        columns![
                            "id" => new_id(), "result_id" => result_id.clone(), "position" => ii as i64 + 1,
                            "name" => ind.name.as_str(), "unit" => ind.unit.as_str(),
                            "baseline_value" => ind.baseline_value, "baseline_year" => ind.baseline_year,
                            "target_value" => ind.target_value, "target_year" => ind.target_year,
                            "direction" => ind.direction.as_str(),
                        ],
                    )
                    .await?;
                }
            }
        }
    }
    Ok(())
}

/// The demo password of every demo account (documented in the README; demo only).
pub const DEMO_PASSWORD: &str = "demo-agio-2026";

/// One account per role, created once: (email, name, organisation, role, scope lookup).
const DEMO_PEOPLE: &[(&str, &str, &str, Role, &[&str])] = &[
    ("regione@demo.agio.example", "Anna Regione (demo)", "Regione Emilia-Romagna", Role::Admin, &[]),
    (
        "coordinatore@demo.agio.example",
        "Carlo Coordinatore (demo)",
        "Ufficio di Piano",
        Role::Coordinator,
        &[
            "SELECT id FROM agendas WHERE slug = 'agenda-digitale-sociale-bassa-reggiana-2025-2027'",
            "SELECT id FROM agendas WHERE slug = 'agenda-digitale-sociale-rimini-valmarecchia-2026-2028'",
        ],
    ),
    (
        "referente@demo.agio.example",
        "Rita Referente (demo)",
        "Ponti tra Culture APS",
        Role::Referent,
        &["SELECT id FROM organizations WHERE slug = 'aps-ponti-tra-culture'"],
    ),
    ("cittadino@demo.agio.example", "Ciro Cittadino (demo)", "", Role::Citizen, &[]),
];

async fn demo_people(write: &mut WriteTx) -> Result<usize> {
    let mut created = 0;
    for (email, name, organization, role, scopes) in DEMO_PEOPLE {
        if lookup(&mut write.tx, "SELECT id FROM people WHERE email = $1", email).await?.is_some() {
            continue;
        }
        let person = write
            .create_person(&NewPerson {
                email: email.to_string(),
                name: name.to_string(),
                organization_name: organization.to_string(),
                password_hash: Some(agio_domain::credentials::hash_password(DEMO_PASSWORD)),
                is_demo: true,
            })
            .await?;
        if scopes.is_empty() {
            write.grant_role(&person, *role, &Scope::Everywhere).await?;
        }
        for query in *scopes {
            let row = sqlx::query(query).fetch_optional(&mut *write.tx).await?;
            let Some(row) = row else { continue };
            let id: String = col(&row, "id")?;
            let scope = if *role == Role::Referent { Scope::Organization(id) } else { Scope::Agenda(id) };
            write.grant_role(&person, *role, &scope).await?;
        }
        created += 1;
    }
    Ok(created)
}
