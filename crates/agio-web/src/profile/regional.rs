//! `/profili`: the districts side by side — each one's score, services, average digital level
//! and comuni and people at risk, in a table sortable without JavaScript and on a map coloured
//! by score; and `/territori/confronto`: up to four districts' profiles column by column.

use agio_app::profile::ProfileSummary;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use crate::kit::error::{AppError, ParamProblem};
use crate::kit::i18n::{decimal, number, Lang};
use crate::kit::layout::render;
use crate::kit::query::Params;
use crate::kit::state::{AppState, PageContext};
use crate::profile::page::published;

/// Score bands of the map, lowest first: (lowest score, fill, i18n key of the legend).
const BANDS: [(f64, &str, &str); 4] = [
    (0.0, "#9ecae1", "profiles.band.low"),
    (40.0, "#4292c6", "profiles.band.mid"),
    (60.0, "#2171b5", "profiles.band.good"),
    (80.0, "#08306b", "profiles.band.high"),
];
/// A district without a published profile.
const NO_PROFILE: &str = "#e6e9f2";

/// The columns the table sorts by, as the query names them.
const SORTS: [&str; 6] = ["nome", "punteggio", "servizi", "livello", "comuni", "persone"];

/// A district's line of the regional table; the figures only when it has a published profile.
pub struct DistrictRow {
    pub name: String,
    pub slug: String,
    pub href: String,
    pub demo: bool,
    pub figures: Option<ProfileSummary>,
}

/// The value a column sorts by.
fn sort_key(f: &ProfileSummary, sort: &str) -> f64 {
    match sort {
        "punteggio" => f.score,
        "servizi" => f.services as f64,
        "livello" => f.average_level,
        "comuni" => f.comuni_at_risk as f64,
        _ => f.population_at_risk as f64,
    }
}

/// A column heading: its label, the link that sorts by it, and how it sorts now.
pub struct Heading {
    pub label: String,
    pub href: String,
    /// `ascending`, `descending` or none (the `aria-sort` value).
    pub sorted: Option<&'static str>,
}

/// A line of the map's legend.
pub struct LegendItem {
    pub fill: &'static str,
    pub label: String,
}

#[derive(Template)]
#[template(path = "profile/profiles.html")]
struct ProfilesPage {
    ctx: PageContext,
    map: String,
    legend: Vec<LegendItem>,
    headings: Vec<Heading>,
    rows: Vec<(DistrictRow, Vec<String>)>,
    published: usize,
}

fn fill(score: Option<f64>) -> &'static str {
    match score {
        None => NO_PROFILE,
        Some(s) => BANDS.iter().rev().find(|(from, _, _)| s >= *from).map(|b| b.1).unwrap_or(BANDS[0].1),
    }
}

/// Every district with its published profile, if any.
async fn districts(state: &AppState) -> Result<Vec<DistrictRow>, AppError> {
    let mut published: std::collections::HashMap<String, ProfileSummary> =
        published(state).await?.into_iter().map(|p| (p.territory.code.clone(), p)).collect();
    let mut rows = Vec::new();
    for d in state.store.districts().await? {
        let figures = published.remove(&d.code);
        rows.push(DistrictRow {
            href: match &figures {
                Some(_) => format!("/territori/{}/profilo", d.slug),
                None => format!("/territori/{}", d.slug),
            },
            demo: figures.as_ref().is_some_and(|f| f.is_demo),
            figures,
            name: d.name,
            slug: d.slug,
        });
    }
    Ok(rows)
}

async fn profiles(State(state): State<AppState>, lang: Lang, params: Params) -> Result<Html<String>, AppError> {
    let c = lang.catalogue();
    let sort = match params.get("ordina") {
        None => "nome",
        Some(s) => SORTS.iter().copied().find(|k| *k == s).ok_or_else(|| AppError::BadParam {
            name: "ordina".into(),
            problem: ParamProblem::NotOneOf { value: s.into(), allowed: SORTS.map(String::from).to_vec() },
        })?,
    };
    let descending = match params.get("verso") {
        None => sort != "nome",
        Some("asc") => false,
        Some("desc") => true,
        Some(other) => {
            return Err(AppError::BadParam {
                name: "verso".into(),
                problem: ParamProblem::NotOneOf { value: other.into(), allowed: vec!["asc".into(), "desc".into()] },
            })
        }
    };
    let mut rows = districts(&state).await?;
    let by_slug: std::collections::HashMap<String, Option<f64>> =
        rows.iter().map(|r| (r.slug.clone(), r.figures.as_ref().map(|f| f.score))).collect();
    let map = state.map.svg(
        |slug| match by_slug.get(slug) {
            Some(Some(_)) => format!("/territori/{slug}/profilo"),
            _ => format!("/territori/{slug}"),
        },
        |_, slug| fill(by_slug.get(slug).copied().flatten()),
        |slug| {
            Some(match by_slug.get(slug).copied().flatten() {
                Some(score) => c.fmt("profiles.map_score", &[("score", &decimal(lang, score.round()))]),
                None => c.t("profiles.no_profile").to_string(),
            })
        },
    );
    // Names in order; figures by the chosen column, districts without a profile last.
    rows.sort_by(|a, b| a.name.cmp(&b.name));
    if sort != "nome" {
        rows.sort_by(|a, b| match (&a.figures, &b.figures) {
            (Some(x), Some(y)) => {
                let order = sort_key(x, sort).total_cmp(&sort_key(y, sort));
                if descending {
                    order.reverse()
                } else {
                    order
                }
            }
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => std::cmp::Ordering::Equal,
        });
    } else if descending {
        rows.reverse();
    }
    let headings = SORTS
        .iter()
        .map(|key| {
            let current = *key == sort;
            // A click on the current column turns the order round; on another, its usual order.
            let next = match (current, descending) {
                (true, true) => "asc",
                (true, false) => "desc",
                (false, _) if *key == "nome" => "asc",
                (false, _) => "desc",
            };
            Heading {
                label: c.t(&format!("profiles.column.{key}")).to_string(),
                href: format!("/profili?ordina={key}&verso={next}"),
                sorted: current.then_some(if descending { "descending" } else { "ascending" }),
            }
        })
        .collect();
    let published = rows.iter().filter(|r| r.figures.is_some()).count();
    let rows = rows
        .into_iter()
        .map(|r| {
            let cells = match &r.figures {
                Some(f) => vec![
                    decimal(lang, f.score.round()),
                    number(lang, f.services as i64),
                    decimal(lang, (f.average_level * 10.0).round() / 10.0),
                    number(lang, f.comuni_at_risk as i64),
                    number(lang, f.population_at_risk),
                ],
                None => vec!["—".to_string(); 5],
            };
            (r, cells)
        })
        .collect::<Vec<_>>();
    let mut legend: Vec<LegendItem> =
        BANDS.iter().map(|(_, fill, key)| LegendItem { fill, label: c.t(key).to_string() }).collect();
    legend.push(LegendItem { fill: NO_PROFILE, label: c.t("profiles.no_profile").to_string() });
    let here = crate::kit::layout::here("/profili", &params, &["ordina", "verso"]);
    let ctx = PageContext::new(lang, &here, "territories", c.t("profiles.title"))
        .crumb(c.t("territories.title"), "/territori")
        .last_crumb()
        .demo(rows.iter().any(|(r, _)| r.demo));
    render(ProfilesPage { ctx, map, legend, headings, rows, published })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/profili", get(profiles))
}
