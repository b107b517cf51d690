//! Organisations' representatives: a participant asks to take part for an organisation
//! (`…/percorso/rappresento`), the agenda's coordinators confirm or refuse each request
//! (`…/percorso/rappresentanti`). The rules are `agio_app::lab_representatives`'.

use agio_app::lab_representatives::RepresentationEditor;
use agio_domain::access::Principal;
use agio_domain::lab::Representation;
use agio_domain::{Channel, RepresentationStatus};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::kit::auth::{SignedInForm, Visitor};
use crate::kit::edit_page::{edit_route, EditPage, FromPath};
use crate::kit::error::AppError;
use crate::kit::forms::{Form, Kind};
use crate::kit::i18n::{Catalogue, Lang};
use crate::kit::layout::{render, Tools};
use crate::kit::personal::Notice;
use crate::kit::state::{AppState, PageContext};

impl FromPath for RepresentationEditor {
    type Params = (String,);
    async fn load(state: &AppState, who: Option<&Principal>, (slug,): (String,)) -> Result<Self, AppError> {
        Ok(RepresentationEditor::load(state, who, &slug).await?)
    }
}

impl EditPage for RepresentationEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        form.field("organization", c.t("lab.represent_organization"), Kind::Select(self.organizations.clone()), true)
            .field("role", c.t("lab.represent_role"), Kind::Line, true)
            .hint(c.t("lab.represent_role_hint"))
    }

    fn title(&self, c: &Catalogue) -> String {
        c.t("lab.represent_title").to_string()
    }

    fn intro(&self, c: &Catalogue) -> String {
        c.t("lab.represent_intro").to_string()
    }

    /// What the person asked before, and where each request stands.
    fn notes(&self, lang: Lang) -> Vec<String> {
        let c = lang.catalogue();
        self.asked
            .iter()
            .map(|r| {
                c.fmt(
                    "lab.represent_asked",
                    &[("organization", &r.organization), ("status", c.label(&r.status.label_key()))],
                )
            })
            .collect()
    }

    /// Empty: a new request, whose notice says it was sent.
    fn record(&self) -> &str {
        ""
    }

    fn done(&self) -> String {
        format!("/agende/{}/percorso/rappresento", self.slug)
    }

    fn here(&self) -> String {
        self.done()
    }
}

#[derive(Template)]
#[template(path = "lab/representatives.html")]
struct RequestsPage {
    ctx: PageContext,
    tools: Tools,
    requests: Vec<Representation>,
    base: String,
    csrf: String,
}

impl RequestsPage {
    fn pending(&self, r: &Representation) -> bool {
        r.status == RepresentationStatus::Pending
    }
}

async fn requests(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let (_, p, requests) = agio_app::lab_representatives::requests(&state, visitor.principal(), &slug).await?;
    let c = lang.catalogue();
    let base = format!("/agende/{slug}/percorso/rappresentanti");
    let ctx = PageContext::new(lang, &base, "agendas", c.t("lab.representatives"))
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(p.agenda_title.clone(), format!("/agende/{slug}"))
        .crumb(p.title.clone(), format!("/agende/{slug}/percorso"))
        .last_crumb()
        .demo(p.is_demo);
    let csrf = visitor.signed_in.as_ref().map(|s| s.csrf_token.clone()).unwrap_or_default();
    render(RequestsPage { ctx, tools: Tools::default(), requests, base, csrf })
}

/// Confirms (`conferma`) or refuses (`rifiuta`) a request, from the version the page showed.
async fn decide(
    State(state): State<AppState>,
    Path((slug, id, act)): Path<(String, String, String)>,
    SignedInForm { visitor, body, .. }: SignedInForm,
) -> Result<Response, AppError> {
    let status = match act.as_str() {
        "conferma" => RepresentationStatus::Confirmed,
        "rifiuta" => RepresentationStatus::Refused,
        _ => return Err(AppError::NotFound),
    };
    // The page's hidden field; anything else is a request nobody's page sent.
    let version = body.get("version").and_then(|v| v.parse::<i64>().ok()).ok_or(AppError::BadCsrf)?;
    let actor = visitor.actor(Channel::Form);
    agio_app::lab_representatives::decide(&state, visitor.principal(), &actor, &slug, &id, version, status).await?;
    Ok(Notice::Saved.redirect(&format!("/agende/{slug}/percorso/rappresentanti"), state.secure_cookies))
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agende/{slug}/percorso/rappresento", edit_route::<RepresentationEditor>())
        .route("/agende/{slug}/percorso/rappresentanti", get(requests))
        .route("/agende/{slug}/percorso/rappresentanti/{id}/{act}", post(decide))
}
