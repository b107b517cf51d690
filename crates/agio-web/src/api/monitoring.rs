//! Monitoring in the API: an agenda's progress tree, an indicator's values, a period's value
//! written by a referent, and its moves (sent, approved, returned). The rules are
//! `agio_app::monitoring`'s editors, the same as the forms'.

use agio_app::delivery::{delivery, LineSpending, MilestoneView};
use agio_app::monitoring::{monitoring, MeasurementEditor, ReviewEditor};
use agio_domain::delivery::Financial;
use agio_domain::monitoring::{decimal_of, AgendaProgress, Measurement, Review};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::writes::{apply, ChangeProblems, How, JsonObject};
use crate::kit::auth::TokenCaller;
use crate::kit::error::{AppError, Problem};
use crate::kit::state::AppState;

/// An agenda's monitoring: its objectives, actions and indicators with their progress (percent
/// from baseline to target), each action's standing, and the values the caller may see
/// (approved ones for everyone; the others for the referents who enter them and the
/// coordinators). 404 when the agenda does not exist or is not visible.
#[utoipa::path(get, path = "/api/v1/agendas/{slug}/monitoring", tag = "monitoring",
    params(("slug" = String, Path, description = "Slug of the agenda")),
    responses((status = 200, body = AgendaProgress), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_monitoring(
    State(s): State<AppState>,
    caller: Option<TokenCaller>,
    Path(slug): Path<String>,
) -> Result<Json<AgendaProgress>, AppError> {
    let who = caller.as_ref().map(|c| &c.principal);
    Ok(Json(monitoring(&s, who, &slug).await?.progress))
}

/// One action's delivery: its physical progress and standing, its milestones and the
/// committed and paid amounts of its budget lines.
#[derive(Serialize, ToSchema)]
pub struct ActionDeliveryBody {
    pub code: String,
    /// Physical progress, from the indicators (percent), as a decimal string.
    pub progress: Option<String>,
    pub standing: agio_domain::Standing,
    pub milestones: Vec<MilestoneView>,
    pub budget_lines: Vec<LineSpending>,
    /// The budget lines summed.
    pub financial: Financial,
}

/// An action's results and delivery: milestones (with where each stands today) and financial
/// progress per budget line, apart from the physical progress its indicators measure. 404 when
/// the agenda or the action does not exist or is not visible.
#[utoipa::path(get, path = "/api/v1/agendas/{slug}/actions/{code}/delivery", tag = "monitoring",
    params(("slug" = String, Path, description = "Slug of the agenda"), ("code" = String, Path, description = "Code of the action")),
    responses((status = 200, body = ActionDeliveryBody), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn get_delivery(
    State(s): State<AppState>,
    caller: Option<TokenCaller>,
    Path((slug, code)): Path<(String, String)>,
) -> Result<Json<ActionDeliveryBody>, AppError> {
    let who = caller.as_ref().map(|c| &c.principal);
    let d = delivery(&s, who, &slug, &code).await?;
    Ok(Json(ActionDeliveryBody {
        code: d.action.code,
        progress: d.action.progress.map(|p| p.normalize().to_string()),
        standing: d.action.standing,
        milestones: d.milestones,
        budget_lines: d.lines,
        financial: d.financial,
    }))
}

/// The values of one indicator of the agenda that the caller may see, in period order.
#[utoipa::path(get, path = "/api/v1/agendas/{slug}/indicators/{id}/measurements", tag = "monitoring",
    params(("slug" = String, Path, description = "Slug of the agenda"), ("id" = String, Path, description = "Id of the indicator")),
    responses((status = 200, body = Vec<Measurement>), (status = 404, body = Problem, content_type = "application/problem+json")))]
pub async fn list_measurements(
    State(s): State<AppState>,
    caller: Option<TokenCaller>,
    Path((slug, id)): Path<(String, String)>,
) -> Result<Json<Vec<Measurement>>, AppError> {
    let who = caller.as_ref().map(|c| &c.principal);
    let m = monitoring(&s, who, &slug).await?;
    let indicator = m
        .progress
        .objectives
        .into_iter()
        .flat_map(|o| o.actions)
        .flat_map(|a| a.indicators)
        .find(|i| i.indicator.id == id)
        .ok_or(AppError::NotFound)?;
    Ok(Json(indicator.measurements))
}

/// A period's value, with the version it starts from (0 for a new one).
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct MeasurementChange {
    version: i64,
    /// The value, for an indicator that is not a percentage: a JSON number, or a string written
    /// as people write it (`"1234.5"`, `"1.234,5"`; `"1.234"` is refused as ambiguous).
    #[schema(schema_with = super::writes::number_or_text, example = "1234.5")]
    value: Option<serde_json::Value>,
    /// For a percentage (unit `%`): how many have the feature; the value is worked out.
    #[schema(schema_with = super::writes::number_or_text)]
    numerator: Option<serde_json::Value>,
    /// For a percentage: out of how many (greater than zero).
    #[schema(schema_with = super::writes::number_or_text)]
    denominator: Option<serde_json::Value>,
    note: Option<String>,
    /// Where the value comes from.
    source: Option<String>,
}

/// JSON numbers are exact as sent: written with the decimal comma, which the reader takes as
/// one (a number like 1.234 would otherwise read as ambiguous).
fn numbers_as_decimals(JsonObject(mut body, off_contract): JsonObject) -> JsonObject {
    for field in ["value", "numerator", "denominator"] {
        if let Some(serde_json::Value::Number(n)) = body.get(field) {
            // 2.5e3 is 2500: the number's value, written plainly with the decimal comma.
            let exact = n.as_i64().map(rust_decimal::Decimal::from).or_else(|| n.as_f64().and_then(decimal_of));
            let text = exact.map_or_else(|| n.to_string(), |d| d.normalize().to_string().replace('.', ","));
            body.insert(field.to_string(), serde_json::Value::String(text));
        }
    }
    JsonObject(body, off_contract)
}

/// The caller's measurement after a write.
async fn stored(
    s: &AppState,
    caller: &TokenCaller,
    slug: &str,
    id: &str,
    period: &str,
) -> Result<Measurement, AppError> {
    let editor = MeasurementEditor::load(s, Some(&caller.principal), slug, id, period).await?;
    editor.stored.ok_or(AppError::NotFound)
}

/// Write the value of an indicator for a period (`2025-Q1`, `2025-S2`, `2025`, as the
/// indicator is measured, within the agenda's years): the referents of the organisation leading
/// the action, and the coordinators. A new value is a draft; changing an approved one makes it
/// a draft again.
#[utoipa::path(put, path = "/api/v1/agendas/{slug}/indicators/{id}/measurements/{period}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the agenda"), ("id" = String, Path, description = "Id of the indicator"),
        ("period" = String, Path, description = "The period: 2025-Q1, 2025-S2 or 2025")),
    request_body(content = MeasurementChange, content_type = "application/json"),
    responses((status = 200, body = Measurement, description = "The value as saved"), ChangeProblems))]
pub async fn put_measurement(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path((slug, id, period)): Path<(String, String, String)>,
    body: JsonObject,
) -> Result<Json<Measurement>, AppError> {
    let editor = MeasurementEditor::load(&s, Some(&caller.principal), &slug, &id, &period).await?;
    apply(&s, &caller, &editor, numbers_as_decimals(body), How::Replace).await?;
    Ok(Json(stored(&s, &caller, &slug, &id, &editor.period).await?))
}

/// A move of a value along its workflow.
#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Send a draft or a returned value for approval (its referents).
    Submit,
    /// Approve a sent value: it becomes public and counts (the coordinators).
    Approve,
    /// Return a sent or approved value with a comment (the coordinators).
    Return,
}

/// The move's comment (required to return), with the value's version.
#[derive(ToSchema)]
#[allow(dead_code)]
pub struct ReviewChange {
    version: i64,
    comment: Option<String>,
}

/// Move a value: `submit` (its referents), `approve` or `return` (the coordinators; a return
/// needs a comment). A move the workflow does not allow from the value's status is a 409.
#[utoipa::path(post, path = "/api/v1/agendas/{slug}/indicators/{id}/measurements/{period}/{step}", tag = "editing", security(("token" = [])),
    params(("slug" = String, Path, description = "Slug of the agenda"), ("id" = String, Path, description = "Id of the indicator"),
        ("period" = String, Path, description = "The period: 2025-Q1, 2025-S2 or 2025"), ("step" = inline(Step), Path, description = "The move")),
    request_body(content = ReviewChange, content_type = "application/json"),
    responses((status = 200, body = Measurement, description = "The value after the move"), ChangeProblems))]
pub async fn review_measurement(
    State(s): State<AppState>,
    caller: TokenCaller,
    Path((slug, id, period, step)): Path<(String, String, String, String)>,
    body: JsonObject,
) -> Result<(StatusCode, Json<Measurement>), AppError> {
    let review = match serde_json::from_value::<Step>(serde_json::Value::String(step)) {
        Ok(Step::Submit) => Review::Submit,
        Ok(Step::Approve) => Review::Approve,
        Ok(Step::Return) => Review::Return,
        Err(_) => return Err(AppError::NotFound),
    };
    let editor = ReviewEditor::load(&s, Some(&caller.principal), &slug, &id, &period, review).await?;
    apply(&s, &caller, &editor, body, How::Replace).await?;
    Ok((StatusCode::OK, Json(stored(&s, &caller, &slug, &id, &editor.measurement.period).await?)))
}
