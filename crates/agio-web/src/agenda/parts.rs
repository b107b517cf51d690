//! The lists inside an action: organisations taking part, budget lines, expected results,
//! indicators and digital assets. Each has a page listing its lines, with a remove button per
//! line and a form to add one; the rules are in `crate::action_parts`, shared with the API.

use agio_domain::edit::{FieldError, Reader};
use agio_domain::Channel;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::agenda::editing::{budget_fields, indicator_fields, partner_fields, result_fields};
use crate::kit::auth::{SignedInForm, SignedInVisitor};
use crate::kit::error::AppError;
use crate::kit::forms::{Form, FormBody, Kind};
use crate::kit::i18n::Lang;
use crate::kit::layout::render;
use crate::kit::personal::Notice;
use crate::kit::state::{AppState, PageContext};
use agio_app::parts::{Part, PartsEditor};

/// A line of a table with one button (remove, restore), as `m::line_table` shows it.
pub struct PartRow {
    pub cells: Vec<String>,
    /// Where the line's button posts.
    pub post: String,
    /// Where the line is edited, when it can be.
    pub edit: Option<String>,
}

#[derive(Template)]
#[template(path = "agenda/parts.html")]
struct PartsPage {
    ctx: PageContext,
    intro: String,
    headers: Vec<String>,
    rows: Vec<PartRow>,
    add_title: String,
    form: Form,
    back: String,
}

fn base(slug: &str, code: &str, part: Part) -> String {
    format!("/agende/{slug}/azioni/{code}/{}", part.segment())
}

/// The add form of `part`; `choices` fills the select naming what the line is about.
fn form(state: &AppState, part: Part, lang: Lang, here: &str, csrf: &str, choices: Vec<(String, String)>) -> Form {
    let c = lang.catalogue();
    let form = Form::new(here.to_string(), csrf, c.t("create.submit"));
    match part {
        Part::Partners => {
            partner_fields(form.field("organization", c.t("organization.name"), Kind::Select(choices), true), c)
        }
        Part::BudgetLines => budget_fields(form, lang, &state.vocabularies.funding_source),
        Part::Results => result_fields(form, c),
        Part::Indicators => {
            indicator_fields(form.field("result", c.t("parts.measured_result"), Kind::Select(choices), true), c)
        }
        Part::Assets => {
            form.field("asset", c.t("parts.asset"), Kind::Select(choices), true).hint(c.t("parts.asset_hint"))
        }
    }
}

/// The lines of `part`, as table headers and rows.
fn table(part: Part, e: &PartsEditor, lang: Lang, here: &str) -> (Vec<String>, Vec<PartRow>) {
    let c = lang.catalogue();
    let x = &e.detail;
    let headers = |keys: &[&str]| keys.iter().map(|k| c.t(k).to_string()).collect();
    // Organisations, budget lines and results are edited in place; indicators from the action
    // page; a linked asset is only linked or not.
    let editable = matches!(part, Part::Partners | Part::BudgetLines | Part::Results);
    let row = |cells: Vec<String>, item: &str| PartRow {
        cells,
        post: format!("{here}/{item}/rimuovi"),
        edit: editable.then(|| format!("{here}/{item}/modifica")),
    };
    let dash = |v: &str| if v.is_empty() { "—".to_string() } else { v.to_string() };
    match part {
        Part::Partners => (
            headers(&["organization.name", "action.role", "action.contribution"]),
            x.partners
                .iter()
                .map(|p| {
                    let cells = vec![
                        p.organization.name.clone(),
                        c.label(&p.role.label_key()).to_string(),
                        dash(&p.role_description),
                    ];
                    row(cells, &p.organization.slug)
                })
                .collect(),
        ),
        Part::BudgetLines => (
            headers(&["action.line", "parts.funding_source", "action.amount", "parts.cup"]),
            x.budget
                .iter()
                .map(|b| {
                    let cells = vec![
                        dash(&b.description),
                        b.funding_source.label(lang.code()).to_string(),
                        crate::kit::i18n::euros(lang, b.amount_cents),
                        b.cup.clone().unwrap_or_else(|| "—".into()),
                    ];
                    row(cells, &b.id)
                })
                .collect(),
        ),
        Part::Results => (
            headers(&["parts.result_description", "parts.result_kind", "action.indicators"]),
            x.results
                .iter()
                .map(|r| {
                    let cells = vec![
                        r.description.clone(),
                        c.label(&r.kind.label_key()).to_string(),
                        r.indicators.len().to_string(),
                    ];
                    row(cells, &r.id)
                })
                .collect(),
        ),
        Part::Indicators => (
            headers(&["indicator.name", "parts.measured_result", "indicator.unit", "indicator.target"]),
            x.results
                .iter()
                .flat_map(|r| r.indicators.iter().map(move |i| (r, i)))
                .map(|(r, i)| {
                    let target =
                        i.target_value.map(|v| crate::kit::i18n::decimal(lang, v)).unwrap_or_else(|| "—".into());
                    row(vec![i.name.clone(), r.description.clone(), i.unit.clone(), target], &i.id)
                })
                .collect(),
        ),
        Part::Assets => (
            headers(&["parts.asset", "asset.kind"]),
            x.assets
                .iter()
                .map(|a| row(vec![a.name.clone(), c.label(&a.kind.label_key()).to_string()], &a.slug))
                .collect(),
        ),
    }
}

fn texts(part: Part) -> (&'static str, &'static str) {
    match part {
        Part::Partners => ("parts.partners_title", "parts.add_partner"),
        Part::BudgetLines => ("parts.budget_title", "parts.add_line"),
        Part::Results => ("parts.results_title", "parts.add_result"),
        Part::Indicators => ("parts.indicators_title", "parts.add_indicator"),
        Part::Assets => ("parts.assets_title", "parts.add_asset"),
    }
}

async fn page(
    state: &AppState,
    lang: Lang,
    SignedInVisitor { visitor, session: s }: &SignedInVisitor,
    (slug, code): (&str, &str),
    part: Part,
    filled: Option<(&FormBody, Vec<FieldError>)>,
) -> Result<Response, AppError> {
    let here = base(slug, code, part);
    let e = PartsEditor::load(state, visitor.principal(), slug, code, part).await?;
    let c = lang.catalogue();
    let mut form = form(state, part, lang, &here, &s.csrf_token, e.choices(part).unwrap_or_default());
    let (headers, rows) = table(part, &e, lang, &here);
    let status = match filled {
        Some((body, errors)) => {
            let input = |name: &str| body.get(name);
            form = form.values(&input).errors(&errors, c);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => {
            let defaults = |name: &str| match name {
                "role" => Some("partner".to_string()),
                "kind" => Some("output".to_string()),
                "direction" => Some("increase".to_string()),
                "frequency" => Some("quarter".to_string()),
                "weight" => Some("1".to_string()),
                _ => None,
            };
            form = form.values(&defaults);
            StatusCode::OK
        }
    };
    let (title, add) = texts(part);
    let label = format!("{} — {}", e.detail.summary.code, e.detail.summary.title);
    let ctx = PageContext::new(lang, &here, "agendas", c.fmt(title, &[("action", &label)]))
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(label, format!("/agende/{slug}/azioni/{code}"))
        .last_crumb();
    let page = PartsPage {
        ctx,
        intro: c.t("parts.intro").to_string(),
        headers,
        rows,
        add_title: c.t(add).to_string(),
        form,
        back: format!("/agende/{slug}/azioni/{code}"),
    };
    Ok((status, render(page)?).into_response())
}

async fn add(
    state: &AppState,
    lang: Lang,
    SignedInForm { visitor, session, body }: SignedInForm,
    (slug, code): (&str, &str),
    part: Part,
) -> Result<Response, AppError> {
    let e = PartsEditor::load(state, visitor.principal(), slug, code, part).await?;
    let input = |name: &str| body.get(name);
    match e.add(state, &visitor.actor(Channel::Form), part, Reader::new(&input)).await? {
        Ok(_) => Ok(Notice::Saved.redirect(&base(slug, code, part), state.secure_cookies)),
        Err(errors) => {
            let who = SignedInVisitor { visitor, session };
            page(state, lang, &who, (slug, code), part, Some((&body, errors))).await
        }
    }
}

async fn remove(
    state: &AppState,
    SignedInForm { visitor, .. }: SignedInForm,
    (slug, code, item): (&str, &str, &str),
    part: Part,
) -> Result<Response, AppError> {
    let e = PartsEditor::load(state, visitor.principal(), slug, code, part).await?;
    e.remove(state, &visitor.actor(Channel::Form), part, item).await?;
    Ok(Notice::Saved.redirect(&base(slug, code, part), state.secure_cookies))
}

/// The page of a list (GET) and its add form (POST).
fn list_route(part: Part) -> axum::routing::MethodRouter<AppState> {
    get(
        move |State(state): State<AppState>,
              lang: Lang,
              who: SignedInVisitor,
              Path((slug, code)): Path<(String, String)>| async move {
            page(&state, lang, &who, (&slug, &code), part, None).await
        },
    )
    .post(
        move |State(state): State<AppState>,
              lang: Lang,
              Path((slug, code)): Path<(String, String)>,
              form: SignedInForm| async move { add(&state, lang, form, (&slug, &code), part).await },
    )
}

/// The remove button of one line.
fn remove_route(part: Part) -> axum::routing::MethodRouter<AppState> {
    post(
        move |State(state): State<AppState>,
              Path((slug, code, item)): Path<(String, String, String)>,
              form: SignedInForm| async move { remove(&state, form, (&slug, &code, &item), part).await },
    )
}

pub fn router() -> Router<AppState> {
    Part::ALL.iter().fold(Router::new(), |router, part| {
        let list = format!("/agende/{{slug}}/azioni/{{code}}/{}", part.segment());
        router.route(&list, list_route(*part)).route(&format!("{list}/{{item}}/rimuovi"), remove_route(*part))
    })
}
