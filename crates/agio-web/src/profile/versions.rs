//! `/territori/{slug}/profilo/versioni`: the published versions of a district's profile, each
//! readable as it was published (`…/versioni/{n}`); public while the profile is published.

use agio_app::profile::ProfileDocument;
use agio_domain::ProfileStatus;
use agio_store::VersionInfo;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use super::page::{readable, view, ProfilePage};
use crate::kit::auth::Visitor;
use crate::kit::error::AppError;
use crate::kit::i18n::{date, Lang};
use crate::kit::layout::{render, Tools};
use crate::kit::state::{AppState, PageContext};

#[derive(Template)]
#[template(path = "profile/versions.html")]
struct VersionsPage {
    ctx: PageContext,
    slug: String,
    versions: Vec<VersionInfo>,
}

async fn versions(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let (territory, stored, _) = readable(&state, visitor.principal(), &slug).await?;
    let c = lang.catalogue();
    let profile = format!("/territori/{slug}/profilo");
    let ctx = PageContext::new(lang, &format!("{profile}/versioni"), "territories", c.t("profile.versions"))
        .crumb(c.t("territories.title"), "/territori")
        .crumb(super::page::profile_title(c, territory.kind, &territory.name), profile)
        .last_crumb()
        .demo(stored.is_demo);
    let versions = match stored.status {
        ProfileStatus::Published => state.store.profile_versions(&stored.id).await?,
        ProfileStatus::Draft => Vec::new(),
    };
    Ok(render(VersionsPage { ctx, slug, versions })?.into_response())
}

async fn version(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path((slug, number)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let (territory, _, _) = readable(&state, visitor.principal(), &slug).await?;
    let number: i64 = number.parse().map_err(|_| AppError::NotFound)?;
    let (info, doc) = state
        .store
        .published_profile::<ProfileDocument>(&territory.id, Some(number))
        .await?
        .ok_or(AppError::NotFound)?;
    let doc = doc.with_agendas(&state.store, &territory.id).await?;
    let c = lang.catalogue();
    let profile = format!("/territori/{slug}/profilo");
    let here = format!("{profile}/versioni/{number}");
    let ctx = PageContext::new(
        lang,
        &here,
        "territories",
        c.fmt("profile.version_title", &[("number", &number.to_string())]),
    )
    .crumb(c.t("territories.title"), "/territori")
    .crumb(super::page::profile_title(c, territory.kind, &territory.name), profile.clone())
    .crumb(c.t("profile.versions"), format!("{profile}/versioni"))
    .last_crumb()
    .demo(doc.is_demo);
    let note =
        c.fmt("profile.version_published", &[("number", &number.to_string()), ("date", &date(lang, &info.created_at))]);
    let v = view(&state, &doc, lang, &profile, false);
    Ok(render(ProfilePage { ctx, tools: Tools::default(), draft: false, version_note: Some(note), v })?.into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/territori/{slug}/profilo/versioni", get(versions))
        .route("/territori/{slug}/profilo/versioni/{number}", get(version))
}
