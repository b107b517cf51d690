//! The ideas of an agenda's process: the list (`…/percorso/idee`, filtered and sorted without
//! JavaScript), each idea's page (`…/percorso/idee/{n}`, its stable address) with its supports,
//! comments and answer, and what people do there — support, comment, report, withdraw, hide —
//! each a form posted to `…/idee/{n}/{act}` that leads back with a notice.

use super::Numbered;
use agio_app::lab::{Act, Choices};
use agio_domain::access::{Operation, Target};
use agio_domain::edit::{FieldError, Reader};
use agio_domain::lab::{CommentEdit, HideEdit, Idea, IdeaSummary, Process};
use agio_domain::{Channel, IdeaAnswer, IdeaState, Notification, Page};
use agio_store::{IdeaFilter, IdeaSort};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::kit::auth::{SignedInForm, Visitor};
use crate::kit::error::AppError;
use crate::kit::i18n::Lang;
use crate::kit::layout::{render, SelectField, ToolKind, Tools};
use crate::kit::markdown;
use crate::kit::personal::Notice;
use crate::kit::query::Params;
use crate::kit::state::{AppState, PageContext};
use crate::profile::page::gap_label;

const FILTERS: &[&str] = &["q", "gap", "comune", "target_group", "answer", "sort"];

/// An idea in a list, ready to show.
struct IdeaRow {
    href: String,
    s: IdeaSummary,
    /// "Ciro Cittadino, 3 marzo 2026".
    byline: String,
    answer: Option<String>,
}

#[derive(Template)]
#[template(path = "lab/ideas.html")]
struct IdeasPage {
    ctx: PageContext,
    tools: Tools,
    action: String,
    fields: Vec<SelectField>,
    q: String,
    page: Page<IdeaSummary>,
    rows: Vec<IdeaRow>,
    page_base: String,
    process_href: String,
    active: String,
}

fn byline(lang: Lang, s: &IdeaSummary) -> String {
    let c = lang.catalogue();
    let mut who = s.author.clone().unwrap_or_else(|| c.t("lab.someone").to_string());
    if let Some(organization) = &s.organization {
        who = c.fmt("lab.byline_for", &[("who", &who), ("organization", organization)]);
    }
    format!("{who}, {}", crate::kit::i18n::date(lang, &s.created_at))
}

fn answer_label(lang: Lang, answer: Option<IdeaAnswer>) -> Option<String> {
    answer.map(|a| lang.catalogue().label(&a.label_key()).to_string())
}

/// The list's filter and order from the query string (the page and the API read the same).
pub(crate) fn idea_filter(
    params: &Params,
    choices: &Choices,
    terms: &[agio_domain::model::Term],
) -> Result<IdeaFilter, AppError> {
    let gaps: Vec<String> = choices.gaps.iter().map(|g| g.key.clone()).collect();
    let comuni: Vec<String> = choices.comuni.iter().map(|(code, _)| code.clone()).collect();
    let answers: Vec<String> =
        std::iter::once("pending").chain(IdeaAnswer::CODES.iter().copied()).map(str::to_string).collect();
    let sorts: Vec<String> = IdeaSort::CODES.iter().map(|s| s.to_string()).collect();
    Ok(IdeaFilter {
        q: params.text("q")?,
        gap: params.key_among("gap", &gaps)?,
        comune: params.key_among("comune", &comuni)?,
        target_group: params.term("target_group", terms)?,
        answer: params.one_of("answer", &answers)?,
        sort: params.one_of("sort", &sorts)?.and_then(|s| IdeaSort::parse(&s)).unwrap_or_default(),
    })
}

async fn ideas(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Path(slug): Path<String>,
    params: Params,
) -> Result<Html<String>, AppError> {
    let (facts, p) = agio_app::lab::process(&state, visitor.principal(), &slug).await?;
    let choices = Choices::of(&state, &facts).await?;
    let filter = idea_filter(&params, &choices, &state.vocabularies.target_group)?;
    let page = state.store.lab_ideas(&p.id, &filter, params.page()?).await?;
    let c = lang.catalogue();
    let base = format!("/agende/{slug}/percorso/idee");
    let answers = std::iter::once(("pending".to_string(), c.t("lab.pending").to_string()))
        .chain(IdeaAnswer::ALL.iter().map(|a| (a.code().to_string(), c.label(&a.label_key()).to_string())));
    let sorts = IdeaSort::CODES.iter().map(|s| (s.to_string(), c.t(&format!("lab.sort.{s}")).to_string()));
    let fields = vec![
        SelectField::new("sort", c.t("lab.sort"), &params, sorts),
        SelectField::new(
            "gap",
            c.t("lab.idea_gap"),
            &params,
            choices.gaps.iter().map(|g| (g.key.clone(), gap_label(&choices.needs, lang, g))),
        ),
        SelectField::new("comune", c.t("lab.idea_comune"), &params, choices.comuni.clone()),
        SelectField::new(
            "target_group",
            c.t("vocabulary.target_group"),
            &params,
            choices.target_groups.iter().map(|t| (t.code.clone(), t.label(lang.code()).to_string())),
        ),
        SelectField::new("answer", c.t("lab.answer"), &params, answers),
    ];
    let rows = page
        .items
        .iter()
        .map(|s| IdeaRow {
            href: format!("{base}/{}", s.number),
            byline: byline(lang, s),
            answer: answer_label(lang, s.answer),
            s: s.clone(),
        })
        .collect();
    let mut tools = Tools::default();
    if let Some((href, label)) = super::process::propose_link(lang, &visitor, &p) {
        tools.add(ToolKind::Main, href, label);
    }
    let here = crate::kit::layout::here(&base, &params, FILTERS);
    let ctx = PageContext::new(lang, &here, "agendas", c.fmt("lab.ideas_title", &[("process", &p.title)]))
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(p.agenda_title.clone(), format!("/agende/{slug}"))
        .crumb(p.title.clone(), format!("/agende/{slug}/percorso"))
        .last_crumb()
        .demo(p.is_demo);
    render(IdeasPage {
        ctx,
        tools,
        fields,
        q: params.get("q").unwrap_or_default().to_string(),
        page_base: crate::kit::layout::page_base(&base, &params, FILTERS),
        action: base,
        page,
        rows,
        process_href: format!("/agende/{slug}/percorso"),
        active: super::process::active_phase(lang, &p),
    })
}

/// What the reader of an idea may do there.
#[derive(Default)]
struct Acts {
    csrf: String,
    /// Whether they support it (Some) or may (Some(false)); None: they may not.
    supported: Option<bool>,
    comment: bool,
    report: Option<bool>,
    withdraw: bool,
    moderate: bool,
    /// The reports, for moderators: (reason, date).
    reports: Vec<(String, String)>,
    /// Comments the reader wrote (they may withdraw them).
    own_comments: Vec<String>,
}

struct CommentRow {
    id: String,
    byline: String,
    body_html: String,
    state: IdeaState,
    hidden_reason: Option<String>,
}

#[derive(Template)]
#[template(path = "lab/idea.html")]
struct IdeaPage {
    ctx: PageContext,
    tools: Tools,
    i: Idea,
    here: String,
    byline: String,
    body_html: String,
    gap: Option<String>,
    terms: Vec<String>,
    answer: Option<String>,
    /// When it was answered, as a date.
    answered: Option<String>,
    answer_html: String,
    action_href: Option<String>,
    merged_href: Option<String>,
    comments: Vec<CommentRow>,
    acts: Acts,
    sign_in: Option<String>,
    phase_note: Option<String>,
    /// A problem with the comment or the hiding reason just sent, and what was typed.
    problem: Option<(String, String)>,
    /// Where the idea went, in order: (what happened, link to it, if any).
    timeline: Vec<(String, Option<String>)>,
}

async fn idea(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    Numbered { slug, number, .. }: Numbered,
) -> Result<Html<String>, AppError> {
    idea_page(&state, lang, &visitor, &slug, number, None).await
}

async fn idea_page(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    slug: &str,
    number: i64,
    problem: Option<(String, String)>,
) -> Result<Html<String>, AppError> {
    let (facts, p, i) = agio_app::lab::idea(state, visitor.principal(), slug, number).await?;
    let c = lang.catalogue();
    let here = format!("/agende/{slug}/percorso/idee/{number}");
    let target = Target::Agenda(&facts);
    let mut tools = Tools::default();
    if visitor.may(Operation::Edit, &target) {
        tools.add(ToolKind::Main, format!("{here}/risposta"), c.t("lab.answer_tool"));
    }
    let acts = acts(state, visitor, &p, &i).await?;
    let choices = Choices::of(state, &facts).await?;
    let gap = i.summary.gap_key.as_ref().map(|key| {
        choices.gaps.iter().find(|g| &g.key == key).map(|g| gap_label(&choices.needs, lang, g)).unwrap_or(key.clone())
    });
    let v = &state.vocabularies;
    let terms = v
        .target_group
        .iter()
        .filter(|t| i.target_groups.contains(&t.code))
        .chain(v.life_stage.iter().filter(|t| i.life_stages.contains(&t.code)))
        .map(|t| t.label(lang.code()).to_string())
        .collect();
    let comments = i
        .comment_list
        .iter()
        .map(|cm| CommentRow {
            id: cm.id.clone(),
            byline: format!(
                "{}, {}",
                cm.author.clone().unwrap_or_else(|| c.t("lab.someone").to_string()),
                crate::kit::i18n::date(lang, &cm.created_at)
            ),
            body_html: markdown::to_html(&cm.body),
            state: cm.state,
            hidden_reason: cm.hidden_reason.clone(),
        })
        .collect();
    let timeline = timeline(state, lang, slug, &p, &i).await?;
    let sign_in = visitor.signed_in.is_none().then(|| format!("/accedi?next={here}"));
    let phase_note = (!p.open_to_supports()).then(|| c.t("lab.closed_to_supports").to_string());
    let title = c.fmt("lab.idea_heading", &[("n", &number.to_string()), ("title", &i.summary.title)]);
    let ctx = PageContext::new(lang, &here, "agendas", title)
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(p.agenda_title.clone(), format!("/agende/{slug}"))
        .crumb(p.title.clone(), format!("/agende/{slug}/percorso"))
        .crumb(c.t("lab.ideas"), format!("/agende/{slug}/percorso/idee"))
        .last_crumb()
        .demo(i.summary.is_demo);
    render(IdeaPage {
        ctx,
        tools,
        here,
        byline: byline(lang, &i.summary),
        body_html: markdown::to_html(&i.body),
        gap,
        terms,
        answer: answer_label(lang, i.summary.answer),
        answered: i.answered_at.as_ref().map(|at| crate::kit::i18n::date(lang, at)),
        answer_html: markdown::to_html(&i.answer_note),
        action_href: i.action.as_ref().map(|a| format!("/agende/{slug}/azioni/{}", a.code)),
        merged_href: i.merged_into.map(|n| format!("/agende/{slug}/percorso/idee/{n}")),
        comments,
        acts,
        sign_in,
        phase_note,
        problem,
        timeline,
        i,
    })
}

/// An idea's path: proposed, discussed at meetings, its place in the vote once published, the
/// answer, the action that carries it.
async fn timeline(
    state: &AppState,
    lang: Lang,
    slug: &str,
    p: &Process,
    i: &Idea,
) -> Result<Vec<(String, Option<String>)>, AppError> {
    let c = lang.catalogue();
    let date = |at: &String| crate::kit::i18n::date(lang, at);
    let mut steps = vec![(c.fmt("lab.step_proposed", &[("date", &date(&i.summary.created_at))]), None)];
    for (number, title, day) in state.store.lab_meetings_of_idea(&i.id).await? {
        let text = c.fmt("lab.step_discussed", &[("title", &title), ("date", &date(&day))]);
        steps.push((text, Some(format!("/agende/{slug}/percorso/incontri/{number}"))));
    }
    if p.results_public() {
        let (_, tally) = state.store.lab_tally(&p.id).await?;
        if let Some(at) = tally.iter().position(|t| t.number == i.summary.number) {
            let unit = match p.vote_method {
                agio_domain::VoteMethod::Approval => c.t("lab.approvals"),
                agio_domain::VoteMethod::Points => c.t("lab.points_given"),
            };
            let result = format!("{} {}", tally[at].points, unit.to_lowercase());
            let (rank, of) = ((at + 1).to_string(), tally.len().to_string());
            let text = c.fmt("lab.step_voted", &[("result", &result), ("rank", &rank), ("of", &of)]);
            steps.push((text, Some(format!("/agende/{slug}/percorso/voto"))));
        }
    }
    if let (Some(answer), Some(at)) = (i.summary.answer, &i.answered_at) {
        let text = c.fmt("lab.step_answered", &[("answer", c.label(&answer.label_key())), ("date", &date(at))]);
        steps.push((text, None));
    }
    if let Some(action) = &i.action {
        let text = c.fmt("lab.step_action", &[("code", &action.code), ("title", &action.title)]);
        steps.push((text, Some(format!("/agende/{slug}/azioni/{}", action.code))));
    }
    Ok(steps)
}

async fn acts(state: &AppState, visitor: &Visitor, p: &Process, i: &Idea) -> Result<Acts, AppError> {
    let (Some(signed_in), Some(who)) = (&visitor.signed_in, visitor.principal()) else { return Ok(Acts::default()) };
    let facts = state.store.agenda_facts(&p.agenda_slug).await?.ok_or(AppError::NotFound)?;
    let target = Target::Agenda(&facts);
    let participant = visitor.may(Operation::Participate, &target);
    let moderate = visitor.may(Operation::Moderate, &target);
    let open = i.summary.state == IdeaState::Published;
    let (supported, reported) = state.store.lab_stance(&i.id, &who.person_id).await?;
    let reports = match moderate {
        true => state
            .store
            .lab_reports(&i.id)
            .await?
            .into_iter()
            .map(|(reason, at)| (reason, crate::kit::i18n::date(Lang::It, &at)))
            .collect(),
        false => Vec::new(),
    };
    Ok(Acts {
        csrf: signed_in.csrf_token.clone(),
        supported: (participant && open && p.open_to_supports()).then_some(supported),
        comment: participant && open && p.open_to_supports(),
        report: (participant && open).then_some(reported),
        withdraw: participant && open && i.author_id.as_deref() == Some(who.person_id.as_str()),
        moderate,
        reports,
        own_comments: i
            .comment_list
            .iter()
            .filter(|cm| cm.state == IdeaState::Published && cm.author_id.as_deref() == Some(who.person_id.as_str()))
            .map(|cm| cm.id.clone())
            .collect(),
    })
}

/// The acts posted to an idea, by the last step of their address.
async fn act(
    State(state): State<AppState>,
    lang: Lang,
    Numbered { slug, number, part: what }: Numbered,
    SignedInForm { visitor, body, .. }: SignedInForm,
) -> Result<Response, AppError> {
    let who = visitor.principal().ok_or(AppError::Forbidden)?;
    let input = |name: &str| body.get(name);
    let comment_id = || body.get("comment").filter(|id| !id.is_empty());
    let (act, notice) = match what.as_str() {
        "sostieni" => (Act::Support, Notice::Supported),
        "ritira-sostegno" => (Act::WithdrawSupport, Notice::Unsupported),
        "ritira" => (Act::Withdraw, Notice::Withdrawn),
        "commenti-ritira" => (Act::WithdrawComment(comment_id().ok_or(AppError::NotFound)?), Notice::Withdrawn),
        "commenta" | "segnala" | "nascondi" => {
            let mut reader = Reader::new(&input);
            let read = match what.as_str() {
                "commenta" => CommentEdit::read(&mut reader).map(Act::Comment),
                "segnala" => Some(Act::Report(reader.line("reason"))),
                _ => HideEdit::read(&mut reader).map(|reason| Act::Hide { comment: comment_id(), reason }),
            };
            match reader.conclude(read) {
                Ok(act) => {
                    let notice = match what.as_str() {
                        "commenta" => Notice::Commented,
                        "segnala" => Notice::Reported,
                        _ => Notice::Hidden,
                    };
                    (act, notice)
                }
                Err(errors) => return refused_input(&state, lang, &visitor, &slug, number, &errors, &body).await,
            }
        }
        _ => return Err(AppError::NotFound),
    };
    let changed = agio_app::lab::act(&state, who, &visitor.actor(Channel::Form), &slug, number, &act).await?;
    let to = format!("/agende/{slug}/percorso/idee/{number}");
    if changed {
        tell_the_author(&state, who, &slug, number, &act, &to).await?;
    }
    Ok(notice.redirect(&to, state.secure_cookies))
}

/// A comment is told to the idea's author (unless they wrote it), a hiding to the author of
/// what was hidden.
async fn tell_the_author(
    state: &AppState,
    who: &agio_domain::access::Principal,
    slug: &str,
    number: i64,
    act: &Act,
    path: &str,
) -> Result<(), AppError> {
    let (_, _, idea) = agio_app::lab::idea(state, Some(who), slug, number).await?;
    let (kind, author) = match act {
        Act::Comment(_) => (Notification::IdeaCommented, idea.author_id.clone()),
        Act::Hide { comment: None, .. } => (Notification::IdeaHidden, idea.author_id.clone()),
        Act::Hide { comment: Some(id), .. } => {
            (Notification::IdeaHidden, idea.comment_list.iter().find(|c| &c.id == id).and_then(|c| c.author_id.clone()))
        }
        _ => return Ok(()),
    };
    let Some(author) = author.filter(|a| *a != who.person_id) else { return Ok(()) };
    let n = number.to_string();
    let reason = match act {
        Act::Hide { reason, .. } => reason.hidden_reason.as_str(),
        _ => "",
    };
    let args = [("n", n.as_str()), ("title", idea.summary.title.as_str()), ("reason", reason)];
    super::notify::notify(state, &[author], kind, path, &args).await
}

/// The idea's page again, 422, with the problem of what was sent and the text kept.
async fn refused_input(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    slug: &str,
    number: i64,
    errors: &[FieldError],
    body: &crate::kit::forms::FormBody,
) -> Result<Response, AppError> {
    let c = lang.catalogue();
    let e = errors.first().ok_or(AppError::NotFound)?;
    let text = crate::kit::forms::problem_text(&e.problem, c);
    let typed = body.get(&e.field).unwrap_or_default();
    let page = idea_page(state, lang, visitor, slug, number, Some((text, typed))).await?;
    Ok((axum::http::StatusCode::UNPROCESSABLE_ENTITY, page).into_response())
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agende/{slug}/percorso/idee", get(ideas))
        .route("/agende/{slug}/percorso/idee/{number}", get(idea))
        .route("/agende/{slug}/percorso/idee/{number}/{act}", post(act))
}
