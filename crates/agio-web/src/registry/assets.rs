//! `/asset-digitali` and `/asset-digitali/{slug}`.

use agio_domain::model::DigitalAsset;
use agio_domain::{AssetKind, AssetStatus, Page};
use agio_store::AssetDetail;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use agio_domain::access::{Operation, Target};

use crate::kit::auth::Visitor;
use crate::kit::error::AppError;
use crate::kit::filters::asset_filter;
use crate::kit::i18n::Lang;
use crate::kit::layout::{render, ListFrame, SelectField};
use crate::kit::layout::{ToolKind, Tools};
use crate::kit::query::Params;
use crate::kit::state::{AppState, PageContext};
use crate::registry::records::list_tools;

const FILTERS: &[&str] = &["q", "kind", "status", "comune"];

#[derive(Template)]
#[template(path = "registry/assets.html")]
struct AssetsPage {
    ctx: PageContext,
    tools: Tools,
    list: ListFrame,
    page: Page<DigitalAsset>,
}

#[derive(Template)]
#[template(path = "registry/asset.html")]
struct AssetPage {
    ctx: PageContext,
    d: AssetDetail,
    tools: Tools,
    /// The districts whose comuni it covers, each to its profile when published.
    districts: Vec<agio_store::DistrictUsing>,
}

async fn assets(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    params: Params,
) -> Result<Html<String>, AppError> {
    let filter = asset_filter(&params, &state.store).await?;
    let page = state.store.list_assets(&filter, params.page()?).await?;
    let c = lang.catalogue();
    let fields = vec![
        SelectField::new(
            "kind",
            c.t("asset.kind"),
            &params,
            AssetKind::ALL.iter().map(|k| (k.code().to_string(), c.label(&k.label_key()))),
        ),
        SelectField::new(
            "status",
            c.t("asset.status"),
            &params,
            AssetStatus::ALL.iter().map(|s| (s.code().to_string(), c.label(&s.label_key()))),
        ),
    ];
    let any_demo = page.items.iter().any(|a| a.is_demo);
    let (ctx, list) = ListFrame::new(lang, ("/asset-digitali", "assets"), (&params, FILTERS), fields, any_demo);
    render(AssetsPage { ctx, tools: list_tools(lang, &visitor, "assets"), list, page })
}

async fn asset(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let d = state.store.asset_detail(&slug).await?.ok_or(AppError::NotFound)?;
    let c = lang.catalogue();
    let ctx = PageContext::new(lang, &format!("/asset-digitali/{slug}"), "assets", d.asset.name.clone())
        .crumb(c.t("assets.title"), "/asset-digitali")
        .last_crumb()
        .demo(d.asset.is_demo);
    let mut tools = Tools::default();
    for (operation, kind, href, key) in [
        (Operation::Edit, ToolKind::Main, format!("/asset-digitali/{slug}/modifica"), "edit.edit"),
        (Operation::ReadHistory, ToolKind::Other, format!("/asset-digitali/{slug}/cronologia"), "edit.history"),
    ] {
        if visitor.may(operation, &Target::Asset) {
            tools.add(kind, href, c.t(key));
        }
    }
    let districts = state.store.districts_using_asset(&slug).await?;
    render(AssetPage { ctx, d, tools, districts })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/asset-digitali", get(assets)).route("/asset-digitali/{slug}", get(asset))
}
