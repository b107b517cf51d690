//! The regional dashboard (`/monitoraggio`): every agenda's progress from approved values, the
//! districts on a map coloured by progress (with the same figures in a table), the digital
//! assets the actions reuse most, and the themes and target groups the actions serve.

use agio_app::monitoring::region;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use rust_decimal::Decimal;

use super::charts::{bars, Bar};
use super::percent;
use crate::kit::error::AppError;
use crate::kit::i18n::{number, Lang};
use crate::kit::layout::render;
use crate::kit::state::{AppState, PageContext};
use crate::profile::regional::LegendItem;

/// Progress bands of the map, lowest first: (lowest percentage, fill, i18n key of the legend).
const BANDS: [(i64, &str, &str); 4] = [
    (0, "#9ecae1", "monitoring.band.low"),
    (25, "#4292c6", "monitoring.band.mid"),
    (50, "#2171b5", "monitoring.band.good"),
    (75, "#08306b", "monitoring.band.high"),
];
/// A district without approved values.
const NO_DATA: &str = "#e6e9f2";

fn fill(progress: Option<Decimal>) -> &'static str {
    match progress.map(agio_domain::monitoring::whole_percent) {
        None => NO_DATA,
        Some(p) => BANDS.iter().rev().find(|(from, _, _)| p >= *from).map_or(BANDS[0].1, |b| b.1),
    }
}

struct AgendaLine {
    title: String,
    href: String,
    district: String,
    progress: String,
    /// Actions by standing, in `Standing::ALL` order.
    standings: Vec<i64>,
    demo: bool,
}

#[derive(Template)]
#[template(path = "monitoring/region.html")]
struct RegionPage {
    ctx: PageContext,
    progress: String,
    agendas_count: usize,
    approved: String,
    map: String,
    legend: Vec<LegendItem>,
    standing_labels: Vec<String>,
    agendas: Vec<AgendaLine>,
    bars: Vec<Bar>,
    /// (name, href, actions).
    assets: Vec<(String, String, i64)>,
    /// (label, actions).
    themes: Vec<(String, i64)>,
    target_groups: Vec<(String, i64)>,
}

async fn show(State(state): State<AppState>, lang: Lang) -> Result<Html<String>, AppError> {
    let r = region(&state).await?;
    let c = lang.catalogue();
    let by_slug: std::collections::HashMap<&str, Option<Decimal>> =
        r.districts.iter().map(|d| (d.slug.as_str(), d.progress)).collect();
    let first_agenda: std::collections::HashMap<&str, &str> =
        r.agendas.iter().rev().map(|a| (a.agenda.district_slug.as_str(), a.agenda.slug.as_str())).collect();
    let map = state.map.svg(
        |slug| match first_agenda.get(slug) {
            Some(agenda) => format!("/agende/{agenda}/monitoraggio"),
            None => format!("/territori/{slug}"),
        },
        |_, slug| fill(by_slug.get(slug).copied().flatten()),
        |slug| {
            Some(match by_slug.get(slug).copied().flatten() {
                Some(p) => c.fmt("monitoring.map_progress", &[("progress", &percent(lang, Some(p)))]),
                None => c.t("monitoring.no_data").to_string(),
            })
        },
    );
    let mut legend: Vec<LegendItem> =
        BANDS.iter().map(|(_, fill, key)| LegendItem { fill, label: c.t(key).to_string() }).collect();
    legend.push(LegendItem { fill: NO_DATA, label: c.t("monitoring.no_data").to_string() });
    let agendas: Vec<AgendaLine> = r
        .agendas
        .iter()
        .map(|a| AgendaLine {
            title: a.agenda.title.clone(),
            href: format!("/agende/{}/monitoraggio", a.agenda.slug),
            district: a.agenda.district_name.clone(),
            progress: percent(lang, a.progress.progress),
            standings: a.progress.standings.iter().map(|(_, n)| *n).collect(),
            demo: a.agenda.is_demo,
        })
        .collect();
    let term = |t: &agio_domain::model::Term| if lang == Lang::It { t.label_it.clone() } else { t.label_en.clone() };
    let ctx = PageContext::new(lang, "/monitoraggio", "agendas", c.t("monitoring.region_title"))
        .crumb(c.t("agendas.title"), "/agende")
        .last_crumb()
        .demo(agendas.iter().any(|a| a.demo));
    render(RegionPage {
        ctx,
        progress: percent(lang, r.progress),
        agendas_count: agendas.len(),
        approved: number(lang, r.approved as i64),
        map,
        legend,
        standing_labels: agio_domain::Standing::ALL.iter().map(|s| c.label(&s.label_key()).to_string()).collect(),
        bars: bars(
            r.agendas
                .iter()
                .map(|a| (a.agenda.district_name.clone(), a.progress.progress, percent(lang, a.progress.progress))),
        ),
        agendas,
        assets: r.assets.iter().map(|a| (a.name.clone(), format!("/asset-digitali/{}", a.slug), a.actions)).collect(),
        themes: r.themes.iter().map(|(t, n)| (term(t), *n)).collect(),
        target_groups: r.target_groups.iter().map(|(t, n)| (term(t), *n)).collect(),
    })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/monitoraggio", get(show))
}
