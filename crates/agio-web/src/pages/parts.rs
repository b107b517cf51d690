//! The parts of an action that are lists: the organisations taking part, and the budget lines.
//! Each has a page listing them, with a remove button per line and a form to add one; the
//! action's editors (its coordinators, its lead's referents, administrators) may use it.

use agio_domain::access::Operation;
use agio_domain::edit::{FieldError, NewBudgetLine, NewPartner, Reader};
use agio_domain::model::Action;
use agio_domain::{Channel, PartnerRole};
use agio_store::EntityRef;
use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use super::account::signed_in_or_redirect;
use super::render;
use crate::auth::Visitor;
use crate::editors::ActionEditor;
use crate::error::AppError;
use crate::forms::{Form, FormBody, Kind};
use crate::i18n::Lang;
use crate::web::{AppState, PageContext};

/// Which list of the action.
#[derive(Clone, Copy, PartialEq, Eq)]
enum List {
    Partners,
    Budget,
}

impl List {
    fn segment(self) -> &'static str {
        match self {
            List::Partners => "soggetti",
            List::Budget => "budget",
        }
    }
}

pub struct PartRow {
    pub cells: Vec<String>,
    /// Where the remove button posts.
    pub remove: String,
}

#[derive(Template)]
#[template(path = "parts.html")]
struct PartsPage {
    ctx: PageContext,
    intro: String,
    headers: Vec<String>,
    rows: Vec<PartRow>,
    add_title: String,
    form: Form,
    back: String,
}

/// The action, its editor (for the rule), after checking the visitor may edit it.
async fn load(state: &AppState, visitor: &Visitor, slug: &str, code: &str) -> Result<(ActionEditor, Action), AppError> {
    let editor = ActionEditor::load(state, slug, code).await?;
    visitor.require(Operation::Edit, &editor.target())?;
    let action = state.store.action(slug, code).await?.ok_or(AppError::NotFound)?;
    Ok((editor, action))
}

fn base(slug: &str, code: &str, list: List) -> String {
    format!("/agende/{slug}/azioni/{code}/{}", list.segment())
}

fn form(state: &AppState, list: List, lang: Lang, slug: &str, code: &str, csrf: &str) -> Form {
    let c = lang.catalogue();
    let form = Form::new(base(slug, code, list), csrf, c.t("create.submit"));
    match list {
        List::Partners => {
            let roles =
                PartnerRole::ALL.iter().map(|r| (r.code().to_string(), c.label(&r.label_key()).to_string())).collect();
            // The organisations to choose from are filled in by `page` (those not yet taking part).
            form.field("organization", c.t("organization.name"), Kind::Select(Vec::new()), true)
                .field("role", c.t("action.role"), Kind::Select(roles), true)
                .field("role_description", c.t("action.contribution"), Kind::Line, false)
        }
        List::Budget => {
            let sources = state
                .vocabularies
                .funding_source
                .iter()
                .map(|t| (t.code.clone(), t.label(lang.code()).to_string()))
                .collect();
            form.field("funding_source", c.t("parts.funding_source"), Kind::Select(sources), true)
                .field("amount", c.t("action.amount"), Kind::Number, true)
                .hint(c.t("parts.amount_hint"))
                .field("cup", c.t("parts.cup"), Kind::Line, false)
                .hint(c.t("parts.cup_hint"))
                .field("description", c.t("action.line"), Kind::Line, false)
        }
    }
}

async fn page(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    slug: &str,
    code: &str,
    list: List,
    filled: Option<(&FormBody, Vec<FieldError>)>,
) -> Result<Response, AppError> {
    let here = base(slug, code, list);
    let s = match signed_in_or_redirect(visitor, &here) {
        Ok(s) => s,
        Err(redirect) => return Ok(redirect.into_response()),
    };
    let (_, action) = load(state, visitor, slug, code).await?;
    let c = lang.catalogue();
    let organizations = state
        .store
        .list_organizations(&Default::default(), agio_domain::PageRequest { page: 1, per_page: 100 })
        .await?;
    let mut form = form(state, list, lang, slug, code, &s.csrf_token);
    if list == List::Partners {
        let choices: Vec<(String, String)> = organizations
            .items
            .iter()
            .filter(|o| !action.partners.iter().any(|p| p.organization.slug == o.slug))
            .map(|o| (o.slug.clone(), o.name.clone()))
            .collect();
        form.fields[0].kind = Kind::Select(choices);
    }
    let (headers, rows, title, add) = match list {
        List::Partners => (
            vec![
                c.t("organization.name").to_string(),
                c.t("action.role").to_string(),
                c.t("action.contribution").to_string(),
            ],
            action
                .partners
                .iter()
                .map(|p| PartRow {
                    cells: vec![
                        p.organization.name.clone(),
                        c.label(&p.role.label_key()).to_string(),
                        p.role_description.clone(),
                    ],
                    remove: format!("{here}/{}/rimuovi", p.organization.slug),
                })
                .collect(),
            "parts.partners_title",
            "parts.add_partner",
        ),
        List::Budget => (
            vec![
                c.t("action.line").to_string(),
                c.t("parts.funding_source").to_string(),
                c.t("action.amount").to_string(),
                c.t("parts.cup").to_string(),
            ],
            action
                .budget
                .iter()
                .map(|b| PartRow {
                    cells: vec![
                        if b.description.is_empty() { "—".into() } else { b.description.clone() },
                        b.funding_source.label(lang.code()).to_string(),
                        crate::i18n::euros(lang, b.amount_cents),
                        b.cup.clone().unwrap_or_else(|| "—".into()),
                    ],
                    remove: format!("{here}/{}/rimuovi", b.id),
                })
                .collect(),
            "parts.budget_title",
            "parts.add_line",
        ),
    };
    let status = match filled {
        Some((body, errors)) => {
            let input = |name: &str| body.get(name);
            form = form.values(&input).errors(&errors, c);
            StatusCode::UNPROCESSABLE_ENTITY
        }
        None => {
            let defaults = |name: &str| (name == "role").then(|| "partner".to_string());
            form = form.values(&defaults);
            StatusCode::OK
        }
    };
    let label = format!("{} — {}", action.summary.code, action.summary.title);
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
    visitor: &Visitor,
    slug: &str,
    code: &str,
    list: List,
    body: FormBody,
) -> Result<Response, AppError> {
    if visitor.signed_in.is_none() {
        return Err(AppError::Forbidden);
    }
    visitor.check_csrf(body.csrf().as_deref())?;
    let (editor, action) = load(state, visitor, slug, code).await?;
    let input = |name: &str| body.get(name);
    let mut reader = Reader::new(&input);
    let entity = EntityRef { kind: "action", id: &editor.stored.id, label: &editor.stored.label };
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    let outcome = match list {
        List::Partners => {
            let organizations: Vec<String> = state
                .store
                .list_organizations(&Default::default(), agio_domain::PageRequest { page: 1, per_page: 100 })
                .await?
                .items
                .into_iter()
                .map(|o| o.slug)
                .collect();
            let taking_part: Vec<String> = action.partners.iter().map(|p| p.organization.slug.clone()).collect();
            let has_lead = action.partners.iter().any(|p| p.role == PartnerRole::Lead);
            let new = NewPartner::read(&mut reader, &organizations, &taking_part, has_lead);
            match reader.conclude(new) {
                Ok(new) => {
                    let organization = state.store.organization(&new.organization).await?.ok_or(AppError::NotFound)?;
                    w.add_partner(&entity, &organization.id, &new).await?;
                    Ok(())
                }
                Err(errors) => Err(errors),
            }
        }
        List::Budget => {
            let sources: Vec<String> = state.vocabularies.funding_source.iter().map(|t| t.code.clone()).collect();
            let new = NewBudgetLine::read(&mut reader, &sources);
            match reader.conclude(new) {
                Ok(new) => {
                    w.add_budget_line(&entity, &new).await?;
                    Ok(())
                }
                Err(errors) => Err(errors),
            }
        }
    };
    match outcome {
        Ok(()) => {
            w.commit().await?;
            state.after_write().await?;
            Ok(Redirect::to(&base(slug, code, list)).into_response())
        }
        Err(errors) => {
            drop(w);
            page(state, lang, visitor, slug, code, list, Some((&body, errors))).await
        }
    }
}

async fn remove(
    state: &AppState,
    visitor: &Visitor,
    slug: &str,
    code: &str,
    list: List,
    item: &str,
    body: FormBody,
) -> Result<Response, AppError> {
    if visitor.signed_in.is_none() {
        return Err(AppError::Forbidden);
    }
    visitor.check_csrf(body.csrf().as_deref())?;
    let (editor, _) = load(state, visitor, slug, code).await?;
    let entity = EntityRef { kind: "action", id: &editor.stored.id, label: &editor.stored.label };
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    let removed = match list {
        List::Partners => {
            let organization = state.store.organization(item).await?.ok_or(AppError::NotFound)?;
            w.remove_partner(&entity, &organization.id, item).await?
        }
        List::Budget => w.remove_budget_line(&entity, item).await?,
    };
    if !removed {
        return Err(AppError::NotFound);
    }
    w.commit().await?;
    state.after_write().await?;
    Ok(Redirect::to(&base(slug, code, list)).into_response())
}

/// The page of a list (GET) and its add form (POST).
fn list_route(list: List) -> axum::routing::MethodRouter<AppState> {
    get(
        move |State(state): State<AppState>,
              lang: Lang,
              visitor: Visitor,
              Path((slug, code)): Path<(String, String)>| async move {
            page(&state, lang, &visitor, &slug, &code, list, None).await
        },
    )
    .post(
        move |State(state): State<AppState>,
              lang: Lang,
              visitor: Visitor,
              Path((slug, code)): Path<(String, String)>,
              body: FormBody| async move { add(&state, lang, &visitor, &slug, &code, list, body).await },
    )
}

/// The remove button of one line.
fn remove_route(list: List) -> axum::routing::MethodRouter<AppState> {
    post(
        move |State(state): State<AppState>,
              visitor: Visitor,
              Path((slug, code, item)): Path<(String, String, String)>,
              body: FormBody| async move { remove(&state, &visitor, &slug, &code, list, &item, body).await },
    )
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agende/{slug}/azioni/{code}/soggetti", list_route(List::Partners))
        .route("/agende/{slug}/azioni/{code}/soggetti/{item}/rimuovi", remove_route(List::Partners))
        .route("/agende/{slug}/azioni/{code}/budget", list_route(List::Budget))
        .route("/agende/{slug}/azioni/{code}/budget/{item}/rimuovi", remove_route(List::Budget))
}
