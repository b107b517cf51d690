//! The agenda's process on Decidim (`/agende/{slug}/decidim`): what the last import read —
//! phases, proposals, meetings, accountability results — each marked "da Decidim" with a link
//! to the original. Coordinators name the instance and the process (`…/decidim/modifica`) and
//! import again (`…/decidim/importa`); the reading is `agio-decidim`'s, the keeping
//! `agio_app::lab_decidim`'s.

use agio_app::lab_decidim::DecidimSourceEditor;
use agio_domain::access::{Operation, Principal, Target};
use agio_domain::decidim::{DecidimImport, DecidimMeeting, DecidimProposal, DecidimResult, SyncReport};
use agio_domain::Channel;
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
use crate::kit::layout::{render, ToolKind, Tools};
use crate::kit::personal::Notice;
use crate::kit::state::{AppState, PageContext};

/// How long an import may read: less than every request's limit (30 s, `lib.rs`).
const IMPORT_TIME: std::time::Duration = std::time::Duration::from_secs(25);

/// A proposal's summary on the page: its text cut to this many characters.
const EXCERPT: usize = 320;

struct ProposalView {
    p: DecidimProposal,
    state: String,
    excerpt: String,
    figures: String,
}

struct MeetingView {
    m: DecidimMeeting,
    when: String,
    /// "34 partecipanti", once closed.
    attendees: Option<String>,
    /// The proposals that came out of it: (title, address on Decidim).
    proposals: Vec<(String, String)>,
}

struct ResultView {
    r: DecidimResult,
    status: String,
    progress: String,
    dates: String,
    children: Vec<ResultView>,
}

#[derive(Template)]
#[template(path = "lab/decidim.html")]
struct DecidimPage {
    ctx: PageContext,
    tools: Tools,
    import: DecidimImport,
    instance_host: String,
    synced: String,
    /// Why the last import failed, for the coordinators.
    failure: Option<String>,
    /// The form token of the "import now" button, for the coordinators.
    csrf: Option<String>,
    here: String,
    steps: Vec<(String, String, bool)>,
    proposals: Vec<ProposalView>,
    meetings: Vec<MeetingView>,
    results: Vec<ResultView>,
}

/// "17/04/2024, 17:30" from Decidim's date-time.
fn moment(lang: Lang, at: &str) -> String {
    let day = crate::kit::i18n::date(lang, at);
    match at.get(11..16) {
        Some(time) => format!("{day}, {time}"),
        None => day,
    }
}

/// The label of a proposal's state in the UI language (Decidim's own token when unknown).
fn state_label(c: &Catalogue, state: &Option<String>) -> String {
    match state.as_deref() {
        None => c.t("decidim.state.none").to_string(),
        Some(s @ ("accepted" | "rejected" | "evaluating" | "withdrawn")) => {
            c.t(&format!("decidim.state.{s}")).to_string()
        }
        Some(other) => other.to_string(),
    }
}

/// The first `EXCERPT` characters of a text, cut at a word.
fn excerpt(text: &str) -> String {
    if text.chars().count() <= EXCERPT {
        return text.to_string();
    }
    let cut: String = text.chars().take(EXCERPT).collect();
    format!("{}…", cut.rsplit_once(' ').map_or(cut.as_str(), |(head, _)| head))
}

/// A proposal's figures: "87 sostegni · 14 adesioni · 9 commenti" (what the version gives).
fn figures(lang: Lang, p: &DecidimProposal) -> String {
    let c = lang.catalogue();
    let count = |n: i64, key: &str| c.fmt(key, &[("n", &crate::kit::i18n::number(lang, n))]);
    let mut parts = Vec::new();
    if let Some(n) = p.supports {
        parts.push(count(n, "decidim.supports"));
    }
    if let Some(n) = p.endorsements {
        parts.push(count(n, "decidim.endorsements"));
    }
    parts.push(count(p.comments, "decidim.comments"));
    parts.join(" · ")
}

fn result_views(lang: Lang, all: &[DecidimResult], parent: Option<&str>) -> Vec<ResultView> {
    let c = lang.catalogue();
    let date = |d: &Option<String>| d.as_deref().map_or("—".to_string(), |d| crate::kit::i18n::date(lang, d));
    all.iter()
        .filter(|r| r.parent_id.as_deref() == parent || (parent.is_none() && !has_parent(all, r)))
        .map(|r| ResultView {
            status: r.status.clone().unwrap_or_else(|| "—".into()),
            progress: r.progress.map_or("—".into(), |p| format!("{} %", crate::kit::i18n::decimal(lang, p))),
            dates: c.fmt("decidim.from_to", &[("from", &date(&r.starts_on)), ("to", &date(&r.ends_on))]),
            children: result_views(lang, all, Some(&r.id)),
            r: r.clone(),
        })
        .collect()
}

/// Whether a result's parent is among the results read (else it is shown at the top).
fn has_parent(all: &[DecidimResult], r: &DecidimResult) -> bool {
    r.parent_id.as_deref().is_some_and(|p| all.iter().any(|x| x.id == p))
}

/// A failed import in words: what happened and what it names.
pub(crate) fn failure_text(c: &Catalogue, code: &str, detail: &str) -> String {
    let key = format!("decidim.error.{code}");
    let known = c.keys().any(|k| **k == key);
    c.fmt(if known { &key } else { "decidim.error.malformed" }, &[("detail", detail)])
}

async fn page(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Html<String>, AppError> {
    let (facts, import) = agio_app::lab_decidim::import_of(&state, visitor.principal(), &slug).await?;
    let c = lang.catalogue();
    let here = format!("/agende/{slug}/decidim");
    let may_edit = visitor.may(Operation::Edit, &Target::Agenda(&facts));
    let mut tools = Tools::default();
    if may_edit {
        tools.add(ToolKind::Main, format!("{here}/modifica"), c.t("decidim.edit_source"));
    }
    let source = &import.source;
    let title = match source.process_title.is_empty() {
        true => c.fmt("decidim.title", &[("process", &source.process_slug)]),
        false => c.fmt("decidim.title", &[("process", &source.process_title)]),
    };
    let ctx = PageContext::new(lang, &here, "agendas", title)
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(source.agenda_title.clone(), format!("/agende/{slug}"))
        .last_crumb()
        .demo(source.is_demo);
    let steps = import
        .steps
        .iter()
        .map(|s| {
            let date = |d: &Option<String>| d.as_deref().map_or("—".to_string(), |d| crate::kit::i18n::date(lang, d));
            let dates = c.fmt("decidim.from_to", &[("from", &date(&s.starts_on)), ("to", &date(&s.ends_on))]);
            (s.title.clone(), dates, s.active)
        })
        .collect();
    let proposals = import
        .proposals
        .iter()
        .map(|p| ProposalView {
            state: state_label(c, &p.state),
            excerpt: excerpt(&p.body),
            figures: figures(lang, p),
            p: p.clone(),
        })
        .collect();
    let meetings = import
        .meetings
        .iter()
        .map(|m| MeetingView {
            when: moment(lang, &m.starts_at),
            attendees: m.attendees.map(|n| c.fmt("decidim.attendees", &[("n", &n.to_string())])),
            proposals: m
                .proposal_ids
                .iter()
                .filter_map(|id| import.proposals.iter().find(|p| p.id == *id))
                .map(|p| (p.title.clone(), p.url.clone()))
                .collect(),
            m: m.clone(),
        })
        .collect();
    let results = result_views(lang, &import.results, None);
    let failure = source.last_error.as_ref().filter(|_| may_edit).map(|f| failure_text(c, &f.code, &f.detail));
    let csrf = visitor.signed_in.as_ref().filter(|_| may_edit).map(|s| s.csrf_token.clone());
    render(DecidimPage {
        ctx,
        tools,
        instance_host: agio_domain::decidim::host_of(&source.instance_url).to_string(),
        synced: source.synced_at.as_deref().map_or_else(|| c.t("decidim.never").to_string(), |at| moment(lang, at)),
        failure,
        csrf,
        here,
        steps,
        proposals,
        meetings,
        results,
        import,
    })
}

/// Reads the process from its instance now and keeps it; the page then tells how it went.
async fn import_now(
    State(state): State<AppState>,
    Path(slug): Path<String>,
    SignedInForm { visitor, .. }: SignedInForm,
) -> Result<Response, AppError> {
    let actor = visitor.actor(Channel::Form);
    let outcome = import(&state, visitor.principal(), &actor, &slug).await?;
    let here = format!("/agende/{slug}/decidim");
    Ok(match outcome {
        Ok(_) => Notice::Imported.redirect(&here, state.secure_cookies),
        // The page shows the coordinators why.
        Err(_) => axum::response::IntoResponse::into_response(axum::response::Redirect::to(&here)),
    })
}

/// Imports the agenda's process from its instance for `who`: the counts, or why it failed
/// (a code and what it names), which the source keeps.
pub(crate) async fn import(
    state: &AppState,
    who: Option<&Principal>,
    actor: &agio_store::Actor,
    slug: &str,
) -> Result<Result<SyncReport, (String, String)>, AppError> {
    let (_, source) = agio_app::lab_decidim::source_to_import(state, who, slug).await?;
    let host = agio_domain::decidim::host_of(&source.instance_url);
    // The configuration may have changed since the source was named.
    let outcome = match state.decidim_hosts.iter().any(|h| h.eq_ignore_ascii_case(host)) {
        // Within the request's own time limit, so that a slow instance leaves its reason too.
        true => match tokio::time::timeout(
            IMPORT_TIME,
            agio_decidim::fetch_process(&source.instance_url, &source.process_slug),
        )
        .await
        {
            Ok(read) => read.map_err(|e| (e.code(), e.detail())),
            Err(_) => Err(("too_slow", IMPORT_TIME.as_secs().to_string())),
        },
        false => Err(("host_not_allowed", host.to_string())),
    };
    Ok(agio_app::lab_decidim::record_import(state, actor, &source, outcome).await?)
}

impl FromPath for DecidimSourceEditor {
    type Params = (String,);
    async fn load(state: &AppState, _: Option<&Principal>, (slug,): (String,)) -> Result<Self, AppError> {
        Ok(DecidimSourceEditor::load(state, &slug, &state.decidim_hosts).await?)
    }
}

impl EditPage for DecidimSourceEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        form.field("instance_url", c.t("decidim.instance_url"), Kind::Line, true)
            .hint(c.t("decidim.instance_url_hint"))
            .field("process_slug", c.t("decidim.process_slug"), Kind::Line, true)
    }

    fn title(&self, c: &Catalogue) -> String {
        c.t("decidim.source_title").to_string()
    }

    fn intro(&self, c: &Catalogue) -> String {
        c.t("decidim.source_intro").to_string()
    }

    fn record(&self) -> &str {
        &self.stored.label
    }

    fn done(&self) -> String {
        format!("/agende/{}/decidim", self.slug)
    }

    fn here(&self) -> String {
        format!("/agende/{}/decidim/modifica", self.slug)
    }
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agende/{slug}/decidim", get(page))
        .route("/agende/{slug}/decidim/modifica", edit_route::<DecidimSourceEditor>())
        .route("/agende/{slug}/decidim/importa", post(import_now))
}
