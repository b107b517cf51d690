//! `/agende`, `/agende/{slug}` and `/agende/{slug}/azioni/{code}`.

use agio_domain::model::{Action, Agenda};
use agio_domain::{AgendaStatus, Page, TerritoryKind};
use agio_store::{AgendaDetail, Published, VersionInfo};
use askama::Template;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use crate::agenda::editing::tools_for;
use crate::archive::archiving::archived_note;
use crate::kit::auth::Visitor;
use crate::kit::error::AppError;
use crate::kit::filters::agenda_filter;
use crate::kit::i18n::Lang;
use crate::kit::layout::Tools;
use crate::kit::layout::{render, territory_options, ListFrame, SelectField};
use crate::kit::markdown;
use crate::kit::query::Params;
use crate::kit::state::{AppState, PageContext};
use crate::registry::records::list_tools;
use agio_app::archive::Archiving;
use agio_app::profile::Gap;

const FILTERS: &[&str] = &["q", "territory", "status", "target_group", "life_stage", "theme"];

#[derive(Template)]
#[template(path = "agenda/agendas.html")]
struct AgendasPage {
    ctx: PageContext,
    tools: Tools,
    list: ListFrame,
    page: Page<Agenda>,
}

#[derive(Template)]
#[template(path = "agenda/agenda.html")]
struct AgendaPage<'a> {
    ctx: PageContext,
    /// Where comments go while the agenda is in consultation.
    contact_email: &'a str,
    d: AgendaDetail,
    territory_href: String,
    vision_html: String,
    context_html: String,
    tools: Tools,
    banner: Option<VersionBanner>,
    /// The gaps of the district's profile it addresses and those still open.
    gaps: Option<super::gaps::AgendaGaps>,
    /// Its participatory process, and the ideas its actions came from.
    origins: crate::lab::process::Origins,
    /// The process on Decidim, when the consultation runs there: (address, title).
    decidim: Option<(String, String)>,
}

impl AgendaPage<'_> {
    /// A framework item an objective serves, as the page names it ("SDG 10.2").
    fn target_label(&self, key: &str) -> String {
        agio_app::frameworks::short_key(key)
    }
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
    /// The Piano di Zona sheet the action's reference names, on its district's profile.
    sheet_link: Option<String>,
    /// The gaps of the district's profile it addresses.
    gaps: Option<super::gaps::ActionGaps>,
    /// The ideas of the Community Lab it came from, the meetings where they were discussed, and
    /// the pacts carrying it out: (address, label).
    ideas: Vec<(String, String)>,
    meetings: Vec<(String, String)>,
    pacts: Vec<(String, String)>,
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
    let any_demo = page.items.iter().any(|a| a.is_demo);
    let (ctx, list) = ListFrame::new(lang, ("/agende", "agendas"), (&params, FILTERS), fields, any_demo);
    render(AgendasPage { ctx, tools: list_tools(lang, &visitor, "agendas"), list, page })
}

async fn agenda(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Html<Bytes>, AppError> {
    let found = state.store.agenda_page::<AgendaDetail, Vec<Gap>>(&slug, Published::Agenda);
    let found = state.cache.read(format!("agenda_published {slug}"), found).await?;
    let reads = found.as_ref().as_ref().ok_or(AppError::NotFound)?;
    let (facts, published) = (&reads.facts, &reads.published);
    let tools = tools_for(&state, lang, &visitor, facts, &slug, None).await?;
    let banner = banner(lang, &slug, &tools, published.as_ref().map(|(info, _)| info));
    let key = page_key(lang, &format!("/agende/{slug}"), &visitor, &(&tools, &banner));
    state
        .cache
        .page(key, async {
            let d = match published {
                Some((_, Some(detail))) if !tools.member => detail.clone(),
                _ => state.store.agenda_detail(&slug).await?.ok_or(AppError::NotFound)?,
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
            let gaps = super::gaps::of_agenda(&state, lang, reads.district.as_ref(), &d);
            let origins = crate::lab::process::origins(lang, &slug, reads.origins.as_ref());
            let decidim = reads.decidim_title.clone().map(|title| (format!("/agende/{slug}/decidim"), title));
            Ok(AgendaPage {
                gaps,
                origins,
                decidim,
                ctx,
                contact_email: &state.contact_email,
                territory_href,
                vision_html: markdown::to_html(&d.agenda.vision),
                context_html: markdown::to_html(&d.agenda.context),
                d,
                tools,
                banner,
            }
            .render()?)
        })
        .await
}

/// The key under which a page is kept for everyone who sees it the same way: its address, the
/// language, and the fingerprint of what is personal on it (tools, banners, form tokens).
/// A visitor who is not signed in gets none: their pages are kept whole by `kit::cache`.
fn page_key(lang: Lang, path: &str, visitor: &Visitor, personal: &impl std::fmt::Debug) -> String {
    use std::hash::{Hash, Hasher};
    if visitor.signed_in.is_none() {
        return String::new();
    }
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    format!("{personal:?}").hash(&mut hasher);
    format!("{} {path} personal:{:016x}", lang.code(), hasher.finish())
}

/// A note above an agenda or action page: which version it shows.
#[derive(Debug)]
pub struct VersionBanner {
    pub text: String,
    pub href: String,
    pub link: String,
}

/// What the visitor reads: the latest approved version (the public), or the live agenda (those
/// who write it, and everyone when nothing was approved yet); the note says which.
fn banner(lang: Lang, slug: &str, tools: &Tools, latest: Option<&VersionInfo>) -> Option<VersionBanner> {
    let info = latest?;
    let c = lang.catalogue();
    let (n, date) = (info.number.to_string(), crate::kit::i18n::date(lang, &info.created_at));
    Some(match tools.member {
        true => VersionBanner {
            text: c.fmt("version.draft", &[("n", &n)]),
            href: format!("/agende/{slug}/versioni?da={n}&a=bozza"),
            link: c.t("version.compare_draft").to_string(),
        },
        false => VersionBanner {
            text: c.fmt("version.published", &[("n", &n), ("date", &date)]),
            href: format!("/agende/{slug}/versioni"),
            link: c.t("version.all").to_string(),
        },
    })
}

async fn action(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path((slug, code)): Path<(String, String)>,
) -> Result<Html<Bytes>, AppError> {
    let found = state.store.agenda_page::<Action, Vec<Gap>>(&slug, Published::Action(&code));
    let found = state.cache.read(format!("action_published {slug} {code}"), found).await?;
    let reads = found.as_ref().as_ref().ok_or(AppError::NotFound)?;
    let (facts, version) = (&reads.facts, &reads.published);
    let mut tools = tools_for(&state, lang, &visitor, facts, &slug, Some(&code)).await?;
    let banner = banner(lang, &slug, &tools, version.as_ref().map(|(info, _)| info));
    let published = version.as_ref().filter(|_| !tools.member).map(|(_, action)| action);
    let here = format!("/agende/{slug}/azioni/{code}");
    if published.is_none() {
        let archiving = Archiving::action(&state, &slug, &code);
        let archiving = state.cache.read(format!("archiving action {slug} {code}"), archiving).await?;
        tools.archived(archived_note(lang, &visitor, &archiving, &here));
    }
    let key = page_key(lang, &here, &visitor, &(&tools, &banner));
    state
        .cache
        .page(key, async {
            let x = match published {
                // An action added after the approval is not public yet.
                Some(action) => action.clone().ok_or(AppError::NotFound)?,
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
            let title = format!("{} — {}", x.summary.code, x.summary.title);
            let ctx = PageContext::new(lang, &here, "agendas", title)
                .crumb(c.t("agendas.title"), "/agende")
                .crumb(x.summary.agenda_title.clone(), format!("/agende/{slug}"))
                .last_crumb()
                .demo(x.summary.is_demo);
            let description_html = markdown::to_html(&x.description);
            let sheet = x.zone_plan_ref.as_deref().and_then(agio_app::zone_plan::sheet_number);
            let sheet_link = match sheet {
                Some(n) => state
                    .store
                    .zone_plan_sheet_district(&slug, &n)
                    .await?
                    .map(|district| format!("/territori/{district}/profilo#scheda-{n}")),
                None => None,
            };
            let gaps = super::gaps::of_action(&state, lang, reads.district.as_ref(), &x.summary.gaps);
            let origins = crate::lab::process::origins(lang, &slug, reads.origins.as_ref());
            let (ideas, pacts) = (origins.of(&code).to_vec(), origins.pacts_of(&code).to_vec());
            let meetings = origins.meetings_of(&code).to_vec();
            Ok(ActionPage {
                ctx,
                description_html,
                by_source,
                x,
                tools,
                banner,
                sheet_link,
                gaps,
                ideas,
                meetings,
                pacts,
            }
            .render()?)
        })
        .await
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agende", get(agendas))
        .route("/agende/{slug}", get(agenda))
        .route("/agende/{slug}/azioni/{code}", get(action))
}
