//! The DCAT-AP_IT catalogue in Turtle, JSON-LD or RDF/XML: asked for by `Accept`, or by the
//! address's extension.

use agio_app::opendata::{catalogue, serialize, Publisher};
use axum::extract::State;
use axum::http::{header, HeaderMap};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use oxrdfio::RdfFormat;

use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::state::AppState;

/// The formats offered, by extension.
fn format_of(extension: &str) -> Option<RdfFormat> {
    match extension {
        "ttl" => Some(RdfFormat::Turtle),
        "jsonld" => Some(RdfFormat::JsonLd { profile: Default::default() }),
        "rdf" => Some(RdfFormat::RdfXml),
        _ => None,
    }
}

/// The format an `Accept` header prefers among those offered (Turtle when it says nothing
/// that fits: a browser's `text/html` gets the Turtle text).
fn negotiated(headers: &HeaderMap) -> RdfFormat {
    let accept = headers.get(header::ACCEPT).and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut best: Option<(f32, RdfFormat)> = None;
    for part in accept.split(',') {
        let mut pieces = part.split(';').map(str::trim);
        let media = pieces.next().unwrap_or("");
        let quality = pieces.find_map(|p| p.strip_prefix("q=")).and_then(|q| q.parse::<f32>().ok()).unwrap_or(1.0);
        let format = match media {
            "text/turtle" | "application/x-turtle" => RdfFormat::Turtle,
            "application/ld+json" => RdfFormat::JsonLd { profile: Default::default() },
            "application/rdf+xml" => RdfFormat::RdfXml,
            _ => continue,
        };
        if quality > 0.0 && best.as_ref().is_none_or(|(q, _)| quality > *q) {
            best = Some((quality, format));
        }
    }
    best.map_or(RdfFormat::Turtle, |(_, f)| f)
}

/// The catalogue's texts in Italian and English.
fn texts(key: &str) -> (String, String) {
    (Lang::It.catalogue().t(key).to_string(), Lang::En.catalogue().t(key).to_string())
}

pub(super) async fn answer(state: &AppState, format: RdfFormat) -> Result<Response, AppError> {
    let publisher = Publisher {
        name: state.publisher_name.clone(),
        ipa_code: state.publisher_ipa_code.clone(),
        email: state.contact_email.clone(),
    };
    let triples = catalogue(state, &state.base_url, &publisher, &texts).await?;
    let body = serialize(&triples, format)?;
    let content_type = match format {
        RdfFormat::Turtle => "text/turtle; charset=utf-8",
        RdfFormat::RdfXml => "application/rdf+xml",
        _ => "application/ld+json",
    };
    Ok((
        [(header::CONTENT_TYPE, content_type), (header::VARY, "Accept"), (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*")],
        body,
    )
        .into_response())
}

/// `/dati/catalogo.ttl`, `.jsonld`, `.rdf`: the format the extension names.
pub(super) fn by_extension(extension: &str) -> Option<RdfFormat> {
    format_of(extension)
}

async fn negotiate(State(state): State<AppState>, headers: HeaderMap) -> Result<Response, AppError> {
    answer(&state, negotiated(&headers)).await
}

pub fn router() -> Router<AppState> {
    Router::new().route("/dati/catalogo", get(negotiate))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chosen_for(value: &str) -> RdfFormat {
        let mut headers = HeaderMap::new();
        headers.insert(header::ACCEPT, value.parse().unwrap());
        negotiated(&headers)
    }

    #[test]
    fn the_accept_header_chooses_the_format() {
        assert_eq!(chosen_for("application/rdf+xml"), RdfFormat::RdfXml);
        assert_eq!(
            chosen_for("text/turtle;q=0.5, application/ld+json"),
            RdfFormat::JsonLd { profile: Default::default() }
        );
        assert_eq!(chosen_for("text/html,*/*;q=0.8"), RdfFormat::Turtle);
        assert_eq!(chosen_for("application/rdf+xml;q=0"), RdfFormat::Turtle);
    }
}
