//! `/agende/{slug}/percorso`: an agenda's participatory process — what it is, its phases in
//! order with the active one marked, participation figures, and the way in to the ideas. And
//! what the agenda's pages show of it: the ideas each action came from (`origins`).

use agio_domain::access::{Operation, Target};
use agio_domain::lab::{IdeaOrigin, OriginKind, Participation, Process};
use agio_domain::PhaseKind;
use askama::Template;
use axum::extract::{Path, State};
use axum::response::Html;
use axum::routing::get;
use axum::Router;

use crate::kit::auth::Visitor;
use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::{render, ToolKind, Tools};
use crate::kit::markdown;
use crate::kit::state::{AppState, PageContext};

pub(crate) struct PhaseView {
    pub code: &'static str,
    pub name: &'static str,
    pub dates: String,
    pub description_html: String,
    pub active: bool,
    pub edit: Option<String>,
}

#[derive(Template)]
#[template(path = "lab/process.html")]
struct ProcessPage {
    ctx: PageContext,
    tools: Tools,
    p: Process,
    part: Participation,
    description_html: String,
    phases: Vec<PhaseView>,
    active: String,
    ideas_href: String,
    vote_href: String,
    document_href: String,
    /// (address, "Giornata di lavoro — title", when and where, seats).
    meetings: Vec<(String, String, String, String)>,
    /// (address, "Patto n. 1 — title", status, duration).
    pacts: Vec<(String, String, String, String)>,
    /// Where to propose an idea: the form, or signing in first; none outside the collection.
    propose: Option<(String, String)>,
    /// Where a participant asks to take part for an organisation.
    represent: Option<String>,
}

/// "dal 1 marzo 2026 al 31 marzo 2026", or "date da definire".
fn dates(lang: Lang, starts: &Option<String>, ends: &Option<String>) -> String {
    let c = lang.catalogue();
    let d = |v: &String| crate::kit::i18n::date(lang, v);
    match (starts, ends) {
        (Some(s), Some(e)) => c.fmt("lab.dates", &[("from", &d(s)), ("to", &d(e))]),
        (Some(s), None) => c.fmt("lab.from", &[("from", &d(s))]),
        (None, Some(e)) => c.fmt("lab.until", &[("to", &d(e))]),
        (None, None) => c.t("lab.no_dates").to_string(),
    }
}

/// "Fase attiva: raccolta delle idee", or not started.
pub(crate) fn active_phase(lang: Lang, p: &Process) -> String {
    let c = lang.catalogue();
    match p.active_phase {
        Some(kind) => c.label(&kind.label_key()).to_string(),
        None => c.t("lab.not_started").to_string(),
    }
}

/// Where a visitor proposes an idea while the collection is open: the form, or sign-in first.
pub(crate) fn propose_link(lang: Lang, visitor: &Visitor, p: &Process) -> Option<(String, String)> {
    if !p.in_phase(PhaseKind::Ideas) {
        return None;
    }
    let c = lang.catalogue();
    let form = format!("/agende/{}/percorso/idee/nuova", p.agenda_slug);
    Some(match visitor.signed_in {
        Some(_) => (form, c.t("lab.propose").to_string()),
        None => (format!("/accedi?next={form}"), c.t("lab.propose_sign_in").to_string()),
    })
}

async fn process(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let (facts, p) = agio_app::lab::process(&state, visitor.principal(), &slug).await?;
    let c = lang.catalogue();
    let coordinator = visitor.may(Operation::Edit, &Target::Agenda(&facts));
    let mut tools = Tools::default();
    if coordinator {
        tools.add(ToolKind::Main, format!("/agende/{slug}/percorso/fase"), c.t("lab.phase_move"));
        tools.add(ToolKind::Other, format!("/agende/{slug}/percorso/incontri/nuovo"), c.t("lab.new_meeting"));
        tools.add(ToolKind::Other, format!("/agende/{slug}/percorso/patti/nuovo"), c.t("lab.new_pact"));
        tools.add(ToolKind::Other, format!("/agende/{slug}/percorso/rappresentanti"), c.t("lab.representatives"));
        tools.add(ToolKind::Other, format!("/agende/{slug}/percorso/modifica"), c.t("edit.edit"));
    }
    let phases = p
        .phases
        .iter()
        .map(|ph| PhaseView {
            code: ph.kind.code(),
            name: c.label(&ph.kind.label_key()),
            dates: dates(lang, &ph.starts_on, &ph.ends_on),
            description_html: markdown::to_html(&ph.description),
            active: p.active_phase == Some(ph.kind),
            edit: coordinator.then(|| format!("/agende/{slug}/percorso/fasi/{}/modifica", ph.kind.code())),
        })
        .collect();
    let here = format!("/agende/{slug}/percorso");
    let meetings = state
        .store
        .lab_meetings(&p.id)
        .await?
        .iter()
        .map(|m| {
            let place =
                m.place.clone().or(m.online_url.as_ref().map(|_| c.t("lab.online").to_string())).unwrap_or_default();
            (
                format!("{here}/incontri/{}", m.number),
                format!("{} — {}", c.label(&m.kind.label_key()), m.title),
                format!("{}, {place}", super::meetings::when(lang, &m.date, &m.starts, &m.ends)),
                super::meetings::seats(lang, m),
            )
        })
        .collect();
    let pacts = state
        .store
        .lab_pacts(&p.id)
        .await?
        .iter()
        .map(|pact| {
            (
                format!("{here}/patti/{}", pact.number),
                c.fmt("lab.pact_heading", &[("n", &pact.number.to_string()), ("title", &pact.title)]),
                c.label(&pact.status.label_key()).to_string(),
                super::pacts::duration(lang, pact),
            )
        })
        .collect();
    let ctx = PageContext::new(lang, &here, "agendas", p.title.clone())
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(p.agenda_title.clone(), format!("/agende/{slug}"))
        .last_crumb()
        .demo(p.is_demo);
    let part = state.store.lab_participation(&p.id).await?;
    render(ProcessPage {
        part,
        ctx,
        tools,
        description_html: markdown::to_html(&p.description),
        phases,
        active: active_phase(lang, &p),
        ideas_href: format!("{here}/idee"),
        vote_href: format!("{here}/voto"),
        document_href: format!("{here}/documento"),
        meetings,
        pacts,
        propose: propose_link(lang, &visitor, &p),
        represent: (visitor.signed_in.is_some() && visitor.may(Operation::Participate, &Target::Agenda(&facts)))
            .then(|| format!("{here}/rappresento")),
        p,
    })
}

/// What an agenda's page shows of its process: the link to it, and for each action the ideas it
/// came from (address, "n. 3 — title (12 sostegni)"), the meetings where they were discussed and
/// the pacts that carry it out.
#[derive(Debug, Default)]
pub(crate) struct Origins {
    pub process: Option<(String, String)>,
    pub by_action: Vec<Links>,
    pub meetings: Vec<Links>,
    pub pacts: Vec<Links>,
}

/// An action's code and its links: (address, label).
pub(crate) type Links = (String, Vec<(String, String)>);

/// The links listed under `action_code` in `lists`.
fn under<'a>(lists: &'a [Links], action_code: &str) -> &'a [(String, String)] {
    lists.iter().find(|(code, _)| code == action_code).map(|(_, links)| links.as_slice()).unwrap_or(&[])
}

impl Origins {
    /// The ideas an action came from.
    pub(crate) fn of(&self, action_code: &str) -> &[(String, String)] {
        under(&self.by_action, action_code)
    }

    /// The meetings where those ideas were discussed.
    pub(crate) fn meetings_of(&self, action_code: &str) -> &[(String, String)] {
        under(&self.meetings, action_code)
    }

    /// The pacts that carry an action out.
    pub(crate) fn pacts_of(&self, action_code: &str) -> &[(String, String)] {
        under(&self.pacts, action_code)
    }
}

/// The process of agenda `slug`, the accepted ideas of its actions, the meetings that discussed
/// them and the pacts carrying them out.
pub(crate) fn origins(lang: Lang, slug: &str, found: Option<&(String, Vec<IdeaOrigin>)>) -> Origins {
    let Some((process_title, ideas)) = found.cloned() else { return Origins::default() };
    let c = lang.catalogue();
    let mut origins = Origins::default();
    for IdeaOrigin { action_code, number, title, supports, kind } in ideas {
        let n = number.to_string();
        let (list, link) = match kind {
            OriginKind::Pact => {
                let label = c.fmt("lab.pact_origin", &[("n", &n), ("title", &title)]);
                (&mut origins.pacts, (format!("/agende/{slug}/percorso/patti/{n}"), label))
            }
            OriginKind::Meeting => (&mut origins.meetings, (format!("/agende/{slug}/percorso/incontri/{n}"), title)),
            OriginKind::Idea => {
                let label = c.fmt("lab.origin", &[("n", &n), ("title", &title), ("supports", &supports.to_string())]);
                (&mut origins.by_action, (format!("/agende/{slug}/percorso/idee/{n}"), label))
            }
        };
        match list.iter_mut().find(|(code, _)| *code == action_code) {
            Some((_, links)) => links.push(link),
            None => list.push((action_code, vec![link])),
        }
    }
    origins.process = Some((format!("/agende/{slug}/percorso"), process_title));
    origins
}

pub fn router() -> Router<AppState> {
    Router::new().route("/agende/{slug}/percorso", get(process))
}
