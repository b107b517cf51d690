//! `/agende/{slug}/percorso/voto`: the prioritisation. While its phase is open, each person
//! signed in fills one ballot (approving ideas, or distributing points) and may change it until
//! the close; nobody, coordinators and moderators included, sees any result before. Once the
//! phase closes, the full tally is published, with the number of ballots (one per voter).

use agio_app::lab::Vote;
use agio_domain::access::{Operation, Target};
use agio_domain::edit::FieldError;
use agio_domain::{Channel, PhaseKind, VoteMethod};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::kit::auth::{SignedInForm, Visitor};
use crate::kit::error::AppError;
use crate::kit::forms::problem_text;
use crate::kit::i18n::Lang;
use crate::kit::layout::{render, ToolKind, Tools};
use crate::kit::personal::Notice;
use crate::kit::state::{AppState, PageContext};

/// An admitted idea on the ballot: its number, title, address and what the reader gave it.
struct Choice {
    number: i64,
    title: String,
    href: String,
    points: i64,
}

#[derive(Template)]
#[template(path = "lab/vote.html")]
struct VotePage {
    ctx: PageContext,
    tools: Tools,
    v: Vote,
    here: String,
    choices: Vec<Choice>,
    /// "Approvazione" or "Distribuzione di 10 punti".
    method: String,
    /// The form's token, when the reader may vote now.
    csrf: Option<String>,
    sign_in: Option<String>,
    /// The problem with the ballot just sent.
    problem: Option<String>,
    ideas_href: String,
}

impl VotePage {
    fn approval(&self) -> bool {
        self.v.process.vote_method == VoteMethod::Approval
    }

    /// The heading of the tally's column of points.
    fn points_header(&self) -> &'static str {
        if self.approval() {
            "lab.approvals"
        } else {
            "lab.points_given"
        }
    }
}

async fn page(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    slug: &str,
    problem: Option<&[FieldError]>,
) -> Result<Response, AppError> {
    let v = agio_app::lab::vote(state, visitor.principal(), slug).await?;
    let c = lang.catalogue();
    let here = format!("/agende/{slug}/percorso/voto");
    let mut tools = Tools::default();
    if visitor.may(Operation::Edit, &Target::Agenda(&v.facts)) {
        tools.add(ToolKind::Other, format!("{here}/ammesse"), c.t("lab.admitted_tool"));
    }
    let open = v.process.in_phase(PhaseKind::Prioritisation);
    let may = visitor.may(Operation::Participate, &Target::Agenda(&v.facts));
    let csrf = visitor.signed_in.as_ref().filter(|_| open && may).map(|s| s.csrf_token.clone());
    let sign_in = (open && visitor.signed_in.is_none()).then(|| format!("/accedi?next={here}"));
    let choices = v
        .admitted
        .iter()
        .map(|i| Choice {
            number: i.number,
            title: i.title.clone(),
            href: format!("/agende/{slug}/percorso/idee/{}", i.number),
            points: v.ballot.iter().find(|(n, _)| *n == i.number).map(|(_, p)| *p).unwrap_or(0),
        })
        .collect();
    let method = match v.process.vote_method {
        VoteMethod::Approval => c.label(&VoteMethod::Approval.label_key()).to_string(),
        VoteMethod::Points => c.fmt("lab.points_method", &[("n", &v.points().to_string())]),
    };
    let ctx = PageContext::new(lang, &here, "agendas", c.fmt("lab.vote_title", &[("process", &v.process.title)]))
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(v.process.agenda_title.clone(), format!("/agende/{slug}"))
        .crumb(v.process.title.clone(), format!("/agende/{slug}/percorso"))
        .last_crumb()
        .demo(v.process.is_demo);
    let problem = problem.and_then(|errors| errors.first()).map(|e| problem_text(&e.problem, c));
    let status = if problem.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let ideas_href = format!("/agende/{slug}/percorso/idee");
    let html = render(VotePage { ctx, tools, v, here, choices, method, csrf, sign_in, problem, ideas_href })?;
    Ok((status, html).into_response())
}

async fn show(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    page(&state, lang, &visitor, &slug, None).await
}

async fn cast(
    State(state): State<AppState>,
    lang: Lang,
    Path(slug): Path<String>,
    SignedInForm { visitor, body, .. }: SignedInForm,
) -> Result<Response, AppError> {
    let who = visitor.principal().ok_or(AppError::Forbidden)?;
    let input = |name: &str| body.get(name);
    match agio_app::lab::cast(&state, who, &visitor.actor(Channel::Form), &slug, &input).await? {
        Ok(()) => Ok(Notice::Voted.redirect(&format!("/agende/{slug}/percorso/voto"), state.secure_cookies)),
        Err(errors) => page(&state, lang, &visitor, &slug, Some(&errors)).await,
    }
}

pub fn router() -> Router<AppState> {
    Router::new().route("/agende/{slug}/percorso/voto", get(show).post(cast))
}
