//! The API under `/api/v1`: JSON, paginated, the same filters as the pages, errors as
//! RFC 9457 problem+json. The OpenAPI 3.1 document is generated from these handlers, so a
//! route cannot exist without being documented.

mod contract;
mod decidim;
mod docs;
mod docs_page;
mod frameworks;
mod handlers;
mod hsds;
mod lab;
mod monitoring;
mod profiles;
mod readings;
mod records;
mod writes;

use axum::routing::get;
use axum::{Json, Router};
use utoipa::openapi::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::kit::state::AppState;

pub use docs::ApiDoc;

/// The API routes and the OpenAPI document that describes exactly them.
pub fn routes() -> (Router<AppState>, OpenApi) {
    use handlers::*;
    OpenApiRouter::with_openapi(<ApiDoc as utoipa::OpenApi>::openapi())
        .routes(routes!(list_territories))
        .routes(routes!(get_territory))
        .routes(routes!(list_agendas))
        .routes(routes!(get_agenda))
        .routes(routes!(list_objectives))
        .routes(routes!(get_objective))
        .routes(routes!(list_actions))
        .routes(routes!(get_action))
        .routes(routes!(list_organizations))
        .routes(routes!(get_organization))
        .routes(routes!(list_assets))
        .routes(routes!(get_asset))
        .routes(routes!(list_vocabularies))
        .routes(routes!(get_vocabulary))
        .routes(routes!(profiles::list_profiles))
        .routes(routes!(profiles::get_profile, profiles::patch_profile))
        .routes(routes!(profiles::add_internal_service))
        .routes(routes!(profiles::patch_internal_service))
        .routes(routes!(profiles::add_database))
        .routes(routes!(profiles::patch_database))
        .routes(routes!(profiles::put_zone_plan))
        .routes(routes!(profiles::patch_objective_gaps))
        .routes(routes!(profiles::patch_action_gaps))
        .routes(routes!(lab::get_process, lab::put_process))
        .routes(routes!(lab::put_phase))
        .routes(routes!(lab::put_admitted))
        .routes(routes!(lab::list_ideas))
        .routes(routes!(lab::get_idea))
        .routes(routes!(lab::get_results))
        .routes(routes!(lab::get_document))
        .routes(routes!(lab::put_answer))
        .routes(routes!(lab::put_active_phase))
        .routes(routes!(lab::get_meeting, lab::put_meeting))
        .routes(routes!(lab::create_meeting))
        .routes(routes!(lab::get_pact, lab::put_pact))
        .routes(routes!(lab::create_pact))
        .routes(routes!(lab::create_pact_report))
        .routes(routes!(monitoring::get_monitoring))
        .routes(routes!(monitoring::get_delivery))
        .routes(routes!(monitoring::list_measurements))
        .routes(routes!(monitoring::put_measurement))
        .routes(routes!(monitoring::review_measurement))
        .routes(routes!(decidim::get_import, decidim::put_source))
        .routes(routes!(decidim::post_import))
        .routes(routes!(frameworks::list_frameworks))
        .routes(routes!(frameworks::patch_framework))
        .routes(routes!(frameworks::add_framework_item))
        .routes(routes!(frameworks::patch_framework_item))
        .routes(routes!(frameworks::patch_objective_targets))
        .routes(routes!(writes::me))
        .routes(routes!(writes::patch_agenda, writes::put_agenda))
        .routes(routes!(writes::move_agenda))
        .routes(routes!(writes::patch_action, writes::put_action))
        .routes(routes!(writes::patch_organization, writes::put_organization))
        .routes(routes!(writes::create_objective))
        .routes(routes!(writes::create_action))
        .routes(routes!(writes::add_partner))
        .routes(routes!(writes::remove_partner, writes::patch_partner, writes::put_partner))
        .routes(routes!(writes::add_budget_line))
        .routes(routes!(writes::remove_budget_line, writes::patch_budget_line, writes::put_budget_line))
        .routes(routes!(writes::add_result))
        .routes(routes!(writes::remove_result, writes::patch_result, writes::put_result))
        .routes(routes!(writes::add_indicator))
        .routes(routes!(writes::remove_indicator, writes::patch_indicator, writes::put_indicator))
        .routes(routes!(writes::link_asset))
        .routes(routes!(writes::unlink_asset))
        .routes(routes!(records::create_agenda))
        .routes(routes!(records::create_organization))
        .routes(routes!(records::create_asset))
        .routes(routes!(records::create_union))
        .routes(routes!(records::patch_asset, records::put_asset, records::retire_asset))
        .routes(routes!(records::patch_union, records::put_union, records::archive_union))
        .routes(routes!(records::archive_action))
        .routes(routes!(records::archive_objective, writes::patch_objective, writes::put_objective))
        .routes(routes!(records::archive_organization))
        .split_for_parts()
}

/// The OpenAPI document (built once).
pub fn openapi() -> &'static OpenApi {
    static DOC: std::sync::LazyLock<OpenApi> = std::sync::LazyLock::new(|| routes().1);
    &DOC
}

/// The OpenAPI document as served: the annotations' document with what only the running
/// instance knows (`contract`), worked out once.
async fn document(axum::extract::State(state): axum::extract::State<AppState>) -> Json<serde_json::Value> {
    static SERVED: std::sync::OnceLock<serde_json::Value> = std::sync::OnceLock::new();
    let doc = SERVED.get_or_init(|| {
        let doc = contract::bodies_declared(serde_json::to_value(openapi()).unwrap_or_default());
        contract::declared(readings::declared(doc, &state.decidim_hosts), &state.vocabularies)
    });
    Json(doc.clone())
}

pub fn router() -> Router<AppState> {
    routes().0.route("/api/v1/openapi.json", get(document)).merge(hsds::router()).merge(docs_page::router())
}
