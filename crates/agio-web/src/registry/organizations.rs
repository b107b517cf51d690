//! `/soggetti` and `/soggetti/{slug}`.

use agio_domain::model::Organization;
use agio_domain::Page;
use agio_store::OrganizationDetail;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use crate::archive::archiving::archived_note;
use crate::kit::auth::Visitor;
use crate::kit::error::AppError;
use crate::kit::filters::organization_filter;
use crate::kit::i18n::Lang;
use crate::kit::layout::Tools;
use crate::kit::layout::{render, territory_options, ListFrame, SelectField};
use crate::kit::query::Params;
use crate::kit::state::{AppState, PageContext};
use crate::registry::records::list_tools;
use crate::registry::records::organization_tools;
use agio_app::archive::Archiving;

const FILTERS: &[&str] = &["q", "type", "territory"];

#[derive(Template)]
#[template(path = "registry/organizations.html")]
struct OrganizationsPage {
    ctx: PageContext,
    tools: Tools,
    list: ListFrame,
    page: Page<Organization>,
}

#[derive(Template)]
#[template(path = "registry/organization.html")]
struct OrganizationPage {
    ctx: PageContext,
    d: OrganizationDetail,
    tools: Tools,
}

async fn organizations(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    params: Params,
) -> Result<Html<String>, AppError> {
    let filter = organization_filter(&params, &state.vocabularies, &state.store).await?;
    let page = state.store.list_organizations(&filter, params.page()?).await?;
    let c = lang.catalogue();
    let fields = vec![
        SelectField::new(
            "type",
            c.t("organization.type"),
            &params,
            state.vocabularies.organization_type.iter().map(|t| (t.code.clone(), t.label(lang.code()))),
        ),
        SelectField::new(
            "territory",
            c.t("organization.district"),
            &params,
            territory_options(&state.store, params.get("territory")).await?,
        ),
    ];
    let any_demo = page.items.iter().any(|o| o.is_demo);
    let (ctx, list) = ListFrame::new(lang, ("/soggetti", "organizations"), (&params, FILTERS), fields, any_demo);
    render(OrganizationsPage { ctx, tools: list_tools(lang, &visitor, "organizations"), list, page })
}

async fn organization(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let d = state.store.organization_detail(&slug).await?.ok_or(AppError::NotFound)?;
    let mut tools = organization_tools(lang, &visitor, &d.organization.id, &slug);
    let archiving = Archiving::of_organization(&d.organization);
    tools.archived(archived_note(lang, &visitor, &archiving, &format!("/soggetti/{slug}")));
    let c = lang.catalogue();
    let ctx = PageContext::new(lang, &format!("/soggetti/{slug}"), "organizations", d.organization.name.clone())
        .crumb(c.t("organizations.title"), "/soggetti")
        .last_crumb()
        .demo(d.organization.is_demo);
    render(OrganizationPage { ctx, d, tools })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/soggetti", get(organizations)).route("/soggetti/{slug}", get(organization))
}
