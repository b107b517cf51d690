//! `/dati`: what AGIO publishes as open data, file by file and column by column, under CC BY
//! 4.0; and the files themselves, `/dati/{dataset}.csv` and `.json` (a dataset's own address,
//! `/dati/{dataset}`, leads to its description on the page).

use agio_app::opendata::{table, DATASETS};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;

use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::render;
use crate::kit::state::{AppState, PageContext};

struct DatasetView {
    key: &'static str,
    title: String,
    description: String,
    /// (file address, format).
    files: Vec<(String, &'static str)>,
    /// (column, what it holds).
    columns: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "opendata/page.html")]
struct OpenDataPage {
    ctx: PageContext,
    datasets: Vec<DatasetView>,
}

async fn show(lang: Lang) -> Result<Html<String>, AppError> {
    let c = lang.catalogue();
    let datasets = DATASETS
        .iter()
        .map(|d| DatasetView {
            key: d.key,
            title: c.t(&format!("opendata.{}.title", d.key)).to_string(),
            description: c.t(&format!("opendata.{}.description", d.key)).to_string(),
            files: match d.columns.is_empty() {
                true => {
                    vec![("/hsds/services?format=ndjson".to_string(), "HSDS JSON"), ("/hsds/".to_string(), "API HSDS")]
                }
                false => vec![(format!("/dati/{}.csv", d.key), "CSV"), (format!("/dati/{}.json", d.key), "JSON")],
            },
            columns: d
                .columns
                .iter()
                .map(|col| (*col, c.t(&format!("opendata.col.{}.{col}", d.key)).to_string()))
                .collect(),
        })
        .collect();
    let ctx = PageContext::new(lang, "/dati", "agendas", c.t("opendata.title")).last_crumb();
    render(OpenDataPage { ctx, datasets })
}

/// `/dati/{dataset}.csv`, `/dati/{dataset}.json`, the catalogue's `/dati/catalogo.{ttl,jsonld,rdf}`,
/// or a dataset's own address.
async fn file(State(state): State<AppState>, Path(file): Path<String>) -> Result<Response, AppError> {
    let (stem, extension) = file.rsplit_once('.').unwrap_or((file.as_str(), ""));
    if stem == "catalogo" {
        let format = super::catalogue::by_extension(extension).ok_or(AppError::NotFound)?;
        return super::catalogue::answer(&state, format).await;
    }
    if extension.is_empty() {
        DATASETS.iter().find(|d| d.key == stem).ok_or(AppError::NotFound)?;
        return Ok(Redirect::to(&format!("/dati#{stem}")).into_response());
    }
    let table = table(&state, stem, &state.base_url).await?.ok_or(AppError::NotFound)?;
    let open = (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
    match extension {
        "csv" => Ok(([(header::CONTENT_TYPE, "text/csv; charset=utf-8"), open], table.csv()?).into_response()),
        "json" => Ok(([open], axum::Json(table.objects())).into_response()),
        _ => Err(AppError::NotFound),
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/dati", get(show)).route("/dati/{file}", get(file))
}
