//! Managing people: the administrators' list of everyone, each agenda's circle for its
//! coordinators, invitations by email, taking roles away, and accepting an invitation.

use agio_app::Context;
use agio_domain::access::{scope_fits, AgendaFacts, Operation, Scope, Target};
use agio_domain::credentials::{check_password, new_token, token_hash};
use agio_domain::edit::{FieldProblem, Reader};
use agio_domain::{Channel, Page, Role};
use agio_store::{Invitation, NewPerson, Person, RoleAssignment};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use time::{Duration, OffsetDateTime};

use crate::accounts::sign_in::SignedInWith;
use crate::kit::auth::{CheckedForm, SignedIn, SignedInForm, SignedInVisitor, Visitor};
use crate::kit::error::AppError;
use crate::kit::forms::{Form, FormBody, Kind};
use crate::kit::i18n::{Catalogue, Lang};
use crate::kit::layout::FormPage;
use crate::kit::layout::{here, page_base, render};
use crate::kit::personal::Notice;
use crate::kit::query::{LinkToken, Params};
use crate::kit::state::{AppState, PageContext};

/// How long an invitation link works.
const INVITATION_LIFETIME: Duration = Duration::days(7);

fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// A role as listed, with the revoke form when the visitor may take it away.
pub struct RoleRow {
    pub person: Person,
    pub role: RoleAssignment,
    pub revocable: bool,
}

#[derive(Template)]
#[template(path = "accounts/people.html")]
struct PeoplePage {
    ctx: PageContext,
    intro: String,
    rows: Vec<RoleRow>,
    /// People without any role (administrators' list only).
    unassigned: Vec<Person>,
    csrf: String,
    /// Where the revoke buttons come back to.
    back: String,
    /// The agenda whose circle the page shows (a coordinator revokes within it).
    agenda_slug: Option<String>,
    invite: Option<Form>,
    invite_link: Option<(String, String)>,
    search: Option<(String, Page<()>, String)>,
}

/// Who may take this role away (see `access::decide`): the target of the role.
fn may_revoke(visitor: &Visitor, role: &RoleAssignment, agenda: Option<&AgendaFacts>) -> bool {
    if visitor.may(Operation::Administer, &Target::Region) {
        return true;
    }
    let Some(agenda) = agenda else { return false };
    match (role.role, role.scope_kind.as_str()) {
        (Role::Coordinator, "agenda") if role.scope_id == agenda.agenda_id => {
            visitor.may(Operation::ManageRoles, &Target::Agenda(agenda))
        }
        (Role::Referent, "organization") => {
            visitor.may(Operation::ManageRoles, &Target::Partner(agenda, &role.scope_id))
        }
        _ => false,
    }
}

// --- the administrators' list -------------------------------------------------------------

async fn all_people(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, session: s }: SignedInVisitor,
    params: Params,
) -> Result<Response, AppError> {
    let here_path = here("/amministrazione/persone", &params, &["q"]);
    visitor.require(Operation::Administer, &Target::Region)?;
    let q = params.text("q")?;
    let found = state.store.people(q.as_deref(), params.page()?).await?;
    let mut rows = Vec::new();
    let mut unassigned = Vec::new();
    for person in &found.items {
        let roles = state.store.role_assignments(&person.id).await?;
        if roles.is_empty() {
            unassigned.push(person.clone());
        }
        rows.extend(roles.into_iter().map(|role| RoleRow { person: person.clone(), role, revocable: true }));
    }
    let c = lang.catalogue();
    let ctx = PageContext::new(lang, &here_path, "", c.t("people.title"))
        .crumb(c.t("account.title"), "/area-personale")
        .last_crumb();
    let page = Page {
        items: vec![],
        page: found.page,
        per_page: found.per_page,
        total: found.total,
        total_pages: found.total_pages,
    };
    render(PeoplePage {
        ctx,
        intro: c.t("people.intro").to_string(),
        rows,
        unassigned,
        csrf: s.csrf_token,
        back: here_path,
        agenda_slug: None,
        invite: None,
        invite_link: Some(("/amministrazione/invita".into(), c.t("invite.title").into())),
        search: Some((q.unwrap_or_default(), page, page_base("/amministrazione/persone", &params, &["q"]))),
    })
    .map(IntoResponse::into_response)
}

fn role_options(roles: &[Role], c: &Catalogue) -> Kind {
    Kind::Select(roles.iter().map(|r| (r.code().to_string(), c.label(&r.label_key()).to_string())).collect())
}

/// The administrators' invitation form: any role, any scope.
async fn admin_invite_form(state: &AppState, lang: Lang, csrf: &str) -> Result<Form, AppError> {
    let c = lang.catalogue();
    let agendas =
        state.store.list_agendas(&Default::default(), agio_domain::PageRequest { page: 1, per_page: 100 }).await?;
    let agendas = agendas.items.into_iter().map(|a| (a.slug, a.title)).collect();
    let districts = crate::kit::layout::territory_options(&state.store, None).await?;
    let organizations = state
        .store
        .list_organizations(&Default::default(), agio_domain::PageRequest { page: 1, per_page: 100 })
        .await?;
    let organizations = organizations.items.into_iter().map(|o| (o.slug, o.name)).collect();
    Ok(Form::new("/amministrazione/invita", csrf, c.t("invite.send"))
        .field("email", c.t("sign_in.email"), Kind::Email, true)
        .field("role", c.t("invite.role"), role_options(Role::ALL, c), true)
        .field("agenda", c.t("invite.agenda"), Kind::Select(agendas), false)
        .hint(c.t("invite.agenda_hint"))
        .field("territory", c.t("invite.territory"), Kind::Select(districts), false)
        .hint(c.t("invite.territory_hint"))
        .field("organization", c.t("invite.organization"), Kind::Select(organizations), false)
        .hint(c.t("invite.organization_hint")))
}

fn invite_page(lang: Lang, here: &str, back: (&str, &str), form: Form) -> FormPage {
    let c = lang.catalogue();
    FormPage {
        ctx: PageContext::new(lang, here, "", c.t("invite.title")).crumb(c.t(back.1), back.0).last_crumb(),
        intro: c.t("invite.intro").to_string(),
        form,
        back: None,
        alternative: None,
        notes: vec![],
        see_first: None,
        more: Vec::new(),
    }
}

async fn admin_invite_get(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, session: s }: SignedInVisitor,
) -> Result<Response, AppError> {
    visitor.require(Operation::Administer, &Target::Region)?;
    let form = admin_invite_form(&state, lang, &s.csrf_token).await?;
    render(invite_page(lang, "/amministrazione/invita", ("/amministrazione/persone", "people.title"), form))
        .map(IntoResponse::into_response)
}

/// Reads an invitation form: an email, a role and exactly the scope that role takes.
async fn read_invitation(
    state: &AppState,
    body: &FormBody,
) -> Result<Result<(String, Role, Scope), Vec<agio_domain::edit::FieldError>>, AppError> {
    let input = |name: &str| body.get(name);
    let mut reader = Reader::new(&input);
    let email = agio_store::normalize_email(&reader.line("email"));
    if !email.is_empty() && (!email.contains('@') || email.chars().any(char::is_whitespace)) {
        reader.fail("email", FieldProblem::NotOneOf { allowed: vec!["nome@dominio.it".into()] });
    }
    let role = reader.code::<Role>("role");
    let given = |name: &str| body.get(name).filter(|v| !v.trim().is_empty());
    let scope = match (given("agenda"), given("territory"), given("organization")) {
        (Some(slug), None, None) => state.store.agenda_facts(&slug).await?.map(|f| Scope::Agenda(f.agenda_id)),
        (None, Some(key), None) => state.store.territory(&key).await?.map(|t| Scope::Territory(t.id)),
        (None, None, Some(slug)) => state.store.organization(&slug).await?.map(|o| Scope::Organization(o.id)),
        (None, None, None) => Some(Scope::Everywhere),
        _ => None,
    };
    if let Some(role) = role {
        if !scope.as_ref().is_some_and(|s| scope_fits(role, s)) {
            let field = match role {
                Role::Referent => "organization",
                Role::Coordinator => "agenda",
                _ => "role",
            };
            reader.fail(field, FieldProblem::NotOneOf { allowed: vec![] });
        }
    }
    Ok(match (reader.finish(|| email), role, scope) {
        (Ok(email), Some(role), Some(scope)) => Ok((email, role, scope)),
        (Err(errors), _, _) => Err(errors),
        // A missing role or scope was reported by the reader above.
        (Ok(_), _, _) => Err(vec![]),
    })
}

/// Records the invitation and sends the link.
async fn send_invitation(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    email: &str,
    role: Role,
    scope: &Scope,
) -> Result<(), AppError> {
    let token = new_token();
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    w.invite(&token_hash(&token), email, role, scope, &rfc3339(OffsetDateTime::now_utc() + INVITATION_LIFETIME))
        .await?;
    w.commit().await?;
    let c = lang.catalogue();
    let inviter = visitor.signed_in.as_ref().map(|s| s.person.name.clone()).unwrap_or_default();
    let link = format!("{}/accedi/invito?token={token}", state.base_url);
    let text =
        c.fmt("invite.mail_body", &[("inviter", &inviter), ("role", c.label(&role.label_key())), ("link", &link)]);
    state.mailer.send(&state.store, lang, email, c.t("invite.mail_subject"), &text).await;
    Ok(())
}

async fn admin_invite_post(
    State(state): State<AppState>,
    lang: Lang,
    SignedInForm { visitor, session: s, body }: SignedInForm,
) -> Result<Response, AppError> {
    visitor.require(Operation::Administer, &Target::Region)?;
    match read_invitation(&state, &body).await? {
        Ok((email, role, scope)) => {
            send_invitation(&state, lang, &visitor, &email, role, &scope).await?;
            Ok(Notice::Invited.redirect("/amministrazione/persone", state.secure_cookies))
        }
        Err(errors) => {
            let input = |name: &str| body.get(name);
            let form =
                admin_invite_form(&state, lang, &s.csrf_token).await?.values(&input).errors(&errors, lang.catalogue());
            let page = invite_page(lang, "/amministrazione/invita", ("/amministrazione/persone", "people.title"), form);
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
        }
    }
}

// --- an agenda's circle ------------------------------------------------------------------

async fn agenda_invite_form(
    state: &AppState,
    lang: Lang,
    facts: &AgendaFacts,
    slug: &str,
    csrf: &str,
) -> Result<Form, AppError> {
    let c = lang.catalogue();
    let mut organizations = Vec::new();
    for id in &facts.lead_organizations {
        if let Some(o) = state.store.organization_by_id(id).await? {
            organizations.push((o.slug, o.name));
        }
    }
    Ok(Form::new(format!("/agende/{slug}/persone"), csrf, c.t("invite.send"))
        .field("email", c.t("sign_in.email"), Kind::Email, true)
        .field("role", c.t("invite.role"), role_options(&[Role::Coordinator, Role::Referent], c), true)
        .field("organization", c.t("invite.organization"), Kind::Select(organizations), false)
        .hint(c.t("invite.agenda_organization_hint")))
}

async fn agenda_people_page(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    s: &SignedIn,
    slug: &str,
    form: Option<Form>,
) -> Result<PeoplePage, AppError> {
    let here_path = format!("/agende/{slug}/persone");
    let facts = state.store.agenda_facts(slug).await?.ok_or(AppError::NotFound)?;
    visitor.require(Operation::ManageRoles, &Target::Agenda(&facts))?;
    let agenda = state.store.agenda(slug).await?.ok_or(AppError::NotFound)?;
    let mut rows = Vec::new();
    for (person, role) in
        state.store.agenda_people(&facts.agenda_id, &facts.territory_path, &facts.lead_organizations).await?
    {
        let revocable = may_revoke(visitor, &role, Some(&facts));
        rows.push(RoleRow { person, role, revocable });
    }
    let c = lang.catalogue();
    let form = match form {
        Some(form) => form,
        None => agenda_invite_form(state, lang, &facts, slug, &s.csrf_token).await?,
    };
    let ctx = PageContext::new(lang, &here_path, "agendas", c.fmt("people.agenda_title", &[("agenda", &agenda.title)]))
        .crumb(c.t("agendas.title"), "/agende")
        .crumb(agenda.title.clone(), format!("/agende/{slug}"))
        .last_crumb();
    Ok(PeoplePage {
        ctx,
        intro: c.t("people.agenda_intro").to_string(),
        rows,
        unassigned: vec![],
        csrf: s.csrf_token.clone(),
        back: here_path,
        agenda_slug: Some(slug.to_string()),
        invite: Some(form),
        invite_link: None,
        search: None,
    })
}

async fn agenda_people(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, session: s }: SignedInVisitor,
    Path(slug): Path<String>,
) -> Result<Response, AppError> {
    render(agenda_people_page(&state, lang, &visitor, &s, &slug, None).await?).map(IntoResponse::into_response)
}

async fn agenda_invite(
    State(state): State<AppState>,
    lang: Lang,
    Path(slug): Path<String>,
    SignedInForm { visitor, session: s, body }: SignedInForm,
) -> Result<Response, AppError> {
    let facts = state.store.agenda_facts(&slug).await?.ok_or(AppError::NotFound)?;
    visitor.require(Operation::ManageRoles, &Target::Agenda(&facts))?;
    // A coordinator invites to this agenda only: fellow coordinators, or referents of its leads.
    let mut body = body.clone();
    body.0.retain(|(name, _)| name != "agenda" && name != "territory");
    if body.get("role").as_deref() == Some("coordinator") {
        body.0.push(("agenda".into(), slug.clone()));
        body.0.retain(|(name, _)| name != "organization");
    }
    let outcome = match read_invitation(&state, &body).await? {
        Ok((email, role, scope)) => {
            let allowed = match &scope {
                Scope::Agenda(id) => *id == facts.agenda_id,
                Scope::Organization(id) => visitor.may(Operation::ManageRoles, &Target::Partner(&facts, id)),
                _ => false,
            };
            if allowed {
                send_invitation(&state, lang, &visitor, &email, role, &scope).await?;
                return Ok(Notice::Invited.redirect(&format!("/agende/{slug}/persone"), state.secure_cookies));
            }
            vec![agio_domain::edit::FieldError {
                field: "organization".into(),
                problem: FieldProblem::NotOneOf { allowed: vec![] },
            }]
        }
        Err(errors) => errors,
    };
    let input = |name: &str| body.get(name);
    let form = agenda_invite_form(&state, lang, &facts, &slug, &s.csrf_token)
        .await?
        .values(&input)
        .errors(&outcome, lang.catalogue());
    let page = agenda_people_page(&state, lang, &visitor, &s, &slug, Some(form)).await?;
    Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page)?).into_response())
}

/// Takes a role away; `agenda` (a slug) names the circle a coordinator acts in.
async fn revoke(
    State(state): State<AppState>,
    Path((person_id, assignment_id)): Path<(String, String)>,
    SignedInForm { visitor, body, .. }: SignedInForm,
) -> Result<Response, AppError> {
    let person = state.store.person(&person_id).await?.ok_or(AppError::NotFound)?;
    let role = state
        .store
        .role_assignments(&person_id)
        .await?
        .into_iter()
        .find(|r| r.id == assignment_id)
        .ok_or(AppError::NotFound)?;
    let facts = match body.get("agenda") {
        Some(slug) => state.store.agenda_facts(&slug).await?,
        None => None,
    };
    if !may_revoke(&visitor, &role, facts.as_ref()) {
        return Err(AppError::Forbidden);
    }
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    w.revoke_role(&person, &role).await?;
    w.commit().await?;
    // Who may do what has changed: sessions kept in memory are read again (kit::auth).
    state.after_write().await?;
    let back = crate::accounts::sign_in::safe_next(body.get("next").as_deref());
    Ok(Notice::Revoked.redirect(&back, state.secure_cookies))
}

// --- accepting an invitation ----------------------------------------------------------------

fn message(lang: Lang, status: StatusCode, title_key: &str, text_key: &str) -> Result<Response, AppError> {
    super::sign_in_message(lang, "/accedi/invito", status, title_key, text_key)
}

async fn open_invitation(state: &AppState, token: &str) -> Result<Option<Invitation>, AppError> {
    Ok(state.store.invitation(&token_hash(token), &rfc3339(OffsetDateTime::now_utc())).await?)
}

fn accept_form(lang: Lang, csrf: &str, token: &str, has_account: bool) -> Form {
    let c = lang.catalogue();
    let form =
        Form::new(format!("/accedi/invito?token={}", crate::kit::query::encode(token)), csrf, c.t("invite.accept"));
    if has_account {
        return form;
    }
    form.field("name", c.t("account.name"), Kind::Line, true)
        .autocomplete("name")
        .field("organization_name", c.t("account.organization"), Kind::Line, false)
        .autocomplete("organization")
        .field("password", c.t("reset.new_password"), Kind::Password, true)
        .hint(c.t("reset.password_hint"))
        .autocomplete("new-password")
        .field("confirm", c.t("reset.confirm"), Kind::Password, true)
        .autocomplete("new-password")
}

fn accept_page(lang: Lang, invitation: &Invitation, token: &str, form: Form) -> FormPage {
    let c = lang.catalogue();
    let scope =
        if invitation.scope_label.is_empty() { String::new() } else { format!(" — {}", invitation.scope_label) };
    let intro = c.fmt(
        "invite.accept_intro",
        &[("email", &invitation.email), ("role", &format!("{}{scope}", c.label(&invitation.role.label_key())))],
    );
    FormPage {
        ctx: PageContext::new(
            lang,
            &format!("/accedi/invito?token={}", crate::kit::query::encode(token)),
            "",
            c.t("invite.accept_title"),
        )
        .last_crumb(),
        intro,
        form,
        back: None,
        alternative: None,
        notes: vec![],
        see_first: None,
        more: Vec::new(),
    }
}

async fn accept_get(
    State(state): State<AppState>,
    lang: Lang,
    visitor: Visitor,
    LinkToken(token): LinkToken,
) -> Result<Response, AppError> {
    let Some(invitation) = open_invitation(&state, &token).await? else {
        return message(lang, StatusCode::GONE, "invite.invalid_title", "invite.invalid");
    };
    let has_account = state.store.person_by_email(&invitation.email).await?.is_some();
    let (csrf, cookie) = visitor.csrf_token(state.secure_cookies);
    let page = render(accept_page(lang, &invitation, &token, accept_form(lang, &csrf, &token, has_account)))?;
    Ok(crate::kit::layout::with_form_cookie(cookie, page))
}

async fn accept_post(
    State(state): State<AppState>,
    lang: Lang,
    LinkToken(token): LinkToken,
    CheckedForm { visitor, body }: CheckedForm,
) -> Result<Response, AppError> {
    let c = lang.catalogue();
    let Some(invitation) = open_invitation(&state, &token).await? else {
        return message(lang, StatusCode::GONE, "invite.invalid_title", "invite.invalid");
    };
    let existing = state.store.person_by_email(&invitation.email).await?.map(|(p, _)| p);
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    let (person, created) = match existing {
        Some(person) => (person, false),
        None => {
            let input = |name: &str| body.get(name);
            let mut reader = Reader::new(&input);
            let name = reader.line("name");
            let organization_name = reader.opt_line("organization_name").unwrap_or_default();
            let password = body.get("password").unwrap_or_default();
            let (csrf, _) = visitor.csrf_token(state.secure_cookies);
            let mut form = accept_form(lang, &csrf, &token, false).values(&input);
            if let Err(errors) = reader.finish(|| ()) {
                form = form.errors(&errors, c);
            }
            if let Err(problem) = check_password(&password, &invitation.email) {
                form = form.error_text("password", c.t(problem.label_key()).to_string());
            } else if body.get("confirm").as_deref() != Some(password.as_str()) {
                form = form.error_text("confirm", c.t("reset.mismatch").to_string());
            }
            if !form.summary.is_empty() {
                return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(accept_page(lang, &invitation, &token, form))?)
                    .into_response());
            }
            let new = NewPerson {
                email: invitation.email.clone(),
                name,
                organization_name,
                password_hash: Some(crate::accounts::sign_in::hash_password(&password).await?),
                is_demo: false,
            };
            (w.create_person(&new).await?, true)
        }
    };
    if !w.accept_invitation(&token_hash(&token)).await? {
        return message(lang, StatusCode::GONE, "invite.invalid_title", "invite.invalid");
    }
    w.grant_role(&person, invitation.role, &invitation.scope).await?;
    w.commit().await?;
    // Who may do what has changed: sessions kept in memory are read again (kit::auth).
    state.after_write().await?;
    // A new account is signed in at once: the link proved the address, the password is set.
    if created {
        let cookie = crate::accounts::sign_in::start_session(&state, &person, SignedInWith::Password).await?;
        return Ok((
            StatusCode::SEE_OTHER,
            [(header::SET_COOKIE, cookie), (header::LOCATION, "/area-personale".parse().expect("a path"))],
        )
            .into_response());
    }
    message(lang, StatusCode::OK, "invite.accepted_title", "invite.accepted")
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/amministrazione/persone", get(all_people))
        .route("/amministrazione/invita", get(admin_invite_get).post(admin_invite_post))
        .route("/agende/{slug}/persone", get(agenda_people).post(agenda_invite))
        .route("/persone/{person}/ruoli/{role}/revoca", post(revoke))
        .route("/accedi/invito", get(accept_get).post(accept_post))
}
