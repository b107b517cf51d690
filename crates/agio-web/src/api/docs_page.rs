//! `/api/docs`: the OpenAPI document as a readable page, with no third-party assets.

use askama::Template;
use axum::response::Html;
use axum::routing::get;
use axum::Router;
use serde_json::Value;

use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::render;
use crate::kit::markdown;
use crate::kit::state::{AppState, PageContext};

pub struct DocParam {
    pub name: String,
    pub location: String,
    pub required: bool,
    /// HTML rendered from the document's Markdown.
    pub description: String,
}

pub struct DocOperation {
    pub method: String,
    pub path: String,
    pub anchor: String,
    /// HTML rendered from the document's Markdown.
    pub summary: String,
    pub params: Vec<DocParam>,
    pub responses: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "api/api_docs.html")]
struct ApiDocsPage {
    ctx: PageContext,
    title: String,
    /// HTML rendered from the document's Markdown.
    description: String,
    operations: Vec<DocOperation>,
    /// ` lang="en"` on an Italian page: the document's texts are in English (WCAG 3.1.2).
    en: &'static str,
}

fn text(v: &Value) -> String {
    v.as_str().unwrap_or_default().to_string()
}

/// Operations of the document, in path order.
fn operations(doc: &Value) -> Vec<DocOperation> {
    let mut out = Vec::new();
    let Some(paths) = doc["paths"].as_object() else { return out };
    for (path, item) in paths {
        let Some(item) = item.as_object() else { continue };
        for (method, op) in item {
            let params = op["parameters"]
                .as_array()
                .map(|ps| {
                    ps.iter()
                        .map(|p| DocParam {
                            name: text(&p["name"]),
                            location: text(&p["in"]),
                            required: p["required"].as_bool().unwrap_or(false),
                            description: markdown::to_html(&text(&p["description"])),
                        })
                        .collect()
                })
                .unwrap_or_default();
            let responses = op["responses"]
                .as_object()
                .map(|rs| rs.iter().map(|(code, r)| (code.clone(), text(&r["description"]))).collect())
                .unwrap_or_default();
            let summary = [text(&op["summary"]), text(&op["description"])]
                .into_iter()
                .find(|s| !s.is_empty())
                .unwrap_or_default();
            let summary = markdown::to_html(&summary);
            out.push(DocOperation {
                method: method.to_uppercase(),
                anchor: format!("{method}{}", path.replace(['/', '{', '}'], "-")),
                path: path.clone(),
                summary,
                params,
                responses,
            });
        }
    }
    out
}

async fn api_docs(lang: Lang) -> Result<Html<String>, AppError> {
    let doc = serde_json::to_value(crate::api::openapi()).map_err(|e| AppError::Internal(e.to_string()))?;
    let ctx = PageContext::new(lang, "/api/docs", "api", lang.catalogue().t("api.title")).last_crumb();
    render(ApiDocsPage {
        ctx,
        title: text(&doc["info"]["title"]),
        description: markdown::to_html(&text(&doc["info"]["description"])),
        operations: operations(&doc),
        en: if lang == Lang::En { "" } else { " lang=\"en\"" },
    })
}

pub fn router() -> Router<AppState> {
    Router::new().route("/api/docs", get(api_docs))
}
