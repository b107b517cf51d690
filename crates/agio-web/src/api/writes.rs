//! The write API: the same editors as the forms (`crate::editors`), authenticated by personal
//! access tokens. A change is a JSON object with the fields to change and the `version` it
//! starts from; fields left out keep their stored value, `null` clears an optional one.
//! Invalid fields answer 422 listing every one; a stale version answers 409 with the stored
//! values; nothing is saved in either case.

use agio_app::Context;
use agio_domain::edit::{
    FieldError, FieldProblem, IndicatorEdit, NewAssetLink, NewIndicator, NewPartner, Reader, ResultEdit,
};
use agio_domain::model::{Action, Agenda, Objective, Organization};
use agio_domain::TokenScope;
use agio_store::{Person, RoleAssignment, Saved};
use axum::body::Bytes;
use axum::extract::{FromRequest, MatchedPath, Path, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::Json;
use serde::Serialize;
use utoipa::ToSchema;

use crate::kit::auth::TokenCaller;
use crate::kit::error::{AppError, Problem};
use crate::kit::forms::{values_of, whole, MAX_FORM_BYTES};
use crate::kit::state::AppState;
use agio_app::editors::{
    ActionEditor, AgendaCreator, AgendaEditor, BudgetLineEditor, Editor, IndicatorEditor, ObjectiveEditor,
    OrganizationEditor, PartnerEditor, ResultEditor, StatusEditor,
};
use agio_app::parts::{Part, PartsEditor};

/// A JSON object body, and every way it departs from its operation's request schema (which the
/// handler answers with the editors' own findings, once it knows the caller may write).
pub struct JsonObject(pub(super) serde_json::Map<String, serde_json::Value>, pub(super) Vec<FieldError>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = AppError;

    async fn from_request(request: Request, state: &S) -> Result<JsonObject, AppError> {
        let json =
            request.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| {
                v.split(';').next().is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
            });
        if !json {
            return Err(AppError::UnreadableBody("send Content-Type: application/json".into()));
        }
        // The operation, whose request schema the body must follow.
        let method = request.method().as_str().to_string();
        let operation = request.extensions().get::<MatchedPath>().map(|p| p.as_str().to_string()).unwrap_or_default();
        let bytes = Bytes::from_request(request, state)
            .await
            .map_err(|_| AppError::UnreadableBody(format!("larger than {} KB", MAX_FORM_BYTES / 1024)))?;
        if bytes.len() > MAX_FORM_BYTES {
            return Err(AppError::UnreadableBody(format!("larger than {} KB", MAX_FORM_BYTES / 1024)));
        }
        match serde_json::from_slice(&bytes) {
            Ok(body @ serde_json::Value::Object(_)) => {
                let problems = super::contract::body_problems(&method, &operation, &body);
                let map = body.as_object().cloned().unwrap_or_default();
                Ok(JsonObject(map, problems))
            }
            Ok(_) => Err(AppError::UnreadableBody("the body must be a JSON object".into())),
            Err(e) => Err(AppError::UnreadableBody(format!("not JSON: {e}"))),
        }
    }
}

/// A value the readers take: a string, a number or null; for a field that is a list, an array
/// of strings (read one per line); for a yes-or-no field, a boolean. `stored` is the field's
/// stored value, which says what kind it is.
fn plain(value: &serde_json::Value, stored: Option<&serde_json::Value>) -> bool {
    match value {
        serde_json::Value::Array(items) => {
            stored.is_some_and(serde_json::Value::is_array) && items.iter().all(serde_json::Value::is_string)
        }
        serde_json::Value::Bool(_) => stored.is_some_and(serde_json::Value::is_boolean),
        serde_json::Value::Object(_) => false,
        _ => true,
    }
}

/// PATCH changes the fields it names; PUT replaces the whole record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum How {
    Merge,
    Replace,
}

impl How {
    pub(super) fn of(method: &Method) -> How {
        if method == Method::PUT {
            How::Replace
        } else {
            How::Merge
        }
    }
}

/// Applies a change with the editor's rules; returns the new version.
pub(super) async fn apply<E: Editor>(
    state: &AppState,
    caller: &TokenCaller,
    e: &E,
    JsonObject(body, off_contract): JsonObject,
    how: How,
) -> Result<i64, AppError> {
    if caller.scope != TokenScope::Write {
        return Err(AppError::Forbidden);
    }
    e.allowed(Some(&caller.principal))?;
    let (stored, _) = e.current();
    let mut merged = match serde_json::to_value(stored) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => return Err(AppError::Internal("an editable record is not a JSON object".into())),
    };
    // What kind each field is (a list, a yes or no), known from the stored record.
    let kinds = merged.clone();
    if how == How::Replace {
        // A PUT gives the whole record: what it leaves out is empty, and required fields must be there.
        merged.values_mut().for_each(|v| *v = serde_json::Value::Null);
    }
    let mut errors = Vec::new();
    let mut version = None;
    let sent: Vec<String> = body.keys().cloned().collect();
    for (name, value) in body {
        let problem = match (&value, name.as_str()) {
            (serde_json::Value::Number(n), "version") => {
                version = whole(n);
                version.is_none().then_some(FieldProblem::NotANumber)
            }
            (_, "version") => Some(FieldProblem::NotANumber),
            (_, _) if !merged.contains_key(&name) => Some(FieldProblem::Unknown),
            (value, name) if !plain(value, kinds.get(name)) => Some(FieldProblem::WrongType),
            _ => None,
        };
        match problem {
            Some(problem) => errors.push(FieldError { field: name, problem }),
            None if name != "version" => {
                merged.insert(name, value);
            }
            None => {}
        }
    }
    if version.is_none() && !errors.iter().any(|e| e.field == "version") {
        errors.push(FieldError { field: "version".into(), problem: FieldProblem::Required });
    }
    let input = values_of(&merged);
    let mut reader = Reader::new(&input);
    let fields = e.read(&mut reader);
    // A PATCH that breaks a rule between two fields against the other one's saved value clashes
    // with the record as it is, rather than being wrong in itself.
    let unsent = |f: &&str| !sent.iter().any(|s| s == f);
    errors.extend(reader.errors.into_iter().map(|mut error| {
        let partner = error.problem.partner(&error.field).filter(|_| how == How::Merge);
        let saved = partner.and_then(|partner| {
            [partner, error.field.as_str()].into_iter().find(unsent).map(|with| (partner, with.to_string()))
        });
        if let Some((partner, with)) = saved {
            // Named at the field the body sent: the reader names the end, the body may have
            // sent only the start.
            if with == error.field {
                error.field = partner.to_string();
            }
            error.problem = FieldProblem::AgainstSaved { with };
        }
        error
    }));
    merge(&mut errors, off_contract);
    let (Some(fields), Some(version), true) = (fields, version, errors.is_empty()) else {
        return Err(AppError::Invalid(errors));
    };
    e.prepare(&fields).await?;
    let mut w = state.store.begin_write(&caller.actor()).await?;
    match e.save(&mut w, &fields, version).await? {
        Saved::Done { version } => {
            w.commit().await?;
            state.after_write().await?;
            Ok(version)
        }
        Saved::Stale { current, version } => Err(AppError::Stale { current: serde_json::json!(current), version }),
    }
}

/// A body that adds a record: what is added has no version yet, whatever version the body
/// gives, so a POST never meets a stale save (a version that is no whole number is still named).
pub(super) fn as_new(JsonObject(mut body, off_contract): JsonObject) -> JsonObject {
    let a_version = |v: &serde_json::Value| v.is_null() || v.as_number().and_then(whole).is_some();
    if body.get("version").is_none_or(a_version) {
        body.insert("version".into(), serde_json::json!(0));
    }
    JsonObject(body, off_contract)
}

/// Adds the departures from the request schema to the editors' findings, one per field: a
/// field the editors found wrong keeps their (more precise) message.
fn merge(errors: &mut Vec<FieldError>, off_contract: Vec<FieldError>) {
    for problem in off_contract {
        if !errors.iter().any(|e| e.field == problem.field) {
            errors.push(problem);
        }
    }
}

// The bodies below document the API; `apply` reads them field by field with the editors' rules.
// Every field but `version` is optional: left out, it keeps its stored value.

/// Fields of an agenda to change, and the version the change starts from.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct AgendaChange {
    /// The agenda's `version` when it was read.
    version: i64,
    #[schema(nullable = false, min_length = 1, pattern = r"\S")]
    title: Option<String>,
    #[schema(nullable = false, minimum = 1900, maximum = 2100)]
    period_start: Option<i64>,
    #[schema(nullable = false, minimum = 1900, maximum = 2100)]
    period_end: Option<i64>,
    /// Markdown.
    vision: Option<String>,
    /// Markdown.
    context: Option<String>,
}

/// Fields of an action to change, and the version the change starts from.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ActionChange {
    /// The action's `version` when it was read.
    version: i64,
    #[schema(nullable = false, min_length = 1, pattern = r"\S")]
    title: Option<String>,
    /// Markdown.
    description: Option<String>,
    #[schema(nullable = false)]
    term: Option<agio_domain::ActionTerm>,
    #[schema(nullable = false)]
    status: Option<agio_domain::ActionStatus>,
    /// `YYYY-MM-DD`, or null.
    start_date: Option<String>,
    /// `YYYY-MM-DD`, or null.
    end_date: Option<String>,
    zone_plan_ref: Option<String>,
}

/// Fields of an indicator to change, and the version of its action the change starts from.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct IndicatorChange {
    /// The action's `version` when it was read.
    version: i64,
    name: Option<String>,
    unit: Option<String>,
    baseline_value: Option<f64>,
    baseline_year: Option<i64>,
    target_value: Option<f64>,
    target_year: Option<i64>,
    direction: Option<agio_domain::Direction>,
    /// How often it is measured: quarter (the default), semester, year.
    frequency: Option<agio_domain::Frequency>,
    /// Weight in the action's progress, 0–100 (default 1).
    #[schema(minimum = 0, maximum = 100)]
    weight: Option<i64>,
}

/// Fields of an organisation's profile to change, and the version the change starts from.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct OrganizationChange {
    /// The organisation's `version` when it was read.
    version: i64,
    #[schema(nullable = false, min_length = 1, pattern = r"\S")]
    name: Option<String>,
    /// An `organization_type` vocabulary code.
    #[schema(nullable = false, min_length = 1, pattern = r"\S")]
    org_type: Option<String>,
    /// Codice fiscale (16 characters) or partita IVA (11 digits), or null.
    tax_code: Option<String>,
    description: Option<String>,
    /// An http(s) address, or null.
    website: Option<String>,
}

/// A new objective: its code (O1, O2, …) is given by the agenda.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ObjectiveCreation {
    #[schema(min_length = 1, pattern = r"\S")]
    title: String,
    /// Markdown.
    description: Option<String>,
}

/// A new action: its code (A01, A02, …) is given by the agenda.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ActionCreation {
    /// The code of one of the agenda's objectives.
    #[schema(min_length = 1, pattern = r"\S")]
    objective: String,
    #[schema(min_length = 1, pattern = r"\S")]
    title: String,
    /// Markdown.
    description: Option<String>,
    term: agio_domain::ActionTerm,
    status: agio_domain::ActionStatus,
    /// The slug of the leading organisation.
    lead: Option<String>,
}

/// A move of the agenda workflow, with its note, and the version it starts from.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct StatusChange {
    /// The agenda's `version` when it was read.
    version: i64,
    status: agio_domain::AgendaStatus,
    /// Why (for example the act of approval): kept in the history.
    #[schema(min_length = 1, pattern = r"\S")]
    note: String,
}

/// An indicator after a change, with the new version of its action.
#[derive(Serialize, ToSchema)]
pub struct IndicatorSaved {
    pub version: i64,
    pub indicator: IndicatorEdit,
}

/// The owner of the token and their roles.
#[derive(Serialize, ToSchema)]
pub struct Me {
    pub person: Person,
    pub roles: Vec<RoleAssignment>,
    pub token_scope: TokenScope,
}

/// The owner of the token in use, their roles and the token's scope.
#[utoipa::path(get, path = "/api/v1/me", tag = "editing", security(("token" = [])),
    responses((status = 200, body = Me), (status = 401, body = Problem, content_type = "application/problem+json")))]
pub async fn me(State(s): State<AppState>, caller: TokenCaller) -> Result<Json<Me>, AppError> {
    let roles = s.store.role_assignments(&caller.person.id).await?;
    Ok(Json(Me { person: caller.person, roles, token_scope: caller.scope }))
}

/// Change an agenda's title, period, vision or context.
#[utoipa::path(patch, path = "/api/v1/agendas/{slug}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Agenda slug")),
    request_body(content = AgendaChange, content_type = "application/json"),
    responses(
        (status = 200, body = Agenda, description = "The agenda after the change"),
        ChangeProblems,
    ))]
pub async fn patch_agenda(
    State(s): State<AppState>,
    method: Method,
    caller: TokenCaller,
    Path(slug): Path<String>,
    body: JsonObject,
) -> Result<Json<Agenda>, AppError> {
    apply(&s, &caller, &AgendaEditor::load(&s, &slug).await?, body, How::of(&method)).await?;
    Ok(Json(s.store.agenda(&slug).await?.ok_or(AppError::NotFound)?))
}

/// Move an agenda along its workflow (bozza → in consultazione → approvata → archiviata, back
/// from consultazione to bozza, and approvata again), with a note. Each approval publishes an
/// immutable version, which the public reads.
#[utoipa::path(post, path = "/api/v1/agendas/{slug}/status", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Agenda slug")),
    request_body(content = StatusChange, content_type = "application/json"),
    responses(
        (status = 200, body = Agenda, description = "The agenda after the move"),
        ChangeProblems,
    ))]
pub async fn move_agenda(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(slug): Path<String>,
    body: JsonObject,
) -> Result<Json<Agenda>, AppError> {
    apply(&s, &caller, &StatusEditor::load(&s, &slug).await?, body, How::Merge).await?;
    Ok(Json(s.store.agenda(&slug).await?.ok_or(AppError::NotFound)?))
}

/// Change an action's title, description, term, status, dates or Piano di Zona reference.
#[utoipa::path(patch, path = "/api/v1/agendas/{slug}/actions/{code}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Agenda slug"), ("code" = String, Path, description = "Action code, e.g. A01")),
    request_body(content = ActionChange, content_type = "application/json"),
    responses(
        (status = 200, body = Action, description = "The action after the change"),
        ChangeProblems,
    ))]
pub async fn patch_action(
    State(s): State<AppState>,
    method: Method,
    caller: TokenCaller,
    Path((slug, code)): Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<Action>, AppError> {
    apply(&s, &caller, &ActionEditor::load(&s, &slug, &code).await?, body, How::of(&method)).await?;
    Ok(Json(s.store.action(&slug, &code).await?.ok_or(AppError::NotFound)?))
}

/// Change an indicator of an action (its values, years, unit or direction).
#[utoipa::path(patch, path = "/api/v1/agendas/{slug}/actions/{code}/indicators/{id}", tag = "editing",
    security(("token" = [])),
    params(
        ("slug" = String, Path, description = "Agenda slug"),
        ("code" = String, Path, description = "Action code"),
        ("id" = String, Path, description = "Indicator id"),
    ),
    request_body(content = IndicatorChange, content_type = "application/json"),
    responses(
        (status = 200, body = IndicatorSaved, description = "The indicator after the change"),
        ChangeProblems,
    ))]
pub async fn patch_indicator(
    State(s): State<AppState>,
    method: Method,
    caller: TokenCaller,
    Path((slug, code, id)): Path<(String, String, String)>,
    body: JsonObject,
) -> Result<Json<IndicatorSaved>, AppError> {
    let e = IndicatorEditor::load(&s, &slug, &code, &id).await?;
    let version = apply(&s, &caller, &e, body, How::of(&method)).await?;
    let action_id = &e.action.stored.id;
    let indicator = s.store.indicator_for_edit(action_id, &id).await?.ok_or(AppError::NotFound)?;
    Ok(Json(IndicatorSaved { version, indicator }))
}

/// Change an organisation's profile (its referents and the administrators).
#[utoipa::path(patch, path = "/api/v1/organizations/{slug}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Organisation slug")),
    request_body(content = OrganizationChange, content_type = "application/json"),
    responses(
        (status = 200, body = Organization, description = "The organisation after the change"),
        ChangeProblems,
    ))]
pub async fn patch_organization(
    State(s): State<AppState>,
    method: Method,
    caller: TokenCaller,
    Path(slug): Path<String>,
    body: JsonObject,
) -> Result<Json<Organization>, AppError> {
    apply(&s, &caller, &OrganizationEditor::load(&s, &slug).await?, body, How::of(&method)).await?;
    Ok(Json(s.store.organization(&slug).await?.ok_or(AppError::NotFound)?))
}

/// Fields of an objective to change, and the version the change starts from.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ObjectiveChange {
    /// The objective's `version` when it was read.
    version: i64,
    #[schema(nullable = false, min_length = 1, pattern = r"\S")]
    title: Option<String>,
    /// Markdown.
    description: Option<String>,
}

/// Fields of an expected result to change, and the version of its action the change starts from.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ResultChange {
    /// The action's `version` when it was read.
    version: i64,
    #[schema(nullable = false)]
    kind: Option<agio_domain::ResultKind>,
    #[schema(nullable = false, min_length = 1, pattern = r"\S")]
    description: Option<String>,
}

/// Change a shared objective of an agenda (its coordinators and the administrators).
#[utoipa::path(patch, path = "/api/v1/agendas/{slug}/objectives/{code}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Agenda slug"), ("code" = String, Path, description = "Objective code, e.g. O1")),
    request_body(content = ObjectiveChange, content_type = "application/json"),
    responses((status = 200, body = Objective, description = "The objective after the change"), ChangeProblems))]
pub async fn patch_objective(
    State(s): State<AppState>,
    method: Method,
    caller: TokenCaller,
    Path((slug, code)): Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<Objective>, AppError> {
    apply(&s, &caller, &ObjectiveEditor::load(&s, &slug, &code).await?, body, How::of(&method)).await?;
    Ok(Json(s.store.objective(&slug, &code).await?.ok_or(AppError::NotFound)?))
}

/// Replace an objective's fields: those left out are emptied (and required ones must be given).
#[utoipa::path(put, path = "/api/v1/agendas/{slug}/objectives/{code}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Agenda slug"), ("code" = String, Path, description = "Objective code, e.g. O1")),
    request_body(content = ObjectiveChange, content_type = "application/json"),
    responses((status = 200, body = Objective, description = "The objective after the change"), ChangeProblems))]
pub async fn put_objective(
    state: State<AppState>,
    caller: TokenCaller,
    path: Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<Objective>, AppError> {
    patch_objective(state, Method::PUT, caller, path, body).await
}

/// The two endpoints that change one item of an action's part, by its id or slug: PATCH (the
/// fields given) and PUT (all of them), both answering with the action, with their OpenAPI
/// descriptions.
macro_rules! part_item_endpoints {
    ($editor:ident, $body:tt, $patch:ident: $patch_doc:tt, $put:ident: $put_doc:tt, $path:tt, $item_doc:tt) => {
        #[doc = $patch_doc]
        #[utoipa::path(patch, path = $path, tag = "editing",
            security(("token" = [])), params(ActionPath, ("item" = String, Path, description = $item_doc)),
            request_body(content = $body, content_type = "application/json"),
            responses((status = 200, body = Action, description = "The action after the change"), ChangeProblems))]
        pub async fn $patch(
            State(s): State<AppState>,
            method: Method,
            caller: TokenCaller,
            Path((slug, code, item)): Path<(String, String, String)>,
            body: JsonObject,
        ) -> Result<Json<Action>, AppError> {
            apply(&s, &caller, &$editor::load(&s, &slug, &code, &item).await?, body, How::of(&method)).await?;
            Ok(Json(s.store.action(&slug, &code).await?.ok_or(AppError::NotFound)?))
        }

        #[doc = $put_doc]
        #[utoipa::path(put, path = $path, tag = "editing",
            security(("token" = [])), params(ActionPath, ("item" = String, Path, description = $item_doc)),
            request_body(content = $body, content_type = "application/json"),
            responses((status = 200, body = Action, description = "The action after the change"), ChangeProblems))]
        pub async fn $put(
            state: State<AppState>,
            caller: TokenCaller,
            path: Path<(String, String, String)>,
            body: JsonObject,
        ) -> Result<Json<Action>, AppError> {
            $patch(state, Method::PUT, caller, path, body).await
        }
    };
}

part_item_endpoints!(
    ResultEditor, ResultChange,
    patch_result: "Change an expected result of an action (its kind or description).",
    put_result: "Replace an expected result's fields: both must be given.",
    "/api/v1/agendas/{slug}/actions/{code}/results/{item}", "Expected result id"
);

/// Fields of an organisation's part in an action to change, and the action's version.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct PartnerChange {
    /// The action's `version` when it was read.
    version: i64,
    #[schema(nullable = false)]
    role: Option<agio_domain::PartnerRole>,
    role_description: Option<String>,
}

/// Fields of a budget line to change, and the action's version.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct BudgetLineChange {
    /// The action's `version` when it was read.
    version: i64,
    /// A `funding_source` vocabulary code.
    #[schema(nullable = false, min_length = 1, pattern = r"\S")]
    funding_source: Option<String>,
    /// Whole euro cents.
    amount_cents: Option<i64>,
    cup: Option<String>,
    description: Option<String>,
}

part_item_endpoints!(
    PartnerEditor, PartnerChange,
    patch_partner: "Change an organisation's role or contribution in an action.",
    put_partner: "Replace an organisation's part in an action: the role must be given.",
    "/api/v1/agendas/{slug}/actions/{code}/partners/{item}", "Organisation slug"
);

part_item_endpoints!(
    BudgetLineEditor, BudgetLineChange,
    patch_budget_line: "Change a budget line of an action.",
    put_budget_line: "Replace a budget line: its source and amount must be given.",
    "/api/v1/agendas/{slug}/actions/{code}/budget-lines/{item}", "Budget line id"
);

/// The problem answers of a change: 400 unreadable body, 401 no valid token, 403 not allowed
/// (or a read-only token), 404 no such record, 409 saved by someone else since or a clash with
/// the present state, 422 invalid fields.
pub struct ChangeProblems;

/// The problem answers of a creation: as for a change, its 409 only a clash with the present state.
pub struct CreateProblems;

/// What a 409 with `invalid_params` says: the values clash with the present state
/// (`FieldProblem::is_conflict`), and the same request may succeed once it changes.
const CLASH: &str = "The values clash with the present state (already there, taken, below what is spent, \
    not a move from the present status), every one listed in invalid_params: nothing saved";

fn problems(
    statuses: &[(u16, &str)],
) -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::Response>> {
    use utoipa::openapi::{ContentBuilder, Ref, ResponseBuilder};
    statuses
        .iter()
        .map(|(status, description)| {
            let content = ContentBuilder::new().schema(Some(Ref::from_schema_name("Problem"))).build();
            let response =
                ResponseBuilder::new().description(*description).content("application/problem+json", content).build();
            (status.to_string(), response.into())
        })
        .collect()
}

const COMMON_PROBLEMS: &[(u16, &str)] = &[
    (400, "The body cannot be read (not a JSON object, too large, wrong content type)"),
    (401, "No valid personal access token"),
    (403, "Not allowed to the token's owner, or a read-only token"),
    (404, "No such record (or not visible to the token's owner)"),
    (422, "Invalid fields, every one listed in invalid_params"),
];

impl utoipa::IntoResponses for ChangeProblems {
    fn responses() -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::Response>> {
        let mut all = problems(COMMON_PROBLEMS);
        let stale = "Saved by someone else since `version`: nothing saved; the stored values are in current";
        all.extend(problems(&[(409, &format!("{stale}. Or: {CLASH}"))]));
        all
    }
}

impl utoipa::IntoResponses for CreateProblems {
    fn responses() -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::Response>> {
        let mut all = problems(COMMON_PROBLEMS);
        all.extend(problems(&[(409, CLASH)]));
        all
    }
}

/// The fields of a creation body, once the token may write, and what is wrong with the body
/// before its fields are read: departures from the request schema, and values that are not a
/// string, a number or null (`lists` names the fields that are lists).
pub(super) fn creation_input(
    caller: &TokenCaller,
    JsonObject(body, mut problems): JsonObject,
    lists: &[&str],
) -> Result<Creation<impl Fn(&str) -> Option<String> + Sync>, AppError> {
    if caller.scope != TokenScope::Write {
        return Err(AppError::Forbidden);
    }
    let a_list = serde_json::Value::Array(Vec::new());
    let wrong = body
        .iter()
        .filter(|(name, v)| !plain(v, lists.contains(&name.as_str()).then_some(&a_list)))
        .map(|(name, _)| FieldError { field: name.clone(), problem: FieldProblem::WrongType });
    merge(&mut problems, wrong.collect());
    Ok(Creation { input: values_of(&body), problems })
}

/// A creation body's fields, and what was found wrong with it before they are read.
pub(super) struct Creation<F> {
    pub input: F,
    pub problems: Vec<FieldError>,
}

/// Reads a creation body with the creator's rules.
async fn create(
    s: &AppState,
    caller: &TokenCaller,
    creator: &AgendaCreator,
    body: JsonObject,
    objective: bool,
) -> Result<String, AppError> {
    creator.allowed(Some(&caller.principal))?;
    let Creation { input, problems } = creation_input(caller, body, &[])?;
    let reader = Reader::new(&input).with_problems(problems);
    let created = if objective {
        creator.create_objective(s, &caller.actor(), reader).await?
    } else {
        creator.create_action(s, &caller.actor(), reader).await?
    };
    created.map_err(AppError::Invalid)
}

/// Add an objective to an agenda (its coordinators and the administrators).
#[utoipa::path(post, path = "/api/v1/agendas/{slug}/objectives", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Agenda slug")),
    request_body(content = ObjectiveCreation, content_type = "application/json"),
    responses(
        (status = 201, body = Objective, description = "The new objective"),
        CreateProblems,
    ))]
pub async fn create_objective(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(slug): Path<String>,
    body: JsonObject,
) -> Result<(axum::http::StatusCode, Json<Objective>), AppError> {
    let code = create(&s, &caller, &AgendaCreator::load(&s, &slug).await?, body, true).await?;
    let objective = s.store.objective(&slug, &code).await?.ok_or(AppError::NotFound)?;
    Ok((axum::http::StatusCode::CREATED, Json(objective)))
}

/// Add an action to an agenda, under one of its objectives (its coordinators and the administrators).
#[utoipa::path(post, path = "/api/v1/agendas/{slug}/actions", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Agenda slug")),
    request_body(content = ActionCreation, content_type = "application/json"),
    responses(
        (status = 201, body = Action, description = "The new action"),
        CreateProblems,
    ))]
pub async fn create_action(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path(slug): Path<String>,
    body: JsonObject,
) -> Result<(axum::http::StatusCode, Json<Action>), AppError> {
    let code = create(&s, &caller, &AgendaCreator::load(&s, &slug).await?, body, false).await?;
    let action = s.store.action(&slug, &code).await?.ok_or(AppError::NotFound)?;
    Ok((axum::http::StatusCode::CREATED, Json(action)))
}

// --- the lists inside an action ---------------------------------------------------------------

/// Adds a line to one of an action's lists and answers with the action as it now stands.
async fn add_part(
    s: &AppState,
    caller: &TokenCaller,
    (slug, code): (&str, &str),
    part: Part,
    body: JsonObject,
) -> Result<(StatusCode, Json<Action>), AppError> {
    if caller.scope != TokenScope::Write {
        return Err(AppError::Forbidden);
    }
    let e = PartsEditor::load(s, Some(&caller.principal), slug, code, part).await?;
    let Creation { input, problems } = creation_input(caller, body, &[])?;
    e.add(s, &caller.actor(), part, Reader::new(&input).with_problems(problems)).await?.map_err(AppError::Invalid)?;
    Ok((StatusCode::CREATED, Json(s.store.action(slug, code).await?.ok_or(AppError::NotFound)?)))
}

/// Removes a line from one of an action's lists.
async fn remove_part(
    s: &AppState,
    caller: &TokenCaller,
    (slug, code, item): (&str, &str, &str),
    part: Part,
) -> Result<StatusCode, AppError> {
    if caller.scope != TokenScope::Write {
        return Err(AppError::Forbidden);
    }
    let e = PartsEditor::load(s, Some(&caller.principal), slug, code, part).await?;
    e.remove(s, &caller.actor(), part, item).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// A new line of an action's budget.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct BudgetLineCreation {
    /// A `funding_source` vocabulary code.
    #[schema(min_length = 1, pattern = r"\S")]
    funding_source: String,
    /// Euros: a number, or text as Italians write it ("12.500,00"). Required unless
    /// `amount_cents` is given.
    #[schema(schema_with = number_or_text)]
    amount: Option<f64>,
    /// Whole euro cents, instead of `amount` (what the API answers).
    amount_cents: Option<i64>,
    /// Codice Unico di Progetto (15 characters).
    cup: Option<String>,
    description: Option<String>,
}

/// A number given as a JSON number or as text written as people write it ("1.234,5"), or null.
pub(super) fn number_or_text() -> utoipa::openapi::schema::Object {
    use utoipa::openapi::schema::{ObjectBuilder, SchemaType, Type};
    ObjectBuilder::new().schema_type(SchemaType::from_iter([Type::Number, Type::String, Type::Null])).build()
}

/// The problem answers of a removal: 401, 403, 404.
pub struct RemoveProblems;

impl utoipa::IntoResponses for RemoveProblems {
    fn responses() -> std::collections::BTreeMap<String, utoipa::openapi::RefOr<utoipa::openapi::Response>> {
        problems(&COMMON_PROBLEMS[1..4])
    }
}

/// The two endpoints of a part of an action: add one (POST with its body, 201 and the action)
/// and remove one (DELETE by its item, 204), with their OpenAPI descriptions.
macro_rules! part_endpoints {
    ($part:path, $body:tt, $add:ident: $add_doc:tt $add_path:tt, $remove:ident: $remove_doc:tt $remove_path:tt,
     $item:tt: $item_doc:tt) => {
        #[doc = $add_doc]
        #[utoipa::path(post, path = $add_path, tag = "editing",
            security(("token" = [])), params(ActionPath), request_body(content = $body, content_type = "application/json"),
            responses((status = 201, body = Action, description = "The action after the change"), CreateProblems))]
        pub async fn $add(
            State(s): State<AppState>,
            caller: TokenCaller,
            Path((slug, code)): Path<(String, String)>,
            body: JsonObject,
        ) -> Result<(StatusCode, Json<Action>), AppError> {
            add_part(&s, &caller, (&slug, &code), $part, body).await
        }

        #[doc = $remove_doc]
        #[utoipa::path(delete, path = $remove_path, tag = "editing",
            security(("token" = [])), params(ActionPath, ($item = String, Path, description = $item_doc)),
            responses((status = 204, description = "Removed"), RemoveProblems))]
        pub async fn $remove(
            State(s): State<AppState>,
            caller: TokenCaller,
            Path((slug, code, item)): Path<(String, String, String)>,
        ) -> Result<StatusCode, AppError> {
            remove_part(&s, &caller, (&slug, &code, &item), $part).await
        }
    };
}

part_endpoints!(
    Part::Partners, NewPartner,
    add_partner: "Add an organisation to an action, as its lead (one at most) or a partner." "/api/v1/agendas/{slug}/actions/{code}/partners",
    remove_partner: "Remove an organisation (by its slug) from an action." "/api/v1/agendas/{slug}/actions/{code}/partners/{item}",
    "item": "Organisation slug"
);

part_endpoints!(
    Part::BudgetLines, BudgetLineCreation,
    add_budget_line: "Add a line to an action's budget." "/api/v1/agendas/{slug}/actions/{code}/budget-lines",
    remove_budget_line: "Remove a line (by its id) from an action's budget." "/api/v1/agendas/{slug}/actions/{code}/budget-lines/{item}",
    "item": "Budget line id"
);

part_endpoints!(
    Part::Results, ResultEdit,
    add_result: "Add an expected result to an action (its indicators are added afterwards)." "/api/v1/agendas/{slug}/actions/{code}/results",
    remove_result: "Remove an expected result (by its id) and its indicators from an action." "/api/v1/agendas/{slug}/actions/{code}/results/{item}",
    "item": "Expected result id"
);

part_endpoints!(
    Part::Indicators, NewIndicator,
    add_indicator: "Add an indicator to one of an action's expected results." "/api/v1/agendas/{slug}/actions/{code}/indicators",
    remove_indicator: "Remove an indicator (by its id) from an action." "/api/v1/agendas/{slug}/actions/{code}/indicators/{id}",
    "id": "Indicator id"
);

part_endpoints!(
    Part::Assets, NewAssetLink,
    link_asset: "Link a digital asset to an action." "/api/v1/agendas/{slug}/actions/{code}/assets",
    unlink_asset: "Unlink a digital asset (by its slug) from an action." "/api/v1/agendas/{slug}/actions/{code}/assets/{item}",
    "item": "Digital asset slug"
);

/// The path of an action.
#[derive(utoipa::IntoParams)]
#[into_params(parameter_in = Path)]
#[allow(dead_code)]
pub struct ActionPath {
    /// Agenda slug.
    slug: String,
    /// Action code, e.g. A01.
    code: String,
}

// --- PUT: the whole record, through the same handlers as PATCH ----------------------------------

/// Replace an agenda's fields: those left out are emptied (and required ones must be given).
#[utoipa::path(put, path = "/api/v1/agendas/{slug}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Agenda slug")),
    request_body(content = AgendaChange, content_type = "application/json"),
    responses((status = 200, body = Agenda, description = "The agenda after the change"), ChangeProblems))]
pub async fn put_agenda(
    state: State<AppState>,
    caller: TokenCaller,
    path: Path<String>,
    body: JsonObject,
) -> Result<Json<Agenda>, AppError> {
    patch_agenda(state, Method::PUT, caller, path, body).await
}

/// Replace an action's fields: those left out are emptied (and required ones must be given).
#[utoipa::path(put, path = "/api/v1/agendas/{slug}/actions/{code}", tag = "editing", security(("token" = [])),
    params(ActionPath), request_body(content = ActionChange, content_type = "application/json"),
    responses((status = 200, body = Action, description = "The action after the change"), ChangeProblems))]
pub async fn put_action(
    state: State<AppState>,
    caller: TokenCaller,
    path: Path<(String, String)>,
    body: JsonObject,
) -> Result<Json<Action>, AppError> {
    patch_action(state, Method::PUT, caller, path, body).await
}

/// Replace an indicator's fields: those left out are emptied (and required ones must be given).
#[utoipa::path(put, path = "/api/v1/agendas/{slug}/actions/{code}/indicators/{id}", tag = "editing",
    security(("token" = [])),
    params(ActionPath, ("id" = String, Path, description = "Indicator id")),
    request_body(content = IndicatorChange, content_type = "application/json"),
    responses((status = 200, body = IndicatorSaved, description = "The indicator after the change"), ChangeProblems))]
pub async fn put_indicator(
    state: State<AppState>,
    caller: TokenCaller,
    path: Path<(String, String, String)>,
    body: JsonObject,
) -> Result<Json<IndicatorSaved>, AppError> {
    patch_indicator(state, Method::PUT, caller, path, body).await
}

/// Replace an organisation's profile: fields left out are emptied (and required ones must be given).
#[utoipa::path(put, path = "/api/v1/organizations/{slug}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Organisation slug")),
    request_body(content = OrganizationChange, content_type = "application/json"),
    responses((status = 200, body = Organization, description = "The organisation after the change"), ChangeProblems))]
pub async fn put_organization(
    state: State<AppState>,
    caller: TokenCaller,
    path: Path<String>,
    body: JsonObject,
) -> Result<Json<Organization>, AppError> {
    patch_organization(state, Method::PUT, caller, path, body).await
}
