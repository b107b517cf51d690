//! New objectives and actions of an agenda, for its coordinators (the rules are in
//! `agio_app::editors::AgendaCreator`, shared with the write API).

use agio_domain::edit::{FieldError, Reader};
use agio_domain::Channel;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;

use crate::agenda::editing::agenda_fields;
use crate::agenda::editing::{action_fields, objective_fields};
use crate::kit::auth::{SignedInForm, SignedInVisitor};
use crate::kit::edit_page::{EditPage, FromPath};
use crate::kit::error::AppError;
use crate::kit::forms::{Form, Kind};
use crate::kit::i18n::Catalogue;
use crate::kit::i18n::Lang;
use crate::kit::layout::render;
use crate::kit::layout::FormPage;
use crate::kit::personal::Notice;
use crate::kit::state::{AppState, PageContext};
use agio_app::editors::AgendaCreator;
use agio_app::records::NewAgendaEditor;
use agio_domain::access::Principal;

/// What is being added.
#[derive(Clone, Copy)]
enum What {
    Objective,
    Action,
}

impl What {
    fn here(self, slug: &str) -> String {
        match self {
            What::Objective => format!("/agende/{slug}/obiettivi/nuovo"),
            What::Action => format!("/agende/{slug}/azioni/nuova"),
        }
    }

    fn title_key(self) -> &'static str {
        match self {
            What::Objective => "create.objective_title",
            What::Action => "create.action_title",
        }
    }
}

fn form(what: What, creator: &AgendaCreator, lang: Lang, csrf: &str) -> Form {
    let c = lang.catalogue();
    let form = Form::new(what.here(&creator.slug), csrf, c.t("create.submit"));
    match what {
        What::Objective => objective_fields(form, c),
        What::Action => {
            let objectives =
                creator.objectives.iter().map(|(code, title)| (code.clone(), format!("{code} — {title}"))).collect();
            action_fields(form.field("objective", c.t("action.objective"), Kind::Select(objectives), true), c)
                .field("lead", c.t("action.lead"), Kind::Select(creator.organizations.clone()), false)
                .hint(c.t("create.lead_hint"))
        }
    }
}

fn page(what: What, creator: &AgendaCreator, lang: Lang, form: Form) -> FormPage {
    let c = lang.catalogue();
    FormPage {
        ctx: PageContext::new(lang, &what.here(&creator.slug), "agendas", c.t(what.title_key()))
            .crumb(c.t("agendas.title"), "/agende")
            .crumb(creator.title.clone(), format!("/agende/{}", creator.slug))
            .last_crumb(),
        intro: c.t("edit.intro").to_string(),
        form,
        back: Some((format!("/agende/{}", creator.slug), c.t("edit.cancel").to_string())),
        alternative: None,
        notes: vec![],
        see_first: None,
        more: Vec::new(),
    }
}

async fn show(
    state: &AppState,
    lang: Lang,
    who: &SignedInVisitor,
    slug: &str,
    what: What,
) -> Result<Response, AppError> {
    let creator = AgendaCreator::load(state, slug).await?;
    creator.allowed(who.visitor.principal())?;
    let defaults = |name: &str| match name {
        "term" => Some("short".to_string()),
        "status" => Some("proposed".to_string()),
        _ => None,
    };
    let form = form(what, &creator, lang, &who.session.csrf_token).values(&defaults);
    Ok(render(page(what, &creator, lang, form))?.into_response())
}

async fn submit(
    state: &AppState,
    lang: Lang,
    SignedInForm { visitor, session, body }: SignedInForm,
    slug: &str,
    what: What,
) -> Result<Response, AppError> {
    let creator = AgendaCreator::load(state, slug).await?;
    creator.allowed(visitor.principal())?;
    let input = |name: &str| body.get(name);
    let actor = visitor.actor(Channel::Form);
    let created = match what {
        What::Objective => creator.create_objective(state, &actor, Reader::new(&input)).await?,
        What::Action => creator.create_action(state, &actor, Reader::new(&input)).await?,
    };
    match created {
        Ok(code) => {
            let to = match what {
                What::Objective => format!("/agende/{slug}#obj-{code}"),
                What::Action => format!("/agende/{slug}/azioni/{code}"),
            };
            Ok(Notice::Created.redirect(&to, state.secure_cookies))
        }
        Err(errors) => {
            let errors: Vec<FieldError> = errors;
            let form = form(what, &creator, lang, &session.csrf_token).values(&input).errors(&errors, lang.catalogue());
            Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page(what, &creator, lang, form))?).into_response())
        }
    }
}

/// GET shows the form for `what`, POST adds it.
fn create_in_agenda(what: What) -> axum::routing::MethodRouter<AppState> {
    get(move |State(state): State<AppState>, lang: Lang, who: SignedInVisitor, Path(slug): Path<String>| async move {
        show(&state, lang, &who, &slug, what).await
    })
    .post(
        move |State(state): State<AppState>, lang: Lang, Path(slug): Path<String>, form: SignedInForm| async move {
            submit(&state, lang, form, &slug, what).await
        },
    )
}

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agende/nuova", crate::kit::edit_page::create_route::<NewAgendaEditor>())
        .route("/agende/{slug}/obiettivi/nuovo", create_in_agenda(What::Objective))
        .route("/agende/{slug}/azioni/nuova", create_in_agenda(What::Action))
}

impl EditPage for NewAgendaEditor {
    fn fields(&self, form: Form, lang: Lang) -> Form {
        let c = lang.catalogue();
        let form = form
            .field("territory", c.t("agenda.territory"), Kind::Select(self.territories.clone()), true)
            .hint(c.t("create.territory_hint"));
        agenda_fields(form, c)
    }

    fn title(&self, c: &Catalogue) -> String {
        c.t("create.agenda_title").to_string()
    }

    fn record(&self) -> &str {
        ""
    }

    fn done(&self) -> String {
        self.created.get().map_or_else(|| "/agende".into(), |slug| format!("/agende/{slug}"))
    }

    fn here(&self) -> String {
        "/agende/nuova".into()
    }
}

impl FromPath for NewAgendaEditor {
    type Params = ();
    async fn load(state: &AppState, who: Option<&Principal>, _: ()) -> Result<Self, AppError> {
        Ok(NewAgendaEditor::load(state, who).await?)
    }
}
