//! `/territori/{slug}/profilo/guida`: the guided self-assessment. The profile is filled one
//! section per page — each a form that saves on its own, so the work can stop and resume at
//! any point — and this page shows the steps, which are done, and leads to the next one. It
//! ends on the profile page, with the gaps it found.

use agio_app::editors::ProfileOf;
use agio_domain::ProfileStatus;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::kit::auth::SignedInVisitor;
use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::render;
use crate::kit::state::{AppState, PageContext};

/// One step of the guide.
pub struct Step {
    pub title: String,
    pub text: String,
    pub href: String,
    pub action: String,
    pub done: bool,
    /// The first step not done: where to go on.
    pub current: bool,
}

#[derive(Template)]
#[template(path = "profile/guide.html")]
struct GuidePage {
    ctx: PageContext,
    steps: Vec<Step>,
    done: usize,
    profile: String,
}

async fn guide(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    let of = ProfileOf::load(&state, &slug).await?;
    of.allowed(visitor.principal())?;
    let c = lang.catalogue();
    let stored = state.store.profile(&of.territory.id).await?;
    let (internal, databases, plan) = match &stored {
        Some(p) => (
            state.store.internal_services(&p.id).await?.len(),
            state.store.profile_databases(&p.id).await?.len(),
            state.store.zone_plan(&p.id).await?.is_some(),
        ),
        None => (0, 0, false),
    };
    let public = {
        let ask = agio_app::directory::Ask::in_district(&of.territory.code);
        state.directory.search(&ask, time::OffsetDateTime::now_utc())?.total
    };
    let base = format!("/territori/{slug}/profilo");
    let step = |key: &str, href: String, done: bool, count: Option<usize>| Step {
        title: c.t(&format!("guide.{key}.title")).to_string(),
        text: match count {
            Some(n) => c.fmt(&format!("guide.{key}.text"), &[("count", &n.to_string())]),
            None => c.t(&format!("guide.{key}.text")).to_string(),
        },
        action: c.t(&format!("guide.{key}.action")).to_string(),
        href,
        done,
        current: false,
    };
    let mut steps = vec![
        step("start", format!("{base}/modifica"), stored.is_some(), None),
        step("public", format!("/servizi?place={}", of.territory.code), stored.is_some(), Some(public)),
        step("internal", format!("{base}/servizi/nuovo"), internal > 0, Some(internal)),
        step("databases", format!("{base}/basi-dati/nuova"), databases > 0, Some(databases)),
        step("plan", format!("{base}/piano-di-zona"), plan, None),
        step(
            "publish",
            format!("{base}/modifica"),
            stored.as_ref().is_some_and(|p| p.status == ProfileStatus::Published),
            None,
        ),
    ];
    let done = steps.iter().filter(|s| s.done).count();
    if let Some(next) = steps.iter_mut().find(|s| !s.done) {
        next.current = true;
    }
    let here = format!("{base}/guida");
    let ctx = PageContext::new(lang, &here, "territories", c.fmt("guide.title", &[("name", &of.territory.name)]))
        .crumb(c.t("territories.title"), "/territori")
        .crumb(of.territory.name.clone(), format!("/territori/{slug}"))
        .last_crumb();
    let profile = if stored.is_some() { base } else { format!("/territori/{slug}") };
    Ok(render(GuidePage { ctx, steps, done, profile })?.into_response())
}

pub fn router() -> Router<AppState> {
    Router::new().route("/territori/{slug}/profilo/guida", get(guide))
}
