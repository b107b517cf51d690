//! `/agende`, `/agende/{slug}` and `/agende/{slug}/azioni/{code}`.

use agio_domain::model::{Action, Agenda};
use agio_domain::{AgendaStatus, Page, TerritoryKind};
use agio_store::{AgendaDetail, AgendaSnapshot};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use crate::agenda::editing::{tools, Tools};
use crate::archive::archiving::archived_note;
use crate::kit::auth::Visitor;
use crate::kit::error::AppError;
use crate::kit::filters::agenda_filter;
use crate::kit::i18n::Lang;
use crate::kit::layout::{here, page_base, render, territory_options, SelectField};
use crate::kit::markdown;
use crate::kit::query::Params;
use crate::kit::state::{AppState, PageContext};
use crate::registry::records::list_tools;
use agio_app::archive::Archiving;

const FILTERS: &[&str] = &["q", "territory", "status", "target_group", "life_stage", "theme"];

#[derive(Template)]
#[template(path = "agenda/agendas.html")]
struct AgendasPage {
    ctx: PageContext,
    tools: Tools,
    fields: Vec<SelectField>,
    q: String,
    page: Page<Agenda>,
    page_base: String,
}

#[derive(Template)]
#[template(path = "agenda/agenda.html")]
struct AgendaPage {
    ctx: PageContext,
    d: AgendaDetail,
    territory_href: String,
    vision_html: String,
    context_html: String,
    tools: Tools,
    banner: Option<VersionBanner>,
}

#[derive(Template)]
#[template(path = "agenda/action.html")]
struct ActionPage {
    ctx: PageContext,
    x: Action,
    description_html: String,
    /// Budget totals by funding source (label, cents), largest first.
    by_source: Vec<(String, i64)>,
    tools: Tools,
    banner: Option<VersionBanner>,
}

async fn agendas(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    params: Params,
) -> Result<Html<String>, AppError> {
    let filter = agenda_filter(&params, &state.vocabularies, &state.store).await?;
    let page = state.store.list_agendas(&filter, params.page()?).await?;
    let c = lang.catalogue();
    let v = &state.vocabularies;
    let terms = |list: &'static str, terms: &'_ [agio_domain::model::Term]| {
        SelectField::new(
            list,
            c.t(&format!("vocabulary.{list}")),
            &params,
            terms.iter().map(|t| (t.code.clone(), t.label(lang.code()))).collect::<Vec<_>>(),
        )
    };
    let fields = vec![
        SelectField::new(
            "territory",
            c.t("agenda.territory"),
            &params,
            territory_options(&state.store, params.get("territory")).await?,
        ),
        SelectField::new(
            "status",
            c.t("agenda.status"),
            &params,
            AgendaStatus::ALL.iter().map(|s| (s.code().to_string(), c.label(&s.label_key()))),
        ),
        terms("target_group", &v.target_group),
        terms("life_stage", &v.life_stage),
        terms("theme", &v.theme),
    ];
    let ctx = PageContext::new(lang, &here("/agende", &params, FILTERS), "agendas", c.t("agendas.title"))
        .last_crumb()
        .demo(page.items.iter().any(|a| a.is_demo));
    let page_base = page_base("/agende", &params, FILTERS);
    render(AgendasPage {
        ctx,
        tools: list_tools(lang, &visitor, "agendas"),
        fields,
        q: params.get("q").unwrap_or_default().to_string(),
        page,
        page_base,
    })
}

async fn agenda(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let tools = tools(&state, lang, &visitor, &slug, None).await?;
    let (published, banner) = published(&state, lang, &slug, &tools).await?;
    let d = match published {
        Some(snapshot) => snapshot.detail,
        None => state.store.agenda_detail(&slug).await?.ok_or(AppError::NotFound)?,
    };
    let c = lang.catalogue();
    let ctx = PageContext::new(lang, &format!("/agende/{slug}"), "agendas", d.agenda.title.clone())
        .crumb(c.t("agendas.title"), "/agende")
        .last_crumb()
        .demo(d.agenda.is_demo);
    let territory_href = match d.agenda.territory.kind {
        TerritoryKind::District => format!("/territori/{}", d.agenda.territory.slug),
        _ => format!("/agende?territory={}", d.agenda.territory.slug),
    };
    render(AgendaPage {
        ctx,
        territory_href,
        vision_html: markdown::to_html(&d.agenda.vision),
        context_html: markdown::to_html(&d.agenda.context),
        d,
        tools,
        banner,
    })
}

/// A note above an agenda or action page: which version it shows.
pub struct VersionBanner {
    pub text: String,
    pub href: String,
    pub link: String,
}

/// What the visitor reads: the latest approved version (the public), or the live agenda (those
/// who write it, and everyone when nothing was approved yet), and the note that says which.
pub(crate) async fn published(
    state: &AppState,
    lang: Lang,
    slug: &str,
    tools: &Tools,
) -> Result<(Option<AgendaSnapshot>, Option<VersionBanner>), AppError> {
    let Some((info, snapshot)) = state.store.agenda_version(&tools.agenda_id, None).await? else {
        return Ok((None, None));
    };
    let c = lang.catalogue();
    let (n, date) = (info.number.to_string(), crate::kit::i18n::date(lang, &info.created_at));
    Ok(if tools.member {
        let banner = VersionBanner {
            text: c.fmt("version.draft", &[("n", &n)]),
            href: format!("/agende/{slug}/versioni?da={n}&a=bozza"),
            link: c.t("version.compare_draft").to_string(),
        };
        (None, Some(banner))
    } else {
        let banner = VersionBanner {
            text: c.fmt("version.published", &[("n", &n), ("date", &date)]),
            href: format!("/agende/{slug}/versioni"),
            link: c.t("version.all").to_string(),
        };
        (Some(snapshot), Some(banner))
    })
}

async fn action(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path((slug, code)): Path<(String, String)>,
) -> Result<Html<String>, AppError> {
    let mut tools = tools(&state, lang, &visitor, &slug, Some(&code)).await?;
    let (published, banner) = published(&state, lang, &slug, &tools).await?;
    if published.is_none() {
        let archiving = Archiving::action(&state, &slug, &code).await?;
        tools.archived(archived_note(lang, &visitor, &archiving, &format!("/agende/{slug}/azioni/{code}")));
    }
    let x = match published {
        // An action added after the approval is not public yet.
        Some(snapshot) => snapshot.actions.into_iter().find(|a| a.summary.code == code).ok_or(AppError::NotFound)?,
        None => state.store.action(&slug, &code).await?.ok_or(AppError::NotFound)?,
    };
    let c = lang.catalogue();
    let mut by_source: Vec<(String, i64)> = Vec::new();
    for line in &x.budget {
        let label = line.funding_source.label(lang.code()).to_string();
        match by_source.iter_mut().find(|(l, _)| *l == label) {
            Some((_, total)) => *total += line.amount_cents,
            None => by_source.push((label, line.amount_cents)),
        }
    }
    by_source.sort_by_key(|(_, cents)| std::cmp::Reverse(*cents));
    let ctx = PageContext::new(
        lang,
        &format!("/agende/{slug}/azioni/{code}"),
        "agendas",
        format!("{} — {}", x.summary.code, x.summary.title),
    )
    .crumb(c.t("agendas.title"), "/agende")
    .crumb(x.summary.agenda_title.clone(), format!("/agende/{slug}"))
    .last_crumb()
    .demo(x.summary.is_demo);
    render(ActionPage { ctx, description_html: markdown::to_html(&x.description), by_source, x, tools, banner })
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agende", get(agendas))
        .route("/agende/{slug}", get(agenda))
        .route("/agende/{slug}/azioni/{code}", get(action))
}
