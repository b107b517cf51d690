//! Static assets compiled into the program, served under `/assets/` with content-hashed names
//! and a one-year immutable cache.

use axum::extract::Path;
use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::kit::error::AppError;
use crate::kit::state::AppState;

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/assets.rs"));
}

/// The public URL of an asset by its logical name (`agio.css`, `icons.svg`, `fonts/…`).
pub fn url(name: &str) -> &'static str {
    static URLS: std::sync::LazyLock<std::collections::HashMap<&'static str, String>> =
        std::sync::LazyLock::new(|| {
            embedded::FILES.iter().map(|(name, hashed, _)| (*name, format!("/assets/{hashed}"))).collect()
        });
    URLS.get(name).map(String::as_str).unwrap_or("/assets/missing")
}

/// The URLs of the font files the style sheet uses (Titillium Web, three weights).
pub fn fonts() -> [&'static str; 3] {
    ["regular", "600", "700"].map(|w| url(&format!("fonts/titillium-web-v10-latin-ext_latin-{w}.woff2")))
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("woff2") => "font/woff2",
        Some("woff") => "font/woff",
        Some("png") => "image/png",
        _ => "application/octet-stream",
    }
}

async fn serve(Path(path): Path<String>) -> Result<Response, AppError> {
    let (_, hashed, bytes) = embedded::FILES.iter().find(|(_, hashed, _)| *hashed == path).ok_or(AppError::NotFound)?;
    let mut response = bytes.into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type(hashed)));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("public, max-age=31536000, immutable"));
    Ok(response)
}

pub fn router() -> Router<AppState> {
    Router::new().route("/assets/{*path}", get(serve))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn assets_have_hashed_urls() {
        let css = url("agio.css");
        assert!(css.starts_with("/assets/agio.") && css.ends_with(".css") && css.len() > "/assets/agio.css".len());
        assert!(url("icons.svg").ends_with(".svg"));
        for font in fonts() {
            assert!(font.starts_with("/assets/fonts/titillium-web") && font.ends_with(".woff2"), "{font}");
        }
    }

    /// The sprite ships exactly the icons the templates use (web/icons.txt).
    #[test]
    fn icon_list_matches_the_templates() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let listed: std::collections::BTreeSet<String> = std::fs::read_to_string(root.join("../../web/icons.txt"))
            .unwrap()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .map(String::from)
            .collect();
        let mut used = std::collections::BTreeSet::new();
        for path in crate::kit::i18n::tests::source_files(&root.join("src")) {
            if path.extension().is_none_or(|e| e != "html") {
                continue;
            }
            let text = std::fs::read_to_string(path).unwrap();
            for part in text.split("m::icon(ctx, \"").skip(1) {
                used.insert(part.split('"').next().unwrap().to_string());
            }
        }
        assert_eq!(listed, used);
    }

    #[test]
    fn css_points_only_at_embedded_fonts() {
        let (_, _, css) = embedded::FILES.iter().find(|(n, _, _)| *n == "agio.css").unwrap();
        let css = std::str::from_utf8(css).unwrap();
        for part in css.split("url(").skip(1) {
            let target = part.split(')').next().unwrap().trim_matches(|c| c == '"' || c == '\'');
            if target.starts_with("data:") {
                continue;
            }
            assert!(
                embedded::FILES.iter().any(|(_, hashed, _)| *hashed == target),
                "CSS refers to {target}, which is not served"
            );
        }
    }
}
