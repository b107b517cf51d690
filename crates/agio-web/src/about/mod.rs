//! What a public administration's site must say about itself: the accessibility statement
//! (dichiarazione di accessibilità, AgID), the legal notes and the contacts. Static texts from
//! the catalogue, with the mailbox the deployment names (`--contact-email`).

use askama::Template;
use axum::extract::State;
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::render;
use crate::kit::state::{AppState, PageContext};

/// One of the pages: its catalogue prefix names its title, lead and sections.
#[derive(Template)]
#[template(path = "about/about.html")]
struct AboutPage {
    ctx: PageContext,
    lead: String,
    /// (title, paragraph) pairs.
    sections: Vec<(String, String)>,
    contact_email: String,
}

/// The sections of each page, by catalogue key (`{page}.{section}_title`, `{page}.{section}`).
const PAGES: [(&str, &str, &[&str]); 3] = [
    ("/accessibilita", "accessibility", &["status", "method", "exceptions", "feedback", "enforcement", "prepared"]),
    ("/note-legali", "legal", &["owner", "licence", "software", "demo", "links"]),
    ("/contatti", "contacts", &["site", "services", "agendas"]),
];

fn page(state: &AppState, lang: Lang, here: &str) -> Result<Html<String>, AppError> {
    let (_, key, sections) = PAGES.iter().find(|(path, _, _)| *path == here).ok_or(AppError::NotFound)?;
    let c = lang.catalogue();
    let email = state.contact_email.as_str();
    let text = |k: String| c.fmt(&k, &[("email", email)]);
    render(AboutPage {
        ctx: PageContext::new(lang, here, "", c.t(&format!("{key}.title")).to_string()).last_crumb(),
        lead: text(format!("{key}.lead")),
        sections: sections.iter().map(|s| (text(format!("{key}.{s}_title")), text(format!("{key}.{s}")))).collect(),
        contact_email: state.contact_email.clone(),
    })
}

pub fn router() -> Router<AppState> {
    PAGES.iter().fold(Router::new(), |router, &(path, _, _)| {
        router
            .route(path, get(move |State(state): State<AppState>, lang: Lang| async move { page(&state, lang, path) }))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_section_has_its_texts_in_both_languages() {
        for lang in [Lang::It, Lang::En] {
            let c = lang.catalogue();
            for (_, key, sections) in PAGES {
                let mut keys = vec![format!("{key}.title"), format!("{key}.lead")];
                keys.extend(sections.iter().flat_map(|s| [format!("{key}.{s}_title"), format!("{key}.{s}")]));
                for k in keys {
                    assert_ne!(c.t(&k), k, "{lang:?}: {k}");
                }
            }
        }
    }
}
