//! `/`: what AGIO is, key figures, published agendas, the map of the districts.

use agio_domain::model::{Agenda, KeyFigures, Territory};
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::render;
use crate::kit::state::{AppState, PageContext};

#[derive(Template)]
#[template(path = "home/home.html")]
struct HomePage<'a> {
    ctx: PageContext,
    figures: KeyFigures,
    agendas: Vec<Agenda>,
    districts: Vec<Territory>,
    map_svg: &'a str,
}

async fn home(State(state): State<AppState>, lang: Lang) -> Result<Html<String>, AppError> {
    let agendas = state.store.published_agendas().await?;
    let ctx =
        PageContext::new(lang, "/", "home", lang.catalogue().t("home.title")).demo(agendas.iter().any(|a| a.is_demo));
    render(HomePage {
        ctx,
        figures: state.store.key_figures().await?,
        agendas,
        districts: state.store.districts().await?,
        map_svg: &state.map_svg,
    })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/", get(home))
}
