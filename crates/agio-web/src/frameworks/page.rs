//! `/quadri`: for each framework, each item with the public agendas whose objectives serve it
//! and the districts that have nothing for it (`agio_app::frameworks::report`).

use agio_app::frameworks::{report, FrameworkReport};
use agio_domain::access::{Operation, Target};
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use crate::kit::auth::Visitor;
use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::{render, ToolKind, Tools};
use crate::kit::state::{AppState, PageContext};

/// A framework, ready to show.
struct FrameworkView {
    id: String,
    name: String,
    edition: String,
    source_url: Option<String>,
    caption: String,
    /// Its form, for the regional administrator.
    edit: Option<String>,
    rows: Vec<ItemRow>,
}

struct ItemRow {
    code: String,
    title: String,
    /// (address, "Agenda title (O1, O3)").
    agendas: Vec<(String, String)>,
    /// "37 di 38", and their names.
    without_count: String,
    without: Vec<String>,
    edit: Option<String>,
}

#[derive(Template)]
#[template(path = "frameworks/frameworks.html")]
struct FrameworksPage {
    ctx: PageContext,
    tools: Tools,
    frameworks: Vec<FrameworkView>,
}

fn view(r: FrameworkReport, lang: Lang, admin: bool, districts: usize) -> FrameworkView {
    let c = lang.catalogue();
    let f = &r.framework;
    let rows = f
        .items
        .iter()
        .zip(&r.contributions)
        .map(|(item, served)| ItemRow {
            code: item.code.clone(),
            title: item.title.clone(),
            agendas: served
                .agendas
                .iter()
                .map(|a| {
                    (format!("/agende/{}", a.agenda_slug), format!("{} ({})", a.agenda_title, a.objectives.join(", ")))
                })
                .collect(),
            without_count: c.fmt(
                "frameworks.without_count",
                &[("n", &served.districts_without.len().to_string()), ("of", &districts.to_string())],
            ),
            without: served.districts_without.iter().map(|d| d.name.clone()).collect(),
            edit: admin.then(|| format!("/quadri/{}/voci/{}/modifica", f.id, item.id)),
        })
        .collect();
    FrameworkView {
        edit: admin.then(|| format!("/quadri/{}/modifica", f.id)),
        id: f.id.clone(),
        name: f.name.clone(),
        edition: f.edition.clone(),
        source_url: f.source_url.clone(),
        caption: c.fmt("frameworks.caption", &[("name", &f.name)]),
        rows,
    }
}

async fn frameworks(State(state): State<AppState>, lang: Lang, visitor: Visitor) -> Result<Html<String>, AppError> {
    let c = lang.catalogue();
    let admin = visitor.may(Operation::Administer, &Target::Region);
    let districts = state.store.districts().await?.len();
    let reports = report(&state).await?;
    let mut tools = Tools::default();
    if admin {
        for r in &reports {
            let name = &r.framework.name;
            tools.add(
                ToolKind::Other,
                format!("/quadri/{}/voci/nuova", r.framework.id),
                c.fmt("frameworks.add_item", &[("name", name)]),
            );
        }
    }
    let ctx = PageContext::new(lang, "/quadri", "territories", c.t("frameworks.title"))
        .crumb(c.t("profiles.title"), "/profili")
        .last_crumb();
    let frameworks = reports.into_iter().map(|r| view(r, lang, admin, districts)).collect();
    render(FrameworksPage { ctx, tools, frameworks })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/quadri", get(frameworks))
}
