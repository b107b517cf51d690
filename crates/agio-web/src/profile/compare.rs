//! `/territori/confronto?t=…&t=…`: up to four districts' published profiles, column by column.

use agio_app::profile::ProfileDocument;
use askama::Template;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use crate::kit::error::{AppError, ParamProblem};
use crate::kit::i18n::{decimal, number, Lang};
use crate::kit::layout::{render, SelectField, SelectOption};
use crate::kit::query::Params;
use crate::kit::state::{AppState, PageContext};
use crate::profile::page::percent;

/// How many districts a comparison holds at most.
const AT_MOST: usize = 4;

#[derive(Template)]
#[template(path = "profile/compare.html")]
struct ComparePage {
    ctx: PageContext,
    fields: Vec<SelectField>,
    /// The districts compared: (name, profile address).
    columns: Vec<(String, String)>,
    /// A row: what it says, then one cell per district.
    rows: Vec<(String, Vec<String>)>,
}

async fn compare(State(state): State<AppState>, lang: Lang, params: Params) -> Result<Html<String>, AppError> {
    let c = lang.catalogue();
    let chosen = params.all("t");
    if chosen.len() > AT_MOST {
        let problem = ParamProblem::OutOfRange { value: chosen.len().to_string(), min: 1, max: AT_MOST as i64 };
        return Err(AppError::BadParam { name: "t".into(), problem });
    }
    let published: std::collections::HashSet<String> =
        state.store.published_profiles().await?.into_iter().map(|p| p.territory_id).collect();
    let districts: Vec<_> = state.store.districts().await?.into_iter().filter(|d| published.contains(&d.id)).collect();
    let mut profiles: Vec<ProfileDocument> = Vec::new();
    for slug in &chosen {
        let district = districts.iter().find(|d| d.slug == *slug).ok_or_else(|| AppError::BadParam {
            name: "t".into(),
            problem: ParamProblem::NoSuch { value: slug.to_string() },
        })?;
        if let Some((_, p)) = state.store.published_profile::<ProfileDocument>(&district.id, None).await? {
            profiles.push(p);
        }
    }
    let fields = (0..AT_MOST)
        .map(|i| SelectField {
            name: "t",
            label: c.fmt("compare.district_n", &[("n", &(i + 1).to_string())]),
            options: districts
                .iter()
                .map(|d| SelectOption {
                    value: d.slug.clone(),
                    label: d.name.clone(),
                    selected: chosen.get(i) == Some(&d.slug.as_str()),
                })
                .collect(),
        })
        .collect();
    let row = |key: &str, cell: &dyn Fn(&ProfileDocument) -> String| {
        (c.t(key).to_string(), profiles.iter().map(cell).collect())
    };
    let one_decimal = |v: f64| decimal(lang, (v * 10.0).round() / 10.0);
    let mut rows: Vec<(String, Vec<String>)> = vec![
        row("profiles.column.punteggio", &|p| decimal(lang, p.figures.score.round())),
        row("profile.component.digitalisation", &|p| percent(lang, p.figures.digitalisation)),
        row("profile.component.coverage", &|p| percent(lang, p.figures.coverage)),
        row("profile.component.inclusion", &|p| percent(lang, p.figures.inclusion)),
        row("profiles.column.servizi", &|p| number(lang, p.services.len() as i64)),
        row("compare.internal", &|p| {
            number(lang, p.services.iter().filter(|s| s.directory_slug.is_none()).count() as i64)
        }),
        row("profiles.column.livello", &|p| one_decimal(p.figures.average_level)),
    ];
    for level in 0..5 {
        let label = c.t(&format!("profile.level.{level}")).to_string();
        rows.push((label, profiles.iter().map(|p| number(lang, p.figures.by_level[level] as i64)).collect()));
    }
    let need = |code: &String| {
        let terms = &state.vocabularies.need;
        terms.iter().find(|t| t.code == *code).map(|t| t.label(lang.code()).to_string()).unwrap_or(code.clone())
    };
    let list = |items: Vec<String>| if items.is_empty() { "—".to_string() } else { items.join(", ") };
    rows.push(row("profile.needs_without", &|p| list(p.figures.needs_without_service.iter().map(need).collect())));
    rows.push(row("compare.comuni_at_risk", &|p| {
        list(p.comuni.iter().filter(|x| x.at_risk).map(|x| x.name.clone()).collect())
    }));
    rows.push(row("territory.population", &|p| number(lang, p.figures.population)));
    rows.push(row("profiles.column.persone", &|p| number(lang, p.figures.population_at_risk)));
    let columns = profiles
        .iter()
        .map(|p| (p.territory.name.clone(), format!("/territori/{}/profilo", p.territory.slug)))
        .collect();
    let here = crate::kit::layout::here("/territori/confronto", &params, &[]);
    let ctx = PageContext::new(lang, &here, "territories", c.t("compare.title"))
        .crumb(c.t("territories.title"), "/territori")
        .crumb(c.t("profiles.title"), "/profili")
        .last_crumb()
        .demo(profiles.iter().any(|p| p.is_demo));
    render(ComparePage { ctx, fields, columns, rows })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/territori/confronto", get(compare))
}
