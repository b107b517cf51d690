//! `/territori` and `/territori/{district}`.

use agio_domain::model::Territory;
use agio_store::DistrictDetail;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use super::render;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::web::{AppState, PageContext};

#[derive(Template)]
#[template(path = "territories.html")]
struct TerritoriesPage {
    ctx: PageContext,
    districts: Vec<Territory>,
}

#[derive(Template)]
#[template(path = "district.html")]
struct DistrictPage {
    ctx: PageContext,
    d: DistrictDetail,
}

async fn territories(State(state): State<AppState>, lang: Lang) -> Result<Html<String>, AppError> {
    let ctx = PageContext::new(lang, "/territori", "territories", lang.catalogue().t("territories.title")).last_crumb();
    render(TerritoriesPage { ctx, districts: state.store.districts().await? })
}

async fn district(
    State(state): State<AppState>,
    lang: Lang,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let d = state.store.district_detail(&slug).await?.ok_or(AppError::NotFound)?;
    let c = lang.catalogue();
    let title = c.fmt("district.title", &[("name", &d.district.name)]);
    let ctx = PageContext::new(lang, &format!("/territori/{slug}"), "territories", title)
        .crumb(c.t("territories.title"), "/territori")
        .last_crumb()
        .demo(d.agendas.iter().any(|a| a.is_demo));
    render(DistrictPage { ctx, d })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/territori", get(territories)).route("/territori/{slug}", get(district))
}
