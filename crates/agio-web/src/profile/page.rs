//! `/territori/{slug}/profilo` (and `.csv`, `.json`): a district's profile, public once
//! published; its draft is seen only by those who plan for the territory (404 for anyone else,
//! as for a profile that does not exist).

use agio_app::profile::{ActionLink, Figures, Gap, GapKind, Profile, ProfileDocument, ProfileSummary, WEIGHTS};
use agio_domain::access;
use agio_domain::access::{Operation, Target};
use agio_domain::model::{Term, Territory};
use agio_domain::ProfileStatus;
use agio_store::VersionInfo;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::kit::auth::{require, Visitor};
use crate::kit::error::AppError;
use crate::kit::i18n::{decimal, euros, number, Catalogue, Lang};
use crate::kit::layout::{render, ToolKind, Tools};
use crate::kit::state::{AppState, PageContext};
use agio_domain::access::Principal;

/// Width of the longest bar of a chart, in SVG units.
const BAR: f64 = 240.0;

/// A bar of a chart: its label, its value as shown, its length.
pub struct Bar {
    pub label: String,
    pub value: String,
    pub width: String,
    pub y: usize,
}

/// A row of the score's table.
pub struct Component {
    pub name: String,
    pub value: String,
    pub weight: String,
    pub how: String,
}

/// A service of the inventory, ready to show.
pub struct ServiceRow {
    pub name: String,
    pub href: Option<String>,
    /// The form of an internal service, for those who may edit the profile.
    pub edit: Option<String>,
    pub level: u8,
    pub channels: String,
    pub platforms: String,
}

/// The Piano di Zona, ready to show.
pub struct PlanView {
    pub title: String,
    pub period: String,
    pub sheets: Vec<SheetRow>,
}

pub struct SheetRow {
    pub number: String,
    pub title: String,
    pub area: String,
    pub groups: String,
    pub budget: String,
    pub status: String,
    /// (address, "A03 — title") of each action that carries the sheet forward.
    pub actions: Vec<(String, String)>,
}

/// An essential database, ready to show.
pub struct DatabaseRow {
    pub name: String,
    pub holder: String,
    pub contents: String,
    pub personal: String,
    pub legal_basis: String,
    pub format: String,
    pub access: String,
    pub used_by: String,
    pub edit: Option<String>,
}

/// A comune at risk, ready to show.
pub struct RiskRow {
    pub name: String,
    pub population: i64,
    pub nearest: String,
    pub why: String,
    /// (address, "A03 — title") of what addresses it.
    pub addressed: Vec<(String, String)>,
}

/// What the profile shows, on its page and its print sheet.
pub(super) struct ProfileView {
    score: String,
    components: Vec<Component>,
    component_bars: Vec<Bar>,
    level_bars: Vec<Bar>,
    /// (what the level means, how many services).
    level_rows: Vec<(String, String)>,
    /// "173 services, 4 of them internal; average digital level 2,4."
    levels_lead: String,
    stages: Vec<String>,
    /// Rows: a target group and its cells ("3 · 2,3" or "—").
    matrix: Vec<(String, Vec<String>)>,
    needs_without_service: Vec<GapItem>,
    low_level: Vec<GapItem>,
    at_risk: Vec<RiskRow>,
    /// The distance chosen and the people concerned.
    at_risk_lead: String,
    services: Vec<ServiceRow>,
    plan: Option<PlanView>,
    databases: Vec<DatabaseRow>,
    /// (address, name, kind, status, "8 di 8 comuni").
    assets: Vec<(String, String, String, String, String)>,
    /// Databases nobody outside their holder can reach: a gap.
    closed_databases: Vec<GapItem>,
}

/// A gap, named, with the objectives and actions that address it.
pub struct GapItem {
    pub name: String,
    pub addressed: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "profile/profile.html")]
pub(super) struct ProfilePage {
    pub ctx: PageContext,
    pub tools: Tools,
    pub draft: bool,
    pub version_note: Option<String>,
    pub v: ProfileView,
}

#[derive(Template)]
#[template(path = "profile/profile_print.html")]
struct ProfilePrint {
    ctx: PageContext,
    draft: bool,
    version_note: Option<String>,
    /// The profile page, to go back to.
    back: String,
    v: ProfileView,
}

/// The terms of a vocabulary by code, in the page's language.
fn labels<'a>(terms: &'a [Term], lang: Lang) -> impl Fn(&str) -> String + 'a {
    move |code: &str| {
        terms.iter().find(|t| t.code == code).map(|t| t.label(lang.code()).to_string()).unwrap_or_else(|| code.into())
    }
}

/// A district's profile with its figures, whoever asks (none when it has none).
pub(crate) async fn load(state: &AppState, territory: Territory) -> Result<Option<Profile>, AppError> {
    Ok(agio_app::profile::load_in(state, territory).await?)
}

/// A gap as a sentence of its kind: "Casa", "Sportello sociale (livello 0–1)", a comune with its people.
pub(crate) fn gap_label(needs: &[Term], lang: Lang, gap: &Gap) -> String {
    let c = lang.catalogue();
    match gap.kind {
        GapKind::Need => c.fmt("gap.need", &[("need", &labels(needs, lang)(&gap.subject))]),
        GapKind::LowLevelService => c.fmt("gap.service", &[("name", &gap.subject)]),
        GapKind::ClosedDatabase => c.fmt("gap.database", &[("name", &gap.subject)]),
        GapKind::ComuneAtRisk => match gap.population {
            Some(people) => c.fmt("gap.comune", &[("name", &gap.subject), ("people", &number(lang, people))]),
            None => c.fmt("gap.comune_closed", &[("name", &gap.subject)]),
        },
    }
}

/// A profile's title: a district's, a union's or a comune's.
pub(crate) fn profile_title(c: &Catalogue, kind: agio_domain::TerritoryKind, name: &str) -> String {
    let key = match kind {
        agio_domain::TerritoryKind::Union => "profile.title_union",
        agio_domain::TerritoryKind::Comune => "profile.title_comune",
        _ => "profile.title",
    };
    c.fmt(key, &[("name", name)])
}

/// The page of the territory a profile is of: a district's, a union's; a comune has none, so
/// its district's.
fn territory_page(c: &Catalogue, t: &Territory) -> (String, String) {
    let district = |name: &str, slug: &str| (c.fmt("district.title", &[("name", name)]), format!("/territori/{slug}"));
    match (t.kind, &t.parent) {
        (agio_domain::TerritoryKind::Union, _) => (t.name.clone(), format!("/territori/unioni/{}", t.slug)),
        (agio_domain::TerritoryKind::Comune, Some(d)) => district(&d.name, &d.slug),
        _ => district(&t.name, &t.slug),
    }
}

/// (address, "A03 — title") of each objective and action.
pub(crate) fn link_rows(links: &[ActionLink]) -> Vec<(String, String)> {
    links.iter().map(|a| (a.href(), format!("{} — {}", a.code, a.title))).collect()
}

/// A profile as a page shows it: the latest published version to the public, the profile as
/// it stands to those who plan for the district.
pub(crate) struct Shown {
    pub territory: Territory,
    pub doc: ProfileDocument,
    /// The published version shown, or the latest one beside the live profile a planner sees.
    pub version: Option<VersionInfo>,
    /// Whether `who` plans for the district (sees the live profile, may edit it).
    pub planner: bool,
}

/// A district and its profile, if `who` may read it (a draft only those who plan for the
/// district): decided before any figure is worked out, so a draft's outsiders cost no more
/// than a 404.
pub(super) async fn readable(
    state: &AppState,
    who: Option<&Principal>,
    slug: &str,
) -> Result<(Territory, agio_store::StoredProfile, agio_domain::access::ProfileFacts), AppError> {
    let territory = state.store.territory(slug).await?.filter(|t| t.slug == slug).ok_or(AppError::NotFound)?;
    let stored = state.store.profile(&territory.id).await?.ok_or(AppError::NotFound)?;
    let facts = agio_app::profile::facts(&state.store, &territory, stored.status == ProfileStatus::Published).await?;
    require(who, Operation::ReadDraft, &Target::Profile(&facts))?;
    Ok((territory, stored, facts))
}

/// A district's profile, if `who` may read it (a draft only those who plan for the district).
pub(crate) async fn profile_for(state: &AppState, who: Option<&Principal>, slug: &str) -> Result<Shown, AppError> {
    let (territory, stored, facts) = readable(state, who, slug).await?;
    let published = stored.status == ProfileStatus::Published;
    let planner = access::decide(who, Operation::Edit, &Target::Profile(&facts)) == access::Decision::Allow;
    let version = match published {
        true => state.store.published_profile::<ProfileDocument>(&territory.id, None).await?,
        false => None,
    };
    match version {
        Some((info, doc)) if !planner => {
            let doc = doc.with_agendas(&state.store, &territory.id).await?;
            Ok(Shown { territory, doc, version: Some(info), planner })
        }
        version => {
            let live = load(state, territory.clone()).await?.ok_or(AppError::NotFound)?;
            Ok(Shown { territory, doc: live.document(), version: version.map(|(info, _)| info), planner })
        }
    }
}

/// The regional table's line of every published profile (its latest version), by district name.
pub(crate) async fn published(state: &AppState) -> Result<Vec<ProfileSummary>, AppError> {
    Ok(state.store.published_profile_summaries().await?)
}

pub(super) fn bars(values: &[(String, f64, String)], max: f64) -> Vec<Bar> {
    values
        .iter()
        .enumerate()
        .map(|(i, (label, v, shown))| Bar {
            label: label.clone(),
            value: shown.clone(),
            width: format!("{:.1}", if max > 0.0 { v / max * BAR } else { 0.0 }),
            y: i * 28,
        })
        .collect()
}

pub(super) fn percent(lang: Lang, v: f64) -> String {
    format!("{}%", decimal(lang, v.round()))
}

fn components(f: &Figures, lang: Lang, c: &Catalogue) -> Vec<Component> {
    [("digitalisation", f.digitalisation), ("coverage", f.coverage), ("inclusion", f.inclusion)]
        .iter()
        .zip(WEIGHTS)
        .map(|((key, value), weight)| Component {
            name: c.t(&format!("profile.component.{key}")).to_string(),
            value: percent(lang, *value),
            weight: percent(lang, weight * 100.0),
            how: c.t(&format!("profile.component.{key}_how")).to_string(),
        })
        .collect()
}

async fn page(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    show(&state, lang, &visitor, &slug, false).await
}

/// The print sheet: the profile without the site's navigation, on A4.
async fn print(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    show(&state, lang, &visitor, &slug, true).await
}

/// The profile page, or its print sheet.
async fn show(state: &AppState, lang: Lang, visitor: &Visitor, slug: &str, sheet: bool) -> Result<Response, AppError> {
    let Shown { territory, doc: p, version, planner } = profile_for(state, visitor.principal(), slug).await?;
    let c = lang.catalogue();
    let here = format!("/territori/{slug}/profilo");
    let title = profile_title(c, p.territory.kind, &p.territory.name);
    let draft = p.status == ProfileStatus::Draft;
    // Which version this is: the published one, or (for a planner) the profile as it stands.
    let version_note = version.as_ref().map(|v| {
        let (number, date) = (v.number.to_string(), crate::kit::i18n::date(lang, &v.created_at));
        let key = if planner { "profile.version_live" } else { "profile.version_published" };
        c.fmt(key, &[("number", &number), ("date", &date)])
    });
    if sheet {
        let ctx = PageContext::new(lang, &format!("{here}/stampa"), "territories", title).demo(p.is_demo);
        let v = view(state, &p, lang, &here, false);
        return Ok(render(ProfilePrint { ctx, draft, version_note, back: here, v })?.into_response());
    }
    let ctx = PageContext::new(lang, &here, "territories", title)
        .crumb(c.t("territories.title"), "/territori")
        .crumb(territory_page(c, &territory).0, territory_page(c, &territory).1)
        .last_crumb()
        .demo(p.is_demo);
    let mut tools = Tools::default();
    if planner {
        tools.add(ToolKind::Main, format!("{here}/modifica"), c.t("profile.edit"));
        tools.add(ToolKind::Other, format!("{here}/guida"), c.t("profile.guide"));
        tools.add(ToolKind::Other, format!("{here}/servizi/nuovo"), c.t("profile.add_service"));
        tools.add(ToolKind::Other, format!("{here}/piano-di-zona"), c.t("zone_plan.import"));
        tools.add(ToolKind::Other, format!("{here}/basi-dati/nuova"), c.t("database.add"));
    }
    tools.add(ToolKind::Other, format!("{here}/stampa"), c.t("profile.print"));
    if version.is_some() {
        tools.add(ToolKind::Other, format!("{here}/versioni"), c.t("profile.versions"));
    }
    tools.add(ToolKind::Other, format!("{here}.csv"), c.t("profile.download_csv"));
    tools.add(ToolKind::Other, format!("{here}.json"), c.t("profile.download_json"));
    let v = view(state, &p, lang, &here, planner);
    Ok(render(ProfilePage { ctx, tools, draft, version_note, v })?.into_response())
}

/// Everything the profile shows, in `lang`; the internal services and databases linked to
/// their forms for an `editor`.
pub(super) fn view(state: &AppState, p: &ProfileDocument, lang: Lang, here: &str, editor: bool) -> ProfileView {
    let c = lang.catalogue();
    let v = &state.vocabularies;
    let (group, need) = (labels(&v.target_group, lang), labels(&v.need, lang));
    let f = &p.figures;
    let component_values: Vec<(String, f64, String)> = components(f, lang, c)
        .into_iter()
        .zip([f.digitalisation, f.coverage, f.inclusion])
        .map(|(k, v)| (k.name, v, k.value))
        .collect();
    // The chart names a level by its number; its table, by what the level means.
    let level_rows: Vec<(String, String)> = f
        .by_level
        .iter()
        .enumerate()
        .map(|(level, n)| (c.t(&format!("profile.level.{level}")).to_string(), n.to_string()))
        .collect();
    let level_values: Vec<(String, f64, String)> = f
        .by_level
        .iter()
        .enumerate()
        .map(|(level, n)| (c.fmt("profile.level_short", &[("level", &level.to_string())]), *n as f64, n.to_string()))
        .collect();
    let most = f.by_level.iter().copied().max().unwrap_or(0) as f64;
    let cell = |s: &agio_app::profile::Cell| match s.average_level {
        Some(avg) => format!("{} · {}", s.services, decimal(lang, (avg * 10.0).round() / 10.0)),
        None => "—".to_string(),
    };
    let channel = |code: &String| c.label(&format!("service_channel.{code}")).to_string();
    let gaps = &p.gaps;
    let gap_items = |kind: GapKind, name: &dyn Fn(&Gap) -> String| -> Vec<GapItem> {
        gaps.iter()
            .filter(|g| g.kind == kind)
            .map(|g| GapItem { name: name(g), addressed: link_rows(&g.addressed_by) })
            .collect()
    };
    let platform = |code: &String| c.label(&format!("platform.{code}")).to_string();
    ProfileView {
        score: decimal(lang, f.score.round()),
        components: components(f, lang, c),
        component_bars: bars(&component_values, 100.0),
        level_bars: bars(&level_values, most),
        level_rows,
        levels_lead: c.fmt(
            "profile.levels_lead",
            &[
                ("count", &p.services.len().to_string()),
                ("internal", &p.services.iter().filter(|s| s.directory_slug.is_none()).count().to_string()),
                ("average", &decimal(lang, (f.average_level * 10.0).round() / 10.0)),
            ],
        ),
        stages: v.life_stage.iter().map(|t| t.label(lang.code()).to_string()).collect(),
        matrix: f.matrix.iter().map(|row| (group(&row.target_group), row.cells.iter().map(cell).collect())).collect(),
        needs_without_service: gap_items(GapKind::Need, &|g| need(&g.subject)),
        low_level: gap_items(GapKind::LowLevelService, &|g| g.subject.clone()),
        at_risk: p
            .comuni
            .iter()
            .filter(|x| x.at_risk)
            .map(|x| RiskRow {
                name: x.name.clone(),
                population: x.population,
                nearest: x
                    .nearest_facilitation_km
                    .map(|km| format!("{} km", decimal(lang, (km * 10.0).round() / 10.0)))
                    .unwrap_or_else(|| c.t("profile.no_point").to_string()),
                why: [(x.far, "profile.risk.far"), (!x.connected, "profile.risk.unconnected")]
                    .iter()
                    .filter(|(yes, _)| *yes)
                    .map(|(_, key)| c.t(key))
                    .collect::<Vec<_>>()
                    .join("; "),
                addressed: gaps
                    .iter()
                    .find(|g| g.key == format!("comune:{}", x.code))
                    .map(|g| link_rows(&g.addressed_by))
                    .unwrap_or_default(),
            })
            .collect(),
        at_risk_lead: c.fmt(
            "profile.at_risk_lead",
            &[
                ("km", &decimal(lang, p.facilitation_km)),
                ("people", &number(lang, f.population_at_risk)),
                ("population", &number(lang, f.population)),
            ],
        ),
        services: p
            .services
            .iter()
            .map(|s| ServiceRow {
                name: match &s.rolled_up_from {
                    Some(from) => c.fmt("profile.rolled_up", &[("name", &s.name), ("from", from)]),
                    None => s.name.clone(),
                },
                href: s.directory_slug.as_ref().map(|slug| format!("/servizi/{slug}")),
                edit: s
                    .internal_id
                    .as_ref()
                    .filter(|_| editor && s.rolled_up_from.is_none())
                    .map(|id| format!("{here}/servizi/{id}/modifica")),
                level: s.digital_level,
                channels: s.channels.iter().map(channel).collect::<Vec<_>>().join(", "),
                platforms: s.platforms.iter().map(platform).collect::<Vec<_>>().join(", "),
            })
            .collect(),
        databases: p
            .databases
            .iter()
            .map(|d| {
                let f = &d.fields;
                DatabaseRow {
                    name: match &d.rolled_up_from {
                        Some(from) => c.fmt("profile.rolled_up", &[("name", &f.name), ("from", from)]),
                        None => f.name.clone(),
                    },
                    holder: f.holder.clone(),
                    contents: f.contents.clone(),
                    personal: c
                        .t(match (f.personal_data, f.special_categories) {
                            (true, true) => "database.personal.special",
                            (true, false) => "database.personal.yes",
                            _ => "database.personal.no",
                        })
                        .to_string(),
                    legal_basis: f.legal_basis.clone(),
                    format: [f.format.as_str(), f.update_frequency.as_str()]
                        .iter()
                        .filter(|s| !s.is_empty())
                        .copied()
                        .collect::<Vec<_>>()
                        .join(" · "),
                    access: c.label(&f.access.label_key()).to_string(),
                    used_by: f.used_by.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(", "),
                    edit: (editor && d.rolled_up_from.is_none()).then(|| format!("{here}/basi-dati/{}/modifica", d.id)),
                }
            })
            .collect(),
        assets: p
            .assets
            .iter()
            .map(|a| {
                (
                    format!("/asset-digitali/{}", a.slug),
                    a.name.clone(),
                    c.label(&a.kind.label_key()).to_string(),
                    c.label(&a.status.label_key()).to_string(),
                    c.fmt(
                        "profile.asset_coverage",
                        &[("n", &a.comuni.to_string()), ("of", &p.comuni.len().to_string())],
                    ),
                )
            })
            .collect(),
        closed_databases: gap_items(GapKind::ClosedDatabase, &|g| g.subject.clone()),
        plan: p.zone_plan.as_ref().map(|plan| PlanView {
            title: plan.title.clone(),
            period: format!("{}–{}", plan.period_start, plan.period_end),
            sheets: plan
                .sheets
                .iter()
                .map(|doc| (&doc.sheet, &doc.actions))
                .map(|(sheet, actions)| SheetRow {
                    number: sheet.number.clone(),
                    title: sheet.title.clone(),
                    area: sheet.area.clone(),
                    groups: sheet.target_groups.iter().map(|g| group(g)).collect::<Vec<_>>().join(", "),
                    budget: sheet.budget_cents.map(|b| euros(lang, b)).unwrap_or_else(|| "—".into()),
                    status: c.label(&sheet.status.label_key()).to_string(),
                    actions: link_rows(actions),
                })
                .collect(),
        }),
    }
}

/// The profile as data: its figures, its services and its comuni (what the API answers).
async fn json(State(state): State<AppState>, visitor: Visitor, Path(slug): Path<String>) -> Result<Response, AppError> {
    let p = profile_for(&state, visitor.principal(), &slug).await?.doc;
    let disposition = format!("attachment; filename=\"profilo-{slug}.json\"");
    Ok(([(header::CONTENT_DISPOSITION, disposition)], axum::Json(p)).into_response())
}

/// The inventory as a spreadsheet: one row per service.
async fn csv(State(state): State<AppState>, visitor: Visitor, Path(slug): Path<String>) -> Result<Response, AppError> {
    let p = profile_for(&state, visitor.principal(), &slug).await?.doc;
    let header = [
        "name",
        "kind",
        "directory_slug",
        "digital_level",
        "target_groups",
        "life_stages",
        "needs",
        "channels",
        "platforms",
    ];
    let bytes = crate::kit::layout::csv_bytes(|out| {
        out.write_record(header)?;
        for s in &p.services {
            let kind = if s.directory_slug.is_some() { "public" } else { "internal" };
            out.write_record([
                s.name.as_str(),
                kind,
                s.directory_slug.as_deref().unwrap_or(""),
                &s.digital_level.to_string(),
                &s.target_groups.join(";"),
                &s.life_stages.join(";"),
                &s.needs.join(";"),
                &s.channels.join(";"),
                &s.platforms.join(";"),
            ])?;
        }
        Ok(())
    })?;
    Ok(crate::kit::layout::csv_download(&format!("profilo-{slug}.csv"), bytes))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/territori/{slug}/profilo", get(page))
        .route("/territori/{slug}/profilo.json", get(json))
        .route("/territori/{slug}/profilo/stampa", get(print))
        .route("/territori/{slug}/profilo.csv", get(csv))
}
