//! `/territori` and `/territori/{district}`.

use agio_domain::access::{Operation, Target};
use agio_domain::model::Territory;
use agio_store::{DistrictDetail, UnionDetail};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use crate::archive::archiving::archived_note;
use crate::kit::auth::Visitor;
use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::render;
use crate::kit::layout::{ToolKind, Tools};
use crate::kit::state::{AppState, PageContext};
use crate::registry::records::list_tools;
use agio_app::archive::Archiving;

#[derive(Template)]
#[template(path = "registry/territories.html")]
struct TerritoriesPage {
    ctx: PageContext,
    tools: Tools,
    districts: Vec<Territory>,
}

#[derive(Template)]
#[template(path = "registry/district.html")]
struct DistrictPage {
    ctx: PageContext,
    d: DistrictDetail,
    /// How many services of the directory are in the district.
    services: usize,
    /// It has a published digital profile.
    profile: bool,
    /// The form that starts the profile, for those who plan for the district and have none yet.
    start_profile: Option<String>,
}

async fn territories(State(state): State<AppState>, lang: Lang, visitor: Visitor) -> Result<Html<String>, AppError> {
    let ctx = PageContext::new(lang, "/territori", "territories", lang.catalogue().t("territories.title")).last_crumb();
    let tools = list_tools(lang, &visitor, "territories");
    render(TerritoriesPage { ctx, tools, districts: state.store.districts().await? })
}

async fn district(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let d = state.store.district_detail(&slug).await?.ok_or(AppError::NotFound)?;
    let c = lang.catalogue();
    let title = c.fmt("district.title", &[("name", &d.district.name)]);
    let ctx = PageContext::new(lang, &format!("/territori/{slug}"), "territories", title)
        .crumb(c.t("territories.title"), "/territori")
        .last_crumb()
        .demo(d.agendas.iter().any(|a| a.is_demo));
    let services = agio_app::directory::Ask::in_district(&d.district.code);
    let services = state.directory.search(&services, time::OffsetDateTime::now_utc())?.total;
    let stored = state.store.profile(&d.district.id).await?;
    let profile = stored.as_ref().is_some_and(|p| p.status == agio_domain::ProfileStatus::Published);
    let start_profile = match (&stored, visitor.principal()) {
        (None, Some(_)) => {
            let territory = state.store.territory(&slug).await?.ok_or(AppError::NotFound)?;
            let facts = agio_app::profile::facts(&state.store, &territory, false).await?;
            visitor.may(Operation::Edit, &Target::Profile(&facts)).then(|| format!("/territori/{slug}/profilo/guida"))
        }
        _ => None,
    };
    render(DistrictPage { ctx, d, services, profile, start_profile })
}

#[derive(Template)]
#[template(path = "registry/union.html")]
struct UnionPage {
    ctx: PageContext,
    d: UnionDetail,
    tools: Tools,
}

/// A union of comuni: its district and its comuni; the Region's tools to edit or archive it.
async fn union(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let d = state.store.union_detail(&slug).await?.ok_or(AppError::NotFound)?;
    let c = lang.catalogue();
    let here = format!("/territori/unioni/{slug}");
    let mut ctx = PageContext::new(lang, &here, "territories", d.union.name.clone())
        .crumb(c.t("territories.title"), "/territori");
    if let Some(district) = &d.union.parent {
        ctx = ctx.crumb(district.name.clone(), format!("/territori/{}", district.slug));
    }
    let mut tools =
        Tools { archived: archived_note(lang, &visitor, &Archiving::of_union(&d), &here), ..Tools::default() };
    for (operation, kind, href, key) in [
        (Operation::Edit, ToolKind::Main, format!("{here}/modifica"), "edit.edit"),
        (Operation::ReadHistory, ToolKind::Other, format!("{here}/cronologia"), "edit.history"),
        (Operation::Archive, ToolKind::Destructive, format!("{here}/archivia"), "archive.tool"),
    ] {
        let archived = d.archived_at.is_some() && operation == Operation::Archive;
        if !archived && visitor.may(operation, &Target::Region) {
            tools.add(kind, href, c.t(key));
        }
    }
    // Its digital profile (its own, rolled up into the district's): to read, or to start.
    if let Some(territory) = state.store.territory(&slug).await?.filter(|t| t.kind == agio_domain::TerritoryKind::Union)
    {
        let stored = state.store.profile(&territory.id).await?;
        let published = stored.as_ref().is_some_and(|p| p.status == agio_domain::ProfileStatus::Published);
        let facts = agio_app::profile::facts(&state.store, &territory, published).await?;
        let profile = format!("/territori/{slug}/profilo");
        match (stored.is_some(), visitor.may(Operation::Edit, &Target::Profile(&facts))) {
            (true, _) if published => tools.add(ToolKind::Other, profile, c.t("district.profile")),
            (true, true) => tools.add(ToolKind::Other, profile, c.t("district.profile")),
            (false, true) => tools.add(ToolKind::Other, format!("{profile}/guida"), c.t("district.start_profile")),
            _ => {}
        }
    }
    render(UnionPage { ctx: ctx.last_crumb(), d, tools })
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/territori", get(territories))
        .route("/territori/{slug}", get(district))
        .route("/territori/unioni/{slug}", get(union))
}
