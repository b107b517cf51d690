//! The flow every edit page follows: sign in, decide, show the form at the stored version; on
//! submit check the token, decide again, read every field, save against the version, and on a
//! conflict show both versions and save nothing. What is edited, and the rules, are the
//! `agio_app::editors::Editor`s (shared with the write API); a feature gives each an
//! `EditPage` (its form, title and addresses) and routes it with `edit_route`/`create_route`.

use agio_app::editors::Editor;
use agio_app::Context;
use agio_domain::access::Principal;
use agio_domain::edit::{FieldError, FieldProblem, Reader};
use agio_domain::Channel;
use agio_store::Saved;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;

use crate::kit::auth::{SignedInForm, SignedInVisitor, Visitor};
use crate::kit::error::AppError;
use crate::kit::forms::{values_of, Form, FormBody, Kind};
use crate::kit::i18n::{Catalogue, Lang};
use crate::kit::layout::{render, Comparison, FormPage};
use crate::kit::personal::Notice;
use crate::kit::state::{AppState, PageContext};

/// The HTML side of an editor: its form, its title and where it leads back to.
pub(crate) trait EditPage: Editor {
    /// The form's fields (no values yet), labelled in `lang`.
    fn fields(&self, form: Form, lang: Lang) -> Form;
    /// The page title.
    fn title(&self, c: &Catalogue) -> String;
    /// The name of the record the page edits (the breadcrumb step back to it; none when creating).
    fn record(&self) -> &str;
    /// The record's page, where a save leads.
    fn done(&self) -> String;
    /// The address of the form.
    fn here(&self) -> String;

    /// The site section: its navigation key, the i18n key of its list's title, the list's address.
    fn section(&self) -> (&'static str, &'static str, &'static str) {
        ("agendas", "agendas.title", "/agende")
    }

    /// The lead paragraph above the form.
    fn intro(&self, c: &Catalogue) -> String {
        c.t("edit.intro").to_string()
    }

    /// What submitting will do, a paragraph each (none by default).
    fn notes(&self, _lang: Lang) -> Vec<String> {
        Vec::new()
    }

    /// What to read before submitting (the changes a publication would make); none by default.
    fn see_first(
        &self,
        _state: &AppState,
        _lang: Lang,
    ) -> impl std::future::Future<Output = Result<Option<Comparison>, AppError>> + Send {
        std::future::ready(Ok(None))
    }

    /// What follows a save, once committed (the e-mails it sends); nothing by default.
    fn after_save(
        &self,
        _state: &AppState,
        _saved: &Self::Fields,
    ) -> impl std::future::Future<Output = Result<(), AppError>> + Send {
        std::future::ready(Ok(()))
    }

    /// How field `field` of a stored record shows in the form (lists of comuni by name, amounts
    /// stored in cents written in euros, say). `record` reads the record's fields by name; it
    /// is the editor's own record, or the one saved meanwhile when a save is stale.
    fn shown(&self, field: &str, record: &dyn Fn(&str) -> Option<String>) -> Option<String> {
        record(field)
    }

    /// Title and breadcrumb: the list › the record › this page.
    fn context(&self, lang: Lang) -> PageContext {
        let c = lang.catalogue();
        let (section, list_title, list) = self.section();
        let ctx = PageContext::new(lang, &self.here(), section, self.title(c)).crumb(c.t(list_title), list);
        match self.record() {
            "" => ctx.last_crumb(),
            record => ctx.crumb(record, self.done()).last_crumb(),
        }
    }
}

/// A select of the codes of a closed set, labelled in the visitor's language.
pub(crate) fn options<T: Copy>(
    all: &[T],
    code: impl Fn(T) -> &'static str,
    key: impl Fn(T) -> String,
    c: &Catalogue,
) -> Kind {
    Kind::Select(all.iter().map(|v| (code(*v).to_string(), c.label(&key(*v)).to_string())).collect())
}

async fn page<E: EditPage>(e: &E, state: &AppState, lang: Lang, form: Form) -> Result<FormPage, AppError> {
    let c = lang.catalogue();
    Ok(FormPage {
        ctx: e.context(lang),
        intro: e.intro(c),
        form,
        back: Some((e.done(), c.t("edit.cancel").to_string())),
        alternative: None,
        notes: e.notes(lang),
        see_first: e.see_first(state, lang).await?,
        more: Vec::new(),
    })
}

fn empty_form<E: EditPage>(e: &E, visitor: &Visitor, state: &AppState, lang: Lang) -> Form {
    let (csrf, _) = visitor.csrf_token(state.secure_cookies);
    let c = lang.catalogue();
    e.fields(Form::new(e.here(), csrf, c.t("edit.save")).numbers_in(lang), lang)
}

/// GET: the form filled with the stored record.
async fn show<E: EditPage>(state: &AppState, lang: Lang, visitor: &Visitor, e: &E) -> Result<Response, AppError> {
    e.allowed(visitor.principal())?;
    let (stored, version) = e.current();
    let stored = values_of(stored);
    let form = empty_form(e, visitor, state, lang).version(version).values(&|name: &str| e.shown(name, &stored));
    Ok(render(page(e, state, lang, form).await?)?.into_response())
}

/// POST: validate, save against the version, or show what is wrong or what changed meanwhile.
async fn submit<E: EditPage>(
    state: &AppState,
    lang: Lang,
    visitor: &Visitor,
    e: &E,
    body: &FormBody,
) -> Result<Response, AppError> {
    e.allowed(visitor.principal())?;
    let c = lang.catalogue();
    let input = |name: &str| body.get(name);
    let mut reader = Reader::new(&input);
    let fields = e.read(&mut reader);
    let version = reader.version();
    let form = empty_form(e, visitor, state, lang).values(&input);
    let fields = match reader.conclude(fields) {
        Ok(fields) => fields,
        Err(errors) => {
            let form = form.version(version).errors(&errors, c);
            return Ok((StatusCode::UNPROCESSABLE_ENTITY, render(page(e, state, lang, form).await?)?).into_response());
        }
    };
    e.prepare(&fields).await?;
    let mut w = state.store.begin_write(&visitor.actor(Channel::Form)).await?;
    match e.save(&mut w, &fields, version).await? {
        Saved::Done { .. } => {
            w.commit().await?;
            state.after_write().await?;
            e.after_save(state, &fields).await?;
            let notice = if e.record().is_empty() { Notice::Created } else { Notice::Saved };
            Ok(notice.redirect(&e.done(), state.secure_cookies))
        }
        Saved::Stale { current, version } => {
            drop(w);
            let stale = [FieldError { field: String::new(), problem: FieldProblem::Stale }];
            let theirs = values_of(&current);
            let form = form.version(version).conflict(&|name: &str| e.shown(name, &theirs)).errors(&stale, c);
            Ok((StatusCode::CONFLICT, render(page(e, state, lang, form).await?)?).into_response())
        }
    }
}

/// An edit page found from its address's parameters.
pub(crate) trait FromPath: EditPage + Sized {
    type Params: serde::de::DeserializeOwned + Send;
    /// `who` is asking (a creator's choices depend on their scope).
    fn load(
        state: &AppState,
        who: Option<&Principal>,
        params: Self::Params,
    ) -> impl std::future::Future<Output = Result<Self, AppError>> + Send;
}

/// `FromPath` for editors whose `load(state, …)` takes the address's parameters, in order.
macro_rules! loads_from_path {
    ($($editor:ident($($param:ident),*);)*) => {$(
        impl $crate::kit::edit_page::FromPath for $editor {
            type Params = ($(loads_from_path!(@text $param),)*);
            async fn load(
                state: &$crate::kit::state::AppState,
                _: Option<&agio_domain::access::Principal>,
                ($($param,)*): Self::Params,
            ) -> Result<Self, $crate::kit::error::AppError> {
                Ok($editor::load(state, $(&$param),*).await?)
            }
        }
    )*};
    (@text $param:ident) => { String };
}
pub(crate) use loads_from_path;

async fn edit_get<E: FromPath>(
    State(state): State<AppState>,
    lang: Lang,
    SignedInVisitor { visitor, .. }: SignedInVisitor,
    Path(params): Path<E::Params>,
) -> Result<Response, AppError> {
    show(&state, lang, &visitor, &E::load(&state, visitor.principal(), params).await?).await
}

async fn edit_post<E: FromPath>(
    State(state): State<AppState>,
    lang: Lang,
    Path(params): Path<E::Params>,
    SignedInForm { visitor, body, .. }: SignedInForm,
) -> Result<Response, AppError> {
    submit(&state, lang, &visitor, &E::load(&state, visitor.principal(), params).await?, &body).await
}

/// GET shows the form, POST saves it.
pub(crate) fn edit_route<E: FromPath + 'static>() -> axum::routing::MethodRouter<AppState> {
    get(edit_get::<E>).post(edit_post::<E>)
}

/// A creation form, at an address without parameters.
pub(crate) fn create_route<E: FromPath<Params = ()> + 'static>() -> axum::routing::MethodRouter<AppState> {
    get(|State(state): State<AppState>, lang: Lang, SignedInVisitor { visitor, .. }: SignedInVisitor| async move {
        show(&state, lang, &visitor, &E::load(&state, visitor.principal(), ()).await?).await
    })
    .post(
        |State(state): State<AppState>, lang: Lang, SignedInForm { visitor, body, .. }: SignedInForm| async move {
            submit(&state, lang, &visitor, &E::load(&state, visitor.principal(), ()).await?, &body).await
        },
    )
}
