//! The files that prove a period's value (`…/indicatori/{id}/{period}/documenti`): listed with
//! the value (to the public once it is approved), uploaded and removed by those who enter it,
//! served as downloads with the type their kind decides.

use agio_app::monitoring::{add_evidence, evidence, remove_evidence};
use agio_domain::document::{DocumentProblem, DOCUMENT_MAX_BYTES};
use agio_domain::Channel;
use askama::Template;
use axum::extract::{DefaultBodyLimit, Multipart, Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use super::agenda::period_label;
use super::{indicator_href, shown};
use crate::kit::auth::{SignedInForm, Visitor};
use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::{download, render};
use crate::kit::personal::Notice;
use crate::kit::state::{AppState, PageContext};

#[derive(Template)]
#[template(path = "monitoring/evidence.html")]
struct EvidencePage {
    ctx: PageContext,
    here: String,
    value: String,
    status: String,
    /// (address, name, size).
    files: Vec<(String, String, String)>,
    /// The form token, for those who add and remove files.
    manage: Option<String>,
    problem: Option<String>,
    back: String,
}

async fn page(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    (slug, id, period): (&str, &str, &str),
    problem: Option<String>,
) -> Result<EvidencePage, AppError> {
    let e = evidence(state, visitor.principal(), slug, id, period).await?;
    let c = lang.catalogue();
    let back = indicator_href(slug, id);
    let here = format!("{back}/{}/documenti", e.measurement.period);
    let name = e.editor.at.indicator().name.clone();
    let title = c.fmt("evidence.title", &[("indicator", &name), ("period", &period_label(c, &e.measurement.period))]);
    let ctx = PageContext::new(lang, &here, "agendas", title)
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(c.t("monitoring.short"), format!("/agende/{slug}/monitoraggio"))
        .crumb(name, back.clone())
        .last_crumb()
        .demo(e.measurement.is_demo);
    Ok(EvidencePage {
        ctx,
        value: shown(lang, e.measurement.fields.value),
        status: c.label(&e.measurement.status.label_key()).to_string(),
        files: e
            .files
            .iter()
            .map(|f| (format!("{here}/{}", f.id), f.name.clone(), crate::kit::i18n::size(lang, f.size)))
            .collect(),
        manage: e.manages.then(|| visitor.csrf_token(state.secure_cookies).0),
        problem,
        here,
        back,
    })
}

async fn show(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path((slug, id, period)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    Ok(render(page(&state, lang, &visitor, (&slug, &id, &period), None).await?)?.into_response())
}

async fn upload(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path((slug, id, period)): Path<(String, String, String)>,
    multipart: Multipart,
) -> Result<Response, AppError> {
    let (name, data, csrf) = crate::kit::upload::file_and_token(multipart, DOCUMENT_MAX_BYTES).await?;
    visitor.check_csrf(csrf.as_deref())?;
    let actor = visitor.actor(Channel::Form);
    let added = add_evidence(&state, visitor.principal(), &actor, &slug, &id, &period, &name, data).await?;
    let c = lang.catalogue();
    let why = match added {
        Ok(_) => {
            let e = evidence(&state, visitor.principal(), &slug, &id, &period).await?;
            let here = format!("{}/{}/documenti", indicator_href(&slug, &id), e.measurement.period);
            return Ok(Notice::Saved.redirect(&here, state.secure_cookies));
        }
        Err(DocumentProblem::Empty) => c.t("lab.document_empty").to_string(),
        Err(DocumentProblem::TooLarge) => c.t("lab.document_too_large").to_string(),
        Err(DocumentProblem::NotAllowed(kinds)) => c.fmt("lab.document_kind", &[("kinds", &kinds.join(", "))]),
    };
    let page = render(page(&state, lang, &visitor, (&slug, &id, &period), Some(why)).await?)?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

async fn file(
    State(state): State<AppState>,
    visitor: Visitor,
    Path((slug, id, period, file)): Path<(String, String, String, String)>,
) -> Result<Response, AppError> {
    let e = evidence(&state, visitor.principal(), &slug, &id, &period).await?;
    let (f, data) = state.store.evidence_file(&e.measurement.id, &file).await?.ok_or(AppError::NotFound)?;
    Ok(download(&f.name, &f.content_type, data))
}

async fn remove(
    State(state): State<AppState>,
    Path((slug, id, period, file)): Path<(String, String, String, String)>,
    SignedInForm { visitor, .. }: SignedInForm,
) -> Result<Response, AppError> {
    let actor = visitor.actor(Channel::Form);
    remove_evidence(&state, visitor.principal(), &actor, &slug, &id, &period, &file).await?;
    let here = format!("{}/{period}/documenti", indicator_href(&slug, &id));
    Ok(Notice::Saved.redirect(&here, state.secure_cookies))
}

pub fn router() -> Router<AppState> {
    // The form's other field is the token: the body may be the largest document and a little more.
    let upload_limit = DefaultBodyLimit::max(DOCUMENT_MAX_BYTES + 64 * 1024);
    Router::new()
        .route("/agende/{slug}/indicatori/{id}/{period}/documenti", get(show).post(upload).layer(upload_limit))
        .route("/agende/{slug}/indicatori/{id}/{period}/documenti/{file}", get(file))
        .route("/agende/{slug}/indicatori/{id}/{period}/documenti/{file}/rimuovi", post(remove))
}
